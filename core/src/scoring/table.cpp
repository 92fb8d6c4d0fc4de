// Reading a lead table for scoring. What the model learns from is decided here once, at
// training, and written into the model; scoring reads the same columns the same way
// through encode(), so a table cannot be scored differently from how it was learned.
#include "funnelcast/scoring/table.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <unordered_map>

#include "funnelcast/base/error.hpp"
#include "funnelcast/base/math.hpp"
#include "funnelcast/base/text.hpp"
#include "funnelcast/io/csv.hpp"
#include "funnelcast/schema/registry.hpp"
#include "funnelcast/time/time.hpp"

namespace fc::scoring {
namespace {

constexpr float kNaNf = std::numeric_limits<float>::quiet_NaN();
// Text columns with a distinct value on this share of rows are identifiers, not signals.
constexpr double kIdLikeShare = 0.9;
constexpr size_t kIdLikeMinRows = 50;
// Dictionaries keep the most frequent levels; the rare rest is read as missing.
constexpr size_t kMaxLevels = 1000;

std::string trimmed(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return s.substr(b, e - b);
}

bool is_known_positive(const std::string& label) {
  static const char* const kPositive[] = {"1", "yes", "y", "true", "t", "converted", "won", "purchased",
                                          "subscribed", "success", "positive", "responded", "bought", "churned"};
  const std::string l = text::ascii_lower(trimmed(label));
  return std::any_of(std::begin(kPositive), std::end(kPositive), [&](const char* p) { return l == p; });
}

// "1,234", "$12.50", "15%", " 7 " -> numbers; anything else is not one.
bool lenient_number(const std::string& text, double& out) {
  std::string s = trimmed(text);
  if (s.empty()) return false;
  if (csv::parse_number(s, out)) return true;
  bool percent = false;
  if (!s.empty() && s.back() == '%') {
    percent = true;
    s.pop_back();
  }
  // Currency symbols in front ($, EUR and GBP signs in UTF-8).
  for (const char* sym : {"$", "\xE2\x82\xAC", "\xC2\xA3"}) {
    const std::string p(sym);
    if (s.compare(0, p.size(), p) == 0) s = s.substr(p.size());
  }
  // Thousands separators: 1,234,567.89 (groups of three after the first).
  const size_t dot = s.find('.');
  const std::string whole = s.substr(0, dot);
  if (whole.find(',') != std::string::npos) {
    std::string digits;
    size_t group = 0;
    bool ok = true;
    for (size_t i = whole.size(); i-- > 0;) {
      const char c = whole[i];
      if (c == ',') {
        ok = ok && group == 3;
        group = 0;
      } else {
        ++group;
        digits.insert(digits.begin(), c);
      }
    }
    if (!ok || group == 0 || group > 3) return false;
    s = digits + (dot == std::string::npos ? "" : s.substr(dot));
  }
  if (!csv::parse_number(s, out)) return false;
  if (percent) out /= 100;
  return true;
}

// The values of a category column as numbers when every level is one.
bool numeric_levels(const Column& c, std::vector<double>& values) {
  values.resize(c.levels.size());
  for (size_t i = 0; i < c.levels.size(); ++i)
    if (!lenient_number(c.levels[i], values[i])) return false;
  return true;
}

bool id_like_name(const std::string& name) {
  const std::string n = schema::normalize_name(name);
  if (n == "id" || n == "uuid" || n == "email" || n == "emailaddress" || n == "phone" || n == "name" ||
      n == "fullname" || n == "firstname" || n == "lastname")
    return true;
  return n.size() > 2 && n.compare(n.size() - 2, 2, "id") == 0;
}

std::string shown(std::string s) {
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return s;
}

size_t distinct_non_missing(const Column& c, size_t rows, size_t& missing) {
  missing = 0;
  if (c.type == ColumnType::kCategory) {
    std::vector<uint8_t> seen(c.levels.size(), 0);
    size_t distinct = 0;
    for (size_t r = 0; r < rows; ++r) {
      const int32_t code = c.codes[r];
      if (code == kMissingCode) {
        ++missing;
        continue;
      }
      if (!seen[code]) {
        seen[code] = 1;
        ++distinct;
      }
    }
    return distinct;
  }
  std::vector<double> v;
  v.reserve(rows);
  for (size_t r = 0; r < rows; ++r) {
    if (c.is_missing(r)) {
      ++missing;
      continue;
    }
    v.push_back(c.type == ColumnType::kNumber ? c.numbers[r] : static_cast<double>(c.times[r]));
  }
  std::sort(v.begin(), v.end());
  return static_cast<size_t>(std::unique(v.begin(), v.end()) - v.begin());
}

const char* type_name(ColumnType t) { return to_string(t); }

std::string column_list(const Table& t) {
  std::string out;
  for (const auto& c : t.columns) out += (out.empty() ? "" : ", ") + c.name;
  return out;
}


// ---- The steps of infer() and encode() --------------------------------------

// A column the caller named (to drop, for the folds, as the id), as the table spells it.
std::string named_column(const Table& table, const std::string& name, const std::string& what) {
  const int i = table.find(name);
  if (i < 0) throw Error(table.source + ": no column '" + name + "'" + what + "; columns: " + column_list(table));
  return table.columns[static_cast<size_t>(i)].name;
}

double missing_share(size_t missing, size_t rows) {
  return static_cast<double>(missing) / static_cast<double>(std::max<size_t>(rows, 1));
}

// A timestamp column as its date parts; the hour only when some row has one.
void add_date_parts(const Table& table, const Column& c, size_t missing, std::vector<model::ScoreFeature>& features) {
  bool times = false;
  for (size_t r = 0; r < table.rows && !times; ++r)
    if (!c.is_missing(r) && time::hour_of_day(c.times[r]) != 0) times = true;
  for (const char* part : {"month", "weekday", "day", "hour"}) {
    if (std::string(part) == "hour" && !times) continue;
    model::ScoreFeature f;
    f.name = c.name + "_" + part;
    f.column = c.name;
    f.kind = part;
    f.missing_share = missing_share(missing, table.rows);
    features.push_back(std::move(f));
  }
}

// A number feature's range and median (numbers written as text read through level_values).
void set_range(model::ScoreFeature& f, const Table& table, const Column& c, const std::vector<double>& level_values) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  std::vector<double> seen;
  seen.reserve(table.rows);
  for (size_t r = 0; r < table.rows; ++r) {
    if (c.is_missing(r)) continue;
    const double v = c.type == ColumnType::kNumber ? c.numbers[r] : level_values[static_cast<size_t>(c.codes[r])];
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    seen.push_back(v);
  }
  f.min = lo;
  f.max = hi;
  f.median = kNaN;
  if (!seen.empty()) {  // the middle value, or the mean of the two middle ones
    const size_t mid = seen.size() / 2;
    std::nth_element(seen.begin(), seen.begin() + static_cast<ptrdiff_t>(mid), seen.end());
    f.median = seen[mid];
    if (seen.size() % 2 == 0) f.median = (*std::max_element(seen.begin(), seen.begin() + static_cast<ptrdiff_t>(mid)) + seen[mid]) / 2;
  }
}

// Levels by frequency (then first appearance), the most frequent kMaxLevels kept.
void set_levels(model::ScoreFeature& f, const Table& table, const Column& c, std::vector<std::string>& notices) {
  std::vector<size_t> count(c.levels.size(), 0);
  for (size_t r = 0; r < table.rows; ++r)
    if (c.codes[r] != kMissingCode) ++count[static_cast<size_t>(c.codes[r])];
  std::vector<size_t> order;
  for (size_t i = 0; i < c.levels.size(); ++i)
    if (count[i]) order.push_back(i);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return count[a] > count[b]; });
  if (order.size() > kMaxLevels) {
    notices.push_back(table.source + ": column '" + c.name + "' has " + std::to_string(order.size()) +
                      " values; the " + std::to_string(kMaxLevels) +
                      " most frequent are kept and the rest read as missing");
    order.resize(kMaxLevels);
  }
  for (size_t i : order) f.levels.push_back(c.levels[i]);
}

