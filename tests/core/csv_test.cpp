#include "funnelcast/io/csv.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>

#include "funnelcast/base/error.hpp"
#include "funnelcast/io/table.hpp"

namespace fc::csv {
namespace {

// 2024-01-01 is 19723 days after 1970-01-01: 54 years of 365 days plus the 13 leap
// days of 1972, 1976, ..., 2020.
constexpr int64_t kDay = 86400;
constexpr int64_t k2024Jan1 = 19723 * kDay;
// 2024-03-10 is day 19723 + 31 + 29 + 9 = 19792.
constexpr int64_t kMar10 = (19723 + 31 + 29 + 9) * kDay;

Table parse(const std::string& text, const std::string& source = "test.csv") {
  Options options;
  options.source = source;
  return read(text, options);
}

// The message of the fc::Error that reading `text` throws, or "" when it parses.
std::string error_of(const std::string& text, Options options = {}) {
  if (options.source == "input") options.source = "hourly.csv";
  try {
    read(text, options);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::string level(const Column& column, size_t row) {
  return column.levels.at(static_cast<size_t>(column.codes.at(row)));
}

TEST(CsvRead, PlainNumbers) {
  const Table t = parse("a,b\n1,2\n3,4.5\n");
  ASSERT_EQ(t.rows, 2u);
  ASSERT_EQ(t.columns.size(), 2u);
  EXPECT_EQ(t.source, "test.csv");
  EXPECT_EQ(t.columns[0].name, "a");
  EXPECT_EQ(t.columns[1].name, "b");
  EXPECT_EQ(t.columns[0].type, ColumnType::kNumber);
  EXPECT_EQ(t.columns[1].type, ColumnType::kNumber);
  EXPECT_EQ(t.columns[0].numbers, (std::vector<double>{1, 3}));
  EXPECT_EQ(t.columns[1].numbers, (std::vector<double>{2, 4.5}));
  EXPECT_EQ(t.line_of_row, (std::vector<uint32_t>{2, 3}));
}

TEST(CsvRead, NoTrailingNewline) {
  const Table t = parse("a,b\n1,2");
  ASSERT_EQ(t.rows, 1u);
  EXPECT_EQ(t.columns[1].numbers[0], 2);
}

TEST(CsvRead, QuotedFieldsHoldDelimitersNewlinesAndDoubledQuotes) {
  const Table t = parse(
      "name,note,n\n"
      "\"Smith, J\",\"line1\nline2\",1\n"
      "\"say \"\"hi\"\"\",\"\",2\n");
  ASSERT_EQ(t.rows, 2u);
  const Column& name = t.columns[0];
  const Column& note = t.columns[1];
  ASSERT_EQ(name.type, ColumnType::kCategory);
  EXPECT_EQ(level(name, 0), "Smith, J");
  EXPECT_EQ(level(name, 1), "say \"hi\"");
  ASSERT_EQ(note.type, ColumnType::kCategory);
  EXPECT_EQ(level(note, 0), "line1\nline2");
  EXPECT_TRUE(note.is_missing(1));  // "" is an empty cell, hence missing
  EXPECT_EQ(t.columns[2].numbers, (std::vector<double>{1, 2}));
  // The second record starts on line 4: the first one spans lines 2 and 3.
  EXPECT_EQ(t.line_of_row, (std::vector<uint32_t>{2, 4}));
}

TEST(CsvRead, QuotedHeaderAndQuotedNumbers) {
  const Table t = parse("\"a \"\"x\"\"\",\"b,c\"\n\"1\",\"2.5\"\n");
  EXPECT_EQ(t.columns[0].name, "a \"x\"");
  EXPECT_EQ(t.columns[1].name, "b,c");
  EXPECT_EQ(t.columns[0].type, ColumnType::kNumber);
  EXPECT_EQ(t.columns[1].numbers[0], 2.5);
}

TEST(CsvRead, SpaceBeforeOpeningQuoteAndAfterClosingQuote) {
  const Table t = parse("a,b,c\n1, \"x, y\" ,3\n");
  ASSERT_EQ(t.rows, 1u);
  EXPECT_EQ(level(t.columns[1], 0), "x, y");
  EXPECT_EQ(t.columns[2].numbers[0], 3);
}

TEST(CsvRead, QuoteInsideUnquotedFieldIsLiteral) {
  const Table t = parse("size,n\n5\" screen,1\n");
  EXPECT_EQ(level(t.columns[0], 0), "5\" screen");
}

TEST(CsvRead, CrLfLineEndings) {
  const Table t = parse("a,b\r\n1,x\r\n2,\"p\r\nq\"\r\n3,z\r\n");
  ASSERT_EQ(t.rows, 3u);
  EXPECT_EQ(t.columns[0].numbers, (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(level(t.columns[1], 0), "x");
  EXPECT_EQ(level(t.columns[1], 1), "p\r\nq");
  EXPECT_EQ(level(t.columns[1], 2), "z");
  EXPECT_EQ(t.line_of_row, (std::vector<uint32_t>{2, 3, 5}));
}

TEST(CsvRead, LoneCarriageReturnAtEndOfFile) {
  const Table t = parse("a,b\n1,2\r");
  ASSERT_EQ(t.rows, 1u);
  EXPECT_EQ(t.columns[1].type, ColumnType::kNumber);
  EXPECT_EQ(t.columns[1].numbers[0], 2);
}

TEST(CsvRead, LoneCarriageReturnsSeparateRecords) {
  // Old Mac spreadsheet exports end lines with a bare CR.
  const Table t = parse("a,b\r1,2\r3,4\r");
  ASSERT_EQ(t.rows, 2u);
  EXPECT_EQ(t.columns[0].numbers, (std::vector<double>{1, 3}));
  EXPECT_EQ(t.line_of_row, (std::vector<uint32_t>{2, 3}));
}

TEST(CsvRead, Utf8BomIsStripped) {
  const Table t = parse(
      "\xEF\xBB\xBF"
      "date,leads\n2024-01-01,5\n");
  EXPECT_EQ(t.columns[0].name, "date");
  EXPECT_EQ(t.columns[0].type, ColumnType::kTimestamp);
  EXPECT_EQ(t.columns[0].times[0], k2024Jan1);
  EXPECT_EQ(t.line_of_row[0], 2u);
}

TEST(CsvRead, SniffsComma) {
  const Table t = parse("a,b,c\n1,2,3\n");
  EXPECT_EQ(t.columns.size(), 3u);
}

TEST(CsvRead, SniffsSemicolon) {
  // Decimal commas stay text: the reader does not guess locales.
  const Table t = parse("day;amount;note\n1;1,5;x\n2;2,25;y\n");
  ASSERT_EQ(t.columns.size(), 3u);
  EXPECT_EQ(t.columns[0].numbers, (std::vector<double>{1, 2}));
  EXPECT_EQ(t.columns[1].type, ColumnType::kCategory);
  EXPECT_EQ(level(t.columns[1], 1), "2,25");
}

TEST(CsvRead, SniffsTab) {
  const Table t = parse("a\tb\n1\t2\n3\t4\n");
  ASSERT_EQ(t.columns.size(), 2u);
  EXPECT_EQ(t.columns[1].numbers, (std::vector<double>{2, 4}));
}

TEST(CsvRead, SniffIgnoresDelimitersInsideQuotes) {
  // Counting raw commas would give 1, 4 and 4 commas: inconsistent. Only ';'
  // splits every record into 2 fields.
  const Table t = parse("name;n\n\"a,b,c,d,e\";1\n\"f,g,h,i,j\";2\n");
  ASSERT_EQ(t.columns.size(), 2u);
  EXPECT_EQ(level(t.columns[0], 0), "a,b,c,d,e");
}

TEST(CsvRead, SingleColumnDefaultsToComma) {
  const Table t = parse("leads\n1\n2\n");
  ASSERT_EQ(t.columns.size(), 1u);
  EXPECT_EQ(t.columns[0].numbers, (std::vector<double>{1, 2}));
}

TEST(CsvRead, ExplicitDelimiter) {
  Options options;
  options.delimiter = '|';
  const Table t = read("a|b\n1|2\n", options);
  ASSERT_EQ(t.columns.size(), 2u);
  EXPECT_EQ(t.columns[1].numbers[0], 2);
}

TEST(CsvRead, InfersEachType) {
  const Table t = parse(
      "when,channel,leads\n"
      "2024-01-01 00:00,email,3\n"
      "2024-01-01 01:00,search,4\n"
      "2024-01-01 02:00,email,5\n");
  EXPECT_EQ(t.columns[0].type, ColumnType::kTimestamp);
  EXPECT_EQ(t.columns[1].type, ColumnType::kCategory);
  EXPECT_EQ(t.columns[2].type, ColumnType::kNumber);
  EXPECT_EQ(t.columns[0].times,
            (std::vector<int64_t>{k2024Jan1, k2024Jan1 + 3600, k2024Jan1 + 7200}));
  // Levels in first-seen order.
  EXPECT_EQ(t.columns[1].levels, (std::vector<std::string>{"email", "search"}));
  EXPECT_EQ(t.columns[1].codes, (std::vector<int32_t>{0, 1, 0}));
  EXPECT_TRUE(t.columns[0].numbers.empty());
  EXPECT_TRUE(t.columns[1].numbers.empty());
}

TEST(CsvRead, MixOfNumbersAndTimestampsIsCategory) {
  const Table t = parse("x\n2024-01-01\n5\n");
  EXPECT_EQ(t.columns[0].type, ColumnType::kCategory);
  EXPECT_EQ(t.columns[0].levels, (std::vector<std::string>{"2024-01-01", "5"}));
}

TEST(CsvRead, OneBadCellMakesACategory) {
  const Table t = parse("x,y\n1,2024-01-01\n2,2024-02-30\nabc,2024-01-03\n");
  EXPECT_EQ(t.columns[0].type, ColumnType::kCategory);
  // 2024-02-30 does not exist, so the column is not a timestamp column.
  EXPECT_EQ(t.columns[1].type, ColumnType::kCategory);
  EXPECT_EQ(level(t.columns[1], 1), "2024-02-30");
}

TEST(CsvRead, MissingTokens) {
  const Table t = parse(
      "n,c,t\n"
      "1,a,2024-01-01\n"
      ",NA,N/A\n"
      "null,NULL,NaN\n"
      "nan,None,none\n"
      "na, n/a , \n");
  ASSERT_EQ(t.rows, 5u);
  const Column& n = t.columns[0];
  ASSERT_EQ(n.type, ColumnType::kNumber);
  EXPECT_EQ(n.numbers[0], 1);
  for (size_t r = 1; r < 5; ++r) EXPECT_TRUE(std::isnan(n.numbers[r])) << r;
  const Column& c = t.columns[1];
  ASSERT_EQ(c.type, ColumnType::kCategory);
  EXPECT_EQ(c.levels, (std::vector<std::string>{"a"}));
  EXPECT_EQ(c.codes,
            (std::vector<int32_t>{0, kMissingCode, kMissingCode, kMissingCode, kMissingCode}));
  const Column& tc = t.columns[2];
  ASSERT_EQ(tc.type, ColumnType::kTimestamp);
  EXPECT_EQ(tc.times[0], k2024Jan1);
  for (size_t r = 1; r < 5; ++r) EXPECT_EQ(tc.times[r], kMissingTime) << r;
}

TEST(CsvRead, AllMissingColumnIsNumbersOfNaN) {
  const Table t = parse("a,b\n1,\n2,NA\n");
  ASSERT_EQ(t.columns[1].type, ColumnType::kNumber);
  ASSERT_EQ(t.columns[1].numbers.size(), 2u);
  EXPECT_TRUE(std::isnan(t.columns[1].numbers[0]));
  EXPECT_TRUE(std::isnan(t.columns[1].numbers[1]));
}

TEST(CsvRead, NumberSpellings) {
  const Table t = parse("x\n 7 \n+2.5\n-3e2\n.5\n1E-3\n");
  ASSERT_EQ(t.columns[0].type, ColumnType::kNumber);
  EXPECT_EQ(t.columns[0].numbers, (std::vector<double>{7, 2.5, -300, 0.5, 0.001}));
}

TEST(CsvRead, NumericColumnThatTurnsToTextLate) {
  // Column x reads as numbers for two rows, then meets text: the earlier rows,
  // including one after a blank line and one with doubled quotes, must come back
  // as their original text.
  const Table t = parse(
      "x,y\n"
      "1,a\n"
      "\n"
      "\"2\",b\n"
      "\"q\"\"\",c\n"
      "2,d\n");
  ASSERT_EQ(t.rows, 4u);
  const Column& x = t.columns[0];
  ASSERT_EQ(x.type, ColumnType::kCategory);
  EXPECT_EQ(x.levels, (std::vector<std::string>{"1", "2", "q\""}));
  EXPECT_EQ(x.codes, (std::vector<int32_t>{0, 1, 2, 1}));
  EXPECT_TRUE(x.numbers.empty());
  EXPECT_EQ(t.columns[1].levels, (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(t.line_of_row, (std::vector<uint32_t>{2, 4, 5, 6}));
}

TEST(CsvRead, NumericColumnThatTurnsToTimestampsLate) {
  const Table t = parse("when,n\n2024-01-01,1\n,2\n2024-01-02 00:00,3\n");
  ASSERT_EQ(t.columns[0].type, ColumnType::kTimestamp);
  EXPECT_EQ(t.columns[0].times, (std::vector<int64_t>{k2024Jan1, kMissingTime, k2024Jan1 + kDay}));
}

TEST(CsvRead, LongAndExponentNumbers) {
  const Table t = parse("x\n12345678901234567890123\n0.1234567890123456789\n2.5e-3\n-1E2\n");
  ASSERT_EQ(t.columns[0].type, ColumnType::kNumber);
  EXPECT_EQ(t.columns[0].numbers[0], 12345678901234567890123.0);
  EXPECT_EQ(t.columns[0].numbers[1], 0.1234567890123456789);
  EXPECT_EQ(t.columns[0].numbers[2], 0.0025);
  EXPECT_EQ(t.columns[0].numbers[3], -100);
}

TEST(CsvRead, DigitsFollowedByTextMakeACategory) {
  const Table t = parse("x,y\n1,2\n12abc,3\n");
  EXPECT_EQ(t.columns[0].type, ColumnType::kCategory);
  EXPECT_EQ(t.columns[0].levels, (std::vector<std::string>{"1", "12abc"}));
}

TEST(CsvRead, DelimiterThatCouldBePartOfANumber) {
  Options options;
  options.delimiter = '.';
  const Table t = read("a.b\n1.25\n", options);
  ASSERT_EQ(t.columns.size(), 2u);
  EXPECT_EQ(t.columns[0].numbers[0], 1);
  EXPECT_EQ(t.columns[1].numbers[0], 25);
}

TEST(CsvRead, ThousandsSeparatorsAndInfinityAreNotNumbers) {
  EXPECT_EQ(parse("x\n\"1,000\"\n2\n").columns[0].type, ColumnType::kCategory);
  EXPECT_EQ(parse("x\ninf\n2\n").columns[0].type, ColumnType::kCategory);
  EXPECT_EQ(parse("x\n$5\n2\n").columns[0].type, ColumnType::kCategory);
}

TEST(CsvRead, CategoryValuesAreTrimmed) {
  const Table t = parse("a,b\n x ,1\nx,2\n");
  EXPECT_EQ(t.columns[0].levels, (std::vector<std::string>{"x"}));
  EXPECT_EQ(t.columns[0].codes, (std::vector<int32_t>{0, 0}));
}

TEST(CsvRead, HeaderNamesAreTrimmed) {
  const Table t = parse(" a , b\n1,2\n");
  EXPECT_EQ(t.columns[0].name, "a");
  EXPECT_EQ(t.columns[1].name, "b");
}

TEST(CsvRead, BlankLinesAreSkippedAndDelimiterOnlyLinesAreMissingRows) {
  const Table t = parse("\n\na,b\n1,2\n\n   \n,\n3,4\n\n\n");
  ASSERT_EQ(t.rows, 3u);
  EXPECT_EQ(t.line_of_row, (std::vector<uint32_t>{4, 7, 8}));
  EXPECT_EQ(t.columns[0].numbers[0], 1);
  EXPECT_TRUE(std::isnan(t.columns[0].numbers[1]));
  EXPECT_TRUE(std::isnan(t.columns[1].numbers[1]));
  EXPECT_EQ(t.columns[1].numbers[2], 4);
}

TEST(CsvRead, TrailingDelimiterGivesAnEmptyLastField) {
  const Table t = parse("a,b\n1,");
  ASSERT_EQ(t.rows, 1u);
  EXPECT_TRUE(std::isnan(t.columns[1].numbers[0]));
}

TEST(CsvRead, MaxRowsStopsEarly) {
  Options options;
  options.max_rows = 2;
  // The ragged fourth line is never reached.
  const Table t = read("a,b\n1,2\n3,4\n5,6,7\n", options);
  EXPECT_EQ(t.rows, 2u);
  EXPECT_EQ(t.columns[0].numbers, (std::vector<double>{1, 3}));
}

TEST(CsvRead, ForceTypes) {
  Options options;
  options.force_types = {{"id", ColumnType::kCategory}, {"WHEN", ColumnType::kCategory}};
  const Table t = read("id,when,n\n007,2024-01-01,1\n12,2024-01-02,2\n007,2024-01-03,3\n", options);
  const Column& id = t.columns[0];
  ASSERT_EQ(id.type, ColumnType::kCategory);
  EXPECT_EQ(id.levels, (std::vector<std::string>{"007", "12"}));
  EXPECT_EQ(id.codes, (std::vector<int32_t>{0, 1, 0}));
  EXPECT_EQ(t.columns[1].type, ColumnType::kCategory);
  EXPECT_EQ(t.columns[2].type, ColumnType::kNumber);
}

TEST(CsvRead, ForcedNumberRejectsText) {
  Options options;
  options.force_types = {{"leads", ColumnType::kNumber}};
  EXPECT_EQ(error_of("day,leads\n1,3\n2,n/a\n3,lots\n", options),
            "hourly.csv: line 4, column 'leads': expected a number, found 'lots'");
}

TEST(CsvRead, ForcedTimestampRejectsText) {
  Options options;
  options.force_types = {{"day", ColumnType::kTimestamp}};
  EXPECT_EQ(error_of("day,leads\n2024-01-01,3\n2024-02-30,4\n", options),
            "hourly.csv: line 3, column 'day': expected a timestamp like 2024-03-10 14:00:00, "
            "found '2024-02-30'");
}

TEST(CsvRead, ForcedTimestampOnNumbersWorksWhenTheyParse) {
  Options options;
  options.force_types = {{"day", ColumnType::kTimestamp}};
  const Table t = read("day\n2024-01-01\n", options);
  EXPECT_EQ(t.columns[0].type, ColumnType::kTimestamp);
}

TEST(CsvRead, ForcedUnknownColumnIsAnError) {
  Options options;
  options.force_types = {{"nope", ColumnType::kNumber}};
  EXPECT_EQ(error_of("a,b\n1,2\n", options), "hourly.csv: no column 'nope' (columns: a, b)");
}

TEST(CsvErrors, EmptyFile) {
  EXPECT_EQ(error_of(""), "hourly.csv: empty file");
  EXPECT_EQ(error_of("\xEF\xBB\xBF"), "hourly.csv: empty file");
  EXPECT_EQ(error_of("\n\r\n  \n"), "hourly.csv: empty file");
}

TEST(CsvErrors, HeaderOnly) {
  EXPECT_EQ(error_of("a,b,c\n"), "hourly.csv: only a header, no data rows");
  EXPECT_EQ(error_of("a,b,c"), "hourly.csv: only a header, no data rows");
  EXPECT_EQ(error_of("a,b,c\n\n\n"), "hourly.csv: only a header, no data rows");
}

TEST(CsvErrors, RaggedRowNamesItsLine) {
  const std::string text =
      "timestamp,leads,spend,revenue\n"     // line 1
      "2024-01-01 00:00,1,2,3\n"            // 2
      "2024-01-01 01:00,1,\"2\",3\n"        // 3
      "\n"                                  // 4
      "2024-01-01 02:00,1,2,\"a\nb\nc\"\n"  // 5-7
      "2024-01-01 03:00,1,2,3,4\n";         // 8
  EXPECT_EQ(error_of(text),
            "hourly.csv: line 8 has 5 values but the header has 4 columns (timestamp, leads, "
            "spend, revenue); put values that contain a comma in quotes");
  EXPECT_EQ(error_of("a,b\n1,2\n3\n"),
            "hourly.csv: line 3 has 1 value but the header has 2 columns (a, b)");
  EXPECT_EQ(error_of("a;b\n1;2\n3;4;5\n"),
            "hourly.csv: line 3 has 3 values but the header has 2 columns (a, b); put values "
            "that contain a semicolon in quotes");
}

TEST(CsvErrors, RaggedRowAfterCrLfQuotedNewlines) {
  EXPECT_EQ(error_of("a,b\r\n\"x\r\ny\",1\r\n2,3,4\r\n"),
            "hourly.csv: line 4 has 3 values but the header has 2 columns (a, b); put values "
            "that contain a comma in quotes");
}

TEST(CsvErrors, UnterminatedQuote) {
  EXPECT_EQ(error_of("day,leads\n1,2\n3,\"4\n5,6\n"),
            "hourly.csv: line 3, column 'leads': a quote opens this cell but is never closed");
  EXPECT_EQ(error_of("a,\"b\n1,2\n"),
            "hourly.csv: line 1, column 2: a quote opens this cell but is never closed");
  EXPECT_EQ(error_of("a,b\n1,2,\"x"),
            "hourly.csv: line 2, column 3: a quote opens this cell but is never closed");
}

TEST(CsvErrors, TextAfterClosingQuote) {
  EXPECT_EQ(error_of("a,note\n1,\"x\n\"y\n"),
            "hourly.csv: line 3, column 'note': unexpected 'y' after the closing quote (write a "
            "quote inside a quoted cell as \"\")");
}

TEST(CsvErrors, UnprintableByteAfterClosingQuote) {
  EXPECT_EQ(error_of(std::string("a,b\n1,\"x\"\x01\n", 11)),
            "hourly.csv: line 2, column 'b': unexpected byte 0x01 after the closing quote (write a "
            "quote inside a quoted cell as \"\")");
}

TEST(CsvErrors, DuplicateHeader) {
  EXPECT_EQ(
      error_of("leads,spend,leads\n1,2,3\n"),
      "hourly.csv: line 1: column name 'leads' appears twice in the header (columns 1 and 3)");
}

TEST(CsvErrors, EmptyHeaderName) {
  EXPECT_EQ(error_of("a,,c\n1,2,3\n"),
            "hourly.csv: line 1: column 2 has an empty name in the header");
  // An unnamed last column is left out when empty (csv_trailing_test.cpp), refused when not.
  EXPECT_EQ(error_of("a,b,\n1,2,3\n"),
            "hourly.csv: line 2: the last column has no name in the header but holds '3'");
}

TEST(CsvErrors, BadExplicitDelimiter) {
  Options options;
  options.delimiter = '"';
  EXPECT_EQ(error_of("a\n1\n", options),
            "hourly.csv: a quote or a line break cannot be the delimiter");
}

TEST(CsvRead, LargeGeneratedFile) {
  // Row i holds i * 0.25 and i % 7; sums by formula: 0.25 * n(n-1)/2 and
  // (n / 7) * (0+1+...+6) + (0+1+...+(n % 7 - 1)).
  constexpr size_t kRows = 100000;
  std::string text = "time,value,bucket,channel\n";
  for (size_t i = 0; i < kRows; ++i) {
    text += "2024-01-01 00:00:00,";
    text += std::to_string(i / 4);
    text += (i % 4 == 0 ? "" : i % 4 == 1 ? ".25" : i % 4 == 2 ? ".5" : ".75");
    text += ',';
    text += std::to_string(i % 7);
    text += i % 2 ? ",email\n" : ",search\n";
  }
  const Table t = parse(text);
  ASSERT_EQ(t.rows, kRows);
  ASSERT_EQ(t.columns[1].type, ColumnType::kNumber);
  double sum = 0;
  for (const double v : t.columns[1].numbers) sum += v;
  EXPECT_DOUBLE_EQ(sum, 0.25 * (kRows * (kRows - 1) / 2.0));
  double bucket_sum = 0;
  for (const double v : t.columns[2].numbers) bucket_sum += v;
  // 100000 = 14285 * 7 + 5: 14285 full cycles of 21, then 0+1+2+3+4 = 10.
  EXPECT_EQ(bucket_sum, 14285.0 * 21 + 10);
  EXPECT_EQ(t.columns[3].levels, (std::vector<std::string>{"search", "email"}));
  EXPECT_EQ(t.line_of_row.back(), kRows + 1);
}

TEST(ParseNumber, Accepts) {
  double v = 0;
  EXPECT_TRUE(parse_number("42", v));
  EXPECT_EQ(v, 42);
  EXPECT_TRUE(parse_number("  -1.5  ", v));
  EXPECT_EQ(v, -1.5);
  EXPECT_TRUE(parse_number("+3", v));
  EXPECT_EQ(v, 3);
  EXPECT_TRUE(parse_number("\t2e3", v));
  EXPECT_EQ(v, 2000);
}

TEST(ParseNumber, Rejects) {
  double v = 7;
  for (const char* text : {"", " ", "+", "-", "+-1", "++1", "1,000", "1 000", "12abc", "abc", "nan",
                           "inf", "-infinity", "1e999", "0x10", "1.2.3"}) {
    EXPECT_FALSE(parse_number(text, v)) << text;
  }
  EXPECT_EQ(v, 7);  // untouched on failure
}

TEST(MissingToken, Recognizes) {
  for (const char* text : {"", "  ", "NA", "na", "N/A", "n/a", "null", "NULL", "Null", "NaN", "nan",
                           "None", "none", " NA "}) {
    EXPECT_TRUE(is_missing_token(text)) << text;
  }
  for (const char* text : {"0", "no", "nil", "N", "nulls", "-", "n.a."}) {
    EXPECT_FALSE(is_missing_token(text)) << text;
  }
}

TEST(CsvRead, TimestampColumnWithOffsets) {
  const Table t = parse("ts,n\n2024-03-10T05:30:00+02:00,1\n2024-03-10T03:30:00Z,2\n");
  ASSERT_EQ(t.columns[0].type, ColumnType::kTimestamp);
  EXPECT_EQ(t.columns[0].times[0], kMar10 + 3 * 3600 + 30 * 60);
  EXPECT_EQ(t.columns[0].times[1], kMar10 + 3 * 3600 + 30 * 60);
}

}  // namespace
}  // namespace fc::csv
