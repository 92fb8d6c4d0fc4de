// The one list of detectors: the single place they are chosen. methods() (the CLI's help,
// the page's selector), detect() and the ensemble's members all read it. A detector is a
// file of its own defining `extern const Detector kNameDetector` (detector.hpp) and one line
// here, in the order selectors show it (docs/recipes/detector.md).
// Detection runs once per request, not per row of a hot loop: in the browser bundle it is
// compiled for size (its templates from the standard library too).
#if defined(__EMSCRIPTEN__) && defined(__clang__)
#pragma clang attribute push(__attribute__((minsize)), apply_to = function)
#endif

#include "detector.hpp"

#define FC_ANOMALY_DETECTORS(X) \
  X(kZscoreDetector)            \
  X(kRobustDetector)            \
  X(kSeasonalDetector)          \
  X(kCountDetector)             \
  X(kResidualDetector)          \
  X(kIforestDetector)           \
  X(kEnsembleDetector)

namespace fc::anomaly::detail {

#define FC_DECLARE(d) extern const Detector d;
FC_ANOMALY_DETECTORS(FC_DECLARE)
#undef FC_DECLARE

const std::vector<const Detector*>& detectors() {
#define FC_ENTRY(d) &d,
  static const std::vector<const Detector*> kList = {FC_ANOMALY_DETECTORS(FC_ENTRY)};
#undef FC_ENTRY
  return kList;
}

const Detector* find_detector(const std::string& name) {
  for (const Detector* d : detectors())
    if (name == d->name) return d;
  return nullptr;
}

}  // namespace fc::anomaly::detail

#if defined(__EMSCRIPTEN__) && defined(__clang__)
#pragma clang attribute pop
#endif
