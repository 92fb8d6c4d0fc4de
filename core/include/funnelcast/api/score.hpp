// funnelcast score / Module.score: the probability, the decision and the reasons for every
// lead of a table. One request (its fields drive the CLI flags, the JS options and --help),
// one document (the CLI's --json and the page's result), per-lead columns beside it, and
// the scores CSV that both the CLI and the page's download write.
#pragma once
#include <cmath>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "funnelcast/api/columns.hpp"
#include "funnelcast/api/fields.hpp"
#include "funnelcast/io/table.hpp"
#include "funnelcast/model/model.hpp"
#include "funnelcast/scoring/score.hpp"

namespace fc::api {

struct ScoreRequest {
  int explain = 0;          // reasons per lead: 0 none, K the K strongest, -1 every input
  std::string id;           // the id column ("" = the model's, else the line number)
  double threshold = NAN;   // the decision threshold (NaN = the model's)
  bool csv = false;         // JS: the scores CSV too
  std::vector<uint32_t> rows;  // JS: only these rows (from 0), in this order (empty: all)
  int threads = 2;          // native: threads for the predictions and explanations (the output is the same)
  // The command line's own.
  std::string model, data, out, log;
  bool json = false;
};
const std::vector<Field<ScoreRequest>>& score_fields();

struct ScoreRun {
  std::string model;                     // the model's name
  scoring::Scores scores;                // decisions at `threshold`
  double threshold = 0;                  // the one used: the request's or the model's
  std::vector<std::string> reason_text;  // explain > 0: the cell behind each reason
};
// fc::Error as scoring::score, and for a threshold given to a model that predicts a number.
ScoreRun score(const model::Model& m, const std::string& model_name, const Table& table, const ScoreRequest& r);

// {model, output, rows, threshold, expected_value, explained, feature_names, notices, ids,
//  reason_text, csv?}; threshold null for a model that predicts a number.
nlohmann::json score_json(const ScoreRun& run, const ScoreRequest& r);
// probability, decision, margin, reason_feature, reason_value: per lead (reasons k per lead).
Columns score_columns(const ScoreRun& run);
// id,probability,decision[,reason_1,value_1,contribution_1,...] (explain K), or
// id,probability,decision,margin,expected_value,<input>... (explain all); an imported
// regression writes id,prediction[,...] with no decision.
std::string scores_csv(const ScoreRun& run);

}  // namespace fc::api
