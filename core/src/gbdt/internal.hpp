// Pieces shared by the gbdt sources but not part of the public API: the seeded
// random generator and exp/log (the platform-independent ones from base/, so the same
// seed gives the same model natively and in wasm).
#pragma once

#include "funnelcast/base/math.hpp"
#include "funnelcast/base/random.hpp"

namespace fc::gbdt::detail {

using Rng = fc::random::Rng;
using fc::math::exp;
using fc::math::log;

}  // namespace fc::gbdt::detail
