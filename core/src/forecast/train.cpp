// The training pipeline in four steps: check the data can be forecast honestly, run
// every candidate through the same folds, select and calibrate, refit and record the
// data schema inference will hold new data to.
#include "funnelcast/forecast/train.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <limits>
#include <mutex>
#ifndef __EMSCRIPTEN__
#include <thread>
#endif

#include "funnelcast/base/error.hpp"
#include "funnelcast/base/math.hpp"
#include "funnelcast/eval/intervals.hpp"
#include "funnelcast/eval/validation.hpp"
#include "funnelcast/forecast/cv.hpp"
#include "funnelcast/forecast/predict.hpp"
#include "funnelcast/time/time.hpp"
#include "funnelcast/time/zone.hpp"
#include "internal.hpp"
#include "train_steps.hpp"

namespace fc::forecast {
namespace steps {

const char* type_name(ColumnType t) {
  switch (t) {
    case ColumnType::kNumber: return "number";
    case ColumnType::kTimestamp: return "timestamp";
    case ColumnType::kCategory: return "category";
  }
  return "number";
}

model::MetricTable table_of(const std::vector<metrics::Regression>& folds) {
  model::MetricTable t;
  auto add = [&](const char* name, double metrics::Regression::*field) {
    std::vector<double> v;
    for (const auto& r : folds)
      if (!std::isnan(r.*field)) v.push_back(r.*field);
    model::MetricSummary m{kNaN, kNaN, v.size()};
    if (!v.empty()) {
      const metrics::MeanStd ms = metrics::mean_std(v);
      m.mean = ms.mean;
      m.std = ms.std;
    }
    t[name] = m;
  };
  add("rmse", &metrics::Regression::rmse);
  add("mae", &metrics::Regression::mae);
  add("r2", &metrics::Regression::r2);
  add("smape", &metrics::Regression::smape);
  add("mase", &metrics::Regression::mase);
  return t;
}

model::MetricValues values_of(const metrics::Regression& r) {
  return {{"rmse", r.rmse}, {"mae", r.mae}, {"r2", r.r2}, {"smape", r.smape}, {"mase", r.mase}};
}

// The grid forecasting works on: hourly, daily or weekly as given, finer than hourly summed
// to hours, anything else (every 2 hours, every 3 days, ...) refused by name.
series::BuildResult forecast_grid(const series::BuildResult& data, std::vector<std::string>& notices) {
  if (data.step == time::kHour || data.step == time::kDay || data.step == time::kWeek) return data;
  if (data.step > time::kHour) {
    throw Error(data.source + ": forecasting works on hourly, daily or weekly data, and this file is " +
                time::interval_data(data.step) +
                "; give hourly, daily or weekly rows (or finer than hourly, which are summed to hours)");
  }
  series::BuildResult out = series::resample(data, time::kHour);
  notices.push_back(out.notices.back());
  return out;
}

model::DataSchema schema_of(const series::BuildResult& input, const series::BuildResult& data,
                            const series::Series& s, const std::string& channel) {
  model::DataSchema d;
  d.source = input.source;
  for (const auto& c : input.columns) d.columns.push_back({c.name, type_name(c.type), c.role});
  d.roles = input.roles;
  d.rows = input.events ? "events" : "values";
  d.gaps = input.gaps == series::Gaps::kZero ? "zero" : "missing";
  d.channel = channel;
  d.channel_count = input.channels.size();
#ifndef __EMSCRIPTEN__
  if (input.zone) d.zone = input.zone->name();
#endif
  d.interval = data.step;
  d.source_interval = input.step;
  d.start = s.start;
  d.end = s.end();
  d.intervals = s.size();
  d.input_rows = input.input_rows;
  d.rows_aggregated = input.rows_aggregated;
  d.empty_intervals = data.empty_intervals;
  d.missing_values = input.missing_cells;
  std::vector<double> known;
  for (double v : s.leads)
    if (!std::isnan(v)) known.push_back(v);
  d.target.count = known.size();
  if (!known.empty()) {
    const metrics::MeanStd ms = metrics::mean_std(known);
    d.target.mean = ms.mean;
    d.target.std = ms.std;
    d.target.min = *std::min_element(known.begin(), known.end());
    d.target.max = *std::max_element(known.begin(), known.end());
  }
  return d;
}


// ---- The steps of train() ---------------------------------------------------

void check_horizon(const features::FeatureSpec& spec, int horizon, const std::string& unit) {
  if (horizon < 1 || horizon > 24 * 366) throw Error("the horizon must be between 1 and 8784 " + unit + "s");
  for (const auto& e : spec.exog)
    for (int l : e.lags)
      if (l < horizon)
        throw Error("exogenous feature " + e.column + "_lag" + std::to_string(l) +
                    ": its lag must be at least the horizon (" + std::to_string(horizon) +
                    "), because future values of " + e.column + " are unknown when forecasting");
}

// The data must be forecastable honestly: mostly known, not constant. Returns
// whether the target is a count (never negative).
bool check_target(const std::vector<double>& y, const std::string& source, const std::string& target,
                  const std::string& unit, std::vector<std::string>& notices) {
  const size_t n = y.size();
  size_t known = 0;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (double v : y) {
    if (std::isnan(v)) continue;
    ++known;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  if (known == 0) throw Error(source + ": the leads column " + target + " has no values");
  if (known * 2 < n) {
    throw Error(source + ": " + std::to_string(n - known) + " of " + std::to_string(n) +
                " " + unit + "s have no value for " + target +
                "; a forecast learned from so little would not be trustworthy. If the export leaves "
                "out " + unit + "s without leads, count them as 0 (CLI: --gaps zero)");
  }
  if (lo == hi) {
    char value[32];
    std::snprintf(value, sizeof value, "%g", lo);
    throw Error(source + ": " + target + " is " + value + " in every " + unit + "; there is nothing to forecast");
  }
  if (known < n) {
    notices.push_back(std::to_string(n - known) + " of " + std::to_string(n) +
                      " " + unit + "s have no value and are left out of training and scoring");
  }
  return lo >= 0;
}

// The first fold of a daily series learns from at least four weeks (hourly: 48 hours), of
// a weekly series from at least a quarter.
constexpr size_t kDailyMinTrain = 28;
constexpr size_t kWeeklyMinTrain = 13;
// A weekly series has a yearly season (52 weeks) when its history holds two years.
constexpr size_t kWeeklySeasonalHistory = 2 * smoothing::kYearWeeks;

size_t min_train_of(const std::string& unit) {
  return unit == "day" ? kDailyMinTrain : unit == "week" ? kWeeklyMinTrain : 48;
}

// Folds split the rows that have complete features (as dropping incomplete rows would),
// then shift back onto the grid.
std::vector<validation::Fold> folds_of(size_t n, size_t first_row, const TrainOptions& options, int horizon,
                                       const std::string& source, const std::string& unit) {
  std::vector<validation::Fold> folds;
  try {
    folds = validation::time_series_splits(n - first_row, options.folds, 0, options.gap, min_train_of(unit));
  } catch (const Error&) {
    throw Error(source + ": " + std::to_string(n) + " " + unit + "s are not enough for " +
                std::to_string(options.folds) + " folds; use fewer --folds or more history");
  }
  for (auto& f : folds) {
    f.train_begin += first_row;
    f.train_end += first_row;
    f.valid_begin += first_row;
    f.valid_end += first_row;
  }
  for (const auto& f : folds)
    if (f.valid_end - f.valid_begin < static_cast<size_t>(horizon))
      throw Error("not enough data for " + std::to_string(options.folds) + " folds with a " +
                  std::to_string(horizon) + "-" + unit + " horizon: each validation block has " +
                  std::to_string(f.valid_end - f.valid_begin) + " " + unit + "s (the data has " + std::to_string(n) +
                  "); use fewer --folds, a shorter --horizon or more history");
  return folds;
}

// Rows before the longest lookback have incomplete lags; skip them while the data
// is long enough, and let the models see NaN-padded rows when it is short.
size_t first_training_row(size_t lookback, size_t n, int folds, const std::string& source, const std::string& unit) {
  const size_t folds_plus_one = static_cast<size_t>(std::max(folds, 1)) + 1;
  const size_t first_row = std::min(lookback, n / (2 * folds_plus_one));
  if (n <= first_row + 48) {
    throw Error(source + ": " + std::to_string(n) + " " + unit + "s of data are too few to train and validate a forecast; "
                "give at least a few weeks of " +
                (unit == "day" ? "daily rows (about 3 months)" : unit == "week" ? "weekly rows (about 1 year and a half)" : "hourly rows"));
  }
  return first_row;
}

// Whether n days leave, after the rows first_training_row skips, folds + 1 blocks of at
// least max(four weeks, horizon) days: the first to learn from, one to validate each fold.
// Enough for folds_of below, and growing with n (so "needs at least" is true of every
// longer file, which the splitter's rounding alone is not).
// Weekly series: the same with blocks of max(a quarter, horizon) weeks.
bool history_fits(size_t n, size_t lookback, int horizon, int folds, size_t min_train) {
  const size_t k = static_cast<size_t>(std::max(folds, 1));
  const size_t first_row = std::min(lookback, n / (2 * (k + 1)));
  const size_t block = std::max(min_train, static_cast<size_t>(horizon));
  return n - first_row >= (k + 1) * block && n > first_row + 48;
}

// A daily (or weekly) series needs enough steps for the lookback, a first training block
// and every fold's validation block of the horizon; said up front with both figures,
// rather than one of the fold errors below.
// `longer`: the lookback of a history of `from` steps or more (weekly: two years bring the
// yearly lags), so that "needs at least" is true of the file that long.
void check_history(size_t n, size_t lookback, int horizon, int folds, const std::string& source,
                   const std::string& unit, size_t longer, size_t from) {
  const size_t min_train = min_train_of(unit);
  if (history_fits(n, lookback, horizon, folds, min_train)) return;
  auto lookback_at = [&](size_t m) { return m >= from ? longer : lookback; };
  size_t need = n + 1;
  while (!history_fits(need, lookback_at(need), horizon, folds, min_train)) ++need;
  throw Error(source + ": a " + std::to_string(horizon) + "-" + unit + " horizon with " + std::to_string(folds) +
              " folds needs at least " + std::to_string(need) + " " + unit + "s of history (up to " +
              std::to_string(lookback_at(need)) + " for the lags, then " + std::to_string(folds + 1) + " blocks of at least " +
              std::to_string(std::max(min_train, static_cast<size_t>(horizon))) + " " + unit +
              "s: one to learn from and one to validate each fold), and the file has " + std::to_string(n) + " " +
              unit + "s; give more history, a shorter --horizon or fewer --folds");
}

void check_daily_history(size_t n, size_t lookback, int horizon, int folds, const std::string& source) {
  check_history(n, lookback, horizon, folds, source, "day", lookback, 0);
}

void check_weekly_history(size_t n, size_t lookback, int horizon, const TrainOptions& given, int folds,
                          const std::string& source) {
  // A longer file would have the yearly defaults (when not given): its own lookback.
  TrainOptions yearly = given;
  adapt_to_weekly(yearly, kWeeklySeasonalHistory);
  check_history(n, lookback, horizon, folds, source, "week", static_cast<size_t>(yearly.spec.max_lookback()),
                kWeeklySeasonalHistory);
}

// The defaults of a daily series: lags of the last week and the same weekday up to four
// weeks back, weekly and four-weekly windows.
void adapt_to_daily(TrainOptions& o) {
  if (!o.horizon_given) o.horizon = 14;
  if (!o.lags_given) o.spec.lags = {1, 2, 3, 4, 5, 6, 7, 14, 21, 28};
  if (!o.windows_given) o.spec.rolling_windows = {7, 28};
  if (o.origin_step_hours == 24) o.origin_step_hours = 1;  // a backtest origin every day
}

// The defaults of a weekly series of n weeks: a quarter ahead, lags of the last month, two
// months and a quarter (and half a year and a year back when two years give a yearly
// season), monthly and quarterly windows; no hour or weekday waves (constant on weekly
// data). Returns the seasonal lag: 52 with two years of history, else 1 (the last value).
int adapt_to_weekly(TrainOptions& o, size_t n) {
  const bool yearly = n >= kWeeklySeasonalHistory;
  if (!o.horizon_given) o.horizon = 13;
  if (!o.lags_given) {
    o.spec.lags = {1, 2, 3, 4, 8, 13};
    if (yearly) o.spec.lags.insert(o.spec.lags.end(), {26, 52});
  }
  if (!o.windows_given) o.spec.rolling_windows = {4, 13};
  o.spec.cyclic = false;
  if (o.origin_step_hours == 24) o.origin_step_hours = 1;  // a backtest origin every week
  return yearly ? smoothing::kYearWeeks : 1;
}

std::string weekly_notice(int horizon, int season, size_t n) {
  const std::string ahead = "weekly series: forecasting " + std::to_string(horizon) + " weeks ahead";
  if (season == smoothing::kYearWeeks) {
    return ahead + " with a yearly season (seasonal naive of the same week a year before, 52 weeks back; "
           "Holt-Winters and Theta with a 52-week season; lags and windows in weeks); backtests are scored "
           "by MASE against the seasonal naive of 52 weeks";
  }
  return ahead + " without a yearly season: the history has " + std::to_string(n) + " weeks and a season needs " +
         std::to_string(kWeeklySeasonalHistory) + " (two years), so the baseline is naive (the last week's value), "
         "Holt-Winters and Theta run without a season, and backtests are scored by MASE against the naive of the last week";
}

// Seasonal naive of the day before has no meaning on a daily series (Holt-Winters and
// Theta read a daily series with a weekly season).
bool hourly_only(const std::string& name) { return name == "seasonal_naive_day"; }

TrainingData training_data(const features::FeatureSpec& spec, const features::History& h, const std::vector<double>& y,
                           const features::Matrix& x, size_t first_row, bool counts, const TrainOptions& options) {
  TrainingData d;
  d.spec = spec;
  d.history = h;
  d.y = &y;
  d.x = &x;
  d.first_row = first_row;
  d.counts = counts;
  d.params = options.params;
  d.threads = options.threads;
  return d;
}

// The median of the tree counts the folds chose; 0 (early stopping) when no fold grew trees.
int median_iterations(std::vector<int> its) {
  std::sort(its.begin(), its.end());
  if (!its.empty() && its.back() > 0) return std::max(1, its[its.size() / 2]);
  return 0;
}

std::vector<const CandidateInfo*> applicable_candidates(bool counts, const std::string& pinned_objective, bool daily) {
  std::vector<const CandidateInfo*> chosen;
  for (const auto& c : candidates())
    if (c.applies(counts, pinned_objective) && !(daily && hourly_only(c.name))) chosen.push_back(&c);
  if (chosen.empty()) throw Error("no forecaster applies (a Poisson model needs a target that is never negative)");
  return chosen;
}

// The mean backtest MASE of each candidate over the origins where every candidate has one
// (a candidate that cannot forecast an origin gains nothing from it); NaN when none.
std::vector<double> backtest_mase(const std::vector<CandidateCv>& results) {
  std::vector<double> out(results.size(), kNaN);
  if (results.empty()) return out;
  const size_t origins = results[0].backtest.size();
  std::vector<double> sum(results.size(), 0.0);
  size_t used = 0;
  for (size_t o = 0; o < origins; ++o) {
    bool all = true;
    for (const auto& r : results) all = all && o < r.backtest.size() && std::isfinite(r.backtest[o].mase);
    if (!all) continue;
    for (size_t c = 0; c < results.size(); ++c) sum[c] += results[c].backtest[o].mase;
    ++used;
  }
  if (used == 0) return out;
  for (size_t c = 0; c < results.size(); ++c) out[c] = sum[c] / static_cast<double>(used);
  return out;
}

constexpr size_t kCombinationSize = 3;

// The best kCombinationSize candidates by backtest MASE, at most one gbdt among them;
// none when there are not enough.
std::vector<size_t> combination_members(const std::vector<CandidateCv>& results,
                                        const std::vector<const CandidateInfo*>& chosen) {
  const std::vector<double> mase = backtest_mase(results);
  std::vector<size_t> order;
  for (size_t c = 0; c < results.size(); ++c)
    if (std::isfinite(mase[c])) order.push_back(c);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return mase[a] < mase[b]; });
  std::vector<size_t> out;
  bool gbdt = false;
  for (size_t c : order) {
    const bool trees = std::string(chosen[c]->predictor) == "gbdt";
    if (trees && gbdt) continue;
    gbdt = gbdt || trees;
    out.push_back(c);
    if (out.size() == kCombinationSize) return out;
  }
  return {};
}

bool is_seasonal_naive(const std::string& name) { return name.rfind("seasonal_naive", 0) == 0; }

size_t never_worse_than_naive(const std::vector<std::string>& names, const std::vector<double>& score, size_t best,
                              std::string& fallback) {
  size_t naive = names.size();
  for (size_t c = 0; c < names.size(); ++c)
    if (is_seasonal_naive(names[c]) && std::isfinite(score[c]) && (naive == names.size() || score[c] < score[naive]))
      naive = c;
  if (naive < names.size() && !(score[best] <= score[naive])) {
    fallback = names[best] + " was worse than " + names[naive] + " on the backtests";
    return naive;
  }
  return best;
}

// Select by the mean backtest MASE (scale-free: series of any level are judged alike, at
// the horizon asked for); by mean recursive RMSE when no candidate has a MASE (no
// seasonal difference before the origins). The choice is never worse on the backtests
// than the best seasonal naive: if it were, that seasonal naive is kept. Fills the
// comparison.
size_t select_best(const std::vector<CandidateCv>& results, std::vector<model::CandidateResult>& comparison,
                   model::BacktestSummary& summary) {
  const std::vector<double> mase = backtest_mase(results);
  const bool by_mase = std::any_of(mase.begin(), mase.end(), [](double v) { return std::isfinite(v); });
  summary.selected_by = by_mase ? "mase" : "rmse";
  size_t best = 0;
  double best_score = std::numeric_limits<double>::infinity();
  double best_rmse = std::numeric_limits<double>::infinity();
  for (size_t c = 0; c < results.size(); ++c) {
    model::CandidateResult r;
    r.name = results[c].name;
    r.one_step = table_of(results[c].one_step);
    r.recursive = table_of(results[c].recursive);
    r.best_iterations = results[c].best_iterations;
    r.backtest = table_of(results[c].backtest);
    const double rmse = r.recursive.at("rmse").mean;
    const double s = by_mase ? mase[c] : rmse;
    if (s < best_score) {
      best_score = s;
      best = c;
    }
    if (rmse < best_rmse) best_rmse = rmse;
    comparison.push_back(std::move(r));
  }
  if (!std::isfinite(best_score) && !std::isfinite(best_rmse))
    throw Error("no forecaster could be scored on the validation folds");
  if (!std::isfinite(best_score)) {
    // No candidate has the selection score: the lowest recursive RMSE, as before backtests.
    for (size_t c = 0; c < results.size(); ++c)
      if (comparison[c].recursive.at("rmse").mean == best_rmse) {
        best = c;
        break;
      }
  }
  if (by_mase) {
    std::vector<std::string> names;
    for (const auto& r : results) names.push_back(r.name);
    best = never_worse_than_naive(names, mase, best, summary.fallback);
  }
  return best;
}

// The cross-validation part of the model's forecast section.
void describe_cv(model::ForecastSection& f, const CandidateCv& cv, const std::vector<validation::Fold>& folds,
                 const series::Series& s, int horizon, size_t gap) {
  f.cv.folds = folds.size();
  f.cv.horizon = horizon;
  f.cv.gap = static_cast<int>(gap);
  f.cv.one_step = table_of(cv.one_step);
  f.cv.recursive = table_of(cv.recursive);
  for (size_t k = 0; k < folds.size(); ++k) {
    f.cv.per_fold.push_back({s.time(folds[k].train_begin), s.time(folds[k].train_end), s.time(folds[k].valid_begin),
                             s.time(folds[k].valid_end), values_of(cv.one_step[k]), values_of(cv.recursive[k])});
  }
}

// The training report: the model header's forecast section, with coverage per fold.
nlohmann::json report_json(const model::Model& m, const eval::Coverage& coverage,
                           const std::vector<std::string>& notices) {
  const nlohmann::json header = m.header.to_json();
  const nlohmann::json& section = header.at("forecast");
  nlohmann::json per_fold_coverage = nlohmann::json::array();
  for (size_t k = 0; k < coverage.by_group.size(); ++k)
    per_fold_coverage.push_back({{"p80", coverage.by_group[k].p80}, {"p95", coverage.by_group[k].p95},
                                 {"points", coverage.by_group[k].points}});
  return {{"data", header.at("data")},
          {"cv", section.at("cv")},
          {"comparison", section.at("comparison")},
          {"selected", section.at("selected")},
          {"coverage", {{"p80", section.at("coverage").at("p80")},
                        {"p95", section.at("coverage").at("p95")},
                        {"points", coverage.points},
                        {"per_fold", per_fold_coverage}}},
          {"intervals", section.at("intervals")},
          {"backtest", section.contains("backtest") ? section.at("backtest") : nlohmann::json(nullptr)},
          {"notices", notices}};
}

void side_by_side(size_t count, int threads, const std::function<void(size_t job, bool alone)>& job,
                  const std::function<void()>& idle) {
  size_t used = 1;
#ifndef __EMSCRIPTEN__
  used = std::min(static_cast<size_t>(std::max(threads, 1)), count);
#endif
  if (used <= 1) {
    for (size_t c = 0; c < count; ++c) job(c, true);
    return;
  }
#ifndef __EMSCRIPTEN__
  std::atomic<size_t> next{0};
  std::vector<std::exception_ptr> errors(count);
  auto worker = [&] {
    for (size_t c = next.fetch_add(1); c < count; c = next.fetch_add(1)) {
      try {
        job(c, false);
      } catch (...) {
        errors[c] = std::current_exception();
      }
    }
    if (idle) idle();
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < used; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  // The first job's error, as the serial loop would have stopped at it.
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
#endif
}

// Every candidate through the folds. With more than one thread the candidates run side
// by side, one thread each (a GBDT candidate then builds its trees on one thread):
// candidates are independent and their trees the same for any thread count, so the
// results are the same bytes, while the threads no longer hand out each split's small
// histogram job (which made 2 threads slower than 1 on small series).
template <class Report>
std::vector<CandidateCv> cross_validate_all(const std::vector<const CandidateInfo*>& chosen, const TrainingData& d,
                                            const std::vector<validation::Fold>& folds, int horizon,
                                            const TrainOptions& options, double total, Report& report) {
  std::vector<CandidateCv> results(chosen.size());
  std::mutex progress_mu;
  TrainingData single = d;
  single.threads = 1;
  side_by_side(chosen.size(), options.threads, [&](size_t c, bool alone) {
    results[c] = cross_validate(*chosen[c], alone ? d : single, folds, horizon, options.origin_step_hours,
                                [&](const std::string& stage, double within) {
                                  std::lock_guard<std::mutex> lock(progress_mu);
                                  report(stage, (static_cast<double>(c) + within) / total);
                                });
  });
  return results;
}


// What a daily series gets instead of the hourly defaults.
std::string daily_notice(int horizon) {
  return "daily series: forecasting " + std::to_string(horizon) +
         " days ahead with a weekly season (seasonal naive of the same weekday last week, "
         "Holt-Winters and Theta with a 7-day season, lags and windows in days)";
}

// A combination, the median of the best few on the backtests (one gbdt at most: the model
// holds one set of trees), joins the results as a candidate like the others. Returns its
// members (none: no combination).
std::vector<size_t> add_combination(std::vector<CandidateCv>& results, const std::vector<const CandidateInfo*>& chosen,
                                    const TrainingData& d, const std::vector<validation::Fold>& folds, int horizon) {
  const std::vector<size_t> members = combination_members(results, chosen);
  if (members.empty()) return members;
  std::vector<const CandidateCv*> cvs;
  for (size_t c : members) cvs.push_back(&results[c]);
  results.push_back(combine("combination", cvs, d, folds, horizon));
  return members;
}

// The backtests' shape in the report: horizon, origins, folds and the combination's members.
model::BacktestSummary backtest_summary(const std::vector<CandidateCv>& results, const std::vector<size_t>& members,
                                        size_t folds, int horizon, const TrainOptions& options) {
  model::BacktestSummary backtest;
  backtest.horizon = horizon;
  backtest.origin_step = std::max(options.origin_step_hours, 1);
  backtest.origins = results.front().backtest_origins.size();
  backtest.folds = std::min(folds, kBacktestFolds);
  for (size_t c : members) backtest.combination.push_back(results[c].name);
  return backtest;
}

// The final model on all the data: the selected candidate, or each member of the selected
// combination. The GBDT takes the median tree count the folds chose.
template <class Report>
void fit_final(const std::vector<const CandidateInfo*>& chosen, const std::vector<CandidateCv>& results,
               const std::vector<size_t>& fits, const TrainingData& d, size_t n, double total, Report& report,
               model::ForecastSection& f, gbdt::Ensemble& ensemble) {
  for (size_t i = 0; i < fits.size(); ++i) {
    const size_t c = fits[i];
    const double done = static_cast<double>(chosen.size()) + static_cast<double>(i) / static_cast<double>(fits.size());
    report("final fit " + results[c].name, done / total);
    std::unique_ptr<Candidate> final_model = chosen[c]->make(d);
    FitControl control;
    control.fixed_iterations = median_iterations(results[c].best_iterations);
    control.progress = [&](double p) {
      report("final fit " + results[c].name, (done + p / static_cast<double>(fits.size())) / total);
    };
    final_model->fit(d, n, control);
    if (fits.size() == 1) {
      final_model->save(f, ensemble);
    } else {
      model::ForecastSection one;
      gbdt::Ensemble trees;
      final_model->save(one, trees);
      if (one.predictor == "gbdt") {
        ensemble = std::move(trees);
        f.feature_importance = one.feature_importance;
      }
      f.members.push_back(internal::member_of(results[c].name, one));
    }
  }
  if (fits.size() > 1) f.predictor = "combination";
}

// The history a forecast needs before its first step: the lags' lookback (or the rows the
// training had), a season back for seasonal naive, two of their shorter seasons for the
// smoothers (two days of hourly data, two weeks of daily).
int min_history_of(const model::ForecastSection& f, size_t lookback, size_t first_row, bool daily) {
  int need = static_cast<int>(std::max<size_t>(std::min(lookback, first_row), 1));
  const int smoother = 2 * (daily ? smoothing::kDailySeasons.day : smoothing::kHourlySeasons.day);
  auto needs = [&](const std::string& predictor, int season) {
    if (predictor == "seasonal_naive") need = std::max(need, season);
    if (predictor == "holt_winters" || predictor == "theta") need = std::max(need, smoother);
  };
  needs(f.predictor, f.season);
  for (const auto& member : f.members) needs(member.predictor, member.season);
  return need;
}

// Weekly: a yearly smoother (or seasonal naive of 52 weeks) needs its two years.
int min_history_weekly(const model::ForecastSection& f, int need) {
  auto needs = [&](const std::string& predictor, int season, const std::optional<model::Smoothing>& sm) {
    if (predictor == "seasonal_naive") need = std::max(need, season);
    if ((predictor == "holt_winters" || predictor == "theta") && sm)
      need = std::max(need, sm->weekly ? 2 * smoothing::kYearWeeks : 2);
  };
  needs(f.predictor, f.season, f.smoothing);
  for (const auto& member : f.members) needs(member.predictor, member.season, member.smoothing);
  return need;
}

}  // namespace steps

namespace {

// What a training works out before its candidates run: the data checked, the folds, the
// feature rows and the forecasters that apply. train() and train_candidate() both start
// here, so a candidate run apart sees exactly the folds and rows train() would. Holds
// pointers into itself (the series, the history, the rows): built in place, never moved.
struct TrainSetup {
  std::vector<std::string> notices;
  series::BuildResult data;
  bool daily = false, weekly = false;
  TrainOptions options;
  std::string unit, source;
  const series::Series* s = nullptr;
  int season = 0, horizon = 0;
  SeriesHistory sh;
  size_t n = 0, lookback = 0, first_row = 0;
  std::vector<double> y;
  bool counts = false;
  std::vector<validation::Fold> folds;
  features::Matrix x;
  TrainingData d;
  std::vector<const CandidateInfo*> chosen;

