// The detectors on series built by hand: the plain z-score with its window worked out by
// hand, and the acceptance cases with known answers (a spike every method flags, a daily
// cycle only the seasonal method understands, a level shift, an outlier that must not
// mask the next one, no infinite CPL, and scores that never depend on later data).
#include "funnelcast/anomaly/anomaly.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdint>
#include <string>
#include <vector>

#include "funnelcast/anomaly/calibrate.hpp"
#include "funnelcast/base/error.hpp"

#include "test_support.hpp"

namespace {

using fc::testing::k2024;

namespace anomaly = fc::anomaly;
using fc::series::metric_values;
using Series = fc::series::Series;

const double kNaN = std::nan("");

// One lead an hour, so CPL equals spend. A NaN cell is missing (no row that hour).
Series cpl_series(const std::vector<double>& cpl) {
  Series s;
  s.start = k2024;
  for (double v : cpl) {
    s.leads.push_back(std::isnan(v) ? kNaN : 1);
    s.spend.push_back(v);
  }
  return s;
}

anomaly::Options small(int baseline, int min_points, int lookback = 0, const char* method = "zscore") {
  anomaly::Options o;
  o.method = method;
  o.baseline = anomaly::Span::intervals(baseline);
  o.min_baseline_points = min_points;
  o.lookback = anomaly::Span::intervals(lookback);
  return o;
}

// Deterministic noise in [-1, 1) (the splitmix64 finalizer of the index).
double noise(uint64_t i) {
  uint64_t z = i + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-52 - 1;
}

// A bare hourly series of a level (any column).
anomaly::Input level_input(const std::vector<double>& v, int64_t step = 3600) {
  anomaly::Input in;
  in.name = in.label = "value";
  in.kind = anomaly::Kind::kLevel;
  in.start = k2024;
  in.step = step;
  in.value = v;
  return in;
}

anomaly::Options whole(const std::string& method) {
  anomaly::Options o;
  o.method = method;
  o.lookback = anomaly::Span::intervals(0);
  return o;
}

// Six weeks of hourly values with a daily cycle and noise.
std::vector<double> daily_cycle(size_t hours, double amplitude, double noise_size) {
  std::vector<double> v(hours);
  for (size_t i = 0; i < hours; ++i)
    v[i] = 100 + amplitude * std::sin(2 * M_PI * static_cast<double>(i % 24) / 24) + noise_size * noise(i);
  return v;
}

// One-step-ahead forecasts that know the cycle (and not the spike), with a 95% interval of
// +-2 sigma of the noise.
anomaly::Forecasts cycle_forecasts(size_t hours, double amplitude, double noise_size) {
  anomaly::Forecasts f;
  for (size_t i = 0; i < hours; ++i) {
    const double m = 100 + amplitude * std::sin(2 * M_PI * static_cast<double>(i % 24) / 24);
    f.mean.push_back(m);
    f.lower.push_back(m - 1.96 * noise_size / std::sqrt(3.0));
    f.upper.push_back(m + 1.96 * noise_size / std::sqrt(3.0));
  }
  return f;
}

TEST(Anomaly, ZScoreByHand) {
  const Series s = cpl_series({10, 12, 10, 12, 30, 11});
  const anomaly::Result r = anomaly::detect(s, small(4, 3));
  EXPECT_EQ(r.metric, "cpl");
  EXPECT_EQ(r.method, "zscore");
  EXPECT_EQ(r.start, s.start);
  EXPECT_EQ(r.checked_from, 0u);
  ASSERT_EQ(r.size(), 6u);
  // Hours 0-2 have fewer than 3 earlier points.
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(std::isnan(r.z[i])) << i;
    EXPECT_TRUE(std::isnan(r.score[i])) << i;
    EXPECT_TRUE(std::isnan(r.expected[i])) << i;
  }
  // Hour 3: baseline {10, 12, 10}: mean 32/3, sample variance (4/9 + 16/9 + 4/9) / 2 = 4/3.
  EXPECT_NEAR(r.expected[3], 32.0 / 3, 1e-12);
  EXPECT_NEAR(r.z[3], (12 - 32.0 / 3) / std::sqrt(4.0 / 3), 1e-12);  // 1.1547
  // Hour 4: baseline {10, 12, 10, 12}: mean 11, variance 4/3; z = 19 / 1.1547 = 16.454.
  EXPECT_DOUBLE_EQ(r.expected[4], 11);
  EXPECT_NEAR(r.z[4], 16.4545, 1e-4);
  // The band is mean +- 2.5 sd, the score the Gaussian two-sided tail read as 1 - p.
  EXPECT_NEAR(r.lower[4], 11 - 2.5 * std::sqrt(4.0 / 3), 1e-12);
  EXPECT_NEAR(r.upper[4], 11 + 2.5 * std::sqrt(4.0 / 3), 1e-12);
  EXPECT_NEAR(r.score[3], std::erf(1.1547005 / std::sqrt(2.0)), 1e-7);
  EXPECT_EQ(r.direction[4], 1);
  // Hour 5: baseline {12, 10, 12, 30}: mean 16, variance (16+36+16+196)/3 = 88.
  EXPECT_DOUBLE_EQ(r.expected[5], 16);
  EXPECT_NEAR(r.z[5], -5 / std::sqrt(88.0), 1e-12);
  EXPECT_EQ(r.direction[5], -1);
  EXPECT_EQ(r.flagged, (std::vector<uint8_t>{0, 0, 0, 0, 1, 0}));
  EXPECT_EQ(r.count(), 1u);
  // |z| > 2.5 is the score threshold erf(2.5 / sqrt 2).
  EXPECT_NEAR(r.threshold, 0.987580669, 1e-9);
}

