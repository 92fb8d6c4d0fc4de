// funnelcast monitor / Module.monitor: the whole funnel checked at once. Every KPI the file
// has (leads, spend, CPL and, when present, revenue, ROI, clicks, conversion) is judged by
// the anomaly detectors, for the total and for each channel, and the flagged intervals are
// gathered into incidents: one per stretch of time, however many KPIs and channels moved,
// each with when it started and ended, what moved and how far from expected, and the
// likely cause (spend moved, leads moved, both, tracking lost, data missing). Data that
// stops before the end of the file (or before `until`) is an incident of its own.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "funnelcast/anomaly/anomaly.hpp"
#include "funnelcast/api/fields.hpp"
#include "funnelcast/series/series.hpp"

namespace fc::api {

struct MonitorRequest {
  std::string channel;       // "" = the total and every channel; a name: that channel alone
  anomaly::Options options;  // method, threshold, lookback, baseline, seasons, seed
  bool lookback_given = false;
  std::string until;         // the time the data should reach ("" = the end of the file)
  int64_t until_time = 0;    // `until` read (0 = not given); the CLI reads "now" as its clock
  bool csv = false;          // JS: the incidents as CSV text too
  // The command line's own: files and what to do with the result.
  std::string data, out;
  bool json = false, fail_on_anomaly = false;
  int threads = 2;  // native: threads for the checks (the result is the same for any count)
  anomaly::Span last = anomaly::Span::seconds(24 * 3600);  // --last: the alerting period
};
const std::vector<Field<MonitorRequest>>& monitor_fields();

// Per-channel checks stop at this many channels (the total is always checked).
constexpr size_t kMonitorMaxChannels = 12;

// One KPI of one scope (the total or a channel) that moved during an incident.
struct Movement {
  std::string channel;  // "" = the total
  std::string metric, label;
  size_t flagged = 0;   // its flagged intervals inside the incident
  size_t peak = 0;      // the interval with its highest score
  double value = 0, expected = 0, score = 0;
  int8_t direction = 0;  // at the peak: +1 above expected, -1 below
  std::string cause;     // a ratio's own cause at the peak ("spend", "leads", "both", "mix")
};

struct Incident {
  size_t first = 0, last = 0;  // interval indexes, inclusive
  bool ongoing = false;        // runs to the end of the data (or is data missing up to `until`)
  std::string cause;           // "spend", "leads", "spend and leads", "revenue", "clicks",
                               // "mix", "tracking lost", "data missing"
  std::string summary;         // one sentence: what moved, how far, and why
  std::vector<std::string> channels;  // where it was seen ("" = the total), in order
  std::vector<Movement> kpis;         // by scope (total first), then metric order
  double score = 0;                   // the highest score among its movements
};

struct MonitorResult {
  std::string source, method;
  double threshold = 0;
  int64_t start = 0, step = 3600;
  size_t size = 0, checked_from = 0;
  int64_t until = 0;                  // the time the data was expected to reach (exclusive)
  std::vector<std::string> metrics;   // the KPIs checked, in registry order
  std::vector<std::string> channels;  // the scopes checked ("" = the total)
  std::vector<Incident> incidents;    // oldest first
  // Scopes whose data stops early: {channel, since} (since = the end of the last interval
  // with data), also listed among the incidents as "data missing", ongoing.
  std::vector<std::pair<std::string, int64_t>> silent;
  std::vector<std::string> notices;
  int64_t time(size_t i) const { return start + static_cast<int64_t>(i) * step; }
};

// fc::Error when the data has no leads (nothing to monitor) or `channel` is not one of its
// channels; a KPI that cannot be judged in one scope (no spend in an organic channel) is a
// notice, not an error.
MonitorResult monitor(const series::BuildResult& data, const MonitorRequest& r);

// {source, method, threshold, lookback, start, interval_seconds, size, checked_from, until,
//  metrics, channels, silent: [{channel, since, timestamp}], notices,
//  incidents: [{start, end, start_time, end_time, ongoing, cause, summary, channels, score,
//               kpis: [{channel, metric, label, flagged, time, timestamp, value, expected,
//                       ratio, score, direction, cause}]}], csv?}
nlohmann::json monitor_json(const MonitorResult& m, const MonitorRequest& r);
// start,end,channels,cause,kpis,summary: one row per incident.
std::string monitor_csv(const MonitorResult& m);
// The incidents for a terminal, one line each (the CLI's default output).
std::string monitor_text(const MonitorResult& m);

}  // namespace fc::api
