// series::build with a time zone: wall-clock exports across the daylight-saving changes,
// read from CSV text; the zone is a POSIX rule (no system zoneinfo needed).
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "funnelcast/io/csv.hpp"
#include "funnelcast/series/series.hpp"
#include "funnelcast/time/time.hpp"
#include "funnelcast/time/zone.hpp"
#include "test_support.hpp"

namespace {

namespace series = fc::series;
using fc::testing::error_of;

constexpr int64_t kTzsAutumn2026 = 1792890000;  // 2026-10-25 01:00 UTC: Berlin back to CET
constexpr int64_t kTzsSpring2026 = 1774746000;  // 2026-03-29 01:00 UTC: Berlin to CEST

series::Options tzs_berlin() {
  series::Options o;
  o.zone = std::make_shared<const fc::time::Zone>(
      fc::time::Zone::from_posix("CET-1CEST,M3.5.0,M10.5.0/3", "Europe/Berlin"));
  return o;
}

series::BuildResult tzs_build(const std::string& csv, const series::Options& o) {
  fc::csv::Options read;
  read.source = "berlin.csv";
  return series::build(fc::csv::read(csv, read), o);
}

bool tzs_has_notice(const series::BuildResult& d, const std::string& text) {
  for (const auto& n : d.notices)
    if (n.find(text) != std::string::npos) return true;
  return false;
}

// 2026-10-25 00:00 to 04:00 Berlin time, 02:00 twice: six real hours, 22:00 to 03:00 UTC.
const char* kTzsAutumnCsv =
    "timestamp,leads,spend\n"
    "2026-10-25 00:00:00,1,10\n"
    "2026-10-25 01:00:00,2,10\n"
    "2026-10-25 02:00:00,4,10\n"
    "2026-10-25 02:00:00,8,10\n"
    "2026-10-25 03:00:00,16,10\n"
    "2026-10-25 04:00:00,32,10\n";

TEST(SeriesZone, TheRepeatedHourIsTwoRealHours) {
  const auto d = tzs_build(kTzsAutumnCsv, tzs_berlin());
  ASSERT_EQ(d.total.size(), 6u);
  EXPECT_EQ(d.total.start, kTzsAutumn2026 - 3 * 3600);  // 00:00 CEST = 22:00 UTC the day before
  EXPECT_EQ(d.total.leads, (std::vector<double>{1, 2, 4, 8, 16, 32}));
  EXPECT_EQ(d.empty_intervals, 0u);
  EXPECT_EQ(d.rows_aggregated, 0u);
  EXPECT_TRUE(tzs_has_notice(
      d,
      "berlin.csv: 2 rows fall in the hour the clocks repeat on 2026-10-25 (02:00 to "
      "03:00 in Europe/Berlin): read in file order, 1 as CEST (+02:00), then 1 as CET (+01:00)"))
      << d.notices.size();
}

TEST(SeriesZone, WithoutAZoneTheRepeatIsExplainedWithTheWayOut) {
  // Read as UTC, the second 02:00 is a duplicate on the last Sunday of October.
  const std::string e = error_of([] { tzs_build(kTzsAutumnCsv, {}); });
  EXPECT_NE(e.find("berlin.csv: line 5: duplicate timestamp 2026-10-25 02:00:00 (first at line 4)"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("clocks go back an hour"), std::string::npos) << e;
  EXPECT_NE(e.find("--tz ZONE, e.g. --tz Europe/Berlin"), std::string::npos) << e;
}

TEST(SeriesZone, TimesWithAnOffsetKeepIt) {
  const std::string csv =
      "timestamp,leads\n"
      "2026-10-25 02:00:00+02:00,1\n"
      "2026-10-25 02:00:00+01:00,2\n"
      "2026-10-25T02:00:00Z,4\n"
      "2026-10-25 04:00:00,8\n";  // Berlin: 03:00 UTC
  const auto d = tzs_build(csv, tzs_berlin());
  EXPECT_EQ(d.total.start, kTzsAutumn2026 - 3600);
  EXPECT_EQ(d.total.leads, (std::vector<double>{1, 2, 4, 8}));
  EXPECT_FALSE(tzs_has_notice(d, "clocks repeat"));
}

TEST(SeriesZone, TheSpringGapHasNoMissingHourAndATimeInItIsAnError) {
  // 00:00 to 05:00 without 02:00: five rows, five real hours (23:00 to 03:00 UTC).
  std::string csv = "timestamp,leads\n";
  for (int h : {0, 1, 3, 4, 5}) csv += "2026-03-29 0" + std::to_string(h) + ":00:00,1\n";
  const auto d = tzs_build(csv, tzs_berlin());
  EXPECT_EQ(d.total.size(), 5u);
  EXPECT_EQ(d.total.start, kTzsSpring2026 - 2 * 3600);
  EXPECT_EQ(d.empty_intervals, 0u);
  // Read as UTC the same file has a hole at 02:00.
  EXPECT_EQ(tzs_build(csv, {}).empty_intervals, 1u);
  const std::string e = error_of([] {
    tzs_build("timestamp,leads\n2026-03-29 01:00:00,1\n2026-03-29 02:30:00,1\n", tzs_berlin());
  });
  EXPECT_NE(e.find("berlin.csv: line 3, column 'timestamp': 2026-03-29 02:30:00 does not exist in "
                   "Europe/Berlin: "
                   "the clocks skipped from 02:00 to 03:00 that night"),
            std::string::npos)
      << e;
}

TEST(SeriesZone, DailyRowsStayCalendarDays) {
  // Midnight in Berlin is 23:00 UTC in winter and 22:00 in summer: as instants these days
  // would be 23 hours apart across the change. They stay days, on their dates.
  const std::string csv = "date,leads\n2026-03-28,1\n2026-03-29,2\n2026-03-30,4\n2026-03-31,8\n";
  const auto d = tzs_build(csv, tzs_berlin());
  EXPECT_EQ(d.step, 86400);
  EXPECT_EQ(d.total.start, 1774656000);  // 2026-03-28 00:00 UTC, as without a zone
  EXPECT_EQ(d.total.leads, (std::vector<double>{1, 2, 4, 8}));
  EXPECT_TRUE(tzs_has_notice(
      d,
      "berlin.csv: the rows are days (one time of day, 00:00): they are read as calendar "
      "days in Europe/Berlin, which daylight saving does not change"));
}

TEST(SeriesZone, EachChannelsRepeatedHourIsReadApart) {
  // One row per hour and channel, the channels side by side: each channel has 02:00 twice.
  const std::string csv =
      "timestamp,channel,leads\n"
      "2026-10-25 02:00:00,a,1\n"
      "2026-10-25 02:00:00,b,2\n"
      "2026-10-25 02:00:00,a,4\n"
      "2026-10-25 02:00:00,b,8\n";
  const auto d = tzs_build(csv, tzs_berlin());
  ASSERT_EQ(d.total.size(), 2u);
  EXPECT_EQ(d.total.start, kTzsAutumn2026 - 3600);
  EXPECT_EQ(d.total.leads, (std::vector<double>{3, 12}));
  ASSERT_EQ(d.channels.size(), 2u);
  EXPECT_EQ(d.channels[0].leads, (std::vector<double>{1, 4}));
  EXPECT_EQ(d.channels[1].leads, (std::vector<double>{2, 8}));
  EXPECT_TRUE(tzs_has_notice(
      d,
      "4 rows fall in the hour the clocks repeat on 2026-10-25 (02:00 to 03:00 in "
      "Europe/Berlin): read in file order, 2 as CEST (+02:00), then 2 as CET (+01:00)"));
}

TEST(SeriesZone, AnOrderThatDoesNotTellIsSaid) {
  // 02:00 three times in one channel: which is the second pass? All read as CEST, and said.
  const std::string csv =
      "timestamp,channel,leads\n"
      "2026-10-25 02:00:00,a,1\n"
      "2026-10-25 02:00:00,a,2\n"
      "2026-10-25 02:00:00,a,4\n"
      "2026-10-25 02:00:00,b,8\n"
      "2026-10-25 02:00:00,b,16\n";
  series::Options o = tzs_berlin();
  o.duplicates = series::Duplicates::kSum;
  const auto d = tzs_build(csv, o);
  ASSERT_EQ(d.total.size(), 2u);
  EXPECT_EQ(d.total.leads, (std::vector<double>{15, 16}));  // a: 1+2+4 at 00:00 UTC; b: 8, then 16
  EXPECT_TRUE(tzs_has_notice(d,
                             "5 rows fall in the hour the clocks repeat on 2026-10-25 (02:00 to "
                             "03:00 in Europe/Berlin): read in "
                             "file order, 4 as CEST (+02:00), then 1 as CET (+01:00), but for some "
                             "the order of the rows does not "
                             "tell which are the second pass: those were read as CEST (+02:00); "
                             "write the offset to mark a row of "
                             "the second pass (2026-10-25 02:00:00+01:00)"));
  const auto all = tzs_build("timestamp,leads\n2026-10-25 02:00:00,1\n", tzs_berlin());
  EXPECT_TRUE(tzs_has_notice(
      all,
      "1 row falls in the hour the clocks repeat on 2026-10-25 (02:00 to 03:00 in "
      "Europe/Berlin): the order of the rows does not tell which are the second pass: "
      "all were read as CEST (+02:00)"));
}

TEST(SeriesZone, NewYorkEveningsBecomeTheNextUtcDay) {
  // 2026-11-01 01:00 happens twice in New York (EDT, then EST): 05:00 and 06:00 UTC.
  const std::string csv =
      "date,leads\n"
      "2026-11-01 00:00,1\n"
      "2026-11-01 01:00,2\n"
      "2026-11-01 01:00,3\n"
      "2026-11-01 02:00,4\n";
  series::Options o;
  o.zone = std::make_shared<const fc::time::Zone>(
      fc::time::Zone::from_posix("EST5EDT,M3.2.0,M11.1.0", "America/New_York"));
  const auto d = tzs_build(csv, o);
  EXPECT_EQ(d.total.start, 1793512800 - 2 * 3600);  // 00:00 EDT = 04:00 UTC
  EXPECT_EQ(d.total.leads, (std::vector<double>{1, 2, 3, 4}));
  EXPECT_TRUE(tzs_has_notice(d, "read in file order, 1 as EDT (-04:00), then 1 as EST (-05:00)"));
}

}  // namespace