TEST(Anomaly, LookbackLimitsTheFlagsNotTheScores) {
  const Series s = cpl_series({10, 12, 10, 12, 30, 11});
  const anomaly::Result two = anomaly::detect(s, small(4, 3, 2));
  EXPECT_EQ(two.checked_from, 4u);
  EXPECT_FALSE(std::isnan(two.score[3]));  // scored, but before the lookback: never flagged
  EXPECT_NEAR(two.z[4], 16.4545, 1e-4);
  EXPECT_EQ(two.count(), 1u);
  EXPECT_EQ(two.scored(), 2u);

  const anomaly::Result one = anomaly::detect(s, small(4, 3, 1));
  EXPECT_EQ(one.checked_from, 5u);
  EXPECT_EQ(one.count(), 0u);
  // A lookback longer than the series checks all of it.
  EXPECT_EQ(anomaly::detect(s, small(4, 3, 100)).checked_from, 0u);
}

TEST(Anomaly, MissingHoursAreNeitherScoredNorInTheBaseline) {
  // Hour 1 has no row; hour 5's baseline is {10, 12, 10, 12} as above.
  const Series s = cpl_series({10, kNaN, 12, 10, 12, 30});
  const anomaly::Result r = anomaly::detect(s, small(5, 3));
  EXPECT_TRUE(std::isnan(r.value[1]));
  EXPECT_TRUE(std::isnan(r.score[1]));
  EXPECT_EQ(r.flagged[1], 0);
  EXPECT_TRUE(std::isnan(r.score[3]));  // only 2 values before it
  EXPECT_DOUBLE_EQ(r.expected[5], 11);
  EXPECT_NEAR(r.z[5], 16.4545, 1e-4);
  EXPECT_EQ(r.count(), 1u);
}

TEST(Anomaly, FlatBaselineGivesZeroOrACappedZ) {
  const Series s = cpl_series({5, 5, 5, 5, 5, 6});
  const anomaly::Result r = anomaly::detect(s, small(4, 4));
  EXPECT_DOUBLE_EQ(r.z[4], 0);
  EXPECT_EQ(r.flagged[4], 0);
  EXPECT_DOUBLE_EQ(r.z[5], 1e6);  // 1 / (1e-9 * 5) capped
  EXPECT_EQ(r.flagged[5], 1);
  EXPECT_DOUBLE_EQ(r.score[5], 1);
}

