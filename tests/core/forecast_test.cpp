#include "funnelcast/forecast/forecast.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "funnelcast/base/error.hpp"
#include "funnelcast/model/model.hpp"

namespace fc::forecast {
namespace {

features::History history_of(const std::vector<double>& y, int64_t start = 1704067200) {
  features::History h;
  h.start = start;
  h.target = y.data();
  h.size = y.size();
  return h;
}

// A forecaster whose prediction is exactly lag1 (ridge weight 1 on the only feature).
Forecaster lag1_forecaster() {
  Forecaster f;
  f.kind = Kind::kRidge;
  f.spec.lags = {1};
  f.spec.calendar = false;
  f.ridge.mean = {0.0};
  f.ridge.scale = {1.0};
  f.ridge.weight = {1.0};
  f.ridge.intercept = 0.0;
  return f;
}

TEST(Recursive, FirstStepUsesTheLastObservedValue) {
  std::vector<double> y = {3, 1, 4, 1, 5, 9, 2, 6};
  const Forecaster f = lag1_forecaster();
  const auto p = recursive(f, history_of(y), y.size(), 3);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_DOUBLE_EQ(p[0], 6.0);  // y[7], the last observation
  EXPECT_DOUBLE_EQ(p[1], 6.0);  // fed back
  // From an origin inside the history: the value just before the origin, not at it.
  const auto q = recursive(f, history_of(y), 5, 2);
  EXPECT_DOUBLE_EQ(q[0], 5.0);  // y[4]
  EXPECT_DOUBLE_EQ(q[1], 5.0);
}

TEST(Recursive, PredictionsFeedBackAsLags) {
  // y_t = lag1 + lag2 (ridge weights 1, 1): a Fibonacci continuation shows each step uses the last two.
  Forecaster f;
  f.kind = Kind::kRidge;
  f.spec.lags = {1, 2};
  f.spec.calendar = false;
  f.ridge.mean = {0.0, 0.0};
  f.ridge.scale = {1.0, 1.0};
  f.ridge.weight = {1.0, 1.0};
  std::vector<double> y = {1, 1, 2, 3};
  const auto p = recursive(f, history_of(y), y.size(), 4);
  EXPECT_EQ(p, (std::vector<double>{5, 8, 13, 21}));
}

TEST(Recursive, SeasonalNaiveRepeatsLastWeek) {
  Forecaster f;
  f.kind = Kind::kSeasonalNaive;
  f.season = 168;
  std::vector<double> y(400);
  for (size_t i = 0; i < y.size(); ++i) y[i] = static_cast<double>(i % 168) + (i >= 168 ? 1000 : 0);
  const auto p = recursive(f, history_of(y), y.size(), 200);
  for (int k = 0; k < 168; ++k) EXPECT_EQ(p[k], y[400 - 168 + k]);
  EXPECT_EQ(p[168], p[0]);  // beyond a week it repeats its own forecast
}

series::BuildResult synthetic(size_t hours, uint64_t seed) {
  series::BuildResult d;
  d.total.start = 1704067200;
  std::mt19937_64 rng(seed);
  for (size_t i = 0; i < hours; ++i) {
    const double hour = static_cast<double>(i % 24), dow = static_cast<double>((i / 24) % 7);
    const double rate = 2 + 8 * std::max(0.0, std::sin((hour - 6) / 24 * 2 * M_PI)) * (dow >= 5 ? 0.5 : 1.0);
    std::poisson_distribution<int> pois(rate);
    d.total.leads.push_back(pois(rng));
    d.total.observed.push_back(1);
  }
  d.input_rows = hours;
  d.roles.time = "timestamp";
  d.roles.leads = "leads";
  return d;
}

TrainOptions small_options() {
  TrainOptions o;
  o.horizon = 48;
  o.folds = 3;
  o.params.num_iterations = 80;
  o.params.learning_rate = 0.1;
  o.params.num_leaves = 15;
  return o;
}

TEST(Train, ReportsEveryCandidateAndNestedIntervals) {
  const auto data = synthetic(24 * 60, 3);
  const TrainOutput out = train(data, small_options());
  const auto& r = out.report;
  ASSERT_EQ(r.at("comparison").size(), 4u);
  for (const char* metric : {"rmse", "mae", "r2", "smape", "mase"}) {
    EXPECT_TRUE(r.at("cv").at("one_step").at(metric).contains("mean")) << metric;
    EXPECT_TRUE(r.at("cv").at("recursive").at(metric).contains("std")) << metric;
  }
  EXPECT_EQ(r.at("cv").at("folds").size(), 3u);
  // Folds never overlap and validation always follows training.
  for (const auto& f : r.at("cv").at("folds"))
    EXPECT_LE(f.at("train_end").get<int64_t>(), f.at("valid_start").get<int64_t>());
  // Trees learn the daily shape: better than last week's value at the same hour.
  double naive = 0, selected = 0;
  for (const auto& c : r.at("comparison")) {
    const double rmse = c.at("recursive").at("rmse").at("mean").get<double>();
    if (c.at("name") == "seasonal_naive") naive = rmse;
    if (c.at("name") == r.at("selected")) selected = rmse;
  }
  EXPECT_LT(selected, naive);
  const double p80 = r.at("interval_coverage").at("p80").get<double>();
  const double p95 = r.at("interval_coverage").at("p95").get<double>();
  EXPECT_GT(p80, 0.6);
  EXPECT_GE(p95, p80);

  const Forecast f = predict(out.model, data.total, 100);
  ASSERT_EQ(f.time.size(), 100u);
  EXPECT_EQ(f.time[0], data.total.time(data.total.hours()));
  for (size_t i = 0; i < f.time.size(); ++i) {
    if (i) EXPECT_EQ(f.time[i] - f.time[i - 1], 3600);
    EXPECT_LE(0.0, f.lower95[i]);
    EXPECT_LE(f.lower95[i], f.lower80[i]);
    EXPECT_LE(f.lower80[i], f.mean[i]);
    EXPECT_LE(f.mean[i], f.upper80[i]);
    EXPECT_LE(f.upper80[i], f.upper95[i]);
  }
}

TEST(Train, SameInputAndSeedGiveIdenticalModelBytes) {
  const auto data = synthetic(24 * 45, 5);
  TrainOptions o = small_options();
  o.params.bagging_fraction = 0.7;
  o.params.bagging_freq = 1;
  o.params.feature_fraction = 0.8;
  const std::string a = model::save(train(data, o).model);
  o.threads = 2;  // threads never change the model
  const std::string b = model::save(train(data, o).model);
  EXPECT_EQ(a, b);
  o.params.seed = 99;
  const std::string c = model::save(train(data, o).model);
  if (model::load(c).header.at("selected").get<std::string>().rfind("gbdt", 0) == 0) EXPECT_NE(a, c);
}

TEST(Train, SavedModelForecastsLikeTheInMemoryOne) {
  const auto data = synthetic(24 * 45, 8);
  const TrainOutput out = train(data, small_options());
  const model::Model loaded = model::load(model::save(out.model));
  const Forecast a = predict(out.model, data.total, 48), b = predict(loaded, data.total, 48);
  for (size_t i = 0; i < a.mean.size(); ++i) EXPECT_DOUBLE_EQ(a.mean[i], b.mean[i]);
}

TEST(Train, RefusesTooLittleHistory) {
  const auto data = synthetic(24 * 10, 1);
  TrainOptions o = small_options();
  o.horizon = 168;
  o.folds = 5;
  try {
    train(data, o);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("fold"), std::string::npos) << e.what();
  }
}

TEST(Train, ExogLagShorterThanHorizonIsRefused) {
  auto data = synthetic(24 * 60, 1);
  data.total.spend.assign(data.total.hours(), 10.0);
  TrainOptions o = small_options();
  o.spec.exog.push_back({"spend", {24}});
  EXPECT_THROW(train(data, o), Error);
}

TEST(Predict, RefusesAModelOfAnotherKind) {
  model::Model m;
  m.header = {{"kind", "scoring"}};
  const auto data = synthetic(24 * 20, 1);
  EXPECT_THROW(predict(m, data.total, 24), Error);
}

}  // namespace
}  // namespace fc::forecast
