#include "funnelcast/api/forecast.hpp"

#include <cstdio>

#include "funnelcast/base/error.hpp"
#include "funnelcast/time/time.hpp"
#include "funnelcast/time/zone.hpp"

namespace fc::api {
namespace {

using json = nlohmann::json;

Column f64_column(std::vector<std::string> path, std::vector<double> v) {
  Column c;
  c.path = std::move(path);
  c.f64 = std::move(v);
  return c;
}

}  // namespace

std::string forecast_time(int64_t t, [[maybe_unused]] const time::Zone* zone) {
#ifndef __EMSCRIPTEN__  // the page has no zones (series::build refuses one)
  if (zone) {
    const int64_t offset = zone->utc_offset(t), size = offset < 0 ? -offset : offset;
    char text[16];
    std::snprintf(text, sizeof text, "%c%02d:%02d", offset < 0 ? '-' : '+', static_cast<int>(size / 3600),
                  static_cast<int>(size / 60 % 60));
    return time::format_timestamp(t + offset) + text;
  }
#endif
  return time::format_timestamp(t);
}

const std::vector<Field<ForecastRequest>>& forecast_fields() {
  using R = ForecastRequest;
  const Edge cli = Edge::kCli, js = Edge::kJs;
  static const std::vector<Field<R>> fields = {
      {option("model", FieldType::kText, "MODEL", "the model file").only(cli),
       [](R& r, const json& v) { r.model = v.get<std::string>(); }},
      {option("data", FieldType::kText, "FILE", "the history: a CSV like the one the model was trained on").only(cli),
       [](R& r, const json& v) { r.data = v.get<std::string>(); }},
      {option("horizon", FieldType::kInteger, "N",
              "intervals to forecast (default and maximum: the horizon the model was\n"
              "validated for: 168 hours, 14 days for a daily model or 13 weeks for a\n"
              "weekly one, unless trained with another --horizon)")
           .within(0, 24 * 366),
       [](R& r, const json& v) { r.horizon = v.get<int>(); }},
      {option("channel", FieldType::kText, "NAME", "forecast this channel (default: the model's channel, or the total)"),
       [](R& r, const json& v) { r.channel = v.get<std::string>(); }},
      {option("csv", FieldType::kFlag, "", "the forecast CSV too (what the CLI writes)").only(js),
       [](R& r, const json& v) { r.csv = v.get<bool>(); }},
      {option("out", FieldType::kText, "FILE.csv", "write the CSV there instead of standard output").only(cli),
       [](R& r, const json& v) { r.out = v.get<std::string>(); }},
      {option("json", FieldType::kFlag, "", "print JSON (epoch seconds, full precision, notices) instead of CSV")
           .only(cli),
       [](R& r, const json& v) { r.json = v.get<bool>(); }},
  };
  return fields;
}

ForecastRun forecast(const model::Model& m, const Table& table, forecast::Request read, const ForecastRequest& r) {
  if (m.header.kind != "forecast" || !m.header.forecast)
    throw Error(read.model_name + " is a " + m.header.kind + " model, not a forecast model");
  if (r.channel) read.channel = r.channel;
  ForecastRun run;
  run.model = read.model_name;
  run.target = m.header.data.roles.leads.empty() ? std::string("leads") : m.header.data.roles.leads;
  run.prepared = forecast::prepare(m, table, read);
  if (m.header.forecast->channels.empty() || !run.prepared.channel.empty()) {
    run.forecast = forecast::predict(m, run.prepared, r.horizon, read.model_name);
    return run;
  }
  forecast::ChannelForecasts all = forecast::predict_channels(m, run.prepared, r.horizon, read.model_name);
  run.forecast = std::move(all.total);
  run.channels = std::move(all.names);
  run.channel_forecasts = std::move(all.channels);
  return run;
}

json forecast_json(const ForecastRun& run, const ForecastRequest& r) {
  json j = {{"model", run.model},
            {"channel", run.prepared.channel},
            {"target", run.target},
            {"horizon", run.forecast.time.size()},
            {"interval_seconds", run.forecast.step},
            {"notices", run.forecast.notices}};
#ifndef __EMSCRIPTEN__
  if (run.forecast.zone) j["zone"] = run.forecast.zone->name();  // the CSV's times are local there
#endif
  if (!run.channels.empty()) {
    j["channels"] = json::array();
    for (const auto& c : run.channels) j["channels"].push_back({{"channel", c}});
    j["reconciliation"] = "bottom_up";
  }
  if (r.csv) j["csv"] = forecast_csv(run);
  return j;
}

namespace {
// One forecast's bands (under `at`, e.g. {"channels", "0"}) and the history it continues.
void forecast_bands(Columns& out, std::vector<std::string> at, const forecast::Forecast& f, const series::Series* s) {
  auto path = [&](const char* key) {
    std::vector<std::string> p = at;
    p.push_back(key);
    return p;
  };
  out.push_back(f64_column(path("mean"), f.mean));
  out.push_back(f64_column(path("lower80"), f.lower80));
  out.push_back(f64_column(path("upper80"), f.upper80));
  out.push_back(f64_column(path("lower95"), f.lower95));
  out.push_back(f64_column(path("upper95"), f.upper95));
  if (s) out.push_back(f64_column(path("history"), s->leads));
}
}  // namespace

Columns forecast_columns(const ForecastRun& run, bool history) {
  const forecast::Forecast& f = run.forecast;
  Columns out;
  out.push_back(f64_column({"time"}, std::vector<double>(f.time.begin(), f.time.end())));
  const series::Series& s = run.prepared.series();
  forecast_bands(out, {}, f, history ? &s : nullptr);
  if (history) {
    std::vector<double> t(s.size());
    for (size_t i = 0; i < s.size(); ++i) t[i] = static_cast<double>(s.time(i));
    out.push_back(f64_column({"history_time"}, std::move(t)));
  }
  for (size_t c = 0; c < run.channels.size(); ++c)
    forecast_bands(out, {"channels", std::to_string(c)}, run.channel_forecasts[c],
                   history ? &series::select(run.prepared.data, run.channels[c]) : nullptr);
  return out;
}

std::string forecast_csv(const ForecastRun& run) {
  const bool by_channel = !run.channels.empty();
  std::string out = by_channel ? "timestamp,channel,forecast,lower_80,upper_80,lower_95,upper_95\n"
                               : "timestamp,forecast,lower_80,upper_80,lower_95,upper_95\n";
  char line[256];
  auto rows = [&](const forecast::Forecast& f, const std::string* channel) {
#ifdef __EMSCRIPTEN__
    const time::Zone* zone = nullptr;
#else
    const time::Zone* zone = f.zone.get();
#endif
    for (size_t i = 0; i < f.time.size(); ++i) {
      out += forecast_time(f.time[i], zone);
      out += ',';
      if (channel) {
        append_csv_field(out, *channel);
        out += ',';
      }
      std::snprintf(line, sizeof line, "%.4f,%.4f,%.4f,%.4f,%.4f\n", f.mean[i], f.lower80[i], f.upper80[i],
                    f.lower95[i], f.upper95[i]);
      out += line;
    }
  };
  static const std::string kTotal = "total";
  for (size_t c = 0; c < run.channels.size(); ++c) rows(run.channel_forecasts[c], &run.channels[c]);
  rows(run.forecast, by_channel ? &kTotal : nullptr);
  return out;
}

}  // namespace fc::api
