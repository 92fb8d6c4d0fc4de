// Scoring models from elsewhere: an XGBoost model (read by gbdt::import_xgboost_json)
// becomes a funnelcast scoring model, so a team that trains with XGBoost (on one machine or
// on Spark or Dask) scores and explains leads with funnelcast. binary:logistic gives
// probabilities with a decision at the threshold; reg:squarederror (e.g. a customer's
// expected value) gives the predicted number (output "value": no threshold, no decision).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "funnelcast/io/table.hpp"
#include "funnelcast/model/model.hpp"

namespace fc::scoring {

struct ImportOptions {
  std::string source;          // the JSON file's name, for messages and the header
  std::string target = "target";  // the outcome column, as the header names it
  std::string positive = "1", negative = "0";
  double threshold = 0.5;      // the decision: probability >= threshold
  std::string id_column;       // "" = none
  // Optional: a table with the model's input columns (e.g. the rows XGBoost learned
  // from), to check the columns are there and hold numbers and to record their ranges and
  // missing shares (the page's form shows them as hints). Null: no ranges.
  // A model with categorical features needs it: XGBoost's JSON holds category codes, not
  // names, and the codes are pandas' (the column's distinct values sorted: numerically when
  // every value is a number, else as text), which are read from this table's column.
  const Table* reference = nullptr;
  bool all_trees = false;  // keep the trees after best_iteration (gbdt::XgboostOptions)
};

struct Imported {
  model::Model model;
  std::vector<std::string> notices;  // what the user should know about the imported model
};

// fc::Error for an objective the reader refuses, a categorical model without a reference
// table or whose codes the table's column cannot name, feature names that repeat or are empty, a threshold
// outside [0, 1], a reference table that lacks an input column or holds text in one.
Imported import_xgboost(std::string_view json, const ImportOptions& options);

}  // namespace fc::scoring
