// Every later stage (KPIs, anomalies, features, forecasts) assumes one value per
// interval on a regular grid, so this is where messy exports are made regular or
// refused with a message that points at the offending line. Nothing is filled in
// silently: a blank cell or an interval without a row stays missing (NaN) unless the
// caller said gaps are zeros, and every choice made is written into `notices`.
#include "funnelcast/series/series.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "funnelcast/base/error.hpp"
#include "funnelcast/base/math.hpp"
#include "funnelcast/io/csv.hpp"
#include "funnelcast/time/time.hpp"
#include "funnelcast/time/zone.hpp"

namespace fc::series {
namespace {

// A span beyond 20 years is almost surely a typo'd year; refusing it keeps one bad
// cell from allocating a grid of millions of intervals.
constexpr int64_t kMaxSpanSeconds = 20 * 8766 * time::kHour;
constexpr size_t kMaxIntervals = 2'000'000;
// Per-channel grids cost ~41 bytes a cell; a high-cardinality "campaign" column over
// years of hours would otherwise take gigabytes, which the browser cannot give.
constexpr size_t kMaxChannelCells = 5'000'000;
// No marketing export holds a trillion leads or dollars in one row; larger values are
// typos or overflowed cells, and would turn sums into nonsense.
constexpr double kMaxAbsValue = 1e12;
// A regular export whose rows cover less than this share of its grid is too sparse to be
// one; see detect_grid. Sub-hour grids need more: rows at scattered minutes (transactions)
// look like a sparse minute grid.
constexpr double kMinCoverage = 0.2;
constexpr double kMinCoverageSubHour = 0.5;
const char* const kNoneLabel = "(missing)";

std::string shown(std::string s) {
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return s;
}

std::string where(const Table& t, size_t row, const Column& c) {
  return t.source + ": line " + std::to_string(t.line(row)) + ", column '" + c.name + "'";
}

std::string count_of(size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// Column values as doubles, NaN = missing, parsing text levels when the column is a category.
std::vector<double> numbers_of(const Column& c, size_t rows) {
  if (c.type == ColumnType::kNumber) return c.numbers;
  std::vector<double> out(rows, kNaN);
  if (c.type != ColumnType::kCategory) return out;  // detect_roles refused anything else
  std::vector<double> level(c.levels.size());
  for (size_t i = 0; i < c.levels.size(); ++i)
    if (!csv::parse_number(c.levels[i], level[i])) level[i] = kNaN;
  for (size_t r = 0; r < rows; ++r)
    if (c.codes[r] != kMissingCode) out[r] = level[c.codes[r]];
  return out;
}

// `offset_given` (when asked): 1 for the rows whose cell wrote its offset, or empty.
std::vector<int64_t> times_of(const Table& t, const Column& c, std::vector<uint8_t>* offset_given) {
  std::vector<int64_t> out(t.rows, kMissingTime);
  if (c.type == ColumnType::kTimestamp) {
    out = c.times;
    if (offset_given) *offset_given = c.offset_given;
  } else if (c.type == ColumnType::kCategory) {
    std::vector<int64_t> level(c.levels.size(), kMissingTime);
    std::vector<uint8_t> zoned(c.levels.size(), 0);
    for (size_t i = 0; i < c.levels.size(); ++i) {
      bool given = false;
      time::parse_timestamp(c.levels[i], level[i], &given);
      zoned[i] = given ? 1 : 0;
    }
    if (offset_given) offset_given->assign(t.rows, 0);
    for (size_t r = 0; r < t.rows; ++r) {
      if (c.codes[r] == kMissingCode) continue;
      out[r] = level[c.codes[r]];
      if (offset_given) (*offset_given)[r] = zoned[c.codes[r]];
    }
  }
  for (size_t r = 0; r < t.rows; ++r) {
    if (out[r] == kMissingTime) {
      throw Error(where(t, r, c) + ": missing timestamp (every row needs one)");
    }
  }
  return out;
}

// A role column checked row by row: missing cells stay NaN and are counted.
std::vector<double> role_numbers(const Table& t, const std::string& name,
                                 const schema::RoleDef& role, size_t& missing) {
  const Column& c = t.at(name);
  std::vector<double> v = numbers_of(c, t.rows);
  for (size_t r = 0; r < t.rows; ++r) {
    const double x = v[r];
    if (std::isnan(x)) {
      ++missing;
      continue;
    }
    if (!std::isfinite(x) || std::fabs(x) > kMaxAbsValue) {
      throw Error(where(t, r, c) + ": " + role.name + " of '" + shown(c.text(r)) +
                  "' is not a plausible number (expected at most 1e12 in size); fix the cell");
    }
    if (role.non_negative && x < 0) {
      throw Error(where(t, r, c) + ": " + role.name + " cannot be negative, found '" +
                  shown(c.text(r)) + "'");
    }
  }
  return v;
}

// Numeric columns that play no role: candidates for the leads column.
std::vector<std::string> unassigned_numbers(const Table& t, const Roles& roles) {
  std::vector<std::string> out;
  for (const auto& c : t.columns)
    if (c.type == ColumnType::kNumber && schema::role_of(roles, c.name).empty()) out.push_back(c.name);
  return out;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// A local time that daylight saving repeats: 01:00 or 02:00 on the last Sunday of October
// (Europe, clocks back at 01:00 UTC) or 01:00 on the first Sunday of November (North
// America), in hourly (or finer) data whose times were written without an offset.
bool daylight_saving_repeat(int64_t t, int64_t step) {
  if (step > time::kHour || time::day_of_week(t) != 6) return false;
  const time::CivilDate d = time::civil_from_days(time::floor_div(t, time::kDay));
  const int64_t hour = time::floor_div(t, time::kHour) % 24;
  const bool last_october_sunday = d.month == 10 && d.day + 7 > 31;
  const bool first_november_sunday = d.month == 11 && d.day <= 7;
  return (last_october_sunday && (hour == 1 || hour == 2)) || (first_november_sunday && hour == 1);
}

#ifndef __EMSCRIPTEN__
std::string offset_text(int64_t offset) {
  char buffer[16];
  const int64_t a = offset < 0 ? -offset : offset;
  std::snprintf(buffer, sizeof buffer, "%c%02d:%02d", offset < 0 ? '-' : '+', static_cast<int>(a / 3600),
                static_cast<int>(a / 60 % 60));
  return buffer;
}

// "CEST (+02:00)", or "+02:00" when the zone has no letters for it.
std::string offset_name(const time::Zone& zone, int64_t utc) {
  const std::string abbreviation = zone.abbreviation(utc), offset = offset_text(zone.utc_offset(utc));
  return abbreviation.empty() || abbreviation[0] == '+' || abbreviation[0] == '-' ? offset
                                                                                   : abbreviation + " (" + offset + ")";
}

std::string clock_of(int64_t local) { return time::format_timestamp(local).substr(11, 5); }
std::string day_of(int64_t local) { return time::format_timestamp(local).substr(0, 10); }

// Wall-clock times without an offset become instants of the zone (times_of read them as UTC).
// Rows of a channel, as a number per row (for reading each channel's repeated hour apart).
std::vector<int32_t> channel_groups(const Table& t, const std::string& column) {
  std::vector<int32_t> out;
  if (column.empty()) return out;
  const Column& c = t.at(column);
  if (c.type == ColumnType::kCategory) return c.codes;
  std::unordered_map<std::string, int32_t> ids;
  out.resize(t.rows);
  for (size_t r = 0; r < t.rows; ++r)
    out[r] = ids.emplace(c.text(r), static_cast<int32_t>(ids.size())).first->second;
  return out;
}

void localize(const Table& t, const Column& c, const time::Zone& zone, const std::vector<uint8_t>& offset_given,
              const std::string& channel, std::vector<int64_t>& times, BuildResult& out) {
  // Rows once a day (or week) at one time of day are calendar days of the zone: as instants
  // they would be 23 or 25 hours apart around a change, and no longer a daily grid.
  const auto clock = [](int64_t t) { return t - time::floor_div(t, time::kDay) * time::kDay; };
  size_t first = SIZE_MAX;
  bool one_time_of_day = true, two_days = false;
  for (size_t r = 0; r < times.size() && one_time_of_day; ++r) {
    if (r < offset_given.size() && offset_given[r]) continue;
    if (first == SIZE_MAX) {
      first = r;
      continue;
    }
    one_time_of_day = clock(times[r]) == clock(times[first]);
    two_days = two_days || times[r] != times[first];
  }
  if (one_time_of_day && two_days) {
    out.zone_days = true;
    out.notices.push_back(t.source + ": the rows are days (one time of day, " + clock_of(times[first]) +
                          "): they are read as calendar days in " + zone.name() + ", which daylight saving "
                          "does not change");
    return;
  }
  const time::Resolved r = zone.resolve(times, offset_given, channel_groups(t, channel));
  if (r.gap_row != SIZE_MAX) {
    const int64_t local = times[r.gap_row];
    std::string skipped = "that hour";
    // The clocks jumped at an instant between the wall-clock time read with the later and
    // with the earlier offset.
    const int64_t before = zone.utc_offset(local - time::kDay), after = zone.utc_offset(local + time::kDay);
    int64_t lo = local - after, hi = local - before;
    if (after > before && zone.utc_offset(lo) == before) {
      while (hi - lo > 1) {
        const int64_t mid = lo + (hi - lo) / 2;
        (zone.utc_offset(mid) == before ? lo : hi) = mid;
      }
      skipped = "from " + clock_of(hi + before) + " to " + clock_of(hi + after);
    }
    throw Error(where(t, r.gap_row, c) + ": " + time::format_timestamp(local) + " does not exist in " + zone.name() +
                ": the clocks skipped " + skipped + " that night (daylight saving time began), so no row can have "
                "that time; are the times of another zone, or already UTC?");
  }
  times = r.utc;
  size_t shown_folds = 0, more = 0;
  for (const auto& f : r.folds) {
    if (shown_folds == 3) {
      ++more;
      continue;
    }
    ++shown_folds;
    const std::string span = "the " + time::interval_name(f.length) + " the clocks repeat on " +
                             day_of(f.first_local) + " (" + clock_of(f.first_local) + " to " +
                             clock_of(f.first_local + f.length) + " in " + zone.name() + ")";
    const std::string first = offset_name(zone, f.transition - 1), second = offset_name(zone, f.transition);
    const size_t n = f.earlier + f.later;
    std::string note = t.source + ": " + count_of(n, "row falls", "rows fall") + " in " + span + ": ";
    if (!f.ambiguous || f.later)
      note += "read in file order, " + std::to_string(f.earlier) + " as " + first + ", then " +
              std::to_string(f.later) + " as " + second;
    if (f.ambiguous)
      note += std::string(f.later ? ", but for some " : "") + "the order of the rows does not tell which are the " +
              "second pass: " + (f.later ? "those were" : "all were") + " read as " + first +
              "; write the offset to mark a row of the second pass (" + time::format_timestamp(f.first_local) +
              offset_text(zone.utc_offset(f.transition)) + ")";
    out.notices.push_back(note);
  }
  if (more)
    out.notices.push_back(t.source + ": rows in " + std::to_string(more) + " more " +
                          (more == 1 ? "hour" : "hours") + " the clocks repeat were read the same way");
}

#endif  // __EMSCRIPTEN__

const char* leads_synonyms() {
  return "leads, conversions, signups, responses, registrations";
}

struct Grid {
  int64_t step = time::kHour;
  int64_t start = 0;    // time of index 0
  int64_t anchor = 0;   // index(t) = floor((t - anchor) / step) - floor((start - anchor) / step)
  size_t size = 0;
  bool regular = true;  // rows lie on the grid (an export), rather than at arbitrary times
  int64_t spacing = 0;  // median distance between consecutive distinct timestamps
  size_t distinct = 0;
  size_t stray = 0;     // distinct times off a regular grid that 99% of them are on
  int64_t divisor = 0;  // greatest common divisor of the distances between distinct times
};

// A few rows off the grid (a stray 16:30 in an hourly export) must not redefine it: the
// largest supported step on which at least this share of the distinct times (and at least
// kStrayMinTimes of them) share one phase is the grid, and the others are stray rows,
// each added to the interval it falls in and said.
constexpr double kOnGridShare = 0.99;
constexpr size_t kStrayMinTimes = 100;

// The step and phase most distinct times agree on, when the exact step (the gcd of the
// distances) is finer or irregular because of a few stray times: {0, 0} when none.
std::pair<int64_t, int64_t> dominant_grid(const std::vector<int64_t>& u, int64_t exact_step) {
  if (u.size() < kStrayMinTimes) return {0, 0};
  const auto& steps = time::supported_intervals();
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
    const int64_t s = *it;
    if (s <= exact_step) break;
    std::unordered_map<int64_t, size_t> phases;
    for (int64_t t : u) ++phases[((t % s) + s) % s];
    std::pair<int64_t, size_t> best{0, 0};
    for (const auto& [phase, n] : phases)
      if (n > best.second || (n == best.second && phase < best.first)) best = {phase, n};
    if (static_cast<double>(best.second) >= kOnGridShare * static_cast<double>(u.size())) return {s, best.first};
  }
  return {0, 0};
}

int64_t gcd64(int64_t a, int64_t b) {
  while (b) {
    const int64_t r = a % b;
    a = b;
    b = r;
  }
  return a;
}

// The grid from the timestamps alone. A regular export has every timestamp on a grid of
// one of time::supported_intervals(): the greatest common divisor of the distances between
// timestamps is a multiple of the step, and the step is the largest such supported one.
// Rows at arbitrary seconds (lead events with exact times) have no such grid and are summed
// per hour. Event rows never get a grid finer than an hour.
Grid detect_grid(const Table& t, const Column& c, const std::vector<int64_t>& times, bool events) {
  std::vector<int64_t> u(times);
  std::sort(u.begin(), u.end());
  u.erase(std::unique(u.begin(), u.end()), u.end());
  Grid g;
  g.distinct = u.size();
  int64_t divisor = 0;
  std::vector<int64_t> gaps;
  gaps.reserve(u.size());
  for (size_t i = 1; i < u.size(); ++i) {
    const int64_t d = u[i] - u[i - 1];
    gaps.push_back(d);
    divisor = gcd64(divisor, d);
  }
  if (!gaps.empty()) {
    std::nth_element(gaps.begin(), gaps.begin() + gaps.size() / 2, gaps.end());
    g.spacing = gaps[gaps.size() / 2];
  }
  g.divisor = divisor;
  int64_t step = 0;
  if (divisor == 0) {
    step = time::kHour;  // one distinct time: nothing to learn from, assume hourly
  } else {
    step = time::grid_step(divisor, u.size());
  }
  int64_t phase = -1;
  if (!events) {
    const auto [dominant, at] = dominant_grid(u, step);
    if (dominant > 0) {
      step = dominant;
      phase = at;
      for (int64_t t : u) g.stray += ((t % step) + step) % step == at ? 0 : 1;
    }
  }
  g.regular = step > 0;
  if (!g.regular) step = time::kHour;
  if (events) {
    // Events fall into calendar hours (or days, weeks when that is all the times say).
    step = std::max(step, time::kHour);
    g.regular = false;
  }
  if (g.regular && !events && u.size() > 2) {
    const double intervals = static_cast<double>((u.back() - u.front()) / step + 1);
    const double needed = step < time::kHour ? kMinCoverageSubHour : kMinCoverage;
    if (static_cast<double>(u.size()) / intervals < needed) {
      if (step < time::kHour) {
        // Rows at scattered minutes (transactions with values): summed per hour.
        step = time::kHour;
        g.regular = false;
      } else if (g.spacing > time::kWeek) {
        throw Error(t.source + ": the rows in column '" + c.name + "' are typically " +
                    std::to_string(g.spacing / time::kDay) +
                    " days apart; funnelcast works with data from every minute to every week "
                    "(monthly data cannot be forecast or checked hour by hour)");
      }
    }
  }
  g.step = step;
  // Regular grids keep the rows' own phase (daily rows at 05:00 UTC stay at 05:00);
  // summed rows fall into calendar hours (or days) counted from the epoch.
  g.anchor = g.regular ? (phase >= 0 ? phase : ((u.front() % step) + step) % step) : 0;
  g.start = time::floor_div(u.front() - g.anchor, step) * step + g.anchor;
  const int64_t last = time::floor_div(u.back() - g.anchor, step) * step + g.anchor;
  if (static_cast<uint64_t>(last) - static_cast<uint64_t>(g.start) >
      static_cast<uint64_t>(kMaxSpanSeconds)) {
    throw Error(t.source + ": the timestamps in column '" + c.name + "' run from " +
                time::format_timestamp(u.front()) + " to " + time::format_timestamp(u.back()) +
                ", more than 20 years; check for a mistyped year");
  }
  const uint64_t size = static_cast<uint64_t>(last - g.start) / static_cast<uint64_t>(step) + 1;
  if (size > kMaxIntervals) {
    throw Error(t.source + ": " + std::to_string(size) + " intervals of one " +
                time::interval_name(step) + " from " + time::format_timestamp(g.start) + " to " +
                time::format_timestamp(last) + ", more than funnelcast handles (" +
                std::to_string(kMaxIntervals) + "); use a shorter period or coarser data");
  }
  g.size = static_cast<size_t>(size);
  return g;
}

Series empty_series(std::string channel, const Grid& g, bool spend, bool revenue, bool clicks) {
  Series s;
  s.channel = std::move(channel);
  s.start = g.start;
  s.step = g.step;
  s.leads.assign(g.size, 0.0);
  if (spend) s.spend.assign(g.size, 0.0);
  if (revenue) s.revenue.assign(g.size, 0.0);
  if (clicks) s.clicks.assign(g.size, 0.0);
  s.observed.assign(g.size, 0);
  return s;
}

// NaN is sticky: once a missing cell fell into an interval, its sum is unknown.
inline void add(double& acc, double v) { acc += v; }

void blank(Series& s, size_t i) {
  s.leads[i] = kNaN;
  if (!s.spend.empty()) s.spend[i] = kNaN;
  if (!s.revenue.empty()) s.revenue[i] = kNaN;
  if (!s.clicks.empty()) s.clicks[i] = kNaN;
}


// ---- The steps of build() ---------------------------------------------------

void check_rows(const Table& table, const Roles& roles) {
  if (roles.time.empty()) {
    throw Error(table.source +
                ": no time column found (looked for timestamp, datetime, date, time, hour, day, "
                "created_at, event_time, or a single column of timestamps; columns: " +
                schema::column_list(table) + "); choose the time column (CLI: --time COL)");
  }
  if (table.rows == 0) throw Error(table.source + ": the file has a header but no data rows");
  if (table.rows >= std::numeric_limits<uint32_t>::max()) {
    throw Error(table.source + ": more than 4 billion rows; split the file");
  }
}

// What a row means: counts and amounts (false), or one lead (true).
bool rows_are_events(const Table& table, const Roles& roles, RowMeaning meaning) {
  bool events = meaning == RowMeaning::kEvents;
  if (meaning == RowMeaning::kValues && roles.leads.empty()) {
    const auto numbers = unassigned_numbers(table, roles);
    throw Error(table.source + ": no leads column found (looked for " + leads_synonyms() +
                "); " + (numbers.empty() ? "the file has no other numeric column"
                                         : "numeric columns: " + join(numbers)) +
                "; choose the leads column (CLI: --leads COL)");
  }
  if (meaning == RowMeaning::kAuto && roles.leads.empty()) {
    const auto numbers = unassigned_numbers(table, roles);
    if (!numbers.empty()) {
      throw Error(table.source + ": which column holds the leads? None is named like leads (" +
                  leads_synonyms() + "); numeric columns without a role: " + join(numbers) +
                  ". Choose one (CLI: --leads COL, or --target COL when training), or count each "
                  "row as one lead (CLI: --events)");
    }
    events = true;
  }
  return events;
}

// The metric columns of every row (empty when the file has none), spend and
// revenue derived from cpl and roi when only those are given.
struct RowValues {
  std::vector<double> leads, spend, revenue, clicks;
};

RowValues row_values(const Table& table, const Roles& roles, bool events, BuildResult& out) {
  const size_t rows = table.rows;
  size_t missing = 0;
  const auto role = [](const char* name) -> const schema::RoleDef& { return *schema::find_role(name); };
  RowValues v;
  if (events) v.leads.assign(rows, 1.0);
  else v.leads = role_numbers(table, roles.leads, role("leads"), missing);

  if (!roles.spend.empty()) {
    v.spend = role_numbers(table, roles.spend, role("spend"), missing);
  } else if (!roles.cpl.empty()) {
    const std::vector<double> cpl = role_numbers(table, roles.cpl, role("cpl"), missing);
    v.spend.resize(rows);
    for (size_t r = 0; r < rows; ++r) v.spend[r] = cpl[r] * v.leads[r];  // NaN stays NaN
    out.spend_derived = true;
  }
  if (!roles.revenue.empty()) {
    v.revenue = role_numbers(table, roles.revenue, role("revenue"), missing);
  } else if (!roles.roi.empty() && !v.spend.empty()) {
    const std::vector<double> roi = role_numbers(table, roles.roi, role("roi"), missing);
    v.revenue.resize(rows);
    for (size_t r = 0; r < rows; ++r) v.revenue[r] = v.spend[r] * (1.0 + roi[r]);
    out.revenue_derived = true;
  }
  if (!roles.clicks.empty()) v.clicks = role_numbers(table, roles.clicks, role("clicks"), missing);
  out.missing_cells = missing;
  return v;
}

// Channel of every row, as an index into the sorted channel names (none without
// a channel column).
struct Channels {
  std::vector<int32_t> of_row;
  std::vector<std::string> names;
};

Channels channels_of(const Table& table, const std::string& column, size_t intervals) {
  const size_t rows = table.rows;
  Channels out;
  out.of_row.assign(rows, 0);
  if (column.empty()) return out;
  std::vector<std::string>& names = out.names;
  const Column& c = table.at(column);
  std::unordered_map<std::string, int32_t> ids;
  for (size_t r = 0; r < rows; ++r) {
    std::string label = c.is_missing(r) ? std::string(kNoneLabel) : c.text(r);
    auto it = ids.find(label);
    if (it == ids.end()) {
      it = ids.emplace(label, static_cast<int32_t>(names.size())).first;
      names.push_back(std::move(label));
    }
    out.of_row[r] = it->second;
  }
  if (names.size() * intervals > kMaxChannelCells) {
    throw Error(table.source + ": column '" + c.name + "' has " + std::to_string(names.size()) +
                " distinct values over " + std::to_string(intervals) +
                " intervals, too many for per-channel series; choose a coarser channel column "
                "or none (CLI: --channel-column COL, or --channel-column - for none)");
  }
  std::vector<int32_t> order(names.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return names[a] < names[b]; });
  std::vector<int32_t> rank(names.size());
  std::vector<std::string> sorted(names.size());
  for (size_t k = 0; k < order.size(); ++k) {
    rank[order[k]] = static_cast<int32_t>(k);
    sorted[k] = names[order[k]];
  }
  for (auto& id : out.of_row) id = rank[id];
  names = std::move(sorted);
  return out;
}

// Sums every row into its interval of the total and of its channel, refusing a
// second row in an interval when duplicates are refused.
void add_rows(const Table& table, const std::vector<int64_t>& times, const RowValues& v, const Channels& channels,
              const Grid& grid, bool refuse_duplicates, bool explain_dst, BuildResult& out) {
  const std::vector<std::string>& names = channels.names;
  const std::vector<int32_t>& channel_of = channels.of_row;
  const size_t width = std::max<size_t>(1, names.size());
  const bool has_spend = !v.spend.empty(), has_revenue = !v.revenue.empty(), has_clicks = !v.clicks.empty();
  const int64_t base = time::floor_div(grid.start - grid.anchor, grid.step);
  // Row + 1 of the first row in each interval and channel (0 = none yet).
  std::vector<uint32_t> first_row(grid.size * width, 0);
  for (size_t r = 0; r < table.rows; ++r) {
    const size_t i = static_cast<size_t>(time::floor_div(times[r] - grid.anchor, grid.step) - base);
    const size_t key = i * width + static_cast<size_t>(channel_of[r]);
    const bool stray = grid.stray && ((times[r] - grid.anchor) % grid.step) != 0;
    if (stray) {
      if (!out.stray_rows++) {
        out.first_stray_row = r;
        out.first_stray_time = times[r];
      }
    } else if (first_row[key] == 0) {
      first_row[key] = static_cast<uint32_t>(r + 1);
    } else if (refuse_duplicates) {
      const int64_t at = grid.start + static_cast<int64_t>(i) * grid.step;
      std::string what = times[r] == at ? "duplicate timestamp " + time::format_timestamp(at)
                                        : "a second row in the " + time::interval_name(grid.step) +
                                              " from " + time::format_timestamp(at);
      if (!names.empty()) what += " for channel '" + shown(names[channel_of[r]]) + "'";
      const std::string first = " (first at line " + std::to_string(table.line(first_row[key] - 1)) + ")";
      if (times[r] == at && explain_dst && daylight_saving_repeat(at, grid.step))
        throw Error(table.source + ": line " + std::to_string(table.line(r)) + ": " + what + first +
                    ": clocks go back an hour that night in Europe and North America, so local times repeat "
                    "this hour; the two rows are two different real hours and must not be summed. Say which "
                    "time zone the times are in (CLI: --tz ZONE, e.g. --tz Europe/Berlin), or export "
                    "the times in UTC or with their offset (2024-10-27 02:00:00+02:00)");
      throw Error(table.source + ": line " + std::to_string(table.line(r)) + ": " + what + first + "; an " +
                  time::interval_adjective(grid.step) +
                  " export has one row per interval (and channel); to add such rows up, sum "
                  "duplicates (CLI: --duplicates sum)");
    } else {
      ++out.rows_aggregated;
    }
    Series* targets[2] = {&out.total, names.empty() ? nullptr : &out.channels[channel_of[r]]};
    for (Series* s : targets) {
      if (!s) continue;
      add(s->leads[i], v.leads[r]);
      if (has_spend) add(s->spend[i], v.spend[r]);
      if (has_revenue) add(s->revenue[i], v.revenue[r]);
      if (has_clicks) add(s->clicks[i], v.clicks[r]);
      s->observed[i] = 1;
    }
  }
}

// Intervals without rows (blanked when gaps are missing), missing leads, and the
// missing run at the end.
void count_gaps(BuildResult& out, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (out.total.observed[i]) continue;
    ++out.empty_intervals;
    if (out.gaps == Gaps::kMissing) {
      blank(out.total, i);
      for (auto& s : out.channels) blank(s, i);
    }
  }
  for (size_t i = 0; i < n; ++i) out.missing_leads += std::isnan(out.total.leads[i]) ? 1 : 0;
  for (size_t i = n; i > 0 && std::isnan(out.total.leads[i - 1]); --i) ++out.trailing_missing;
}

// Rows counted as leads, but each row has a time of its own on a grid of whole hours or
// days (one row per day, say) and the file has numeric columns: a summary
// table (Sales, Website_Traffic per date), not one row per lead. Counting its rows gives
// one lead per day: said, with what to do instead.
void warn_if_summary(const Table& table, const Grid& grid, BuildResult& out) {
  if (grid.distinct != table.rows || table.rows < 7 || grid.divisor < time::kHour || grid.divisor % time::kHour != 0)
    return;
  std::vector<std::string> numbers;  // with a role (spend, revenue) or not: per-day amounts
  for (const auto& c : table.columns)
    if (c.type == ColumnType::kNumber) numbers.push_back(c.name);
  if (numbers.empty()) return;
  const int64_t step = time::grid_step(grid.divisor, grid.distinct);
  if (step <= 0) return;
  out.notices.push_back(table.source + ": warning: each row is counted as one lead, but every row has a " +
                        time::interval_name(step) + " of its own (" + std::to_string(table.rows) +
                        " rows, one per " + time::interval_name(step) + ") and the file has numeric columns: " +
                        join(numbers) + ". This looks like a summary table, not one row per lead: choose the " +
                        "column that counts leads instead (CLI: --leads COL)");
}

// Tell the user what was done to their rows.
void add_notices(const Table& table, const Grid& grid, bool events, size_t n, BuildResult& out) {
  const std::string unit = time::interval_name(grid.step);
  const std::string units = grid.step == time::kHour ? "hours" : grid.step == time::kDay ? "days"
                          : grid.step == time::kWeek ? "weeks" : "intervals of " + unit;
  if (!grid.regular && !events) {
    out.notices.push_back(table.source + ": the timestamps are not on a regular grid; rows are summed per " +
                          unit + " and " + units + " without rows count as 0");
  } else if (grid.step != time::kHour) {
    out.notices.push_back(table.source + ": " + time::interval_data(grid.step));
  }
  if (out.stray_rows)
    out.notices.push_back(table.source + ": " + count_of(out.stray_rows, "row is", "rows are") + " off the " +
                          time::interval_adjective(grid.step) + " grid (first at line " +
                          std::to_string(table.line(out.first_stray_row)) + ", " +
                          time::format_timestamp(out.first_stray_time) + "); each is added to the " +
                          unit + " it falls in");
  if (out.rows_aggregated && !events)
    out.notices.push_back(table.source + ": " + count_of(out.rows_aggregated, "row", "rows") +
                          " added to an interval that already had a row");
  if (out.empty_intervals && out.gaps == Gaps::kMissing) {
    out.notices.push_back(table.source + ": " + count_of(out.empty_intervals, "interval has", "intervals have") +
                          " no row and " + (out.empty_intervals == 1 ? "is" : "are") +
                          " treated as missing, not as 0; if the export leaves out quiet " + units +
                          ", count them as 0 (CLI: --gaps zero)");
  } else if (out.empty_intervals && grid.regular && !events) {
    out.notices.push_back(table.source + ": " + count_of(out.empty_intervals, "interval", "intervals") +
                          " without a row counted as 0 (gaps: zero)");
  }
  if (out.missing_cells)
    out.notices.push_back(table.source + ": " + count_of(out.missing_cells, "blank or NA cell is", "blank or NA cells are") +
                          " missing values, not zeros; the intervals they fall in are missing");
  if (out.trailing_missing)
    out.notices.push_back(table.source + ": the last " + count_of(out.trailing_missing, "interval", "intervals") +
                          " (from " + time::format_timestamp(out.total.time(n - out.trailing_missing)) +
                          ") have no leads value");
  if (out.spend_derived) out.notices.push_back(table.source + ": spend derived as cpl x leads");
  if (out.revenue_derived) out.notices.push_back(table.source + ": revenue derived as spend x (1 + roi)");
}

}  // namespace

