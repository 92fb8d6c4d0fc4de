// Time-series cross-validation of one candidate: on each expanding-window fold it is
// fitted on the steps before the cut-off, then scored one step ahead (true lags) and
// recursively over the horizon (its own predictions fed back), and its recursive
// residuals from several origins inside the validation block are kept for intervals.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "funnelcast/eval/intervals.hpp"
#include "funnelcast/eval/metrics.hpp"
#include "funnelcast/eval/validation.hpp"
#include "funnelcast/forecast/candidate.hpp"

namespace fc::forecast {

// A fold's predictions: one step ahead on every validation step, and `horizon` steps
// from each origin (the first at the cut-off).
struct FoldPredictions {
  std::vector<double> one_step;
  std::vector<size_t> origins;
  std::vector<std::vector<double>> forecasts;
};

struct CandidateCv {
  std::string name;
  std::vector<metrics::Regression> one_step, recursive;  // per fold
  std::vector<int> best_iterations;                      // per fold (GBDT)
  std::vector<eval::ResidualSet> residuals;              // per fold, scaled
  // Rolling-origin backtests: the forecast of `horizon` steps from each origin (every
  // origin_step steps) of the most recent validation blocks, by the fold's model, and
  // its metrics; mase against the in-sample seasonal-naive (24 h) scale before the origin.
  std::vector<size_t> backtest_origins;
  std::vector<metrics::Regression> backtest;
  std::vector<FoldPredictions> predictions;  // per fold
};

// How many of the most recent folds the backtest origins come from.
constexpr size_t kBacktestFolds = 3;

// The metrics of one backtest forecast from `origin` (y NaN = not scored); mase is NaN
// when the history before the origin has no seasonal difference (scale_lag steps: 24 for
// hourly series, 7 for daily ones).
metrics::Regression backtest_score(const std::vector<double>& y, size_t first, size_t origin,
                                   const std::vector<double>& forecast, size_t scale_lag = 24);

// within: fraction of this candidate's work done (0..1, never decreasing).
using CvProgress = std::function<void(const std::string& stage, double within)>;

CandidateCv cross_validate(const CandidateInfo& info, const TrainingData& d,
                           const std::vector<validation::Fold>& folds, int horizon,
                           int origin_step, const CvProgress& progress = {});

// recursive(p, h, o, horizon) for every origin o, the same numbers: the origins advance
// a step together, so the trees predict each step of every origin as one block.
std::vector<std::vector<double>> recursive_from(const Predictor& p, const features::History& h,
                                                const std::vector<size_t>& origins, int horizon);

// Scores fold k's predictions into `out` (one_step, recursive, residuals, backtests).
void score_fold(CandidateCv& out, size_t k, const std::vector<validation::Fold>& folds, const FoldPredictions& fp,
                const TrainingData& d, int horizon);

// The median of the members' predictions, scored as one candidate on the same folds.
CandidateCv combine(const std::string& name, const std::vector<const CandidateCv*>& members, const TrainingData& d,
                    const std::vector<validation::Fold>& folds, int horizon);

// Metrics over the pairs whose actual and prediction are both known (a missing hour is
// neither an error nor a success). All-NaN metrics when no pair is left.
// The MASE scale is the training part's mean absolute difference at `season` steps.
metrics::Regression score(const std::vector<double>& y, const std::vector<double>& p,
                          const std::vector<double>& train, size_t season = 24);

}  // namespace fc::forecast
