// Drift: the KS statistic against a brute-force scan of both empirical CDFs, its
// p-value against the Kolmogorov distribution's table values and against the
// alternating series summed here; PSI against sums worked out by hand.
#include "funnelcast/drift/drift.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>
#include <vector>

#include "funnelcast/base/error.hpp"

namespace fc::drift {
namespace {

// max over every observed value x of |F_a(x) - F_b(x)|, each CDF by a full count.
double ks_by_scan(const std::vector<double>& a, const std::vector<double>& b) {
  std::set<double> xs;
  size_t na = 0, nb = 0;
  for (double v : a) {
    if (!std::isnan(v)) xs.insert(v), ++na;
  }
  for (double v : b) {
    if (!std::isnan(v)) xs.insert(v), ++nb;
  }
  double d = 0;
  for (double x : xs) {
    double ca = 0, cb = 0;
    for (double v : a) ca += v <= x;
    for (double v : b) cb += v <= x;
    d = std::max(d, std::fabs(ca / na - cb / nb));
  }
  return d;
}

TEST(Ks, ByHand) {
  // F_ref jumps at 1, 2, 3; F_cur at 2.5, 3.5, 4.5. At x = 2: 2/3 against 0.
  const Ks k = ks_two_sample({1, 2, 3}, {2.5, 3.5, 4.5});
  EXPECT_DOUBLE_EQ(k.statistic, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(k.p_value, kolmogorov_survival(std::sqrt(9.0 / 6.0) * 2.0 / 3.0));
  EXPECT_EQ(k.n_reference, 3u);
  // Ties across the samples are not split: {1, 2, 2} against {2, 2, 3}: at 2 both are
  // 1 and 2/3, at 1 it is 1/3 against 0 -> 1/3.
  EXPECT_DOUBLE_EQ(ks_two_sample({1, 2, 2}, {2, 2, 3}).statistic, 1.0 / 3.0);
  // Same sample: 0 and p-value 1; disjoint: 1.
  const Ks same = ks_two_sample({5, 1, 3}, {3, 5, 1});
  EXPECT_EQ(same.statistic, 0.0);
  EXPECT_EQ(same.p_value, 1.0);
  EXPECT_EQ(ks_two_sample({1, 2}, {3, 4, 5}).statistic, 1.0);
  // NaN left out; nothing left on one side -> NaN.
  const Ks nan = ks_two_sample({1, NAN, 2}, {NAN, 1, 2});
  EXPECT_EQ(nan.statistic, 0.0);
  EXPECT_EQ(nan.n_current, 2u);
  EXPECT_TRUE(std::isnan(ks_two_sample({NAN}, {1, 2}).statistic));
  EXPECT_TRUE(std::isnan(ks_two_sample({1}, {}).p_value));
}

TEST(Ks, StatisticMatchesAFullScanOnTiedRandomSamples) {
  std::mt19937 g(3);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<double> a(1 + g() % 60), b(1 + g() % 60);
    const int levels = 2 + static_cast<int>(g() % 15);
    for (double& v : a) v = g() % 9 == 0 ? NAN : static_cast<double>(g() % levels);
    for (double& v : b) v = g() % 9 == 0 ? NAN : static_cast<double>(g() % levels + g() % 2);
    const Ks k = ks_two_sample(a, b);
    if (std::isnan(k.statistic)) continue;
    EXPECT_NEAR(k.statistic, ks_by_scan(a, b), 1e-15) << trial;
  }
}

TEST(Ks, KolmogorovSurvivalTableValues) {
  // Critical values of the Kolmogorov distribution, P(K > t) = alpha:
  // 1.22385 -> 0.10, 1.35810 -> 0.05, 1.62762 -> 0.01, 1.94947 -> 0.001 (five
  // decimals, so the tail is known to a few 1e-6).
  EXPECT_NEAR(kolmogorov_survival(1.22385), 0.10, 3e-6);
  EXPECT_NEAR(kolmogorov_survival(1.35810), 0.05, 3e-6);
  EXPECT_NEAR(kolmogorov_survival(1.62762), 0.01, 3e-6);
  EXPECT_NEAR(kolmogorov_survival(1.94947), 0.001, 1e-7);
  // Q(1) = 0.2699996717, Q(0.5) = 0.9639452437 (also scipy.special.kolmogorov).
  EXPECT_NEAR(kolmogorov_survival(1.0), 0.26999967167735456, 1e-12);
  EXPECT_NEAR(kolmogorov_survival(0.5), 0.9639452436648751, 1e-12);
  EXPECT_EQ(kolmogorov_survival(0.0), 1.0);
  EXPECT_EQ(kolmogorov_survival(-1.0), 1.0);
  EXPECT_NEAR(kolmogorov_survival(0.1), 1.0, 1e-15);
  EXPECT_LT(kolmogorov_survival(6.0), 1e-30);
}

TEST(Ks, SurvivalMatchesTheAlternatingSeriesEverywhere) {
  // The implementation switches to the theta-function form below t = 1.18; the
  // alternating series, summed to 400 terms in long double, converges for t >= 0.3.
  for (double t = 0.3; t <= 3.0; t += 0.01) {
    long double s = 0;
    for (int j = 1; j <= 400; ++j) {
      const long double e = std::exp(-2.0L * j * j * t * t);
      s += (j % 2 ? e : -e);
    }
    EXPECT_NEAR(kolmogorov_survival(t), static_cast<double>(2 * s), 1e-13) << t;
  }
}

TEST(Psi, ByHand) {
  // Reference 1..10, 2 bins: the edge is the value at rank ceil(10 / 2) = 5 -> bins
  // (-inf, 5] and (5, +inf), 1/2 each. Current 1..8: 5/8 and 3/8.
  std::vector<double> ref, cur;
  for (int i = 1; i <= 10; ++i) ref.push_back(i);
  for (int i = 1; i <= 8; ++i) cur.push_back(i);
  const Psi p = psi_numeric(ref, cur, 2);
  ASSERT_EQ(p.bins.size(), 2u);
  EXPECT_EQ(p.bins[0].upper, 5.0);
  EXPECT_EQ(p.bins[0].label, "(-inf, 5]");
  EXPECT_EQ(p.bins[1].label, "(5, +inf)");
  EXPECT_EQ(p.bins[0].current_count, 5u);
  const double expected = (0.625 - 0.5) * std::log(1.25) + (0.375 - 0.5) * std::log(0.75);
  EXPECT_NEAR(p.value, expected, 1e-15);
  EXPECT_NEAR(p.bins[1].contribution, (0.375 - 0.5) * std::log(0.75), 1e-15);
  // Identical samples: 0.
  EXPECT_EQ(psi_numeric(ref, ref).value, 0.0);
}

TEST(Psi, EmptyBinsUseTheEpsilonAndMissingHasItsBin) {
  std::vector<double> ref;
  for (int i = 1; i <= 10; ++i) ref.push_back(i);
  // Everything in the lower bin: the upper one's share 0 counts as 1e-4.
  const Psi p = psi_numeric(ref, {1, 1, 1, 1}, 2);
  const double e = kPsiEpsilon;
  EXPECT_NEAR(p.value, (1.0 - 0.5) * std::log(2.0) + (e - 0.5) * std::log(e / 0.5), 1e-12);
  EXPECT_EQ(p.bins[1].current_share, 0.0);
  // Missing values: their own bin, shares over all rows. Reference 1..10 + 2 NaN (12
  // rows), current 1..4 and 7, 8 and 6 NaN (12 rows).
  std::vector<double> r2 = ref, c2 = {1, 2, 3, 4, 7, 8};
  r2.insert(r2.end(), {NAN, NAN});
  c2.insert(c2.end(), 6, NAN);
  const Psi m = psi_numeric(r2, c2, 2);
  ASSERT_EQ(m.bins.size(), 3u);
  EXPECT_EQ(m.bins[2].label, "(missing)");
  EXPECT_EQ(m.bins[2].reference_count, 2u);
  EXPECT_EQ(m.bins[2].current_count, 6u);
  const double want = (4.0 / 12 - 5.0 / 12) * std::log(4.0 / 5) +
                      (2.0 / 12 - 5.0 / 12) * std::log(2.0 / 5) +
                      (6.0 / 12 - 2.0 / 12) * std::log(6.0 / 2);
  EXPECT_NEAR(m.value, want, 1e-12);
}

TEST(Psi, QuantileEdgesGiveEqualReferenceBins) {
  // 1000 distinct values: ten bins of exactly 100.
  std::mt19937 g(9);
  std::vector<double> ref(1000);
  for (size_t i = 0; i < ref.size(); ++i) ref[i] = static_cast<double>(i) * 0.37 + (g() % 7) * 1e-3;
  std::shuffle(ref.begin(), ref.end(), g);
  const Psi p = psi_numeric(ref, ref);
  ASSERT_EQ(p.bins.size(), 10u);
  for (const PsiBin& b : p.bins) {
    EXPECT_EQ(b.reference_count, 100u);
    // Each bin holds exactly the values in (lower, upper].
    size_t in = 0;
    for (double v : ref) in += v > b.lower && v <= b.upper;
    EXPECT_EQ(in, 100u);
  }
  // Heavy ties collapse bins: a constant reference has one edge (its value), so new
  // values above it stand out.
  const Psi c = psi_numeric({5, 5, 5, 5}, {7, 7});
  ASSERT_EQ(c.bins.size(), 2u);
  EXPECT_GT(c.value, 1.0);
  EXPECT_EQ(psi_numeric({5, 5, 5, 5}, {5, 5}).value, 0.0);
  EXPECT_THROW(psi_numeric(ref, ref, 1), Error);
  EXPECT_TRUE(std::isnan(psi_numeric({}, {1.0}).value));
}

TEST(Psi, CategoricalLevelsUnseenAndMissing) {
  // Reference: a a b c (4); current: a b b x y "" (6): x, y unseen, "" missing.
  const Psi p = psi_categorical({"a", "a", "b", "c"}, {"a", "b", "b", "x", "y", ""});
  ASSERT_EQ(p.bins.size(), 5u);
  EXPECT_EQ(p.bins[0].label, "a");
  EXPECT_EQ(p.bins[3].label, "(unseen)");
  EXPECT_EQ(p.bins[3].current_count, 2u);
  EXPECT_EQ(p.bins[4].label, "(missing)");
  const double e = kPsiEpsilon;
  auto t = [](double ref, double cur) {
    ref = std::max(ref, kPsiEpsilon);
    cur = std::max(cur, kPsiEpsilon);
    return (cur - ref) * std::log(cur / ref);
  };
  const double want =
      t(0.5, 1.0 / 6) + t(0.25, 2.0 / 6) + t(0.25, e) + t(0, 2.0 / 6) + t(0, 1.0 / 6);
  EXPECT_NEAR(p.value, want, 1e-12);
  EXPECT_EQ(psi_categorical({"a", "b"}, {"b", "a"}).value, 0.0);
}

Column numeric(const std::string& name, const std::vector<double>& v) {
  Column c;
  c.name = name;
  c.type = ColumnType::kNumber;
  c.numbers = v;
  return c;
}

TEST(ColumnDrift, SeverityFollowsTheThresholds) {
  std::vector<double> ref, small_shift, big_shift;
  for (int i = 0; i < 20000; ++i) {
    const double u = (i + 0.5) / 20000;
    ref.push_back(u);
    small_shift.push_back(u + 0.03);
    big_shift.push_back(u * u);
  }
  const ColumnDrift none = column_drift(numeric("x", ref), numeric("x", ref));
  EXPECT_EQ(none.severity, Severity::kNone);
  EXPECT_EQ(none.reason, "");
  // Shift 0.03 of a uniform: bin 1 loses .03, the top bin gains .03 -> PSI ~ 0.019;
  // KS D = 0.03, sqrt(10000) * 0.03 = 3 -> p ~ 3e-8: moderate, from KS alone.
  const ColumnDrift ks_only = column_drift(numeric("x", ref), numeric("x", small_shift));
  EXPECT_NEAR(ks_only.psi.value, 0.03 * std::log(1.3) - 0.03 * std::log(0.7), 1e-3);
  EXPECT_NEAR(ks_only.ks.statistic, 0.03, 1e-4);
  EXPECT_EQ(ks_only.severity, Severity::kModerate);
  EXPECT_NE(ks_only.reason.find("KS"), std::string::npos);
  // u^2 piles up near 0: PSI far above 0.2.
  const ColumnDrift major = column_drift(numeric("x", ref), numeric("x", big_shift));
  EXPECT_GT(major.psi.value, 0.2);
  EXPECT_EQ(major.severity, Severity::kMajor);
  EXPECT_STREQ(to_string(major.severity), "major");
  // The thresholds are parameters: with a lax KS cut and a low PSI cut the small shift
  // is moderate by PSI alone.
  Thresholds th;
  th.ks_p_value = 0;
  th.psi_moderate = 0.01;
  const ColumnDrift by_psi = column_drift(numeric("x", ref), numeric("x", small_shift), th);
  EXPECT_EQ(by_psi.severity, Severity::kModerate);
  EXPECT_EQ(by_psi.reason.find("KS"), std::string::npos);
}

TEST(ColumnDrift, CategoricalColumnsMatchLevelsByText) {
  Column a, b;
  a.name = b.name = "source";
  a.type = b.type = ColumnType::kCategory;
  a.levels = {"ads", "seo"};
  a.codes = {0, 0, 1, 1, kMissingCode};
  b.levels = {"seo", "ads", "email"};  // another dictionary order, and a new level
  b.codes = {1, 1, 0, 0, 2};
  const ColumnDrift d = column_drift(a, b);
  EXPECT_TRUE(d.categorical);
  EXPECT_TRUE(std::isnan(d.ks.statistic));
  EXPECT_DOUBLE_EQ(d.missing_reference, 0.2);
  EXPECT_DOUBLE_EQ(d.missing_current, 0.0);
  // ads .4/.4, seo .4/.4, unseen 0/.2, missing .2/0.
  const double e = kPsiEpsilon;
  EXPECT_NEAR(d.psi.value, (0.2 - e) * std::log(0.2 / e) + (e - 0.2) * std::log(e / 0.2), 1e-12);
  EXPECT_EQ(d.severity, Severity::kMajor);

  Column t;
  t.name = "time";
  t.type = ColumnType::kTimestamp;
  EXPECT_THROW(column_drift(t, t), Error);
  EXPECT_THROW(column_drift(a, numeric("source", {1, 2})), Error);
}

}  // namespace
}  // namespace fc::drift
