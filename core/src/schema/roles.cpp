// Role detection: a name that fits and a type that fits beats a name alone, and a
// column is never given two roles. Type checks name the first bad cell, so a "leads"
// column full of text is reported instead of silently treating the file as events.
#include "funnelcast/schema/roles.hpp"

#include <algorithm>
#include <vector>

#include "funnelcast/base/error.hpp"
#include "funnelcast/io/csv.hpp"
#include "funnelcast/time/time.hpp"

namespace fc::schema {
namespace {

// Words that make a name a ratio or a summary of the thing rather than the thing:
// "cost_per_lead" is not spend, "conversion_rate" is not leads.
const char* const kRatioWords[] = {"per", "rate", "ratio", "pct", "percent", "avg", "average",
                                   "mean", "share", "growth", "change", "median"};
// Trailing words that only say the unit or the aggregate: "spend_usd", "leads_count".
const char* const kUnitWords[] = {"usd", "eur", "gbp", "inr", "jpy", "cad", "aud", "chf",
                                  "total", "sum", "count", "cnt", "amount", "num"};

bool contains(const char* const* begin, const char* const* end, const std::string& w) {
  return std::any_of(begin, end, [&](const char* x) { return w == x; });
}

bool is_synonym(const RoleDef& role, const std::string& normalized) {
  return std::any_of(role.synonyms.begin(), role.synonyms.end(),
                     [&](const char* s) { return normalized == s; });
}

// The word of a column name that says what it holds, or "" for ratios.
std::string head_word(const std::string& name) {
  std::vector<std::string> words = name_words(name);
  for (const auto& w : words)
    if (contains(std::begin(kRatioWords), std::end(kRatioWords), w)) return "";
  while (words.size() > 1 && contains(std::begin(kUnitWords), std::end(kUnitWords), words.back()))
    words.pop_back();
  return words.empty() ? "" : words.back();
}

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

size_t first_non_missing(const Column& c, size_t rows) {
  for (size_t r = 0; r < rows; ++r)
    if (!c.is_missing(r)) return r;
  return rows;
}

void check_type(const Table& t, const Column& c, RoleKind kind) {
  size_t bad = t.rows;
  const char* expected = nullptr;
  if (kind == RoleKind::kTime) {
    expected = "expected a timestamp like 2024-05-01 13:00";
    if (c.type == ColumnType::kCategory)
      bad = first_bad_level_row(c, t.rows, [](const std::string& s) {
        int64_t v;
        return time::parse_timestamp(s, v);
      });
    else if (c.type == ColumnType::kNumber)
      bad = first_non_missing(c, t.rows);
  } else if (kind != RoleKind::kCategory) {
    expected = "expected a number";
    if (c.type == ColumnType::kCategory)
      bad = first_bad_level_row(c, t.rows, [](const std::string& s) {
        double v;
        return csv::parse_number(s, v);
      });
    else if (c.type == ColumnType::kTimestamp)
      bad = first_non_missing(c, t.rows);
  }
  if (bad < t.rows) {
    throw Error(where(t, bad, c) + ": " + expected + ", found '" + shown(c.text(bad)) + "'");
  }
}

bool type_fits(const Column& c, RoleKind kind) {
  switch (kind) {
    case RoleKind::kTime: return c.type == ColumnType::kTimestamp;
    case RoleKind::kCategory: return true;
    default: return c.type == ColumnType::kNumber;
  }
}

int detect(const Table& t, const std::vector<bool>& used, const RoleDef& role) {
  const size_t n = t.columns.size();
  auto first = [&](auto accept) {
    for (size_t i = 0; i < n; ++i)
      if (!used[i] && accept(t.columns[i])) return static_cast<int>(i);
    return -1;
  };
  // 1. The whole name is a synonym and the type fits.
  int i = first([&](const Column& c) { return type_fits(c, role.kind) && is_synonym(role, normalize_name(c.name)); });
  if (i >= 0) return i;
  // 2. Time: the only timestamp-typed column, whatever its name.
  if (role.kind == RoleKind::kTime) {
    int only = -1, count = 0;
    for (size_t k = 0; k < n; ++k) {
      if (!used[k] && t.columns[k].type == ColumnType::kTimestamp) {
        only = static_cast<int>(k);
        ++count;
      }
    }
    if (count == 1) return only;
  }
  // 3. The name's head word is a synonym ("Marketing_Spend", "total_leads") and the type fits.
  i = first([&](const Column& c) { return type_fits(c, role.kind) && is_synonym(role, head_word(c.name)); });
  if (i >= 0) return i;
  // 4. The whole name is a synonym of any type, so its bad cell is reported by check_type.
  return first([&](const Column& c) { return is_synonym(role, normalize_name(c.name)); });
}

}  // namespace

std::string column_list(const Table& t) {
  std::string out;
  for (const auto& c : t.columns) out += (out.empty() ? "" : ", ") + c.name;
  return out.empty() ? "none" : out;
}

std::string role_of(const Roles& roles, const std::string& column) {
  if (column.empty()) return "";
  for (const auto& r : schema::roles())
    if (roles.*r.column == column) return r.name;
  return "";
}

Roles detect_roles(const Table& table, Roles given) {
  const auto& defs = roles();
  std::vector<bool> used(table.columns.size(), false);
  std::vector<const char*> used_by(table.columns.size(), nullptr);
  for (const auto& role : defs) {
    std::string& v = given.*role.column;
    if (v.empty() || v == "-") continue;
    const int i = table.find(v);
    if (i < 0) {
      throw Error(table.source + ": column '" + v + "' (given for " + role.name +
                  ") does not exist; columns: " + column_list(table));
    }
    if (used[i]) {
      throw Error(table.source + ": column '" + table.columns[i].name + "' is given for both " +
                  used_by[i] + " and " + role.name);
    }
    used[i] = true;
    used_by[i] = role.name;
    v = table.columns[i].name;
  }
  for (const auto& role : defs) {
    std::string& v = given.*role.column;
    if (v == "-") {
      v.clear();
      continue;
    }
    if (!v.empty()) continue;
    const int i = detect(table, used, role);
    if (i < 0) continue;
    used[i] = true;
    v = table.columns[i].name;
  }
  for (const auto& role : defs) {
    const std::string& v = given.*role.column;
    if (!v.empty()) check_type(table, table.at(v), role.kind);
  }
  return given;
}

}  // namespace fc::schema
