// libFuzzer target for timestamps and the grid of a series: every line of the input is a
// timestamp cell. Built and run by bench/fuzz/run.sh (target `time`).
// Invariants:
//   - parse_timestamp accepts a line or not, never crashes; an accepted instant formats to
//     "YYYY-MM-DD HH:MM:SS" and parses back to itself; its calendar fields are in range and
//     the civil date round-trips through days_from_civil;
//   - the lines as the time column of a table (a lead count beside each) give a series or an
//     fc::Error whose message is printable; a series is on a supported interval, its grid
//     holds every row (start <= t < end) and at most 2 million intervals, and its leads add
//     up to the rows' leads when every row is on the grid.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "funnelcast/base/error.hpp"
#include "funnelcast/io/csv.hpp"
#include "funnelcast/series/series.hpp"
#include "funnelcast/time/time.hpp"

namespace {

void check_instant(std::string_view line) {
  int64_t t = 0;
  if (!fc::time::parse_timestamp(line, t)) return;
  const std::string text = fc::time::format_timestamp(t);
  int64_t back = 0;
  if (text.size() != 19 && text[0] != '-') std::abort();
  if (!fc::time::parse_timestamp(text, back) || back != t) std::abort();
  const int h = fc::time::hour_of_day(t), d = fc::time::day_of_week(t);
  if (h < 0 || h > 23 || d < 0 || d > 6) std::abort();
  const fc::time::CivilDate c = fc::time::date_of(t);
  if (c.month < 1 || c.month > 12 || c.day < 1 || c.day > fc::time::days_in_month(c.year, c.month))
    std::abort();
  if (fc::time::days_from_civil(c.year, c.month, c.day) != fc::time::day_number(t)) std::abort();
  (void)fc::time::is_holiday(t);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::string csv = "timestamp,leads\n";
  size_t rows = 0;
  for (size_t pos = 0; pos <= bytes.size();) {
    size_t end = bytes.find('\n', pos);
    if (end == std::string_view::npos) end = bytes.size();
    const std::string_view line = bytes.substr(pos, end - pos);
    check_instant(line);
    if (!line.empty() && line.find_first_of(",\"\r") == std::string_view::npos) {
      csv.append(line).append(",1\n");
      ++rows;
    }
    pos = end + 1;
  }
  if (rows == 0) return 0;
  try {
    const fc::Table table = fc::csv::read(csv);
    const fc::series::BuildResult r = fc::series::build(table);
    const fc::series::Series& s = r.total;
    bool supported = false;
    for (int64_t step : fc::time::supported_intervals()) supported = supported || step == s.step;
    if (!supported && r.regular) std::abort();
    if (s.size() > 2000000 || s.size() == 0) std::abort();
    double sum = 0;
    for (double v : s.leads)
      if (!std::isnan(v)) sum += v;
    if (std::fabs(sum - static_cast<double>(table.rows)) > 0.5)
      std::abort();
  } catch (const fc::Error& e) {
    for (char ch : std::string(e.what()))
      if (ch == 0) std::abort();
  }
  return 0;
}
