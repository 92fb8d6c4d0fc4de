// Short series with baselines small enough to compute the mean, the sample
// standard deviation (or median and MAD) and z by hand.
#include "funnelcast/anomaly/anomaly.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "funnelcast/base/error.hpp"

namespace {

namespace anomaly = fc::anomaly;
using HourlySeries = fc::series::Series;
using fc::series::metric_values;

const double kNaN = std::nan("");

// One lead an hour, so CPL equals spend; cpl is left empty to exercise its derivation.
HourlySeries cpl_series(const std::vector<double>& cpl) {
  HourlySeries s;
  s.start = 1704067200;
  for (double v : cpl) {
    s.leads.push_back(std::isnan(v) ? 0 : 1);
    s.spend.push_back(std::isnan(v) ? 7 : v);
  }
  return s;
}

anomaly::Options small(int baseline, int min_points, int lookback = 0) {
  anomaly::Options o;
  o.baseline_hours = baseline;
  o.min_baseline_points = min_points;
  o.lookback_hours = lookback;
  return o;
}

TEST(Anomaly, ZScoreByHand) {
  const HourlySeries s = cpl_series({10, 12, 10, 12, 30, 11});
  const anomaly::Result r = anomaly::detect(s, small(4, 3));
  EXPECT_EQ(r.metric, "cpl");
  EXPECT_EQ(r.method, "zscore");
  EXPECT_EQ(r.start, s.start);
  EXPECT_EQ(r.checked_from, 0u);
  ASSERT_EQ(r.value.size(), 6u);
  // Hours 0-2 have fewer than 3 earlier points.
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(std::isnan(r.score[i])) << i;
    EXPECT_TRUE(std::isnan(r.expected[i])) << i;
  }
  // Hour 3: baseline {10, 12, 10}: mean 32/3, sample variance (4/9 + 16/9 + 4/9) / 2 = 4/3.
  EXPECT_NEAR(r.expected[3], 32.0 / 3, 1e-12);
  EXPECT_NEAR(r.score[3], (12 - 32.0 / 3) / std::sqrt(4.0 / 3), 1e-12);  // 1.1547
  // Hour 4: baseline {10, 12, 10, 12}: mean 11, variance 4/3; z = 19 / 1.1547 = 16.454.
  EXPECT_DOUBLE_EQ(r.expected[4], 11);
  EXPECT_NEAR(r.score[4], 19 / std::sqrt(4.0 / 3), 1e-12);
  EXPECT_NEAR(r.score[4], 16.4545, 1e-4);
  // Hour 5: baseline {12, 10, 12, 30}: mean 16, variance (16+36+16+196)/3 = 88.
  EXPECT_DOUBLE_EQ(r.expected[5], 16);
  EXPECT_NEAR(r.score[5], -5 / std::sqrt(88.0), 1e-12);
  EXPECT_EQ(r.flagged, (std::vector<uint8_t>{0, 0, 0, 0, 1, 0}));
  EXPECT_EQ(r.count(), 1u);
}

TEST(Anomaly, LookbackLimitsTheCheckedHours) {
  const HourlySeries s = cpl_series({10, 12, 10, 12, 30, 11});
  const anomaly::Result two = anomaly::detect(s, small(4, 3, 2));
  EXPECT_EQ(two.checked_from, 4u);
  EXPECT_TRUE(std::isnan(two.score[3]));  // scorable, but before the lookback
  EXPECT_NEAR(two.score[4], 16.4545, 1e-4);
  EXPECT_EQ(two.count(), 1u);

  const anomaly::Result one = anomaly::detect(s, small(4, 3, 1));
  EXPECT_EQ(one.checked_from, 5u);
  EXPECT_TRUE(std::isnan(one.score[4]));
  EXPECT_EQ(one.count(), 0u);

  // A lookback longer than the series checks all of it.
  EXPECT_EQ(anomaly::detect(s, small(4, 3, 100)).checked_from, 0u);
}

TEST(Anomaly, MissingHoursAreNeitherScoredNorInTheBaseline) {
  // Hour 1 has no leads, so no CPL; hour 5's baseline is {10, 12, 10, 12} as above.
  const HourlySeries s = cpl_series({10, kNaN, 12, 10, 12, 30});
  const anomaly::Result r = anomaly::detect(s, small(5, 3));
  EXPECT_TRUE(std::isnan(r.value[1]));
  EXPECT_TRUE(std::isnan(r.score[1]));
  EXPECT_EQ(r.flagged[1], 0);
  EXPECT_TRUE(std::isnan(r.score[3]));  // only 2 values before it
  EXPECT_DOUBLE_EQ(r.expected[5], 11);
  EXPECT_NEAR(r.score[5], 16.4545, 1e-4);
  EXPECT_EQ(r.count(), 1u);
}

