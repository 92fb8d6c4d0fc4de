// Additive Holt-Winters with a daily and (when the history allows) a weekly season: the
// statistical candidate for regular series, trends and level shifts the trees never saw.
// Parameters are fitted by the one-step squared errors on a small grid, over the same
// window the forecaster reads when it predicts.
#include <algorithm>
#include <array>
#include <iterator>
#include <cmath>
#include <limits>

#include "funnelcast/base/math.hpp"
#include "funnelcast/forecast/smoothing.hpp"
#include "internal.hpp"

namespace fc::forecast {
namespace smoothing {

namespace {

size_t phase(int64_t hour, int period) {
  const int64_t m = hour % period;
  return static_cast<size_t>(m < 0 ? m + period : m);
}

double mean_known(const double* y, size_t b, size_t e) {
  double s = 0;
  size_t c = 0;
  for (size_t i = b; i < e; ++i)
    if (!std::isnan(y[i])) {
      s += y[i];
      ++c;
    }
  return c ? s / static_cast<double>(c) : kNaN;
}
}  // namespace

size_t window_start(int64_t first_hour, size_t t, size_t window, int cycle) {
  const int64_t at = first_hour + static_cast<int64_t>(t) - static_cast<int64_t>(window);
  int64_t week = at / cycle;
  if (at % cycle < 0) --week;  // floor
  const int64_t start = week * cycle - first_hour;
  if (start <= 0) return 0;
  return std::min(static_cast<size_t>(start), t);
}

bool holt_winters_start(const model::Smoothing& p, const double* y, size_t n, int64_t first_hour,
                        HoltWintersState& s, const Seasons& z) {
  s = HoltWintersState{};
  const int pd = z.day;
  if (n < 2 * static_cast<size_t>(pd)) return false;
  const bool weekly = p.weekly && z.week > 0 && n >= 2 * static_cast<size_t>(z.week);
  const size_t period = weekly ? static_cast<size_t>(z.week) : static_cast<size_t>(pd);
  double m1 = mean_known(y, 0, period), m2 = mean_known(y, period, 2 * period);
  if (std::isnan(m1) || std::isnan(m2)) {
    const double all = mean_known(y, 0, n);
    if (std::isnan(all)) return false;
    m1 = std::isnan(m1) ? (std::isnan(m2) ? all : m2) : m1;
    m2 = std::isnan(m2) ? m1 : m2;
    s.fallback = true;
  }
  double b = p.trend ? (m2 - m1) / static_cast<double>(period) : 0.0;
  // The level before y[0]: the line l + b (i + 1) has the first season's mean over it.
  double l = m1 - b * (static_cast<double>(period) + 1) / 2;
  double* day = s.day;
  double* week = s.week;
  {
    std::array<double, kDay> sum{};
    std::array<size_t, kDay> cnt{};
    for (size_t i = 0; i < 2 * period; ++i) {
      if (std::isnan(y[i])) continue;
      const size_t ph = phase(first_hour + static_cast<int64_t>(i), pd);
      sum[ph] += y[i] - (l + b * static_cast<double>(i + 1));
      ++cnt[ph];
    }
    double centre = 0;
    for (int k = 0; k < pd; ++k) {
      day[k] = cnt[k] ? sum[k] / static_cast<double>(cnt[k]) : 0.0;
      centre += day[k];
    }
    for (int k = 0; k < pd; ++k) day[k] -= centre / pd;
  }
  if (weekly) {
    std::array<double, kWeek> sum{};
    std::array<size_t, kWeek> cnt{};
    for (size_t i = 0; i < 2 * period; ++i) {
      if (std::isnan(y[i])) continue;
      const int64_t hour = first_hour + static_cast<int64_t>(i);
      const size_t ph = phase(hour, z.week);
      sum[ph] += y[i] - (l + b * static_cast<double>(i + 1)) - day[phase(hour, pd)];
      ++cnt[ph];
    }
    double centre = 0;
    for (int k = 0; k < z.week; ++k) {
      week[k] = cnt[k] ? sum[k] / static_cast<double>(cnt[k]) : 0.0;
      centre += week[k];
    }
    for (int k = 0; k < z.week; ++k) week[k] -= centre / z.week;
  }
  s.l = l;
  s.b = b;
  s.beta = p.trend ? p.beta : 0.0;
  s.gamma_week = weekly ? p.gamma_week : 0.0;
  s.weekly = weekly;
  s.day_period = static_cast<size_t>(pd);
  s.week_period = z.week > 0 ? static_cast<size_t>(z.week) : 1;
  s.d = phase(first_hour, pd);
  s.w = phase(first_hour, static_cast<int>(s.week_period));
  for (size_t i = 0; i < n; ++i) holt_winters_step(p, s, y[i]);
  return true;
}

void holt_winters_step(const model::Smoothing& p, HoltWintersState& s, double y) {
  const double f = s.l + s.b + s.day[s.d] + s.week[s.w];
  if (std::isnan(y)) {
    s.l += s.b;
  } else {
    const double e = y - f;
    s.total += e * e;
    s.l += s.b + p.alpha * e;
    s.b += s.beta * e;
    s.day[s.d] += p.gamma_day * e;
    s.week[s.w] += s.gamma_week * e;
  }
  s.d = s.d + 1 == s.day_period ? 0 : s.d + 1;
  s.w = s.w + 1 == s.week_period ? 0 : s.w + 1;
  ++s.n;
}

double holt_winters_next(const model::Smoothing& p, const double* y, size_t n, int64_t first_hour, double* sse,
                         const Seasons& z) {
  if (sse) *sse = 0;
  HoltWintersState s;
  if (!holt_winters_start(p, y, n, first_hour, s, z)) return kNaN;
  if (sse) *sse = s.total;
  return holt_winters_forecast(s);
}

}  // namespace smoothing

namespace internal {
namespace {

class HoltWintersPredictor final : public Predictor {
 public:
  explicit HoltWintersPredictor(model::Smoothing p) : p_(p) {}
  double predict_at(const features::History& h, size_t t, std::vector<float>&) const override {
    const int64_t first = first_step_of(h);
    const smoothing::Seasons z = seasons_of(h);
    if (t > h.size) return std::numeric_limits<double>::quiet_NaN();
    const size_t t0 = smoothing::window_start(first, t, static_cast<size_t>(p_.window), z.cycle());
    return smoothing::holt_winters_next(p_, h.target + t0, t - t0, first + static_cast<int64_t>(t0), nullptr, z);
  }
  double predict_row(const features::History& h, size_t t, const float*) const override {
    std::vector<float> none;
    return predict_at(h, t, none);
  }
  // A week more than the window (the move to a week's start); a week of hourly data read
  // back from a daily series is more than enough.
  size_t lookback() const override { return static_cast<size_t>(p_.window) + smoothing::kWeek; }
  std::unique_ptr<StepPredictor> steps() const override;
  const model::Smoothing& params() const { return p_; }

