// Checking option values against their field's description, and the help and registry
// text written from the same descriptions.
#include "funnelcast/api/fields.hpp"

#include <cmath>
#include <cstdio>

#include "funnelcast/base/error.hpp"

namespace fc::api {
namespace {

bool limited(const FieldInfo& f) { return !(f.min == 0 && f.max == 0); }

std::string number_text(double x) {
  char b[32];
  std::snprintf(b, sizeof b, "%.10g", x);
  return b;
}

std::string limits_text(const FieldInfo& f) {
  if (!limited(f)) return "";
  return " from " + number_text(f.min) + " to " + number_text(f.max);
}

std::string choices_text(const FieldInfo& f) {
  std::string s;
  for (const auto& c : f.choices) s += (s.empty() ? "" : ", ") + c;
  return s;
}

[[noreturn]] void expected(const std::string& where, const std::string& what, const std::string& found) {
  throw Error(where + ": expected " + what + ", found " + found);
}

std::string found_json(const nlohmann::json& v) {
  return v.is_string() ? "'" + v.get<std::string>() + "'" : v.dump();
}

}  // namespace

FieldInfo FieldInfo::or_else(std::string d) && {
  fallback = std::move(d);
  return std::move(*this);
}
FieldInfo FieldInfo::within(double lo, double hi) && {
  min = lo;
  max = hi;
  return std::move(*this);
}
FieldInfo FieldInfo::among(std::vector<std::string> v) && {
  choices = std::move(v);
  return std::move(*this);
}
FieldInfo FieldInfo::only(Edge e) && {
  edge = e;
  return std::move(*this);
}
FieldInfo FieldInfo::word(const char* w, double v) && {
  words.emplace_back(w, v);
  return std::move(*this);
}
FieldInfo option(const char* name, FieldType type, const char* value_name, std::string help) {
  FieldInfo f;
  f.name = name;
  f.type = type;
  f.value_name = value_name;
  f.help = std::move(help);
  return f;
}

void rethrow_for_edge(const Error& e, const std::string& name, Edge edge) {
  const std::string what = e.what();
  if (edge == Edge::kCli && what.rfind(name + ":", 0) == 0) throw Error(cli_flag(name) + what.substr(name.size()));
  throw e;
}

const char* type_name(FieldType t) {
  switch (t) {
    case FieldType::kText: return "text";
    case FieldType::kNumber: return "number";
    case FieldType::kInteger: return "integer";
    case FieldType::kFlag: return "flag";
    case FieldType::kSpan: return "span";
    case FieldType::kChoice: return "choice";
    case FieldType::kScore: return "score";
    case FieldType::kColumns: return "columns";
    case FieldType::kIndexes: return "indexes";
  }
  return "text";
}

nlohmann::json value_from_text(const FieldInfo& f, const std::string& text, const std::string& where) {
  switch (f.type) {
    case FieldType::kFlag:
      return checked_value(f, true, where);
    case FieldType::kNumber:
    case FieldType::kInteger: {
      for (const auto& [w, x] : f.words)
        if (text == w) return checked_value(f, x, where);
      const char* b = text.c_str();
      char* end = nullptr;
      const double x = std::strtod(b, &end);
      if (text.empty() || *end != '\0' || !std::isfinite(x))
        expected(where, f.type == FieldType::kInteger ? "a whole number" + limits_text(f) : "a number" + limits_text(f),
                 "'" + text + "'");
      return checked_value(f, x, where);
    }
    case FieldType::kText:
    case FieldType::kSpan:
    case FieldType::kChoice:
    case FieldType::kScore:
    case FieldType::kColumns:
    case FieldType::kIndexes:
      return checked_value(f, text, where);
  }
  return text;
}

nlohmann::json checked_value(const FieldInfo& f, const nlohmann::json& v, const std::string& where) {
  switch (f.type) {
    case FieldType::kFlag:
      if (!v.is_boolean()) expected(where, "true or false", found_json(v));
      return v;
    case FieldType::kNumber:
    case FieldType::kInteger: {
      const bool whole = f.type == FieldType::kInteger;
      std::string what = (whole ? "a whole number" : "a number") + limits_text(f);
      for (const auto& [w, x] : f.words) {
        if (v.is_string() && v.get<std::string>() == w) return checked_value(f, x, where);
        what += " or '" + w + "'";
      }
      if (!v.is_number()) expected(where, what, found_json(v));
      const double x = v.get<double>();
      if (!std::isfinite(x) || (whole && x != std::floor(x)) || (limited(f) && (x < f.min || x > f.max)))
        expected(where, what, number_text(x));
      return whole ? nlohmann::json(static_cast<int64_t>(x)) : nlohmann::json(x);
    }
    case FieldType::kText:
      if (!v.is_string()) expected(where, "a text", found_json(v));
      return v;
    case FieldType::kChoice: {
      if (!v.is_string()) expected(where, "one of " + choices_text(f), found_json(v));
      for (const auto& c : f.choices)
        if (c == v.get<std::string>()) return v;
      throw Error(where + ": unknown " + f.name + " '" + v.get<std::string>() + "'; choose one of " + choices_text(f));
    }
    case FieldType::kSpan:
      if (!v.is_string() && !v.is_number()) expected(where, "a duration such as 36h, 14d or 2w", found_json(v));
      return v;
    case FieldType::kScore:
      if (!v.is_string() && !v.is_number()) expected(where, "a score below 1 or a z such as 3z", found_json(v));
      return v;
    case FieldType::kColumns:
      return v;
    case FieldType::kIndexes: {
      const char* what = "a list of row numbers (whole numbers from 0)";
      if (!v.is_array()) expected(where, what, found_json(v));
      for (const auto& x : v)
        if (!x.is_number_integer() || x.get<int64_t>() < 0 || x.get<int64_t>() > int64_t{0xFFFFFFFF})
          expected(where, what, found_json(x));
      return v;
    }
  }
  return v;
}

std::string cli_flag(const std::string& name) {
  std::string s = "--" + name;
  for (char& c : s)
    if (c == '_') c = '-';
  return s;
}

void throw_not_an_object() { throw Error("options must be an object of option names and values"); }

void throw_unknown(const std::string& key, const std::vector<FieldInfo>& fields, Edge edge) {
  std::string list;
  for (const auto& f : fields)
    if (f.edge == Edge::kBoth || f.edge == edge) list += (list.empty() ? "" : ", ") + f.name;
  if (edge == Edge::kCli) throw Error("unknown option " + cli_flag(key) + " (options: " + list + ")");
  throw Error("unknown option '" + key + "' (options: " + list + ")");
}

std::string options_help(const std::vector<FieldInfo>& fields, Edge edge) {
  std::string out;
  for (const auto& f : fields) {
    if (!(f.edge == Edge::kBoth || f.edge == edge)) continue;
    std::string left = "  " + cli_flag(f.name) + (f.value_name.empty() ? "" : " " + f.value_name);
    const bool own_line = left.size() > 18;
    left.resize(own_line ? left.size() : 19, ' ');
    std::string help = f.help;
    if (f.type == FieldType::kChoice && help.find("%choices") != std::string::npos)
      help.replace(help.find("%choices"), 8, choices_text(f));
    if (!f.fallback.empty()) help += " (default " + f.fallback + ")";
    // Continuation lines of the help line up under its first line.
    std::string body;
    size_t start = 0;
    while (start <= help.size()) {
      const size_t nl = help.find('\n', start);
      const std::string line = help.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
      body += (body.empty() ? "" : "\n" + std::string(19, ' ')) + line;
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
    out += own_line ? left + "\n" + std::string(19, ' ') + body + "\n" : left + body + "\n";
  }
  return out;
}

nlohmann::json describe(const std::vector<FieldInfo>& fields) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& f : fields) {
    if (f.edge == Edge::kCli) continue;
    nlohmann::json j = {{"name", f.name}, {"type", type_name(f.type)}, {"help", f.help},
                        {"default", f.fallback.empty() ? nlohmann::json(nullptr) : nlohmann::json(f.fallback)}};
    if (limited(f)) {
      j["min"] = f.min;
      j["max"] = f.max;
    }
    if (f.type == FieldType::kChoice) j["choices"] = f.choices;
    if (!f.words.empty()) {
      j["words"] = nlohmann::json::object();
      for (const auto& [w, x] : f.words) j["words"][w] = x;
    }
    out.push_back(j);
  }
  return out;
}

}  // namespace fc::api
