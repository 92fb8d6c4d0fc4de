// The portable tree ensemble (what the model file stores) and the plain
// reference predictor that tests hold every fast predictor against.
#pragma once
#include <cstdint>
#include <vector>

#include "funnelcast/gbdt/params.hpp"

namespace fc::gbdt {

// Category codes are whole numbers 0 .. kMaxCategories - 1 carried in float32 features:
// every such number is exact in a float (below 2^24), and a category set's bitset stays
// at most kMaxCategories / 32 words.
constexpr uint32_t kMaxCategories = 1u << 20;
constexpr uint32_t kMaxCategoryWords = kMaxCategories / 32;

// Whether x (not NaN) is a category in the bitset `words` (n words; category c is bit
// c % 32 of word c / 32). Anything that is not such a category goes the "not in the set"
// way: a category beyond the bitset (unseen in training), a negative or fractional value,
// an infinity. Shared by every predictor, so they agree on these edge cases by
// construction.
inline bool category_in_set(float x, const uint32_t* words, uint32_t n) {
  if (!(x >= 0.0f) || !(x < 32.0f * static_cast<float>(n))) return false;
  const auto c = static_cast<uint32_t>(x);
  if (static_cast<float>(c) != x) return false;
  return ((words[c >> 5] >> (c & 31u)) & 1u) != 0;
}

// A binary tree. Internal nodes 0..n-1 (node 0 is the root when there is one);
// a child index >= 0 is an internal node, < 0 is leaf ~child. A tree with no
// internal nodes is a single leaf (leaf 0).
//
// A node splits either on a number (go left when x <= threshold) or on categories (go
// left when x is a category in the node's set, see category_in_set; every other value,
// unseen categories included, goes right). NaN goes where default_left says, either way.
struct Tree {
  std::vector<int32_t> feature;       // per internal node
  std::vector<float> threshold;       // go left when x <= threshold; 0 at categorical nodes
  std::vector<uint8_t> default_left;  // where NaN goes
  std::vector<int32_t> left, right;
  std::vector<float> leaf_value;      // already scaled by the learning rate
  std::vector<float> leaf_cover;      // sum of hessians of training rows (for TreeSHAP)

  // Categorical splits. A tree without any leaves all three empty (the tree "has
  // categorical data" exactly when cat_begin is not empty). Otherwise:
  //   cat_set: one entry per internal node, -1 for a numeric split, else the index s of
  //            the node's category set;
  //   cat_begin: S + 1 offsets (S sets), cat_begin[0] = 0, non-decreasing, the last one
  //            cat_bits.size(); set s is the bitset cat_bits[cat_begin[s] .. cat_begin[s+1]).
  std::vector<int32_t> cat_set;
  std::vector<uint32_t> cat_begin;
  std::vector<uint32_t> cat_bits;

  size_t internal_count() const { return feature.size(); }
  size_t leaf_count() const { return leaf_value.size(); }
  bool has_categorical() const { return !cat_begin.empty(); }
  bool is_categorical(size_t node) const { return !cat_set.empty() && cat_set[node] >= 0; }
  // Whether a row with value x at node k goes left (numeric or categorical, NaN included).
  bool goes_left(size_t node, float x) const;
  // Reference: walks the tree node by node.
  float predict_reference(const float* row) const;
};

struct Ensemble {
  Objective objective = Objective::kSquaredError;
  uint32_t num_features = 0;
  double base_score = 0.0;  // raw score before the first tree
  std::vector<Tree> trees;

  double predict_raw_reference(const float* row) const;
  double transform(double raw) const;  // the objective's: identity, exp (poisson), sigmoid
  // Structural checks: indices in range, every node reached once, no cycles,
  // features < num_features, finite values, categorical sets in range and consistent.
  // fc::Error naming the tree and node.
  void validate() const;
};

}  // namespace fc::gbdt
