#include "funnelcast/api/kpi.hpp"

#include <algorithm>
#include <cmath>

#include "funnelcast/schema/registry.hpp"
#include "funnelcast/series/kpi.hpp"

namespace fc::api {
namespace {


nlohmann::json window_json(const kpi::Window& w, const kpi::Summary& k) {
  nlohmann::json j = {{"start", w.start}, {"end", w.end}, {"intervals", w.intervals}, {"missing", w.missing}};
  const auto& all = schema::metrics();
  for (size_t i = 0; i < all.size(); ++i)
    j[all[i].name] = k.available[i] ? number_or_null(w.values[i]) : nlohmann::json(nullptr);
  return j;
}

}  // namespace

const std::vector<Field<KpiRequest>>& kpi_fields() {
  static const std::vector<Field<KpiRequest>> fields = {
      {option("data", FieldType::kText, "FILE", "a CSV with a time column: hourly, daily or finer rows, or one row per lead")
           .only(Edge::kCli),
       [](KpiRequest& r, const nlohmann::json& v) { r.data = v.get<std::string>(); }},
      {option("window", FieldType::kNumber, "HOURS", "hours per window")
           .or_else("24, or one interval for coarser data")
           .within(1.0 / 3600, 24 * 366),
       [](KpiRequest& r, const nlohmann::json& v) { r.window = v.get<double>(); }},
      {option("channel", FieldType::kText, "NAME", "one channel instead of the total"),
       [](KpiRequest& r, const nlohmann::json& v) { r.channel = v.get<std::string>(); }},
      {option("json", FieldType::kFlag, "", "JSON (epoch seconds; unknown values as null) instead of a table")
           .only(Edge::kCli),
       [](KpiRequest& r, const nlohmann::json& v) { r.json = v.get<bool>(); }},
  };
  return fields;
}

nlohmann::json kpi(const series::BuildResult& data, const KpiRequest& r) {
  const series::Series& s = series::select(data, r.channel);
  const int64_t window = r.window > 0 ? static_cast<int64_t>(std::llround(r.window * 3600))
                                      : std::max<int64_t>(24 * 3600, data.step);
  const kpi::Summary k = kpi::summarize(s, window);
  const auto& all = schema::metrics();
  nlohmann::json change = nlohmann::json::object();
  nlohmann::json available = nlohmann::json::array();
  for (size_t i = 0; i < all.size(); ++i) {
    change[all[i].name] = k.available[i] ? number_or_null(k.change[i]) : nlohmann::json(nullptr);
    if (k.available[i]) available.push_back(all[i].name);
  }
  return {{"channel", r.channel},
          {"window_hours", static_cast<double>(k.window_seconds) / 3600.0},
          {"interval_seconds", k.step},
          {"metrics", available},
          {"current", window_json(k.current, k)},
          {"previous", window_json(k.previous, k)},
          {"change", change}};
}

}  // namespace fc::api
