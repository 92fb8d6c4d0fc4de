// Reads an XGBoost model saved as JSON (Booster.save_model("m.json"), XGBoost 1.x to 3.x)
// into our Ensemble, so a model trained elsewhere runs on the flat engine and TreeSHAP
// here. Only what our trees can represent exactly is accepted: gbtree boosters with
// numeric splits, binary:logistic or reg:squarederror, one output. Anything else is an
// fc::Error that says what is unsupported; a damaged file is an fc::Error naming the
// JSON field (e.g. "learner.gradient_booster.model.trees[3].left_children[5]"), never a
// crash.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "funnelcast/gbdt/tree.hpp"

namespace fc::gbdt {

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
};

// json: the file's text; source names it in error messages ("m.json: ...").
ImportedModel import_xgboost_json(std::string_view json, const std::string& source);

}  // namespace fc::gbdt
