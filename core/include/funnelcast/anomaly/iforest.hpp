// Isolation forest (Liu, Ting and Zhou, 2008), deterministic by seed. Each tree is grown
// on a subsample by splitting a random feature at a uniform random point between its
// smallest and largest value in the node, until a point is alone or the depth limit
// ceil(log2 subsample) is reached. A point's path length is the depth of the leaf it
// reaches plus c(n), the average path length of an unsuccessful search in a binary search
// tree of the n training points left in that leaf. The anomaly score is
// 2^(-mean path length / c(subsample)): near 1 isolates fast, 0.5 and below is ordinary.
//
// The trees are gbdt::Tree values whose leaf value is that path length, so the forest is
// a gbdt::Ensemble whose raw prediction is the sum of path lengths, scored by the same
// flat engine that scores forecasting models.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "funnelcast/gbdt/engine.hpp"
#include "funnelcast/gbdt/tree.hpp"

namespace fc::anomaly {

struct ForestOptions {
  int trees = 100;
  int subsample = 256;  // points per tree (fewer when fewer are given)
  uint64_t seed = 1;
};

// c(n): 2 H(n - 1) - 2 (n - 1) / n with H the harmonic number; c(1) = 0, c(2) = 1.
double average_path_length(size_t n);

class IsolationForest {
 public:
  IsolationForest() = default;
  // rows: n rows of `features` floats, row-major. NaN features are allowed: a split sends
  // them to a side chosen at random when the tree is grown. fc::Error when n < 2.
  static IsolationForest fit(const float* rows, size_t n, size_t features,
                             const ForestOptions& options);

  double path_length(const float* row) const;  // mean over the trees
  double score(const float* row) const;        // 2^(-path_length / c(subsample))
  // Batch: out[i] = score of row i.
  void score(const float* rows, size_t n, double* out) const;

  const gbdt::Ensemble& ensemble() const { return ensemble_; }
  size_t subsample() const { return subsample_; }

 private:
  gbdt::Ensemble ensemble_;
  gbdt::FlatEnsemble engine_;
  size_t subsample_ = 0;
};

}  // namespace fc::anomaly
