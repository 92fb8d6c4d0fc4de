// Tests for the gradient-boosting trainer and the flat inference engine. Expected
// values are worked out by hand (leaf values, thresholds, base scores) or by an
// independent method (the plain reference predictor, a direct loss computation).
#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstdio>
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
#include "../../core/src/gbdt/split.hpp"

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
    EXPECT_EQ(a.trees[t].cat_set, b.trees[t].cat_set);
    EXPECT_EQ(a.trees[t].cat_begin, b.trees[t].cat_begin);
    EXPECT_EQ(a.trees[t].cat_bits, b.trees[t].cat_bits);
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
  const TrainResult r = train(d.view(), nullptr, stump_params(Objective::kSquaredError), {}, Measures{true});
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
    const TrainResult r = train(d.view(), nullptr, p, {}, Measures{true});
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
    const TrainResult r = train(d.view(), nullptr, p, {}, Measures{true});
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
  const TrainResult a = train(d.view(), nullptr, p, {}, Measures{true});
  const TrainResult b = train(d.view(), nullptr, p, {}, Measures{true});
  p.num_threads = 2;
  const TrainResult c = train(d.view(), nullptr, p, {}, Measures{true});
  p.num_threads = 3;
  const TrainResult e = train(d.view(), nullptr, p, {}, Measures{true});
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
  const TrainResult s = train(tr.view(), &vview, p, {}, Measures{true});
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

// ---------------------------------------------------------------------------------
// Categorical features

// Column 0: category c in 0..9, `per` rows each; y = 1 for {2, 5, 7}, else 0. Column 1:
// numeric noise. With missing_y >= 0, 40 more rows have column 0 missing and y = missing_y.
Data category_data(int per, double missing_y) {
  Data d;
  d.cols = 2;
  TestRng rng(8);
  for (int c = 0; c < 10; ++c) {
    for (int k = 0; k < per; ++k) {
      d.x.push_back(static_cast<float>(c));
      d.x.push_back(static_cast<float>(rng.uniform()));
      d.y.push_back(c == 2 || c == 5 || c == 7 ? 1.0 : 0.0);
    }
  }
  for (int k = 0; missing_y >= 0 && k < 40; ++k) {
    d.x.push_back(kNaN);
    d.x.push_back(static_cast<float>(rng.uniform()));
    d.y.push_back(missing_y);
  }
  d.rows = d.y.size();
  return d;
}

Params category_stump_params() {
  Params p;
  p.num_iterations = 1;
  p.num_leaves = 2;
  p.learning_rate = 1.0;
  p.min_data_in_leaf = 5;
  p.min_data_per_group = 1;
  p.cat_l2 = 0;
  return p;
}

const uint32_t kTenCategories[2] = {10, 0};

