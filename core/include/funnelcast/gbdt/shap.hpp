// SHAP values of an Ensemble's raw score (the margin: log-odds for binary, log for
// Poisson): why one lead scored what it did, feature by feature. Path-dependent
// TreeSHAP (Lundberg, Erion & Lee 2018, "Consistent individualized feature attribution
// for tree ensembles"): exact Shapley values of the game where a feature outside the
// coalition is "unknown" and the tree follows both branches, weighted by the training
// cover (sum of hessians) that went each way. For every row,
// expected_value() + sum of its contributions = Ensemble::predict_raw_reference(row).
//
// Two implementations of the same values: explain_recursive() is the paper's
// Algorithm 2 (one recursive walk per tree with path extension and unwinding);
// explain() decomposes each tree into its root-to-leaf paths once, at construction,
// and per row sums each leaf's Shapley weights as a Beta integral evaluated exactly by
// Gauss–Legendre quadrature (the product-of-linear-factors form used by Linear TreeSHAP,
// Yu et al. 2022). explain() is several times faster (bench/shap_bench.py); each is
// tested against the other and both against brute-force Shapley values. The path table
// costs 24 bytes per leaf and distinct feature on its path (about 1.2 MB for 200 trees
// of 31 leaves); a model needing more than kMaxPathSteps steps is explained by the
// recursive walk instead.
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
  // follows default_left as in prediction; a categorical split's set decides as in
  // prediction, unseen categories included). out: n * num_features() doubles, row-major:
  // out[r * num_features() + f] is feature f's contribution to row r's raw score.
  // Allocates its working memory once per call, never per row.
  void explain(const float* rows, size_t n, size_t stride, double* out) const;
  // The same values by Algorithm 2 of the paper, the twin explain() is tested against.
  void explain_recursive(const float* rows, size_t n, size_t stride, double* out) const;

 private:
  struct Node {
    int32_t feature;  // -1 for a leaf
    float threshold;
    uint8_t default_left;
    uint8_t categorical;   // go left iff category_in_set(x, &cat_words_[cat_begin], cat_size)
    uint32_t left, right;  // absolute node indices
    uint32_t cat_begin, cat_size;
    double value;          // leaf value
    double cover;
  };
  bool goes_left(const Node& nd, float x) const;
  struct PathElement {
    int32_t feature;
    double zero, one, weight;
  };
  struct Work;  // one explain call's scratch space, defined in shap.cpp
  void recurse(Work& w, uint32_t node, PathElement* parent, size_t parent_len, double zero,
               double one, int32_t feature) const;
  void add_leaf(Work& w, const PathElement* m, size_t len, double value) const;
  void unwind(PathElement* m, size_t len, size_t i) const;

  // explain()'s layout: every root-to-leaf path with its distinct features merged. A
  // row follows step s when its value lies in (lower, upper] (NaN bound = unbounded) or,
  // for NaN, when nan_follows; zero is the product of the cover fractions on the way.
  struct Step {
    double zero;
    float lower, upper;
    int32_t feature;
    uint8_t nan_follows;
  };
  struct LeafPath {
    uint32_t begin, size;  // into steps_
    double value;
  };
  // A categorical feature's condition on a path: the intersection of the sets it went
  // into (left) or avoided (right). A row follows when its value is a category c < 32 *
  // size whose bit is set in cat_words_[begin ..], or, for any other value (a category
  // beyond the bitset, a fraction, a negative), when `others` is set.
  struct CatCondition {
    uint32_t begin, size;
    uint8_t others;
  };
  static constexpr uint32_t kNoCondition = 0xffffffffu;
  // Only when the model has categorical splits: per step, its index in cat_conditions_ or
  // kNoCondition. A separate array keeps Step at 24 bytes for numeric models.
  std::vector<uint32_t> step_cat_;
  std::vector<CatCondition> cat_conditions_;
  std::vector<uint32_t> cat_words_;  // nodes' sets and the paths' intersected conditions
  bool has_categorical_ = false;
  void check_call(const float* rows, size_t n, size_t stride, double* out) const;
  // Construction steps, per tree t: its nodes appended (returns the root's index), the
  // internal nodes' covers summed bottom-up (returns the tree's depth), and once at the
  // end the leaf paths dropped when they would be too large.
  uint32_t append_nodes(const Tree& tree);
  size_t sum_covers(size_t t, uint32_t base, size_t n);
  void drop_leaf_paths();
  void add_leaf_paths(uint32_t root);
  void build_quadrature(size_t max_points);

  // Above this many path steps (24 bytes each) explain() uses the recursive walk.
  static constexpr size_t kMaxPathSteps = size_t{1} << 22;
  std::vector<Step> steps_;
  std::vector<LeafPath> leaves_;
  bool paths_too_large_ = false;
  size_t max_steps_ = 0;  // of one leaf path
  // Gauss–Legendre rules on [0, 1]: rule q (q points, exact to degree 2q - 1) starts at
  // rule_begin_[q] in gl_t_ / gl_w_.
  std::vector<double> gl_t_, gl_w_;
  std::vector<size_t> rule_begin_;

  std::vector<Node> nodes_;
  std::vector<uint32_t> roots_;  // of trees with at least one split
  std::vector<double> inv_;      // inv_[k] = 1 / k: the walk multiplies instead of dividing
  size_t path_capacity_ = 0;     // path elements one tree walk may need
  uint32_t num_features_ = 0;
  double expected_value_ = 0;
};

// Global importance: mean over rows of |contribution|, per feature. phi is the rows x
// features output of TreeShap::explain. fc::Error when rows is 0.
std::vector<double> mean_abs_shap(const double* phi, size_t rows, size_t features);

}  // namespace fc::gbdt
