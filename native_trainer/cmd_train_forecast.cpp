// funnelcast train forecast: cross-validate the candidates, keep the best, save it.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "cli.hpp"
#include "commands.hpp"
#include "funnelcast/api/train.hpp"
#include "funnelcast/base/error.hpp"
#include "funnelcast/forecast/train.hpp"
#include "funnelcast/model/model.hpp"

namespace fc::cli {

namespace {
const char* kTrainForecastHelp =
    "usage: funnelcast train forecast --data FILE --out MODEL [options]\n"
    "\n"
    "Learns to forecast hourly, daily or weekly leads. Every candidate - seasonal naive (same\n"
    "hour last week, and yesterday), ridge regression, gradient-boosted trees with squared-error and\n"
    "Poisson loss, the same trees on the target measured from its level of the last week\n"
    "(gbdt_level: trends and levels the trees never saw), Holt-Winters exponential smoothing\n"
    "(daily and weekly seasons) and a Theta method - is validated on the same\n"
    "expanding-window time-series folds (never shuffled):\n"
    "  one-step    each hour predicted from the true previous hours\n"
    "  recursive   the next --horizon hours forecast from each fold's cut-off, feeding\n"
    "              predictions back as lags: the error you will see in practice\n"
    "  backtest    the next --horizon hours forecast from every day of the last 3 folds,\n"
    "              scored by MASE (against the in-sample error of repeating yesterday)\n"
    "              and sMAPE, so series of any level are judged alike\n"
    "The median of the three best (one of the trees at most) is a candidate too. The one\n"
    "with the lowest mean backtest MASE (never one worse there than seasonal naive) is\n"
    "refitted on all the data and saved with its 80%/95% prediction intervals (from\n"
    "cross-validation residuals).\n"
    "\n"
    "The trees: 63 bins a feature (--param max_bin=N), early stopping on the latest steps\n"
    "of the first fold's training part, each later fold with the tree count the fold before\n"
    "chose on its block (a fold's model never sees its own), the final model with their median.\n"
    "\n"
    "The interval is detected from the file. Hourly data (finer rows are summed to hours):\n"
    "--horizon in hours, default 168. Daily data (one row per date): --horizon in days,\n"
    "default 14; lags 1-7,14,21,28 and windows 7,28 days; seasonal naive repeats the same\n"
    "weekday last week and the backtests start every day, scored against that;\n"
    "Holt-Winters and Theta read a 7-day season (seasonal naive of yesterday is not run).\n"
    "Weekly data (one row per week, on one weekday): --horizon in weeks, default 13; with\n"
    "two years of history or more a yearly season (seasonal naive of 52 weeks back,\n"
    "Holt-Winters and Theta with a 52-week season, lags 1-4,8,13,26,52), with less none\n"
    "(naive repeats the last week, lags 1-4,8,13); windows 4,13 weeks; the backtests start\n"
    "every week, scored against that naive. Other intervals are refused. Too short a\n"
    "history is refused with the days (weeks) it needs.\n"
    "\n"
    "--by channel: one model for every channel of the file. The gradient-boosted trees\n"
    "learn from all the channels at once, the channel one more input: gbdt_global (each\n"
    "channel's leads and lags in the units of its own level: the last week of hourly\n"
    "data, four weeks of daily, a quarter of weekly) and\n"
    "gbdt_global_poisson (Poisson loss on the counts); seasonal naive runs per channel\n"
    "beside them. Selected by the channels' mean backtest MASE (each channel judged alike);\n"
    "each channel gets its own intervals. `funnelcast forecast` then forecasts each channel\n"
    "from its own history and the total as their sum, so they add up.\n"
    "\n"
    "The model records the data it was trained on (its columns and their roles, the\n"
    "channel, the interval, how rows and gaps were read): `funnelcast forecast` applies\n"
    "the same to new data and refuses data that does not match. The column forecast is\n"
    "the leads role (--target COL is the same as --leads COL; detected when not given).\n"
    "The page's Module.trainForecast takes the same options (its keys are the names\n"
    "with _ for -) and gives the same bytes as --threads 1.\n"
    "\n"
    "options:\n"
    "%s"
    "%s"
    "\n"
    "example:\n"
    "  funnelcast train forecast --data hourly.csv --out leads.fcm --report cv.json\n"
    "  funnelcast train forecast --data kpi_daily.csv --out daily.fcm --horizon 28\n"
    "  funnelcast train forecast --data hourly.csv --out channels.fcm --by channel\n";

void print_forecast_summary(const nlohmann::json& report) {
  auto cell = [](const nlohmann::json& m, const char* key) {
    char buf[64];
    const auto& v = m.at(key);
    if (!v.at("mean").is_number() || std::isnan(v.at("mean").get<double>())) return std::string("n/a");
    std::snprintf(buf, sizeof buf, "%.3f ± %.3f", v.at("mean").get<double>(), v.at("std").get<double>());
    return std::string(buf);
  };
  // The names' column: 18 wide, or the longest name's width (gbdt_global_poisson).
  int w = 18;
  for (const auto& c : report.at("comparison")) w = std::max(w, static_cast<int>(c.at("name").get<std::string>().size()));
  std::printf("\n%-*s  %-17s %-17s %-17s %-17s %-17s %-17s %-17s\n", w, "candidate", "recursive RMSE", "recursive MAE",
              "recursive sMAPE", "one-step RMSE", "one-step R²", "backtest MASE", "backtest sMAPE");
  for (const auto& c : report.at("comparison")) {
    const std::string name = c.at("name").get<std::string>();
    const bool backtested = c.contains("backtest");
    std::printf("%-*s  %-17s %-17s %-17s %-17s %-17s %-17s %-17s%s\n", w, name.c_str(), cell(c["recursive"], "rmse").c_str(),
                cell(c["recursive"], "mae").c_str(), cell(c["recursive"], "smape").c_str(),
                cell(c["one_step"], "rmse").c_str(), cell(c["one_step"], "r2").c_str(),
                backtested ? cell(c["backtest"], "mase").c_str() : "n/a",
                backtested ? cell(c["backtest"], "smape").c_str() : "n/a",
                name == report.at("selected").get<std::string>() ? "  <- selected" : "");
  }
  if (report.contains("backtest") && report.at("backtest").is_object()) {
    const auto& b = report.at("backtest");
    std::string members;
    for (const auto& name : b.value("combination", nlohmann::json::array()))
      members += (members.empty() ? "" : ", ") + name.get<std::string>();
    if (!members.empty()) std::printf("\ncombination: the median of %s\n", members.c_str());
    const int64_t interval = report.at("data").value("interval", int64_t{0});
    const char* steps = interval == 604800 ? "weeks" : interval == 86400 ? "days" : "hours";
    std::printf("selected by the lowest mean backtest %s: %d forecasts of %d %s from the last %d folds%s%s\n",
                b.at("selected_by").get<std::string>() == "mase" ? "MASE" : "recursive RMSE (no MASE)",
                b.at("origins").get<int>(), b.at("horizon").get<int>(), steps, b.at("folds").get<int>(),
                b.at("fallback").is_string() ? "; " : "",
                b.at("fallback").is_string() ? b.at("fallback").get<std::string>().c_str() : "");
  }
  if (report.contains("channels")) {
    // By channel: each channel's mean backtest MASE per candidate (selection is by their mean).
    std::printf("\n%-18s", "backtest MASE");
    for (const auto& c : report.at("comparison")) std::printf("  %-*s", w, c.at("name").get<std::string>().c_str());
    std::printf("\n");
    for (const auto& ch : report.at("channels")) {
      std::printf("%-18s", ch.at("name").get<std::string>().c_str());
      for (const auto& c : report.at("comparison")) {
        const auto& v = ch.at("mase").at(c.at("name").get<std::string>());
        if (v.is_number()) std::printf("  %-*.3f", w, v.get<double>());
        else std::printf("  %-*s", w, "n/a");
      }
      std::printf("\n");
    }
    std::printf("the table above is the total's (the channels' sum: bottom-up); "
                "selected by the channels' mean backtest MASE\n");
    if (report.contains("reconciliation_backtest")) {
      // Other ways of adding up, beside bottom-up, on the same backtests (reported only).
      const auto& r = report.at("reconciliation_backtest");
      std::printf("reconciled with %s on the total (backtest MASE, channels / total):",
                  r.at("total_base").get<std::string>().c_str());
      for (const auto& [name, v] : r.at("mase").items()) {
        auto num = [](const nlohmann::json& x) { return x.is_number() ? x.get<double>() : std::nan(""); };
        std::printf(" %s %.3f / %.3f;", name.c_str(), num(v.at("channels")), num(v.at("total")));
      }
      std::printf(" the forecast adds up bottom-up\n");
    }
  }
  const auto& cov = report.at("coverage");
  if (cov.at("p80").is_number())
    std::printf("\ninterval coverage on the folds: 80%% band %.1f%%, 95%% band %.1f%%\n",
                100 * cov.at("p80").get<double>(), 100 * cov.at("p95").get<double>());
}

}  // namespace

int run_train_forecast(int argc, char** argv, int first) {
  const auto& fields = api::train_forecast_fields();
  Args args = series_args(argc, argv, first, fields, {"param", "exog"});
  if (args.help()) {
    print_help(kTrainForecastHelp, {api::options_help(api::infos(fields)), role_help()});
    return 0;
  }
  if (!args.positional().empty()) throw UsageError{"unexpected argument '" + args.positional()[0] + "'"};
  const api::TrainForecastRequest r = read_args(args, fields);
  if (r.data.empty()) throw UsageError{"--data is required"};
  if (r.out.empty()) throw UsageError{"--out is required"};
  try {
    api::train_forecast_options(r);  // a mistake in the options is named before the data is read
  } catch (const Error& e) {
    throw UsageError{e.what()};
  }

  const series::BuildResult data = load_series(r.data, args);
  describe_series(data, r.data);
  ProgressLine progress(r.quiet);
  const forecast::TrainOutput out =
      api::train_forecast(data, r, [&](const std::string& stage, double f) { progress.update(stage, f); });
  progress.finish();
  print_notices(out.notices);

  model::Model m = out.model;
  const std::string bytes = save_trained(m, args, r.out, out.report);
  if (!r.no_log) {
    const auto& cv = m.header.forecast->cv.recursive;
    log_run(r.out, bytes, r.data, "forecast", m.header.forecast->params ? m.header.forecast->params->to_json() : nlohmann::json(nullptr),
            {{"selected", m.header.forecast->selected},
             {"recursive_rmse", number_or_null(cv.at("rmse").mean)},
             {"recursive_mae", number_or_null(cv.at("mae").mean)},
             {"recursive_smape", number_or_null(cv.at("smape").mean)}});
  }
  if (r.json) {
    std::cout << json_dump(api::train_json(out.report, out.notices));
  } else {
    print_forecast_summary(out.report);
  }
  std::fprintf(r.json ? stderr : stdout, "saved %s (%zu bytes, selected %s)%s%s\n", r.out.c_str(), bytes.size(),
               out.report.at("selected").get<std::string>().c_str(), r.report.empty() ? "" : ", report ",
               r.report.c_str());
  return 0;
}

}  // namespace fc::cli
