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

// A candidate in one line for a list a user reads: "status: named like an outcome, two
// values; 20.0% are '1'".
std::string describe(const OutcomeCandidate& candidate);

// The outcome to train for when the user named none: the certain guess, with a note naming
// it and how to choose another; fc::Error listing the candidates (name, why, rate of
// positives) when the guess is not certain, so an uncertain guess is never used silently.
// `option` is how the caller spells the choice: "--target" or "option 'target'".
struct OutcomeChoice {
  std::string column;
  std::string note;
};
OutcomeChoice choose_outcome(const Table& table, const std::string& option);

}  // namespace fc::scoring