const std::vector<double>* Series::role(const std::string& name) const {
  const std::vector<double>* v = nullptr;
  if (name == "leads") v = &leads;
  else if (name == "spend") v = &spend;
  else if (name == "revenue") v = &revenue;
  else if (name == "clicks") v = &clicks;
  return v && v->size() == size() ? v : nullptr;
}

bool Series::has(const schema::MetricDef& m) const {
  for (const char* r : m.needs)
    if (!role(r)) return false;
  return true;
}

std::vector<const schema::MetricDef*> available_metrics(const Series& s) {
  std::vector<const schema::MetricDef*> out;
  for (const auto& m : schema::metrics())
    if (s.has(m)) out.push_back(&m);
  return out;
}

std::vector<double> metric_values(const Series& s, const schema::MetricDef& m) {
  if (!s.has(m)) {
    std::string lacks, have;
    for (const char* r : m.needs)
      if (!s.role(r)) lacks += (lacks.empty() ? "" : " and ") + std::string(r);
    for (const auto* a : available_metrics(s)) have += (have.empty() ? "" : ", ") + std::string(a->name);
    throw Error("the metric '" + std::string(m.name) + "' (" + m.formula + ") needs " + lacks +
                ", which the data does not have; available metrics: " + (have.empty() ? "none" : have));
  }
  const size_t n = s.size();
  const std::vector<double>* leads = s.role("leads");
  const std::vector<double>* spend = s.role("spend");
  const std::vector<double>* revenue = s.role("revenue");
  const std::vector<double>* clicks = s.role("clicks");
  std::vector<double> out(n);
  for (size_t i = 0; i < n; ++i) {
    schema::Totals t;
    t.leads = leads ? (*leads)[i] : kNaN;
    t.spend = spend ? (*spend)[i] : kNaN;
    t.revenue = revenue ? (*revenue)[i] : kNaN;
    t.clicks = clicks ? (*clicks)[i] : kNaN;
    out[i] = m.evaluate(t);
  }
  return out;
}

