// funnelcast kpi: the last window's KPIs against the window before, one row per metric
// of the registry that the data can compute.
#include <cmath>
#include <cstdio>
#include <iostream>

#include "cli.hpp"
#include "commands.hpp"
#include "funnelcast/api/kpi.hpp"
#include "funnelcast/schema/registry.hpp"
#include "funnelcast/time/time.hpp"

namespace fc::cli {

namespace {
const char* kKpiHelp =
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
    "%s"
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

std::string fmt(double v, const schema::MetricDef& m, bool change) {
  if (!std::isfinite(v)) return "n/a";
  char b[64];
  if (change) std::snprintf(b, sizeof b, "%+.1f%%", 100 * v);
  else if (std::string(m.name) == "conversion") std::snprintf(b, sizeof b, "%.2f%%", 100 * v);
  else if (std::string(m.unit) == "count") std::snprintf(b, sizeof b, "%.0f", v);
  else if (std::string(m.unit) == "money") std::snprintf(b, sizeof b, "%.2f", v);
  else std::snprintf(b, sizeof b, "%.1f%%", 100 * v);  // ratios (ROI) as percentages
  return b;
}

double value_of(const nlohmann::json& v) { return v.is_number() ? v.get<double>() : NAN; }

}  // namespace

int run_kpi(int argc, char** argv, int first) {
  const auto& fields = api::kpi_fields();
  Args args = series_args(argc, argv, first, fields);
  if (args.help()) {
    print_help(kKpiHelp, {metric_lines(), api::options_help(api::infos(fields)), role_help()});
    return 0;
  }
  if (!args.positional().empty()) throw UsageError{"unexpected argument '" + args.positional()[0] + "'"};
  const api::KpiRequest request = read_args(args, fields);
  if (request.data.empty()) throw UsageError{"--data is required"};
  const std::string path = request.data;
  const series::BuildResult data = load_series(path, args);
  describe_series(data, path);
  const nlohmann::json k = api::kpi(data, request);
  if (request.json) {
    std::cout << json_dump(k);
    return 0;
  }
  const int64_t step = k.at("interval_seconds").get<int64_t>();
  const int64_t seconds = std::llround(k.at("window_hours").get<double>() * 3600);
  const std::string unit = time::interval_name(step);
  const std::string span = seconds % 86400 == 0 && seconds > 86400 ? std::to_string(seconds / 86400) + " days"
                           : seconds == 3600                       ? std::string("hour")
                                                                   : std::to_string(seconds / 3600) + " hours";
  const auto& current = k.at("current");
  const auto& previous = k.at("previous");
  std::printf("last %s (%s to %s) against the %s before\n", span.c_str(),
              time::format_timestamp(current.at("start").get<int64_t>()).c_str(),
              time::format_timestamp(current.at("end").get<int64_t>()).c_str(), span.c_str());
  for (const auto* w : {&current, &previous})
    if (w->at("missing").get<size_t>())
      std::printf("  note: %zu of the %zu %ss from %s have no leads value\n", w->at("missing").get<size_t>(),
                  w->at("intervals").get<size_t>(), unit.c_str(),
                  time::format_timestamp(w->at("start").get<int64_t>()).c_str());
  std::printf("\n%-16s %14s %14s %10s\n", "KPI", "current", "previous", "change");
  for (const auto& m : schema::metrics()) {
    bool available = false;
    for (const auto& name : k.at("metrics")) available = available || name == m.name;
    if (!available) continue;
    // Rates (ROI, conversion) change in percentage points, money and counts in %.
    const double cur = value_of(current.at(m.name)), prev = value_of(previous.at(m.name));
    std::string delta = fmt(value_of(k.at("change").at(m.name)), m, true);
    if (std::string(m.unit) == "ratio") {
      char b[64];
      std::snprintf(b, sizeof b, "%+.1f pp", 100 * (cur - prev));
      delta = std::isfinite(cur - prev) ? b : "n/a";
    }
    std::printf("%-16s %14s %14s %10s\n", m.label, fmt(cur, m, false).c_str(), fmt(prev, m, false).c_str(), delta.c_str());
  }
  return 0;
}

}  // namespace fc::cli
