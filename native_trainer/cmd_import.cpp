// funnelcast import: a model trained elsewhere as a funnelcast model file, so the page and
// the CLI score and explain with it. Today: XGBoost binary:logistic models saved as JSON.
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "cli.hpp"
#include "commands.hpp"
#include "funnelcast/api/inspect.hpp"
#include "funnelcast/base/error.hpp"
#include "funnelcast/gbdt/xgboost.hpp"
#include "funnelcast/io/csv.hpp"
#include "funnelcast/scoring/import.hpp"

namespace fc::cli {

namespace {

const char* kImportHelp =
    "usage: funnelcast import --xgboost MODEL.json --out MODEL [--data FILE] [--target NAME]\n"
    "                         [--positive LABEL] [--negative LABEL] [--threshold P] [--id COL]\n"
    "                         [--all-trees]\n"
    "\n"
    "Turns an XGBoost model into a funnelcast scoring model: `funnelcast score`, `drift` and\n"
    "the page then score and explain leads with it, with no Python and no server. Save the\n"
    "model from XGBoost as JSON:  booster.save_model(\"model.json\")  (XGBoost 1.x to 3.x,\n"
    "also from Spark or Dask). Supported: gbtree boosters, objective binary:logistic or\n"
    "reg:squarederror, numeric and categorical features (missing values included). XGBoost's\n"
    "split 'x < c', its category sets and its base score are converted exactly; predictions\n"
    "equal XGBoost's. The input columns are the model's feature names (f0, f1, ... when it\n"
    "was trained without names).\n"
    "\n"
    "Categorical features (enable_categorical=True): the JSON holds category codes, so\n"
    "--data must be the training table; the codes are pandas' (the column's distinct values\n"
    "sorted, by value when all are numbers). A category the table lacks scores as missing.\n"
    "\n"
    "Early stopping: trees after learner.attributes.best_iteration are dropped, as XGBoost's\n"
    "predict_proba drops them; --all-trees keeps every tree (Booster.predict's scores).\n"
    "\n"
    "The imported model has no cross-validated metrics: measure it on a labelled table with\n"
    "  funnelcast drift --model MODEL --reference FILE --current LABELLED.csv\n"
    "\n"
    "options:\n"
    "%s";

}  // namespace

int run_import(int argc, char** argv, int first) {
  const auto& fields = api::import_fields();
  Args args(argc, argv, first, field_options(fields, false), field_options(fields, true));
  if (args.help()) {
    print_help(kImportHelp, {api::options_help(api::infos(fields))});
    return 0;
  }
  if (!args.positional().empty()) throw UsageError{"unexpected argument '" + args.positional()[0] + "'"};
  const api::ImportRequest r = read_args(args, fields);
  if (r.xgboost.empty()) throw UsageError{"--xgboost is required"};
  if (r.out.empty()) throw UsageError{"--out is required"};
  scoring::ImportOptions o = api::import_options(r);
  o.source = base_name(r.xgboost);
  const std::string json = read_file(r.xgboost);
  std::optional<Table> reference;
  if (!r.data.empty()) {
    // Categorical features' columns are read as text, as funnelcast score reads them.
    csv::Options co;
    co.source = base_name(r.data);
    const gbdt::ImportedModel peek = gbdt::import_xgboost_json(json, o.source);
    for (size_t k = 0; k < peek.feature_names.size(); ++k)
      if (peek.categorical[k]) co.text_columns.push_back(peek.feature_names[k]);
    reference = csv::read(read_file(r.data), co);
    print_notices(reference->notices);
    o.reference = &*reference;
  }
  const scoring::Imported imported = scoring::import_xgboost(json, o);
  print_notices(imported.notices);
  const std::string bytes = model::save(imported.model);
  write_file(r.out, bytes);
  std::fprintf(stderr, "saved %s (%zu bytes, %zu trees)\n", r.out.c_str(), bytes.size(),
               imported.model.ensemble.trees.size());
  return 0;
}

}  // namespace fc::cli
