// The demo data must be reproducible, look like a real account, and carry
// incidents that the shipped detectors can find, and holidays they should not flag. The CSV is parsed here by a small
// reader of its fixed format, independent of the core's CSV reader.
#include "funnelcast/demo/demo.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "funnelcast/anomaly/anomaly.hpp"
#include "funnelcast/anomaly/evaluate.hpp"
#include "funnelcast/io/csv.hpp"
#include "funnelcast/base/error.hpp"
#include "funnelcast/series/series.hpp"
#include "funnelcast/time/time.hpp"

namespace {

namespace demo = fc::demo;
namespace series = fc::series;
namespace anomaly = fc::anomaly;

constexpr int64_t k2023 = 1672531200;  // 2023-01-01 00:00 UTC

int64_t ts(int y, int mo, int d, int h = 0) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const auto leap = [](int yr) { return (yr % 4 == 0 && yr % 100 != 0) || yr % 400 == 0; };
  int64_t days = 0;
  for (int yr = 1970; yr < y; ++yr) days += leap(yr) ? 366 : 365;
  for (int m = 1; m < mo; ++m) days += kDays[m - 1] + (m == 2 && leap(y) ? 1 : 0);
  return (days + d - 1) * 86400 + h * 3600;
}

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < s.size()) {
    const size_t end = s.find('\n', pos);
    out.push_back(s.substr(pos, end - pos));
    pos = end == std::string::npos ? s.size() : end + 1;
  }
  return out;
}

std::vector<std::string> fields_of(const std::string& line) {
  std::vector<std::string> out;
  size_t pos = 0;
  for (;;) {
    const size_t comma = line.find(',', pos);
    out.push_back(line.substr(pos, comma - pos));
    if (comma == std::string::npos) return out;
    pos = comma + 1;
  }
}

bool digits(const std::string& s, size_t from, size_t n) {
  for (size_t i = from; i < from + n; ++i)
    if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
  return true;
}

// "YYYY-MM-DD HH:MM:SS" -> epoch seconds, or -1 when the text has another shape.
int64_t parse_time(const std::string& s) {
  if (s.size() != 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' ||
      s[16] != ':' || !digits(s, 0, 4) || !digits(s, 5, 2) || !digits(s, 8, 2) ||
      !digits(s, 11, 2) || !digits(s, 14, 2) || !digits(s, 17, 2)) {
    return -1;
  }
  const int64_t day = ts(std::atoi(s.substr(0, 4).c_str()), std::atoi(s.substr(5, 2).c_str()),
                         std::atoi(s.substr(8, 2).c_str()));
  return day + std::atoi(s.substr(11, 2).c_str()) * 3600 + std::atoi(s.substr(14, 2).c_str()) * 60 +
         std::atoi(s.substr(17, 2).c_str());
}

bool money(const std::string& s) {  // digits, a dot, exactly two decimals
  const size_t dot = s.find('.');
  return dot != std::string::npos && dot > 0 && dot + 3 == s.size() && digits(s, 0, dot) &&
         digits(s, dot + 1, 2);
}

fc::Table to_table(const std::string& csv) {
  fc::Table t;
  t.source = "demo.csv";
  fc::Column time, channel, leads, spend, revenue;
  time.name = "timestamp";
  time.type = fc::ColumnType::kTimestamp;
  channel.name = "channel";
  channel.type = fc::ColumnType::kCategory;
  leads.name = "leads";
  spend.name = "spend";
  revenue.name = "revenue";
  std::map<std::string, int32_t> codes;
  const auto lines = lines_of(csv);
  for (size_t i = 1; i < lines.size(); ++i) {
    const auto f = fields_of(lines[i]);
    time.times.push_back(parse_time(f[0]));
    auto it = codes.find(f[1]);
    if (it == codes.end()) {
      it = codes.emplace(f[1], static_cast<int32_t>(channel.levels.size())).first;
      channel.levels.push_back(f[1]);
    }
    channel.codes.push_back(it->second);
    leads.numbers.push_back(std::atof(f[2].c_str()));
    spend.numbers.push_back(std::atof(f[3].c_str()));
    revenue.numbers.push_back(std::atof(f[4].c_str()));
    t.line_of_row.push_back(static_cast<uint32_t>(i + 1));
  }
  t.rows = time.times.size();
  t.columns = {time, channel, leads, spend, revenue};
  return t;
}

