// funnelcast forecast: the next hours of leads with 80% and 95% intervals, from a model
// whose recorded data schema decides how the file is read.
#include <cstdio>
#include <iostream>
#include <string>

#include "cli.hpp"
#include "commands.hpp"
#include "funnelcast/base/error.hpp"
#include "funnelcast/api/forecast.hpp"
#include "funnelcast/forecast/predict.hpp"
#include "funnelcast/model/model.hpp"
#include "funnelcast/time/time.hpp"

namespace fc::cli {

namespace {
const char* kForecastHelp =
    "usage: funnelcast forecast --model MODEL --data FILE [--horizon N] [--out FILE.csv] [--json]\n"
    "\n"
    "Forecasts the steps after the last one in FILE with a model from `funnelcast train\n"
    "forecast`: hours for an hourly model, days for a daily one, weeks for a weekly one\n"
    "(--horizon counts them;\n"
    "data of another interval than the model's is refused). The model decides how FILE is read: the columns it was trained on (its\n"
    "time and leads columns, the channel), how rows were counted and gaps treated. A\n"
    "column it needs that FILE lacks is an error; name another with the role options.\n"
    "FILE needs at least as much history as the model's features read, and must not end\n"
    "in hours without a value.\n"
    "Output CSV columns: timestamp,forecast,lower_80,upper_80,lower_95,upper_95\n"
    "(timestamps in UTC; with a zone - --tz, or the one the model was trained with - its\n"
    "local times with their offset, 2026-10-25 02:00:00+02:00; the intervals come from\n"
    "the model's cross-validation errors). A model trained with --tz reads times without\n"
    "an offset in its zone; --tz naming another is refused.\n"
    "A model trained with --by channel forecasts each of its channels and the total (their\n"
    "sum): the CSV then has a channel column after the timestamp, each channel's rows and\n"
    "then the total's (channel \"total\"). FILE must have the model's channels and no others;\n"
    "--channel NAME forecasts one of them alone.\n"
    "\n"
    "options:\n"
    "%s"
    "%s";

}  // namespace

int run_forecast(int argc, char** argv, int first) {
  const auto& fields = api::forecast_fields();
  Args args = series_args(argc, argv, first, fields);
  if (args.help()) {
    print_help(kForecastHelp, {api::options_help(api::infos(fields)), role_help()});
    return 0;
  }
  if (!args.positional().empty()) throw UsageError{"unexpected argument '" + args.positional()[0] + "'"};
  const api::ForecastRequest request = read_args(args, fields);
  if (request.model.empty()) throw UsageError{"--model is required"};
  if (request.data.empty()) throw UsageError{"--data is required"};
  if (args.has("events")) throw UsageError{"--events: how rows are counted comes from the model"};
  const std::string model_name = base_name(request.model);
  const model::Model m = model::load(read_file(request.model), model_name);
  const Table table = read_table(request.data);
  const api::ForecastRun run = api::forecast(m, table, forecast_request(args, model_name, m), request);
  const forecast::Forecast& f = run.forecast;
  print_notices(f.notices);
  const std::string out = request.json
                              ? json_dump(api::with_columns(api::forecast_json(run, request), api::forecast_columns(run, false)))
                              : api::forecast_csv(run);
  if (!request.out.empty()) {
    write_file(request.out, out);
    std::fprintf(stderr, "wrote %s (%zu %ss from %s)\n", request.out.c_str(), f.time.size(),
                 time::interval_name(f.step).c_str(), api::forecast_time(f.time.front(), f.zone.get()).c_str());
  } else {
    std::cout << out;
  }
  return 0;
}

}  // namespace fc::cli
