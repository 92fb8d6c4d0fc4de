// A Theta-style forecaster: simple exponential smoothing with drift (half the slope of
// the series' line, as the Theta method's theta-0/theta-2 combination gives) on the series
// less its hour-of-day (and day-of-week) indices. Robust on noisy and trending series; the
// smoothing weight is fitted by the one-step squared errors on a grid.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "funnelcast/base/math.hpp"
#include "funnelcast/forecast/smoothing.hpp"
#include "internal.hpp"

namespace fc::forecast {
namespace smoothing {

namespace {

size_t phase_of(int64_t hour, int period) {
  const int64_t m = hour % period;
  return static_cast<size_t>(m < 0 ? m + period : m);
}

// Hour-of-day indices and day-of-week offsets (daily data: day-of-week indices), and the
// line's slope per step.
struct Decomposition {
  std::array<double, kDay> day{};
  std::array<double, kYearWeeks> dow{};  // offsets of the shorter seasons in the longer (weekly data: the weeks of a year)
  double slope = 0;
};

Decomposition decompose(const double* y, size_t span, int64_t first_hour, bool weekly_allowed, const Seasons& z) {
  Decomposition out;
  const int pd = z.day;
  const bool weekly = weekly_allowed && z.week > 0 && span >= 2 * static_cast<size_t>(z.week);
  const size_t period = weekly ? static_cast<size_t>(z.week) : static_cast<size_t>(pd);
  const size_t seasons = span / period;
  if (seasons < 2) return out;
  // Least squares through the seasons' means (seasons with no known value left out).
  std::vector<double> xs, ms;
  for (size_t j = 0; j < seasons; ++j) {
    double s = 0;
    size_t c = 0;
    for (size_t i = j * period; i < (j + 1) * period; ++i)
      if (!std::isnan(y[i])) {
        s += y[i];
        ++c;
      }
    if (c == 0) continue;
    xs.push_back(static_cast<double>(j * period) + (static_cast<double>(period) - 1) / 2);
    ms.push_back(s / static_cast<double>(c));
  }
  if (ms.empty()) return out;
  double mx = 0, my = 0;
  for (size_t j = 0; j < ms.size(); ++j) {
    mx += xs[j];
    my += ms[j];
  }
  mx /= static_cast<double>(ms.size());
  my /= static_cast<double>(ms.size());
  double sxy = 0, sxx = 0;
  for (size_t j = 0; j < ms.size(); ++j) {
    sxy += (xs[j] - mx) * (ms[j] - my);
    sxx += (xs[j] - mx) * (xs[j] - mx);
  }
  out.slope = sxx > 0 ? sxy / sxx : 0.0;
  const size_t used = seasons * period;
  auto line = [&](size_t i) { return my + out.slope * (static_cast<double>(i) - mx); };
  // Phases walked with counters: a modulo per value made this the hot spot on long series.
  std::array<double, kDay> sum{};
  std::array<size_t, kDay> cnt{};
  const size_t upd = static_cast<size_t>(pd);
  for (size_t i = 0, ph = phase_of(first_hour, pd); i < used; ++i, ph = ph + 1 == upd ? 0 : ph + 1) {
    if (std::isnan(y[i])) continue;
    sum[ph] += y[i] - line(i);
    ++cnt[ph];
  }
  double centre = 0;
  for (int k = 0; k < pd; ++k) {
    out.day[k] = cnt[k] ? sum[k] / static_cast<double>(cnt[k]) : 0.0;
    centre += out.day[k];
  }
  for (int k = 0; k < pd; ++k) out.day[k] -= centre / pd;
  if (weekly) {
    std::array<double, kYearWeeks> ws{};
    std::array<size_t, kYearWeeks> wc{};
    const int parts = z.week / pd;  // 7 days of hourly data, 52 weeks of weekly data
    const size_t upw = static_cast<size_t>(z.week);
    for (size_t i = 0, ph = phase_of(first_hour, z.week); i < used; ++i, ph = ph + 1 == upw ? 0 : ph + 1) {
      if (std::isnan(y[i])) continue;
      ws[ph / upd] += y[i] - line(i) - out.day[ph % upd];
      ++wc[ph / upd];
    }
    double c = 0;
    for (int k = 0; k < parts; ++k) {
      out.dow[k] = wc[k] ? ws[k] / static_cast<double>(wc[k]) : 0.0;
      c += out.dow[k];
    }
    for (int k = 0; k < parts; ++k) out.dow[k] -= c / parts;
  }
  return out;
}
}  // namespace

void theta_shape(const model::Smoothing& p, size_t n, size_t span, bool& weekly, size_t& seasons,
                 const Seasons& z) {
  const size_t m = std::min(span, n);
  weekly = p.weekly && z.week > 0 && m >= 2 * static_cast<size_t>(z.week);
  seasons = m / static_cast<size_t>(weekly ? z.week : z.day);
}

bool theta_start(const model::Smoothing& p, const double* y, size_t n, int64_t first_hour, size_t span,
                 ThetaState& s, const Seasons& z) {
  s = ThetaState{};
  if (n < 2 * static_cast<size_t>(z.day)) return false;
  theta_shape(p, n, span, s.weekly, s.seasons, z);
  const Decomposition dec = decompose(y, std::min(span, n), first_hour, p.weekly, z);
  s.drift = dec.slope / 2;
  // The seasonal index per step: a table over the week, walked with a counter (a modulo
  // per step made this loop the training's hot spot on long series).
  const int cycle = z.cycle();
  for (int k = 0; k < cycle; ++k) s.index[k] = dec.day[k % z.day] + dec.dow[k / z.day];
  s.cycle = static_cast<size_t>(cycle);
  s.w = phase_of(first_hour, cycle);
  s.level = kNaN;
  for (size_t i = 0; i < n; ++i) theta_step(p, s, y[i]);
  return true;
}

void theta_step(const model::Smoothing& p, ThetaState& s, double y) {
  const double z = y - s.index[s.w];
  s.w = s.w + 1 == s.cycle ? 0 : s.w + 1;
  ++s.n;
  if (std::isnan(s.level)) {
    s.level = z;  // NaN until the first known value
    return;
  }
  const double f = s.level + s.drift;
  if (std::isnan(z)) {
    s.level = f;
  } else {
    const double e = z - f;
    s.total += e * e;
    s.level = f + p.alpha * e;
  }
}

double theta_next(const model::Smoothing& p, const double* y, size_t n, int64_t first_hour, size_t span,
                  double* sse, const Seasons& z) {
  if (sse) *sse = 0;
  ThetaState s;
  if (!theta_start(p, y, n, first_hour, span, s, z)) return kNaN;
  if (sse) *sse = s.total;
  return theta_forecast(s);
}

}  // namespace smoothing

namespace internal {
namespace {

class ThetaPredictor final : public Predictor {
 public:
  explicit ThetaPredictor(model::Smoothing p) : p_(p) {}
  double predict_at(const features::History& h, size_t t, std::vector<float>&) const override {
    if (t > h.size) return std::numeric_limits<double>::quiet_NaN();
    const int64_t first = first_step_of(h);
    const smoothing::Seasons z = seasons_of(h);
    const size_t t0 = smoothing::window_start(first, t, static_cast<size_t>(p_.window), z.cycle());
    return smoothing::theta_next(p_, h.target + t0, t - t0, first + static_cast<int64_t>(t0),
                                 static_cast<size_t>(p_.window), nullptr, z);
  }
  double predict_row(const features::History& h, size_t t, const float*) const override {
    std::vector<float> none;
    return predict_at(h, t, none);
  }
  size_t lookback() const override { return static_cast<size_t>(p_.window) + smoothing::kWeek; }
  std::unique_ptr<StepPredictor> steps() const override;
  const model::Smoothing& params() const { return p_; }

