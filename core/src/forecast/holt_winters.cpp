// Additive Holt-Winters with a daily and (when the history allows) a weekly season: the
// statistical candidate for regular series, trends and level shifts the trees never saw.
// Parameters are fitted by the one-step squared errors on a small grid, over the same
// window the forecaster reads when it predicts.
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

size_t window_start(int64_t first_hour, size_t t, size_t window) {
  const int64_t at = first_hour + static_cast<int64_t>(t) - static_cast<int64_t>(window);
  int64_t week = at / kWeek;
  if (at % kWeek < 0) --week;  // floor
  const int64_t start = week * kWeek - first_hour;
  if (start <= 0) return 0;
  return std::min(static_cast<size_t>(start), t);
}

double holt_winters_next(const model::Smoothing& p, const double* y, size_t n, int64_t first_hour, double* sse) {
  if (sse) *sse = 0;
  if (n < 2 * static_cast<size_t>(kDay)) return kNaN;
  const bool weekly = p.weekly && n >= 2 * static_cast<size_t>(kWeek);
  const size_t period = weekly ? kWeek : kDay;
  double m1 = mean_known(y, 0, period), m2 = mean_known(y, period, 2 * period);
  if (std::isnan(m1) || std::isnan(m2)) {
    const double all = mean_known(y, 0, n);
    if (std::isnan(all)) return kNaN;
    m1 = std::isnan(m1) ? (std::isnan(m2) ? all : m2) : m1;
    m2 = std::isnan(m2) ? m1 : m2;
  }
  double b = p.trend ? (m2 - m1) / static_cast<double>(period) : 0.0;
  // The level before y[0]: the line l + b (i + 1) has the first season's mean over it.
  double l = m1 - b * (static_cast<double>(period) + 1) / 2;
  std::array<double, kDay> day{};
  std::array<double, kWeek> week{};
  {
    std::array<double, kDay> sum{};
    std::array<size_t, kDay> cnt{};
    for (size_t i = 0; i < 2 * period; ++i) {
      if (std::isnan(y[i])) continue;
      const size_t ph = phase(first_hour + static_cast<int64_t>(i), kDay);
      sum[ph] += y[i] - (l + b * static_cast<double>(i + 1));
      ++cnt[ph];
    }
    double centre = 0;
    for (int k = 0; k < kDay; ++k) {
      day[k] = cnt[k] ? sum[k] / static_cast<double>(cnt[k]) : 0.0;
      centre += day[k];
    }
    for (double& d : day) d -= centre / kDay;
  }
  if (weekly) {
    std::array<double, kWeek> sum{};
    std::array<size_t, kWeek> cnt{};
    for (size_t i = 0; i < 2 * period; ++i) {
      if (std::isnan(y[i])) continue;
      const int64_t hour = first_hour + static_cast<int64_t>(i);
      const size_t ph = phase(hour, kWeek);
      sum[ph] += y[i] - (l + b * static_cast<double>(i + 1)) - day[phase(hour, kDay)];
      ++cnt[ph];
    }
    double centre = 0;
    for (int k = 0; k < kWeek; ++k) {
      week[k] = cnt[k] ? sum[k] / static_cast<double>(cnt[k]) : 0.0;
      centre += week[k];
    }
    for (double& w : week) w -= centre / kWeek;
  }
  const double beta = p.trend ? p.beta : 0.0;
  const double gamma_week = weekly ? p.gamma_week : 0.0;
  double total = 0;
  size_t d = phase(first_hour, kDay), w = phase(first_hour, kWeek);
  for (size_t i = 0; i < n; ++i) {
    const double f = l + b + day[d] + week[w];
    if (std::isnan(y[i])) {
      l += b;
    } else {
      const double e = y[i] - f;
      total += e * e;
      l += b + p.alpha * e;
      b += beta * e;
      day[d] += p.gamma_day * e;
      week[w] += gamma_week * e;
    }
    d = d + 1 == kDay ? 0 : d + 1;
    w = w + 1 == kWeek ? 0 : w + 1;
  }
  if (sse) *sse = total;
  return l + b + day[d] + week[w];
}

}  // namespace smoothing

namespace internal {
namespace {

constexpr int kWindow = 6 * smoothing::kWeek;

class HoltWintersPredictor final : public Predictor {
 public:
  explicit HoltWintersPredictor(model::Smoothing p) : p_(p) {}
  double predict_at(const features::History& h, size_t t, std::vector<float>&) const override {
    const int64_t first = first_hour_of(h);
    if (t > h.size) return std::numeric_limits<double>::quiet_NaN();
    const size_t t0 = smoothing::window_start(first, t, static_cast<size_t>(p_.window));
    return smoothing::holt_winters_next(p_, h.target + t0, t - t0, first + static_cast<int64_t>(t0));
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

class HoltWintersCandidate final : public Candidate {
 public:
  std::string name() const override { return "holt_winters"; }
  void fit(const TrainingData& d, size_t train_end, const FitControl& control) override {
    const int64_t first = first_hour_of(d.history);
    const size_t t0 = smoothing::window_start(first, train_end, kWindow);
    const double* y = d.y->data() + t0;
    const size_t n = train_end - t0;
    const bool weekly_possible = n >= 3 * static_cast<size_t>(smoothing::kWeek);
    static const double kAlpha[] = {0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.7};
    static const double kBeta[] = {-1, 0.0, 0.001, 0.01};  // -1: no trend
    static const double kGammaDay[] = {0.0, 0.05, 0.1, 0.2, 0.4};
    static const double kGammaWeek[] = {-1, 0.0, 0.05, 0.1, 0.2};  // -1: no weekly season
    model::Smoothing best;
    best.window = kWindow;
    double best_sse = std::numeric_limits<double>::infinity();
    for (double gw : kGammaWeek) {
      if (gw >= 0 && !weekly_possible) continue;
      for (double beta : kBeta)
        for (double alpha : kAlpha) {
          if (beta > alpha) continue;
          for (double gd : kGammaDay) {
            if (gd > 1 - alpha) continue;
            model::Smoothing p;
            p.alpha = alpha;
            p.trend = beta >= 0;
            p.beta = std::max(beta, 0.0);
            p.gamma_day = gd;
            p.weekly = gw >= 0;
            p.gamma_week = std::max(gw, 0.0);
            p.window = kWindow;
            double sse = 0;
            smoothing::holt_winters_next(p, y, n, first + static_cast<int64_t>(t0), &sse);
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
