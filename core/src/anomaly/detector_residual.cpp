// residual: (x - forecast) / sigma, sigma from the forecast's prediction interval (its
// half-width on the side of the deviation over 1.96 for a 95% interval). The forecasts are
// made outside this module (core/layers.txt: anomaly never includes forecast) and passed in
// as arrays, each from the data before its interval.
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
  const Forecasts& f = ctx.forecasts;
  const size_t n = in.size();
  Track t;
  t.resize(n);
  const double q = gaussian_two_sided_inverse(1 - f.level);  // 1.96 for 95%
  Calibrated cal(ctx.params.alpha, true, ctx.params.bands);
  for (size_t i = 0; i < n; ++i) {
    const double x = in.value[i], m = f.mean[i];
    if (!std::isfinite(x) || !std::isfinite(m) || std::isnan(f.lower[i]) || std::isnan(f.upper[i]))
      continue;
    const double floor = 1e-9 * std::max(1.0, std::fabs(m));
    const double up = std::max((f.upper[i] - m) / q, floor);
    const double down = std::max((m - f.lower[i]) / q, floor);
    const double z = std::clamp(x >= m ? (x - m) / up : (x - m) / down, -kMaxZ, kMaxZ);
    double p;
    const double c = cal.judge(z, p);
    t.expected[i] = m;
    if (!std::isnan(c)) {
      t.upper[i] = m + c * up;
      t.lower[i] = m - c * down;
    }
    t.z[i] = z;
    t.p[i] = p;
    t.direction[i] = sign_of(z);
  }
  return t;
}

std::string requirement(const Params&, const std::string&) {
  return "each needs a forecast";
}

}  // namespace

extern const Detector kResidualDetector = {
    "residual",
    "Forecast residual",
    "outside the prediction interval of a forecast made from the data before each interval",
    /*default_threshold=*/kDefaultScoreThreshold,
    /*calibrated=*/true,
    /*needs_forecasts=*/true,
    /*ensemble_member=*/true,
    /*band_rank=*/3,
    run,
    nullptr,
    requirement,
};

}  // namespace fc::anomaly::detail

#if defined(__EMSCRIPTEN__) && defined(__clang__)
#pragma clang attribute pop
#endif
