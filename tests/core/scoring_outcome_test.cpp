// The outcome guess: a 0/1 column named `status` beats a rarer yes/no column at the end of
// the file; `Converted` beats a yes/no column named like a brochure; a 5-valued last column
// never hides a 0/1 `Response`; several outcome-like columns make the guess uncertain.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "funnelcast/io/csv.hpp"
#include "funnelcast/scoring/outcome.hpp"

namespace {

fc::Table outcome_table(const std::string& header, size_t rows, const std::function<std::string(size_t)>& row) {
  std::string csv = header + "\n";
  for (size_t r = 0; r < rows; ++r) csv += row(r) + "\n";
  fc::csv::Options o;
  o.source = "leads.csv";
  return fc::csv::read(csv, o);
}

TEST(OutcomeGuess, AZeroOneStatusBeatsARarerYesNoColumnAtTheEnd) {
  // status: 1 on every 5th row (20%); referral: yes on 1 row in 50 (2%), the last column.
  const auto t = outcome_table("age,status,referral", 200, [](size_t r) {
    return std::to_string(20 + r % 40) + "," + (r % 5 == 0 ? "1" : "0") + "," + (r % 50 == 0 ? "yes" : "no");
  });
  const auto g = fc::scoring::guess_outcome(t);
  ASSERT_EQ(g.candidates.size(), 2u);
  EXPECT_TRUE(g.certain);
  EXPECT_EQ(g.candidates[0].column, "status");
  EXPECT_EQ(g.candidates[0].rank, 1);
  EXPECT_EQ(g.candidates[0].positive, "1");
  EXPECT_DOUBLE_EQ(g.candidates[0].positive_rate, 0.2);
  EXPECT_EQ(g.candidates[1].column, "referral");
  EXPECT_EQ(g.candidates[1].rank, 2);
  EXPECT_DOUBLE_EQ(g.candidates[1].positive_rate, 0.02);
}

TEST(OutcomeGuess, ConvertedBeatsABrochureColumnAndAFiveValuedLastColumnHidesNothing) {
  const auto t = outcome_table("Lead Origin,Converted,A free copy of Mastering The Interview", 100, [](size_t r) {
    return std::string(r % 3 ? "API" : "Landing Page") + "," + (r % 4 == 0 ? "1" : "0") + "," + (r % 3 ? "No" : "Yes");
  });
  auto g = fc::scoring::guess_outcome(t);
  ASSERT_FALSE(g.candidates.empty());
  EXPECT_TRUE(g.certain);
  EXPECT_EQ(g.candidates[0].column, "Converted");
  // Response (0/1) before a last column with 5 values (not an outcome name: no candidate).
  const auto u = outcome_table("Income,Response,Complain,Marital", 100, [](size_t r) {
    const char* m[] = {"Single", "Married", "Divorced", "Widow", "Together"};
    return std::to_string(30000 + r * 10) + "," + (r % 7 == 0 ? "1" : "0") + "," + (r % 30 == 0 ? "1" : "0") + "," + m[r % 5];
  });
  g = fc::scoring::guess_outcome(u);
  ASSERT_EQ(g.candidates.size(), 2u);
  EXPECT_EQ(g.candidates[0].column, "Response");
  EXPECT_TRUE(g.certain);
  EXPECT_EQ(g.candidates[1].column, "Complain");
}

TEST(OutcomeGuess, TwoOutcomeNamesOrNoneAreUncertain) {
  const auto two = outcome_table("converted,won,x", 60, [](size_t r) {
    return std::string(r % 2 ? "yes" : "no") + "," + (r % 3 ? "0" : "1") + "," + std::to_string(r);
  });
  auto g = fc::scoring::guess_outcome(two);
  EXPECT_FALSE(g.certain);
  ASSERT_EQ(g.candidates.size(), 2u);
  EXPECT_EQ(g.candidates[0].column, "won");  // the later of two equals
  const auto none = outcome_table("a,b", 60, [](size_t r) { return std::string(r % 2 ? "red" : "blue") + "," + std::to_string(r); });
  g = fc::scoring::guess_outcome(none);
  EXPECT_FALSE(g.certain);
  ASSERT_EQ(g.candidates.size(), 1u);
  EXPECT_EQ(g.candidates[0].rank, 3);
  EXPECT_TRUE(std::isnan(g.candidates[0].positive_rate));  // red/blue: no known positive
  // An outcome name with many values is listed last, as a candidate that needs a choice.
  const auto many = outcome_table("status,flag", 60, [](size_t r) {
    const char* s[] = {"new", "open", "won", "lost"};
    return std::string(s[r % 4]) + "," + (r % 2 ? "1" : "0");
  });
  g = fc::scoring::guess_outcome(many);
  ASSERT_EQ(g.candidates.size(), 2u);
  EXPECT_EQ(g.candidates[0].column, "flag");
  EXPECT_EQ(g.candidates[1].column, "status");
  EXPECT_EQ(g.candidates[1].rank, 4);
  EXPECT_FALSE(g.certain);
}

}  // namespace
