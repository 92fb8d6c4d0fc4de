// Histogram gradient boosting: quantile bins (uint8 codes), native categorical
// features, leaf-wise growth bounded by num_leaves and max_depth, histogram subtraction,
// learned missing-value direction, bagging, feature fraction and early stopping.
// Deterministic for a seed whatever the thread count.
#pragma once
#include <cstddef>
#include <functional>
#include <vector>

#include "funnelcast/gbdt/params.hpp"
#include "funnelcast/gbdt/tree.hpp"

namespace fc::gbdt {

struct Dataset {
  const float* x = nullptr;  // rows x cols, row-major, NaN = missing
  size_t rows = 0, cols = 0;
  const double* y = nullptr;
  const double* weight = nullptr;  // optional
  // Optional, `cols` entries: category_counts[c] = k > 0 makes column c categorical with
  // codes 0 .. k-1 (k at most kMaxCategories), stored in x as whole-number floats; NaN is
  // missing. 0, or a null pointer for all columns, means numeric. Any other value in a
  // categorical column is an fc::Error naming the row. A validation set is read with the
  // training set's counts (its own, if given, must be the same).
  //
  // How such a column is split (see train.cpp): each category its own histogram bin, the
  // k > max_bin case keeping the max_bin - 1 most frequent categories and pooling the rest
  // in an "other" bin; a split sends a set of categories left, and everything else right:
  // the other categories, the pooled rare ones, and at prediction time categories never
  // seen in training (codes >= k included). Missing values go the side the trainer
  // learned from the training rows' missing values; with none, right, like an unseen
  // category. Give frequent categories small codes: a split's bitset is as long as the
  // largest code it sends left, divided by 32.
  const uint32_t* category_counts = nullptr;
};

struct TrainResult {
  Ensemble ensemble;
  int best_iteration = 0;              // trees kept (after early stopping)
  // Per iteration, the objective's (rmse, deviance, logloss); empty unless
  // Measures::train_metric asked for it.
  std::vector<double> train_metric;
  std::vector<double> valid_metric;    // empty without a validation set
  std::vector<double> feature_gain;    // total split gain per feature
};

// Called after each iteration; return false to stop early.
using Progress = std::function<bool(int iteration, int total)>;

// What train() measures besides the trees. The training metric is the objective's loss
// on every training row at every iteration (a log per row for binary and poisson), which
// nothing but tests and diagnostics reads, so it is measured only when asked; asking
// changes no tree (the gradients are the same bits either way).
struct Measures {
  bool train_metric = false;
};

TrainResult train(const Dataset& train, const Dataset* valid, const Params& params,
                  const Progress& progress = {}, const Measures& measures = {});

// Early stopping that keeps the trees (time-series cross-validation: a fold's model uses
// the count chosen on the fold before, and its own block picks the next fold's count):
// at least min_trees trees are grown whatever the validation set says, and the ensemble
// keeps every tree grown; best_iteration is then the count the validation set chose (the
// trees up to it), which may be fewer than the ensemble holds. Boosting is sequential, so
// the first k trees of that ensemble are exactly the k-tree model.
struct KeepTrees {
  int min_trees = 0;
};
TrainResult train(const Dataset& train, const Dataset* valid, const Params& params,
                  const Progress& progress, const KeepTrees& keep);

}  // namespace fc::gbdt
