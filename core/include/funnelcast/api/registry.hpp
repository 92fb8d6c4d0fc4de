// The lists that vary, as the page reads them through Module.registry(): roles, metrics,
// anomaly methods, and each command's options (the same field lists the CLI reads).
#pragma once
#include <nlohmann/json.hpp>

namespace fc::api {

// {roles: [...], metrics: [...], methods: [{name, label, help, threshold}],
//  commands: {kpi: [fields], anomalies: [fields], ...}}
nlohmann::json registry();

}  // namespace fc::api
