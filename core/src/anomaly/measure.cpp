// What the detectors share: how a deviation is measured for each kind of series and back,
// the holiday effect, the robust statistics of a window, and the calibration of a
// statistic as a detector walks forward.
// Its loops run for every interval of a series (17,520 for two years of hours) when the page
// first shows its anomalies: compiled for speed in the browser bundle too (CMakeLists.txt).

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>
#include <numeric>
#include <utility>

#include "funnelcast/anomaly/calibrate.hpp"
#include "funnelcast/time/time.hpp"
#include "internal.hpp"

namespace fc::anomaly::detail {

void Track::resize(size_t n) {
  expected.assign(n, kNaN);
  lower.assign(n, kNaN);
  upper.assign(n, kNaN);
  z.assign(n, kNaN);
  p.assign(n, kNaN);
  direction.assign(n, 0);
}

// ---- measuring deviations ----

namespace {

// asinh and sinh from log and exp (already in every build), for a smaller browser bundle.
double asinh(double x) {
  const double a = std::fabs(x);
  const double r = a > 1e8 ? std::log(2 * a) : std::log(a + std::sqrt(a * a + 1));
  return x < 0 ? -r : r;
}
double sinh(double x) {
  return (std::exp(x) - std::exp(-x)) / 2;
}

// Poisson deviance between y >= 0 and mu > 0.
double deviance(double y, double mu) {
  const double a = y > 0 ? y * std::log(y / mu) : 0.0;
  return std::max(0.0, 2 * (a - (y - mu)));
}

}  // namespace

double Scale::residual(double y, double mu) const {
  if (std::isnan(y) || std::isnan(mu)) return kNaN;
  switch (kind) {
    case Kind::kLevel:
      return y - mu;
    case Kind::kMoney:
      return asinh(y / offset) - asinh(mu / offset);
    case Kind::kCount:
    case Kind::kRatio: {
      y = std::max(y, 0.0);
      if (y >= mu) {
        const double m = std::max(mu, kCountFloor);
        return y <= m ? 0.0 : std::sqrt(deviance(y, m));
      }
      return -std::sqrt(deviance(y, mu));  // here mu > y >= 0
    }
  }
  return kNaN;
}

double Scale::inverse(double mu, double r) const {
  if (std::isnan(mu) || std::isnan(r)) return kNaN;
  switch (kind) {
    case Kind::kLevel:
      return mu + r;
    case Kind::kMoney:
      return offset * sinh(asinh(mu / offset) + r);
    case Kind::kCount:
    case Kind::kRatio:
      break;
  }
  const double target = r * r;
  if (r >= 0) {
    const double m = std::max(mu, kCountFloor);
    double hi = m + std::fabs(r) * std::sqrt(m) + target + 1;
    while (deviance(hi, m) < target) hi *= 2;
    // The deviance is convex and increasing above m: Newton from the right converges
    // monotonically to the root.
    for (int i = 0; i < 40; ++i) {
      const double slope = 2 * std::log(hi / m);
      if (!(slope > 0)) break;
      const double next = hi - (deviance(hi, m) - target) / slope;
      if (!(next < hi) || hi - next < 1e-12 * hi) {
        hi = std::min(hi, std::max(next, m));
        break;
      }
      hi = std::max(next, m);
    }
    return hi;
  }
  if (!(mu > 0) || deviance(0, mu) <= target) return kNaN;  // even 0 is not that far
  // Below mu the deviance is convex and decreasing: from any start, one Newton step lands
  // left of the root and the next ones climb to it monotonically.
  double y = std::clamp(mu - std::fabs(r) * std::sqrt(mu), 1e-12 * mu, mu * (1 - 1e-12));
  for (int i = 0; i < 60; ++i) {
    const double slope = 2 * std::log(y / mu);  // < 0
    if (!(slope < 0)) break;
    const double next = std::clamp(y - (deviance(y, mu) - target) / slope, 1e-300, mu);
    if (std::fabs(next - y) <= 1e-12 * mu) return next;
    y = next;
  }
  return y;
}

// ---- holidays ----

double HolidayEffect::at(size_t i, const std::vector<double>& expected) {
  const double none = additive_ ? 0.0 : 1.0;
  if (in_.step > time::kDay) return none;
  const int64_t t = in_.time(i);
  const int64_t day = time::floor_div(t, time::kDay);
  if (day == day_) return effect_;
  day_ = day;
  effect_ = none;
  if (!time::is_holiday(t)) return effect_;
  // The same holiday a year before: the same date (fixed holidays), else the same weekday
  // 52 or 53 weeks before in the same month (Thanksgiving, Memorial Day, ...).
  const time::CivilDate c = time::civil_from_days(day);
  std::vector<int64_t> candidates;
  if (!(c.month == 2 && c.day == 29))
    candidates.push_back(time::days_from_civil(c.year - 1, c.month, c.day));
  candidates.push_back(day - 364);
  candidates.push_back(day - 371);
  for (int64_t d : candidates) {
    const int64_t noon = d * time::kDay + 12 * time::kHour;
    if (!time::is_holiday(noon) || time::date_of(noon).month != c.month) continue;
    const int64_t from = time::floor_div(d * time::kDay - in_.start, in_.step);
    const int64_t to = time::floor_div((d + 1) * time::kDay - in_.start, in_.step);  // exclusive
    if (from < 0 || to > static_cast<int64_t>(i)) return effect_;
    double sy = 0, se = 0;
    size_t known = 0;
    for (int64_t j = from; j < to; ++j) {
      const size_t k = static_cast<size_t>(j);
      const double y = in_.kind == Kind::kRatio ? in_.quantity[k] : in_.value[k];
      if (!in_.known(k) || std::isnan(expected[k]) || std::isnan(y)) continue;
      sy += y;
      se += expected[k];
      ++known;
    }
    if (2 * known < static_cast<size_t>(to - from) || known == 0) return effect_;
    if (additive_) {
      effect_ = (sy - se) / static_cast<double>(known);
    } else {
      // Shrunk by a prior of one interval's expectation, so a quiet day says little.
      const double prior = se / static_cast<double>(known);
      effect_ = se + prior > 0 ? std::max(0.0, (sy + prior) / (se + prior)) : 1.0;
    }
    return effect_;
  }
  return effect_;
}

// ---- robust statistics ----

void SortedWindow::insert(double v) {
  v_.insert(std::upper_bound(v_.begin(), v_.end(), v), v);
}

void SortedWindow::erase(double v) {
  const auto it = std::lower_bound(v_.begin(), v_.end(), v);
  if (it != v_.end() && *it == v) v_.erase(it);
}

void SortedWindow::replace(double out, double in) {
  const auto first = v_.begin();
  const auto it = std::lower_bound(first, v_.end(), out);
  if (it == v_.end() || !(*it == out)) return insert(in);
  // Where insert(in) puts it once out is gone: after the values <= in but out.
  const size_t e = static_cast<size_t>(it - first);
  size_t q = static_cast<size_t>(std::upper_bound(first, v_.end(), in) - first);
  if (*it <= in) --q;
  if (q >= e) {
    std::copy(first + static_cast<std::ptrdiff_t>(e + 1), first + static_cast<std::ptrdiff_t>(q + 1),
              first + static_cast<std::ptrdiff_t>(e));
  } else {
    std::copy_backward(first + static_cast<std::ptrdiff_t>(q), it, it + 1);
  }
  v_[q] = in;
}

double SortedWindow::median() const {
  const size_t n = v_.size();
  if (!n) return kNaN;
  return n % 2 ? v_[n / 2] : (v_[n / 2 - 1] + v_[n / 2]) / 2;
}

double SortedWindow::quantile(double q) const {
  const size_t n = v_.size();
  if (!n) return kNaN;
  const double pos = q * static_cast<double>(n - 1);
  const size_t i = static_cast<size_t>(pos);
  if (i + 1 >= n) return v_[n - 1];
  return v_[i] + (pos - static_cast<double>(i)) * (v_[i + 1] - v_[i]);
}

namespace {

// The k-th smallest (0-based) distance |x - c| over a sorted array: the distances to the
// left of c and to its right are two sorted sequences; select in their union.
double kth_distance(const std::vector<double>& v, double c, size_t k) {
  const size_t s = static_cast<size_t>(std::lower_bound(v.begin(), v.end(), c) - v.begin());
  const size_t na = s, nb = v.size() - s;
  auto a = [&](size_t i) { return c - v[s - 1 - i]; };  // increasing in i
  auto b = [&](size_t j) { return v[s + j] - c; };      // increasing in j
  // Take i from a and k + 1 - i from b.
  size_t lo = k + 1 > nb ? k + 1 - nb : 0, hi = std::min(k + 1, na);
  while (lo < hi) {
    const size_t i = (lo + hi) / 2;  // candidate count from a
    const size_t j = k + 1 - i;
    if (j > 0 && i < na && b(j - 1) > a(i)) {
      lo = i + 1;
    } else {
      hi = i;
    }
  }
  const size_t i = lo, j = k + 1 - i;
  double out = -1;
  if (i > 0) out = std::max(out, a(i - 1));
  if (j > 0) out = std::max(out, b(j - 1));
  return out;
}

}  // namespace

double SortedWindow::spread(double center) const {
  const size_t n = v_.size();
  if (n < 2) return 0;
  double mad = kth_distance(v_, center, (n - 1) / 2);
  if (n % 2 == 0) mad = (mad + kth_distance(v_, center, n / 2)) / 2;
  if (mad > 0) return kMadScale * mad;
  const double iqr = quantile(0.75) - quantile(0.25);
  if (iqr > 0) return iqr / 1.349;
  // Most of the window is the centre itself (a series that is mostly 0 with sparse bursts):
  // the MAD of the values that moved, so a burst is measured against the bursts, not
  // against a mean pulled towards 0 by the idle intervals.
  const auto same = std::equal_range(v_.begin(), v_.end(), center);
  const size_t at = static_cast<size_t>(same.second - same.first), moved = n - at;
  if (moved == 0) return 0;
  double md = kth_distance(v_, center, at + (moved - 1) / 2);
  if (moved % 2 == 0) md = (md + kth_distance(v_, center, at + moved / 2)) / 2;
  return kMadScale * md;
}

double median_of(std::vector<double>& v) {
  const size_t n = v.size();
  if (!n) return kNaN;
  const size_t mid = n / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  const double hi = v[mid];
  if (n % 2) return hi;
  const double lo = *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid));
  return (lo + hi) / 2;
}

