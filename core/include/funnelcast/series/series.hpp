// From a table of rows (hourly exports or one row per lead event) to an hourly
// grid: rows in the same hour are summed, hours with no rows are explicit, and
// column roles (time, leads, spend, revenue, cpl, roi, channel, clicks) are detected
// from common names or set by the caller.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "funnelcast/io/table.hpp"

namespace fc::series {

// Column names for each role; empty = not present. detect_roles() fills empty
// ones from common names and leaves the caller's choices alone. "-" means "this
// role is not in the data": it is never auto-detected (e.g. a "source" column
// that is not a channel) and comes back empty.
struct Roles {
  std::string time, leads, spend, revenue, cpl, roi, channel;
  std::string clicks;  // traffic (clicks/sessions/visits): the denominator of the conversion rate
};

// Fills every empty role from the table's column names (leads/conversions/signups,
// spend/cost/ad_spend, revenue/sales, cpl, roi, channel/source/campaign,
// clicks/sessions/visits/visitors/site_visits/website_visits/traffic, and for
// time: timestamp/datetime/date/time/hour or the only timestamp-typed column).
// Names match case-insensitively, ignoring spaces, '_' and '-'. A role the caller set
// to a column that does not exist, one column given for two roles, or a role column
// of the wrong type (leads/spend/revenue/cpl/roi/clicks not numbers, time not timestamps)
// is an fc::Error naming the first offending line and value.
Roles detect_roles(const Table& table, Roles given = {});

enum class Duplicates { kAuto, kSum, kError };

struct Options {
  Roles roles;
  // kAuto: a file whose timestamps all fall on the hour is an hourly export, where
  // two rows for the same hour (and channel) are an error; otherwise rows are events
  // and are summed per hour.
  Duplicates duplicates = Duplicates::kAuto;
};

struct HourlySeries {
  std::string channel;            // "" for the total over all channels
  int64_t start = 0;              // epoch seconds of the first hour (on the hour)
  std::vector<double> leads;      // one value per hour; 0 in hours with no rows
  std::vector<double> spend;      // empty when the data has no spend (and no cpl to derive it)
  std::vector<double> revenue;    // empty when the data has no revenue (and no roi to derive it)
  std::vector<double> cpl;        // spend / leads per hour, NaN where leads == 0;
                                  // empty when spend is empty
  std::vector<double> roi;        // (revenue - spend) / spend per hour, NaN where spend == 0;
                                  // empty when spend or revenue is empty
  std::vector<double> clicks;     // traffic summed per hour; empty when the data has no clicks column
  std::vector<uint8_t> observed;  // 1 if at least one input row fell in that hour

  size_t hours() const { return leads.size(); }
  int64_t time(size_t i) const { return start + static_cast<int64_t>(i) * 3600; }
};

struct BuildResult {
  Roles roles;                         // the roles actually used
  HourlySeries total;                  // all channels summed
  std::vector<HourlySeries> channels;  // one per channel level, same grid as total
  size_t input_rows = 0;
  size_t rows_aggregated = 0;          // rows that were summed into an hour already holding a row
  size_t empty_hours = 0;              // hours with no input row (filled with 0 leads)
  size_t missing_cells = 0;            // empty leads/spend/revenue/cpl/roi/clicks cells, summed as 0
  bool spend_derived = false;          // spend computed as cpl * leads (no spend column)
  bool revenue_derived = false;        // revenue computed as spend * (1 + roi)
  bool event_level = false;            // timestamps were not all on the hour
};

// Without a leads column every row is one lead event. Spend is derived as cpl * leads
// and revenue as spend * (1 + roi) row by row when only the ratios are there. With a
// channel column, `channels` holds one series per value (sorted by name; an empty
// cell is the channel "(missing)").
// Throws fc::Error naming the file, line and column for a missing time column, a
// non-numeric leads/spend/revenue value, negative leads, an unparseable or missing
// timestamp, a duplicate hour in an hourly export, or a span over 20 years.
BuildResult hourly(const Table& table, const Options& options = {});

}  // namespace fc::series
