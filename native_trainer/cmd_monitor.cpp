// funnelcast monitor: every KPI of the funnel, for the total and each channel, judged at
// once, and the flagged intervals reported as incidents with what moved and why; an exit
// code for cron or CI that also fires when the data stops.
#include <cstdio>
#include <ctime>
#include <iostream>

#include "cli.hpp"
#include "commands.hpp"
#include "funnelcast/api/anomalies.hpp"
#include "funnelcast/api/monitor.hpp"
#include "funnelcast/base/error.hpp"
#include "funnelcast/time/time.hpp"

namespace fc::cli {

namespace {
const char* kMonitorHelp =
    "usage: funnelcast monitor --data FILE [--channel NAME] [--lookback 14d] [--threshold T]\n"
    "                          [--until TIME|now] [--json | --out FILE.csv] [--fail-on-anomaly [--last 24h]]\n"
    "\n"
    "Checks the whole funnel at once: leads, spend, CPL and, when the file has them, revenue,\n"
    "ROI, clicks and conversion, for the total and for each channel (up to 12), with the same\n"
    "detectors as `funnelcast anomalies`. Flagged intervals at most one interval apart, in any\n"
    "KPI or channel, make one incident, reported once: when it started and ended, which KPIs\n"
    "moved and how far from what was expected, and the likely cause:\n"
    "  spend / leads / spend and leads / revenue / clicks   that part moved (a ratio such as\n"
    "                        CPL is judged through its parts: which one moved)\n"
    "  tracking lost         leads at 0 for two or more intervals while spend went on\n"
    "  data missing          no data: a gap in the total, a channel that stopped while the\n"
    "                        others went on, or the data ending before --until\n"
    "  mix                   the ratio moved, neither part alone\n"
    "One line per incident on stdout (the JSON document with --json); `funnelcast anomalies`\n"
    "shows one metric interval by interval.\n"
    "\n"
    "options:\n"
    "%s"
    "%s";
}  // namespace

int run_monitor(int argc, char** argv, int first) {
  const auto& fields = api::monitor_fields();
  Args args = series_args(argc, argv, first, fields);
  if (args.help()) {
    print_help(kMonitorHelp, {api::options_help(api::infos(fields)), role_help()});
    return 0;
  }
  if (!args.positional().empty()) throw UsageError{"unexpected argument '" + args.positional()[0] + "'"};
  api::MonitorRequest request = read_args(args, fields);
  if (request.json && !request.out.empty()) throw UsageError{"--json and --out: choose one"};
  if (args.has("last") && !request.fail_on_anomaly) throw UsageError{"--last goes with --fail-on-anomaly"};
  if (request.data.empty()) throw UsageError{"--data is required"};
  if (request.until == "now") request.until_time = static_cast<int64_t>(std::time(nullptr));

  const std::string path = request.data;
  const series::BuildResult data = load_series(path, args);
  describe_series(data, path);
  api::MonitorResult m;
  try {
    m = api::monitor(data, request);
  } catch (const Error& e) {
    if (std::string(e.what()).rfind("until: ", 0) == 0) throw UsageError{std::string("--") + e.what()};
    throw;
  }
  print_notices(m.notices);
  if (!request.out.empty()) write_file(request.out, api::monitor_csv(m));
  if (request.json) std::cout << json_dump(api::monitor_json(m, request));
  else if (request.out.empty()) std::cout << api::monitor_text(m);
  std::string scopes = std::to_string(m.channels.size()) + (m.channels.size() == 1 ? " scope" : " scopes");
  std::fprintf(stderr, "%zu incident%s in %s (%zu KPIs, %s, score >= %.6g, since %s)\n", m.incidents.size(),
               m.incidents.size() == 1 ? "" : "s", base_name(path).c_str(), m.metrics.size(), scopes.c_str(),
               m.threshold, time::format_timestamp(m.time(m.checked_from)).c_str());

  if (!request.fail_on_anomaly) return 0;
  int code = 0;
  for (const auto& [channel, since] : m.silent) {
    std::fprintf(stderr, "alert: no data%s since %s\n", channel.empty() ? "" : (" from " + channel).c_str(),
                 time::format_timestamp(since).c_str());
    code = 3;
  }
  const size_t steps = api::span_steps(request.last, m.step);
  const size_t from = m.size > steps ? m.size - steps : 0;
  for (const api::Incident& inc : m.incidents) {
    if (inc.last < from || (inc.cause == "data missing" && inc.ongoing)) continue;  // said above
    std::fprintf(stderr, "alert: %s to %s: %s\n", time::format_timestamp(m.time(inc.first)).c_str(),
                 time::format_timestamp(m.time(inc.last + 1)).c_str(), inc.summary.c_str());
    code = 3;
  }
  return code;
}

}  // namespace fc::cli