double weighted_median(std::vector<std::pair<double, double>>& xw) {
  if (xw.empty()) return kNaN;
  std::sort(xw.begin(), xw.end());
  double total = 0;
  for (const auto& p : xw) total += p.second;
  double acc = 0;
  for (size_t i = 0; i < xw.size(); ++i) {
    acc += xw[i].second;
    // Exactly half: the mean of this value and the next, as for an even plain median.
    if (acc == total / 2 && i + 1 < xw.size()) return (xw[i].first + xw[i + 1].first) / 2;
    if (acc > total / 2) return xw[i].first;
  }
  return xw.back().first;
}

double spread_around_zero(std::vector<double>& r) {
  if (r.size() < 2) return 0;
  double sum = 0;
  for (double& x : r) {
    x = std::fabs(x);
    sum += x;
  }
  const double mad = median_of(r);
  if (mad > 0) return kMadScale * mad;
  return kMeanAbsScale * sum / static_cast<double>(r.size());
}

double ratio_value(const Input& in, double rho) {
  switch (in.form) {
    case RatioForm::kRatio:
      return rho;
    case RatioForm::kInverse:
      return rho > 0 ? 1 / rho : kNaN;
    case RatioForm::kMinusOne:
      return rho - 1;
  }
  return kNaN;
}

