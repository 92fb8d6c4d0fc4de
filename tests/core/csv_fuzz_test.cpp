// Deterministic fuzzing of csv::read: any byte string must either parse into a
// consistent Table or raise fc::Error. Crashes and out-of-bounds reads show up
// under the sanitizer build; other exception types and broken invariants here.
#include <fast_float/fast_float.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "funnelcast/io/csv.hpp"
#include "funnelcast/base/error.hpp"
#include "funnelcast/io/table.hpp"

namespace fc::csv {
namespace {

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
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

// Bytes that steer the reader into its interesting states, plus fragments that
// are close to timestamps and numbers.
// clang-format off
const std::vector<std::string> kPieces = {
    ",", ";", "\t", "\"", "\"\"", "\n", "\r", "\r\n", " ", "\xEF\xBB\xBF", "a", "0", "1.5",
    "-", "+", "e", "NA", "null", "2024-02-29", "2024-02-30 12:00", "T", ":", "Z", "+02:00",
    "/", std::string(1, '\0'), "\xFF", "x\"y", "nan", "1e400"};
// clang-format on

std::string random_input(Rng& rng) {
  std::string s;
  const size_t pieces = rng.below(40);
  for (size_t i = 0; i < pieces; ++i) {
    if (rng.below(3) == 0) {
      s.push_back(static_cast<char>(rng.below(256)));
    } else {
      s += kPieces[rng.below(kPieces.size())];
    }
  }
  return s;
}

const std::vector<std::string> kSeeds = {
    "timestamp,leads,spend,revenue\n2024-01-01 00:00,1,2.5,3\n2024-01-01 01:00,NA,\"2\",4\n",
    "a;b;c\r\n\"x;y\";1;2024-03-10T05:30:00+02:00\r\n\"q\"\"r\";2;2024-03-10\r\n",
    "\xEF\xBB\xBF"
    "name\tvalue\n\"multi\nline\"\t7\n\tnull\n",
    "id,channel,converted\n1,email,0\n2,search,1\n3,\"social, paid\",1\n4,email,\n",
    "x\n1\n2\n\n3\n",
};

std::string mutate(Rng& rng, std::string s) {
  const size_t edits = 1 + rng.below(4);
  for (size_t e = 0; e < edits; ++e) {
    const size_t at = s.empty() ? 0 : rng.below(s.size() + 1);
    switch (rng.below(5)) {
      case 0:  // insert a piece
        s.insert(at, kPieces[rng.below(kPieces.size())]);
        break;
      case 1:  // delete a run
        if (at < s.size()) s.erase(at, 1 + rng.below(4));
        break;
      case 2:  // overwrite a byte
        if (at < s.size()) s[at] = static_cast<char>(rng.below(256));
        break;
      case 3:  // duplicate a chunk
        if (at < s.size()) s.insert(at, s.substr(at, 1 + rng.below(16)));
        break;
      default:  // truncate
        s.resize(at);
        break;
    }
  }
  return s;
}

// Returns "" when the outcome is acceptable, otherwise what went wrong.
std::string check(const std::string& input, const Options& options) {
  Table t;
  try {
    t = read(input, options);
  } catch (const Error&) {
    return "";
  } catch (const std::exception& e) {
    return std::string("non-fc exception: ") + e.what();
  } catch (...) {
    return "non-std exception";
  }
  if (t.rows == 0) return "zero rows without an error";
  if (t.line_of_row.size() != t.rows) return "line_of_row size";
  for (size_t r = 1; r < t.rows; ++r) {
    if (t.line_of_row[r] <= t.line_of_row[r - 1]) return "line_of_row not increasing";
  }
  for (const Column& c : t.columns) {
    if (c.name.empty()) return "empty column name";
    switch (c.type) {
      case ColumnType::kNumber:
        if (c.numbers.size() != t.rows) return "numbers size";
        for (const double v : c.numbers) {
          if (std::isinf(v)) return "infinite number";
        }
        break;
      case ColumnType::kTimestamp:
        if (c.times.size() != t.rows) return "times size";
        break;
      case ColumnType::kCategory:
        if (c.codes.size() != t.rows) return "codes size";
        for (const int32_t code : c.codes) {
          if (code < kMissingCode || code >= static_cast<int32_t>(c.levels.size())) {
            return "code out of range";
          }
        }
        break;
    }
    for (size_t r = 0; r < t.rows; ++r) (void)c.text(r);
  }
  return "";
}

std::string printable(const std::string& s) {
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 32 && c < 127 && c != '\\') {
      out.push_back(ch);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    }
  }
  return out;
}

