// Histogram gradient boosting: quantile bins (uint8 codes), leaf-wise growth
// bounded by num_leaves and max_depth, histogram subtraction, learned missing-value
// direction, bagging, feature fraction and early stopping. Deterministic for a seed
// whatever the thread count.
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
};

struct TrainResult {
  Ensemble ensemble;
  int best_iteration = 0;              // trees kept (after early stopping)
  std::vector<double> train_metric;    // per iteration: rmse / poisson deviance / logloss
  std::vector<double> valid_metric;    // empty without a validation set
  std::vector<double> feature_gain;    // total split gain per feature
};

// Called after each iteration; return false to stop early.
using Progress = std::function<bool(int iteration, int total)>;

TrainResult train(const Dataset& train, const Dataset* valid, const Params& params,
                  const Progress& progress = {});

}  // namespace fc::gbdt