TEST(Anomaly, RobustMedianAndMadByHand) {
  // 150 quiet hours so the calibration has a history, then hand-computable windows.
  std::vector<double> v;
  for (int i = 0; i < 150; ++i) v.push_back(i % 2 ? 11 : 10);
  for (double x : {10, 12, 11, 13, 10, 40}) v.push_back(x);
  const anomaly::Result r = anomaly::detect(level_input(v), small(5, 5, 0, "robust"));
  const size_t last = v.size() - 1;
  // Baseline {10, 12, 11, 13, 10}: median 11, |dev| {1, 1, 0, 2, 1}: MAD 1.
  EXPECT_DOUBLE_EQ(r.expected[last], 11);
  EXPECT_NEAR(r.z[last], 29 / 1.4826, 1e-12);
  EXPECT_EQ(r.flagged[last], 1);
  EXPECT_EQ(r.direction[last], 1);
  // Even window {12, 11, 13, 10}: median 11.5, |dev| {0.5, 0.5, 1.5, 1.5}: MAD 1.
  const anomaly::Result e = anomaly::detect(level_input(v), small(4, 4, 0, "robust"));
  EXPECT_DOUBLE_EQ(e.expected[last], 11.5);
  EXPECT_NEAR(e.z[last], 28.5 / 1.4826, 1e-12);
  // The band is the median +- the critical z of the calibrated score times 1.4826 MAD.
  EXPECT_LT(e.lower[last], 11.5);
  EXPECT_GT(e.upper[last], 11.5);
  EXPECT_NEAR(e.upper[last] - 11.5, 11.5 - e.lower[last], 1e-9);
}

// ---- acceptance: hand-built series with known answers ----

TEST(Anomaly, ASingleSpikeIsFlaggedByEveryMethod) {
  // Ten weeks of a daily cycle with noise, and one hour 300 above it (the cycle's range is
  // 60, the noise 3).
  const size_t hours = 10 * 7 * 24;
  const size_t at = hours - 100;
  std::vector<double> v = daily_cycle(hours, 30, 3);
  v[at] += 300;
  anomaly::Options o;
  for (const auto& m : anomaly::methods()) {
    o = whole(m.name);
    if (std::string(m.name) == "count") {  // counts only (AnomalyCount.*): a level is refused
      EXPECT_THROW(anomaly::detect(level_input(v), o), fc::Error);
      continue;
    }
    if (std::string(m.name) == "residual") o.forecasts = cycle_forecasts(hours, 30, 3);
    const anomaly::Result r = anomaly::detect(level_input(v), o);
    EXPECT_EQ(r.flagged[at], 1) << m.name << " score " << r.score[at];
    EXPECT_EQ(r.direction[at], 1) << m.name;
    EXPECT_GE(r.score[at], r.threshold) << m.name;
  }
}

TEST(Anomaly, ACleanDailyCycleIsNotAnomalousToTheSeasonalMethod) {
  // A daily newsletter: 10 leads most hours, 100 in the 09:00 hour. The plain z-score
  // against the last 7 days flags every morning peak; the seasonal method expects it.
  const size_t hours = 6 * 7 * 24;
  std::vector<double> v(hours);
  for (size_t i = 0; i < hours; ++i) v[i] = (i % 24 == 9 ? 100 : 10) + noise(i);
  const anomaly::Result z = anomaly::detect(level_input(v), whole("zscore"));
  const anomaly::Result s = anomaly::detect(level_input(v), whole("seasonal"));
  size_t peaks = 0, flagged_peaks = 0;
  for (size_t i = 7 * 24; i < hours; ++i) {
    if (i % 24 != 9) continue;
    ++peaks;
    flagged_peaks += z.flagged[i];
  }
  EXPECT_EQ(flagged_peaks, peaks);
  EXPECT_EQ(s.count(), 0u);
  EXPECT_GT(s.scored(), hours / 2);
  // What the seasonal method expects at a peak is the peak.
  EXPECT_NEAR(s.expected[hours - 24 + 9], 100, 2);
}

TEST(Anomaly, ALevelShiftIsFlaggedAtItsStart) {
  const size_t hours = 6 * 7 * 24, shift = hours - 200;
  std::vector<double> v(hours);
  for (size_t i = 0; i < hours; ++i) v[i] = (i >= shift ? 130 : 100) + 2 * noise(i);
  for (const char* m : {"zscore", "robust", "seasonal", "ensemble"}) {
    const anomaly::Result r = anomaly::detect(level_input(v), whole(m));
    EXPECT_EQ(r.flagged[shift], 1) << m;
    EXPECT_EQ(r.direction[shift], 1) << m;
    for (size_t i = 0; i < shift; ++i) ASSERT_EQ(r.flagged[i], 0) << m << " at " << i;
  }
}

