// The guarded JSON reader. The depth is measured by a scan of the bytes before nlohmann
// parses anything (strings skipped with their escapes), so a document nested 200,000 deep
// is refused at the byte that opens level 65, with its line and column; the parse callback
// keeps the same limit as a second guard.
#include "funnelcast/io/json.hpp"

#include <algorithm>
#include <cstdio>

#include "funnelcast/base/error.hpp"

namespace fc::json {
namespace {

std::string prefixed(const std::string& source, const std::string& rest) {
  return source.empty() ? rest : source + ": " + rest;
}

// Messages are shown to people and written into JSON: bytes that are not printable ASCII
// (the invalid UTF-8 a parser quotes back, control characters) are written as \xNN.
std::string printable(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7F) {
      out.push_back(static_cast<char>(c));
    } else {
      char b[8];
      std::snprintf(b, sizeof b, "\\x%02X", c);
      out += b;
    }
  }
  return out;
}

// "[json.exception.parse_error.101] parse error at line 1, column 5: syntax error ..." ->
// "syntax error ..." (the line and column are said by where(), counted in the whole file).
std::string reason(const std::string& what) {
  std::string s = what;
  if (!s.empty() && s[0] == '[') {
    const size_t close = s.find("] ");
    if (close != std::string::npos) s.erase(0, close + 2);
  }
  if (s.rfind("parse error", 0) == 0) {
    const size_t colon = s.find(": ");
    if (colon != std::string::npos) s.erase(0, colon + 2);
  }
  return printable(s);
}

// The first offset outside string literals where `stop(i, c)` says so, or npos. Strings
// (with their escapes) are skipped, so brackets and digits inside them never count.
template <class Stop>
size_t first_outside_strings(std::string_view text, Stop stop) {
  bool in_string = false, escaped = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"')
      in_string = true;
    else if (stop(i, c))
      return i;
  }
  return std::string_view::npos;
}

// The offset of the bracket that opens a level deeper than `max_depth`, or npos.
size_t too_deep_at(std::string_view text, int max_depth) {
  int depth = 0;
  return first_outside_strings(text, [&](size_t, char c) {
    if (c == '[' || c == '{') return ++depth > max_depth;
    if ((c == ']' || c == '}') && depth > 0) --depth;
    return false;
  });
}

// Where `token` (a number nlohmann could not hold) first starts outside strings, or npos.
size_t token_at(std::string_view text, const std::string& token) {
  if (token.empty()) return std::string_view::npos;
  return first_outside_strings(text, [&](size_t i, char) { return text.compare(i, token.size(), token) == 0; });
}

}  // namespace

std::string where(std::string_view text, size_t offset, size_t first_line) {
  offset = std::min(offset, text.size());
  size_t line = first_line, line_start = 0;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(offset - line_start + 1);
}

Json parse(std::string_view text, const std::string& source, const Limits& limits) {
  if (text.size() > limits.max_bytes) {
    throw Error(prefixed(source, "JSON of " + std::to_string(text.size()) + " bytes; at most " +
                                     std::to_string(limits.max_bytes) + " are read"));
  }
  const size_t deep = too_deep_at(text, limits.max_depth);
  if (deep != std::string_view::npos) {
    throw Error(prefixed(source, where(text, deep, limits.first_line) + ": nested deeper than " +
                                     std::to_string(limits.max_depth) + " levels"));
  }
  const int max_depth = limits.max_depth;
  auto guard = [max_depth](int depth, Json::parse_event_t, Json&) {
    if (depth > max_depth)
      throw Error("nested deeper than " + std::to_string(max_depth) + " levels");
    return true;
  };
  try {
    return Json::parse(text.begin(), text.end(), guard);
  } catch (const Json::parse_error& e) {
    const size_t offset = e.byte > 0 ? e.byte - 1 : 0;
    throw Error(prefixed(source, where(text, offset, limits.first_line) + ": " + reason(e.what())));
  } catch (const Json::exception& e) {
    // Other errors of the parse (a number too large for a double: "number overflow parsing
    // '1e400'") carry no position: the quoted token is found in the text.
    const std::string what = e.what();
    const size_t q1 = what.find('\''), q2 = what.rfind('\'');
    const size_t at = q1 != std::string::npos && q2 > q1
                          ? token_at(text, what.substr(q1 + 1, q2 - q1 - 1))
                          : std::string_view::npos;
    const std::string place = at != std::string_view::npos
                                  ? where(text, at, limits.first_line)
                                  : "line " + std::to_string(limits.first_line);
    throw Error(prefixed(source, place + ": " + reason(what)));
  } catch (const Error& e) {
    throw Error(prefixed(source, e.what()));
  }
}

std::string kind_of(const Json& value) {
  switch (value.type()) {
    case Json::value_t::object:
      return "an object";
    case Json::value_t::array:
      return "an array";
    case Json::value_t::string:
      return "a string";
    case Json::value_t::boolean:
      return value.get<bool>() ? "true" : "false";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      return "a number";
    case Json::value_t::null:
      return "null";
    default:
      return "nothing";
  }
}

namespace {

const char* type_name(Type t) {
  switch (t) {
    case Type::kObject:
      return "an object";
    case Type::kArray:
      return "an array";
    case Type::kString:
      return "a string";
    case Type::kNumber:
      return "a number";
    case Type::kBoolean:
      return "true or false";
  }
  return "?";
}

bool has_type(const Json& v, Type t) {
  switch (t) {
    case Type::kObject:
      return v.is_object();
    case Type::kArray:
      return v.is_array();
    case Type::kString:
      return v.is_string();
    case Type::kNumber:
      return v.is_number();
    case Type::kBoolean:
      return v.is_boolean();
  }
  return false;
}

}  // namespace

void expect(const Json& value, Type type, const std::string& context, const std::string& path) {
  if (has_type(value, type)) return;
  throw Error(prefixed(context, "field '" + printable(path) + "' must be " + type_name(type) +
                                    ", found " + kind_of(value)));
}

const Json* field(const Json& object, const std::string& key, Type type, const std::string& context,
                  const std::string& parent_path, bool required) {
  const std::string path = parent_path.empty() ? key : parent_path + "." + key;
  const Json* v = nullptr;
  if (object.is_object()) {
    const auto it = object.find(key);
    if (it != object.end() && !it->is_null()) v = &*it;
  }
  if (!v) {
    if (required) throw Error(prefixed(context, "field '" + printable(path) + "' is missing"));
    return nullptr;
  }
  expect(*v, type, context, path);
  return v;
}

std::vector<Line> read_lines(std::string_view text, const std::string& source,
                             std::vector<std::string>& skipped,
                             const std::function<void(const Json&, const std::string&)>& check,
                             size_t max_line_bytes) {
  std::vector<Line> out;
  size_t number = 0, pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    const std::string context = prefixed(source, "line " + std::to_string(number));
    if (line.size() > max_line_bytes) {
      skipped.push_back(context + ": " + std::to_string(line.size()) +
                        " bytes long; lines of at most " + std::to_string(max_line_bytes) +
                        " bytes are read");
      continue;
    }
    try {
      Limits limits;
      limits.max_bytes = max_line_bytes;
      limits.first_line = number;
      Json value = parse(line, source, limits);
      if (!value.is_object())
        throw Error(context + ": expected a JSON object, found " + kind_of(value));
      if (check) check(value, context);
      out.push_back({number, std::move(value)});
    } catch (const Error& e) {
      skipped.push_back(e.what());
    }
  }
  return out;
}

}  // namespace fc::json
