// RFC 4180 CSV reader producing a typed columnar Table. Quotes (with delimiters,
// newlines and doubled quotes inside), CRLF, UTF-8 BOM, delimiter sniffing among
// ',' ';' '\t'. It refuses, with a message naming the source (and the line and
// column where there is one), every input it cannot read correctly: other text
// encodings, binary files, NUL bytes, a missing header. What it reads anyway but
// the user should know (Windows-1252 text, stray quotes) goes to Table::notices.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "funnelcast/io/table.hpp"

namespace fc::csv {

// The work one read did, so tests can check it grows linearly with the input
// without timing anything. Counts are bytes; a byte read twice counts twice.
struct Stats {
  size_t input_bytes = 0;      // the input without its BOM
  size_t bytes_scanned = 0;    // every pass: format and encoding checks, delimiter sniffing,
                               // tokenizing (number attempts included), re-scans, typing of
                               // text columns, locating an error
  size_t rescanned_bytes = 0;  // the part of bytes_scanned spent re-reading earlier rows of
                               // columns that stopped being numeric
  size_t arena_bytes = 0;      // bytes copied out of the input (unescaped quoted fields)
};

struct Options {
  std::string source = "input";  // shown in error messages
  char delimiter = 0;            // 0 = sniff among ',', ';', '\t'
  // Columns whose type is forced instead of inferred (e.g. a numeric id kept as a category).
  std::vector<std::pair<std::string, ColumnType>> force_types;
  // Columns read as text (categories) when the file has them, whatever their cells look
  // like: a scoring model's categories (zip codes 02139 stay 02139).
  std::vector<std::string> text_columns;
  size_t max_rows = 0;     // 0 = no limit; otherwise stop after this many records
  Stats* stats = nullptr;  // when set, filled with the work done (also when read throws)
#ifndef __EMSCRIPTEN__
  // Natively, up to this many threads tokenize a large file in chunks of whole lines, and
  // type its text columns side by side; the table, its notices and its errors are the
  // same for any count. Only files without quotes, in UTF-8, read in full and without
  // stats take the chunks; one a chunk cannot read like the whole file is read again in
  // one pass (so an error names the first bad line, as a single pass would).
  int threads = 1;
#endif
};

// Parses a whole CSV held in memory. Throws fc::Error on input it cannot read
// correctly: empty input, a header only, a first line that is data, ragged rows,
// an unterminated quote, duplicate or empty header names, UTF-16/UTF-32 text,
// binary files, NUL bytes, a mix of UTF-8 and other encodings. Text that is not
// UTF-8 at all is read as Windows-1252 and converted, with a notice.
Table read(std::string_view bytes, const Options& options = {});

// Cell-level helpers, shared with the rest of the core so every module agrees on them.
bool is_missing_token(std::string_view cell);           // "", NA, N/A, null, NULL, NaN, nan, None
bool parse_number(std::string_view cell, double& out);  // fast_float, surrounding spaces allowed

}  // namespace fc::csv
