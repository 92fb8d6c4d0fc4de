// SHAP values of an Ensemble's raw score (the margin: log-odds for binary, log for
// Poisson): why one lead scored what it did, feature by feature. Path-dependent
// TreeSHAP (Lundberg, Erion & Lee 2018, "Consistent individualized feature attribution
// for tree ensembles", Algorithm 2): exact Shapley values of the game where a feature
// outside the coalition is "unknown" and the tree follows both branches, weighted by
// the training cover (sum of hessians) that went each way. For every row,
// expected_value() + sum of its contributions = Ensemble::predict_raw_reference(row).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "funnelcast/gbdt/tree.hpp"

namespace fc::gbdt {

class TreeShap {
 public:
  // Trees deeper than this are refused: the path state grows with depth times the
  // number of distinct features on a path, and the walk is recursive.
  static constexpr size_t kMaxDepth = 1024;

  // Validates the ensemble (Ensemble::validate). fc::Error when a tree with splits has
  // no leaf_cover (a model saved without it), when a split node has no cover at all
  // (every leaf below it has cover 0), or when a tree is deeper than kMaxDepth.
  // Single-leaf trees need no cover.
  explicit TreeShap(const Ensemble& ensemble);

  uint32_t num_features() const { return num_features_; }
  // base_score + sum over trees of the cover-weighted mean leaf value: the raw score
  // expected when nothing about the row is known.
  double expected_value() const { return expected_value_; }

  // rows: n rows of num_features() floats, `stride` floats apart (NaN = missing, which
  // follows default_left as in prediction). out: n * num_features() doubles, row-major:
  // out[r * num_features() + f] is feature f's contribution to row r's raw score.
  // Allocates its working memory once per call, never per row.
  void explain(const float* rows, size_t n, size_t stride, double* out) const;

 private:
  struct Node {
    int32_t feature;  // -1 for a leaf
    float threshold;
    uint8_t default_left;
    uint32_t left, right;  // absolute node indices
    double value;          // leaf value
    double cover;
  };
  struct PathElement {
    int32_t feature;
    double zero, one, weight;
  };
  void recurse(uint32_t node, const float* row, double* phi, PathElement* parent, size_t parent_len,
               double zero, double one, int32_t feature) const;

  std::vector<Node> nodes_;
  std::vector<uint32_t> roots_;  // of trees with at least one split
  size_t path_capacity_ = 0;     // path elements one tree walk may need
  uint32_t num_features_ = 0;
  double expected_value_ = 0;
};

// Global importance: mean over rows of |contribution|, per feature. phi is the rows x
// features output of TreeShap::explain. fc::Error when rows is 0.
std::vector<double> mean_abs_shap(const double* phi, size_t rows, size_t features);

}  // namespace fc::gbdt
