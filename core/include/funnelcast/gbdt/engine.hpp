// The fast inference engine, compiled from an Ensemble at load time: all nodes of
// all trees in one flat array, several rows walked through a tree in lock-step.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "funnelcast/gbdt/tree.hpp"

namespace fc::gbdt {

class FlatEnsemble {
 public:
  FlatEnsemble() = default;
  explicit FlatEnsemble(const Ensemble& ensemble);

  // rows: n rows of `num_features()` floats, `stride` floats apart. out: n values.
  void predict_raw(const float* rows, size_t n, size_t stride, double* out) const;
  void predict(const float* rows, size_t n, size_t stride, double* out) const;
  double predict_one(const float* row) const;
  uint32_t num_features() const { return num_features_; }
  bool empty() const { return tree_roots_.empty() && base_score_ == 0.0; }

 private:
  struct Node {
    float threshold;
    uint32_t feature_and_flags;  // low 31 bits feature; top bit default-left; leaf: 0x7fffffff
    int32_t left, right;         // absolute node indices; a leaf stores its value in threshold
  };
  std::vector<Node> nodes_;
  std::vector<uint32_t> tree_roots_;
  Objective objective_ = Objective::kSquaredError;
  double base_score_ = 0.0;
  uint32_t num_features_ = 0;
};

}  // namespace fc::gbdt
