// The CSV reader tokenizes the input into (offset, length) spans over the bytes it
// is given and converts numeric columns on the fly, while each record is still in
// cache. Columns that turn out not to be numeric keep their spans and are typed
// afterwards (timestamp, else category). Cells never get strings of their own;
// only fields with doubled quotes are unescaped, into one shared arena.
//
// Before tokenizing, the raw bytes are checked once: other formats (UTF-16/32,
// known binary magics, control-byte noise) are refused from the first KB, and one
// pass that skips ASCII eight bytes at a time finds NUL bytes and tells UTF-8 from
// Windows-1252. A Windows-1252 file is tokenized as is (its delimiters, quotes and
// line breaks are ASCII) and only the text that ends up in the Table (column names,
// category levels) is converted.
#include "funnelcast/io/csv.hpp"

#include <fast_float/fast_float.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <system_error>
#ifndef __EMSCRIPTEN__
#include <atomic>
#include <exception>
#include <thread>
#endif
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
constexpr size_t kMaxQuotedName = 60;
constexpr size_t kMaxListedColumns = 30;
// Format checks look at the start of the file only: magics, UTF-16 without a BOM,
// control-byte noise. A zip's first entry names are searched a little further.
constexpr size_t kFormatSample = 1024;
constexpr size_t kZipSample = 4096;
constexpr size_t kNone = std::numeric_limits<size_t>::max();

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
    // An unquoted field also pauses at a quote, only to count it: the number
    // parser must not treat a quote as the end of a field ("12\"" is not 12).
    scan_stop_ = field_stop_;
    scan_stop_['"'] = true;
    quote_stop_.fill(false);
    quote_stop_['"'] = true;
    quote_stop_['\n'] = true;
    quote_stop_['\r'] = true;
  }

  // Appends the fields of the next record to `fields`. On an error the fields
  // appended so far stay in `fields`; the caller gives up on the input anyway.
  Status next(std::vector<Span>& fields, RecordInfo& info) {
    return next_record<false>(fields, info, nullptr);
  }

  // The same, also appending for each field the input position just past its raw
  // text (closing quote and trailing blanks included), to map a byte to its field.
  Status next(std::vector<Span>& fields, RecordInfo& info, std::vector<uint32_t>& ends) {
    return next_record<true>(fields, info, &ends);
  }

  size_t position() const { return pos_; }
  uint32_t line() const { return line_; }
  // Reads only [begin, end), whose first line is `line`: a chunk of whole lines.
  void restrict_to(size_t begin, size_t end, uint32_t line) {
    pos_ = begin;
    size_ = end;
    line_ = line;
  }
  // Bytes read so far, counting every re-read (see Stats::bytes_scanned).
  size_t scanned() const { return scanned_; }
  // Unquoted cells holding a quote, and the line and 0-based field of the first.
  size_t stray_quote_cells() const { return stray_cells_; }
  uint32_t stray_quote_line() const { return stray_line_; }
  size_t stray_quote_field() const { return stray_field_; }

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
  // Work is counted where it costs nothing on the common path: every byte the
  // record spans once at its end, and re-reads (a failed number attempt, the
  // blank look-ahead) where they happen.
  template <bool kTrackEnds>
  Status next_record(std::vector<Span>& fields, RecordInfo& info, std::vector<uint32_t>* ends) {
    if (pos_ >= size_) return Status::kEnd;
    const size_t record_start = pos_;
    info.line = line_;
    info.blank = false;
    const size_t first = fields.size();
    bool quoted_any = false;
    for (;;) {
      const size_t index = fields.size() - first;
      if (index < hint_count_) parsed_[index] = 0;
      size_t start = pos_;
      if (opens_quote(start)) {
        quoted_any = true;
        const Status status = quoted_field(start, fields, first, info);
        if (status != Status::kRecord) {
          scanned_ += pos_ - record_start;
          return status;
        }
      } else {
        unquoted_field(start, index, fields);
      }
      if (kTrackEnds) ends->push_back(static_cast<uint32_t>(pos_));
      if (!step_past_field_end()) break;
    }
    scanned_ += pos_ - record_start;
    if (!quoted_any && fields.size() - first == 1) {
      const Span s = fields.back();
      info.blank = trim(std::string_view(data_ + s.begin, s.size)).empty();
    }
    return Status::kRecord;
  }

  // Whether the field at `start` is quoted; moves `start` to the quote.
  bool opens_quote(size_t& start) {
    bool quoted = start < size_ && data_[start] == '"';
    // Hand-written files often put a space after the delimiter, then a quote;
    // treating that as an ordinary quoted field avoids a baffling ragged-row error.
    if (!quoted && start < size_ && data_[start] == ' ' && delimiter_ != ' ') {
      size_t k = start;
      while (k < size_ && data_[k] == ' ') ++k;
      scanned_ += k - start;
      if (k < size_ && data_[k] == '"') {
        quoted = true;
        start = k;
      }
    }
    return quoted;
  }

  // Appends the unquoted field at `start` (field `index` of its record) and moves
  // past its text.
  void unquoted_field(size_t start, size_t index, std::vector<Span>& fields) {
    size_t k = start;
    const bool hinted = index < hint_count_ && hints_[index];
    if (!hinted || !read_number(start, index, k)) {
      k = scan_text(start, index);
      // After failed number attempts the field was read up to twice more:
      // by fast_float and by this scan (each at most the field and its end).
      if (hinted) scanned_ += 2 * (k - start + 1);
    }
    fields.push_back({static_cast<uint32_t>(start), static_cast<uint32_t>(k - start)});
    pos_ = k;
  }

  // When the whole field at `start` is one number, stores it as field `index`'s
  // value, sets `end` just past it and returns true. Letting the number parser
  // find the field's end reads the bytes of a numeric field once instead of twice.
  bool read_number(size_t start, size_t index, size_t& end) {
    const char* const last = data_ + size_;
    double value;
    const char* stop = nullptr;
    if (!read_simple_decimal(data_ + start, last, value, stop) ||
        (stop < last && !field_stop_[static_cast<unsigned char>(*stop)])) {
      const auto result = fast_float::from_chars(data_ + start, last, value);
      stop = result.ec == std::errc() && std::isfinite(value) ? result.ptr : nullptr;
      // A second read of the number (a failed one is counted with the scan).
      if (stop != nullptr) scanned_ += static_cast<size_t>(stop - (data_ + start)) + 1;
    }
    if (stop == nullptr || (stop < last && !field_stop_[static_cast<unsigned char>(*stop)])) {
      return false;
    }
    values_[index] = value;
    parsed_[index] = 1;
    end = static_cast<size_t>(stop - data_);
    return true;
  }

  // The end of the unquoted text field at `start`, counting a stray quote in it.
  size_t scan_text(size_t start, size_t index) {
    size_t k = start;
    bool stray_quote = false;
    for (;;) {
      while (k < size_ && !scan_stop_[static_cast<unsigned char>(data_[k])]) ++k;
      if (k >= size_ || data_[k] != '"') break;
      // RFC 4180 forbids a quote inside an unquoted field, but exports write
      // 12" screen; the text is kept as written and the cell counted.
      stray_quote = true;
      ++k;
    }
    if (stray_quote && stray_cells_++ == 0) {
      stray_line_ = line_;
      stray_field_ = index;
    }
    return k;
  }

  // Steps past what ends a field: true after a delimiter (another field
  // follows), false after a line break or at the end of the input.
  bool step_past_field_end() {
    if (pos_ >= size_) return false;
    const char c = data_[pos_];
    if (c == delimiter_) {
      ++pos_;
      return true;
    }
    // Only a line break can be left here: quoted_field() rejects anything else.
    ++pos_;
    if (c == '\r' && pos_ < size_ && data_[pos_] == '\n') ++pos_;
    ++line_;
    return false;
  }

  Status quoted_field(size_t open, std::vector<Span>& fields, size_t first, RecordInfo& info) {
    const uint32_t open_line = line_;
    const size_t content = open + 1;
    size_t k = content;
    bool doubled = false;
    for (;;) {
      while (k < size_ && !quote_stop_[static_cast<unsigned char>(data_[k])]) ++k;
      if (k >= size_) {
        pos_ = k;  // for the work count: the scan reached the end
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
  std::array<bool, 256> scan_stop_;
  std::array<bool, 256> quote_stop_;
  const uint8_t* hints_ = nullptr;
  size_t hint_count_ = 0;
  double* values_ = nullptr;
  uint8_t* parsed_ = nullptr;
  size_t scanned_ = 0;
  size_t stray_cells_ = 0;
  uint32_t stray_line_ = 0;
  size_t stray_field_ = 0;
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
char sniff_delimiter(std::string_view input, Stats& stats) {
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
    stats.bytes_scanned += tokenizer.scanned();
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

// Windows-1252 differs from Latin-1 only in 0x80-0x9F, where it has typographic
// quotes, dashes, the euro sign and a few letters. Its five unassigned bytes map
// to the C1 controls of the same value, as browsers decode them.
constexpr uint16_t kCp1252High[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

void append_cp1252(std::string& out, std::string_view text) {
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      out.push_back(ch);
      continue;
    }
    const unsigned code = c < 0xA0 ? kCp1252High[c - 0x80] : c;
    if (code < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (code >> 6)));
    } else {
      out.push_back(static_cast<char>(0xE0 | (code >> 12)));
      out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
    }
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  }
}

bool has_high_bytes(std::string_view text) {
  for (const char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) return true;
  }
  return false;
}