void ratio_band(const Input& in, size_t i, double rho, double sigma, double c, const Scale& s,
                double& expected, double& lower, double& upper) {
  expected = ratio_value(in, rho);
  lower = upper = kNaN;
  const double e = in.exposure[i];
  if (!(e > 0) || std::isnan(rho) || std::isnan(c)) return;
  const double mu = rho * e;
  const double y_hi = s.inverse(mu, c * sigma);
  const double y_lo = s.inverse(mu, -c * sigma);  // NaN: open at 0
  switch (in.form) {
    case RatioForm::kRatio:
      lower = std::isnan(y_lo) ? 0 : y_lo / e;
      upper = y_hi / e;
      break;
    case RatioForm::kMinusOne:
      lower = (std::isnan(y_lo) ? 0 : y_lo / e) - 1;
      upper = y_hi / e - 1;
      break;
    case RatioForm::kInverse:
      lower = y_hi > 0 ? e / y_hi : kNaN;
      upper = std::isnan(y_lo) || !(y_lo > 0) ? kNaN : e / y_lo;  // no upper bound at 0 leads
      break;
  }
}

double value_sign(const Input& in) {
  return in.kind == Kind::kRatio && in.form == RatioForm::kInverse ? -1 : 1;
}

int8_t sign_of(double z) {
  return z > 0 ? 1 : z < 0 ? -1 : 0;
}

