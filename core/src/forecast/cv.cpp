// One candidate through every fold. The fold's model never sees a target at or after
// its cut-off: features of step t read the target before t only, and the fit uses the
// steps before the cut-off only.
#include "funnelcast/forecast/cv.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>

#include "funnelcast/base/error.hpp"
#include "funnelcast/base/math.hpp"
#include "funnelcast/time/time.hpp"
#include "internal.hpp"

namespace fc::forecast {
namespace {

// Early stopping and the refit share a fold's progress: the first fit takes this much.
constexpr double kFirstFitShare = 0.6;

std::vector<double> slice(const std::vector<double>& v, size_t b, size_t e) {
  return std::vector<double>(v.begin() + static_cast<ptrdiff_t>(b), v.begin() + static_cast<ptrdiff_t>(e));
}

}  // namespace

std::vector<std::vector<double>> recursive_from(const Predictor& p, const features::History& h,
                                                const std::vector<size_t>& origins, int horizon) {
  std::vector<std::vector<double>> out;
  out.reserve(origins.size());
  if (p.steps()) {
    // The smoothers carry a state from step to step: one origin at a time.
    for (size_t o : origins) out.push_back(recursive(p, h, o, horizon));
    return out;
  }
  std::deque<RecursiveWindow> windows;  // a deque: its elements never move
  std::vector<const features::History*> hs;
  for (size_t o : origins) {
    windows.emplace_back(p, h, o, horizon);
    hs.push_back(&windows.back().local);
    out.emplace_back(static_cast<size_t>(std::max(horizon, 0)));
  }
  std::vector<float> scratch;
  std::vector<double> step(origins.size());
  for (int k = 0; k < horizon; ++k) {
    // The trees predict the step of every origin as one block; the others one by one.
    if (!internal::predict_next_trees(p, hs, scratch, step.data()))
      for (size_t i = 0; i < hs.size(); ++i) step[i] = p.predict_at(*hs[i], hs[i]->size, scratch);
    for (size_t i = 0; i < windows.size(); ++i) {
      features::History& local = windows[i].local;
      const double v = p.clip_negative && step[i] < 0 ? 0.0 : step[i];
      out[i][static_cast<size_t>(k)] = v;
      windows[i].buffer[local.size] = v;
      local.size += 1;  // the prediction becomes history for the next step
    }
  }
  return out;
}

metrics::Regression score(const std::vector<double>& y, const std::vector<double>& p,
                          const std::vector<double>& train, size_t season) {
  std::vector<double> ys, ps;
  for (size_t i = 0; i < y.size() && i < p.size(); ++i) {
    if (std::isnan(y[i]) || std::isnan(p[i])) continue;
    ys.push_back(y[i]);
    ps.push_back(p[i]);
  }
  if (ys.empty()) return {kNaN, kNaN, kNaN, kNaN, kNaN};
  return metrics::regression(ys, ps, train.data(), train.size(), season);
}

metrics::Regression backtest_score(const std::vector<double>& y, size_t first, size_t origin,
                                   const std::vector<double>& forecast, size_t scale_lag) {
  const size_t end = std::min(y.size(), origin + forecast.size());
  metrics::Regression r = score(slice(y, origin, end), forecast, {});
  double s = 0;
  size_t c = 0;
  for (size_t t = first + scale_lag; t < origin; ++t) {
    const double d = y[t] - y[t - scale_lag];
    if (std::isnan(d)) continue;
    s += std::fabs(d);
    ++c;
  }
  r.mase = c > 0 && s > 0 && !std::isnan(r.mae) ? r.mae / (s / static_cast<double>(c)) : kNaN;
  return r;
}

void score_fold(CandidateCv& out, size_t k, const std::vector<validation::Fold>& folds, const FoldPredictions& fp,
                const TrainingData& d, int horizon) {
  const std::vector<double>& y = *d.y;
  const validation::Fold& fold = folds[k];
  const std::vector<double> train_y = slice(y, fold.train_begin, fold.train_end);
  // Weekly data: every MASE scaled by the naive training chose (a year back, or the last
  // week); hourly and daily fold tables keep their 24-step scale.
  const bool weekly = d.history.step == time::kWeek;
  const size_t fold_season = weekly ? static_cast<size_t>(internal::weekly_season_of(d)) : 24;
  out.one_step.push_back(score(slice(y, fold.valid_begin, fold.valid_end), fp.one_step, train_y, fold_season));
  // The honest forecast: from the fold's cut-off (the first origin).
  const std::vector<double> none;
  const std::vector<double>& rec = fp.forecasts.empty() ? none : fp.forecasts.front();
  out.recursive.push_back(
      score(slice(y, fold.valid_begin, fold.valid_begin + static_cast<size_t>(horizon)), rec, train_y, fold_season));
  // Every origin, only to learn how errors grow with the step. The origins of the most
  // recent folds are the backtests candidates are chosen by.
  const bool backtested = k + kBacktestFolds >= folds.size();
  eval::ResidualSet res;
  res.bucket_steps = internal::backtest_bucket_steps(d);
  const size_t scale_lag = internal::backtest_scale_lag(d);
  for (size_t i = 0; i < fp.origins.size(); ++i) {
    const size_t o = fp.origins[i];
    const std::vector<double>& p = fp.forecasts[i];
    for (int j = 0; j < horizon; ++j)
      res.add(static_cast<size_t>(j), (y[o + static_cast<size_t>(j)] - p[j]) / eval::scale_of(p[j], d.counts));
    if (backtested) {
      out.backtest.push_back(backtest_score(y, 0, o, p, scale_lag));
      out.backtest_origins.push_back(o);
    }
  }
  out.residuals.push_back(std::move(res));
}

namespace {
double median_of(std::vector<double>& v) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return std::isnan(x); }), v.end());
  if (v.empty()) return kNaN;
  std::sort(v.begin(), v.end());
  const size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}
}  // namespace

