// funnelcast anomalies: intervals whose CPL (or another metric of the registry) leaves its
// trailing baseline.
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "cli.hpp"
#include "commands.hpp"
#include "funnelcast/anomaly/anomaly.hpp"
#include "funnelcast/time/time.hpp"

namespace fc::cli {

namespace {
const char* kHelp =
    "usage: funnelcast anomalies --data FILE [--metric cpl] [--method zscore] [--threshold 2.5]\n"
    "                            [--lookback 336] [--baseline 168] [--channel NAME] [--json] [--out F.csv]\n"
    "\n"
    "Scores each interval (hour, day, ...) of the last --lookback hours against the mean and\n"
    "standard deviation of the --baseline hours before it (the interval itself excluded),\n"
    "and flags those with |z| above --threshold. Missing intervals are neither scored nor\n"
    "part of a baseline; an interval needs known values in at least a seventh of its\n"
    "baseline (and 3) to be scored.\n"
    "\n"
    "options:\n"
    "  --metric M       %s (default cpl)\n"
    "  --method M       zscore (default) or robust (median and MAD)\n"
    "  --threshold Z    flag |z| above this (default 2.5)\n"
    "  --lookback H     hours at the end to check (default 336 = 14 days; 0 = all)\n"
    "  --baseline H     trailing hours that define normal (default 168 = 7 days; at least 3 intervals)\n"
    "  --channel NAME   one channel instead of the total\n"
    "  --json           JSON with every flagged interval\n"
    "  --out FILE.csv   write the flagged intervals as CSV\n"
    "%s";

double get_double(const Args& args, const std::string& name, double fallback) {
  if (!args.has(name)) return fallback;
  const std::string v = args.get(name);
  char* end = nullptr;
  const double x = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || !(x > 0) || x > 1e6)
    throw UsageError{"--" + name + ": expected a positive number, found '" + v + "'"};
  return x;
}

}  // namespace

int run_anomalies(int argc, char** argv, int first) {
  std::vector<std::string> options = {"data", "metric", "method", "threshold", "lookback", "baseline", "out"};
  options.insert(options.end(), role_options().begin(), role_options().end());
  std::vector<std::string> flags = {"json"};
  flags.insert(flags.end(), series_flags().begin(), series_flags().end());
  Args args(argc, argv, first, options, flags);
  if (args.help()) {
    print_help(kHelp, {schema::metric_names(), role_help()});
    return 0;
  }
  if (!args.positional().empty()) throw UsageError{"unexpected argument '" + args.positional()[0] + "'"};
  const std::string path = args.require("data");
  anomaly::Options o;
  o.metric = args.get("metric", o.metric);
  if (!schema::find_metric(o.metric))
    throw UsageError{"--metric: unknown metric '" + o.metric + "'; choose one of " + schema::metric_names()};
  o.method = args.get("method", o.method);
  o.threshold = get_double(args, "threshold", o.threshold);
  o.lookback_hours = args.get_int("lookback", o.lookback_hours, 0, 24 * 366 * 20);
  o.baseline_hours = args.get_int("baseline", o.baseline_hours, 1, 24 * 366);
  const series::BuildResult data = load_series(path, args);
  describe_series(data, path);
  const anomaly::Result r = anomaly::detect(series::select(data, args.get("channel")), o);
  nlohmann::json list = nlohmann::json::array();
  std::string csv_text = "timestamp," + r.metric + ",expected,score\n";
  for (size_t i = 0; i < r.flagged.size(); ++i) {
    if (!r.flagged[i]) continue;
    const int64_t t = r.start + static_cast<int64_t>(i) * r.step;
    list.push_back({{"time", t}, {"value", r.value[i]}, {"expected", r.expected[i]}, {"score", r.score[i]}});
    char line[160];
    std::snprintf(line, sizeof line, ",%.6g,%.6g,%.3f\n", r.value[i], r.expected[i], r.score[i]);
    csv_text += time::format_timestamp(t) + line;
  }
  if (args.has("out")) write_file(args.get("out"), csv_text);
  size_t scored = 0;
  for (size_t i = r.checked_from; i < r.score.size(); ++i) scored += std::isnan(r.score[i]) ? 0 : 1;
  if (args.has("json")) {
    std::cout << json_dump({{"metric", r.metric}, {"method", r.method}, {"threshold", o.threshold},
                            {"lookback_hours", o.lookback_hours}, {"baseline_hours", o.baseline_hours},
                            {"interval_seconds", r.step}, {"scored", scored},
                            {"count", r.count()}, {"anomalies", list}});
  } else if (!args.has("out")) {
    std::cout << csv_text;
  }
  const std::string unit = time::interval_name(r.step);
  std::fprintf(stderr, "%zu anomalous %ss of %s among %zu scored (|z| > %g, %s)\n", r.count(), unit.c_str(),
               r.metric.c_str(), scored, o.threshold, r.method.c_str());
  return 0;
}

}  // namespace fc::cli