Scale scale_of(const Input& in) {
  Scale s;
  s.kind = in.kind;  // kRatio: the Poisson deviance of the quantity, also for money (roi)
  return s;
}

double judged(const Input& in, size_t i) {
  return in.kind == Kind::kRatio ? in.quantity[i] : in.value[i];
}

void level_band(const Scale& s, double mu, double sigma, double c, double& expected, double& lower,
                double& upper) {
  expected = mu;
  lower = upper = kNaN;
  if (std::isnan(c)) return;
  upper = s.inverse(mu, c * sigma);
  lower = s.inverse(mu, -c * sigma);
  if (std::isnan(lower) && (s.kind == Kind::kCount)) lower = 0;
}

double TrailingAbsMean::at(size_t t) {
  while (next_ < t) {
    add(next_, +1);
    if (next_ >= window_) add(next_ - window_, -1);
    ++next_;
  }
  return count_ ? sum_ / static_cast<double>(count_) : kNaN;
}

void TrailingAbsMean::add(size_t i, int sign) {
  const double y = judged(in_, i);
  if (!in_.known(i) || std::isnan(y)) return;
  sum_ += sign * std::fabs(y);
  count_ = static_cast<size_t>(static_cast<long long>(count_) + sign);
}

double money_offset(double mean_abs) {
  return std::isfinite(mean_abs) && mean_abs > 0 ? kMoneyOffset * mean_abs : 1e-9;
}

double spread_of_residuals(const SortedWindow& w) {
  double sigma = kMadScale * w.median();
  if (!(sigma > 0)) {
    // Most residuals are exactly 0: the median of those that are not (as SortedWindow::spread).
    const std::vector<double>& v = w.values();
    const size_t zeros = static_cast<size_t>(std::upper_bound(v.begin(), v.end(), 0.0) - v.begin());
    const size_t moved = v.size() - zeros;
    if (moved > 0) {
      const size_t mid = zeros + moved / 2;
      sigma = kMadScale * (moved % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2);
    }
  }
  return std::max(sigma, 1e-9);
}

void judge_residual(const Input& in, size_t i, double mu, double r, double sigma, const Scale& s,
                    Calibrated& cal, Track& t) {
  double p;
  double z = r / sigma;
  const bool holiday =
      cal.shift.window() > 0 && in.step <= time::kDay && time::is_holiday(in.time(i));
  const double c = cal.judge(z, p, holiday);
  if (in.kind == Kind::kRatio) {
    ratio_band(in, i, mu, sigma, c, s, t.expected[i], t.lower[i], t.upper[i]);
  } else {
    level_band(s, mu, sigma, c, t.expected[i], t.lower[i], t.upper[i]);
  }
  z = std::clamp(z * value_sign(in), -kMaxZ, kMaxZ);
  t.z[i] = z;
  t.p[i] = p;
  t.direction[i] = sign_of(z);
}

