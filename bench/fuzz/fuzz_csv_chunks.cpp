// libFuzzer target for csv::read's chunked reading (natively, Options::threads > 1), built
// by the sanitizer build (scripts/sanitize.sh) and run by bench/fuzz/run.sh (target
// `csv_chunks`). Chunks are only taken on files of at least 2 MiB, so the input is a
// header line and a body of lines repeated to just over that size, with the input's last
// part (after a NUL, when it has one) put in once at a point the input's first byte picks:
// a bad line, a quote, a column that turns to text late. The table (every cell, type,
// level and notice) or the error message must be exactly one pass's.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "funnelcast/base/error.hpp"
#include "funnelcast/io/csv.hpp"
#include "funnelcast/io/table.hpp"

namespace {

// Everything a caller can see of a table, or the error, as one string.
std::string outcome(std::string_view bytes, int threads) {
  fc::csv::Options options;
  options.source = "fuzz.csv";
  options.threads = threads;
  std::string out;
  try {
    const fc::Table t = fc::csv::read(bytes, options);
    out += std::to_string(t.rows) + "\n";
    for (const std::string& n : t.notices) out += "notice " + n + "\n";
    for (size_t r = 0; r < t.rows; ++r) out += std::to_string(t.line_of_row[r]) + ",";
    out += "\n";
    for (const fc::Column& c : t.columns) {
      out += c.name + " " + std::to_string(static_cast<int>(c.type)) + " " + std::to_string(c.levels.size()) + "\n";
      for (size_t r = 0; r < t.rows; ++r) out += c.text(r) + "\x1f";
      out += "\n";
    }
  } catch (const fc::Error& e) {
    out = std::string("error ") + e.what();
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  const uint8_t where = data[0];
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string_view insert;
  if (const size_t nul = text.find('\0'); nul != std::string_view::npos) {
    insert = text.substr(nul + 1);
    text = text.substr(0, nul);
  }
  const size_t eol = text.find('\n');
  if (eol == std::string_view::npos || eol + 1 >= text.size()) return 0;
  const std::string_view header = text.substr(0, eol + 1);
  std::string body(text.substr(eol + 1));
  if (body.back() != '\n') body += '\n';
  constexpr size_t kTarget = (2u << 20) + 4096;  // just over the 2 MiB chunks need
  const size_t copies = kTarget / body.size() + 1;
  if (copies > 200000) return 0;  // a body of a few bytes: too many lines to be quick
  std::string file(header);
  const size_t at = copies * where / 256;
  for (size_t k = 0; k < copies; ++k) {
    if (k == at) file.append(insert);
    file.append(body);
  }
  if (outcome(file, 1) != outcome(file, 2 + where % 3)) std::abort();
  return 0;
}
