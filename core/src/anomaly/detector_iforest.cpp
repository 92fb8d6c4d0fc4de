// iforest: an isolation forest (iforest.hpp) over 9 features per interval: the robust
// statistic, its first difference, its mean over 3 intervals and spread over 6, the
// seasonal statistic, hour of day, day of week, holiday and (ratios) the volume. Weak on its
// own (its depth ratio saturates); in the ensemble it adds evidence for odd combinations
// (a normal level at an abnormal hour). Expected value, band and direction: robust's.
// Its loops run for every interval of a series (17,520 for two years of hours) when the page
// first shows its anomalies: compiled for speed in the browser bundle too (CMakeLists.txt).

#include <algorithm>
#include <cmath>

#include "detector.hpp"
#include "funnelcast/anomaly/iforest.hpp"
#include "funnelcast/time/time.hpp"

namespace fc::anomaly::detail {
namespace {

constexpr size_t kFeatures = 9;
constexpr size_t kForestWindow = 2048;  // past rows a forest is grown from
constexpr size_t kRefit = 512;          // steps between forests
constexpr size_t kMinRows = 256;        // rows before the first forest

// The mean of the known values of v over [i - back, i] and their population standard
// deviation (NaN with fewer than 2).
void trailing_moments(const std::vector<double>& v, size_t i, size_t back, double& mean,
                      double& sd) {
  double sum = 0, sum2 = 0;
  size_t k = 0;
  for (size_t j = i >= back ? i - back : 0; j <= i; ++j)
    if (!std::isnan(v[j])) {
      sum += v[j];
      sum2 += v[j] * v[j];
      ++k;
    }
  mean = sum / static_cast<double>(k);
  sd = k >= 2 ? std::sqrt(std::max(
                    0.0, sum2 / static_cast<double>(k) -
                             (sum / static_cast<double>(k)) * (sum / static_cast<double>(k))))
              : kNaN;
}

// Features, kFeatures per interval, NaN where missing: the robust statistic (the value
// against its trailing median), its first difference, its mean over the last 3 intervals,
// its spread over the last 6, the seasonal statistic, hour of day, day of week, holiday,
// and for ratios the volume (log of the exposure against its trailing median).
std::vector<float> features(const Input& in, const Track& rb, const Track& ss, size_t baseline) {
  const size_t n = in.size();
  std::vector<float> x(n * kFeatures, std::nanf(""));
  const bool sub_daily = in.step < time::kDay, sub_weekly = in.step < time::kWeek;
  SortedWindow vol;
  for (size_t i = 0; i < n; ++i) {
    if (in.kind == Kind::kRatio) {
      if (i > 0 && in.known(i - 1)) vol.insert(in.exposure[i - 1]);
      if (i > baseline && in.known(i - baseline - 1)) vol.erase(in.exposure[i - baseline - 1]);
    }
    float* row = &x[i * kFeatures];
    const double e = rb.z[i];
    if (std::isnan(e)) continue;
    row[0] = static_cast<float>(e);
    if (i > 0 && !std::isnan(rb.z[i - 1])) row[1] = static_cast<float>(e - rb.z[i - 1]);
    double mean, sd;
    trailing_moments(rb.z, i, 2, mean, sd);
    row[2] = static_cast<float>(mean);
    trailing_moments(rb.z, i, 5, mean, sd);
    if (!std::isnan(sd)) row[3] = static_cast<float>(sd);
    const double sz = ss.z_feature.empty() ? ss.z[i] : ss.z_feature[i];
    if (!std::isnan(sz)) row[4] = static_cast<float>(sz);
    const int64_t when = in.time(i);
    if (sub_daily) row[5] = static_cast<float>(time::hour_of_day(when));
    if (sub_weekly) row[6] = static_cast<float>(time::day_of_week(when));
    row[7] = time::is_holiday(when) ? 1.0f : 0.0f;
    if (in.kind == Kind::kRatio && vol.size() > 0 && vol.median() > 0)
      row[8] = static_cast<float>(std::log(in.exposure[i] / vol.median()));
  }
  return x;
}

// A forest is grown every kRefit steps from the last kForestWindow rows before that step,
// and scores the rows up to the next one (in one batch, trees walked in lock-step). Rows:
// the intervals robust scored. NaN before the first forest.
std::vector<double> forest_scores(const std::vector<float>& x, const Track& rb, uint64_t seed) {
  const size_t n = rb.z.size();
  std::vector<size_t> rows;  // intervals with features, in time order
  std::vector<float> train;
  std::vector<double> scores(n, kNaN);
  ForestOptions fo;
  for (size_t i0 = 0; i0 < n; i0 += kRefit) {
    const size_t i1 = std::min(n, i0 + kRefit);
    if (rows.size() >= kMinRows) {
      const size_t take = std::min(rows.size(), kForestWindow);
      train.resize(take * kFeatures);
      for (size_t r = 0; r < take; ++r) {
        const size_t src = rows[rows.size() - take + r];
        std::copy(&x[src * kFeatures], &x[src * kFeatures] + kFeatures, &train[r * kFeatures]);
      }
      fo.seed = seed + i0;
      const IsolationForest forest = IsolationForest::fit(train.data(), take, kFeatures, fo);
      forest.score(&x[i0 * kFeatures], i1 - i0, &scores[i0]);
    }
    for (size_t i = i0; i < i1; ++i)
      if (!std::isnan(rb.z[i])) rows.push_back(i);
  }
  return scores;
}

Track run(Context& ctx) {
  const Track& rb = ctx.track("robust");
  const Track& ss = ctx.track("seasonal");
  const size_t n = ctx.in.size();
  const std::vector<float> x = features(ctx.in, rb, ss, ctx.params.baseline);
  const std::vector<double> scores = forest_scores(x, rb, ctx.params.seed);
  Track t;
  t.resize(n);
  Calibrated cal(ctx.params.alpha, false);
  for (size_t i = 0; i < n; ++i) {
    if (std::isnan(rb.z[i]) || std::isnan(scores[i])) continue;
    const double raw = -std::log(std::max(1e-300, 1 - scores[i]));
    double p;
    cal.judge(raw, p);
    t.z[i] = scores[i];
    t.p[i] = p;
    t.expected[i] = rb.expected[i];
    t.lower[i] = rb.lower[i];
    t.upper[i] = rb.upper[i];
    t.direction[i] = rb.direction[i];
  }
  return t;
}

}  // namespace

extern const Detector kIforestDetector = {
    "iforest",
    "Isolation forest",
    "how easily random splits isolate an interval's value, changes, rolling statistics and "
    "calendar",
    /*default_threshold=*/kDefaultScoreThreshold,
    /*calibrated=*/true,
    /*needs_forecasts=*/false,
    /*ensemble_member=*/true,
    /*band_rank=*/0,
    run,
};

}  // namespace fc::anomaly::detail
