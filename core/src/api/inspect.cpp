// The field lists of inspect and import, and inspect's document.
#include "funnelcast/api/inspect.hpp"

#include <cstdio>

#include "funnelcast/base/error.hpp"

namespace fc::api {
namespace {
using json = nlohmann::json;
}  // namespace

const std::vector<Field<InspectRequest>>& inspect_fields() {
  using R = InspectRequest;
  static const std::vector<Field<R>> fields = {
      {option("model", FieldType::kText, "MODEL", "the model file (or give it as the one argument)").only(Edge::kCli),
       +[](R& r, const json& v) { r.model = v.get<std::string>(); }},
      {option("json", FieldType::kFlag, "", "JSON (the output is JSON either way)").only(Edge::kCli),
       +[](R& r, const json& v) { r.json = v.get<bool>(); }},
  };
  return fields;
}

json inspect_json(const model::Model& m, size_t file_bytes) {
  json out = m.header.to_json();
  size_t internal = 0, leaves = 0;
  for (const auto& t : m.ensemble.trees) {
    internal += t.internal_count();
    leaves += t.leaf_count();
  }
  out["file"] = {{"bytes", file_bytes}, {"format_version", model::kFormatVersion},
                 {"trees", m.ensemble.trees.size()}, {"internal_nodes", internal}, {"leaves", leaves}};
  return out;
}

const std::vector<Field<ImportRequest>>& import_fields() {
  using R = ImportRequest;
  const Edge cli = Edge::kCli;
  static const std::vector<Field<R>> fields = {
      {option("xgboost", FieldType::kText, "FILE", "the XGBoost model, saved as JSON").only(cli),
       +[](R& r, const json& v) { r.xgboost = v.get<std::string>(); }},
      {option("out", FieldType::kText, "MODEL", "the funnelcast model file to write (.fcm)").only(cli),
       +[](R& r, const json& v) { r.out = v.get<std::string>(); }},
      {option("data", FieldType::kText, "FILE",
              "a table with the model's input columns (its training rows): checks\n"
              "they are there, records the numbers' ranges, and names a categorical\n"
              "model's categories (required for one)")
           .only(cli),
       +[](R& r, const json& v) { r.data = v.get<std::string>(); }},
      {option("target", FieldType::kText, "NAME", "the outcome's name in reports").or_else("target"),
       +[](R& r, const json& v) { r.target = v.get<std::string>(); }},
      {option("positive", FieldType::kText, "LABEL", "the label of a yes").or_else("1"),
       +[](R& r, const json& v) { r.positive = v.get<std::string>(); }},
      {option("negative", FieldType::kText, "LABEL", "the label of a no").or_else("0"),
       +[](R& r, const json& v) { r.negative = v.get<std::string>(); }},
      {option("threshold", FieldType::kNumber, "P", "decision: probability >= P").or_else("0.5"),
       +[](R& r, const json& v) {
         const double p = v.get<double>();
         if (!(p >= 0 && p <= 1)) {
           char b[32];
           std::snprintf(b, sizeof b, "%.10g", p);
           throw Error("--threshold expects a probability from 0 to 1, found '" + std::string(b) + "'");
         }
         r.threshold = p;
       }},
      {option("id", FieldType::kText, "COL", "a column to name each lead by when scoring"),
       +[](R& r, const json& v) { r.id = v.get<std::string>(); }},
      {option("all-trees", FieldType::kFlag, "", "keep the trees after best_iteration (early stopping)").only(cli),
       +[](R& r, const json& v) { r.all_trees = v.get<bool>(); }},
  };
  return fields;
}

scoring::ImportOptions import_options(const ImportRequest& r) {
  scoring::ImportOptions o;
  o.target = r.target;
  o.positive = r.positive;
  o.negative = r.negative;
  o.id_column = r.id;
  o.threshold = r.threshold;
  o.all_trees = r.all_trees;
  return o;
}

}  // namespace fc::api