// Text of the file as it goes into the Table: UTF-8 either way.
std::string table_text(std::string_view text, bool cp1252) {
  if (!cp1252 || !has_high_bytes(text)) return std::string(text);
  std::string out;
  out.reserve(text.size() + text.size() / 2);
  append_cp1252(out, text);
  return out;
}

// Cell text for a message: converted like the Table would, then made printable.
std::string shown(std::string_view text, bool cp1252, size_t max_bytes = kMaxQuotedValue) {
  if (!cp1252 || !has_high_bytes(text)) return message_text(text, max_bytes);
  // Windows-1252 is one byte a character, so cutting before converting is safe.
  std::string out = message_text(table_text(text.substr(0, max_bytes), true), kNone);
  if (text.size() > max_bytes) out += "...";
  return out;
}

std::string quote_value(std::string_view value, bool cp1252 = false) {
  return "'" + shown(value, cp1252) + "'";
}

// Names in the Table are already UTF-8; they only need making printable.
std::string column_label(const std::vector<std::string>& names, size_t index) {
  if (index < names.size()) return "column '" + message_text(names[index], kMaxQuotedName) + "'";
  return "column " + std::to_string(index + 1);
}

std::string name_list(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < kMaxListedColumns; ++i) {
    if (i > 0) out += ", ";
    out += message_text(names[i], kMaxQuotedName);
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
    fail(source, where + "a quote opens this cell but is never closed");
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
                   " after the closing quote (write a quote inside a quoted cell as \"\")");
}

[[noreturn]] void fail_ragged(const std::string& source, uint32_t line, size_t found,
                              const std::vector<std::string>& names, char delimiter) {
  const auto count = [](size_t n, const char* one) {
    return std::to_string(n) + " " + one + (n == 1 ? "" : "s");
  };
  std::string message = "line " + std::to_string(line) + " has " + count(found, "value") +
                        " but the header has " + count(names.size(), "column") + " (" +
                        name_list(names) + ")";
  // The usual cause of extra values: a delimiter inside an unquoted value.
  if (found > names.size()) {
    const char* name = delimiter == ','    ? "a comma"
                       : delimiter == ';'  ? "a semicolon"
                       : delimiter == '\t' ? "a tab"
                                           : nullptr;
    message += "; put values that contain ";
    message += name != nullptr ? std::string(name)
                               : "the delimiter " + message_text(std::string(1, delimiter));
    message += " in quotes";
  }
  fail(source, message);
}

// ---- What kind of file is this? -------------------------------------------

bool starts_with(std::string_view bytes, std::string_view prefix) {
  return bytes.size() >= prefix.size() && bytes.substr(0, prefix.size()) == prefix;
}

struct Magic {
  std::string_view bytes;
  const char* kind;
  const char* advice;  // appended after "not CSV text"
};

