// seasonal: the same phase of the day or of the week over the last `seasons` periods, so a
// Monday-morning peak is expected, not an anomaly. Each period is a candidate: its seasonal
// median (leaving out values that were outliers themselves), times a level correction and
// the holiday effect; the candidate whose residuals were smaller over the baseline window
// judges the interval. Needs 2 earlier periods.
// Its loops run for every interval of a series (17,520 for two years of hours) when the page
// first shows its anomalies: compiled for speed in the browser bundle too (CMakeLists.txt).

#include <algorithm>
#include <cmath>
#include <utility>

#include "detector.hpp"
#include "funnelcast/base/error.hpp"
#include "funnelcast/time/time.hpp"

namespace fc::anomaly::detail {
namespace {

// The day and the week in steps, where the data is fine enough to have them.
std::vector<size_t> periods_of(const Input& in) {
  std::vector<size_t> periods;
  for (int64_t len : {time::kDay, time::kWeek}) {
    if (len % in.step == 0 && len / in.step >= 2)
      periods.push_back(static_cast<size_t>(len / in.step));
  }
  return periods;
}

// What every candidate reads: the money offsets, the ratio priors and the holidays.
struct Shared {
  const Input& in;
  size_t baseline, level_window, seasons, reach;
  bool ratio;
  std::vector<double> offset;   // kMoney: c per interval
  std::vector<double> prior;    // ratios: pooled quantity per exposure over [t - b, t - 1]
  std::vector<double> prior_q;  // the prior amount, in units of the quantity
  std::vector<uint8_t> holiday;

  Shared(const Input& input, const Params& prm, const std::vector<size_t>& periods)
      : in(input),
        baseline(prm.baseline),
        level_window(std::max<size_t>(3, periods.front())),
        seasons(static_cast<size_t>(std::max(2, prm.seasons))),
        // For data finer than 15 minutes, the neighbours within 15 minutes of the same phase
        // (rows with jittered timestamps rarely hit the exact same slot).
        reach(in.step < 15 * time::kMinute ? static_cast<size_t>(15 * time::kMinute / in.step) : 0),
        ratio(in.kind == Kind::kRatio) {
    const size_t n = in.size();
    TrailingAbsMean abs_mean(in, baseline);
    offset.assign(n, 1e-9);
    if (in.kind == Kind::kMoney)
      for (size_t i = 0; i < n; ++i) offset[i] = money_offset(abs_mean.at(i));
    prior.assign(n, kNaN);
    prior_q.assign(n, kCountPrior);
    if (ratio) pool_ratio_prior(abs_mean);
    // Holidays stay out of the level correction (the day after one is an ordinary day).
    holiday.assign(n, 0);
    if (in.step <= time::kDay)
      for (size_t i = 0; i < n; ++i) holiday[i] = time::is_holiday(in.time(i)) ? 1 : 0;
  }

