// A number written with a % sign is read as a fraction (15% -> 0.15): the notice says so
// with an example, so "987%" read as 9.87 is never silent; the range kept is the fraction's.
#include <gtest/gtest.h>

#include <string>

#include "funnelcast/io/csv.hpp"
#include "funnelcast/scoring/table.hpp"

namespace {

TEST(ScoringPercent, PercentagesAreReadAsFractionsAndSaid) {
  std::string csv = "rate,visits,converted\n";
  for (int i = 0; i < 60; ++i)
    csv += (i == 7 ? std::string("987%") : std::to_string(i % 20) + "%") + "," + std::to_string(i % 4) + "," +
           (i % 3 == 0 ? "1" : "0") + "\n";
  fc::csv::Options o;
  o.source = "leads.csv";
  const fc::Table t = fc::csv::read(csv, o);
  fc::scoring::ColumnOptions c;
  c.target = "converted";
  const auto inferred = fc::scoring::infer(t, c);
  const fc::model::ScoreFeature* rate = nullptr;
  for (const auto& f : inferred.features)
    if (f.name == "rate") rate = &f;
  ASSERT_NE(rate, nullptr);
  EXPECT_EQ(rate->kind, "number");
  EXPECT_DOUBLE_EQ(rate->min, 0.0);
  EXPECT_DOUBLE_EQ(rate->max, 9.87);  // 987% as a fraction
  bool said = false;
  for (const auto& n : inferred.notices)
    said = said || n == "leads.csv: column 'rate' holds numbers written as text; read as numbers; percentages are "
                        "read as fractions ('987%' as 9.87)";
  EXPECT_TRUE(said) << ::testing::PrintToString(inferred.notices);
}

}  // namespace
