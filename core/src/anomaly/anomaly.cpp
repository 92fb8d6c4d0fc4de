// Each hour is judged only against the hours before it, so an alert raised today
// never changes when tomorrow's data arrives, and a detector run on a prefix of
// the data agrees with one run on all of it.
#include "funnelcast/anomaly/anomaly.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "funnelcast/base/error.hpp"

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

const char* const kMetrics = "cpl, leads, spend, revenue, roi, conversion";
const char* const kMethods = "zscore, robust";

std::string available(const series::HourlySeries& s) {
  std::string out = s.leads.empty() ? "" : "leads";
  const auto add = [&](const char* m) { out += out.empty() ? m : std::string(", ") + m; };
  if (!s.spend.empty()) add("spend");
  if (!s.revenue.empty()) add("revenue");
  if (!s.spend.empty()) add("cpl");
  if (!s.spend.empty() && !s.revenue.empty()) add("roi");
  if (!s.clicks.empty()) add("conversion");
  return out.empty() ? "none" : out;
}

[[noreturn]] void absent(const series::HourlySeries& s, const std::string& metric,
                         const char* needs) {
  throw Error("anomaly: the metric '" + metric + "' needs " + needs +
              ", which the data does not have; available metrics: " + available(s));
}

// Median of v (reordered in place); the mean of the two middle values for an even count.
double median(std::vector<double>& v) {
  const size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + mid, v.end());
  const double hi = v[mid];
  if (v.size() % 2) return hi;
  const double lo = *std::max_element(v.begin(), v.begin() + mid);
  return (lo + hi) / 2;
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
    throw Error("anomaly: lookback_hours must be 0 (whole series) or more, got " +
                std::to_string(o.lookback_hours));
  }
  if (o.baseline_hours < 2) {
    throw Error("anomaly: baseline_hours must be at least 2, got " +
                std::to_string(o.baseline_hours));
  }
  if (o.min_baseline_points > o.baseline_hours) {
    throw Error("anomaly: min_baseline_points (" + std::to_string(o.min_baseline_points) +
                ") cannot exceed baseline_hours (" + std::to_string(o.baseline_hours) +
                "), or no hour could ever be scored");
  }
}

}  // namespace

size_t Result::count() const {
  size_t n = 0;
  for (uint8_t f : flagged) n += f ? 1 : 0;
  return n;
}

std::vector<double> metric_values(const series::HourlySeries& s, const std::string& metric) {
  const size_t n = s.hours();
  if (metric == "leads") return s.leads;
  if (metric == "spend") {
    if (s.spend.empty()) absent(s, metric, "a spend column");
    return s.spend;
  }
  if (metric == "revenue") {
    if (s.revenue.empty()) absent(s, metric, "a revenue column");
    return s.revenue;
  }
  if (metric == "cpl") {
    if (s.spend.empty()) absent(s, metric, "spend");
    if (s.cpl.size() == n) return s.cpl;
    std::vector<double> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = s.leads[i] > 0 ? s.spend[i] / s.leads[i] : kNaN;
    return v;
  }
  if (metric == "roi") {
    if (s.spend.empty() || s.revenue.empty()) absent(s, metric, "spend and revenue");
    if (s.roi.size() == n) return s.roi;
    std::vector<double> v(n);
    for (size_t i = 0; i < n; ++i)
      v[i] = s.spend[i] != 0 ? (s.revenue[i] - s.spend[i]) / s.spend[i] : kNaN;
    return v;
  }
  if (metric == "conversion") {
    if (s.clicks.size() != n || n == 0) absent(s, metric, "a clicks column");
    std::vector<double> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = s.clicks[i] != 0 ? s.leads[i] / s.clicks[i] : kNaN;
    return v;
  }
  throw Error("anomaly: unknown metric '" + metric + "'; choose one of " + kMetrics);
}

Result detect(const series::HourlySeries& s, const Options& options) {
  validate(options);
  Result r;
  r.metric = options.metric;
  r.method = options.method;
  r.start = s.start;
  r.value = metric_values(s, options.metric);
  const size_t n = r.value.size();
  r.expected.assign(n, kNaN);
  r.score.assign(n, kNaN);
  r.flagged.assign(n, 0);
  const size_t lookback = static_cast<size_t>(options.lookback_hours);
  r.checked_from = lookback == 0 || lookback >= n ? 0 : n - lookback;

  const bool robust = options.method == "robust";
  const size_t baseline = static_cast<size_t>(options.baseline_hours);
  // A sample standard deviation needs two points, whatever the caller asked for.
  const size_t min_points = static_cast<size_t>(std::max(2, options.min_baseline_points));
  std::vector<double> base;
  base.reserve(baseline);
  for (size_t i = r.checked_from; i < n; ++i) {
    const double x = r.value[i];
    if (!std::isfinite(x)) continue;
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
    r.flagged[i] = std::fabs(z) > options.threshold ? 1 : 0;
  }
  return r;
}

}  // namespace fc::anomaly
