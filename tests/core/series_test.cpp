// Tables are built by hand here (not read from CSV) so these tests pin down the
// hourly grid alone; every expected value below is counted by hand.
#include "funnelcast/series/series.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "funnelcast/base/error.hpp"
#include "funnelcast/io/csv.hpp"
#include "funnelcast/schema/roles.hpp"

namespace {

using fc::Column;
using fc::ColumnType;
using fc::Table;
namespace series = fc::series;

const double kNaN = std::nan("");

// Seconds since 1970 by counting days, independent of the core's civil-date code.
int64_t ts(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const auto leap = [](int yr) { return (yr % 4 == 0 && yr % 100 != 0) || yr % 400 == 0; };
  int64_t days = 0;
  for (int yr = 1970; yr < y; ++yr) days += leap(yr) ? 366 : 365;
  for (int yr = y; yr < 1970; ++yr) days -= leap(yr) ? 366 : 365;
  for (int m = 1; m < mo; ++m) days += kDays[m - 1] + (m == 2 && leap(y) ? 1 : 0);
  days += d - 1;
  return days * 86400 + h * 3600 + mi * 60 + s;
}

Column num(const std::string& name, std::vector<double> v) {
  Column c;
  c.name = name;
  c.type = ColumnType::kNumber;
  c.numbers = std::move(v);
  return c;
}

Column times(const std::string& name, std::vector<int64_t> v) {
  Column c;
  c.name = name;
  c.type = ColumnType::kTimestamp;
  c.times = std::move(v);
  return c;
}

Column cat(const std::string& name, const std::vector<std::string>& v) {  // "" = missing
  Column c;
  c.name = name;
  c.type = ColumnType::kCategory;
  for (const auto& s : v) {
    if (s.empty()) {
      c.codes.push_back(fc::kMissingCode);
      continue;
    }
    size_t i = 0;
    while (i < c.levels.size() && c.levels[i] != s) ++i;
    if (i == c.levels.size()) c.levels.push_back(s);
    c.codes.push_back(static_cast<int32_t>(i));
  }
  return c;
}

size_t rows_of(const Column& c) {
  switch (c.type) {
    case ColumnType::kNumber:
      return c.numbers.size();
    case ColumnType::kTimestamp:
      return c.times.size();
    default:
      return c.codes.size();
  }
}

// Rows start at line 2, under the header, as in a CSV without multi-line cells.
Table table(std::vector<Column> cols, const std::string& source = "hourly.csv") {
  Table t;
  t.source = source;
  t.columns = std::move(cols);
  t.rows = t.columns.empty() ? 0 : rows_of(t.columns[0]);
  for (size_t r = 0; r < t.rows; ++r) t.line_of_row.push_back(static_cast<uint32_t>(r + 2));
  return t;
}

std::string error_of(const Table& t, const series::Options& o = {}) {
  try {
    series::build(t, o);
  } catch (const fc::Error& e) {
    return e.what();
  }
  return "(no error)";
}

#define EXPECT_CONTAINS(haystack, needle) \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << (haystack)

TEST(SeriesRoles, DetectsVariantNames) {
  const int64_t t0 = ts(2024, 1, 1);
  const Table t = table({times("Date_Time", {t0}), num("N-Leads", {1}), num("Ad Spend", {2}),
                         num("SALES", {3}), cat("UTM_Source", {"google"}), cat("notes", {"x"})});
  const fc::schema::Roles r = fc::schema::detect_roles(t);
  EXPECT_EQ(r.time, "Date_Time");
  EXPECT_EQ(r.leads, "N-Leads");
  EXPECT_EQ(r.spend, "Ad Spend");
  EXPECT_EQ(r.revenue, "SALES");
  EXPECT_EQ(r.channel, "UTM_Source");
  EXPECT_EQ(r.cpl, "");
  EXPECT_EQ(r.roi, "");

  const Table u = table({times("Created At", {t0}), num("Conversions", {1}), num("cost", {2}),
                         num("CPL", {2}), num("ROI", {0.5}), cat("Campaign", {"spring"})});
  const fc::schema::Roles s = fc::schema::detect_roles(u);
  EXPECT_EQ(s.time, "Created At");
  EXPECT_EQ(s.leads, "Conversions");
  EXPECT_EQ(s.spend, "cost");
  EXPECT_EQ(s.cpl, "CPL");
  EXPECT_EQ(s.roi, "ROI");
  EXPECT_EQ(s.channel, "Campaign");
}

TEST(SeriesRoles, FallsBackToTheOnlyTimestampColumn) {
  const Table t = table({times("when", {ts(2024, 1, 1)}), num("signups", {4})});
  const fc::schema::Roles r = fc::schema::detect_roles(t);
  EXPECT_EQ(r.time, "when");
  EXPECT_EQ(r.leads, "signups");
}

TEST(SeriesRoles, PrefersATimestampTypedNameMatch) {
  // "date" holds free text; "event_time" is a real timestamp: the typed one wins.
  const Table t = table({cat("date", {"spring"}), times("event_time", {ts(2024, 1, 1)})});
  EXPECT_EQ(fc::schema::detect_roles(t).time, "event_time");
}

TEST(SeriesRoles, GivenRolesAreKeptAndChecked) {
  const Table t = table({times("ts", {ts(2024, 1, 1)}), num("leads", {1}), num("visits", {9}),
                         cat("source", {"crm"})});
  fc::schema::Roles given;
  given.leads = "VISITS";  // case-insensitive, returned as spelled in the file
  given.channel = "-";     // "source" is not a channel here
  const fc::schema::Roles r = fc::schema::detect_roles(t, given);
  EXPECT_EQ(r.leads, "visits");
  EXPECT_EQ(r.channel, "");
  EXPECT_EQ(r.time, "ts");

  fc::schema::Roles bad;
  bad.spend = "cost";
  try {
    fc::schema::detect_roles(t, bad);
    FAIL() << "expected an error";
  } catch (const fc::Error& e) {
    EXPECT_CONTAINS(e.what(), "'cost'");
    EXPECT_CONTAINS(e.what(), "spend");
    EXPECT_CONTAINS(e.what(), "columns: ts, leads, visits, source");
  }
}

TEST(SeriesRoles, WrongTypeNamesTheFirstBadCell) {
  const Table t = table({times("ts", {ts(2024, 1, 1), ts(2024, 1, 1, 1), ts(2024, 1, 1, 2)}),
                         cat("spend", {"12.5", "", "$12"})});
  try {
    fc::schema::detect_roles(t);
    FAIL() << "expected an error";
  } catch (const fc::Error& e) {
    EXPECT_STREQ(e.what(), "hourly.csv: line 4, column 'spend': expected a number, found '$12'");
  }
}

TEST(SeriesHourly, MissingTimeColumnListsWhatWasTried) {
  const Table t = table({num("foo", {1}), num("leads", {2})});
  const std::string e = error_of(t);
  EXPECT_CONTAINS(e, "hourly.csv: no time column found");
  EXPECT_CONTAINS(e, "timestamp, datetime");
  EXPECT_CONTAINS(e, "columns: foo, leads");
  EXPECT_CONTAINS(e, "choose the time column (CLI: --time COL)");
}

TEST(SeriesHourly, TextTimeColumnNamesLineColumnAndValue) {
  const Table t = table({cat("datetime", {"2024-05-01 13:00", "abc"}), num("leads", {1, 2})});
  EXPECT_EQ(error_of(t),
            "hourly.csv: line 3, column 'datetime': expected a timestamp like 2024-05-01 13:00, "
            "found 'abc'");
}

TEST(SeriesHourly, TimestampsKeptAsTextAreParsed) {
  const Table t =
      table({cat("datetime", {"2024-05-01 13:00", "2024-05-01 15:00"}), cat("leads", {"2", "5"})});
  const auto b = series::build(t);
  EXPECT_EQ(b.total.start, ts(2024, 5, 1, 13));
  // 14:00 has no row in an hourly export: missing, not 0.
  ASSERT_EQ(b.total.size(), 3u);
  EXPECT_EQ(b.total.leads[0], 2);
  EXPECT_TRUE(std::isnan(b.total.leads[1]));
  EXPECT_EQ(b.total.leads[2], 5);
  EXPECT_EQ(b.empty_intervals, 1u);
}

TEST(SeriesHourly, MissingTimestampNamesTheLine) {
  const Table t =
      table({times("timestamp", {ts(2024, 1, 1), fc::kMissingTime}), num("leads", {1, 1})});
  const std::string e = error_of(t);
  EXPECT_CONTAINS(e, "hourly.csv: line 3, column 'timestamp'");
  EXPECT_CONTAINS(e, "missing timestamp");
}

TEST(SeriesRoles, DetectsClicksFromTrafficNames) {
  const int64_t t0 = ts(2024, 1, 1);
  for (const char* name : {"clicks", "Sessions", "VISITS", "visitors", "Site_Visits", "website-visits",
                           "Traffic"}) {
    const Table t = table({times("timestamp", {t0}), num("leads", {1}), num(name, {10})});
    EXPECT_EQ(fc::schema::detect_roles(t).clicks, name);
  }
  // "-" keeps a traffic-looking column out, and a text one is refused with its cell.
  const Table t = table({times("timestamp", {t0}), num("leads", {1}), num("sessions", {10})});
  fc::schema::Roles none;
  none.clicks = "-";
  EXPECT_EQ(fc::schema::detect_roles(t, none).clicks, "");
  const Table bad = table({times("timestamp", {t0}), num("leads", {1}), cat("visits", {"lots"})});
  EXPECT_CONTAINS(error_of(bad), "hourly.csv: line 2, column 'visits': expected a number, found 'lots'");
  // Without one, the series has no clicks.
  EXPECT_TRUE(series::build(table({times("timestamp", {t0}), num("leads", {1})})).total.clicks.empty());
}

TEST(SeriesHourly, ClicksFromSessionsAreSummedPerHourAndChannel) {
  // Hour 9: 2 rows (search 30 + email 10 sessions); hour 10: none; hour 11: search 5.
  const Table t = table({times("timestamp", {ts(2024, 3, 10, 9, 10), ts(2024, 3, 10, 9, 50),
                                              ts(2024, 3, 10, 11, 30)}),
                         num("leads", {1, 2, 1}), num("Sessions", {30, 10, 5}),
                         cat("channel", {"search", "email", "search"})});
  const auto b = series::build(t);
  EXPECT_EQ(b.roles.clicks, "Sessions");
  EXPECT_EQ(b.total.clicks, (std::vector<double>{40, 0, 5}));
  ASSERT_EQ(b.channels.size(), 2u);
  EXPECT_EQ(b.channels[0].channel, "email");
  EXPECT_EQ(b.channels[0].clicks, (std::vector<double>{10, 0, 0}));
  EXPECT_EQ(b.channels[1].clicks, (std::vector<double>{30, 0, 5}));
}

TEST(SeriesHourly, EventRowsAreSummedAndEmptyHoursExplicit) {
  // 5 lead events in hours 10, 10, 12, 12, 12 of one day: hour 11 has none.
  const Table t = table({times("created_at", {ts(2024, 3, 10, 10, 5), ts(2024, 3, 10, 10, 40),
                                              ts(2024, 3, 10, 12, 15), ts(2024, 3, 10, 12, 20),
                                              ts(2024, 3, 10, 12, 59, 59)}),
                         cat("email", {"a@x", "b@x", "c@x", "d@x", "e@x"})});
  const auto b = series::build(t);
  EXPECT_EQ(b.roles.leads, "");
  EXPECT_TRUE(b.events);
  EXPECT_EQ(b.input_rows, 5u);
  EXPECT_EQ(b.total.start, ts(2024, 3, 10, 10));
  EXPECT_EQ(b.total.leads, (std::vector<double>{2, 0, 3}));
  EXPECT_EQ(b.total.observed, (std::vector<uint8_t>{1, 0, 1}));
  EXPECT_EQ(b.rows_aggregated, 3u);  // the 2nd row of hour 10, the 2nd and 3rd of hour 12
  EXPECT_EQ(b.empty_intervals, 1u);
  EXPECT_TRUE(b.total.spend.empty());
  EXPECT_TRUE(b.channels.empty());
  EXPECT_EQ(b.total.time(2), ts(2024, 3, 10, 12));
}

// A daily summary table (Sales, Website_Traffic per date) with its rows counted as leads
// gives one lead a day: said, naming the numeric columns and what to do. Real lead events
// (times to the second, several an hour) and a summary read by its leads column are not.
TEST(SeriesDaily, RowsOfASummaryTableCountedAsLeadsAreWarnedAbout) {
  std::vector<int64_t> days;
  std::vector<double> sales, traffic;
  for (int d = 1; d <= 10; ++d) {
    days.push_back(ts(2020, 1, d));
    sales.push_back(5000 + 10 * d);
    traffic.push_back(11000 + d);
  }
  const Table t = table({times("Date", days), num("Sales", sales), num("Website_Traffic", traffic)});
  series::Options events;
  events.rows = series::RowMeaning::kEvents;
  const auto b = series::build(t, events);
  EXPECT_TRUE(b.events);
  EXPECT_EQ(b.total.leads, std::vector<double>(10, 1.0));
  const std::string want =
      "hourly.csv: warning: each row is counted as one lead, but every row has a day of its own (10 rows, one "
      "per day) and the file has numeric columns: Sales, Website_Traffic. This looks like a summary table, not "
      "one row per lead: choose the column that counts leads instead (CLI: --leads COL)";
  std::string all;
  for (const auto& n : b.notices) all += n + "\n";
  EXPECT_NE(std::find(b.notices.begin(), b.notices.end(), want), b.notices.end()) << all;

  // Read by a leads column: no such warning.
  series::Options values;
  values.roles.leads = "Sales";
  for (const auto& n : series::build(t, values).notices) EXPECT_EQ(n.find("summary table"), std::string::npos) << n;
  // Lead events at exact seconds, a numeric column beside them: none either.
  std::vector<int64_t> at;
  std::vector<double> score;
  for (int i = 0; i < 12; ++i) {
    at.push_back(ts(2024, 3, 10, 9) + 97 * i + 13);
    score.push_back(i);
  }
  const Table leads = table({times("created_at", at), num("score", score)});
  for (const auto& n : series::build(leads, events).notices) EXPECT_EQ(n.find("summary table"), std::string::npos) << n;
}

TEST(SeriesHourly, EventsBefore1970FloorToTheHourBelow) {
  const Table t = table({times("ts", {ts(1969, 12, 31, 23, 30), ts(1970, 1, 1, 0, 10)})});
  const auto b = series::build(t);
  EXPECT_EQ(b.total.start, -3600);
  EXPECT_EQ(b.total.leads, (std::vector<double>{1, 1}));
}

TEST(SeriesHourly, EventRowsAggregateByHourAndChannel) {
  const Table t = table(
      {times("ts", {ts(2024, 3, 10, 10, 5), ts(2024, 3, 10, 10, 40), ts(2024, 3, 10, 10, 50)}),
       cat("channel", {"a", "b", "a"})});
  const auto b = series::build(t);
  EXPECT_EQ(b.rows_aggregated, 1u);  // only the second "a" row joins a row already there
  ASSERT_EQ(b.channels.size(), 2u);
  EXPECT_EQ(b.channels[0].leads, (std::vector<double>{2}));
  EXPECT_EQ(b.channels[1].leads, (std::vector<double>{1}));
}

TEST(SeriesHourly, DuplicateHourInAnHourlyExportNamesBothLines) {
  const Table t =
      table({times("timestamp", {ts(2024, 1, 1, 5), ts(2024, 1, 1, 6), ts(2024, 1, 1, 5)}),
             num("leads", {3, 4, 5})});
  EXPECT_EQ(error_of(t),
            "hourly.csv: line 4: duplicate timestamp 2024-01-01 05:00:00 (first at line 2); an "
            "hourly export has one row per interval (and channel); to add such rows up, sum duplicates (CLI: --duplicates sum)");

  series::Options sum;
  sum.duplicates = series::Duplicates::kSum;
  const auto b = series::build(t, sum);
  EXPECT_EQ(b.total.leads, (std::vector<double>{8, 4}));
  EXPECT_EQ(b.rows_aggregated, 1u);
  EXPECT_FALSE(b.events);
}

TEST(SeriesHourly, SameHourOnAnotherChannelIsNotADuplicate) {
  const Table t =
      table({times("timestamp", {ts(2024, 1, 1, 5), ts(2024, 1, 1, 5), ts(2024, 1, 1, 5)}),
             cat("channel", {"search", "email", "search"}), num("leads", {1, 2, 3})});
  const std::string e = error_of(t);
  EXPECT_CONTAINS(e,
                  "line 4: duplicate timestamp 2024-01-01 05:00:00 for channel 'search' "
                  "(first at line 2)");
  const Table ok = table({times("timestamp", {ts(2024, 1, 1, 5), ts(2024, 1, 1, 5)}),
                          cat("channel", {"search", "email"}), num("leads", {1, 2})});
  const auto b = series::build(ok);
  EXPECT_EQ(b.rows_aggregated, 0u);
  EXPECT_EQ(b.total.leads, (std::vector<double>{3}));
}

TEST(SeriesHourly, DuplicatesErrorAppliesToEventsToo) {
  const Table t = table({times("ts", {ts(2024, 1, 1, 5, 10), ts(2024, 1, 1, 5, 40)})});
  series::Options o;
  o.duplicates = series::Duplicates::kError;
  const std::string e = error_of(t, o);
  EXPECT_CONTAINS(e, "line 3");
  EXPECT_CONTAINS(e, "2024-01-01 05:00:00");
  EXPECT_CONTAINS(e, "first at line 2");
  EXPECT_EQ(series::build(t).total.leads, (std::vector<double>{2}));  // kAuto sums events
}

TEST(SeriesHourly, NonNumericLeadsNamesLineColumnAndValue) {
  const Table t =
      table({times("timestamp", {ts(2024, 1, 1, 0), ts(2024, 1, 1, 1), ts(2024, 1, 1, 2)}),
             cat("leads", {"3", "4", "abc"})});
  EXPECT_EQ(error_of(t), "hourly.csv: line 4, column 'leads': expected a number, found 'abc'");
}

TEST(SeriesHourly, NegativeLeadsAreRefused) {
  const Table t =
      table({times("timestamp", {ts(2024, 1, 1, 0), ts(2024, 1, 1, 1)}), num("leads", {3, -2})});
  const std::string e = error_of(t);
  EXPECT_CONTAINS(e, "line 3, column 'leads'");
  EXPECT_CONTAINS(e, "negative");
  EXPECT_CONTAINS(e, "-2");
}

TEST(SeriesHourly, MissingCellsStayMissingAndAreCounted) {
  const Table t =
      table({times("timestamp", {ts(2024, 1, 1, 0), ts(2024, 1, 1, 1), ts(2024, 1, 1, 2)}),
             num("leads", {2, kNaN, 4}), num("spend", {10, 20, kNaN})});
  const auto b = series::build(t);
  EXPECT_EQ(b.missing_cells, 2u);
  EXPECT_EQ(b.missing_leads, 1u);
  EXPECT_EQ(b.total.leads[0], 2);
  EXPECT_TRUE(std::isnan(b.total.leads[1]));  // never summed as 0
  EXPECT_EQ(b.total.leads[2], 4);
  EXPECT_EQ(b.total.spend[1], 20);
  EXPECT_TRUE(std::isnan(b.total.spend[2]));
  EXPECT_EQ(b.total.observed, (std::vector<uint8_t>{1, 1, 1}));
  const auto cpl = series::metric_values(b.total, "cpl");
  EXPECT_DOUBLE_EQ(cpl[0], 5.0);
  EXPECT_TRUE(std::isnan(cpl[1]));  // leads unknown
  EXPECT_TRUE(std::isnan(cpl[2]));  // spend unknown
  ASSERT_FALSE(b.notices.empty());
  EXPECT_CONTAINS(b.notices.back(), "2 blank or NA cells are missing values, not zeros");
}

TEST(SeriesHourly, AMissingCellMakesItsIntervalMissingEvenWhenSummed) {
  // Two rows in hour 0 summed; one of them has a blank leads cell: the hour's sum is unknown.
  const Table t = table({times("timestamp", {ts(2024, 1, 1, 0), ts(2024, 1, 1, 0), ts(2024, 1, 1, 1)}),
                         num("leads", {3, kNaN, 4})});
  series::Options o;
  o.duplicates = series::Duplicates::kSum;
  const auto b = series::build(t, o);
  EXPECT_TRUE(std::isnan(b.total.leads[0]));
  EXPECT_EQ(b.total.leads[1], 4);
}

TEST(SeriesHourly, SpendAndRevenueDerivedFromCplAndRoi) {
  const Table t =
      table({times("timestamp", {ts(2024, 1, 1, 0), ts(2024, 1, 1, 1), ts(2024, 1, 1, 2)}),
             num("leads", {4, 0, 2}), num("cpl", {25, kNaN, 30}), num("roi", {0.5, kNaN, -0.25})});
  const auto b = series::build(t);
  EXPECT_TRUE(b.spend_derived);
  EXPECT_TRUE(b.revenue_derived);
  EXPECT_EQ(b.missing_cells, 2u);
  EXPECT_EQ(b.total.spend[0], 100);  // 4 * 25
  EXPECT_TRUE(std::isnan(b.total.spend[1]));
  EXPECT_EQ(b.total.spend[2], 60);  // 2 * 30
  EXPECT_EQ(b.total.revenue[0], 150);  // 100 * 1.5
  EXPECT_EQ(b.total.revenue[2], 45);   // 60 * 0.75
  const auto cpl = series::metric_values(b.total, "cpl");
  const auto roi = series::metric_values(b.total, "roi");
  EXPECT_DOUBLE_EQ(cpl[0], 25);
  EXPECT_TRUE(std::isnan(cpl[1]));
  EXPECT_DOUBLE_EQ(cpl[2], 30);
  EXPECT_DOUBLE_EQ(roi[0], 0.5);
  EXPECT_TRUE(std::isnan(roi[1]));
  EXPECT_DOUBLE_EQ(roi[2], -0.25);
}

TEST(SeriesHourly, RatiosOfSeveralRowsInAnHourComeFromTheSums) {
  // Hour 0: 4 leads at CPL 25 (spend 100) and 1 lead at CPL 40 (spend 40): the hour's
  // CPL is 140 / 5 = 28, not the mean of the two ratios (32.5).
  const Table t = table({times("timestamp", {ts(2024, 1, 1, 0), ts(2024, 1, 1, 0)}),
                         num("leads", {4, 1}), num("cpl", {25, 40}), num("roi", {1.0, 0.0})});
  series::Options o;
  o.duplicates = series::Duplicates::kSum;
  const auto b = series::build(t, o);
  EXPECT_DOUBLE_EQ(b.total.spend[0], 140);
  EXPECT_DOUBLE_EQ(b.total.revenue[0], 240);  // 100*2 + 40*1
  EXPECT_DOUBLE_EQ(series::metric_values(b.total, "cpl")[0], 28);
  EXPECT_DOUBLE_EQ(series::metric_values(b.total, "roi")[0], 100.0 / 140.0);
}

TEST(SeriesHourly, ChannelSeriesAreSortedAndSumToTheTotal) {
  const int64_t h0 = ts(2024, 2, 1, 8), h1 = h0 + 3600, h2 = h0 + 7200;
  const Table t = table({times("timestamp", {h0, h0, h1, h2, h2, h0}),
                         cat("Channel", {"social", "email", "social", "search", "email", "search"}),
                         num("leads", {1, 2, 3, 4, 5, 6}), num("spend", {10, 20, 30, 40, 50, 60}),
                         num("revenue", {0, 100, 0, 200, 0, 300})});
  const auto b = series::build(t);
  ASSERT_EQ(b.channels.size(), 3u);
  EXPECT_EQ(b.channels[0].channel, "email");
  EXPECT_EQ(b.channels[1].channel, "search");
  EXPECT_EQ(b.channels[2].channel, "social");
  EXPECT_EQ(b.channels[0].leads, (std::vector<double>{2, 0, 5}));
  EXPECT_EQ(b.channels[1].leads, (std::vector<double>{6, 0, 4}));
  EXPECT_EQ(b.channels[2].leads, (std::vector<double>{1, 3, 0}));
  EXPECT_EQ(b.channels[0].observed, (std::vector<uint8_t>{1, 0, 1}));
  EXPECT_EQ(b.channels[2].spend, (std::vector<double>{10, 30, 0}));
  EXPECT_TRUE(std::isnan(series::metric_values(b.channels[2], "cpl")[2]));
  EXPECT_EQ(b.total.leads, (std::vector<double>{9, 3, 9}));
  EXPECT_EQ(b.total.spend, (std::vector<double>{90, 30, 90}));
  EXPECT_EQ(b.total.revenue, (std::vector<double>{400, 0, 200}));
  for (size_t h = 0; h < 3; ++h) {
    double leads = 0, spend = 0, revenue = 0;
    for (const auto& c : b.channels) {
      EXPECT_EQ(c.start, b.total.start);
      leads += c.leads[h];
      spend += c.spend[h];
      revenue += c.revenue[h];
    }
    EXPECT_EQ(leads, b.total.leads[h]);
    EXPECT_EQ(spend, b.total.spend[h]);
    EXPECT_EQ(revenue, b.total.revenue[h]);
  }
  EXPECT_EQ(b.empty_intervals, 0u);
  EXPECT_EQ(b.rows_aggregated, 0u);
}

TEST(SeriesHourly, MissingChannelCellsGetTheirOwnSeries) {
  const Table t = table(
      {times("ts", {ts(2024, 1, 1, 0, 5), ts(2024, 1, 1, 0, 9)}), cat("channel", {"", "web"})});
  const auto b = series::build(t);
  ASSERT_EQ(b.channels.size(), 2u);
  EXPECT_EQ(b.channels[0].channel, "(missing)");
  EXPECT_EQ(b.channels[1].channel, "web");
}

TEST(SeriesHourly, SpansOverTwentyYearsAreRefused) {
  // A typo'd year: 2204 instead of 2024 would mean ~1.6 million hours.
  const Table t =
      table({times("timestamp", {ts(2024, 1, 1), ts(2204, 1, 1)}), num("leads", {1, 1})});
  const std::string e = error_of(t);
  EXPECT_CONTAINS(e, "2204-01-01");
  EXPECT_CONTAINS(e, "20 years");
  // Nineteen years of lead events is a long but legitimate history.
  const Table ok = table({times("timestamp", {ts(2005, 1, 1, 0, 5), ts(2024, 1, 1, 0, 7)})});
  EXPECT_EQ(series::build(ok).total.size(),
            static_cast<size_t>((ts(2024, 1, 1) - ts(2005, 1, 1)) / 3600 + 1));
}

// Through the real CSV reader, so line numbers are the file's own.
std::string error_of_csv(const std::string& bytes) {
  fc::csv::Options o;
  o.source = "hourly.csv";
  return error_of(fc::csv::read(bytes, o));
}

TEST(SeriesHourly, ErrorsFromACsvFileNameItsLines) {
  EXPECT_EQ(error_of_csv("timestamp,leads\n"
                         "2024-01-01 00:00:00,1\n"
                         "2024-01-01 01:00:00,1\n"
                         "2024-01-01 02:00:00,1\n"
                         "2024-01-01 03:00:00,1\n"
                         "2024-01-01 04:00:00,1\n"
                         "2024-01-01 05:00:00,1\n"
                         "2024-01-01 06:00:00,1\n"
                         "2024-01-01 05:00:00,2\n"),
            "hourly.csv: line 9: duplicate timestamp 2024-01-01 05:00:00 (first at line 7); an "
            "hourly export has one row per interval (and channel); to add such rows up, sum duplicates (CLI: --duplicates sum)");
  EXPECT_EQ(error_of_csv("datetime,leads\n2024-05-01 13:00,1\n2024-05-01 14:00,2\nabc,3\n"),
            "hourly.csv: line 4, column 'datetime': expected a timestamp like 2024-05-01 13:00, "
            "found 'abc'");
  EXPECT_EQ(error_of_csv("date,leads\n2024-05-01,1\n2024-05-02,n/a?\n"),
            "hourly.csv: line 3, column 'leads': expected a number, found 'n/a?'");
}

TEST(SeriesHourly, EmptyTableIsAnError) {
  const Table t = table({times("timestamp", {}), num("leads", {})});
  EXPECT_CONTAINS(error_of(t), "no data rows");
}

}  // namespace
