// A detector as a plug-in: what a selector shows (name, label, help, default threshold),
// what it needs, and one run function from the prepared input to a verdict per interval.
// The detectors are chosen in one place, detectors() in detector_list.cpp; methods(),
// detect() and the ensemble read that list, so a new detector is its own file plus one
// line there (docs/recipes/detector.md).
#pragma once
#include <map>
#include <string>
#include <vector>

#include "funnelcast/anomaly/anomaly.hpp"
#include "internal.hpp"

namespace fc::anomaly::detail {

class Context;

struct Detector {
  const char* name;   // "robust": the --method value
  const char* label;  // "Rolling median / MAD"
  const char* help;   // one line for --help and the page
  // The default threshold in the encoding of Options::threshold: a score (0.99995), or a
  // z above 1 (zscore's 2.5), so the default is the same number a user would type.
  double default_threshold = kDefaultScoreThreshold;
  // false: the score is the Gaussian tail of z, taken as it is, and an interval is flagged
  // when |z| exceeds the threshold's z (zscore, the reference); true: the tail probability
  // is calibrated on the series' own past and flagged when p <= 1 - threshold.
  bool calibrated = true;
  bool needs_forecasts = false;  // runs only with Options::forecasts (residual)
  bool ensemble_member = false;  // combined by the ensemble (with forecasts only if it needs them)
  // The ensemble's expected value and band come from the member with the highest rank that
  // has one at that interval; 0: never from this detector.
  int band_rank = 0;
  Track (*run)(Context& ctx) = nullptr;
  // Optional: refuses data the detector cannot judge (an fc::Error the user can act on).
  void (*check)(const Input& in) = nullptr;
  // Optional: what an interval needs to be scored, for the "not enough data" message
  // ("each needs ..."); nullptr: the baseline window's known values.
  std::string (*requirement)(const Params& params, const std::string& unit) = nullptr;
  // The ensemble's weight for this member in the Cauchy rule (normalised over the members
  // that scored the interval). The count model weighs kCountWeight: where it scores, its
  // tail dominates as much as all the others together do.
  double ensemble_weight = 1;
  // On counts and ratios of counts, where the count model scores an interval, the ensemble
  // leaves this member out: it judges the same deviation of the value with a model that is
  // not made for counts (a median and MAD of deviance residuals, calibrated on the series'
  // past extremes, which low counts such as 2 an hour make far too small).
  bool yields_to_count = false;
};
constexpr double kCountWeight = 3;

// The one list, in the order selectors show it.
const std::vector<const Detector*>& detectors();
// nullptr when no detector has that name.
const Detector* find_detector(const std::string& name);
// The list entry as the public API describes it (methods()).
MethodDef method_def(const Detector& d);

// What a run sees: the input, the parameters, the forecasts (empty when none were given)
// and the other detectors' verdicts on the same input, each run once when first asked for
// (iforest reads robust's and seasonal's; the ensemble its members').
class Context {
 public:
  Context(const Input& in, const Params& params, const Forecasts& forecasts)
      : in(in), params(params), forecasts(forecasts) {}
  const Input& in;
  const Params& params;
  const Forecasts& forecasts;
  const Track& track(const std::string& name);

 private:
  std::map<std::string, Track> done_;  // a map: references stay valid as it grows
};

// Runs one detector (from the list or not: tests run their own) as detect() runs the one
// Options::method names: options checked, the threshold applied inside the lookback, ratios
// explained by their parts. fc::Error as detect().
Result run_detector(const Detector& d, const Input& in, const Options& options);

}  // namespace fc::anomaly::detail
