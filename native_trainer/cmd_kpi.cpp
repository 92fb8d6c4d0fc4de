// funnelcast kpi: the last window's KPIs against the window before, one row per metric
// of the registry that the data can compute.
#include <cmath>
#include <cstdio>
#include <iostream>

#include "cli.hpp"
#include "commands.hpp"
#include "funnelcast/series/kpi.hpp"
#include "funnelcast/time/time.hpp"

namespace fc::cli {

namespace {
const char* kHelp =
    "usage: funnelcast kpi --data FILE [--window HOURS] [--channel NAME] [--json]\n"
    "\n"
    "The KPIs of the last --window hours of the data against the --window hours before,\n"
    "with the relative change. Ratios come from the window's sums over the intervals where\n"
    "their inputs are known; missing intervals are counted and shown, never read as 0.\n"
    "%s"
    "Spend is derived from a cpl column and revenue from a roi column when the file has\n"
    "those instead.\n"
    "\n"
    "options:\n"
    "  --data FILE      a CSV with a time column: hourly, daily or finer rows, or one row per lead\n"
    "  --window HOURS   hours per window (default 24, or one interval for coarser data)\n"
    "  --channel NAME   one channel instead of the total\n"
    "  --json           JSON (epoch seconds; unknown values as null) instead of a table\n"
    "%s";

std::string metric_lines() {
  std::string out = "KPIs:\n";
  for (const auto& m : schema::metrics()) {
    std::string name = std::string("  ") + m.label;
    if (name.size() < 20) name.resize(20, ' ');
    out += name + m.help + (std::string(m.formula) == m.name ? "" : std::string(" (") + m.formula + ")") + "\n";
  }
  return out;
}

nlohmann::json window_json(const kpi::Window& w, const kpi::Summary& k) {
  nlohmann::json j = {{"start", w.start}, {"end", w.end}, {"intervals", w.intervals}, {"missing", w.missing}};
  const auto& all = schema::metrics();
  for (size_t i = 0; i < all.size(); ++i)
    j[all[i].name] = k.available[i] ? number_or_null(w.values[i]) : nlohmann::json(nullptr);
  return j;
}

std::string fmt(double v, const schema::MetricDef& m, bool change) {
  if (!std::isfinite(v)) return "n/a";
  char b[64];
  if (change) std::snprintf(b, sizeof b, "%+.1f%%", 100 * v);
  else if (std::string(m.name) == "conversion") std::snprintf(b, sizeof b, "%.2f%%", 100 * v);
  else if (std::string(m.unit) == "count") std::snprintf(b, sizeof b, "%.0f", v);
  else if (std::string(m.unit) == "money") std::snprintf(b, sizeof b, "%.2f", v);
  else std::snprintf(b, sizeof b, "%.3f", v);
  return b;
}

}  // namespace

int run_kpi(int argc, char** argv, int first) {
  std::vector<std::string> options = {"data", "window"};
  options.insert(options.end(), role_options().begin(), role_options().end());
  std::vector<std::string> flags = {"json"};
  flags.insert(flags.end(), series_flags().begin(), series_flags().end());
  Args args(argc, argv, first, options, flags);
  if (args.help()) {
    print_help(kHelp, {metric_lines(), role_help()});
    return 0;
  }
  if (!args.positional().empty()) throw UsageError{"unexpected argument '" + args.positional()[0] + "'"};
  const std::string path = args.require("data");
  const int window_hours = args.get_int("window", 0, 1, 24 * 366);
  const series::BuildResult data = load_series(path, args);
  describe_series(data, path);
  const int64_t window = window_hours ? int64_t{window_hours} * 3600 : std::max<int64_t>(24 * 3600, data.step);
  const kpi::Summary k = kpi::summarize(series::select(data, args.get("channel")), window);
  const auto& all = schema::metrics();
  if (args.has("json")) {
    nlohmann::json change = nlohmann::json::object();
    for (size_t i = 0; i < all.size(); ++i)
      change[all[i].name] = k.available[i] ? number_or_null(k.change[i]) : nlohmann::json(nullptr);
    nlohmann::json j = {{"window_hours", k.window_seconds / 3600.0},
                        {"interval_seconds", k.step},
                        {"current", window_json(k.current, k)},
                        {"previous", window_json(k.previous, k)},
                        {"change", change}};
    std::cout << json_dump(j);
    return 0;
  }
  const std::string unit = time::interval_name(k.step);
  const std::string span = k.window_seconds % 86400 == 0 && k.window_seconds > 86400
                               ? std::to_string(k.window_seconds / 86400) + " days"
                               : k.window_seconds == 3600 ? std::string("hour")
                                                           : std::to_string(k.window_seconds / 3600) + " hours";
  std::printf("last %s (%s to %s) against the %s before\n", span.c_str(),
              time::format_timestamp(k.current.start).c_str(), time::format_timestamp(k.current.end).c_str(),
              span.c_str());
  for (const auto* w : {&k.current, &k.previous})
    if (w->missing)
      std::printf("  note: %zu of the %zu %ss from %s have no leads value\n", w->missing, w->intervals, unit.c_str(),
                  time::format_timestamp(w->start).c_str());
  std::printf("\n%-16s %14s %14s %10s\n", "KPI", "current", "previous", "change");
  for (size_t i = 0; i < all.size(); ++i) {
    if (!k.available[i]) continue;
    std::printf("%-16s %14s %14s %10s\n", all[i].label, fmt(k.current.values[i], all[i], false).c_str(),
                fmt(k.previous.values[i], all[i], false).c_str(), fmt(k.change[i], all[i], true).c_str());
  }
  return 0;
}

}  // namespace fc::cli
