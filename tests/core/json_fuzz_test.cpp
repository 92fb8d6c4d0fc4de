// Deterministic fuzzing of the JSON the project reads from users: runs.jsonl lines through
// json::read_lines (with the field checks `funnelcast runs` makes) and truth files through
// anomaly::read_truth and evaluate. A bad line is skipped with a note naming it, never an
// exception; a bad truth file raises fc::Error, never another exception. Crashes and
// out-of-bounds reads show up under the sanitizer build; the libFuzzer twins are
// bench/fuzz/fuzz_runs.cpp and bench/fuzz/fuzz_truth.cpp.
#include <gtest/gtest.h>

#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include "funnelcast/anomaly/evaluate.hpp"
#include "funnelcast/base/error.hpp"
#include "funnelcast/io/json.hpp"

namespace {

namespace json = fc::json;
namespace anomaly = fc::anomaly;

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed * 0x9E3779B97F4A7C15ull + 1) {}
  uint64_t next() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    return state_;
  }
  size_t below(size_t n) { return static_cast<size_t>(next() % n); }

 private:
  uint64_t state_;
};

// Fragments that steer a JSON parser into its states: structure, literals, numbers at the
// edges, escapes (valid, invalid, surrogates), invalid UTF-8, and line ends.
// clang-format off
const std::vector<std::string> kPieces = {
    "{", "}", "[", "]", ",", ":", "\"", "\\", "\\\"", "\\u0000", "\\ud800", "\\udc00x", "\\u12",
    "null", "true", "false", "tru", "-", "0", "-0", "1e400", "-1e400", "1.5e-400", "0x10",
    "18446744073709551616", "9223372036854775807", "NaN", "Infinity", " ", "\t", "\r", "\n",
    "\"metrics\"", "\"kind\"", "\"time\"", "\"model\"", "\"selected\"", "\"score\"", "\"forecast\"",
    "\xC3\xA9", "\xFF", "\x80", "\xED\xA0\x80", "\xEF\xBB\xBF", std::string(1, '\0'), "//", "/*",
    "\"2024-01-01 10:00\"", "[\"2024-01-01 10:00\", \"2024-01-01 12:00\"]", "\"2024-02-30\""};

const std::vector<std::string> kRunSeeds = {
    R"({"time":1717243200,"kind":"score","model":"a.fcm","model_hash":"0011","data":"leads.csv","data_hash":"22","params":{"num_leaves":31},"metrics":{"roc_auc":0.81,"pr_auc":0.5,"logloss":0.41,"f1":0.6}})",
    R"({"time":1717329600,"kind":"forecast","model":"f.fcm","data":"hourly.csv","params":{},"metrics":{"selected":"gbdt_l2","recursive_rmse":3.5,"recursive_mae":2.25}})",
    R"({"kind":"score","metrics":{}})", "[]", "{}", "\"x\""};

const std::vector<std::string> kTruthSeeds = {
    "timestamp,channel,kind\n2024-01-01 05:00,search,spend_spike\n2024-01-01 06:00,social,leads_burst\n2024-01-02 02:00,,tracking_outage\n",
    "start,end,channel\n2024-01-01 10:00,2024-01-01 12:30,email\n2024-01-01 20:00,2024-01-01 21:00,\n",
    "timestamp\n2024-01-01 03:00\n2024-01-01 04:00\n",
    R"([["2024-01-01 10:00", "2024-01-01 14:00"], "2024-01-01 12:00", "2024-01-02 03:00"])",
    R"({"nab/hourly.csv": [["2024-01-01 01:00", "2024-01-01 02:00"]], "other.csv": ["2024-01-01 05:00"]})",
    "\xEF\xBB\xBF[\"2024-01-01 07:00\"]"};
// clang-format on

std::string mutate(Rng& rng, const std::string& seed) {
  std::string s = seed;
  const size_t edits = 1 + rng.below(6);
  for (size_t e = 0; e < edits; ++e) {
    const size_t at = s.empty() ? 0 : rng.below(s.size() + 1);
    switch (rng.below(6)) {
      case 0:
        s.insert(at, kPieces[rng.below(kPieces.size())]);
        break;
      case 1:
        if (!s.empty()) s.erase(at == s.size() ? at - 1 : at, 1 + rng.below(8));
        break;
      case 2:
        s.resize(at);
        break;  // cut short
      case 3:
        if (!s.empty()) s[at == s.size() ? at - 1 : at] = static_cast<char>(rng.below(256));
        break;
      case 4: {  // nesting, now and then far past the limit
        const size_t depth = rng.below(4) == 0 ? 60 + rng.below(10) : 1 + rng.below(3) * 5000;
        const std::string open = rng.below(2) ? "[" : "{\"a\":";
        std::string deep;
        for (size_t d = 0; d < depth; ++d) deep += open;
        s.insert(at, deep);
        break;
      }
      default:
        s.insert(at, seed.substr(0, rng.below(seed.size() + 1)));
        break;
    }
  }
  return s;
}

