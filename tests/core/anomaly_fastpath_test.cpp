// Fast paths of the detectors against their slow twins, which they must match bit for bit
// (the monitor's and anomalies' output stays byte-identical).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>

#include "../../core/src/anomaly/internal.hpp"
#include "funnelcast/anomaly/calibrate.hpp"

namespace {

// The plain bisection gaussian_two_sided_inverse skips most erfc calls of.
double fastpath_reference_inverse(double p) {
  if (!(p > 0)) return INFINITY;
  if (p >= 1) return 0;
  double lo = 0, hi = 40;
  for (int i = 0; i < 200 && hi - lo > 1e-13; ++i) {
    const double mid = (lo + hi) / 2;
    (fc::anomaly::gaussian_two_sided(mid) > p ? lo : hi) = mid;
  }
  return (lo + hi) / 2;
}

uint64_t fastpath_bits(double x) {
  uint64_t u;
  std::memcpy(&u, &x, sizeof u);
  return u;
}

TEST(AnomalyFastPath, GaussianTwoSidedInverseIsThePlainBisection) {
  uint64_t state = 12345;
  const auto uniform = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) * 0x1.0p-53;
  };
  size_t checked = 0;
  const auto check = [&](double p) {
    ASSERT_EQ(fastpath_bits(fc::anomaly::gaussian_two_sided_inverse(p)),
              fastpath_bits(fastpath_reference_inverse(p)))
        << p;
    ++checked;
  };
  for (double p : {1e-300, 1e-200, 1e-100, 1e-20, 1e-15, 1e-5, 0.01, 0.05, 0.3173, 0.5, 0.9,
                   0.999, 1 - 1e-12, 1 - 1e-16, 1.0, 0.0, 1e-320, 2.0})
    check(p);
  // Log-uniform over the whole range, uniform over (0, 1), and the values the bisection's
  // own midpoints give (where the predicate is closest to a tie).
  for (int i = 0; i < 20000; ++i) check(std::pow(10.0, -300 * uniform()));
  for (int i = 0; i < 20000; ++i) check(uniform());
  for (int i = 0; i < 2000; ++i) check(fc::anomaly::gaussian_two_sided(40 * uniform()));
  for (int i = 0; i < 2000; ++i) {
    const double p = fc::anomaly::gaussian_two_sided(8 * uniform());
    check(std::nextafter(p, 0.0));
    check(std::nextafter(p, 1.0));
  }
  EXPECT_EQ(checked, 46018u);
}

// Shared work is computed once per key while a scope is open, and only for the same data
// bit for bit and the same parameters; with no scope open, every call computes.
TEST(AnomalyFastPath, SharedWorkIsKeptOnlyForTheSameDataInAScope) {
  namespace detail = fc::anomaly::detail;
  fc::anomaly::Input a;
  a.kind = fc::anomaly::Kind::kCount;
  a.value = {1, 2, 3, NAN};
  fc::anomaly::Input b = a;
  b.name = "another name";  // names are not data
  fc::anomaly::Input c = a;
  c.value[1] = 2.0000000001;
  fc::anomaly::Input d = a;
  d.step = 60;
  int made = 0;
  const auto get = [&](const fc::anomaly::Input& in, size_t p) {
    return *detail::SharedWork::get<int>("fastpath-test", in, p, 0, 0, [&] { return ++made; });
  };
  EXPECT_EQ(get(a, 1), 1);
  EXPECT_EQ(get(a, 1), 2);  // no scope: computed again
  {
    const fc::anomaly::SharedWorkScope outer;
    EXPECT_EQ(get(a, 1), 3);
    {
      const fc::anomaly::SharedWorkScope inner;
      EXPECT_EQ(get(a, 1), 3);
      EXPECT_EQ(get(b, 1), 3);
    }
    EXPECT_EQ(get(a, 1), 3);  // the outer scope keeps it
    EXPECT_EQ(get(c, 1), 4);
    EXPECT_EQ(get(d, 1), 5);
    EXPECT_EQ(get(a, 2), 6);
    EXPECT_EQ(get(c, 1), 4);
  }
  EXPECT_EQ(get(a, 1), 7);  // closed: dropped
}

// replace(out, in) leaves the window as erase(out) then insert(in) do, bit for bit (ties,
// -0 and 0, values that are not in the window).
TEST(AnomalyFastPath, SortedWindowReplaceIsEraseThenInsert) {
  namespace detail = fc::anomaly::detail;
  uint64_t state = 99;
  const auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 33;
  };
  const double pool[] = {-0.0, 0.0, 1, 1, 2, -3.5, 7, 1e300, -1e-300, 2.5};
  for (int round = 0; round < 200; ++round) {
    detail::SortedWindow fast, slow;
    std::vector<double> in_window;
    const size_t n = next() % 40;
    for (size_t i = 0; i < n; ++i) {
      const double v = (next() % 3 == 0) ? pool[next() % 10] : static_cast<double>(next() % 1000) / 7;
      fast.insert(v);
      slow.insert(v);
      in_window.push_back(v);
    }
    for (int step = 0; step < 100; ++step) {
      const double out = !in_window.empty() && next() % 4 != 0 ? in_window[next() % in_window.size()]
                                                                 : pool[next() % 10];
      const double in = next() % 2 ? pool[next() % 10] : static_cast<double>(next() % 1000) / 7;
      fast.replace(out, in);
      slow.erase(out);
      slow.insert(in);
      ASSERT_EQ(fast.size(), slow.size());
      for (size_t k = 0; k < slow.size(); ++k)
        ASSERT_EQ(fastpath_bits(fast.values()[k]), fastpath_bits(slow.values()[k])) << round << " " << step;
      in_window = slow.values();
    }
  }
}

}  // namespace
