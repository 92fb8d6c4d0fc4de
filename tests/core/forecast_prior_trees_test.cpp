// Cross-validation fits the trees once per fold after the first: the fold's model keeps
// the tree count the fold before chose, and boosting goes on while the fold's own block
// improves, to choose the next fold's count. Checked here:
// - gbdt::train with KeepTrees: the first k trees of what it grows are exactly the k-tree
//   model trained without a validation set, and best_iteration is early stopping's choice;
// - every fold's one-step predictions equal an independent fit on the fold's training part
//   with the count the previous fold chose (the first fold: its own early stopping, then a
//   refit), so no fold's model has seen its own block;
// - the by-channel trees follow the same rule.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "funnelcast/base/error.hpp"
#include "funnelcast/forecast/candidate.hpp"
#include "funnelcast/forecast/cv.hpp"
#include "funnelcast/gbdt/train.hpp"

#include "../../core/src/forecast/internal.hpp"
#include "forecast_data.hpp"
#include "test_support.hpp"

namespace fc::forecast::prior_trees_test {

// y = a smooth function of 4 inputs plus noise, rows x 4, row-major.
struct Rows {
  std::vector<float> x;
  std::vector<double> y;
  size_t rows = 0;
  gbdt::Dataset view() const { return {x.data(), rows, 4, y.data(), nullptr}; }
};

Rows make_rows(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(-1, 1);
  std::normal_distribution<double> noise(0, 0.3);
  Rows r;
  r.rows = n;
  for (size_t i = 0; i < n; ++i) {
    double v[4];
    for (double& a : v) a = u(rng);
    for (double a : v) r.x.push_back(static_cast<float>(a));
    r.y.push_back(std::sin(3 * v[0]) + v[1] * v[2] + noise(rng));
  }
  return r;
}

// The raw predictions of the ensemble's first `trees` trees on every row of `on`.
std::vector<double> predictions(gbdt::Ensemble e, size_t trees, const Rows& on) {
  e.trees.resize(trees);
  std::vector<double> out(on.rows);
  for (size_t i = 0; i < on.rows; ++i) out[i] = e.predict_raw_reference(&on.x[i * 4]);
  return out;
}

gbdt::Params quick_params() {
  gbdt::Params p;
  p.num_iterations = 400;
  p.learning_rate = 0.3;
  p.min_data_in_leaf = 5;
  p.early_stopping_round = 10;
  return p;
}

TEST(PriorTrees, KeepTreesGrowsAtLeastTheMinimumAndKeepsThem) {
  const Rows tr = make_rows(600, 1), va = make_rows(300, 2);
  const gbdt::Dataset v = va.view();
  const gbdt::Params p = quick_params();
  const gbdt::TrainResult plain = gbdt::train(tr.view(), &v, p);
  const int best = plain.best_iteration;
  ASSERT_GT(best, 1);
  ASSERT_LT(best + 40, p.num_iterations);

  // A minimum below where plain early stopping stopped: the same stop, nothing cut back.
  gbdt::KeepTrees low;
  low.min_trees = 1;
  const gbdt::TrainResult a = gbdt::train(tr.view(), &v, p, {}, low);
  EXPECT_EQ(a.best_iteration, best);
  EXPECT_EQ(a.ensemble.trees.size(), static_cast<size_t>(best + p.early_stopping_round));
  EXPECT_EQ(predictions(a.ensemble, best, va), predictions(plain.ensemble, best, va));

  // A minimum past it: that many trees at least, and best_iteration where the validation
  // metric is lowest.
  gbdt::KeepTrees high;
  high.min_trees = best + 40;
  const gbdt::TrainResult b = gbdt::train(tr.view(), &v, p, {}, high);
  ASSERT_GE(b.ensemble.trees.size(), static_cast<size_t>(best + 40));
  const auto lowest = std::min_element(b.valid_metric.begin(), b.valid_metric.end());
  EXPECT_EQ(b.best_iteration, static_cast<int>(lowest - b.valid_metric.begin()) + 1);

  // The first k trees are the k-tree model trained with no validation set at all.
  gbdt::Params fixed = p;
  fixed.num_iterations = best + 40;
  fixed.early_stopping_round = 0;
  const gbdt::TrainResult f = gbdt::train(tr.view(), nullptr, fixed);
  ASSERT_EQ(f.ensemble.trees.size(), static_cast<size_t>(best + 40));
  EXPECT_EQ(predictions(b.ensemble, best + 40, va), predictions(f.ensemble, best + 40, va));
}

struct Series : fc::testing::ForecastData {
  explicit Series(std::vector<double> values) : ForecastData(std::move(values)) {
    d.params.num_iterations = 120;
    d.params.learning_rate = 0.2;
    d.threads = 1;
  }
};

std::vector<validation::Fold> folds_of(const Series& s, int count) {
  std::vector<validation::Fold> folds = validation::time_series_splits(s.y.size() - s.d.first_row, count, 3 * 24);
  for (auto& f : folds) {
    f.train_begin += s.d.first_row;
    f.train_end += s.d.first_row;
    f.valid_begin += s.d.first_row;
    f.valid_end += s.d.first_row;
  }
  return folds;
}

const CandidateInfo& candidate(const std::string& name) {
  for (const auto& c : candidates())
    if (c.name == name) return c;
  throw Error("no candidate " + name);
}

// Each fold's one-step predictions from a fit of our own: the first fold early-stopped and
// refitted, every later one with the previous fold's count, on the fold's training part.
void expect_folds_use_the_previous_count(const std::string& name) {
  SCOPED_TRACE(name);
  const Series s(fc::testing::counts_series(3));
  const std::vector<validation::Fold> folds = folds_of(s, 4);
  const CandidateInfo& info = candidate(name);
  const CandidateCv cv = cross_validate(info, s.d, folds, 24, 24);
  ASSERT_EQ(cv.best_iterations.size(), folds.size());
  bool differs = false;
  for (size_t k = 0; k < folds.size(); ++k) {
    SCOPED_TRACE(k);
    ASSERT_GT(cv.best_iterations[k], 0);
    if (k > 0 && cv.best_iterations[k] != cv.best_iterations[k - 1]) differs = true;
    std::unique_ptr<Candidate> c = info.make(s.d);
    FitControl control;
    if (k == 0) {
      c->fit(s.d, folds[k].train_end, control);
      EXPECT_EQ(c->chosen_iterations(), cv.best_iterations[0]);
    }
    control.fixed_iterations = k == 0 ? cv.best_iterations[0] : cv.best_iterations[k - 1];
    c->fit(s.d, folds[k].train_end, control);
    std::vector<float> scratch;
    const std::vector<double>& got = cv.predictions[k].one_step;
    ASSERT_EQ(got.size(), folds[k].valid_end - folds[k].valid_begin);
    for (size_t t = folds[k].valid_begin; t < folds[k].valid_end; ++t)
      ASSERT_EQ(got[t - folds[k].valid_begin], c->predictor().predict_clipped(s.d.history, t, scratch)) << "step " << t;
  }
  // The folds chose their own counts: the check above is not of one count repeated.
  EXPECT_TRUE(differs);
}

TEST(PriorTrees, EachFoldUsesTheCountTheFoldBeforeChose) {
  expect_folds_use_the_previous_count("gbdt_l2");
  expect_folds_use_the_previous_count("gbdt_level");
}

// By channel: a fit with the previous fold's count gives every channel the predictions of
// a fit with that count fixed, and chooses a count of its own on the block.
TEST(PriorTrees, TheTreesAcrossChannelsKeepThePreviousCount) {
  const Series a(fc::testing::counts_series(4)), b(fc::testing::counts_series(5));
  const std::vector<TrainingData> channels{a.d, b.d};
  const std::vector<validation::Fold> folds = folds_of(a, 3);
  const validation::Fold& fold = folds.back();
  for (const int level_window : {0, 168}) {
    SCOPED_TRACE(level_window);
    internal::GlobalGbdt once(a.d.spec, a.d.params, 1, level_window), fixed(a.d.spec, a.d.params, 1, level_window);
    FitControl prior;
    prior.prior_iterations = 25;
    prior.valid_begin = fold.valid_begin;
    prior.valid_end = fold.valid_end;
    once.fit(channels, fold.train_end, prior);
    EXPECT_GT(once.chosen_iterations(), 0);
    FitControl count;
    count.fixed_iterations = 25;
    fixed.fit(channels, fold.train_end, count);
    std::vector<float> scratch;
    for (size_t c = 0; c < channels.size(); ++c) {
      const auto p = once.predictor(c, true), q = fixed.predictor(c, true);
      for (size_t t = fold.valid_begin; t < fold.valid_end; ++t)
        ASSERT_EQ(p->predict_clipped(channels[c].history, t, scratch), q->predict_clipped(channels[c].history, t, scratch))
            << "channel " << c << " step " << t;
    }
  }
}

}  // namespace fc::forecast::prior_trees_test