  TrainSetup(const series::BuildResult& input, const TrainOptions& given) {
    using namespace steps;
    source = input.source;
    data = forecast_grid(input, notices);
    daily = data.step == time::kDay;
    weekly = data.step == time::kWeek;
    options = given;
    if (daily) adapt_to_daily(options);
    unit = weekly ? "week" : daily ? "day" : "hour";
    s = &series::select(data, options.channel);
    season = weekly ? adapt_to_weekly(options, s->size()) : 0;
    const features::FeatureSpec& spec = options.spec;
    horizon = options.horizon;
    check_horizon(spec, horizon, unit);
    if (daily) notices.push_back(daily_notice(horizon));
    if (weekly) notices.push_back(weekly_notice(horizon, season, s->size()));

    // 1. The data must be forecastable honestly.
    const std::string target = data.roles.leads.empty() ? "leads (rows counted)" : "'" + data.roles.leads + "'";
    sh = history_of(spec, *s, series::clock_zone(data));
    const features::History& h = sh.history;
    n = h.size;
    y.assign(h.target, h.target + n);
    counts = check_target(y, input.source, target, unit, notices);

    // Rows with complete lags come first; see first_training_row.
    lookback = static_cast<size_t>(spec.max_lookback());
    if (daily) check_daily_history(n, lookback, horizon, options.folds, input.source);
    if (weekly) check_weekly_history(n, lookback, horizon, given, options.folds, input.source);
    first_row = first_training_row(lookback, n, options.folds, input.source, unit);
    folds = folds_of(n, first_row, options, horizon, input.source, unit);

    x = features::build(spec, h, first_row, n);
    d = training_data(spec, h, y, x, first_row, counts, options);
    d.season = season;

    // 2. The candidates: every one that applies, or those listed.
    chosen = applicable_candidates(counts, options.pinned_objective, daily || weekly);
    if (!options.candidates.empty()) {
      const auto listed = [&](const CandidateInfo* c) {
        return std::find(options.candidates.begin(), options.candidates.end(), c->name) != options.candidates.end();
      };
      chosen.erase(std::remove_if(chosen.begin(), chosen.end(), [&](const CandidateInfo* c) { return !listed(c); }),
                   chosen.end());
      if (chosen.empty()) throw Error("--candidates: none of the listed forecasters applies to this series");
    }
  }
  TrainSetup(const TrainSetup&) = delete;
  TrainSetup& operator=(const TrainSetup&) = delete;

