#include "funnelcast/io/table.hpp"

#include <fast_float/fast_float.h>

#include <cmath>
#include <cstdio>
#include <system_error>

#include "funnelcast/base/error.hpp"
#include "funnelcast/time/time.hpp"

namespace fc {
namespace {

std::string_view trim(std::string_view s) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return s.substr(b, e - b);
}

char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

// The fewest significant digits that read back to the same double, so 0.1 prints
// as "0.1" rather than the 17-digit "0.10000000000000001".
std::string format_number(double value) {
  if (std::isnan(value)) return "";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buffer[40];
  for (int precision = 15; precision <= 17; ++precision) {
    const int length = std::snprintf(buffer, sizeof buffer, "%.*g", precision, value);
    double back = 0;
    const auto result = fast_float::from_chars(buffer, buffer + length, back);
    if (result.ec == std::errc() && back == value) break;
  }
  return buffer;
}

}  // namespace

std::string message_text(std::string_view text, size_t max_bytes) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    if (i >= max_bytes) {
      out += "...";
      break;
    }
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7F) {
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    const size_t length = c >= 0x80 ? utf8_length(text, i) : 0;
    if (length > 0) {
      out.append(text.substr(i, length));
      i += length;
      continue;
    }
    char hex[8];
    std::snprintf(hex, sizeof hex, "\\x%02X", c);
    out += hex;
    ++i;
  }
  return out;
}

const char* to_string(ColumnType type) {
  switch (type) {
    case ColumnType::kNumber:
      return "number";
    case ColumnType::kTimestamp:
      return "timestamp";
    case ColumnType::kCategory:
      return "category";
  }
  return "unknown";
}

bool Column::is_missing(size_t row) const {
  switch (type) {
    case ColumnType::kNumber:
      return row >= numbers.size() || std::isnan(numbers[row]);
    case ColumnType::kTimestamp:
      return row >= times.size() || times[row] == kMissingTime;
    case ColumnType::kCategory:
      return row >= codes.size() || codes[row] < 0 ||
             static_cast<size_t>(codes[row]) >= levels.size();
  }
  return true;
}

std::string Column::text(size_t row) const {
  if (is_missing(row)) return "";
  switch (type) {
    case ColumnType::kNumber:
      return format_number(numbers[row]);
    case ColumnType::kTimestamp:
      return time::format_timestamp(times[row]);
    case ColumnType::kCategory:
      return levels[static_cast<size_t>(codes[row])];
  }
  return "";
}

int Table::find(std::string_view name) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == name) return static_cast<int>(i);
  }
  // People type "Leads " or "leads" for a header "leads"; exports vary in both.
  const std::string_view wanted = trim(name);
  for (size_t i = 0; i < columns.size(); ++i) {
    if (equals_ignoring_case(trim(columns[i].name), wanted)) return static_cast<int>(i);
  }
  return -1;
}

const Column& Table::at(std::string_view name) const {
  const int index = find(name);
  if (index >= 0) return columns[static_cast<size_t>(index)];
  std::string message = source + ": no column '" + message_text(name) + "' (";
  if (columns.empty()) {
    message += "the table has no columns)";
  } else {
    message += "columns: ";
    for (size_t i = 0; i < columns.size(); ++i) {
      if (i > 0) message += ", ";
      message += message_text(columns[i].name);
    }
    message += ")";
  }
  throw Error(message);
}

}  // namespace fc
