// Reads an XGBoost model saved as JSON (Booster.save_model("m.json"), XGBoost 1.x to 3.x)
// into our Ensemble, so a model trained elsewhere runs on the flat engine and TreeSHAP
// here. Only what our trees can represent exactly is accepted: gbtree boosters with
// numeric and categorical splits, binary:logistic or reg:squarederror, one output. Anything else is an
// fc::Error that says what is unsupported; a damaged file is an fc::Error naming the
// JSON field (e.g. "learner.gradient_booster.model.trees[3].left_children[5]"), never a
// crash.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "funnelcast/gbdt/tree.hpp"

namespace fc::gbdt {

struct XgboostOptions {
  // Keep every tree even when learner.attributes.best_iteration says early stopping chose
  // an earlier round (by default the trees after it are dropped, as XGBoost's own
  // predict_proba with iteration_range does).
  bool all_trees = false;
};

struct ImportedModel {
  // XGBoost's splits "x < c" become ours "x <= nextafter(c, -inf)" (the same test on every
  // float); leaf values are taken as stored (already scaled by eta); base_score becomes the
  // raw score (for binary:logistic, logit(base_score)); sum_hessian becomes leaf_cover.
  // Nodes are renumbered: internal nodes breadth-first from the root, leaves in the order
  // they are reached; nodes no path reaches (deleted by pruning) are dropped.
  Ensemble ensemble;
  // learner.feature_names, or f0, f1, ... when the model has none (as XGBoost names them).
  std::vector<std::string> feature_names;
  std::string objective;  // XGBoost's name: "binary:logistic" or "reg:squarederror"
  // Per feature: 1 when learner.feature_types says "c" or a categorical split uses it.
  std::vector<uint8_t> categorical;
  bool feature_types_given = false;  // learner.feature_types lists every feature
  // Per feature: 1 + the largest category code a kept tree's split names (0: none). A
  // categorical split "x in {c...}" (XGBoost sends the set right, every other value --
  // unseen, negative, beyond the set's bitset -- left, NaN by default_left) becomes ours
  // "x in set goes left" with the children swapped and default_left negated.
  std::vector<uint32_t> category_bound;
  size_t trees_in_file = 0;    // before best_iteration is applied
  int64_t best_iteration = -1; // learner.attributes.best_iteration; -1 when absent
  size_t trees_per_round = 1;  // num_parallel_tree
  std::vector<std::string> notes;  // what was done to the trees (best_iteration)
};

// json: the file's text; source names it in error messages ("m.json: ...").
// XGBoost writes a bare NaN as the condition of a categorical split: it is read as null.
ImportedModel import_xgboost_json(std::string_view json, const std::string& source,
                                  const XgboostOptions& options = {});

}  // namespace fc::gbdt