  // What the candidates' results depend on, as one number: the target, the feature rows,
  // the folds, the horizon and origins, the parameters, the features and the candidates.
  // A result made from other data or options has another (candidate_results.cpp checks it).
  uint64_t fingerprint() const {
    steps::Fingerprint f;
    f.add(y.data(), y.size() * sizeof(double));
    f.add(x.values.data(), x.values.size() * sizeof(float));
    f.add_size(x.rows);
    f.add_size(x.cols);
    f.add_size(first_row);
    for (const auto& fold : folds) {
      f.add_size(fold.train_begin);
      f.add_size(fold.train_end);
      f.add_size(fold.valid_begin);
      f.add_size(fold.valid_end);
    }
    f.add_size(static_cast<size_t>(horizon));
    f.add_size(static_cast<size_t>(std::max(options.origin_step_hours, 0)));
    f.add_size(static_cast<size_t>(season));
    f.add_size(counts ? 1 : 0);
    f.add_text(d.params.to_json().dump());
    f.add_text(options.spec.to_json().dump());
    for (const CandidateInfo* c : chosen) f.add_text(c->name);
    return f.value();
  }
};

Progress never_backwards(const Progress& progress, double& shown) {
  return [&shown, progress](const std::string& stage, double fraction) {
    shown = std::max(shown, std::min(1.0, fraction));
    if (progress) progress(stage, shown);
  };
}

// Steps 3 and 4 from every candidate's cross-validation: the combination, the selection,
// the intervals, the final fit and the model's header.
TrainOutput finish_training(const series::BuildResult& input, TrainSetup& st, std::vector<CandidateCv> results,
                   const Progress& report) {
  using namespace steps;
  TrainOutput out;
  out.notices = st.notices;
  const double total = static_cast<double>(st.chosen.size()) + 1.0;
  const std::vector<validation::Fold>& folds = st.folds;
  const int horizon = st.horizon;
  const TrainOptions& options = st.options;
  // The median of the best few, as one more candidate.
  const std::vector<size_t> members = add_combination(results, st.chosen, st.d, folds, horizon);

  // 3. Select, then calibrate intervals.
  std::vector<model::CandidateResult> comparison;
  model::BacktestSummary backtest = backtest_summary(results, members, folds.size(), horizon, options);
  const size_t best = select_best(results, comparison, backtest);
  const CandidateCv& cv = results[best];
  const eval::Coverage coverage = eval::cross_coverage(cv.residuals, st.counts);
  eval::ResidualSet all;  // the folds' buckets: a day of hours, a week of days, four weeks
  for (const auto& r : cv.residuals) all.append(r);
  const eval::Intervals intervals = eval::intervals_from(all, st.counts);

  // 4. The final model on all the data (a combination refits each member).
  const std::vector<size_t> fits = best < st.chosen.size() ? std::vector<size_t>{best} : members;
  model::Model& m = out.model;
  model::ForecastSection f;
  f.features = options.spec;
  fit_final(st.chosen, results, fits, st.d, st.n, total, report, f, m.ensemble);
  report("done", 1.0);

  m.header.kind = "forecast";
  m.header.created_by = std::string("funnelcast ") + FC_VERSION;
  m.header.data = schema_of(input, st.data, *st.s, options.channel);
  f.clip_negative = st.counts;
  f.horizon = horizon;
  f.min_history = min_history_of(f, st.lookback, st.first_row, st.daily);
  if (st.weekly)
    f.min_history = min_history_weekly(f, static_cast<int>(std::max<size_t>(std::min(st.lookback, st.first_row), 1)));
  f.intervals = intervals;
  f.coverage = {coverage.p80, coverage.p95, coverage.points};
  describe_cv(f, cv, folds, *st.s, horizon, options.gap);
  f.comparison = std::move(comparison);
  f.selected = cv.name;
  f.backtest = backtest;
  m.header.forecast = std::move(f);
  model::check(m);
  out.report = report_json(m, coverage, out.notices);
  return out;
}

void refuse_by_channel(const TrainOptions& options) {
  if (options.by_channel)
    throw Error("the candidates of a by-channel model are cross-validated together: train it in one run");
}

}  // namespace

TrainOutput train(const series::BuildResult& input, const TrainOptions& given, const Progress& progress) {
  using namespace steps;
  if (given.by_channel) return train_by_channel(input, given, progress);
  TrainSetup st(input, given);
  // Every candidate through the same folds. Progress never goes backwards.
  const double total = static_cast<double>(st.chosen.size()) + 1.0;
  double shown = 0;
  const Progress report = never_backwards(progress, shown);
  std::vector<CandidateCv> results = cross_validate_all(st.chosen, st.d, st.folds, st.horizon, st.options, total, report);
  return finish_training(input, st, std::move(results), report);
}

std::vector<std::string> candidate_names(const series::BuildResult& input, const TrainOptions& options) {
  refuse_by_channel(options);
  const TrainSetup st(input, options);
  std::vector<std::string> names;
  for (const CandidateInfo* c : st.chosen) names.push_back(c->name);
  return names;
}

CandidateRun train_candidate(const series::BuildResult& input, const TrainOptions& options, size_t k,
                             const Progress& progress) {
  refuse_by_channel(options);
  const TrainSetup st(input, options);
  if (k >= st.chosen.size())
    throw Error("candidate " + std::to_string(k) + ": this training compares " + std::to_string(st.chosen.size()) +
                " forecasters (0 to " + std::to_string(st.chosen.size() - 1) + ")");
  double shown = 0;
  const Progress report = never_backwards(progress, shown);
  // One candidate as cross_validate_all runs it alone: every thread it was given.
  CandidateCv cv = cross_validate(*st.chosen[k], st.d, st.folds, st.horizon, st.options.origin_step_hours,
                                  [&](const std::string& stage, double within) { report(stage, within); });
  report("done", 1.0);
  return {cv.name, steps::save_candidate(cv, st.fingerprint(), k, st.chosen.size())};
}

TrainOutput train(const series::BuildResult& input, const TrainOptions& options,
                  const std::vector<std::string>& candidates, const Progress& progress) {
  refuse_by_channel(options);
  TrainSetup st(input, options);
  std::vector<CandidateCv> results =
      steps::load_candidates(candidates, st.fingerprint(), st.chosen, st.folds.size());
  const double total = static_cast<double>(st.chosen.size()) + 1.0;
  double shown = static_cast<double>(st.chosen.size()) / total;  // the candidates' share is done
  const Progress report = never_backwards(progress, shown);
  return finish_training(input, st, std::move(results), report);
}

}  // namespace fc::forecast
