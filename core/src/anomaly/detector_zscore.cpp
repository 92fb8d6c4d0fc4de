// zscore, the original dashboard's rule, kept as the reference: the mean and sample
// standard deviation of the known values of the baseline window before each interval,
// flagged at |z| > 2.5, its score the Gaussian tail, not calibrated.
// Detection runs once per request, not per row of a hot loop: in the browser bundle it is
// compiled for size (its templates from the standard library too).
#if defined(__EMSCRIPTEN__) && defined(__clang__)
#pragma clang attribute push(__attribute__((minsize)), apply_to = function)
#endif

#include <algorithm>
#include <cmath>

#include "detector.hpp"

namespace fc::anomaly::detail {
namespace {

Track run(Context& ctx) {
  const Input& in = ctx.in;
  const Params& prm = ctx.params;
  const size_t n = in.size();
  Track t;
  t.resize(n);
  const size_t b = prm.baseline;
  for (size_t i = 0; i < n; ++i) {
    const double x = in.value[i];
    if (!std::isfinite(x)) continue;
    // Two passes over the window: exact for the small windows the tests work out by
    // hand, and free of cancellation for large values.
    const size_t lo = i > b ? i - b : 0;
    double sum = 0;
    size_t count = 0;
    for (size_t j = lo; j < i; ++j)
      if (std::isfinite(in.value[j])) {
        sum += in.value[j];
        ++count;
      }
    if (count < prm.min_points || count < 2) continue;
    const double mean = sum / static_cast<double>(count);
    double ss = 0;
    for (size_t j = lo; j < i; ++j)
      if (std::isfinite(in.value[j])) ss += (in.value[j] - mean) * (in.value[j] - mean);
    const double sd = std::sqrt(ss / static_cast<double>(count - 1));
    const double floor = 1e-9 * std::max(1.0, std::fabs(mean));
    const double z = std::clamp((x - mean) / std::max(sd, floor), -kMaxZ, kMaxZ);
    t.expected[i] = mean;
    t.z[i] = z;
    t.p[i] = gaussian_two_sided(z);
    t.direction[i] = sign_of(z);
    t.lower[i] = mean - prm.z_threshold * sd;
    t.upper[i] = mean + prm.z_threshold * sd;
  }
  return t;
}

}  // namespace

extern const Detector kZscoreDetector = {
    "zscore",
    "Rolling z-score",
    "mean and standard deviation of the baseline window before each interval; |z| > 2.5 (the "
    "original rule)",
    /*default_threshold=*/kZscoreThreshold,
    /*calibrated=*/false,
    /*needs_forecasts=*/false,
    /*ensemble_member=*/false,
    /*band_rank=*/0,
    run,
};

}  // namespace fc::anomaly::detail

#if defined(__EMSCRIPTEN__) && defined(__clang__)
#pragma clang attribute pop
#endif