TEST(Anomaly, AnOutlierInTheWindowDoesNotMaskTheNextOneUnderRobust) {
  // Two spikes 5 hours apart: the first inflates the mean and standard deviation of the
  // next one's window, not its median and MAD.
  const size_t hours = 3 * 7 * 24, first = hours - 20, second = first + 5;
  std::vector<double> v(hours);
  for (size_t i = 0; i < hours; ++i) v[i] = 50 + noise(i);
  v[first] = 5000;
  v[second] = 150;
  anomaly::Options z = whole("zscore"), m = whole("robust");
  z.baseline = m.baseline = anomaly::Span::intervals(24);
  const anomaly::Result rz = anomaly::detect(level_input(v), z);
  const anomaly::Result rm = anomaly::detect(level_input(v), m);
  EXPECT_EQ(rz.flagged[first], 1);
  EXPECT_EQ(rz.flagged[second], 0);  // masked: (150 - 257) / 1009 is not far
  EXPECT_EQ(rm.flagged[first], 1);
  EXPECT_EQ(rm.flagged[second], 1);
  EXPECT_NEAR(rm.expected[second], 50, 1);
}

TEST(Anomaly, NoLeadsGivesNoCplNeverAnInfiniteOne) {
  // Four weeks of 20 leads for $1,000 an hour (with noise), then 6 hours with spend and
  // 0 leads: a tracking outage.
  Series s;
  s.start = k2024;
  const size_t hours = 4 * 7 * 24, outage = hours - 30;
  for (size_t i = 0; i < hours; ++i) {
    const bool off = i >= outage && i < outage + 6;
    s.leads.push_back(off ? 0 : std::round(20 + 4 * noise(i)));
    s.spend.push_back(1000 + 50 * noise(i + 7));
  }
  for (double v : metric_values(s, "cpl")) EXPECT_FALSE(std::isinf(v));
  for (const auto& m : anomaly::methods()) {
    if (std::string(m.name) == "residual") continue;
    anomaly::Options o = whole(m.name);
    o.metric = "cpl";
    const anomaly::Result r = anomaly::detect(s, o);
    for (size_t i = 0; i < hours; ++i) {
      for (double v : {r.value[i], r.expected[i], r.lower[i], r.upper[i], r.score[i], r.z[i]})
        ASSERT_FALSE(std::isinf(v)) << m.name << " at " << i;
    }
    EXPECT_TRUE(std::isnan(r.value[outage])) << m.name;  // undefined, not infinite
    if (std::string(m.name) == "zscore") {
      EXPECT_TRUE(std::isnan(r.score[outage]));  // the plain z-score has no value to judge
      continue;
    }
    if (std::string(m.name) == "iforest") continue;  // judges shape, not the count itself
    // The ratio detectors judge the leads against the spend: 0 leads for $1,000 is news,
    // and the cause is the leads.
    EXPECT_EQ(r.flagged[outage], 1) << m.name;
    EXPECT_EQ(r.direction[outage], 1) << m.name;  // CPL up
    EXPECT_EQ(r.cause[outage], anomaly::Cause::kQuantity) << m.name;
    EXPECT_STREQ(anomaly::cause_name(r.cause[outage], anomaly::metric_input(s, "cpl")), "leads");
  }
}

// A Poisson draw with mean 1 from noise in [-1, 1) (inverse CDF).
double poisson1(uint64_t i) {
  const double u = (noise(i) + 1) / 2;
  double p = std::exp(-1.0), cdf = p;
  int k = 0;
  while (u > cdf && k < 20) {
    ++k;
    p /= k;
    cdf += p;
  }
  return k;
}

TEST(Anomaly, ALowVolumeHourIsNotNewsButAHighVolumeOneIs) {
  // CPL $25 all day: about 1 lead for $25 at night, 40 for $1,000 by day (Poisson-like
  // noise). A night hour with no lead for $50 (2 leads expected) is not news; a day hour
  // with 10 leads for $1,000 (40 expected, CPL $100) is.
  Series s;
  s.start = k2024;
  const size_t hours = 5 * 7 * 24;
  for (size_t i = 0; i < hours; ++i) {
    const bool day = i % 24 >= 8 && i % 24 < 20;
    s.leads.push_back(day ? std::round(40 + 6.3 * std::sqrt(3.0) * noise(i)) : poisson1(i));
    s.spend.push_back(day ? 1000 : 25);
  }
  const size_t night = hours - 24 + 3, day = hours - 24 + 12;
  s.leads[night] = 0;
  s.spend[night] = 50;
  s.leads[day] = 10;
  for (const char* m : {"robust", "seasonal", "ensemble"}) {
    const anomaly::Result r = anomaly::detect(s, whole(m));
    EXPECT_EQ(r.flagged[night], 0) << m << " score " << r.score[night];
    EXPECT_TRUE(std::isnan(r.value[night]));  // no CPL without leads
    EXPECT_EQ(r.flagged[day], 1) << m;
    EXPECT_EQ(r.direction[day], 1) << m;
    EXPECT_EQ(r.cause[day], anomaly::Cause::kQuantity) << m;
  }
}

