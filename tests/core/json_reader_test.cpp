// The guarded JSON reader: line and column of what is wrong (counted by hand from the
// texts below), depth and size limits, messages naming the JSON path of type errors, and
// JSON Lines that skip a bad line with a note naming it.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "funnelcast/base/error.hpp"
#include "funnelcast/io/json.hpp"

#include "test_support.hpp"

namespace {

namespace json = fc::json;

using fc::testing::error_of;

std::string nested(int levels) {
  return std::string(levels, '[') + std::string(levels, ']');
}

TEST(JsonReader, WhereCountsLinesAndColumnsFromOne) {
  EXPECT_EQ(json::where("ab\ncd", 0), "line 1, column 1");
  EXPECT_EQ(json::where("ab\ncd", 2), "line 1, column 3");  // the newline itself
  EXPECT_EQ(json::where("ab\ncd", 4), "line 2, column 2");
  EXPECT_EQ(json::where("ab\ncd", 99), "line 2, column 3");  // the end of the text
  EXPECT_EQ(json::where("x", 0, 7), "line 7, column 1");
}

TEST(JsonReader, ReadsADocument) {
  const json::Json j = json::parse(" {\"a\": [1, 2.5, \"x\"], \"b\": null}\n", "f.json");
  EXPECT_EQ(j.at("a").size(), 3u);
  EXPECT_EQ(j.at("a")[1].get<double>(), 2.5);
  EXPECT_TRUE(j.at("b").is_null());
}

TEST(JsonReader, SyntaxErrorsNameTheSourceLineAndColumn) {
  // The sixth byte, ']', is where a value was expected.
  EXPECT_EQ(error_of([] {
              json::parse("[1,2,]", "f.json");
            }).rfind("f.json: line 1, column 6: syntax error", 0),
            0u)
      << error_of([] { json::parse("[1,2,]", "f.json"); });
  // On the second line: '{\n' then '  "a" 1' where ':' was expected at the 7th byte of line 2.
  EXPECT_EQ(error_of([] {
              json::parse("{\n  \"a\" 1}", "g.json");
            }).rfind("g.json: line 2, column 7: ", 0),
            0u)
      << error_of([] { json::parse("{\n  \"a\" 1}", "g.json"); });
  // Cut short: the end of the text.
  EXPECT_EQ(
      error_of([] { json::parse("{\"a\": 1", "h.json"); }).rfind("h.json: line 1, column 8: ", 0),
      0u);
  // Something after the document.
  EXPECT_NE(error_of([] { json::parse("{} x", "i.json"); }).find("i.json: line 1, column 4: "),
            std::string::npos);
  EXPECT_NE(error_of([] { json::parse("", "e.json"); }).find("e.json: line 1, column 1: "),
            std::string::npos);
  // Without a source the message starts at the line.
  EXPECT_EQ(error_of([] { json::parse("[1,]", ""); }).rfind("line 1, column 4: ", 0), 0u);
}

TEST(JsonReader, ANumberTooLargeForADoubleIsPlacedToo) {
  // Found by the fuzz test: nlohmann reports this one without a position.
  EXPECT_EQ(error_of([] { json::parse("{\n \"a\": 1e400}", "n.json"); }),
            "n.json: line 2, column 7: number overflow parsing '1e400'");
  // The same text inside a string earlier on is not the number.
  EXPECT_EQ(error_of([] { json::parse("[\"1e400\", 1e400]", "n.json"); }),
            "n.json: line 1, column 11: number overflow parsing '1e400'");
}

TEST(JsonReader, MessagesAreWrittenInPrintableAscii) {
  const std::string msg = error_of([] { json::parse("[\"ok \xFF\xFE\"]", "u.json"); });
  EXPECT_EQ(msg.rfind("u.json: line 1, column ", 0), 0u) << msg;
  for (unsigned char c : msg) EXPECT_TRUE(c >= 0x20 && c < 0x7F) << msg;
  EXPECT_NE(msg.find("\\xFF"), std::string::npos) << msg;
}

TEST(JsonReader, DepthIsLimitedAtTheBracketThatGoesTooDeep) {
  EXPECT_NO_THROW(json::parse(nested(64), "d.json"));
  EXPECT_EQ(error_of([] { json::parse(nested(65), "d.json"); }),
            "d.json: line 1, column 65: nested deeper than 64 levels");
  // 200,000 levels, on the third line after two spaces.
  const std::string deep = "\n\n  " + std::string(200000, '{');
  EXPECT_EQ(error_of([&] { json::parse(deep, "d.json"); }),
            "d.json: line 3, column 67: nested deeper than 64 levels");
  // Brackets inside strings (and escaped quotes) are text, not nesting.
  const std::string text = "[\"" + std::string(100, '[') + "\\\"" + std::string(100, '{') + "\"]";
  EXPECT_EQ(json::parse(text, "s.json")[0].get<std::string>().size(), 201u);
  // A smaller limit.
  json::Limits two;
  two.max_depth = 2;
  EXPECT_NO_THROW(json::parse("{\"a\": [1]}", "", two));
  EXPECT_EQ(error_of([&] { json::parse("{\"a\": [[1]]}", "", two); }),
            "line 1, column 8: nested deeper than 2 levels");
}

TEST(JsonReader, SizeIsLimited) {
  json::Limits small;
  small.max_bytes = 10;
  EXPECT_NO_THROW(json::parse("[1,2,3,45]", "", small));  // 10 bytes
  EXPECT_EQ(error_of([&] { json::parse("[1,2,3,456]", "big.json", small); }),
            "big.json: JSON of 11 bytes; at most 10 are read");
}

TEST(JsonReader, TypeErrorsNameThePath) {
  const json::Json run =
      json::parse(R"({"metrics": "fast", "kind": 3, "m": {"selected": 1}, "n": null})", "");
  EXPECT_EQ(
      error_of([&] { json::field(run, "metrics", json::Type::kObject, "runs.jsonl: line 3"); }),
      "runs.jsonl: line 3: field 'metrics' must be an object, found a string");
  EXPECT_EQ(error_of([&] { json::field(run, "kind", json::Type::kString, "runs.jsonl: line 3"); }),
            "runs.jsonl: line 3: field 'kind' must be a string, found a number");
  EXPECT_EQ(error_of([&] { json::field(run.at("m"), "selected", json::Type::kString, "r", "m"); }),
            "r: field 'm.selected' must be a string, found a number");
  EXPECT_EQ(error_of([&] { json::field(run, "time", json::Type::kNumber, "r", "", true); }),
            "r: field 'time' is missing");
  // Absent and null members are nullptr unless required.
  EXPECT_EQ(json::field(run, "time", json::Type::kNumber, "r"), nullptr);
  EXPECT_EQ(json::field(run, "n", json::Type::kNumber, "r"), nullptr);
  EXPECT_EQ(json::field(run.at("m"), "selected", json::Type::kNumber, "r")->get<int>(), 1);
  EXPECT_EQ(error_of([&] { json::expect(json::Json::array(), json::Type::kBoolean, "x", "a[2]"); }),
            "x: field 'a[2]' must be true or false, found an array");
  EXPECT_EQ(json::kind_of(json::Json(true)), "true");
  EXPECT_EQ(json::kind_of(json::Json()), "null");
}

TEST(JsonReader, JsonLinesSkipABadLineWithANoteNamingIt) {
  const std::string text =
      "{\"kind\": \"a\"}\n"       // 1: good
      "[1, 2]\n"                  // 2: not an object
      "{\"kind\": \"b\",\n"       // 3: cut
      "\n"                        // 4: blank, not a run
      "{\"kind\": 5}\r\n"         // 5: refused by the check
      + std::string(70, '[') +    // 6: too deep
      "\n{\"kind\": \"c\"}\r\n";  // 7: good, Windows line end
  std::vector<std::string> skipped;
  const auto check = [](const json::Json& j, const std::string& context) {
    json::field(j, "kind", json::Type::kString, context);
  };
  const std::vector<json::Line> lines = json::read_lines(text, "runs.jsonl", skipped, check);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].number, 1u);
  EXPECT_EQ(lines[1].number, 7u);
  EXPECT_EQ(lines[1].value.at("kind").get<std::string>(), "c");
  ASSERT_EQ(skipped.size(), 4u);
  EXPECT_EQ(skipped[0], "runs.jsonl: line 2: expected a JSON object, found an array");
  EXPECT_EQ(skipped[1].rfind("runs.jsonl: line 3, column 14: ", 0), 0u) << skipped[1];
  EXPECT_EQ(skipped[2], "runs.jsonl: line 5: field 'kind' must be a string, found a number");
  EXPECT_EQ(skipped[3], "runs.jsonl: line 6, column 65: nested deeper than 64 levels");
  // A line longer than the limit is skipped too.
  skipped.clear();
  EXPECT_TRUE(json::read_lines("[" + std::string(40, ' ') + "]\n", "r", skipped, {}, 16).empty());
  ASSERT_EQ(skipped.size(), 1u);
  EXPECT_EQ(skipped[0], "r: line 1: 42 bytes long; lines of at most 16 bytes are read");
}

}  // namespace
