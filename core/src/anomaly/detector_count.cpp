// count: counts judged as counts. For a count (leads) or a ratio whose quantity is a count
// (CPL, conversion: leads given the spend or clicks), the expected count at t is the
// seasonal rate of that phase times the recent level, times the exposure, all from the
// data before t; the count at t is judged by the Poisson tail or, where the series' own
// past residuals show more spread, by the negative binomial with that dispersion. The p
// comes from the model's predictive distribution, not from the series' past extremes, so
// it means the same from the third day of a series as after two years, and a one-hour
// collapse of ~15 leads to 1 (Poisson tail ~5e-6) is flagged on its first occurrence. The
// last 3 hours' sum is judged too (its dispersion from the past sums'), so a collapse over
// hours adds up where no single hour is surprising enough.
// Lumpy money (revenue, and ROI's revenue against its spend) is a compound count: a few
// sales an hour times their values, so an hour without a sale is ordinary at ~1 sale an
// hour and surprising only at ~10. Without a count of sales, the money is counted in units
// of its variance-to-mean ratio (for N ~ Poisson(l) sales of values V: Var / mean =
// E[V^2] / E[V], about one sale's value), estimated from the series' own second
// differences, and judged by the same count model, with two differences: the hour's value
// per sale varies too (a variance growing with the square of the level, whose tail is that
// of a count times a lognormal), and a run of 3 hours is judged by their sum too, so a
// collapse to 0 for some hours is found where no single hour is surprising.
// Spend and other money (paced, not lumpy) and levels are not counts: no score (the
// ensemble then combines its other members).
// Its loops run for every interval of a series (17,520 for two years of hours) when the page
// first shows its anomalies: compiled for speed in the browser bundle too (CMakeLists.txt).

#include <algorithm>
#include <cmath>

#include "detector.hpp"
#include "funnelcast/anomaly/calibrate.hpp"
#include "funnelcast/base/error.hpp"
#include "funnelcast/time/time.hpp"

