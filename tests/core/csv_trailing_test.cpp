// An export whose every line ends with a delimiter (an unnamed, empty last column, as
// spreadsheets and CRMs write): the column is left out with a notice; a value under the
// unnamed column is refused naming its line; an empty name elsewhere is still refused.
#include <gtest/gtest.h>

#include <string>

#include "funnelcast/base/error.hpp"
#include "funnelcast/io/csv.hpp"

namespace {

fc::Table read(const std::string& text) {
  fc::csv::Options o;
  o.source = "export.csv";
  return fc::csv::read(text, o);
}

std::string trailing_error(const std::string& text) {
  try {
    read(text);
  } catch (const fc::Error& e) {
    return e.what();
  }
  return "";
}

TEST(CsvTrailing, AnEmptyUnnamedLastColumnIsLeftOutAndSaid) {
  const fc::Table t = read("timestamp,leads,note,\n2024-01-01 00:00:00,1,a,\n2024-01-01 01:00:00,2,\"b,c\",\n");
  ASSERT_EQ(t.columns.size(), 3u);
  EXPECT_EQ(t.columns[1].name, "leads");
  ASSERT_EQ(t.rows, 2u);
  EXPECT_EQ(t.columns[1].type, fc::ColumnType::kNumber);
  EXPECT_EQ(t.columns[1].numbers[1], 2);
  EXPECT_EQ(t.columns[2].text(1), "b,c");
  ASSERT_EQ(t.notices.size(), 1u);
  EXPECT_EQ(t.notices[0], "export.csv: the header ends with a delimiter (an unnamed, empty last column): left out");
  // Semicolons, CRLF, and a line without the trailing delimiter are read the same way.
  const fc::Table s = read("a;b;\r\n1;x;\r\n2;y\r\n");
  ASSERT_EQ(s.columns.size(), 2u);
  EXPECT_EQ(s.rows, 2u);
  EXPECT_EQ(s.columns[0].numbers[1], 2);
}

TEST(CsvTrailing, AValueUnderTheUnnamedColumnOrAnEmptyNameElsewhereIsRefused) {
  EXPECT_EQ(trailing_error("a,b,\n1,2,\n3,4,oops\n"),
            "export.csv: line 3: the last column has no name in the header but holds 'oops'");
  EXPECT_EQ(trailing_error("a,,b\n1,2,3\n"), "export.csv: line 1: column 2 has an empty name in the header");
}

}  // namespace
