// The outcome chosen when the user names none: a certain guess is used with a note that
// names it and how to choose another; an uncertain one is never used, the error lists the
// candidates with why and their share of positives. Both edges (the CLI's --target, the
// page's option 'target') through api::train_score.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "funnelcast/api/train.hpp"
#include "funnelcast/base/error.hpp"
#include "funnelcast/io/csv.hpp"
#include "funnelcast/scoring/outcome.hpp"

namespace {

fc::Table choice_table(const std::string& header, size_t rows, const std::function<std::string(size_t)>& row) {
  std::string csv = header + "\n";
  for (size_t r = 0; r < rows; ++r) csv += row(r) + "\n";
  fc::csv::Options o;
  o.source = "leads.csv";
  return fc::csv::read(csv, o);
}

std::string outcome_choice_error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const fc::Error& e) {
    return e.what();
  }
  return "(no error)";
}

// status: 1 on every 5th row (40 of 200 = 20.0%); referral: yes on every 50th (4 of 200 = 2.0%).
fc::Table status_and_referral() {
  return choice_table("age,status,referral", 200, [](size_t r) {
    return std::to_string(20 + r % 40) + "," + (r % 5 == 0 ? "1" : "0") + "," + (r % 50 == 0 ? "yes" : "no");
  });
}

TEST(OutcomeChoice, ACertainGuessIsUsedAndSaid) {
  const auto c = fc::scoring::choose_outcome(status_and_referral(), "--target");
  EXPECT_EQ(c.column, "status");
  EXPECT_EQ(c.note,
            "outcome: 'status', guessed (named like an outcome, two values; 20.0% are '1'); to train for another "
            "column, give --target COLUMN");
  const auto js = fc::scoring::choose_outcome(status_and_referral(), "option 'target'");
  EXPECT_NE(js.note.find("give option 'target'"), std::string::npos) << js.note;
}

TEST(OutcomeChoice, AConvertedColumnBeatsTheBrochureColumn) {
  // Converted: 1 on every 4th of 100 rows (25.0%); the brochure: Yes on every 3rd (34 of 100).
  const auto t = choice_table("Lead Origin,Converted,A free copy of Mastering The Interview", 100, [](size_t r) {
    return std::string(r % 3 ? "API" : "Landing Page") + "," + (r % 4 == 0 ? "1" : "0") + "," + (r % 3 ? "No" : "Yes");
  });
  const auto c = fc::scoring::choose_outcome(t, "--target");
  EXPECT_EQ(c.column, "Converted");
  EXPECT_NE(c.note.find("25.0% are '1'"), std::string::npos) << c.note;
}

TEST(OutcomeChoice, AnUncertainGuessListsTheCandidatesInsteadOfPickingOne) {
  // converted: yes on odd rows (30 of 60 = 50.0%); won: 1 on every 3rd row (20 of 60 = 33.3%).
  const auto t = choice_table("converted,won,x", 60, [](size_t r) {
    return std::string(r % 2 ? "yes" : "no") + "," + (r % 3 ? "0" : "1") + "," + std::to_string(r);
  });
  EXPECT_EQ(outcome_choice_error_of([&] { fc::scoring::choose_outcome(t, "--target"); }),
            "which column is the outcome? The guess is not certain (2 two-valued columns are named like an outcome); "
            "the candidates, most likely first:\n"
            "  won: named like an outcome, two values; 33.3% are '1'\n"
            "  converted: named like an outcome, two values; 50.0% are 'yes'\n"
            "give the outcome with --target COLUMN (e.g. --target won)");
  // No outcome name: yes/no-like columns are candidates, never a silent pick.
  const auto u = choice_table("Lead Source,Do Not Email,A free copy", 40, [](size_t r) {
    return std::string(r % 2 ? "Google" : "Direct") + "," + (r % 10 ? "No" : "Yes") + "," + (r % 4 ? "No" : "Yes");
  });
  const std::string m = outcome_choice_error_of([&] { fc::scoring::choose_outcome(u, "--target"); });
  EXPECT_NE(m.find("(no two-valued column is named like an outcome)"), std::string::npos) << m;
  EXPECT_NE(m.find("\n  A free copy: two values, yes/no-like; 25.0% are 'Yes'\n"), std::string::npos) << m;
  EXPECT_NE(m.find("\n  Do Not Email: two values, yes/no-like; 10.0% are 'Yes'\n"), std::string::npos) << m;
  EXPECT_NE(m.find("\n  Lead Source: two values; neither label is a known yes\n"), std::string::npos) << m;
  EXPECT_NE(m.find("(e.g. --target 'A free copy')"), std::string::npos) << m;
  // Nothing that could be an outcome.
  const auto none = choice_table("a,b", 30, [](size_t r) { return std::to_string(r) + "," + std::to_string(r * 2); });
  EXPECT_EQ(outcome_choice_error_of([&] { fc::scoring::choose_outcome(none, "--target"); }),
            "which column is the outcome? None has two values or a name like converted, status, response or target; "
            "give it with --target COLUMN");
}

TEST(OutcomeChoice, TrainScoreWithoutATargetTrainsTheCertainGuessOrRefusesOnEitherEdge) {
  fc::api::TrainScoreRequest r;
  r.folds = 0;
  r.boosting.iterations = 2;
  r.threads = 1;
  const auto out = fc::api::train_score(status_and_referral(), r);
  EXPECT_EQ(out.report.at("target").at("column"), "status");
  ASSERT_FALSE(out.notices.empty());
  EXPECT_EQ(out.notices.front().rfind("outcome: 'status', guessed", 0), 0u) << out.notices.front();
  // A referral-only table: the yes/no column is a candidate, not a silent choice.
  const auto referral = choice_table("age,referral", 100, [](size_t r) {
    return std::to_string(20 + r % 40) + "," + (r % 50 == 0 ? "yes" : "no");
  });
  r.edge = fc::api::Edge::kJs;
  const std::string m = outcome_choice_error_of([&] { fc::api::train_score(referral, r); });
  EXPECT_EQ(m.rfind("which column is the outcome?", 0), 0u) << m;
  EXPECT_NE(m.find("  referral: two values, yes/no-like; 2.0% are 'yes'"), std::string::npos) << m;
  EXPECT_NE(m.find("give the outcome with option 'target' (e.g. option 'target': 'referral')"), std::string::npos) << m;
}

}  // namespace
