// TreeSHAP (both implementations: leaf paths + quadrature, and the paper's recursive
// Algorithm 2) against a brute-force Shapley computation: every subset S of the features,
// v(S) = the cover-weighted expectation of the ensemble's raw score when the features
// outside S are unknown (both branches, weighted by their training cover) and those in S
// follow the row (NaN along default_left), and phi_i = sum over S without i of
// |S|! (M - |S| - 1)! / M! (v(S + i) - v(S)). On random small trees with repeated
// features, ties at thresholds, zero-cover leaves and missing values, and with categorical
// splits: category sets of different lengths on one path, unseen and non-category values.
#include "funnelcast/gbdt/shap.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "funnelcast/base/error.hpp"
#include "funnelcast/gbdt/train.hpp"

namespace fc::gbdt {
namespace {

constexpr float kMissing = std::numeric_limits<float>::quiet_NaN();

// Cover of a node or leaf (child encoding as in Tree), summed from the leaves.
double cover_of(const Tree& t, int32_t child) {
  if (child < 0) return t.leaf_cover[~child];
  return cover_of(t, t.left[child]) + cover_of(t, t.right[child]);
}

// E[tree | features in `known` (a bit mask) take the row's values].
double expectation(const Tree& t, int32_t child, const float* row, uint32_t known) {
  if (child < 0) return t.leaf_value[~child];
  const int32_t f = t.feature[child];
  if (known & (1u << f)) {
    // goes_left() is the reference predictor's own rule (numeric or categorical split).
    const bool left = t.goes_left(static_cast<size_t>(child), row[f]);
    return expectation(t, left ? t.left[child] : t.right[child], row, known);
  }
  const double cl = cover_of(t, t.left[child]), cr = cover_of(t, t.right[child]);
  double s = 0;
  if (cl > 0) s += cl * expectation(t, t.left[child], row, known);
  if (cr > 0) s += cr * expectation(t, t.right[child], row, known);
  return s / (cl + cr);
}

double value(const Ensemble& e, const float* row, uint32_t known) {
  double v = e.base_score;
  for (const Tree& t : e.trees)
    v += t.feature.empty() ? t.leaf_value[0] : expectation(t, 0, row, known);
  return v;
}

std::vector<double> brute_force_shap(const Ensemble& e, const float* row, double* expected) {
  const uint32_t m = e.num_features;
  std::vector<double> fact(m + 1, 1.0);
  for (uint32_t k = 1; k <= m; ++k) fact[k] = fact[k - 1] * k;
  std::vector<double> v(size_t{1} << m);
  for (uint32_t s = 0; s < v.size(); ++s) v[s] = value(e, row, s);
  std::vector<double> phi(m, 0.0);
  for (uint32_t i = 0; i < m; ++i) {
    for (uint32_t s = 0; s < v.size(); ++s) {
      if (s & (1u << i)) continue;
      const int size = __builtin_popcount(s);
      phi[i] += fact[size] * fact[m - size - 1] / fact[m] * (v[s | (1u << i)] - v[s]);
    }
  }
  *expected = v[0];
  return phi;
}

// Random tree: features from a few (so they repeat on a path), thresholds on a coarse
// grid (so rows hit them exactly), random default directions, some zero-cover leaves.
int32_t grow(Tree& t, std::mt19937& g, int depth, int max_depth, uint32_t nf) {
  if (depth > 0 && (depth >= max_depth || g() % 4 == 0)) {
    t.leaf_value.push_back(static_cast<float>(static_cast<int>(g() % 2001) - 1000) / 500.0f);
    t.leaf_cover.push_back(g() % 8 == 0 ? 0.0f : static_cast<float>(1 + g() % 100) / 10.0f);
    return ~static_cast<int32_t>(t.leaf_value.size() - 1);
  }
  const auto k = static_cast<int32_t>(t.feature.size());
  t.feature.push_back(static_cast<int32_t>(g() % nf));
  t.threshold.push_back(static_cast<float>(g() % 5) * 0.5f);
  t.default_left.push_back(static_cast<uint8_t>(g() % 2));
  t.left.push_back(0);
  t.right.push_back(0);
  const int32_t l = grow(t, g, depth + 1, max_depth, nf);
  t.left[k] = l;
  const int32_t r = grow(t, g, depth + 1, max_depth, nf);
  t.right[k] = r;
  return k;
}

// Turns some of t's splits into categorical ones (categories 0..63, one or two words per
// set). cat_features: a bit mask of the features that may get them; mixed: a feature may
// also keep numeric splits, so one path holds both kinds on it.
void make_categorical(Tree& t, std::mt19937& g, uint32_t cat_features, bool mixed) {
  t.cat_set.assign(t.internal_count(), -1);
  t.cat_begin = {0};
  t.cat_bits.clear();
  for (size_t k = 0; k < t.internal_count(); ++k) {
    if (!((cat_features >> t.feature[k]) & 1u)) continue;
    if (mixed && g() % 3 == 0) continue;
    t.threshold[k] = 0.0f;
    t.cat_set[k] = static_cast<int32_t>(t.cat_begin.size() - 1);
    const size_t words = 1 + g() % 2;
    for (size_t w = 0; w < words; ++w) t.cat_bits.push_back(static_cast<uint32_t>(g()));
    t.cat_begin.push_back(static_cast<uint32_t>(t.cat_bits.size()));
  }
}

Tree random_tree(std::mt19937& g, int max_depth, uint32_t nf) {
  for (;;) {
    Tree t;
    grow(t, g, 0, max_depth, nf);
    bool ok = true;
    for (size_t k = 0; k < t.feature.size(); ++k)
      ok = ok && cover_of(t, static_cast<int32_t>(k)) > 0;
    if (ok) return t;
  }
}

std::vector<float> random_rows(std::mt19937& g, size_t n, uint32_t nf) {
  std::vector<float> x(n * nf);
  for (float& v : x) v = g() % 5 == 0 ? kMissing : static_cast<float>(g() % 11) * 0.25f - 0.25f;
  return x;
}

// Rows for categorical features: categories inside and beyond the sets (0..79), and values
// that are no category (fractions, negatives), besides NaN.
std::vector<float> random_category_rows(std::mt19937& g, size_t n, uint32_t nf,
                                        uint32_t cat_features) {
  std::vector<float> x = random_rows(g, n, nf);
  for (size_t i = 0; i < x.size(); ++i) {
    if (!((cat_features >> (i % nf)) & 1u) || std::isnan(x[i])) continue;
    const uint32_t u = g() % 20;
    x[i] = u == 0 ? -1.0f : u == 1 ? 2.5f : static_cast<float>(g() % 80);
  }
  return x;
}

TEST(TreeShap, StumpByHand) {
  // x0 <= 1 -> 2 (cover 3), else -> 6 (cover 1): expected 3, a row going left gets
  // phi_0 = 2 - 3 = -1, a row going right +3; NaN goes right here.
  Ensemble e;
  e.num_features = 2;
  e.base_score = 0.5;
  Tree t;
  t.feature = {0};
  t.threshold = {1.0f};
  t.default_left = {0};
  t.left = {~0};
  t.right = {~1};
  t.leaf_value = {2.0f, 6.0f};
  t.leaf_cover = {3.0f, 1.0f};
  e.trees = {t};
  const TreeShap shap(e);
  EXPECT_DOUBLE_EQ(shap.expected_value(), 0.5 + 3.0);
  const float rows[6] = {0.5f, 9.0f, 4.0f, 9.0f, kMissing, 9.0f};
  double out[6];
  shap.explain(rows, 3, 2, out);
  EXPECT_NEAR(out[0], -1.0, 1e-15);
  EXPECT_EQ(out[1], 0.0);
  EXPECT_NEAR(out[2], 3.0, 1e-15);
  EXPECT_NEAR(out[4], 3.0, 1e-15);
  shap.explain_recursive(rows, 3, 2, out);
  EXPECT_DOUBLE_EQ(out[0], -1.0);
  EXPECT_DOUBLE_EQ(out[2], 3.0);
  EXPECT_DOUBLE_EQ(out[4], 3.0);
}

TEST(TreeShap, MatchesBruteForceShapleyValues) {
  std::mt19937 g(12345);
  int rows_checked = 0;
  for (int trial = 0; trial < 60; ++trial) {
    Ensemble e;
    e.objective = Objective::kBinary;
    e.num_features = 1 + g() % 8;
    e.base_score = (static_cast<int>(g() % 100) - 50) / 100.0;
    const int trees = 1 + static_cast<int>(g() % 4);
    for (int k = 0; k < trees; ++k) {
      if (g() % 10 == 0) {  // a single-leaf tree
        Tree leaf;
        leaf.leaf_value = {0.25f};
        e.trees.push_back(leaf);
        continue;
      }
      e.trees.push_back(random_tree(g, 2 + static_cast<int>(g() % 5), e.num_features));
    }
    const TreeShap shap(e);
    const size_t n = 12;
    const std::vector<float> x = random_rows(g, n, e.num_features);
    std::vector<double> fast(n * e.num_features), recursive(n * e.num_features);
    shap.explain(x.data(), n, e.num_features, fast.data());
    shap.explain_recursive(x.data(), n, e.num_features, recursive.data());
    for (size_t r = 0; r < n; ++r) {
      const float* row = x.data() + r * e.num_features;
      double expected = 0;
      const std::vector<double> ref = brute_force_shap(e, row, &expected);
      EXPECT_NEAR(shap.expected_value(), expected, 1e-9);
      double sum = shap.expected_value();
      for (uint32_t f = 0; f < e.num_features; ++f) {
        const size_t i = r * e.num_features + f;
        EXPECT_NEAR(fast[i], ref[f], 1e-9) << "trial " << trial << " row " << r;
        EXPECT_NEAR(recursive[i], ref[f], 1e-9) << "trial " << trial << " row " << r;
        sum += fast[i];
      }
      EXPECT_NEAR(sum, e.predict_raw_reference(row), 1e-9);
      ++rows_checked;
    }
  }
  EXPECT_EQ(rows_checked, 720);
}

TEST(TreeShap, MatchesBruteForceShapleyValuesWithCategoricalSplits) {
  std::mt19937 g(4242);
  int rows_checked = 0, categorical_nodes = 0;
  for (int trial = 0; trial < 60; ++trial) {
    Ensemble e;
    e.objective = Objective::kBinary;
    e.num_features = 1 + g() % 7;
    e.base_score = (static_cast<int>(g() % 100) - 50) / 100.0;
    const uint32_t cat_features = static_cast<uint32_t>(g()) | (trial % 4 == 0 ? ~0u : 0u);
    const bool mixed = trial % 2 == 1;
    const int trees = 1 + static_cast<int>(g() % 4);
    for (int k = 0; k < trees; ++k) {
      Tree t = random_tree(g, 2 + static_cast<int>(g() % 5), e.num_features);
      make_categorical(t, g, cat_features, mixed);
      for (size_t n = 0; n < t.internal_count(); ++n) categorical_nodes += t.is_categorical(n);
      e.trees.push_back(t);
    }
    ASSERT_NO_THROW(e.validate());
    const TreeShap shap(e);
    const size_t n = 12;
    const std::vector<float> x = random_category_rows(g, n, e.num_features, cat_features);
    std::vector<double> fast(n * e.num_features), recursive(n * e.num_features);
    shap.explain(x.data(), n, e.num_features, fast.data());
    shap.explain_recursive(x.data(), n, e.num_features, recursive.data());
    for (size_t r = 0; r < n; ++r) {
      const float* row = x.data() + r * e.num_features;
      double expected = 0;
      const std::vector<double> ref = brute_force_shap(e, row, &expected);
      EXPECT_NEAR(shap.expected_value(), expected, 1e-9);
      double sum = shap.expected_value();
      for (uint32_t f = 0; f < e.num_features; ++f) {
        const size_t i = r * e.num_features + f;
        EXPECT_NEAR(fast[i], ref[f], 1e-9) << "trial " << trial << " row " << r;
        EXPECT_NEAR(recursive[i], ref[f], 1e-9) << "trial " << trial << " row " << r;
        sum += fast[i];
      }
      EXPECT_NEAR(sum, e.predict_raw_reference(row), 1e-9);
      ++rows_checked;
    }
  }
  EXPECT_EQ(rows_checked, 720);
  EXPECT_GT(categorical_nodes, 200);
}

TEST(TreeShap, DeepTreesAgreeWithTheRecursiveWalk) {
  // Paths of up to 14 distinct features need quadrature rules up to 7 points; too many
  // features for brute force, so the two implementations check each other here.
  std::mt19937 g(99);
  for (int trial = 0; trial < 10; ++trial) {
    Ensemble e;
    e.num_features = 20;
    for (int k = 0; k < 5; ++k) e.trees.push_back(random_tree(g, 14, e.num_features));
    const TreeShap shap(e);
    const size_t n = 20;
    const std::vector<float> x = random_rows(g, n, e.num_features);
    std::vector<double> fast(n * 20), recursive(n * 20);
    shap.explain(x.data(), n, 20, fast.data());
    shap.explain_recursive(x.data(), n, 20, recursive.data());
    for (size_t r = 0; r < n; ++r) {
      double sum = shap.expected_value();
      for (size_t f = 0; f < 20; ++f) {
        EXPECT_NEAR(fast[r * 20 + f], recursive[r * 20 + f], 1e-9);
        sum += fast[r * 20 + f];
      }
      EXPECT_NEAR(sum, e.predict_raw_reference(x.data() + r * 20), 1e-9);
    }
  }
}

TEST(TreeShap, AddsUpOnATrainedEnsemble) {
  // A real binary model: 60 trees x 15 leaves on 10 features with missing values.
  std::mt19937 g(7);
  const size_t n = 3000, nf = 10;
  std::vector<float> x(n * nf);
  std::vector<double> y(n);
  for (size_t r = 0; r < n; ++r) {
    double s = 0;
    for (size_t f = 0; f < nf; ++f) {
      const float v = g() % 10 == 0 ? kMissing : static_cast<float>(g() % 1000) / 100.0f;
      x[r * nf + f] = v;
      if (!std::isnan(v)) s += (f % 3 == 0 ? 0.3 : -0.1) * v;
    }
    y[r] = s + static_cast<double>(g() % 100) / 20.0 > 2.5 ? 1.0 : 0.0;
  }
  Params p;
  p.objective = Objective::kBinary;
  p.num_iterations = 60;
  p.num_leaves = 15;
  p.learning_rate = 0.1;
  Dataset d;
  d.x = x.data();
  d.rows = n;
  d.cols = nf;
  d.y = y.data();
  const Ensemble e = train(d, nullptr, p).ensemble;
  const TreeShap shap(e);
  std::vector<double> out(n * nf), recursive(n * nf);
  shap.explain(x.data(), n, nf, out.data());
  shap.explain_recursive(x.data(), n, nf, recursive.data());
  double worst = 0, worst_twin = 0;
  for (size_t r = 0; r < n; ++r) {
    double sum = shap.expected_value();
    for (size_t f = 0; f < nf; ++f) {
      sum += out[r * nf + f];
      worst_twin = std::max(worst_twin, std::fabs(out[r * nf + f] - recursive[r * nf + f]));
    }
    worst = std::max(worst, std::fabs(sum - e.predict_raw_reference(x.data() + r * nf)));
  }
  EXPECT_LT(worst, 1e-5);
  EXPECT_LT(worst_twin, 1e-9);
  // The features the labels depend on most (0, 3, 6, 9) lead the global importance.
  const std::vector<double> imp = mean_abs_shap(out.data(), n, nf);
  for (size_t f : {0u, 3u, 6u, 9u}) {
    for (size_t other : {1u, 2u, 4u, 5u, 7u, 8u}) EXPECT_GT(imp[f], imp[other]);
  }
}

TEST(TreeShap, AddsUpOnATrainedCategoricalEnsemble) {
  // Binary labels from two categorical columns (12 and 40 categories, one with missing
  // values) and a number; rows to explain include unseen codes and non-codes.
  std::mt19937 g(17);
  const size_t n = 4000, nf = 4;
  std::vector<float> x(n * nf);
  std::vector<double> y(n);
  for (size_t r = 0; r < n; ++r) {
    const uint32_t a = g() % 12, b = g() % 40;
    x[r * nf + 0] = g() % 10 == 0 ? kMissing : static_cast<float>(a);
    x[r * nf + 1] = static_cast<float>(b);
    x[r * nf + 2] = static_cast<float>(g() % 1000) / 100.0f;
    x[r * nf + 3] = static_cast<float>(g() % 1000) / 100.0f;
    const double s = (a % 4 == 1 ? 1.0 : -0.4) + (b % 7 == 3 ? 1.5 : 0.0) + 0.2 * x[r * nf + 2];
    y[r] = s + static_cast<double>(g() % 100) / 40.0 > 2.0 ? 1.0 : 0.0;
  }
  const uint32_t counts[nf] = {12, 40, 0, 0};
  Params p;
  p.objective = Objective::kBinary;
  p.num_iterations = 40;
  p.num_leaves = 15;
  p.learning_rate = 0.1;
  p.min_data_per_group = 10;
  Dataset d;
  d.x = x.data();
  d.rows = n;
  d.cols = nf;
  d.y = y.data();
  d.category_counts = counts;
  const Ensemble e = train(d, nullptr, p).ensemble;
  size_t categorical = 0;
  for (const Tree& t : e.trees) {
    for (size_t k = 0; k < t.internal_count(); ++k) categorical += t.is_categorical(k);
  }
  ASSERT_GT(categorical, 40u);
  std::vector<float> rows(x.begin(), x.begin() + 1000 * nf);
  for (size_t r = 0; r < 1000; r += 5) rows[r * nf + (r / 5) % 2] = (r % 3 == 0) ? 77.0f : 1.5f;
  const size_t m = 1000;
  const TreeShap shap(e);
  std::vector<double> out(m * nf), recursive(m * nf);
  shap.explain(rows.data(), m, nf, out.data());
  shap.explain_recursive(rows.data(), m, nf, recursive.data());
  double worst = 0, worst_twin = 0;
  for (size_t r = 0; r < m; ++r) {
    double sum = shap.expected_value();
    for (size_t f = 0; f < nf; ++f) {
      sum += out[r * nf + f];
      worst_twin = std::max(worst_twin, std::fabs(out[r * nf + f] - recursive[r * nf + f]));
    }
    worst = std::max(worst, std::fabs(sum - e.predict_raw_reference(rows.data() + r * nf)));
  }
  EXPECT_LT(worst, 1e-5);
  EXPECT_LT(worst_twin, 1e-9);
  // The noise column (3) matters least.
  const std::vector<double> imp = mean_abs_shap(out.data(), m, nf);
  for (size_t f : {0u, 1u, 2u}) EXPECT_GT(imp[f], imp[3]);
}

TEST(TreeShap, MeanAbsByHand) {
  const double phi[6] = {1, -2, 0.5, -3, 4, 0};
  const std::vector<double> m = mean_abs_shap(phi, 3, 2);  // rows (1,-2) (.5,-3) (4,0)
  EXPECT_DOUBLE_EQ(m[0], 5.5 / 3);
  EXPECT_DOUBLE_EQ(m[1], 5.0 / 3);
  EXPECT_THROW(mean_abs_shap(phi, 0, 2), Error);
}

TEST(TreeShap, RefusesTreesItCannotExplain) {
  std::mt19937 g(1);
  Ensemble e;
  e.num_features = 3;
  e.trees.push_back(random_tree(g, 3, 3));
  EXPECT_NO_THROW(TreeShap{e});
  Ensemble no_cover = e;
  no_cover.trees[0].leaf_cover.clear();
  try {
    TreeShap s(no_cover);
    FAIL() << "expected an error";
  } catch (const Error& err) {
    EXPECT_NE(std::string(err.what()).find("no leaf cover"), std::string::npos);
  }
  Ensemble zero = e;
  for (float& c : zero.trees[0].leaf_cover) c = 0.0f;
  EXPECT_THROW(TreeShap{zero}, Error);
  Ensemble bad = e;
  bad.trees[0].feature[0] = 7;  // out of range: validate() refuses it
  EXPECT_THROW(TreeShap{bad}, Error);
  // A single-leaf tree needs no cover.
  Ensemble leaf;
  leaf.num_features = 1;
  leaf.trees.emplace_back();
  leaf.trees[0].leaf_value = {1.5f};
  const TreeShap s(leaf);
  EXPECT_DOUBLE_EQ(s.expected_value(), 1.5);
  // Rows closer together than a row's width.
  const float rows[2] = {1, 2};
  double out[2];
  EXPECT_THROW(TreeShap(e).explain(rows, 2, 1, out), Error);
  EXPECT_THROW(TreeShap(e).explain_recursive(rows, 2, 1, out), Error);
}

}  // namespace
}  // namespace fc::gbdt
