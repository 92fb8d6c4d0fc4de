// A 48-hour toy series with round numbers, so every KPI and change can be checked
// by hand: previous day 2 leads, $10 spend, $20 revenue an hour; current day 3, $12, $18.
#include "funnelcast/series/kpi.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "funnelcast/base/error.hpp"

namespace {

namespace kpi = fc::kpi;
using HourlySeries = fc::series::Series;

constexpr int64_t kStart = 1704067200;  // 2024-01-01 00:00 UTC

HourlySeries two_days() {
  HourlySeries s;
  s.start = kStart;
  for (int h = 0; h < 48; ++h) {
    const bool current = h >= 24;
    s.leads.push_back(current ? 3 : 2);
    s.spend.push_back(current ? 12 : 10);
    s.revenue.push_back(current ? 18 : 20);
  }
  return s;
}

TEST(Kpi, WindowAndChangeByHand) {
  const kpi::Summary k = kpi::summarize(two_days(), 24 * 3600);
  EXPECT_EQ(k.window_seconds, 24 * 3600);
  EXPECT_EQ(k.current.start, kStart + 24 * 3600);
  EXPECT_EQ(k.current.end, kStart + 48 * 3600);
  EXPECT_EQ(k.previous.start, kStart);
  EXPECT_EQ(k.previous.end, kStart + 24 * 3600);
  EXPECT_TRUE(k.available[1]);  // spend
  EXPECT_TRUE(k.available[2]);  // revenue

  EXPECT_DOUBLE_EQ(k.current.value("leads"), 72);     // 24 * 3
  EXPECT_DOUBLE_EQ(k.current.value("spend"), 288);    // 24 * 12
  EXPECT_DOUBLE_EQ(k.current.value("revenue"), 432);  // 24 * 18
  EXPECT_DOUBLE_EQ(k.current.value("cpl"), 4);        // 288 / 72
  EXPECT_DOUBLE_EQ(k.current.value("roi"), 0.5);      // (432 - 288) / 288

  EXPECT_DOUBLE_EQ(k.previous.value("leads"), 48);
  EXPECT_DOUBLE_EQ(k.previous.value("spend"), 240);
  EXPECT_DOUBLE_EQ(k.previous.value("revenue"), 480);
  EXPECT_DOUBLE_EQ(k.previous.value("cpl"), 5);    // 240 / 48
  EXPECT_DOUBLE_EQ(k.previous.value("roi"), 1.0);  // (480 - 240) / 240

  EXPECT_DOUBLE_EQ(k.change_of("leads"), 0.5);     // (72 - 48) / 48
  EXPECT_DOUBLE_EQ(k.change_of("spend"), 0.2);     // (288 - 240) / 240
  EXPECT_DOUBLE_EQ(k.change_of("revenue"), -0.1);  // (432 - 480) / 480
  EXPECT_DOUBLE_EQ(k.change_of("cpl"), -0.2);      // (4 - 5) / 5
  EXPECT_DOUBLE_EQ(k.change_of("roi"), -0.5);      // (0.5 - 1) / 1
}

TEST(Kpi, OnlyTheLastTwoWindowsCount) {
  HourlySeries s = two_days();
  // Two older hours in front of the 48 must not change anything.
  s.start -= 2 * 3600;
  s.leads.insert(s.leads.begin(), {100, 100});
  s.spend.insert(s.spend.begin(), {1000, 1000});
  s.revenue.insert(s.revenue.begin(), {0, 0});
  const kpi::Summary k = kpi::summarize(s, 24 * 3600);
  EXPECT_DOUBLE_EQ(k.previous.value("leads"), 48);
  EXPECT_DOUBLE_EQ(k.current.value("leads"), 72);
  EXPECT_EQ(k.previous.start, kStart);

  // A 6-hour window: hours 42..47 against 36..41, all in the "current" day.
  const kpi::Summary six = kpi::summarize(s, 6 * 3600);
  EXPECT_DOUBLE_EQ(six.current.value("leads"), 18);
  EXPECT_DOUBLE_EQ(six.previous.value("leads"), 18);
  EXPECT_DOUBLE_EQ(six.change_of("leads"), 0);
  EXPECT_EQ(six.current.start, kStart + 42 * 3600);
}

TEST(Kpi, ChangeIsNaNWhenThePreviousWindowIsZero) {
  HourlySeries s = two_days();
  for (int h = 0; h < 24; ++h) s.leads[h] = s.spend[h] = s.revenue[h] = 0;
  const kpi::Summary k = kpi::summarize(s, 24 * 3600);
  EXPECT_DOUBLE_EQ(k.previous.value("leads"), 0);
  EXPECT_TRUE(std::isnan(k.previous.value("cpl")));  // no leads
  EXPECT_TRUE(std::isnan(k.previous.value("roi")));  // no spend
  EXPECT_TRUE(std::isnan(k.change_of("leads")));
  EXPECT_TRUE(std::isnan(k.change_of("spend")));
  EXPECT_TRUE(std::isnan(k.change_of("revenue")));
  EXPECT_TRUE(std::isnan(k.change_of("cpl")));
  EXPECT_TRUE(std::isnan(k.change_of("roi")));
  EXPECT_DOUBLE_EQ(k.current.value("cpl"), 4);
}

TEST(Kpi, ChangeDividesByTheMagnitudeOfANegativePrevious) {
  HourlySeries s = two_days();
  for (int h = 0; h < 24; ++h) s.revenue[h] = 5;  // previous ROI = (120 - 240) / 240 = -0.5
  const kpi::Summary k = kpi::summarize(s, 24 * 3600);
  EXPECT_DOUBLE_EQ(k.previous.value("roi"), -0.5);
  EXPECT_DOUBLE_EQ(k.change_of("roi"), 2.0);  // (0.5 - -0.5) / 0.5: an improvement reads positive
}

TEST(Kpi, WithoutSpendTheRatiosAreUnknown) {
  HourlySeries s = two_days();
  s.spend.clear();
  s.revenue.clear();
  const kpi::Summary k = kpi::summarize(s, 24 * 3600);
  EXPECT_FALSE(k.available[1]);
  EXPECT_FALSE(k.available[2]);
  EXPECT_DOUBLE_EQ(k.current.value("leads"), 72);
  EXPECT_TRUE(std::isnan(k.current.value("spend")));
  EXPECT_TRUE(std::isnan(k.current.value("cpl")));
  EXPECT_TRUE(std::isnan(k.current.value("roi")));
  EXPECT_TRUE(std::isnan(k.change_of("cpl")));
  EXPECT_DOUBLE_EQ(k.change_of("leads"), 0.5);
}

TEST(Kpi, SpendWithoutRevenueGivesCplButNoRoi) {
  HourlySeries s = two_days();
  s.revenue.clear();
  const kpi::Summary k = kpi::summarize(s, 24 * 3600);
  EXPECT_DOUBLE_EQ(k.current.value("cpl"), 4);
  EXPECT_TRUE(std::isnan(k.current.value("roi")));
  EXPECT_TRUE(std::isnan(k.current.value("revenue")));
}

TEST(Kpi, RefusesTooShortSeriesAndBadWindows) {
  const HourlySeries s = two_days();
  EXPECT_NO_THROW(kpi::summarize(s, 24 * 3600));
  EXPECT_THROW(kpi::summarize(s, 25 * 3600), fc::Error);  // needs 50 hours
  EXPECT_THROW(kpi::summarize(s, 0 * 3600), fc::Error);
  EXPECT_THROW(kpi::summarize(s, -3 * 3600), fc::Error);
  try {
    kpi::summarize(s, 168 * 3600);
    FAIL() << "expected an error";
  } catch (const fc::Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("336"), std::string::npos) << m;
    EXPECT_NE(m.find("48"), std::string::npos) << m;
  }
}

