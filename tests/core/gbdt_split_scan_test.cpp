// The numeric split scan against a plain reference: the scan as it was written before it
// screened candidates (every candidate through the full gain test, in scan order). The
// fast scan must choose the very same split, to the bit, on every histogram: models are
// compared byte for byte across versions.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "funnelcast/gbdt/params.hpp"

#include "../../core/src/gbdt/split.hpp"

namespace fc::gbdt {
namespace {

// The reference: one candidate at a time, every limit checked before the gain.
struct SpeedSplitReference {
  double g, h, c, lambda, min_data, min_hess, bar;
  double parent() const { return g * g / (h + lambda); }
  bool improves(double lg, double lh, double lc, detail::Split& out) {
    const double rg = g - lg, rh = h - lh, rc = c - lc;
    if (lc < min_data || rc < min_data) return false;
    if (lh < min_hess || rh < min_hess) return false;
    const double dl = lh + lambda, dr = rh + lambda;
    if (!(dl > 0) || !(dr > 0)) return false;
    const double num = lg * lg * dr + rg * rg * dl, den = dl * dr;
    if (!(num > (bar + parent()) * den)) return false;
    const double children = num / den;
    const double gain = children - parent();
    if (!(gain > bar) || !(gain > 1e-10 * children)) return false;
    bar = gain;
    out.gain = gain;
    out.lg = lg, out.lh = lh, out.lc = lc, out.rg = rg, out.rh = rh, out.rc = rc;
    return true;
  }
};

detail::Split speed_split_reference(uint32_t nb, const Params& p, const detail::LeafSums& leaf,
                                    const detail::HistBin* hist, int feature) {
  detail::Split out;
  const double min_data = std::max(1, p.min_data_in_leaf);
  SpeedSplitReference search{leaf.g, leaf.h, leaf.c, p.lambda_l2, min_data, p.min_sum_hessian_in_leaf,
                             p.min_gain_to_split};
  if (!(leaf.h + p.lambda_l2 > 0)) return out;
  const detail::HistBin& m = hist[nb];
  auto consider = [&](double lg, double lh, double lc, bool default_left, uint32_t b) {
    if (!search.improves(lg, lh, lc, out)) return;
    out.feature = feature;
    out.bin = b;
    out.default_left = default_left;
  };
  double lg = 0, lh = 0, lc = 0;
  if (m.c > 0) {
    for (uint32_t b = 0; b < nb && lc < leaf.c - m.c; ++b) {
      lg += hist[b].g, lh += hist[b].h, lc += hist[b].c;
      if (leaf.c - lc < min_data) break;
      if (lc == 0) continue;
      consider(lg, lh, lc, false, b);
      consider(lg + m.g, lh + m.h, lc + m.c, true, b);
    }
  } else {
    for (uint32_t b = 0; b + 1 < nb; ++b) {
      lg += hist[b].g, lh += hist[b].h, lc += hist[b].c;
      if (leaf.c - lc < min_data) break;
      consider(lg, lh, lc, lh >= leaf.h - lh, b);
    }
  }
  return out;
}

bool same_split(const detail::Split& a, const detail::Split& b) {
  return std::memcmp(&a.gain, &b.gain, sizeof a.gain) == 0 && a.feature == b.feature && a.bin == b.bin &&
         a.default_left == b.default_left && a.categorical == b.categorical &&
         std::memcmp(&a.lg, &b.lg, 6 * sizeof(double)) == 0;
}

// A small deterministic generator (splitmix64), so the cases are the same everywhere.
struct SpeedSplitRng {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  size_t below(size_t n) { return static_cast<size_t>(next() % n); }
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
};

TEST(SpeedSplitScan, EqualsTheReferenceOnRandomHistograms) {
  // Sparse and dense leaves, with and without missing rows, unit and varying hessians
  // (squared error, Poisson-like), a trend in the gradients so the gain rises and falls
  // (many new bests in a row) or whole gradients (ties), several limits and lambdas. The mask, when given, is the
  // occupied set or a superset of it.
  SpeedSplitRng rng{11};
  size_t found = 0, with_missing_left = 0;
  for (int trial = 0; trial < 9000; ++trial) {
    const uint32_t nb = 2 + static_cast<uint32_t>(rng.below(254));
    std::vector<detail::HistBin> hist(nb + 1, detail::HistBin{0, 0, 0});
    uint64_t occupied[4] = {0, 0, 0, 0}, superset[4] = {0, 0, 0, 0};
    const size_t rows = 1 + rng.below(trial % 3 == 0 ? 600 : 160);
    const bool missing = rng.below(4) == 0;
    const bool unit = rng.below(2) == 0;
    const double slope = rng.unit() * 4 - 2, noise = 0.1 + rng.unit() * 3;
    const bool integral = trial % 3 == 1;
    detail::LeafSums leaf{0, 0, 0};
    for (size_t r = 0; r < rows; ++r) {
      const uint32_t b = missing && rng.below(6) == 0 ? nb : static_cast<uint32_t>(rng.below(nb));
      // A third of the cases take small whole gradients: many candidates then tie or
      // nearly tie, where a screen rounding differently from the full test would show.
      const double g = integral ? static_cast<double>(rng.below(3)) - 1.0
                                : slope * (static_cast<double>(b) / nb - 0.5) + noise * (rng.unit() - 0.5);
      const double h = unit ? 1.0 : 0.05 + rng.unit() * 3;
      hist[b].g += g, hist[b].h += h, hist[b].c += 1;
      occupied[b >> 6] |= uint64_t{1} << (b & 63u);
    }
    for (uint32_t b = 0; b <= nb; ++b) {
      leaf.g += hist[b].g, leaf.h += hist[b].h, leaf.c += hist[b].c;
    }
    for (int w = 0; w < 4; ++w) superset[w] = occupied[w] | rng.next();
    Params p;
    p.min_data_in_leaf = static_cast<int>(rng.below(4) == 0 ? 1 : rng.below(30));
    p.lambda_l2 = rng.below(3) == 0 ? 0.0 : rng.unit() * 5;
    p.min_sum_hessian_in_leaf = rng.below(3) == 0 ? 0.0 : rng.unit() * 4;
    p.min_gain_to_split = rng.below(4) == 0 ? rng.unit() : 0.0;
    detail::FeatureBins bins;
    bins.nb = nb;
    const detail::Split want = speed_split_reference(nb, p, leaf, hist.data(), 5);
    for (const uint64_t* mask : {static_cast<const uint64_t*>(nullptr), static_cast<const uint64_t*>(occupied),
                                 static_cast<const uint64_t*>(superset)}) {
      detail::Split got;
      detail::find_best_split(bins, p, leaf, hist.data(), 5, got, mask);
      ASSERT_TRUE(same_split(want, got)) << "trial " << trial << " nb " << nb << " rows " << rows
                                         << " mask " << (mask != nullptr) << ": gain " << want.gain
                                         << " bin " << want.bin << " against gain " << got.gain << " bin "
                                         << got.bin;
    }
    found += want.valid();
    with_missing_left += want.valid() && want.default_left;
  }
  // The cases exercise both outcomes.
  EXPECT_GT(found, 3000u);
  EXPECT_GT(with_missing_left, 300u);
}

TEST(SpeedSplitScan, EqualsTheReferenceWithNonFiniteSums) {
  // Infinite and NaN gradient or hessian sums (an overflowing Poisson score): the screen
  // must reject nothing the full test would take.
  SpeedSplitRng rng{23};
  const double specials[] = {std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
                             std::numeric_limits<double>::quiet_NaN(), 1e300, -1e300, 0.0};
  for (int trial = 0; trial < 3000; ++trial) {
    const uint32_t nb = 2 + static_cast<uint32_t>(rng.below(60));
    std::vector<detail::HistBin> hist(nb + 1, detail::HistBin{0, 0, 0});
    for (uint32_t b = 0; b < nb; ++b) {
      if (rng.below(3) == 0) continue;
      hist[b] = {rng.unit() * 2 - 1, rng.unit() + 0.01, static_cast<double>(1 + rng.below(5))};
      if (rng.below(20) == 0) hist[b].g = specials[rng.below(6)];
      if (rng.below(20) == 0) hist[b].h = specials[rng.below(6)];
    }
    detail::LeafSums leaf{0, 0, 0};
    for (uint32_t b = 0; b <= nb; ++b) leaf.g += hist[b].g, leaf.h += hist[b].h, leaf.c += hist[b].c;
    Params p;
    p.min_data_in_leaf = 1 + static_cast<int>(rng.below(4));
    p.lambda_l2 = rng.below(2) == 0 ? 0.0 : 1.0;
    p.min_sum_hessian_in_leaf = rng.below(2) == 0 ? 0.0 : 0.5;
    detail::FeatureBins bins;
    bins.nb = nb;
    const detail::Split want = speed_split_reference(nb, p, leaf, hist.data(), 2);
    detail::Split got;
    detail::find_best_split(bins, p, leaf, hist.data(), 2, got, nullptr);
    ASSERT_TRUE(same_split(want, got)) << "trial " << trial;
  }
}

}  // namespace
}  // namespace fc::gbdt