// Whole numbers, a different one on every row, packed into a range at most twice as wide
// as the rows (a lead number, a row counter, a numeric id): they name the row, they do
// not describe the lead, and a model that reads them learns the order of the export.
bool running_number(const Column& c, size_t rows, size_t present) {
  double lo = INFINITY, hi = -INFINITY;
  for (size_t r = 0; r < rows; ++r) {
    if (c.is_missing(r)) continue;
    const double v = c.numbers[r];
    if (v != std::floor(v)) return false;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  return hi - lo + 1 <= 2.0 * static_cast<double>(present);
}

// A column of numbers or text: an id (kept as the id or left out), a running number (left
// out), or a number or category feature.
void add_value_column(const Table& table, const Column& c, size_t missing, size_t distinct, model::TableColumn& col,
                      const std::function<void(const char*)>& leave_out, Inferred& out) {
  const size_t present = table.rows - missing;
  std::vector<double> level_values;
  const bool numeric = c.type == ColumnType::kNumber ||
                       (c.type == ColumnType::kCategory && numeric_levels(c, level_values));
  const bool unique = present >= kIdLikeMinRows &&
                      static_cast<double>(distinct) >= kIdLikeShare * static_cast<double>(present);
  const bool all_distinct = distinct == present && present >= kIdLikeMinRows;
  const bool id_like = (!numeric && unique) || (numeric && all_distinct && id_like_name(c.name));
  if (numeric && all_distinct && c.type == ColumnType::kNumber && !id_like_name(c.name) &&
      running_number(c, table.rows, present)) {
    leave_out("a running number: a different whole number on every row");
    return;
  }
  if (id_like) {
    if (out.id_column.empty() && id_like_name(c.name)) {
      out.id_column = c.name;
      col.use = "id";
    } else {
      leave_out("id-like");
    }
    return;
  }
  model::ScoreFeature f;
  f.name = c.name;
  f.column = c.name;
  f.kind = numeric ? "number" : "category";
  f.missing_share = missing_share(missing, table.rows);
  if (numeric) {
    set_range(f, table, c, level_values);
    if (c.type == ColumnType::kCategory) {
      // A percentage is read as a fraction ("15%" -> 0.15): said with the largest one as the
      // example, never silently ("987%" read as 9.87 is then plain to see).
      size_t largest = c.levels.size();
      for (size_t i = 0; i < c.levels.size(); ++i)
        if (trimmed(c.levels[i]).back() == '%' &&
            (largest == c.levels.size() || std::fabs(level_values[i]) > std::fabs(level_values[largest])))
          largest = i;
      std::string percent;
      if (largest < c.levels.size()) {
        char b[48];
        std::snprintf(b, sizeof b, "%.10g", level_values[largest]);
        percent = "; percentages are read as fractions ('" + shown(trimmed(c.levels[largest])) + "' as " + b + ")";
      }
      out.notices.push_back(table.source + ": column '" + c.name + "' holds numbers written as text; read as numbers" +
                            percent);
    }
  } else {
    set_levels(f, table, c, out.notices);
  }
  out.features.push_back(std::move(f));
}

// What encode() needs to fill one feature's column of the matrix and word its errors.
struct Encoding {
  const Table& table;
  const std::string& model_name;
  size_t rows, width;
};

void encode_number(const Encoding& en, const Column& c, const model::ScoreFeature& feature, size_t f, Encoded& e) {
  const Table& table = en.table;
  float* out = e.x.values.data() + f;
  if (c.type == ColumnType::kTimestamp)
    throw Error(table.source + ": column '" + c.name + "' holds timestamps, but " + en.model_name +
                " reads it as a number");
  // The training range widened by a tenth of its width on each side; no check without a
  // range (NaN, or a single value: an imported model records none).
  const double margin = 0.1 * (feature.max - feature.min);
  const bool ranged = std::isfinite(margin) && margin > 0;
  const double lo = ranged ? feature.min - margin : -INFINITY;
  const double hi = ranged ? feature.max + margin : INFINITY;
  const double mid = 0.5 * (feature.min + feature.max);
  std::vector<double> level_value;
  std::vector<int8_t> level_ok;
  if (c.type == ColumnType::kCategory) {
    level_value.resize(c.levels.size());
    level_ok.resize(c.levels.size());
    for (size_t i = 0; i < c.levels.size(); ++i) level_ok[i] = lenient_number(c.levels[i], level_value[i]) ? 1 : 0;
    // Said, as training says it: numbers written as text, and a percentage read as a
    // fraction with the largest one as the example ('987%' as 9.87 is then plain to see).
    size_t largest = c.levels.size();
    for (size_t i = 0; i < c.levels.size(); ++i)
      if (level_ok[i] && trimmed(c.levels[i]).back() == '%' &&
          (largest == c.levels.size() || std::fabs(level_value[i]) > std::fabs(level_value[largest])))
        largest = i;
    e.as_text[f] = "holds numbers written as text; read as numbers";
    if (largest < c.levels.size()) {
      char b[48];
      std::snprintf(b, sizeof b, "%.10g", level_value[largest]);
      e.as_text[f] += "; percentages are read as fractions ('" + shown(trimmed(c.levels[largest])) + "' as " + b + ")";
    }
  }
  for (size_t r = 0; r < en.rows; ++r) {
    if (c.is_missing(r)) {
      ++e.missing[f];
      continue;
    }
    double v;
    if (c.type == ColumnType::kNumber) {
      v = c.numbers[r];
    } else {
      const size_t code = static_cast<size_t>(c.codes[r]);
      if (!level_ok[code])
        throw Error(table.source + ": line " + std::to_string(table.line(r)) + ", column '" + c.name +
                    "': " + en.model_name + " reads it as a number, found '" + shown(c.levels[code]) + "'");
      v = level_value[code];
    }
    out[r * en.width] = static_cast<float>(v);
    if (v < lo || v > hi) {
      ++e.out_of_range[f];
      if (std::isnan(e.farthest[f]) || std::fabs(v - mid) > std::fabs(e.farthest[f] - mid)) e.farthest[f] = v;
    }
  }
}

void encode_category(const Encoding& en, const Column& c, const model::ScoreFeature& feature, size_t f, Encoded& e) {
  float* out = e.x.values.data() + f;
  e.category_counts[f] = static_cast<uint32_t>(feature.levels.size());
  std::unordered_map<std::string, uint32_t> code_of;
  code_of.reserve(feature.levels.size());
  for (size_t i = 0; i < feature.levels.size(); ++i) code_of.emplace(feature.levels[i], static_cast<uint32_t>(i));
  auto lookup = [&](const std::string& text) -> float {
    auto it = code_of.find(text);
    return it == code_of.end() ? kNaNf : static_cast<float>(it->second);
  };
  if (c.type == ColumnType::kCategory) {
    std::vector<float> level_code(c.levels.size());
    for (size_t i = 0; i < c.levels.size(); ++i) level_code[i] = lookup(c.levels[i]);
    for (size_t r = 0; r < en.rows; ++r) {
      if (c.codes[r] == kMissingCode) {
        ++e.missing[f];
        continue;
      }
      const float v = level_code[static_cast<size_t>(c.codes[r])];
      if (std::isnan(v)) ++e.unseen[f];
      out[r * en.width] = v;
    }
  } else {
    for (size_t r = 0; r < en.rows; ++r) {
      if (c.is_missing(r)) {
        ++e.missing[f];
        continue;
      }
      const float v = lookup(c.text(r));
      if (std::isnan(v)) ++e.unseen[f];
      out[r * en.width] = v;
    }
  }
}

void encode_date_part(const Encoding& en, const Column& c, const model::ScoreFeature& feature, size_t f,
                      Encoded& e) {
  const Table& table = en.table;
  float* out = e.x.values.data() + f;
  std::vector<int64_t> level_time;
  if (c.type == ColumnType::kCategory) {
    level_time.assign(c.levels.size(), kMissingTime);
    for (size_t i = 0; i < c.levels.size(); ++i) time::parse_timestamp(c.levels[i], level_time[i]);
  } else if (c.type != ColumnType::kTimestamp) {
    // A column with no value at all (a blank field of the page's one-lead form) is read as
    // numbers by the CSV reader: every cell is simply missing.
    for (size_t r = 0; r < en.rows; ++r)
      if (!c.is_missing(r))
        throw Error(table.source + ": column '" + c.name + "' holds numbers, but " + en.model_name +
                    " reads it as a date");
    e.missing[f] += en.rows;
    return;
  }
  // The model learned the hour from times of day; dates without one (every value of this
  // table at 00:00:00, as a date-only export reads) are no hour at all, not midnight: the
  // hour is unknown and said so.
  bool dates_only = feature.kind == "hour";
  for (size_t r = 0; r < en.rows && dates_only; ++r) {
    if (c.is_missing(r)) continue;
    const int64_t t = c.type == ColumnType::kTimestamp ? c.times[r] : level_time[static_cast<size_t>(c.codes[r])];
    if (t == kMissingTime || time::floor_div(t, time::kDay) * time::kDay != t) dates_only = false;
  }
  for (size_t r = 0; r < en.rows; ++r) {
    if (c.is_missing(r)) {
      ++e.missing[f];
      continue;
    }
    if (dates_only) {
      ++e.no_time[f];
      continue;
    }
    int64_t t = c.type == ColumnType::kTimestamp ? c.times[r] : level_time[static_cast<size_t>(c.codes[r])];
    if (t == kMissingTime)
      throw Error(table.source + ": line " + std::to_string(table.line(r)) + ", column '" + c.name + "': " +
                  en.model_name + " reads it as a date, found '" + shown(c.text(r)) + "'");
    double v;
    if (feature.kind == "month") v = time::date_of(t).month;
    else if (feature.kind == "weekday") v = time::day_of_week(t);
    else if (feature.kind == "day") v = time::date_of(t).day;
    else v = time::hour_of_day(t);
    out[r * en.width] = static_cast<float>(v);
  }
}

}  // namespace

