// The flat engine's coded path (native: categorical values turned into category numbers,
// sets in the nodes, missing-left numeric nodes mirrored) against the reference predictor,
// to the last bit, on random trees and awkward values; and the models it must leave alone.
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "funnelcast/gbdt/engine.hpp"
#include "funnelcast/gbdt/tree.hpp"

namespace {

using fc::gbdt::Ensemble;
using fc::gbdt::FlatEnsemble;
using fc::gbdt::Objective;
using fc::gbdt::Tree;

struct CodedRng {
  uint64_t s;
  explicit CodedRng(uint64_t seed) : s(seed * 0x9e3779b97f4a7c15ull + 7) {}
  double uniform() {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<double>(s >> 11) * 0x1.0p-53;
  }
  uint32_t below(uint32_t n) { return static_cast<uint32_t>(uniform() * n); }
};

const float kNaN = std::numeric_limits<float>::quiet_NaN();
const float kThresholds[] = {0.0f, -0.0f, 1.0f, -1.0f, 2.5f, FLT_MAX, -FLT_MAX, FLT_MIN, 1e-42f};

// A random tree of up to `depth` levels; features below `categorical` are categorical, with
// sets drawn from categories 0 to `top`.
struct TreeMaker {
  CodedRng& rng;
  uint32_t features, categorical, top, depth;
  Tree t;
  int32_t grow(uint32_t level) {
    if (level == depth || (level > 0 && rng.uniform() < 0.25)) {
      t.leaf_value.push_back(static_cast<float>(rng.uniform() - 0.5));
      t.leaf_cover.push_back(1.0f);
      return ~static_cast<int32_t>(t.leaf_value.size() - 1);
    }
    const auto k = static_cast<int32_t>(t.feature.size());
    const uint32_t f = rng.below(features);
    t.feature.push_back(static_cast<int32_t>(f));
    t.default_left.push_back(rng.uniform() < 0.5 ? 1 : 0);
    t.left.push_back(0);
    t.right.push_back(0);
    if (f < categorical) {
      t.threshold.push_back(0.0f);
      uint32_t bits = 0;
      for (uint32_t c = 0; c <= top; ++c)
        if (rng.uniform() < 0.4) bits |= 1u << c;
      t.cat_set.push_back(static_cast<int32_t>(t.cat_begin.size() - 1));
      t.cat_bits.push_back(bits);
      t.cat_begin.push_back(static_cast<uint32_t>(t.cat_bits.size()));
    } else {
      const bool listed = rng.uniform() < 0.3;
      t.threshold.push_back(listed ? kThresholds[rng.below(9)] : static_cast<float>(rng.uniform() * 6 - 3));
      t.cat_set.push_back(-1);
    }
    const int32_t l = grow(level + 1), r = grow(level + 1);
    t.left[static_cast<size_t>(k)] = l;
    t.right[static_cast<size_t>(k)] = r;
    return k;
  }
  Tree make() {
    t = Tree{};
    t.cat_begin.push_back(0);
    grow(0);
    bool any = false;
    for (int32_t s : t.cat_set) any = any || s >= 0;
    if (!any) {
      t.cat_set.clear();
      t.cat_begin.clear();
    }
    return t;
  }
};

Ensemble random_ensemble(uint64_t seed, uint32_t features, uint32_t categorical, uint32_t top) {
  CodedRng rng(seed);
  TreeMaker maker{rng, features, categorical, top, 9, {}};
  Ensemble e;
  e.objective = Objective::kBinary;
  e.num_features = features;
  e.base_score = -0.25;
  for (int i = 0; i < 60; ++i) e.trees.push_back(maker.make());
  return e;
}

// Rows of every kind of value: categories in and past the sets, 31, non-integers,
// negatives, -0, infinities, NaN, and numbers at and beside the thresholds.
std::vector<float> awkward_rows(uint64_t seed, size_t n, uint32_t features, uint32_t categorical) {
  CodedRng rng(seed);
  const float odd[] = {31.0f, 30.0f, 32.0f, 33.0f, -1.0f, -0.0f, 0.5f, 2.5f, 1e9f, -1e30f,
                       std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                       FLT_MAX, -FLT_MAX, FLT_MIN, 1e-42f, kNaN};
  std::vector<float> rows(n * features);
  for (size_t i = 0; i < n; ++i) {
    for (uint32_t c = 0; c < features; ++c) {
      const double u = rng.uniform();
      float& x = rows[i * features + c];
      if (u < 0.15) {
        x = kNaN;
      } else if (u < 0.3) {
        x = odd[rng.below(17)];
      } else if (u < 0.4) {
        const float t = kThresholds[rng.below(9)];
        const float beside[] = {t, std::nextafter(t, INFINITY), std::nextafter(t, -INFINITY)};
        x = beside[rng.below(3)];
      } else if (c < categorical) {
        x = static_cast<float>(rng.below(31));
      } else {
        x = static_cast<float>(rng.uniform() * 6 - 3);
      }
    }
  }
  return rows;
}

void expect_same_bits(const Ensemble& e, const std::vector<float>& rows, size_t n, size_t stride) {
  const FlatEnsemble flat(e);
  std::vector<double> raw(n);
  flat.predict_raw(rows.data(), n, stride, raw.data());
  for (size_t i = 0; i < n; ++i) {
    const double ref = e.predict_raw_reference(&rows[i * stride]);
    ASSERT_EQ(std::memcmp(&raw[i], &ref, sizeof ref), 0) << "row " << i << ": " << raw[i] << " vs " << ref;
  }
}

TEST(EngineCoded, RandomCategoricalModelsEqualTheReferenceToTheBit) {
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    // Categories 0 to 30: the coded path.
    const Ensemble e = random_ensemble(seed, 6, 3, 30);
    ASSERT_NO_THROW(e.validate());
    EXPECT_TRUE(FlatEnsemble(e).categories_coded()) << seed;
    // 1,001 rows: 15 blocks of 64 and a tail, the last block of 4 rows short.
    const size_t n = 1001;
    expect_same_bits(e, awkward_rows(seed + 100, n, 6, 3), n, 6);
  }
}

