// Every later stage (KPIs, anomalies, features, forecasts) assumes one value per
// hour with no holes, so this is where messy exports are either made regular or
// refused with a message that points at the offending line.
#include "funnelcast/series/series.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "funnelcast/io/csv.hpp"
#include "funnelcast/base/error.hpp"
#include "funnelcast/time/time.hpp"

namespace fc::series {
namespace {

constexpr int64_t kHour = 3600;
// A span beyond 20 years is almost surely a typo'd year; refusing it keeps one bad
// cell from allocating a grid of millions of hours (8766 = hours in an average year).
constexpr int64_t kMaxHours = 20 * 8766;
// Per-channel grids cost ~41 bytes a cell; a high-cardinality "campaign" column over
// years of hours would otherwise take gigabytes, which the browser cannot give.
constexpr size_t kMaxChannelCells = 5'000'000;
const char* const kNoneLabel = "(missing)";

enum class Kind { kTime, kNumber, kAny };

struct RoleInfo {
  const char* role;
  std::string Roles::*field;
  Kind kind;
  std::vector<const char*> aliases;  // normalized: lower case, no spaces, '_' or '-'
};

const std::vector<RoleInfo>& role_table() {
  static const std::vector<RoleInfo> kRoles = {
      {"time",
       &Roles::time,
       Kind::kTime,
       {"timestamp", "datetime", "date", "time", "hour", "ts", "createdat", "eventtime"}},
      {"leads",
       &Roles::leads,
       Kind::kNumber,
       {"leads", "lead", "conversions", "conversion", "signups", "signup", "responses", "leadcount",
        "nleads"}},
      {"spend",
       &Roles::spend,
       Kind::kNumber,
       {"spend", "cost", "adspend", "amountspent", "mediaspend"}},
      {"revenue", &Roles::revenue, Kind::kNumber, {"revenue", "sales", "income", "value"}},
      {"cpl", &Roles::cpl, Kind::kNumber, {"cpl", "costperlead"}},
      {"roi", &Roles::roi, Kind::kNumber, {"roi"}},
      {"channel",
       &Roles::channel,
       Kind::kAny,
       {"channel", "source", "campaign", "medium", "utmsource"}},
      // Last, so adding it cannot take a column any older role would have claimed.
      {"clicks",
       &Roles::clicks,
       Kind::kNumber,
       {"clicks", "sessions", "visits", "visitors", "sitevisits", "websitevisits", "traffic"}},
  };
  return kRoles;
}

std::string normalize(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (char c : name) {
    if (c == ' ' || c == '_' || c == '-') continue;
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out;
}

std::string column_list(const Table& t) {
  std::string out;
  for (const auto& c : t.columns) {
    if (!out.empty()) out += ", ";
    out += c.name;
  }
  return out.empty() ? "none" : out;
}

// Long cells would drown the message; the start is enough to find the row.
std::string shown(std::string s) {
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return s;
}

std::string where(const Table& t, size_t row, const Column& c) {
  return t.source + ": line " + std::to_string(t.line(row)) + ", column '" + c.name + "'";
}

// A category column can still be all numbers or all timestamps (a forced type, or a
// reader that kept it as text): parse each level once and accept it if every one parses.
// Returns the first row whose cell does not parse, or rows when all do.
template <typename Parse>
size_t first_bad_level_row(const Column& c, size_t rows, Parse parse) {
  std::vector<int8_t> ok(c.levels.size(), -1);
  for (size_t r = 0; r < rows; ++r) {
    const int32_t code = c.codes[r];
    if (code == kMissingCode) continue;
    if (ok[code] < 0) ok[code] = parse(c.levels[code]) ? 1 : 0;
    if (!ok[code]) return r;
  }
  return rows;
}

bool parses_number(const std::string& s) {
  double v;
  return csv::parse_number(s, v);
}
bool parses_time(const std::string& s) {
  int64_t v;
  return time::parse_timestamp(s, v);
}

size_t first_non_missing(const Column& c, size_t rows) {
  for (size_t r = 0; r < rows; ++r)
    if (!c.is_missing(r)) return r;
  return rows;
}

void check_type(const Table& t, const Column& c, Kind kind) {
  size_t bad = t.rows;
  const char* expected = nullptr;
  if (kind == Kind::kTime) {
    expected = "expected a timestamp like 2024-05-01 13:00";
    if (c.type == ColumnType::kCategory)
      bad = first_bad_level_row(c, t.rows, parses_time);
    else if (c.type == ColumnType::kNumber)
      bad = first_non_missing(c, t.rows);
  } else if (kind == Kind::kNumber) {
    expected = "expected a number";
    if (c.type == ColumnType::kCategory)
      bad = first_bad_level_row(c, t.rows, parses_number);
    else if (c.type == ColumnType::kTimestamp)
      bad = first_non_missing(c, t.rows);
  }
  if (bad < t.rows) {
    throw Error(where(t, bad, c) + ": " + expected + ", found '" + shown(c.text(bad)) + "'");
  }
}

int find_alias(const Table& t, const std::vector<bool>& used, const char* alias,
               const ColumnType* type) {
  for (size_t i = 0; i < t.columns.size(); ++i) {
    if (used[i]) continue;
    if (type && t.columns[i].type != *type) continue;
    if (normalize(t.columns[i].name) == alias) return static_cast<int>(i);
  }
  return -1;
}

int detect(const Table& t, const std::vector<bool>& used, const RoleInfo& info) {
  const ColumnType want = info.kind == Kind::kTime ? ColumnType::kTimestamp : ColumnType::kNumber;
  // A name that fits and a type that fits beats a name that fits alone: "date" typed as
  // text next to a real "created_at" timestamp should not win.
  if (info.kind != Kind::kAny) {
    for (const char* a : info.aliases) {
      const int i = find_alias(t, used, a, &want);
      if (i >= 0) return i;
    }
  }
  if (info.kind == Kind::kTime) {
    int only = -1, count = 0;
    for (size_t i = 0; i < t.columns.size(); ++i) {
      if (!used[i] && t.columns[i].type == ColumnType::kTimestamp) {
        only = static_cast<int>(i);
        ++count;
      }
    }
    if (count == 1) return only;
  }
  // Otherwise the first name match of any type, so a "leads" column full of text is
  // reported with its bad cell instead of silently treating the file as event-level.
  for (const char* a : info.aliases) {
    const int i = find_alias(t, used, a, nullptr);
    if (i >= 0) return i;
  }
  return -1;
}

// Column values as doubles, NaN = missing, parsing text levels when the column is a category.
std::vector<double> numbers_of(const Column& c, size_t rows) {
  if (c.type == ColumnType::kNumber) return c.numbers;
  std::vector<double> out(rows, std::numeric_limits<double>::quiet_NaN());
  if (c.type != ColumnType::kCategory) return out;  // check_type refused anything else
  std::vector<double> level(c.levels.size());
  for (size_t i = 0; i < c.levels.size(); ++i) {
    if (!csv::parse_number(c.levels[i], level[i]))
      level[i] = std::numeric_limits<double>::quiet_NaN();
  }
  for (size_t r = 0; r < rows; ++r)
    if (c.codes[r] != kMissingCode) out[r] = level[c.codes[r]];
  return out;
}

std::vector<int64_t> times_of(const Table& t, const Column& c) {
  std::vector<int64_t> out(t.rows, kMissingTime);
  if (c.type == ColumnType::kTimestamp) {
    out = c.times;
  } else if (c.type == ColumnType::kCategory) {
    std::vector<int64_t> level(c.levels.size(), kMissingTime);
    for (size_t i = 0; i < c.levels.size(); ++i) time::parse_timestamp(c.levels[i], level[i]);
    for (size_t r = 0; r < t.rows; ++r)
      if (c.codes[r] != kMissingCode) out[r] = level[c.codes[r]];
  }
  for (size_t r = 0; r < t.rows; ++r) {
    if (out[r] == kMissingTime) {
      throw Error(where(t, r, c) + ": missing timestamp (every row needs one)");
    }
  }
  return out;
}

// Numeric role values checked row by row; missing cells become 0 and are counted.
std::vector<double> role_numbers(const Table& t, const std::string& name, const char* role,
                                 bool non_negative, size_t& missing) {
  const Column& c = t.at(name);
  std::vector<double> v = numbers_of(c, t.rows);
  for (size_t r = 0; r < t.rows; ++r) {
    if (std::isnan(v[r])) {
      ++missing;
      continue;
    }
    if (!std::isfinite(v[r])) {
      throw Error(where(t, r, c) + ": expected a finite number, found '" + shown(c.text(r)) + "'");
    }
    if (non_negative && v[r] < 0) {
      throw Error(where(t, r, c) + ": " + role + " cannot be negative, found '" + shown(c.text(r)) +
                  "'");
    }
  }
  return v;
}

HourlySeries empty_series(std::string channel, int64_t start, size_t hours, bool spend,
                          bool revenue, bool clicks) {
  HourlySeries s;
  s.channel = std::move(channel);
  s.start = start;
  s.leads.assign(hours, 0.0);
  if (spend) s.spend.assign(hours, 0.0);
  if (revenue) s.revenue.assign(hours, 0.0);
  if (clicks) s.clicks.assign(hours, 0.0);
  s.observed.assign(hours, 0);
  return s;
}

void finish(HourlySeries& s) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const size_t n = s.leads.size();
  if (!s.spend.empty()) {
    s.cpl.resize(n);
    for (size_t i = 0; i < n; ++i) s.cpl[i] = s.leads[i] > 0 ? s.spend[i] / s.leads[i] : nan;
  }
  if (!s.spend.empty() && !s.revenue.empty()) {
    s.roi.resize(n);
    for (size_t i = 0; i < n; ++i)
      s.roi[i] = s.spend[i] != 0 ? (s.revenue[i] - s.spend[i]) / s.spend[i] : nan;
  }
}

}  // namespace

Roles detect_roles(const Table& table, Roles given) {
  const auto& roles = role_table();
  std::vector<bool> used(table.columns.size(), false);
  std::vector<const char*> used_by(table.columns.size(), nullptr);
  for (const auto& info : roles) {
    std::string& v = given.*info.field;
    if (v.empty()) continue;
    if (v == "-") continue;
    const int i = table.find(v);
    if (i < 0) {
      throw Error(table.source + ": column '" + v + "' (given for " + info.role +
                  ") does not exist; columns: " + column_list(table));
    }
    if (used[i]) {
      throw Error(table.source + ": column '" + table.columns[i].name + "' is given for both " +
                  used_by[i] + " and " + info.role);
    }
    used[i] = true;
    used_by[i] = info.role;
    v = table.columns[i].name;
  }
  for (const auto& info : roles) {
    std::string& v = given.*info.field;
    if (v == "-") {
      v.clear();
      continue;
    }
    if (!v.empty()) continue;
    const int i = detect(table, used, info);
    if (i < 0) continue;
    used[i] = true;
    v = table.columns[i].name;
  }
  for (const auto& info : roles) {
    const std::string& v = given.*info.field;
    if (!v.empty()) check_type(table, table.at(v), info.kind);
  }
  return given;
}

BuildResult hourly(const Table& table, const Options& options) {
  BuildResult out;
  out.roles = detect_roles(table, options.roles);
  const Roles& roles = out.roles;
  if (roles.time.empty()) {
    throw Error(table.source +
                ": no time column found (looked for timestamp, datetime, date_time, date, time, "
                "hour, ts, created_at, event_time; columns: " +
                column_list(table) + "); choose the time column (CLI: --time COL)");
  }
  if (table.rows == 0) throw Error(table.source + ": the file has a header but no data rows");
  if (table.rows >= std::numeric_limits<uint32_t>::max()) {
    throw Error(table.source + ": more than 4 billion rows; split the file");
  }
  const size_t rows = table.rows;
  out.input_rows = rows;

  const std::vector<int64_t> time = times_of(table, table.at(roles.time));

  size_t missing = 0;
  std::vector<double> leads;
  if (!roles.leads.empty()) {
    leads = role_numbers(table, roles.leads, "leads", true, missing);
  } else {
    leads.assign(rows, 1.0);  // no count column: each row is one lead event
  }

  std::vector<double> spend, revenue;
  if (!roles.spend.empty()) {
    spend = role_numbers(table, roles.spend, "spend", false, missing);
  } else if (!roles.cpl.empty()) {
    const std::vector<double> cpl = role_numbers(table, roles.cpl, "cpl", false, missing);
    spend.resize(rows);
    for (size_t r = 0; r < rows; ++r) spend[r] = cpl[r] * leads[r];  // NaN cpl stays NaN
    out.spend_derived = true;
  }
  if (!roles.revenue.empty()) {
    revenue = role_numbers(table, roles.revenue, "revenue", false, missing);
  } else if (!roles.roi.empty() && !spend.empty()) {
    const std::vector<double> roi = role_numbers(table, roles.roi, "roi", false, missing);
    revenue.resize(rows);
    for (size_t r = 0; r < rows; ++r) revenue[r] = spend[r] * (1.0 + roi[r]);
    out.revenue_derived = true;
  }
  std::vector<double> clicks;
  if (!roles.clicks.empty()) clicks = role_numbers(table, roles.clicks, "clicks", true, missing);
  out.missing_cells = missing;

  bool on_hour = true;
  int64_t first = std::numeric_limits<int64_t>::max(), last = std::numeric_limits<int64_t>::min();
  for (int64_t t : time) {
    const int64_t h = time::floor_div(t, kHour);
    if (h * kHour != t) on_hour = false;
    first = std::min(first, h);
    last = std::max(last, h);
  }
  // Compare before subtracting anything that could overflow.
  if (static_cast<uint64_t>(last) - static_cast<uint64_t>(first) >=
      static_cast<uint64_t>(kMaxHours)) {
    throw Error(table.source + ": the timestamps run from " + time::format_timestamp(first * kHour) +
                " to " + time::format_timestamp(last * kHour) +
                ", more than 20 years of hours; check for a mistyped year");
  }
  const size_t hours = static_cast<size_t>(last - first + 1);
  const int64_t start = first * kHour;
  out.event_level = !on_hour;

  // Channel of every row, as an index into the sorted channel names.
  std::vector<int32_t> channel_of(rows, 0);
  std::vector<std::string> names;
  if (!roles.channel.empty()) {
    const Column& c = table.at(roles.channel);
    std::unordered_map<std::string, int32_t> ids;
    for (size_t r = 0; r < rows; ++r) {
      std::string label = c.is_missing(r) ? std::string(kNoneLabel) : c.text(r);
      auto it = ids.find(label);
      if (it == ids.end()) {
        it = ids.emplace(label, static_cast<int32_t>(names.size())).first;
        names.push_back(std::move(label));
      }
      channel_of[r] = it->second;
    }
    if (names.size() * hours > kMaxChannelCells) {
      throw Error(table.source + ": column '" + c.name + "' has " + std::to_string(names.size()) +
                  " distinct values over " + std::to_string(hours) +
                  " hours, too many for per-channel series; choose a coarser channel column or none "
                  "(CLI: --channel-column COL, or --channel-column - for none)");
    }
    std::vector<int32_t> order(names.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int32_t>(i);
    std::sort(order.begin(), order.end(),
              [&](int32_t a, int32_t b) { return names[a] < names[b]; });
    std::vector<int32_t> rank(names.size());
    std::vector<std::string> sorted(names.size());
    for (size_t k = 0; k < order.size(); ++k) {
      rank[order[k]] = static_cast<int32_t>(k);
      sorted[k] = names[order[k]];
    }
    for (auto& id : channel_of) id = rank[id];
    names = std::move(sorted);
  }
  const size_t width = std::max<size_t>(1, names.size());

  const bool has_spend = !spend.empty(), has_revenue = !revenue.empty(),
             has_clicks = !clicks.empty();
  out.total = empty_series("", start, hours, has_spend, has_revenue, has_clicks);
  for (const auto& name : names) {
    out.channels.push_back(empty_series(name, start, hours, has_spend, has_revenue, has_clicks));
  }

  const bool refuse_duplicates = options.duplicates == Duplicates::kError ||
                                 (options.duplicates == Duplicates::kAuto && on_hour);
  // Row + 1 of the first row in each hour and channel (0 = none yet).
  std::vector<uint32_t> first_row(hours * width, 0);
  const auto add = [](double& acc, double v) {
    if (!std::isnan(v)) acc += v;
  };
  for (size_t r = 0; r < rows; ++r) {
    const size_t h = static_cast<size_t>(time::floor_div(time[r], kHour) - first);
    const size_t key = h * width + static_cast<size_t>(channel_of[r]);
    if (first_row[key] == 0) {
      first_row[key] = static_cast<uint32_t>(r + 1);
    } else if (refuse_duplicates) {
      const int64_t hour_start = start + static_cast<int64_t>(h) * kHour;
      std::string what = time[r] == hour_start
                             ? "duplicate timestamp " + time::format_timestamp(hour_start)
                             : "a second row in the hour " + time::format_timestamp(hour_start);
      if (!names.empty()) what += " for channel '" + shown(names[channel_of[r]]) + "'";
      throw Error(table.source + ": line " + std::to_string(table.line(r)) + ": " + what +
                  " (first at line " + std::to_string(table.line(first_row[key] - 1)) +
                  "); an hourly export has one row per hour (and channel); to add such rows "
                  "up, sum duplicates (CLI: --duplicates sum)");
    } else {
      ++out.rows_aggregated;
    }
    HourlySeries* targets[2] = {&out.total, names.empty() ? nullptr : &out.channels[channel_of[r]]};
    for (HourlySeries* s : targets) {
      if (!s) continue;
      add(s->leads[h], leads[r]);
      if (has_spend) add(s->spend[h], spend[r]);
      if (has_revenue) add(s->revenue[h], revenue[r]);
      if (has_clicks) add(s->clicks[h], clicks[r]);
      s->observed[h] = 1;
    }
  }

  for (size_t h = 0; h < hours; ++h) out.empty_hours += out.total.observed[h] ? 0 : 1;
  finish(out.total);
  for (auto& s : out.channels) finish(s);
  return out;
}

}  // namespace fc::series
