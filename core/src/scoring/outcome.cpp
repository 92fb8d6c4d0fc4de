#include "funnelcast/scoring/outcome.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <set>

#include "funnelcast/base/error.hpp"
#include "funnelcast/base/text.hpp"
#include "funnelcast/schema/registry.hpp"
#include "funnelcast/scoring/table.hpp"

namespace fc::scoring {
namespace {

const char* const kOutcomeWords[] = {
    "converted", "conversion", "convert", "status", "response", "responded", "target", "label", "outcome",
    "y", "won", "win", "purchased", "purchase", "bought", "churn", "churned", "subscribed", "subscription",
    "signedup", "closed", "closedwon", "result", "success", "sale", "sold", "dealwon", "hired", "accepted",
    "approved", "class", "leadstatus", "isconverted"};

const char* const kYesNo[] = {"0", "1", "yes", "no", "y", "n", "true", "false", "t", "f"};

// The distinct non-missing values of a column as text (numbers as written by Column::text).
std::set<std::string> distinct_values(const Table& t, const Column& c, size_t limit) {
  std::set<std::string> out;
  for (size_t r = 0; r < t.rows && out.size() <= limit; ++r)
    if (!c.is_missing(r)) out.insert(c.text(r));
  return out;
}

}  // namespace

bool outcome_like_name(const std::string& name) {
  const std::string n = schema::normalize_name(name);
  const auto word = [](const std::string& w) {
    return std::any_of(std::begin(kOutcomeWords), std::end(kOutcomeWords), [&](const char* k) { return w == k; });
  };
  if (word(n)) return true;
  for (const char* prefix : {"is", "has", "lead", "deal"})
    if (n.size() > std::string(prefix).size() && n.rfind(prefix, 0) == 0 && word(n.substr(std::string(prefix).size())))
      return true;
  return false;
}

OutcomeGuess guess_outcome(const Table& table) {
  OutcomeGuess g;
  for (size_t j = table.columns.size(); j-- > 0;) {
    const Column& c = table.columns[j];
    if (c.type == ColumnType::kTimestamp) continue;
    const std::set<std::string> values = distinct_values(table, c, 20);
    const bool named = outcome_like_name(c.name);
    OutcomeCandidate o;
    o.column = c.name;
    o.values = values.size();
    o.positive_rate = std::nan("");
    if (values.size() == 2) {
      const bool yes_no = std::all_of(values.begin(), values.end(), [](const std::string& v) {
        const std::string l = text::ascii_lower(v);
        return std::any_of(std::begin(kYesNo), std::end(kYesNo), [&](const char* k) { return l == k; });
      });
      o.rank = named ? 1 : yes_no ? 2 : 3;
      o.why = named ? "named like an outcome, two values" : yes_no ? "two values, yes/no-like" : "two values";
      try {
        const Target t = read_target(table, c.name, "");
        o.positive = t.positive;
        const double labelled = static_cast<double>(t.positives + t.negatives);
        if (labelled > 0) o.positive_rate = static_cast<double>(t.positives) / labelled;
      } catch (const Error&) {
        // two labels, neither a known positive: the user names it
      }
    } else if (named && values.size() > 2) {
      o.rank = 4;
      o.why = "named like an outcome, " + std::string(values.size() > 20 ? "more than 20" : std::to_string(values.size())) +
              " values";
    } else {
      continue;
    }
    g.candidates.push_back(std::move(o));
  }
  std::stable_sort(g.candidates.begin(), g.candidates.end(),
                   [](const OutcomeCandidate& a, const OutcomeCandidate& b) { return a.rank < b.rank; });
  g.certain = std::count_if(g.candidates.begin(), g.candidates.end(), [](const auto& o) { return o.rank == 1; }) == 1;
  return g;
}

std::string describe(const OutcomeCandidate& c) {
  std::string s = c.column + ": " + c.why;
  if (!std::isnan(c.positive_rate)) {
    char rate[32];
    std::snprintf(rate, sizeof rate, "%.1f%%", 100 * c.positive_rate);
    s += std::string("; ") + rate + " are '" + c.positive + "'";
  } else if (c.values == 2) {
    s += "; neither label is a known yes";
  }
  return s;
}

namespace {

// "--target COLUMN" on the command line, "option 'target'" in JS.
std::string how_to_give(const std::string& option) { return option.rfind("--", 0) == 0 ? option + " COLUMN" : option; }

std::string example(const std::string& option, const std::string& column) {
  if (option.rfind("--", 0) != 0) return option + ": '" + column + "'";
  const bool plain = std::all_of(column.begin(), column.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-' || ch == '.';
  });
  return option + " " + (plain ? column : "'" + column + "'");
}

}  // namespace

OutcomeChoice choose_outcome(const Table& table, const std::string& option) {
  const OutcomeGuess g = guess_outcome(table);
  if (g.certain) {
    const OutcomeCandidate& c = g.candidates.front();
    return {c.column, "outcome: '" + c.column + "', guessed (" + describe(c).substr(c.column.size() + 2) +
                          "); to train for another column, give " + how_to_give(option)};
  }
  if (g.candidates.empty())
    throw Error("which column is the outcome? None has two values or a name like converted, status, response or "
                "target; give it with " + how_to_give(option));
  const auto firsts = std::count_if(g.candidates.begin(), g.candidates.end(), [](const auto& o) { return o.rank == 1; });
  std::string m = "which column is the outcome? The guess is not certain (" +
                  (firsts > 1 ? std::to_string(firsts) + " two-valued columns are named like an outcome"
                              : std::string("no two-valued column is named like an outcome")) +
                  "); the candidates, most likely first:";
  const size_t shown = std::min<size_t>(g.candidates.size(), 10);
  for (size_t i = 0; i < shown; ++i) m += "\n  " + describe(g.candidates[i]);
  if (g.candidates.size() > shown) m += "\n  ... and " + std::to_string(g.candidates.size() - shown) + " more";
  m += "\ngive the outcome with " + how_to_give(option) + " (e.g. " + example(option, g.candidates.front().column) + ")";
  throw Error(m);
}

}  // namespace fc::scoring
