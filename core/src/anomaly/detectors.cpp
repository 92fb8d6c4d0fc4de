// The detectors. Each walks the series forward once and judges interval t on the
// intervals before it (and t itself for the value being judged), never after it.
// Detection runs once per request, not per row of a hot loop: in the browser bundle it is
// compiled for size (its templates from the standard library too).
#if defined(__EMSCRIPTEN__) && defined(__clang__)
#pragma clang attribute push(__attribute__((minsize)), apply_to = function)
#endif

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

#include "funnelcast/anomaly/calibrate.hpp"
#include "funnelcast/anomaly/iforest.hpp"
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
  double sum = 0;
  for (double x : v_) sum += std::fabs(x - center);
  return kMeanAbsScale * sum / static_cast<double>(n);
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

namespace {

// +1 when the value moves with the judged quantity, -1 when against it (CPL falls as leads rise).
double value_sign(const Input& in) {
  return in.kind == Kind::kRatio && in.form == RatioForm::kInverse ? -1 : 1;
}

int8_t sign_of(double z) {
  return z > 0 ? 1 : z < 0 ? -1 : 0;
}

// The scale of a kind; kMoney's offset is set per interval by the caller.
Scale scale_of(const Input& in) {
  Scale s;
  s.kind = in.kind;  // kRatio: the Poisson deviance of the quantity, also for money (roi)
  return s;
}

// What the detectors judge at i: the value (or, for ratios, the quantity) and for ratios the
// exposure. Unknown intervals have NaN.
double judged(const Input& in, size_t i) {
  return in.kind == Kind::kRatio ? in.quantity[i] : in.value[i];
}

// Expected value, band and statistic of a non-ratio interval.
void level_band(const Scale& s, double mu, double sigma, double c, double& expected, double& lower,
                double& upper) {
  expected = mu;
  lower = upper = kNaN;
  if (std::isnan(c)) return;
  upper = s.inverse(mu, c * sigma);
  lower = s.inverse(mu, -c * sigma);
  if (std::isnan(lower) && (s.kind == Kind::kCount)) lower = 0;
}

// Running mean of |x| over the known values of a trailing window (kMoney's offset).
class TrailingAbsMean {
 public:
  TrailingAbsMean(const Input& in, size_t window) : in_(in), window_(window) {}
  // The mean over [t - window, t - 1].
  double at(size_t t) {
    while (next_ < t) {
      add(next_, +1);
      if (next_ >= window_) add(next_ - window_, -1);
      ++next_;
    }
    return count_ ? sum_ / static_cast<double>(count_) : kNaN;
  }

 private:
  void add(size_t i, int sign) {
    const double y = judged(in_, i);
    if (!in_.known(i) || std::isnan(y)) return;
    sum_ += sign * std::fabs(y);
    count_ = static_cast<size_t>(static_cast<long long>(count_) + sign);
  }
  const Input& in_;
  size_t window_, next_ = 0, count_ = 0;
  double sum_ = 0;
};

double money_offset(double mean_abs) {
  return std::isfinite(mean_abs) && mean_abs > 0 ? kMoneyOffset * mean_abs : 1e-9;
}

// Calibrates a detector's statistic as it walks forward. A signed z (robust, seasonal,
// residual) is first read through the Gaussian tail, as the surprise s = -ln p_gauss(|z|):
// where the data is as Gaussian as the detector assumes, s is exponential with mean 1 and
// the calibrator's exponential tail reproduces the Gaussian p; where the data has heavier
// tails, the calibrator learns it from the series' past and p is larger. Two tests, each
// against its own past: the point test on z, and the sustained test on the last
// kSustained z, each clipped to +-kClip, summed and divided by sqrt(kSustained) (a level
// shift or drift of moderate steps adds up; one spike adds at most kClip / sqrt(6)).
// Their tail probabilities are combined by the Cauchy rule. Other statistics (isolation
// scores, combined p-values) are calibrated as they are, by the point test alone.
struct Calibrated {
  TailCalibrator point{kCalibrationHistory}, sustained{kCalibrationHistory};
  double alpha;
  bool z_like;
  bool bands = true;
  double ring[kSustained] = {};
  size_t seen = 0;
  Calibrated(double a, bool signed_z, bool with_bands = true)
      : alpha(a), z_like(signed_z), bands(with_bands) {}
  // Returns the critical |z| of the point test (the raw statistic for others; NaN before
  // enough history).
  double judge(double z, double& p) {
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
    const double both[2] = {pp, ps};
    p = std::isnan(pp) ? kNaN : cauchy_combine(both, 2);
    return c;
  }
};

}  // namespace

