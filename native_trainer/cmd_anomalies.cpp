// funnelcast anomalies: a score, a flag, the expected value and band, and a direction for
// every interval of a metric (or any numeric column); why a ratio moved; an evaluation
// against known anomalies; and an exit code for cron or CI alerting.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>

#include "cli.hpp"
#include "commands.hpp"
#include "funnelcast/anomaly/anomaly.hpp"
#include "funnelcast/api/anomalies.hpp"
#include "funnelcast/anomaly/evaluate.hpp"
#include "funnelcast/base/error.hpp"
#include "funnelcast/forecast/predict.hpp"
#include "funnelcast/model/model.hpp"
#include "funnelcast/time/time.hpp"

namespace fc::cli {

namespace {
const char* kAnomaliesHelp =
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
    "%s"
    "%s";

std::string number(double v, const char* fmt = "%.6g") {
  if (!std::isfinite(v)) return "";
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

const char* direction_name(int8_t d) {
  return d > 0 ? "spike" : d < 0 ? "drop" : "";
}

// One-step-ahead forecasts of the model's target on the input's grid, each from the
// `min_history` intervals before it, for the intervals from `from` on.
anomaly::Forecasts one_step_forecasts(const model::Model& m, const std::string& model_name,
                                      const Table& table, const Args& args,
                                      const anomaly::Input& in, size_t from) {
  const forecast::Request request = forecast_request(args, model_name, m);
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
      const forecast::Forecast one = forecast::predict(m, sub, 1, model_name, series::clock_zone(prepared.data));
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
  const auto& fields = api::anomalies_fields();
  Args args = series_args(argc, argv, first, fields);
  if (args.help()) {
    std::string methods;
    for (const auto& m : anomaly::methods()) {
      std::string name = std::string("  ") + m.name;
      name.resize(12, ' ');
      methods += name + m.help + "\n";
    }
    print_help(kAnomaliesHelp, {methods, api::options_help(api::infos(fields)), role_help()});
    return 0;
  }
  if (!args.positional().empty())
    throw UsageError{"unexpected argument '" + args.positional()[0] + "'"};
  api::AnomaliesRequest request = read_args(args, fields);
  if (request.json && !request.out.empty()) throw UsageError{"--json and --out: choose one"};
  if (args.has("last") && !request.fail_on_anomaly) throw UsageError{"--last goes with --fail-on-anomaly"};
  if (request.data.empty()) throw UsageError{"--data is required"};
  const std::string path = request.data;
  const bool whole = !request.truth.empty() && !request.lookback_given;
  if (whole) request.options.lookback = anomaly::Span::intervals(0);
  request.time = args.get("time");

  // The series: a metric of the registry, or a numeric column on its own.
  const Table table = read_table(path);
  std::optional<series::BuildResult> data;
  std::vector<std::string> notices;
  anomaly::Input in;
  try {
    in = api::anomalies_input(table, [&](const std::string& channel) -> const series::Series& {
      data = series::build(table, series_options(args));
      describe_series(*data, path);
      return series::select(*data, channel);
    }, request, &notices);
  } catch (const Error& e) {
    if (std::string(e.what()).rfind("metric: ", 0) == 0) throw UsageError{std::string("--") + e.what()};
    if (std::string(e.what()).rfind("channel: ", 0) == 0)
      throw UsageError{"--channel works with the metrics (" + schema::metric_names() + ")"};
    throw;
  }
  if (!data) {
    std::fprintf(stderr, "%s: %zu rows -> %zu %s of '%s' (%s to %s)\n", base_name(path).c_str(), table.rows,
                 in.size(), time::interval_units(in.step, in.size()).c_str(), request.metric.c_str(),
                 time::format_timestamp(in.start).c_str(), time::format_timestamp(in.time(in.size() - 1)).c_str());
    print_notices(notices);
  }
  if (whole) std::fprintf(stderr, "note: with --truth and no --lookback, the whole series is checked\n");

  if (!request.model.empty()) {
    const std::string model_name = base_name(request.model);
    const model::Model m = model::load(read_file(request.model), model_name);
    if (m.header.kind != "forecast" || !m.header.forecast)
      throw Error(model_name + " is a " + m.header.kind + " model, not a forecast model");
    const std::string target = m.header.forecast->features.target;
    if (target != in.name)
      throw Error(model_name + " forecasts " + target + ", so its residuals judge " + target +
                  "; use --metric " + target + " with it");
    // Forecasts for the checked period and enough intervals before it to calibrate.
    const anomaly::Span& lb = request.options.lookback;
    size_t from = 0;
    const size_t lookback = lb.steps ? static_cast<size_t>(lb.count) : static_cast<size_t>(lb.count / in.step);
    if (lookback > 0 && lookback + 1000 < in.size()) from = in.size() - lookback - 1000;
    request.options.forecasts = one_step_forecasts(m, model_name, table, args, in, from);
  }

  const api::AnomaliesRun run = api::anomalies(in, request, notices);
  print_notices(run.result.notices);
  const anomaly::Result& r = run.result;
  if (!request.out.empty()) write_file(request.out, api::anomalies_csv(run, false));

  nlohmann::json doc = api::anomalies_json(run, request);
  if (!request.truth.empty()) {
    const anomaly::Truth truth =
        anomaly::read_truth(read_file(request.truth), base_name(request.truth), path);
    const anomaly::Evaluation e = anomaly::evaluate(r, in, truth, request.channel);
    for (const auto& note : e.notes) std::fprintf(stderr, "note: %s\n", note.c_str());
    doc["evaluation"] = {{"events", e.events},
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
                         {"window_false_positives", e.window_false_positives},
                         {"notes", e.notes}};
    std::fprintf(stderr,
                 "evaluation (%s): %zu incidents, %zu detected (recall %s), %zu alerts, %zu true "
                 "(precision %s), F1 %s, mean delay %s %s; window score %s (raw %.3f, %zu false positives)\n",
                 r.method.c_str(), e.events, e.detected, number(e.recall, "%.3f").c_str(), e.alerts,
                 e.true_alerts, number(e.precision, "%.3f").c_str(), number(e.f1, "%.3f").c_str(),
                 number(e.delay, "%.2f").c_str(), time::interval_units(r.step, 2).c_str(),
                 number(e.window_score, "%.2f").c_str(), e.window_raw, e.window_false_positives);
  }
  if (request.json) std::cout << json_dump(doc);
  else if (request.out.empty()) std::cout << api::anomalies_csv(run, true);
  std::fprintf(stderr, "%zu anomalous %s of %s among %zu scored (score >= %.6g, %s)\n", r.count(),
               time::interval_units(r.step, r.count()).c_str(), r.metric.c_str(), r.scored(), r.threshold, r.method.c_str());

  if (request.fail_on_anomaly) {
    const anomaly::Span& last = request.last;
    const size_t steps = std::min(api::span_steps(last, r.step), r.size());
    size_t hits = 0, latest = 0;
    for (size_t i = r.size() - steps; i < r.size(); ++i)
      if (r.flagged[i]) {
        ++hits;
        latest = i;
      }
    if (hits) {
      std::fprintf(
          stderr, "alert: %zu anomalous %s of %s in the last %s; latest %s: %s, expected %s (%s)\n",
          hits, time::interval_units(r.step, hits).c_str(), r.metric.c_str(), anomaly::span_text(last).c_str(),
          time::format_timestamp(r.time(latest)).c_str(), number(r.value[latest]).c_str(),
          number(r.expected[latest]).c_str(), direction_name(r.direction[latest]));
      return 3;
    }
  }
  return 0;
}

}  // namespace fc::cli
