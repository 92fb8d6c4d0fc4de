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

struct CandidateCv {
  std::string name;
  std::vector<metrics::Regression> one_step, recursive;  // per fold
  std::vector<int> best_iterations;                      // per fold (GBDT)
  std::vector<eval::ResidualSet> residuals;              // per fold, scaled
};

// within: fraction of this candidate's work done (0..1, never decreasing).
using CvProgress = std::function<void(const std::string& stage, double within)>;

CandidateCv cross_validate(const CandidateInfo& info, const TrainingData& d,
                           const std::vector<validation::Fold>& folds, int horizon,
                           int origin_step, const CvProgress& progress = {});

// Metrics over the pairs whose actual and prediction are both known (a missing hour is
// neither an error nor a success). All-NaN metrics when no pair is left.
metrics::Regression score(const std::vector<double>& y, const std::vector<double>& p,
                          const std::vector<double>& train);

}  // namespace fc::forecast
