// An XGBoost model as a scoring model: its trees as they are (gbdt/xgboost.cpp converts
// the split rule and the base score), its feature names as the input columns: numbers, and
// categories whose names come from the reference table (pandas' code order). Nothing is made up: the
// header has no training parameters and no cross-validated metrics, and says so.
#include "funnelcast/scoring/import.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <utility>
#include <limits>
#include <set>

#include "funnelcast/base/error.hpp"
#include "funnelcast/base/math.hpp"
#include "funnelcast/gbdt/xgboost.hpp"
#include "funnelcast/scoring/table.hpp"

namespace fc::scoring {

namespace {
bool as_number(const std::string& text, double& v) {
  if (text.empty()) return false;
  char* end = nullptr;
  v = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && std::isfinite(v);
}

// The categories of a column in the order pandas codes them when a column is made
// categorical without naming its categories (astype("category")): the distinct values
// sorted, by value when every one is a number (read_csv made the column numeric), else as
// text (Python compares strings by code point, which is UTF-8 byte order).
std::vector<std::string> pandas_levels(const Table& t, const std::string& column, const std::string& source) {
  const int i = t.find(column);
  if (i < 0) return {};
  const Column& c = t.columns[static_cast<size_t>(i)];
  std::set<std::string> distinct;
  for (size_t r = 0; r < t.rows; ++r)
    if (!c.is_missing(r)) distinct.insert(c.text(r));
  std::vector<std::string> levels(distinct.begin(), distinct.end());
  bool numbers = !levels.empty();
  std::vector<std::pair<double, std::string>> by_value;
  for (const std::string& l : levels) {
    double v;
    if (!as_number(l, v)) {
      numbers = false;
      break;
    }
    by_value.emplace_back(v, l);
  }
  if (numbers) {
    std::sort(by_value.begin(), by_value.end());
    for (size_t k = 0; k < by_value.size(); ++k) {
      if (k > 0 && by_value[k].first == by_value[k - 1].first)
        throw Error(source + ": the categorical feature '" + column + "' has '" + by_value[k - 1].second + "' and '" +
                    by_value[k].second + "' in " + t.source +
                    ", one number written two ways: which category code each had in XGBoost cannot be known");
      levels[k] = by_value[k].second;
    }
  }
  return levels;
}
}  // namespace

Imported import_xgboost(std::string_view json, const ImportOptions& options) {
  const std::string& source = options.source;
  gbdt::XgboostOptions xo;
  xo.all_trees = options.all_trees;
  gbdt::ImportedModel in = gbdt::import_xgboost_json(json, source, xo);
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
  std::string categorical;
  for (size_t k = 0; k < in.feature_names.size(); ++k)
    if (in.categorical[k]) categorical += (categorical.empty() ? "'" : ", '") + in.feature_names[k] + "'";
  if (!categorical.empty() && !options.reference)
    throw Error(source + ": the model has categorical features (" + categorical +
                "); XGBoost's JSON holds their categories as codes, not names: give the table the model was trained "
                "on with --data, so the codes can be named (pandas codes a column's distinct values in sorted order)");
  for (size_t k = 0; k < in.feature_names.size(); ++k) {
    const std::string& name = in.feature_names[k];
    model::ScoreFeature f;
    f.name = f.column = name;
    f.kind = in.categorical[k] ? "category" : "number";
    f.min = f.max = kNaN;
    if (in.categorical[k]) {
      const Table& t = *options.reference;
      if (t.find(name) < 0)
        throw Error(t.source + " lacks the categorical column '" + name + "' that " + source + " needs");
      f.levels = pandas_levels(t, name, source);
      if (in.category_bound[k] > f.levels.size())
        throw Error(source + ": a split on '" + name + "' names category code " + std::to_string(in.category_bound[k] - 1) +
                    " but column '" + name + "' of " + t.source + " has " + std::to_string(f.levels.size()) +
                    " distinct values (codes 0 to " + std::to_string(f.levels.size()) +
                    " - 1 in sorted order): the codes cannot be named from this table (were the categories set by "
                    "hand, e.g. pd.CategoricalDtype, or is this not the training table?)");
      f.min = f.max = 0;
    }
    s.features.push_back(std::move(f));
    h.table.columns.push_back({name, in.categorical[k] ? "category" : "number", "feature", ""});
  }
  if (options.reference) {
    const Table& t = *options.reference;
    const Encoded enc = encode(s.features, t, source);  // every column there, numbers only
    for (size_t f = 0; f < s.features.size(); ++f) {
      s.features[f].missing_share = static_cast<double>(enc.missing[f]) / static_cast<double>(std::max<size_t>(t.rows, 1));
      if (s.features[f].kind == "category") continue;
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
  for (const std::string& note : in.notes) {
    s.warnings.push_back(note);
    out.notices.push_back(note);
  }
  if (!categorical.empty())
    out.notices.push_back("categorical features " + categorical + ": categories named from " + options.reference->source +
                          " in pandas' code order (sorted); a category the table lacks is scored as missing, as pandas "
                          "makes it NaN under the training categories");
  if (!options.reference)
    out.notices.push_back("no --data table: the inputs' ranges are unknown (the page's form shows no hints)");
  h.score = std::move(s);
  out.model.ensemble = std::move(in.ensemble);
  model::check(out.model);
  return out;
}

}  // namespace fc::scoring
