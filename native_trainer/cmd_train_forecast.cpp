// funnelcast train forecast: cross-validate the candidates, keep the best, save it.
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "cli.hpp"
#include "commands.hpp"
#include "funnelcast/base/error.hpp"
#include "funnelcast/forecast/train.hpp"
#include "funnelcast/model/model.hpp"

namespace fc::cli {

namespace {
const char* kHelp =
    "usage: funnelcast train forecast --data FILE --out MODEL [options]\n"
    "\n"
    "Learns to forecast hourly leads. Every candidate - seasonal naive (same hour last\n"
    "week), ridge regression and gradient-boosted trees with squared-error and Poisson\n"
    "loss - is validated on the same expanding-window time-series folds (never shuffled):\n"
    "  one-step    each hour predicted from the true previous hours\n"
    "  recursive   the next --horizon hours forecast from each fold's cut-off, feeding\n"
    "              predictions back as lags: the error you will see in practice\n"
    "The candidate with the lowest mean recursive RMSE is refitted on all the data and\n"
    "saved with its 80%/95% prediction intervals (from cross-validation residuals).\n"
    "\n"
    "The model records the data it was trained on (its columns and their roles, the\n"
    "channel, the interval, how rows and gaps were read): `funnelcast forecast` applies\n"
    "the same to new data and refuses data that does not match.\n"
    "\n"
    "data options:\n"
    "  --data FILE         hourly CSV (finer rows are summed to hours), or one row per lead\n"
    "  --target COL        the column to forecast (default: detected, e.g. leads, conversions)\n"
    "  --channel NAME      train on one channel's series instead of the total\n"
    "%s"
    "validation options:\n"
    "  --horizon N         hours to forecast (default 168)\n"
    "  --folds N           time-series folds (default 5)\n"
    "  --gap N             hours left out between training and validation (default 0)\n"
    "feature options:\n"
    "  --lags LIST         e.g. 1-24,48,72,168,336 (the default)\n"
    "  --windows LIST      rolling windows in hours (default 24,168)\n"
    "  --no-cyclic         leave out sin/cos of hour of day and day of week\n"
    "  --no-calendar       no calendar features\n"
    "  --exog COL:LAGS     another column's lags as features, e.g. spend:168,336 (lags >= horizon)\n"
    "model options:\n"
    "  --param KEY=VALUE   gradient boosting parameter, repeatable (LightGBM names):\n"
    "                      num_iterations (default 600, the folds pick the count by early\n"
    "                      stopping), learning_rate 0.05, num_leaves 31, max_depth -1,\n"
    "                      min_data_in_leaf 20, lambda_l2 1, feature_fraction 0.9,\n"
    "                      bagging_fraction 0.8, bagging_freq 1, seed 0, objective\n"
    "                      (regression or poisson: only that GBDT candidate is tried)\n"
    "  --threads N         threads for tree building (default 2; the model is the same)\n"
    "output:\n"
    "  --out MODEL         the model file to write\n"
    "  --report FILE.json  cross-validation report (per fold, mean +- std, comparison)\n"
    "  --no-log            do not append this run to runs.jsonl beside the model\n"
    "  --stamp             record the training time in the model (created_at); without it\n"
    "                      the same data and seed give byte-identical files. SOURCE_DATE_EPOCH,\n"
    "                      when set, is used as that time (reproducible builds)\n"
    "  --quiet             no progress on stderr\n"
    "\n"
    "example:\n"
    "  funnelcast train forecast --data hourly.csv --out leads.fcm --report cv.json\n";

std::vector<int> parse_int_list(const std::string& option, const std::string& text) {
  std::vector<int> out;
  std::stringstream ss(text);
  std::string part;
  auto bad = [&] { return UsageError{"--" + option + ": expected numbers like 1-24,48,168, found '" + text + "'"}; };
  auto to_int = [&](const std::string& s) {
    if (s.empty() || s.size() > 6 || s.find_first_not_of("0123456789") != std::string::npos) throw bad();
    return std::stoi(s);
  };
  while (std::getline(ss, part, ',')) {
    const size_t dash = part.find('-');
    if (dash == std::string::npos) {
      out.push_back(to_int(part));
    } else {
      const int a = to_int(part.substr(0, dash)), b = to_int(part.substr(dash + 1));
      if (b < a || b - a > 10000) throw bad();
      for (int i = a; i <= b; ++i) out.push_back(i);
    }
  }
  if (out.empty()) throw bad();
  return out;
}

void print_summary(const nlohmann::json& report) {
  auto cell = [](const nlohmann::json& m, const char* key) {
    char buf[64];
    const auto& v = m.at(key);
    if (!v.at("mean").is_number() || std::isnan(v.at("mean").get<double>())) return std::string("n/a");
    std::snprintf(buf, sizeof buf, "%.3f ± %.3f", v.at("mean").get<double>(), v.at("std").get<double>());
    return std::string(buf);
  };
  std::printf("\n%-15s  %-17s %-17s %-17s %-17s %-17s\n", "candidate", "recursive RMSE", "recursive MAE",
              "recursive sMAPE", "one-step RMSE", "one-step R²");
  for (const auto& c : report.at("comparison")) {
    const std::string name = c.at("name").get<std::string>();
    std::printf("%-15s  %-17s %-17s %-17s %-17s %-17s%s\n", name.c_str(), cell(c["recursive"], "rmse").c_str(),
                cell(c["recursive"], "mae").c_str(), cell(c["recursive"], "smape").c_str(),
                cell(c["one_step"], "rmse").c_str(), cell(c["one_step"], "r2").c_str(),
                name == report.at("selected").get<std::string>() ? "  <- selected" : "");
  }
  const auto& cov = report.at("coverage");
  if (cov.at("p80").is_number())
    std::printf("\ninterval coverage on the folds: 80%% band %.1f%%, 95%% band %.1f%%\n",
                100 * cov.at("p80").get<double>(), 100 * cov.at("p95").get<double>());
}

}  // namespace

int run_train_forecast(int argc, char** argv, int first) {
  std::vector<std::string> options = {"data", "out", "report", "horizon", "folds", "gap", "param",
                                      "threads", "lags", "windows", "exog"};
  options.insert(options.end(), role_options().begin(), role_options().end());
  std::vector<std::string> flags = {"no-cyclic", "no-calendar", "quiet", "stamp", "no-log"};
  flags.insert(flags.end(), series_flags().begin(), series_flags().end());
  Args args(argc, argv, first, options, flags, {"param", "exog"});
  if (args.help()) {
    print_help(kHelp, {role_help()});
    return 0;
  }
  if (!args.positional().empty()) throw UsageError{"unexpected argument '" + args.positional()[0] + "'"};

  const std::string data_path = args.require("data"), out_path = args.require("out");
  forecast::TrainOptions o;
  o.horizon = args.get_int("horizon", 168, 1, 24 * 366);
  o.folds = args.get_int("folds", 5, 2, 50);
  o.gap = static_cast<size_t>(args.get_int("gap", 0, 0, 24 * 366));
  o.threads = args.get_int("threads", 2, 1, 256);
  if (args.has("lags")) o.spec.lags = parse_int_list("lags", args.get("lags"));
  if (args.has("windows")) o.spec.rolling_windows = parse_int_list("windows", args.get("windows"));
  o.spec.cyclic = !args.has("no-cyclic");
  o.spec.calendar = !args.has("no-calendar");
  for (const auto& e : args.all("exog")) {
    const size_t colon = e.find(':');
    if (colon == std::string::npos || colon == 0) throw UsageError{"--exog: expected COL:LAGS like spend:168,336"};
    o.spec.exog.push_back({e.substr(0, colon), parse_int_list("exog", e.substr(colon + 1))});
  }
  // Validates the spec the same way a model file's spec is validated.
  o.spec = features::FeatureSpec::from_json(o.spec.to_json());

  o.params.num_iterations = 600;
  o.params.learning_rate = 0.05;
  o.params.lambda_l2 = 1.0;
  o.params.feature_fraction = 0.9;
  o.params.bagging_fraction = 0.8;
  o.params.bagging_freq = 1;
  set_params(args, o.params);
  for (const auto& kv : args.all("param"))
    if (kv.compare(0, 10, "objective=") == 0) o.pinned_objective = gbdt::to_string(o.params.objective);
  o.params.validate();
  o.channel = args.get("channel");

  const series::BuildResult data = load_series(data_path, args);
  describe_series(data, data_path);
  if (!o.channel.empty()) series::select(data, o.channel);  // names the channels when absent
  o.spec.target = "leads";

  ProgressLine progress(args.has("quiet"));
  const forecast::TrainOutput out =
      forecast::train(data, o, [&](const std::string& stage, double f) { progress.update(stage, f); });
  progress.finish();
  print_notices(out.notices);

  model::Model m = out.model;
  stamp(m, args);
  const std::string bytes = model::save(m);
  write_file(out_path, bytes);
  if (args.has("report")) write_file(args.get("report"), json_dump(out.report));
  if (!args.has("no-log")) {
    const auto& cv = m.header.forecast->cv.recursive;
    log_run(out_path, bytes, data_path, "forecast", m.header.forecast->params ? m.header.forecast->params->to_json() : nlohmann::json(nullptr),
            {{"selected", m.header.forecast->selected},
             {"recursive_rmse", number_or_null(cv.at("rmse").mean)},
             {"recursive_mae", number_or_null(cv.at("mae").mean)},
             {"recursive_smape", number_or_null(cv.at("smape").mean)}});
  }
  print_summary(out.report);
  std::printf("saved %s (%zu bytes, selected %s)%s%s\n", out_path.c_str(), bytes.size(),
              out.report.at("selected").get<std::string>().c_str(),
              args.has("report") ? ", report " : "", args.get("report").c_str());
  return 0;
}

}  // namespace fc::cli