double Calibrated::judge(double z, double& p, bool holiday) {
  const double r = z_like ? gaussian_surprise(z) : std::fabs(z);
  const double pp = point.p_value(r);
  const double cr = point.critical(alpha);
  // What was an anomaly enters the history at the critical value, not beyond: it still
  // counts (a series that keeps changing keeps its rate of alarms), but its size does not
  // stretch the tail, so earlier incidents do not mask later ones.
  point.add(pp <= alpha ? std::min(r, cr) : r);
  if (!z_like) {
    p = pp;
    return cr;
  }
  const double c = std::isnan(cr) || !bands ? kNaN : gaussian_surprise_inverse(cr);
  // (c is NaN without bands: the band functions then leave the band open.)
  ring[seen++ % kSustained] = std::clamp(z, -kClip, kClip);
  double ps = kNaN;
  if (seen >= kSustained) {
    double sum = 0;
    for (double v : ring) sum += v;
    const double sa = gaussian_surprise(sum / std::sqrt(static_cast<double>(kSustained)));
    ps = sustained.p_value(sa);
    sustained.add(ps <= alpha ? std::min(sa, sustained.critical(alpha)) : sa);
  }
  double pl = kNaN;
  if (shift.window() > 0) {
    // A holiday is left out of the day (not entered as 0: a part-day of a daily cycle's z
    // does not cancel, and 14 hours of 0 and 10 of a morning's rise read as a shift).
    const double zl = holiday ? kNaN : shift.next(z);
    if (!std::isnan(zl)) {
      const double sl = gaussian_surprise(zl);
      pl = shifted.p_value(sl);
      shifted.add(pl <= alpha ? std::min(sl, shifted.critical(alpha)) : sl);
    }
  }
  // The shift test weighs half as much as each of the other two: a one-interval spike keeps
  // most of its evidence (the combination multiplies its p by about 2.5; it was 2 without
  // the shift test, 3 at a full weight). At a full weight the robust method's flags on
  // noise at threshold 0.999 (20,000 hours, 20 expected; anomaly_test.cpp) fell from 12 to
  // 5, at half weight to 7. What half a weight costs: on NAB the full weight also found two
  // slow drifts of machine_temperature (ensemble 58.4 against 58.2).
  const double tests[3] = {pp, ps, pl};
  const double weights[3] = {1, 1, kShiftWeight};
  p = std::isnan(pp) ? kNaN : cauchy_combine(tests, weights, 3, 1 - 1e-15);
  return c;
}

ShiftTest::ShiftTest(size_t window)
    : ring_(window, 0.0), stride_(std::max<size_t>(1, window / kShiftSamples)) {}

double ShiftTest::next(double z) {
  const size_t k = ring_.size();
  const double zc = std::isnan(z) ? 0.0 : std::clamp(z, -kClip, kClip);
  double& slot = ring_[seen_ % k];
  sum_ += zc - slot;
  slot = zc;
  ++seen_;
  if (seen_ < k) return kNaN;
  const double mean = sum_ / static_cast<double>(k);
  // Judged against the past means before this one is sampled.
  double out = kNaN;
  if (past_.size() >= kShiftMinSamples) {
    // Never below 1 / sqrt(K), the spread of a mean of K independent z: on a series that
    // repeats itself closely (a clean daily cycle: its z cancel over each day) the past means
    // barely move, and one spike, clipped to 3, moved the day's mean by many of their spreads
    // for a whole day (13 flags for one spike on 30-minute data). With the floor one clipped
    // spike moves t by at most 3 / sqrt(K) (1.2 at K = 6).
    const double sd = std::max(past_.spread(0.0), 1 / std::sqrt(static_cast<double>(k)));
    // The spread is itself an estimate, from few independent means (the samples of one day
    // overlap: about one independent mean a day), and an MAD has the precision of an SD
    // from 0.37 as many values: t = mean / spread is read as a Student t with
    // nu = 0.37 x days of past means, turned into the Gaussian z of the same tail by
    // z = sqrt(nu ln(1 + t^2 / nu)) (the Wallace approximation, without its small
    // correction). Read as Gaussian, a spread 20% too small (28 days of means) made a
    // random day of white noise a shift (3 flags in 2 years).
    const double t = mean / sd;
    const double days = static_cast<double>(past_.size() * stride_) / static_cast<double>(k);
    const double nu = kMadEfficiency * days;
    const double zg = std::sqrt(nu * std::log1p(t * t / nu));
    out = std::clamp(t < 0 ? -zg : zg, -kMaxZ, kMaxZ);
  }
  if ((seen_ - k) % stride_ == 0) {
    if (samples_.size() < kShiftHistory) {
      samples_.push_back(mean);
      past_.insert(mean);
    } else {
      double& old = samples_[sampled_ % kShiftHistory];
      past_.replace(old, mean);
      old = mean;
    }
    ++sampled_;
  }
  return out;
}

