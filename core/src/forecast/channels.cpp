// Every channel of a file from one model (`train forecast --by channel`). One set of
// trees learns from all the channels at once: each channel's target and lags in the units
// of its own local level (as gbdt_level), the channel's index as one more, categorical
// feature. Each channel is forecast from its own history, and the total is the sum of the
// channels' forecasts (bottom-up), so the channels always add up to the total.
//
// The folds are the single-series ones, on the shared grid: on each fold the trees learn
// from every channel's steps before the cut-off, then every channel is forecast from the
// same origins. Seasonal naive runs per channel beside it. The forecaster with the lowest
// mean backtest MASE over the channels (each channel judged alike, whatever its level) is
// kept, never one worse there than the best seasonal naive. Each channel gets its own
// bands from its own backtest errors; the total its own from the total's.
#include <algorithm>
#include <atomic>
#include <cctype>
#include <exception>
#include <memory>
#include <thread>
#include <cmath>
#include <limits>
#include <mutex>

#include "funnelcast/base/error.hpp"
#include "funnelcast/base/math.hpp"
#include "funnelcast/forecast/predict.hpp"
#include "funnelcast/forecast/reconcile.hpp"
#include "funnelcast/time/time.hpp"
#include "internal.hpp"
#include "train_steps.hpp"

namespace fc::forecast {
namespace {

// The global trees among the candidates: squared error in the units of each channel's
// level, and Poisson on the counts themselves (a count target only).
struct GlobalVariant {
  const char* name;
  bool levelled;
  gbdt::Objective objective;
};
// The global trees' learning rate on long hourly files when none is given, and their early
// stopping's patience then, in trees (50 at the single series' 0.05): train_by_channel.
// Long: at least 18 months of hours (a 2-year file, not a 1-year one).
constexpr double kChannelLearningRate = 0.1;
constexpr int kChannelPatience = 25;
constexpr size_t kChannelFastHours = 548 * 24;

constexpr GlobalVariant kGlobalVariants[] = {{"gbdt_global", true, gbdt::Objective::kSquaredError},
                                             {"gbdt_global_poisson", false, gbdt::Objective::kPoisson}};

// One candidate's cross-validation: per channel, and of the total (the channels' sum).
struct ChannelCandidateCv {
  std::string name;
  std::vector<CandidateCv> channels;
  CandidateCv total;
  std::vector<int> best_iterations;  // gbdt_global: per fold
};

// The channels' predictions of one fold, summed step by step (unknown when any is).
FoldPredictions channel_sum(const std::vector<CandidateCv>& channels, size_t k) {
  FoldPredictions out = channels.front().predictions.at(k);
  for (size_t c = 1; c < channels.size(); ++c) {
    const FoldPredictions& p = channels[c].predictions.at(k);
    for (size_t t = 0; t < out.one_step.size(); ++t) out.one_step[t] += p.one_step.at(t);
    for (size_t i = 0; i < out.forecasts.size(); ++i)
      for (size_t j = 0; j < out.forecasts[i].size(); ++j) out.forecasts[i][j] += p.forecasts.at(i).at(j);
  }
  return out;
}

// The total's scores from the channels' predictions, fold by fold.
CandidateCv channel_total(const std::string& name, const std::vector<CandidateCv>& channels, const TrainingData& total,
                          const std::vector<validation::Fold>& folds, int horizon) {
  CandidateCv out;
  out.name = name;
  for (size_t k = 0; k < folds.size(); ++k) {
    FoldPredictions fp = channel_sum(channels, k);
    score_fold(out, k, folds, fp, total, horizon);
    out.predictions.push_back(std::move(fp));
  }
  return out;
}

// The trees' prediction of each step of [begin, end) from the history before it, clipped
// as predict_clipped clips it: every step's row through the trees as one block, the numbers
// of predict_at (predict_next_trees) in a fraction of the time of one row at a time.
std::vector<double> one_step_trees(const Predictor& p, const features::History& h, size_t begin, size_t end,
                                   std::vector<float>& scratch) {
  std::vector<features::History> before(end - begin, h);
  std::vector<const features::History*> hs;
  for (size_t i = 0; i < before.size(); ++i) {
    before[i].size = begin + i;
    hs.push_back(&before[i]);
  }
  std::vector<double> out(hs.size());
  if (!internal::predict_next_trees(p, hs, scratch, out.data()))
    for (size_t i = 0; i < hs.size(); ++i) out[i] = p.predict_at(h, begin + i, scratch);
  for (double& v : out)
    if (p.clip_negative && v < 0) v = 0.0;
  return out;
}

// A thread the side-by-side candidates are not using (the other candidates are done): a
// fold's forecasts may take it while the next fold fits. Counts free threads; taken and
// given back by one candidate at a time, so the threads in use never exceed --threads.
class SpareThreads {
 public:
  // A thread ended its last candidate and no other is left to start: it is free.
  void give() { free_.fetch_add(1); }
  bool take() {
    int n = free_.load();
    while (n > 0)
      if (free_.compare_exchange_weak(n, n - 1)) return true;
    return false;
  }