// ---- zscore: the original dashboard's rule ----

Track zscore(const Input& in, const Params& prm) {
  const size_t n = in.size();
  Track t;
  t.resize(n);
  const size_t b = prm.baseline;
  for (size_t i = 0; i < n; ++i) {
    const double x = in.value[i];
    if (!std::isfinite(x)) continue;
    // Two passes over the window: exact for the small windows the tests work out by
    // hand, and free of cancellation for large values.
    const size_t lo = i > b ? i - b : 0;
    double sum = 0;
    size_t count = 0;
    for (size_t j = lo; j < i; ++j)
      if (std::isfinite(in.value[j])) {
        sum += in.value[j];
        ++count;
      }
    if (count < prm.min_points || count < 2) continue;
    const double mean = sum / static_cast<double>(count);
    double ss = 0;
    for (size_t j = lo; j < i; ++j)
      if (std::isfinite(in.value[j])) ss += (in.value[j] - mean) * (in.value[j] - mean);
    const double sd = std::sqrt(ss / static_cast<double>(count - 1));
    const double floor = 1e-9 * std::max(1.0, std::fabs(mean));
    const double z = std::clamp((x - mean) / std::max(sd, floor), -1e6, 1e6);
    t.expected[i] = mean;
    t.z[i] = z;
    t.p[i] = gaussian_two_sided(z);
    t.direction[i] = sign_of(z);
    t.lower[i] = mean - prm.z_threshold * sd;
    t.upper[i] = mean + prm.z_threshold * sd;
  }
  return t;
}

// ---- robust: median and MAD of the trailing window ----