namespace fc::anomaly::detail {

namespace {

// Money judged as a count (lumpy money: the value, or a ratio's quantity).
bool money(const Input& in) {
  return in.lumpy && (in.kind == Kind::kMoney ||
                      (in.kind == Kind::kRatio && in.quantity_kind == Kind::kMoney));
}

bool countable(const Input& in) {
  if (in.kind == Kind::kCount || money(in)) return true;
  return in.kind == Kind::kRatio && in.quantity_kind == Kind::kCount;
}

double raw_at(const Input& in, size_t i) {
  return in.kind == Kind::kRatio ? in.quantity[i] : in.value[i];
}

}  // namespace

// Tails of the Poisson (phi <= 1) or of the negative binomial with mean mu and variance
// phi mu. The pmf is walked from its mode in both directions by the ratio of consecutive
// terms (no underflow at large mu), over the range where it is above 1e-300 of the mode.
CountTail::CountTail(double mu, double phi) : mu_(std::max(mu, 1e-9)), phi_(std::max(phi, 1.0)) {
  const bool poisson = phi_ <= 1 + 1e-9;
  r_ = poisson ? 0 : mu_ / (phi_ - 1);
  q_ = poisson ? 0 : mu_ / (r_ + mu_);
  const double mode = std::floor(mu_);
  const double log_mode =
      poisson ? mode * std::log(mu_) - mu_ - std::lgamma(mode + 1)
              : std::lgamma(mode + r_) - std::lgamma(r_) - std::lgamma(mode + 1) +
                    r_ * std::log1p(-q_) + mode * std::log(q_);
  // terms[k - from_] = pmf(k)
  std::vector<double> down, up;
  double t = std::exp(log_mode);
  const double top = t;
  for (double k = mode; k >= 0; --k) {
    down.push_back(t);
    if (k == 0 || t < 1e-40 * top) break;
    t *= ratio_down(k);  // pmf(k - 1) = pmf(k) * ratio_down(k)
    if (!(t > 0)) break;
  }
  t = down.front();
  for (double k = mode + 1;; ++k) {
    t *= ratio_up(k - 1);  // pmf(k) = pmf(k - 1) * ratio_up(k - 1)
    if (!(t > 1e-300) || t < 1e-40 * top) break;
    up.push_back(t);
    if (up.size() > 1000000) break;
  }
  from_ = mode - static_cast<double>(down.size() - 1);
  pmf_.assign(down.rbegin(), down.rend());
  pmf_.insert(pmf_.end(), up.begin(), up.end());
  cdf_.resize(pmf_.size());
  double acc = 0;
  for (size_t k = 0; k < pmf_.size(); ++k) cdf_[k] = acc += pmf_[k];
  sf_.resize(pmf_.size());
  acc = 0;
  for (size_t k = pmf_.size(); k-- > 0;) sf_[k] = acc += pmf_[k];
}

double CountTail::ratio_up(double k) const {  // pmf(k + 1) / pmf(k)
  return phi_ <= 1 + 1e-9 ? mu_ / (k + 1) : (k + r_) / (k + 1) * q_;
}
double CountTail::ratio_down(double k) const {  // pmf(k - 1) / pmf(k)
  return 1 / ratio_up(k - 1);
}

double CountTail::below(double y) const {  // P(Y <= y)
  if (y < from_) return cdf_.front();  // below the stored range: bounded by the range's edge
  const double k = y - from_;
  if (k >= static_cast<double>(cdf_.size())) return 1;
  return std::min(1.0, cdf_[static_cast<size_t>(k)]);
}

double CountTail::above(double y) const {  // P(Y >= y)
  if (y <= from_) return 1;
  const double k = y - from_;
  if (k < static_cast<double>(sf_.size())) return std::min(1.0, sf_[static_cast<size_t>(k)]);
  // Beyond the stored range: the term at y times the geometric sum of a ratio that only
  // falls further (an upper bound on the tail).
  const bool poisson = phi_ <= 1 + 1e-9;
  const double log_y = poisson ? y * std::log(mu_) - mu_ - std::lgamma(y + 1)
                               : std::lgamma(y + r_) - std::lgamma(r_) - std::lgamma(y + 1) +
                                     r_ * std::log1p(-q_) + y * std::log(q_);
  const double ratio = std::min(ratio_up(y), 0.999999);
  return std::exp(log_y) / (1 - ratio);
}

double CountTail::p_value(double y) const {
  return std::min(1.0, 2 * std::min(below(y), above(y)));
}

void CountTail::band(double alpha, double& lo, double& hi) const {
  // lo: the smallest count not flagged below; hi: the largest not flagged above.
  lo = from_;
  for (size_t k = 0; k < cdf_.size(); ++k) {
    if (2 * cdf_[k] > alpha) {
      lo = from_ + static_cast<double>(k);
      break;
    }
  }
  hi = from_ + static_cast<double>(sf_.size()) - 1;
  for (size_t k = sf_.size(); k-- > 0;) {
    if (2 * sf_[k] > alpha) {
      hi = from_ + static_cast<double>(k);
      break;
    }
  }
}

double count_p_value(double mu, double phi, double y) {
  mu = std::max(mu, 1e-9);
  phi = std::max(phi, 1.0);
  const bool poisson = phi <= 1 + 1e-9;
  const double r = poisson ? 0 : mu / (phi - 1), q = poisson ? 0 : mu / (r + mu);
  const auto log_pmf = [&](double k) {
    return poisson ? k * std::log(mu) - mu - std::lgamma(k + 1)
                   : std::lgamma(k + r) - std::lgamma(r) - std::lgamma(k + 1) + r * std::log1p(-q) +
                         k * std::log(q);
  };
  const auto up = [&](double k) { return poisson ? mu / (k + 1) : (k + r) / (k + 1) * q; };
  // The tail on the value's side of the mean, summed from the value outwards; a tail that
  // passes 0.5 gives p = 1.
  double t = std::exp(log_pmf(y)), acc = 0;
  if (y <= mu) {
    for (double k = y; k >= 0 && t > 0; --k) {
      acc += t;
      if (acc >= 0.5) return 1;
      if (t < 1e-17 * acc) break;
      if (k > 0) t /= up(k - 1);
    }
  } else {
    for (double k = y; t > 0; ++k) {
      acc += t;
      if (acc >= 0.5) return 1;
      const double ratio = up(k);
      if (ratio < 1 && t < 1e-17 * acc) break;
      if (k > y + 1e6) break;
      t *= ratio;
    }
  }
  return std::min(1.0, 2 * acc);
}

namespace {

// One tail of K ~ NB(mu, phi) (Poisson at phi <= 1): P(K >= k) (up) or P(K <= k), k whole,
// summed from k outwards on its own side of the mean, else as 1 - the other side's tail.
double count_tail(double mu, double phi, double k, bool up) {
  if (up && k <= 0) return 1;
  if (!up && k < 0) return 0;
  if (up ? k <= mu : k >= mu) return std::max(0.0, 1 - count_tail(mu, phi, up ? k - 1 : k + 1, !up));
  const bool poisson = phi <= 1 + 1e-9;
  const double r = poisson ? 0 : mu / (phi - 1), q = poisson ? 0 : mu / (r + mu);
  const auto ratio = [&](double j) { return poisson ? mu / (j + 1) : (j + r) / (j + 1) * q; };
  double t = std::exp(poisson ? k * std::log(mu) - mu - std::lgamma(k + 1)
                              : std::lgamma(k + r) - std::lgamma(r) - std::lgamma(k + 1) +
                                    r * std::log1p(-q) + k * std::log(q));
  double acc = 0;
  for (double j = k; t > 0 && std::abs(j - k) < 1e6; j += up ? 1 : -1) {
    acc += t;
    if (t < 1e-17 * acc || j <= 0) break;
    t *= up ? ratio(j) : 1 / ratio(j - 1);
  }
  return std::min(1.0, acc);
}

// Money: the count in units K ~ NB(mu, phi) times the hour's value per sale, L lognormal of
// mean 1 and squared coefficient of variation kappa (a day of dearer sales): the two tails
// of K L, averaged over L on a grid of its log (z from -6 to 6 by 0.5, normal weights).
// The mixture's tails are heavier than a negative binomial of the same variance: the
// hours the plain tail already finds ordinary (p >= 0.05) keep its p, the others get the
// mixture's.
double money_p_value(double mu, double phi, double kappa, double phi_all, double y) {
  const double plain = count_p_value(mu, phi_all, y);
  if (!(kappa > 0) || plain >= 0.05) return plain;
  const double s = std::sqrt(std::log1p(kappa));
  double lo = 0, hi = 0, ws = 0;
  for (int j = -12; j <= 12; ++j) {
    const double z = 0.5 * j, w = std::exp(-z * z / 2), l = std::exp(s * z - s * s / 2);
    lo += w * count_tail(mu, phi, std::floor(y / l), false);
    hi += w * count_tail(mu, phi, std::ceil(y / l), true);
    ws += w;
  }
  return std::min(1.0, 2 * std::min(lo, hi) / ws);
}

constexpr size_t kDayWindow = 14;      // the day's phase: the same hour over 14 days
constexpr size_t kWeekWindow = 4;      // the week's phase: the same hour over 4 weeks
constexpr double kOutlierP = 1e-3;     // counts this unlikely stay out of later expectations
constexpr double kLevelPrior = 5;      // the level is shrunk by 5 counts towards 1
constexpr size_t kDispersionWindow = 672;  // 4 weeks of hourly data
constexpr double kDispersionPrior = 1.25;  // ... shrunk towards this by 48 intervals
constexpr double kDispersionPriorN = 48;
constexpr double kPearsonCap = 16;     // one squared Pearson residual counts for at most 16
constexpr size_t kMinResiduals = 24;   // residuals seen before a score

constexpr double kRatePrior = 0.5;  // the phase's rate: half a count at the recent rate
constexpr size_t kRun = 3;          // the sum of the last 3 hours is judged too
constexpr double kRunWeights[2] = {3, 1};  // counts: the hour's tail and the sum's

// What the fit reads: the count at each interval (NaN: not judged), its exposure, and the
// money a count stands for (1 for counts).
struct Counts {
  std::vector<double> y, e, unit;
};

// Lumpy money's unit at each interval: Var / mean from the known values of the trailing
// kDispersionWindow. The second difference d = a - 2b + c of three consecutive intervals
// has variance D (mu_a + 4 mu_b + mu_c) when the variance is D times the mean, and a local
// trend cancels in it, so D = sum d^2 / sum (a + 4b + c) needs no model of the expectation.
// Each d^2 counts for at most kPearsonCap times its expectation (an incident in the window
// does not widen the unit). NaN until kMinResiduals differences are in.
}  // namespace

std::vector<double> money_units(const Input& in) {
  const size_t n = in.size();
  std::vector<double> unit(n, kNaN), dd(n, kNaN), ww(n, kNaN), v(n, kNaN);
  for (size_t i = 0; i < n; ++i)
    if (in.known(i)) v[i] = std::max(0.0, raw_at(in, i));
  double sd = 0, sw = 0, cur = kNaN;
  size_t m = 0;
  for (size_t i = 0; i < n; ++i) {
    if (i >= 1 && !std::isnan(dd[i - 1])) {
      sd += dd[i - 1];
      sw += ww[i - 1];
      ++m;
    }
    if (i > kDispersionWindow && !std::isnan(dd[i - kDispersionWindow - 1])) {
      sd -= dd[i - kDispersionWindow - 1];
      sw -= ww[i - kDispersionWindow - 1];
      --m;
    }
    if (m >= kMinResiduals && sw > 0 && sd > 0) cur = sd / sw;
    unit[i] = cur;
    if (i < 2 || std::isnan(v[i]) || std::isnan(v[i - 1]) || std::isnan(v[i - 2])) continue;
    const double d = v[i] - 2 * v[i - 1] + v[i - 2], w = v[i] + 4 * v[i - 1] + v[i - 2];
    ww[i] = w;
    dd[i] = std::isnan(cur) ? d * d : std::min(d * d, kPearsonCap * cur * w);
  }
  return unit;
}

namespace {

Counts counts_of(const Input& in) {
  const size_t n = in.size();
  Counts c;
  c.y.assign(n, kNaN);
  c.e.assign(n, 1.0);
  c.unit = money(in) ? money_units(in) : std::vector<double>(n, 1.0);
  for (size_t i = 0; i < n; ++i) {
    if (in.kind == Kind::kRatio) c.e[i] = in.exposure[i];
    if (in.known(i) && c.unit[i] > 0) c.y[i] = std::max(0.0, std::round(raw_at(in, i) / c.unit[i]));
  }
  return c;
}

struct Fit {
  std::vector<double> mu, phi, p, dev;
  std::vector<int8_t> dir;  // the side of the smaller of the point's and the run's tails
};

// What one pass of fit() keeps of the intervals it has judged (NaN: none).
struct History {
  std::vector<double> y_used;   // the count as later rates read it (an outlier clipped)
  std::vector<double> y_level;  // ... as the recent level reads it (an outlier: as expected)
  std::vector<double> base_e;   // the phase's rate times the exposure
  std::vector<double> pearson, run_pearson;  // capped squared Pearson residuals: hour, run