// One generation shared by the tests that only read it (the default 730 days).
const demo::Data& seed1() {
  static const demo::Data d = demo::generate(demo::Options{});
  return d;
}

const series::BuildResult& seed1_series() {
  static const series::BuildResult b = series::build(to_table(seed1().hourly_csv));
  return b;
}

TEST(Demo, SameSeedSameBytesOtherSeedOtherBytes) {
  const demo::Data again = demo::generate(demo::Options{});
  EXPECT_TRUE(again.hourly_csv == seed1().hourly_csv);
  EXPECT_TRUE(again.anomalies_csv == seed1().anomalies_csv);
  demo::Options two;
  two.seed = 2;
  const demo::Data other = demo::generate(two);
  EXPECT_FALSE(other.hourly_csv == seed1().hourly_csv);
  EXPECT_FALSE(other.anomalies_csv == seed1().anomalies_csv);
}

TEST(Demo, CsvShape) {
  const auto lines = lines_of(seed1().hourly_csv);
  ASSERT_EQ(lines.size(), 1u + 730 * 24 * 3);
  EXPECT_EQ(lines[0], "timestamp,channel,leads,spend,revenue");
  EXPECT_EQ(seed1().hourly_csv.back(), '\n');
  EXPECT_EQ(lines[1].substr(0, 26), "2023-01-01 00:00:00,email,");
  const char* const kChannels[] = {"email", "search", "social"};
  for (size_t i = 1; i < lines.size(); ++i) {
    const auto f = fields_of(lines[i]);
    ASSERT_EQ(f.size(), 5u) << "line " << i + 1;
    const size_t row = i - 1;
    ASSERT_EQ(parse_time(f[0]), k2023 + static_cast<int64_t>(row / 3) * 3600) << lines[i];
    ASSERT_EQ(f[1], kChannels[row % 3]) << lines[i];
    ASSERT_TRUE(!f[2].empty() && digits(f[2], 0, f[2].size())) << lines[i];
    ASSERT_TRUE(money(f[3])) << lines[i];
    ASSERT_TRUE(money(f[4])) << lines[i];
  }
  EXPECT_EQ(lines.back().substr(0, 19), "2024-12-30 23:00:00");

  const auto truth = lines_of(seed1().anomalies_csv);
  EXPECT_EQ(truth[0], "timestamp,channel,kind");
  EXPECT_EQ(truth.size(), seed1().anomalies.size() + 1);
}

TEST(Demo, SeriesHasNoGapsAndThreeChannels) {
  const auto& b = seed1_series();
  EXPECT_EQ(b.total.size(), 730u * 24);
  EXPECT_EQ(b.total.start, k2023);
  EXPECT_EQ(b.empty_intervals, 0u);
  EXPECT_EQ(b.rows_aggregated, 0u);
  EXPECT_FALSE(b.events);
  EXPECT_TRUE(b.regular);
  EXPECT_EQ(b.step, 3600);
  EXPECT_EQ(b.missing_cells, 0u);
  ASSERT_EQ(b.channels.size(), 3u);
}

TEST(Demo, TheCsvReaderGivesTheSameSeries) {
  fc::csv::Options o;
  o.source = "demo.csv";
  const series::BuildResult b = series::build(fc::csv::read(seed1().hourly_csv, o));
  const auto& expected = seed1_series();
  EXPECT_EQ(b.roles.time, "timestamp");
  EXPECT_EQ(b.roles.channel, "channel");
  EXPECT_EQ(b.total.start, expected.total.start);
  EXPECT_EQ(b.total.leads, expected.total.leads);
  ASSERT_EQ(b.total.spend.size(), expected.total.spend.size());
  for (size_t i = 0; i < b.total.spend.size(); ++i) {
    ASSERT_NEAR(b.total.spend[i], expected.total.spend[i], 1e-9) << i;
    ASSERT_NEAR(b.total.revenue[i], expected.total.revenue[i], 1e-9) << i;
  }
  ASSERT_EQ(b.channels.size(), 3u);
}

