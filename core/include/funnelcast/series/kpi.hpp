// Marketing KPIs over the last window of a series and their change against the
// window before: every metric of the registry the data can compute (Leads, Spend,
// Revenue, Clicks, CPL = spend / leads, ROI = (revenue - spend) / spend, conversion
// rate = leads / clicks). Ratios come from the window's sums, never from a mean of
// per-interval ratios, and over the intervals where all their inputs are known.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

#include "funnelcast/series/series.hpp"

namespace fc::kpi {

struct Window {
  int64_t start = 0, end = 0;   // [start, end) epoch seconds
  size_t intervals = 0;         // grid intervals in the window
  size_t missing = 0;           // of those, intervals whose leads are missing
  std::vector<double> values;   // one per schema::metrics() entry; NaN = unknown or undefined
  double value(std::string_view metric) const;  // by name; NaN when not available
};

struct Summary {
  int64_t window_seconds = 24 * 3600;
  int64_t step = 3600;                 // the series' interval
  Window current, previous;
  std::vector<double> change;          // per metric: (current - previous) / |previous|,
                                       // NaN when previous is 0 or unknown
  std::vector<uint8_t> available;      // per metric: 1 when the data has what it needs
  double change_of(std::string_view metric) const;
};

// The last `window_seconds` of the grid against the window before. fc::Error when the
// window is not a whole number of intervals, the series is shorter than two windows, or
// the current window has no leads value at all (e.g. blank rows at the end of the file).
Summary summarize(const series::Series& s, int64_t window_seconds = 24 * 3600);

}  // namespace fc::kpi
