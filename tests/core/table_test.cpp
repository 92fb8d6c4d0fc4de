#include "funnelcast/io/table.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "funnelcast/base/error.hpp"
#include "funnelcast/io/csv.hpp"

namespace fc {
namespace {

Table small_table() {
  Table t;
  t.source = "hourly.csv";
  t.rows = 3;
  Column a;
  a.name = "leads";
  a.type = ColumnType::kNumber;
  a.numbers = {3, std::numeric_limits<double>::quiet_NaN(), 0.1};
  Column b;
  b.name = " Spend ";
  b.type = ColumnType::kTimestamp;
  b.times = {0, kMissingTime, 86400 + 3661};
  Column c;
  c.name = "channel";
  c.type = ColumnType::kCategory;
  c.levels = {"email", "search"};
  c.codes = {1, 0, kMissingCode};
  t.columns = {a, b, c};
  t.line_of_row = {2, 3, 5};
  return t;
}

TEST(Table, TypeNames) {
  EXPECT_STREQ(to_string(ColumnType::kNumber), "number");
  EXPECT_STREQ(to_string(ColumnType::kTimestamp), "timestamp");
  EXPECT_STREQ(to_string(ColumnType::kCategory), "category");
}

TEST(Table, IsMissing) {
  const Table t = small_table();
  EXPECT_FALSE(t.columns[0].is_missing(0));
  EXPECT_TRUE(t.columns[0].is_missing(1));
  EXPECT_FALSE(t.columns[1].is_missing(0));
  EXPECT_TRUE(t.columns[1].is_missing(1));
  EXPECT_FALSE(t.columns[2].is_missing(0));
  EXPECT_TRUE(t.columns[2].is_missing(2));
  // Past the end counts as missing rather than reading out of bounds.
  EXPECT_TRUE(t.columns[0].is_missing(3));
  EXPECT_TRUE(t.columns[2].is_missing(99));
}

TEST(Table, Text) {
  const Table t = small_table();
  EXPECT_EQ(t.columns[0].text(0), "3");
  EXPECT_EQ(t.columns[0].text(1), "");
  EXPECT_EQ(t.columns[0].text(2), "0.1");
  EXPECT_EQ(t.columns[1].text(0), "1970-01-01 00:00:00");
  EXPECT_EQ(t.columns[1].text(1), "");
  EXPECT_EQ(t.columns[1].text(2), "1970-01-02 01:01:01");
  EXPECT_EQ(t.columns[2].text(0), "search");
  EXPECT_EQ(t.columns[2].text(1), "email");
  EXPECT_EQ(t.columns[2].text(2), "");
  EXPECT_EQ(t.columns[2].text(7), "");
}

TEST(Table, NumberTextIsShortestThatRoundTrips) {
  Column c;
  c.type = ColumnType::kNumber;
  c.numbers = {-2.5, 1e21, 1.0 / 3.0, 123456789012, 0.30000000000000004, -0.0};
  EXPECT_EQ(c.text(0), "-2.5");
  EXPECT_EQ(c.text(1), "1e+21");
  EXPECT_EQ(c.text(2), "0.3333333333333333");  // 16 digits are needed for 1/3
  EXPECT_EQ(c.text(3), "123456789012");
  EXPECT_EQ(c.text(4), "0.30000000000000004");  // 17 digits: it differs from 0.3
  EXPECT_EQ(c.text(5), "-0");
}

TEST(Table, TextRoundTripsThroughCsvParsing) {
  Column c;
  c.type = ColumnType::kNumber;
  uint64_t state = 12345;
  for (int i = 0; i < 2000; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const double v =
        static_cast<double>(static_cast<int64_t>(state >> 11)) * 1e-7 * ((state & 1) ? 1 : -1);
    c.numbers.push_back(v);
  }
  for (size_t r = 0; r < c.numbers.size(); ++r) {
    double back = 0;
    ASSERT_TRUE(csv::parse_number(c.text(r), back)) << c.text(r);
    EXPECT_EQ(back, c.numbers[r]);
  }
}

TEST(Table, FindExactThenCaseInsensitive) {
  Table t = small_table();
  EXPECT_EQ(t.find("leads"), 0);
  EXPECT_EQ(t.find("LEADS"), 0);
  EXPECT_EQ(t.find("  Leads "), 0);
  EXPECT_EQ(t.find("spend"), 1);
  EXPECT_EQ(t.find(" Spend "), 1);
  EXPECT_EQ(t.find("channel"), 2);
  EXPECT_EQ(t.find("revenue"), -1);
  EXPECT_EQ(t.find(""), -1);
  // An exact match wins over an earlier case-insensitive one.
  Column other;
  other.name = "LEADS";
  t.columns.push_back(other);
  EXPECT_EQ(t.find("LEADS"), 3);
  EXPECT_EQ(t.find("Leads"), 0);
}

TEST(Table, AtReturnsTheColumn) {
  const Table t = small_table();
  EXPECT_EQ(&t.at("channel"), &t.columns[2]);
  EXPECT_EQ(&t.at("Channel"), &t.columns[2]);
}

TEST(Table, AtNamesFileAndColumns) {
  const Table t = small_table();
  try {
    t.at("revenue");
    FAIL() << "expected fc::Error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "hourly.csv: no column 'revenue' (columns: leads,  Spend , channel)");
  }
}

TEST(Table, LineOfRow) {
  const Table t = small_table();
  EXPECT_EQ(t.line(0), 2u);
  EXPECT_EQ(t.line(2), 5u);
  EXPECT_EQ(t.line(3), 0u);
}

TEST(Table, FromCsv) {
  const Table t = csv::read("a,b\n1,x\n", {});
  EXPECT_EQ(t.source, "input");
  EXPECT_EQ(t.at("B").text(0), "x");
  try {
    t.at("c");
    FAIL() << "expected fc::Error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "input: no column 'c' (columns: a, b)");
  }
}

TEST(Table, AtEscapesControlBytesInNames) {
  Table t = small_table();
  t.columns[2].name = std::string("chan\0nel", 8);
  try {
    t.at(std::string("x\ny", 3));
    FAIL() << "expected fc::Error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "hourly.csv: no column 'x\\x0Ay' (columns: leads,  Spend , chan\\x00nel)");
  }
}

TEST(Table, NoticesOnlyForWhatWasDoneToTheFile) {
  // A clean file gets no notice; each thing the reader does to a file it still reads gets
  // exactly one, naming it: another encoding, a trailing empty column.
  EXPECT_TRUE(Table{}.notices.empty());
  EXPECT_TRUE(csv::read("a,b\n1,x\n", {}).notices.empty());
  const Table latin = csv::read("a,b\n1,caf\xE9\n", {});
  ASSERT_EQ(latin.notices.size(), 1u);
  EXPECT_NE(latin.notices[0].find("Windows-1252"), std::string::npos) << latin.notices[0];
  ASSERT_EQ(latin.columns[1].levels.size(), 1u);
  EXPECT_EQ(latin.columns[1].levels[0], "caf\xC3\xA9");  // é in UTF-8
  const Table trailing = csv::read("a,b,\n1,x,\n2,y,\n", {});
  ASSERT_EQ(trailing.notices.size(), 1u) << (trailing.notices.empty() ? "" : trailing.notices[0]);
  EXPECT_EQ(trailing.columns.size(), 2u);
}

// Reference values from the UTF-8 definition (RFC 3629, table 3-7 of Unicode).
TEST(Utf8Length, AcceptsWellFormedSequencesOnly) {
  struct Case {
    std::string bytes;
    size_t length;
  };
  const std::vector<Case> cases = {
      {"a", 1},
      {"\x7F", 1},
      {"\xC2\x80", 2},          // U+0080, the first two-byte character
      {"\xDF\xBF", 2},          // U+07FF
      {"\xE0\xA0\x80", 3},      // U+0800
      {"\xED\x9F\xBF", 3},      // U+D7FF, just below the surrogates
      {"\xEE\x80\x80", 3},      // U+E000, just above them
      {"\xEF\xBF\xBF", 3},      // U+FFFF
      {"\xF0\x90\x80\x80", 4},  // U+10000
      {"\xF4\x8F\xBF\xBF", 4},  // U+10FFFF, the last code point
      {"\x80", 0},              // a continuation byte alone
      {"\xC0\x80", 0},          // overlong NUL
      {"\xC1\xBF", 0},          // overlong
      {"\xE0\x9F\xBF", 0},      // overlong
      {"\xED\xA0\x80", 0},      // U+D800, a surrogate
      {"\xF0\x8F\xBF\xBF", 0},  // overlong
      {"\xF4\x90\x80\x80", 0},  // above U+10FFFF
      {"\xF5\x80\x80\x80", 0},  // never a lead byte
      {"\xFF", 0},
      {"\xC3", 0},      // cut short
      {"\xE2\x82", 0},  // cut short
      {"\xC3(", 0},     // not a continuation
  };
  for (const Case& c : cases) EXPECT_EQ(utf8_length(c.bytes, 0), c.length) << message_text(c.bytes);
  // The position is honoured and the end of the view is respected.
  EXPECT_EQ(utf8_length("x\xC3\xA9", 1), 2u);
  EXPECT_EQ(utf8_length(std::string_view("\xC3\xA9", 1), 0), 0u);
}

TEST(MessageText, EscapesControlAndInvalidBytesKeepsUtf8) {
  EXPECT_EQ(message_text("plain 'text' 12\" ok"), "plain 'text' 12\" ok");
  EXPECT_EQ(message_text(std::string("a\0b\n\t\x7F", 6)), "a\\x00b\\x0A\\x09\\x7F");
  EXPECT_EQ(message_text("R\xC3\xA9seaux \xE2\x82\xAC"), "R\xC3\xA9seaux \xE2\x82\xAC");
  EXPECT_EQ(message_text("R\xE9seaux"), "R\\xE9seaux");
  EXPECT_EQ(message_text("\xED\xA0\x80"), "\\xED\\xA0\\x80");
}

TEST(MessageText, CutsAtACharacterBoundary) {
  EXPECT_EQ(message_text("abcdef", 4), "abcd...");
  EXPECT_EQ(message_text("abcd", 4), "abcd");
  // The euro sign starts at byte 3 of a limit of 4: it is kept whole, not split.
  EXPECT_EQ(message_text("abc\xE2\x82\xACz", 4), "abc\xE2\x82\xAC...");
}

}  // namespace
}  // namespace fc
