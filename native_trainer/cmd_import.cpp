// funnelcast import: a model trained elsewhere as a funnelcast model file, so the page and
// the CLI score and explain with it. Today: XGBoost binary:logistic models saved as JSON.
#include <cstdio>
#include <optional>

#include "cli.hpp"
#include "commands.hpp"
#include "funnelcast/api/inspect.hpp"
#include "funnelcast/base/error.hpp"
#include "funnelcast/io/csv.hpp"
#include "funnelcast/scoring/import.hpp"

namespace fc::cli {

namespace {

const char* kHelp =
    "usage: funnelcast import --xgboost MODEL.json --out MODEL [--data FILE] [--target NAME]\n"
    "                         [--positive LABEL] [--negative LABEL] [--threshold P] [--id COL]\n"
    "\n"
    "Turns an XGBoost model into a funnelcast scoring model: `funnelcast score`, `drift` and\n"
    "the page then score and explain leads with it, with no Python and no server. Save the\n"
    "model from XGBoost as JSON:  booster.save_model(\"model.json\")  (XGBoost 1.x to 3.x,\n"
    "also from Spark or Dask). Supported: gbtree boosters, objective binary:logistic, numeric\n"
    "features (missing values included). XGBoost's split 'x < c' and its base score are\n"
    "converted exactly; predictions equal XGBoost's. The input columns are the model's\n"
    "feature names (f0, f1, ... when it was trained without names).\n"
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
    print_help(kHelp, {api::options_help(api::infos(fields))});
    return 0;
  }
  if (!args.positional().empty()) throw UsageError{"unexpected argument '" + args.positional()[0] + "'"};
  const api::ImportRequest r = read_args(args, fields);
  if (r.xgboost.empty()) throw UsageError{"--xgboost is required"};
  if (r.out.empty()) throw UsageError{"--out is required"};
  scoring::ImportOptions o = api::import_options(r);
  o.source = base_name(r.xgboost);
  std::optional<Table> reference;
  if (!r.data.empty()) {
    reference = read_table(r.data);
    print_notices(reference->notices);
    o.reference = &*reference;
  }
  const scoring::Imported imported = scoring::import_xgboost(read_file(r.xgboost), o);
  print_notices(imported.notices);
  const std::string bytes = model::save(imported.model);
  write_file(r.out, bytes);
  std::fprintf(stderr, "saved %s (%zu bytes, %zu trees)\n", r.out.c_str(), bytes.size(),
               imported.model.ensemble.trees.size());
  return 0;
}

}  // namespace fc::cli
