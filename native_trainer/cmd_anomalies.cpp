// funnelcast anomalies: hours whose CPL (or another KPI) leaves its trailing baseline.
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "cli.hpp"
#include "commands.hpp"
#include "funnelcast/anomaly/anomaly.hpp"
#include "funnelcast/io/csv.hpp"
#include "funnelcast/time/time.hpp"

namespace fc::cli {

namespace {
const char* kHelp =
    "usage: funnelcast anomalies --data FILE [--metric cpl] [--method zscore] [--threshold 2.5]\n"
    "                            [--lookback 336] [--baseline 168] [--channel NAME] [--json] [--out F.csv]\n"
    "\n"
    "Scores each hour of the last --lookback hours against the mean and standard deviation\n"
    "of the --baseline hours before it, and flags hours with |z| above --threshold.\n"
    "\n"
    "options:\n"
    "  --metric M       cpl (default), leads, spend, revenue or roi\n"
    "  --method M       zscore (default) or robust (median and MAD)\n"
    "  --threshold Z    flag |z| above this (default 2.5)\n"
    "  --lookback H     hours at the end to check (default 336 = 14 days; 0 = all)\n"
    "  --baseline H     trailing hours that define normal (default 168 = 7 days)\n"
    "  --channel NAME   one channel instead of the total\n"
    "  --json           JSON with every flagged hour\n"
    "  --out FILE.csv   write the flagged hours as CSV\n";

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
  std::vector<std::string> options = {"data", "metric", "method", "threshold", "lookback", "baseline", "out", "target"};
  options.insert(options.end(), kRoleOptions.begin(), kRoleOptions.end());
  Args args(argc, argv, first, options, {"json"});
  if (args.help()) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (!args.positional().empty()) throw UsageError{"unexpected argument '" + args.positional()[0] + "'"};
  const std::string path = args.require("data");
  anomaly::Options o;
  o.metric = args.get("metric", o.metric);
  o.method = args.get("method", o.method);
  o.threshold = get_double(args, "threshold", o.threshold);
  o.lookback_hours = args.get_int("lookback", o.lookback_hours, 0, 24 * 366 * 20);
  o.baseline_hours = args.get_int("baseline", o.baseline_hours, 2, 24 * 366);
  const series::BuildResult data = load_series(path, args);
  const anomaly::Result r = anomaly::detect(select_channel(data, args.get("channel")), o);

  nlohmann::json list = nlohmann::json::array();
  std::string csv_text = "timestamp," + r.metric + ",expected,score\n";
  for (size_t i = 0; i < r.flagged.size(); ++i) {
    if (!r.flagged[i]) continue;
    const int64_t t = r.start + static_cast<int64_t>(i) * 3600;
    list.push_back({{"time", t}, {"value", r.value[i]}, {"expected", r.expected[i]}, {"score", r.score[i]}});
    char line[160];
    std::snprintf(line, sizeof line, ",%.6g,%.6g,%.3f\n", r.value[i], r.expected[i], r.score[i]);
    csv_text += time::format_timestamp(t) + line;
  }
  if (args.has("out")) write_file(args.get("out"), csv_text);
  if (args.has("json")) {
    std::cout << json_dump({{"metric", r.metric}, {"method", r.method}, {"threshold", o.threshold},
                            {"lookback_hours", o.lookback_hours}, {"baseline_hours", o.baseline_hours},
                            {"count", r.count()}, {"anomalies", list}});
  } else if (!args.has("out")) {
    std::cout << csv_text;
  }
  std::fprintf(stderr, "%zu anomalous hours of %s (|z| > %g, %s)\n", r.count(), r.metric.c_str(), o.threshold,
               r.method.c_str());
  return 0;
}

}  // namespace fc::cli