  explicit History(size_t n)
      : y_used(n, kNaN),
        y_level(n, kNaN),
        base_e(n, kNaN),
        pearson(n, kNaN),
        run_pearson(n, kNaN) {}
};

// The sums over the trailing windows of one pass of fit(), moved on one interval at a time.
struct Trailing {
  double ps = 0, rs = 0;  // sums of capped Pearson^2 of hours and of runs over the window
  size_t pn = 0, rn = 0;
  double pm = 0, pmm = 0, psm = 0;  // money: sums of mu, mu^2 and Pearson^2 x mu there
  double wy = 0, we = 0;            // the trailing week's counts and exposure (the prior's rate)
};

// Moves the trailing sums on to interval i: interval i - 1 comes in, and the interval that
// falls out of each window (the week's, kDispersionWindow) goes.
void slide(Trailing& t, const History& h, const Counts& c, const std::vector<double>& mu, size_t i,
           size_t week) {
  if (i > 0 && !std::isnan(h.y_used[i - 1])) {
    t.wy += h.y_used[i - 1];
    t.we += c.e[i - 1];
  }
  if (i > week && !std::isnan(h.y_used[i - week - 1])) {
    t.wy -= h.y_used[i - week - 1];
    t.we -= c.e[i - week - 1];
  }
  if (i > 0 && !std::isnan(h.pearson[i - 1])) {
    const double m = mu[i - 1];
    t.ps += h.pearson[i - 1];
    t.pm += m;
    t.pmm += m * m;
    t.psm += h.pearson[i - 1] * m;
    ++t.pn;
  }
  if (i > 0 && !std::isnan(h.run_pearson[i - 1])) {
    t.rs += h.run_pearson[i - 1];
    ++t.rn;
  }
  if (i > kDispersionWindow && !std::isnan(h.run_pearson[i - kDispersionWindow - 1])) {
    t.rs -= h.run_pearson[i - kDispersionWindow - 1];
    --t.rn;
  }
  if (i > kDispersionWindow && !std::isnan(h.pearson[i - kDispersionWindow - 1])) {
    const double m = mu[i - kDispersionWindow - 1];
    t.ps -= h.pearson[i - kDispersionWindow - 1];
    t.pm -= m;
    t.pmm -= m * m;
    t.psm -= h.pearson[i - kDispersionWindow - 1] * m;
    --t.pn;
  }
}

// The dispersion of the past residuals (y - mu)^2 / mu, against expectations made as this
// one is, so it holds the uncertainty of the rate and level estimates too. Money also varies
// by the hour as a whole (a day of dearer sales, a mix of products), a variance that grows
// with the square of the level: its dispersion is a line in mu (variance mu (a + b mu), the
// negative binomial's own form), b from the same residuals (least squares, never below 0,
// shrunk as the mean is).
struct Dispersion {
  double base = 0, slope = 0, mbar = 0;

