// funnelcast kpi / Module.kpis: the last window's KPIs against the window before. One
// request (its fields drive the CLI options, the JS options and --help) and one response
// writer, the JSON the CLI prints and the object the page receives.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "funnelcast/api/fields.hpp"
#include "funnelcast/series/series.hpp"

namespace fc::api {

struct KpiRequest {
  double window = 0;    // hours per window; 0 = 24, or one interval for coarser data
  std::string channel;  // "" = the total
  std::string data;     // the command line's: the CSV
  bool json = false;    // the command line's: JSON instead of a table
};
const std::vector<Field<KpiRequest>>& kpi_fields();

// {channel, window_hours, interval_seconds, metrics: [names the data can compute],
//  current, previous: {start, end, intervals, missing, <metric>...}, change: {<metric>}}.
// Unknown values are null. fc::Error on an unknown channel.
nlohmann::json kpi(const series::BuildResult& data, const KpiRequest& r);

}  // namespace fc::api