TEST(Demo, MagnitudesOfAMidSizeAdvertiser) {
  const auto& s = seed1_series().total;
  double leads = 0, spend = 0, revenue = 0, peak = 0, night = 0, year1 = 0, year2 = 0;
  int peak_n = 0, night_n = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    leads += s.leads[i];
    spend += s.spend[i];
    revenue += s.revenue[i];
    const int64_t t = s.time(i);
    const int hour = static_cast<int>(t % 86400 / 3600);
    const int dow = static_cast<int>((t / 86400 + 3) % 7);  // 0 = Monday
    if (dow < 5 && hour >= 10 && hour < 16) {
      peak += s.leads[i];
      ++peak_n;
    }
    if (hour >= 2 && hour < 5) {
      night += s.leads[i];
      ++night_n;
    }
    (i < 365 * 24 ? year1 : year2) += s.spend[i];
  }
  const double hours = static_cast<double>(s.size());
  EXPECT_GT(leads / hours, 5);
  EXPECT_LT(leads / hours, 20);
  EXPECT_GT(spend / leads, 20);  // CPL
  EXPECT_LT(spend / leads, 80);
  EXPECT_GT(revenue, spend);  // a profitable account
  EXPECT_GT(peak / peak_n, 10);
  EXPECT_LT(peak / peak_n, 40);
  EXPECT_GE(night / night_n, 0.2);
  EXPECT_LT(night / night_n, 3);
  EXPECT_GT(year2, 1.05 * year1);  // the upward trend

  for (const auto& c : seed1_series().channels) {
    double l = 0, sp = 0;
    for (size_t i = 0; i < c.size(); ++i) {
      l += c.leads[i];
      sp += c.spend[i];
    }
    EXPECT_GT(sp / l, 5) << c.channel;
    EXPECT_LT(sp / l, 80) << c.channel;
  }
}

TEST(Demo, HolidaysAndWeekendsAreQuieter) {
  const auto& s = seed1_series().total;
  const auto day_leads = [&](int64_t day_start) {
    double sum = 0;
    const size_t first = static_cast<size_t>((day_start - s.start) / 3600);
    for (size_t i = first; i < first + 24; ++i) sum += s.leads[i];
    return sum;
  };
  // Christmas 2023 was a Monday: compare with the two Mondays before it.
  const double christmas = day_leads(ts(2023, 12, 25));
  const double mondays = (day_leads(ts(2023, 12, 11)) + day_leads(ts(2023, 12, 18))) / 2;
  EXPECT_LT(christmas, 0.6 * mondays);
  // Thanksgiving 2024 (Thursday, Nov 28) against the Thursday before.
  EXPECT_LT(day_leads(ts(2024, 11, 28)), 0.6 * day_leads(ts(2024, 11, 21)));
  // A Sunday against the Wednesday of the same week.
  EXPECT_LT(day_leads(ts(2024, 3, 10)), day_leads(ts(2024, 3, 6)));
}

// Consecutive truth hours (of any channel) grouped into incidents.
std::vector<std::vector<int64_t>> incidents(const std::vector<demo::AnomalyTruth>& truth) {
  std::set<int64_t> hours;
  for (const auto& a : truth) hours.insert(a.time);
  std::vector<std::vector<int64_t>> out;
  for (int64_t h : hours) {
    if (out.empty() || out.back().back() + 3600 != h) out.emplace_back();
    out.back().push_back(h);
  }
  return out;
}

