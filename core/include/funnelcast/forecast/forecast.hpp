// Recursive multi-step forecasting of the hourly target with prediction
// intervals, and the training pipeline behind `funnelcast train forecast`:
// time-series cross-validation of every candidate (seasonal naive, ridge, GBDT
// with squared error and with Poisson), selection by mean recursive RMSE,
// interval calibration from cross-validation residuals, and the final fit.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "funnelcast/baselines/baselines.hpp"
#include "funnelcast/features/features.hpp"
#include "funnelcast/gbdt/engine.hpp"
#include "funnelcast/gbdt/params.hpp"
#include "funnelcast/model/model.hpp"
#include "funnelcast/series/series.hpp"

namespace fc::forecast {

enum class Kind { kSeasonalNaive, kRidge, kGbdt };

// Interval widths from the empirical quantiles of cross-validation residuals per
// horizon bucket. With `scaled`, residuals are divided by sqrt(max(forecast, 1))
// (count data: spread grows with the level) and multiplied back when applied.
struct Intervals {
  int bucket_hours = 24;
  bool scaled = true;
  std::vector<double> lo95, lo80, hi80, hi95;  // per bucket, quantiles 2.5/10/90/97.5 %
  nlohmann::json to_json() const;
  static Intervals from_json(const nlohmann::json& j);
};

// A model ready to predict the next hour from a history.
struct Forecaster {
  Kind kind = Kind::kGbdt;
  features::FeatureSpec spec;
  int season = 168;           // seasonal naive
  baselines::Ridge ridge;     // kRidge
  gbdt::FlatEnsemble engine;  // kGbdt
  bool clip_negative = true;

  // Prediction for hour t of the history (t may be the first unobserved hour).
  double predict_at(const features::History& h, size_t t, std::vector<float>& scratch) const;
};

// Appends `horizon` predictions to a copy of the target, each step's features built
// from the observed history plus the earlier predictions. Returns the predictions.
std::vector<double> recursive(const Forecaster& f, const features::History& h, size_t from,
                              int horizon);

struct Forecast {
  std::vector<int64_t> time;
  std::vector<double> mean, lower80, upper80, lower95, upper95;
};

Forecaster forecaster_from_model(const model::Model& m);
Intervals intervals_from_model(const model::Model& m);
// Forecast the `horizon` hours after the last hour of `s` with the model's target.
// fc::Error when the data lacks a column the model needs or is shorter than its lookback.
Forecast predict(const model::Model& m, const series::HourlySeries& s, int horizon);

struct TrainOptions {
  int horizon = 168;
  int folds = 5;
  size_t gap = 0;
  features::FeatureSpec spec = features::FeatureSpec::defaults();
  gbdt::Params params;         // base parameters for the GBDT candidates
  bool params_objective_set = false;  // user pinned the objective: only that GBDT candidate
  int origin_step_hours = 24;  // extra forecast origins inside each fold for interval residuals
  int threads = 1;
};

struct TrainOutput {
  model::Model model;
  nlohmann::json report;  // cv, comparison, selected, interval_coverage, data
};

// stage text and fraction done (0..1); called often enough for a progress line.
using Progress = std::function<void(const std::string& stage, double fraction)>;

TrainOutput train(const series::BuildResult& data, const TrainOptions& options,
                  const Progress& progress = {});

}  // namespace fc::forecast
