// The calibrator's tail shrunk toward the model (TailCalibrator::set_prior): beyond the
// threshold u, ln p falls linearly in r with slope 1 / beta, so beta can be read back from
// two p-values and checked against (w prior + k beta_hat) / (w + k), k the values above u.
#include <gtest/gtest.h>

#include <cmath>

#include "funnelcast/anomaly/calibrate.hpp"

namespace {

using fc::anomaly::TailCalibrator;

// The tail's scale from two p-values beyond u: ln p(r1) - ln p(r2) = (r2 - r1) / beta.
double scale_of(const TailCalibrator& c, double r1, double r2) {
  return (r2 - r1) / std::log(c.p_value(r1) / c.p_value(r2));
}

TEST(AnomalyTailPrior, TheTailScaleIsShrunkTowardTheModelByTheWeightOfItsValues) {
  // 0, 10, 20, ..., 990: 100 values 10 apart (far wider than the bins). The tail is the
  // largest max(10, 2% of 100) = 10 values (900..990) above the 11th largest; without a
  // prior its scale is the median excess over ln 2, of the order of 50 / ln 2 = 72.
  TailCalibrator plain(30), shrunk(30), model(30);
  shrunk.set_prior(1, 20);
  model.set_prior(1, 1e12);
  for (int i = 0; i < 100; ++i) {
    plain.add(10.0 * i);
    shrunk.add(10.0 * i);
    model.add(10.0 * i);
  }
  const double r1 = 2000, r2 = 2100;  // beyond everything seen
  const double b0 = scale_of(plain, r1, r2), b = scale_of(shrunk, r1, r2);
  EXPECT_GT(b0, 40);
  EXPECT_LT(b0, 100);
  // (20 x 1 + 10 b0) / (20 + 10): the prior of weight 20 against the 10 tail values.
  EXPECT_NEAR(b, (20 + 10 * b0) / 30, 1e-6 * b0);
  // An overwhelming prior gives the model's own tail: p falls by e per unit of surprise
  // (nearer to u, where e^-(r - u) does not underflow).
  EXPECT_NEAR(scale_of(model, 1000, 1010), 1, 1e-6);
  // Below u the p-value is the conformal rank, which no prior changes: 450 has 55 values
  // at or above it (450..990), p = 56 / 101.
  EXPECT_DOUBLE_EQ(shrunk.p_value(450), plain.p_value(450));
  EXPECT_NEAR(plain.p_value(450), 56.0 / 101, 1e-12);
  // No p before the history: 30 values.
  TailCalibrator young(30);
  young.set_prior(1, 20);
  for (int i = 0; i < 29; ++i) young.add(i);
  EXPECT_TRUE(std::isnan(young.p_value(5)));
  young.add(29);
  EXPECT_FALSE(std::isnan(young.p_value(5)));
}

}  // namespace
