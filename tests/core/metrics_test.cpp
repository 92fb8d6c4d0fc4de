// Metrics on vectors small enough to work out on paper; the working is in the comments.
#include "funnelcast/eval/metrics.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

#include "funnelcast/base/error.hpp"

namespace fc::metrics {
namespace {

const std::vector<double> kY = {1, 2, 3, 4};
const std::vector<double> kP = {1, 3, 2, 4};  // errors 0, -1, 1, 0

TEST(Metrics, ByHand) {
  EXPECT_DOUBLE_EQ(rmse(kY, kP), std::sqrt(0.5));  // sqrt(2 / 4)
  EXPECT_DOUBLE_EQ(mae(kY, kP), 0.5);              // 2 / 4
  // mean 2.5, SST = 2.25 + 0.25 + 0.25 + 2.25 = 5, SSE = 2
  EXPECT_DOUBLE_EQ(r2(kY, kP), 0.6);
  // terms 0, 1/2.5, 1/2.5, 0 -> 0.8 / 4
  EXPECT_DOUBLE_EQ(smape(kY, kP), 0.2);
  EXPECT_DOUBLE_EQ(rmse(kY, kY), 0.0);
  EXPECT_DOUBLE_EQ(r2(kY, kY), 1.0);
  // Predicting the mean everywhere explains nothing.
  EXPECT_DOUBLE_EQ(r2(kY, {2.5, 2.5, 2.5, 2.5}), 0.0);
}

TEST(Metrics, SmapeZerosAndRange) {
  // both zero -> 0; |0-2| / 1 = 2; |1-0| / 0.5 = 2  ->  4 / 3
  EXPECT_DOUBLE_EQ(smape({0, 0, 1}, {0, 2, 0}), 4.0 / 3.0);
  EXPECT_DOUBLE_EQ(smape({0, 0}, {0, 0}), 0.0);
  // Opposite signs reach the top of the 0..2 scale.
  EXPECT_DOUBLE_EQ(smape({1}, {-1}), 2.0);
}

TEST(Metrics, R2OfAConstantTarget) {
  EXPECT_EQ(r2({3, 3, 3}, {3, 3, 3}), 0.0);
  EXPECT_TRUE(std::isnan(r2({3, 3, 3}, {3, 4, 3})));
}

TEST(Metrics, MaseByHand) {
  const std::vector<double> train = {1, 3, 2, 5, 4, 6};
  // season 2: |2-1|, |5-3|, |4-2|, |6-5| = 1, 2, 2, 1 -> mean 1.5; MAE 0.5 -> 1/3
  EXPECT_DOUBLE_EQ(mase(kY, kP, train.data(), train.size(), 2), 0.5 / 1.5);
  // season 1: 2, 1, 3, 1, 2 -> mean 1.8
  EXPECT_DOUBLE_EQ(mase(kY, kP, train.data(), train.size(), 1), 0.5 / 1.8);
  // Too short for the season, or no seasonal difference at all: undefined.
  EXPECT_TRUE(std::isnan(mase(kY, kP, train.data(), 2, 2)));
  EXPECT_TRUE(std::isnan(mase(kY, kP, nullptr, 0, 24)));
  const std::vector<double> periodic = {1, 2, 1, 2, 1, 2};
  EXPECT_TRUE(std::isnan(mase(kY, kP, periodic.data(), periodic.size(), 2)));
  // A missing training hour drops the pairs it belongs to: 2-1 and 4-2 remain -> mean 1.5.
  const std::vector<double> gappy = {1, 3, 2, NAN, 4, 6};
  EXPECT_DOUBLE_EQ(mase(kY, kP, gappy.data(), gappy.size(), 2), 0.5 / 1.5);
  EXPECT_THROW(mase(kY, kP, train.data(), train.size(), 0), Error);
}

TEST(Metrics, RegressionBundlesAll) {
  const std::vector<double> train = {1, 3, 2, 5, 4, 6};
  const Regression r = regression(kY, kP, train.data(), train.size(), 2);
  EXPECT_DOUBLE_EQ(r.rmse, std::sqrt(0.5));
  EXPECT_DOUBLE_EQ(r.mae, 0.5);
  EXPECT_DOUBLE_EQ(r.r2, 0.6);
  EXPECT_DOUBLE_EQ(r.smape, 0.2);
  EXPECT_DOUBLE_EQ(r.mase, 1.0 / 3.0);
  const nlohmann::json j = to_json(r);
  EXPECT_DOUBLE_EQ(j.at("r2").get<double>(), 0.6);
  EXPECT_EQ(j.size(), 5u);
}

TEST(Metrics, SizeMismatchAndEmptyAreErrors) {
  EXPECT_THROW(rmse({1, 2}, {1}), Error);
  EXPECT_THROW(mae({}, {}), Error);
  EXPECT_THROW(r2({1}, {1, 2}), Error);
  EXPECT_THROW(smape({}, {}), Error);
  EXPECT_THROW(mase({1}, {}, nullptr, 0), Error);
  EXPECT_THROW(mean_std({}), Error);
  EXPECT_THROW(summarize({}), Error);
}

TEST(Metrics, NanPropagates) {
  EXPECT_TRUE(std::isnan(rmse({1, NAN}, {1, 2})));
  EXPECT_TRUE(std::isnan(mae({1, 2}, {1, NAN})));
  EXPECT_TRUE(std::isnan(r2({1, NAN}, {1, 2})));
}

TEST(Metrics, MeanStdByHand) {
  // mean 5; squared deviations 9+1+1+1+0+0+4+16 = 32; sample variance 32/7
  const MeanStd ms = mean_std({2, 4, 4, 4, 5, 5, 7, 9});
  EXPECT_DOUBLE_EQ(ms.mean, 5.0);
  EXPECT_DOUBLE_EQ(ms.std, std::sqrt(32.0 / 7.0));
  const MeanStd one = mean_std({3});
  EXPECT_EQ(one.mean, 3.0);
  EXPECT_EQ(one.std, 0.0);
}

TEST(Metrics, SummarizeFolds) {
  Regression a{1, 2, 0.5, 0.1, 0.8};
  Regression b{3, 4, NAN, 0.3, 1.2};
  const nlohmann::json s = summarize({a, b});
  EXPECT_DOUBLE_EQ(s["rmse"]["mean"].get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(s["rmse"]["std"].get<double>(), std::sqrt(2.0));  // deviations ±1, n-1 = 1
  EXPECT_DOUBLE_EQ(s["mae"]["mean"].get<double>(), 3.0);
  EXPECT_DOUBLE_EQ(s["smape"]["mean"].get<double>(), 0.2);
  EXPECT_DOUBLE_EQ(s["mase"]["mean"].get<double>(), 1.0);
  EXPECT_EQ(s["rmse"]["folds_used"].get<size_t>(), 2u);
  // The NaN fold is left out of r2's summary but kept (as null once written) in the list.
  EXPECT_DOUBLE_EQ(s["r2"]["mean"].get<double>(), 0.5);
  EXPECT_EQ(s["r2"]["std"].get<double>(), 0.0);
  EXPECT_EQ(s["r2"]["folds_used"].get<size_t>(), 1u);
  ASSERT_EQ(s["folds"].size(), 2u);
  EXPECT_DOUBLE_EQ(s["folds"][0]["rmse"].get<double>(), 1.0);
  const nlohmann::json reread = nlohmann::json::parse(s.dump());
  EXPECT_TRUE(reread["folds"][1]["r2"].is_null());

  Regression c{1, 1, NAN, 0, 0};
  const nlohmann::json all_nan = summarize({c});
  EXPECT_TRUE(nlohmann::json::parse(all_nan.dump())["r2"]["mean"].is_null());
}

// ---------------------------------------------------------------------------------
// Classification. Hand examples (the first ones are those in scikit-learn's own
// documentation, worked out again in the comments) and brute-force references written
// straight from the definitions, compared on random data with many ties.
// ---------------------------------------------------------------------------------

// AUC as the pair count it is defined as: every (positive, negative) pair, a win 1,
// a tie 1/2, weighted by the product of the two weights.
double auc_by_pairs(const std::vector<double>& y, const std::vector<double>& p,
                    const std::vector<double>& w) {
  double wins = 0, pairs = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    for (size_t j = 0; j < y.size(); ++j) {
      if (y[i] != 1 || y[j] != 0) continue;
      const double ww = (w.empty() ? 1.0 : w[i] * w[j]);
      pairs += ww;
      wins += ww * (p[i] > p[j] ? 1.0 : p[i] == p[j] ? 0.5 : 0.0);
    }
  }
  return wins / pairs;
}

// Average precision from the definition: at each distinct threshold t, from high to
// low, precision and recall of "p >= t" by a full scan; sum of recall steps * precision.
double ap_by_scan(const std::vector<double>& y, const std::vector<double>& p,
                  const std::vector<double>& w) {
  std::set<double, std::greater<double>> thresholds(p.begin(), p.end());
  double total_pos = 0;
  for (size_t i = 0; i < y.size(); ++i) total_pos += y[i] * (w.empty() ? 1 : w[i]);
  double ap = 0, prev_recall = 0;
  for (double t : thresholds) {
    double tp = 0, fp = 0;
    for (size_t i = 0; i < y.size(); ++i) {
      if (p[i] < t) continue;
      (y[i] == 1 ? tp : fp) += w.empty() ? 1 : w[i];
    }
    const double recall = tp / total_pos;
    if (recall > prev_recall) ap += (recall - prev_recall) * tp / (tp + fp);
    prev_recall = recall;
  }
  return ap;
}

struct Labelled {
  std::vector<double> y, p, w;
};

// Scores on a coarse grid so that ties are common; about 20% positives.
Labelled random_labelled(unsigned seed, size_t n, int levels = 12) {
  std::mt19937 g(seed);
  Labelled d;
  for (size_t i = 0; i < n; ++i) {
    const double y = g() % 5 == 0 ? 1.0 : 0.0;
    // Positives lean higher so the AUC is away from 1/2 but not perfect.
    const int level = static_cast<int>(g() % levels) + (y == 1 ? static_cast<int>(g() % 4) : 0);
    d.y.push_back(y);
    d.p.push_back(std::min(1.0, level / static_cast<double>(levels + 3)));
    d.w.push_back(static_cast<double>(1 + g() % 3));
  }
  if (std::count(d.y.begin(), d.y.end(), 1.0) == 0) d.y[0] = 1;
  if (std::count(d.y.begin(), d.y.end(), 0.0) == 0) d.y[1] = 0;
  return d;
}

// Each row repeated weight times: integer weights must count exactly like that.
Labelled repeat_by_weight(const Labelled& d) {
  Labelled r;
  for (size_t i = 0; i < d.y.size(); ++i) {
    for (int k = 0; k < static_cast<int>(d.w[i]); ++k) {
      r.y.push_back(d.y[i]);
      r.p.push_back(d.p[i]);
    }
  }
  return r;
}

TEST(Classification, ScikitLearnDocumentationExamples) {
  // roc_auc_score([0,0,1,1], [.1,.4,.35,.8]) = 0.75: pairs (pos, neg) won:
  // .35>.1, .8>.1, .8>.4 -> 3 of 4.
  EXPECT_DOUBLE_EQ(roc_auc({0, 0, 1, 1}, {0.1, 0.4, 0.35, 0.8}), 0.75);
  // average_precision_score(same) = 0.8333: thresholds .8 (P 1, R .5), .4 (P 2/3, R .5),
  // .35 (P 2/3, R 1), .1 -> .5 * 1 + .5 * 2/3.
  EXPECT_DOUBLE_EQ(average_precision({0, 0, 1, 1}, {0.1, 0.4, 0.35, 0.8}), 0.5 + 0.5 * 2.0 / 3.0);
  // log_loss(["spam","ham","ham","spam"], [[.1,.9],[.9,.1],[.8,.2],[.35,.65]]) = 0.21616:
  // -(ln .9 + ln .9 + ln .8 + ln .65) / 4.
  EXPECT_NEAR(log_loss({1, 0, 0, 1}, {0.9, 0.1, 0.2, 0.65}),
              -(2 * std::log(0.9) + std::log(0.8) + std::log(0.65)) / 4, 1e-15);
  EXPECT_NEAR(log_loss({1, 0, 0, 1}, {0.9, 0.1, 0.2, 0.65}), 0.21616187, 1e-8);
  // brier_score_loss([0,1,1,0], [.1,.9,.8,.3]) = (.01 + .01 + .04 + .09) / 4 = 0.0375.
  EXPECT_NEAR(brier({0, 1, 1, 0}, {0.1, 0.9, 0.8, 0.3}), 0.0375, 1e-15);
}

TEST(Classification, TiesCountOneHalf) {
  // All scores equal: every pair is a tie -> 1/2. One positive tied with one of two
  // negatives and above the other: (1 + 1/2) / 2.
  EXPECT_DOUBLE_EQ(roc_auc({0, 1, 0, 1}, {0.3, 0.3, 0.3, 0.3}), 0.5);
  EXPECT_DOUBLE_EQ(roc_auc({0, 1, 0}, {0.2, 0.5, 0.5}), 0.75);
  // Perfect and reversed ranking.
  EXPECT_DOUBLE_EQ(roc_auc({0, 0, 1}, {1, 2, 3}), 1.0);
  EXPECT_DOUBLE_EQ(roc_auc({0, 0, 1}, {3, 2, 1}), 0.0);
  // AP with everything tied: a single threshold, precision = base rate.
  EXPECT_DOUBLE_EQ(average_precision({0, 1, 0, 0}, {0.5, 0.5, 0.5, 0.5}), 0.25);
}

TEST(Classification, AucAndApMatchTheDefinitionsOnRandomData) {
  for (unsigned seed = 1; seed <= 30; ++seed) {
    const Labelled d = random_labelled(seed, 20 + seed * 7);
    EXPECT_NEAR(roc_auc(d.y, d.p), auc_by_pairs(d.y, d.p, {}), 1e-12) << seed;
    EXPECT_NEAR(roc_auc(d.y, d.p, d.w), auc_by_pairs(d.y, d.p, d.w), 1e-12) << seed;
    EXPECT_NEAR(average_precision(d.y, d.p), ap_by_scan(d.y, d.p, {}), 1e-12) << seed;
    EXPECT_NEAR(average_precision(d.y, d.p, d.w), ap_by_scan(d.y, d.p, d.w), 1e-12) << seed;
  }
}

TEST(Classification, IntegerWeightsCountLikeRepeatedRows) {
  for (unsigned seed = 1; seed <= 10; ++seed) {
    const Labelled d = random_labelled(seed, 40);
    const Labelled r = repeat_by_weight(d);
    EXPECT_NEAR(roc_auc(d.y, d.p, d.w), roc_auc(r.y, r.p), 1e-12);
    EXPECT_NEAR(average_precision(d.y, d.p, d.w), average_precision(r.y, r.p), 1e-12);
    EXPECT_NEAR(log_loss(d.y, d.p, d.w), log_loss(r.y, r.p), 1e-12);
    EXPECT_NEAR(brier(d.y, d.p, d.w), brier(r.y, r.p), 1e-12);
    const Confusion a = confusion(d.y, d.p, 0.4, d.w), b = confusion(r.y, r.p, 0.4);
    EXPECT_EQ(a.tp, b.tp);
    EXPECT_EQ(a.fp, b.fp);
    EXPECT_EQ(a.tn, b.tn);
    EXPECT_EQ(a.fn, b.fn);
  }
}

TEST(Classification, LogLossClipsAndBrierByHand) {
  // p = 0 for a positive would be infinite: clipped to 1e-15 -> -ln(1e-15) / 2.
  EXPECT_NEAR(log_loss({1, 0}, {0.0, 0.0}), -std::log(1e-15) / 2, 1e-9);
  EXPECT_NEAR(log_loss({1, 0}, {1.0, 0.0}), -std::log(1 - 1e-15), 1e-15);
  EXPECT_NEAR(log_loss({1}, {0.0}, {}, 1e-3), -std::log(1e-3), 1e-12);
  // Weighted: rows 3:1 -> (3 * 0.25 + 1 * 0.04) / 4.
  EXPECT_NEAR(brier({1, 0}, {0.5, 0.2}, {3, 1}), (3 * 0.25 + 0.04) / 4, 1e-15);
}

TEST(Classification, ConfusionAtAThresholdByHand) {
  // y  1    1    0    0    1    0
  // p .9   .5   .5   .2   .1   .7   threshold .5 (p >= .5 is positive)
  // -> tp 2 (.9, .5), fn 1 (.1), fp 2 (.5, .7), tn 1 (.2)
  const std::vector<double> y = {1, 1, 0, 0, 1, 0}, p = {0.9, 0.5, 0.5, 0.2, 0.1, 0.7};
  const Confusion c = confusion(y, p, 0.5);
  EXPECT_EQ(c.tp, 2);
  EXPECT_EQ(c.fn, 1);
  EXPECT_EQ(c.fp, 2);
  EXPECT_EQ(c.tn, 1);
  EXPECT_DOUBLE_EQ(c.accuracy(), 0.5);
  EXPECT_DOUBLE_EQ(c.precision(), 0.5);
  EXPECT_DOUBLE_EQ(c.recall(), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(c.f1(), 4.0 / 7.0);  // 2 tp / (2 tp + fp + fn)
  EXPECT_DOUBLE_EQ(accuracy(y, p, 0.5), 0.5);
  // Nothing predicted positive: precision undefined, recall 0, F1 0.
  const Confusion none = confusion(y, p, 0.95);
  EXPECT_TRUE(std::isnan(none.precision()));
  EXPECT_EQ(none.recall(), 0.0);
  EXPECT_EQ(none.f1(), 0.0);
  // No positives and none predicted: recall and F1 undefined too.
  const Confusion empty = confusion({0, 0}, {0.1, 0.2}, 0.5);
  EXPECT_TRUE(std::isnan(empty.recall()));
  EXPECT_TRUE(std::isnan(empty.f1()));
  EXPECT_EQ(empty.accuracy(), 1.0);
}

TEST(Classification, UndefinedIsNanAndBadInputIsAnError) {
  // One outcome only.
  EXPECT_TRUE(std::isnan(roc_auc({1, 1}, {0.2, 0.3})));
  EXPECT_TRUE(std::isnan(roc_auc({0, 0}, {0.2, 0.3})));
  EXPECT_TRUE(std::isnan(average_precision({0, 0}, {0.2, 0.3})));
  EXPECT_EQ(average_precision({1, 1}, {0.2, 0.3}), 1.0);
  // All weights zero.
  EXPECT_TRUE(std::isnan(roc_auc({0, 1}, {0.2, 0.3}, {0, 0})));
  EXPECT_TRUE(std::isnan(log_loss({0, 1}, {0.2, 0.3}, {0, 0})));
  // Bad input.
  EXPECT_THROW(roc_auc({}, {}), Error);
  EXPECT_THROW(roc_auc({0, 1}, {0.5}), Error);
  EXPECT_THROW(roc_auc({0, 2}, {0.5, 0.6}), Error);
  EXPECT_THROW(roc_auc({0, 1}, {0.5, NAN}), Error);
  EXPECT_THROW(average_precision({0, 1}, {0.5, 0.6}, {1}), Error);
  EXPECT_THROW(average_precision({0, 1}, {0.5, 0.6}, {1, -1}), Error);
  EXPECT_THROW(log_loss({0, 1}, {0.5, 1.5}), Error);
  EXPECT_THROW(brier({0, 1}, {-0.1, 0.5}), Error);
  EXPECT_THROW(confusion({0, 1}, {0.5, 0.6}, NAN), Error);
  EXPECT_THROW(calibration({0, 1}, {0.5, 0.6}, 0), Error);
  EXPECT_THROW(lift_rows({0, 1}, {0.5, 0.6}, {0.5, 0.2}), Error);
  EXPECT_THROW(lift_rows({0, 1}, {0.5, 0.6}, {0.0}), Error);
  EXPECT_THROW(threshold_for_top_share({0.5}, 1.5), Error);
  EXPECT_THROW(threshold_for_top_share({}, 0.5), Error);
  EXPECT_THROW(threshold_for_precision({0, 1}, {0.5, 0.6}, 1.2), Error);
  EXPECT_THROW(threshold_curve({0, 1}, {0.5, 0.6}, 1), Error);
  // Scores outside [0, 1] are fine where only the order matters.
  EXPECT_DOUBLE_EQ(roc_auc({0, 1}, {-3.0, 7.0}), 1.0);
}

TEST(Classification, CalibrationByHand) {
  // Bins of width .1: .05 and .08 -> bin 0; .15 -> 1; .95 and 1.0 -> 9 (closed at 1).
  const std::vector<double> y = {0, 1, 0, 1, 1}, p = {0.05, 0.08, 0.15, 0.95, 1.0};
  const auto bins = calibration(y, p);
  ASSERT_EQ(bins.size(), 10u);
  EXPECT_EQ(bins[0].count, 2u);
  EXPECT_DOUBLE_EQ(bins[0].mean_predicted, 0.065);
  EXPECT_DOUBLE_EQ(bins[0].observed_rate, 0.5);
  EXPECT_EQ(bins[1].count, 1u);
  EXPECT_DOUBLE_EQ(bins[1].observed_rate, 0.0);
  EXPECT_EQ(bins[9].count, 2u);
  EXPECT_DOUBLE_EQ(bins[9].mean_predicted, 0.975);
  EXPECT_DOUBLE_EQ(bins[9].observed_rate, 1.0);
  EXPECT_EQ(bins[5].count, 0u);
  EXPECT_TRUE(std::isnan(bins[5].mean_predicted));
  EXPECT_TRUE(std::isnan(bins[5].observed_rate));
  EXPECT_DOUBLE_EQ(bins[3].lower, 0.3);
  EXPECT_DOUBLE_EQ(bins[3].upper, 0.4);
}

TEST(Classification, CalibrationCountsMatchBinMembership) {
  std::mt19937 g(7);
  std::vector<double> y, p;
  for (int i = 0; i < 500; ++i) {
    // Away from the bin edges, where p * bins and [lower, upper) could disagree by an ulp.
    p.push_back((g() % 100) / 100.0 + 0.005);
    y.push_back(g() % 3 == 0);
  }
  const auto bins = calibration(y, p, 10);
  size_t total = 0;
  for (const auto& b : bins) {
    size_t count = 0;
    double pos = 0;
    for (size_t i = 0; i < p.size(); ++i) {
      if (p[i] >= b.lower && p[i] < b.upper) {
        ++count;
        pos += y[i];
      }
    }
    EXPECT_EQ(b.count, count);
    if (count) {
      EXPECT_NEAR(b.observed_rate, pos / count, 1e-12);
    }
    total += b.count;
  }
  EXPECT_EQ(total, p.size());
}

TEST(Classification, LiftByHandWithATie) {
  // Ten rows by score: .9(1) .8(1) .7(0) .6(1) .5(0) .5(1) .4(0) .3(0) .2(0) .1(0)
  // 3+1 = 4 positives, base rate .4.
  const std::vector<double> p = {0.5, 0.9, 0.1, 0.7, 0.5, 0.3, 0.8, 0.2, 0.6, 0.4};
  const std::vector<double> y = {1, 1, 0, 0, 0, 0, 1, 0, 1, 0};
  const auto rows = lift_rows(y, p, {0.2, 0.5, 1.0});
  ASSERT_EQ(rows.size(), 3u);
  // Top 2 rows: both positive -> precision 1, lift 2.5, gain .5.
  EXPECT_EQ(rows[0].contacted, 2u);
  EXPECT_DOUBLE_EQ(rows[0].positives, 2.0);
  EXPECT_DOUBLE_EQ(rows[0].lift, 2.5);
  EXPECT_DOUBLE_EQ(rows[0].gain, 0.5);
  // Top 5: .9 .8 .7 .6 and one of the two .5 rows (one positive of two): 3 + 1/2.
  EXPECT_EQ(rows[1].contacted, 5u);
  EXPECT_DOUBLE_EQ(rows[1].positives, 3.5);
  EXPECT_DOUBLE_EQ(rows[1].precision, 0.7);
  EXPECT_DOUBLE_EQ(rows[1].lift, 0.7 / 0.4);
  EXPECT_DOUBLE_EQ(rows[1].gain, 3.5 / 4);
  // Rows 3..5 add 1.5 positives in 3 rows.
  EXPECT_DOUBLE_EQ(rows[1].segment_precision, 0.5);
  EXPECT_DOUBLE_EQ(rows[1].segment_lift, 1.25);
  EXPECT_DOUBLE_EQ(rows[2].positives, 4.0);
  EXPECT_DOUBLE_EQ(rows[2].lift, 1.0);
  EXPECT_DOUBLE_EQ(rows[2].gain, 1.0);

  const LiftTable t = lift_table(y, p);
  EXPECT_EQ(t.rows, 10u);
  EXPECT_DOUBLE_EQ(t.base_rate, 0.4);
  ASSERT_EQ(t.deciles.size(), 10u);
  ASSERT_EQ(t.top.size(), 5u);
  EXPECT_EQ(t.top[0].contacted, 1u);  // 5% of 10 rounds to 1 (at least one row)
  EXPECT_DOUBLE_EQ(t.top[0].precision, 1.0);
  // Decile 5 on its own is the tied pair's first row: half a positive.
  EXPECT_DOUBLE_EQ(t.deciles[4].segment_precision, 0.5);
  EXPECT_DOUBLE_EQ(t.deciles[5].segment_precision, 0.5);
}

TEST(Classification, LiftDoesNotDependOnRowOrder) {
  const Labelled d = random_labelled(3, 137, 6);
  std::vector<size_t> perm(d.y.size());
  for (size_t i = 0; i < perm.size(); ++i) perm[i] = i;
  std::mt19937 g(11);
  std::shuffle(perm.begin(), perm.end(), g);
  std::vector<double> y2, p2;
  for (size_t i : perm) {
    y2.push_back(d.y[i]);
    p2.push_back(d.p[i]);
  }
  const LiftTable a = lift_table(d.y, d.p), b = lift_table(y2, p2);
  for (size_t k = 0; k < a.deciles.size(); ++k) {
    EXPECT_NEAR(a.deciles[k].positives, b.deciles[k].positives, 1e-12);
  }
  for (size_t k = 0; k < a.top.size(); ++k) {
    EXPECT_NEAR(a.top[k].positives, b.top[k].positives, 1e-12);
  }
  // The deciles' segments add up to all positives.
  double total = 0;
  size_t prev = 0;
  for (const auto& r : a.deciles) {
    total += r.segment_precision * static_cast<double>(r.contacted - prev);
    prev = r.contacted;
  }
  EXPECT_NEAR(total, a.positives, 1e-9);
}

TEST(Classification, ThresholdCurveMatchesAFullScanAtEveryPoint) {
  for (unsigned seed = 1; seed <= 5; ++seed) {
    const Labelled d = random_labelled(seed, 300, 40);
    const std::set<double> distinct(d.p.begin(), d.p.end());
    const auto full = threshold_curve(d.y, d.p, 100000);
    ASSERT_EQ(full.size(), distinct.size());
    for (const auto& pt : full) {
      const ThresholdPoint ref = at_threshold(d.y, d.p, pt.threshold);
      const Confusion c = confusion(d.y, d.p, pt.threshold);
      EXPECT_EQ(pt.contacted, ref.contacted);
      EXPECT_DOUBLE_EQ(pt.tp, c.tp);
      EXPECT_DOUBLE_EQ(pt.precision, c.precision());
      EXPECT_DOUBLE_EQ(pt.recall, c.recall());
      EXPECT_NEAR(pt.f1, c.f1(), 1e-15);
      EXPECT_DOUBLE_EQ(pt.share, (c.tp + c.fp) / d.y.size());
      const double base = (c.tp + c.fn) / d.y.size();
      EXPECT_NEAR(pt.lift, c.precision() / base, 1e-12);
    }
    // Thinned: at most 10 points, descending thresholds, the last contacts everyone.
    const auto thin = threshold_curve(d.y, d.p, 10);
    ASSERT_LE(thin.size(), 10u);
    ASSERT_GE(thin.size(), 5u);
    EXPECT_EQ(thin.back().contacted, d.y.size());
    for (size_t k = 1; k < thin.size(); ++k) EXPECT_LT(thin[k].threshold, thin[k - 1].threshold);
  }
}

TEST(Classification, ThresholdChoiceMatchesBruteForce) {
  for (unsigned seed = 1; seed <= 10; ++seed) {
    const Labelled d = random_labelled(seed, 200, 30);
    const std::set<double, std::greater<double>> distinct(d.p.begin(), d.p.end());
    // Best F1: the highest threshold among the maximal F1 values.
    double best_f1 = -1, best_t = NAN;
    for (double t : distinct) {
      const double f = confusion(d.y, d.p, t).f1();
      if (f > best_f1) {
        best_f1 = f;
        best_t = t;
      }
    }
    const ThresholdPoint b = best_f1_threshold(d.y, d.p);
    EXPECT_EQ(b.threshold, best_t);
    EXPECT_NEAR(b.f1, best_f1, 1e-15);
    // Lowest threshold with precision >= target.
    for (double target : {0.2, 0.3, 0.4, 0.6, 0.99}) {
      double lowest = NAN;
      for (double t : distinct) {
        if (confusion(d.y, d.p, t).precision() >= target) lowest = t;
      }
      const ThresholdPoint q = threshold_for_precision(d.y, d.p, target);
      if (std::isnan(lowest)) {
        EXPECT_TRUE(std::isnan(q.threshold)) << target;
      } else {
        EXPECT_EQ(q.threshold, lowest) << target;
        EXPECT_GE(q.precision, target);
      }
    }
    // Top share: the m-th highest score, contacting at least m rows.
    std::vector<double> sorted = d.p;
    std::sort(sorted.begin(), sorted.end(), std::greater<double>());
    for (double share : {0.05, 0.1, 0.25, 0.333, 1.0}) {
      const size_t m = std::max<size_t>(1, static_cast<size_t>(std::floor(share * 200 + 0.5)));
      const double t = threshold_for_top_share(d.p, share);
      EXPECT_EQ(t, sorted[m - 1]);
      EXPECT_GE(at_threshold(d.y, d.p, t).contacted, m);
    }
  }
  // No positives: no F1 to maximize; precision 1 unreachable.
  EXPECT_TRUE(std::isnan(best_f1_threshold({0, 0}, {0.1, 0.2}).threshold));
  EXPECT_TRUE(std::isnan(threshold_for_precision({0, 0, 1}, {0.9, 0.8, 0.1}, 1.0).threshold));
  EXPECT_EQ(threshold_for_precision({0, 0, 1}, {0.9, 0.8, 0.1}, 1.0 / 3).threshold, 0.1);
}

TEST(Classification, BundleAndSummary) {
  const std::vector<double> y = {1, 1, 0, 0, 1, 0}, p = {0.9, 0.5, 0.5, 0.2, 0.1, 0.7};
  const Classification c = classification(y, p, 0.5);
  EXPECT_DOUBLE_EQ(c.roc_auc, roc_auc(y, p));
  EXPECT_DOUBLE_EQ(c.pr_auc, average_precision(y, p));
  EXPECT_DOUBLE_EQ(c.log_loss, log_loss(y, p));
  EXPECT_DOUBLE_EQ(c.brier, brier(y, p));
  EXPECT_DOUBLE_EQ(c.base_rate, 0.5);
  EXPECT_DOUBLE_EQ(c.precision, 0.5);
  EXPECT_DOUBLE_EQ(c.recall, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(c.f1, 4.0 / 7.0);

  Classification a = c, b = c;
  a.roc_auc = 0.7;
  b.roc_auc = 0.9;
  b.precision = NAN;
  const nlohmann::json s = summarize_classification({a, b});
  EXPECT_DOUBLE_EQ(s["roc_auc"]["mean"].get<double>(), 0.8);
  EXPECT_NEAR(s["roc_auc"]["std"].get<double>(), std::sqrt(0.02), 1e-15);
  EXPECT_EQ(s["precision"]["folds_used"].get<size_t>(), 1u);
  EXPECT_EQ(s["folds"].size(), 2u);
  EXPECT_TRUE(nlohmann::json::parse(s.dump())["folds"][1]["precision"].is_null());
  EXPECT_THROW(summarize_classification({}), Error);
}

}  // namespace
}  // namespace fc::metrics