Track robust(const Input& in, const Params& prm) {
  const size_t n = in.size();
  Track t;
  t.resize(n);
  const size_t b = prm.baseline;
  Calibrated cal(prm.alpha, true, prm.bands);
  Scale s = scale_of(in);
  const double vs = value_sign(in);
  const bool ratio = in.kind == Kind::kRatio;
  // The window's values (kLevel, kCount, kMoney), or its (quantity / exposure, exposure)
  // pairs sorted by ratio (kRatio).
  SortedWindow w;
  std::vector<std::pair<double, double>> pairs;
  // kCount, kMoney, kRatio: the residual of each interval against the centre of its own
  // window, for the spread (kLevel uses the MAD of the values themselves).
  std::vector<double> res(n, kNaN);
  SortedWindow spread;
  TrailingAbsMean abs_mean(in, b);
  HolidayEffect holidays(in, in.kind == Kind::kLevel);
  std::vector<double> raw_expect(n, kNaN);
  const auto pair_of = [&](size_t j) {
    return std::make_pair(in.quantity[j] / in.exposure[j], in.exposure[j]);
  };
  for (size_t i = 0; i < n; ++i) {
    if (i > 0 && in.known(i - 1)) {
      if (ratio) {
        const auto pr = pair_of(i - 1);
        pairs.insert(std::upper_bound(pairs.begin(), pairs.end(), pr), pr);
      } else {
        w.insert(judged(in, i - 1));
      }
      if (!std::isnan(res[i - 1])) spread.insert(std::fabs(res[i - 1]));
    }
    if (i > b && in.known(i - b - 1)) {
      if (ratio) {
        const auto pr = pair_of(i - b - 1);
        const auto it = std::lower_bound(pairs.begin(), pairs.end(), pr);
        if (it != pairs.end() && *it == pr) pairs.erase(it);
      } else {
        w.erase(judged(in, i - b - 1));
      }
      if (!std::isnan(res[i - b - 1])) spread.erase(std::fabs(res[i - b - 1]));
    }
    if (!in.known(i)) continue;
    const size_t count = ratio ? pairs.size() : w.size();
    if (count == 0) continue;
    // The centre: the median (for ratios the exposure-weighted median ratio).
    double centre;
    if (ratio) {
      double total = 0;
      for (const auto& pr : pairs) total += pr.second;
      double acc = 0;
      centre = pairs.back().first;
      for (size_t k = 0; k < pairs.size(); ++k) {
        acc += pairs[k].second;
        if (acc == total / 2 && k + 1 < pairs.size()) {
          centre = (pairs[k].first + pairs[k + 1].first) / 2;
          break;
        }
        if (acc > total / 2) {
          centre = pairs[k].first;
          break;
        }
      }
    } else {
      centre = w.median();
    }
    if (in.kind == Kind::kMoney) s.offset = money_offset(abs_mean.at(i));
    raw_expect[i] = ratio ? centre * in.exposure[i] : centre;
    const double effect = holidays.at(i, raw_expect);
    centre = in.kind == Kind::kLevel ? centre + effect : centre * effect;
    const double r = ratio ? s.residual(in.quantity[i], centre * in.exposure[i])
                           : s.residual(in.value[i], centre);
    if (in.kind != Kind::kLevel) res[i] = r;
    if (count < prm.min_points) continue;
    double sigma;
    if (in.kind == Kind::kLevel) {
      sigma = std::max(w.spread(centre), 1e-9 * std::max(1.0, std::fabs(centre)));
    } else {
      if (spread.size() < std::min<size_t>(prm.min_points, 3)) continue;
      sigma = kMadScale * spread.median();
      if (!(sigma > 0)) {
        double sum = 0;
        for (double v : spread.values()) sum += v;
        sigma = kMeanAbsScale * sum / static_cast<double>(spread.size());
      }
      sigma = std::max(sigma, 1e-9);
    }
    double p;
    double z = r / sigma;
    const double c = cal.judge(z, p);
    if (ratio) {
      ratio_band(in, i, centre, sigma, c, s, t.expected[i], t.lower[i], t.upper[i]);
    } else {
      level_band(s, centre, sigma, c, t.expected[i], t.lower[i], t.upper[i]);
    }
    z = std::clamp(z * vs, -1e6, 1e6);
    t.z[i] = z;
    t.p[i] = p;
    t.direction[i] = sign_of(z);
  }
  return t;
}

// ---- seasonal: the same phase of the day or week over the last N periods ----

namespace {

struct Candidate {
  size_t period;
  std::vector<double> base;   // seasonal median (ratio: quantity per exposure)
  std::vector<double> mu;     // level-corrected expectation (ratio: rho)
  std::vector<double> r;      // unscaled residual at t
  std::vector<double> sigma;  // spread of the residuals before t
};

}  // namespace

