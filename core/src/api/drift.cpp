#include "funnelcast/api/drift.hpp"

#include <cmath>

namespace fc::api {
namespace {

using json = nlohmann::json;


json column_json(const scoring::ColumnReport& c) {
  const bool numeric = c.compared && !c.drift.categorical;
  json bins = json::array();
  if (c.compared)
    for (const auto& b : c.drift.psi.bins)
      bins.push_back({{"label", b.label}, {"reference_share", b.reference_share}, {"current_share", b.current_share}});
  return {{"column", c.column},
          {"type", c.type.empty() ? json(nullptr) : json(c.type)},
          {"severity", c.severity},
          {"reason", c.reason},
          {"psi", c.compared ? number_or_null(c.drift.psi.value) : json(nullptr)},
          {"ks", numeric ? number_or_null(c.drift.ks.statistic) : json(nullptr)},
          {"ks_p_value", numeric ? number_or_null(c.drift.ks.p_value) : json(nullptr)},
          {"missing_reference", c.compared ? json(c.drift.missing_reference) : json(nullptr)},
          {"missing_current", c.compared ? json(c.drift.missing_current) : json(nullptr)},
          {"bins", bins}};
}

}  // namespace

const std::vector<Field<DriftRequest>>& drift_fields() {
  using R = DriftRequest;
  const Edge cli = Edge::kCli;
  static const std::vector<Field<R>> fields = {
      {option("reference", FieldType::kText, "FILE", "the table the model learned from (or any earlier period)")
           .only(cli),
       [](R& r, const json& v) { r.reference = v.get<std::string>(); }},
      {option("current", FieldType::kText, "FILE", "the new table").only(cli),
       [](R& r, const json& v) { r.current = v.get<std::string>(); }},
      {option("model", FieldType::kText, "MODEL",
              "a scoring model: compare its inputs, and its ROC-AUC when the outcome is there")
           .only(cli),
       [](R& r, const json& v) { r.model = v.get<std::string>(); }},
      {option("json", FieldType::kFlag, "", "JSON instead of a table").only(cli),
       [](R& r, const json& v) { r.json = v.get<bool>(); }},
  };
  return fields;
}

json drift_json(const scoring::MonitorReport& r, const Table& reference, const Table& current,
                const model::Model* model, const std::string& model_name) {
  json columns = json::array();
  for (const auto& c : r.columns) columns.push_back(column_json(c));
  json check = nullptr;
  if (r.has_model_check)
    check = {{"roc_auc", number_or_null(r.roc_auc)},
             {"cv_roc_auc", number_or_null(r.cv_roc_auc)},
             {"rows", r.labelled_rows},
             {"shared_rows", r.shared_rows},
             {"new_rows", r.new_rows},
             {"new_roc_auc", number_or_null(r.new_roc_auc)},
             {"in_sample", r.in_sample},
             {"outcome_rate", number_or_null(r.current_rate)},
             {"reference_outcome_rate", number_or_null(r.reference_rate)},
             {"degraded", r.degraded}};
  return {{"reference", reference.source},
          {"current", current.source},
          {"model", model ? json(model_name) : json(nullptr)},
          {"columns", columns},
          {"major", r.major},
          {"moderate", r.moderate},
          {"model_check", check},
          {"model_check_skipped", r.no_model_check.empty() ? json(nullptr) : json(r.no_model_check)},
          {"verdict", r.too_few ? "too few rows" : r.alert ? "drift" : "stable"},
          {"note", r.note},
          {"min_rows", scoring::kMinDriftRows},
          {"alert", r.alert}};
}

}  // namespace fc::api
