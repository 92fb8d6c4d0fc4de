// A Fenwick tree over log-spaced bins gives the rank of a new value among all past ones
// and any order statistic in O(log bins), so calibrating a two-year hourly series costs a
// few milliseconds and the same bins come out natively and in wasm.
// Its loops run for every interval of a series (17,520 for two years of hours) when the page
// first shows its anomalies: compiled for speed in the browser bundle too (CMakeLists.txt).

#include "funnelcast/anomaly/calibrate.hpp"

#include "funnelcast/base/math.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace fc::anomaly {
namespace {

constexpr size_t kBinsPerOctave = 512;
constexpr size_t kOctaves = 40;  // r up to 2^40; larger values share the last bin
constexpr size_t kBins = kBinsPerOctave * kOctaves;
constexpr size_t kMinTail = 10;
// The mean excess is floored so that a tail of identical values (a discrete statistic)
// does not make every larger value infinitely unlikely.
constexpr double kMinBetaRelative = 0.01;
// The weighted rule truncates p at 0.99: tan((0.5 - p) pi) falls to -infinity as p -> 1,
// so one member sure that nothing happened (a discrete p of exactly 1) would cancel
// another's evidence; at 0.99 its term is -31.8.
constexpr double kCauchyTop = 0.99;

}  // namespace

TailCalibrator::TailCalibrator(size_t min_history, double tail_fraction)
    : min_history_(std::max<size_t>(min_history, kMinTail + 1)),
      tail_fraction_(tail_fraction),
      count_tree_(kBins + 1, 0) {}

size_t TailCalibrator::bin_of(double r) {
  if (!(r > 0)) return 0;
  const double b = std::log1p(r) * (static_cast<double>(kBinsPerOctave) / M_LN2);
  if (!(b < static_cast<double>(kBins - 1))) return kBins - 1;
  return static_cast<size_t>(b);
}

double TailCalibrator::lower_edge(size_t bin) {
  const auto edge = [](size_t b) {
    return std::expm1(static_cast<double>(b) * (M_LN2 / static_cast<double>(kBinsPerOctave)));
  };
  // Read for every p and critical value: the edges computed once (the same numbers).
  static const std::vector<double> edges = [&] {
    std::vector<double> e(kBins + 1);
    for (size_t b = 0; b <= kBins; ++b) e[b] = edge(b);
    return e;
  }();
  return bin <= kBins ? edges[bin] : edge(bin);
}

void TailCalibrator::fenwick_add(size_t bin) {
  for (size_t i = bin + 1; i <= kBins; i += i & (~i + 1)) count_tree_[i] += 1;
}

void TailCalibrator::add(double r) {
  if (std::isnan(r)) return;
  r = std::max(r, 0.0);
  fenwick_add(bin_of(r));
  ++n_;
}

size_t TailCalibrator::count_from(size_t bin) const {
  size_t below = 0;  // values in bins < bin
  for (size_t i = std::min(bin, kBins); i > 0; i -= i & (~i + 1)) below += count_tree_[i];
  return n_ - below;
}

const TailCalibrator::Tail& TailCalibrator::tail() const {
  if (tail_n_ == n_) return tail_;
  tail_n_ = n_;
  const size_t k = std::min(
      n_ - 1,
      std::max(kMinTail, static_cast<size_t>(std::ceil(tail_fraction_ * static_cast<double>(n_)))));
  // The largest bin b with at least k + 1 values in bins >= b, i.e. with at most
  // n - k - 1 values below it: binary lifting over the Fenwick tree.
  const size_t target = n_ - k - 1;
  size_t pos = 0, acc = 0;
  size_t top = 1;
  while (top * 2 <= kBins) top *= 2;
  for (size_t s = top; s > 0; s /= 2) {
    if (pos + s <= kBins && acc + count_tree_[pos + s] <= target) {
      pos += s;
      acc += count_tree_[pos];
    }
  }
  // Bins < pos hold at most `target` values and bin pos brings it over: pos is the bin of
  // the (k + 1)-th largest value. The tail is everything above that bin.
  Tail& t = tail_;
  const size_t first = std::min(pos + 1, kBins);
  t.count = count_from(first);
  t.u = lower_edge(first);
  // The exponential's scale from the median excess (beta ln 2), not the mean, so one huge
  // value in the history does not make every later one look ordinary.
  double beta = 0;
  if (t.count >= 2) {
    const size_t half = (t.count + 1) / 2;  // the median is the half-th largest of the tail
    const size_t below = n_ - half;
    size_t p = 0, a = 0;
    for (size_t s = top; s > 0; s /= 2) {
      if (p + s <= kBins && a + count_tree_[p + s] <= below) {
        p += s;
        a += count_tree_[p];
      }
    }
    const double median = (lower_edge(p) + lower_edge(std::min(p + 1, kBins))) / 2;
    beta = (median - t.u) / std::log(2.0);
  }
  beta = std::max(kMinBetaRelative * (1 + t.u), beta);
  if (prior_weight_ > 0) {
    const double k = static_cast<double>(t.count);
    beta = (prior_weight_ * prior_beta_ + k * beta) / (prior_weight_ + k);
  }
  t.beta = beta;
  return tail_;
}

double TailCalibrator::p_value(double r) const {
  if (std::isnan(r) || n_ < min_history_) return kNaN;
  r = std::max(r, 0.0);
  const double n1 = static_cast<double>(n_ + 1);
  const Tail& t = tail();
  if (r >= t.u) {
    return std::min(1.0, static_cast<double>(t.count + 1) / n1 * std::exp(-(r - t.u) / t.beta));
  }
  return std::min(1.0, static_cast<double>(count_from(bin_of(r)) + 1) / n1);
}

