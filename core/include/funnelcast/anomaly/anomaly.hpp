// Anomaly detection on an hourly metric (CPL by default). The rolling z-score
// compares each hour with the mean and standard deviation of the `baseline`
// hours before it; hours in the last `lookback` hours with |z| > threshold are flagged.
// The robust variant uses the median and 1.4826 x MAD instead, so one earlier outlier
// in the baseline does not mask the next. Missing (NaN) hours are never scored.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "funnelcast/series/series.hpp"

namespace fc::anomaly {

struct Options {
  std::string metric = "cpl";    // cpl, leads, spend, revenue, roi, conversion (needs clicks)
  std::string method = "zscore"; // zscore, robust (more detectors join later)
  double threshold = 2.5;
  int lookback_hours = 14 * 24;  // hours at the end that are checked; 0 = whole series
  int baseline_hours = 7 * 24;   // trailing window for mean and std (excludes the hour itself)
  int min_baseline_points = 24;  // fewer non-missing points in the baseline: no score
};

struct Result {
  std::string metric, method;
  int64_t start = 0;             // epoch seconds of index 0 (same grid as the series)
  std::vector<double> value;     // the metric per hour (NaN = missing)
  std::vector<double> expected;  // baseline mean, or median for robust (NaN where not scored)
  std::vector<double> score;     // z-score, |z| capped at 1e6 (NaN where not scored)
  std::vector<uint8_t> flagged;  // 1 = anomaly
  size_t checked_from = 0;       // first index inside the lookback
  size_t count() const;
};

// The metric as an hourly vector from the series; fc::Error when the data lacks it.
std::vector<double> metric_values(const series::HourlySeries& s, const std::string& metric);
// fc::Error on an unknown method or metric (listing the valid ones) and on options
// that cannot work (threshold <= 0, baseline_hours < 2, min points > baseline).
Result detect(const series::HourlySeries& s, const Options& options = {});

}  // namespace fc::anomaly
