// A forecaster: a Candidate is fitted on a fold and saved into the model header; a
// Predictor answers one step at a time and is rebuilt from the header at inference.
// Cross-validation, selection, interval calibration and recursive forecasting only see
// these interfaces, so adding a forecaster is one new source file (its Predictor and
// Candidate) plus one line in candidates() and one in predictors().
#pragma once
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "funnelcast/features/features.hpp"
#include "funnelcast/gbdt/params.hpp"
#include "funnelcast/gbdt/tree.hpp"
#include "funnelcast/model/header.hpp"

namespace fc::forecast {

// Everything a candidate is trained from, shared by all folds.
struct TrainingData {
  features::FeatureSpec spec;
  features::History history;        // the target (and exog series) on the grid
  const std::vector<double>* y = nullptr;  // target per step; NaN = missing
  const features::Matrix* x = nullptr;     // feature rows for steps [first_row, y->size())
  size_t first_row = 0;
  bool counts = true;               // target never negative: clip at 0, Poisson allowed
  gbdt::Params params;              // base parameters for the GBDT candidates
  int threads = 1;
  int season = 0;                   // weekly data: the yearly lag (52) or 1 (too short for a year)
};

struct FitControl {
  int fixed_iterations = 0;  // GBDT: > 0 uses exactly this many trees (no early stopping)
  // GBDT in a fold after the first: > 0 is the tree count the previous fold chose. One fit
  // on every step before the cut-off then keeps that many trees as this fold's model, and
  // boosts on while the fold's own block [valid_begin, valid_end) still improves, to choose
  // the next fold's count (chosen_iterations()). The block is never seen by the trees the
  // fold is scored with, and it ends before the next fold's block begins.
  int prior_iterations = 0;
  size_t valid_begin = 0, valid_end = 0;
  std::function<void(double fraction)> progress;  // fraction of this fit done
};

// Predictions for consecutive steps of one history, carrying a forecaster's state from
// one step to the next. at(h, t) equals the predictor's predict_at(h, t) exactly; the
// state is reused when t is the previous call's t + 1 and the history before the previous
// t is unchanged (observed data, or a recursive forecast appending its predictions).
class StepPredictor {
 public:
  virtual ~StepPredictor() = default;
  virtual double at(const features::History& h, size_t t) = 0;
};

// What inference needs of a forecaster: one step at a time from a history. Built from a
// model's header by load_predictor(), or handed out by a fitted Candidate.
class Predictor {
 public:
  virtual ~Predictor() = default;
  // The prediction for step t from the history's values before t (t may be the first
  // step after the history). Not clipped.
  virtual double predict_at(const features::History& h, size_t t, std::vector<float>& scratch) const = 0;
  // The same from a feature row already built for step t (fast path of cross-validation).
  virtual double predict_row(const features::History& h, size_t t, const float* row) const = 0;
  // How many steps back a prediction reads (the recursive forecaster copies that much).
  virtual size_t lookback() const = 0;
  // A stepper for consecutive steps (the smoothers, which otherwise re-filter their whole
  // window every step); nullptr: predict_at each step.
  virtual std::unique_ptr<StepPredictor> steps() const { return nullptr; }

  bool clip_negative = true;
  double predict_clipped(const features::History& h, size_t t, std::vector<float>& scratch) const {
    const double p = predict_at(h, t, scratch);
    return clip_negative && p < 0 ? 0.0 : p;
  }
};

// What training needs of a forecaster: fit on a fold, then predict, then save.
class Candidate {
 public:
  virtual ~Candidate() = default;
  virtual std::string name() const = 0;
  // Fits on the steps [d.first_row, train_end) whose target is known.
  virtual void fit(const TrainingData& d, size_t train_end, const FitControl& control) = 0;
  // The fitted forecaster (valid until the next fit).
  virtual const Predictor& predictor() const = 0;
  // GBDT: the tree count early stopping chose in the last fit; 0 for the others.
  virtual int chosen_iterations() const { return 0; }
  // Writes what inference needs into the header section (predictor, parameters) and the
  // ensemble (trees); gain per feature into the importance list when there is one.
  virtual void save(model::ForecastSection& section, gbdt::Ensemble& trees) const = 0;
};

struct CandidateInfo {
  const char* name;       // seasonal_naive, ridge, gbdt_l2, gbdt_poisson
  const char* predictor;  // the header's predictor type it saves as
  // Whether it takes part, given the data (counts) and the user's pinned objective ("" = none).
  std::function<bool(bool counts, const std::string& pinned_objective)> applies;
  std::function<std::unique_ptr<Candidate>(const TrainingData&)> make;
};

// The candidates cross-validation compares, in report order (candidates.cpp).
const std::vector<CandidateInfo>& candidates();

struct PredictorInfo {
  const char* predictor;  // the header's predictor type
  std::function<std::unique_ptr<Predictor>(const model::ForecastSection&, const gbdt::Ensemble&)> load;
};
// How inference rebuilds each predictor type from a header (predictors.cpp). Kept apart
// from candidates() so an inference-only build links no training code.
const std::vector<PredictorInfo>& predictors();

// The forecaster stored in a model (fc::Error when the header and trees disagree).
std::unique_ptr<Predictor> load_predictor(const model::ForecastSection& section, const gbdt::Ensemble& trees);

// The forecaster of channel `channel` (its index in section.channels) of a by-channel model.
std::unique_ptr<Predictor> load_channel_predictor(const model::ForecastSection& section, const gbdt::Ensemble& trees,
                                                  size_t channel);

// Appends `horizon` predictions to a copy of the target from step `from` on, each step's
// features built from the observed history before `from` plus the earlier predictions.
std::vector<double> recursive(const Predictor& p, const features::History& h, size_t from, int horizon);

// A recursive forecast's own copy of a history: the lookback window before `from`, with
// room for `horizon` predictions. `local` reads `buffer`: keep the two together.
struct RecursiveWindow {
  std::vector<double> buffer;
  features::History local;
  RecursiveWindow(const Predictor& p, const features::History& h, size_t from, int horizon);
  RecursiveWindow(const RecursiveWindow&) = delete;
  RecursiveWindow& operator=(const RecursiveWindow&) = delete;
};

}  // namespace fc::forecast
