// funnelcast inspect / Model.header(): a model file's header, and funnelcast import: a model
// trained elsewhere as a funnelcast model file. One request each whose field list drives the
// CLI's flags and --help; inspect's document is the header the page's Model.header() gives,
// plus what the file holds.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "funnelcast/api/fields.hpp"
#include "funnelcast/model/model.hpp"
#include "funnelcast/scoring/import.hpp"

namespace fc::api {

struct InspectRequest {
  std::string model;  // the file (the command line also takes it as its one argument)
  bool json = false;  // the output is JSON either way; accepted like every command's --json
};
const std::vector<Field<InspectRequest>>& inspect_fields();

// The header as Model.header() gives it, plus "file": {bytes, format_version, trees,
// internal_nodes, leaves}.
nlohmann::json inspect_json(const model::Model& m, size_t file_bytes);

struct ImportRequest {
  std::string xgboost, out, data;  // the command line's files
  std::string target = "target", positive = "1", negative = "0", id;
  double threshold = 0.5;
  bool all_trees = false;  // keep the trees after best_iteration
};
const std::vector<Field<ImportRequest>>& import_fields();

// The importer's options (without the source name and the reference table, which the caller
// reads).
scoring::ImportOptions import_options(const ImportRequest& r);

}  // namespace fc::api
