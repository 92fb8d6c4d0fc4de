// funnelcast anomalies / Module.anomalies: one metric (or numeric column) judged interval by
// interval. One request whose fields drive the CLI options, the JS options and --help; one
// document writer (the CLI's --json and the page's result), the per-interval columns the
// page draws (typed arrays in JS, never JSON), and the CSV writer both edges export.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "funnelcast/anomaly/anomaly.hpp"
#include "funnelcast/api/columns.hpp"
#include "funnelcast/api/fields.hpp"
#include "funnelcast/io/table.hpp"
#include "funnelcast/series/series.hpp"

namespace fc::api {

struct AnomaliesRequest {
  std::string metric = "cpl";  // a registry metric or a numeric column
  std::string channel;         // metrics only: one channel ("" = total)
  std::string time;            // a numeric column: its time column ("" = detected)
  bool csv = false;            // JS: the flagged intervals as CSV text too
  anomaly::Options options;    // method, threshold, lookback, baseline, seasons, seed, ...
  bool lookback_given = false;
  // The command line's own: files and what to do with the result.
  std::string data, model, out, truth, last;
  bool json = false, fail_on_anomaly = false;
};
const std::vector<Field<AnomaliesRequest>>& anomalies_fields();

// The interval series a request judges: a metric of `pick(channel)` (which may throw the
// series' build error) or a numeric column of `table` on its own.
anomaly::Input anomalies_input(const Table& table, const std::function<const series::Series&(const std::string&)>& pick,
                               const AnomaliesRequest& r, std::vector<std::string>* notices);

struct AnomaliesRun {
  anomaly::Input input;
  anomaly::Result result;
  std::vector<std::string> notices;
};
AnomaliesRun anomalies(anomaly::Input input, const AnomaliesRequest& r, std::vector<std::string> notices = {});

// {channel, metric, label, method, kind, good, threshold, lookback, baseline, lookback_steps,
//  baseline_steps, start, interval_seconds, checked_from, count, scored, cause_names,
//  notices, anomalies: [{time, timestamp, value, expected, lower, upper, score, z,
//  direction, cause?, <part>: {value, expected, score}}], csv?}
nlohmann::json anomalies_json(const AnomaliesRun& run, const AnomaliesRequest& r);
// time, value, expected, lower, upper, score, z, flagged, direction, cause, parts.K.value /
// expected / score, members.<method>: one value per interval of the series.
Columns anomalies_columns(const AnomaliesRun& run);
// timestamp,value,expected,lower,upper,score,flag,direction[,<part>,<part>_expected...,cause]:
// the checked intervals (all, or the flagged ones only).
std::string anomalies_csv(const AnomaliesRun& run, bool flagged_only);

}  // namespace fc::api
