// Cross-validation forecasts every origin of a fold together (recursive_from): each step of
// every origin is one block through the trees. It must give exactly the numbers of one
// recursive forecast per origin, for every kind of forecaster: trees on the target, trees
// on the levelled target, a by-channel model's trees, and the smoothers (which keep their
// own state and go one origin at a time).
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "funnelcast/base/error.hpp"
#include "funnelcast/forecast/candidate.hpp"
#include "funnelcast/forecast/cv.hpp"

#include "../../core/src/forecast/internal.hpp"
#include "forecast_data.hpp"
#include "test_support.hpp"

namespace fc::forecast::batch_test {

// The default features over the series, with few trees.
struct BatchData : fc::testing::ForecastData {
  explicit BatchData(std::vector<double> values) : ForecastData(std::move(values)) {
    d.params.num_iterations = 40;
    d.threads = 1;
  }
};

// Fits the named candidate on all but the last 5 days, then compares recursive_from with
// recursive() from 7 origins (the last one with no step left inside the history).
void expect_same_forecasts(const std::string& name, bool block) {
  SCOPED_TRACE(name);
  BatchData data(fc::testing::counts_series(7));
  const CandidateInfo* info = nullptr;
  for (const auto& c : candidates())
    if (name == c.name) info = &c;
  ASSERT_NE(info, nullptr);
  std::unique_ptr<Candidate> c = info->make(data.d);
  const size_t cut = data.y.size() - 5 * 24;
  c->fit(data.d, cut, FitControl{});
  std::vector<size_t> origins;
  for (size_t o = cut; o <= data.y.size(); o += 20) origins.push_back(o);
  origins.push_back(data.y.size());
  // The trees take the block path (the others one origin at a time): its first step, by
  // hand, is each history's predict_at.
  {
    std::vector<features::History> hs_copy(origins.size(), data.d.history);
    std::vector<const features::History*> hs;
    for (size_t i = 0; i < origins.size(); ++i) {
      hs_copy[i].size = origins[i];
      hs.push_back(&hs_copy[i]);
    }
    std::vector<float> scratch;
    std::vector<double> next(origins.size(), -1.0);
    ASSERT_EQ(internal::predict_next_trees(c->predictor(), hs, scratch, next.data()), block);
    if (block)
      for (size_t i = 0; i < origins.size(); ++i)
        EXPECT_EQ(next[i], c->predictor().predict_at(*hs[i], origins[i], scratch)) << "origin " << origins[i];
  }
  const int horizon = 30;
  const std::vector<std::vector<double>> together = recursive_from(c->predictor(), data.d.history, origins, horizon);
  ASSERT_EQ(together.size(), origins.size());
  bool varied = false;
  for (size_t i = 0; i < origins.size(); ++i) {
    const std::vector<double> alone = recursive(c->predictor(), data.d.history, origins[i], horizon);
    ASSERT_EQ(together[i].size(), alone.size());
    for (size_t k = 0; k < alone.size(); ++k) {
      EXPECT_EQ(together[i][k], alone[k]) << "origin " << origins[i] << ", step " << k;
      varied = varied || alone[k] != alone[0];
    }
  }
  EXPECT_TRUE(varied) << "the forecasts should follow the daily cycle";
}

TEST(RecursiveFrom, TreesOnTheTargetGiveTheNumbersOfOneOriginAtATime) {
  expect_same_forecasts("gbdt_l2", true);
  expect_same_forecasts("gbdt_poisson", true);
}

TEST(RecursiveFrom, LevelledTreesGiveTheNumbersOfOneOriginAtATime) { expect_same_forecasts("gbdt_level", true); }

TEST(RecursiveFrom, SmoothersAndNaiveGiveTheNumbersOfOneOriginAtATime) {
  expect_same_forecasts("holt_winters", false);
  expect_same_forecasts("theta", false);
  expect_same_forecasts("seasonal_naive", false);
  expect_same_forecasts("ridge", false);
}

TEST(RecursiveFrom, NoOriginsGiveNoForecasts) {
  BatchData data(fc::testing::counts_series(3));
  const CandidateInfo* info = nullptr;
  for (const auto& c : candidates())
    if (std::string(c.name) == "gbdt_l2") info = &c;
  ASSERT_NE(info, nullptr);
  std::unique_ptr<Candidate> c = info->make(data.d);
  c->fit(data.d, data.y.size(), FitControl{});
  EXPECT_TRUE(recursive_from(c->predictor(), data.d.history, {}, 24).empty());
  EXPECT_THROW(recursive_from(c->predictor(), data.d.history, {data.y.size() + 1}, 24), Error);
}

}  // namespace fc::forecast::batch_test
