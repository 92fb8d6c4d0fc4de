// A Theta-style forecaster: simple exponential smoothing with drift (half the slope of
// the series' line, as the Theta method's theta-0/theta-2 combination gives) on the series
// less its hour-of-day (and day-of-week) indices. Robust on noisy and trending series; the
// smoothing weight is fitted by the one-step squared errors on a grid.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "funnelcast/forecast/smoothing.hpp"
#include "internal.hpp"

namespace fc::forecast {
namespace smoothing {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

size_t phase_of(int64_t hour, int period) {
  const int64_t m = hour % period;
  return static_cast<size_t>(m < 0 ? m + period : m);
}

// Hour-of-day indices and day-of-week offsets, and the line's slope per step.
struct Decomposition {
  std::array<double, kDay> day{};
  std::array<double, 7> dow{};
  double slope = 0;
  double index(int64_t hour) const { return day[phase_of(hour, kDay)] + dow[phase_of(hour, kWeek) / kDay]; }
};

Decomposition decompose(const double* y, size_t span, int64_t first_hour, bool weekly_allowed) {
  Decomposition out;
  const bool weekly = weekly_allowed && span >= 2 * static_cast<size_t>(kWeek);
  const size_t period = weekly ? kWeek : kDay;
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
  for (size_t i = 0, ph = phase_of(first_hour, kDay); i < used; ++i, ph = ph + 1 == kDay ? 0 : ph + 1) {
    if (std::isnan(y[i])) continue;
    sum[ph] += y[i] - line(i);
    ++cnt[ph];
  }
  double centre = 0;
  for (int k = 0; k < kDay; ++k) {
    out.day[k] = cnt[k] ? sum[k] / static_cast<double>(cnt[k]) : 0.0;
    centre += out.day[k];
  }
  for (double& d : out.day) d -= centre / kDay;
  if (weekly) {
    std::array<double, 7> ws{};
    std::array<size_t, 7> wc{};
    for (size_t i = 0, ph = phase_of(first_hour, kWeek); i < used; ++i, ph = ph + 1 == kWeek ? 0 : ph + 1) {
      if (std::isnan(y[i])) continue;
      ws[ph / kDay] += y[i] - line(i) - out.day[ph % kDay];
      ++wc[ph / kDay];
    }
    double c = 0;
    for (int k = 0; k < 7; ++k) {
      out.dow[k] = wc[k] ? ws[k] / static_cast<double>(wc[k]) : 0.0;
      c += out.dow[k];
    }
    for (double& d : out.dow) d -= c / 7;
  }
  return out;
}
}  // namespace

double theta_next(const model::Smoothing& p, const double* y, size_t n, int64_t first_hour, size_t span,
                  double* sse) {
  if (sse) *sse = 0;
  if (n < 2 * static_cast<size_t>(kDay)) return kNaN;
  const Decomposition dec = decompose(y, std::min(span, n), first_hour, p.weekly);
  const double drift = dec.slope / 2;
  // The seasonal index per step: a table over the week, walked with a counter (a modulo
  // per step made this loop the training's hot spot on long series).
  std::array<double, kWeek> index{};
  for (int k = 0; k < kWeek; ++k) index[k] = dec.day[k % kDay] + dec.dow[k / kDay];
  size_t w = phase_of(first_hour, kWeek);
  double level = kNaN, total = 0;
  for (size_t i = 0; i < n; ++i, w = w + 1 == kWeek ? 0 : w + 1) {
    const double z = y[i] - index[w];
    if (std::isnan(level)) {
      level = z;  // NaN until the first known value
      continue;
    }
    const double f = level + drift;
    if (std::isnan(z)) {
      level = f;
    } else {
      const double e = z - f;
      total += e * e;
      level = f + p.alpha * e;
    }
  }
  if (sse) *sse = total;
  return level + drift + index[w];
}

}  // namespace smoothing

namespace internal {
namespace {

constexpr int kWindow = 6 * smoothing::kWeek;

class ThetaPredictor final : public Predictor {
 public:
  explicit ThetaPredictor(model::Smoothing p) : p_(p) {}
  double predict_at(const features::History& h, size_t t, std::vector<float>&) const override {
    if (t > h.size) return std::numeric_limits<double>::quiet_NaN();
    const int64_t first = first_hour_of(h);
    const size_t t0 = smoothing::window_start(first, t, static_cast<size_t>(p_.window));
    return smoothing::theta_next(p_, h.target + t0, t - t0, first + static_cast<int64_t>(t0),
                                 static_cast<size_t>(p_.window));
  }
  double predict_row(const features::History& h, size_t t, const float*) const override {
    std::vector<float> none;
    return predict_at(h, t, none);
  }
  size_t lookback() const override { return static_cast<size_t>(p_.window) + smoothing::kWeek; }
  const model::Smoothing& params() const { return p_; }

 private:
  model::Smoothing p_;
};

class ThetaCandidate final : public Candidate {
 public:
  std::string name() const override { return "theta"; }
  void fit(const TrainingData& d, size_t train_end, const FitControl& control) override {
    const int64_t first = first_hour_of(d.history);
    const size_t t0 = smoothing::window_start(first, train_end, kWindow);
    static const double kAlpha[] = {0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9};
    model::Smoothing best;
    best.window = kWindow;
    double best_sse = std::numeric_limits<double>::infinity();
    for (bool weekly : {false, true})
      for (double alpha : kAlpha) {
        model::Smoothing p;
        p.alpha = alpha;
        p.weekly = weekly;
        p.window = kWindow;
        double sse = 0;
        smoothing::theta_next(p, d.y->data() + t0, train_end - t0, first + static_cast<int64_t>(t0), kWindow, &sse);
        if (sse < best_sse) {
          best_sse = sse;
          best = p;
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
