// funnelcast import: a model trained elsewhere as a funnelcast model file, so the page and
// the CLI score and explain with it. Today: XGBoost binary:logistic models saved as JSON.
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "cli.hpp"
#include "commands.hpp"
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
    "  --xgboost FILE     the XGBoost model, saved as JSON\n"
    "  --out MODEL        the funnelcast model file to write (.fcm)\n"
    "  --data FILE        optional: a table with the model's input columns (e.g. its training\n"
    "                     rows): checks they are there and hold numbers, and records their\n"
    "                     ranges (hints in the page's one-lead form)\n"
    "  --target NAME      the outcome's name in reports (default: target)\n"
    "  --positive LABEL   the label of a yes (default: 1); --negative LABEL (default: 0)\n"
    "  --threshold P      decision: probability >= P (default: 0.5)\n"
    "  --id COL           a column to name each lead by when scoring\n";

}  // namespace

int run_import(int argc, char** argv, int first) {
  Args args(argc, argv, first, {"xgboost", "out", "data", "target", "positive", "negative", "threshold", "id"}, {});
  if (args.help()) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (!args.positional().empty()) throw UsageError{"unexpected argument '" + args.positional()[0] + "'"};
  const std::string json_path = args.require("xgboost"), out_path = args.require("out");
  scoring::ImportOptions o;
  o.source = base_name(json_path);
  o.target = args.get("target", o.target);
  o.positive = args.get("positive", o.positive);
  o.negative = args.get("negative", o.negative);
  o.id_column = args.get("id");
  if (args.has("threshold")) {
    const std::string t = args.get("threshold");
    char* end = nullptr;
    o.threshold = std::strtod(t.c_str(), &end);
    if (t.empty() || *end != '\0' || !(o.threshold >= 0 && o.threshold <= 1))
      throw UsageError{"--threshold expects a probability from 0 to 1, found '" + t + "'"};
  }
  std::optional<Table> reference;
  if (args.has("data")) {
    reference = read_table(args.get("data"));
    print_notices(reference->notices);
    o.reference = &*reference;
  }
  const scoring::Imported imported = scoring::import_xgboost(read_file(json_path), o);
  print_notices(imported.notices);
  const std::string bytes = model::save(imported.model);
  write_file(out_path, bytes);
  std::fprintf(stderr, "saved %s (%zu bytes, %zu trees)\n", out_path.c_str(), bytes.size(),
               imported.model.ensemble.trees.size());
  return 0;
}

}  // namespace fc::cli