// Signatures of files people pick by mistake. Each is long or odd enough that no
// CSV header starts with it.
const Magic kMagics[] = {
    {std::string_view("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8),
     "Excel 97-2003 workbook, .xls, or other Office file", "; export it as CSV"},
    {"%PDF-", "PDF document", ""},
    {std::string_view("\x1F\x8B", 2), "gzip-compressed data", "; decompress it first"},
    {std::string_view("\xFD\x37\x7A\x58\x5A\x00", 6), "xz-compressed data",
     "; decompress it first"},
    {std::string_view("\x28\xB5\x2F\xFD", 4), "zstd-compressed data", "; decompress it first"},
    {std::string_view("7z\xBC\xAF\x27\x1C", 6), "7-Zip archive", "; extract it first"},
    {std::string_view("\x89PNG\r\n\x1A\n", 8), "PNG image", ""},
    {std::string_view("\xFF\xD8\xFF", 3), "JPEG image", ""},
    {"GIF87a", "GIF image", ""},
    {"GIF89a", "GIF image", ""},
    {std::string_view("SQLite format 3\0", 16), "SQLite database", ""},
    {std::string_view("\x7F\x45\x4C\x46", 4), "program", ""},  // ELF
};

// Throws when the bytes are plainly not CSV text: a funnelcast model, UTF-16 or
// UTF-32 text, a known binary format, or control-byte noise. Looks at the first
// few KB only.
void refuse_other_formats(std::string_view bytes, const std::string& source, Stats& stats) {
  if (starts_with(bytes, "FCMODEL")) {
    fail(source, "this is a funnelcast model file (.fcm), not a CSV; pass it as the model");
  }
  const auto encoding = [&](const char* name) {
    fail(source, std::string("the file is ") + name + " text; save it as UTF-8 CSV");
  };
  // UTF-32 LE's BOM starts like UTF-16 LE's, so it is tried first.
  if (starts_with(bytes, std::string_view("\xFF\xFE\0\0", 4))) encoding("UTF-32 (little-endian)");
  if (starts_with(bytes, std::string_view("\0\0\xFE\xFF", 4))) encoding("UTF-32 (big-endian)");
  if (starts_with(bytes, "\xFF\xFE")) encoding("UTF-16 (little-endian)");
  if (starts_with(bytes, "\xFE\xFF")) encoding("UTF-16 (big-endian)");

  const auto binary = [&](const std::string& kind, const char* advice) {
    fail(source, "this looks like a binary file (" + kind + "), not CSV text" + advice);
  };
  if (starts_with(bytes, "PK\x03\x04") || starts_with(bytes, "PK\x05\x06")) {
    // An Office file is a zip whose first entries name its parts.
    const std::string_view head = bytes.substr(0, kZipSample);
    stats.bytes_scanned += head.size();
    if (head.find("xl/") != std::string_view::npos) {
      binary("Excel workbook, .xlsx", "; export it as CSV (in Excel: Save As, CSV UTF-8)");
    }
    if (head.find("opendocument.spreadsheet") != std::string_view::npos) {
      binary("OpenDocument spreadsheet, .ods", "; export it as CSV");
    }
    binary("zip archive", "; extract it first (a spreadsheet: export it as CSV)");
  }
  if (starts_with(bytes, "PAR1") && bytes.size() >= 8 && bytes.substr(bytes.size() - 4) == "PAR1") {
    binary("Parquet file", "");
  }
  for (const Magic& magic : kMagics) {
    if (starts_with(bytes, magic.bytes)) binary(magic.kind, magic.advice);
  }
  // bzip2: "BZh", a block size digit, then the block magic (digits of pi).
  if (starts_with(bytes, "BZh") && bytes.size() >= 10 && bytes[3] >= '1' && bytes[3] <= '9' &&
      bytes.substr(4, 6) == "\x31\x41\x59\x26\x53\x59") {
    binary("bzip2-compressed data", "; decompress it first");
  }
}

// Control bytes that text files do not hold. Tab, line breaks, form feed and
// vertical tab (FileMaker's line break inside a cell) are not counted.
bool is_control(unsigned char c) {
  return (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') || c == 0x7F;
}

// UTF-16 and UTF-32 without a BOM, and binary data without a known magic, from
// the first KB after any UTF-8 BOM. A stray NUL or two is left to the full scan,
// which can name its line.
void refuse_non_text(std::string_view input, const std::string& source, Stats& stats) {
  const std::string_view sample = input.substr(0, kFormatSample);
  stats.bytes_scanned += sample.size();
  if (std::memchr(sample.data(), 0, sample.size()) == nullptr) {
    size_t control = 0;
    for (const char ch : sample) {
      const auto c = static_cast<unsigned char>(ch);
      control += is_control(c);
    }
    if (control >= 4 && control * 10 >= sample.size()) {
      fail(source, "this looks like a binary file (unknown format), not CSV text");
    }
    return;
  }
  // NULs by position modulo 4. ASCII text in UTF-16 LE has a NUL at every odd
  // position and none at even ones; in UTF-32 LE at positions 1, 2, 3 of each 4.
  std::array<size_t, 4> nul{};
  std::array<size_t, 4> total{};
  size_t control = 0;
  for (size_t i = 0; i < sample.size(); ++i) {
    const auto c = static_cast<unsigned char>(sample[i]);
    nul[i % 4] += c == 0;
    ++total[i % 4];
    control += is_control(c);
  }
  // "Mostly NUL" is at least half of those positions; "hardly any" at most an eighth.
  const auto mostly = [](size_t n, size_t of) { return of > 0 && 2 * n >= of; };
  const auto hardly = [](size_t n, size_t of) { return 8 * n <= of; };
  const auto encoding = [&](const char* name) {
    fail(source, std::string("the file is ") + name +
                     " text without a byte order mark; save it as UTF-8 CSV");
  };
  if (sample.size() >= 4) {
    if (hardly(nul[0], total[0]) && mostly(nul[1], total[1]) && mostly(nul[2], total[2]) &&
        mostly(nul[3], total[3])) {
      encoding("UTF-32 (little-endian)");
    }
    if (mostly(nul[0], total[0]) && mostly(nul[1], total[1]) && mostly(nul[2], total[2]) &&
        hardly(nul[3], total[3])) {
      encoding("UTF-32 (big-endian)");
    }
  }
  const size_t even = nul[0] + nul[2];
  const size_t odd = nul[1] + nul[3];
  const size_t evens = total[0] + total[2];
  const size_t odds = total[1] + total[3];
  if (hardly(even, evens) && mostly(odd, odds)) encoding("UTF-16 (little-endian)");
  if (mostly(even, evens) && hardly(odd, odds)) encoding("UTF-16 (big-endian)");
  if (nul[0] + nul[1] + nul[2] + nul[3] == sample.size()) {
    fail(source, "this looks like a binary file (only NUL bytes), not CSV text");
  }
  if (control >= 4 && control * 10 >= sample.size()) {
    fail(source, "this looks like a binary file (unknown format), not CSV text");
  }
}

// Index of the first byte of a little-endian word flagged by the ASCII test
// below; 0 where that cannot be computed cheaply (the caller then steps bytes).
inline size_t first_flagged_byte(uint64_t flagged) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return static_cast<size_t>(__builtin_ctzll(flagged)) / 8;
#else
  (void)flagged;
  return 0;
#endif
}

struct EncodingScan {
  size_t first_nul = kNone;
  size_t first_invalid = kNone;  // first byte that does not start a valid UTF-8 sequence
  bool multibyte = false;        // a valid 2-4 byte UTF-8 sequence was seen
  size_t scanned = 0;
};

// One pass over the whole input. Runs of ASCII without NUL are skipped a word at
// a time ((w - 0x01..01) | w has a high bit set exactly when some byte is 0 or
// >= 0x80), so a plain ASCII file costs a fraction of the tokenizer's time. It
// stops as soon as the verdict is certain: a NUL before any invalid byte, or both
// valid multi-byte UTF-8 and an invalid byte.
EncodingScan scan_encoding(std::string_view text) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  const char* const p = text.data();
  const size_t n = text.size();
  const auto word = [p](size_t i) {
    uint64_t w;
    std::memcpy(&w, p + i, sizeof w);
    return ((w - kOnes) | w) & kHigh;
  };
  EncodingScan out;
  size_t i = 0;
  while (i < n) {
    while (i + 32 <= n && (word(i) | word(i + 8) | word(i + 16) | word(i + 24)) == 0) i += 32;
    if (i >= n) break;
    if (i + 8 <= n) {
      const uint64_t flagged = word(i);
      if (flagged == 0) {
        i += 8;
        continue;
      }
      // Jump over the ASCII before the first flagged byte. Borrows only run
      // towards later bytes, so the first flag is exact (little-endian loads).
      i += first_flagged_byte(flagged);
    }
    const auto c = static_cast<unsigned char>(p[i]);
    if (c != 0 && c < 0x80) {  // the last few bytes, or a big-endian machine
      ++i;
      continue;
    }
    if (c == 0) {
      if (out.first_nul == kNone) out.first_nul = i;
      ++i;
      if (out.first_invalid == kNone) {
        out.scanned = i;
        return out;
      }
      continue;
    }
    const size_t length = utf8_length(text, i);
    if (length == 0) {
      if (out.first_invalid == kNone) out.first_invalid = i;
      ++i;
    } else {
      out.multibyte = true;
      i += length;
    }
    if (out.multibyte && out.first_invalid != kNone) {
      out.scanned = i;
      return out;
    }
  }
  out.scanned = n;
  return out;
}