 private:
  model::Smoothing p_;
};

// Keeps the smoother of the current window while its start and its decomposition stay
// put: each step smooths one value instead of decomposing and smoothing the window.
class ThetaSteps final : public StepPredictor {
 public:
  explicit ThetaSteps(const ThetaPredictor& p) : p_(p) {}
  double at(const features::History& h, size_t t) override {
    if (t > h.size) return std::numeric_limits<double>::quiet_NaN();
    const int64_t first = first_step_of(h);
    const smoothing::Seasons z = seasons_of(h);
    const model::Smoothing& sp = p_.params();
    const size_t span = static_cast<size_t>(sp.window);
    const size_t t0 = smoothing::window_start(first, t, span, z.cycle());
    const size_t n = t - t0;
    bool weekly = false;
    size_t seasons = 0;
    smoothing::theta_shape(sp, n, span, weekly, seasons, z);
    if (valid_ && t == t_ + 1 && t0 == t0_ && first == first_ && weekly == state_.weekly &&
        seasons == state_.seasons) {
      smoothing::theta_step(sp, state_, h.target[t - 1]);
    } else {
      valid_ = smoothing::theta_start(sp, h.target + t0, n, first + static_cast<int64_t>(t0), span, state_, z);
    }
    t_ = t;
    t0_ = t0;
    first_ = first;
    return valid_ ? smoothing::theta_forecast(state_) : std::numeric_limits<double>::quiet_NaN();
  }

