// The CSV reader tokenizes the input into (offset, length) spans over the bytes it
// is given and converts numeric columns on the fly, while each record is still in
// cache. Columns that turn out not to be numeric keep their spans and are typed
// afterwards (timestamp, else category). Cells never get strings of their own;
// only fields with doubled quotes are unescaped, into one shared arena.
#include "funnelcast/io/csv.hpp"

#include <fast_float/fast_float.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <system_error>
#include <unordered_map>

#include "funnelcast/base/error.hpp"
#include "funnelcast/time/time.hpp"

namespace fc::csv {
namespace {

// Spans are 32-bit to halve the index memory on large files. Arena fields are
// addressed past the end of the input, and the arena can reach twice the input
// (the prefix re-scan unescapes again), so input plus arena stays below 4 GB.
constexpr size_t kMaxInputBytes = size_t{1} << 30;
constexpr size_t kSniffRecords = 20;
constexpr size_t kSniffBytes = size_t{1} << 20;
constexpr size_t kMaxQuotedValue = 40;
constexpr size_t kMaxListedColumns = 30;

struct Span {
  uint32_t begin;
  uint32_t size;
};

enum class Status { kRecord, kEnd, kUnterminatedQuote, kTextAfterQuote };

struct RecordInfo {
  uint32_t line = 0;  // physical line where the record starts
  bool blank = false;
  // Filled when next() reports an error.
  size_t error_field = 0;  // 0-based index of the offending field in its record
  uint32_t error_line = 0;
  char error_char = 0;
};

inline bool is_blank_char(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && is_blank_char(s[b])) ++b;
  while (e > b && is_blank_char(s[e - 1])) --e;
  return s.substr(b, e - b);
}

constexpr double kPowersOfTen[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

// Reads "[-]digits[.digits]" from the start of [p, end) when the result is
// exact by construction: a mantissa below 2^53 and a power of ten below 1e23 are
// both exact doubles, so one IEEE division rounds correctly, giving the same
// double as fast_float. That covers nearly every cell of a marketing export and
// runs several times faster; anything else (exponents, long mantissas) returns
// false and goes to fast_float.
inline bool read_simple_decimal(const char* p, const char* end, double& value, const char*& stop) {
  bool negative = false;
  if (p < end && *p == '-') {
    negative = true;
    ++p;
  }
  uint64_t mantissa = 0;
  const char* digits = p;
  while (p < end && static_cast<unsigned char>(*p - '0') < 10) {
    mantissa = mantissa * 10 + static_cast<unsigned char>(*p - '0');
    ++p;
  }
  size_t count = static_cast<size_t>(p - digits);
  size_t fraction = 0;
  if (p < end && *p == '.') {
    ++p;
    const char* fraction_start = p;
    while (p < end && static_cast<unsigned char>(*p - '0') < 10) {
      mantissa = mantissa * 10 + static_cast<unsigned char>(*p - '0');
      ++p;
    }
    fraction = static_cast<size_t>(p - fraction_start);
    count += fraction;
  }
  // 19 digits cannot overflow 64 bits; the 2^53 bound makes the conversion exact.
  if (count == 0 || count > 19 || mantissa > (uint64_t{1} << 53)) return false;
  double v = static_cast<double>(mantissa);
  if (fraction > 0) v /= kPowersOfTen[fraction];
  value = negative ? -v : v;
  stop = p;
  return true;
}

class Tokenizer {
 public:
  Tokenizer(std::string_view input, char delimiter, std::string* arena)
      : data_(input.data()), size_(input.size()), delimiter_(delimiter), arena_(arena) {
    field_stop_.fill(false);
    field_stop_[static_cast<unsigned char>(delimiter)] = true;
    field_stop_['\n'] = true;
    field_stop_['\r'] = true;
    quote_stop_.fill(false);
    quote_stop_['"'] = true;
    quote_stop_['\n'] = true;
    quote_stop_['\r'] = true;
  }

  // Appends the fields of the next record to `fields`. On an error the fields
  // appended so far stay in `fields`; the caller gives up on the input anyway.
  Status next(std::vector<Span>& fields, RecordInfo& info) {
    if (pos_ >= size_) return Status::kEnd;
    info.line = line_;
    info.blank = false;
    const size_t first = fields.size();
    bool quoted_any = false;
    for (;;) {
      const size_t index = fields.size() - first;
      if (index < hint_count_) parsed_[index] = 0;
      size_t start = pos_;
      bool quoted = start < size_ && data_[start] == '"';
      // Hand-written files often put a space after the delimiter, then a quote;
      // treating that as an ordinary quoted field avoids a baffling ragged-row error.
      if (!quoted && start < size_ && data_[start] == ' ' && delimiter_ != ' ') {
        size_t k = start;
        while (k < size_ && data_[k] == ' ') ++k;
        if (k < size_ && data_[k] == '"') {
          quoted = true;
          start = k;
        }
      }
      if (quoted) {
        quoted_any = true;
        const Status status = quoted_field(start, fields, first, info);
        if (status != Status::kRecord) return status;
      } else {
        size_t k = start;
        bool parsed = false;
        if (index < hint_count_ && hints_[index]) {
          // Letting the number parser find the field's end reads the bytes of a
          // numeric field once instead of twice.
          const char* const last = data_ + size_;
          double value;
          const char* stop = nullptr;
          if (!read_simple_decimal(data_ + start, last, value, stop) ||
              (stop < last && !field_stop_[static_cast<unsigned char>(*stop)])) {
            const auto result = fast_float::from_chars(data_ + start, last, value);
            stop = result.ec == std::errc() && std::isfinite(value) ? result.ptr : nullptr;
          }
          if (stop != nullptr && (stop >= last || field_stop_[static_cast<unsigned char>(*stop)])) {
            values_[index] = value;
            parsed_[index] = 1;
            k = static_cast<size_t>(stop - data_);
            parsed = true;
          }
        }
        if (!parsed) {
          while (k < size_ && !field_stop_[static_cast<unsigned char>(data_[k])]) ++k;
        }
        fields.push_back({static_cast<uint32_t>(start), static_cast<uint32_t>(k - start)});
        pos_ = k;
      }
      if (pos_ >= size_) break;
      const char c = data_[pos_];
      if (c == delimiter_) {
        ++pos_;
        continue;
      }
      // Only a line break can be left here: quoted_field() rejects anything else.
      ++pos_;
      if (c == '\r' && pos_ < size_ && data_[pos_] == '\n') ++pos_;
      ++line_;
      break;
    }
    if (!quoted_any && fields.size() - first == 1) {
      const Span s = fields.back();
      info.blank = trim(std::string_view(data_ + s.begin, s.size)).empty();
    }
    return Status::kRecord;
  }

  size_t position() const { return pos_; }

  // For field i < count with hints[i] set, next() tries to read an unquoted
  // number and, when the whole field is one, stores it in values[i] and sets
  // parsed[i]. Only valid when the delimiter cannot be part of a number.
  void set_number_hints(const uint8_t* hints, size_t count, double* values, uint8_t* parsed) {
    hints_ = hints;
    hint_count_ = count;
    values_ = values;
    parsed_ = parsed;
  }

 private:
  Status quoted_field(size_t open, std::vector<Span>& fields, size_t first, RecordInfo& info) {
    const uint32_t open_line = line_;
    const size_t content = open + 1;
    size_t k = content;
    bool doubled = false;
    for (;;) {
      while (k < size_ && !quote_stop_[static_cast<unsigned char>(data_[k])]) ++k;
      if (k >= size_) {
        info.error_field = fields.size() - first;
        info.error_line = open_line;
        return Status::kUnterminatedQuote;
      }
      const char c = data_[k];
      if (c == '"') {
        if (k + 1 < size_ && data_[k + 1] == '"') {
          doubled = true;
          k += 2;
          continue;
        }
        break;
      }
      // CRLF counts as one line: its '\r' is skipped and its '\n' counted.
      if (c == '\n' || k + 1 >= size_ || data_[k + 1] != '\n') ++line_;
      ++k;
    }
    if (!doubled) {
      fields.push_back({static_cast<uint32_t>(content), static_cast<uint32_t>(k - content)});
    } else {
      const size_t arena_start = arena_->size();
      for (size_t i = content; i < k; ++i) {
        arena_->push_back(data_[i]);
        if (data_[i] == '"') ++i;  // the second quote of a doubled pair
      }
      fields.push_back({static_cast<uint32_t>(size_ + arena_start),
                        static_cast<uint32_t>(arena_->size() - arena_start)});
    }
    pos_ = k + 1;
    while (pos_ < size_ && is_blank_char(data_[pos_]) && data_[pos_] != delimiter_) ++pos_;
    if (pos_ < size_) {
      const char c = data_[pos_];
      if (c != delimiter_ && c != '\n' && c != '\r') {
        info.error_field = fields.size() - 1 - first;
        info.error_line = line_;
        info.error_char = c;
        return Status::kTextAfterQuote;
      }
    }
    return Status::kRecord;
  }

  const char* data_;
  size_t size_;
  char delimiter_;
  std::string* arena_;
  size_t pos_ = 0;
  uint32_t line_ = 1;
  std::array<bool, 256> field_stop_;
  std::array<bool, 256> quote_stop_;
  const uint8_t* hints_ = nullptr;
  size_t hint_count_ = 0;
  double* values_ = nullptr;
  uint8_t* parsed_ = nullptr;
};

// fast_float may consume these characters (digits, signs, '.', exponents,
// "nan", "inf", "infinity"), so such a delimiter would be swallowed into a number.
bool delimiter_allows_number_hints(char c) {
  const bool alphanumeric =
      (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  return !alphanumeric && c != '.' && c != '+' && c != '-';
}

// Picks the candidate that splits the first records into the same number (> 1)
// of fields most often; ties go to the larger field count, then to the order
// ',' ';' '\t'. Each candidate gets a real quote-aware tokenization, so quoted
// text full of commas cannot fool it.
char sniff_delimiter(std::string_view input) {
  const bool truncated = input.size() > kSniffBytes;
  const std::string_view sample = input.substr(0, kSniffBytes);
  char best = ',';
  size_t best_matches = 0;
  size_t best_fields = 0;
  for (const char candidate : {',', ';', '\t'}) {
    std::string arena;
    Tokenizer tokenizer(sample, candidate, &arena);
    std::vector<Span> fields;
    std::vector<size_t> counts;
    RecordInfo info;
    while (counts.size() < kSniffRecords) {
      fields.clear();
      if (tokenizer.next(fields, info) != Status::kRecord) break;
      // A record that runs into the end of a cut sample may itself be cut.
      if (truncated && tokenizer.position() >= sample.size()) break;
      if (!info.blank) counts.push_back(fields.size());
    }
    // Mode of the field counts: the value shared by the most records.
    size_t mode = 0;
    size_t matches = 0;
    for (const size_t c : counts) {
      size_t m = 0;
      for (const size_t d : counts) m += (c == d);
      if (m > matches || (m == matches && c > mode)) {
        mode = c;
        matches = m;
      }
    }
    if (mode < 2) continue;
    if (matches > best_matches || (matches == best_matches && mode > best_fields)) {
      best = candidate;
      best_matches = matches;
      best_fields = mode;
    }
  }
  return best;
}

std::string quote_value(std::string_view value) {
  std::string out = "'";
  if (value.size() > kMaxQuotedValue) {
    out.append(value.substr(0, kMaxQuotedValue));
    out += "...";
  } else {
    out.append(value);
  }
  out += "'";
  return out;
}

std::string column_label(const std::vector<std::string>& names, size_t index) {
  if (index < names.size()) return "column '" + names[index] + "'";
  return "column " + std::to_string(index + 1);
}

std::string name_list(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < kMaxListedColumns; ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  if (names.size() > kMaxListedColumns) out += ", ...";
  return out;
}

[[noreturn]] void fail(const std::string& source, const std::string& message) {
  throw Error(source + ": " + message);
}

[[noreturn]] void fail_token(const std::string& source, Status status, const RecordInfo& info,
                             const std::vector<std::string>& names) {
  const std::string where = "line " + std::to_string(info.error_line) + ", " +
                            column_label(names, info.error_field) + ": ";
  if (status == Status::kUnterminatedQuote) {
    fail(source, where + "unterminated quoted field starting here");
  }
  const auto byte = static_cast<unsigned char>(info.error_char);
  std::string found;
  if (byte >= 0x20 && byte < 0x7F) {
    found = quote_value(std::string(1, info.error_char));
  } else {
    char hex[16];
    std::snprintf(hex, sizeof hex, "byte 0x%02X", byte);
    found = hex;
  }
  fail(source, where + "unexpected " + found +
                   " after the closing quote of a quoted field (write a quote inside a "
                   "quoted field as \"\")");
}

// Cells of one column as views over the input and the arena. Only columns that
// turned out not to be numeric keep their spans; numeric ones are converted as
// they are tokenized, while the record is still in cache.
class CellSource {
 public:
  CellSource(std::string_view input, const std::string& arena) : input_(input), arena_(arena) {}

  std::string_view operator()(Span s) const {
    if (s.begin >= input_.size()) {
      return std::string_view(arena_.data() + (s.begin - input_.size()), s.size);
    }
    return std::string_view(input_.data() + s.begin, s.size);
  }

 private:
  std::string_view input_;
  const std::string& arena_;
};

// For the cells the tokenizer could not read as plain numbers: quoted, padded
// with spaces, with a '+', or missing.
inline bool cell_to_number(std::string_view cell, double& out) {
  if (parse_number(cell, out)) return true;
  if (!is_missing_token(cell)) return false;
  out = std::numeric_limits<double>::quiet_NaN();
  return true;
}

// Fills `out`; on the first cell that is neither missing nor a timestamp,
// returns false with its row in `bad_row`.
bool to_times(const CellSource& cells, const std::vector<Span>& spans, std::vector<int64_t>& out,
              size_t& bad_row) {
  out.resize(spans.size());
  for (size_t r = 0; r < spans.size(); ++r) {
    const std::string_view cell = cells(spans[r]);
    if (is_missing_token(cell)) {
      out[r] = kMissingTime;
    } else if (!time::parse_timestamp(cell, out[r])) {
      bad_row = r;
      return false;
    }
  }
  return true;
}

void to_categories(const CellSource& cells, const std::vector<Span>& spans, Column& out) {
  out.codes.resize(spans.size());
  std::unordered_map<std::string_view, int32_t> index;
  for (size_t r = 0; r < spans.size(); ++r) {
    const std::string_view cell = cells(spans[r]);
    if (is_missing_token(cell)) {
      out.codes[r] = kMissingCode;
      continue;
    }
    const std::string_view value = trim(cell);
    const auto [it, inserted] = index.try_emplace(value, static_cast<int32_t>(out.levels.size()));
    if (inserted) out.levels.emplace_back(value);
    out.codes[r] = it->second;
  }
}

// Per-column state while the data rows stream by.
struct ColumnBuild {
  bool numeric = true;        // still converting to numbers on the fly
  bool forced = false;        // the caller fixed the type: a bad cell is an error
  size_t spans_from_row = 0;  // rows before this one were numbers and need a re-scan
  std::vector<Span> spans;
};

}  // namespace

bool is_missing_token(std::string_view cell) {
  const std::string_view s = trim(cell);
  if (s.empty()) return true;
  if (s.size() > 4 || (s[0] != 'n' && s[0] != 'N')) return false;
  char lower[4];
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    lower[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  const std::string_view l(lower, s.size());
  return l == "na" || l == "n/a" || l == "null" || l == "nan" || l == "none";
}

bool parse_number(std::string_view cell, double& out) {
  std::string_view s = trim(cell);
  if (!s.empty() && s[0] == '+') {
    s.remove_prefix(1);
    // fast_float would otherwise accept "+-1".
    if (s.empty() || s[0] == '-') return false;
  }
  if (s.empty()) return false;
  double value = 0;
  const char* stop = nullptr;
  if (read_simple_decimal(s.data(), s.data() + s.size(), value, stop) &&
      stop == s.data() + s.size()) {
    out = value;
    return true;
  }
  const auto result = fast_float::from_chars(s.data(), s.data() + s.size(), value);
  // Infinities and NaN spelled out are not data a marketer means as numbers.
  if (result.ec != std::errc() || result.ptr != s.data() + s.size() || !std::isfinite(value)) {
    return false;
  }
  out = value;
  return true;
}

Table read(std::string_view bytes, const Options& options) {
  const std::string& source = options.source;
  std::string_view input = bytes;
  if (input.size() >= 3 && input.substr(0, 3) == "\xEF\xBB\xBF") input.remove_prefix(3);
  if (input.size() > kMaxInputBytes) fail(source, "file too large (the limit is 1 GB)");

  char delimiter = options.delimiter;
  if (delimiter == 0) {
    delimiter = sniff_delimiter(input);
  } else if (delimiter == '"' || delimiter == '\n' || delimiter == '\r') {
    fail(source, "a quote or a line break cannot be the delimiter");
  }

  std::string arena;
  const CellSource cells(input, arena);
  Tokenizer tokenizer(input, delimiter, &arena);
  RecordInfo info;
  std::vector<Span> record;

  for (;;) {
    record.clear();
    const Status status = tokenizer.next(record, info);
    if (status == Status::kEnd) fail(source, "empty file");
    if (status != Status::kRecord) fail_token(source, status, info, {});
    if (!info.blank) break;
  }
  const uint32_t header_line = info.line;
  const size_t column_count = record.size();

  // Checked before anything is allocated per column: a line of a million
  // delimiters should fail fast, not after building a million columns.
  for (size_t j = 0; j < column_count; ++j) {
    if (trim(cells(record[j])).empty()) {
      fail(source, "line " + std::to_string(header_line) + ": column " + std::to_string(j + 1) +
                       " has an empty name in the header");
    }
  }
  std::vector<std::string> names;
  names.reserve(column_count);
  for (size_t j = 0; j < column_count; ++j) names.emplace_back(trim(cells(record[j])));
  Table table;
  table.source = source;
  table.columns.resize(column_count);
  std::unordered_map<std::string_view, size_t> seen;
  seen.reserve(column_count);
  for (size_t j = 0; j < column_count; ++j) {
    const auto [it, inserted] = seen.try_emplace(names[j], j);
    if (!inserted) {
      fail(source, "line " + std::to_string(header_line) + ": column name '" + names[j] +
                       "' appears twice in the header (columns " + std::to_string(it->second + 1) +
                       " and " + std::to_string(j + 1) + ")");
    }
    table.columns[j].name = names[j];
  }

  std::vector<ColumnBuild> builds(column_count);
  for (const auto& [name, type] : options.force_types) {
    table.at(name);  // a forced column that does not exist is a caller mistake worth naming
    const size_t j = static_cast<size_t>(table.find(name));
    table.columns[j].type = type;
    builds[j].forced = true;
    builds[j].numeric = type == ColumnType::kNumber;
  }

  std::vector<uint8_t> numeric(column_count);
  std::vector<double> values(column_count);
  std::vector<uint8_t> parsed(column_count);
  for (size_t j = 0; j < column_count; ++j) numeric[j] = builds[j].numeric ? 1 : 0;
  if (delimiter_allows_number_hints(delimiter)) {
    tokenizer.set_number_hints(numeric.data(), column_count, values.data(), parsed.data());
  }

  std::vector<uint32_t> lines;
  // Reserving from the first rows' density avoids repeated regrowth copies,
  // which would otherwise cost a noticeable share of the parse on big files.
  constexpr size_t kProbeRows = 256;
  const size_t data_start = tokenizer.position();
  for (;;) {
    record.clear();
    const Status status = tokenizer.next(record, info);
    if (status == Status::kEnd) break;
    if (status != Status::kRecord) fail_token(source, status, info, names);
    if (info.blank) continue;
    if (record.size() != column_count) {
      fail(source, "line " + std::to_string(info.line) + ": expected " +
                       std::to_string(column_count) +
                       (column_count == 1 ? " field (" : " fields (") + name_list(names) +
                       "), found " + std::to_string(record.size()));
    }
    const size_t row = lines.size();
    lines.push_back(info.line);
    for (size_t j = 0; j < column_count; ++j) {
      ColumnBuild& build = builds[j];
      if (!build.numeric) {
        build.spans.push_back(record[j]);
        continue;
      }
      Column& column = table.columns[j];
      if (parsed[j]) {
        column.numbers.push_back(values[j]);
        continue;
      }
      double value;
      if (cell_to_number(cells(record[j]), value)) {
        column.numbers.push_back(value);
        continue;
      }
      if (build.forced) {
        fail(source, "line " + std::to_string(info.line) + ", column '" + column.name +
                         "': expected a number, found " + quote_value(cells(record[j])));
      }
      build.numeric = false;
      numeric[j] = 0;
      build.spans_from_row = row;
      build.spans.push_back(record[j]);
      std::vector<double>().swap(column.numbers);
    }
    if (options.max_rows != 0 && lines.size() >= options.max_rows) break;
    if (lines.size() == kProbeRows) {
      const size_t used = tokenizer.position() - data_start;
      const size_t left = input.size() - tokenizer.position();
      const size_t per_row = used / kProbeRows + 1;
      size_t expected = kProbeRows + left / per_row + left / per_row / 8;
      if (options.max_rows != 0 && expected > options.max_rows) expected = options.max_rows;
      lines.reserve(expected);
      for (size_t j = 0; j < column_count; ++j) {
        if (builds[j].numeric) {
          table.columns[j].numbers.reserve(expected);
        } else {
          builds[j].spans.reserve(expected);
        }
      }
    }
  }
  if (lines.empty()) fail(source, "only a header, no data rows");
  table.rows = lines.size();
  table.line_of_row = std::move(lines);

  // A column that stopped being numeric after some rows lost the spans of those
  // rows; one more tokenizer pass over just that prefix recovers them. Typical
  // text columns fail on their first row, so this pass is usually skipped.
  size_t rescan_rows = 0;
  for (const ColumnBuild& build : builds) {
    if (!build.numeric) rescan_rows = std::max(rescan_rows, build.spans_from_row);
  }
  if (rescan_rows > 0) {
    std::vector<std::vector<Span>> prefix(column_count);
    Tokenizer again(input, delimiter, &arena);
    bool header_seen = false;
    size_t row = 0;
    while (row < rescan_rows) {
      record.clear();
      if (again.next(record, info) != Status::kRecord) break;
      if (info.blank) continue;
      if (!header_seen) {
        header_seen = true;
        continue;
      }
      // The first pass accepted these very records, so the count always matches.
      if (record.size() != column_count) break;
      for (size_t j = 0; j < column_count; ++j) {
        if (!builds[j].numeric && row < builds[j].spans_from_row) prefix[j].push_back(record[j]);
      }
      ++row;
    }
    for (size_t j = 0; j < column_count; ++j) {
      if (prefix[j].empty()) continue;
      prefix[j].insert(prefix[j].end(), builds[j].spans.begin(), builds[j].spans.end());
      builds[j].spans.swap(prefix[j]);
    }
  }

  for (size_t j = 0; j < column_count; ++j) {
    Column& column = table.columns[j];
    ColumnBuild& build = builds[j];
    if (build.numeric) {
      column.type = ColumnType::kNumber;
      continue;
    }
    // Defensive: never index past the spans if a re-scan came up short.
    if (build.spans.size() != table.rows) fail(source, "internal error while reading the file");
    size_t bad_row = 0;
    if (build.forced && column.type == ColumnType::kTimestamp) {
      if (!to_times(cells, build.spans, column.times, bad_row)) {
        fail(source, "line " + std::to_string(table.line_of_row[bad_row]) + ", column '" +
                         column.name + "': expected a timestamp like 2024-03-10 14:00:00, found " +
                         quote_value(cells(build.spans[bad_row])));
      }
    } else if (!build.forced && to_times(cells, build.spans, column.times, bad_row)) {
      column.type = ColumnType::kTimestamp;
    } else {
      std::vector<int64_t>().swap(column.times);
      column.type = ColumnType::kCategory;
      to_categories(cells, build.spans, column);
    }
    std::vector<Span>().swap(build.spans);
  }
  return table;
}

}  // namespace fc::csv