double TailCalibrator::critical(double alpha) const {
  if (n_ < min_history_ || !(alpha > 0)) return kNaN;
  const double n1 = static_cast<double>(n_ + 1);
  const Tail& t = tail();
  const double p_u = static_cast<double>(t.count + 1) / n1;
  if (alpha < p_u) return t.u + t.beta * std::log(p_u / alpha);
  // The smallest bin b with (values in bins >= b) + 1 <= alpha (n + 1).
  const double allowed = std::floor(alpha * n1 - 1);
  if (allowed >= static_cast<double>(n_)) return 0;
  const size_t m = static_cast<size_t>(std::max(0.0, allowed));
  const size_t target = n_ - m - 1;  // largest pos with (values below pos) <= target
  size_t pos = 0, acc = 0, top = 1;
  while (top * 2 <= kBins) top *= 2;
  for (size_t s = top; s > 0; s /= 2) {
    if (pos + s <= kBins && acc + count_tree_[pos + s] <= target) {
      pos += s;
      acc += count_tree_[pos];
    }
  }
  return lower_edge(std::min(pos + 1, kBins - 1));
}

namespace {

double cauchy_rule(const double* p, const double* w, size_t n, double top) {
  double sum = 0, used = 0;
  for (size_t i = 0; i < n; ++i) {
    if (std::isnan(p[i])) continue;
    const double wi = w ? w[i] : 1.0;
    if (!(wi > 0)) continue;
    const double q = std::clamp(p[i], 1e-300, top);
    // tan((0.5 - q) pi) = 1 / tan(q pi), and ~ 1 / (q pi) where tan would lose digits.
    sum += wi * (q < 1e-15 ? 1 / (q * M_PI) : std::tan((0.5 - q) * M_PI));
    used += wi;
  }
  if (!(used > 0)) return kNaN;
  const double t = sum / used;
  if (t > 1e15) return 1 / (t * M_PI);
  return std::clamp(0.5 - std::atan(t) / M_PI, 0.0, 1.0);
}

}  // namespace

double cauchy_combine(const double* p, size_t n) {
  return cauchy_rule(p, nullptr, n, 1 - 1e-15);
}

double cauchy_combine(const double* p, const double* w, size_t n) {
  return cauchy_rule(p, w, n, kCauchyTop);
}

double cauchy_combine(const double* p, const double* w, size_t n, double top) {
  return cauchy_rule(p, w, n, top);
}

double gaussian_two_sided(double z) {
  return std::erfc(std::fabs(z) / M_SQRT2);
}

double gaussian_two_sided_inverse(double p) {
  if (!(p > 0)) return std::numeric_limits<double>::infinity();
  if (p >= 1) return 0;
  // The bisection below defines the result. Its answer at a midpoint is known without erfc
  // where the midpoint is outside a bracket [a, b] of the root checked by erfc itself
  // (a: above p, b: at or below it; erfc falls with z): Newton on ln erfc finds the root to
  // about 1e-15, so the bisection calls erfc a few times instead of about 50.
  double z = std::sqrt(-2 * std::log(p));
  for (int i = 0; i < 30; ++i) {
    const double g = gaussian_two_sided(z);
    if (!(g > 0)) break;
    const double step = (std::log(g) - std::log(p)) * g / (std::sqrt(2 / M_PI) * std::exp(-z * z / 2));
    if (!std::isfinite(step)) break;
    z = std::max(0.0, z + step);
    if (std::fabs(step) <= 1e-14 * std::max(1.0, z)) break;
  }
  double a = -1, b = 41;  // no bracket: every midpoint asks erfc
  const double d = 1e-12 * std::max(1.0, z);
  if (gaussian_two_sided(z - d) > p && !(gaussian_two_sided(z + d) > p)) a = z - d, b = z + d;
  double lo = 0, hi = 40;
  for (int i = 0; i < 200 && hi - lo > 1e-13; ++i) {
    const double mid = (lo + hi) / 2;
    (mid < a || (mid <= b && gaussian_two_sided(mid) > p) ? lo : hi) = mid;
  }
  return (lo + hi) / 2;
}

double gaussian_surprise(double z) {
  const double a = std::fabs(z);
  if (std::isnan(a)) return a;
  if (a < 30) return -std::log(gaussian_two_sided(a));
  // erfc(a / sqrt 2) ~ sqrt(2 / pi) e^(-a^2 / 2) / a (1 - 1 / a^2)
  return a * a / 2 + std::log(a) - 0.5 * std::log(2 / M_PI) - std::log1p(-1 / (a * a));
}

double gaussian_surprise_inverse(double s) {
  if (std::isnan(s)) return s;
  if (!(s > 0)) return 0;
  // Newton on z: d/dz [-ln erfc(z / sqrt 2)] = sqrt(2 / pi) e^(-z^2 / 2) / erfc(z / sqrt 2),
  // the Gaussian hazard of |z|, which is >= sqrt(2 / pi) and grows like z. s is convex
  // in z, so from a start at or right of the root Newton never overshoots.
  double z = std::sqrt(2 * s) + 1;
  while (gaussian_surprise(z) < s) z *= 2;
  for (int i = 0; i < 50; ++i) {
    const double f = gaussian_surprise(z) - s;
    const double e = std::erfc(z / M_SQRT2);
    const double slope = e > 0 ? std::sqrt(2 / M_PI) * std::exp(-z * z / 2) / e : z + 1 / z;
    const double next = std::max(0.0, z - f / slope);
    if (std::fabs(next - z) <= 1e-12 * std::max(1.0, z)) return next;
    z = next;
  }
  return z;
}

}  // namespace fc::anomaly
