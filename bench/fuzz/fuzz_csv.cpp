// libFuzzer target for csv::read, built by the sanitizer build (scripts/sanitize.sh) and
// run by bench/fuzz/run.sh (target `csv`).
// Any input must parse into a consistent Table (UTF-8 names and levels, at most
// three notices) or raise fc::Error whose message names the source and is UTF-8
// without NUL or other control bytes; a NUL byte is never accepted.
#include <fast_float/fast_float.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <system_error>

#include "funnelcast/base/error.hpp"
#include "funnelcast/io/csv.hpp"
#include "funnelcast/io/table.hpp"
#include "funnelcast/time/time.hpp"

namespace {

// UTF-8 by decoding code points (independent of fc::utf8_length); `printable`
// also refuses control bytes, as messages and notices must.
void check_text(std::string_view s, bool printable) {
  size_t i = 0;
  while (i < s.size()) {
    const auto lead = static_cast<unsigned char>(s[i]);
    if (lead == 0 || (printable && (lead < 0x20 || lead == 0x7F))) std::abort();
    size_t length = 1;
    uint32_t code = lead;
    uint32_t minimum = 0;
    if (lead >= 0x80) {
      if ((lead >> 5) == 0x6) {
        length = 2, code = lead & 0x1F, minimum = 0x80;
      } else if ((lead >> 4) == 0xE) {
        length = 3, code = lead & 0x0F, minimum = 0x800;
      } else if ((lead >> 3) == 0x1E) {
        length = 4, code = lead & 0x07, minimum = 0x10000;
      } else {
        std::abort();
      }
    }
    if (i + length > s.size()) std::abort();
    for (size_t k = 1; k < length; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c >> 6) != 0x2) std::abort();
      code = (code << 6) | (c & 0x3F);
    }
    if (code < minimum || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) std::abort();
    i += length;
  }
}

void check_table(const fc::Table& t) {
  if (t.rows == 0 || t.line_of_row.size() != t.rows) std::abort();
  if (t.notices.size() > 3) std::abort();  // encoding, stray quotes, a trailing empty column
  for (const std::string& notice : t.notices) check_text(notice, true);
  for (size_t r = 1; r < t.rows; ++r) {
    if (t.line_of_row[r] <= t.line_of_row[r - 1]) std::abort();
  }
  for (const fc::Column& c : t.columns) {
    if (c.name.empty()) std::abort();
    check_text(c.name, false);
    switch (c.type) {
      case fc::ColumnType::kNumber:
        if (c.numbers.size() != t.rows) std::abort();
        for (const double v : c.numbers) {
          if (std::isinf(v)) std::abort();
        }
        break;
      case fc::ColumnType::kTimestamp:
        if (c.times.size() != t.rows) std::abort();
        break;
      case fc::ColumnType::kCategory:
        if (c.codes.size() != t.rows) std::abort();
        for (const int32_t code : c.codes) {
          if (code < fc::kMissingCode || code >= static_cast<int32_t>(c.levels.size())) {
            std::abort();
          }
        }
        for (const std::string& level : c.levels) check_text(level, false);
        break;
    }
    for (size_t r = 0; r < t.rows; ++r) (void)c.text(r);
  }
}

// parse_number has its own fast path for plain decimals; it must agree with
// fast_float to the last bit whenever it accepts a cell.
void check_number(std::string_view cell) {
  double mine = 0;
  if (!fc::csv::parse_number(cell, mine)) return;
  while (!cell.empty() && (cell.front() == ' ' || cell.front() == '\t')) cell.remove_prefix(1);
  while (!cell.empty() && (cell.back() == ' ' || cell.back() == '\t')) cell.remove_suffix(1);
  if (!cell.empty() && cell.front() == '+') cell.remove_prefix(1);
  double reference = 0;
  const auto result = fast_float::from_chars(cell.data(), cell.data() + cell.size(), reference);
  if (result.ec != std::errc() || result.ptr != cell.data() + cell.size()) std::abort();
  if (std::memcmp(&mine, &reference, sizeof mine) != 0) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte picks the options so the fuzzer explores them too.
  const uint8_t mode = data[0];
  const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  fc::csv::Options options;
  options.source = "fuzz.csv";
  static constexpr char kDelimiters[] = {0, ',', ';', '\t', '|', '.'};
  options.delimiter = kDelimiters[mode % 6];
  if (mode & 0x08) options.max_rows = 1 + (mode >> 6);
  if (mode & 0x10) options.force_types = {{"a", static_cast<fc::ColumnType>((mode >> 5) % 3)}};
  try {
    check_table(fc::csv::read(bytes, options));
    if (bytes.find('\0') != std::string_view::npos) std::abort();
  } catch (const fc::Error& e) {
    const std::string_view message = e.what();
    if (message.substr(0, 10) != "fuzz.csv: ") std::abort();
    check_text(message, true);
  }
  if (bytes.size() < 64) {
    check_number(bytes);
    int64_t seconds = 0;
    // An offset can push 9999-12-31 or 0000-01-01 out of four-digit years,
    // which the printer writes but the parser (rightly) does not read.
    const int64_t low = fc::time::days_from_civil(0, 1, 1) * 86400;
    const int64_t high = fc::time::days_from_civil(10000, 1, 1) * 86400;
    if (fc::time::parse_timestamp(bytes, seconds) && seconds >= low && seconds < high) {
      // Whatever parses must print and parse back to the same instant.
      int64_t again = 0;
      if (!fc::time::parse_timestamp(fc::time::format_timestamp(seconds), again)) std::abort();
      if (again != seconds) std::abort();
    }
  }
  return 0;
}
