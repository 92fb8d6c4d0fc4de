// Ratios are computed from the window's sums, never as a mean of hourly ratios:
// an hour with one lead and an hour with a hundred must not weigh the same in CPL.
#include "funnelcast/series/kpi.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "funnelcast/base/error.hpp"

namespace fc::kpi {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// NaN entries (e.g. a forecast appended to the history) are skipped, not propagated.
double sum(const std::vector<double>& v, size_t begin, size_t end) {
  double s = 0;
  for (size_t i = begin; i < end; ++i)
    if (!std::isnan(v[i])) s += v[i];
  return s;
}

Window window(const series::HourlySeries& s, size_t begin, size_t end) {
  Window w;
  w.start = s.time(begin);
  w.end = s.time(end);
  w.has_spend = !s.spend.empty();
  w.has_revenue = !s.revenue.empty();
  w.has_clicks = !s.clicks.empty();
  w.leads = sum(s.leads, begin, end);
  w.spend = w.has_spend ? sum(s.spend, begin, end) : kNaN;
  w.revenue = w.has_revenue ? sum(s.revenue, begin, end) : kNaN;
  w.cpl = w.has_spend && w.leads != 0 ? w.spend / w.leads : kNaN;
  w.roi = w.has_spend && w.has_revenue && w.spend != 0 ? (w.revenue - w.spend) / w.spend : kNaN;
  w.clicks = w.has_clicks ? sum(s.clicks, begin, end) : kNaN;
  w.conversion = w.has_clicks && w.clicks != 0 ? w.leads / w.clicks : kNaN;
  return w;
}

double change(double current, double previous) {
  if (std::isnan(previous) || previous == 0) return kNaN;
  return (current - previous) / std::fabs(previous);
}

}  // namespace

Summary summarize(const series::HourlySeries& s, int window_hours) {
  if (window_hours < 1) {
    throw Error("kpi: the window must be at least 1 hour, got " + std::to_string(window_hours));
  }
  const size_t n = s.hours();
  const size_t w = static_cast<size_t>(window_hours);
  if (n < 2 * w) {
    throw Error("kpi: comparing the last " + std::to_string(w) +
                " hours with the window before needs at least " + std::to_string(2 * w) +
                " hours of data; the series has " + std::to_string(n));
  }
  if ((!s.spend.empty() && s.spend.size() != n) || (!s.revenue.empty() && s.revenue.size() != n) ||
      (!s.clicks.empty() && s.clicks.size() != n)) {
    throw Error("kpi: spend, revenue and clicks must have one value per hour, like leads");
  }
  Summary out;
  out.window_hours = window_hours;
  out.current = window(s, n - w, n);
  out.previous = window(s, n - 2 * w, n - w);
  out.change.leads = change(out.current.leads, out.previous.leads);
  out.change.spend = change(out.current.spend, out.previous.spend);
  out.change.revenue = change(out.current.revenue, out.previous.revenue);
  out.change.cpl = change(out.current.cpl, out.previous.cpl);
  out.change.roi = change(out.current.roi, out.previous.roi);
  out.change.conversion = change(out.current.conversion, out.previous.conversion);
  return out;
}

}  // namespace fc::kpi
