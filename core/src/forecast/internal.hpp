// Helpers shared by the candidates' source files; not part of the public API.
#pragma once
#include <cstddef>
#include <functional>
#include <vector>

#include "funnelcast/eval/validation.hpp"
#include "funnelcast/forecast/candidate.hpp"
#include "funnelcast/forecast/smoothing.hpp"
#include "funnelcast/time/time.hpp"

namespace fc::forecast::internal {

// Feature rows and targets of steps [begin, end) whose target is known, as contiguous
// arrays. Points into the training matrix when nothing is missing; copies otherwise.
struct KnownRows {
  const float* x = nullptr;
  const double* y = nullptr;
  size_t rows = 0, cols = 0;
  std::vector<float> x_copy;
  std::vector<double> y_copy;
};
KnownRows known_rows(const TrainingData& d, size_t begin, size_t end);
// The same of a matrix x (rows for steps [first_row, y.size())) and targets y.
KnownRows known_rows(const features::Matrix& x, const std::vector<double>& y, size_t first_row, size_t begin, size_t end);

// The step (hours, or days of a daily series) since the epoch of a history's step 0.
inline int64_t first_step_of(const features::History& h) { return time::floor_div(h.start, h.step); }
// The smoothers' seasons of a history: a day and a week of hourly data, a week of daily.
inline smoothing::Seasons seasons_of(const features::History& h) {
  if (h.step == time::kWeek) return smoothing::kWeeklySeasons;
  return h.step == time::kDay ? smoothing::kDailySeasons : smoothing::kHourlySeasons;
}
// The smoothers' window (steps read back, before the move to a week's start): six weeks of
// hourly data, 26 weeks of daily data, four years of weekly data.
inline int smoothing_window(const features::History& h) {
  if (h.step == time::kWeek) return 4 * smoothing::kYearWeeks;
  return h.step == time::kDay ? 26 * 7 : 6 * smoothing::kWeek;
}
// The seasonal naive's lag and the backtests' MASE scale lag, in steps. Hourly: a week for
// the seasonal naive (and a day for the MASE scale); daily: a week; weekly: the lag training
// chose from the history's length (a year of 52 weeks, or 1 week: the last value).
inline int weekly_season_of(const TrainingData& d) { return d.season > 0 ? d.season : 1; }
// The backtests' buckets of steps and their MASE scale lag. Hourly: a day of steps per
// bucket and MASE against repeating yesterday. Daily: a week per bucket and MASE against
// repeating the same weekday last week. Weekly: four weeks per bucket and MASE against the
// naive training chose.
inline size_t backtest_bucket_steps(const TrainingData& d) {
  return d.history.step == time::kWeek ? 4 : d.history.step == time::kDay ? 7 : 24;
}
inline size_t backtest_scale_lag(const TrainingData& d) {
  if (d.history.step == time::kWeek) return static_cast<size_t>(weekly_season_of(d));
  return d.history.step == time::kDay ? 7 : 24;
}
// The level window of gbdt_level: a week of hourly data, four weeks of daily, a quarter of weekly.
inline int level_window_of(const features::History& h) {
  if (h.step == time::kWeek) return 13;
  return h.step == time::kDay ? 28 : 168;
}

// The forecasters, one source file each: their training side (candidates.cpp's list) and
// their inference side (predictors.cpp's list).
CandidateInfo seasonal_naive_candidate();
CandidateInfo seasonal_naive_day_candidate();
CandidateInfo ridge_candidate();
CandidateInfo gbdt_candidate(gbdt::Objective objective);
CandidateInfo gbdt_level_candidate();
CandidateInfo holt_winters_candidate();
CandidateInfo theta_candidate();
PredictorInfo seasonal_naive_predictor();
PredictorInfo holt_winters_predictor();
PredictorInfo theta_predictor();
PredictorInfo combination_predictor();

// A combination's member as a forecaster's own section (the features and clipping of the
// combination's), and back.
model::ForecastSection member_section(const model::ForecastSection& s, const model::CombinationMember& m);
model::CombinationMember member_of(const std::string& name, const model::ForecastSection& s);
PredictorInfo ridge_predictor();
PredictorInfo gbdt_predictor();
// One channel's forecaster of a by-channel gbdt section (`channel`: its index).
std::unique_ptr<Predictor> gbdt_channel_predictor(const model::ForecastSection& s, const gbdt::Ensemble& trees,
                                                  size_t channel);
// When p is a gbdt forecaster: the step after each history (step hs[i]->size), unclipped,
// into out[i], the trees over all the rows as one block (the numbers of predict_at), and
// true. False (nothing written) for any other forecaster.
bool predict_next_trees(const Predictor& p, const std::vector<const features::History*>& hs,
                        std::vector<float>& scratch, double* out);

// Trees on every channel's target with the channel's index as one more, categorical
// feature: one model for all the channels of a file. With a level window, squared error on
// each channel's target in the units of its local level (as gbdt_level), so each channel is
// forecast at its own level; without, the objective's loss (Poisson) on the target itself.
class GlobalGbdt {
 public:
  GlobalGbdt(features::FeatureSpec spec, gbdt::Params params, int threads, int level_window,
             gbdt::Objective objective = gbdt::Objective::kSquaredError);
  // Fits on the steps [first_row, train_end) of every channel (all on one grid), early
  // stopping on the last two weeks of each unless control fixes the tree count, or (a
  // fold after the first: control.prior_iterations) keeping that many trees and stopping
  // on the fold's block of every channel.
  void fit(const std::vector<TrainingData>& channels, size_t train_end, const FitControl& control);
  std::unique_ptr<Predictor> predictor(size_t channel, bool clip_negative) const;
  int chosen_iterations() const { return chosen_; }
  void save(model::ForecastSection& s, gbdt::Ensemble& trees) const;

 private:
  features::FeatureSpec spec_;
  gbdt::Params params_;
  int level_window_ = 0;
  gbdt::Ensemble ensemble_;
  std::vector<double> gain_;
  int chosen_ = 0;
};

// One fold's fit as the cross-validation makes it (cv.cpp for one series, channels.cpp for
// the global trees): the first fold (prior 0) stops the boosting on the steps right before
// its cut-off, then refits on all of them with that count (the fold's model must see the
// latest steps, as the final model does); each later fold is fitted once with `prior`, the
// count the fold before chose on its block, and its own block chooses the next fold's.
// Returns the count chosen here (0: no trees) and sets prior to it. progress(f), f from 0
// to 1 over the fold's fitting: the first fit takes first_share of it when a refit follows.
template <class Model, class Data>
int fit_fold(Model& m, const Data& d, const validation::Fold& fold, int& prior, double first_share,
             const std::function<void(double)>& progress) {
  FitControl first;
  first.prior_iterations = prior;
  first.valid_begin = fold.valid_begin;
  first.valid_end = fold.valid_end;
  first.progress = [&](double f) { progress(f * (prior > 0 ? 1.0 : first_share)); };
  m.fit(d, fold.train_end, first);
  const int best = m.chosen_iterations();
  const bool refit_needed = best > 0 && prior == 0;
  prior = best;
  if (refit_needed) {
    FitControl refit;
    refit.fixed_iterations = best;
    refit.progress = [&](double f) { progress(first_share + f * (1 - first_share)); };
    m.fit(d, fold.train_end, refit);
  }
  return best;
}

}  // namespace fc::forecast::internal