Track seasonal(const Input& in, const Params& prm) {
  const size_t n = in.size();
  Track t;
  t.resize(n);
  std::vector<size_t> periods;
  for (int64_t len : {time::kDay, time::kWeek}) {
    if (len % in.step == 0 && len / in.step >= 2)
      periods.push_back(static_cast<size_t>(len / in.step));
  }
  if (periods.empty()) return t;  // weekly data has no day or week phase to compare
  const size_t b = prm.baseline;
  const size_t level_window = std::max<size_t>(3, periods.front());
  const size_t seasons = static_cast<size_t>(std::max(2, prm.seasons));
  const size_t reach =
      in.step < 15 * time::kMinute ? static_cast<size_t>(15 * time::kMinute / in.step) : 0;
  const bool ratio = in.kind == Kind::kRatio;
  Scale s = scale_of(in);
  TrailingAbsMean abs_mean(in, b);
  std::vector<double> offset(n, 1e-9);
  if (in.kind == Kind::kMoney)
    for (size_t i = 0; i < n; ++i) offset[i] = money_offset(abs_mean.at(i));

  // Ratios: a low-volume interval says little about its ratio, so each one is shrunk
  // towards the trailing pooled ratio by kPrior units of quantity (5 leads) before the
  // medians: one lead at 3 a.m. moves the 3 a.m. expectation by little.
  std::vector<double> prior, prior_q;
  prior.assign(n, kNaN);           // pooled quantity per exposure over [t - b, t - 1]
  prior_q.assign(n, kCountPrior);  // the prior amount, in units of the quantity
  if (ratio) {
    double sy = 0, se = 0;
    for (size_t i = 0; i < n; ++i) {
      if (i > 0 && in.known(i - 1)) {
        sy += in.quantity[i - 1];
        se += in.exposure[i - 1];
      }
      if (i > b && in.known(i - b - 1)) {
        sy -= in.quantity[i - b - 1];
        se -= in.exposure[i - b - 1];
      }
      if (se > 0 && sy > 0) prior[i] = sy / se;
      // Money (roi's revenue): half the usual revenue of an interval.
      if (in.quantity_kind == Kind::kMoney) prior_q[i] = kCountPrior * money_offset(abs_mean.at(i));
    }
  }
  const auto shrunk = [&](size_t j, size_t at, double& weight) {
    const double pr = prior[at];
    if (std::isnan(pr)) {
      weight = in.exposure[j];
      return in.quantity[j] / in.exposure[j];
    }
    weight = in.exposure[j] + prior_q[at] / pr;
    return (in.quantity[j] + prior_q[at]) / weight;
  };

  // Holidays stay out of the level correction (the day after one is an ordinary day).
  std::vector<uint8_t> holiday(n, 0);
  if (in.step <= time::kDay)
    for (size_t i = 0; i < n; ++i) holiday[i] = time::is_holiday(in.time(i)) ? 1 : 0;

  std::vector<Candidate> cands;
  std::vector<double> vals, kept_vals;
  std::vector<std::pair<double, double>> xw, kept_xw;
  for (size_t period : periods) {
    Candidate cd;
    cd.period = period;
    cd.base.assign(n, kNaN);
    cd.mu.assign(n, kNaN);
    cd.r.assign(n, kNaN);
    cd.sigma.assign(n, kNaN);
    // One pass forward: the spread of the residuals before i; the level correction, the
    // median over the recent intervals of how far they were from their own seasonal
    // expectation (a ratio for counts, money and ratios, each shrunk by a prior amount so
    // quiet intervals count for little; a difference for levels), leaving out intervals
    // that were outliers themselves (|z| > kClip) unless they are most of the window (a
    // shift to a new level is followed); then the residual at i.
    SortedWindow w, level_all, level_kept;
    std::vector<uint8_t> outlier(n, 0);
    std::vector<double> level(n, kNaN), raw_expect(n, kNaN);
    HolidayEffect holidays(in, in.kind == Kind::kLevel);
    for (size_t i = 0; i < n; ++i) {
      if (i > 0 && !std::isnan(cd.r[i - 1])) w.insert(std::fabs(cd.r[i - 1]));
      if (i > b && !std::isnan(cd.r[i - b - 1])) w.erase(std::fabs(cd.r[i - b - 1]));
      if (i > 0 && !std::isnan(level[i - 1])) {
        level_all.insert(level[i - 1]);
        if (!outlier[i - 1]) level_kept.insert(level[i - 1]);
      }
      if (i > level_window && !std::isnan(level[i - level_window - 1])) {
        level_all.erase(level[i - level_window - 1]);
        if (!outlier[i - level_window - 1]) level_kept.erase(level[i - level_window - 1]);
      }
      if (w.size() >= prm.min_points) {
        double sigma = kMadScale * w.median();
        if (!(sigma > 0)) {
          double sum = 0;
          for (double v : w.values()) sum += v;
          sigma = kMeanAbsScale * sum / static_cast<double>(w.size());
        }
        cd.sigma[i] = std::max(sigma, 1e-9);
      }
      // The seasonal median of the same phase (weighted median of shrunk ratios), without
      // the values that were outliers themselves when at least 2 others are left, so an
      // incident last week does not become this week's expectation.
      vals.clear();
      xw.clear();
      kept_vals.clear();
      kept_xw.clear();
      for (size_t k = 1; k <= seasons && k * period <= i; ++k) {
        // The same phase, and for data finer than 15 minutes its neighbours within 15
        // minutes (rows with jittered timestamps rarely hit the exact same slot).
        const size_t center = i - k * period;
        for (size_t j = center > reach ? center - reach : 0; j <= center + reach && j < i; ++j) {
          if (!in.known(j)) continue;
          if (ratio) {
            double wt;
            const double q = shrunk(j, i, wt);
            xw.emplace_back(q, wt);
            if (!outlier[j]) kept_xw.emplace_back(q, wt);
          } else {
            vals.push_back(in.value[j]);
            if (!outlier[j]) kept_vals.push_back(in.value[j]);
          }
        }
      }
      if (ratio) {
        auto& use_xw = kept_xw.size() >= 2 ? kept_xw : xw;
        if (use_xw.size() >= 2) cd.base[i] = weighted_median(use_xw);
      } else {
        auto& use_vals = kept_vals.size() >= 2 ? kept_vals : vals;
        if (use_vals.size() >= 2) cd.base[i] = median_of(use_vals);
      }
      if (std::isnan(cd.base[i])) continue;
      const SortedWindow& use = 4 * level_kept.size() >= level_all.size() ? level_kept : level_all;
      double mu;
      if (in.kind == Kind::kLevel) {
        mu = cd.base[i] + (use.size() ? use.median() : 0.0);
      } else {
        mu = cd.base[i] * (use.size() ? use.median() : 1.0);
      }
      raw_expect[i] = ratio ? mu * in.exposure[i] : mu;
      const double effect = holidays.at(i, raw_expect);
      mu = in.kind == Kind::kLevel ? mu + effect : mu * effect;
      cd.mu[i] = mu;
      if (!in.known(i)) continue;
      s.offset = offset[i];
      cd.r[i] =
          ratio ? s.residual(in.quantity[i], mu * in.exposure[i]) : s.residual(in.value[i], mu);
      outlier[i] = !std::isnan(cd.sigma[i]) && std::fabs(cd.r[i]) > kClip * cd.sigma[i];
      // How far this interval was from its seasonal base, for the next ones' level.
      if (holiday[i]) continue;
      const double c = in.kind == Kind::kMoney ? offset[i] : prior_q[i];
      if (ratio) {
        level[i] = (in.quantity[i] + c) / (cd.base[i] * in.exposure[i] + c);
      } else if (in.kind == Kind::kLevel) {
        level[i] = in.value[i] - cd.base[i];
      } else {
        level[i] = (in.value[i] + c) / (std::max(cd.base[i], 0.0) + c);
      }
    }
    cands.push_back(std::move(cd));
  }

  // The period whose expectations have been closer over the trailing window (both
  // judged on the intervals where both had one); the longer period on a tie.
  const size_t m = cands.size();
  std::vector<std::vector<double>> prefix(m, std::vector<double>(n + 1, 0.0));
  std::vector<size_t> both(n + 1, 0);
  for (size_t i = 0; i < n; ++i) {
    bool all = true;
    for (const auto& cd : cands) all = all && !std::isnan(cd.r[i]);
    both[i + 1] = both[i] + (all ? 1 : 0);
    for (size_t c = 0; c < m; ++c)
      prefix[c][i + 1] = prefix[c][i] + (all ? std::fabs(cands[c].r[i]) : 0.0);
  }
  Calibrated cal(prm.alpha, true, prm.bands);
  const double vs = value_sign(in);
  for (size_t i = 0; i < n; ++i) {
    if (!in.known(i)) continue;
    const size_t lo = i > b ? i - b : 0;
    int best = -1;
    double best_err = 0;
    for (size_t c = 0; c < m; ++c) {
      const Candidate& cd = cands[c];
      if (std::isnan(cd.r[i]) || std::isnan(cd.sigma[i])) continue;
      const double err = both[i] > both[lo] ? prefix[c][i] - prefix[c][lo] : 0.0;
      if (best < 0 || err <= best_err) {
        best = static_cast<int>(c);
        best_err = err;
      }
    }
    if (best < 0) continue;
    const Candidate& cd = cands[static_cast<size_t>(best)];
    const double sigma = cd.sigma[i];
    double p;
    double z = cd.r[i] / sigma;
    const double c = cal.judge(z, p);
    s.offset = offset[i];
    if (ratio) {
      ratio_band(in, i, cd.mu[i], sigma, c, s, t.expected[i], t.lower[i], t.upper[i]);
    } else {
      level_band(s, cd.mu[i], sigma, c, t.expected[i], t.lower[i], t.upper[i]);
    }
    z = std::clamp(z * vs, -1e6, 1e6);
    t.z[i] = z;
    t.p[i] = p;
    t.direction[i] = sign_of(z);
  }
  return t;
}

