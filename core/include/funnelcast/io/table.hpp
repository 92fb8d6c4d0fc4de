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
  std::vector<uint8_t> offset_given;  // kTimestamp: 1 where the cell wrote its offset (Z, +02:00);
                                      // empty when no cell did (times without one may be local)
  std::vector<int32_t> codes;       // kCategory: index into levels, kMissingCode = missing
  std::vector<std::string> levels;  // kCategory: distinct values in first-seen order

  bool is_missing(size_t row) const;
  // The cell as text, as it would appear in a CSV (missing -> "").
  std::string text(size_t row) const;
};

struct Table {
  std::string source = "input";  // file name, used in error messages
  size_t rows = 0;
  std::vector<Column> columns;
  std::vector<uint32_t> line_of_row;  // 1-based physical line where each record starts
  // What the reader noticed but read anyway (another text encoding, quotes inside
  // unquoted cells): one plain sentence each, "<source>: ...", naming the first place
  // and how many cells. A handful at most, never one per cell; the CLI and the page
  // show them beside the file.
  std::vector<std::string> notices;

  // Index of the column with this name (exact first, then case-insensitive), or -1.
  int find(std::string_view name) const;
  // The column with this name, or fc::Error naming the file and listing the columns there are.
  const Column& at(std::string_view name) const;
  uint32_t line(size_t row) const { return row < line_of_row.size() ? line_of_row[row] : 0; }
};

// Length of the valid UTF-8 sequence that starts text[at] (1 for ASCII), or 0 when
// the bytes there are not UTF-8: a stray continuation byte, an overlong form, a
// surrogate, a code point above U+10FFFF, or a sequence cut short.
inline size_t utf8_length(std::string_view text, size_t at) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[at + i]); };
  const size_t available = text.size() - at;
  const unsigned c = byte(0);
  if (c < 0x80) return 1;
  const auto continuation = [&](size_t i, unsigned lo, unsigned hi) {
    return byte(i) >= lo && byte(i) <= hi;
  };
  if (c >= 0xC2 && c <= 0xDF) return available >= 2 && continuation(1, 0x80, 0xBF) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    // E0 needs A0.. (else overlong); ED stops at 9F (else a UTF-16 surrogate).
    return available >= 3 && continuation(1, c == 0xE0 ? 0xA0 : 0x80, c == 0xED ? 0x9F : 0xBF) &&
                   continuation(2, 0x80, 0xBF)
               ? 3
               : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    // F0 needs 90.. (else overlong); F4 stops at 8F (else above U+10FFFF).
    return available >= 4 && continuation(1, c == 0xF0 ? 0x90 : 0x80, c == 0xF4 ? 0x8F : 0xBF) &&
                   continuation(2, 0x80, 0xBF) && continuation(3, 0x80, 0xBF)
               ? 4
               : 0;
  }
  return 0;
}

// Text from a file made safe to quote in a message, which may end up in JSON or a
// web page: valid UTF-8 passes through; control bytes (NUL, line breaks, ...) and
// bytes that are not UTF-8 become \xNN. Text longer than max_bytes is cut at a
// character boundary and marked "...".
std::string message_text(std::string_view text, size_t max_bytes = 40);

}  // namespace fc
