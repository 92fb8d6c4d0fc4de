// The native reader's chunks (fc::csv::Options::threads): a large file read on several threads
// gives the same table, notices and errors (with the same line) as one pass, including the
// files the chunks must hand back to one pass (a column that turns to text late, quotes).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "funnelcast/base/error.hpp"
#include "funnelcast/io/csv.hpp"

namespace {

using fc::Column;
using fc::Table;

// About 3.5 MB: enough for three chunks of at least 1 MB. Numbers, ids, categories,
// timestamps, missing cells in several spellings, blank lines, and `eol` line ends.
std::string chunk_file(size_t rows, const std::string& eol) {
  std::string out = "lead_id,created_at,source,spend,visits,zip" + eol;
  uint64_t s = 12345;
  auto next = [&] {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<uint32_t>(s >> 33);
  };
  const char* sources[] = {"google_ads", "linkedin", "email", "NA", "", "organic"};
  for (size_t r = 0; r < rows; ++r) {
    if (r % 9973 == 5) out += eol;  // a blank line now and then
    out += "L" + std::to_string(1000000 + r) + ",";
    out += r % 777 == 3 ? "" : "2024-0" + std::to_string(1 + next() % 9) + "-1" + std::to_string(next() % 10) +
                                   " 0" + std::to_string(next() % 10) + ":15:00";
    out += std::string(",") + sources[next() % 6] + ",";
    const uint32_t u = next();
    out += u % 50 == 0 ? "n/a" : std::to_string(u % 100000) + "." + std::to_string(u % 97);
    out += "," + std::to_string(u % 13) + ",0" + std::to_string(2000 + u % 50) + eol;
  }
  return out;
}

bool chunks_same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

void chunks_expect_same_table(const Table& a, const Table& b, const std::string& what) {
  ASSERT_EQ(a.rows, b.rows) << what;
  EXPECT_EQ(a.line_of_row, b.line_of_row) << what;
  EXPECT_EQ(a.notices, b.notices) << what;
  ASSERT_EQ(a.columns.size(), b.columns.size()) << what;
  for (size_t j = 0; j < a.columns.size(); ++j) {
    const Column& x = a.columns[j];
    const Column& y = b.columns[j];
    EXPECT_EQ(x.name, y.name) << what;
    EXPECT_EQ(x.type, y.type) << what << " " << x.name;
    EXPECT_TRUE(chunks_same_bits(x.numbers, y.numbers)) << what << " " << x.name;
    EXPECT_EQ(x.times, y.times) << what << " " << x.name;
    EXPECT_EQ(x.offset_given, y.offset_given) << what << " " << x.name;
    EXPECT_EQ(x.codes, y.codes) << what << " " << x.name;
    EXPECT_EQ(x.levels, y.levels) << what << " " << x.name;
  }
}

Table chunks_read_on(const std::string& bytes, int threads, std::vector<std::string> text = {}) {
  fc::csv::Options o;
  o.source = "leads.csv";
  o.threads = threads;
  o.text_columns = std::move(text);
  return fc::csv::read(bytes, o);
}

// The message of the error reading `bytes` on `threads` threads ("" when it reads).
std::string chunks_error_on(const std::string& bytes, int threads, std::vector<std::string> text = {}) {
  try {
    chunks_read_on(bytes, threads, std::move(text));
  } catch (const fc::Error& e) {
    return e.what();
  }
  return "";
}

TEST(CsvChunks, SameTableForAnyThreadCount) {
  for (const std::string eol : {"\n", "\r\n"}) {
    const std::string bytes = chunk_file(70000, eol);
    ASSERT_GT(bytes.size(), 3u << 20);
    const Table one = chunks_read_on(bytes, 1);
    ASSERT_EQ(one.rows, 70000u);
    EXPECT_EQ(one.columns[0].type, fc::ColumnType::kCategory);
    EXPECT_EQ(one.columns[1].type, fc::ColumnType::kTimestamp);
    EXPECT_EQ(one.columns[3].type, fc::ColumnType::kNumber);
    for (int threads : {2, 3, 4, 7}) chunks_expect_same_table(one, chunks_read_on(bytes, threads), std::to_string(threads) + " threads");
    // zip as the model's text: forced to a category (02000 stays 02000).
    const Table zip = chunks_read_on(bytes, 1, {"zip"});
    EXPECT_EQ(zip.columns[5].type, fc::ColumnType::kCategory);
    chunks_expect_same_table(zip, chunks_read_on(bytes, 3, {"zip"}), "zip as text");
  }
}

TEST(CsvChunks, ColumnsThatTurnToTextLateAndQuotesReadAsOnePass) {
  std::string bytes = chunk_file(60000, "\n");
  // A number column with a word in its last chunk: text for the whole file.
  const size_t at = bytes.rfind(",0", bytes.size() - 100);
  const size_t line_start = bytes.rfind('\n', at) + 1;
  std::string late = bytes;
  late.replace(at + 1, late.find('\n', at) - at - 1, "unknown");
  const Table one = chunks_read_on(late, 1);
  EXPECT_EQ(one.columns[5].type, fc::ColumnType::kCategory);
  chunks_expect_same_table(one, chunks_read_on(late, 3), "late text");
  // A quoted cell with a line break inside, in the middle of the file.
  std::string quoted = bytes;
  const size_t mid = quoted.find("\nL", quoted.size() / 2) + 1;
  const size_t comma = quoted.find(',', quoted.find(',', mid) + 1);
  quoted.insert(comma + 1, "\"two\nlines\",");
  quoted.erase(quoted.find(',', comma + 14), quoted.find(',', quoted.find(',', comma + 14) + 1) - quoted.find(',', comma + 14));
  const std::string quoted_error = chunks_error_on(quoted, 1);
  EXPECT_EQ(quoted_error, chunks_error_on(quoted, 3));
  if (quoted_error.empty()) chunks_expect_same_table(chunks_read_on(quoted, 1), chunks_read_on(quoted, 3), "quoted");
  (void)line_start;
}

TEST(CsvChunks, ErrorsNameTheSameFirstLineAsOnePass) {
  const std::string bytes = chunk_file(60000, "\n");
  // Line numbers: the header is line 1, and each blank line counts.
  const Table one = chunks_read_on(bytes, 1);
  auto line_start = [&](size_t row) {
    size_t pos = 0;
    for (uint32_t l = 1; l < one.line_of_row[row]; ++l) pos = bytes.find('\n', pos) + 1;
    return pos;
  };
  // A ragged row in the last chunk, and another one earlier in the middle chunk.
  const size_t late_row = 55000, early_row = 30000;
  std::string ragged = bytes;
  ragged.insert(ragged.find('\n', line_start(late_row)), ",extra");
  const std::string late_error = chunks_error_on(ragged, 1);
  EXPECT_NE(late_error.find("line " + std::to_string(one.line_of_row[late_row])), std::string::npos) << late_error;
  EXPECT_EQ(late_error, chunks_error_on(ragged, 3));
  ragged.insert(ragged.find('\n', line_start(early_row)), ",extra");
  const std::string early_error = chunks_error_on(ragged, 1);
  EXPECT_NE(early_error.find("line " + std::to_string(one.line_of_row[early_row])), std::string::npos) << early_error;
  for (int threads : {2, 3, 4}) EXPECT_EQ(early_error, chunks_error_on(ragged, threads)) << threads;

  // A forced timestamp column with a bad cell in the middle chunk (the CLI forces types
  // through the model; fc::csv::Options::force_types here).
  std::string bad_time = bytes;
  const size_t cell = bad_time.find(',', line_start(40000)) + 1;
  bad_time.replace(cell, bad_time.find(',', cell) - cell, "soon");
  auto forced_error = [&](int threads) {
    fc::csv::Options o;
    o.source = "leads.csv";
    o.threads = threads;
    o.force_types = {{"created_at", fc::ColumnType::kTimestamp}, {"spend", fc::ColumnType::kNumber}};
    try {
      fc::csv::read(bad_time, o);
    } catch (const fc::Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  const std::string time_error = forced_error(1);
  EXPECT_NE(time_error.find("line " + std::to_string(one.line_of_row[40000])), std::string::npos) << time_error;
  EXPECT_NE(time_error.find("soon"), std::string::npos) << time_error;
  EXPECT_EQ(time_error, forced_error(4));
}

TEST(CsvChunks, ManyLevelsKeepTheirFirstSeenOrder) {
  // Enough distinct values to grow the levels' table several times, with repeats, padding
  // and missing cells in between.
  std::string bytes = "id,n\n";
  std::vector<std::string> expected;
  std::vector<std::string> cells;
  for (int r = 0; r < 20000; ++r) {
    const int v = (r * 7919) % 6007;
    std::string cell = r % 11 == 0 ? "NA" : "lead-" + std::to_string(v);
    if (r % 13 == 0 && cell != "NA") cell = " " + cell + " ";
    cells.push_back(cell);
    bytes += cell + "," + std::to_string(r) + "\n";
  }
  const Table t = chunks_read_on(bytes, 1);
  ASSERT_EQ(t.columns[0].type, fc::ColumnType::kCategory);
  std::vector<std::string> first_seen;
  for (const std::string& c : cells) {
    if (c == "NA") continue;
    const std::string v = c[0] == ' ' ? c.substr(1, c.size() - 2) : c;
    if (std::find(first_seen.begin(), first_seen.end(), v) == first_seen.end()) first_seen.push_back(v);
  }
  EXPECT_EQ(t.columns[0].levels, first_seen);
  for (size_t r = 0; r < cells.size(); ++r) {
    if (cells[r] == "NA") {
      EXPECT_TRUE(t.columns[0].is_missing(r)) << r;
    } else {
      ASSERT_EQ(t.columns[0].text(r), cells[r][0] == ' ' ? cells[r].substr(1, cells[r].size() - 2) : cells[r]) << r;
    }
  }
}

}  // namespace