// ---- shared work ----

namespace {

struct SharedEntry {
  const char* tag;
  size_t a, b, c;
  int kinds[4];
  bool lumpy;
  int64_t start, step;
  std::vector<double> value, quantity, exposure;
  std::shared_ptr<const void> result;
};

struct SharedStore {
  std::mutex mutex;
  int depth = 0;
  std::vector<SharedEntry> entries;
};

SharedStore& shared_store() {
  static SharedStore store;
  return store;
}

bool same_bits(const std::vector<double>& x, const std::vector<double>& y) {
  return x.size() == y.size() && (x.empty() || std::memcmp(x.data(), y.data(), x.size() * sizeof(double)) == 0);
}

void shared_fill(SharedEntry& e, const char* tag, const Input& in, size_t a, size_t b, size_t c) {
  e.tag = tag;
  e.a = a;
  e.b = b;
  e.c = c;
  e.kinds[0] = static_cast<int>(in.kind);
  e.kinds[1] = static_cast<int>(in.form);
  e.kinds[2] = static_cast<int>(in.quantity_kind);
  e.kinds[3] = static_cast<int>(in.exposure_kind);
  e.lumpy = in.lumpy;
  e.start = in.start;
  e.step = in.step;
}

bool shared_match(const SharedEntry& e, const SharedEntry& k, const Input& in) {
  return std::strcmp(e.tag, k.tag) == 0 && e.a == k.a && e.b == k.b && e.c == k.c &&
         std::memcmp(e.kinds, k.kinds, sizeof e.kinds) == 0 && e.lumpy == k.lumpy &&
         e.start == k.start && e.step == k.step && same_bits(e.value, in.value) &&
         same_bits(e.quantity, in.quantity) && same_bits(e.exposure, in.exposure);
}

}  // namespace

}  // namespace fc::anomaly::detail

namespace fc::anomaly {

SharedWorkScope::SharedWorkScope() {
  using detail::shared_store;
  detail::SharedStore& s = shared_store();
  std::lock_guard<std::mutex> lock(s.mutex);
  ++s.depth;
}

SharedWorkScope::~SharedWorkScope() {
  using detail::shared_store;
  detail::SharedStore& s = shared_store();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (--s.depth == 0) s.entries.clear();
}

}  // namespace fc::anomaly

namespace fc::anomaly::detail {

namespace {

// The result kept for the entry k (filled by shared_fill from `in`), if any; the caller
// holds the store's lock.
const std::shared_ptr<const void>* shared_lookup(const SharedStore& s, const SharedEntry& k, const Input& in) {
  for (const SharedEntry& e : s.entries)
    if (shared_match(e, k, in)) return &e.result;
  return nullptr;
}

}  // namespace

std::shared_ptr<const void> SharedWork::find(const Key& key) {
  SharedStore& s = shared_store();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (s.depth == 0) return nullptr;
  SharedEntry k;
  shared_fill(k, key.tag, *key.in, key.a, key.b, key.c);
  const std::shared_ptr<const void>* kept = shared_lookup(s, k, *key.in);
  return kept ? *kept : nullptr;
}

std::shared_ptr<const void> SharedWork::keep(const Key& key, std::shared_ptr<const void> v) {
  SharedStore& s = shared_store();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (s.depth == 0) return v;
  SharedEntry k;
  shared_fill(k, key.tag, *key.in, key.a, key.b, key.c);
  if (const std::shared_ptr<const void>* kept = shared_lookup(s, k, *key.in)) return *kept;
  k.value = key.in->value;
  k.quantity = key.in->quantity;
  k.exposure = key.in->exposure;
  k.result = v;
  s.entries.push_back(std::move(k));
  return v;
}

size_t shift_window(const Input& in) {
  const int64_t k = time::kDay / in.step;
  return k >= static_cast<int64_t>(2 * kSustained) ? static_cast<size_t>(k) : 0;
}

}  // namespace fc::anomaly::detail
