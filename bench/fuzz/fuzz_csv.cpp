// libFuzzer target for csv::read. Not part of the CMake build (it needs clang's
// -fsanitize=fuzzer); build and run it by hand:
//   clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -Icore/include \
//     bench/fuzz/fuzz_csv.cpp core/src/csv.cpp core/src/table.cpp -o /tmp/fuzz_csv
//   /tmp/fuzz_csv -max_total_time=60 -max_len=4096
// Any input must parse into a consistent Table or raise fc::Error.
#include <fast_float/fast_float.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <system_error>

#include "funnelcast/io/csv.hpp"
#include "funnelcast/base/error.hpp"
#include "funnelcast/io/table.hpp"
#include "funnelcast/time/time.hpp"

namespace {

void check_table(const fc::Table& t) {
  if (t.rows == 0 || t.line_of_row.size() != t.rows) std::abort();
  for (size_t r = 1; r < t.rows; ++r) {
    if (t.line_of_row[r] <= t.line_of_row[r - 1]) std::abort();
  }
  for (const fc::Column& c : t.columns) {
    if (c.name.empty()) std::abort();
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
  } catch (const fc::Error&) {
  }
  if (bytes.size() < 64) {
    check_number(bytes);
    int64_t seconds = 0;
    // An offset can push 9999-12-31 or 0000-01-01 out of four-digit years,
    // which the printer writes but the parser (rightly) does not read.
    const int64_t low = fc::time::days_from_civil(0, 1, 1) * 86400;
    const int64_t high = fc::time::days_from_civil(10000, 1, 1) * 86400;
    if (fc::csv::parse_timestamp(bytes, seconds) && seconds >= low && seconds < high) {
      // Whatever parses must print and parse back to the same instant.
      int64_t again = 0;
      if (!fc::csv::parse_timestamp(fc::csv::format_timestamp(seconds), again)) std::abort();
      if (again != seconds) std::abort();
    }
  }
  return 0;
}