Target read_target(const Table& table, const std::string& column, const std::string& positive) {
  if (column.empty()) throw Error(table.source + ": which column is the outcome? Name it (CLI: --target COL)");
  const int index = table.find(column);
  if (index < 0)
    throw Error(table.source + ": no column '" + column + "' for the outcome; columns: " + column_list(table));
  const Column& c = table.columns[static_cast<size_t>(index)];
  if (c.type == ColumnType::kTimestamp)
    throw Error(table.source + ": column '" + c.name + "' holds timestamps; the outcome must be yes/no");
  // Labels as text, in order of first appearance.
  std::vector<std::string> labels;
  std::vector<size_t> counts;
  std::vector<int> label_of(table.rows, -1);
  std::unordered_map<std::string, int> index_of;
  for (size_t r = 0; r < table.rows; ++r) {
    if (c.is_missing(r)) continue;
    const std::string text = trimmed(c.text(r));
    auto it = index_of.find(text);
    if (it == index_of.end()) {
      it = index_of.emplace(text, static_cast<int>(labels.size())).first;
      labels.push_back(text);
      counts.push_back(0);
    }
    label_of[r] = it->second;
    ++counts[static_cast<size_t>(it->second)];
  }
  const std::string where = table.source + ": column '" + c.name + "'";
  if (labels.empty()) throw Error(where + " has no values; a model needs outcomes to learn from");
  if (labels.size() == 1)
    throw Error(where + " has one label ('" + shown(labels[0]) + "') in all " + std::to_string(counts[0]) +
                " rows; a model needs rows of both outcomes");
  if (labels.size() > 2) {
    std::string list;
    for (size_t i = 0; i < labels.size() && i < 6; ++i) list += (i ? ", '" : "'") + shown(labels[i]) + "'";
    if (labels.size() > 6) list += ", ...";
    throw Error(where + " has " + std::to_string(labels.size()) + " labels (" + list +
                "); a yes/no outcome has two. Choose a column with two labels, or make one");
  }
  int pos = -1;
  if (!positive.empty()) {
    for (int i = 0; i < 2; ++i)
      if (labels[static_cast<size_t>(i)] == trimmed(positive)) pos = i;
    if (pos < 0)
      for (int i = 0; i < 2; ++i)
        if (text::ascii_lower(labels[static_cast<size_t>(i)]) == text::ascii_lower(trimmed(positive))) pos = i;
    if (pos < 0)
      throw Error(where + " has the labels '" + shown(labels[0]) + "' and '" + shown(labels[1]) + "', not '" +
                  shown(positive) + "' (given as the positive label)");
  } else {
    const bool first = is_known_positive(labels[0]), second = is_known_positive(labels[1]);
    if (first == second)
      throw Error(where + " has the labels '" + shown(labels[0]) + "' and '" + shown(labels[1]) +
                  "'; say which one is the outcome to predict (CLI: --positive LABEL)");
    pos = first ? 0 : 1;
  }
  Target t;
  t.positive = labels[static_cast<size_t>(pos)];
  t.negative = labels[static_cast<size_t>(1 - pos)];
  t.y.assign(table.rows, kNaN);
  for (size_t r = 0; r < table.rows; ++r) {
    if (label_of[r] < 0) {
      ++t.missing;
      continue;
    }
    t.y[r] = label_of[r] == pos ? 1.0 : 0.0;
    (label_of[r] == pos ? t.positives : t.negatives) += 1;
  }
  return t;
}

