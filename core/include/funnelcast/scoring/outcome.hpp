// Which column of a lead table is the outcome to predict. The guess is one rule for the
// CLI and the page, it says how sure it is, and it never hides the other candidates:
//   1. two-valued columns named like an outcome (converted, status, response, target,
//      label, outcome, y, won, purchased, churn, subscribed, ...), then
//   2. two-valued columns with yes/no-like labels (0/1, yes/no, true/false, ...), then
//   3. other two-valued columns, then
//   4. columns named like an outcome with more than two values (a choice of the positive
//      label is needed, or they are not the outcome).
// Within a rank the later column comes first (exports tend to end with the outcome). The
// guess is certain only when rank 1 holds exactly one column; otherwise the page asks and
// the CLI lists the candidates with their positive rates.
#pragma once
#include <string>
#include <vector>

#include "funnelcast/io/table.hpp"

namespace fc::scoring {

struct OutcomeCandidate {
  std::string column;
  int rank = 0;              // 1..4 as above
  size_t values = 0;         // distinct non-missing values
  std::string positive;      // the label read as the positive one ("" when unknown)
  double positive_rate = 0;  // share of labelled rows with it (NaN when unknown)
  std::string why;           // "named like an outcome, two values", ...
};

struct OutcomeGuess {
  std::vector<OutcomeCandidate> candidates;  // best first
  bool certain = false;                      // exactly one rank-1 candidate
};

OutcomeGuess guess_outcome(const Table& table);

// "converted", "Lead Status", "is_won": the normalized name is an outcome word, or "is"/"has"
// followed by one.
bool outcome_like_name(const std::string& name);

}  // namespace fc::scoring