 private:
  const ThetaPredictor& p_;
  smoothing::ThetaState state_;
  bool valid_ = false;
  size_t t_ = 0, t0_ = 0;
  int64_t first_ = 0;
};

std::unique_ptr<StepPredictor> ThetaPredictor::steps() const { return std::make_unique<ThetaSteps>(*this); }

class ThetaCandidate final : public Candidate {
 public:
  std::string name() const override { return "theta"; }
  void fit(const TrainingData& d, size_t train_end, const FitControl& control) override {
    const int64_t first = first_step_of(d.history);
    const smoothing::Seasons z = seasons_of(d.history);
    const int window = smoothing_window(d.history);
    const size_t t0 = smoothing::window_start(first, train_end, static_cast<size_t>(window), z.cycle());
    static const double kAlpha[] = {0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9};
    model::Smoothing best;
    best.window = window;
    double best_sse = std::numeric_limits<double>::infinity();
    for (bool weekly : {false, true}) {
      if (weekly && z.week == 0) continue;  // daily data: the week is the only season
      if (weekly && z.day == 1 && weekly_season_of(d) != z.week) continue;  // weekly data: a year only with 2 years
      for (double alpha : kAlpha) {
        model::Smoothing p;
        p.alpha = alpha;
        p.weekly = weekly;
        p.window = window;
        double sse = 0;
        smoothing::theta_next(p, d.y->data() + t0, train_end - t0, first + static_cast<int64_t>(t0),
                              static_cast<size_t>(window), &sse, z);
        if (sse < best_sse) {
          best_sse = sse;
          best = p;
        }
      }
    }
    model_ = ThetaPredictor(best);
    model_.clip_negative = d.counts;
    if (control.progress) control.progress(1.0);
  }
  const Predictor& predictor() const override { return model_; }
  void save(model::ForecastSection& s, gbdt::Ensemble&) const override {
    s.predictor = "theta";
    s.smoothing = model_.params();
  }

 private:
  ThetaPredictor model_{model::Smoothing{}};
};

}  // namespace

CandidateInfo theta_candidate() {
  return {"theta", "theta", [](bool, const std::string& pinned) { return pinned.empty(); },
          [](const TrainingData&) { return std::make_unique<ThetaCandidate>(); }};
}

PredictorInfo theta_predictor() {
  return {"theta", [](const model::ForecastSection& s, const gbdt::Ensemble&) {
            return std::make_unique<ThetaPredictor>(*s.smoothing);
          }};
}

}  // namespace internal
}  // namespace fc::forecast
