// Ratios are computed from the window's sums, never as a mean of per-interval ratios:
// an hour with one lead and an hour with a hundred must not weigh the same in CPL.
#include "funnelcast/series/kpi.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "funnelcast/base/error.hpp"
#include "funnelcast/base/math.hpp"
#include "funnelcast/time/time.hpp"

namespace fc::kpi {
namespace {

size_t index_of(std::string_view metric) {
  const auto& all = schema::metrics();
  for (size_t i = 0; i < all.size(); ++i)
    if (metric == all[i].name) return i;
  return all.size();
}

Window window(const series::Series& s, size_t begin, size_t end) {
  Window w;
  w.start = s.time(begin);
  w.end = s.time(end);
  w.intervals = end - begin;
  for (size_t i = begin; i < end; ++i) w.missing += std::isnan(s.leads[i]) ? 1 : 0;
  for (const auto& m : schema::metrics()) {
    if (!s.has(m)) {
      w.values.push_back(kNaN);
      continue;
    }
    // Sum each input over the intervals where every input of this metric is known.
    schema::Totals t{0, 0, 0, 0};
    size_t used = 0;
    for (size_t i = begin; i < end; ++i) {
      bool known = true;
      for (const char* r : m.needs) known = known && !std::isnan((*s.role(r))[i]);
      if (!known) continue;
      ++used;
      t.leads += s.role("leads") ? (*s.role("leads"))[i] : 0;
      t.spend += s.role("spend") ? (*s.role("spend"))[i] : 0;
      t.revenue += s.role("revenue") ? (*s.role("revenue"))[i] : 0;
      t.clicks += s.role("clicks") ? (*s.role("clicks"))[i] : 0;
    }
    w.values.push_back(used ? m.evaluate(t) : kNaN);
  }
  return w;
}

double change(double current, double previous) {
  if (std::isnan(current) || std::isnan(previous) || previous == 0) return kNaN;
  return (current - previous) / std::fabs(previous);
}

}  // namespace

double Window::value(std::string_view metric) const {
  const size_t i = index_of(metric);
  return i < values.size() ? values[i] : kNaN;
}

double Summary::change_of(std::string_view metric) const {
  const size_t i = index_of(metric);
  return i < change.size() ? change[i] : kNaN;
}

Summary summarize(const series::Series& s, int64_t window_seconds) {
  const std::string unit = time::interval_name(s.step);
  if (window_seconds < s.step || window_seconds % s.step != 0) {
    throw Error("the KPI window must be a whole number of " + unit + "s (the data is " +
                time::interval_adjective(s.step) + "), got " + std::to_string(window_seconds / 3600.0).substr(0, 8) +
                " hours");
  }
  const size_t n = s.size();
  const size_t w = static_cast<size_t>(window_seconds / s.step);
  if (n < 2 * w) {
    throw Error("comparing the last " + std::to_string(w) + " " + unit + (w == 1 ? "" : "s") +
                " with the window before needs at least " + std::to_string(2 * w) + " " + unit +
                "s of data; the data has " + std::to_string(n));
  }
  Summary out;
  out.window_seconds = window_seconds;
  out.step = s.step;
  out.current = window(s, n - w, n);
  out.previous = window(s, n - 2 * w, n - w);
  if (out.current.missing == out.current.intervals) {
    throw Error("the last " + std::to_string(w) + " " + unit + (w == 1 ? "" : "s") + " (from " +
                time::format_timestamp(out.current.start) +
                ") have no leads value (blank or missing rows at the end of the file); remove "
                "them, or choose a longer window");
  }
  for (size_t i = 0; i < schema::metrics().size(); ++i) {
    out.change.push_back(change(out.current.values[i], out.previous.values[i]));
    out.available.push_back(s.has(schema::metrics()[i]) ? 1 : 0);
  }
  return out;
}

}  // namespace fc::kpi
