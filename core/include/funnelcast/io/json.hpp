// The one guarded JSON reader of the project: every JSON text the core or the CLI reads
// (model headers, XGBoost models, runs.jsonl, truth files) goes through parse(), which
// limits size and nesting depth before nlohmann sees the text and names the source, line
// and column of what is wrong; field() and expect() name the JSON path of a type error.
#pragma once
#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace fc::json {

using Json = nlohmann::json;

// Deep documents are refused: nlohmann parses iteratively, but dump() and readers that
// walk a document recurse, so a hostile file could exhaust the stack later on.
constexpr int kMaxDepth = 64;
constexpr size_t kMaxBytes = size_t{256} << 20;  // 256 MiB

struct Limits {
  size_t max_bytes = kMaxBytes;
  int max_depth = kMaxDepth;
  // Where the text starts in its file, for the line numbers of errors (runs.jsonl
  // parses one line at a time).
  size_t first_line = 1;
};

// "line L, column C" of a byte offset (0-based) into `text`; columns count bytes from 1.
std::string where(std::string_view text, size_t offset, size_t first_line = 1);

// The document in `text`, or fc::Error "<source>: line L, column C: <what is wrong>"
// (a syntax error, text after the document, invalid UTF-8, nested deeper than the limit,
// larger than the limit). An empty `source` leaves the "<source>: " out.
Json parse(std::string_view text, const std::string& source, const Limits& limits = {});

// "a string", "a number", "an object", "an array", "true or false", "null".
std::string kind_of(const Json& value);

enum class Type { kObject, kArray, kString, kNumber, kBoolean };

// fc::Error "<context>: field '<path>' must be <type>, found <kind>" unless `value` has the
// type; `context` names the file (and line), `path` the place in the document (a.b[2]).
void expect(const Json& value, Type type, const std::string& context, const std::string& path);

// The member `key` of `object` when present (nullptr when absent or null), checked to be
// of `type`; `required` makes an absent member an error too ("field 'x' is missing").
const Json* field(const Json& object, const std::string& key, Type type, const std::string& context,
                  const std::string& parent_path = "", bool required = false);

// JSON Lines: each non-empty line parsed as its own document (an object), in file order.
// A line that is not valid JSON, not an object or refused by `check` (which throws
// fc::Error naming what is wrong) is skipped and said in `skipped`, one message per line,
// each naming `source` and the line.
struct Line {
  size_t number = 0;
  Json value;
};
std::vector<Line> read_lines(
    std::string_view text, const std::string& source, std::vector<std::string>& skipped,
    const std::function<void(const Json&, const std::string& context)>& check = {},
    size_t max_line_bytes = size_t{16} << 20);

}  // namespace fc::json