// The checks `funnelcast runs` makes (native_trainer/cmd_runs.cpp).
void check_run(const json::Json& r, const std::string& context) {
  const json::Json* m = json::field(r, "metrics", json::Type::kObject, context, "", true);
  json::field(r, "kind", json::Type::kString, context);
  json::field(r, "model", json::Type::kString, context);
  json::field(r, "time", json::Type::kNumber, context);
  json::field(*m, "selected", json::Type::kString, context, "metrics");
}

size_t nonblank_lines(const std::string& text) {
  size_t n = 0, pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") != std::string::npos) ++n;
    if (end == text.size()) break;
    pos = end + 1;
  }
  return n;
}

TEST(JsonFuzz, RunsLinesAreReadOrSkippedWithANote) {
  Rng rng(7);
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    const size_t lines = 1 + rng.below(4);
    for (size_t l = 0; l < lines; ++l) {
      const std::string& seed = kRunSeeds[rng.below(kRunSeeds.size())];
      text += (rng.below(3) == 0 ? seed : mutate(rng, seed)) + (rng.below(5) == 0 ? "\r\n" : "\n");
    }
    std::vector<std::string> skipped;
    std::vector<json::Line> read;
    try {
      read = json::read_lines(text, "runs.jsonl", skipped, check_run);
    } catch (const std::exception& e) {
      FAIL() << "round " << round << ": read_lines threw " << e.what();
    }
    // Every non-blank line is either read or skipped with a note naming it.
    EXPECT_EQ(read.size() + skipped.size(), nonblank_lines(text)) << "round " << round;
    for (const auto& line : read) EXPECT_TRUE(line.value.is_object());
    for (const auto& note : skipped) {
      EXPECT_EQ(note.rfind("runs.jsonl: line ", 0), 0u) << note;
      for (unsigned char c : note)
        ASSERT_TRUE(c >= 0x20 && c < 0x7F) << "round " << round << ": " << note;
    }
  }
}

anomaly::Result hours(size_t n, uint64_t bits) {
  anomaly::Result r;
  r.start = 1704067200 - 3600 * 3;  // 2023-12-31 21:00
  r.step = 3600;
  r.value.assign(n, 1.0);
  r.score.assign(n, 0.5);
  r.flagged.assign(n, 0);
  for (size_t i = 0; i < n; ++i) r.flagged[i] = (bits >> (i % 64)) & 1;
  return r;
}

TEST(JsonFuzz, TruthFilesAreReadOrRefusedWithAnError) {
  Rng rng(11);
  size_t read = 0;
  for (int round = 0; round < 3000; ++round) {
    const std::string& seed = kTruthSeeds[rng.below(kTruthSeeds.size())];
    const std::string bytes = mutate(rng, seed);
    anomaly::Truth truth;
    try {
      truth = anomaly::read_truth(bytes, "truth", "/data/nab/hourly.csv");
    } catch (const fc::Error&) {
      continue;
    } catch (const std::exception& e) {
      FAIL() << "round " << round << ": not an fc::Error: " << e.what();
    }
    ++read;
    const anomaly::Result r = hours(60, rng.next());
    anomaly::Input in;
    in.start = r.start;
    in.value.assign(60, 1.0);
    for (const std::string channel : {"", "search", "email"}) {
      const anomaly::Evaluation e = anomaly::evaluate(r, in, truth, channel);
      EXPECT_LE(e.detected, e.events);
      EXPECT_LE(e.true_alerts, e.alerts);
      EXPECT_EQ(e.incidents.size(), e.events);
      for (size_t k = 1; k < e.incidents.size(); ++k)
        EXPECT_LT(e.incidents[k - 1].end, e.incidents[k].start) << "round " << round;
    }
  }
  EXPECT_GT(read, 100u);  // the mutations leave many files readable: the evaluation is exercised
}

}  // namespace
