// The statistical forecasters (Holt-Winters, Theta, seasonal naive at the day) against
// values worked out by hand on tiny series, exponential smoothing on a pure trend plus a
// daily cycle, and selection by the rolling-origin backtests: never worse there than
// seasonal naive.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "funnelcast/base/error.hpp"
#include "funnelcast/forecast/candidate.hpp"
#include "funnelcast/forecast/cv.hpp"
#include "funnelcast/forecast/predict.hpp"
#include "funnelcast/forecast/smoothing.hpp"
#include "funnelcast/forecast/train.hpp"
#include "funnelcast/model/model.hpp"

#include "test_support.hpp"

namespace fc::forecast {
namespace {

using fc::testing::k2024;

// +2 in the first half of each day, -2 in the second (hour of the day from first_hour 0).
double half_days(size_t i) { return (i % 24) < 12 ? 2.0 : -2.0; }

model::Smoothing params(double alpha, double beta, double gamma_day, bool trend) {
  model::Smoothing p;
  p.alpha = alpha;
  p.beta = beta;
  p.gamma_day = gamma_day;
  p.trend = trend;
  p.window = 1008;
  return p;
}

TEST(HoltWinters, LevelAndDailySeasonByHand) {
  // Two exact days of 10 +/- 2 give l = 10, b = 0, indices +/-2 and no error; then a
  // surprise at hour 0 (15 against 12) and at hour 1 (12). With alpha 0.5 and gamma 0.2:
  //   hour 0: e = 3,    l = 10 + 0.5 * 3 = 11.5,     d0 = 2 + 0.2 * 3 = 2.6
  //   hour 1: f = 13.5, e = -1.5, l = 11.5 - 0.75 = 10.75, d1 = 2 - 0.3 = 1.7
  //   next (hour 2): l + d2 = 10.75 + 2 = 12.75; squared errors 9 + 2.25.
  std::vector<double> y;
  for (size_t i = 0; i < 48; ++i) y.push_back(10 + half_days(i));
  y.push_back(15);
  y.push_back(12);
  double sse = -1;
  const double f = smoothing::holt_winters_next(params(0.5, 0, 0.2, false), y.data(), y.size(), 0, &sse);
  EXPECT_NEAR(f, 12.75, 1e-12);
  EXPECT_NEAR(sse, 11.25, 1e-12);
  // The hour-0 index moved: 24 hours after the surprise it is 2.6 above the level.
  y.resize(50 + 22, std::nan(""));  // missing hours are filtered as their forecasts
  EXPECT_NEAR(smoothing::holt_winters_next(params(0.5, 0, 0.2, false), y.data(), y.size(), 0), 10.75 + 2.6, 1e-12);
}

TEST(HoltWinters, TrendByHand) {
  // y = 5 + 0.5 i +/- 2: the days' means 10.75 and 22.75 give b = 12 / 24 = 0.5 and the
  // level before y[0] 10.75 - 0.5 * 25 / 2 = 4.5, so the line is exact and after 48 hours
  // l = 28.5; the forecast of hour 48 is 28.5 + 0.5 + 2 = 31 (= 5 + 24 + 2).
  std::vector<double> y;
  for (size_t i = 0; i < 48; ++i) y.push_back(5 + 0.5 * static_cast<double>(i) + half_days(i));
  double sse = -1;
  EXPECT_NEAR(smoothing::holt_winters_next(params(0.5, 0.1, 0.2, true), y.data(), y.size(), 0, &sse), 31, 1e-12);
  EXPECT_NEAR(sse, 0, 1e-20);
  // 33 at hour 48 (e = 2): l = 28.5 + 0.5 + 1 = 30, b = 0.5 + 0.1 * 2 = 0.7, d0 = 2.4;
  // hour 49: 30 + 0.7 + 2 = 32.7.
  y.push_back(33);
  EXPECT_NEAR(smoothing::holt_winters_next(params(0.5, 0.1, 0.2, true), y.data(), y.size(), 0, &sse), 32.7, 1e-12);
  EXPECT_NEAR(sse, 4, 1e-12);
  // Fewer than two days: no forecast.
  EXPECT_TRUE(std::isnan(smoothing::holt_winters_next(params(0.5, 0, 0, false), y.data(), 47, 0)));
}

TEST(HoltWinters, StateExtendedStepByStepByHand) {
  // The example above, filtered to hour 48 and then extended by one value: the same
  // forecast (12.75) and squared errors (9 + 2.25).
  std::vector<double> y;
  for (size_t i = 0; i < 48; ++i) y.push_back(10 + half_days(i));
  y.push_back(15);
  smoothing::HoltWintersState s;
  ASSERT_TRUE(smoothing::holt_winters_start(params(0.5, 0, 0.2, false), y.data(), y.size(), 0, s));
  EXPECT_NEAR(smoothing::holt_winters_forecast(s), 13.5, 1e-12);  // hour 1: l 11.5 + index 2
  smoothing::holt_winters_step(params(0.5, 0, 0.2, false), s, 12);
  EXPECT_NEAR(smoothing::holt_winters_forecast(s), 12.75, 1e-12);
  EXPECT_NEAR(s.total, 11.25, 1e-12);
  EXPECT_EQ(s.n, 50u);
  EXPECT_FALSE(smoothing::holt_winters_start(params(0.5, 0, 0.2, false), y.data(), 47, 0, s));  // < 2 days
}

// A series with daily and weekly cycles, a trend, noise and missing hours.
std::vector<double> stepper_series(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0, 3);
  std::vector<double> y(n);
  for (size_t i = 0; i < n; ++i) {
    y[i] = 50 + 0.02 * static_cast<double>(i) + 10 * half_days(i) + ((i / 24) % 7 >= 5 ? -8 : 2) + noise(rng);
    if (i % 97 == 13 || (i > 600 && i < 610)) y[i] = std::nan("");
  }
  return y;
}

// Walks a predictor's stepper over every step of h from `from` on, expecting exactly
// predict_at's numbers; returns the stepper, left at the end.
std::unique_ptr<StepPredictor> walk_steps(const Predictor& p, const features::History& h, size_t from, const char* type) {
  std::vector<float> scratch;
  auto steps = p.steps();
  EXPECT_NE(steps, nullptr) << type;
  if (!steps) return steps;
  for (size_t t = from; t <= h.size; ++t) {
    const double a = steps->at(h, t), b = p.predict_at(h, t, scratch);
    if (std::isnan(b)) {
      EXPECT_TRUE(std::isnan(a)) << type << " t=" << t;
    } else {
      EXPECT_EQ(a, b) << type << " t=" << t;
      if (a != b) break;
    }
  }
  return steps;
}

TEST(Smoothing, StepPredictorsEqualTheWholeWindowFilterBitForBit) {
  // The steppers must give exactly predict_at's numbers, observed (one step ahead over
  // weeks, window starts moving, the weekly season switching on) and recursively.
  for (const char* type : {"holt_winters", "theta"})
    for (bool weekly : {false, true}) {
      model::ForecastSection s;
      s.features.lags = {1};
      s.predictor = type;
      model::Smoothing sp = params(0.3, 0.01, 0.1, true);
      sp.weekly = weekly;
      sp.gamma_week = 0.05;
      s.smoothing = sp;
      s.clip_negative = false;
      const auto p = load_predictor(s, gbdt::Ensemble{});
      const std::vector<double> y = stepper_series(1800, weekly ? 3 : 4);
      features::History h;
      h.start = k2024 + 5 * 3600;  // not at a week's start
      h.target = y.data();
      h.size = y.size();
      std::vector<float> scratch;
      const auto steps = walk_steps(*p, h, 20, type);
      // A jump backwards starts over.
      EXPECT_EQ(steps->at(h, 900), p->predict_at(h, 900, scratch));
      // Recursive: each step's prediction becomes history, as recursive() does.
      for (size_t from : {size_t{300}, size_t{1000}, size_t{1790}}) {
        const std::vector<double> fast = recursive(*p, h, from, 200);
        std::vector<double> buf(y.begin(), y.begin() + static_cast<ptrdiff_t>(from));
        features::History local = h;
        for (size_t k = 0; k < 200; ++k) {
          local.target = buf.data();
          local.size = buf.size();
          const double v = p->predict_at(local, buf.size(), scratch);
          ASSERT_EQ(fast[k], v) << type << " from " << from << " step " << k;
          buf.push_back(v);
        }
      }
    }
}

TEST(Theta, SesWithHalfTheSlopeOnTheDeseasonalisedSeriesByHand) {
  // y = 5 + 0.5 i +/- 2 over two days: the line through the days' means is 5 + 0.5 i, the
  // indices +/-2, z = 5 + 0.5 i and the drift 0.25. With alpha 0.5 the gap d = z - l
  // follows d_i = 0.5 (d_{i-1} + 0.25) from d_0 = 0, so d_47 = 0.25 (1 - 2^-47); the
  // forecast of hour 48 is z_47 - d_47 + 0.25 + 2 = 30.5 (the true value is 31: Theta
  // extrapolates half the slope). The one-step errors are e_i = d_{i-1} + 0.25 =
  // 0.5 - 0.25 * 0.5^(i-1), whose squares sum to 11.75 - 0.5 (1 - 2^-47) + (1 - 4^-47) / 12.
  std::vector<double> y;
  for (size_t i = 0; i < 48; ++i) y.push_back(5 + 0.5 * static_cast<double>(i) + half_days(i));
  model::Smoothing p = params(0.5, 0, 0, false);
  double sse = -1;
  const double f = smoothing::theta_next(p, y.data(), y.size(), 0, 1008, &sse);
  EXPECT_NEAR(f, 28.5 - 0.25 * (1 - std::pow(2.0, -47)) + 0.25 + 2, 1e-12);
  EXPECT_NEAR(sse, 11.75 - 0.5 * (1 - std::pow(2.0, -47)) + (1 - std::pow(4.0, -47)) / 12, 1e-12);
  // Fed back (the decomposition read from the first 48 hours only), the forecast moves on
  // by the drift: hour 49 is 0.25 above hour 48 in the deseasonalised series, index +2.
  y.push_back(f);
  EXPECT_NEAR(smoothing::theta_next(p, y.data(), y.size(), 0, 48, nullptr), f - 2 + 0.25 + 2, 1e-12);
}

TEST(Smoothing, WindowStartsAtAWeekBoundaryAWindowBack) {
  EXPECT_EQ(smoothing::window_start(0, 2000, 1008), 840u);   // hour 992 -> week 5 starts at 840
  EXPECT_EQ(smoothing::window_start(0, 1000, 1008), 0u);     // before the history: its start
  EXPECT_EQ(smoothing::window_start(100, 2000, 1008), 908u);  // hour 1092 -> 1008, step 908
  // A week of steps shares the window's start.
  EXPECT_EQ(smoothing::window_start(0, 1848, 1008), 840u);
  EXPECT_EQ(smoothing::window_start(0, 2015, 1008), 840u);
  EXPECT_EQ(smoothing::window_start(0, 2016, 1008), 1008u);
}

const CandidateInfo& candidate(const std::string& name) {
  for (const auto& c : candidates())
    if (name == c.name) return c;
  throw Error("no candidate " + name);
}

TrainingData data_of(const std::vector<double>& y, features::Matrix& x) {
  TrainingData d;
  d.spec = features::FeatureSpec::defaults();
  d.history.start = k2024;
  d.history.target = y.data();
  d.history.size = y.size();
  d.y = &y;
  x.cols = d.spec.width();
  d.x = &x;
  d.first_row = y.size();  // the statistical candidates read no feature rows
  d.counts = true;
  return d;
}

TEST(HoltWinters, PureTrendPlusDailyCycleIsForecastWithinOnePercent) {
  // 200 + 0.3 t + 30 sin(2 pi t / 24), 30 days: 48 hours ahead within 1% of the truth.
  auto truth = [](size_t t) { return 200 + 0.3 * static_cast<double>(t) + 30 * std::sin(2 * M_PI * static_cast<double>(t % 24) / 24); };
  std::vector<double> y;
  for (size_t t = 0; t < 24 * 30; ++t) y.push_back(truth(t));
  features::Matrix x;
  const TrainingData d = data_of(y, x);
  for (const char* name : {"holt_winters"}) {
    auto c = candidate(name).make(d);
    c->fit(d, y.size(), {});
    const std::vector<double> p = recursive(c->predictor(), d.history, y.size(), 48);
    ASSERT_EQ(p.size(), 48u);
    for (size_t k = 0; k < p.size(); ++k)
      EXPECT_NEAR(p[k], truth(y.size() + k), 0.01 * truth(y.size() + k)) << name << " step " << k;
  }
}

// Daily data: a week (7 steps) is the smoothers' only season, phases counted in days since
// the epoch. kDailyShape sums to 0.
constexpr double kDailyShape[7] = {3, -1, 2, 0, -2, 1, -3};

TEST(DailyHoltWinters, WeeklySeasonByHand) {
  // Two exact weeks of 20 + shape (series starting on epoch day 3, so day i has phase
  // (3 + i) % 7 and shape[i % 7]): l = 20, b = 0, indices = shape, no error. Then day 14
  // is 7 above its 20 + shape[0]; with alpha 0.5 and gamma 0.2: e = 7, l = 23.5,
  // index of its phase 3 + 1.4; day 15 (phase 4, shape[1]) is forecast 23.5 - 1 = 22.5.
  std::vector<double> y;
  for (size_t i = 0; i < 14; ++i) y.push_back(20 + kDailyShape[i % 7]);
  y.push_back(20 + kDailyShape[0] + 7);
  double sse = -1;
  const double f = smoothing::holt_winters_next(params(0.5, 0, 0.2, false), y.data(), y.size(), 3, &sse,
                                                smoothing::kDailySeasons);
  EXPECT_NEAR(f, 22.5, 1e-12);
  EXPECT_NEAR(sse, 49, 1e-12);
  // Fewer than two weeks: no forecast.
  EXPECT_TRUE(std::isnan(smoothing::holt_winters_next(params(0.5, 0, 0.2, false), y.data(), 13, 3, nullptr,
                                                       smoothing::kDailySeasons)));
}

TEST(DailyTheta, WeeklyIndicesAndHalfTheSlopeByHand) {
  // 50 + i + shape[i % 7] over two weeks: week means 53 and 60 at days 3 and 10, slope 1,
  // line 50 + i, indices = shape, drift 0.5; the deseasonalised series is 50 + i. With
  // alpha 1 the level is each value: 13 errors of 0.5 (sse 3.25), and day 14 is forecast
  // 63 + 0.5 + shape[0] = 66.5.
  std::vector<double> y;
  for (size_t i = 0; i < 14; ++i) y.push_back(50 + static_cast<double>(i) + kDailyShape[i % 7]);
  model::Smoothing p;
  p.alpha = 1;
  p.window = 182;
  double sse = -1;
  EXPECT_NEAR(smoothing::theta_next(p, y.data(), y.size(), 0, 182, &sse, smoothing::kDailySeasons), 66.5, 1e-12);
  EXPECT_NEAR(sse, 3.25, 1e-12);
}

TEST(DailyHoltWinters, ATrendAndAWeeklyCycleAreContinuedExactlyFromAModel) {
  // 50 + i + shape[i % 7] for 4 weeks from Monday 2024-01-01, read through a model section
  // as inference does: the first two weeks give l = 49, b = 1 and the shape, every later
  // day is exact, and 10 days from day 28 on are 50 + t + shape[t % 7].
  std::vector<double> y;
  for (size_t i = 0; i < 28; ++i) y.push_back(50 + static_cast<double>(i) + kDailyShape[i % 7]);
  model::ForecastSection s;
  s.features.lags = {1};
  s.predictor = "holt_winters";
  model::Smoothing sp = params(0.3, 0.05, 0.1, true);
  sp.window = 182;
  s.smoothing = sp;
  s.clip_negative = false;
  const auto p = load_predictor(s, gbdt::Ensemble{});
  features::History h;
  h.start = k2024;
  h.step = 86400;
  h.target = y.data();
  h.size = y.size();
  const std::vector<double> f = recursive(*p, h, y.size(), 10);
  ASSERT_EQ(f.size(), 10u);
  // k2024 is epoch day 19723, phase 19723 % 7 = 4: the shape is keyed by day, not phase.
  for (size_t k = 0; k < 10; ++k) EXPECT_NEAR(f[k], 50 + 28.0 + static_cast<double>(k) + kDailyShape[(28 + k) % 7], 1e-9) << k;
}

TEST(DailySmoothing, StepPredictorsEqualTheWholeWindowFilterBitForBit) {
  // As the hourly twin above, on daily data past the 182-day window (its start moving a
  // week at a time).
  for (const char* type : {"holt_winters", "theta"}) {
    model::ForecastSection s;
    s.features.lags = {1};
    s.predictor = type;
    model::Smoothing sp = params(0.3, 0.05, 0.1, true);
    sp.window = 182;
    s.smoothing = sp;
    s.clip_negative = false;
    const auto p = load_predictor(s, gbdt::Ensemble{});
    std::vector<double> y;
    for (size_t i = 0; i < 400; ++i) y.push_back(100 + 0.2 * static_cast<double>(i) + 10 * kDailyShape[i % 7] + std::sin(static_cast<double>(i)));
    features::History h;
    h.start = k2024 + 2 * 86400;  // not at a week's start
    h.step = 86400;
    h.target = y.data();
    h.size = y.size();
    walk_steps(*p, h, 10, type);
  }
}

TEST(SeasonalNaiveDay, RepeatsYesterday) {
  std::vector<double> y;
  for (size_t t = 0; t < 24 * 9; ++t) y.push_back(static_cast<double>(t));
  features::Matrix x;
  const TrainingData d = data_of(y, x);
  auto c = candidate("seasonal_naive_day").make(d);
  c->fit(d, y.size(), {});
  const std::vector<double> p = recursive(c->predictor(), d.history, y.size(), 30);
  for (size_t k = 0; k < 24; ++k) EXPECT_EQ(p[k], y[y.size() - 24 + k]);
  for (size_t k = 24; k < 30; ++k) EXPECT_EQ(p[k], p[k - 24]);  // its own forecast, a day on
  model::ForecastSection s;
  gbdt::Ensemble e;
  c->save(s, e);
  EXPECT_EQ(s.predictor, "seasonal_naive");
  EXPECT_EQ(s.season, 24);
}

TEST(Backtest, MaseIsScaledByTheInSampleDailyNaiveErrorBeforeTheOrigin) {
  // History 0..47 with y[t] - y[t-24] = 3 everywhere: scale 3. A forecast off by 1.5 on
  // every step has MASE 0.5; a missing actual is not scored.
  std::vector<double> y;
  for (size_t t = 0; t < 60; ++t) y.push_back(static_cast<double>((t / 24) * 3 + t % 24));
  y[50] = std::nan("");
  std::vector<double> f;
  for (size_t t = 48; t < 60; ++t) f.push_back((std::isnan(y[t]) ? 0 : y[t]) + 1.5);
  const metrics::Regression r = backtest_score(y, 0, 48, f);
  EXPECT_NEAR(r.mae, 1.5, 1e-12);
  EXPECT_NEAR(r.mase, 0.5, 1e-12);
}

// Hourly series of several kinds for the selection test.
series::BuildResult series_of(const std::vector<double>& y) {
  series::BuildResult d;
  d.source = "kinds.csv";
  d.step = 3600;
  d.total.start = k2024;
  for (double v : y) {
    d.total.leads.push_back(v);
    d.total.observed.push_back(1);
  }
  d.input_rows = y.size();
  d.roles.time = "timestamp";
  d.roles.leads = "leads";
  d.columns = {{"timestamp", ColumnType::kTimestamp, "time"}, {"leads", ColumnType::kNumber, "leads"}};
  return d;
}

TEST(Train, SelectionIsNeverWorseThanSeasonalNaiveOnTheBacktests) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(0, 1);
  const size_t n = 24 * 40;
  std::vector<std::vector<double>> kinds(5);
  double walk = 500;
  for (size_t t = 0; t < n; ++t) {
    const double day = std::sin(2 * M_PI * static_cast<double>(t % 24) / 24);
    kinds[0].push_back(100 + 40 * day + 0.5 * noise(rng));                            // almost exact cycle
    kinds[1].push_back(50 + 0.2 * static_cast<double>(t) + 20 * day + 2 * noise(rng));  // trend
    kinds[2].push_back((30 + 10 * day + noise(rng)) * (t >= n - 200 ? 3 : 1));        // level shift
    walk += 5 * noise(rng);
    kinds[3].push_back(walk + 50 * day);                                               // random walk
    std::poisson_distribution<int> leads(std::max(0.2, 2 + 1.5 * day));
    kinds[4].push_back(leads(rng));                                                    // low counts
  }
  size_t combined = 0;
  TrainOptions o;
  o.horizon = 48;
  o.folds = 4;
  o.params.num_iterations = 60;
  o.params.learning_rate = 0.1;
  o.params.num_leaves = 15;
  for (size_t k = 0; k < kinds.size(); ++k) {
    const TrainOutput out = train(series_of(kinds[k]), o);
    const auto& r = out.report;
    ASSERT_TRUE(r.at("backtest").is_object()) << r.dump();
    EXPECT_EQ(r.at("backtest").at("selected_by"), "mase");
    EXPECT_EQ(r.at("backtest").at("horizon"), 48);
    EXPECT_GT(r.at("backtest").at("origins").get<int>(), 0);
    double selected = NAN, naive = INFINITY, lowest = INFINITY;
    for (const auto& c : r.at("comparison")) {
      const double mase = c.at("backtest").at("mase").at("mean").get<double>();
      EXPECT_EQ(c.at("backtest").at("mase").at("folds_used"), r.at("backtest").at("origins"));
      lowest = std::min(lowest, mase);
      if (c.at("name").get<std::string>().rfind("seasonal_naive", 0) == 0) naive = std::min(naive, mase);
      if (c.at("name") == r.at("selected")) selected = mase;
    }
    EXPECT_LE(selected, naive) << "kind " << k << ": " << r.at("selected");
    EXPECT_EQ(selected, lowest) << "kind " << k;
    // The model file keeps the choice and the backtests, and loads back to the same bytes.
    const std::string bytes = model::save(out.model);
    EXPECT_EQ(model::save(model::load(bytes)), bytes);
    EXPECT_EQ(model::load(bytes).header.forecast->selected, r.at("selected").get<std::string>());
    // The saved forecaster forecasts from the series.
    const Forecast f = predict(out.model, series_of(kinds[k]).total, 48);
    ASSERT_EQ(f.mean.size(), 48u);
    for (double v : f.mean) EXPECT_TRUE(std::isfinite(v));
    // A combination's first step is the median of its members' (each rebuilt alone, a
    // gbdt member from the model's trees).
    const model::ForecastSection& s = *out.model.header.forecast;
    if (s.predictor != "combination") continue;
    ++combined;
    ASSERT_EQ(s.members.size(), 3u);
    std::vector<double> first;
    features::History h;
    h.start = k2024;
    h.target = kinds[k].data();
    h.size = kinds[k].size();
    std::vector<float> scratch;
    for (const auto& m : s.members) {
      model::ForecastSection one;
      one.features = s.features;
      one.predictor = m.predictor;
      one.objective = m.objective;
      one.season = m.season;
      one.ridge = m.ridge;
      one.params = m.params;
      one.level_window = m.level_window;
      one.smoothing = m.smoothing;
      one.clip_negative = s.clip_negative;
      const auto p = load_predictor(one, m.predictor == "gbdt" ? out.model.ensemble : gbdt::Ensemble{});
      first.push_back(p->predict_clipped(h, h.size, scratch));
    }
    std::sort(first.begin(), first.end());
    EXPECT_NEAR(f.mean[0], first[1], 1e-9 * std::max(1.0, std::fabs(first[1]))) << "kind " << k;
  }
  EXPECT_GT(combined, 0u) << "no series chose the combination: its path is not covered";
}

}  // namespace
}  // namespace fc::forecast

