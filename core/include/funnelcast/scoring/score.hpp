// Scoring new leads with a saved model: the table is read through the model's feature
// list (the same encoder as training), every lead gets its probability, the decision at
// the model's threshold and, on request, the reasons behind it: exact TreeSHAP
// contributions on the log-odds scale that add up, with the expected value, to the margin.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "funnelcast/io/table.hpp"
#include "funnelcast/model/model.hpp"

namespace fc::scoring {

struct ScoreOptions {
  std::string model_name = "the model";
  int explain = 0;         // reasons per lead: 0 none, k the k strongest, -1 every feature
  std::string id_column;   // "" = the model's id column when the table has it
  int threads = 1;         // for the explanations (native builds; the result is the same)
  // Only these rows of the table (indexes from 0), in this order; empty = every row. The
  // ids, scores and reasons follow this order, and each equals what a whole-table run gives
  // that row (the page explains the rows in view on demand). Notices are the whole table's.
  std::vector<uint32_t> rows;
};

struct Scores {
  size_t rows = 0, features = 0;
  std::vector<std::string> ids;      // per row: the id column's text, or the row's line number
  // The model's output ("probability", or "value" for an imported regression model, whose
  // prediction is in `probability` and whose decisions are all 0).
  std::string output = "probability";
  std::vector<double> probability;
  std::vector<uint8_t> decision;     // probability >= threshold
  double threshold = 0.5;
  double expected_value = 0;         // the mean margin TreeSHAP starts from
  std::vector<double> margin;        // per row: log-odds (the value) = expected_value + sum of contributions
  // explain > 0: per row, k (feature index, contribution) pairs by |contribution|, strongest
  // first; explain = -1: every feature's contribution (rows x features).
  int explained = 0;
  std::vector<int32_t> reason_feature;
  std::vector<double> reason_value;
  std::vector<std::string> feature_names;
  std::vector<std::string> notices;  // unseen categories, extra columns, missing values
};

// The decision rule, once: contact the lead when its probability reaches the threshold.
inline bool decide(double probability, double threshold) { return probability >= threshold; }

// fc::Error when the model is not a scoring model, the table lacks a column it needs (all
// listed), or a cell holds text where the model reads a number or a date.
Scores score(const model::Model& m, const Table& table, const ScoreOptions& options);

// The text of the cell behind a reason (what the user wrote), for output.
std::string reason_text(const model::Model& m, const Table& table, size_t row, int32_t feature);

}  // namespace fc::scoring
