// Forecasting with a saved model, with the model's data schema as the authority:
// the roles, channel, interval and row meaning it was trained with are applied to the
// new table unless the caller overrides them, a column it needs and the table lacks
// is an error naming both, and history that is too short, ends in missing values or
// asks for more than the validated horizon is refused.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "funnelcast/features/features.hpp"
#include "funnelcast/io/table.hpp"
#include "funnelcast/model/model.hpp"
#include "funnelcast/series/series.hpp"

namespace fc::forecast {

struct Request {
  std::string model_name = "the model";  // for messages: the model file's name
  schema::Roles roles;                   // columns the caller names; "" = the model's
  std::optional<std::string> channel;    // unset = the model's channel
  std::optional<series::Gaps> gaps;      // unset = the model's
  series::Duplicates duplicates = series::Duplicates::kAuto;
  std::shared_ptr<const time::Zone> zone;  // of times without an offset; null = UTC
};

struct Prepared {
  series::BuildResult data;          // on the model's grid
  std::string channel;               // the channel forecast ("" = total)
  std::vector<std::string> notices;  // what differs from training, what was done
  const series::Series& series() const { return series::select(data, channel); }
};

// The table as the model sees it. fc::Error naming the model and the column when the
// table lacks a column the model needs, or when its interval cannot match the model's.
Prepared prepare(const model::Model& m, const Table& table, const Request& request);

struct Forecast {
  int64_t step = 3600;
  std::vector<int64_t> time;
  std::vector<double> mean, lower80, upper80, lower95, upper95;
  std::vector<std::string> notices;
#ifndef __EMSCRIPTEN__
  // The wall clock of the times (series::clock_zone of the data); null: UTC. Not in the
  // wasm build, which has no zones.
  std::shared_ptr<const time::Zone> zone;
#endif
};

// The `horizon` intervals after the last one of the series (0 = the model's validated
// horizon). fc::Error when the horizon exceeds the validated one, the history is shorter
// than the model's features read, or the series ends in missing values.
// `zone`: the wall clock of the calendar features and the times (series::clock_zone).
Forecast predict(const model::Model& m, const series::Series& s, int horizon = 0,
                 const std::string& model_name = "the model", const time::Zone* zone = nullptr);
Forecast predict(const model::Model& m, const Prepared& p, int horizon = 0,
                 const std::string& model_name = "the model");

// A by-channel model's forecast of every channel it knows (in its order) and of the total,
// the channels' sum at each step (bottom-up) with the total's own bands. The channels'
// notices are in the total's, each prefixed with its channel.
struct ChannelForecasts {
  std::vector<std::string> names;
  std::vector<Forecast> channels;
  Forecast total;
};
ChannelForecasts predict_channels(const model::Model& m, const Prepared& p, int horizon = 0,
                                  const std::string& model_name = "the model");

// The target and the exog series a model's features read, from a series.
struct SeriesHistory {
  features::History history;
  std::vector<std::vector<double>> owned;  // derived series (cpl, roi) the history points into
};
SeriesHistory history_of(const features::FeatureSpec& spec, const series::Series& s,
                         const time::Zone* zone = nullptr);

}  // namespace fc::forecast