  // Ratios: a low-volume interval says little about its ratio, so each one is shrunk
  // towards the trailing pooled ratio by kCountPrior units of quantity (5 leads) before the
  // medians: one lead at 3 a.m. moves the 3 a.m. expectation by little.
  void pool_ratio_prior(TrailingAbsMean& abs_mean) {
    const size_t b = baseline;
    double sy = 0, se = 0;
    for (size_t i = 0; i < in.size(); ++i) {
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

  // Interval j's quantity per exposure shrunk by the prior of interval `at`, and its weight.
  double shrunk(size_t j, size_t at, double& weight) const {
    const double pr = prior[at];
    if (std::isnan(pr)) {
      weight = in.exposure[j];
      return in.quantity[j] / in.exposure[j];
    }
    weight = in.exposure[j] + prior_q[at] / pr;
    return (in.quantity[j] + prior_q[at]) / weight;
  }
};

struct Candidate {
  size_t period;
  std::vector<double> base;   // seasonal median (ratio: quantity per exposure)
  std::vector<double> mu;     // level-corrected expectation (ratio: rho)
  std::vector<double> r;      // unscaled residual at t
  std::vector<double> sigma;  // spread of the residuals before t
  std::vector<double> sigma_all;  // the same with holidays (the isolation forest's feature)
};

// The seasonal median of the same phase before i (the weighted median of shrunk ratios),
// without the values that were outliers themselves when at least 2 others are left, so an
// incident last week does not become this week's expectation. NaN with fewer than 2.
class PhaseMedian {
 public:
  explicit PhaseMedian(const Shared& sh) : sh_(sh) {}
  double at(size_t i, size_t period, const std::vector<uint8_t>& outlier) {
    const Input& in = sh_.in;
    vals_.clear();
    xw_.clear();
    kept_vals_.clear();
    kept_xw_.clear();
    for (size_t k = 1; k <= sh_.seasons && k * period <= i; ++k) {
      const size_t center = i - k * period;
      const size_t reach = sh_.reach;
      for (size_t j = center > reach ? center - reach : 0; j <= center + reach && j < i; ++j) {
        if (!in.known(j)) continue;
        if (sh_.ratio) {
          double wt;
          const double q = sh_.shrunk(j, i, wt);
          xw_.emplace_back(q, wt);
          if (!outlier[j]) kept_xw_.emplace_back(q, wt);
        } else {
          vals_.push_back(in.value[j]);
          if (!outlier[j]) kept_vals_.push_back(in.value[j]);
        }
      }
    }
    if (sh_.ratio) {
      auto& use = kept_xw_.size() >= 2 ? kept_xw_ : xw_;
      return use.size() >= 2 ? weighted_median(use) : kNaN;
    }
    auto& use = kept_vals_.size() >= 2 ? kept_vals_ : vals_;
    return use.size() >= 2 ? median_of(use) : kNaN;
  }

 private:
  const Shared& sh_;
  std::vector<double> vals_, kept_vals_;
  std::vector<std::pair<double, double>> xw_, kept_xw_;
};

// The level correction: how far the recent intervals were from their own seasonal base, over
// the last level_window intervals, leaving out those that were outliers themselves (|z| >
// kClip) unless they are most of the window (a shift to a new level is followed).
class LevelWindow {
 public:
  explicit LevelWindow(size_t window) : window_(window) {}
  void slide_to(size_t i, const std::vector<double>& level, const std::vector<uint8_t>& outlier) {
    if (i > 0 && !std::isnan(level[i - 1])) {
      all_.insert(level[i - 1]);
      if (!outlier[i - 1]) kept_.insert(level[i - 1]);
    }
    if (i > window_ && !std::isnan(level[i - window_ - 1])) {
      all_.erase(level[i - window_ - 1]);
      if (!outlier[i - window_ - 1]) kept_.erase(level[i - window_ - 1]);
    }
  }
  // The seasonal base corrected by the median level (added for levels, a factor otherwise).
  double apply(double base, Kind kind) const {
    const SortedWindow& use = 4 * kept_.size() >= all_.size() ? kept_ : all_;
    if (kind == Kind::kLevel) return base + (use.size() ? use.median() : 0.0);
    return base * (use.size() ? use.median() : 1.0);
  }

 private:
  size_t window_;
  SortedWindow all_, kept_;
};

// How far interval i was from its seasonal base, for the next intervals' level: a ratio
// for counts, money and ratios, each shrunk by a prior amount so quiet intervals count for
// little; a difference for levels.
double level_of(const Shared& sh, size_t i, double base) {
  const Input& in = sh.in;
  const double c = in.kind == Kind::kMoney ? sh.offset[i] : sh.prior_q[i];
  if (sh.ratio) return (in.quantity[i] + c) / (base * in.exposure[i] + c);
  if (in.kind == Kind::kLevel) return in.value[i] - base;
  return (in.value[i] + c) / (std::max(base, 0.0) + c);
}

// One pass forward for one period: the spread of the residuals before i, the level-corrected
// seasonal expectation at i, then the residual at i.
Candidate fit_period(const Shared& sh, size_t period, const Params& prm) {
  const Input& in = sh.in;
  const size_t n = in.size();
  Candidate cd;
  cd.period = period;
  cd.base.assign(n, kNaN);
  cd.mu.assign(n, kNaN);
  cd.r.assign(n, kNaN);
  cd.sigma.assign(n, kNaN);
  cd.sigma_all.assign(n, kNaN);
  Scale s = scale_of(in);
  SortedWindow w, ord;  // |residuals| of [i - b, i - 1]; of its ordinary days
  LevelWindow levels(sh.level_window);
  PhaseMedian phase(sh);
  std::vector<uint8_t> outlier(n, 0);
  std::vector<double> level(n, kNaN), raw_expect(n, kNaN);
  HolidayEffect holidays(in, in.kind == Kind::kLevel);
  const size_t b = sh.baseline;
  for (size_t i = 0; i < n; ++i) {
    // A holiday's residuals stay out of the spread of ordinary days, as out of their level:
    // a holiday that moved (taxis on Labor Day, a shop on Christmas) would widen the bar for
    // the ordinary days of the week after it. A holiday itself is judged with them (where
    // last year's is not in the data, its earlier hours are what is known of its effect).
    if (i > 0 && !std::isnan(cd.r[i - 1])) {
      w.insert(std::fabs(cd.r[i - 1]));
      if (!sh.holiday[i - 1]) ord.insert(std::fabs(cd.r[i - 1]));
    }
    if (i > b && !std::isnan(cd.r[i - b - 1])) {
      w.erase(std::fabs(cd.r[i - b - 1]));
      if (!sh.holiday[i - b - 1]) ord.erase(std::fabs(cd.r[i - b - 1]));
    }
    levels.slide_to(i, level, outlier);
    const SortedWindow& use = sh.holiday[i] ? w : ord;
    if (use.size() >= prm.min_points) cd.sigma[i] = spread_of_residuals(use);
    if (w.size() >= prm.min_points) cd.sigma_all[i] = spread_of_residuals(w);
    cd.base[i] = phase.at(i, period, outlier);
    if (std::isnan(cd.base[i])) continue;
    double mu = levels.apply(cd.base[i], in.kind);
    raw_expect[i] = sh.ratio ? mu * in.exposure[i] : mu;
    const double effect = holidays.at(i, raw_expect);
    mu = in.kind == Kind::kLevel ? mu + effect : mu * effect;
    cd.mu[i] = mu;
    if (!in.known(i)) continue;
    s.offset = sh.offset[i];
    cd.r[i] =
        sh.ratio ? s.residual(in.quantity[i], mu * in.exposure[i]) : s.residual(in.value[i], mu);
    outlier[i] = !std::isnan(cd.sigma[i]) && std::fabs(cd.r[i]) > kClip * cd.sigma[i];
    if (!sh.holiday[i]) level[i] = level_of(sh, i, cd.base[i]);
  }
  return cd;
}

// The period whose expectations have been closer over the trailing window (both judged on
// the intervals where both had one); the longer period on a tie.
class PeriodChoice {
 public:
  explicit PeriodChoice(const std::vector<Candidate>& cands, size_t n)
      : cands_(cands), prefix_(cands.size(), std::vector<double>(n + 1, 0.0)), both_(n + 1, 0) {
    for (size_t i = 0; i < n; ++i) {
      bool all = true;
      for (const auto& cd : cands) all = all && !std::isnan(cd.r[i]);
      both_[i + 1] = both_[i] + (all ? 1 : 0);
      for (size_t c = 0; c < cands.size(); ++c)
        prefix_[c][i + 1] = prefix_[c][i] + (all ? std::fabs(cands[c].r[i]) : 0.0);
    }
  }
  // The candidate judging i over the window from lo, nullptr when none can.
  const Candidate* at(size_t i, size_t lo) const {
    int best = -1;
    double best_err = 0;
    for (size_t c = 0; c < cands_.size(); ++c) {
      const Candidate& cd = cands_[c];
      if (std::isnan(cd.r[i]) || std::isnan(cd.sigma[i])) continue;
      const double err = both_[i] > both_[lo] ? prefix_[c][i] - prefix_[c][lo] : 0.0;
      if (best < 0 || err <= best_err) {
        best = static_cast<int>(c);
        best_err = err;
      }
    }
    return best < 0 ? nullptr : &cands_[static_cast<size_t>(best)];
  }

 private:
  const std::vector<Candidate>& cands_;
  std::vector<std::vector<double>> prefix_;
  std::vector<size_t> both_;
};

// A level series (kLevel: residuals in the series' own units) whose seasonal residuals are far
// below the series' own robust spread is copying itself from one period to the next (a
// replayed log, a stuck feed), not moving with that precision: the first real deviation would
// get a z in the hundreds (NAB rogue_agent_key_hold: the day candidate's spread 7.6e-5 on
// values that move by ~1e-2). The spread a candidate judges with is floored at kCopyFloor of
// the spread of the values themselves over the baseline window: a deviation of a tenth of the
// usual variation of the series is as sharp as the seasonal view is allowed to be. Counts,
// money and ratios have residuals on their own scale (deviance, asinh), not comparable to the
// values' spread, and are left as they were.
constexpr double kCopyFloor = 0.1;
// A count (leads, or the count under a ratio such as CPL) is judged by its Poisson deviance
// residual, whose spread is 1 when the counts are Poisson around the expectation and more
// when they are overdispersed; never less, since the count itself is random. A spread below 1
// comes from too few residuals (7 with daily data and the default 7-day baseline: the median
// |residual| of 7 is often well below the true one), and it inflated every z: on clean
// Poisson daily data with a weekly cycle the seasonal method flagged 22 days in 3,650
// where its threshold allows 0.2.
constexpr double kPoissonSpread = 1;

// sigma_out (optional): the spread each interval was judged with (NaN where not judged).
Track seasonal_track(const Input& in, const Params& prm, std::vector<double>* sigma_out = nullptr) {
  const size_t n = in.size();
  Track t;
  t.resize(n);
  if (sigma_out) sigma_out->assign(n, kNaN);
  const std::vector<size_t> periods = periods_of(in);
  if (periods.empty()) return t;  // weekly data has no day or week phase to compare
  // The candidates do not depend on the threshold or the band: shared with the other checks
  // of the request that fit the same series (spend: the KPI, CPL's and ROI's exposure and part).
  struct Fitted {
    std::vector<double> offset;
    std::vector<Candidate> cands;
  };
  const std::shared_ptr<const Fitted> fitted = SharedWork::get<Fitted>(
      "seasonal", in, prm.baseline, prm.min_points, static_cast<size_t>(prm.seasons), [&] {
        const Shared sh(in, prm, periods);
        Fitted f;
        for (size_t period : periods) f.cands.push_back(fit_period(sh, period, prm));
        f.offset = sh.offset;
        return f;
      });
  const std::vector<Candidate>& cands = fitted->cands;
  const std::vector<double>& offset = fitted->offset;
  const PeriodChoice choice(cands, n);
  Calibrated cal(prm.alpha, true, prm.bands, shift_window(in));
  Scale s = scale_of(in);
  t.z_feature.assign(n, kNaN);
  const bool floored = in.kind == Kind::kLevel;
  const bool poisson = in.kind == Kind::kCount ||
                       (in.kind == Kind::kRatio && in.quantity_kind == Kind::kCount);
  SortedWindow values;  // the values of [i - b, i - 1] (kLevel)
  for (size_t i = 0; i < n; ++i) {
    if (floored && i > 0 && in.known(i - 1)) values.insert(in.value[i - 1]);
    if (floored && i > prm.baseline && in.known(i - prm.baseline - 1))
      values.erase(in.value[i - prm.baseline - 1]);
    if (!in.known(i)) continue;
    const Candidate* cd = choice.at(i, i > prm.baseline ? i - prm.baseline : 0);
    if (!cd) continue;
    s.offset = offset[i];
    double sigma = cd->sigma[i];
    if (floored && values.size() >= prm.min_points)
      sigma = std::max(sigma, kCopyFloor * values.spread(values.median()));
    if (poisson) sigma = std::max(sigma, kPoissonSpread);
    judge_residual(in, i, cd->mu[i], cd->r[i], sigma, s, cal, t);
    if (sigma_out) (*sigma_out)[i] = sigma;
    t.z_feature[i] = std::clamp(cd->r[i] / cd->sigma_all[i] * value_sign(in), -kMaxZ, kMaxZ);
  }
  return t;
}

// A level column that is above 0 may vary in proportion to its level (taxis by day and by
// night, travel times): its deviations are then better measured as log ratios, as money's are
// (asinh(x / c) - asinh(mu / c), c a tenth of the window's mean |x|). Both views are judged,
// each calibrated on its own past. Where the log view predicted the baseline window before i
// better (the larger sum of Laplace log densities of the values themselves, the log view's
// with its Jacobian 1 / sqrt(x^2 + c^2), each |z| clipped at kClip so one incident does not
// decide) and every known value of that window and x itself are above 0, i is judged by both
// (a 0 is not judged on a log scale, where it would be a collapse however ordinary): their p
// combined by the Cauchy rule, equal weights (valid whatever their dependence), with the log
// view's band, and z and direction from the view with the smaller p. A choice made from a
// week of residuals is uncertain: taking the log view alone lost a spike that the own units
// saw (NAB TravelTime_387: p 3e-6 in own units, 2e-4 in log). Elsewhere (a series that is 0
// or below in the window, or where the own units predicted better) the own units judge alone,
// as before. The isolation forest's seasonal feature stays the own units' z.
bool seasonal_any_positive(const Input& in) {
  for (size_t i = 0; i < in.size(); ++i)
    if (in.known(i) && in.value[i] > 0) return true;
  return false;
}

void seasonal_join_log_view(const Input& in, const Params& prm, Track& own,
                            const std::vector<double>& sig_own, const Track& lg,
                            const std::vector<double>& sig_log) {
  const size_t n = in.size();
  // Per interval: the log-density advantage of the log view (0 where either is missing) and
  // whether the value is above 0; prefix sums over them.
  TrailingAbsMean abs_mean(in, prm.baseline);
  std::vector<double> gain(n + 1, 0.0);
  std::vector<size_t> both(n + 1, 0), nonpos(n + 1, 0);
  const double root2 = std::sqrt(2.0);
  for (size_t i = 0; i < n; ++i) {
    double g = 0;
    bool ok = false;
    const double c = money_offset(abs_mean.at(i));
    if (in.known(i) && !std::isnan(own.z[i]) && !std::isnan(lg.z[i]) && sig_own[i] > 0 &&
        sig_log[i] > 0) {
      const double x = in.value[i];
      const double ll_own = -std::log(sig_own[i]) - root2 * std::min(std::fabs(own.z[i]), kClip);
      const double ll_log = -std::log(sig_log[i]) - root2 * std::min(std::fabs(lg.z[i]), kClip) -
                            0.5 * std::log(x * x + c * c);
      g = ll_log - ll_own;
      ok = std::isfinite(g);
      if (!ok) g = 0;
    }
    gain[i + 1] = gain[i] + g;
    both[i + 1] = both[i] + (ok ? 1 : 0);
    nonpos[i + 1] = nonpos[i] + (in.known(i) && !(in.value[i] > 0) ? 1 : 0);
  }
  const size_t b = prm.baseline;
  for (size_t i = 0; i < n; ++i) {
    const size_t lo = i > b ? i - b : 0;
    if (std::isnan(lg.p[i]) || std::isnan(own.p[i]) || nonpos[i + 1] - nonpos[lo] > 0) continue;
    if (both[i] - both[lo] < prm.min_points || !(gain[i] - gain[lo] > 0)) continue;
    own.expected[i] = lg.expected[i];
    own.lower[i] = lg.lower[i];
    own.upper[i] = lg.upper[i];
    if (lg.p[i] < own.p[i]) {
      own.z[i] = lg.z[i];
      own.direction[i] = lg.direction[i];
    }
    const double ps[2] = {own.p[i], lg.p[i]};
    own.p[i] = cauchy_combine(ps, nullptr, 2, 1 - 1e-15);
  }
}

Track run(Context& ctx) {
  const Input& in = ctx.in;
  if (in.kind != Kind::kLevel || !seasonal_any_positive(in)) return seasonal_track(in, ctx.params);
  std::vector<double> sig_own, sig_log;
  Track own = seasonal_track(in, ctx.params, &sig_own);
  Input as_log = in;
  as_log.kind = Kind::kMoney;
  const Track lg = seasonal_track(as_log, ctx.params, &sig_log);
  seasonal_join_log_view(in, ctx.params, own, sig_own, lg, sig_log);
  return own;
}

void check(const Input& in) {
  if (in.step >= time::kWeek / 2) {
    throw Error(
        "anomaly: the seasonal method compares the same hour of the day or day of the "
        "week; " +
        time::interval_adjective(in.step) + " data has neither");
  }
}

std::string requirement(const Params& prm, const std::string& unit) {
  return "each needs the same " + unit + " of the day or week in at least 2 of the last " +
         std::to_string(prm.seasons) + " periods";
}

}  // namespace

extern const Detector kSeasonalDetector = {
    "seasonal",
    "Seasonal baseline",
    "the same hour of the day or of the week over the last 4 periods, so regular peaks are "
    "expected",
    /*default_threshold=*/kDefaultScoreThreshold,
    /*calibrated=*/true,
    /*needs_forecasts=*/false,
    /*ensemble_member=*/true,
    /*band_rank=*/2,
    run,
    check,
    requirement,
    /*ensemble_weight=*/1,
    /*yields_to_count=*/true,
};

}  // namespace fc::anomaly::detail
