// Trees on the target in the units of its local level (the gbdt_level candidate): the
// transform undone by hand on a tiny series, a pure trend plus a daily cycle forecast
// within 1%, a series at three times its training level forecast at its level, and the
// level window carried by the saved section (model_test.cpp: through the file's JSON).
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "funnelcast/base/error.hpp"
#include "funnelcast/forecast/candidate.hpp"
#include "funnelcast/model/model.hpp"

#include "forecast_data.hpp"
#include "test_support.hpp"

namespace fc::forecast {
namespace {

using fc::testing::k2024;

const CandidateInfo& level_candidate(const std::string& name) {
  for (const auto& c : candidates())
    if (name == c.name) return c;
  throw Error("no candidate " + name);
}

using LevelData = fc::testing::ForecastData;

// One tree on lag1 (feature 0): left (lag1 <= 2) -1, right +1.
gbdt::Ensemble one_split() {
  gbdt::Ensemble e;
  e.num_features = 1;
  gbdt::Tree t;
  t.feature = {0};
  t.threshold = {2.0f};
  t.default_left = {1};
  t.left = {~0};
  t.right = {~1};
  t.leaf_value = {-1.0f, 1.0f};
  t.leaf_cover = {1.0f, 1.0f};
  e.trees.push_back(t);
  return e;
}

model::ForecastSection lag1_section(int level_window) {
  model::ForecastSection s;
  s.features.lags = {1};
  s.features.rolling_windows = {};
  s.features.rolling_stats = {};
  s.features.calendar = false;
  s.features.cyclic = false;
  s.predictor = "gbdt";
  s.objective = "regression";
  s.params = gbdt::Params{};
  s.level_window = level_window;
  s.clip_negative = false;
  return s;
}

TEST(GbdtLevel, TheTransformIsUndoneByHand) {
  // History 1, 2, 3, 4 and a 4-step level: mean 2.5, standard deviation sqrt(5/3) =
  // 1.2909944. lag1 = 4 is (4 - 2.5) / 1.2909944 = 1.1619 levelled, <= 2: the left leaf
  // -1, so 2.5 - 1.2909944 = 1.2090056. Without the level, 4 > 2: the right leaf, +1.
  const std::vector<double> y = {1, 2, 3, 4};
  features::History h;
  h.start = k2024;
  h.target = y.data();
  h.size = y.size();
  std::vector<float> scratch;
  const auto levelled = load_predictor(lag1_section(4), one_split());
  EXPECT_NEAR(levelled->predict_at(h, 4, scratch), 2.5 - std::sqrt(5.0 / 3.0), 1e-6);
  const auto raw = load_predictor(lag1_section(0), one_split());
  EXPECT_NEAR(raw->predict_at(h, 4, scratch), 1.0, 1e-12);
  // A 2-step level reads 3 and 4 only: mean 3.5, sd 0.7071068; lag1 is 0.7071 levelled,
  // still left: 3.5 - 0.7071068.
  EXPECT_NEAR(load_predictor(lag1_section(2), one_split())->predict_at(h, 4, scratch), 3.5 - std::sqrt(0.5), 1e-6);
  // The fast path from a row built from the history agrees.
  const float row[1] = {4.0f};
  EXPECT_NEAR(levelled->predict_row(h, 4, row), 2.5 - std::sqrt(5.0 / 3.0), 1e-6);
  // Fewer than two known values: no level, no forecast (NaN), rather than a guess.
  EXPECT_TRUE(std::isnan(levelled->predict_at(h, 1, scratch)));
}

TEST(GbdtLevel, PureTrendPlusDailyCycleIsForecastWithinOnePercent) {
  // 200 + 0.3 t + 30 sin(2 pi t / 24), 30 days: 48 hours ahead within 1% of the truth.
  // Trees on the target itself cannot go past the highest value they saw.
  auto truth = [](size_t t) { return 200 + 0.3 * static_cast<double>(t) + 30 * std::sin(2 * M_PI * static_cast<double>(t % 24) / 24); };
  std::vector<double> values;
  for (size_t t = 0; t < 24 * 30; ++t) values.push_back(truth(t));
  LevelData data(values);
  const size_t n = data.y.size();
  auto c = level_candidate("gbdt_level").make(data.d);
  c->fit(data.d, n, {});
  const std::vector<double> p = recursive(c->predictor(), data.d.history, n, 48);
  ASSERT_EQ(p.size(), 48u);
  for (size_t k = 0; k < p.size(); ++k) EXPECT_NEAR(p[k], truth(n + k), 0.01 * truth(n + k)) << "step " << k;
  auto raw = level_candidate("gbdt_l2").make(data.d);
  raw->fit(data.d, n, {});
  const std::vector<double> q = recursive(raw->predictor(), data.d.history, n, 48);
  double worst = 0;
  for (size_t k = 0; k < q.size(); ++k) worst = std::max(worst, std::abs(q[k] - truth(n + k)) / truth(n + k));
  EXPECT_GT(worst, 0.01);
}

TEST(GbdtLevel, ASeriesAtThreeTimesItsLevelIsForecastAtItsLevel) {
  // Poisson counts around 10 an hour with a daily cycle, 8 weeks. The models trained on
  // them forecast the same series with every value tripled: the levelled trees at about
  // three times the level (on average three times their forecast of the original history:
  // not step for step, as a levelled lag can fall on the other side of a split by rounding), the trees on the target near the level they saw.
  std::mt19937 rng(7);
  std::vector<double> values;
  for (size_t t = 0; t < 24 * 56; ++t) {
    std::poisson_distribution<int> leads(10 * (1 + 0.6 * std::sin(2 * M_PI * static_cast<double>(t % 24) / 24)));
    values.push_back(leads(rng));
  }
  LevelData data(values);
  const size_t n = data.y.size();
  std::vector<double> tripled = values;
  for (double& v : tripled) v *= 3;
  features::History h3 = data.d.history;
  h3.target = tripled.data();
  auto mean_of = [](const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return s / static_cast<double>(v.size());
  };
  double level = 0;
  for (size_t t = n - 168; t < n; ++t) level += tripled[t] / 168;

  auto c = level_candidate("gbdt_level").make(data.d);
  c->fit(data.d, n, {});
  const std::vector<double> once = recursive(c->predictor(), data.d.history, n, 168);
  const std::vector<double> thrice = recursive(c->predictor(), h3, n, 168);
  EXPECT_NEAR(mean_of(thrice), level, 0.1 * level);
  EXPECT_NEAR(mean_of(thrice), 3 * mean_of(once), 0.02 * 3 * mean_of(once));

  auto raw = level_candidate("gbdt_l2").make(data.d);
  raw->fit(data.d, n, {});
  EXPECT_LT(mean_of(recursive(raw->predictor(), h3, n, 168)), 0.6 * level);
}

TEST(GbdtLevel, TheSavedSectionCarriesTheLevelWindow) {
  std::vector<double> values;
  for (size_t t = 0; t < 24 * 28; ++t) values.push_back(20 + 0.05 * static_cast<double>(t) + 5 * ((t % 24) < 12 ? 1 : -1));
  LevelData data(values);
  const size_t n = data.y.size();
  auto c = level_candidate("gbdt_level").make(data.d);
  c->fit(data.d, n, {});
  model::ForecastSection s;
  s.features = data.d.spec;
  gbdt::Ensemble trees;
  c->save(s, trees);
  EXPECT_EQ(s.predictor, "gbdt");
  EXPECT_EQ(s.level_window, 168);
  // Rebuilt from the section as inference does, the forecast is the candidate's bit for bit.
  const auto loaded = load_predictor(s, trees);
  const std::vector<double> a = recursive(c->predictor(), data.d.history, n, 48);
  const std::vector<double> b = recursive(*loaded, data.d.history, n, 48);
  for (size_t k = 0; k < a.size(); ++k) EXPECT_EQ(a[k], b[k]) << k;
  // Without the window, the same trees forecast something else.
  s.level_window = 0;
  EXPECT_NE(recursive(*load_predictor(s, trees), data.d.history, n, 48), a);
}

}  // namespace
}  // namespace fc::forecast
