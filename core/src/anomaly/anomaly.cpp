// Each hour is judged only against the hours before it, so an alert raised today
// never changes when tomorrow's data arrives, and a detector run on a prefix of
// the data agrees with one run on all of it.
#include "funnelcast/anomaly/anomaly.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "funnelcast/base/error.hpp"
#include "funnelcast/schema/registry.hpp"
#include "funnelcast/time/time.hpp"

namespace fc::anomaly {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// A flat baseline has zero spread; a tiny floor keeps z finite (and huge for any
// departure), and the cap keeps it printable and JSON-safe.
constexpr double kRelativeFloor = 1e-9;
constexpr double kMaxScore = 1e6;
// Scales the MAD to estimate the standard deviation of normal data, so both
// methods share one threshold.
constexpr double kMadScale = 1.4826;

const char* const kMethods = "zscore, robust";

// Median of v (reordered in place); the mean of the two middle values for an even count.
double median(std::vector<double>& v) {
  const size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + mid, v.end());
  const double hi = v[mid];
  if (v.size() % 2) return hi;
  const double lo = *std::max_element(v.begin(), v.begin() + mid);
  return (lo + hi) / 2;
}

// Hours as a whole number of intervals of the series.
size_t intervals(const series::Series& s, int hours, const char* what) {
  const int64_t seconds = static_cast<int64_t>(hours) * 3600;
  if (seconds % s.step != 0) {
    throw Error(std::string("anomaly: the ") + what + " must be a whole number of " +
                time::interval_name(s.step) + "s (the data is " + time::interval_adjective(s.step) +
                "), got " + std::to_string(hours) + " hours");
  }
  return static_cast<size_t>(seconds / s.step);
}

void validate(const Options& o) {
  if (o.method != "zscore" && o.method != "robust") {
    throw Error("anomaly: unknown method '" + o.method + "'; choose one of " + kMethods);
  }
  if (!(o.threshold > 0) || !std::isfinite(o.threshold)) {
    throw Error("anomaly: the threshold must be a positive number, got " +
                std::to_string(o.threshold));
  }
  if (o.lookback_hours < 0) {
    throw Error("anomaly: the lookback must be 0 (the whole series) or more hours, got " +
                std::to_string(o.lookback_hours));
  }
  if (o.baseline_hours < 1) {
    throw Error("anomaly: the baseline must be at least 3 intervals long, got " +
                std::to_string(o.baseline_hours) + " hours");
  }
}

}  // namespace

size_t Result::count() const {
  size_t n = 0;
  for (uint8_t f : flagged) n += f ? 1 : 0;
  return n;
}

Result detect(const series::Series& s, const Options& options) {
  validate(options);
  Result r;
  r.metric = options.metric;
  r.method = options.method;
  r.start = s.start;
  r.step = s.step;
  r.value = series::metric_values(s, schema::metric(options.metric));
  const size_t n = r.value.size();
  r.expected.assign(n, kNaN);
  r.score.assign(n, kNaN);
  r.flagged.assign(n, 0);
  const size_t lookback = intervals(s, options.lookback_hours, "lookback");
  r.checked_from = lookback == 0 || lookback >= n ? 0 : n - lookback;

  const bool robust = options.method == "robust";
  const size_t baseline = intervals(s, options.baseline_hours, "baseline");
  if (baseline < 3) {
    const int64_t need = 3 * s.step;
    const std::string span = need % 3600 == 0 ? std::to_string(need / 3600) + " hours"
                                              : std::to_string(need / 60) + " minutes";
    throw Error("anomaly: the baseline must span at least 3 intervals (" + span + " for " +
                time::interval_adjective(s.step) + " data), got " + std::to_string(options.baseline_hours) +
                " hours");
  }
  // A sample standard deviation needs two points, whatever the caller asked for.
  const size_t min_points = options.min_baseline_points > 0
                                ? std::min(baseline, static_cast<size_t>(std::max(2, options.min_baseline_points)))
                                : std::max<size_t>(3, baseline / 7);
  size_t scored = 0, candidates = 0;
  std::vector<double> base;
  base.reserve(baseline);
  for (size_t i = r.checked_from; i < n; ++i) {
    const double x = r.value[i];
    if (!std::isfinite(x)) continue;
    ++candidates;
    base.clear();
    for (size_t j = i > baseline ? i - baseline : 0; j < i; ++j)
      if (std::isfinite(r.value[j])) base.push_back(r.value[j]);
    if (base.size() < min_points) continue;

    double center, spread;
    if (robust) {
      center = median(base);
      for (double& v : base) v = std::fabs(v - center);
      spread = kMadScale * median(base);
    } else {
      double sum = 0;
      for (double v : base) sum += v;
      center = sum / static_cast<double>(base.size());
      double ss = 0;
      for (double v : base) ss += (v - center) * (v - center);
      spread = std::sqrt(ss / static_cast<double>(base.size() - 1));
    }
    const double floor = kRelativeFloor * std::max(1.0, std::fabs(center));
    const double z = std::clamp((x - center) / std::max(spread, floor), -kMaxScore, kMaxScore);
    r.expected[i] = center;
    r.score[i] = z;
    ++scored;
    r.flagged[i] = std::fabs(z) > options.threshold ? 1 : 0;
  }
  if (scored == 0) {
    const std::string unit = time::interval_name(s.step);
    throw Error("anomaly: not enough data to score any " + unit + " of " + options.metric + ": each needs at least " +
                std::to_string(min_points) + " known values in the " + std::to_string(baseline) + " " + unit +
                "s before it; the data has " + std::to_string(n) + " " + unit + (n == 1 ? "" : "s") +
                (candidates ? "" : ", none with a value in the checked period"));
  }
  return r;
}

}  // namespace fc::anomaly