// ---- residual: outside the forecast's prediction interval ----

Track residual(const Input& in, const Forecasts& f, const Params& prm) {
  const size_t n = in.size();
  Track t;
  t.resize(n);
  const double q = gaussian_two_sided_inverse(1 - f.level);  // 1.96 for 95%
  Calibrated cal(prm.alpha, true, prm.bands);
  for (size_t i = 0; i < n; ++i) {
    const double x = in.value[i], m = f.mean[i];
    if (!std::isfinite(x) || !std::isfinite(m) || std::isnan(f.lower[i]) || std::isnan(f.upper[i]))
      continue;
    const double floor = 1e-9 * std::max(1.0, std::fabs(m));
    const double up = std::max((f.upper[i] - m) / q, floor);
    const double down = std::max((m - f.lower[i]) / q, floor);
    const double z = std::clamp(x >= m ? (x - m) / up : (x - m) / down, -1e6, 1e6);
    double p;
    const double c = cal.judge(z, p);
    t.expected[i] = m;
    if (!std::isnan(c)) {
      t.upper[i] = m + c * up;
      t.lower[i] = m - c * down;
    }
    t.z[i] = z;
    t.p[i] = p;
    t.direction[i] = sign_of(z);
  }
  return t;
}

// ---- isolation forest on the value, rolling statistics, differences and the calendar ----