TEST(Anomaly, ASpendSpikeIsExplainedBySpend) {
  Series s;
  s.start = k2024;
  const size_t hours = 5 * 7 * 24, at = hours - 10;
  for (size_t i = 0; i < hours; ++i) {
    s.leads.push_back(std::round(30 + 5 * noise(i)));
    s.spend.push_back(900 + 60 * noise(i + 11));
  }
  s.spend[at] = 4000;  // a runaway bid: 4x the spend, the same leads
  const anomaly::Result r = anomaly::detect(s, whole("ensemble"));
  EXPECT_EQ(r.flagged[at], 1);
  EXPECT_EQ(r.direction[at], 1);
  EXPECT_EQ(r.cause[at], anomaly::Cause::kExposure);
  ASSERT_EQ(r.parts.size(), 2u);
  EXPECT_EQ(r.parts[0].name, "spend");
  EXPECT_EQ(r.parts[1].name, "leads");
  EXPECT_NEAR(r.parts[0].expected[at], 900, 100);
  EXPECT_NEAR(r.parts[1].expected[at], 30, 5);
}

TEST(Anomaly, AScoreNeverDependsOnLaterData) {
  // Every method on a series, on the same series with everything after t changed, and on
  // its prefix up to t: the results up to t are identical.
  const size_t hours = 5 * 7 * 24, t = hours - 150;
  std::vector<double> v = daily_cycle(hours, 30, 3);
  v[t - 40] += 50;
  std::vector<double> changed = v;
  for (size_t i = t + 1; i < hours; ++i) changed[i] = 3 * changed[i] + 70 * noise(i * 3);
  std::vector<double> prefix(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(t + 1));
  for (const auto& m : anomaly::methods()) {
    if (std::string(m.name) == "count") continue;  // counts only: on CPL in the next test
    anomaly::Options o = whole(m.name);
    anomaly::Options op = o;
    if (std::string(m.name) == "residual") {
      o.forecasts = cycle_forecasts(hours, 30, 3);
      op.forecasts = o.forecasts;
      op.forecasts.mean.resize(t + 1);
      op.forecasts.lower.resize(t + 1);
      op.forecasts.upper.resize(t + 1);
    }
    const anomaly::Result a = anomaly::detect(level_input(v), o);
    const anomaly::Result b = anomaly::detect(level_input(changed), o);
    const anomaly::Result c = anomaly::detect(level_input(prefix), op);
    for (size_t i = 0; i <= t; ++i) {
      for (const anomaly::Result* x : {&b, &c}) {
        ASSERT_TRUE(std::isnan(a.score[i]) ? std::isnan(x->score[i]) : a.score[i] == x->score[i])
            << m.name << " at " << i;
        ASSERT_TRUE(std::isnan(a.expected[i]) ? std::isnan(x->expected[i]) : a.expected[i] == x->expected[i])
            << m.name << " at " << i;
        ASSERT_EQ(a.flagged[i], x->flagged[i]) << m.name << " at " << i;
      }
    }
  }
}