TEST(Categorical, OneSplitSeparatesAHandKnownSet) {
  const Data d = category_data(30, -1);
  Dataset ds = d.view();
  ds.category_counts = kTenCategories;
  const TrainResult r = train(ds, nullptr, category_stump_params(), {}, Measures{true});
  const Tree& t = r.ensemble.trees[0];
  ASSERT_EQ(t.internal_count(), 1u);
  EXPECT_EQ(t.feature[0], 0);
  ASSERT_TRUE(t.is_categorical(0));
  EXPECT_EQ(t.threshold[0], 0.0f);
  // Squared error: the positive categories have the lowest g / (h + smooth), so the scan
  // from that end finds them first: bits 2, 5 and 7 of one word go left.
  EXPECT_EQ(t.cat_set, (std::vector<int32_t>{0}));
  EXPECT_EQ(t.cat_begin, (std::vector<uint32_t>{0, 1}));
  EXPECT_EQ(t.cat_bits, (std::vector<uint32_t>{(1u << 2) | (1u << 5) | (1u << 7)}));
  EXPECT_EQ(t.default_left[0], 0);  // no missing rows: missing goes right
  // base 0.3; left: 90 rows of y = 1 -> +0.7, right: 210 rows of y = 0 -> -0.3.
  EXPECT_DOUBLE_EQ(r.ensemble.base_score, 0.3);
  EXPECT_FLOAT_EQ(t.leaf_value[0], 0.7f);
  EXPECT_FLOAT_EQ(t.leaf_value[1], -0.3f);
  EXPECT_FLOAT_EQ(t.leaf_cover[0], 90.f);
  EXPECT_FLOAT_EQ(t.leaf_cover[1], 210.f);
  // Every training row is now predicted exactly (to float rounding).
  EXPECT_NEAR(r.train_metric.back(), 0.0, 1e-7);
  // Unseen and invalid codes, and missing values, go right with the negatives.
  for (float x : {10.0f, 11.0f, 31.0f, 32.0f, 1e9f, -1.0f, 2.5f, -0.5f, kNaN,
                  std::numeric_limits<float>::infinity()}) {
    const float row[2] = {x, 0.5f};
    EXPECT_FLOAT_EQ(t.predict_reference(row), -0.3f) << x;
  }
  const float two[2] = {2.0f, 0.5f}, minus_zero[2] = {-0.0f, 0.5f};
  EXPECT_FLOAT_EQ(t.predict_reference(two), 0.7f);
  EXPECT_FLOAT_EQ(t.predict_reference(minus_zero), -0.3f);  // category 0

  // The same codes as numbers: no threshold separates {2, 5, 7}, a stump leaves error.
  const TrainResult numeric = train(d.view(), nullptr, category_stump_params(), {}, Measures{true});
  EXPECT_FALSE(numeric.ensemble.trees[0].is_categorical(0));
  EXPECT_GT(numeric.train_metric.back(), 0.3);
}

TEST(Categorical, LearnsWhereMissingValuesGo) {
  for (double missing_y : {1.0, 0.0}) {
    SCOPED_TRACE(missing_y);
    const Data d = category_data(30, missing_y);
    Dataset ds = d.view();
    ds.category_counts = kTenCategories;
    const TrainResult r = train(ds, nullptr, category_stump_params(), {}, Measures{true});
    const Tree& t = r.ensemble.trees[0];
    ASSERT_TRUE(t.is_categorical(0));
    EXPECT_EQ(t.cat_bits, (std::vector<uint32_t>{(1u << 2) | (1u << 5) | (1u << 7)}));
    EXPECT_EQ(t.default_left[0], missing_y == 1.0 ? 1 : 0);
    EXPECT_NEAR(r.train_metric.back(), 0.0, 1e-7);
  }
}

TEST(Categorical, FewCategoriesSplitOneAgainstTheRest) {
  // Three categories (<= max_cat_to_onehot = 4): one-vs-rest. Category 1 stands out.
  Data d;
  d.cols = 1;
  for (int i = 0; i < 90; ++i) {
    d.x.push_back(static_cast<float>(i % 3));
    d.y.push_back(i % 3 == 1 ? 5.0 : (i % 3 == 0 ? 0.0 : 1.0));
  }
  d.rows = d.y.size();
  const uint32_t counts[1] = {3};
  Dataset ds = d.view();
  ds.category_counts = counts;
  Params p = category_stump_params();
  p.cat_smooth = 1000;  // would reorder nothing here; one-hot ignores it anyway
  const TrainResult r = train(ds, nullptr, p);
  const Tree& t = r.ensemble.trees[0];
  ASSERT_TRUE(t.is_categorical(0));
  EXPECT_EQ(t.cat_bits, (std::vector<uint32_t>{1u << 1}));
  EXPECT_FLOAT_EQ(t.leaf_value[0], static_cast<float>(5.0 - 2.0));  // mean 2
  EXPECT_FLOAT_EQ(t.leaf_value[1], static_cast<float>(0.5 - 2.0));
}