 private:
  std::atomic<int> free_{0};
};

// The global trees through the folds, as cross_validate fits them: the first fold with
// early stopping on its last steps and a refit with that tree count on all of them, each
// later fold once with the count the fold before chose on its block; then each channel
// forecast one step ahead and from every origin, as cross_validate does.
// A fold's forecasts need only its own trees: with a spare thread (spare, natively) they
// run there while the next fold fits, each fold's after the one before, so the results are
// appended in fold order and are the same numbers either way.
ChannelCandidateCv channel_global_cv(const GlobalVariant& variant, const std::vector<TrainingData>& ds,
                                     const TrainingData& total, const std::vector<validation::Fold>& folds, int horizon,
                                     int origin_step, int level_window,
                                     const std::function<void(const std::string&, double)>& report,
                                     SpareThreads* spare = nullptr) {
  ChannelCandidateCv out;
  out.name = variant.name;
  out.channels.resize(ds.size());
  for (auto& c : out.channels) c.name = variant.name;
  const size_t step = static_cast<size_t>(std::max(origin_step, 1));
  // Fold k's forecasts of every channel from its trees g, appended to out.channels.
  auto forecast_fold = [&](size_t k, const internal::GlobalGbdt& g, int best) {
    const validation::Fold& fold = folds[k];
    std::vector<float> scratch;
    for (size_t c = 0; c < ds.size(); ++c) {
      const std::unique_ptr<Predictor> p = g.predictor(c, total.counts);
      const features::History& h = ds[c].history;
      FoldPredictions fp;
      fp.one_step = one_step_trees(*p, h, fold.valid_begin, fold.valid_end, scratch);
      for (size_t o = fold.valid_begin; o + static_cast<size_t>(horizon) <= fold.valid_end; o += step)
        fp.origins.push_back(o);
      fp.forecasts = recursive_from(*p, h, fp.origins, horizon);
      score_fold(out.channels[c], k, folds, fp, ds[c], horizon);
      out.channels[c].best_iterations.push_back(best);
      out.channels[c].predictions.push_back(std::move(fp));
    }
  };
#ifndef __EMSCRIPTEN__
  // The fold whose forecasts are running on a spare thread, with its trees; the thread is
  // joined and given back when it is finished with, or when an error unwinds the loop.
  struct Pending {
    SpareThreads& spare;
    std::unique_ptr<internal::GlobalGbdt> g;
    std::thread thread;
    std::exception_ptr error;
    ~Pending() {
      if (thread.joinable()) thread.join();
      spare.give();
    }
  };
  std::unique_ptr<Pending> pending;
  auto finish_pending = [&] {
    if (!pending) return;
    pending->thread.join();
    const std::exception_ptr error = pending->error;
    pending.reset();
    if (error) std::rethrow_exception(error);
  };
#endif
  int prior = 0;  // the tree count the previous fold chose
  for (size_t k = 0; k < folds.size(); ++k) {
    const validation::Fold& fold = folds[k];
    const std::string stage = "fold " + std::to_string(k + 1) + "/" + std::to_string(folds.size()) + " " + variant.name;
    auto within = [&](double f) { report(stage, (static_cast<double>(k) + std::clamp(f, 0.0, 1.0)) / folds.size()); };
    auto g = std::make_unique<internal::GlobalGbdt>(ds.front().spec, ds.front().params, ds.front().threads,
                                                    variant.levelled ? level_window : 0, variant.objective);
    // The fold's fitting: 90% of its progress (its forecasts the rest), 60% the first fit.
    const int best = internal::fit_fold(*g, ds, fold, prior, 0.6 / 0.9, [&](double f) { within(0.9 * f); });
    out.best_iterations.push_back(best);
#ifndef __EMSCRIPTEN__
    finish_pending();  // the fold before's forecasts first: fold order
    if (spare && k + 1 < folds.size() && spare->take()) {
      pending.reset(new Pending{*spare, std::move(g), {}, nullptr});
      Pending* p = pending.get();
      p->thread = std::thread([&forecast_fold, p, k, best] {
        try {
          forecast_fold(k, *p->g, best);
        } catch (...) {
          p->error = std::current_exception();
        }
      });
      within(1.0);
      continue;
    }
#endif
    forecast_fold(k, *g, best);
    within(1.0);
  }
#ifndef __EMSCRIPTEN__
  finish_pending();
#else
  (void)spare;
#endif
  out.total = channel_total(variant.name, out.channels, total, folds, horizon);
  return out;
}

// A forecaster fitted on one series at a time (seasonal naive), run on each channel.
ChannelCandidateCv channel_local_cv(const CandidateInfo& info, const std::vector<TrainingData>& ds,
                                    const TrainingData& total, const std::vector<validation::Fold>& folds, int horizon,
                                    int origin_step, const std::function<void(const std::string&, double)>& report) {
  ChannelCandidateCv out;
  out.name = info.name;
  for (size_t c = 0; c < ds.size(); ++c) {
    out.channels.push_back(cross_validate(info, ds[c], folds, horizon, origin_step, [&](const std::string& stage, double f) {
      report(stage, (static_cast<double>(c) + f) / static_cast<double>(ds.size()));
    }));
  }
  out.total = channel_total(info.name, out.channels, total, folds, horizon);
  return out;
}

// Each candidate's mean backtest MASE on each channel (NaN where the channel has none).
std::vector<std::vector<double>> channel_mase(const std::vector<ChannelCandidateCv>& results, size_t channels) {
  std::vector<std::vector<double>> out(results.size(), std::vector<double>(channels, kNaN));
  for (size_t c = 0; c < channels; ++c) {
    std::vector<CandidateCv> one;
    for (const auto& r : results) one.push_back(r.channels[c]);
    const std::vector<double> mase = steps::backtest_mase(one);
    for (size_t i = 0; i < results.size(); ++i) out[i][c] = mase[i];
  }
  return out;
}

// The mean over the channels that have a MASE for every candidate.
std::vector<double> channel_mean_mase(const std::vector<std::vector<double>>& mase) {
  std::vector<double> out(mase.size(), kNaN);
  if (mase.empty()) return out;
  std::vector<double> sum(mase.size(), 0.0);
  size_t used = 0;
  for (size_t c = 0; c < mase.front().size(); ++c) {
    bool all = true;
    for (const auto& m : mase) all = all && std::isfinite(m[c]);
    if (!all) continue;
    for (size_t i = 0; i < mase.size(); ++i) sum[i] += mase[i][c];
    ++used;
  }
  if (used == 0) return out;
  for (size_t i = 0; i < mase.size(); ++i) out[i] = sum[i] / static_cast<double>(used);
  return out;
}

std::string channel_lower(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

// The file must have channels the forecast can add up: at least two, not too many, none
// named like the total, each mostly known.
void check_channels(const series::BuildResult& data, const std::string& source, const std::string& unit) {
  if (data.channels.size() < 2) {
    throw Error(source + ": --by channel forecasts each channel from one model, and " +
                (data.channels.empty() ? std::string("this file has no channel column (name it with --channel-column COL)")
                                       : "this file has one channel, '" + data.channels.front().channel +
                                             "'; train without --by"));
  }
  if (data.channels.size() > model::kMaxForecastChannels) {
    throw Error(source + ": " + std::to_string(data.channels.size()) + " channels; --by channel forecasts at most " +
                std::to_string(model::kMaxForecastChannels) + " (choose a coarser channel column)");
  }
  for (const auto& ch : data.channels) {
    if (channel_lower(ch.channel) == "total") {
      throw Error(source + ": a channel is named '" + ch.channel +
                  "', which the forecast uses for the sum of the channels; if those rows are totals, remove them "
                  "(they would be counted twice), else rename the channel");
    }
    size_t known = 0;
    for (double v : ch.leads) known += std::isnan(v) ? 0 : 1;
    if (known * 2 < ch.size()) {
      throw Error(source + ": channel '" + ch.channel + "' has no leads value in " + std::to_string(ch.size() - known) +
                  " of " + std::to_string(ch.size()) + " " + unit +
                  "s; a forecast learned from so little would not be trustworthy. If the export leaves out " + unit +
                  "s without leads, count them as 0 (CLI: --gaps zero)");
    }
  }
}

model::TargetStats channel_target(const std::vector<double>& y) {
  model::TargetStats t{kNaN, kNaN, kNaN, kNaN, 0};
  std::vector<double> known;
  for (double v : y)
    if (!std::isnan(v)) known.push_back(v);
  t.count = known.size();
  if (known.empty()) return t;
  const metrics::MeanStd ms = metrics::mean_std(known);
  t.mean = ms.mean;
  t.std = ms.std;
  t.min = *std::min_element(known.begin(), known.end());
  t.max = *std::max_element(known.begin(), known.end());
  return t;
}

model::Coverage channel_coverage(const CandidateCv& cv, bool counts, eval::Intervals& intervals) {
  const eval::Coverage c = eval::cross_coverage(cv.residuals, counts);
  eval::ResidualSet all;
  for (const auto& r : cv.residuals) all.append(r);
  intervals = eval::intervals_from(all, counts);
  return {c.p80, c.p95, c.points};
}

// A cheap base forecast of the total alone, for reconciling the channels with it: the
// statistical forecasters of one series (Holt-Winters, Theta) through the same folds on
// the total, the lower backtest MASE kept. No trees: a fraction of the channels' cost.
CandidateCv total_base_cv(const TrainingData& total, const std::vector<validation::Fold>& folds, int horizon,
                          int origin_step) {
  std::vector<CandidateCv> results;
  for (const auto& c : candidates()) {
    const std::string name = c.name;
    if (name == "holt_winters" || name == "theta") results.push_back(cross_validate(c, total, folds, horizon, origin_step));
  }
  const std::vector<double> mase = steps::backtest_mase(results);
  size_t best = 0;
  for (size_t i = 1; i < results.size(); ++i)
    if (std::isfinite(mase[i]) && !(mase[best] <= mase[i])) best = i;
  return std::move(results.at(best));
}

// Each reconciliation on the backtests of the forecaster kept, against the total's base.
nlohmann::json reconciliation_backtest(const ChannelCandidateCv& chosen, const CandidateCv& total_base,
                                       const std::vector<TrainingData>& ds, const TrainingData& total, size_t folds,
                                       bool counts, size_t bucket_steps, size_t scale_lag) {
  std::vector<const CandidateCv*> channels;
  std::vector<const std::vector<double>*> y;
  for (size_t c = 0; c < ds.size(); ++c) {
    channels.push_back(&chosen.channels[c]);
    y.push_back(ds[c].y);
  }
  y.push_back(total.y);
  const std::vector<reconcile::Score> scores =
      reconcile::backtest(channels, total_base, y, folds, counts, bucket_steps, scale_lag);
  auto number = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
  nlohmann::json out = {{"total_base", total_base.name}, {"best", reconcile::name(reconcile::choose(scores))}};
  for (const auto& s : scores)
    out["mase"][reconcile::name(s.method)] = {{"channels", number(s.channels)}, {"total", number(s.total)}};
  return out;
}

}  // namespace

TrainOutput train_by_channel(const series::BuildResult& input, const TrainOptions& given, const Progress& progress) {
  using namespace steps;
  TrainOutput out;
  const series::BuildResult data = forecast_grid(input, out.notices);
  const bool daily = data.step == time::kDay;
  const bool weekly = data.step == time::kWeek;
  TrainOptions options = given;
  if (daily) adapt_to_daily(options);
  const std::string unit = weekly ? "week" : daily ? "day" : "hour";
  if (!options.channel.empty())
    throw Error("--by channel forecasts every channel; to train on channel '" + options.channel + "' alone, leave out --by");
  check_channels(data, input.source, unit);
  // Weekly: the yearly season (and the lags that reach it) when the shared grid holds two
  // years, as for one series.
  const int season = weekly ? adapt_to_weekly(options, data.total.size()) : 0;
  const features::FeatureSpec& spec = options.spec;
  const int horizon = options.horizon;
  check_horizon(spec, horizon, unit);
  if (daily) out.notices.push_back(daily_notice(horizon));
  if (weekly) out.notices.push_back(weekly_notice(horizon, season, data.total.size()));

  // 1. Every channel's history on the shared grid; the total must be forecastable honestly.
  const std::string target = data.roles.leads.empty() ? "leads (rows counted)" : "'" + data.roles.leads + "'";
  const time::Zone* zone = series::clock_zone(data);
  const SeriesHistory total_history = history_of(spec, data.total, zone);
  const size_t n = total_history.history.size;
  // On long hourly files the global trees learn at twice the single series' rate unless a
  // rate is given: about half the trees for the same early-stopped fit, where the pooled
  // rows of every channel make each tree the costliest. The early stopping's patience
  // halves with it (unless given), 50 trees to 25: the same shrinkage spent past the best
  // count. bench/forecast_channels.py (docs/forecasting.md, 3 seeds, 2 origins each): on
  // 730 days the channels' MASE ratio 0.635 -> 0.639 and the total's 0.560 -> 0.564 with
  // half the CPU time (22.7 -> 11.5 s); on 365 days the rate alone cost more (0.744 ->
  // 0.756, total 0.704 -> 0.723), so shorter files, and daily ones, keep the defaults.
  // `forecast_channels.py --rates` (docs/forecasting.md) between: worse up to 400 days, the
  // same within 0.006 from 480 to 620 days, about 1% worse at 700, on two generators.
  if (!daily && !weekly && !options.learning_rate_given && n >= kChannelFastHours) {
    options.params.learning_rate = kChannelLearningRate;
    if (options.params.early_stopping_round <= 0) options.params.early_stopping_round = kChannelPatience;
  }
  const std::vector<double> total_y(total_history.history.target, total_history.history.target + n);
  bool counts = check_target(total_y, input.source, target, unit, out.notices);
  std::vector<SeriesHistory> histories;
  std::vector<std::vector<double>> ys;
  histories.reserve(data.channels.size());
  for (const auto& ch : data.channels) {
    histories.push_back(history_of(spec, ch, zone));
    ys.emplace_back(ch.leads.begin(), ch.leads.end());
    for (double v : ys.back()) counts = counts && !(v < 0);
  }
  const size_t lookback = static_cast<size_t>(spec.max_lookback());
  if (daily) check_daily_history(n, lookback, horizon, options.folds, input.source);
  if (weekly) check_weekly_history(n, lookback, horizon, given, options.folds, input.source);
  const size_t first_row = first_training_row(lookback, n, options.folds, input.source, unit);
  const std::vector<validation::Fold> folds = folds_of(n, first_row, options, horizon, input.source, unit);

  std::vector<features::Matrix> xs;
  xs.reserve(data.channels.size());
  std::vector<TrainingData> ds;
  for (size_t c = 0; c < data.channels.size(); ++c) {
    xs.push_back(features::build(spec, histories[c].history, first_row, n));
    ds.push_back(training_data(spec, histories[c].history, ys[c], xs[c], first_row, counts, options));
    ds.back().season = season;
  }
  // The total is only scored (its forecasts are the channels' sums): no feature rows.
  const features::Matrix no_rows;
  TrainingData total = training_data(spec, total_history.history, total_y, no_rows, first_row, counts, options);
  total.season = season;

  // 2. The global trees and seasonal naive per channel, through the same folds.
  std::vector<const CandidateInfo*> locals;
  for (const auto& c : candidates())
    if (is_seasonal_naive(c.name) && !((daily || weekly) && hourly_only(c.name))) locals.push_back(&c);
  std::vector<const GlobalVariant*> globals;
  for (const auto& v : kGlobalVariants) {
    const bool poisson = v.objective == gbdt::Objective::kPoisson;
    if (poisson && !counts) continue;  // Poisson needs a target that is never negative
    if (!options.pinned_objective.empty() && options.pinned_objective != gbdt::to_string(v.objective)) continue;
    globals.push_back(&v);
  }
  const double units = static_cast<double>(locals.size() + globals.size()) + 1.0;
  double shown = 0;
  std::mutex progress_mu;
  auto report = [&](const std::string& stage, double fraction) {
    std::lock_guard<std::mutex> lock(progress_mu);
    shown = std::max(shown, std::min(1.0, fraction));
    if (progress) progress(stage, shown);
  };
  const int level_window = internal::level_window_of(total_history.history);
  // Every candidate through the folds; with more than one thread side by side, one thread
  // each (the global trees' are the same for any thread count: the same bytes).
  std::vector<ChannelCandidateCv> results(locals.size() + globals.size());
  std::vector<TrainingData> single = ds;
  for (auto& d : single) d.threads = 1;
  // A thread with no candidate left to start is spare: the global trees still running give
  // it their folds' forecasts (channel_global_cv).
  SpareThreads spare;
  side_by_side(results.size(), options.threads, [&](size_t i, bool alone) {
    const std::vector<TrainingData>& data = alone ? ds : single;
    auto part = [&](const std::string& stage, double f) { report(stage, (static_cast<double>(i) + f) / units); };
    if (i < locals.size()) {
      results[i] = channel_local_cv(*locals[i], data, total, folds, horizon, options.origin_step_hours, part);
    } else {
      results[i] = channel_global_cv(*globals[i - locals.size()], data, total, folds, horizon,
                                     options.origin_step_hours, level_window, part, alone ? nullptr : &spare);
    }
  }, [&] { spare.give(); });

  // 3. Select by the mean over the channels of their backtest MASE; never worse than
  // the best seasonal naive there.
  const std::vector<std::vector<double>> mase = channel_mase(results, data.channels.size());
  const std::vector<double> mean = channel_mean_mase(mase);
  model::BacktestSummary backtest;
  backtest.horizon = horizon;
  backtest.origin_step = std::max(options.origin_step_hours, 1);
  backtest.origins = results.front().total.backtest_origins.size();
  backtest.folds = std::min(folds.size(), kBacktestFolds);
  backtest.selected_by = "mase";
  size_t best = results.size();
  for (size_t i = 0; i < results.size(); ++i)
    if (std::isfinite(mean[i]) && (best == results.size() || mean[i] < mean[best])) best = i;
  if (best == results.size()) {
    // No channel has a seasonal difference before the origins: the lowest recursive RMSE
    // of the total.
    backtest.selected_by = "rmse";
    double lowest = std::numeric_limits<double>::infinity();
    for (size_t i = 0; i < results.size(); ++i) {
      const double rmse = table_of(results[i].total.recursive).at("rmse").mean;
      if (rmse < lowest) {
        lowest = rmse;
        best = i;
      }
    }
    if (best == results.size()) throw Error("no forecaster could be scored on the validation folds");
  } else {
    std::vector<std::string> names;
    for (const auto& r : results) names.push_back(r.name);
    best = never_worse_than_naive(names, mean, best, backtest.fallback);
  }
  const ChannelCandidateCv& chosen = results[best];
  // Reconciliations beside bottom-up, on the same backtests (reported only: see
  // docs/forecasting.md, "tried, and why bottom-up stays").
  const CandidateCv total_base = total_base_cv(total, folds, horizon, options.origin_step_hours);
  const nlohmann::json reconciliation =
      reconciliation_backtest(chosen, total_base, ds, total, folds.size(), counts,
                              internal::backtest_bucket_steps(total), internal::backtest_scale_lag(total));

  model::Model& m = out.model;
  model::ForecastSection f;
  f.features = spec;
  for (const auto& r : results) {
    model::CandidateResult row;
    row.name = r.name;
    row.one_step = table_of(r.total.one_step);
    row.recursive = table_of(r.total.recursive);
    row.best_iterations = r.best_iterations;
    row.backtest = table_of(r.total.backtest);
    f.comparison.push_back(std::move(row));
  }

  // 4. The final model on all the data.
  report("final fit " + chosen.name, (units - 1) / units);
  if (best >= locals.size()) {
    const GlobalVariant& v = *globals[best - locals.size()];
    internal::GlobalGbdt g(spec, options.params, options.threads, v.levelled ? level_window : 0, v.objective);
    FitControl control;
    control.fixed_iterations = median_iterations(chosen.best_iterations);
    control.progress = [&](double p) { report("final fit " + chosen.name, (units - 1 + p) / units); };
    g.fit(ds, n, control);
    g.save(f, m.ensemble);
  } else {
    const CandidateInfo& info = *locals[best];
    std::unique_ptr<Candidate> c = info.make(ds.front());
    c->fit(ds.front(), n, FitControl{});
    c->save(f, m.ensemble);
  }
  report("done", 1.0);

  const eval::Coverage coverage = eval::cross_coverage(chosen.total.residuals, counts);
  eval::ResidualSet all;
  for (const auto& r : chosen.total.residuals) all.append(r);
  f.intervals = eval::intervals_from(all, counts);
  f.coverage = {coverage.p80, coverage.p95, coverage.points};
  for (size_t c = 0; c < data.channels.size(); ++c) {
    model::ChannelSeries ch;
    ch.name = data.channels[c].channel;
    ch.coverage = channel_coverage(chosen.channels[c], counts, ch.intervals);
    ch.target = channel_target(ys[c]);
    for (size_t i = 0; i < results.size(); ++i) ch.mase[results[i].name] = mase[i][c];
    f.channels.push_back(std::move(ch));
  }

  m.header.kind = "forecast";
  m.header.created_by = std::string("funnelcast ") + FC_VERSION;
  m.header.data = schema_of(input, data, data.total, "");
  f.clip_negative = counts;
  f.horizon = horizon;
  f.min_history = min_history_of(f, lookback, first_row, daily);
  if (weekly) f.min_history = min_history_weekly(f, static_cast<int>(std::max<size_t>(std::min(lookback, first_row), 1)));
  describe_cv(f, chosen.total, folds, data.total, horizon, options.gap);
  f.selected = chosen.name;
  f.backtest = backtest;
  m.header.forecast = std::move(f);
  model::check(m);
  out.notices.push_back("one model for " + std::to_string(data.channels.size()) +
                        " channels: each forecast from its own history, the total as their sum");
  out.report = report_json(m, coverage, out.notices);
  nlohmann::json channels = nlohmann::json::array();
  for (const auto& ch : m.header.forecast->channels) {
    nlohmann::json row = {{"name", ch.name}, {"coverage", {{"p80", ch.coverage.p80}, {"p95", ch.coverage.p95}}}};
    for (const auto& [name, v] : ch.mase) row["mase"][name] = std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
    channels.push_back(std::move(row));
  }
  out.report["channels"] = std::move(channels);
  out.report["reconciliation"] = "bottom_up";
  out.report["reconciliation_backtest"] = reconciliation;
  return out;
}

}  // namespace fc::forecast
