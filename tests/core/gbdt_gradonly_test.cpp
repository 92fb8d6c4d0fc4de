// Twin tests for training without the training metric: the gradient pass no longer sums
// the loss (the metric is a separate loss() pass, run only when Measures asks for it), and
// must give the bits the fused gradient-and-loss pass gave, so every tree, and every model
// file, is the same byte for byte whether or not the metric was asked for.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "funnelcast/base/math.hpp"
#include "funnelcast/gbdt/objective.hpp"
#include "funnelcast/gbdt/params.hpp"
#include "funnelcast/gbdt/train.hpp"
#include "funnelcast/gbdt/tree.hpp"
#include "test_support.hpp"

namespace fc::gbdt {
namespace gradonly {

using fc::testing::uniform01;

// The ensemble as bytes, field by field in a fixed order: equal bytes are equal models
// (the model file writes these same arrays after a header that does not depend on them).
template <class T>
void append(std::string& out, const std::vector<T>& v) {
  const uint64_t n = v.size();
  out.append(reinterpret_cast<const char*>(&n), sizeof n);
  if (n) out.append(reinterpret_cast<const char*>(v.data()), n * sizeof(T));
}

std::string ensemble_bytes(const Ensemble& e) {
  std::string out;
  out.push_back(static_cast<char>(e.objective));
  out.append(reinterpret_cast<const char*>(&e.num_features), sizeof e.num_features);
  out.append(reinterpret_cast<const char*>(&e.base_score), sizeof e.base_score);
  for (const Tree& t : e.trees) {
    append(out, t.feature);
    append(out, t.threshold);
    append(out, t.default_left);
    append(out, t.left);
    append(out, t.right);
    append(out, t.leaf_value);
    append(out, t.leaf_cover);
    append(out, t.cat_set);
    append(out, t.cat_begin);
    append(out, t.cat_bits);
  }
  return out;
}

// A label the objective accepts, from a raw score.
double label_for(Objective o, double f, double u) {
  switch (o) {
    case Objective::kBinary:
      return u < 1.0 / (1.0 + std::exp(-2 * f)) ? 1.0 : 0.0;
    case Objective::kPoisson:
      return std::floor(std::exp(0.5 * f) * 3 * u);
    default:
      return f + (u - 0.5);
  }
}

struct TwinData {
  size_t rows = 0, cols = 0;
  std::vector<float> x;
  std::vector<double> y, w;
  std::vector<uint32_t> categories;  // column 3 categorical (7 codes), the rest numeric
  Dataset view(bool weighted, bool categorical) const {
    return Dataset{x.data(), rows, cols, y.data(), weighted ? w.data() : nullptr,
                   categorical ? categories.data() : nullptr};
  }
};

// Numeric columns with missing values, one whole-number column usable as a category, and a
// label depending on several of them.
TwinData twin_data(size_t rows, Objective o, uint64_t seed) {
  TwinData d;
  d.rows = rows;
  d.cols = 5;
  d.x.resize(rows * d.cols);
  d.y.resize(rows);
  d.w.resize(rows);
  d.categories = {0, 0, 0, 7, 0};
  uint64_t k = seed * 1000003;
  for (size_t r = 0; r < rows; ++r) {
    float* row = d.x.data() + r * d.cols;
    for (size_t c = 0; c < d.cols; ++c) {
      row[c] = c == 3 ? static_cast<float>(std::floor(uniform01(k++) * 7))
                      : static_cast<float>(uniform01(k++) * 4 - 2);
      if (c != 3 && uniform01(k++) < 0.08) row[c] = std::numeric_limits<float>::quiet_NaN();
    }
    const double f = (std::isnan(row[0]) ? 0.6 : std::sin(2 * row[0])) +
                     (std::isnan(row[1]) ? -0.4 : 0.5 * row[1]) + 0.25 * (row[3] - 3);
    d.y[r] = label_for(o, f, uniform01(k++));
    d.w[r] = 0.25 + 2 * uniform01(k++);
  }
  return d;
}

Params twin_params(Objective o) {
  Params p;
  p.objective = o;
  p.num_iterations = 25;
  p.learning_rate = 0.2;
  p.num_leaves = 15;
  p.min_data_in_leaf = 5;
  p.seed = 7;
  p.scale_pos_weight = o == Objective::kBinary ? 2.5 : 1.0;
  return p;
}

struct Twin {
  TrainResult with_metric, without;
};

Twin train_twice(const Dataset& d, const Dataset* v, const Params& p) {
  return {train(d, v, p, {}, Measures{true}), train(d, v, p)};
}

void expect_same_model(const Twin& t) {
  EXPECT_EQ(ensemble_bytes(t.with_metric.ensemble), ensemble_bytes(t.without.ensemble));
  EXPECT_EQ(t.with_metric.best_iteration, t.without.best_iteration);
  EXPECT_EQ(t.with_metric.valid_metric, t.without.valid_metric);
  EXPECT_EQ(t.with_metric.feature_gain, t.without.feature_gain);
  // The metric only where it was asked for: one per tree grown.
  EXPECT_TRUE(t.without.train_metric.empty());
  EXPECT_FALSE(t.with_metric.train_metric.empty());
  for (double m : t.with_metric.train_metric) EXPECT_TRUE(std::isfinite(m));
}

const Objective kTwinObjectives[] = {Objective::kSquaredError, Objective::kPoisson, Objective::kBinary};

TEST(GradOnly, SameModelBytesPlain) {
  for (Objective o : kTwinObjectives) {
    SCOPED_TRACE(to_string(o));
    const TwinData d = twin_data(3000, o, 1);
    const Params p = twin_params(o);
    const Twin t = train_twice(d.view(false, false), nullptr, p);
    expect_same_model(t);
    EXPECT_EQ(t.with_metric.train_metric.size(), static_cast<size_t>(p.num_iterations));
    EXPECT_EQ(t.without.ensemble.trees.size(), static_cast<size_t>(p.num_iterations));
  }
}

TEST(GradOnly, SameModelBytesWeightedBaggedCategorical) {
  for (Objective o : kTwinObjectives) {
    SCOPED_TRACE(to_string(o));
    const TwinData d = twin_data(3000, o, 2);
    Params p = twin_params(o);
    p.bagging_fraction = 0.7;
    p.bagging_freq = 2;
    p.feature_fraction = 0.8;
    expect_same_model(train_twice(d.view(true, true), nullptr, p));
  }
}

TEST(GradOnly, SameModelBytesWithEarlyStopping) {
  for (Objective o : kTwinObjectives) {
    SCOPED_TRACE(to_string(o));
    const TwinData d = twin_data(2500, o, 3), v = twin_data(800, o, 4);
    Params p = twin_params(o);
    p.num_iterations = 200;
    p.learning_rate = 0.5;
    p.early_stopping_round = 5;
    const Dataset vd = v.view(false, false);
    const Twin t = train_twice(d.view(false, false), &vd, p);
    expect_same_model(t);
    EXPECT_EQ(t.with_metric.train_metric.size(), t.with_metric.valid_metric.size());
  }
}

// Enough rows that the gradient pass runs in parallel chunks on two threads.
TEST(GradOnly, SameModelBytesOnTwoThreads) {
  const TwinData d = twin_data(70000, Objective::kBinary, 5);
  Params p = twin_params(Objective::kBinary);
  p.num_iterations = 8;
  p.num_threads = 2;
  const Twin t = train_twice(d.view(true, false), nullptr, p);
  expect_same_model(t);
  p.num_threads = 1;
  EXPECT_EQ(ensemble_bytes(train(d.view(true, false), nullptr, p).ensemble), ensemble_bytes(t.without.ensemble));
}

// Raw scores from 0 and the tiniest to beyond exp's range, both signs.
std::vector<double> extreme_scores() {
  std::vector<double> f = {0.0, -0.0, 1e-300, -1e-300, 1e-12, -1e-12, 0.5, -0.5, 3, -3, 30, -30,
                           40, -40, 700, -700, 710, -710, 800, -800, 1e300, -1e300};
  for (uint64_t i = 0; i < 2000; ++i) f.push_back((uniform01(i) - 0.5) * (i % 3 == 0 ? 80 : 8));
  return f;
}

// The gradient pair as the fused gradient-and-loss pass computed it before the loss left
// it (the objectives' formulas at 5ed8839, with the library's own exp).
GradPair fused_pair(Objective o, double f, double y, double w, const Params& p) {
  switch (o) {
    case Objective::kBinary: {
      const double e = fc::math::exp(-std::abs(f));
      const double one_e = 1.0 + e, inv = 1.0 / one_e;
      const double pr = f >= 0 ? inv : e * inv;
      const double wp = y > 0.5 ? w * p.scale_pos_weight : w;
      return {(pr - y) * wp, std::max(pr * (1.0 - pr), 1e-16) * wp};
    }
    case Objective::kPoisson: {
      const double mu = fc::math::exp(f);
      return {(mu - y) * w, mu * fc::math::exp(p.poisson_max_delta_step) * w};
    }
    default:
      return {(f - y) * w, w};
  }
}

// Every built-in objective, weighted and not: gradients() gives the bits of the fused pass.
TEST(GradOnly, SameGradientBitsAsTheFusedPass) {
  const std::vector<double> f = extreme_scores();
  const size_t n = f.size();
  std::vector<double> w(n);
  for (size_t i = 0; i < n; ++i) w[i] = 0.1 + 3 * uniform01(i + 77777);
  for (Objective id : kTwinObjectives) {
    const ObjectiveFunction& o = objective_function(id);
    SCOPED_TRACE(o.name());
    std::vector<double> y(n);
    for (size_t i = 0; i < n; ++i) y[i] = label_for(id, std::tanh(f[i]), uniform01(i + 5555));
    Params p;
    p.objective = id;
    p.scale_pos_weight = 1.75;
    for (const double* wp : {static_cast<const double*>(nullptr), static_cast<const double*>(w.data())}) {
      std::vector<GradPair> got(n);
      o.gradients(f.data(), y.data(), wp, n, p, got.data());
      for (size_t i = 0; i < n; ++i) {
        const GradPair want = fused_pair(id, f[i], y[i], wp ? wp[i] : 1.0, p);
        ASSERT_EQ(std::memcmp(&got[i], &want, sizeof(GradPair)), 0)
            << "row " << i << ": f " << f[i] << ", y " << y[i] << (wp ? ", weighted" : "");
      }
    }
  }
}

}  // namespace gradonly
}  // namespace fc::gbdt