TEST(Anomaly, ACplScoreAndItsCauseNeverDependOnLaterData) {
  // The same for a ratio: CPL judged by its parts, the parts' own scores and expected values
  // and the cause. After t, spend triples and leads halve.
  Series s;
  s.start = k2024;
  const size_t hours = 5 * 7 * 24, t = hours - 100;
  for (size_t i = 0; i < hours; ++i) {
    s.leads.push_back(std::round(20 + 6 * std::sin(2 * M_PI * static_cast<double>(i % 24) / 24) + 4 * noise(i)));
    s.spend.push_back(800 + 200 * std::sin(2 * M_PI * static_cast<double>(i % 24) / 24) + 50 * noise(i + 5));
  }
  s.spend[t - 30] *= 4;
  s.leads[t - 10] = 0;
  Series changed = s;
  for (size_t i = t + 1; i < hours; ++i) {
    changed.spend[i] *= 3;
    changed.leads[i] = std::round(changed.leads[i] / 2);
  }
  const anomaly::Input in = anomaly::metric_input(s, "cpl");
  anomaly::Forecasts f;  // the CPL the cycle implies, +-30%
  for (size_t i = 0; i < hours; ++i) {
    const double m = (800 + 200 * std::sin(2 * M_PI * static_cast<double>(i % 24) / 24)) /
                     (20 + 6 * std::sin(2 * M_PI * static_cast<double>(i % 24) / 24));
    f.mean.push_back(m);
    f.lower.push_back(0.7 * m);
    f.upper.push_back(1.3 * m);
  }
  const auto same = [](double a, double b) { return std::isnan(a) ? std::isnan(b) : a == b; };
  for (const auto& m : anomaly::methods()) {
    anomaly::Options o = whole(m.name);
    if (std::string(m.name) == "residual") o.forecasts = f;
    const anomaly::Result a = anomaly::detect(s, o);
    const anomaly::Result b = anomaly::detect(changed, o);
    ASSERT_EQ(a.parts.size(), b.parts.size()) << m.name;
    for (size_t i = 0; i <= t; ++i) {
      ASSERT_TRUE(same(a.score[i], b.score[i])) << m.name << " at " << i;
      ASSERT_TRUE(same(a.expected[i], b.expected[i])) << m.name << " at " << i;
      ASSERT_TRUE(same(a.lower[i], b.lower[i])) << m.name << " at " << i;
      ASSERT_TRUE(same(a.upper[i], b.upper[i])) << m.name << " at " << i;
      ASSERT_EQ(a.flagged[i], b.flagged[i]) << m.name << " at " << i;
      ASSERT_EQ(a.cause[i], b.cause[i]) << m.name << " at " << i;
      for (size_t p = 0; p < a.parts.size(); ++p) {
        ASSERT_TRUE(same(a.parts[p].score[i], b.parts[p].score[i])) << m.name << " part " << p << " at " << i;
        ASSERT_TRUE(same(a.parts[p].expected[i], b.parts[p].expected[i])) << m.name << " part " << p << " at " << i;
      }
      for (size_t k = 0; k < a.members.size(); ++k)
        ASSERT_TRUE(same(a.members[k].score[i], b.members[k].score[i])) << m.name << " member " << k << " at " << i;
    }
    // Something after t did change, so the check above was not vacuous.
    bool differs = false;
    for (size_t i = t + 1; i < hours; ++i) differs = differs || !same(a.score[i], b.score[i]);
    EXPECT_TRUE(differs) << m.name;
  }
  (void)in;
}

TEST(Anomaly, IsolationForestDetectorIsDeterministicForASeed) {
  const size_t hours = 6 * 7 * 24;
  std::vector<double> v = daily_cycle(hours, 30, 3);
  v[hours - 50] += 200;
  anomaly::Options o = whole("iforest");
  const anomaly::Result a = anomaly::detect(level_input(v), o);
  const anomaly::Result b = anomaly::detect(level_input(v), o);
  o.seed = 2;
  const anomaly::Result c = anomaly::detect(level_input(v), o);
  bool differs = false;
  for (size_t i = 0; i < hours; ++i) {
    ASSERT_TRUE(std::isnan(a.z[i]) ? std::isnan(b.z[i]) : a.z[i] == b.z[i]) << i;
    ASSERT_TRUE(std::isnan(a.score[i]) ? std::isnan(b.score[i]) : a.score[i] == b.score[i]) << i;
    differs = differs || !(std::isnan(a.z[i]) ? std::isnan(c.z[i]) : a.z[i] == c.z[i]);
  }
  EXPECT_EQ(a.flagged, b.flagged);
  EXPECT_TRUE(differs);  // the seed matters
  EXPECT_EQ(a.flagged[hours - 50], 1);
  // The spike is the most isolated hour whatever the seed (its flag is not: the forest's
  // depth ratio saturates, so its calibrated tail probability sits near the threshold).
  for (const anomaly::Result* r : {&a, &c}) {
    for (size_t i = 0; i < hours; ++i)
      if (i != hours - 50 && !std::isnan(r->z[i])) ASSERT_LT(r->z[i], r->z[hours - 50]) << i;
  }
}

