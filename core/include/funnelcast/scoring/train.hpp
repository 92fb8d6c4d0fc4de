// Training a lead-scoring model (`funnelcast train score`): stratified k-fold
// cross-validation of our gradient-boosted trees (binary log-loss, categorical columns
// handled natively, class imbalance through scale_pos_weight with the prior shifted back
// so probabilities stay calibrated) beside a logistic regression on the same folds, a
// decision threshold chosen on the out-of-fold predictions, calibration and lift tables,
// feature importance by gain and by mean |SHAP|, and a final fit on every row.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "funnelcast/gbdt/params.hpp"
#include "funnelcast/io/table.hpp"
#include "funnelcast/model/model.hpp"
#include "funnelcast/scoring/table.hpp"

namespace fc::scoring {

struct TrainOptions {
  ColumnOptions columns;
  int folds = 5;                    // 0: fit once on every row (no cross-validation)
  gbdt::Params params = default_params();
  double scale_pos_weight = 0;      // <= 0: automatic (see train.cpp)
  std::string threshold_rule = "f1";  // "f1", "precision" (threshold_target = the precision),
                                      // "top_share" (threshold_target = share contacted),
                                      // "fixed" (threshold_target = the probability)
  double threshold_target = 0;
  int threads = 1;
  size_t shap_rows = 2000;          // rows explained for the mean |SHAP| importance

  static gbdt::Params default_params();
};

struct TrainOutput {
  model::Model model;
  // The report: data, cv.<metric>.{mean,std}, threshold, at_threshold.{precision,recall,f1},
  // calibration, lift, curve, comparison, importance, dropped_columns, warnings, notices.
  nlohmann::json report;
  std::vector<std::string> notices;
};

using Progress = std::function<void(const std::string& stage, double fraction)>;

// fc::Error for tables that cannot be learned from: a bad outcome column (one label, three,
// unclear positive), too few rows of an outcome for the folds, no inputs left.
TrainOutput train(const Table& table, const TrainOptions& options, const Progress& progress = {});

// One fold of train()'s cross-validation: its early-stopped tree count and the out-of-fold
// predictions (the trees' and the logistic baseline's, NaN where the baseline could not be
// fitted) of its validation rows, in `rows`' order (indices among the rows with an outcome).
struct FoldResult {
  int fold = 0;  // 0-based
  int best = 0;
  std::vector<uint32_t> rows;
  std::vector<double> oof, oof_logistic;
};

// Fold `fold` (0-based) of train()'s cross-validation alone, with the numbers train() computes
// for it: several workers can each run some folds (the page's training uses the cores the
// machine has that way) and one of them finishes with train(table, options, folds).
FoldResult train_fold(const Table& table, const TrainOptions& options, int fold, const Progress& progress = {});

// train() with its folds already run by train_fold() (one result per fold, in any order):
// the same model bytes and report. fc::Error when they are not this table's and options'
// folds (a fold missing or twice, other validation rows, a tree count out of range).
TrainOutput train(const Table& table, const TrainOptions& options, const std::vector<FoldResult>& folds,
                  const Progress& progress = {});

}  // namespace fc::scoring