std::vector<double> metric_values(const Series& s, const std::string& metric) {
  return metric_values(s, schema::metric(metric));
}

const Series& select(const BuildResult& d, const std::string& name) {
  if (name.empty()) return d.total;
  std::string names;
  for (const auto& c : d.channels) {
    if (c.channel == name) return c;
    names += (names.empty() ? "" : ", ") + c.channel;
  }
  throw Error("no channel '" + name + "' in the data" +
              (names.empty() ? std::string(" (it has no channel column)")
                             : " (channels: " + names + ")"));
}

BuildResult build(const Table& table, const Options& options) {
  BuildResult out;
  out.source = table.source;
  out.notices = table.notices;  // what the CSV reader had to say (encoding, stray quotes)
  out.roles = schema::detect_roles(table, options.roles);
  const Roles& roles = out.roles;
  for (const auto& c : table.columns) out.columns.push_back({c.name, c.type, schema::role_of(roles, c.name)});
  check_rows(table, roles);
  out.input_rows = table.rows;

  const bool events = rows_are_events(table, roles, options.rows);
  out.events = events;
  if (events) {
    out.notices.push_back(table.source + ": each row counted as one lead (" +
                          (roles.leads.empty() ? std::string("the file has no leads column")
                                               : "the leads column '" + roles.leads + "' is ignored") +
                          ")");
  }

  const Column& time_column = table.at(roles.time);
  std::vector<uint8_t> offset_given;
  std::vector<int64_t> times = times_of(table, time_column, options.zone ? &offset_given : nullptr);
  if (options.zone) {
#ifdef __EMSCRIPTEN__
    // No zone reaches the page yet (time::load_zone is native only); this keeps localize()
    // and its messages out of the size-budgeted bundle until one does.
    throw Error(table.source + ": time zones are not available in this build; give the times with their offset");
#else
    out.zone = options.zone;
    localize(table, time_column, *options.zone, offset_given, roles.channel, times, out);
#endif
  }
  const RowValues values = row_values(table, roles, events, out);

  const Grid grid = detect_grid(table, time_column, times, events);
  if (events) warn_if_summary(table, grid, out);
  out.step = grid.step;
  out.regular = grid.regular;
  // Intervals without rows are zeros for counted events and for rows at arbitrary times
  // (no row means nothing happened); in a regular export they are missing unless told.
  out.gaps = (events || !grid.regular) ? Gaps::kZero : options.gaps;
  const size_t n = grid.size;

  const Channels channels = channels_of(table, roles.channel, n);
  const bool has_spend = !values.spend.empty(), has_revenue = !values.revenue.empty(),
             has_clicks = !values.clicks.empty();
  out.total = empty_series("", grid, has_spend, has_revenue, has_clicks);
  for (const auto& name : channels.names)
    out.channels.push_back(empty_series(name, grid, has_spend, has_revenue, has_clicks));

  const bool refuse_duplicates = options.duplicates == Duplicates::kError ||
                                 (options.duplicates == Duplicates::kAuto && grid.regular && !events);
  add_rows(table, times, values, channels, grid, refuse_duplicates, !options.zone, out);
  count_gaps(out, n);
  add_notices(table, grid, events, n, out);
  return out;
}