TEST(Anomaly, HalfHourAndDailyDataUseTheirOwnIntervals) {
  // 30-minute data: the seasonal phase is 48 intervals a day, the default windows are
  // 7 days of baseline and 14 of lookback.
  const size_t steps = 5 * 7 * 48;
  std::vector<double> v(steps);
  for (size_t i = 0; i < steps; ++i) v[i] = 40 + 15 * std::sin(2 * M_PI * static_cast<double>(i % 48) / 48) + noise(i);
  v[steps - 30] += 30;
  const anomaly::Result r = anomaly::detect(level_input(v, 1800), anomaly::Options{});
  EXPECT_EQ(r.checked_from, steps - 14 * 48);
  EXPECT_EQ(r.baseline_steps, 7u * 48);
  EXPECT_EQ(r.flagged[steps - 30], 1);
  EXPECT_EQ(r.count(), 1u);

  // Daily data: a baseline of 30 hours is not whole days.
  std::vector<double> d(120);
  for (size_t i = 0; i < d.size(); ++i) d[i] = 100 + 5 * noise(i);
  anomaly::Options o;
  o.baseline = anomaly::parse_span("30h", "--baseline");
  try {
    anomaly::detect(level_input(d, 86400), o);
    ADD_FAILURE() << "no error";
  } catch (const fc::Error& e) {
    EXPECT_NE(std::string(e.what()).find("must be a whole number of days (the data is daily), got 30 hours"),
              std::string::npos)
        << e.what();
  }
}

TEST(Anomaly, DurationsInHoursDaysWeeksOrSteps) {
  EXPECT_EQ(anomaly::parse_span("36h", "x").count, 36 * 3600);
  EXPECT_FALSE(anomaly::parse_span("36h", "x").steps);
  EXPECT_EQ(anomaly::parse_span("14d", "x").count, 14 * 86400);
  EXPECT_EQ(anomaly::parse_span("2w", "x").count, 14 * 86400);
  EXPECT_EQ(anomaly::parse_span("90m", "x").count, 90 * 60);
  EXPECT_EQ(anomaly::parse_span("336", "x").count, 336);
  EXPECT_TRUE(anomaly::parse_span("336", "x").steps);
  EXPECT_THROW(anomaly::parse_span("14x", "x"), fc::Error);
  EXPECT_THROW(anomaly::parse_span("d", "x"), fc::Error);
  EXPECT_THROW(anomaly::parse_span("-3", "x"), fc::Error);
  EXPECT_EQ(anomaly::span_text(anomaly::parse_span("14d", "x")), "14 days");
  EXPECT_EQ(anomaly::span_text(anomaly::parse_span("2w", "x")), "14 days");
  EXPECT_EQ(anomaly::span_text(anomaly::parse_span("336", "x")), "336 intervals");
  EXPECT_EQ(anomaly::span_text(anomaly::parse_span("30h", "x")), "30 hours");
}

TEST(Anomaly, ThresholdsAreScoresOrZs) {
  EXPECT_DOUBLE_EQ(anomaly::score_threshold("robust", 0), anomaly::kDefaultScoreThreshold);
  EXPECT_NEAR(anomaly::score_threshold("zscore", 0), 0.987580669, 1e-9);
  EXPECT_DOUBLE_EQ(anomaly::score_threshold("seasonal", 0.999), 0.999);
  EXPECT_NEAR(anomaly::score_threshold("seasonal", 3), 0.997300204, 1e-9);  // 1 - 2 (1 - Phi(3))
  EXPECT_THROW(anomaly::score_threshold("robust", -1), fc::Error);
  EXPECT_THROW(anomaly::score_threshold("robust", kNaN), fc::Error);
}

