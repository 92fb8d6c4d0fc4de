// A command's options described once. Each command's request is a struct with one list of
// fields (name, type, help, default, limits, setter); that list reads the options from CLI
// flags and from a JS object (as JSON), writes the --help text, and reaches the page and
// the TypeScript declarations' test through registry(). The edges only move values.
#pragma once
#include <cmath>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "funnelcast/base/error.hpp"

namespace fc::api {

// A number in a result document: null where it is NaN or infinite (JSON has neither).
inline nlohmann::json number_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

enum class FieldType {
  kText,     // any string
  kNumber,   // a finite number within [min, max]
  kInteger,  // a whole number within [min, max]
  kFlag,     // true / false (a CLI option without a value)
  kSpan,     // a duration: "36h", "14d", "2w", a number of intervals as text, or hours as a number
  kChoice,   // one of `choices`
  kScore,    // a threshold: a score in (0, 1), a z-score ("3z" or a number >= 1)
  kColumns,  // JS only: typed-array columns, moved by the bindings themselves
  kIndexes,  // JS only: a list of row indexes (whole numbers from 0)
};
// "text", "number", "integer", "flag", "span", "choice", "score", "columns", "indexes"
const char* type_name(FieldType t);

// Where a field is read: both edges, or the command line alone (files, output formats).
enum class Edge { kBoth, kCli, kJs };

struct FieldInfo {
  std::string name;        // the CLI option (--name) and the JS key (the same name)
  FieldType type = FieldType::kText;
  std::string value_name;  // in --help: FILE, HOURS, N (none for flags)
  std::string help;        // one line (or more, "\n"-separated) for --help and the page
  std::string fallback;    // the default as shown ("" = none, or said in `help`)
  double min = 0, max = 0; // kNumber, kInteger: limits (ignored when min == max == 0)
  std::vector<std::string> choices;  // kChoice
  Edge edge = Edge::kBoth;
  std::vector<std::pair<std::string, double>> words;  // kNumber, kInteger: words for values ("all" = -1)

  // Read as a sentence: option("window", kNumber, "HOURS", "...").or_else("24").within(1, 8784).
  // Each step moves the description along, out of line: one call per step at each of the
  // hundred-odd options, not a copy of its strings (this is code in the page's bundle).
  FieldInfo or_else(std::string d) &&;
  FieldInfo within(double lo, double hi) &&;
  FieldInfo among(std::vector<std::string> v) &&;
  FieldInfo only(Edge e) &&;
  FieldInfo word(const char* w, double v) &&;
};
FieldInfo option(const char* name, FieldType type, const char* value_name, std::string help);
inline FieldInfo option(const char* name, FieldType type, const char* value_name, const char* help) {
  return option(name, type, value_name, std::string(help));
}

// One field of request R: its description and how a checked value lands in R. The setter
// is a plain function (a lambda without captures): a std::function per option cost the
// page's bundle about 300 bytes each in type-erasure code.
template <class R>
struct Field {
  FieldInfo info;
  void (*set)(R&, const nlohmann::json&);
};

// "min_baseline_points" -> "--min-baseline-points": JS keys are snake_case as in the JSON.
std::string cli_flag(const std::string& name);

// The value given for a field, checked against its type, limits and choices. `text` is how
// the command line gave it; JSON values come typed. fc::Error names the option the way its
// edge spells it (`where`: "--window" or "option 'window'") and says what was expected.
nlohmann::json value_from_text(const FieldInfo& f, const std::string& text, const std::string& where);
nlohmann::json checked_value(const FieldInfo& f, const nlohmann::json& v, const std::string& where);

// The --help lines of these fields ("  --window HOURS   hours per window (default 24)").
std::string options_help(const std::vector<FieldInfo>& fields, Edge edge = Edge::kCli);
// The fields as the registry gives them to the page: [{name, type, help, default, ...}].
nlohmann::json describe(const std::vector<FieldInfo>& fields);

template <class R>
std::vector<FieldInfo> infos(const std::vector<Field<R>>& fields) {
  std::vector<FieldInfo> out;
  for (const auto& f : fields) out.push_back(f.info);
  return out;
}

[[noreturn]] void throw_not_an_object();
[[noreturn]] void rethrow_for_edge(const Error& e, const std::string& name, Edge edge);
[[noreturn]] void throw_unknown(const std::string& key, const std::vector<FieldInfo>& fields, Edge edge);

// field.set(r, v), with an error the setter raises about "name: ..." told the way this edge
// spells the option ("--name: ..." on the command line).
template <class R>
void set_field(void (*set)(R&, const nlohmann::json&), R& r, const nlohmann::json& v, const std::string& name, Edge edge) {
  try {
    set(r, v);
  } catch (const Error& e) {
    rethrow_for_edge(e, name, edge);
  }
}

// A request from the values given, by option name (from the CLI: checked text converted by
// value_from_text; from JS: an object). Unknown names are an error listing the options of
// this edge; null means "not given" (the default).
template <class R>
R read_request(const std::vector<Field<R>>& fields, const nlohmann::json& given, Edge edge, R r = R{}) {
  const auto where = [edge](const std::string& name) {
    return edge == Edge::kCli ? cli_flag(name) : "option '" + name + "'";
  };
  if (given.is_null()) return r;
  if (!given.is_object()) throw_not_an_object();
  for (const auto& [key, value] : given.items()) {
    const Field<R>* field = nullptr;
    for (const auto& f : fields)
      if (f.info.name == key && (f.info.edge == Edge::kBoth || f.info.edge == edge)) field = &f;
    if (!field) throw_unknown(key, infos(fields), edge);
    if (value.is_null() || field->info.type == FieldType::kColumns) continue;
    set_field(field->set, r, checked_value(field->info, value, where(key)), key, edge);
  }
  return r;
}

}  // namespace fc::api