  double at(double m) const { return std::max(1.0, base + slope * (m - mbar)); }
  // ... as a count in units of dispersion phi_k times the hour's value per sale (squared CV
  // kappa = b): variance mu phi_k (1 + kappa) + kappa mu^2.
  double kappa() const { return slope; }
  double phi_k() const { return std::max(1.0, (base - slope * mbar) / (1 + slope)); }
};

Dispersion dispersion_of(const Trailing& t, bool runs) {
  Dispersion d;
  const double nn = static_cast<double>(t.pn);
  d.base = (t.ps + kDispersionPrior * kDispersionPriorN) / (nn + kDispersionPriorN);
  if (runs && t.pn >= kMinResiduals) {
    d.mbar = t.pm / nn;
    const double var_m = t.pmm / nn - d.mbar * d.mbar;
    if (var_m > 1e-9 * (1 + d.mbar * d.mbar))
      d.slope =
          std::max(0.0, (t.psm / nn - t.ps / nn * d.mbar) / var_m) * nn / (nn + kDispersionPriorN);
  }
  return d;
}

// The counts and exposure at the same phase in the last `window` periods before i.
struct PhaseSums {
  double y = 0, e = 0;
  size_t seen = 0;  // the periods with a count
};

PhaseSums phase_sums(const History& h, const Counts& c, size_t i, size_t period, size_t window) {
  PhaseSums s;
  for (size_t k = 1; k <= window && k * period <= i; ++k) {
    const size_t j = i - k * period;
    if (std::isnan(h.y_used[j])) continue;
    s.y += h.y_used[j];
    s.e += c.e[j];
    ++s.seen;
  }
  return s;
}

// The recent level: how the last intervals compared with their own seasonal base.
double recent_level(const History& h, size_t i, size_t level_window) {
  double ly = 0, lb = 0;
  for (size_t j = i > level_window ? i - level_window : 0; j < i; ++j) {
    if (std::isnan(h.base_e[j]) || std::isnan(h.y_level[j])) continue;
    ly += h.y_level[j];
    lb += h.base_e[j];
  }
  return (ly + kLevelPrior) / (lb + kLevelPrior);
}

// 1 when y is above mu, -1 below, 0 at it.
int8_t side(double y, double mu) {
  return y > mu ? 1 : y < mu ? -1 : 0;
}

// Money: the last kRun hours' sum against the sum of their expectations (a negative
// binomial with their summed mean and variance), each hour clipped to kClip of its own
// spread first, so one spike does not flag the hours after it, as the other detectors'
// sustained test clips its z. Returns p combined with the run's tail (p as it is before
// kRun hours have expectations); dir becomes the run's side when its tail is the smaller.
double with_money_run(const Fit& f, const Counts& c, const Dispersion& d, size_t i, double p,
                      int8_t& dir) {
  if (i + 1 < kRun) return p;
  double sm = 0, sv = 0, sy_run = 0;
  size_t k = 0;
  for (; k < kRun && !std::isnan(f.mu[i - k]); ++k) {
    const double m = f.mu[i - k], v = d.at(m) * m, sd = kClip * std::sqrt(v);
    sm += m;
    sv += v;
    sy_run += std::clamp(c.y[i - k], m - sd, m + sd);
  }
  if (k < kRun) return p;
  const double run_p = count_p_value(sm, sv / sm, std::round(std::max(0.0, sy_run)));
  if (run_p < p) dir = side(sy_run, sm);
  const double both[2] = {p, run_p};
  return cauchy_combine(both, nullptr, 2);
}

// Counts: the last kRun hours' sum too (clipped as money's), against the sum of their
// expectations with a dispersion of its own, estimated as the hours' is from the past
// runs' residuals: hours whose errors go together (a seasonal rate a little off for a
// few hours) widen it, so the sum is judged on its own predictive spread, not on that of
// independent hours. A collapse over hours, each only 1e-4 unlikely, adds up. The hour's
// own tail weighs 3 to the sum's 1 in the Cauchy rule (kRunWeights): a one-hour collapse,
// which the sum barely sees, keeps 3/4 of its evidence (p x 4/3, not x 2).
// Returns p combined with the run's tail once kMinResiduals runs are in (dir as for money),
// and keeps the run's residual in run_pearson unless the run is an outlier.
double with_count_run(const Fit& f, const Counts& c, const Dispersion& d, const Trailing& t,
                      size_t i, double p, int8_t& dir, double& run_pearson) {
  if (i + 1 < kRun) return p;
  double sm = 0, sy_run = 0;
  size_t k = 0;
  for (; k < kRun && !std::isnan(f.mu[i - k]); ++k) {
    const double m = f.mu[i - k], sd = kClip * std::sqrt(d.at(m) * m);
    sm += m;
    sy_run += std::clamp(c.y[i - k], m - sd, m + sd);
  }
  if (k < kRun) return p;
  sy_run = std::round(std::max(0.0, sy_run));
  const double rphi = (t.rs + kDispersionPrior * kDispersionPriorN) / (t.rn + kDispersionPriorN);
  const double run_p = count_p_value(sm, rphi, sy_run);
  if (t.rn >= kMinResiduals) {
    if (run_p < p) dir = side(sy_run, sm);
    const double both[2] = {p, run_p};
    p = cauchy_combine(both, kRunWeights, 2);
  }
  if (run_p >= kOutlierP) run_pearson = std::min(kPearsonCap, (sy_run - sm) * (sy_run - sm) / sm);
  return p;
}

// Outliers enter the phase's later rates clipped to kClip of their spread around what
// was expected (bounded influence), the recent level as what was expected (an incident
// of some hours does not lower the bar for its own later hours), and stay out of the
// dispersion of counts. Not the rates as what was expected: a rate made wrong by an
// incident before the model could judge it (a burst on day 2) would then judge that
// hour an outlier every later day and keep itself (a false alarm there every day);
// clipped, normal hours pull it back. Money keeps outliers in its dispersion (capped,
// as every residual): its tail is heavier than a count's.
void remember(History& h, size_t i, double y, double mu, double phi, double level, bool outlier,
              bool runs) {
  const double spread = kClip * std::sqrt(phi * mu);
  h.y_used[i] = outlier ? std::clamp(y, std::max(0.0, mu - spread), mu + spread) : y;
  h.y_level[i] = outlier ? mu / level : y;
  if (!outlier || runs) h.pearson[i] = std::min(kPearsonCap, (y - mu) * (y - mu) / mu);
}

// One pass forward for one period and `window` earlier periods.
Fit fit(const Input& in, const Counts& c, size_t period, size_t window, size_t level_window) {
  const size_t n = in.size();
  const bool runs = money(in);
  Fit f;
  f.mu.assign(n, kNaN);
  f.phi.assign(n, kNaN);
  f.p.assign(n, kNaN);
  f.dev.assign(n, kNaN);
  f.dir.assign(n, 0);
  History h(n);
  Trailing t;
  const size_t week = period > level_window ? period : 7 * period;
  for (size_t i = 0; i < n; ++i) {
    slide(t, h, c, f.mu, i, week);
    const Dispersion d = dispersion_of(t, runs);
    if (!in.known(i) || std::isnan(c.y[i])) continue;
    // Holidays are quiet by the calendar, not by an incident: no verdict, and they stay out
    // of later expectations.
    if (in.step <= time::kDay && time::is_holiday(in.time(i))) continue;
    const PhaseSums phase = phase_sums(h, c, i, period, window);
    if (phase.seen < 2 || !(phase.e > 0) || !(t.wy > 0) || !(t.we > 0)) {
      h.y_used[i] = h.y_level[i] = c.y[i];  // no expectation yet: taken as it is
      continue;
    }
    // The phase's rate with a gamma prior of kRatePrior counts at the trailing week's rate:
    // an hour that had no lead in its last days expects a few tenths of one, not none.
    const double prior_e = kRatePrior / (t.wy / t.we);
    const double rate = (phase.y + kRatePrior) / (phase.e + prior_e);
    const double level = recent_level(h, i, level_window);
    const double e = c.e[i];
    const double mu = std::max(rate * e * level, 1e-3);
    h.base_e[i] = rate * e;
    const double y = c.y[i];
    const double phi = d.at(mu);
    f.mu[i] = mu;
    f.phi[i] = phi;
    const double a = y > 0 ? y * std::log(y / mu) : 0.0;
    f.dev[i] = std::max(0.0, 2 * (a - (y - mu)));
    // Before kMinResiduals the tail (with the prior dispersion) still keeps incidents out of
    // later expectations, but gives no score.
    double p = runs ? money_p_value(mu, d.phi_k(), d.kappa(), phi, y) : count_p_value(mu, phi, y);
    f.dir[i] = side(y, mu);
    const double point = p;
    p = runs ? with_money_run(f, c, d, i, p, f.dir[i])
             : with_count_run(f, c, d, t, i, p, f.dir[i], h.run_pearson[i]);
    if (t.pn >= kMinResiduals) f.p[i] = p;
    const bool outlier = (runs ? p : point) < kOutlierP;  // counts: the hour's own tail
    remember(h, i, y, mu, phi, level, outlier, runs);
  }
  return f;
}

// The fit of the period whose expectations were closer, per interval (NaN where none).
struct Chosen {
  std::vector<double> mu, phi, p;
  std::vector<int8_t> dir;
  std::vector<double> unit, y;  // the money a count stands for; the counts
};

Chosen choose(const Input& in, const Params& prm) {
  const size_t n = in.size();
  Chosen ch;
  ch.mu.assign(n, kNaN);
  ch.phi.assign(n, kNaN);
  ch.p.assign(n, kNaN);
  ch.dir.assign(n, 0);
  std::vector<Fit> fits;
  const size_t day = static_cast<size_t>(time::kDay / in.step);
  const size_t level_window = std::max<size_t>(3, day);
  const Counts c = counts_of(in);
  if (time::kDay % in.step == 0 && day >= 2)
    fits.push_back(fit(in, c, day, kDayWindow, level_window));
  if (time::kWeek % in.step == 0 && day >= 1)
    fits.push_back(fit(in, c, 7 * day, kWeekWindow, level_window));
  if (fits.empty()) return ch;
  // The period whose expectations were closer (Poisson deviance) over the baseline window,
  // on the intervals where every candidate had one.
  std::vector<std::vector<double>> prefix(fits.size(), std::vector<double>(n + 1, 0.0));
  for (size_t i = 0; i < n; ++i) {
    bool all = true;
    for (const Fit& f : fits) all = all && !std::isnan(f.dev[i]);
    for (size_t c = 0; c < fits.size(); ++c)
      prefix[c][i + 1] = prefix[c][i] + (all ? std::min(fits[c].dev[i], kPearsonCap) : 0.0);
  }
  for (size_t i = 0; i < n; ++i) {
    if (!in.known(i)) continue;
    const size_t lo = i > prm.baseline ? i - prm.baseline : 0;
    int best = -1;
    double best_err = 0;
    for (size_t c = 0; c < fits.size(); ++c) {
      if (std::isnan(fits[c].p[i])) continue;
      const double err = prefix[c][i] - prefix[c][lo];
      if (best < 0 || err <= best_err) {
        best = static_cast<int>(c);
        best_err = err;
      }
    }
    if (best < 0) continue;
    const Fit& f = fits[static_cast<size_t>(best)];
    ch.mu[i] = f.mu[i];
    ch.phi[i] = f.phi[i];
    ch.p[i] = f.p[i];
    ch.dir[i] = f.dir[i];
  }
  ch.unit = c.unit;
  ch.y = c.y;
  return ch;
}

// The quantity of a ratio as a series of its own (leads without the spend).
Input quantity_input(const Input& in) {
  Input q;
  q.name = in.quantity_name;
  q.kind = in.quantity_kind;
  q.lumpy = in.lumpy;
  q.start = in.start;
  q.step = in.step;
  q.value = in.quantity;
  for (size_t i = 0; i < q.value.size(); ++i)
    if (!in.known(i)) q.value[i] = kNaN;
  return q;
}

Track count_track(const Input& in, const Params& prm) {
  const size_t n = in.size();
  Track t;
  t.resize(n);
  if (!countable(in) || in.step > time::kDay) return t;
  // The fits read only the baseline of the parameters: shared with the other checks of the
  // request that fit the same counts (leads: the KPI, CPL's quantity, CPL's part).
  const auto chosen = [&](const Input& x) {
    return SharedWork::get<Chosen>("count", x, prm.baseline, 0, 0, [&] { return choose(x, prm); });
  };
  const std::shared_ptr<const Chosen> ch_kept = chosen(in);
  const Chosen& ch = *ch_kept;
  // Ratios (CPL): the quantity given its exposure (are the leads too few for the spend?),
  // and the quantity on its own (did the leads collapse?), their tails combined by the
  // Cauchy rule. Leads follow spend only loosely, so the first has the wider dispersion: a
  // one-hour collapse of leads is surer on the second, a tripled spend only on the first.
  std::shared_ptr<const Chosen> alone_kept = std::make_shared<const Chosen>();
  if (in.kind == Kind::kRatio) alone_kept = chosen(quantity_input(in));
  const Chosen& alone = *alone_kept;
  const double sign = value_sign(in);
  for (size_t i = 0; i < n; ++i) {
    if (std::isnan(ch.p[i])) continue;
    const double mu = ch.mu[i], u = ch.unit[i];
    double p = ch.p[i];
    double dir = ch.dir[i];
    if (!alone.p.empty() && !std::isnan(alone.p[i])) {
      const double both[2] = {p, alone.p[i]};
      if (alone.p[i] < p) dir = alone.dir[i];
      p = cauchy_combine(both, nullptr, 2);
    }
    t.p[i] = p;
    // A signed z with the same two-sided tail, for the chart and the ensemble's z.
    const double z = std::clamp(dir * sign * gaussian_two_sided_inverse(std::max(p, 1e-300)), -kMaxZ, kMaxZ);
    t.z[i] = z;
    t.direction[i] = sign_of(z);
    double qlo = kNaN, qhi = kNaN;
    if (prm.bands) CountTail(mu, ch.phi[i]).band(prm.alpha, qlo, qhi);
    qlo *= u;  // in the money's units (counts: u = 1)
    qhi *= u;
    if (in.kind != Kind::kRatio) {
      t.expected[i] = mu * u;
      t.lower[i] = qlo;
      t.upper[i] = qhi;
      continue;
    }
    const double e = in.exposure[i];
    t.expected[i] = ratio_value(in, mu * u / e);
    if (std::isnan(qlo)) continue;
    switch (in.form) {
      case RatioForm::kRatio:
        t.lower[i] = qlo / e;
        t.upper[i] = qhi / e;
        break;
      case RatioForm::kMinusOne:
        t.lower[i] = qlo / e - 1;
        t.upper[i] = qhi / e - 1;
        break;
      case RatioForm::kInverse:
        // CPL: more leads = a lower CPL; 0 leads not flagged leaves the top open.
        t.lower[i] = e / qhi;
        t.upper[i] = qlo > 0 ? e / qlo : kNaN;
        break;
    }
  }
  return t;
}

Track run(Context& ctx) {
  return count_track(ctx.in, ctx.params);
}

std::string requirement(const Params&, const std::string& unit) {
  return "each needs a count (leads, revenue, or a ratio of them) and the same " + unit +
         " of the day in at least 2 earlier days, after " + std::to_string(kMinResiduals) +
         " earlier expectations";
}

void check(const Input& in) {
  if (!countable(in))
    throw Error("anomaly: the count method judges counts (leads, clicks), revenue, or ratios of "
                "them (cpl, conversion, roi); " +
                in.name + " is not one");
}

}  // namespace

extern const Detector kCountDetector = {
    "count",
    "Count model (Poisson / negative binomial)",
    "the expected count at that hour (seasonal rate x recent level) judged by its Poisson or "
    "negative-binomial tail; counts, revenue (sales x value) and their ratios only",
    /*default_threshold=*/kDefaultScoreThreshold,
    /*calibrated=*/true,
    /*needs_forecasts=*/false,
    /*ensemble_member=*/true,
    /*band_rank=*/3,
    run,
    check,
    requirement,
    /*ensemble_weight=*/kCountWeight,
};

}  // namespace fc::anomaly::detail