 private:
  model::Smoothing p_;
};

// Keeps the filter of the current window: the window's start moves only once a week, so
// each step in between filters one value instead of the whole window.
class HoltWintersSteps final : public StepPredictor {
 public:
  explicit HoltWintersSteps(const HoltWintersPredictor& p) : p_(p) {}
  double at(const features::History& h, size_t t) override {
    if (t > h.size) return std::numeric_limits<double>::quiet_NaN();
    const int64_t first = first_step_of(h);
    const smoothing::Seasons z = seasons_of(h);
    const model::Smoothing& sp = p_.params();
    const size_t t0 = smoothing::window_start(first, t, static_cast<size_t>(sp.window), z.cycle());
    const size_t n = t - t0;
    const bool weekly = sp.weekly && z.week > 0 && n >= 2 * static_cast<size_t>(z.week);
    if (valid_ && t == t_ + 1 && t0 == t0_ && first == first_ && weekly == state_.weekly && !state_.fallback) {
      smoothing::holt_winters_step(sp, state_, h.target[t - 1]);
    } else {
      valid_ = smoothing::holt_winters_start(sp, h.target + t0, n, first + static_cast<int64_t>(t0), state_, z);
    }
    t_ = t;
    t0_ = t0;
    first_ = first;
    return valid_ ? smoothing::holt_winters_forecast(state_) : std::numeric_limits<double>::quiet_NaN();
  }

