// Inference holds new data to the model's schema: the roles, channel, grid and row
// meaning of training are the defaults, and everything that would make the forecast
// silently wrong (a missing column, too little history, missing values at the end, a
// horizon past the validated one) stops here with a message naming the model.
#include "funnelcast/forecast/predict.hpp"

#include <algorithm>
#include <cmath>

#include "funnelcast/base/error.hpp"
#include "funnelcast/eval/intervals.hpp"
#include "funnelcast/forecast/candidate.hpp"
#include "funnelcast/schema/roles.hpp"
#include "funnelcast/time/time.hpp"
#include "funnelcast/time/zone.hpp"

namespace fc::forecast {
namespace {

// A level this many times above or below training's is worth a word: the model may
// have been trained on other data, and trees cannot forecast beyond the values they saw.
constexpr double kLevelRatio = 2.0;

const model::ForecastSection& section_of(const model::Model& m, const std::string& name) {
  if (m.header.kind != "forecast" || !m.header.forecast)
    throw Error(name + " is a " + m.header.kind + " model, not a forecast model");
  return *m.header.forecast;
}

// The roles a forecast model reads: time, the target (unless rows are counted), the
// series its exogenous features read, and the channel column when it forecasts a channel.
std::vector<const schema::RoleDef*> needed_roles(const model::Model& m) {
  const model::DataSchema& d = m.header.data;
  const model::ForecastSection& f = *m.header.forecast;
  std::vector<std::string> names = {"time"};
  if (d.rows == "values") names.push_back("leads");
  for (const auto& e : f.features.exog) {
    // Spend and revenue may have been derived from cpl and roi columns.
    if (e.column == "spend" || e.column == "cpl") names.push_back(d.roles.spend.empty() ? "cpl" : "spend");
    if (e.column == "revenue" || e.column == "roi") names.push_back(d.roles.revenue.empty() ? "roi" : "revenue");
    if (e.column == "cpl") names.push_back("leads");
    if (e.column == "roi") names.push_back(d.roles.spend.empty() ? "cpl" : "spend");
  }
  if (!d.channel.empty() || !f.channels.empty()) names.push_back("channel");
  std::vector<const schema::RoleDef*> out;
  for (const auto& n : names) {
    const schema::RoleDef* r = schema::find_role(n);
    if (r && std::find(out.begin(), out.end(), r) == out.end()) out.push_back(r);
  }
  return out;
}

std::string channel_names(const std::vector<model::ChannelSeries>& channels) {
  std::string list;
  for (const auto& c : channels) list += (list.empty() ? "'" : ", '") + c.name + "'";
  return list;
}

// A by-channel model forecasts the channels it was trained on, and the total as their sum:
// the table must have each of them, and (for the total) no other.
void check_channels(const std::vector<model::ChannelSeries>& channels, const series::BuildResult& data,
                    const std::string& channel, const std::string& name) {
  if (data.channels.empty())
    throw Error(name + " forecasts the channels " + channel_names(channels) + ", but " + data.source +
                " has no channel column");
  auto in_model = [&](const std::string& c) {
    return std::any_of(channels.begin(), channels.end(), [&](const model::ChannelSeries& s) { return s.name == c; });
  };
  if (!channel.empty()) {
    if (!in_model(channel))
      throw Error(name + " was trained on the channels " + channel_names(channels) + ", not '" + channel + "'");
    return;
  }
  for (const auto& c : channels) series::select(data, c.name);  // names the channels there are when absent
  for (const auto& c : data.channels)
    if (!in_model(c.channel))
      throw Error(data.source + " has channel '" + c.channel + "', which " + name + " was not trained on (it knows " +
                  channel_names(channels) + "); the channels' sum would not be the total. Retrain with --by channel "
                  "on this data, or forecast one channel (--channel NAME)");
}

// The forecast of one series by one forecaster, with its bands; `subject` names the series
// in messages ("the data", or a channel).
Forecast predict_series(const model::Model& m, const Predictor& c, const eval::Intervals& intervals,
                        const model::TargetStats& ts, const series::Series& s, int horizon, const std::string& name,
                        const time::Zone* zone, const std::string& subject);

}  // namespace

SeriesHistory history_of(const features::FeatureSpec& spec, const series::Series& s, const time::Zone* zone) {
  SeriesHistory out;
  auto values = [&](const std::string& name) -> const std::vector<double>& {
    if (const std::vector<double>* v = s.role(name)) return *v;
    const schema::MetricDef* m = schema::find_metric(name);
    if (!m) throw Error("the model reads an unknown series '" + name + "'");
    out.owned.push_back(series::metric_values(s, *m));  // names what the data lacks
    return out.owned.back();
  };
  out.owned.reserve(spec.exog.size() + 1);
  const std::vector<double>& y = values(spec.target);
  out.history.start = s.start;
  out.history.step = s.step;
  out.history.zone = zone;
  out.history.target = y.data();
  out.history.size = y.size();
  for (const auto& e : spec.exog) {
    const std::vector<double>& x = values(e.column);
    out.history.exog.push_back(x.data());
    out.history.exog_size.push_back(x.size());
  }
  return out;
}

Prepared prepare(const model::Model& m, const Table& table, const Request& request) {
  const std::string& name = request.model_name;
  section_of(m, name);
  const model::DataSchema& d = m.header.data;
  Prepared out;

  // Roles: the caller's, else the model's for what it reads; the rest is detected.
  series::Options o;
  o.duplicates = request.duplicates;
  o.zone = request.zone;
  // Times without an offset are read in the zone the model was trained with, or refused:
  // read as UTC they would shift every hour (the CLI loads the model's zone by name).
#ifdef __EMSCRIPTEN__  // the page never has a zone
  if (!d.zone.empty()) {
#else
  if (!d.zone.empty() && !(request.zone && request.zone->name() == d.zone)) {
    if (request.zone)
      throw Error(name + " was trained with times in " + d.zone + ", not " + request.zone->name() +
                  "; forecast with --tz " + d.zone + " (or without --tz)");
#endif
    std::string text = name;  // appended, not added: a smaller wasm bundle
    text += " reads times in ";
    text += d.zone;
    text += "; time zones need the command line: funnelcast forecast --model ";
    text += name;
    text += " --data FILE";
    throw Error(text);
  }
  o.rows = d.rows == "events" ? series::RowMeaning::kEvents : series::RowMeaning::kValues;
  o.gaps = request.gaps ? *request.gaps : (d.gaps == "zero" ? series::Gaps::kZero : series::Gaps::kMissing);
  for (const schema::RoleDef* role : needed_roles(m)) {
    const std::string& given = request.roles.*role->column;
    const std::string& stored = d.roles.*role->column;
    std::string& use = o.roles.*role->column;
    if (!given.empty()) {
      use = given;
      if (given != stored && given != "-" && !stored.empty())
        out.notices.push_back("using column '" + given + "' for " + role->name + " (" + name + " was trained with '" +
                              stored + "')");
      continue;
    }
    if (stored.empty()) continue;
    if (table.find(stored) < 0) {
      throw Error(table.source + " has no column '" + stored + "', which " + name + " needs (its " + role->name +
                  " column in training); columns: " + schema::column_list(table) +
                  ". Name the column to use instead (CLI: --" +
                  (std::string(role->name) == "channel" ? std::string("channel-column") : std::string(role->name)) +
                  " COL)");
    }
    use = stored;
  }
  // Other roles the caller named still apply (they do not change this forecast).
  for (const auto& role : schema::roles()) {
    const std::string& given = request.roles.*role.column;
    if (!given.empty() && (o.roles.*role.column).empty()) o.roles.*role.column = given;
  }
  series::BuildResult data = series::build(table, o);

  // The model's grid: finer data is summed, coarser data cannot be forecast by it.
  if (data.step != d.interval) {
    // Days summed to weeks would start on the epoch's weekday, not the model's: refused.
    if (data.step > d.interval || d.interval % data.step != 0 || d.interval == time::kWeek) {
      throw Error(table.source + " is " + time::interval_data(data.step) + ", but " + name + " forecasts " +
                  time::interval_adjective(d.interval) + " data; give " + time::interval_adjective(d.interval) +
                  " rows");
    }
    data = series::resample(data, d.interval);
  }
  out.notices.insert(out.notices.end(), data.notices.begin(), data.notices.end());

  // The channel: the caller's, else the model's.
  out.channel = request.channel ? *request.channel : d.channel;
  const bool by_channel = !m.header.forecast->channels.empty();
  if (request.channel && *request.channel != d.channel && !by_channel) {
    out.notices.push_back("forecasting " + (out.channel.empty() ? std::string("all channels together") : "channel '" + out.channel + "'") +
                          " with " + name + ", which was trained on " +
                          (d.channel.empty() ? std::string("all channels together") : "channel '" + d.channel + "'"));
  }
  if (!by_channel && !out.channel.empty() && data.channels.empty()) {
    throw Error(name + " forecasts channel '" + out.channel + "', but " + table.source +
                " has no channel column (it was '" + d.roles.channel + "' in training)");
  }
  series::select(data, out.channel);  // names the channels there are when it is absent
  if (by_channel) check_channels(m.header.forecast->channels, data, out.channel, name);
  out.data = std::move(data);
  return out;
}

Forecast predict(const model::Model& m, const series::Series& s, int horizon, const std::string& name,
                 const time::Zone* zone) {
  const model::ForecastSection& f = section_of(m, name);
  if (s.step != m.header.data.interval) {
    throw Error("the series is " + time::interval_adjective(s.step) + " but " + name + " forecasts " +
                time::interval_adjective(m.header.data.interval) + " data");
  }
  if (horizon == 0) horizon = f.horizon;
  const std::string step_unit = time::interval_name(s.step);
  if (horizon < 1) throw Error("the horizon must be at least 1 " + step_unit);
  if (horizon > f.horizon) {
    throw Error(name + " was validated for " + std::to_string(f.horizon) + " " + step_unit + "s ahead; forecasting " +
                std::to_string(horizon) + " " + step_unit + "s would go past what its cross-validation and intervals cover. "
                "Ask for at most " + std::to_string(f.horizon) + " " + step_unit + "s, or retrain with --horizon " +
                std::to_string(horizon));
  }
  if (f.channels.empty())
    return predict_series(m, *load_predictor(f, m.ensemble), f.intervals, m.header.data.target, s, horizon, name, zone,
                          "the data");
  // A by-channel model forecasts one of its channels.
  for (size_t i = 0; i < f.channels.size(); ++i)
    if (f.channels[i].name == s.channel)
      return predict_series(m, *load_channel_predictor(f, m.ensemble, i), f.channels[i].intervals,
                            f.channels[i].target, s, horizon, name, zone, "channel '" + s.channel + "'");
  throw Error(name + " forecasts the channels " + channel_names(f.channels) + " one by one" +
              (s.channel.empty() ? std::string(", and the total as their sum: forecast a table with the channels")
                                 : ", not '" + s.channel + "'"));
}

namespace {

Forecast predict_series(const model::Model& m, const Predictor& c, const eval::Intervals& intervals,
                        const model::TargetStats& ts, const series::Series& s, int horizon, const std::string& name,
                        const time::Zone* zone, const std::string& subject) {
  const model::ForecastSection& f = *m.header.forecast;
  const SeriesHistory sh = history_of(f.features, s, zone);
  const features::History& h = sh.history;
  const std::string unit = time::interval_name(s.step);
  if (h.size < static_cast<size_t>(f.min_history)) {
    throw Error(subject + " has " + std::to_string(h.size) + " " + unit + (h.size == 1 ? "" : "s") + "; " + name +
                " needs at least " + std::to_string(f.min_history) + " " + unit +
                "s of history (its features look that far back)");
  }
  size_t trailing = 0;
  for (size_t i = h.size; i > 0 && std::isnan(h.target[i - 1]); --i) ++trailing;
  if (trailing > 0) {
    throw Error(subject + " ends with " + std::to_string(trailing) + " " + unit + (trailing == 1 ? "" : "s") +
                " without a value for the target (from " + time::format_timestamp(s.time(h.size - trailing)) +
                "); a forecast must start from observed data: remove those rows, or fill them in");
  }
  Forecast out;
  out.step = s.step;
  // Missing values inside the history are read as missing by the features.
  size_t missing = 0;
  for (size_t i = 0; i < h.size; ++i) missing += std::isnan(h.target[i]) ? 1 : 0;
  if (missing)
    out.notices.push_back(std::to_string(missing) + " " + unit + "s of the history have no value; the forecast "
                          "reads them as missing");
  // A level far from training's suggests the model was trained on other data.
  const size_t recent = std::min<size_t>(h.size, s.step == time::kWeek ? 13 : s.step == time::kDay ? 28 : 28 * 24);
  double sum = 0;
  size_t count = 0;
  for (size_t i = h.size - recent; i < h.size; ++i)
    if (!std::isnan(h.target[i])) {
      sum += h.target[i];
      ++count;
    }
  const double level = count ? sum / static_cast<double>(count) : 0.0;
  const bool far = count && ts.count && std::isfinite(ts.mean) && ts.mean > 0 &&
                   (level > kLevelRatio * ts.mean || level * kLevelRatio < ts.mean);
  if (far) {
    char buf[200];
    std::snprintf(buf, sizeof buf, "the data's recent level (%.3g per %s) is far from what %s was trained on (%.3g); "
                  "it may have been trained on other data", level, unit.c_str(), name.c_str(), ts.mean);
    out.notices.push_back(buf);
  }
  out.mean = recursive(c, h, h.size, horizon);
  if (far && horizon > 0) {
    // Trees forecast within the values they were trained on: a forecast that stays near
    // training's level while the data moved away from it is not to be trusted; said.
    double forecast_sum = 0;
    for (double v : out.mean) forecast_sum += v;
    const double forecast_level = forecast_sum / horizon;
    if (forecast_level * 1.5 < level || forecast_level > 1.5 * level) {
      char buf[240];
      std::snprintf(buf, sizeof buf, "the forecast averages %.3g per %s against %.3g in the last weeks: a tree model "
                    "cannot forecast beyond the levels it was trained on; retrain %s on recent data",
                    forecast_level, unit.c_str(), level, name.c_str());
      out.notices.push_back(buf);
    }
  }
  for (int k = 0; k < horizon; ++k) {
    if (std::isnan(out.mean[k])) {
      throw Error("the forecast for " + time::format_timestamp(s.time(h.size) + k * s.step) +
                  " could not be computed: the history lacks the values it reads (the same hour in past weeks)");
    }
    out.time.push_back(s.time(h.size) + static_cast<int64_t>(k) * s.step);
    const eval::Band b = eval::band(intervals, static_cast<size_t>(k), out.mean[k], f.clip_negative);
    out.lower95.push_back(b.lo95);
    out.lower80.push_back(b.lo80);
    out.upper80.push_back(b.hi80);
    out.upper95.push_back(b.hi95);
  }
  return out;
}

}  // namespace

Forecast predict(const model::Model& m, const Prepared& p, int horizon, const std::string& name) {
#ifdef __EMSCRIPTEN__
  Forecast f = predict(m, p.series(), horizon, name);  // no zone reaches the page
#else
  const time::Zone* zone = series::clock_zone(p.data);
  Forecast f = predict(m, p.series(), horizon, name, zone);
  if (zone) f.zone = p.data.zone;
#endif
  f.notices.insert(f.notices.begin(), p.notices.begin(), p.notices.end());
  return f;
}

ChannelForecasts predict_channels(const model::Model& m, const Prepared& p, int horizon, const std::string& name) {
  const model::ForecastSection& f = section_of(m, name);
  ChannelForecasts out;
  for (const auto& c : f.channels) {
    out.names.push_back(c.name);
#ifdef __EMSCRIPTEN__
    Forecast fc = predict(m, series::select(p.data, c.name), horizon, name);
#else
    const time::Zone* zone = series::clock_zone(p.data);
    Forecast fc = predict(m, series::select(p.data, c.name), horizon, name, zone);
    if (zone) fc.zone = p.data.zone;
#endif
    out.channels.push_back(std::move(fc));
  }
  // The total: the channels' sum at each step (bottom-up), with the total's own bands.
  Forecast& t = out.total;
  const Forecast& first = out.channels.front();
  t.step = first.step;
  t.time = first.time;
#ifndef __EMSCRIPTEN__
  t.zone = first.zone;
#endif
  t.notices = p.notices;
  for (size_t i = 0; i < out.channels.size(); ++i)
    for (const auto& n : out.channels[i].notices) t.notices.push_back("channel '" + out.names[i] + "': " + n);
  t.mean.assign(first.time.size(), 0.0);
  for (const auto& c : out.channels)
    for (size_t k = 0; k < t.mean.size(); ++k) t.mean[k] += c.mean[k];
  for (size_t k = 0; k < t.mean.size(); ++k) {
    const eval::Band b = eval::band(f.intervals, k, t.mean[k], f.clip_negative);
    t.lower95.push_back(b.lo95);
    t.lower80.push_back(b.lo80);
    t.upper80.push_back(b.hi80);
    t.upper95.push_back(b.hi95);
  }
  return out;
}

}  // namespace fc::forecast
