// An XGBoost model as a scoring model: its trees as they are (gbdt/xgboost.cpp converts
// the split rule and the base score), its feature names as the input columns, all numbers
// (XGBoost's categorical features are refused by the reader). Nothing is made up: the
// header has no training parameters and no cross-validated metrics, and says so.
#include "funnelcast/scoring/import.hpp"

#include <cmath>
#include <limits>
#include <set>

#include "funnelcast/base/error.hpp"
#include "funnelcast/gbdt/xgboost.hpp"
#include "funnelcast/scoring/table.hpp"

namespace fc::scoring {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

Imported import_xgboost(std::string_view json, const ImportOptions& options) {
  const std::string& source = options.source;
  gbdt::ImportedModel in = gbdt::import_xgboost_json(json, source);
  const bool value = in.objective != "binary:logistic";  // reg:squarederror: a number
  if (in.ensemble.trees.empty()) throw Error(source + ": the XGBoost model has no trees");
  if (!(options.threshold >= 0 && options.threshold <= 1))
    throw Error("the threshold must be a probability from 0 to 1");
  if (!value && (options.positive.empty() || options.negative.empty() || options.positive == options.negative))
    throw Error("the positive and negative labels must be two different, non-empty labels");

  std::set<std::string> seen;
  for (const std::string& name : in.feature_names) {
    if (name.empty()) throw Error(source + ": a feature name is empty (learner.feature_names)");
    if (!seen.insert(name).second) throw Error(source + ": the feature name '" + name + "' appears twice");
    if (name == options.target)
      throw Error(source + ": the feature '" + name + "' has the outcome column's name; give the outcome another --target");
  }

  Imported out;
  model::Header& h = out.model.header;
  h.kind = "score";
  h.created_by = std::string("funnelcast ") + FC_VERSION;
  h.table.source = source;
  model::ScoreSection s;
  s.output = value ? "value" : "probability";
  s.target = options.target;
  s.positive = value ? "" : options.positive;
  s.negative = value ? "" : options.negative;
  s.positive_rate = kNaN;
  s.id_column = options.id_column;
  s.threshold = options.threshold;
  s.threshold_rule = "fixed";
  s.folds = 0;
  s.out_of_fold = {kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN};
  for (const std::string& name : in.feature_names) {
    model::ScoreFeature f;
    f.name = f.column = name;
    f.kind = "number";
    f.min = f.max = kNaN;
    s.features.push_back(std::move(f));
    h.table.columns.push_back({name, "number", "feature", ""});
  }
  if (options.reference) {
    const Table& t = *options.reference;
    const Encoded enc = encode(s.features, t, source);  // every column there, numbers only
    for (size_t f = 0; f < s.features.size(); ++f) {
      double lo = std::numeric_limits<double>::infinity(), hi = -lo;
      for (size_t r = 0; r < t.rows; ++r) {
        const float v = enc.x.values[r * enc.x.cols + f];
        if (std::isnan(v)) continue;
        lo = std::min(lo, static_cast<double>(v));
        hi = std::max(hi, static_cast<double>(v));
      }
      if (lo <= hi) {
        s.features[f].min = lo;
        s.features[f].max = hi;
      }
      s.features[f].missing_share = static_cast<double>(enc.missing[f]) / static_cast<double>(std::max<size_t>(t.rows, 1));
    }
    h.table.input_rows = t.rows;
    h.table.source = t.source;
  }
  const std::string what = "imported from the XGBoost model " + source + " (" + in.objective + ", " +
                           std::to_string(in.ensemble.trees.size()) + " trees, " + std::to_string(s.features.size()) +
                           " features)";
  if (value)
    s.warnings.push_back(what + ": it predicts a number, not a probability; scores are its predictions, with no "
                         "threshold or decision, and it was not cross-validated here");
  else
    s.warnings.push_back(what + ": not cross-validated here, so it has no metrics, threshold curve, calibration or lift; "
                         "funnelcast drift --model MODEL --current FILE measures its ROC-AUC on a labelled table");
  out.notices.push_back(what);
  if (!options.reference)
    out.notices.push_back("no --data table: the inputs' ranges are unknown (the page's form shows no hints)");
  h.score = std::move(s);
  out.model.ensemble = std::move(in.ensemble);
  model::check(out.model);
  return out;
}

}  // namespace fc::scoring