TEST(Categorical, LimitsOfTheSortedScan) {
  // Ten categories with y = c: the best partition is a prefix of the order. With at most
  // two categories left, the split takes the two most extreme at one end.
  Data d;
  d.cols = 1;
  for (int i = 0; i < 400; ++i) {
    d.x.push_back(static_cast<float>(i % 10));
    d.y.push_back(static_cast<double>(i % 10));
  }
  d.rows = d.y.size();
  Dataset ds = d.view();
  const uint32_t counts[1] = {10};
  ds.category_counts = counts;
  Params p = category_stump_params();
  p.max_cat_threshold = 2;
  TrainResult r = train(ds, nullptr, p);
  ASSERT_TRUE(r.ensemble.trees[0].is_categorical(0));
  const uint32_t bits = r.ensemble.trees[0].cat_bits[0];
  EXPECT_TRUE(bits == ((1u << 0) | (1u << 1)) || bits == ((1u << 8) | (1u << 9))) << bits;
  // min_data_per_group = 120 rows: candidates only every third category (40 rows each).
  p.max_cat_threshold = 32;
  p.min_data_per_group = 120;
  r = train(ds, nullptr, p);
  ASSERT_TRUE(r.ensemble.trees[0].is_categorical(0));
  EXPECT_EQ(__builtin_popcount(r.ensemble.trees[0].cat_bits[0]) % 3, 0);
  // Categories with fewer rows than cat_smooth are never scanned: none qualifies here.
  p.min_data_per_group = 1;
  p.cat_smooth = 41;
  r = train(ds, nullptr, p);
  EXPECT_EQ(r.ensemble.trees[0].internal_count(), 0u);
}

TEST(Categorical, ManyCategoriesKeepTheFrequentOnesAndPoolTheRest) {
  // 1000 categories, max_bin 16: the 15 most frequent (codes 100..114, 40 rows each) get
  // bins; 885 others appear once each and share the "other" bin, which always goes right.
  Data d;
  d.cols = 1;
  for (int c = 100; c < 115; ++c) {
    for (int k = 0; k < 40; ++k) {
      d.x.push_back(static_cast<float>(c));
      d.y.push_back(c % 2 == 0 ? 3.0 : 0.0);
    }
  }
  for (int c = 0; c < 1000; ++c) {
    if (c >= 100 && c < 115) continue;
    d.x.push_back(static_cast<float>(c));
    d.y.push_back(1.0);
  }
  d.rows = d.y.size();
  const uint32_t counts[1] = {1000};
  Dataset ds = d.view();
  ds.category_counts = counts;
  Params p = category_stump_params();
  p.max_bin = 16;
  const TrainResult r = train(ds, nullptr, p, {}, Measures{true});
  const Tree& t = r.ensemble.trees[0];
  ASSERT_TRUE(t.is_categorical(0));
  // Either end of the order: the even codes (y = 3) or the odd ones (y = 0) go left.
  std::vector<uint32_t> left;
  for (uint32_t c = 0; c < 32 * t.cat_bits.size(); ++c) {
    if ((t.cat_bits[c / 32] >> (c % 32)) & 1u) left.push_back(c);
  }
  EXPECT_TRUE(left == (std::vector<uint32_t>{100, 102, 104, 106, 108, 110, 112, 114}) ||
              left == (std::vector<uint32_t>{101, 103, 105, 107, 109, 111, 113}));
  EXPECT_EQ(t.cat_bits.size(), 4u);  // up to code 114: four words
  // A pooled category and an unseen one go right, as the trainer scored them.
  const float rare = 7.0f, unseen = 5000.0f;
  EXPECT_EQ(t.predict_reference(&rare), t.predict_reference(&unseen));
  const float frequent = left[0] == 100 ? 101.0f : 100.0f;
  EXPECT_EQ(t.predict_reference(&rare), t.predict_reference(&frequent));
  // The trainer's own scores (through bins) equal the model's predictions.
  std::vector<double> raw(d.rows);
  for (size_t i = 0; i < d.rows; ++i) raw[i] = r.ensemble.predict_raw_reference(&d.x[i]);
  EXPECT_NEAR(r.train_metric.back(), std::sqrt(mean_loss(Objective::kSquaredError, raw, d.y)),
              1e-9);
}

