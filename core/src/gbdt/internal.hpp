// Pieces shared by the gbdt sources but not part of the public API: the seeded
// random generator and exp/log (the platform-independent ones from base/, so the same
// seed gives the same model natively and in wasm), and the raw-score transform.
#pragma once

#include "funnelcast/base/math.hpp"
#include "funnelcast/base/random.hpp"
#include "funnelcast/gbdt/params.hpp"

namespace fc::gbdt::detail {

using Rng = fc::random::Rng;
using fc::math::exp;
using fc::math::log;

inline double transform_raw(Objective objective, double raw) {
  switch (objective) {
    case Objective::kPoisson:
      return detail::exp(raw);
    case Objective::kBinary:
      return 1.0 / (1.0 + detail::exp(-raw));
    case Objective::kSquaredError:
      break;
  }
  return raw;
}

}  // namespace fc::gbdt::detail