namespace {

constexpr size_t kForestWindow = 2048;  // past rows a forest is grown from
constexpr size_t kRefit = 512;          // steps between forests
constexpr size_t kMinRows = 256;        // rows before the first forest

}  // namespace

Track iforest(const Input& in, const Track& rb, const Track& ss, const Params& prm) {
  const size_t n = in.size();
  Track t;
  t.resize(n);
  // Features: the robust statistic (the value against its trailing median), its first
  // difference, its mean over the last 3 intervals, its spread over the last 6, the
  // seasonal statistic, hour of day, day of week, holiday, and for ratios the volume
  // (log of the exposure against its trailing median).
  constexpr size_t kF = 9;
  std::vector<float> x(n * kF, std::nanf(""));
  const bool sub_daily = in.step < time::kDay, sub_weekly = in.step < time::kWeek;
  SortedWindow vol;
  for (size_t i = 0; i < n; ++i) {
    if (in.kind == Kind::kRatio) {
      if (i > 0 && in.known(i - 1)) vol.insert(in.exposure[i - 1]);
      if (i > prm.baseline && in.known(i - prm.baseline - 1))
        vol.erase(in.exposure[i - prm.baseline - 1]);
    }
    float* row = &x[i * kF];
    const double e = rb.z[i];
    if (std::isnan(e)) continue;
    row[0] = static_cast<float>(e);
    if (i > 0 && !std::isnan(rb.z[i - 1])) row[1] = static_cast<float>(e - rb.z[i - 1]);
    double sum = 0, sum2 = 0;
    size_t k = 0;
    for (size_t j = i >= 2 ? i - 2 : 0; j <= i; ++j)
      if (!std::isnan(rb.z[j])) {
        sum += rb.z[j];
        ++k;
      }
    row[2] = static_cast<float>(sum / static_cast<double>(k));
    sum = 0;
    k = 0;
    for (size_t j = i >= 5 ? i - 5 : 0; j <= i; ++j)
      if (!std::isnan(rb.z[j])) {
        sum += rb.z[j];
        sum2 += rb.z[j] * rb.z[j];
        ++k;
      }
    if (k >= 2)
      row[3] = static_cast<float>(std::sqrt(
          std::max(0.0, sum2 / static_cast<double>(k) -
                            (sum / static_cast<double>(k)) * (sum / static_cast<double>(k)))));
    if (!std::isnan(ss.z[i])) row[4] = static_cast<float>(ss.z[i]);
    const int64_t when = in.time(i);
    if (sub_daily) row[5] = static_cast<float>(time::hour_of_day(when));
    if (sub_weekly) row[6] = static_cast<float>(time::day_of_week(when));
    row[7] = time::is_holiday(when) ? 1.0f : 0.0f;
    if (in.kind == Kind::kRatio && vol.size() > 0 && vol.median() > 0)
      row[8] = static_cast<float>(std::log(in.exposure[i] / vol.median()));
  }
  // A forest is grown every kRefit steps from the last kForestWindow rows before that
  // step, and scores the rows up to the next one (in one batch, trees walked in lock-step).
  std::vector<size_t> rows;  // intervals with features, in time order
  std::vector<float> train;
  std::vector<double> scores(n, kNaN);
  ForestOptions fo;
  for (size_t i0 = 0; i0 < n; i0 += kRefit) {
    const size_t i1 = std::min(n, i0 + kRefit);
    if (rows.size() >= kMinRows) {
      const size_t take = std::min(rows.size(), kForestWindow);
      train.resize(take * kF);
      for (size_t r = 0; r < take; ++r) {
        const size_t src = rows[rows.size() - take + r];
        std::copy(&x[src * kF], &x[src * kF] + kF, &train[r * kF]);
      }
      fo.seed = prm.seed + i0;
      const IsolationForest forest = IsolationForest::fit(train.data(), take, kF, fo);
      forest.score(&x[i0 * kF], i1 - i0, &scores[i0]);
    }
    for (size_t i = i0; i < i1; ++i)
      if (!std::isnan(rb.z[i])) rows.push_back(i);
  }
  Calibrated cal(prm.alpha, false);
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

// ---- ensemble ----

Track ensemble(const Input& in, const std::vector<const Track*>& members,
               const std::vector<const Track*>& band_from) {
  const size_t n = in.size();
  Track t;
  t.resize(n);
  std::vector<double> ps(members.size());
  for (size_t i = 0; i < n; ++i) {
    size_t have = 0;
    double best_p = 2;
    int8_t dir = 0;
    for (size_t k = 0; k < members.size(); ++k) {
      ps[k] = members[k]->p[i];
      if (std::isnan(ps[k])) continue;
      ++have;
      if (ps[k] < best_p) {
        best_p = ps[k];
        dir = members[k]->direction[i];
      }
    }
    if (!have) continue;
    const double pc = cauchy_combine(ps.data(), ps.size());
    const double raw = -std::log10(std::max(pc, 1e-300));
    const double p = pc;
    t.p[i] = p;
    t.z[i] = dir * raw;
    t.direction[i] = dir;
    for (const Track* m : band_from) {
      if (std::isnan(m->expected[i])) continue;
      t.expected[i] = m->expected[i];
      t.lower[i] = m->lower[i];
      t.upper[i] = m->upper[i];
      break;
    }
  }
  return t;
}

}  // namespace fc::anomaly::detail

#if defined(__EMSCRIPTEN__) && defined(__clang__)
#pragma clang attribute pop
#endif
