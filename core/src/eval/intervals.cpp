// Empirical residual quantiles make no distributional assumption: the bands are as
// wide as the cross-validation errors were, bucket by bucket of the horizon.
#include "funnelcast/eval/intervals.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "funnelcast/base/error.hpp"

namespace fc::eval {

void ResidualSet::add(size_t step_ahead, double r) {
  if (std::isnan(r)) return;
  const size_t b = step_ahead / static_cast<size_t>(std::max(bucket_steps, 1));
  if (by_bucket.size() <= b) by_bucket.resize(b + 1);
  by_bucket[b].push_back(r);
}

void ResidualSet::append(const ResidualSet& other) {
  // An empty set takes the bucket width of what it pools: pooled daily folds (a week a
  // bucket) kept the hourly default of 24 here, and a 14-day forecast then read the first
  // week's bands for its second week too.
  if (other.count() == 0) return;
  if (count() == 0) bucket_steps = other.bucket_steps;
  if (bucket_steps != other.bucket_steps)
    throw Error("residuals of " + std::to_string(other.bucket_steps) + "-step buckets pooled with " +
                std::to_string(bucket_steps) + "-step ones");
  for (size_t b = 0; b < other.by_bucket.size(); ++b)
    for (double r : other.by_bucket[b]) add(b * static_cast<size_t>(std::max(bucket_steps, 1)), r);
}

size_t ResidualSet::count() const {
  size_t n = 0;
  for (const auto& b : by_bucket) n += b.size();
  return n;
}

namespace {

// quantile() of values already sorted ascending.
double sorted_quantile(const std::vector<double>& v, double q) {
  if (v.empty()) return 0.0;
  const double pos = q * static_cast<double>(v.size() - 1);
  const size_t i = static_cast<size_t>(std::floor(pos));
  const double frac = pos - static_cast<double>(i);
  return i + 1 < v.size() ? v[i] * (1 - frac) + v[i + 1] * frac : v[i];
}

}  // namespace

double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return sorted_quantile(v, q);
}

double scale_of(double forecast, bool scaled) {
  return scaled ? std::sqrt(std::max(forecast, 1.0)) : 1.0;
}

Intervals intervals_from(const ResidualSet& res, bool scaled) {
  Intervals iv;
  iv.bucket_steps = res.bucket_steps;
  iv.scaled = scaled;
  std::vector<double> r;
  for (const auto& bucket : res.by_bucket) {
    // Sorted once for its four quantiles (cross-validated coverage asks for these once for
    // every group left out).
    r = bucket;
    std::sort(r.begin(), r.end());
    // Nesting is part of the contract: lower_95 <= lower_80 <= forecast <= upper_80 <= upper_95,
    // even when the model is biased and a quantile falls on the wrong side of zero.
    const double lo80 = std::min(sorted_quantile(r, 0.10), 0.0), hi80 = std::max(sorted_quantile(r, 0.90), 0.0);
    iv.lo80.push_back(lo80);
    iv.hi80.push_back(hi80);
    iv.lo95.push_back(std::min(sorted_quantile(r, 0.025), lo80));
    iv.hi95.push_back(std::max(sorted_quantile(r, 0.975), hi80));
  }
  return iv;
}

Band band(const Intervals& iv, size_t step_ahead, double mean, bool clip) {
  if (iv.empty()) return {mean, mean, mean, mean};
  const size_t b = std::min(step_ahead / static_cast<size_t>(std::max(iv.bucket_steps, 1)), iv.lo80.size() - 1);
  const double s = scale_of(mean, iv.scaled);
  Band out{mean + iv.lo95[b] * s, mean + iv.lo80[b] * s, mean + iv.hi80[b] * s, mean + iv.hi95[b] * s};
  if (clip) {
    out.lo95 = std::max(out.lo95, 0.0);
    out.lo80 = std::max(out.lo80, 0.0);
  }
  return out;
}

Coverage cross_coverage(const std::vector<ResidualSet>& groups, bool scaled) {
  Coverage c;
  double in80 = 0, in95 = 0;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (size_t k = 0; k < groups.size(); ++k) {
    GroupCoverage g{nan, nan, 0};
    double g80 = 0, g95 = 0;
    ResidualSet others;
    others.bucket_steps = groups[k].bucket_steps;
    for (size_t j = 0; j < groups.size(); ++j)
      if (j != k) others.append(groups[j]);
    const Intervals iv = intervals_from(others, scaled);
    if (!iv.empty()) {
      for (size_t b = 0; b < groups[k].by_bucket.size(); ++b) {
        const size_t bb = std::min(b, iv.lo80.size() - 1);
        for (double r : groups[k].by_bucket[b]) {
          g80 += r >= iv.lo80[bb] && r <= iv.hi80[bb];
          g95 += r >= iv.lo95[bb] && r <= iv.hi95[bb];
          ++g.points;
        }
      }
    }
    if (g.points) {
      g.p80 = g80 / static_cast<double>(g.points);
      g.p95 = g95 / static_cast<double>(g.points);
    }
    in80 += g80;
    in95 += g95;
    c.points += g.points;
    c.by_group.push_back(g);
  }
  c.p80 = c.points ? in80 / static_cast<double>(c.points) : nan;
  c.p95 = c.points ? in95 / static_cast<double>(c.points) : nan;
  return c;
}

void Intervals::validate() const {
  const size_t n = lo80.size();
  if (bucket_steps < 1 || lo95.size() != n || hi80.size() != n || hi95.size() != n)
    throw Error("'intervals' has inconsistent sizes");
  for (size_t i = 0; i < n; ++i) {
    const double v[] = {lo95[i], lo80[i], hi80[i], hi95[i]};
    for (double x : v)
      if (!std::isfinite(x)) throw Error("'intervals' holds a non-finite value");
    if (!(v[0] <= v[1] && v[1] <= 0 && 0 <= v[2] && v[2] <= v[3]))
      throw Error("'intervals' are not nested");
  }
}

nlohmann::json Intervals::to_json() const {
  return {{"bucket_steps", bucket_steps}, {"scaled", scaled}, {"lo95", lo95},
          {"lo80", lo80},                 {"hi80", hi80},     {"hi95", hi95}};
}

Intervals Intervals::from_json(const nlohmann::json& j) {
  Intervals iv;
  try {
    // A whole number in range before it is converted (1e300 read as an int is undefined).
    const nlohmann::json& steps = j.at("bucket_steps");
    const bool whole = steps.is_number_unsigned() || (steps.is_number_integer() && steps.get<int64_t>() >= 0);
    if (!whole || steps.get<uint64_t>() < 1 || steps.get<uint64_t>() > 24 * 366)
      throw Error("'intervals': bucket_steps must be a whole number from 1 to 8784");
    iv.bucket_steps = static_cast<int>(steps.get<uint64_t>());
    iv.scaled = j.at("scaled").get<bool>();
    iv.lo95 = j.at("lo95").get<std::vector<double>>();
    iv.lo80 = j.at("lo80").get<std::vector<double>>();
    iv.hi80 = j.at("hi80").get<std::vector<double>>();
    iv.hi95 = j.at("hi95").get<std::vector<double>>();
  } catch (const nlohmann::json::exception&) {
    throw Error("'intervals' is malformed (expected bucket_steps, scaled and four lists of numbers)");
  }
  iv.validate();
  return iv;
}

}  // namespace fc::eval
