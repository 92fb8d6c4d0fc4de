// Columnar in-memory table: the single shape every CSV becomes. Columns are flat
// typed vectors (no per-cell objects) so large files stay compact and fast.
#pragma once
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace fc {

enum class ColumnType { kNumber, kTimestamp, kCategory };

const char* to_string(ColumnType type);

constexpr int64_t kMissingTime = std::numeric_limits<int64_t>::min();
constexpr int32_t kMissingCode = -1;

struct Column {
  std::string name;
  ColumnType type = ColumnType::kNumber;
  std::vector<double> numbers;      // kNumber: one per row, NaN = missing
  std::vector<int64_t> times;       // kTimestamp: seconds since epoch UTC, kMissingTime = missing
  std::vector<int32_t> codes;       // kCategory: index into levels, kMissingCode = missing
  std::vector<std::string> levels;  // kCategory: distinct values in first-seen order

  bool is_missing(size_t row) const;
  // The cell as text, as it would appear in a CSV (missing -> "").
  std::string text(size_t row) const;
};

struct Table {
  std::string source = "input";      // file name, used in error messages
  size_t rows = 0;
  std::vector<Column> columns;
  std::vector<uint32_t> line_of_row;  // 1-based physical line where each record starts

  // Index of the column with this name (exact first, then case-insensitive), or -1.
  int find(std::string_view name) const;
  // The column with this name, or fc::Error naming the file and listing the columns there are.
  const Column& at(std::string_view name) const;
  uint32_t line(size_t row) const { return row < line_of_row.size() ? line_of_row[row] : 0; }
};

}  // namespace fc