 private:
  const HoltWintersPredictor& p_;
  smoothing::HoltWintersState state_;
  bool valid_ = false;
  size_t t_ = 0, t0_ = 0;
  int64_t first_ = 0;
};

std::unique_ptr<StepPredictor> HoltWintersPredictor::steps() const { return std::make_unique<HoltWintersSteps>(*this); }

class HoltWintersCandidate final : public Candidate {
 public:
  std::string name() const override { return "holt_winters"; }
  void fit(const TrainingData& d, size_t train_end, const FitControl& control) override {
    const int64_t first = first_step_of(d.history);
    const smoothing::Seasons z = seasons_of(d.history);
    const int window = smoothing_window(d.history);
    const size_t t0 = smoothing::window_start(first, train_end, static_cast<size_t>(window), z.cycle());
    const double* y = d.y->data() + t0;
    const size_t n = train_end - t0;
    // Weekly data: the yearly season only when training chose it (two years or more of
    // history) and this window holds two years; hourly data: three weeks.
    const bool yearly = z.day == 1;
    const bool weekly_possible = yearly ? weekly_season_of(d) == z.week && n >= 2 * static_cast<size_t>(z.week)
                                        : z.week > 0 && n >= 3 * static_cast<size_t>(z.week);
    static const double kAlpha[] = {0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.7, 0.85, 1.0};
    // -1: no trend. A day of a daily series moves its trend as much as many hours.
    static const double kBetaHourly[] = {-1, 0.0, 0.001, 0.01};
    static const double kBetaDaily[] = {-1, 0.0, 0.01, 0.05, 0.1};
    const bool coarse = z.day != smoothing::kDay;  // daily or weekly data
    const double* betas = coarse ? kBetaDaily : kBetaHourly;
    const size_t nbetas = coarse ? std::size(kBetaDaily) : std::size(kBetaHourly);
    static const double kGammaDay[] = {0.0, 0.05, 0.1, 0.2, 0.4};
    static const double kGammaWeek[] = {-1, 0.0, 0.05, 0.1, 0.2};  // -1: no weekly season
    model::Smoothing best;
    best.window = window;
    double best_sse = std::numeric_limits<double>::infinity();
    for (double gw : kGammaWeek) {
      if (gw >= 0 && !weekly_possible) continue;
      for (size_t bi = 0; bi < nbetas; ++bi)
        for (double alpha : kAlpha) {
          const double beta = betas[bi];
          if (beta > alpha) continue;
          for (double gd : kGammaDay) {
            if (gd > 1 - alpha || (yearly && gd > 0)) continue;  // weekly: no shorter season
            model::Smoothing p;
            p.alpha = alpha;
            p.trend = beta >= 0;
            p.beta = std::max(beta, 0.0);
            p.gamma_day = gd;
            p.weekly = gw >= 0;
            p.gamma_week = std::max(gw, 0.0);
            p.window = window;
            double sse = 0;
            smoothing::holt_winters_next(p, y, n, first + static_cast<int64_t>(t0), &sse, z);
            if (sse < best_sse) {
              best_sse = sse;
              best = p;
            }
          }
        }
    }
    model_ = HoltWintersPredictor(best);
    model_.clip_negative = d.counts;
    if (control.progress) control.progress(1.0);
  }
  const Predictor& predictor() const override { return model_; }
  void save(model::ForecastSection& s, gbdt::Ensemble&) const override {
    s.predictor = "holt_winters";
    s.smoothing = model_.params();
  }

 private:
  HoltWintersPredictor model_{model::Smoothing{}};
};

}  // namespace

CandidateInfo holt_winters_candidate() {
  return {"holt_winters", "holt_winters", [](bool, const std::string& pinned) { return pinned.empty(); },
          [](const TrainingData&) { return std::make_unique<HoltWintersCandidate>(); }};
}

PredictorInfo holt_winters_predictor() {
  return {"holt_winters", [](const model::ForecastSection& s, const gbdt::Ensemble&) {
            return std::make_unique<HoltWintersPredictor>(*s.smoothing);
          }};
}

}  // namespace internal
}  // namespace fc::forecast