Options random_options(Rng& rng) {
  Options options;
  options.source = "fuzz.csv";
  if (rng.below(8) == 0) options.max_rows = 1 + rng.below(3);
  if (rng.below(8) == 0) options.delimiter = ";,\t|"[rng.below(4)];
  if (rng.below(8) == 0) {
    options.force_types = {{"a", static_cast<ColumnType>(rng.below(3))}};
  }
  return options;
}

TEST(CsvFuzz, RandomBytesParseOrThrowFcError) {
  Rng rng(0x9E3779B97F4A7C15ULL);
  for (int i = 0; i < 10000; ++i) {
    const std::string input = random_input(rng);
    const Options options = random_options(rng);
    const std::string problem = check(input, options);
    ASSERT_EQ(problem, "") << "case " << i << ": " << printable(input);
  }
}

TEST(CsvFuzz, MutatedValidFilesParseOrThrowFcError) {
  Rng rng(20240310);
  for (int i = 0; i < 10000; ++i) {
    const std::string input = mutate(rng, kSeeds[rng.below(kSeeds.size())]);
    const Options options = random_options(rng);
    const std::string problem = check(input, options);
    ASSERT_EQ(problem, "") << "case " << i << ": " << printable(input);
  }
}

TEST(CsvFuzz, EveryPrefixOfAValidFile) {
  const std::string full = kSeeds[0] + kSeeds[1];
  for (size_t n = 0; n <= full.size(); ++n) {
    ASSERT_EQ(check(full.substr(0, n), {}), "") << n;
  }
}

// parse_number takes its own shortcut for plain decimals; fast_float is the
// independent reference it must match bit for bit.
TEST(CsvFuzz, PlainDecimalsMatchFastFloat) {
  Rng rng(77);
  for (int i = 0; i < 200000; ++i) {
    std::string s;
    if (rng.below(2)) s += '-';
    const size_t int_digits = rng.below(12);
    for (size_t d = 0; d < int_digits; ++d) s += static_cast<char>('0' + rng.below(10));
    if (rng.below(3)) {
      s += '.';
      const size_t frac_digits = rng.below(12);
      for (size_t d = 0; d < frac_digits; ++d) s += static_cast<char>('0' + rng.below(10));
    }
    double reference = 0;
    const auto result = fast_float::from_chars(s.data(), s.data() + s.size(), reference);
    const bool reference_ok = result.ec == std::errc() && result.ptr == s.data() + s.size();
    double mine = 0;
    ASSERT_EQ(parse_number(s, mine), reference_ok) << s;
    if (reference_ok) {
      ASSERT_EQ(std::memcmp(&mine, &reference, sizeof mine), 0) << s;
    }
  }
}

// Inputs shaped to provoke quadratic scans or huge allocations. Timings are not
// asserted (they belong in bench/); a quadratic path would show as a test that
// takes minutes instead of a second.
TEST(CsvFuzz, PathologicalInputsStayLinear) {
  const size_t n = 1 << 20;
  const std::vector<std::string> inputs = {
      std::string(n, ' '),
      std::string(n, '"'),
      std::string(n, '\r'),
      std::string(n, '\n'),
      std::string(n, ','),
      "a\n" + std::string(n, ' ') + "x",
      "a,b\n\"" + std::string(n, 'x'),
      "a\n" + std::string(n, '9'),
      [] {
        std::string s;
        for (size_t i = 0; s.size() < (1 << 20); ++i) s += "c" + std::to_string(i) + ",";
        s.back() = '\n';
        return s + "1\n";
      }(),
  };
  for (const std::string& input : inputs) {
    EXPECT_EQ(check(input, {}), "") << printable(input.substr(0, 20));
  }
}

TEST(CsvFuzz, SeedsThemselvesParse) {
  for (const std::string& seed : kSeeds) EXPECT_NO_THROW(read(seed)) << printable(seed);
}

}  // namespace
}  // namespace fc::csv
