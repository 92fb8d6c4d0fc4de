// The portable tree ensemble (what the model file stores) and the plain
// reference predictor that tests hold every fast predictor against.
#pragma once
#include <cstdint>
#include <vector>

#include "funnelcast/gbdt/params.hpp"

namespace fc::gbdt {

// A binary tree. Internal nodes 0..n-1 (node 0 is the root when there is one);
// a child index >= 0 is an internal node, < 0 is leaf ~child. A tree with no
// internal nodes is a single leaf (leaf 0).
struct Tree {
  std::vector<int32_t> feature;       // per internal node
  std::vector<float> threshold;       // go left when x <= threshold
  std::vector<uint8_t> default_left;  // where NaN goes
  std::vector<int32_t> left, right;
  std::vector<float> leaf_value;      // already scaled by the learning rate
  std::vector<float> leaf_cover;      // sum of hessians of training rows (for TreeSHAP)

  size_t internal_count() const { return feature.size(); }
  size_t leaf_count() const { return leaf_value.size(); }
  // Reference: walks the tree node by node.
  float predict_reference(const float* row) const;
};

struct Ensemble {
  Objective objective = Objective::kSquaredError;
  uint32_t num_features = 0;
  double base_score = 0.0;  // raw score before the first tree
  std::vector<Tree> trees;

  double predict_raw_reference(const float* row) const;
  double transform(double raw) const;  // identity, exp (poisson), sigmoid (binary)
  // Structural checks: indices in range, every node reached once, no cycles,
  // features < num_features, finite values. fc::Error naming the tree and node.
  void validate() const;
};

}  // namespace fc::gbdt
