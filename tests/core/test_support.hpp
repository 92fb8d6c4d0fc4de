// Small values and formulas several test files use (one definition: the core tests are
// compiled in unity batches, where file-local copies of one name clash).
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "funnelcast/base/error.hpp"

namespace fc::testing {

// The message of the fc::Error that f throws, or "(no error)".
inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const fc::Error& e) {
    return e.what();
  }
  return "(no error)";
}

// The splitmix64 finalizer of a counter: deterministic noise, the same on every platform
// (std::normal_distribution is not).
inline uint64_t splitmix64(uint64_t i) {
  uint64_t z = i + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Uniform in (0, 1) from splitmix64(i).
inline double uniform01(uint64_t i) { return (static_cast<double>(splitmix64(i) >> 11) + 0.5) / 9007199254740992.0; }

constexpr int64_t k2024 = 1704067200;

// True in the sanitizer build (scripts/sanitize.sh: clang, AddressSanitizer), where the core
// runs 10-30x slower. The few tests that repeat heavy work many times (false-alarm rates over
// hundreds of thousands of hours, mutation loops, large files on several thread counts)
// run a share of it there: the code still runs under the sanitizers, and the release suite
// (ctest) keeps the full checks.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif
// `full`, or `sanitized` in the sanitizer build.
template <typename T>
constexpr T unless_sanitized(T full, T sanitized) {
  return kSanitized ? sanitized : full;
}  // 2024-01-01 00:00 UTC, a Monday

// P(X >= k) for X ~ Binomial(n, p): the chance of k or more false alarms in n checks.
inline double binomial_sf(size_t n, double p, size_t k) {
  double term = std::pow(1 - p, static_cast<double>(n)), cdf = 0;
  for (size_t j = 0; j < k; ++j) {
    cdf += term;
    term *= static_cast<double>(n - j) / static_cast<double>(j + 1) * p / (1 - p);
  }
  return 1 - cdf;
}

// ASCII text as UTF-16 or UTF-32 code units (no BOM), the way Excel's "Unicode text" and
// some exports write it.
inline std::string widen(const std::string& ascii, size_t width, bool little_endian) {
  std::string out;
  for (const char c : ascii) {
    std::string unit(width, '\0');
    unit[little_endian ? 0 : width - 1] = c;
    out += unit;
  }
  return out;
}

}  // namespace fc::testing
