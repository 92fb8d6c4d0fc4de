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
  std::string data, model, out, truth;
  bool json = false, fail_on_anomaly = false;
  anomaly::Span last = anomaly::Span::seconds(24 * 3600);  // --last: the alerting period
};
const std::vector<Field<AnomaliesRequest>>& anomalies_fields();

// The detectors' options, read the same way by every command that runs them (anomalies,
// monitor): a duration as text ("36h", "14d", "336" intervals) or, from the page's sliders,
// a number of hours; a threshold as anomaly::parse_threshold reads it.
anomaly::Span span_value(const nlohmann::json& v, const std::string& what);
double threshold_value(const nlohmann::json& v, const std::string& what);
std::vector<std::string> method_names_list();

// method, threshold, lookback, baseline, seasons, seed, min_baseline_points for a request R
// with `anomaly::Options options` and `bool lookback_given`.
template <class R>
std::vector<Field<R>> detector_fields(const std::string& lookback_default) {
  using json = nlohmann::json;
  return {
      {option("method", FieldType::kChoice, "M", "the detector (methods above)")
           .or_else("ensemble")
           .among(method_names_list()),
       [](R& r, const json& v) { r.options.method = v.get<std::string>(); }},
      {option("threshold", FieldType::kScore, "T",
              "flag when the score is at least T (0 < T <= 1; default 0.99995), or a z: '3z',\n"
              "or any T > 1 (zscore's default: |z| > 2.5). No T hides an infinite deviation"),
       [](R& r, const json& v) { r.options.threshold = threshold_value(v, "threshold"); }},
      {option("lookback", FieldType::kSpan, "D",
              "the period at the end that is checked: 36h, 14d, 2w or a number of intervals;\n"
              "0 = all (from the page: a number of hours)")
           .or_else(lookback_default),
       [](R& r, const json& v) {
         r.options.lookback = span_value(v, "lookback");
         r.lookback_given = true;
       }},
      {option("baseline", FieldType::kSpan, "D", "zscore and robust: the trailing window that defines normal")
           .or_else("7d"),
       [](R& r, const json& v) { r.options.baseline = span_value(v, "baseline"); }},
      {option("seasons", FieldType::kInteger, "N", "seasonal: the same phase over the last N days or weeks")
           .or_else("4")
           .within(2, 52),
       [](R& r, const json& v) { r.options.seasons = v.get<int>(); }},
      {option("seed", FieldType::kInteger, "N", "isolation forest seed").or_else("1").within(0, 2147483647),
       [](R& r, const json& v) { r.options.seed = v.get<uint64_t>(); }},
      {option("min_baseline_points", FieldType::kInteger, "N",
              "zscore and robust: fewer known values in the baseline give no score")
           .or_else("a seventh of the baseline, at least 3")
           .within(0, 24 * 366),
       [](R& r, const json& v) { r.options.min_baseline_points = v.get<int>(); }},
  };
}

// --fail-on-anomaly and --last, the same for every command that alerts (anomalies, monitor),
// for a request R with `bool fail_on_anomaly` and `anomaly::Span last`.
template <class R>
std::vector<Field<R>> alert_fields(const char* fail_help) {
  using json = nlohmann::json;
  return {
      {option("fail_on_anomaly", FieldType::kFlag, "", fail_help).only(Edge::kCli),
       [](R& r, const json& v) { r.fail_on_anomaly = v.get<bool>(); }},
      {option("last", FieldType::kSpan, "D", "with --fail-on-anomaly: the period that raises the alert")
           .or_else("24h")
           .only(Edge::kCli),
       [](R& r, const json& v) { r.last = span_value(v, "last"); }},
  };
}
// How many of the last intervals (of `step` seconds) a span covers: at least one.
size_t span_steps(const anomaly::Span& s, int64_t step);

// Field lists joined in order.
template <class R>
std::vector<Field<R>> with_fields(std::vector<Field<R>> a, std::vector<Field<R>> b, std::vector<Field<R>> c,
                                  std::vector<Field<R>> d = {}, std::vector<Field<R>> e = {}) {
  for (auto* more : {&b, &c, &d, &e}) a.insert(a.end(), more->begin(), more->end());
  return a;
}

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
