// funnelcast anomalies: a score, a flag, the expected value and band, and a direction for
// every interval of a metric (or any numeric column); why a ratio moved; an evaluation
// against known anomalies; and an exit code for cron or CI alerting.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "cli.hpp"
#include "commands.hpp"
#include "funnelcast/anomaly/anomaly.hpp"
#include "funnelcast/anomaly/evaluate.hpp"
#include "funnelcast/base/error.hpp"
#include "funnelcast/forecast/predict.hpp"
#include "funnelcast/model/model.hpp"
#include "funnelcast/time/time.hpp"

namespace fc::cli {

namespace {
const char* kHelp =
    "usage: funnelcast anomalies --data FILE [--metric NAME|COL] [--method ensemble] [--threshold "
    "T]\n"
    "                            [--lookback 14d] [--baseline 7d] [--model MODEL] [--channel "
    "NAME]\n"
    "                            [--json | --out FILE.csv] [--truth FILE] [--fail-on-anomaly "
    "[--last 24h]]\n"
    "\n"
    "Judges every interval (5 minutes to a day, detected from the timestamps) of a metric or of\n"
    "any numeric column against the data before it only, and flags the unusual ones in the last\n"
    "--lookback. Each interval gets a score in [0, 1] (1 - its tail probability, calibrated on "
    "the\n"
    "series' own past, so 0.9999 means one in ten thousand on any series), a flag, the expected\n"
    "value and the band of values that would not be flagged, and a direction (spike or drop).\n"
    "Ratios (cpl, roi, conversion) are judged with their volume as weight (one lead at 3 a.m. is\n"
    "not news; 0 leads gives no CPL, never an infinite one) and say why they moved: the spend, "
    "the\n"
    "leads, or both. Missing intervals are neither judged nor part of a baseline.\n"
    "\n"
    "methods:\n%s"
    "\n"
    "options:\n"
    "  --metric M       a metric (%s; default cpl) or a numeric column\n"
    "  --method M       the detector (default ensemble)\n"
    "  --threshold T    flag when the score is at least T (0 < T < 1; default 0.9999), or T >= 1\n"
    "                   read as a z: the score of a Gaussian |z| of T (zscore default: |z| > 2.5)\n"
    "  --lookback D     the period at the end that is checked: 36h, 14d, 2w or a number of\n"
    "                   intervals; 0 = all (default 14d; all with --truth)\n"
    "  --baseline D     zscore and robust: the trailing window that defines normal (default 7d)\n"
    "  --model FILE     a forecast model of the metric: its one-step-ahead forecasts feed the\n"
    "                   residual method and join the ensemble\n"
    "  --channel NAME   one channel instead of the total\n"
    "  --seasons N      seasonal: the same phase over the last N days or weeks (default 4)\n"
    "  --seed N         isolation forest seed (default 1)\n"
    "  --json           JSON: the settings, every flagged interval, the evaluation\n"
    "  --out FILE.csv   one row per checked interval: timestamp, value, expected, lower, upper,\n"
    "                   score, flag, direction (and for ratios each part, its expected value, "
    "cause)\n"
    "  --truth FILE     known anomalies: a CSV of timestamps or of start,end windows, or NAB's\n"
    "                   labels/windows JSON; prints precision, recall, F1, delay and a window "
    "score\n"
    "  --fail-on-anomaly  exit code 3 when the last --last (default 24h) holds an anomaly, else 0\n"
    "%s";

double get_threshold(const Args& args) {
  if (!args.has("threshold")) return 0;
  const std::string v = args.get("threshold");
  char* end = nullptr;
  const double x = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || !(x > 0) || x > 1e6)
    throw UsageError{"--threshold: expected a positive number, found '" + v + "'"};
  return x;
}

anomaly::Span get_span(const Args& args, const std::string& name, const anomaly::Span& fallback) {
  if (!args.has(name)) return fallback;
  try {
    return anomaly::parse_span(args.get(name), "--" + name);
  } catch (const Error& e) {
    throw UsageError{e.what()};
  }
}

std::string number(double v, const char* fmt = "%.6g") {
  if (!std::isfinite(v)) return "";
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

const char* direction_name(int8_t d) {
  return d > 0 ? "spike" : d < 0 ? "drop" : "";
}

// "hours", "days", or "intervals of 5 minutes".
std::string units(int64_t step, size_t n) {
  const std::string name = time::interval_name(step);
  if (name.find(' ') != std::string::npos)
    return (n == 1 ? "interval of " : "intervals of ") + name;
  return n == 1 ? name : name + "s";
}

// One-step-ahead forecasts of the model's target on the input's grid, each from the
// `min_history` intervals before it, for the intervals from `from` on.
anomaly::Forecasts one_step_forecasts(const model::Model& m, const std::string& model_name,
                                      const Table& table, const Args& args,
                                      const anomaly::Input& in, size_t from) {
  const forecast::Request request = forecast_request(args, model_name);
  const forecast::Prepared prepared = forecast::prepare(m, table, request);
  const series::Series& s = prepared.series();
  const size_t keep = static_cast<size_t>(std::max(1, m.header.forecast->min_history));
  anomaly::Forecasts f;
  const size_t n = in.size();
  f.mean.assign(n, NAN);
  f.lower.assign(n, NAN);
  f.upper.assign(n, NAN);
  f.level = 0.95;
  series::Series sub;
  sub.channel = s.channel;
  sub.step = s.step;
  size_t failed = 0;
  for (size_t i = from; i < n; ++i) {
    const int64_t t = in.time(i);
    if ((t - s.start) % s.step != 0 || t < s.start) continue;
    const size_t k = static_cast<size_t>((t - s.start) / s.step);
    if (k < keep || k > s.size()) continue;
    const size_t a = k - keep;
    sub.start = s.time(a);
    const auto slice = [&](const std::vector<double>& v, std::vector<double>& out) {
      if (v.size() == s.size())
        out.assign(v.begin() + static_cast<std::ptrdiff_t>(a),
                   v.begin() + static_cast<std::ptrdiff_t>(k));
      else
        out.clear();
    };
    slice(s.leads, sub.leads);
    slice(s.spend, sub.spend);
    slice(s.revenue, sub.revenue);
    slice(s.clicks, sub.clicks);
    sub.observed.assign(s.observed.begin() + static_cast<std::ptrdiff_t>(a),
                        s.observed.begin() + static_cast<std::ptrdiff_t>(k));
    try {
      const forecast::Forecast one = forecast::predict(m, sub, 1, model_name);
      f.mean[i] = one.mean[0];
      f.lower[i] = one.lower95[0];
      f.upper[i] = one.upper95[0];
    } catch (const Error&) {
      ++failed;  // e.g. the hour before is missing: no forecast, not judged
    }
  }
  if (failed)
    std::fprintf(stderr,
                 "note: %zu intervals have no forecast (the interval before them has no value)\n",
                 failed);
  return f;
}

}  // namespace

int run_anomalies(int argc, char** argv, int first) {
  std::vector<std::string> options = {"data",     "metric",   "method", "threshold",
                                      "lookback", "baseline", "model",  "out",
                                      "truth",    "last",     "seed",   "seasons"};
  options.insert(options.end(), role_options().begin(), role_options().end());
  std::vector<std::string> flags = {"json", "fail-on-anomaly"};
  flags.insert(flags.end(), series_flags().begin(), series_flags().end());
  Args args(argc, argv, first, options, flags);
  if (args.help()) {
    std::string methods;
    for (const auto& m : anomaly::methods()) {
      std::string name = std::string("  ") + m.name;
      name.resize(12, ' ');
      methods += name + m.help + "\n";
    }
    print_help(kHelp, {methods, schema::metric_names(), role_help()});
    return 0;
  }
  if (!args.positional().empty())
    throw UsageError{"unexpected argument '" + args.positional()[0] + "'"};
  if (args.has("json") && args.has("out")) throw UsageError{"--json and --out: choose one"};
  if (args.has("last") && !args.has("fail-on-anomaly"))
    throw UsageError{"--last goes with --fail-on-anomaly"};
  const std::string path = args.require("data");

  anomaly::Options o;
  o.method = args.get("method", o.method);
  bool known = false;
  for (const auto& m : anomaly::methods()) known = known || o.method == m.name;
  if (!known)
    throw UsageError{"--method: unknown method '" + o.method + "'; choose one of " +
                     anomaly::method_names()};
  o.threshold = get_threshold(args);
  o.baseline = get_span(args, "baseline", o.baseline);
  const bool whole = args.has("truth") && !args.has("lookback");
  o.lookback = whole ? anomaly::Span::intervals(0) : get_span(args, "lookback", o.lookback);
  o.seed = static_cast<uint64_t>(args.get_int("seed", 1, 0, 2147483647));
  o.seasons = args.get_int("seasons", o.seasons, 2, 52);

  // The series: a metric of the registry, or a numeric column on its own.
  const Table table = read_table(path);
  const std::string metric = args.get("metric", "cpl");
  anomaly::Input in;
  if (schema::find_metric(metric)) {
    const series::BuildResult data = series::build(table, series_options(args));
    describe_series(data, path);
    in = anomaly::metric_input(series::select(data, args.get("channel")), metric);
  } else {
    const int c = table.find(metric);
    if (c < 0 || table.columns[static_cast<size_t>(c)].type != ColumnType::kNumber) {
      std::string numeric;
      for (const auto& col : table.columns)
        if (col.type == ColumnType::kNumber) numeric += (numeric.empty() ? "" : ", ") + col.name;
      throw UsageError{"--metric: '" + metric + "' is neither a metric (" + schema::metric_names() +
                       ") nor a numeric column of " + base_name(path) +
                       " (numeric columns: " + (numeric.empty() ? "none" : numeric) + ")"};
    }
    if (args.has("channel"))
      throw UsageError{"--channel works with the metrics (" + schema::metric_names() + ")"};
    std::vector<std::string> notices;
    in = anomaly::column_input(table, metric, args.get("time"), &notices);
    std::fprintf(stderr, "%s: %zu rows -> %zu %s of '%s' (%s to %s)\n", base_name(path).c_str(),
                 table.rows, in.size(), units(in.step, in.size()).c_str(), metric.c_str(),
                 time::format_timestamp(in.start).c_str(),
                 time::format_timestamp(in.time(in.size() - 1)).c_str());
    print_notices(notices);
  }
  if (whole)
    std::fprintf(stderr, "note: with --truth and no --lookback, the whole series is checked\n");

  if (args.has("model")) {
    const std::string model_path = args.get("model");
    const std::string model_name = base_name(model_path);
    const model::Model m = model::load(read_file(model_path), model_name);
    if (m.header.kind != "forecast" || !m.header.forecast)
      throw Error(model_name + " is a " + m.header.kind + " model, not a forecast model");
    const std::string target = m.header.forecast->features.target;
    if (target != in.name)
      throw Error(model_name + " forecasts " + target + ", so its residuals judge " + target +
                  "; use --metric " + target + " with it");
    // Forecasts for the checked period and enough intervals before it to calibrate.
    size_t from = 0;
    const size_t lookback = o.lookback.steps ? static_cast<size_t>(o.lookback.count)
                                             : static_cast<size_t>(o.lookback.count / in.step);
    if (lookback > 0 && lookback + 1000 < in.size()) from = in.size() - lookback - 1000;
    o.forecasts = one_step_forecasts(m, model_name, table, args, in, from);
  }

  const anomaly::Result r = anomaly::detect(in, o);
  print_notices(r.notices);
  const bool ratio = in.kind == anomaly::Kind::kRatio && r.parts.size() == 2;

  // Per interval rows (--out) and the flagged ones (stdout, JSON).
  std::string header = "timestamp,value,expected,lower,upper,score,flag,direction";
  if (ratio) {
    for (const auto& p : r.parts) header += "," + p.name + "," + p.name + "_expected";
    header += ",cause";
  }
  header += "\n";
  const auto row = [&](size_t i) {
    std::string line = time::format_timestamp(r.time(i));
    for (double v : {r.value[i], r.expected[i], r.lower[i], r.upper[i]}) line += "," + number(v);
    line += "," + number(r.score[i], "%.9g") + "," + (r.flagged[i] ? "1" : "0") + "," +
            direction_name(r.direction[i]);
    if (ratio) {
      for (const auto& p : r.parts) line += "," + number(p.value[i]) + "," + number(p.expected[i]);
      line += std::string(",") + anomaly::cause_name(r.cause[i], in);
    }
    return line + "\n";
  };
  std::string flagged_csv = header, all_csv = header;
  nlohmann::json list = nlohmann::json::array();
  for (size_t i = r.checked_from; i < r.size(); ++i) {
    if (args.has("out")) all_csv += row(i);
    if (!r.flagged[i]) continue;
    flagged_csv += row(i);
    nlohmann::json a = {{"time", r.time(i)},
                        {"timestamp", time::format_timestamp(r.time(i))},
                        {"value", number_or_null(r.value[i])},
                        {"expected", number_or_null(r.expected[i])},
                        {"lower", number_or_null(r.lower[i])},
                        {"upper", number_or_null(r.upper[i])},
                        {"score", number_or_null(r.score[i])},
                        {"z", number_or_null(r.z[i])},
                        {"direction", direction_name(r.direction[i])}};
    if (ratio) {
      a["cause"] = anomaly::cause_name(r.cause[i], in);
      for (const auto& p : r.parts)
        a[p.name] = {{"value", number_or_null(p.value[i])},
                     {"expected", number_or_null(p.expected[i])},
                     {"score", number_or_null(p.score[i])}};
    }
    list.push_back(a);
  }
  if (args.has("out")) write_file(args.get("out"), all_csv);

  nlohmann::json evaluation;
  if (args.has("truth")) {
    const std::string truth_path = args.get("truth");
    const anomaly::Truth truth =
        anomaly::read_truth(read_file(truth_path), base_name(truth_path), path);
    const anomaly::Evaluation e = anomaly::evaluate(r, in, truth);
    evaluation = {{"events", e.events},
                  {"detected", e.detected},
                  {"alerts", e.alerts},
                  {"true_alerts", e.true_alerts},
                  {"precision", number_or_null(e.precision)},
                  {"recall", number_or_null(e.recall)},
                  {"f1", number_or_null(e.f1)},
                  {"delay", number_or_null(e.delay)},
                  {"delay_seconds", number_or_null(e.delay_seconds)},
                  {"window_score", number_or_null(e.window_score)},
                  {"window_raw", e.window_raw},
                  {"window_null", e.window_null},
                  {"window_perfect", e.window_perfect},
                  {"window_false_positives", e.window_false_positives}};
    std::fprintf(stderr,
                 "evaluation (%s): %zu incidents, %zu detected (recall %s), %zu alerts, %zu true "
                 "(precision %s), "
                 "F1 %s, mean delay %s %s; window score %s (raw %.3f, %zu false positives)\n",
                 r.method.c_str(), e.events, e.detected, number(e.recall, "%.3f").c_str(), e.alerts,
                 e.true_alerts, number(e.precision, "%.3f").c_str(), number(e.f1, "%.3f").c_str(),
                 number(e.delay, "%.2f").c_str(), units(r.step, 2).c_str(),
                 number(e.window_score, "%.2f").c_str(), e.window_raw, e.window_false_positives);
  }

  if (args.has("json")) {
    nlohmann::json j = {
        {"metric", r.metric},
        {"label", r.label},
        {"method", r.method},
        {"threshold", r.threshold},
        {"lookback", o.lookback.count == 0 ? "all" : anomaly::span_text(o.lookback)},
        {"baseline", anomaly::span_text(o.baseline)},
        {"lookback_steps", r.lookback_steps},
        {"baseline_steps", r.baseline_steps},
        {"interval_seconds", r.step},
        {"checked_from", r.time(r.checked_from)},
        {"scored", r.scored()},
        {"count", r.count()},
        {"anomalies", list}};
    if (!evaluation.is_null()) j["evaluation"] = evaluation;
    std::cout << json_dump(j);
  } else if (!args.has("out")) {
    std::cout << flagged_csv;
  }
  std::fprintf(stderr, "%zu anomalous %s of %s among %zu scored (score >= %.6g, %s)\n", r.count(),
               units(r.step, r.count()).c_str(), r.metric.c_str(), r.scored(), r.threshold,
               r.method.c_str());

  if (args.has("fail-on-anomaly")) {
    const anomaly::Span last = get_span(args, "last", anomaly::Span::seconds(time::kDay));
    size_t steps = last.steps ? static_cast<size_t>(last.count)
                              : static_cast<size_t>((last.count + r.step - 1) / r.step);
    steps = std::max<size_t>(1, std::min(steps, r.size()));
    size_t hits = 0, latest = 0;
    for (size_t i = r.size() - steps; i < r.size(); ++i)
      if (r.flagged[i]) {
        ++hits;
        latest = i;
      }
    if (hits) {
      std::fprintf(
          stderr, "alert: %zu anomalous %s of %s in the last %s; latest %s: %s, expected %s (%s)\n",
          hits, units(r.step, hits).c_str(), r.metric.c_str(), anomaly::span_text(last).c_str(),
          time::format_timestamp(r.time(latest)).c_str(), number(r.value[latest]).c_str(),
          number(r.expected[latest]).c_str(), direction_name(r.direction[latest]));
      return 3;
    }
  }
  return 0;
}

}  // namespace fc::cli
