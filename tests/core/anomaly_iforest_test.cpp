// The isolation forest against path lengths worked out by hand on tiny data sets, its
// determinism, its trees held to the gbdt reference predictor; and the score calibrator
// against conformal ranks counted by hand and its calibration on noise.
#include "funnelcast/anomaly/iforest.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "funnelcast/anomaly/calibrate.hpp"
#include "funnelcast/base/error.hpp"

namespace {

namespace anomaly = fc::anomaly;

double noise(uint64_t i) {
  uint64_t z = i + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-52 - 1;
}

TEST(IsolationForest, AveragePathLengthByHand) {
  EXPECT_DOUBLE_EQ(anomaly::average_path_length(1), 0);
  EXPECT_DOUBLE_EQ(anomaly::average_path_length(2), 1);
  // c(n) = 2 H(n - 1) - 2 (n - 1) / n
  EXPECT_NEAR(anomaly::average_path_length(3), 2 * 1.5 - 4.0 / 3, 1e-12);             // 1.6667
  EXPECT_NEAR(anomaly::average_path_length(4), 2 * (11.0 / 6) - 1.5, 1e-12);           // 2.1667
  double h255 = 0;
  for (int i = 1; i < 256; ++i) h255 += 1.0 / i;
  EXPECT_NEAR(anomaly::average_path_length(256), 2 * h255 - 2 * 255.0 / 256, 1e-12);  // 10.2487
  double h = 0;
  for (int i = 1; i < 1000; ++i) h += 1.0 / i;
  EXPECT_NEAR(anomaly::average_path_length(1000), 2 * h - 2 * 999.0 / 1000, 1e-9);
}

TEST(IsolationForest, PathLengthsOnTinyDataByHand) {
  // Rows {0}, {0}, {5}: subsample 3, depth limit ceil(log2 3) = 2. Every tree splits the
  // root between 0 and 5 (the only varying feature); the left child holds {0, 0}, which no
  // split can separate: a leaf at depth 1 with 2 rows, path 1 + c(2) = 2. The right child
  // is {5}: a leaf at depth 1, path 1 + c(1) = 1. Whatever the random thresholds are.
  const std::vector<float> rows = {0, 0, 5};
  anomaly::ForestOptions o;
  o.trees = 25;
  o.subsample = 3;
  const anomaly::IsolationForest f = anomaly::IsolationForest::fit(rows.data(), 3, 1, o);
  const float low = -1, zero = 0, high = 7;
  EXPECT_NEAR(f.path_length(&zero), 2, 1e-6);
  EXPECT_NEAR(f.path_length(&low), 2, 1e-6);
  EXPECT_NEAR(f.path_length(&high), 1, 1e-6);
  // score = 2^(-path / c(3)), c(3) = 5/3.
  EXPECT_NEAR(f.score(&high), std::exp2(-1 / (5.0 / 3)), 1e-6);  // 0.6598
  EXPECT_NEAR(f.score(&zero), std::exp2(-2 / (5.0 / 3)), 1e-6);  // 0.4353

  // Two features: three rows at (0, 0) and one at (1, 1). Either feature splits the root
  // with (1, 1) alone on the right: path 1; the three identical rows stop at depth 1:
  // 1 + c(3) = 8/3. Scores against c(4) = 13/6.
  const std::vector<float> two = {0, 0, 0, 0, 0, 0, 1, 1};
  o.subsample = 4;
  const anomaly::IsolationForest g = anomaly::IsolationForest::fit(two.data(), 4, 2, o);
  const float a[2] = {0, 0}, b[2] = {1, 1};
  EXPECT_NEAR(g.path_length(a), 8.0 / 3, 1e-6);
  EXPECT_NEAR(g.path_length(b), 1, 1e-6);
  EXPECT_NEAR(g.score(b), std::exp2(-1 / (13.0 / 6)), 1e-6);  // 0.7262
  double batch[2];
  const float both[4] = {0, 0, 1, 1};
  g.score(both, 2, batch);
  EXPECT_NEAR(batch[0], g.score(a), 1e-12);
  EXPECT_NEAR(batch[1], g.score(b), 1e-12);
}

std::vector<float> random_rows(size_t n, size_t f) {
  std::vector<float> rows(n * f);
  for (size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<float>(noise(i) * (1 + i % f));
  for (size_t i = 0; i < n; i += 17) rows[i * f] = std::nanf("");  // missing values too
  return rows;
}

TEST(IsolationForest, DeterministicForASeed) {
  const size_t n = 500, f = 4;
  const std::vector<float> rows = random_rows(n, f);
  anomaly::ForestOptions o;
  o.seed = 42;
  const anomaly::IsolationForest a = anomaly::IsolationForest::fit(rows.data(), n, f, o);
  const anomaly::IsolationForest b = anomaly::IsolationForest::fit(rows.data(), n, f, o);
  o.seed = 43;
  const anomaly::IsolationForest c = anomaly::IsolationForest::fit(rows.data(), n, f, o);
  ASSERT_EQ(a.ensemble().trees.size(), 100u);
  bool differs = false;
  for (size_t t = 0; t < a.ensemble().trees.size(); ++t) {
    const auto& x = a.ensemble().trees[t];
    const auto& y = b.ensemble().trees[t];
    ASSERT_EQ(x.feature, y.feature) << t;
    ASSERT_EQ(x.threshold, y.threshold) << t;
    ASSERT_EQ(x.leaf_value, y.leaf_value) << t;
    differs = differs || x.threshold != c.ensemble().trees[t].threshold;
  }
  EXPECT_TRUE(differs);
  for (size_t i = 0; i < n; ++i) ASSERT_EQ(a.score(&rows[i * f]), b.score(&rows[i * f])) << i;
}

TEST(IsolationForest, TreesAreValidGbdtTreesAndTheFlatEngineAgreesWithTheReference) {
  const size_t n = 400, f = 3;
  const std::vector<float> rows = random_rows(n, f);
  const anomaly::IsolationForest forest = anomaly::IsolationForest::fit(rows.data(), n, f, anomaly::ForestOptions{});
  forest.ensemble().validate();
  for (size_t i = 0; i < n; ++i) {
    const double reference = forest.ensemble().predict_raw_reference(&rows[i * f]) / 100.0;
    ASSERT_NEAR(forest.path_length(&rows[i * f]), reference, 1e-9) << i;
    // Depths never exceed ceil(log2 256) = 8 plus c of the leaf's rows.
    ASSERT_GT(reference, 0);
    ASSERT_LT(reference, 8 + anomaly::average_path_length(256));
  }
  // An isolated point is shorter to reach than the crowd.
  const float far[3] = {50, 50, 50}, mid[3] = {0, 0, 0};
  EXPECT_LT(forest.path_length(far), forest.path_length(mid));
  EXPECT_GT(forest.score(far), 0.6);
  EXPECT_THROW(anomaly::IsolationForest::fit(rows.data(), 1, f, anomaly::ForestOptions{}), fc::Error);
}

TEST(TailCalibrator, ConformalRanksByHand) {
  anomaly::TailCalibrator c(100);
  for (int v = 1; v <= 99; ++v) c.add(v);
  EXPECT_TRUE(std::isnan(c.p_value(5)));  // 99 values: not yet
  c.add(100);
  ASSERT_EQ(c.size(), 100u);
  // The tail is the top 10 values (100 x 2% < 10): below it, p = (1 + #{>= r}) / 101.
  EXPECT_NEAR(c.p_value(50.1), (1 + 50) / 101.0, 1e-12);  // 51..100
  EXPECT_NEAR(c.p_value(0), 1, 1e-12);
  EXPECT_NEAR(c.p_value(80), (1 + 21) / 101.0, 1e-12);  // 80..100
  // Beyond the largest value, the exponential tail goes on falling.
  const double p100 = c.p_value(100), p120 = c.p_value(120), p200 = c.p_value(200);
  EXPECT_LT(p120, 1 / 101.0);
  EXPECT_LT(p200, p120);
  EXPECT_LE(p120, p100);
  // The critical value is where p crosses alpha.
  for (double alpha : {0.3, 0.05, 1e-3, 1e-6}) {
    const double r = c.critical(alpha);
    EXPECT_LE(c.p_value(r), alpha * (1 + 1e-9)) << alpha;
    const double below = std::min(r * (1 - 1e-6), anomaly::TailCalibrator::lower_edge(anomaly::TailCalibrator::bin_of(r)) - 1e-9);
    EXPECT_GT(c.p_value(below), alpha) << alpha;
  }
}

// Streaming: each value judged against the ones before it; the share of p-values at or
// below alpha.
std::vector<double> shares(const std::vector<double>& values, const std::vector<double>& alphas) {
  anomaly::TailCalibrator c(100);
  std::vector<double> below(alphas.size(), 0);
  size_t judged = 0;
  for (double r : values) {
    const double p = c.p_value(r);
    if (!std::isnan(p)) {
      ++judged;
      for (size_t k = 0; k < alphas.size(); ++k) below[k] += p <= alphas[k];
    }
    c.add(r);
  }
  for (double& b : below) b /= static_cast<double>(judged);
  return below;
}

TEST(TailCalibrator, TailProbabilitiesAreCalibratedOnNoise) {
  // Exponential values: the tail model is exact, so the shares are alpha, in the bulk
  // (conformal ranks) and in the tail (the fitted exponential).
  std::vector<double> expo(60000);
  for (size_t i = 0; i < expo.size(); ++i) expo[i] = -std::log((noise(i) + 1) / 2 + 1e-300);
  const std::vector<double> e = shares(expo, {0.01, 0.001, 0.0002});
  EXPECT_NEAR(e[0], 0.01, 0.0015);
  EXPECT_NEAR(e[1], 0.001, 0.0004);
  EXPECT_NEAR(e[2], 0.0002, 0.00015);
  // Bounded, bell-shaped noise has a lighter tail than the model: exact in the bulk,
  // conservative (never many more than alpha) in the tail.
  std::vector<double> bell(40000);
  for (size_t i = 0; i < bell.size(); ++i) bell[i] = std::fabs(noise(i) + noise(i + 7777777) + noise(i + 9999991));
  const std::vector<double> b = shares(bell, {0.01, 0.001});
  EXPECT_NEAR(b[0], 0.01, 0.002);
  EXPECT_LT(b[1], 0.0015);
}

TEST(TailCalibrator, CauchyCombinationAndGaussianSurprise) {
  const double same[3] = {0.02, 0.02, 0.02};
  EXPECT_NEAR(anomaly::cauchy_combine(same, 3), 0.02, 1e-12);
  const double one_strong[2] = {1e-20, 0.5};
  EXPECT_NEAR(anomaly::cauchy_combine(one_strong, 2) / 2e-20, 1, 1e-6);
  const double with_nan[2] = {std::nan(""), 0.3};
  EXPECT_NEAR(anomaly::cauchy_combine(with_nan, 2), 0.3, 1e-12);
  const double none[1] = {std::nan("")};
  EXPECT_TRUE(std::isnan(anomaly::cauchy_combine(none, 1)));
  EXPECT_NEAR(anomaly::gaussian_two_sided(1.959963985), 0.05, 1e-9);
  EXPECT_NEAR(anomaly::gaussian_two_sided_inverse(0.05), 1.959963985, 1e-8);
  for (double z : {0.0, 0.5, 2.5, 10.0, 29.9, 30.1, 60.0}) {
    EXPECT_NEAR(anomaly::gaussian_surprise_inverse(anomaly::gaussian_surprise(z)), z, 1e-7) << z;
  }
  EXPECT_NEAR(anomaly::gaussian_surprise(3), -std::log(std::erfc(3 / std::sqrt(2.0))), 1e-12);
  // Continuous across the switch to the asymptotic form.
  EXPECT_NEAR(anomaly::gaussian_surprise(29.999999), anomaly::gaussian_surprise(30.000001), 1e-3);
}

}  // namespace
