// The radix sort that orders each feature's sample for its bins against std::sort: the
// same values in the same order, to the bit, but for the order of -0 and +0 among
// themselves (see binning.hpp); models are compared byte for byte across versions.
#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "../../core/src/gbdt/binning.hpp"

namespace fc::gbdt {
namespace {

uint32_t bits(float x) {
  uint32_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

void expect_as_std_sort(std::vector<float> values) {
  std::vector<float> want = values;
  std::sort(want.begin(), want.end());
  detail::sort_finite(values);
  ASSERT_EQ(values.size(), want.size());
  for (size_t i = 0; i < values.size(); ++i) {
    if (want[i] == 0.0f) {
      EXPECT_EQ(values[i], 0.0f) << i;
    } else {
      EXPECT_EQ(bits(values[i]), bits(want[i])) << i;
    }
  }
}

TEST(GbdtBinningSort, OrdersAsStdSortDoes) {
  std::mt19937 rng(7);
  for (size_t n : {0u, 1u, 5u, 255u, 256u, 1000u, 50000u}) {
    std::vector<float> wide, counts, zeros;
    std::uniform_real_distribution<float> u(-1e6f, 1e6f);
    std::uniform_int_distribution<int> k(0, 40);
    for (size_t i = 0; i < n; ++i) {
      wide.push_back(u(rng) * (i % 3 == 0 ? 1e-30f : 1.0f));
      counts.push_back(static_cast<float>(k(rng)));
      const int pick = k(rng) % 6;
      zeros.push_back(pick == 0   ? -0.0f
                      : pick == 1 ? 0.0f
                      : pick == 2 ? FLT_MAX
                      : pick == 3 ? -FLT_MAX
                      : pick == 4 ? FLT_TRUE_MIN
                                  : -FLT_TRUE_MIN);
    }
    expect_as_std_sort(wide);
    expect_as_std_sort(counts);
    expect_as_std_sort(zeros);
  }
}

}  // namespace
}  // namespace fc::gbdt
