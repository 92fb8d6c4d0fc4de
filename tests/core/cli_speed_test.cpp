// The CSV reader's parts that `funnelcast score` leans on for speed give the same table on any
// number of threads: a column of ids (a different value on nearly every row, whose level table
// is sized at once) keeps its levels in first-seen order, and when several text columns fail,
// the error names the first of them, whichever thread typed it first.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

#include "funnelcast/base/error.hpp"
#include "funnelcast/io/csv.hpp"

namespace {

using fc::Column;
using fc::ColumnType;
using fc::Table;

// `rows` leads: an id that repeats an earlier one on every 7th row and is missing on every
// 1000th, a channel of four values, a timestamp, a number. The ids' text is kept in `ids`
// ("" where missing), one per row.
std::string speed_file(size_t rows, std::vector<std::string>& ids) {
  std::string out = "lead_id,channel,created_at,spend\n";
  const char* channels[] = {"email", "ads", "social", "NA"};
  uint64_t s = 99;
  ids.clear();
  for (size_t r = 0; r < rows; ++r) {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    const auto u = static_cast<uint32_t>(s >> 33);
    std::string id = "L" + std::to_string(5000000 - r);
    if (r % 7 == 6) id = ids[u % r].empty() ? "X" : ids[u % r];
    if (r % 1000 == 999) id = r % 2000 == 999 ? "" : "NA";
    ids.push_back(id == "NA" ? "" : id);
    out += id + "," + channels[u % 4] + ",2024-05-" + std::to_string(10 + u % 19) + " 1" + std::to_string(u % 10) +
           ":00:00," + std::to_string(u % 5000) + "\n";
  }
  return out;
}

Table speed_read(const std::string& bytes, int threads,
                 std::vector<std::pair<std::string, ColumnType>> force = {}) {
  fc::csv::Options o;
  o.source = "leads.csv";
  o.threads = threads;
  o.force_types = std::move(force);
  return fc::csv::read(bytes, o);
}

std::string speed_error(const std::string& bytes, int threads, std::vector<std::pair<std::string, ColumnType>> force) {
  try {
    speed_read(bytes, threads, std::move(force));
  } catch (const fc::Error& e) {
    return e.what();
  }
  return "";
}

void speed_expect_same(const Table& a, const Table& b, const std::string& what) {
  ASSERT_EQ(a.rows, b.rows) << what;
  EXPECT_EQ(a.line_of_row, b.line_of_row) << what;
  EXPECT_EQ(a.notices, b.notices) << what;
  ASSERT_EQ(a.columns.size(), b.columns.size()) << what;
  for (size_t j = 0; j < a.columns.size(); ++j) {
    const Column& x = a.columns[j];
    const Column& y = b.columns[j];
    EXPECT_EQ(x.type, y.type) << what << " " << x.name;
    EXPECT_TRUE(x.numbers.size() == y.numbers.size() &&
                (x.numbers.empty() || std::memcmp(x.numbers.data(), y.numbers.data(), x.numbers.size() * 8) == 0))
        << what << " " << x.name;
    EXPECT_EQ(x.times, y.times) << what << " " << x.name;
    EXPECT_EQ(x.codes, y.codes) << what << " " << x.name;
    EXPECT_EQ(x.levels, y.levels) << what << " " << x.name;
  }
}

TEST(CliSpeed, IdLevelsInFirstSeenOrderOnAnyThreadCount) {
  std::vector<std::string> ids;
  const size_t rows = 120000;  // over 100,000: the text columns are typed side by side
  const std::string bytes = speed_file(rows, ids);
  ASSERT_GT(bytes.size(), 2u << 20);  // and large enough to be tokenized in chunks
  const Table one = speed_read(bytes, 1);
  ASSERT_EQ(one.rows, rows);
  const Column& id = one.columns[0];
  ASSERT_EQ(id.type, ColumnType::kCategory);
  // The levels and codes worked out here, by first appearance.
  std::unordered_map<std::string, int32_t> code_of;
  std::vector<std::string> levels;
  std::vector<int32_t> codes;
  for (const std::string& text : ids) {
    if (text.empty()) {
      codes.push_back(fc::kMissingCode);
      continue;
    }
    const auto [it, added] = code_of.try_emplace(text, static_cast<int32_t>(levels.size()));
    if (added) levels.push_back(text);
    codes.push_back(it->second);
  }
  EXPECT_GT(levels.size(), rows * 8 / 10);
  EXPECT_EQ(id.levels, levels);
  EXPECT_EQ(id.codes, codes);
  EXPECT_EQ(one.columns[1].type, ColumnType::kCategory);
  EXPECT_EQ(one.columns[2].type, ColumnType::kTimestamp);
  EXPECT_EQ(one.columns[3].type, ColumnType::kNumber);
  for (int threads : {2, 3, 4}) speed_expect_same(one, speed_read(bytes, threads), std::to_string(threads) + " threads");
}

TEST(CliSpeed, FirstFailingColumnNamedOnAnyThreadCount) {
  std::vector<std::string> ids;
  const std::string bytes = speed_file(110000, ids);
  // Three columns forced to timestamps; lead_id and channel hold none, and lead_id (typed
  // slowest, a level per row) comes first.
  const std::vector<std::pair<std::string, ColumnType>> force = {{"created_at", ColumnType::kTimestamp},
                                                                  {"channel", ColumnType::kTimestamp},
                                                                  {"lead_id", ColumnType::kTimestamp}};
  const std::string error = speed_error(bytes, 1, force);
  EXPECT_NE(error.find("line 2, column 'lead_id'"), std::string::npos) << error;
  for (int threads : {2, 3, 4}) EXPECT_EQ(speed_error(bytes, threads, force), error) << threads << " threads";
}

}  // namespace
