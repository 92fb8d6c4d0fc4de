// funnelcast kpi: the last window's KPIs against the window before.
#include <cmath>
#include <cstdio>
#include <iostream>

#include "cli.hpp"
#include "commands.hpp"
#include "funnelcast/io/csv.hpp"
#include "funnelcast/time/time.hpp"
#include "funnelcast/series/kpi.hpp"

namespace fc::cli {

namespace {
const char* kHelp =
    "usage: funnelcast kpi --data FILE [--window 24] [--channel NAME] [--json]\n"
    "\n"
    "Leads, spend, revenue, CPL (spend / leads) and ROI ((revenue - spend) / spend) over\n"
    "the last --window hours of the data, against the --window hours before, with the\n"
    "relative change. Spend is derived from a cpl column and revenue from a roi column\n"
    "when the file has those instead. With a traffic column (clicks, sessions, visits,\n"
    "...) also clicks and the conversion rate (leads / clicks).\n"
    "\n"
    "options:\n"
    "  --data FILE      hourly CSV (or one row per lead event)\n"
    "  --window N       hours per window (default 24)\n"
    "  --channel NAME   one channel instead of the total\n"
    "  --json           JSON (epoch seconds; NaN as null) instead of a table\n"
    "  --time COL --leads COL --spend COL --revenue COL --cpl COL --roi COL --clicks COL\n"
    "                   column roles\n";

nlohmann::json window_json(const kpi::Window& w) {
  return {{"start", w.start}, {"end", w.end}, {"leads", w.leads},
          {"spend", w.has_spend ? number_or_null(w.spend) : nlohmann::json(nullptr)},
          {"revenue", w.has_revenue ? number_or_null(w.revenue) : nlohmann::json(nullptr)},
          {"cpl", number_or_null(w.cpl)}, {"roi", number_or_null(w.roi)},
          {"clicks", w.has_clicks ? number_or_null(w.clicks) : nlohmann::json(nullptr)},
          {"conversion", number_or_null(w.conversion)}};
}

std::string fmt(double v, const char* f) {
  if (!std::isfinite(v)) return "n/a";
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}
}  // namespace

int run_kpi(int argc, char** argv, int first) {
  std::vector<std::string> options = {"data", "window", "target"};
  options.insert(options.end(), kRoleOptions.begin(), kRoleOptions.end());
  Args args(argc, argv, first, options, {"json"});
  if (args.help()) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (!args.positional().empty()) throw UsageError{"unexpected argument '" + args.positional()[0] + "'"};
  const std::string path = args.require("data");
  const int window = args.get_int("window", 24, 1, 24 * 366);
  const series::BuildResult data = load_series(path, args);
  const kpi::Summary k = kpi::summarize(select_channel(data, args.get("channel")), window);
  if (args.has("json")) {
    nlohmann::json j = {{"window_hours", k.window_hours},
                        {"current", window_json(k.current)},
                        {"previous", window_json(k.previous)},
                        {"change", {{"leads", number_or_null(k.change.leads)},
                                    {"spend", number_or_null(k.change.spend)},
                                    {"revenue", number_or_null(k.change.revenue)},
                                    {"cpl", number_or_null(k.change.cpl)},
                                    {"roi", number_or_null(k.change.roi)},
                                    {"conversion", number_or_null(k.change.conversion)}}}};
    std::cout << json_dump(j);
    return 0;
  }
  std::printf("last %d hours (%s to %s) against the %d before\n\n", window,
              time::format_timestamp(k.current.start).c_str(), time::format_timestamp(k.current.end).c_str(), window);
  std::printf("%-11s %14s %14s %10s\n", "KPI", "current", "previous", "change");
  auto row = [&](const char* name, double cur, double prev, double ch, const char* f) {
    std::printf("%-11s %14s %14s %10s\n", name, fmt(cur, f).c_str(), fmt(prev, f).c_str(),
                fmt(100 * ch, "%+.1f%%").c_str());
  };
  row("Leads", k.current.leads, k.previous.leads, k.change.leads, "%.0f");
  if (k.current.has_spend) row("Spend", k.current.spend, k.previous.spend, k.change.spend, "%.2f");
  if (k.current.has_revenue) row("Revenue", k.current.revenue, k.previous.revenue, k.change.revenue, "%.2f");
  if (k.current.has_spend) row("CPL", k.current.cpl, k.previous.cpl, k.change.cpl, "%.2f");
  if (k.current.has_revenue) row("ROI", k.current.roi, k.previous.roi, k.change.roi, "%.3f");
  if (k.current.has_clicks) {
    const double prev = k.previous.clicks;
    row("Clicks", k.current.clicks, prev,
        prev != 0 ? (k.current.clicks - prev) / std::fabs(prev) : std::nan(""), "%.0f");
    // The rate as a percentage; its change is still relative, like the other rows.
    row("Conv. rate", 100 * k.current.conversion, 100 * k.previous.conversion, k.change.conversion,
        "%.2f%%");
  }
  return 0;
}

}  // namespace fc::cli
