// One threshold meaning: a score up to 1 or a Gaussian |z| above 1 ("10", "10z"), read by
// parse_threshold() with values worked out by hand; and no threshold turns detection off:
// a value 100x a constant series (an infinite deviation) is flagged at the strictest ones.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "funnelcast/anomaly/anomaly.hpp"
#include "funnelcast/anomaly/calibrate.hpp"
#include "funnelcast/base/error.hpp"

namespace {

namespace anomaly = fc::anomaly;

TEST(AnomalyThreshold, ParsesScoresAndZs) {
  // A score is taken as it is.
  EXPECT_DOUBLE_EQ(anomaly::parse_threshold("0.99995", "--threshold"), 0.99995);
  EXPECT_DOUBLE_EQ(anomaly::parse_threshold("0.9", "--threshold"), 0.9);
  EXPECT_DOUBLE_EQ(anomaly::parse_threshold("1", "--threshold"), 1.0);  // the strictest score
  // A z: score = 1 - 2 (1 - Phi(z)) = erf(z / sqrt 2). Phi(2.5) = 0.99379033467422, so
  // 2.5z -> 1 - 2 x 0.00620966532578 = 0.98758066934844.
  EXPECT_NEAR(anomaly::parse_threshold("2.5z", "--threshold"), 0.98758066934844, 1e-13);
  EXPECT_NEAR(anomaly::parse_threshold("3", "--threshold"), 0.99730020393674, 1e-13);
  EXPECT_NEAR(anomaly::parse_threshold("3z", "--threshold"), 0.99730020393674, 1e-13);
  EXPECT_NEAR(anomaly::parse_threshold("1z", "--threshold"), 0.68268949213709, 1e-13);
  EXPECT_NEAR(anomaly::parse_threshold("0.5z", "--threshold"), 0.38292492254802, 1e-13);
  // z = 10: 2 (1 - Phi(10)) = 1.5239706e-23, far below half an ulp of 1 (1.1e-16): the
  // score is 1 in double precision, the same for "10" and "10z".
  EXPECT_NEAR(anomaly::gaussian_two_sided(10), 1.5239706048320e-23, 1e-35);
  EXPECT_EQ(anomaly::parse_threshold("10", "--threshold"), 1.0);
  EXPECT_EQ(anomaly::parse_threshold("10z", "--threshold"), 1.0);
  // The same numbers as Options::threshold gives them to detect().
  EXPECT_EQ(anomaly::score_threshold("robust", 10), 1.0);
  EXPECT_EQ(anomaly::score_threshold("robust", 1), 1.0);
  EXPECT_NEAR(anomaly::score_threshold("robust", 2.5), anomaly::parse_threshold("2.5z", "t"), 1e-15);
}

TEST(AnomalyThreshold, RefusesGarbageNamingTheOption) {
  for (const char* bad : {"", "z", "abc", "0", "0z", "-3", "-0.5", "+3", "inf", "nan", "3zz", " 3", "3 ",
                          "0x10", "1e400", "2e6", "3 z", "1,5", "99%"}) {
    try {
      anomaly::parse_threshold(bad, "--threshold");
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const fc::Error& e) {
      const std::string m = e.what();
      EXPECT_EQ(m.rfind("--threshold: ", 0), 0u) << m;
      EXPECT_NE(m.find("'" + std::string(bad) + "'"), std::string::npos) << m;
    }
  }
  EXPECT_THROW(anomaly::parse_threshold("high", "option 'threshold'"), fc::Error);
}

// Six weeks of hourly values, constant at 50, with one value of 5000 near the end.
anomaly::Input constant_with_spike(size_t& at) {
  const size_t n = 6 * 7 * 24;
  at = n - 10;
  anomaly::Input in;
  in.name = in.label = "value";
  in.start = 1704067200;  // 2024-01-01 00:00 UTC
  in.step = 3600;
  in.value.assign(n, 50.0);
  in.value[at] = 5000;
  return in;
}

anomaly::Result run(const anomaly::Input& in, const anomaly::MethodDef& m, double threshold) {
  anomaly::Options o;
  o.method = m.name;
  o.threshold = threshold;
  o.lookback = anomaly::Span::intervals(0);
  if (m.needs_forecasts) {  // forecasts that know the constant, +-5 at 95%
    o.forecasts.mean.assign(in.size(), 50);
    o.forecasts.lower.assign(in.size(), 45);
    o.forecasts.upper.assign(in.size(), 55);
  }
  return anomaly::detect(in, o);
}

TEST(AnomalyThreshold, NoThresholdTurnsOffAnInfiniteDeviation) {
  // On a constant series the spread is 0 (floored at 1e-9), so the spike is a deviation of
  // about 1e11 spreads: |z| at its cap, p at the floor of the calibration (~1e-300), score
  // exactly 1. "--threshold 10" used to give the score threshold 1 - 1.5e-23 == 1, hence
  // alpha = 1 - 1 = 0, and no p is 0: nothing was flagged by robust, seasonal, residual or
  // the ensemble.
  size_t at = 0;
  const anomaly::Input in = constant_with_spike(at);
  const double ten_z = anomaly::parse_threshold("10z", "--threshold");
  for (const anomaly::MethodDef& m : anomaly::methods()) {
    if (std::string(m.name) == "count") continue;  // counts only; this series is a level
    const anomaly::Result by_default = run(in, m, 0);
    // The isolation forest cannot isolate anything grown on identical rows (every tree is one
    // leaf), at any threshold: its scores stay near 0.5. Every other method flags the spike.
    if (std::string(m.name) != "iforest") {
      EXPECT_EQ(by_default.flagged[at], 1) << m.name;
      EXPECT_EQ(by_default.score[at], 1.0) << m.name;
    }
    for (double threshold : {10.0, ten_z, 1.0, 40.0, 1e6}) {
      const anomaly::Result r = run(in, m, threshold);
      EXPECT_EQ(r.flagged[at], by_default.flagged[at]) << m.name << " at " << threshold;
      EXPECT_EQ(r.threshold, 1.0) << m.name << " at " << threshold;  // a score that rounds to 1
      if (r.flagged[at]) EXPECT_GE(r.score[at], r.threshold) << m.name << " at " << threshold;
      // A stricter threshold never flags more. (The intervals right after the spike can be
      // flagged too: the sustained test sums the last 3 z, and on a constant series any
      // sum above 0 is unlike everything before it.)
      EXPECT_LE(r.count(), by_default.count()) << m.name << " at " << threshold;
    }
  }
}

TEST(AnomalyThreshold, AZOfTenStillMeansAZOfTen) {
  // Noise (a sum of three equidistributed sequences, |z| <= 3 everywhere) with spikes of
  // 40 and 6 noise spreads: at z = 10 only the large one is flagged; at the default both are.
  std::vector<double> v(3000);
  for (size_t i = 0; i < v.size(); ++i) {
    const double u = std::fmod(static_cast<double>(i) * 0.6180339887498949, 1.0) +
                     std::fmod(static_cast<double>(i) * 0.7548776662466927, 1.0) +
                     std::fmod(static_cast<double>(i) * 0.5698402909980532, 1.0);
    v[i] = 100 + 2 * (u - 1.5);  // sd 2 x 0.5 = 1
  }
  v[2500] += 40;
  v[2700] += 6;
  anomaly::Input in;
  in.name = in.label = "value";
  in.start = 1704067200;
  in.value = v;
  anomaly::Options o;
  o.method = "robust";
  o.lookback = anomaly::Span::intervals(0);
  o.threshold = 10;
  const anomaly::Result r = anomaly::detect(in, o);
  EXPECT_EQ(r.flagged[2500], 1);
  EXPECT_EQ(r.flagged[2700], 0);
  o.threshold = 0;
  const anomaly::Result d = anomaly::detect(in, o);
  EXPECT_EQ(d.flagged[2500], 1);
  EXPECT_EQ(d.flagged[2700], 1);
}

}  // namespace
