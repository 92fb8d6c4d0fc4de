// Making the channels' forecasts add up to a forecast of the total (issue 16): bottom-up
// (the total is the channels' sum), MinT with a diagonal W (WLS: the gap between a base
// forecast of the total and the channels' sum shared out in proportion to each series'
// error variance) and top-down by forecast proportions; and their scores on the
// backtests of a by-channel training, so a method is only kept where it beats bottom-up.
#pragma once
#include <string>
#include <vector>

#include "funnelcast/forecast/cv.hpp"

namespace fc::forecast::reconcile {

enum class Method { kBottomUp, kMintWls, kProportional };
inline constexpr Method kMethods[] = {Method::kBottomUp, Method::kMintWls, Method::kProportional};
const char* name(Method m);  // "bottom_up", "mint_wls", "proportional"

// One step: the channels' base forecasts and their error variances, the total's base
// forecast and variance. Returns the channels reconciled; the total is their sum.
//   bottom_up:    the channels as they are
//   mint_wls:     channel c gets v_c / (v_T + sum v) of d = total - sum of the channels
//                 (the MinT/WLS solution with one level of aggregation; unknown or
//                 non-positive variances leave the channels as they are)
//   proportional: the total split in the proportions of the channels' forecasts (equal
//                 shares when they sum to 0 or less)
std::vector<double> step(Method m, const std::vector<double>& channels,
                         const std::vector<double>& variances, double total, double total_variance);

// A method's mean backtest MASE: over the channels (each channel's mean over the
// origins, then their mean) and of the total.
struct Score {
  Method method;
  double channels = 0, total = 0;
};

// Each method on the backtests of a by-channel training: the channels' base forecasts
// (one CandidateCv each, the forecaster kept) and the total's (a forecaster of the total
// alone), on the same folds and origins, and the series' values (y: channels, then the
// total). The variances that weigh fold k's origins come from the folds before k only
// (the squared errors scaled as the intervals scale them, per bucket of steps), never
// from the origins being scored; a fold with no fold before it is not scored.
std::vector<Score> backtest(const std::vector<const CandidateCv*>& channels,
                            const CandidateCv& total,
                            const std::vector<const std::vector<double>*>& y, size_t folds,
                            bool counts, size_t bucket_steps, size_t scale_lag);

// The method kept: among those no worse than bottom-up on the channels and on the
// total, the lowest sum of the two; bottom-up when none is strictly better.
Method choose(const std::vector<Score>& scores);

}  // namespace fc::forecast::reconcile
