// funnelcast forecast: the next hours of leads with 80% and 95% intervals.
#include <cstdio>
#include <iostream>
#include <string>

#include "cli.hpp"
#include "commands.hpp"
#include "funnelcast/io/csv.hpp"
#include "funnelcast/time/time.hpp"
#include "funnelcast/base/error.hpp"
#include "funnelcast/forecast/forecast.hpp"
#include "funnelcast/model/model.hpp"

namespace fc::cli {

namespace {
const char* kHelp =
    "usage: funnelcast forecast --model MODEL --data FILE [--horizon N] [--out FILE.csv] [--json]\n"
    "\n"
    "Forecasts the hours after the last hour in FILE with a model from `funnelcast train\n"
    "forecast`. The data needs the columns the model was trained on (at least the time\n"
    "and leads columns) and enough history for its lags.\n"
    "Output CSV columns: timestamp,forecast,lower_80,upper_80,lower_95,upper_95\n"
    "(timestamps in UTC; the intervals come from the model's cross-validation errors).\n"
    "\n"
    "options:\n"
    "  --model MODEL       the model file\n"
    "  --data FILE         hourly CSV (or one row per lead event)\n"
    "  --horizon N         hours to forecast (default 168)\n"
    "  --channel NAME      forecast one channel's series instead of the total\n"
    "  --out FILE.csv      write the CSV there instead of standard output\n"
    "  --json              print JSON (epoch seconds, full precision) instead of CSV\n"
    "  --time COL --target COL --spend COL ...   column roles, as for train\n";

}  // namespace

int run_forecast(int argc, char** argv, int first) {
  std::vector<std::string> options = {"model", "data", "horizon", "out", "target"};
  options.insert(options.end(), kRoleOptions.begin(), kRoleOptions.end());
  Args args(argc, argv, first, options, {"json"});
  if (args.help()) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (!args.positional().empty()) throw UsageError{"unexpected argument '" + args.positional()[0] + "'"};
  const std::string model_path = args.require("model"), data_path = args.require("data");
  const int horizon = args.get_int("horizon", 168, 1, 24 * 366);
  const model::Model m = model::load(read_file(model_path), base_name(model_path));
  const series::BuildResult data = load_series(data_path, args);
  const series::HourlySeries& s = select_channel(data, args.get("channel"));
  const forecast::Forecast f = forecast::predict(m, s, horizon);

  std::string out;
  if (args.has("json")) {
    nlohmann::json j = {{"time", f.time},       {"mean", f.mean},       {"lower80", f.lower80},
                        {"upper80", f.upper80}, {"lower95", f.lower95}, {"upper95", f.upper95}};
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
    std::fprintf(stderr, "wrote %s (%d hours from %s)\n", args.get("out").c_str(), horizon,
                 time::format_timestamp(f.time.front()).c_str());
  } else {
    std::cout << out;
  }
  return 0;
}

}  // namespace fc::cli
