// funnelcast drift / Module.monitor: each column of a new table against a reference table
// (PSI, KS), and a scoring model's ROC-AUC on the new one when it has the outcome. One
// request (the CLI's flags and --help), one document (the CLI's --json and the page's result).
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "funnelcast/api/fields.hpp"
#include "funnelcast/io/table.hpp"
#include "funnelcast/model/model.hpp"
#include "funnelcast/scoring/monitor.hpp"

namespace fc::api {

struct DriftRequest {  // the page passes its tables and model as objects: no options
  std::string reference, current, model;
  bool json = false;
};
const std::vector<Field<DriftRequest>>& drift_fields();

// {reference, current, model (its name or null), columns: [{column, type, severity, reason,
//  psi, ks, ks_p_value, missing_reference, missing_current, bins: [{label, reference_share,
//  current_share}]}], major, moderate, model_check: {roc_auc, cv_roc_auc, rows, shared_rows, new_rows, new_roc_auc,
//  in_sample, outcome_rate, reference_outcome_rate, degraded} |
//  null, alert}. Values a column was not compared on are null.
nlohmann::json drift_json(const scoring::MonitorReport& r, const Table& reference, const Table& current,
                          const model::Model* model, const std::string& model_name);

}  // namespace fc::api
