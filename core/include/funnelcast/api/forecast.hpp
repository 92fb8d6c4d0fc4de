// funnelcast forecast / Module.forecast: the next intervals of a forecast model's target with
// 80% and 95% intervals. One request (its fields drive the CLI flags, the JS options and
// --help), one document (the CLI's --json, the page's result), the forecast's columns, and
// the forecast CSV the CLI writes and the page downloads.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "funnelcast/api/columns.hpp"
#include "funnelcast/api/fields.hpp"
#include "funnelcast/forecast/predict.hpp"
#include "funnelcast/io/table.hpp"
#include "funnelcast/model/model.hpp"

namespace fc::api {

struct ForecastRequest {
  int horizon = 0;                     // intervals; 0 = the model's validated horizon
  std::optional<std::string> channel;  // unset = the model's channel
  bool csv = false;                    // JS: the forecast CSV too
  // The command line's own.
  std::string model, data, out;
  bool json = false;
};
const std::vector<Field<ForecastRequest>>& forecast_fields();

struct ForecastRun {
  std::string model;      // its name
  std::string target;     // the column forecast
  forecast::Prepared prepared;
  forecast::Forecast forecast;  // by channel: the total (the channels' sum)
  // A by-channel model's forecast of all its channels (empty otherwise, or when the
  // request names one channel).
  std::vector<std::string> channels;
  std::vector<forecast::Forecast> channel_forecasts;
};
// `read` holds what the caller pins about reading the table (roles, gaps, duplicates); the
// request's channel and the model decide the rest. fc::Error for a model of another kind
// and whatever forecast::prepare / predict refuse.
ForecastRun forecast(const model::Model& m, const Table& table, forecast::Request read, const ForecastRequest& r);

// {model, channel, target, horizon, interval_seconds, notices, csv?}; by channel also
// channels: [{channel}] (their columns in the forecast's columns) and reconciliation.
nlohmann::json forecast_json(const ForecastRun& run, const ForecastRequest& r);
// time, mean, lower80, upper80, lower95, upper95; with `history`, also history_time and
// history: the series the forecast continues, as the model read it. By channel, the same
// of each channel under channels.i (mean, lower80, ..., history) beside the total's.
Columns forecast_columns(const ForecastRun& run, bool history);
// timestamp,forecast,lower_80,upper_80,lower_95,upper_95 (4 decimals; times in UTC, or
// with the data's zone its wall clock and offset: forecast_time). By channel:
// timestamp,channel,forecast,... with each channel's rows, then the total's.
std::string forecast_csv(const ForecastRun& run);
// "2026-10-25 02:00:00" (UTC) without a zone; with one, the wall clock there and its
// offset: "2026-10-25 02:00:00+02:00", then "2026-10-25 02:00:00+01:00" an hour later.
std::string forecast_time(int64_t t, const time::Zone* zone);

}  // namespace fc::api
