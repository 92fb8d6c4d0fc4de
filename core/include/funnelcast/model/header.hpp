// The typed header of a model file: what kind of model it is, the view of the data
// it was trained on (every input column with its role and type, the channel, the grid
// interval, how rows and gaps were read), and one section per kind. Inference reads
// this schema back and refuses data that does not match it, so a model can never be
// applied to the wrong column silently. to_json/from_json are the only readers and
// writers; wasm/funnelcast.d.ts declares exactly what to_json writes.
#pragma once
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "funnelcast/baselines/baselines.hpp"
#include "funnelcast/eval/intervals.hpp"
#include "funnelcast/features/features.hpp"
#include "funnelcast/gbdt/params.hpp"
#include "funnelcast/schema/registry.hpp"

namespace fc::model {

// Version 2: the typed header with its data schema. Version 1 files (funnelcast 0.1)
// did not record the channel, the interval or how rows were counted; they are refused
// with a message that says to retrain.
constexpr uint32_t kFormatVersion = 2;

// The model kinds this build reads: "forecast", "score".
const std::vector<std::string>& kinds();

struct ColumnSchema {
  std::string name;
  std::string type;  // "number", "timestamp" or "category"
  std::string role;  // a registry role, or "" when the column played none
};

struct TargetStats {  // of the target over the training grid, missing values left out
  double mean = 0, std = 0, min = 0, max = 0;
  uint64_t count = 0;
};

struct DataSchema {
  std::string source;                 // the file the model was trained on
  std::vector<ColumnSchema> columns;  // every input column, in file order
  schema::Roles roles;                // the column of each role ("" = none)
  std::string rows = "values";        // "values" (counts per row) or "events" (one lead a row)
  std::string gaps = "missing";       // intervals without rows: "missing" or "zero"
  std::string channel;                // the channel trained on; "" = all channels summed
  uint64_t channel_count = 0;         // channel values in the training file
  std::string zone;                   // times without an offset were read in it ("" = UTC;
                                      // the key is absent then)
  int64_t interval = 3600;            // seconds: the grid the model works on
  int64_t source_interval = 3600;     // the file's own interval (900 when 15-minute rows were summed)
  int64_t start = 0, end = 0;         // [start, end) of the training grid, epoch seconds
  uint64_t intervals = 0;             // grid intervals
  uint64_t input_rows = 0, rows_aggregated = 0, empty_intervals = 0, missing_values = 0;
  TargetStats target;
};

struct MetricSummary {
  double mean = 0, std = 0;  // NaN (null in JSON) when no fold defines the metric
  uint64_t folds_used = 0;
};
using MetricTable = std::map<std::string, MetricSummary>;  // rmse, mae, r2, smape, mase
using MetricValues = std::map<std::string, double>;        // one fold; NaN (null) = undefined

struct FoldResult {
  int64_t train_start = 0, train_end = 0, valid_start = 0, valid_end = 0;
  MetricValues one_step, recursive;
};

struct CvSummary {
  uint64_t folds = 0;   // expanding-window folds
  int horizon = 0;      // steps forecast recursively from each cut-off
  int gap = 0;          // steps left out between training and validation
  MetricTable one_step, recursive;
  std::vector<FoldResult> per_fold;  // the selected candidate's folds
};

struct CandidateResult {
  std::string name;                 // seasonal_naive, ridge, gbdt_l2, gbdt_poisson, holt_winters, theta...
  MetricTable one_step, recursive;
  std::vector<int> best_iterations;  // GBDT: trees chosen by early stopping in each fold
  // Rolling-origin backtests at the horizon asked for (mean ± std over the origins,
  // folds_used = origins scored); absent in models trained before they existed.
  std::optional<MetricTable> backtest;
};

// How the candidates were compared: forecasts of `horizon` steps from `origins` origins
// every `origin_step` steps in the most recent validation blocks, scored by MASE (scale:
// the in-sample mean |y[t] - y[t-24]| before each origin) and sMAPE.
struct BacktestSummary {
  int horizon = 0;
  int origin_step = 0;
  uint64_t origins = 0;
  uint64_t folds = 0;            // the most recent validation blocks the origins lie in
  std::string selected_by;       // "mase", or "rmse" when no candidate had a MASE
  std::string fallback;          // "" or why seasonal naive was kept over the best candidate
  std::vector<std::string> combination;  // the candidates the "combination" row is the median of
};

// The exponential smoothing forecasters' parameters (holt_winters, theta).
struct Smoothing {
  double alpha = 0, beta = 0, gamma_day = 0, gamma_week = 0;
  bool trend = false, weekly = false;
  int window = 0;  // steps of history the filter reads (aligned to weeks)
};

struct Coverage {
  double p80 = 0, p95 = 0;  // NaN (null) when nothing could be checked
  uint64_t points = 0;
};

// One forecaster of a combination: what inference needs to rebuild it (a gbdt member's
// trees are the model's trees; a combination has at most one).
struct CombinationMember {
  std::string name;       // the candidate's name
  std::string predictor;  // "gbdt", "ridge", "seasonal_naive", "holt_winters" or "theta"
  std::string objective;  // gbdt only
  int season = 0;         // seasonal_naive only
  std::optional<baselines::Ridge> ridge;
  std::optional<gbdt::Params> params;
  int level_window = 0;   // gbdt only: see ForecastSection
  std::optional<Smoothing> smoothing;
};

// The most channels one by-channel forecast model holds.
constexpr size_t kMaxForecastChannels = 64;

// One channel of a model trained on every channel at once (`train forecast --by channel`).
struct ChannelSeries {
  std::string name;             // the channel column's value
  eval::Intervals intervals;    // its bands, from its own backtest errors
  Coverage coverage;            // honest, as the section's
  TargetStats target;           // its leads over the training grid (for level notes)
  std::map<std::string, double> mase;  // each candidate's mean backtest MASE on this channel
};

struct ForecastSection {
  features::FeatureSpec features;
  std::string predictor;          // "gbdt", "ridge", "seasonal_naive", "holt_winters", "theta" or "combination"
  std::string objective;          // gbdt: "regression" or "poisson"; "" otherwise
  int season = 0;                 // seasonal_naive: steps back; 0 otherwise
  std::optional<baselines::Ridge> ridge;   // ridge only
  std::optional<gbdt::Params> params;      // gbdt only
  // gbdt only: 0, trees on the target; > 0, trees on the target and its lags in the units
  // of the mean and standard deviation of the last level_window steps (written when > 0).
  int level_window = 0;
  std::optional<Smoothing> smoothing;      // holt_winters, theta only (written only then)
  std::vector<CombinationMember> members;  // combination only: the median of their forecasts
  bool clip_negative = true;      // forecasts (and lower bounds) never below 0
  int horizon = 168;              // steps validated by cross-validation; forecasts stop there
  int min_history = 336;          // steps of history the features read
  eval::Intervals intervals;
  Coverage coverage;              // honest: each fold against the other folds' intervals
  CvSummary cv;
  std::vector<CandidateResult> comparison;
  std::string selected;           // the candidate's name
  std::vector<std::pair<std::string, double>> feature_importance;  // gain, by feature name
  std::optional<BacktestSummary> backtest;  // absent in models trained before backtests
  // By channel (written only then): one model forecasts each of these channels from its
  // own history and the total is the sum of their forecasts (bottom-up). A gbdt reads the
  // channel as one more feature after features' own: its index here, a category. The
  // section's intervals, coverage, cv and comparison are then the total's.
  std::vector<ChannelSeries> channels;
};

// ---- Lead scoring ("score" models): a table of leads with a yes/no outcome ----

struct TableColumn {
  std::string name;
  std::string type;    // "number", "timestamp" or "category" (as the CSV reader typed it)
  std::string use;     // "target", "id", "feature" or "dropped"
  std::string reason;  // for dropped columns: "constant", "id-like", "asked", "empty"; else ""
};

struct TableSchema {
  std::string source;
  std::vector<TableColumn> columns;  // every input column, in file order
  uint64_t input_rows = 0;
  uint64_t rows_used = 0;            // rows with a target value
};

// One model input, built from one column. Codes of a category feature are indices into
// `levels`; a level the model never saw is missing at scoring.
struct ScoreFeature {
  std::string name;    // as shown in reasons: the column, or column_month for a date part
  std::string column;  // the input column
  std::string kind;    // "number", "category", or a date part: "month", "weekday", "hour", "day"
  std::vector<std::string> levels;  // category: the dictionary in code order
  double min = 0, max = 0;          // number: the training range (NaN = no value seen)
  // number: the training rows' median, the one-lead form's starting value (NaN = not known:
  // no value seen, an imported model, or a file written before it was stored; optional)
  double median = std::numeric_limits<double>::quiet_NaN();
  double missing_share = 0;         // share of training rows where it was missing
};

struct ScoreMetrics {  // one set of classification metrics; NaN (null) when undefined
  double roc_auc = 0, pr_auc = 0, logloss = 0, brier = 0, accuracy = 0;
  double precision = 0, recall = 0, f1 = 0;  // at the model's threshold
};

struct CurvePoint {  // contacting the leads scored >= threshold
  double threshold = 0, share = 0, precision = 0, recall = 0, f1 = 0, lift = 0;
};

struct CalibrationBin {
  double lower = 0, upper = 0, mean_predicted = 0, observed_rate = 0;  // NaN rates when empty
  uint64_t count = 0;
};

struct LiftRow {
  double share = 0, precision = 0, lift = 0, gain = 0;
  uint64_t contacted = 0;
};

struct ScoreSection {
  // "probability": the trees give the log-odds of a yes/no outcome (every model trained
  // here). "value": they predict a number (an XGBoost reg:squarederror model imported), so
  // there is no probability, threshold or decision.
  std::string output = "probability";
  std::string target;            // the target column
  std::string positive;          // the label that counts as the outcome (1, yes, TRUE, ...)
  std::string negative;          // the other label
  double positive_rate = 0;      // in the training rows
  std::string id_column;         // "" = none
  std::vector<ScoreFeature> features;  // model inputs, in the trees' feature order
  std::optional<gbdt::Params> params;  // how the trees were trained; none when imported
  double prior_shift = 0;        // log(scale_pos_weight), taken out of the base score so
                                 // probabilities stay calibrated despite the weighting
  double threshold = 0.5;        // decision: probability >= threshold
  std::string threshold_rule;    // "f1", "precision" or "top_share"
  double threshold_target = 0;   // the precision or share asked for (0 for f1)
  std::vector<CurvePoint> curve;  // out-of-fold threshold curve (at most ~200 points)
  uint64_t folds = 0;            // stratified folds (0: fitted once, no cross-validation)
  std::map<std::string, MetricSummary> cv;  // roc_auc, pr_auc, logloss, brier, accuracy,
                                            // precision, recall, f1: mean ± std over folds
  ScoreMetrics out_of_fold;      // the same on all out-of-fold predictions together
  std::vector<CalibrationBin> calibration;  // 10 bins, out of fold
  std::vector<LiftRow> lift;     // deciles and top 5/10/20/30/50 %, out of fold
  std::vector<std::pair<std::string, ScoreMetrics>> comparison;  // gbdt, logistic: out of fold
  struct Importance {
    std::string feature;
    double gain = 0;           // total split gain in the trees
    double mean_abs_shap = 0;  // mean |contribution| on the training rows (raw scale)
  };
  std::vector<Importance> importance;  // by mean |SHAP|, largest first
  std::vector<std::string> warnings;   // e.g. a column that alone predicts the target
};

struct Header {
  std::string kind;                   // one of kinds()
  std::string created_by;             // "funnelcast 0.2.0"
  std::optional<int64_t> created_at;  // epoch seconds, only when asked (--stamp)
  DataSchema data;                    // kind "forecast": the series it was trained on
  TableSchema table;                  // kind "score": the table (written as "data")
  std::optional<ForecastSection> forecast;  // kind "forecast"
  std::optional<ScoreSection> score;        // kind "score"

  nlohmann::json to_json() const;
  // fc::Error "model header: '<field path>' is missing / must be ..." for anything that
  // does not match what to_json writes; unknown kinds name the kinds this build reads.
  static Header from_json(const nlohmann::json& j);
};

}  // namespace fc::model
