// RFC 4180 CSV reader producing a typed columnar Table. Quotes (with delimiters,
// newlines and doubled quotes inside), CRLF, UTF-8 BOM, delimiter sniffing among
// ',' ';' '\t'. Every error names the source, the line and the column.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "funnelcast/io/table.hpp"

namespace fc::csv {

struct Options {
  std::string source = "input";  // shown in error messages
  char delimiter = 0;            // 0 = sniff among ',', ';', '\t'
  // Columns whose type is forced instead of inferred (e.g. a numeric id kept as a category).
  std::vector<std::pair<std::string, ColumnType>> force_types;
  size_t max_rows = 0;           // 0 = no limit; otherwise stop after this many records
};

// Parses a whole CSV held in memory. Throws fc::Error on malformed input:
// empty input, a header only, ragged rows, an unterminated quote, duplicate or
// empty header names.
Table read(std::string_view bytes, const Options& options = {});

// Cell-level helpers, shared with the rest of the core so every module agrees on them.
bool is_missing_token(std::string_view cell);  // "", NA, N/A, null, NULL, NaN, nan, None
bool parse_number(std::string_view cell, double& out);  // fast_float, surrounding spaces allowed

}  // namespace fc::csv
