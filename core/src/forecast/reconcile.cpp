// Reconciliation of the channels with the total; see reconcile.hpp.
#include "funnelcast/forecast/reconcile.hpp"

#include <cmath>

#include "funnelcast/base/error.hpp"
#include "funnelcast/base/math.hpp"

namespace fc::forecast::reconcile {

const char* name(Method m) {
  switch (m) {
    case Method::kMintWls:
      return "mint_wls";
    case Method::kProportional:
      return "proportional";
    case Method::kBottomUp:
      break;
  }
  return "bottom_up";
}

std::vector<double> step(Method m, const std::vector<double>& channels,
                         const std::vector<double>& variances, double total,
                         double total_variance) {
  std::vector<double> out = channels;
  if (m == Method::kBottomUp || channels.empty() || !std::isfinite(total)) return out;
  double sum = 0;
  for (double f : channels) sum += f;
  if (m == Method::kProportional) {
    const double n = static_cast<double>(channels.size());
    for (size_t c = 0; c < out.size(); ++c)
      out[c] = sum > 0 ? total * channels[c] / sum : total / n;
    return out;
  }
  double v_sum = total_variance;
  bool known =
      std::isfinite(total_variance) && total_variance > 0 && variances.size() == channels.size();
  for (size_t c = 0; known && c < variances.size(); ++c) {
    known = std::isfinite(variances[c]) && variances[c] > 0;
    v_sum += variances[c];
  }
  if (!known) return out;
  const double d = total - sum;
  for (size_t c = 0; c < out.size(); ++c) out[c] += variances[c] / v_sum * d;
  return out;
}

namespace {

// Per bucket of steps: the mean squared error of the folds [0, end)'s forecasts, scaled
// as the intervals scale them (NaN where a bucket has none).
std::vector<double> scaled_mse(const CandidateCv& cv, const std::vector<double>& y, size_t end,
                               bool counts, size_t bucket_steps) {
  std::vector<double> sum, n;
  for (size_t k = 0; k < end && k < cv.predictions.size(); ++k) {
    const FoldPredictions& fp = cv.predictions[k];
    for (size_t i = 0; i < fp.origins.size(); ++i) {
      const std::vector<double>& p = fp.forecasts[i];
      for (size_t j = 0; j < p.size() && fp.origins[i] + j < y.size(); ++j) {
        const double e = (y[fp.origins[i] + j] - p[j]) / eval::scale_of(p[j], counts);
        if (!std::isfinite(e)) continue;
        const size_t b = j / bucket_steps;
        if (b >= sum.size()) sum.resize(b + 1, 0.0), n.resize(b + 1, 0.0);
        sum[b] += e * e;
        n[b] += 1;
      }
    }
  }
  for (size_t b = 0; b < sum.size(); ++b) sum[b] = n[b] > 0 ? sum[b] / n[b] : kNaN;
  return sum;
}

double variance_at(const std::vector<double>& mse, size_t j, double forecast, bool counts,
                   size_t bucket_steps) {
  if (mse.empty()) return kNaN;
  const double s = eval::scale_of(forecast, counts);
  return mse[std::min(j / bucket_steps, mse.size() - 1)] * s * s;
}

}  // namespace

std::vector<Score> backtest(const std::vector<const CandidateCv*>& channels,
                            const CandidateCv& total,
                            const std::vector<const std::vector<double>*>& y, size_t folds,
                            bool counts, size_t bucket_steps, size_t scale_lag) {
  const size_t nc = channels.size();
  if (nc == 0 || y.size() != nc + 1 || bucket_steps == 0)
    throw Error("reconcile::backtest: channels and values differ");
  std::vector<const CandidateCv*> series = channels;
  series.push_back(&total);
  std::vector<Score> out;
  for (Method m : kMethods) {
    // Per series: the sum and count of its origins' MASE.
    std::vector<double> sum(nc + 1, 0.0), count(nc + 1, 0.0);
    for (size_t k = 1; k < folds; ++k) {
      if (k + kBacktestFolds < folds) continue;  // the backtests are the most recent folds'
      std::vector<std::vector<double>> mse;
      for (size_t s = 0; s <= nc; ++s)
        mse.push_back(scaled_mse(*series[s], *y[s], k, counts, bucket_steps));
      const FoldPredictions& tp = total.predictions.at(k);
      for (size_t i = 0; i < tp.origins.size(); ++i) {
        const size_t o = tp.origins[i];
        const size_t h = tp.forecasts[i].size();
        std::vector<std::vector<double>> rec(nc + 1, std::vector<double>(h, 0.0));
        std::vector<double> f(nc), v(nc);
        for (size_t j = 0; j < h; ++j) {
          for (size_t c = 0; c < nc; ++c) {
            const FoldPredictions& cp = channels[c]->predictions.at(k);
            if (cp.origins.at(i) != o)
              throw Error("reconcile::backtest: the channels' origins differ from the total's");
            f[c] = cp.forecasts.at(i).at(j);
            v[c] = variance_at(mse[c], j, f[c], counts, bucket_steps);
          }
          const double t = tp.forecasts[i][j];
          const std::vector<double> g =
              step(m, f, v, t, variance_at(mse[nc], j, t, counts, bucket_steps));
          for (size_t c = 0; c < nc; ++c) {
            rec[c][j] = g[c];
            rec[nc][j] += g[c];
          }
        }
        for (size_t s = 0; s <= nc; ++s) {
          const double mase = backtest_score(*y[s], 0, o, rec[s], scale_lag).mase;
          if (!std::isfinite(mase)) continue;
          sum[s] += mase;
          count[s] += 1;
        }
      }
    }
    Score score{m, 0.0, kNaN};
    double used = 0;
    for (size_t c = 0; c < nc; ++c) {
      if (count[c] == 0) continue;
      score.channels += sum[c] / count[c];
      used += 1;
    }
    score.channels = used > 0 ? score.channels / used : kNaN;
    if (count[nc] > 0) score.total = sum[nc] / count[nc];
    out.push_back(score);
  }
  return out;
}

Method choose(const std::vector<Score>& scores) {
  const Score* bottom_up = nullptr;
  for (const auto& s : scores)
    if (s.method == Method::kBottomUp) bottom_up = &s;
  if (!bottom_up || !std::isfinite(bottom_up->channels) || !std::isfinite(bottom_up->total))
    return Method::kBottomUp;
  const Score* best = bottom_up;
  for (const auto& s : scores) {
    if (!std::isfinite(s.channels) || !std::isfinite(s.total)) continue;
    if (s.channels > bottom_up->channels || s.total > bottom_up->total) continue;
    if (s.channels + s.total < best->channels + best->total) best = &s;
  }
  return best->method;
}

}  // namespace fc::forecast::reconcile
