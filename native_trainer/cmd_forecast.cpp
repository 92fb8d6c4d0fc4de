// funnelcast forecast: the next hours of leads with 80% and 95% intervals, from a model
// whose recorded data schema decides how the file is read.
#include <cstdio>
#include <iostream>
#include <string>

#include "cli.hpp"
#include "commands.hpp"
#include "funnelcast/base/error.hpp"
#include "funnelcast/forecast/predict.hpp"
#include "funnelcast/model/model.hpp"
#include "funnelcast/time/time.hpp"

namespace fc::cli {

namespace {
const char* kHelp =
    "usage: funnelcast forecast --model MODEL --data FILE [--horizon N] [--out FILE.csv] [--json]\n"
    "\n"
    "Forecasts the hours after the last hour in FILE with a model from `funnelcast train\n"
    "forecast`. The model decides how FILE is read: the columns it was trained on (its\n"
    "time and leads columns, the channel), how rows were counted and gaps treated. A\n"
    "column it needs that FILE lacks is an error; name another with the role options.\n"
    "FILE needs at least as much history as the model's features read, and must not end\n"
    "in hours without a value.\n"
    "Output CSV columns: timestamp,forecast,lower_80,upper_80,lower_95,upper_95\n"
    "(timestamps in UTC; the intervals come from the model's cross-validation errors).\n"
    "\n"
    "options:\n"
    "  --model MODEL       the model file\n"
    "  --data FILE         the history: a CSV like the one the model was trained on\n"
    "  --horizon N         hours to forecast (default and maximum: the horizon the model was\n"
    "                      validated for, 168 unless trained with another --horizon)\n"
    "  --channel NAME      forecast this channel (default: the model's channel, or the total)\n"
    "  --out FILE.csv      write the CSV there instead of standard output\n"
    "  --json              print JSON (epoch seconds, full precision, notices) instead of CSV\n"
    "%s";

}  // namespace

int run_forecast(int argc, char** argv, int first) {
  std::vector<std::string> options = {"model", "data", "horizon", "out"};
  options.insert(options.end(), role_options().begin(), role_options().end());
  std::vector<std::string> flags = {"json"};
  flags.insert(flags.end(), series_flags().begin(), series_flags().end());
  Args args(argc, argv, first, options, flags);
  if (args.help()) {
    print_help(kHelp, {role_help()});
    return 0;
  }
  if (!args.positional().empty()) throw UsageError{"unexpected argument '" + args.positional()[0] + "'"};
  const std::string model_path = args.require("model"), data_path = args.require("data");
  const std::string model_name = base_name(model_path);
  const int horizon = args.get_int("horizon", 0, 1, 24 * 366);
  const model::Model m = model::load(read_file(model_path), model_name);
  if (m.header.kind != "forecast") throw Error(model_name + " is a " + m.header.kind + " model, not a forecast model");
  if (args.has("events")) throw UsageError{"--events: how rows are counted comes from the model"};

  const Table table = read_table(data_path);
  const forecast::Request request = forecast_request(args, model_name);
  const forecast::Prepared prepared = forecast::prepare(m, table, request);
  const forecast::Forecast f = forecast::predict(m, prepared, horizon, model_name);
  print_notices(f.notices);

  std::string out;
  if (args.has("json")) {
    nlohmann::json j = {{"model", model_name},
                        {"channel", prepared.channel},
                        {"step", f.step},
                        {"time", f.time},
                        {"mean", f.mean},
                        {"lower80", f.lower80},
                        {"upper80", f.upper80},
                        {"lower95", f.lower95},
                        {"upper95", f.upper95},
                        {"notices", f.notices}};
    out = json_dump(j);
  } else {
    out = "timestamp,forecast,lower_80,upper_80,lower_95,upper_95\n";
    char line[256];
    for (size_t i = 0; i < f.time.size(); ++i) {
      std::snprintf(line, sizeof line, "%s,%.4f,%.4f,%.4f,%.4f,%.4f\n", time::format_timestamp(f.time[i]).c_str(),
                    f.mean[i], f.lower80[i], f.upper80[i], f.lower95[i], f.upper95[i]);
      out += line;
    }
  }
  if (args.has("out")) {
    write_file(args.get("out"), out);
    std::fprintf(stderr, "wrote %s (%zu hours from %s)\n", args.get("out").c_str(), f.time.size(),
                 time::format_timestamp(f.time.front()).c_str());
  } else {
    std::cout << out;
  }
  return 0;
}

}  // namespace fc::cli