// Physical line breaks in text[from, to): "\r\n", "\n" and a lone "\r" each count
// once, as the tokenizer counts them.
uint32_t line_breaks(std::string_view text, size_t from, size_t to) {
  uint32_t count = 0;
  for (size_t i = from; i < to; ++i) {
    if (text[i] == '\n' || (text[i] == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n'))) {
      ++count;
    }
  }
  return count;
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
// `offset_given` stays empty unless some cell wrote its offset.
bool to_times(const CellSource& cells, const std::vector<Span>& spans, std::vector<int64_t>& out,
              std::vector<uint8_t>& offset_given, size_t& bad_row, Stats& stats) {
  out.resize(spans.size());
  offset_given.clear();
  for (size_t r = 0; r < spans.size(); ++r) {
    const std::string_view cell = cells(spans[r]);
    stats.bytes_scanned += cell.size() + 1;
    bool zoned = false;
    if (is_missing_token(cell)) {
      out[r] = kMissingTime;
    } else if (!time::parse_timestamp(cell, out[r], &zoned)) {
      bad_row = r;
      return false;
    }
    if (zoned && offset_given.empty()) offset_given.assign(spans.size(), 0);
    if (zoned) offset_given[r] = 1;
  }
  return true;
}

// Distinct values are found on the raw bytes; only a new level is converted from
// Windows-1252, so a large category column costs one conversion per level.
#ifndef __EMSCRIPTEN__
// Natively with open addressing over the levels' raw bytes: a column of a million ids took
// a node allocation per level in std::unordered_map (the wasm build keeps that one, smaller).
void to_categories(const CellSource& cells, const std::vector<Span>& spans, Column& out,
                   bool cp1252, Stats& stats) {
  out.codes.resize(spans.size());
  std::vector<std::string_view> raw;  // each level's bytes, trimmed
  std::vector<size_t> raw_hash;
  std::vector<int32_t> slot(256, -1);  // level index or -1; at most half full
  size_t mask = slot.size() - 1;
  const std::hash<std::string_view> hash;
  const auto rehash = [&](size_t slots) {  // every level again, by its kept hash
    slot.assign(slots, -1);
    mask = slot.size() - 1;
    for (size_t l = 0; l < raw.size(); ++l) {
      size_t k = raw_hash[l] & mask;
      while (slot[k] >= 0) k = (k + 1) & mask;
      slot[k] = static_cast<int32_t>(l);
    }
  };
  for (size_t r = 0; r < spans.size(); ++r) {
    // A column of mostly distinct values (ids, emails) gets its room at once rather than
    // moving a million levels (and rehashing them) from one doubling to the next.
    if (r == 4096 && raw.size() > 2048) {
      raw.reserve(spans.size());
      raw_hash.reserve(spans.size());
      out.levels.reserve(spans.size());
      size_t slots = slot.size();
      while (slots < 2 * spans.size()) slots *= 2;
      rehash(slots);
    }
    const std::string_view cell = cells(spans[r]);
    stats.bytes_scanned += cell.size() + 1;
    if (is_missing_token(cell)) {
      out.codes[r] = kMissingCode;
      continue;
    }
    const std::string_view value = trim(cell);
    const size_t h = hash(value);
    size_t i = h & mask;
    while (slot[i] >= 0 && (raw_hash[static_cast<size_t>(slot[i])] != h || raw[static_cast<size_t>(slot[i])] != value))
      i = (i + 1) & mask;
    if (slot[i] >= 0) {
      out.codes[r] = slot[i];
      continue;
    }
    const auto level = static_cast<int32_t>(raw.size());
    out.codes[r] = level;
    slot[i] = level;
    raw.push_back(value);
    raw_hash.push_back(h);
    out.levels.push_back(table_text(value, cp1252));
    if (raw.size() * 2 > slot.size()) rehash(slot.size() * 2);
  }
}
#else
void to_categories(const CellSource& cells, const std::vector<Span>& spans, Column& out,
                   bool cp1252, Stats& stats) {
  out.codes.resize(spans.size());
  std::unordered_map<std::string_view, int32_t> index;
  for (size_t r = 0; r < spans.size(); ++r) {
    const std::string_view cell = cells(spans[r]);
    stats.bytes_scanned += cell.size() + 1;
    if (is_missing_token(cell)) {
      out.codes[r] = kMissingCode;
      continue;
    }
    const std::string_view value = trim(cell);
    const auto [it, inserted] = index.try_emplace(value, static_cast<int32_t>(out.levels.size()));
    if (inserted) out.levels.push_back(table_text(value, cp1252));
    out.codes[r] = it->second;
  }
}
#endif

// Per-column state while the data rows stream by.
struct ColumnBuild {
  bool numeric = true;        // still converting to numbers on the fly
  bool forced = false;        // the caller fixed the type: a bad cell is an error
  size_t spans_from_row = 0;  // rows before this one were numbers and need a re-scan
  std::vector<Span> spans;
};

// Where a byte of the input lies: its physical line and, when the records up to
// it tokenize, its field, the header's names and the field's text. Only used on
// the way to an error or a notice, so it simply tokenizes again from the start.
struct Place {
  uint32_t line = 0;
  size_t field = kNone;            // 0-based; kNone when the records before it do not tokenize
  std::vector<std::string> names;  // the header's names; empty when the byte is in the header
  std::string cell;                // the field's text, quoted for a message, or ""
  std::string in_cell;             // " in 'text'", or "" when the field is unknown
};

Place locate(std::string_view input, char delimiter, size_t offset, bool cp1252, Stats& stats) {
  Place place;
  std::string arena;
  const CellSource cells(input, arena);
  Tokenizer tokenizer(input, delimiter, &arena);
  std::vector<uint32_t> ends;
  std::vector<Span> fields;
  std::vector<std::string> header;
  bool header_seen = false;
  RecordInfo info;
  for (;;) {
    const size_t start = tokenizer.position();
    fields.clear();
    ends.clear();
    if (tokenizer.next(fields, info, ends) != Status::kRecord) break;
    // The byte is never a delimiter or a line break, so it lies in a field's text.
    if (offset < tokenizer.position()) {
      size_t f = 0;
      while (f + 1 < ends.size() && offset >= ends[f]) ++f;
      place.line = info.line + line_breaks(input, start, offset);
      place.field = f;
      place.names = std::move(header);
      place.cell = quote_value(cells(fields[f]), cp1252);
      place.in_cell = " in " + place.cell;
      stats.bytes_scanned += tokenizer.scanned() + (offset - start);
      return place;
    }
    if (!header_seen && !info.blank) {
      header_seen = true;
      for (const Span s : fields) header.push_back(table_text(trim(cells(s)), cp1252));
    }
  }
  stats.bytes_scanned += tokenizer.scanned() + offset;
  place.line = 1 + line_breaks(input, 0, offset);
  return place;
}

// "line 3, column 'spend'", "line 1, column 2" (in the header) or "line 3".
std::string where(const Place& place) {
  std::string out = "line " + std::to_string(place.line);
  if (place.field != kNone) out += ", " + column_label(place.names, place.field);
  return out;
}

// ---- The steps of read() --------------------------------------------------

// The input once the byte-level checks pass: without a UTF-8 BOM or a final
// Ctrl-Z, with what the encoding scan found.
struct Text {
  std::string_view input;
  EncodingScan encoding;
  bool cp1252 = false;
};

// Refuses what is not CSV text (other formats, a file over the limit, binary
// noise) and scans the encoding once.
Text check_text(std::string_view bytes, const std::string& source, Stats& stats) {
  refuse_other_formats(bytes, source, stats);
  std::string_view input = bytes;
  const bool utf8_bom = starts_with(input, "\xEF\xBB\xBF");
  if (utf8_bom) input.remove_prefix(3);
  // Old DOS tools end a text file with Ctrl-Z; it is not a last record.
  if (!input.empty() && input.back() == '\x1A') input.remove_suffix(1);
  stats.input_bytes = input.size();
  if (input.size() > kMaxInputBytes) fail(source, "file too large (the limit is 1 GB)");
  refuse_non_text(input, source, stats);
  Text text;
  text.input = input;
  text.encoding = scan_encoding(input);
  stats.bytes_scanned += text.encoding.scanned;
  // Bytes that are not UTF-8 and not one valid multi-byte sequence anywhere (nor
  // a UTF-8 BOM): an 8-bit export (Excel on Windows writes Windows-1252), read as such.
  text.cp1252 = text.encoding.first_invalid != kNone && !text.encoding.multibyte && !utf8_bom;
  return text;
}

// The caller's delimiter when it can split records safely, else a sniffed one (0).
char choose_delimiter(char delimiter, std::string_view input, const std::string& source,
                      Stats& stats) {
  if (delimiter == 0) {
    delimiter = sniff_delimiter(input, stats);
  } else if (delimiter == '"' || delimiter == '\n' || delimiter == '\r') {
    fail(source, "a quote or a line break cannot be the delimiter");
  } else if (static_cast<unsigned char>(delimiter) >= 0x80) {
    // It could split a UTF-8 character in two.
    fail(source, "the delimiter must be an ASCII character");
  }
  return delimiter;
}

// A NUL byte, or a byte that is neither UTF-8 nor part of a Windows-1252 file,
// named by its line and cell. The delimiter is needed to find the cell.
void refuse_bad_bytes(const Text& text, char delimiter, const std::string& source, Stats& stats) {
  const EncodingScan& encoding = text.encoding;
  if (encoding.first_nul != kNone && (text.cp1252 || encoding.first_invalid == kNone ||
                                      encoding.first_nul < encoding.first_invalid)) {
    const Place place = locate(text.input, delimiter, encoding.first_nul, text.cp1252, stats);
    fail(source, where(place) + ": a NUL byte (binary data?)" + place.in_cell);
  }
  if (encoding.first_invalid != kNone && !text.cp1252) {
    const Place place = locate(text.input, delimiter, encoding.first_invalid, false, stats);
    fail(source, where(place) + ": invalid UTF-8" + place.in_cell +
                     " (the file mixes text encodings); save it as UTF-8");
  }
}

// What every step after the byte checks needs to read cells, word a message and
// count its work.
struct Reading {
  const std::string& source;
  std::string_view input;
  char delimiter;
  bool cp1252;
  const CellSource& cells;
  Stats& stats;
};

// Leaves the first non-blank record (the header) in `record` and its line in `info`.
void read_header_record(Tokenizer& tokenizer, std::vector<Span>& record, RecordInfo& info,
                        const std::string& source) {
  for (;;) {
    record.clear();
    const Status status = tokenizer.next(record, info);
    if (status == Status::kEnd) fail(source, "empty file");
    if (status != Status::kRecord) fail_token(source, status, info, {});
    if (!info.blank) break;
  }
}

// A file without a header would silently name its columns after its first
// row. Only whole cells count: "leads_7d" or "2024_budget" are names.
void refuse_data_as_header(const Reading& reading, const std::vector<Span>& record,
                           uint32_t header_line) {
  std::string_view found;  // the cell that gives it away
  bool timestamp = false;
  bool all_numbers = true;
  for (size_t j = 0; j < record.size() && !timestamp; ++j) {
    const std::string_view cell = trim(reading.cells(record[j]));
    reading.stats.bytes_scanned += cell.size() + 1;
    if (cell.empty()) continue;
    int64_t seconds = 0;
    double value = 0;
    if (time::parse_timestamp(cell, seconds)) {
      timestamp = true;
      found = cell;
    } else if (parse_number(cell, value)) {
      if (found.empty()) found = cell;
    } else {
      all_numbers = false;
    }
  }
  if (timestamp || (all_numbers && !found.empty())) {
    fail(reading.source, "line " + std::to_string(header_line) +
                             " looks like data, not column names (found " +
                             quote_value(found, reading.cp1252) +
                             "); add a header line such as timestamp,leads,spend");
  }
}

// The header's names as they go into the Table. Empty names are checked before
// anything is allocated per column: a line of a million delimiters should fail
// fast, not after building a million columns.
std::vector<std::string> header_names(const Reading& reading, const std::vector<Span>& record,
                                      uint32_t header_line) {
  for (size_t j = 0; j < record.size(); ++j) {
    if (trim(reading.cells(record[j])).empty()) {
      fail(reading.source, "line " + std::to_string(header_line) + ": column " +
                               std::to_string(j + 1) + " has an empty name in the header");
    }
  }
  std::vector<std::string> names;
  names.reserve(record.size());
  for (size_t j = 0; j < record.size(); ++j) {
    names.push_back(table_text(trim(reading.cells(record[j])), reading.cp1252));
  }
  return names;
}

// Names the table's columns, refusing a name the header repeats.
void name_columns(Table& table, const std::vector<std::string>& names, uint32_t header_line,
                  const std::string& source) {
  std::unordered_map<std::string_view, size_t> seen;
  seen.reserve(names.size());
  for (size_t j = 0; j < names.size(); ++j) {
    const auto [it, inserted] = seen.try_emplace(names[j], j);
    if (!inserted) {
      fail(source, "line " + std::to_string(header_line) + ": column name '" +
                       message_text(names[j], kMaxQuotedName) +
                       "' appears twice in the header (columns " + std::to_string(it->second + 1) +
                       " and " + std::to_string(j + 1) + ")");
    }
    table.columns[j].name = names[j];
  }
}

void force_types(const Options& options, Table& table, std::vector<ColumnBuild>& builds) {
  for (const auto& [name, type] : options.force_types) {
    table.at(name);  // a forced column that does not exist is a caller mistake worth naming
    const size_t j = static_cast<size_t>(table.find(name));
    table.columns[j].type = type;
    builds[j].forced = true;
    builds[j].numeric = type == ColumnType::kNumber;
  }
  for (const auto& name : options.text_columns) {
    const int j = table.find(name);
    if (j < 0) continue;  // the caller names what is missing, in its own words
    table.columns[static_cast<size_t>(j)].type = ColumnType::kCategory;
    builds[static_cast<size_t>(j)].forced = true;
    builds[static_cast<size_t>(j)].numeric = false;
  }
}

// The tokenizer's number hints (see Tokenizer::set_number_hints): which columns
// are still numeric, and per record the numbers it read.
struct NumberHints {
  explicit NumberHints(const std::vector<ColumnBuild>& builds)
      : numeric(builds.size()), values(builds.size()), parsed(builds.size()) {
    for (size_t j = 0; j < builds.size(); ++j) numeric[j] = builds[j].numeric ? 1 : 0;
  }
  std::vector<uint8_t> numeric;
  std::vector<double> values;
  std::vector<uint8_t> parsed;
};

// Adds one data record: a number to each numeric column, a span to the others.
// A column whose cell is not a number stops being numeric from this row on.
void take_row(const Reading& reading, const std::vector<Span>& record, size_t row, uint32_t line,
              const std::vector<std::string>& names, NumberHints& hints,
              std::vector<ColumnBuild>& builds, Table& table) {
  for (size_t j = 0; j < record.size(); ++j) {
    ColumnBuild& build = builds[j];
    if (!build.numeric) {
      build.spans.push_back(record[j]);
      continue;
    }
    Column& column = table.columns[j];
    if (hints.parsed[j]) {
      column.numbers.push_back(hints.values[j]);
      continue;
    }
    double value;
    const std::string_view cell = reading.cells(record[j]);
    reading.stats.bytes_scanned += cell.size() + 1;
    if (cell_to_number(cell, value)) {
      column.numbers.push_back(value);
      continue;
    }
    if (build.forced) {
      fail(reading.source, "line " + std::to_string(line) + ", " + column_label(names, j) +
                               ": expected a number, found " + quote_value(cell, reading.cp1252));
    }
    build.numeric = false;
    hints.numeric[j] = 0;
    build.spans_from_row = row;
    build.spans.push_back(record[j]);
    std::vector<double>().swap(column.numbers);
  }
}

// Reserving from the first rows' density avoids repeated regrowth copies,
// which would otherwise cost a noticeable share of the parse on big files.
constexpr size_t kProbeRows = 256;

void reserve_from_probe(const Reading& reading, size_t data_start, size_t position, size_t max_rows,
                        std::vector<uint32_t>& lines, std::vector<ColumnBuild>& builds,
                        Table& table) {
  const size_t used = position - data_start;
  const size_t left = reading.input.size() - position;
  const size_t per_row = used / kProbeRows + 1;
  size_t expected = kProbeRows + left / per_row + left / per_row / 8;
  if (max_rows != 0 && expected > max_rows) expected = max_rows;
  lines.reserve(expected);
  for (size_t j = 0; j < builds.size(); ++j) {
    if (builds[j].numeric) {
      table.columns[j].numbers.reserve(expected);
    } else {
      builds[j].spans.reserve(expected);
    }
  }
}

// Streams the data records into the columns; returns the physical line of each row.
// A record with one cell more than the header when the header ends with an unnamed column
// (`trailing`): that last cell is dropped when empty, named when not.
void drop_trailing_cell(const Reading& reading, std::vector<Span>& record, const RecordInfo& info,
                        const std::vector<std::string>& names) {
  if (record.size() != names.size() + 1) return;
  const std::string_view last = reading.cells(record.back());
  if (!trim(last).empty())
    fail(reading.source, "line " + std::to_string(info.line) + ": the last column has no name in the header but holds " +
                             quote_value(last, reading.cp1252));
  record.pop_back();
}

std::vector<uint32_t> read_rows(const Reading& reading, Tokenizer& tokenizer,
                                const std::vector<std::string>& names, size_t max_rows, bool trailing,
                                NumberHints& hints, std::vector<ColumnBuild>& builds,
                                Table& table) {
  std::vector<uint32_t> lines;
  std::vector<Span> record;
  RecordInfo info;
  const size_t data_start = tokenizer.position();
  for (;;) {
    record.clear();
    const Status status = tokenizer.next(record, info);
    if (status == Status::kEnd) break;
    if (status != Status::kRecord) fail_token(reading.source, status, info, names);
    if (info.blank) continue;
    if (trailing) drop_trailing_cell(reading, record, info, names);
    if (record.size() != names.size()) {
      fail_ragged(reading.source, info.line, record.size(), names, reading.delimiter);
    }
    const size_t row = lines.size();
    lines.push_back(info.line);
    take_row(reading, record, row, info.line, names, hints, builds, table);
    if (max_rows != 0 && lines.size() >= max_rows) break;
    if (lines.size() == kProbeRows) {
      reserve_from_probe(reading, data_start, tokenizer.position(), max_rows, lines, builds, table);
    }
  }
  return lines;
}

#ifndef __EMSCRIPTEN__
// Runs work(0) .. work(count - 1) on up to `threads` threads; the first exception, in the
// order of the items, is thrown again once all are done. Each thread takes the next item
// not yet taken: the items are uneven (a column of a million distinct ids took longer to
// type than the other eight text columns of the demo leads together), and dealt out in
// turn one thread got the ids and half the rest while the other idled.
template <class Work>
void run_items(size_t count, size_t threads, const Work& work) {
  std::vector<std::exception_ptr> errors(count);
  std::atomic<size_t> next{0};
  auto run = [&] {
    for (size_t i = next++; i < count; i = next++) {
      try {
        work(i);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    }
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads && t < count; ++t) pool.emplace_back(run);
  run();
  for (auto& t : pool) t.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

// read_rows over chunks of whole lines on several threads. False (and nothing changed) when
// the file does not qualify or a chunk did not read like the one pass would: any error, or
// a column numeric in one chunk and not in another (the pass would re-scan rows the chunks
// never kept text for); the caller then reads the rows in one pass.
bool read_rows_in_chunks(const Reading& reading, const Tokenizer& header_done, const Options& options,
                         const std::vector<std::string>& names, bool trailing,
                         std::vector<ColumnBuild>& builds, Table& table, std::vector<uint32_t>& lines_out) {
  constexpr size_t kMinChunk = 1 << 20;
  const std::string_view input = reading.input;
  const size_t data_start = header_done.position(), size = input.size();
  if (options.threads < 2 || options.max_rows != 0 || options.stats != nullptr || reading.cp1252 ||
      !delimiter_allows_number_hints(reading.delimiter) || size - data_start < 2 * kMinChunk ||
      std::memchr(input.data() + data_start, '"', size - data_start) != nullptr)
    return false;
  const size_t chunks = std::min<size_t>(static_cast<size_t>(options.threads), (size - data_start) / kMinChunk);
  // Chunk boundaries just past a '\n' (never inside a "\r\n"), and each chunk's first line.
  std::vector<size_t> begin{data_start};
  for (size_t c = 1; c < chunks; ++c) {
    const size_t at = data_start + (size - data_start) * c / chunks;
    const void* nl = std::memchr(input.data() + at, '\n', size - at);
    const size_t next = nl ? static_cast<size_t>(static_cast<const char*>(nl) - input.data()) + 1 : size;
    if (next > begin.back() && next < size) begin.push_back(next);
  }
  begin.push_back(size);
  const size_t parts = begin.size() - 1;
  std::vector<uint32_t> first_line(parts);
  first_line[0] = header_done.line();
  for (size_t c = 1; c < parts; ++c)
    first_line[c] = first_line[c - 1] + line_breaks(input, begin[c - 1], begin[c]);

  struct Part {
    std::vector<uint32_t> lines;
    std::vector<ColumnBuild> builds;
    Table table;
    Stats stats;
  };
  std::vector<Part> part(parts);
  const size_t columns = builds.size();
  try {
    run_items(parts, parts, [&](size_t c) {
      Part& p = part[c];
      p.builds = builds;
      p.table.columns.resize(columns);
      // The first chunk reserves room for the whole file's rows (estimated from its first
      // rows, as one pass would), so the others are appended without moving it.
      const Reading chunk{reading.source, c == 0 ? input : input.substr(0, begin[c + 1]),
                          reading.delimiter, false, reading.cells, p.stats};
      Tokenizer tokenizer(input, reading.delimiter, nullptr);
      tokenizer.restrict_to(begin[c], begin[c + 1], first_line[c]);
      NumberHints hints(p.builds);
      tokenizer.set_number_hints(hints.numeric.data(), columns, hints.values.data(), hints.parsed.data());
      p.lines = read_rows(chunk, tokenizer, names, 0, trailing, hints, p.builds, p.table);
    });
  } catch (const Error&) {
    return false;
  }
  // Each column read alike in every chunk with rows: numbers throughout, or text from the
  // first row of every chunk after the first.
  size_t rows = 0;
  for (const Part& p : part) rows += p.lines.size();
  for (size_t j = 0; j < columns; ++j) {
    const ColumnBuild* first = nullptr;
    for (size_t c = 0; c < parts; ++c) {
      if (part[c].lines.empty()) continue;
      const ColumnBuild& b = part[c].builds[j];
      if (!first) {
        first = &b;
      } else if (b.numeric != first->numeric || (!b.numeric && b.spans_from_row != 0)) {
        return false;
      }
    }
  }
  if (rows == 0) return false;
  size_t f = 0;
  while (part[f].lines.empty()) ++f;
  lines_out = std::move(part[f].lines);
  lines_out.reserve(rows);
  builds = std::move(part[f].builds);
  for (size_t j = 0; j < columns; ++j) {
    table.columns[j].numbers = std::move(part[f].table.columns[j].numbers);
    if (builds[j].numeric) table.columns[j].numbers.reserve(rows);
    else builds[j].spans.reserve(rows);
  }
  for (size_t c = f + 1; c < parts; ++c) {
    Part& p = part[c];
    lines_out.insert(lines_out.end(), p.lines.begin(), p.lines.end());
    if (p.lines.empty()) continue;
    for (size_t j = 0; j < columns; ++j) {
      if (builds[j].numeric) {
        const auto& from = p.table.columns[j].numbers;
        table.columns[j].numbers.insert(table.columns[j].numbers.end(), from.begin(), from.end());
      } else {
        builds[j].spans.insert(builds[j].spans.end(), p.builds[j].spans.begin(), p.builds[j].spans.end());
      }
    }
  }
  return true;
}
#endif

// A column that stopped being numeric after some rows lost the spans of those
// rows; one more tokenizer pass over just that prefix recovers them. Typical
// text columns fail on their first row, so this pass is usually skipped.
void recover_prefix_spans(const Reading& reading, std::string& arena, bool trailing,
                          std::vector<ColumnBuild>& builds) {
  size_t rescan_rows = 0;
  for (const ColumnBuild& build : builds) {
    if (!build.numeric) rescan_rows = std::max(rescan_rows, build.spans_from_row);
  }
  if (rescan_rows == 0) return;
  const size_t column_count = builds.size();
  std::vector<std::vector<Span>> prefix(column_count);
  Tokenizer again(reading.input, reading.delimiter, &arena);
  std::vector<Span> record;
  RecordInfo info;
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
    if (trailing && record.size() == column_count + 1) record.pop_back();
    if (record.size() != column_count) break;
    for (size_t j = 0; j < column_count; ++j) {
      if (!builds[j].numeric && row < builds[j].spans_from_row) prefix[j].push_back(record[j]);
    }
    ++row;
  }
  reading.stats.bytes_scanned += again.scanned();
  reading.stats.rescanned_bytes += again.scanned();
  for (size_t j = 0; j < column_count; ++j) {
    if (prefix[j].empty()) continue;
    prefix[j].insert(prefix[j].end(), builds[j].spans.begin(), builds[j].spans.end());
    builds[j].spans.swap(prefix[j]);
  }
}

// Types the columns that are not numbers: timestamps when every cell reads as
// one (or the caller says so), else categories.
void type_text_columns(const Reading& reading, const std::vector<std::string>& names,
                       std::vector<ColumnBuild>& builds, Table& table, int threads) {
  const size_t columns = builds.size();
  std::vector<Stats> stats(columns);
  auto type_column = [&](size_t j) {
    Column& column = table.columns[j];
    ColumnBuild& build = builds[j];
    if (build.numeric) {
      column.type = ColumnType::kNumber;
      return;
    }
    // Defensive: never index past the spans if a re-scan came up short.
    if (build.spans.size() != table.rows) {
      fail(reading.source, "internal error while reading the file");
    }
    size_t bad_row = 0;
    if (build.forced && column.type == ColumnType::kTimestamp) {
      if (!to_times(reading.cells, build.spans, column.times, column.offset_given, bad_row, stats[j])) {
        fail(reading.source, "line " + std::to_string(table.line_of_row[bad_row]) + ", " +
                                 column_label(names, j) +
                                 ": expected a timestamp like 2024-03-10 14:00:00, found " +
                                 quote_value(reading.cells(build.spans[bad_row]), reading.cp1252));
      }
    } else if (!build.forced &&
               to_times(reading.cells, build.spans, column.times, column.offset_given, bad_row, stats[j])) {
      column.type = ColumnType::kTimestamp;
    } else {
      std::vector<int64_t>().swap(column.times);
      std::vector<uint8_t>().swap(column.offset_given);
      column.type = ColumnType::kCategory;
      to_categories(reading.cells, build.spans, column, reading.cp1252, stats[j]);
    }
    std::vector<Span>().swap(build.spans);
  };
  // Work counted on every way out, as one pass would (its errors come from the first bad
  // column, which is also the one run_items throws again).
  struct Sum {
    Stats& total;
    const std::vector<Stats>& parts;
    ~Sum() {
      for (const Stats& s : parts) total.bytes_scanned += s.bytes_scanned;
    }
  } sum{reading.stats, stats};
#ifndef __EMSCRIPTEN__
  // Columns side by side natively, on large tables only.
  if (threads > 1 && table.rows >= 100000) {
    run_items(columns, static_cast<size_t>(threads), type_column);
    return;
  }
#endif
  (void)threads;
  for (size_t j = 0; j < columns; ++j) type_column(j);
}

// Notices: one sentence per kind, with the first place and a count.
void add_notices(const Reading& reading, const EncodingScan& encoding, const Tokenizer& tokenizer,
                 const std::vector<std::string>& names, Table& table) {
  const std::string& source = reading.source;
  if (reading.cp1252 && encoding.first_invalid < tokenizer.position()) {
    const Place place =
        locate(reading.input, reading.delimiter, encoding.first_invalid, true, reading.stats);
    table.notices.push_back(source +
                            ": read as Windows-1252 (Latin-1): the file is not UTF-8 (first at " +
                            where(place) + (place.cell.empty() ? "" : ": " + place.cell) + ")");
  }
  if (const size_t cells_with_quotes = tokenizer.stray_quote_cells(); cells_with_quotes > 0) {
    table.notices.push_back(source + ": " +
                            (cells_with_quotes == 1
                                 ? std::string("1 cell has")
                                 : std::to_string(cells_with_quotes) + " cells have") +
                            " a quote inside unquoted text, kept as written (first at line " +
                            std::to_string(tokenizer.stray_quote_line()) + ", " +
                            column_label(names, tokenizer.stray_quote_field()) + ")");
  }
}

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
  Stats stats;
  // Reported on every way out, errors included, so tests can bound both.
  struct Report {
    const Stats& stats;
    Stats* out;
    ~Report() {
      if (out != nullptr) *out = stats;
    }
  } report{stats, options.stats};

  // File names are bytes too; every message, here and downstream, starts with this one.
  const std::string source = message_text(options.source, kMaxQuotedName * 4);
  const Text text = check_text(bytes, source, stats);
  const std::string_view input = text.input;
  const char delimiter = choose_delimiter(options.delimiter, input, source, stats);
  refuse_bad_bytes(text, delimiter, source, stats);

  std::string arena;
  const CellSource cells(input, arena);
  Tokenizer tokenizer(input, delimiter, &arena);
  // The main pass's work, added to stats on every way out. Declared after the tokenizer and
  // the arena, so it runs while they still exist (and before `report` copies stats out).
  struct MainPass {
    Stats& stats;
    const Tokenizer& tokenizer;
    const std::string& arena;
    ~MainPass() {
      stats.bytes_scanned += tokenizer.scanned();
      stats.arena_bytes = arena.size();
    }
  } main_pass{stats, tokenizer, arena};
  const Reading reading{source, input, delimiter, text.cp1252, cells, stats};

  RecordInfo info;
  std::vector<Span> record;
  read_header_record(tokenizer, record, info, source);
  const uint32_t header_line = info.line;
  refuse_data_as_header(reading, record, header_line);
  // A header that ends with a delimiter (an unnamed last column, as spreadsheets and CRMs
  // export with a comma at the end of every line): that column is left out, if it is empty.
  const bool trailing = record.size() > 1 && trim(reading.cells(record.back())).empty();
  if (trailing) record.pop_back();
  const std::vector<std::string> names = header_names(reading, record, header_line);
  const size_t column_count = record.size();

  Table table;
  table.source = source;
  table.columns.resize(column_count);
  name_columns(table, names, header_line, source);
  std::vector<ColumnBuild> builds(column_count);
  force_types(options, table, builds);

  NumberHints hints(builds);
  if (delimiter_allows_number_hints(delimiter)) {
    tokenizer.set_number_hints(hints.numeric.data(), column_count, hints.values.data(),
                               hints.parsed.data());
  }
  std::vector<uint32_t> lines;
#ifndef __EMSCRIPTEN__
  if (!read_rows_in_chunks(reading, tokenizer, options, names, trailing, builds, table, lines))
#endif
    lines = read_rows(reading, tokenizer, names, options.max_rows, trailing, hints, builds, table);
  if (lines.empty()) fail(source, "only a header, no data rows");
  table.rows = lines.size();
  table.line_of_row = std::move(lines);

  recover_prefix_spans(reading, arena, trailing, builds);
#ifndef __EMSCRIPTEN__
  type_text_columns(reading, names, builds, table, options.threads);
#else
  type_text_columns(reading, names, builds, table, 1);
#endif
  add_notices(reading, text.encoding, tokenizer, names, table);
  if (trailing)
    table.notices.push_back(source + ": the header ends with a delimiter (an unnamed, empty last column): left out");
  return table;
}

}  // namespace fc::csv