TEST(Demo, IncidentsOfEveryKindSpreadOverTheLastSixtyDays) {
  const auto& truth = seed1().anomalies;
  const auto runs = incidents(truth);
  ASSERT_EQ(runs.size(), 8u);
  const int64_t end = k2023 + 730 * 86400;
  std::map<int64_t, std::set<std::string>> channels;
  std::map<int64_t, std::string> kind;
  for (const auto& a : truth) {
    channels[a.time].insert(a.channel);
    kind[a.time] = a.kind;
  }
  std::map<std::string, int> kinds;
  for (const auto& run : runs) {
    EXPECT_GE(run.front(), end - 60 * 86400);
    EXPECT_GE(run.front() % 86400 / 3600, 8);  // starts in the working day
    EXPECT_LE(run.size(), 8u);
    const std::string k = kind[run.front()];
    ++kinds[k];
    for (int64_t h : run) EXPECT_EQ(kind[h], k);  // one kind per incident
    if (k == "spend_spike") {
      EXPECT_GE(run.size(), 2u);
      EXPECT_LE(run.size(), 4u);
      EXPECT_EQ(channels[run.front()], (std::set<std::string>{"search"}));
    } else if (k == "leads_burst") {
      EXPECT_GE(run.size(), 2u);
      EXPECT_LE(run.size(), 4u);
      EXPECT_EQ(channels[run.front()], (std::set<std::string>{"social"}));
    } else if (k == "leads_collapse") {
      EXPECT_GE(run.size(), 3u);
      EXPECT_LE(run.size(), 6u);
      EXPECT_EQ(channels[run.front()], (std::set<std::string>{"email", "search", "social"}));
    } else {
      EXPECT_EQ(k, "tracking_outage");
      EXPECT_GE(run.size(), 4u);
      EXPECT_EQ(channels[run.front()], (std::set<std::string>{"email", "search", "social"}));
    }
    // Never on a holiday.
    EXPECT_FALSE(fc::time::is_holiday(run.front())) << run.front();
  }
  // The kinds take turns: 8 incidents hold two of each.
  EXPECT_EQ(kinds, (std::map<std::string, int>{
                       {"leads_burst", 2}, {"leads_collapse", 2}, {"spend_spike", 2}, {"tracking_outage", 2}}));
  for (size_t i = 1; i < truth.size(); ++i) {
    EXPECT_TRUE(truth[i - 1].time < truth[i].time ||
                (truth[i - 1].time == truth[i].time && truth[i - 1].channel < truth[i].channel));
  }
}

TEST(Demo, AnomaliesChangeOnlyTheirOwnRows) {
  demo::Options none;
  none.anomalies = 0;
  const demo::Data clean = demo::generate(none);
  EXPECT_TRUE(clean.anomalies.empty());
  EXPECT_EQ(clean.anomalies_csv, "timestamp,channel,kind\n");
  std::set<std::string> truth;
  for (const auto& a : seed1().anomalies) truth.insert(std::to_string(a.time) + "," + a.channel);
  const auto a = lines_of(seed1().hourly_csv), b = lines_of(clean.hourly_csv);
  ASSERT_EQ(a.size(), b.size());
  size_t differing = 0;
  for (size_t i = 1; i < a.size(); ++i) {
    if (a[i] == b[i]) continue;
    ++differing;
    const auto f = fields_of(a[i]);
    EXPECT_EQ(truth.count(std::to_string(parse_time(f[0])) + "," + f[1]), 1u) << a[i];
  }
  EXPECT_GT(differing, 0u);
  EXPECT_LE(differing, truth.size());
}

TEST(Demo, IncidentsHaveTheAdvertisedEffect) {
  // Many incidents in a short history, so every kind occurs several times. Each hour hit is
  // compared with the same hour a week earlier.
  demo::Options o;
  o.days = 90;
  o.anomalies = 40;
  const demo::Data d = demo::generate(o);
  const series::BuildResult s = series::build(to_table(d.hourly_csv));
  std::set<int64_t> hit;
  for (const auto& t : d.anomalies) hit.insert(t.time);
  std::map<std::string, double> now, before, spend_now, spend_before, revenue_now;
  for (const auto& t : d.anomalies) {
    if (hit.count(t.time - 7 * 86400)) continue;  // a week earlier was an incident too
    const size_t i = static_cast<size_t>((t.time - s.total.start) / 3600);
    const size_t c = t.channel == "email" ? 0 : t.channel == "search" ? 1 : 2;
    const series::Series& ch = s.channels[c];
    now[t.kind] += ch.leads[i];
    before[t.kind] += ch.leads[i - 7 * 24];
    spend_now[t.kind] += ch.spend[i];
    spend_before[t.kind] += ch.spend[i - 7 * 24];
    revenue_now[t.kind] += ch.revenue[i];
  }
  ASSERT_EQ(now.size(), 4u);
  EXPECT_GT(spend_now["spend_spike"], 2.5 * spend_before["spend_spike"]);  // x3-5 on average
  EXPECT_LT(now["leads_collapse"], 0.4 * before["leads_collapse"]);
  EXPECT_GT(now["leads_burst"], 3 * before["leads_burst"]);
  EXPECT_EQ(now["tracking_outage"], 0);
  // During an outage spend and revenue go on as usual: only the tracking broke.
  EXPECT_NEAR(spend_now["tracking_outage"] / spend_before["tracking_outage"], 1, 0.25);
  EXPECT_GT(revenue_now["tracking_outage"], 0);
  EXPECT_NEAR(spend_now["leads_burst"] / spend_before["leads_burst"], 1, 0.25);
}

