// From a table of rows (exports with one row per interval, or one row per lead
// event) to a regular series: rows in the same interval are summed, the interval
// of the grid is detected from the timestamps (1 minute to 1 week), gaps and
// missing cells stay missing (NaN) instead of becoming zeros, and every choice the
// builder makes is reported back so the caller can say it. docs/input-policy.md is
// the user-facing description of these rules.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "funnelcast/io/table.hpp"
#include "funnelcast/schema/registry.hpp"
#include "funnelcast/schema/roles.hpp"

namespace fc::time {
class Zone;
}

namespace fc::series {

using schema::Roles;

enum class Duplicates {
  kAuto,   // regular exports: a second row for the same interval (and channel) is an error;
           // event rows and irregular timestamps: summed
  kSum,    // always summed
  kError,  // always an error
};

enum class RowMeaning {
  kAuto,    // values when the data has a leads column; one lead per row when it has no
            // numeric column without a role; otherwise an error that lists the numbers
  kValues,  // every row carries counts and amounts; a leads column is required
  kEvents,  // every row is one lead; a leads column, if any, is ignored
};

enum class Gaps {
  kMissing,  // an interval with no row in a regular export is missing (the default)
  kZero,     // an interval with no row counts as zero (exports that leave out quiet hours)
};

struct Options {
  Roles roles;
  Duplicates duplicates = Duplicates::kAuto;
  RowMeaning rows = RowMeaning::kAuto;
  Gaps gaps = Gaps::kMissing;
  // The zone of timestamps written without an offset (null: they are UTC). Their wall-clock
  // times become instants: a time the clocks skipped is an error, and the rows in an hour
  // the clocks repeat are read in file order (time::Zone::resolve), said in a notice.
  std::shared_ptr<const time::Zone> zone;
};

// One value per grid interval. NaN = missing: a blank or NA cell, or an interval of a
// regular export with no row (unless Gaps::kZero). Event counts have no missing values.
struct Series {
  std::string channel;          // "" for the total over all channels
  int64_t start = 0;            // epoch seconds of the first interval
  int64_t step = 3600;          // interval length in seconds
  std::vector<double> leads;
  std::vector<double> spend;    // empty when the data has no spend (and no cpl to derive it)
  std::vector<double> revenue;  // empty when the data has no revenue (and no roi to derive it)
  std::vector<double> clicks;   // empty when the data has no traffic column
  std::vector<uint8_t> observed;  // 1 if at least one input row fell in that interval

  size_t size() const { return leads.size(); }
  int64_t time(size_t i) const { return start + static_cast<int64_t>(i) * step; }
  int64_t end() const { return time(size()); }  // exclusive
  // The summed role column by name ("leads", "spend", ...); nullptr when absent or unknown.
  const std::vector<double>* role(const std::string& name) const;
  bool has(const schema::MetricDef& m) const;  // every role the metric needs is present
};

// A metric per interval, by the registry's formula (NaN where undefined or missing).
// fc::Error naming what the data lacks and the metrics it has when a role is missing.
std::vector<double> metric_values(const Series& s, const schema::MetricDef& metric);
std::vector<double> metric_values(const Series& s, const std::string& metric);
// The registry's metrics this series can compute, in registry order.
std::vector<const schema::MetricDef*> available_metrics(const Series& s);

struct ColumnInfo {
  std::string name;
  ColumnType type = ColumnType::kNumber;
  std::string role;  // registry role name, "" when the column has none
};

struct BuildResult {
  std::string source;               // the table's source (file name)
  Roles roles;                      // the roles actually used
  std::vector<ColumnInfo> columns;  // every input column with its type and role
  Series total;                     // all channels summed
  std::vector<Series> channels;     // one per channel value (sorted), same grid as total
  int64_t step = 3600;              // the grid interval
  bool regular = true;              // timestamps on a grid of `step`; false: irregular times
                                    // summed per hour
  bool events = false;              // rows were counted as leads
  Gaps gaps = Gaps::kMissing;       // how intervals without rows were treated
  size_t input_rows = 0;
  size_t rows_aggregated = 0;       // rows summed into an interval already holding a row
  size_t stray_rows = 0;            // rows off the grid that 99% of the times are on (a stray
                                    // 16:30 in an hourly export): added to the interval they fall in
  size_t first_stray_row = 0;       // the first of them (a table row)
  int64_t first_stray_time = 0;
  size_t empty_intervals = 0;       // intervals of the total with no input row
  size_t missing_cells = 0;         // blank or NA cells in leads/spend/revenue/cpl/roi/clicks
  size_t missing_leads = 0;         // intervals of the total whose leads are missing
  size_t trailing_missing = 0;      // intervals at the end whose leads are missing
  bool spend_derived = false;       // spend computed as cpl x leads (no spend column)
  bool revenue_derived = false;     // revenue computed as spend x (1 + roi)
#ifndef __EMSCRIPTEN__
  // The zone times without an offset were read in (Options::zone; null: UTC). With one,
  // the grid's times are instants unless `zone_days`: rows once a day (or week) stay
  // calendar days of the zone, each at its date's midnight read as UTC. Not in the wasm
  // build, which refuses a zone (and would carry the member's code in every copy).
  std::shared_ptr<const time::Zone> zone;
  bool zone_days = false;
#endif
  // Sentences for the user about what was done: aggregation, gaps, derived columns,
  // missing values, the table's own notices. Printed by the CLI, shown by the page.
  std::vector<std::string> notices;
};

// Throws fc::Error naming the file, line and column for: no time column, a missing or
// unparseable timestamp, a local time the clocks skipped (with a zone), a non-numeric,
// non-finite or implausible (|x| > 1e12) value,
// a negative lead, spend, cpl or click count, a duplicate interval in a regular export,
// no leads column when rows cannot be counted as events, a span over 20 years or more
// than 2 million intervals, and too many channel values for per-channel series.
BuildResult build(const Table& table, const Options& options = {});

// The series summed to a coarser interval (e.g. 15-minute data to hours). An interval is
// missing when any of its parts is. fc::Error when `step` is finer than the series' own
// (a daily file cannot be split into hours) or is not a multiple of it.
BuildResult resample(const BuildResult& data, int64_t step);

// The zone whose wall clock the grid's times are shown and counted in (hour of day,
// weekday, holidays): the data's zone, or null when there is none or the rows are
// calendar days already (zone_days).
inline const time::Zone* clock_zone([[maybe_unused]] const BuildResult& data) {
#ifdef __EMSCRIPTEN__
  return nullptr;
#else
  return data.zone_days ? nullptr : data.zone.get();
#endif
}

// The total, or the channel with this name (fc::Error listing the channels there are).
const Series& select(const BuildResult& data, const std::string& channel);

}  // namespace fc::series
