// Anomaly detection on a metric of the registry (CPL by default) over a regular
// series of any interval. The rolling z-score compares each interval with the mean
// and standard deviation of the `baseline` hours before it; intervals in the last
// `lookback` hours with |z| > threshold are flagged. The robust variant uses the
// median and 1.4826 x MAD instead, so one earlier outlier in the baseline does not
// mask the next. Missing (NaN) intervals are never scored nor part of a baseline.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "funnelcast/series/series.hpp"

namespace fc::anomaly {

struct Options {
  std::string metric = "cpl";    // any metric of the registry (schema::metrics())
  std::string method = "zscore"; // zscore, robust (more detectors join later)
  double threshold = 2.5;
  int lookback_hours = 14 * 24;  // hours at the end that are checked; 0 = whole series
  int baseline_hours = 7 * 24;   // trailing window for mean and std (excludes the interval itself)
  // Fewer non-missing values in the baseline: no score. 0 = automatic: a seventh of the
  // baseline's intervals, at least 3 (24 of a week of hours; 3 of a day of hours).
  int min_baseline_points = 0;
};

struct Result {
  std::string metric, method;
  int64_t start = 0;             // epoch seconds of index 0 (same grid as the series)
  int64_t step = 3600;           // the series' interval
  std::vector<double> value;     // the metric per hour (NaN = missing)
  std::vector<double> expected;  // baseline mean, or median for robust (NaN where not scored)
  std::vector<double> score;     // z-score, |z| capped at 1e6 (NaN where not scored)
  std::vector<uint8_t> flagged;  // 1 = anomaly
  size_t checked_from = 0;       // first index inside the lookback
  size_t count() const;
};

// fc::Error on an unknown method or metric (listing the valid ones), on options that
// cannot work (threshold <= 0, windows that are not whole intervals or shorter than 3
// intervals), and when the data is too short for any interval to be scored.
Result detect(const series::Series& s, const Options& options = {});

}  // namespace fc::anomaly
