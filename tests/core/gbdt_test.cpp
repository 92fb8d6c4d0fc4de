// Tests for the gradient-boosting trainer and the flat inference engine. Expected
// values are worked out by hand (leaf values, thresholds, base scores) or by an
// independent method (the plain reference predictor, a direct loss computation).
#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "funnelcast/base/error.hpp"
#include "funnelcast/gbdt/engine.hpp"
#include "funnelcast/gbdt/params.hpp"
#include "funnelcast/gbdt/train.hpp"
#include "funnelcast/gbdt/tree.hpp"

// The trainer's own exp/log (libm differs between glibc and the wasm libc).
#include "../../core/src/gbdt/internal.hpp"

namespace fc::gbdt {
namespace {

const float kNaN = std::numeric_limits<float>::quiet_NaN();

// A tiny generator independent of the library's own, so the tests do not share its bugs.
struct TestRng {
  uint64_t s;
  explicit TestRng(uint64_t seed) : s(seed * 2654435761ull + 12345) {}
  double uniform() {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<double>(s >> 11) * 0x1.0p-53;
  }
};

struct Data {
  size_t rows = 0, cols = 0;
  std::vector<float> x;
  std::vector<double> y;
  Dataset view() const { return Dataset{x.data(), rows, cols, y.data(), nullptr}; }
  float at(size_t r, size_t c) const { return x[r * cols + c]; }
};

// Random features (some with few distinct values, some with missing values) and a label
// that depends on several of them, missingness included.
Data random_data(size_t rows, size_t cols, Objective objective, uint64_t seed,
                 double missing = 0.1) {
  TestRng rng(seed);
  Data d;
  d.rows = rows;
  d.cols = cols;
  d.x.resize(rows * cols);
  d.y.resize(rows);
  for (size_t r = 0; r < rows; ++r) {
    for (size_t c = 0; c < cols; ++c) {
      float v = (c % 3 == 2) ? static_cast<float>(std::floor(rng.uniform() * 5))
                             : static_cast<float>(rng.uniform() * 4 - 2);
      if (rng.uniform() < missing) v = kNaN;
      d.x[r * cols + c] = v;
    }
    const float x0 = d.at(r, 0), x1 = d.at(r, 1 % cols), x2 = d.at(r, 2 % cols);
    double f = (std::isnan(x0) ? 0.7 : std::sin(2 * x0)) + (std::isnan(x1) ? -0.5 : 0.5 * x1) +
               (std::isnan(x2) ? 0.0 : 0.3 * x2) + 0.3 * (rng.uniform() - 0.5);
    switch (objective) {
      case Objective::kSquaredError:
        d.y[r] = f;
        break;
      case Objective::kPoisson:
        d.y[r] = std::floor(std::exp(0.5 * f) * 3 * rng.uniform());
        break;
      case Objective::kBinary:
        d.y[r] = rng.uniform() < 1.0 / (1.0 + std::exp(-2 * f)) ? 1.0 : 0.0;
        break;
    }
  }
  return d;
}

double mean_loss(Objective objective, const std::vector<double>& raw,
                 const std::vector<double>& y) {
  double s = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    const double f = raw[i];
    switch (objective) {
      case Objective::kSquaredError:
        s += (f - y[i]) * (f - y[i]);
        break;
      case Objective::kPoisson:
        s += 2 * ((y[i] > 0 ? y[i] * std::log(y[i] / std::exp(f)) : 0) - (y[i] - std::exp(f)));
        break;
      case Objective::kBinary: {
        const double p = 1 / (1 + std::exp(-f));
        s -= y[i] > 0.5 ? std::log(p) : std::log(1 - p);
        break;
      }
    }
  }
  return s / static_cast<double>(y.size());
}

void expect_same_trees(const Ensemble& a, const Ensemble& b) {
  ASSERT_EQ(a.trees.size(), b.trees.size());
  EXPECT_EQ(a.base_score, b.base_score);
  for (size_t t = 0; t < a.trees.size(); ++t) {
    SCOPED_TRACE("tree " + std::to_string(t));
    EXPECT_EQ(a.trees[t].feature, b.trees[t].feature);
    EXPECT_EQ(a.trees[t].threshold, b.trees[t].threshold);
    EXPECT_EQ(a.trees[t].default_left, b.trees[t].default_left);
    EXPECT_EQ(a.trees[t].left, b.trees[t].left);
    EXPECT_EQ(a.trees[t].right, b.trees[t].right);
    EXPECT_EQ(a.trees[t].leaf_value, b.trees[t].leaf_value);
    EXPECT_EQ(a.trees[t].leaf_cover, b.trees[t].leaf_cover);
  }
}

bool same_trees(const Ensemble& a, const Ensemble& b) {
  if (a.trees.size() != b.trees.size()) return false;
  for (size_t t = 0; t < a.trees.size(); ++t) {
    if (a.trees[t].feature != b.trees[t].feature || a.trees[t].threshold != b.trees[t].threshold ||
        a.trees[t].leaf_value != b.trees[t].leaf_value) {
      return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------
// Flat engine against the reference predictor

class FlatMatchesReference : public ::testing::TestWithParam<Objective> {};

TEST_P(FlatMatchesReference, OnRandomRowsWithMissingValues) {
  const Objective objective = GetParam();
  const Data train_data = random_data(3000, 8, objective, 1);
  Params p;
  p.objective = objective;
  p.num_iterations = 60;
  p.num_leaves = 15;
  p.learning_rate = 0.2;
  p.min_data_in_leaf = 5;
  const TrainResult r = train(train_data.view(), nullptr, p);
  ASSERT_EQ(r.ensemble.trees.size(), 60u);
  size_t internal = 0;
  for (const Tree& t : r.ensemble.trees) internal += t.internal_count();
  ASSERT_GT(internal, 60u * 5);
  // The ensemble must actually use learned missing directions both ways.
  size_t left = 0, right = 0;
  for (const Tree& t : r.ensemble.trees) {
    for (uint8_t d : t.default_left) (d ? left : right)++;
  }
  EXPECT_GT(left, 0u);
  EXPECT_GT(right, 0u);

  // Fresh rows, wider than the training range so extrapolation is exercised too.
  const size_t n = 10000;
  TestRng rng(99);
  std::vector<float> rows(n * 8);
  for (float& v : rows) {
    v = rng.uniform() < 0.1 ? kNaN : static_cast<float>(rng.uniform() * 6 - 3);
  }
  // Some exact thresholds, where an off-by-one in the comparison would show.
  for (size_t i = 0; i < 200; ++i) {
    const Tree& t = r.ensemble.trees[i % r.ensemble.trees.size()];
    if (t.internal_count() == 0) continue;
    const size_t k = i % t.internal_count();
    rows[i * 8 + t.feature[k]] = t.threshold[k];
  }
  FlatEnsemble flat(r.ensemble);
  std::vector<double> raw(n), pred(n);
  flat.predict_raw(rows.data(), n, 8, raw.data());
  flat.predict(rows.data(), n, 8, pred.data());
  double max_diff = 0;
  for (size_t i = 0; i < n; ++i) {
    const double ref = r.ensemble.predict_raw_reference(&rows[i * 8]);
    max_diff = std::max(max_diff, std::abs(ref - raw[i]));
    max_diff = std::max(max_diff, std::abs(r.ensemble.transform(ref) - pred[i]));
  }
  EXPECT_LT(max_diff, 1e-6);
  EXPECT_NEAR(flat.predict_one(&rows[0]),
              r.ensemble.transform(r.ensemble.predict_raw_reference(&rows[0])), 1e-12);
}

INSTANTIATE_TEST_SUITE_P(AllObjectives, FlatMatchesReference,
                         ::testing::Values(Objective::kSquaredError, Objective::kPoisson,
                                           Objective::kBinary));

TEST(FlatEnsemble, StridedRowsAndSingleLeafTrees) {
  Ensemble e;
  e.num_features = 2;
  e.base_score = 1.5;
  Tree leaf_only;
  leaf_only.leaf_value = {0.25f};
  leaf_only.leaf_cover = {10.f};
  Tree stump;
  stump.feature = {1};
  stump.threshold = {0.5f};
  stump.default_left = {0};
  stump.left = {~0};
  stump.right = {~1};
  stump.leaf_value = {-1.f, 2.f};
  stump.leaf_cover = {1.f, 1.f};
  e.trees = {leaf_only, stump};
  FlatEnsemble flat(e);
  // Three floats per row: the engine must honour the stride, not assume num_features.
  const std::vector<float> rows = {9, 0.5f, 7, 9, 0.6f, 7, 9, kNaN, 7};
  std::vector<double> out(3);
  flat.predict_raw(rows.data(), 3, 3, out.data());
  EXPECT_DOUBLE_EQ(out[0], 1.5 + 0.25 - 1.0);
  EXPECT_DOUBLE_EQ(out[1], 1.5 + 0.25 + 2.0);
  EXPECT_DOUBLE_EQ(out[2], 1.5 + 0.25 + 2.0);  // NaN follows default (right)

  // Only one-leaf trees and no features: rows are never read.
  Ensemble constant;
  constant.base_score = 2.0;
  constant.trees = {leaf_only, leaf_only};
  FlatEnsemble flat_constant(constant);
  double c = 0;
  flat_constant.predict_raw(nullptr, 1, 0, &c);
  EXPECT_DOUBLE_EQ(c, 2.5);

  FlatEnsemble empty;
  EXPECT_TRUE(empty.empty());
  double v = -1;
  empty.predict_raw(rows.data(), 1, 3, &v);
  EXPECT_EQ(v, 0.0);
}

TEST(FlatEnsemble, RefusesAnInvalidEnsemble) {
  Ensemble e;
  e.num_features = 1;
  Tree t;
  t.feature = {3};  // out of range
  t.threshold = {0};
  t.default_left = {0};
  t.left = {~0};
  t.right = {~1};
  t.leaf_value = {0, 0};
  e.trees = {t};
  EXPECT_THROW(FlatEnsemble{e}, fc::Error);
}

// ---------------------------------------------------------------------------------
// Hand-computed trees

// x0 in {0..5}, ten rows each; y = 0 below 3, 10 from 3 up; x1 is noise.
Data step_data(Objective objective) {
  Data d;
  d.cols = 2;
  TestRng rng(5);
  for (int v = 0; v < 6; ++v) {
    for (int k = 0; k < 10; ++k) {
      d.x.push_back(static_cast<float>(v));
      d.x.push_back(static_cast<float>(rng.uniform()));
      const bool high = v >= 3;
      switch (objective) {
        case Objective::kSquaredError:
          d.y.push_back(high ? 10.0 : 0.0);
          break;
        case Objective::kPoisson:
          d.y.push_back(high ? 4.0 : 1.0);
          break;
        case Objective::kBinary:
          d.y.push_back(high ? 1.0 : 0.0);
          break;
      }
    }
  }
  d.rows = d.y.size();
  return d;
}

Params stump_params(Objective objective) {
  Params p;
  p.objective = objective;
  p.num_iterations = 1;
  p.num_leaves = 2;
  p.learning_rate = 0.1;
  p.lambda_l2 = 1.0;
  p.min_data_in_leaf = 5;
  return p;
}

void expect_step_stump(const TrainResult& r) {
  ASSERT_EQ(r.ensemble.trees.size(), 1u);
  const Tree& t = r.ensemble.trees[0];
  ASSERT_EQ(t.internal_count(), 1u);
  EXPECT_EQ(t.feature[0], 0);
  EXPECT_GT(t.threshold[0], 2.0f);
  EXPECT_LT(t.threshold[0], 3.0f);
  EXPECT_FLOAT_EQ(t.threshold[0], 2.5f);  // midpoint of the neighbouring values
  EXPECT_EQ(t.left[0], ~0);
  EXPECT_EQ(t.right[0], ~1);
}

TEST(Train, SquaredErrorStumpByHand) {
  const Data d = step_data(Objective::kSquaredError);
  const TrainResult r = train(d.view(), nullptr, stump_params(Objective::kSquaredError));
  expect_step_stump(r);
  // base = mean y = 5; g = f - y = +5 (left, 30 rows) / -5 (right); h = 1 per row.
  EXPECT_DOUBLE_EQ(r.ensemble.base_score, 5.0);
  const Tree& t = r.ensemble.trees[0];
  EXPECT_FLOAT_EQ(t.leaf_value[0], static_cast<float>(-(30 * 5.0) / (30 + 1.0) * 0.1));
  EXPECT_FLOAT_EQ(t.leaf_value[1], static_cast<float>(-(30 * -5.0) / (30 + 1.0) * 0.1));
  EXPECT_FLOAT_EQ(t.leaf_cover[0], 30.f);
  EXPECT_FLOAT_EQ(t.leaf_cover[1], 30.f);
  // Gain = GL²/(HL+λ) + GR²/(HR+λ) − G²/(H+λ) = 2·150²/31 − 0.
  EXPECT_NEAR(r.feature_gain[0], 2 * 150.0 * 150.0 / 31.0, 1e-6);
  EXPECT_EQ(r.feature_gain[1], 0.0);
  // Metric after one tree: every row is off by 5 − 150/31·0.1 (as the stored float).
  EXPECT_NEAR(r.train_metric[0], 5 - static_cast<double>(static_cast<float>(15.0 / 31)), 1e-12);
}

TEST(Train, SecondTreeByHand) {
  const Data d = step_data(Objective::kSquaredError);
  Params p = stump_params(Objective::kSquaredError);
  p.num_iterations = 2;
  const TrainResult r = train(d.view(), nullptr, p);
  ASSERT_EQ(r.ensemble.trees.size(), 2u);
  // After tree 1 the left rows sit at f1 = 5 + v1 (v1 as stored, a float), so g = f1.
  const double v1 = r.ensemble.trees[0].leaf_value[0];
  const double f1 = 5.0 + v1;
  EXPECT_NEAR(r.ensemble.trees[1].leaf_value[0], -(30 * f1) / 31.0 * 0.1, 1e-6);
}

TEST(Train, PoissonStumpByHand) {
  const Data d = step_data(Objective::kPoisson);
  const TrainResult r = train(d.view(), nullptr, stump_params(Objective::kPoisson));
  expect_step_stump(r);
  // mean y = 2.5, f0 = log 2.5; g = e^f0 − y = 1.5 / −1.5; h = e^(f0 + 0.7) = 2.5·e^0.7.
  EXPECT_NEAR(r.ensemble.base_score, std::log(2.5), 1e-12);
  const double h = 2.5 * std::exp(0.7);
  const Tree& t = r.ensemble.trees[0];
  EXPECT_NEAR(t.leaf_value[0], -(30 * 1.5) / (30 * h + 1.0) * 0.1, 1e-6);
  EXPECT_NEAR(t.leaf_value[1], -(30 * -1.5) / (30 * h + 1.0) * 0.1, 1e-6);
  EXPECT_NEAR(t.leaf_cover[0], 30 * h, 1e-4);
}

TEST(Train, BinaryStumpByHand) {
  const Data d = step_data(Objective::kBinary);
  const TrainResult r = train(d.view(), nullptr, stump_params(Objective::kBinary));
  expect_step_stump(r);
  // Half positive: base log-odds 0, p = 0.5, g = ±0.5, h = 0.25.
  EXPECT_NEAR(r.ensemble.base_score, 0.0, 1e-12);
  const Tree& t = r.ensemble.trees[0];
  EXPECT_NEAR(t.leaf_value[0], -(30 * 0.5) / (30 * 0.25 + 1.0) * 0.1, 1e-6);
  EXPECT_NEAR(t.leaf_value[1], (30 * 0.5) / (30 * 0.25 + 1.0) * 0.1, 1e-6);
}

TEST(Train, ScalePosWeightByHand) {
  const Data d = step_data(Objective::kBinary);
  Params p = stump_params(Objective::kBinary);
  p.scale_pos_weight = 3.0;
  const TrainResult r = train(d.view(), nullptr, p);
  // Weighted mean 3·30 / (3·30 + 30) = 0.75 → log-odds log 3.
  EXPECT_NEAR(r.ensemble.base_score, std::log(3.0), 1e-12);
  // Right (positive) leaf: p = 0.75, g = 3·(0.75 − 1), h = 3·0.75·0.25.
  const Tree& t = r.ensemble.trees[0];
  EXPECT_NEAR(t.leaf_value[1], -(30 * 3 * -0.25) / (30 * 3 * 0.1875 + 1.0) * 0.1, 1e-6);
  EXPECT_NEAR(t.leaf_value[0], -(30 * 0.75) / (30 * 0.1875 + 1.0) * 0.1, 1e-6);
}

TEST(Train, ThresholdsSeparateAdjacentFloats) {
  // The two values are neighbouring floats: their double midpoint rounds onto one of
  // them, and the learned threshold must still put them on different sides.
  Data d;
  d.cols = 1;
  const float a = 1.0f, b = std::nextafter(1.0f, 2.0f);
  for (int i = 0; i < 40; ++i) {
    d.x.push_back(i % 2 ? b : a);
    d.y.push_back(i % 2 ? 10.0 : 0.0);
  }
  d.rows = d.y.size();
  Params p = stump_params(Objective::kSquaredError);
  p.lambda_l2 = 0;
  p.learning_rate = 1.0;
  const TrainResult r = train(d.view(), nullptr, p);
  ASSERT_EQ(r.ensemble.trees[0].internal_count(), 1u);
  EXPECT_EQ(r.ensemble.predict_raw_reference(&a), 0.0);
  EXPECT_EQ(r.ensemble.predict_raw_reference(&b), 10.0);
}

// ---------------------------------------------------------------------------------
// Missing values

// y = 0 for x0 in {0,1,2}; y = 10 for x0 in {3,4}; rows with x0 missing get `missing_y`.
Data missing_data(double missing_y) {
  Data d;
  d.cols = 1;
  for (int i = 0; i < 60; ++i) {
    const int group = i % 3;
    if (group == 0) {
      d.x.push_back(static_cast<float>((i / 3) % 3));
      d.y.push_back(0);
    } else if (group == 1) {
      d.x.push_back(static_cast<float>(3 + (i / 3) % 2));
      d.y.push_back(10);
    } else {
      d.x.push_back(kNaN);
      d.y.push_back(missing_y);
    }
  }
  d.rows = d.y.size();
  return d;
}

TEST(Train, LearnsMissingGoesRight) {
  const Data d = missing_data(10);
  Params p = stump_params(Objective::kSquaredError);
  const TrainResult r = train(d.view(), nullptr, p);
  const Tree& t = r.ensemble.trees[0];
  ASSERT_EQ(t.internal_count(), 1u);
  EXPECT_FLOAT_EQ(t.threshold[0], 2.5f);
  EXPECT_EQ(t.default_left[0], 0);
  // Left: 20 rows at y = 0; right: 40 rows at y = 10. base = 400/60.
  const double base = 400.0 / 60;
  EXPECT_NEAR(t.leaf_value[0], -(20 * base) / 21 * 0.1, 1e-6);
  EXPECT_NEAR(t.leaf_value[1], -(40 * (base - 10)) / 41 * 0.1, 1e-6);
  EXPECT_EQ(r.ensemble.predict_raw_reference(&kNaN), base + static_cast<double>(t.leaf_value[1]));
}

TEST(Train, LearnsMissingGoesLeft) {
  const Data d = missing_data(0);
  const TrainResult r = train(d.view(), nullptr, stump_params(Objective::kSquaredError));
  const Tree& t = r.ensemble.trees[0];
  ASSERT_EQ(t.internal_count(), 1u);
  EXPECT_FLOAT_EQ(t.threshold[0], 2.5f);
  EXPECT_EQ(t.default_left[0], 1);
  EXPECT_NEAR(t.leaf_cover[0], 40, 1e-9);
}

TEST(Train, SplitsOnMissingnessAlone) {
  // The value carries no signal, only whether it is there: all present rows go left.
  Data d;
  d.cols = 1;
  TestRng rng(3);
  for (int i = 0; i < 80; ++i) {
    const bool missing = i % 4 == 0;
    d.x.push_back(missing ? kNaN : static_cast<float>(rng.uniform() * 100));
    d.y.push_back(missing ? 7.0 : 1.0);
  }
  d.rows = d.y.size();
  Params p = stump_params(Objective::kSquaredError);
  p.lambda_l2 = 0;
  p.learning_rate = 1.0;
  const TrainResult r = train(d.view(), nullptr, p);
  const Tree& t = r.ensemble.trees[0];
  ASSERT_EQ(t.internal_count(), 1u);
  EXPECT_EQ(t.default_left[0], 0);
  float max_x = 0;
  for (float v : d.x) {
    if (!std::isnan(v)) max_x = std::max(max_x, v);
  }
  EXPECT_GE(t.threshold[0], max_x);
  EXPECT_NEAR(r.ensemble.predict_raw_reference(&kNaN), 7.0, 1e-5);
  EXPECT_NEAR(r.ensemble.predict_raw_reference(&max_x), 1.0, 1e-5);
}

// ---------------------------------------------------------------------------------
// Binning and training agree with the float model

TEST(Train, TrainingMetricEqualsReferencePredictions) {
  // The trainer scores its rows through bin codes; the model predicts through float
  // thresholds. If the two ever disagreed on a row, the last training metric would not
  // match the loss recomputed from the model.
  for (Objective objective : {Objective::kSquaredError, Objective::kPoisson, Objective::kBinary}) {
    SCOPED_TRACE(to_string(objective));
    Data d = random_data(4000, 6, objective, 17, 0.15);
    // Heavy ties and a long tail, the cases that stress quantile boundaries.
    for (size_t r = 0; r < d.rows; ++r) {
      float& v = d.x[r * d.cols + 3];
      if (!std::isnan(v)) v = v < 0 ? 0.0f : std::exp(3 * v);
    }
    Params p;
    p.objective = objective;
    p.num_iterations = 30;
    p.max_bin = 16;  // coarse bins: most rows sit strictly inside a bin
    p.min_data_in_leaf = 3;
    p.learning_rate = 0.3;
    const TrainResult r = train(d.view(), nullptr, p);
    std::vector<double> raw(d.rows);
    for (size_t i = 0; i < d.rows; ++i) raw[i] = r.ensemble.predict_raw_reference(&d.x[i * d.cols]);
    double expect = mean_loss(objective, raw, d.y);
    if (objective == Objective::kSquaredError) expect = std::sqrt(expect);
    EXPECT_NEAR(r.train_metric.back(), expect, 1e-9 * std::max(1.0, expect));
  }
}

TEST(Train, HonoursLeafAndDepthLimits) {
  const Data d = random_data(2000, 5, Objective::kSquaredError, 4);
  Params p;
  p.num_iterations = 10;
  p.num_leaves = 12;
  p.min_data_in_leaf = 40;
  TrainResult r = train(d.view(), nullptr, p);
  for (const Tree& t : r.ensemble.trees) {
    EXPECT_LE(t.leaf_count(), 12u);
    EXPECT_GE(t.leaf_count(), 8u);  // plenty of signal: it should come close
    // Squared error with unit weights: cover is the row count.
    for (float c : t.leaf_cover) EXPECT_GE(c, 40.f);
  }
  p.max_depth = 2;
  p.num_leaves = 31;
  r = train(d.view(), nullptr, p);
  for (const Tree& t : r.ensemble.trees) {
    EXPECT_LE(t.leaf_count(), 4u);
    // Depth of every leaf ≤ 2: walk from the root.
    std::vector<int> depth(t.internal_count(), 0);
    for (size_t k = 0; k < t.internal_count(); ++k) {
      for (int32_t c : {t.left[k], t.right[k]}) {
        if (c >= 0) depth[c] = depth[k] + 1;
      }
      EXPECT_LT(depth[k], 2);
    }
  }
}

TEST(Train, PoissonAndBinaryReduceTheLoss) {
  for (Objective objective : {Objective::kPoisson, Objective::kBinary}) {
    SCOPED_TRACE(to_string(objective));
    const Data d = random_data(3000, 6, objective, 8);
    Params p;
    p.objective = objective;
    p.num_iterations = 80;
    const TrainResult r = train(d.view(), nullptr, p);
    // The loss of the constant model, computed directly from the labels.
    double mean = 0;
    for (double y : d.y) mean += y;
    mean /= static_cast<double>(d.rows);
    const double base_raw =
        objective == Objective::kPoisson ? std::log(mean) : std::log(mean / (1 - mean));
    const double base_loss = mean_loss(objective, std::vector<double>(d.rows, base_raw), d.y);
    EXPECT_NEAR(r.ensemble.base_score, base_raw, 1e-12);
    EXPECT_LT(r.train_metric.back(), 0.85 * base_loss);
    for (size_t i = 1; i < r.train_metric.size(); ++i) {
      EXPECT_LE(r.train_metric[i], r.train_metric[i - 1] + 1e-9);
    }
    FlatEnsemble flat(r.ensemble);
    std::vector<double> pred(d.rows);
    flat.predict(d.x.data(), d.rows, d.cols, pred.data());
    for (double v : pred) {
      EXPECT_GT(v, 0.0);
      if (objective == Objective::kBinary) {
        EXPECT_LT(v, 1.0);
      }
    }
  }
}

TEST(Train, BeatsTheMeanOnANoisySine) {
  TestRng rng(21);
  auto make = [&](size_t n) {
    Data d;
    d.rows = n;
    d.cols = 4;
    for (size_t r = 0; r < n; ++r) {
      const double x0 = rng.uniform() * 6 - 3;
      d.x.push_back(static_cast<float>(x0));
      for (int c = 1; c < 4; ++c) d.x.push_back(static_cast<float>(rng.uniform()));
      d.y.push_back(std::sin(x0) + 0.2 * (rng.uniform() - 0.5));
    }
    return d;
  };
  const Data tr = make(4000), te = make(2000);
  Params p;
  p.num_iterations = 200;
  const TrainResult r = train(tr.view(), nullptr, p);
  double mean = 0;
  for (double y : tr.y) mean += y;
  mean /= static_cast<double>(tr.rows);
  FlatEnsemble flat(r.ensemble);
  std::vector<double> pred(te.rows);
  flat.predict(te.x.data(), te.rows, te.cols, pred.data());
  double mse = 0, mse_mean = 0;
  for (size_t i = 0; i < te.rows; ++i) {
    mse += (pred[i] - te.y[i]) * (pred[i] - te.y[i]);
    mse_mean += (mean - te.y[i]) * (mean - te.y[i]);
  }
  // Noise variance is 0.2²/12 ≈ 0.0033 against a signal variance near 0.5.
  EXPECT_LT(mse, 0.03 * mse_mean);
  // And the signal feature is the one the trees use.
  EXPECT_GT(r.feature_gain[0], 10 * (r.feature_gain[1] + r.feature_gain[2] + r.feature_gain[3]));
}

// ---------------------------------------------------------------------------------
// Determinism and randomness

TEST(Train, SameSeedSameTreesAnyThreadCount) {
  // Big enough that histogram building, gradients and metrics all go parallel.
  const Data d = random_data(80000, 8, Objective::kBinary, 31);
  Params p;
  p.objective = Objective::kBinary;
  p.num_iterations = 15;
  // 0.9 keeps the bag above the size where leaves are partitioned in parallel.
  p.bagging_fraction = 0.9;
  p.bagging_freq = 2;
  p.feature_fraction = 0.75;
  p.seed = 77;
  p.num_threads = 1;
  const TrainResult a = train(d.view(), nullptr, p);
  const TrainResult b = train(d.view(), nullptr, p);
  p.num_threads = 2;
  const TrainResult c = train(d.view(), nullptr, p);
  p.num_threads = 3;
  const TrainResult e = train(d.view(), nullptr, p);
  expect_same_trees(a.ensemble, b.ensemble);
  expect_same_trees(a.ensemble, c.ensemble);
  expect_same_trees(a.ensemble, e.ensemble);
  EXPECT_EQ(a.train_metric, c.train_metric);
  EXPECT_EQ(a.feature_gain, c.feature_gain);
}

TEST(Train, SampleOverBinSampleLimitIsDeterministic) {
  // More rows than the binning sample: the boundaries come from the seeded sampler.
  const Data d = random_data(210000, 2, Objective::kSquaredError, 3);
  Params p;
  p.num_iterations = 3;
  p.num_threads = 2;
  const TrainResult a = train(d.view(), nullptr, p);
  p.num_threads = 1;
  const TrainResult b = train(d.view(), nullptr, p);
  expect_same_trees(a.ensemble, b.ensemble);
}

TEST(Train, SeedMattersOnlyWithRandomness) {
  const Data d = random_data(3000, 8, Objective::kSquaredError, 12);
  Params p;
  p.num_iterations = 20;
  p.seed = 1;
  const TrainResult plain1 = train(d.view(), nullptr, p);
  p.seed = 2;
  const TrainResult plain2 = train(d.view(), nullptr, p);
  expect_same_trees(plain1.ensemble, plain2.ensemble);

  Params bag = p;
  bag.bagging_fraction = 0.6;
  bag.bagging_freq = 1;
  bag.seed = 1;
  const TrainResult bag1 = train(d.view(), nullptr, bag);
  bag.seed = 2;
  const TrainResult bag2 = train(d.view(), nullptr, bag);
  EXPECT_FALSE(same_trees(bag1.ensemble, bag2.ensemble));
  EXPECT_FALSE(same_trees(bag1.ensemble, plain1.ensemble));

  Params ff = p;
  ff.feature_fraction = 0.5;
  ff.seed = 1;
  const TrainResult ff1 = train(d.view(), nullptr, ff);
  ff.seed = 2;
  const TrainResult ff2 = train(d.view(), nullptr, ff);
  EXPECT_FALSE(same_trees(ff1.ensemble, ff2.ensemble));
  // With half the features, each tree's splits use at most half of them (4 of 8).
  for (const Tree& t : ff1.ensemble.trees) {
    std::vector<int> used(t.feature.begin(), t.feature.end());
    std::sort(used.begin(), used.end());
    used.erase(std::unique(used.begin(), used.end()), used.end());
    EXPECT_LE(used.size(), 4u);
  }
}

// ---------------------------------------------------------------------------------
// Early stopping, progress, metrics

TEST(Train, EarlyStoppingTruncatesToTheBestIteration) {
  const Data tr = random_data(1500, 6, Objective::kSquaredError, 40);
  const Data va = random_data(800, 6, Objective::kSquaredError, 41);
  Params p;
  p.num_iterations = 500;
  p.learning_rate = 0.3;
  p.num_leaves = 63;
  p.min_data_in_leaf = 2;
  p.early_stopping_round = 10;
  const Dataset vview = va.view();
  const TrainResult s = train(tr.view(), &vview, p);
  ASSERT_LT(s.best_iteration, 500);
  EXPECT_EQ(s.ensemble.trees.size(), static_cast<size_t>(s.best_iteration));
  EXPECT_EQ(s.valid_metric.size(), static_cast<size_t>(s.best_iteration + 10));
  EXPECT_EQ(s.train_metric.size(), s.valid_metric.size());
  const double best = *std::min_element(s.valid_metric.begin(), s.valid_metric.end());
  EXPECT_EQ(s.valid_metric[s.best_iteration - 1], best);
  // The validation metric reported equals the RMSE of the truncated model.
  std::vector<double> raw(va.rows);
  for (size_t i = 0; i < va.rows; ++i)
    raw[i] = s.ensemble.predict_raw_reference(&va.x[i * va.cols]);
  EXPECT_NEAR(std::sqrt(mean_loss(Objective::kSquaredError, raw, va.y)), best, 1e-9);
}

TEST(Train, ProgressIsCalledAndCanStop) {
  const Data d = random_data(500, 3, Objective::kSquaredError, 2);
  Params p;
  p.num_iterations = 50;
  std::vector<int> seen;
  const TrainResult r = train(d.view(), nullptr, p, [&](int it, int total) {
    EXPECT_EQ(total, 50);
    seen.push_back(it);
    return it < 7;
  });
  EXPECT_EQ(seen, (std::vector<int>{1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(r.ensemble.trees.size(), 7u);
  EXPECT_EQ(r.best_iteration, 7);
}

TEST(Train, WeightsCountLikeRepeatedRows) {
  // A row of weight 2 must train exactly like the same row given twice.
  Data d = step_data(Objective::kSquaredError);
  Data twice = d;
  std::vector<double> w(d.rows, 1.0);
  for (size_t r = 0; r < d.rows; r += 3) {
    w[r] = 2.0;
    twice.x.insert(twice.x.end(), d.x.begin() + r * 2, d.x.begin() + r * 2 + 2);
    twice.y.push_back(d.y[r]);
  }
  twice.rows = twice.y.size();
  Params p = stump_params(Objective::kSquaredError);
  p.num_iterations = 3;
  Dataset wd = d.view();
  wd.weight = w.data();
  const TrainResult a = train(wd, nullptr, p);
  const TrainResult b = train(twice.view(), nullptr, p);
  ASSERT_EQ(a.ensemble.trees.size(), 3u);
  EXPECT_NEAR(a.ensemble.base_score, b.ensemble.base_score, 1e-12);
  for (size_t t = 0; t < 3; ++t) {
    ASSERT_EQ(a.ensemble.trees[t].leaf_value.size(), b.ensemble.trees[t].leaf_value.size());
    for (size_t l = 0; l < a.ensemble.trees[t].leaf_value.size(); ++l) {
      EXPECT_NEAR(a.ensemble.trees[t].leaf_value[l], b.ensemble.trees[t].leaf_value[l], 1e-6);
    }
  }
}

// ---------------------------------------------------------------------------------
// Input errors

TEST(Train, RejectsBadInput) {
  Data d = step_data(Objective::kSquaredError);
  Params p = stump_params(Objective::kSquaredError);
  auto message = [&](Dataset ds, const Params& params) -> std::string {
    try {
      train(ds, nullptr, params);
    } catch (const fc::Error& e) {
      return e.what();
    }
    return "";
  };
  Dataset ds = d.view();
  ds.rows = 0;
  EXPECT_NE(message(ds, p).find("no rows"), std::string::npos);
  ds = d.view();
  ds.cols = 0;
  EXPECT_NE(message(ds, p).find("no feature columns"), std::string::npos);

  Data bad = d;
  bad.y[4] = std::nan("");
  EXPECT_NE(message(bad.view(), p).find("row 5"), std::string::npos);

  bad = d;
  bad.y[2] = -1;
  Params pois = p;
  pois.objective = Objective::kPoisson;
  EXPECT_NE(message(bad.view(), pois).find("negative"), std::string::npos);

  bad = d;  // labels are 0 and 10
  Params bin = p;
  bin.objective = Objective::kBinary;
  EXPECT_NE(message(bad.view(), bin).find("0 or 1"), std::string::npos);

  Params wrong = p;
  wrong.num_leaves = 1;
  EXPECT_NE(message(d.view(), wrong).find("num_leaves"), std::string::npos);

  const Data other = random_data(10, 3, Objective::kSquaredError, 1);
  const Dataset ov = other.view();
  EXPECT_THROW(train(d.view(), &ov, p), fc::Error);
}

TEST(Train, ConstantFeaturesGiveSingleLeafTrees) {
  Data d;
  d.cols = 2;
  for (int i = 0; i < 50; ++i) {
    d.x.push_back(1.0f);
    d.x.push_back(kNaN);
    d.y.push_back(i % 2);
  }
  d.rows = d.y.size();
  Params p;
  p.num_iterations = 3;
  const TrainResult r = train(d.view(), nullptr, p);
  ASSERT_EQ(r.ensemble.trees.size(), 3u);
  for (const Tree& t : r.ensemble.trees) EXPECT_EQ(t.leaf_count(), 1u);
  EXPECT_NO_THROW(r.ensemble.validate());
  EXPECT_DOUBLE_EQ(r.ensemble.base_score, 0.5);
}

// ---------------------------------------------------------------------------------
// Ensemble::validate

Ensemble small_ensemble() {
  // root: x0 <= 1 ? node1 : leaf2; node1: x1 <= 0 ? leaf0 : leaf1
  Tree t;
  t.feature = {0, 1};
  t.threshold = {1.f, 0.f};
  t.default_left = {1, 0};
  t.left = {1, ~0};
  t.right = {~2, ~1};
  t.leaf_value = {-1.f, 0.5f, 2.f};
  t.leaf_cover = {3.f, 4.f, 5.f};
  Ensemble e;
  e.num_features = 2;
  e.trees = {t, t};
  return e;
}

std::string validate_message(const Ensemble& e) {
  try {
    e.validate();
  } catch (const fc::Error& err) {
    return err.what();
  }
  return "";
}

TEST(Validate, AcceptsAGoodEnsembleAndPredictsByHand) {
  const Ensemble e = small_ensemble();
  EXPECT_NO_THROW(e.validate());
  const float r1[] = {0.5f, -1.f}, r2[] = {0.5f, 1.f}, r3[] = {2.f, 0.f}, r4[] = {kNaN, kNaN};
  EXPECT_FLOAT_EQ(e.trees[0].predict_reference(r1), -1.f);
  EXPECT_FLOAT_EQ(e.trees[0].predict_reference(r2), 0.5f);
  EXPECT_FLOAT_EQ(e.trees[0].predict_reference(r3), 2.f);
  EXPECT_FLOAT_EQ(e.trees[0].predict_reference(r4), 0.5f);  // NaN: left, then right
}

TEST(Validate, RejectsOutOfRangeChild) {
  Ensemble e = small_ensemble();
  e.trees[1].left[1] = ~7;
  const std::string m = validate_message(e);
  EXPECT_NE(m.find("tree 1"), std::string::npos) << m;
  EXPECT_NE(m.find("node 1"), std::string::npos) << m;
  e = small_ensemble();
  e.trees[0].left[0] = 5;
  EXPECT_NE(validate_message(e).find("out of range"), std::string::npos);
}

TEST(Validate, RejectsACycle) {
  Ensemble e = small_ensemble();
  e.trees[0].left[1] = 0;  // node 1 points back to the root; leaf 0 becomes an orphan
  const std::string m = validate_message(e);
  EXPECT_NE(m.find("tree 0, node 1"), std::string::npos) << m;
  EXPECT_NE(m.find("more than once"), std::string::npos) << m;
  // The reference walk must not hang on it either.
  const float row[] = {0.f, -1.f};
  EXPECT_THROW(e.trees[0].predict_reference(row), fc::Error);
}

TEST(Validate, RejectsAnUnreachedNode) {
  Ensemble e = small_ensemble();
  // The root points straight at leaves 1 and 2; node 1 (and leaf 0 under it) is orphaned.
  e.trees[0].left[0] = ~1;
  e.trees[0].right[0] = ~2;
  e.trees[0].left[1] = ~0;
  e.trees[0].right[1] = ~0;
  const std::string m = validate_message(e);
  EXPECT_NE(m.find("tree 0, node 1"), std::string::npos) << m;
  EXPECT_NE(m.find("not reachable"), std::string::npos) << m;
}

TEST(Validate, RejectsNonFiniteValuesAndBadFeatures) {
  Ensemble e = small_ensemble();
  e.trees[1].threshold[0] = std::nanf("");
  std::string m = validate_message(e);
  EXPECT_NE(m.find("tree 1, node 0"), std::string::npos) << m;
  EXPECT_NE(m.find("threshold"), std::string::npos) << m;

  e = small_ensemble();
  e.trees[0].leaf_value[2] = std::numeric_limits<float>::infinity();
  EXPECT_NE(validate_message(e).find("leaf 2"), std::string::npos);

  e = small_ensemble();
  e.trees[0].feature[1] = 2;
  m = validate_message(e);
  EXPECT_NE(m.find("node 1"), std::string::npos) << m;
  EXPECT_NE(m.find("feature 2"), std::string::npos) << m;

  e = small_ensemble();
  e.trees[0].right.pop_back();
  EXPECT_NE(validate_message(e).find("tree 0"), std::string::npos);

  e = small_ensemble();
  e.trees[0].leaf_value.push_back(0.f);
  EXPECT_NE(validate_message(e).find("leaves"), std::string::npos);
}

// ---------------------------------------------------------------------------------
// Portable math

TEST(PortableMath, AgreesWithLibmToAFewUlps) {
  TestRng rng(123);
  for (int i = 0; i < 200000; ++i) {
    const double u = rng.uniform();
    const double x = (u * 2 - 1) * (i % 2 ? 700.0 : 3.0);
    EXPECT_NEAR(detail::exp(x), std::exp(x), 4e-16 * std::exp(x)) << x;
    const double y = std::ldexp(u + 0.5, i % 200 - 100);
    EXPECT_NEAR(detail::log(y), std::log(y), 4e-16 * std::max(1.0, std::abs(std::log(y)))) << y;
  }
  EXPECT_EQ(detail::exp(0.0), 1.0);
  EXPECT_EQ(detail::log(1.0), 0.0);
  EXPECT_EQ(detail::exp(-800.0), 0.0);
  EXPECT_TRUE(std::isinf(detail::exp(800.0)));
  EXPECT_TRUE(std::isinf(detail::log(0.0)));
  EXPECT_TRUE(std::isnan(detail::log(-1.0)));
  EXPECT_NEAR(detail::log(1e-310), std::log(1e-310), 1e-12);  // subnormal input
}

// ---------------------------------------------------------------------------------
// Params

std::string set_message(const std::string& key, const std::string& value) {
  Params p;
  try {
    p.set(key, value);
  } catch (const fc::Error& e) {
    return e.what();
  }
  return "";
}

TEST(Params, SetsLightGbmNamesAndAliases) {
  Params p;
  p.set("num_iterations", "120");
  EXPECT_EQ(p.num_iterations, 120);
  p.set("n_estimators", "80");
  EXPECT_EQ(p.num_iterations, 80);
  p.set("num_trees", "60");
  EXPECT_EQ(p.num_iterations, 60);
  p.set("eta", "0.2");
  EXPECT_DOUBLE_EQ(p.learning_rate, 0.2);
  p.set("reg_lambda", "1.5");
  EXPECT_DOUBLE_EQ(p.lambda_l2, 1.5);
  p.set("min_child_samples", "7");
  EXPECT_EQ(p.min_data_in_leaf, 7);
  p.set("subsample", "0.8");
  EXPECT_DOUBLE_EQ(p.bagging_fraction, 0.8);
  p.set("colsample_bytree", "0.5");
  EXPECT_DOUBLE_EQ(p.feature_fraction, 0.5);
  p.set("objective", "binary");
  EXPECT_EQ(p.objective, Objective::kBinary);
  p.set("objective", "l2");
  EXPECT_EQ(p.objective, Objective::kSquaredError);
  p.set("seed", "18446744073709551615");
  EXPECT_EQ(p.seed, UINT64_MAX);
  p.set("max_depth", "0");
  EXPECT_EQ(p.max_depth, -1);
  p.set("scale_pos_weight", "4");
  p.set("poisson_max_delta_step", "0.5");
  p.set("early_stopping_round", "25");
  p.set("bagging_freq", "3");
  p.set("max_bin", "63");
  p.set("min_sum_hessian_in_leaf", "0");
  p.set("min_gain_to_split", "0.01");
  p.set("num_threads", "2");
  EXPECT_NO_THROW(p.validate());
  EXPECT_EQ(p.max_bin, 63);
  EXPECT_EQ(p.num_threads, 2);
}

TEST(Params, RejectsBadKeysAndValues) {
  EXPECT_EQ(set_message("num_leaves", "abc"), "num_leaves: expected a whole number from 2 to 131072, found 'abc'");
  EXPECT_EQ(set_message("num_leaves", "1"), "num_leaves: expected a whole number from 2 to 131072, found '1'");
  EXPECT_NE(set_message("num_leaves", "31.5").find("num_leaves"), std::string::npos);
  EXPECT_NE(set_message("num_leaves", "").find("num_leaves"), std::string::npos);
  EXPECT_NE(set_message("eta", "fast").find("eta: expected a number > 0"), std::string::npos);
  EXPECT_NE(set_message("learning_rate", "0").find("learning_rate"), std::string::npos);
  EXPECT_NE(set_message("learning_rate", "nan").find("learning_rate"), std::string::npos);
  EXPECT_NE(set_message("bagging_fraction", "1.5").find("bagging_fraction"), std::string::npos);
  EXPECT_NE(set_message("max_bin", "256").find("max_bin"), std::string::npos);
  EXPECT_NE(set_message("seed", "-3").find("seed"), std::string::npos);
  EXPECT_NE(set_message("objective", "gamma").find("objective"), std::string::npos);
  const std::string unknown = set_message("num_leafs", "31");
  EXPECT_NE(unknown.find("num_leafs"), std::string::npos);
  EXPECT_NE(unknown.find("num_leaves"), std::string::npos);  // lists the known keys
  EXPECT_NE(unknown.find("learning_rate"), std::string::npos);

  Params p;
  p.num_leaves = 1;
  try {
    p.validate();
    FAIL() << "validate accepted num_leaves = 1";
  } catch (const fc::Error& e) {
    EXPECT_NE(std::string(e.what()).find("num_leaves"), std::string::npos);
  }
}

TEST(Params, JsonRoundTripWithoutThreads) {
  Params p;
  p.objective = Objective::kPoisson;
  p.num_iterations = 77;
  p.learning_rate = 0.125;
  p.num_leaves = 9;
  p.max_depth = 5;
  p.lambda_l2 = 2.5;
  p.bagging_fraction = 0.5;
  p.bagging_freq = 2;
  p.seed = 123456789012345ull;
  p.num_threads = 2;
  const nlohmann::json j = p.to_json();
  EXPECT_FALSE(j.contains("num_threads"));
  EXPECT_EQ(j.at("objective"), "poisson");
  const Params q = Params::from_json(j);
  EXPECT_EQ(q.to_json(), j);
  EXPECT_EQ(q.seed, p.seed);
  EXPECT_EQ(q.num_threads, 1);

  nlohmann::json bad = j;
  bad["num_leaves"] = "31";
  EXPECT_THROW(Params::from_json(bad), fc::Error);
  bad = j;
  bad["num_leaves"] = 1;
  EXPECT_THROW(Params::from_json(bad), fc::Error);
  bad = j;
  bad["learning_rate"] = nullptr;
  EXPECT_THROW(Params::from_json(bad), fc::Error);
  bad = j;
  bad["num_iterations"] = 10.5;
  EXPECT_THROW(Params::from_json(bad), fc::Error);
  bad = j;
  bad["mystery"] = 1;
  EXPECT_THROW(Params::from_json(bad), fc::Error);
  EXPECT_THROW(Params::from_json(nlohmann::json::array()), fc::Error);
  EXPECT_EQ(Params::from_json(nlohmann::json::object()).to_json(), Params{}.to_json());
}

TEST(Params, ObjectiveNames) {
  for (Objective o : {Objective::kSquaredError, Objective::kPoisson, Objective::kBinary}) {
    EXPECT_EQ(objective_from_string(to_string(o)), o);
  }
  EXPECT_EQ(objective_from_string("regression"), Objective::kSquaredError);
  EXPECT_EQ(objective_from_string("mse"), Objective::kSquaredError);
  EXPECT_THROW(objective_from_string("tweedie"), fc::Error);
}

}  // namespace
}  // namespace fc::gbdt