namespace fc::forecast {
namespace {

TEST(Combination, MedianOfItsMembersStepByStep) {
  // Members: yesterday's hour, last week's hour, and the last hour (ridge on lag 1).
  model::ForecastSection s;
  s.features.lags = {1};
  s.features.calendar = false;
  s.features.cyclic = false;
  s.predictor = "combination";
  model::CombinationMember day, week, last;
  day.name = "seasonal_naive_day";
  day.predictor = "seasonal_naive";
  day.season = 24;
  week.name = "seasonal_naive";
  week.predictor = "seasonal_naive";
  week.season = 168;
  last.name = "ridge";
  last.predictor = "ridge";
  baselines::Ridge r;
  r.mean = {0.0};
  r.scale = {1.0};
  r.weight = {1.0};
  last.ridge = r;
  s.members = {day, week, last};
  const auto p = load_predictor(s, gbdt::Ensemble{});
  std::vector<double> y(200);
  for (size_t t = 0; t < y.size(); ++t) y[t] = static_cast<double>(t % 7);
  features::History h;
  h.start = k2024;
  h.target = y.data();
  h.size = y.size();
  std::vector<float> scratch;
  // t = 200: y[176] = 1, y[32] = 4, y[199] = 3 -> 3; t = 190: y[166] = 5, y[22] = 1, y[189] = 0 -> 1.
  EXPECT_EQ(p->predict_at(h, 200, scratch), 3.0);
  EXPECT_EQ(p->predict_at(h, 190, scratch), 1.0);
  EXPECT_EQ(p->lookback(), 168u * 4);  // seasonal naive looks up to four seasons back
  // The header keeps the members and loads back to the same bytes.
  model::Model m;
  m.header.kind = "forecast";
  m.header.created_by = "funnelcast test";
  m.header.data.columns = {{"timestamp", "timestamp", "time"}, {"leads", "number", "leads"}};
  m.header.data.roles.time = "timestamp";
  m.header.data.roles.leads = "leads";
  m.header.data.start = k2024;
  m.header.data.end = k2024 + 3600 * 200;
  m.header.data.intervals = 200;
  for (const char* name : {"rmse", "mae", "r2", "smape", "mase"}) {
    s.cv.one_step[name] = {1, 0, 1};
    s.cv.recursive[name] = {1, 0, 1};
  }
  s.cv.folds = 1;
  s.cv.horizon = 24;
  s.horizon = 24;
  s.min_history = 168;
  s.selected = "combination";
  s.intervals.lo95 = {-3};
  s.intervals.lo80 = {-2};
  s.intervals.hi80 = {2};
  s.intervals.hi95 = {3};
  m.header.forecast = s;
  const std::string bytes = model::save(m);
  const model::Model back = model::load(bytes);
  ASSERT_EQ(back.header.forecast->members.size(), 3u);
  EXPECT_EQ(back.header.forecast->members[2].name, "ridge");
  EXPECT_EQ(model::save(back), bytes);
  // Two gbdt members would need two sets of trees: refused.
  nlohmann::json j = m.header.to_json();
  for (int i : {0, 1}) {
    j["forecast"]["members"][i]["predictor"] = "gbdt";
    j["forecast"]["members"][i]["objective"] = "regression";
    j["forecast"]["members"][i]["season"] = 0;
    j["forecast"]["members"][i]["params"] = gbdt::Params{}.to_json();
  }
  std::string e;
  try {
    model::Header::from_json(j);
  } catch (const Error& err) {
    e = err.what();
  }
  EXPECT_NE(e.find("one gbdt forecaster at most"), std::string::npos) << e;
}

TEST(Combination, BacktestsOfTheMedianByHand) {
  // One fold: training [0, 48), validation [48, 52); horizon 2, origins 48 and 50 (one
  // every 2 steps). y = 0..47 then 10, 10, 10, 10; the members forecast 9, 11 and 20 at
  // every step, so the median is 11 (error 1) where the best member (9 or 11) errs by 1.
  std::vector<double> y;
  for (size_t t = 0; t < 48; ++t) y.push_back(static_cast<double>(t % 24));
  for (int k = 0; k < 4; ++k) y.push_back(10);
  std::vector<validation::Fold> folds(1);
  folds[0].train_begin = 0;
  folds[0].train_end = 48;
  folds[0].valid_begin = 48;
  folds[0].valid_end = 52;
  features::Matrix x;
  const TrainingData d = data_of(y, x);
  auto member = [&](double v) {
    CandidateCv c;
    FoldPredictions fp;
    fp.one_step.assign(4, v);
    fp.origins = {48, 50};
    fp.forecasts = {{v, v}, {v, v}};
    c.predictions.push_back(fp);
    return c;
  };
  const CandidateCv a = member(9), b = member(11), c = member(20);
  const CandidateCv m = combine("combination", {&a, &b, &c}, d, folds, 2);
  ASSERT_EQ(m.backtest.size(), 2u);
  // In-sample scale: |y[t] - y[t-24]| is 0 over 24..47, and 10 - y[t-24] after: the MASE
  // of origin 48 is undefined (no seasonal difference before it); origin 50's scale is
  // (|10 - 0| + |10 - 1|) / 26.
  EXPECT_TRUE(std::isnan(m.backtest[0].mase));
  EXPECT_NEAR(m.backtest[1].mae, 1.0, 1e-12);
  EXPECT_NEAR(m.backtest[1].mase, 1.0 / (19.0 / 26), 1e-12);
  EXPECT_EQ(m.predictions[0].forecasts[1], (std::vector<double>{11, 11}));
  EXPECT_EQ(m.one_step.size(), 1u);
  EXPECT_NEAR(m.one_step[0].mae, 1.0, 1e-12);
}

}  // namespace
}  // namespace fc::forecast
