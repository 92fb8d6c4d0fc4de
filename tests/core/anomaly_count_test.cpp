// The count model: Poisson and negative-binomial tails worked out by hand, a one-hour
// collapse of leads flagged on leads and on CPL (cause: leads), a CPL spike from a tripled
// spend flagged at every history length from 21 days to two years, a collapse over hours
// flagged by its sum, an early burst that does not flag its hour every later day, and false
// alarms on Poisson noise within the binomial bound of the documented rate.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "../../core/src/anomaly/detector.hpp"
#include "funnelcast/anomaly/anomaly.hpp"

#include "test_support.hpp"

namespace {

using fc::testing::k2024;
using fc::testing::binomial_sf;

namespace anomaly = fc::anomaly;
namespace detail = fc::anomaly::detail;
using Series = fc::series::Series;


anomaly::Options whole_count(const std::string& method, const std::string& metric) {
  anomaly::Options o;
  o.method = method;
  o.metric = metric;
  o.lookback = anomaly::Span::intervals(0);
  return o;
}

// Hourly Poisson leads at `level` (times a daily cycle of +-`cycle`) for a steady spend of
// $10 a lead, from a fixed seed.
Series poisson_series(size_t hours, double level, double cycle, uint32_t seed) {
  std::mt19937 rng(seed);
  Series s;
  s.start = k2024;
  for (size_t i = 0; i < hours; ++i) {
    const double lam = level * (1 + cycle * std::sin(2 * M_PI * static_cast<double>(i % 24) / 24));
    std::poisson_distribution<int> pois(lam);
    s.leads.push_back(pois(rng));
    s.spend.push_back(10 * lam);
  }
  return s;
}

TEST(AnomalyCount, PoissonAndNegativeBinomialTailsByHand) {
  // Poisson(15): P(Y <= 0) = e^-15 = 3.0590e-7, P(Y <= 1) = 16 e^-15 = 4.8944e-6; the
  // two-sided p of 1 lead is twice that.
  const detail::CountTail pois(15, 1);
  EXPECT_NEAR(pois.below(0) / 3.0590232050182579e-7, 1, 1e-9);
  EXPECT_NEAR(pois.below(1) / 4.8944371280292127e-6, 1, 1e-9);
  EXPECT_NEAR(pois.p_value(1) / 9.7888742560584254e-6, 1, 1e-9);
  // P(Y >= 15) = 1 - P(Y <= 14) = 0.53434 (tables), so 15 leads are not unusual: p = 1.
  EXPECT_NEAR(pois.above(15), 0.5343, 1e-4);
  EXPECT_EQ(pois.p_value(15), 1.0);
  // Negative binomial, mean 15, variance 1.5 x 15: size r = 15 / 0.5 = 30, q = 15 / 45 = 1/3:
  // P(0) = (2/3)^30 = 5.2151e-6, P(1) = P(0) x 30 x 1/3 = 10 P(0), so P(Y <= 1) = 11 P(0).
  const detail::CountTail nb(15, 1.5);
  EXPECT_NEAR(nb.below(0) / 5.215095050846554e-6, 1, 1e-6);
  EXPECT_NEAR(nb.below(1) / (11 * 5.215095050846554e-6), 1, 1e-6);
  // The band at alpha = 5e-5 (2.5e-5 a side) for Poisson(15): P(Y <= 2) = 113.5 e^-15 =
  // 3.47e-5 > 2.5e-5 >= P(Y <= 1), so 2 is the lowest count not flagged.
  double lo, hi;
  pois.band(5e-5, lo, hi);
  EXPECT_EQ(lo, 2);
  // Far in the tail the p still falls (no floor at the stored range).
  const detail::CountTail big(200, 1);
  EXPECT_LT(big.p_value(400), 1e-30);
  EXPECT_GT(big.p_value(400), 0);
  EXPECT_EQ(big.p_value(200), 1.0);
  // The table-free p agrees with the tables.
  for (double y : {0.0, 1.0, 5.0, 15.0, 30.0, 40.0})
    EXPECT_NEAR(detail::count_p_value(15, 1.5, y) / nb.p_value(y), 1, 1e-9) << y;
  EXPECT_NEAR(detail::count_p_value(15, 1, 1), 9.7888742560584254e-6, 1e-15);
}

TEST(AnomalyCount, AOneHourCollapseOfLeadsIsFlaggedOnLeadsAndOnCplWithCauseLeads) {
  for (double collapsed : {0.0, 1.0}) {
    Series s = poisson_series(28 * 24, 15, 0, 7);
    const size_t at = 27 * 24 + 14;  // the last day, 2 p.m.
    s.leads[at] = collapsed;
    for (const char* m : {"count", "ensemble"}) {
      const anomaly::Result leads = anomaly::detect(s, whole_count(m, "leads"));
      EXPECT_EQ(leads.flagged[at], 1) << m << " leads=" << collapsed << " score " << leads.score[at];
      EXPECT_EQ(leads.direction[at], -1) << m;
      const anomaly::Result cpl = anomaly::detect(s, whole_count(m, "cpl"));
      EXPECT_EQ(cpl.flagged[at], 1) << m << " leads=" << collapsed << " score " << cpl.score[at];
      EXPECT_EQ(cpl.direction[at], 1) << m;  // CPL up (undefined at 0 leads, still judged)
      EXPECT_EQ(cpl.cause[at], anomaly::Cause::kQuantity) << m;
      EXPECT_EQ(collapsed == 0, std::isnan(cpl.value[at]));
      // Nothing else on that day is flagged.
      for (size_t i = 27 * 24; i < 28 * 24; ++i)
        if (i != at) EXPECT_EQ(leads.flagged[i], 0) << m << " at " << i;
    }
  }
}

TEST(AnomalyCount, ACplSpikeFromATripledSpendIsFlaggedFrom21DaysOfHistory) {
  for (size_t days : {21u, 28u, 60u, 120u, 730u}) {
    Series s = poisson_series(days * 24, 15, 0.5, static_cast<uint32_t>(days));
    const size_t at = (days - 1) * 24 + 12;
    // A bid gone wrong: three times the spend ($450 for the usual 15 leads, 45 expected for
    // that spend: Poisson P(Y <= 15 | 45) = 1.7e-7).
    s.spend[at] *= 3;
    s.leads[at] = 15;
    for (const char* m : {"count", "ensemble"}) {
      const anomaly::Result r = anomaly::detect(s, whole_count(m, "cpl"));
      EXPECT_EQ(r.flagged[at], 1) << m << " " << days << " days, score " << r.score[at];
      EXPECT_EQ(r.direction[at], 1) << m;
      EXPECT_EQ(r.cause[at], anomaly::Cause::kExposure) << m << " " << days << " days";
    }
  }
}

TEST(AnomalyCount, ACollapseOverHoursIsFlaggedByItsSumWhereNoHourIsAlone) {
  // Leads at a flat 15 an hour fall to 3 for four hours. One hour of 3: Poisson
  // P(Y <= 3 | 15) = 2.11e-4, two-sided 4.2e-4, far from 5e-5 (the model's dispersion,
  // >= 1, only widens it). Three hours of 3: P(S <= 9 | 45) = 7.4e-11 (Poisson), a sum the
  // count model judges with the dispersion of its own past sums: flagged by the third hour.
  Series s = poisson_series(28 * 24, 15, 0, 11);
  const size_t at = 27 * 24 + 10;
  for (size_t k = 0; k < 4; ++k) s.leads[at + k] = 3;
  EXPECT_NEAR(detail::count_p_value(15, 1, 3), 2 * 2.1138e-4, 1e-7);
  for (const char* m : {"count", "ensemble"}) {
    for (const char* metric : {"leads", "cpl"}) {
      const anomaly::Result r = anomaly::detect(s, whole_count(m, metric));
      EXPECT_EQ(r.flagged[at], 0) << m << " " << metric << " (the first hour alone)";
      EXPECT_EQ(r.flagged[at + 2] + r.flagged[at + 3], 2) << m << " " << metric;
      for (size_t i = 27 * 24; i < at; ++i)
        EXPECT_EQ(r.flagged[i], 0) << m << " " << metric << " at " << i;
    }
  }
}

TEST(AnomalyCount, AnIncidentBeforeTheFirstScoreDoesNotRaiseTheBarOfItsHourForever) {
  // A burst of 100 leads (usual 15) on day 1 at 6 a.m., before the model can judge it, puts
  // that hour's rate at (15 + 100) / 2 = 57.5 on day 2, where a usual 15 is an outlier
  // (Poisson P(Y <= 15 | 57.5) ~ 1e-11). Taken into later rates as what was expected, it
  // kept the rate there and flagged 6 a.m. on every later day (21 of 25 days measured);
  // clipped to 3 of its spread (57.5 - 3 sqrt(57.5 x 1.25) = 32), the usual hours pull
  // the rate back within days: a flag or two, none in the last two weeks.
  Series s = poisson_series(28 * 24, 15, 0, 5);
  s.leads[24 + 6] = 100;
  for (const char* m : {"count", "ensemble"}) {
    for (const char* metric : {"leads", "cpl"}) {
      const anomaly::Result r = anomaly::detect(s, whole_count(m, metric));
      size_t flags = 0, late = 0;
      for (size_t d = 3; d < 28; ++d) {
        flags += r.flagged[d * 24 + 6];
        if (d >= 14) late += r.flagged[d * 24 + 6];
      }
      EXPECT_LE(flags, 3u) << m << " " << metric;
      EXPECT_EQ(late, 0u) << m << " " << metric;
    }
  }
}

TEST(AnomalyCount, FalseAlarmsOnPoissonNoiseStayWithinTheDocumentedRate) {
  // 10,000 hours with nothing to find, at the default p <= 5e-5 an interval: the number of
  // flags is at most Binomial(10000, 5e-5) (mean 0.5); allow its 99.9% quantile, the
  // smallest k with P(X > k) < 1e-3.
  const size_t hours = 10000;
  const double alpha = 1 - anomaly::kDefaultScoreThreshold;
  size_t allowed = 0;
  while (binomial_sf(hours, alpha, allowed + 1) >= 1e-3) ++allowed;
  // By hand with Poisson(0.5): P(X >= 4) = 1 - e^-0.5 (1 + 0.5 + 0.125 + 0.0208) = 1.75e-3,
  // P(X >= 5) = 1.75e-3 - e^-0.5 0.5^4 / 24 = 1.7e-4: at most 4 flags.
  EXPECT_EQ(allowed, 4u);
  for (double level : {2.0, 15.0, 200.0}) {
    for (double cycle : {0.0, 0.6}) {
      if (fc::testing::kSanitized && cycle == 0.0 && level != 15.0) continue;  // 2 of the 6 there
      const Series s = poisson_series(hours, level, cycle, static_cast<uint32_t>(level * 10 + cycle * 10));
      for (const char* m : {"count", "ensemble"}) {
        for (const char* metric : {"leads", "cpl"}) {
          const anomaly::Result r = anomaly::detect(s, whole_count(m, metric));
          EXPECT_LE(r.count(), allowed)
              << m << " " << metric << " level " << level << " cycle " << cycle;
        }
      }
    }
  }
}

}  // namespace