Inferred infer(const Table& table, const ColumnOptions& options) {
  Inferred out;
  out.target = read_target(table, options.target, options.positive);
  const std::string target = table.columns[static_cast<size_t>(table.find(options.target))].name;
  out.schema.source = table.source;
  out.schema.input_rows = table.rows;
  out.schema.rows_used = out.target.positives + out.target.negatives;
  if (out.target.missing)
    out.notices.push_back(table.source + ": " + std::to_string(out.target.missing) + " rows have no value in '" +
                          target + "' and are left out");

  std::vector<std::string> drop;
  for (const auto& d : options.drop) drop.push_back(named_column(table, d, " to drop"));
  std::string fold_column;
  if (!options.fold.empty()) fold_column = named_column(table, options.fold, " for the folds");
  if (!options.id.empty()) {
    out.id_column = named_column(table, options.id, " for the id");
    if (out.id_column == target) throw Error(table.source + ": the id column cannot be the outcome '" + target + "'");
  }

  std::vector<std::string> dropped_text;
  for (const Column& c : table.columns) {
    model::TableColumn col{c.name, type_name(c.type), "feature", ""};
    const std::function<void(const char*)> leave_out = [&](const char* reason) {
      col.use = "dropped";
      col.reason = reason;
      dropped_text.push_back("'" + c.name + "' (" + reason + ")");
    };
    size_t missing = 0;
    const size_t distinct = distinct_non_missing(c, table.rows, missing);
    const size_t present = table.rows - missing;
    if (c.name == target) {
      col.use = "target";
    } else if (c.name == out.id_column) {
      col.use = "id";
    } else if (std::find(drop.begin(), drop.end(), c.name) != drop.end()) {
      leave_out("asked");
    } else if (c.name == fold_column) {
      leave_out("folds");
    } else if (present == 0) {
      leave_out("empty");
    } else if (distinct == 1) {
      leave_out("constant");
    } else if (c.type == ColumnType::kTimestamp) {
      add_date_parts(table, c, missing, out.features);
    } else {
      add_value_column(table, c, missing, distinct, col, leave_out, out);
    }
    out.schema.columns.push_back(std::move(col));
  }
  if (!dropped_text.empty()) {
    std::string list;
    for (const auto& d : dropped_text) list += (list.empty() ? "" : ", ") + d;
    out.notices.push_back(table.source + ": left out of the model: " + list);
  }
  if (out.features.empty())
    throw Error(table.source + ": no column is left to learn from (every column is the outcome, the id, dropped, "
                "constant or an identifier)");
  return out;
}

