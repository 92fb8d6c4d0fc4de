// The lists that vary, as the page reads them through Module.registry(): roles, metrics,
// anomaly methods, and each command's options (the same field lists the CLI reads).
#pragma once
#include <nlohmann/json.hpp>

namespace fc::api {

// {roles: [...], metrics: [...], methods: [{name, label, help, threshold}],
//  commands: {kpi: [fields], anomalies: [fields], ...}}; train_forecast and train_score too
// where the trainers are linked (the CLI, the training bundle; not the page's inference bundle).
nlohmann::json registry();

}  // namespace fc::api