TEST(Kpi, ConversionRateByHand) {
  // 40 clicks an hour both days; 1 lead an hour the first day, 2 the second:
  // previous 24 / 960 = 0.025, current 48 / 960 = 0.05, change +100%.
  HourlySeries s;
  s.start = kStart;
  for (int h = 0; h < 48; ++h) {
    s.leads.push_back(h >= 24 ? 2 : 1);
    s.clicks.push_back(40);
  }
  const kpi::Summary k = kpi::summarize(s, 24 * 3600);
  EXPECT_TRUE(k.available[3]);
  EXPECT_DOUBLE_EQ(k.current.value("clicks"), 960);
  EXPECT_DOUBLE_EQ(k.previous.value("clicks"), 960);
  EXPECT_DOUBLE_EQ(k.current.value("conversion"), 0.05);
  EXPECT_DOUBLE_EQ(k.previous.value("conversion"), 0.025);
  EXPECT_DOUBLE_EQ(k.change_of("conversion"), 1.0);

  // Clicks of 0 in the previous window: no rate there, and no change.
  for (int h = 0; h < 24; ++h) s.clicks[h] = 0;
  const kpi::Summary z = kpi::summarize(s, 24 * 3600);
  EXPECT_TRUE(std::isnan(z.previous.value("conversion")));
  EXPECT_DOUBLE_EQ(z.current.value("conversion"), 0.05);
  EXPECT_TRUE(std::isnan(z.change_of("conversion")));
}

