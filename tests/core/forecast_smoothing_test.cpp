// The statistical forecasters (Holt-Winters, Theta, seasonal naive at the day) against
// values worked out by hand on tiny series, exponential smoothing on a pure trend plus a
// daily cycle, and selection by the rolling-origin backtests: never worse there than
// seasonal naive.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "funnelcast/forecast/candidate.hpp"
#include "funnelcast/forecast/cv.hpp"
#include "funnelcast/forecast/predict.hpp"
#include "funnelcast/forecast/smoothing.hpp"
#include "funnelcast/forecast/train.hpp"
#include "funnelcast/model/model.hpp"

namespace fc::forecast {
namespace {

constexpr int64_t k2024 = 1704067200;  // Monday 2024-01-01 00:00 UTC

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
  std::vector<std::vector<double>> kinds(4);
  double walk = 500;
  for (size_t t = 0; t < n; ++t) {
    const double day = std::sin(2 * M_PI * static_cast<double>(t % 24) / 24);
    kinds[0].push_back(100 + 40 * day + 0.5 * noise(rng));                            // almost exact cycle
    kinds[1].push_back(50 + 0.2 * static_cast<double>(t) + 20 * day + 2 * noise(rng));  // trend
    kinds[2].push_back((30 + 10 * day + noise(rng)) * (t >= n - 200 ? 3 : 1));        // level shift
    walk += 5 * noise(rng);
    kinds[3].push_back(walk + 50 * day);                                               // random walk
  }
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
  }
}

}  // namespace
}  // namespace fc::forecast