TEST(EngineCoded, WiderRowsThanTheModelReads) {
  // The caller's stride may exceed the features the model knows of.
  const Ensemble e = random_ensemble(9, 5, 2, 20);
  ASSERT_TRUE(FlatEnsemble(e).categories_coded());
  const size_t n = 300, stride = 8;
  const std::vector<float> narrow = awkward_rows(10, n, 5, 2);
  std::vector<float> wide(n * stride, 123.0f);
  for (size_t i = 0; i < n; ++i)
    for (size_t c = 0; c < 5; ++c) wide[i * stride + c] = narrow[i * 5 + c];
  expect_same_bits(e, wide, n, stride);
}

TEST(EngineCoded, ModelsOutsideTheCodedPathStillEqualTheReference) {
  // Category 31 in a set, a set of two words, and a feature read both ways: the plain loop.
  Ensemble with31 = random_ensemble(11, 6, 3, 31);
  bool has31 = false;
  for (const Tree& t : with31.trees)
    for (uint32_t w : t.cat_bits) has31 = has31 || (w >> 31) != 0;
  ASSERT_TRUE(has31);
  EXPECT_FALSE(FlatEnsemble(with31).categories_coded());
  expect_same_bits(with31, awkward_rows(12, 500, 6, 3), 500, 6);

  Ensemble wide = random_ensemble(13, 6, 3, 30);
  for (Tree& t : wide.trees) {
    if (t.cat_begin.empty()) continue;
    // Every set gets a second word: category 40 joins it.
    std::vector<uint32_t> bits;
    std::vector<uint32_t> begin{0};
    for (size_t s = 0; s + 1 < t.cat_begin.size(); ++s) {
      bits.push_back(t.cat_bits[t.cat_begin[s]]);
      bits.push_back(1u << 8);
      begin.push_back(static_cast<uint32_t>(bits.size()));
    }
    t.cat_bits = bits;
    t.cat_begin = begin;
  }
  ASSERT_NO_THROW(wide.validate());
  EXPECT_FALSE(FlatEnsemble(wide).categories_coded());
  std::vector<float> rows = awkward_rows(14, 500, 6, 3);
  for (size_t i = 0; i < rows.size(); i += 7) rows[i] = 40.0f;
  expect_same_bits(wide, rows, 500, 6);

  Ensemble mixed = random_ensemble(15, 6, 3, 30);
  for (Tree& t : mixed.trees)  // feature 0 is categorical in some nodes, numeric in these
    for (size_t k = 0; k < t.feature.size(); ++k)
      if (!t.is_categorical(k) && k % 2 == 0) t.feature[k] = 0;
  ASSERT_NO_THROW(mixed.validate());
  EXPECT_FALSE(FlatEnsemble(mixed).categories_coded());
  expect_same_bits(mixed, awkward_rows(16, 500, 6, 3), 500, 6);
}

}  // namespace
