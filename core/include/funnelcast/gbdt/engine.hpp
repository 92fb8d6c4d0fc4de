// The fast inference engine, compiled from an Ensemble at load time: all nodes of
// all trees in one flat array, several rows walked through a tree in lock-step.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "funnelcast/gbdt/objective.hpp"
#include "funnelcast/gbdt/tree.hpp"

namespace fc::gbdt {

class FlatEnsemble {
 public:
  FlatEnsemble() = default;
  explicit FlatEnsemble(const Ensemble& ensemble);

  // rows: n rows of `num_features()` floats, `stride` floats apart. out: n values.
  void predict_raw(const float* rows, size_t n, size_t stride, double* out) const;
  void predict(const float* rows, size_t n, size_t stride, double* out) const;
  double predict_one(const float* row) const;  // transformed, as predict()
  uint32_t num_features() const { return num_features_; }
  bool empty() const { return tree_roots_.empty() && base_score_ == 0.0; }
  // Whether predict_raw takes the coded path (see below); for the tests.
  bool categories_coded() const { return coded_; }

 private:
  // 12 bytes. The two children of a node sit side by side (right = left + 1), so one
  // index is enough. A leaf stores its value in `threshold` and points `left` at itself,
  // so a row that has reached its leaf can keep stepping in lock-step without moving.
  // A categorical node keeps, in the bits of `threshold`, the offset in cat_ of its
  // bitset's word count, the words following it.
  struct Node {
    float threshold;
    uint32_t feature_and_flags;  // low 29 bits feature; bit 31 default-left; bit 30 leaf;
                                 // bit 29 categorical
    uint32_t left;               // absolute node index of the left child
  };
  static constexpr uint32_t kDefaultLeft = 0x80000000u;
  static constexpr uint32_t kLeaf = 0x40000000u;
  static constexpr uint32_t kCategorical = 0x20000000u;
  static constexpr uint32_t kFeatureMask = 0x1fffffffu;
  // kCategorical: the ensemble has categorical nodes. A model without any runs the plain
  // numeric loop, untouched by the categorical test.
  template <int kBlock, bool kCategoricalNodes>
  void predict_block(const float* rows, size_t stride, double* acc) const;
  template <int kBlock>
  void predict_block_any(const float* rows, size_t stride, double* acc) const;
  // When every category set
  // holds only categories 0 to 30 and no numeric node reads a categorical feature, the rows
  // are copied 64 at a time with each categorical value turned into its category number
  // (32 when it is none, 31 when missing), and the nodes carry the set itself. The categorical test
  // is then a shift and a compare, taken for every node and chosen without a branch.
  template <int kBlock>
  void predict_block_coded(const uint32_t* rows, size_t stride, double* acc) const;
  void predict_coded(const float* rows, size_t n, size_t stride, double* out) const;
  std::vector<Node> coded_nodes_;               // nodes_, each categorical one with its set
  std::vector<uint32_t> categorical_features_;  // the features read by categorical nodes
  bool coded_ = false;
  std::vector<Node> nodes_;
  std::vector<uint32_t> cat_;  // per categorical node: word count, then the words
  bool has_categorical_ = false;
  std::vector<uint32_t> tree_roots_;
  // Looked up once here rather than per row; the list outlives every engine.
  const ObjectiveFunction* objective_ = &objective_function(Objective::kSquaredError);
  double base_score_ = 0.0;
  uint32_t num_features_ = 0;
};

}  // namespace fc::gbdt