TEST(Anomaly, FlatBaselineGivesZeroOrACappedScore) {
  const HourlySeries s = cpl_series({5, 5, 5, 5, 5, 6});
  const anomaly::Result r = anomaly::detect(s, small(4, 4));
  EXPECT_DOUBLE_EQ(r.score[4], 0);
  EXPECT_EQ(r.flagged[4], 0);
  EXPECT_DOUBLE_EQ(r.score[5], 1e6);  // 1 / (1e-9 * 5) capped
  EXPECT_EQ(r.flagged[5], 1);
}

TEST(Anomaly, RobustMedianAndMadByHand) {
  anomaly::Options o = small(5, 5);
  o.method = "robust";
  // Hour 5: baseline {10, 12, 11, 13, 10}: median 11, |dev| {1, 1, 0, 2, 1} median 1.
  const HourlySeries s = cpl_series({10, 12, 11, 13, 10, 40});
  const anomaly::Result r = anomaly::detect(s, o);
  EXPECT_EQ(r.method, "robust");
  EXPECT_DOUBLE_EQ(r.expected[5], 11);
  EXPECT_NEAR(r.score[5], 29 / 1.4826, 1e-12);
  EXPECT_EQ(r.count(), 1u);

  // Even baseline {12, 11, 13, 10}: median 11.5, |dev| {0.5, 0.5, 1.5, 1.5} median 1.
  o = small(4, 4);
  o.method = "robust";
  const anomaly::Result e = anomaly::detect(s, o);
  EXPECT_DOUBLE_EQ(e.expected[5], 11.5);
  EXPECT_NEAR(e.score[5], 28.5 / 1.4826, 1e-12);
}

TEST(Anomaly, RobustIsNotMaskedByAnEarlierOutlier) {
  // A second spike right after the first: the mean/std baseline is inflated by the
  // first one, the median/MAD baseline is not.
  std::vector<double> v;
  for (int i = 0; i < 10; ++i) v.push_back(i % 2 ? 11 : 9);
  v.push_back(60);
  v.push_back(60);
  const HourlySeries s = cpl_series(v);
  anomaly::Options z = small(6, 5, 1);
  anomaly::Options m = z;
  m.method = "robust";
  // Baseline of the last hour {11, 9, 11, 9, 11, 60}: mean 18.5, variance 2071.5 / 5,
  // z = 41.5 / 20.35 = 2.04. Median 11, |dev| {0, 2, 0, 2, 0, 49} median 1, z = 49 / 1.4826.
  const anomaly::Result rz = anomaly::detect(s, z);
  const anomaly::Result rm = anomaly::detect(s, m);
  EXPECT_NEAR(rz.score[11], 41.5 / std::sqrt(2071.5 / 5), 1e-12);
  EXPECT_EQ(rz.count(), 0u);
  EXPECT_NEAR(rm.score[11], 49 / 1.4826, 1e-12);
  EXPECT_EQ(rm.count(), 1u);
}

TEST(Anomaly, OtherMetrics) {
  HourlySeries s;
  s.start = 0;
  s.leads = {4, 4, 4, 4};
  s.spend = {40, 20, 0, 10};
  s.revenue = {80, 20, 5, 5};
  EXPECT_EQ(metric_values(s, "leads"), s.leads);
  EXPECT_EQ(metric_values(s, "spend"), s.spend);
  EXPECT_EQ(metric_values(s, "revenue"), s.revenue);
  const auto cpl = metric_values(s, "cpl");
  EXPECT_EQ(cpl, (std::vector<double>{10, 5, 0, 2.5}));
  const auto roi = metric_values(s, "roi");
  EXPECT_DOUBLE_EQ(roi[0], 1);
  EXPECT_DOUBLE_EQ(roi[1], 0);
  EXPECT_TRUE(std::isnan(roi[2]));  // no spend
  EXPECT_DOUBLE_EQ(roi[3], -0.5);
}

