// Reconciling the channels with a base forecast of the total (issue 16): the formulas
// against values worked out by hand, the channels adding up to the total whatever the
// method, the backtests' bottom-up scores equal to those of the channels' sum scored
// directly, and the choice never a method worse than bottom-up on the backtests.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "funnelcast/forecast/reconcile.hpp"
#include "funnelcast/forecast/train.hpp"
#include "funnelcast/io/csv.hpp"
#include "funnelcast/series/series.hpp"
#include "funnelcast/time/time.hpp"
#include "test_support.hpp"

namespace fc::forecast::reconcile_test {
namespace {

using reconcile::Method;

// Two channels, three steps: base forecasts, their variances, the total's base and variance.
struct Step {
  std::vector<double> f, v;
  double total, total_v;
};
const Step kSteps[] = {{{10, 20}, {1, 3}, 36, 4}, {{5, 5}, {2, 2}, 6, 6}, {{0, 0}, {1, 1}, 4, 2}};

TEST(Reconcile, MintWlsSharesTheGapInProportionToTheVariances) {
  // d = 36 - 30 = 6 over 4 + 1 + 3 = 8: +0.75 and +2.25. d = 6 - 10 = -4 over 10: -0.8
  // each. d = 4 over 4: +1 each. The total is the variance-weighted mean of its base and
  // the channels' sum: (36*4 + 30*4) / 8 = 33.
  const std::vector<std::vector<double>> want = {{10.75, 22.25}, {4.2, 4.2}, {1, 1}};
  const double want_total[] = {33, 8.4, 2};
  for (size_t k = 0; k < 3; ++k) {
    const std::vector<double> g = reconcile::step(Method::kMintWls, kSteps[k].f, kSteps[k].v,
                                                  kSteps[k].total, kSteps[k].total_v);
    ASSERT_EQ(g.size(), 2u);
    EXPECT_NEAR(g[0], want[k][0], 1e-12) << "step " << k;
    EXPECT_NEAR(g[1], want[k][1], 1e-12) << "step " << k;
    EXPECT_NEAR(g[0] + g[1], want_total[k], 1e-12) << "step " << k;
  }
}

TEST(Reconcile, ProportionalSplitsTheTotalByTheChannelsForecasts) {
  // 36 * 10/30 and 36 * 20/30; 6 in halves; channels summing to 0: equal shares of 4.
  const std::vector<std::vector<double>> want = {{12, 24}, {3, 3}, {2, 2}};
  for (size_t k = 0; k < 3; ++k) {
    const std::vector<double> g = reconcile::step(Method::kProportional, kSteps[k].f, kSteps[k].v,
                                                  kSteps[k].total, kSteps[k].total_v);
    EXPECT_NEAR(g[0], want[k][0], 1e-12) << "step " << k;
    EXPECT_NEAR(g[1], want[k][1], 1e-12) << "step " << k;
  }
}

TEST(Reconcile, BottomUpAndUnknownVariancesLeaveTheChannelsAsTheyAre) {
  const std::vector<double> f = {10, 20};
  EXPECT_EQ(reconcile::step(Method::kBottomUp, f, {1, 3}, 36, 4), f);
  EXPECT_EQ(reconcile::step(Method::kMintWls, f, {1, std::nan("")}, 36, 4), f);
  EXPECT_EQ(reconcile::step(Method::kMintWls, f, {1, 3}, 36, 0), f);
  EXPECT_EQ(reconcile::step(Method::kMintWls, f, {1, 3}, std::nan(""), 4), f);
  EXPECT_STREQ(reconcile::name(Method::kBottomUp), "bottom_up");
  EXPECT_STREQ(reconcile::name(Method::kMintWls), "mint_wls");
  EXPECT_STREQ(reconcile::name(Method::kProportional), "proportional");
}

TEST(Reconcile, TheChannelsAddUpToTheReconciledTotal) {
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    const size_t n = 2 + seed % 5;
    std::vector<double> f(n), v(n);
    double sum = 0, v_sum = 0;
    for (size_t c = 0; c < n; ++c) {
      f[c] = 100 * fc::testing::uniform01(seed * 31 + c);
      v[c] = 0.1 + 10 * fc::testing::uniform01(seed * 37 + c);
      sum += f[c];
      v_sum += v[c];
    }
    const double total = 150 * fc::testing::uniform01(seed * 41),
                 total_v = 0.1 + 20 * fc::testing::uniform01(seed * 43);
    auto added = [](const std::vector<double>& g) {
      double s = 0;
      for (double x : g) s += x;
      return s;
    };
    EXPECT_NEAR(added(reconcile::step(Method::kProportional, f, v, total, total_v)), total, 1e-9);
    EXPECT_NEAR(added(reconcile::step(Method::kMintWls, f, v, total, total_v)),
                (total_v * sum + v_sum * total) / (total_v + v_sum), 1e-9);
    EXPECT_NEAR(added(reconcile::step(Method::kBottomUp, f, v, total, total_v)), sum, 1e-9);
  }
}

TEST(Reconcile, TheChoiceIsNeverWorseThanBottomUpOnTheBacktests) {
  using S = reconcile::Score;
  // Better on the total but worse on the channels: bottom-up stays.
  EXPECT_EQ(reconcile::choose({S{Method::kBottomUp, 0.7, 0.6}, S{Method::kMintWls, 0.71, 0.5}}),
            Method::kBottomUp);
  // Better on both: kept; the better of two such.
  EXPECT_EQ(reconcile::choose({S{Method::kBottomUp, 0.7, 0.6}, S{Method::kMintWls, 0.69, 0.5},
                               S{Method::kProportional, 0.7, 0.58}}),
            Method::kMintWls);
  // Equal: bottom-up.
  EXPECT_EQ(reconcile::choose({S{Method::kBottomUp, 0.7, 0.6}, S{Method::kMintWls, 0.7, 0.6}}),
            Method::kBottomUp);
  // Unknown scores are never chosen.
  EXPECT_EQ(
      reconcile::choose({S{Method::kBottomUp, 0.7, 0.6}, S{Method::kMintWls, std::nan(""), 0.1}}),
      Method::kBottomUp);
  for (uint64_t seed = 1; seed <= 500; ++seed) {
    std::vector<S> scores;
    for (size_t i = 0; i < 3; ++i)
      scores.push_back(S{reconcile::kMethods[i], fc::testing::uniform01(seed * 7 + i),
                         fc::testing::uniform01(seed * 11 + i)});
    const Method m = reconcile::choose(scores);
    const S& chosen = scores[static_cast<size_t>(m)];
    EXPECT_LE(chosen.channels, scores[0].channels) << "seed " << seed;
    EXPECT_LE(chosen.total, scores[0].total) << "seed " << seed;
  }
}

// Two channels and the total on three folds of 48 steps, one origin each, 24 steps ahead.
struct Folds {
  std::vector<double> y[3];  // a, b, total
  CandidateCv cv[3];
};
Folds three_folds() {
  Folds d;
  const size_t n = 24 * 8;  // origins at 96, 120 and 144
  for (size_t t = 0; t < n; ++t) {
    // Not a daily cycle alone, so that the seasonal differences the MASE scales by are not 0.
    const double a =
        10 + 5 * std::sin(static_cast<double>(t % 24) / 24 * 2 * M_PI) + static_cast<double>(t % 5);
    const double b = 30 + 10 * std::cos(static_cast<double>(t % 24) / 24 * 2 * M_PI) +
                     static_cast<double>(t % 7);
    d.y[0].push_back(a);
    d.y[1].push_back(b);
    d.y[2].push_back(a + b);
  }
  for (size_t k = 0; k < 3; ++k) {
    const size_t o = 24 * (4 + k);
    for (size_t s = 0; s < 3; ++s) {
      FoldPredictions fp;
      fp.origins.push_back(o);
      std::vector<double> p;
      // Errors of each series' own size: the channels off by +2 and -1 (alternating
      // sign for b), the total off by +3 on even steps and -3 on odd ones.
      for (size_t j = 0; j < 24; ++j) {
        const double e = s == 0 ? 2.0 : s == 1 ? (j % 2 ? -1.0 : 1.0) : (j % 2 ? -3.0 : 3.0);
        p.push_back(d.y[s][o + j] + e);
      }
      fp.forecasts.push_back(p);
      d.cv[s].predictions.push_back(fp);
    }
  }
  return d;
}

TEST(Reconcile, TheBacktestsBottomUpIsTheChannelsSumScored) {
  const Folds d = three_folds();
  const std::vector<reconcile::Score> scores = reconcile::backtest(
      {&d.cv[0], &d.cv[1]}, d.cv[2], {&d.y[0], &d.y[1], &d.y[2]}, 3, false, 24, 24);
  ASSERT_EQ(scores.size(), 3u);
  // Folds 1 and 2 are scored (fold 0 has no fold before it to weigh by).
  double a = 0, b = 0, total = 0;
  for (size_t k = 1; k < 3; ++k) {
    const size_t o = d.cv[0].predictions[k].origins[0];
    std::vector<double> sum(24);
    for (size_t j = 0; j < 24; ++j)
      sum[j] = d.cv[0].predictions[k].forecasts[0][j] + d.cv[1].predictions[k].forecasts[0][j];
    a += backtest_score(d.y[0], 0, o, d.cv[0].predictions[k].forecasts[0], 24).mase / 2;
    b += backtest_score(d.y[1], 0, o, d.cv[1].predictions[k].forecasts[0], 24).mase / 2;
    total += backtest_score(d.y[2], 0, o, sum, 24).mase / 2;
  }
  EXPECT_EQ(scores[0].method, Method::kBottomUp);
  EXPECT_NEAR(scores[0].channels, (a + b) / 2, 1e-12);
  EXPECT_NEAR(scores[0].total, total, 1e-12);
  // The proportional total is the total's base forecast, off by 3 at every step.
  EXPECT_EQ(scores[2].method, Method::kProportional);
  double base = 0;
  for (size_t k = 1; k < 3; ++k) {
    const auto& p = d.cv[2].predictions[k];
    base += backtest_score(d.y[2], 0, p.origins[0], p.forecasts[0], 24).mase / 2;
  }
  EXPECT_NEAR(scores[2].total, base, 1e-12);
  // MinT from the earlier folds' variances: a's squared error 4, b's 1, the total's 9;
  // the channels' sum is off by 3 or 1, the total by 3 or -3: d = -3 + ... worked out per
  // step, the reconciled total is (9 * sum + 5 * total) / 14.
  double mint = 0;
  for (size_t k = 1; k < 3; ++k) {
    const size_t o = d.cv[0].predictions[k].origins[0];
    std::vector<double> t(24);
    for (size_t j = 0; j < 24; ++j) {
      const double sum =
          d.cv[0].predictions[k].forecasts[0][j] + d.cv[1].predictions[k].forecasts[0][j];
      t[j] = (9 * sum + 5 * d.cv[2].predictions[k].forecasts[0][j]) / 14;
    }
    mint += backtest_score(d.y[2], 0, o, t, 24).mase / 2;
  }
  EXPECT_EQ(scores[1].method, Method::kMintWls);
  EXPECT_NEAR(scores[1].total, mint, 1e-12);
}

TEST(Reconcile, ATrainingReportsEachMethodOnItsBacktests) {
  std::ostringstream s;
  s << "timestamp,channel,leads\n";
  for (size_t i = 0; i < 24 * 40; ++i) {
    const double shape = 1 + 0.6 * std::sin((static_cast<double>(i % 24) - 6) / 24 * 2 * M_PI);
    s << time::format_timestamp(fc::testing::k2024 + static_cast<int64_t>(i) * 3600) << ",a,"
      << std::round(3 * shape + 2 * fc::testing::uniform01(i)) << "\n"
      << time::format_timestamp(fc::testing::k2024 + static_cast<int64_t>(i) * 3600) << ",b,"
      << std::round(40 * shape * (1 + 0.2 * fc::testing::uniform01(i * 3 + 1))) << "\n";
  }
  csv::Options o;
  o.source = "channels.csv";
  TrainOptions options;
  options.horizon = 48;
  options.folds = 4;  // the 3 backtest folds each have a fold before them
  options.params.num_iterations = 40;
  options.params.learning_rate = 0.1;
  options.by_channel = true;
  const TrainOutput out = train(series::build(csv::read(s.str(), o)), options);
  EXPECT_EQ(out.report.at("reconciliation"), "bottom_up");
  const auto& r = out.report.at("reconciliation_backtest");
  const std::string base = r.at("total_base");
  EXPECT_TRUE(base == "holt_winters" || base == "theta") << base;
  // Bottom-up's total on the backtests is the selected forecaster's total (their sum).
  const std::string selected = out.report.at("selected");
  for (const auto& c : out.report.at("comparison"))
    if (c.at("name") == selected)
      EXPECT_NEAR(r.at("mase").at("bottom_up").at("total").get<double>(),
                  c.at("backtest").at("mase").at("mean").get<double>(), 1e-9);
  // The pick is never worse than bottom-up on the channels or on the total.
  const auto& picked = r.at("mase").at(r.at("best").get<std::string>());
  EXPECT_LE(picked.at("channels").get<double>(),
            r.at("mase").at("bottom_up").at("channels").get<double>());
  EXPECT_LE(picked.at("total").get<double>(),
            r.at("mase").at("bottom_up").at("total").get<double>());
}

}  // namespace
}  // namespace fc::forecast::reconcile_test