TEST(Categorical, RejectsCodesOutsideTheCategories) {
  Data d = category_data(30, -1);
  Params p = category_stump_params();
  auto message = [&](const Data& data, const uint32_t* counts) -> std::string {
    Dataset ds = data.view();
    ds.category_counts = counts;
    try {
      train(ds, nullptr, p);
    } catch (const fc::Error& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_EQ(message(d, kTenCategories), "");
  const uint32_t nine[2] = {9, 0};
  EXPECT_EQ(message(d, nine),
            "training data: column 1 is categorical with 9 categories (codes 0 to 8), but row "
            "271 holds 9.000000");
  Data bad = d;
  bad.x[2 * 4] = 2.5f;
  EXPECT_NE(message(bad, kTenCategories).find("row 5 holds 2.500000"), std::string::npos);
  bad.x[2 * 4] = -1.0f;
  EXPECT_NE(message(bad, kTenCategories).find("row 5 holds -1"), std::string::npos);
  bad.x[2 * 4] = std::numeric_limits<float>::infinity();
  EXPECT_NE(message(bad, kTenCategories).find("row 5"), std::string::npos);
  const uint32_t huge[2] = {kMaxCategories + 1, 0};
  EXPECT_NE(message(d, huge).find("at most 1048576"), std::string::npos);
  // A validation set shares the training set's categories.
  Dataset tr = d.view();
  tr.category_counts = kTenCategories;
  Data v = d;
  v.x[0] = 12.0f;
  Dataset vd = v.view();
  try {
    train(tr, &vd, p);
    ADD_FAILURE() << "accepted code 12 in the validation set";
  } catch (const fc::Error& e) {
    EXPECT_NE(std::string(e.what()).find("validation data: column 1"), std::string::npos);
  }
  vd = d.view();
  vd.category_counts = nine;
  EXPECT_THROW(train(tr, &vd, p), fc::Error);
  vd.category_counts = kTenCategories;
  EXPECT_NO_THROW(train(tr, &vd, p));
}

// Columns: 0 categorical (7 categories, missing), 1 categorical (300 categories > max_bin,
// long tail), 2..4 numeric; a binary label driven by both category effects and a number.
struct CategoricalTable {
  Data data;
  std::vector<uint32_t> counts;
};

CategoricalTable categorical_table(size_t rows, uint64_t seed) {
  CategoricalTable t;
  Data& d = t.data;
  d.rows = rows;
  d.cols = 5;
  t.counts = {7, 300, 0, 0, 0};
  TestRng rng(seed);
  std::vector<double> effect(300);
  for (double& e : effect) e = 3 * rng.uniform() - 1.5;
  for (size_t r = 0; r < rows; ++r) {
    const float c0 = rng.uniform() < 0.1 ? kNaN : static_cast<float>(std::floor(rng.uniform() * 7));
    // Squared uniform: small codes are frequent, large ones rare.
    const double u = rng.uniform();
    const float c1 = static_cast<float>(std::floor(u * u * 300));
    const float x2 = static_cast<float>(rng.uniform() * 4 - 2);
    d.x.push_back(c0);
    d.x.push_back(c1);
    d.x.push_back(x2);
    d.x.push_back(rng.uniform() < 0.1 ? kNaN : static_cast<float>(rng.uniform()));
    d.x.push_back(static_cast<float>(rng.uniform()));
    const double f = (std::isnan(c0) ? 0.5 : (static_cast<int>(c0) % 3 == 1 ? 1.0 : -0.5)) +
                     effect[static_cast<size_t>(c1)] + 0.5 * x2;
    d.y.push_back(rng.uniform() < 1.0 / (1.0 + std::exp(-f)) ? 1.0 : 0.0);
  }
  return t;
}

TEST(Categorical, FlatEngineEqualsTheReferenceOnUnseenAndMissingCodes) {
  const CategoricalTable table = categorical_table(5000, 3);
  Dataset ds = table.data.view();
  ds.category_counts = table.counts.data();
  Params p;
  p.objective = Objective::kBinary;
  p.num_iterations = 40;
  p.num_leaves = 15;
  p.learning_rate = 0.2;
  p.min_data_per_group = 20;
  const TrainResult r = train(ds, nullptr, p, {}, Measures{true});
  size_t cat_nodes = 0, num_nodes = 0, left_missing = 0;
  for (const Tree& t : r.ensemble.trees) {
    for (size_t k = 0; k < t.internal_count(); ++k) {
      if (t.is_categorical(k)) {
        ++cat_nodes;
        left_missing += t.default_left[k];
      } else {
        ++num_nodes;
      }
    }
  }
  EXPECT_GT(cat_nodes, 50u);
  EXPECT_GT(num_nodes, 50u);
  EXPECT_GT(left_missing, 0u);

  const size_t n = 10000;
  TestRng rng(4);
  std::vector<float> rows(n * 5);
  for (size_t i = 0; i < n; ++i) {
    float* row = &rows[i * 5];
    for (size_t c = 0; c < 5; ++c) {
      const double u = rng.uniform();
      if (u < 0.1) {
        row[c] = kNaN;
      } else if (c < 2 && u < 0.2) {
        // Unseen codes, codes past any bitset, and values that are no category at all.
        const float odd[] = {7, 8, 299, 300, 301, 1000, 1e7f, -1, -0.0f, 2.5f, 0.5f, 1e30f,
                             std::numeric_limits<float>::infinity()};
        row[c] = odd[static_cast<size_t>(rng.uniform() * 13)];
      } else if (c < 2) {
        row[c] = static_cast<float>(std::floor(rng.uniform() * table.counts[c]));
      } else {
        row[c] = static_cast<float>(rng.uniform() * 6 - 3);
      }
    }
  }
  const FlatEnsemble flat(r.ensemble);
  std::vector<double> raw(n), pred(n);
  flat.predict_raw(rows.data(), n, 5, raw.data());
  flat.predict(rows.data(), n, 5, pred.data());
  for (size_t i = 0; i < n; ++i) {
    const double ref = r.ensemble.predict_raw_reference(&rows[i * 5]);
    ASSERT_EQ(raw[i], ref) << "row " << i;  // summed in the same order: the same bits
    ASSERT_EQ(pred[i], r.ensemble.transform(ref)) << "row " << i;
  }
  EXPECT_EQ(flat.predict_one(&rows[0]), r.ensemble.transform(raw[0]));
  // The trainer's binned scores agree with the float model on the training rows.
  std::vector<double> train_raw(table.data.rows);
  for (size_t i = 0; i < table.data.rows; ++i) {
    train_raw[i] = r.ensemble.predict_raw_reference(&table.data.x[i * 5]);
  }
  EXPECT_NEAR(r.train_metric.back(), mean_loss(Objective::kBinary, train_raw, table.data.y),
              1e-9);
}

TEST(Categorical, SameSeedSameTreesAnyThreadCount) {
  // Large enough for parallel histograms and partitions.
  const CategoricalTable table = categorical_table(70000, 5);
  Dataset ds = table.data.view();
  ds.category_counts = table.counts.data();
  Params p;
  p.objective = Objective::kBinary;
  p.num_iterations = 8;
  p.bagging_fraction = 0.95;
  p.bagging_freq = 1;
  p.feature_fraction = 0.8;
  p.seed = 11;
  p.num_threads = 1;
  const TrainResult a = train(ds, nullptr, p, {}, Measures{true});
  p.num_threads = 2;
  const TrainResult b = train(ds, nullptr, p, {}, Measures{true});
  expect_same_trees(a.ensemble, b.ensemble);
  EXPECT_EQ(a.train_metric, b.train_metric);
  size_t cat_nodes = 0;
  for (const Tree& t : a.ensemble.trees) {
    for (size_t k = 0; k < t.internal_count(); ++k) cat_nodes += t.is_categorical(k);
  }
  EXPECT_GT(cat_nodes, 0u);
}

// ROC AUC by ranks (ties share the mean rank): the probability that a random positive
// scores above a random negative.
double auc(const std::vector<double>& score, const std::vector<double>& y) {
  std::vector<size_t> idx(score.size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return score[a] < score[b]; });
  double rank_sum = 0, pos = 0;
  for (size_t i = 0; i < idx.size();) {
    size_t j = i;
    while (j < idx.size() && score[idx[j]] == score[idx[i]]) ++j;
    const double mean_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;
    for (size_t k = i; k < j; ++k) {
      if (y[idx[k]] > 0.5) {
        rank_sum += mean_rank;
        pos += 1;
      }
    }
    i = j;
  }
  const double neg = static_cast<double>(y.size()) - pos;
  return (rank_sum - pos * (pos + 1) / 2) / (pos * neg);
}

TEST(Categorical, BeatsCodesAsNumbersOnAHighCardinalitySignal) {
  // 300 campaigns (more than max_bin, so the rarest share the "other" bin), frequencies
  // falling off as 1 / rank^0.5, 15% of them with a strong positive effect on the
  // log-odds of an imbalanced label, the rest a mild negative one; 20 rows per campaign
  // on average. Codes carry no order, so as numbers one campaign takes two splits to
  // isolate; as categories one split can gather all the good ones. Same parameters and
  // seed for both, AUC on 20,000 held-out rows, over three draws of the effects.
  constexpr size_t kCampaigns = 300;
  std::vector<double> cdf(kCampaigns);
  double total = 0;
  for (size_t k = 0; k < kCampaigns; ++k) cdf[k] = total += 1.0 / std::sqrt(k + 1.0);
  for (double& c : cdf) c /= total;
  auto make = [&](size_t rows, uint64_t seed, const std::vector<double>& effect) {
    Data d;
    d.rows = rows;
    d.cols = 3;
    TestRng rng(seed);
    for (size_t r = 0; r < rows; ++r) {
      const size_t c = std::min<size_t>(
          kCampaigns - 1, std::lower_bound(cdf.begin(), cdf.end(), rng.uniform()) - cdf.begin());
      const float x1 = static_cast<float>(rng.uniform() * 2 - 1);
      d.x.push_back(static_cast<float>(c));
      d.x.push_back(x1);
      d.x.push_back(static_cast<float>(rng.uniform()));
      const double f = -2.0 + effect[c] + 0.5 * x1;
      d.y.push_back(rng.uniform() < 1.0 / (1.0 + std::exp(-f)) ? 1.0 : 0.0);
    }
    return d;
  };
  Params p;
  p.objective = Objective::kBinary;
  p.num_iterations = 100;
  p.num_leaves = 15;
  p.learning_rate = 0.05;
  p.seed = 1;
  const uint32_t counts[3] = {kCampaigns, 0, 0};
  double margin_sum = 0;
  for (uint64_t draw = 1; draw <= 3; ++draw) {
    std::vector<double> effect(kCampaigns);
    TestRng erng(draw);
    for (double& e : effect) e = erng.uniform() < 0.15 ? 2.5 * erng.uniform() : -erng.uniform();
    const Data tr = make(6000, 22 + draw, effect), te = make(20000, 100 + draw, effect);
    Dataset native = tr.view();
    native.category_counts = counts;
    const TrainResult a = train(native, nullptr, p);
    const TrainResult b = train(tr.view(), nullptr, p);
    std::vector<double> sa(te.rows), sb(te.rows), truth(te.rows);
    for (size_t i = 0; i < te.rows; ++i) {
      sa[i] = a.ensemble.predict_raw_reference(&te.x[i * 3]);
      sb[i] = b.ensemble.predict_raw_reference(&te.x[i * 3]);
      truth[i] = effect[static_cast<size_t>(te.x[i * 3])] + 0.5 * te.x[i * 3 + 1];
    }
    const double auc_native = auc(sa, te.y), auc_numbers = auc(sb, te.y);
    std::printf("draw %d: AUC native %.4f, codes as numbers %.4f, true log-odds %.4f\n",
                static_cast<int>(draw), auc_native, auc_numbers, auc(truth, te.y));
    EXPECT_GT(auc_native, auc_numbers + 0.01) << "draw " << draw;
    margin_sum += auc_native - auc_numbers;
  }
  EXPECT_GT(margin_sum / 3, 0.02);
}

TEST(Params, CategoricalParametersAreSetCheckedAndWrittenOnlyWhenChanged) {
  Params p;
  EXPECT_EQ(p.cat_smooth, 10.0);
  EXPECT_EQ(p.cat_l2, 10.0);
  EXPECT_EQ(p.max_cat_threshold, 32);
  EXPECT_EQ(p.max_cat_to_onehot, 4);
  EXPECT_EQ(p.min_data_per_group, 100);
  const nlohmann::json defaults = p.to_json();
  for (const char* key :
       {"cat_smooth", "cat_l2", "max_cat_threshold", "max_cat_to_onehot", "min_data_per_group"}) {
    EXPECT_FALSE(defaults.contains(key)) << key;
  }
  p.set("cat_smooth", "5");
  p.set("cat_l2", "0");
  p.set("max_cat_threshold", "64");
  p.set("max_cat_to_onehot", "8");
  p.set("min_data_per_group", "50");
  const nlohmann::json j = p.to_json();
  EXPECT_EQ(j.at("cat_smooth"), 5.0);
  EXPECT_EQ(j.at("cat_l2"), 0.0);
  EXPECT_EQ(j.at("max_cat_threshold"), 64);
  EXPECT_EQ(j.at("max_cat_to_onehot"), 8);
  EXPECT_EQ(j.at("min_data_per_group"), 50);
  const Params q = Params::from_json(j);
  EXPECT_EQ(q.to_json(), j);
  EXPECT_EQ(q.min_data_per_group, 50);
  EXPECT_EQ(set_message("cat_smooth", "-1"), "cat_smooth: expected a number >= 0, found '-1'");
  EXPECT_EQ(set_message("max_cat_threshold", "0"),
            "max_cat_threshold: expected an integer from 1 to 255, found '0'");
  EXPECT_EQ(set_message("min_data_per_group", "0"),
            "min_data_per_group: expected an integer >= 1, found '0'");
  EXPECT_NE(set_message("max_cat_to_onehot", "x").find("max_cat_to_onehot"), std::string::npos);
  EXPECT_NE(set_message("nope", "1").find("min_data_per_group"), std::string::npos);
}

TEST(Validate, RejectsInconsistentCategoricalSplits) {
  Ensemble e = small_ensemble();
  Tree& t = e.trees[1];
  t.cat_set = {-1, 0};
  t.cat_begin = {0, 1};
  t.cat_bits = {0x5u};
  t.threshold[1] = 0.0f;
  EXPECT_EQ(validate_message(e), "");
  const float r1[] = {0.5f, 2.f}, r2[] = {0.5f, 1.f}, r3[] = {0.5f, 1.5f};
  EXPECT_FLOAT_EQ(t.predict_reference(r1), -1.f);  // category 2: in {0, 2}
  EXPECT_FLOAT_EQ(t.predict_reference(r2), 0.5f);
  EXPECT_FLOAT_EQ(t.predict_reference(r3), 0.5f);  // not a category
  auto broken = [&](auto change) {
    Ensemble b = e;
    change(b.trees[1]);
    return validate_message(b);
  };
  EXPECT_NE(broken([](Tree& x) { x.cat_set = {-1}; }).find("cat_set has 1 entries for 2"),
            std::string::npos);
  EXPECT_NE(broken([](Tree& x) { x.cat_set[1] = 1; }).find("node 1: category set 1 is out of range"),
            std::string::npos);
  EXPECT_NE(broken([](Tree& x) { x.cat_set[0] = -2; }).find("node 0: cat_set must be -1"),
            std::string::npos);
  EXPECT_NE(broken([](Tree& x) { x.cat_begin = {1, 1}; }).find("cat_begin must start at 0"),
            std::string::npos);
  EXPECT_NE(broken([](Tree& x) { x.cat_begin = {0, 2}; }).find("category sets end at word 2"),
            std::string::npos);
  EXPECT_NE(broken([](Tree& x) {
              x.cat_begin = {0, kMaxCategoryWords + 1};
              x.cat_bits.resize(kMaxCategoryWords + 1);
            }).find("bad extent"),
            std::string::npos);
  EXPECT_NE(broken([](Tree& x) { x.threshold[1] = 1.0f; }).find("must have threshold 0"),
            std::string::npos);
  EXPECT_NE(broken([](Tree& x) { x.cat_begin.clear(); }).find("without cat_begin"),
            std::string::npos);
  Ensemble bad = e;
  bad.trees[1].cat_set[1] = 3;
  EXPECT_THROW(FlatEnsemble{bad}, fc::Error);
}

}  // namespace
}  // namespace fc::gbdt