Encoded encode(const std::vector<model::ScoreFeature>& features, const Table& table, const std::string& model_name) {
  // Every missing column in one message.
  std::vector<int> index(features.size(), -1);
  std::string absent;
  for (size_t f = 0; f < features.size(); ++f) {
    index[f] = table.find(features[f].column);
    if (index[f] < 0 && absent.find("'" + features[f].column + "'") == std::string::npos)
      absent += (absent.empty() ? "'" : ", '") + features[f].column + "'";
  }
  if (!absent.empty())
    throw Error(table.source + " lacks columns that " + model_name + " needs: " + absent + "; columns: " + column_list(table));

  Encoded e;
  const size_t n = table.rows, width = features.size();
  e.x.rows = n;
  e.x.cols = width;
  e.x.values.assign(n * width, kNaNf);
  e.category_counts.assign(width, 0);
  e.unseen.assign(width, 0);
  e.missing.assign(width, 0);
  e.out_of_range.assign(width, 0);
  e.no_time.assign(width, 0);
  e.as_text.assign(width, "");
  e.farthest.assign(width, std::nan(""));
  for (const auto& f : features) e.x.names.push_back(f.name);
  const Encoding en{table, model_name, n, width};
  for (size_t f = 0; f < width; ++f) {
    const model::ScoreFeature& feature = features[f];
    const Column& c = table.columns[static_cast<size_t>(index[f])];
    if (feature.kind == "number") {
      encode_number(en, c, feature, f, e);
    } else if (feature.kind == "category") {
      encode_category(en, c, feature, f, e);
    } else {  // a date part
      encode_date_part(en, c, feature, f, e);
    }
  }
  return e;
}

std::string feature_value_text(const model::ScoreFeature& f, const Table& table, size_t row, float code) {
  const int i = table.find(f.column);
  if (f.kind == "number" || f.kind == "category") {
    if (i < 0 || table.columns[static_cast<size_t>(i)].is_missing(row)) return "";
    return table.columns[static_cast<size_t>(i)].text(row);
  }
  if (std::isnan(code)) return "";
  if (f.kind == "weekday") {
    static const char* const kDays[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
    const int d = static_cast<int>(code);
    return d >= 0 && d < 7 ? kDays[d] : "";
  }
  return std::to_string(static_cast<int>(code));
}

std::vector<std::string> text_columns(const std::vector<model::ScoreFeature>& features) {
  std::vector<std::string> out;
  for (const auto& f : features)
    if (f.kind == "category") out.push_back(f.column);
  return out;
}

}  // namespace fc::scoring
