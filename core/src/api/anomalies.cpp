#include "funnelcast/api/anomalies.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "funnelcast/base/error.hpp"
#include "funnelcast/schema/registry.hpp"
#include "funnelcast/time/time.hpp"

namespace fc::api {
namespace {

using json = nlohmann::json;


std::string number(double v, const char* fmt = "%.6g") {
  if (!std::isfinite(v)) return "";
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

const char* direction_name(int8_t d) { return d > 0 ? "spike" : d < 0 ? "drop" : ""; }
const char* const kKinds[] = {"level", "count", "money", "ratio"};

bool is_ratio(const AnomaliesRun& run) {
  return run.input.kind == anomaly::Kind::kRatio && run.result.parts.size() == 2;
}

}  // namespace

anomaly::Span span_value(const json& v, const std::string& what) {
  if (v.is_string()) return anomaly::parse_span(v.get<std::string>(), what);
  const double hours = v.get<double>();
  if (!(hours >= 0) || hours != std::floor(hours) || hours > 24.0 * 366 * 20)
    throw Error(what + ": expected a whole number of hours, found " + v.dump());
  return anomaly::Span::seconds(static_cast<int64_t>(hours) * 3600);
}

double threshold_value(const json& v, const std::string& what) {
  return anomaly::parse_threshold(v.is_number() ? v.dump() : v.get<std::string>(), what);
}

size_t span_steps(const anomaly::Span& s, int64_t step) {
  const int64_t n = s.steps ? s.count : (s.count + step - 1) / step;
  return static_cast<size_t>(std::max<int64_t>(1, n));
}

std::vector<std::string> method_names_list() {
  std::vector<std::string> out;
  for (const auto& m : anomaly::methods()) out.push_back(m.name);
  return out;
}

const std::vector<Field<AnomaliesRequest>>& anomalies_fields() {
  using R = AnomaliesRequest;
  const Edge cli = Edge::kCli, js = Edge::kJs;
  static const std::vector<Field<R>> fields = with_fields<R>({
      {option("data", FieldType::kText, "FILE", "the CSV to check").only(cli),
       [](R& r, const json& v) { r.data = v.get<std::string>(); }},
      {option("metric", FieldType::kText, "M", "a metric (" + schema::metric_names() + ") or a numeric column")
           .or_else("cpl"),
       [](R& r, const json& v) { r.metric = v.get<std::string>(); }},
  }, detector_fields<R>("14d; all with --truth"), {
      {option("channel", FieldType::kText, "NAME", "one channel instead of the total (metrics only)"),
       [](R& r, const json& v) { r.channel = v.get<std::string>(); }},
      {option("time", FieldType::kText, "COL", "a numeric column's time column (detected when not given)").only(js),
       [](R& r, const json& v) { r.time = v.get<std::string>(); }},
      {option("forecasts", FieldType::kColumns, "",
              "one-step forecasts {mean, lower, upper, level}, one value per interval: the\n"
              "residual method, and a member of the ensemble")
           .only(js),
       [](R&, const json&) {}},
      {option("csv", FieldType::kFlag, "", "the flagged intervals as CSV text too (the CLI's default output)")
           .only(js),
       [](R& r, const json& v) { r.csv = v.get<bool>(); }},
      {option("model", FieldType::kText, "FILE",
              "a forecast model of the metric: its one-step-ahead forecasts feed the\n"
              "residual method and join the ensemble")
           .only(cli),
       [](R& r, const json& v) { r.model = v.get<std::string>(); }},
      {option("json", FieldType::kFlag, "", "JSON: the settings, every flagged interval, the evaluation").only(cli),
       [](R& r, const json& v) { r.json = v.get<bool>(); }},
      {option("out", FieldType::kText, "FILE.csv",
              "one row per checked interval: timestamp, value, expected, lower, upper,\n"
              "score, flag, direction (and for ratios each part, its expected value, cause)")
           .only(cli),
       [](R& r, const json& v) { r.out = v.get<std::string>(); }},
      {option("truth", FieldType::kText, "FILE",
              "known anomalies: a CSV of timestamps or of start,end windows, or NAB's\n"
              "labels/windows JSON; prints precision, recall, F1, delay and a window score")
           .only(cli),
       [](R& r, const json& v) { r.truth = v.get<std::string>(); }},
  }, alert_fields<R>("exit code 3 when the last --last holds an anomaly, else 0"));
  return fields;
}

anomaly::Input anomalies_input(const Table& table,
                               const std::function<const series::Series&(const std::string&)>& pick,
                               const AnomaliesRequest& r, std::vector<std::string>* notices) {
  if (schema::find_metric(r.metric)) return anomaly::metric_input(pick(r.channel), r.metric);
  const int c = table.find(r.metric);
  if (c < 0 || table.columns[static_cast<size_t>(c)].type != ColumnType::kNumber) {
    std::string numeric;
    for (const auto& col : table.columns)
      if (col.type == ColumnType::kNumber) numeric += (numeric.empty() ? "" : ", ") + col.name;
    throw Error("metric: '" + r.metric + "' is neither a metric (" + schema::metric_names() +
                ") nor a numeric column of " + table.source + " (numeric columns: " +
                (numeric.empty() ? "none" : numeric) + ")");
  }
  if (!r.channel.empty()) throw Error("channel: works with the metrics (" + schema::metric_names() + ")");
  return anomaly::column_input(table, r.metric, r.time, notices);
}

AnomaliesRun anomalies(anomaly::Input input, const AnomaliesRequest& r, std::vector<std::string> notices) {
  AnomaliesRun run;
  run.input = std::move(input);
  run.result = anomaly::detect(run.input, r.options);
  run.notices = std::move(notices);
  run.notices.insert(run.notices.end(), run.result.notices.begin(), run.result.notices.end());
  return run;
}

json anomalies_json(const AnomaliesRun& run, const AnomaliesRequest& r) {
  const anomaly::Result& a = run.result;
  const bool ratio = is_ratio(run);
  json list = json::array();
  for (size_t i = a.checked_from; i < a.size(); ++i) {
    if (!a.flagged[i]) continue;
    json x = {{"time", a.time(i)},
              {"timestamp", time::format_timestamp(a.time(i))},
              {"value", number_or_null(a.value[i])},
              {"expected", number_or_null(a.expected[i])},
              {"lower", number_or_null(a.lower[i])},
              {"upper", number_or_null(a.upper[i])},
              {"score", number_or_null(a.score[i])},
              {"z", number_or_null(a.z[i])},
              {"direction", direction_name(a.direction[i])}};
    if (ratio) {
      x["cause"] = anomaly::cause_name(a.cause[i], run.input);
      for (const auto& p : a.parts)
        x[p.name] = {{"value", number_or_null(p.value[i])},
                     {"expected", number_or_null(p.expected[i])},
                     {"score", number_or_null(p.score[i])}};
    }
    list.push_back(std::move(x));
  }
  json cause_names = nullptr, parts = nullptr;
  if (!a.parts.empty()) {
    cause_names = json::array();
    for (int c = 0; c <= 4; ++c) cause_names.push_back(anomaly::cause_name(static_cast<anomaly::Cause>(c), run.input));
    parts = json::array();
    for (const auto& p : a.parts) parts.push_back({{"name", p.name}});
  }
  json members = nullptr;
  if (!a.members.empty()) {
    members = json::array();
    for (const auto& m : a.members) members.push_back(m.method);
  }
  json j = {{"channel", r.channel},
            {"metric", a.metric},
            {"label", a.label},
            {"method", a.method},
            {"kind", kKinds[static_cast<int>(a.kind)]},
            {"good", a.good},
            {"threshold", a.threshold},
            {"lookback", r.options.lookback.count == 0 ? "all" : anomaly::span_text(r.options.lookback)},
            {"baseline", anomaly::span_text(r.options.baseline)},
            {"lookback_steps", a.lookback_steps},
            {"baseline_steps", a.baseline_steps},
            {"start", a.start},
            {"interval_seconds", a.step},
            {"size", a.size()},
            {"checked_from", a.time(a.checked_from)},
            {"scored", a.scored()},
            {"count", a.count()},
            {"cause_names", cause_names},
            {"parts", parts},
            {"members", members},
            {"notices", run.notices},
            {"anomalies", list}};
  if (r.csv) j["csv"] = anomalies_csv(run, true);
  return j;
}

Columns anomalies_columns(const AnomaliesRun& run) {
  const anomaly::Result& a = run.result;
  Columns out;
  const auto add = [&](std::vector<std::string> path, const std::vector<double>& v) {
    Column c;
    c.path = std::move(path);
    c.f64 = v;
    out.push_back(std::move(c));
  };
  std::vector<double> time(a.size());
  for (size_t i = 0; i < a.size(); ++i) time[i] = static_cast<double>(a.time(i));
  add({"time"}, time);
  add({"value"}, a.value);
  add({"expected"}, a.expected);
  add({"lower"}, a.lower);
  add({"upper"}, a.upper);
  add({"score"}, a.score);
  add({"z"}, a.z);
  Column flagged;
  flagged.path = {"flagged"};
  flagged.u8 = a.flagged;
  flagged.bytes = true;
  out.push_back(std::move(flagged));
  add({"direction"}, std::vector<double>(a.direction.begin(), a.direction.end()));
  if (!a.parts.empty()) {
    for (size_t k = 0; k < a.parts.size(); ++k) {
      add({"parts", std::to_string(k), "value"}, a.parts[k].value);
      add({"parts", std::to_string(k), "expected"}, a.parts[k].expected);
      add({"parts", std::to_string(k), "score"}, a.parts[k].score);
    }
    Column cause;
    cause.path = {"cause"};
    for (const auto c : a.cause) cause.u8.push_back(static_cast<uint8_t>(c));
    cause.bytes = true;
    out.push_back(std::move(cause));
  }
  for (const auto& m : a.members) add({"member_scores", m.method}, m.score);
  return out;
}

std::string anomalies_csv(const AnomaliesRun& run, bool flagged_only) {
  const anomaly::Result& a = run.result;
  const bool ratio = is_ratio(run);
  std::string out = "timestamp,value,expected,lower,upper,score,flag,direction";
  if (ratio) {
    for (const auto& p : a.parts) out += "," + p.name + "," + p.name + "_expected";
    out += ",cause";
  }
  out += "\n";
  for (size_t i = a.checked_from; i < a.size(); ++i) {
    if (flagged_only && !a.flagged[i]) continue;
    out += time::format_timestamp(a.time(i));
    for (double v : {a.value[i], a.expected[i], a.lower[i], a.upper[i]}) out += "," + number(v);
    out += "," + number(a.score[i], "%.9g") + "," + (a.flagged[i] ? "1" : "0") + "," + direction_name(a.direction[i]);
    if (ratio) {
      for (const auto& p : a.parts) out += "," + number(p.value[i]) + "," + number(p.expected[i]);
      out += std::string(",") + anomaly::cause_name(a.cause[i], run.input);
    }
    out += "\n";
  }
  return out;
}

}  // namespace fc::api
