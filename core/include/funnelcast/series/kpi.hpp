// Marketing KPIs over a window of hours and their change against the window
// before: Leads, Spend, Revenue, CPL = spend / leads, ROI = (revenue - spend) / spend,
// and the conversion rate = leads / clicks when the data has a traffic column.
#pragma once
#include <cstdint>

#include "funnelcast/series/series.hpp"

namespace fc::kpi {

struct Window {
  int64_t start = 0, end = 0;  // [start, end) epoch seconds
  double leads = 0, spend = 0, revenue = 0;  // spend / revenue NaN when the data has none
  double cpl = 0;              // NaN when leads == 0 or spend unknown
  double roi = 0;              // NaN when spend == 0 or unknown
  double clicks = 0;           // NaN when the data has no clicks column
  double conversion = 0;       // leads / clicks; NaN when clicks == 0 or unknown
  bool has_spend = false, has_revenue = false, has_clicks = false;
};

struct Change {  // relative change (current - previous) / |previous|, NaN when previous is 0
  double leads = 0, spend = 0, revenue = 0, cpl = 0, roi = 0, conversion = 0;
};

struct Summary {
  int window_hours = 24;
  Window current, previous;
  Change change;
};

// The last `window_hours` hours of the grid against the `window_hours` before.
// fc::Error when the series is shorter than two windows or window_hours < 1.
Summary summarize(const series::HourlySeries& s, int window_hours = 24);

}  // namespace fc::kpi