BuildResult resample(const BuildResult& data, int64_t step) {
  if (step == data.step) return data;
  if (step < data.step || step % data.step != 0) {
    throw Error("the data is " + time::interval_data(data.step) + "; it cannot be turned into " +
                time::interval_adjective(step) + " data");
  }
  BuildResult out = data;
  out.step = step;
  out.notices.clear();
  const Series& src = data.total;
  const int64_t first = time::floor_div(src.start, step) * step;
  const int64_t ratio = step / data.step;
  // Only whole intervals: a partial first or last hour would be an undercount.
  int64_t begin = first;
  if (begin < src.start) begin += step;
  const int64_t end = time::floor_div(src.end(), step) * step;
  const size_t n = end > begin ? static_cast<size_t>((end - begin) / step) : 0;
  if (n == 0) {
    throw Error("the data covers less than one whole " + time::interval_name(step) +
                "; it cannot be summed to " + time::interval_adjective(step) + " data");
  }
  auto sum_into = [&](const std::vector<double>& v, std::vector<double>& to) {
    if (v.empty()) return;
    to.assign(n, 0.0);
    for (size_t k = 0; k < n; ++k) {
      const size_t from = static_cast<size_t>((begin - src.start) / data.step) + k * static_cast<size_t>(ratio);
      double acc = 0;
      for (int64_t j = 0; j < ratio; ++j) acc += v[from + static_cast<size_t>(j)];
      to[k] = acc;
    }
  };
  auto convert = [&](const Series& s) {
    Series r;
    r.channel = s.channel;
    r.start = begin;
    r.step = step;
    sum_into(s.leads, r.leads);
    sum_into(s.spend, r.spend);
    sum_into(s.revenue, r.revenue);
    sum_into(s.clicks, r.clicks);
    r.observed.assign(n, 0);
    for (size_t k = 0; k < n; ++k) {
      const size_t from = static_cast<size_t>((begin - src.start) / data.step) + k * static_cast<size_t>(ratio);
      for (int64_t j = 0; j < ratio; ++j) r.observed[k] |= s.observed[from + static_cast<size_t>(j)];
    }
    return r;
  };
  out.total = convert(data.total);
  for (size_t c = 0; c < data.channels.size(); ++c) out.channels[c] = convert(data.channels[c]);
  out.empty_intervals = 0;
  out.missing_leads = 0;
  out.trailing_missing = 0;
  for (size_t k = 0; k < n; ++k) {
    out.empty_intervals += out.total.observed[k] ? 0 : 1;
    out.missing_leads += std::isnan(out.total.leads[k]) ? 1 : 0;
  }
  for (size_t k = n; k > 0 && std::isnan(out.total.leads[k - 1]); --k) ++out.trailing_missing;
  std::string note = "the " + time::interval_adjective(data.step) + " data was summed to " +
                     time::interval_adjective(step) + " data";
  if (begin != src.start || end != src.end()) note += " (incomplete " + time::interval_name(step) + "s at the edges left out)";
  out.notices = data.notices;
  out.notices.push_back(note);
  return out;
}

}  // namespace fc::series
