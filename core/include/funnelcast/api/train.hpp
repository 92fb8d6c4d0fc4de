// funnelcast train forecast / train score, Module.trainForecast / trainScore: one request
// each, whose field list drives the CLI flags, the JS options, --help and the registry; the
// training options built from it in one place (defaults, named options, --param), and one
// result document ({report, notices}: the CLI's --json, the page's object beside the model
// bytes). The same request and seed give the same model bytes on both edges.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "funnelcast/api/fields.hpp"
#include "funnelcast/forecast/train.hpp"
#include "funnelcast/io/table.hpp"
#include "funnelcast/scoring/train.hpp"
#include "funnelcast/series/series.hpp"

namespace fc::api {

// The gradient-boosting options both trainers share. Unset = the trainer's default; a
// parameter given both by name and as --param is a mistake.
struct BoostingRequest {
  std::optional<int> iterations, num_leaves;
  std::optional<double> learning_rate;
  std::optional<int64_t> seed;
  std::vector<std::string> params;  // the command line's KEY=VALUE, in the order given
};

struct TrainForecastRequest {
  int horizon = 168;     // intervals forecast from each cut-off
  bool horizon_given = false;  // unset: 168 hours, or 14 days for a daily series
  int folds = 5;         // expanding-window folds
  int gap = 0;           // intervals left out between training and validation
  std::string channel;   // "" = the total
  bool by_channel = false;  // by: "channel": one model forecasting every channel and the total
  std::optional<std::vector<int>> lags, windows;  // unset = FeatureSpec::defaults()
  bool no_cyclic = false, no_calendar = false;
  std::vector<features::ExogSpec> exog;  // the command line's COL:LAGS
  std::vector<std::string> candidates;   // the command line's: only these forecasters
  BoostingRequest boosting;
  int threads = 2;       // native; the model is the same with any count
  // The command line's own.
  std::string data, out, report;
  bool json = false, quiet = false, stamp = false, no_log = false;
  Edge edge = Edge::kCli;  // how a mistake names an option (--lags or option 'lags')
};
const std::vector<Field<TrainForecastRequest>>& train_forecast_fields();

struct TrainScoreRequest {
  std::string target, positive, id, fold_column;
  std::vector<std::string> drop;
  int folds = 5;  // 0 = fit once on every row
  // The decision threshold: at most one of them (none = the best F1).
  std::optional<double> threshold, precision, top;
  double scale_pos_weight = 0;  // 0 = automatic
  BoostingRequest boosting;
  int threads = 2;
  std::string data, out, report;
  bool json = false, quiet = false, stamp = false, no_log = false;
  Edge edge = Edge::kCli;
};
const std::vector<Field<TrainScoreRequest>>& train_score_fields();

// The trainers' options from a request: defaults, then the named options, then --param, then
// validated. fc::Error names the option the way the request's edge spells it.
forecast::TrainOptions train_forecast_options(const TrainForecastRequest& r);
scoring::TrainOptions train_score_options(const TrainScoreRequest& r);

// Trains on the series / table as the request says (a channel that is not there is named
// with the channels that are).
forecast::TrainOutput train_forecast(const series::BuildResult& data, const TrainForecastRequest& r,
                                     const forecast::Progress& progress = {});
// The candidates train_forecast compares, one candidate's cross-validation alone (as bytes),
// and train_forecast with every candidate's bytes given (forecast::candidate_names,
// train_candidate, train): the page's training runs the candidates in several workers and
// finishes in one, with the same model bytes.
std::vector<std::string> train_forecast_candidates(const series::BuildResult& data, const TrainForecastRequest& r);
forecast::CandidateRun train_forecast_candidate(const series::BuildResult& data, const TrainForecastRequest& r,
                                                size_t k, const forecast::Progress& progress = {});
forecast::TrainOutput train_forecast(const series::BuildResult& data, const TrainForecastRequest& r,
                                     const std::vector<std::string>& candidates,
                                     const forecast::Progress& progress = {});
scoring::TrainOutput train_score(const Table& table, const TrainScoreRequest& r,
                                 const scoring::Progress& progress = {});
// One fold of train_score's cross-validation alone, and train_score with every fold's result
// given (scoring::train_fold, scoring::train): the page's training runs the folds in several
// workers and finishes in one, with the same model bytes.
scoring::FoldResult train_score_fold(const Table& table, const TrainScoreRequest& r, int fold,
                                     const scoring::Progress& progress = {});
scoring::TrainOutput train_score(const Table& table, const TrainScoreRequest& r,
                                 const std::vector<scoring::FoldResult>& folds, const scoring::Progress& progress = {});

// {report, notices}: what `train ... --json` prints and the page receives beside the bytes.
nlohmann::json train_json(const nlohmann::json& report, const std::vector<std::string>& notices);

// {train_forecast: [fields], train_score: [fields]} for registry().commands (which finds it
// when this file is linked).
nlohmann::json training_commands();

// "1-24,48,168" -> 1..24, 48, 168. fc::Error (`where`: expected numbers like ...) otherwise.
std::vector<int> int_list(const std::string& text, const std::string& where);

}  // namespace fc::api