// The detectors on the demo data, the whole series, against its truth file.
anomaly::Evaluation evaluate(const std::string& method, const std::string& metric = "cpl") {
  const auto& s = seed1_series().total;
  anomaly::Options o;
  o.method = method;
  o.metric = metric;
  o.lookback = anomaly::Span::intervals(0);
  const anomaly::Result r = anomaly::detect(s, o);
  anomaly::Truth truth;
  for (const auto& a : seed1().anomalies) truth.points.push_back(a.time);
  return anomaly::evaluate(r, anomaly::metric_input(s, metric), truth);
}

// Measured on this data (seed 1): the ensemble at its defaults finds every incident with
// no false alarm in two years of hourly CPL; the plain z-score with the original
// dashboard's rule raises about 480 alerts, mostly at night, where a lead or two makes
// hourly CPL jump. Asserted with room: F1 at least 0.8, the z-score's precision below 5%.
TEST(Demo, IncidentsAreFoundByTheEnsembleOnTotalCpl) {
  const anomaly::Evaluation e = evaluate("ensemble");
  EXPECT_EQ(e.events, 8u);
  EXPECT_GE(e.f1, 0.8) << "precision " << e.precision << " recall " << e.recall;
  const anomaly::Evaluation z = evaluate("zscore");
  EXPECT_LT(z.precision, 0.05);
  EXPECT_GT(z.alerts, 200u);
}

TEST(Demo, HolidaysAreNotFlaggedWhenTheYearBeforeShowsThem) {
  // The second year's holidays are quiet, as the first year's were: not anomalies, on CPL
  // nor on leads. (In the first year there is no earlier holiday to learn from.)
  const auto& s = seed1_series().total;
  for (const char* metric : {"cpl", "leads"}) {
    anomaly::Options o;
    o.metric = metric;
    o.lookback = anomaly::Span::intervals(0);
    const anomaly::Result r = anomaly::detect(s, o);
    size_t holiday_hours = 0;
    for (size_t i = 366 * 24; i < r.size(); ++i) {
      if (!fc::time::is_holiday(r.time(i))) continue;
      ++holiday_hours;
      EXPECT_EQ(r.flagged[i], 0) << metric << " " << fc::time::format_timestamp(r.time(i));
    }
    EXPECT_GT(holiday_hours, 150u);
  }
}

TEST(Demo, RefusesImpossibleOptions) {
  demo::Options o;
  o.days = 0;
  EXPECT_THROW(demo::generate(o), fc::Error);
  o.days = 5000;
  EXPECT_THROW(demo::generate(o), fc::Error);
  o.days = 3;
  o.anomalies = 4;  // at most one a day
  EXPECT_THROW(demo::generate(o), fc::Error);
  o.anomalies = -1;
  EXPECT_THROW(demo::generate(o), fc::Error);
  o.anomalies = 3;
  const demo::Data d = demo::generate(o);
  EXPECT_EQ(lines_of(d.hourly_csv).size(), 1u + 3 * 24 * 3);
  EXPECT_EQ(incidents(d.anomalies).size(), 3u);
}

TEST(Demo, StartIsRoundedDownToMidnight) {
  demo::Options o;
  o.days = 1;
  o.anomalies = 0;
  o.start = k2023 + 5 * 3600 + 17;
  const auto lines = lines_of(demo::generate(o).hourly_csv);
  EXPECT_EQ(lines[1].substr(0, 19), "2023-01-01 00:00:00");
  EXPECT_EQ(lines.back().substr(0, 19), "2023-01-01 23:00:00");
}

}  // namespace