std::string error_of(const HourlySeries& s, const anomaly::Options& o) {
  try {
    anomaly::detect(s, o);
  } catch (const fc::Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Anomaly, ErrorsNameTheValidChoices) {
  HourlySeries leads_only;
  leads_only.leads = {1, 2, 3};
  anomaly::Options o;
  const std::string absent = error_of(leads_only, o);  // default metric cpl needs spend
  EXPECT_NE(absent.find("'cpl'"), std::string::npos) << absent;
  EXPECT_NE(absent.find("available metrics: leads"), std::string::npos) << absent;

  o.metric = "clicks";
  const std::string metric = error_of(leads_only, o);
  EXPECT_NE(metric.find("'clicks'"), std::string::npos) << metric;
  EXPECT_NE(metric.find("needs clicks"), std::string::npos) << metric;
  o.metric = "ctr";
  const std::string unknown = error_of(leads_only, o);
  EXPECT_NE(unknown.find("unknown metric 'ctr'"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("leads, spend, revenue, clicks, cpl, roi, conversion"), std::string::npos) << unknown;

  o.metric = "leads";
  o.method = "prophet";
  const std::string method = error_of(leads_only, o);
  EXPECT_NE(method.find("'prophet'"), std::string::npos) << method;
  EXPECT_NE(method.find("zscore, robust"), std::string::npos) << method;

  o.method = "zscore";
  o.threshold = 0;
  EXPECT_THROW(anomaly::detect(leads_only, o), fc::Error);
  o.threshold = 2.5;
  // A baseline of 2 hours cannot give a standard deviation worth the name; the message
  // speaks of hours and intervals, never of an internal option.
  o.baseline_hours = 2;
  const std::string short_baseline = error_of(leads_only, o);
  EXPECT_NE(short_baseline.find("the baseline must span at least 3 intervals (3 hours"), std::string::npos)
      << short_baseline;
  EXPECT_EQ(short_baseline.find("min_baseline_points"), std::string::npos) << short_baseline;
}

TEST(Anomaly, TooLittleDataIsAnErrorNotZeroAnomalies) {
  HourlySeries two;
  two.start = 1704067200;
  two.leads = {1, 2};
  two.spend = {10, 12};
  anomaly::Options o;
  o.metric = "leads";
  const std::string e = error_of(two, o);
  EXPECT_NE(e.find("not enough data to score any hour of leads"), std::string::npos) << e;
  EXPECT_NE(e.find("the data has 2 hours"), std::string::npos) << e;
}

TEST(Anomaly, ShortBaselineStillScoresWhenSomeHoursHaveNoCpl) {
  // Night hours with no leads have no CPL. With a 24-hour baseline, every baseline holds
  // some of them; the scored hours need a seventh of the baseline (at least 3), not all of it.
  std::vector<double> cpl;
  for (int d = 0; d < 10; ++d)
    for (int h = 0; h < 24; ++h) cpl.push_back(h < 6 ? kNaN : 40 + (h % 3));
  cpl[9 * 24 + 12] = 400;  // a spike at noon on the last day
  const HourlySeries s = cpl_series(cpl);
  anomaly::Options o;
  o.baseline_hours = 24;
  const anomaly::Result r = anomaly::detect(s, o);
  EXPECT_EQ(r.flagged[9 * 24 + 12], 1);
  size_t scored = 0;
  for (double z : r.score) scored += std::isnan(z) ? 0 : 1;
  // Every hour with a CPL is scored once 3 known values precede it within 24 hours:
  // on the first day from 09:00 (15 hours), then all 18 daytime hours of the 9 other days.
  EXPECT_EQ(scored, 15u + 9u * 18u);
}

TEST(Anomaly, DailySeriesUsesWindowsInDays) {
  // A daily series: the default 7-day baseline is 7 points, the 14-day lookback 14 points.
  HourlySeries s;
  s.start = 1704067200;
  s.step = 86400;
  for (int d = 0; d < 40; ++d) {
    s.leads.push_back(100);
    s.spend.push_back(4000 + 100.0 * (d % 3));
  }
  s.spend[35] = 9000;
  const anomaly::Result r = anomaly::detect(s);
  EXPECT_EQ(r.step, 86400);
  EXPECT_EQ(r.checked_from, 40u - 14u);
  EXPECT_EQ(r.count(), 1u);
  EXPECT_EQ(r.flagged[35], 1);
  anomaly::Options o;
  o.baseline_hours = 30;  // not whole days
  const std::string e = error_of(s, o);
  EXPECT_NE(e.find("must be a whole number of days (the data is daily), got 30 hours"), std::string::npos) << e;
}

TEST(Anomaly, DefaultsCheckTheLastTwoWeeksAgainstTheWeekBefore) {
  // 30 days of a steady daily pattern with one spike 5 days before the end and one
  // 20 days before the end: only the recent one is inside the 14-day lookback.
  HourlySeries s;
  s.start = 1704067200;
  const size_t n = 30 * 24;
  for (size_t i = 0; i < n; ++i) {
    s.leads.push_back(10);
    s.spend.push_back(400 + 10.0 * static_cast<double>(i % 5));  // CPL 40..44
  }
  s.spend[n - 5 * 24] = 2000;
  s.spend[n - 20 * 24] = 2000;
  const anomaly::Result r = anomaly::detect(s);
  EXPECT_EQ(r.checked_from, n - 14 * 24);
  EXPECT_EQ(r.count(), 1u);
  EXPECT_EQ(r.flagged[n - 5 * 24], 1);
  anomaly::Options all;
  all.lookback_hours = 0;
  EXPECT_EQ(anomaly::detect(s, all).count(), 2u);
}

TEST(Anomaly, ConversionIsLeadsPerClickEachHour) {
  HourlySeries s;
  s.leads = {1, 2, 3};
  s.clicks = {10, 0, 60};
  const std::vector<double> v = metric_values(s, "conversion");
  ASSERT_EQ(v.size(), 3u);
  EXPECT_DOUBLE_EQ(v[0], 0.1);
  EXPECT_TRUE(std::isnan(v[1]));  // no clicks that hour
  EXPECT_DOUBLE_EQ(v[2], 0.05);
  HourlySeries no_clicks;
  no_clicks.leads = {1, 2, 3};
  EXPECT_THROW(metric_values(no_clicks, "conversion"), fc::Error);
}

}  // namespace
