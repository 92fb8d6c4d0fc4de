// Training a forecaster (`funnelcast train forecast`): every candidate of
// candidates() is cross-validated on the same expanding-window folds (cv.hpp), the
// one with the lowest mean MASE on the rolling-origin backtests (never one worse there
// than seasonal naive) is refitted on all the data, and its prediction intervals come
// from its cross-validation residuals. The model's header
// records the data schema inference will hold new data to.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "funnelcast/features/features.hpp"
#include "funnelcast/gbdt/params.hpp"
#include "funnelcast/model/model.hpp"
#include "funnelcast/series/series.hpp"

namespace fc::forecast {

struct TrainOptions {
  int horizon = 168;           // steps forecast from each cut-off (and at most at inference)
  // Unset: a daily series takes its own defaults (14 days; lags 1-7,14,21,28; windows
  // 7,28) instead of the hourly ones above. Hourly series are unaffected.
  bool horizon_given = false, lags_given = false, windows_given = false;
  // Unset: --by channel's trees on a long hourly file take their own learning rate
  // (train_by_channel); any other training uses params.learning_rate as it is.
  bool learning_rate_given = false;
  int folds = 5;
  size_t gap = 0;
  features::FeatureSpec spec = features::FeatureSpec::defaults();
  gbdt::Params params;         // base parameters for the GBDT candidates
  std::string pinned_objective;  // "regression" or "poisson": only that GBDT candidate
  int origin_step_hours = 24;  // extra forecast origins inside each fold for interval residuals
  int threads = 1;
  std::string channel;         // "" = the total over all channels
  // One model across every channel (the channel a feature, each forecast at its own level)
  // forecasting each channel, and the total as their sum.
  bool by_channel = false;
  // Only these forecasters are compared (names as in the report); empty = every one that
  // applies. A single series only (the benches' cheap model of a total, for one).
  std::vector<std::string> candidates;
};

struct TrainOutput {
  model::Model model;
  // The cross-validation report: data, cv, comparison, selected, coverage (with per-fold
  // coverage), notices.
  nlohmann::json report;
  std::vector<std::string> notices;  // what was done to the data, for the user
};

// stage text and fraction done (0..1, never decreasing).
using Progress = std::function<void(const std::string& stage, double fraction)>;

// fc::Error when the data cannot be forecast honestly: not hourly (finer data is summed to
// hours first), too short for the folds and horizon, mostly missing, or constant.
TrainOutput train(const series::BuildResult& data, const TrainOptions& options,
                  const Progress& progress = {});

// The same training with its candidates run apart (the page's workers, each its own wasm
// instance, take one each) and finished together, for the same model and report:
//
// candidate_names: the forecasters train() compares on this data with these options, in
// its order (train_candidate's k indexes them).
std::vector<std::string> candidate_names(const series::BuildResult& data, const TrainOptions& options);
// train_candidate: candidate k's cross-validation as train() runs it: its name and its
// results as opaque bytes.
struct CandidateRun {
  std::string name;
  std::string bytes;
};
CandidateRun train_candidate(const series::BuildResult& data, const TrainOptions& options, size_t k,
                             const Progress& progress = {});
// train with `candidates`: every candidate's bytes from train_candidate with the same data
// and options, in any order. fc::Error when one is missing, given twice, damaged or made
// from other data, folds or options. A by-channel training (its candidates cross-validate
// together) is refused by all three.
TrainOutput train(const series::BuildResult& data, const TrainOptions& options,
                  const std::vector<std::string>& candidates, const Progress& progress = {});

}  // namespace fc::forecast
