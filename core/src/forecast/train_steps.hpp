// The steps of training a forecaster (train.cpp), shared with training across channels
// (channels.cpp); not part of the public API.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "funnelcast/eval/intervals.hpp"
#include "funnelcast/eval/validation.hpp"
#include "funnelcast/forecast/cv.hpp"
#include "funnelcast/forecast/train.hpp"

namespace fc::forecast {

// Every channel of a file from one model (TrainOptions::by_channel; channels.cpp).
TrainOutput train_by_channel(const series::BuildResult& input, const TrainOptions& options, const Progress& progress);

namespace steps {

model::MetricTable table_of(const std::vector<metrics::Regression>& folds);
// Hourly or daily as given, finer than hourly summed to hours, anything else refused.
series::BuildResult forecast_grid(const series::BuildResult& data, std::vector<std::string>& notices);
model::DataSchema schema_of(const series::BuildResult& input, const series::BuildResult& data,
                            const series::Series& s, const std::string& channel);
void check_horizon(const features::FeatureSpec& spec, int horizon, const std::string& unit);
// Whether the target is a count; fc::Error when mostly missing, empty or constant.
bool check_target(const std::vector<double>& y, const std::string& source, const std::string& target,
                  const std::string& unit, std::vector<std::string>& notices);
std::vector<validation::Fold> folds_of(size_t n, size_t first_row, const TrainOptions& options, int horizon,
                                       const std::string& source, const std::string& unit);
size_t first_training_row(size_t lookback, size_t n, int folds, const std::string& source, const std::string& unit);
void check_daily_history(size_t n, size_t lookback, int horizon, int folds, const std::string& source);
// The same for a weekly series: `given`, the options as the caller gave them (a history of two
// years or more brings the yearly lags, so "needs at least" counts with those past two years).
void check_weekly_history(size_t n, size_t lookback, int horizon, const TrainOptions& given, int folds,
                          const std::string& source);
// The same for a daily or weekly series (unit "day" or "week").
void check_history(size_t n, size_t lookback, int horizon, int folds, const std::string& source,
                   const std::string& unit, size_t longer, size_t from);
// The weekly defaults for n weeks of history (unless given); returns the seasonal lag (52 or 1).
int adapt_to_weekly(TrainOptions& o, size_t n);
std::string weekly_notice(int horizon, int season, size_t n);
void adapt_to_daily(TrainOptions& o);
TrainingData training_data(const features::FeatureSpec& spec, const features::History& h, const std::vector<double>& y,
                           const features::Matrix& x, size_t first_row, bool counts, const TrainOptions& options);
int median_iterations(std::vector<int> its);
// job(i, alone) for every i < count: one after another (alone: the job may use every
// thread) with one thread or in wasm, else side by side on `threads` threads, one job each
// (alone false: the job must use one thread). The first job's error, by index, is thrown.
// idle (optional, side by side only): called on a thread that has finished its last job
// and found none left to start, before it stops (its thread is then free until the end).
void side_by_side(size_t count, int threads, const std::function<void(size_t job, bool alone)>& job,
                  const std::function<void()>& idle = nullptr);
// Each candidate's mean backtest MASE over the origins where every one has one.
std::vector<double> backtest_mase(const std::vector<CandidateCv>& results);
bool is_seasonal_naive(const std::string& name);
// `best`, or the seasonal naive with the lowest score when `best` scores worse than it
// (lower is better; then `fallback` says so).
size_t never_worse_than_naive(const std::vector<std::string>& names, const std::vector<double>& score, size_t best,
                              std::string& fallback);
void describe_cv(model::ForecastSection& f, const CandidateCv& cv, const std::vector<validation::Fold>& folds,
                 const series::Series& s, int horizon, size_t gap);
nlohmann::json report_json(const model::Model& m, const eval::Coverage& coverage,
                           const std::vector<std::string>& notices);
std::string daily_notice(int horizon);
int min_history_of(const model::ForecastSection& f, size_t lookback, size_t first_row, bool daily);
// Weekly: a yearly smoother (or seasonal naive of 52 weeks) needs its two years.
int min_history_weekly(const model::ForecastSection& f, int need);
// Seasonal naive of the day before: hourly series only.
bool hourly_only(const std::string& name);

// FNV-1a over bytes: what a training's candidate results depend on, as one number
// (train.cpp, TrainSetup::fingerprint).
class Fingerprint {
 public:
  void add(const void* data, size_t bytes) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < bytes; ++i) h_ = (h_ ^ p[i]) * 1099511628211ull;
  }
  void add_size(size_t v) {
    const uint64_t x = v;
    add(&x, sizeof x);
  }
  void add_text(const std::string& t) {
    add_size(t.size());
    add(t.data(), t.size());
  }
  uint64_t value() const { return h_; }

 private:
  uint64_t h_ = 14695981039346656037ull;
};

// Candidate `index` of `count`'s cross-validation as bytes (candidate_results.cpp): what
// train_candidate() returns and train() with given candidates reads back, exactly.
std::string save_candidate(const CandidateCv& cv, uint64_t fingerprint, size_t index, size_t count);
// Every candidate of `chosen` from those bytes, in chosen's order. fc::Error naming the
// candidate when one is missing, given twice, damaged or made from other data or options
// (another fingerprint), or when its folds are not `folds`.
std::vector<CandidateCv> load_candidates(const std::vector<std::string>& given, uint64_t fingerprint,
                                         const std::vector<const CandidateInfo*>& chosen, size_t folds);

}  // namespace steps
}  // namespace fc::forecast