TEST(Anomaly, OtherMetrics) {
  Series s;
  s.start = 0;
  s.leads = {4, 4, 4, 4};
  s.spend = {40, 20, 0, 10};
  s.revenue = {80, 20, 5, 5};
  EXPECT_EQ(metric_values(s, "leads"), s.leads);
  const auto cpl = metric_values(s, "cpl");
  EXPECT_EQ(cpl, (std::vector<double>{10, 5, 0, 2.5}));
  const auto roi = metric_values(s, "roi");
  EXPECT_DOUBLE_EQ(roi[0], 1);
  EXPECT_TRUE(std::isnan(roi[2]));  // no spend
  // The ratio inputs rebuild the registry's value from their parts.
  for (const char* m : {"cpl", "roi"}) {
    const anomaly::Input in = anomaly::metric_input(s, m);
    EXPECT_EQ(in.kind, anomaly::Kind::kRatio);
    const auto v = metric_values(s, m);
    for (size_t i = 0; i < v.size(); ++i) {
      if (!(in.exposure[i] > 0) || in.quantity[i] == 0) continue;
      const double q = in.quantity[i] / in.exposure[i];
      const double back = in.form == anomaly::RatioForm::kInverse ? 1 / q : in.form == anomaly::RatioForm::kMinusOne ? q - 1 : q;
      EXPECT_NEAR(back, v[i], 1e-12) << m << " " << i;
    }
  }
  EXPECT_EQ(anomaly::metric_input(s, "leads").kind, anomaly::Kind::kCount);
  EXPECT_EQ(anomaly::metric_input(s, "spend").kind, anomaly::Kind::kMoney);
  EXPECT_EQ(anomaly::metric_input(s, "cpl").good, -1);
  EXPECT_EQ(anomaly::metric_input(s, "leads").good, 1);
}

std::string error_of(const Series& s, const anomaly::Options& o) {
  try {
    anomaly::detect(s, o);
  } catch (const fc::Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Anomaly, ErrorsNameTheValidChoices) {
  Series leads_only;
  leads_only.leads = {1, 2, 3};
  anomaly::Options o;
  const std::string absent = error_of(leads_only, o);  // default metric cpl needs spend
  EXPECT_NE(absent.find("'cpl'"), std::string::npos) << absent;
  EXPECT_NE(absent.find("available metrics: leads"), std::string::npos) << absent;
  o.metric = "ctr";
  const std::string unknown = error_of(leads_only, o);
  EXPECT_NE(unknown.find("unknown metric 'ctr'"), std::string::npos) << unknown;

  o.metric = "leads";
  o.method = "prophet";
  const std::string method = error_of(leads_only, o);
  EXPECT_NE(method.find("'prophet'"), std::string::npos) << method;
  EXPECT_NE(method.find("zscore, robust, seasonal, count, residual, iforest, ensemble"), std::string::npos) << method;

  o.method = "residual";
  const std::string residual = error_of(leads_only, o);
  EXPECT_NE(residual.find("needs one-step-ahead forecasts of leads"), std::string::npos) << residual;

  o.method = "zscore";
  o.threshold = -1;
  EXPECT_THROW(anomaly::detect(leads_only, o), fc::Error);
  o.threshold = 0;
  o.baseline = anomaly::Span::seconds(2 * 3600);
  const std::string short_baseline = error_of(leads_only, o);
  EXPECT_NE(short_baseline.find("the baseline must span at least 3 intervals (3 hours for hourly data), got 2 hours"),
            std::string::npos)
      << short_baseline;
}

TEST(Anomaly, TooLittleDataIsAnErrorNotZeroAnomalies) {
  Series two;
  two.start = k2024;
  two.leads = {1, 2};
  two.spend = {10, 12};
  anomaly::Options o;
  o.metric = "leads";
  const std::string e = error_of(two, o);
  EXPECT_NE(e.find("not enough data to score any hour of leads"), std::string::npos) << e;
  EXPECT_NE(e.find("the data has 2 hours"), std::string::npos) << e;
}

TEST(Anomaly, ScoresAreCalibratedOnTheSeriesOwnPast) {
  // On noise with no anomaly, a calibrated detector flags about as often as its threshold
  // says (here 1 in 1,000 of 20,000 hours: 20, give or take), whatever the noise's scale.
  for (double scale : {0.01, 1.0, 1e4}) {
    std::vector<double> v(20000);
    for (size_t i = 0; i < v.size(); ++i) v[i] = scale * (5 + noise(i) + noise(i + 1000003) + noise(i + 2000003));
    anomaly::Options o = whole("robust");
    o.threshold = 0.999;
    const anomaly::Result r = anomaly::detect(level_input(v), o);
    EXPECT_GT(r.count(), 5u) << scale;
    EXPECT_LT(r.count(), 60u) << scale;
  }
}

}  // namespace