TEST(Kpi, NoClicksColumnMeansNoConversionRate) {
  const kpi::Summary k = kpi::summarize(two_days(), 24 * 3600);
  EXPECT_FALSE(k.available[3]);
  EXPECT_TRUE(std::isnan(k.current.value("clicks")));
  EXPECT_TRUE(std::isnan(k.current.value("conversion")));
  EXPECT_TRUE(std::isnan(k.previous.value("conversion")));
  EXPECT_TRUE(std::isnan(k.change_of("conversion")));
}

TEST(Kpi, MissingHoursAreLeftOutAndCountedNeverReadAsZero) {
  HourlySeries s = two_days();
  // Two current hours have no leads value, one has no spend: Leads over the 22 known
  // hours, CPL over the 21 hours where both are known.
  s.leads[30] = s.leads[31] = std::nan("");
  s.spend[40] = std::nan("");
  const kpi::Summary k = kpi::summarize(s, 24 * 3600);
  EXPECT_EQ(k.current.intervals, 24u);
  EXPECT_EQ(k.current.missing, 2u);
  EXPECT_EQ(k.previous.missing, 0u);
  EXPECT_DOUBLE_EQ(k.current.value("leads"), 66);             // 22 * 3
  EXPECT_DOUBLE_EQ(k.current.value("spend"), 276);            // 23 * 12
  EXPECT_DOUBLE_EQ(k.current.value("cpl"), (21 * 12.0) / (21 * 3.0));  // 4, from 21 complete hours
}

TEST(Kpi, AWindowWithNoLeadsValueIsAnError) {
  HourlySeries s = two_days();
  for (int h = 24; h < 48; ++h) s.leads[h] = std::nan("");
  try {
    kpi::summarize(s, 24 * 3600);
    FAIL() << "expected an error";
  } catch (const fc::Error& e) {
    EXPECT_NE(std::string(e.what()).find("the last 24 hours (from 2024-01-02 00:00:00) have no leads value"),
              std::string::npos) << e.what();
  }
}

TEST(Kpi, DailySeriesComparesDays) {
  HourlySeries s;
  s.start = kStart;
  s.step = 86400;
  s.leads = {100, 120, 90, 150};
  s.spend = {1000, 1200, 900, 1200};
  const kpi::Summary k = kpi::summarize(s, 86400);
  EXPECT_EQ(k.current.intervals, 1u);
  EXPECT_DOUBLE_EQ(k.current.value("leads"), 150);
  EXPECT_DOUBLE_EQ(k.previous.value("leads"), 90);
  EXPECT_DOUBLE_EQ(k.current.value("cpl"), 8);
  EXPECT_DOUBLE_EQ(k.change_of("cpl"), -0.2);  // 8 against 10
  EXPECT_THROW(kpi::summarize(s, 3600), fc::Error);  // an hour of daily data
  EXPECT_DOUBLE_EQ(kpi::summarize(s, 2 * 86400).current.value("leads"), 240);
}

}  // namespace