namespace fc::gbdt {
namespace {

TEST(Split, OccupiedBinScanByHand) {
  // Rows in bins 0 (g -4, 2 rows) and 3 (g +4, 2 rows) of 4, none missing, lambda 0:
  // the split after bin 0 gains 16/2 + 16/2 - 0 = 16; bins 1 and 2 are empty and give the
  // same partition, which never replaces the first.
  detail::FeatureBins bins;
  bins.nb = 4;
  std::vector<detail::HistBin> hist = {{-4, 2, 2}, {0, 0, 0}, {0, 0, 0}, {4, 2, 2}, {0, 0, 0}};
  Params p;
  p.lambda_l2 = 0;
  p.min_data_in_leaf = 1;
  p.min_sum_hessian_in_leaf = 0;
  p.min_gain_to_split = 0;
  const detail::LeafSums leaf{0, 4, 4};
  const uint64_t occupied[4] = {(1u << 0) | (1u << 3), 0, 0, 0};
  for (const uint64_t* mask : {static_cast<const uint64_t*>(nullptr), occupied}) {
    detail::Split s;
    detail::find_best_split(bins, p, leaf, hist.data(), 7, s, mask);
    EXPECT_EQ(s.feature, 7);
    EXPECT_EQ(s.bin, 0u);
    EXPECT_DOUBLE_EQ(s.gain, 16.0);
    EXPECT_EQ(s.lc, 2.0);
  }
}

TEST(Split, OccupiedBinScanEqualsTheFullScan) {
  // Random sparse histograms, with and without missing rows, at several min_data limits:
  // the scan over the occupied bins (or a superset) finds exactly the full scan's split.
  random::Rng rng(7);
  for (int trial = 0; trial < 3000; ++trial) {
    detail::FeatureBins bins;
    bins.nb = 2 + static_cast<uint32_t>(rng.below(254));
    std::vector<detail::HistBin> hist(bins.nb + 1, detail::HistBin{0, 0, 0});
    uint64_t occupied[4] = {0, 0, 0, 0}, superset[4] = {0, 0, 0, 0};
    const size_t rows = 1 + rng.below(120);
    const bool missing = rng.below(2) == 0;
    detail::LeafSums leaf{0, 0, 0};
    for (size_t r = 0; r < rows; ++r) {
      const uint32_t b = missing && rng.below(8) == 0 ? bins.nb : static_cast<uint32_t>(rng.below(bins.nb));
      const double g = rng.uniform() * 2 - 1, h = trial % 2 ? 1.0 : 0.1 + rng.uniform();
      hist[b].g += g;
      hist[b].h += h;
      hist[b].c += 1;
      leaf.g += g;
      leaf.h += h;
      leaf.c += 1;
      occupied[b >> 6] |= uint64_t{1} << (b & 63u);
    }
    for (int w = 0; w < 4; ++w) superset[w] = occupied[w] | (uint64_t{0x9249249249249249} << (trial % 3));
    Params p;
    p.min_data_in_leaf = static_cast<int>(rng.below(25));
    p.lambda_l2 = trial % 3 ? 1.0 : 0.0;
    detail::Split full, sparse, wide;
    detail::find_best_split(bins, p, leaf, hist.data(), 3, full);
    detail::find_best_split(bins, p, leaf, hist.data(), 3, sparse, occupied);
    detail::find_best_split(bins, p, leaf, hist.data(), 3, wide, superset);
    for (const detail::Split* s : {&sparse, &wide}) {
      ASSERT_EQ(s->feature, full.feature) << trial;
      ASSERT_EQ(s->bin, full.bin) << trial;
      ASSERT_EQ(s->default_left, full.default_left) << trial;
      ASSERT_EQ(s->gain, full.gain) << trial;
      ASSERT_EQ(s->lg, full.lg) << trial;
      ASSERT_EQ(s->rh, full.rh) << trial;
    }
  }
}

}  // namespace
}  // namespace fc::gbdt