CandidateCv combine(const std::string& name, const std::vector<const CandidateCv*>& members, const TrainingData& d,
                    const std::vector<validation::Fold>& folds, int horizon) {
  if (members.empty()) throw Error("a combination needs members");
  CandidateCv out;
  out.name = name;
  std::vector<double> at(members.size());
  for (size_t k = 0; k < folds.size(); ++k) {
    FoldPredictions fp;
    const FoldPredictions& first = members[0]->predictions.at(k);
    fp.origins = first.origins;
    fp.one_step.resize(first.one_step.size());
    for (size_t t = 0; t < fp.one_step.size(); ++t) {
      for (size_t m = 0; m < members.size(); ++m) at[m] = members[m]->predictions.at(k).one_step.at(t);
      fp.one_step[t] = median_of(at);
    }
    fp.forecasts.assign(fp.origins.size(), std::vector<double>(static_cast<size_t>(horizon)));
    for (size_t i = 0; i < fp.origins.size(); ++i)
      for (size_t j = 0; j < static_cast<size_t>(horizon); ++j) {
        at.resize(members.size());
        for (size_t m = 0; m < members.size(); ++m) at[m] = members[m]->predictions.at(k).forecasts.at(i).at(j);
        fp.forecasts[i][j] = median_of(at);
      }
    score_fold(out, k, folds, fp, d, horizon);
    out.predictions.push_back(std::move(fp));
  }
  return out;
}

CandidateCv cross_validate(const CandidateInfo& info, const TrainingData& d,
                           const std::vector<validation::Fold>& folds, int horizon,
                           int origin_step, const CvProgress& progress) {
  CandidateCv out;
  out.name = info.name;
  const features::History& h = d.history;
  const size_t step = static_cast<size_t>(std::max(origin_step, 1));
  const double per_fold = folds.empty() ? 1.0 : 1.0 / static_cast<double>(folds.size());
  int prior = 0;  // the tree count the previous fold chose (trees only)
  for (size_t k = 0; k < folds.size(); ++k) {
    const validation::Fold& fold = folds[k];
    const std::string stage = "fold " + std::to_string(k + 1) + "/" + std::to_string(folds.size()) + " " + info.name;
    auto report = [&](double within) {
      if (progress) progress(stage, (static_cast<double>(k) + std::clamp(within, 0.0, 1.0)) * per_fold);
    };
    report(0);
    std::unique_ptr<Candidate> c = info.make(d);
    // Trees: the first fold with early stopping and a refit, each later one with the count
    // the fold before chose (internal::fit_fold).
    out.best_iterations.push_back(internal::fit_fold(*c, d, fold, prior, kFirstFitShare, report));
    // One step ahead with the true lags: every validation step, features from observed data.
    FoldPredictions fp;
    fp.one_step.reserve(fold.valid_end - fold.valid_begin);
    const std::unique_ptr<StepPredictor> steps = c->predictor().steps();
    for (size_t t = fold.valid_begin; t < fold.valid_end; ++t) {
      double p = steps ? steps->at(h, t) : c->predictor().predict_row(h, t, d.x->row(t - d.first_row));
      if (c->predictor().clip_negative && p < 0) p = 0;
      fp.one_step.push_back(p);
    }
    // `horizon` steps from the fold's cut-off (the honest forecast), and from more origins
    // inside the validation block, feeding predictions back.
    for (size_t o = fold.valid_begin; o + static_cast<size_t>(horizon) <= fold.valid_end; o += step)
      fp.origins.push_back(o);
    fp.forecasts = recursive_from(c->predictor(), h, fp.origins, horizon);
    score_fold(out, k, folds, fp, d, horizon);
    out.predictions.push_back(std::move(fp));
    report(1.0);
  }
  return out;
}

}  // namespace fc::forecast
