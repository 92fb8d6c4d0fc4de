// Deterministic fuzzing of csv::read: any byte string must either parse into a
// consistent Table (with a few notices at most) or raise fc::Error whose message
// is printable UTF-8. Crashes and out-of-bounds reads show up under the sanitizer
// build; other exception types and broken invariants here.
#include <fast_float/fast_float.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "funnelcast/base/error.hpp"
#include "funnelcast/io/csv.hpp"
#include "funnelcast/io/table.hpp"

#include "test_support.hpp"

namespace fc::csv {
namespace {

using fc::testing::widen;

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
    "/", std::string(1, '\0'), "\xFF", "x\"y", "nan", "1e400",
    // Encodings: UTF-8 of each length, Windows-1252 bytes, malformed UTF-8.
    "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x93\x88", "\xE9", "\x80", "\x93", "\xE2\x82",
    "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "12\" screen", "R\xE9seaux"};

// Starts of files that are not CSV text, or only look like it.
const std::vector<std::string> kPrefixes = {
    "\xFF\xFE", "\xFE\xFF", std::string("\xFF\xFE\0\0", 4), std::string("\0\0\xFE\xFF", 4),
    "FCMODEL1", "PK\x03\x04", "PK\x05\x06", "%PDF-", "\x1F\x8B", "\x89PNG\r\n\x1A\n",
    std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8), "BZh91AY&SY", "PAR1", "GIF89a",
    "\xEF\xBB\xBF", "2024-01-01 00:00,", "1,2,3\n", "xl/", "BZh"};
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
    "channel,leads\nR\xE9seaux,1\nEmail,2\n\x93Promo\x94,3\n",
    "channel;leads\nR\xC3\xA9seaux;1\n\xE2\x82\xAC;2\n",
    "size,n\n12\" screen,1\nab\"c,2\n\"ok \"\"q\"\"\",3\n",
    "2024-01-01 00:00:00,5,3.5\n2024-01-01 01:00:00,6,2\n",
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

// UTF-8 checked by decoding code points, independently of the reader's own
// utf8_length: the lead byte gives the length, the value must need that length,
// and it must be a scalar value (not a surrogate, at most U+10FFFF).
bool valid_utf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto lead = static_cast<unsigned char>(s[i]);
    size_t length = 0;
    uint32_t code = 0;
    uint32_t minimum = 0;
    if (lead < 0x80) {
      length = 1;
      code = lead;
    } else if ((lead >> 5) == 0x6) {
      length = 2;
      code = lead & 0x1F;
      minimum = 0x80;
    } else if ((lead >> 4) == 0xE) {
      length = 3;
      code = lead & 0x0F;
      minimum = 0x800;
    } else if ((lead >> 3) == 0x1E) {
      length = 4;
      code = lead & 0x07;
      minimum = 0x10000;
    } else {
      return false;
    }
    if (i + length > s.size()) return false;
    for (size_t k = 1; k < length; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c >> 6) != 0x2) return false;
      code = (code << 6) | (c & 0x3F);
    }
    if (code < minimum || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += length;
  }
  return true;
}

// Text the reader hands to people (messages, notices, names, levels): UTF-8;
// messages and notices also free of control bytes, NUL included.
std::string check_text(const std::string& text, const char* what, bool printable) {
  if (!valid_utf8(text)) return std::string(what) + " is not valid UTF-8";
  for (const char c : text) {
    if (c == '\0') return std::string(what) + " holds a NUL";
    if (printable && (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)) {
      return std::string(what) + " holds a control byte";
    }
  }
  return "";
}

// Returns "" when the outcome is acceptable, otherwise what went wrong.
std::string check(const std::string& input, const Options& options) {
  Table t;
  try {
    t = read(input, options);
  } catch (const Error& e) {
    const std::string message = e.what();
    if (message.empty()) return "empty error message";
    if (message.rfind(options.source + ": ", 0) != 0) return "message does not name the source";
    return check_text(message, "error message", true);
  } catch (const std::exception& e) {
    return std::string("non-fc exception: ") + e.what();
  } catch (...) {
    return "non-std exception";
  }
  if (input.find('\0') != std::string::npos) return "a NUL byte was accepted";
  if (t.rows == 0) return "zero rows without an error";
  if (t.line_of_row.size() != t.rows) return "line_of_row size";
  for (size_t r = 1; r < t.rows; ++r) {
    if (t.line_of_row[r] <= t.line_of_row[r - 1]) return "line_of_row not increasing";
  }
  // Three kinds of notice exist (encoding, stray quotes, an unnamed empty last column);
  // never one per cell.
  if (t.notices.size() > 3) return "more than three notices";
  for (const std::string& notice : t.notices) {
    if (notice.rfind(options.source + ": ", 0) != 0) return "notice does not name the source";
    if (notice.size() > 400) return "notice longer than a sentence";
    const std::string problem = check_text(notice, "notice", true);
    if (!problem.empty()) return problem;
  }
  for (const Column& c : t.columns) {
    if (c.name.empty()) return "empty column name";
    std::string problem = check_text(c.name, "column name", false);
    if (!problem.empty()) return problem;
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
        for (const std::string& level : c.levels) {
          problem = check_text(level, "category level", false);
          if (!problem.empty()) return problem;
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

// Seeds turned into what users pick by mistake: other encodings, binary starts,
// NULs, re-encoded bytes; then mutated like the other seeds.
std::string disguise(Rng& rng, std::string s) {
  switch (rng.below(6)) {
    case 0:
      s = widen(s, rng.below(2) ? 2 : 4, rng.below(2) == 0);
      break;
    case 1:
      s = kPrefixes[rng.below(kPrefixes.size())] + s;
      break;
    case 2:  // a NUL somewhere
      s.insert(rng.below(s.size() + 1), 1, '\0');
      break;
    case 3:  // a byte of Windows-1252 or a cut UTF-8 sequence
      s.insert(rng.below(s.size() + 1), 1, static_cast<char>(0x80 + rng.below(128)));
      break;
    case 4:  // binary noise after a plausible start
      for (size_t i = 0; i < 64; ++i) s.push_back(static_cast<char>(rng.below(32)));
      break;
    default:
      break;
  }
  return rng.below(2) ? mutate(rng, s) : s;
}

TEST(CsvFuzz, EncodingsBinaryAndNulsParseOrThrowPrintableErrors) {
  Rng rng(0xFC0DE);
  for (int i = 0; i < 10000; ++i) {
    const std::string input = disguise(rng, kSeeds[rng.below(kSeeds.size())]);
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

// Inputs shaped to provoke quadratic scans or huge allocations, each built at a
// size n and 8n. Nothing is timed: the reader counts the bytes it reads
// (csv::Stats), and the count must stay within kWorkPerByte of the input size.
//
// Why 24: every stage reads each byte a bounded number of times. Format checks
// read at most 5 KB (kFixedWork). The encoding scan reads the input once. Each
// of the three sniffing candidates tokenizes it at most twice over (a blank
// look-ahead before a possible quote, then the scan): 6. The main tokenizer adds
// up to two number attempts on numeric columns: 4. The header check, the
// conversion of cells that were not plain numbers, and the two typing passes
// (timestamps, then categories) read each cell once: 4, plus one per cell for
// its separator: 1. The re-scan of rows read before a column turned out to be
// text tokenizes once more: 2. Locating a NUL or a bad byte tokenizes up to it
// and counts its line breaks: 3. 1 + 6 + 4 + 4 + 1 + 2 + 3 = 21 < 24. Anything
// that re-reads earlier rows per column or per row grows with n instead.
constexpr double kWorkPerByte = 24;
constexpr size_t kFixedWork = 8 * 1024;

struct Pathology {
  const char* name;
  std::string (*make)(size_t n);
};

std::string repeat(const std::string& piece, size_t n) {
  std::string s;
  s.reserve(n + piece.size());
  while (s.size() < n) s += piece;
  return s;
}

const std::vector<Pathology> kPathologies = {
    {"spaces", [](size_t n) { return std::string(n, ' '); }},
    {"quotes", [](size_t n) { return std::string(n, '"'); }},
    {"carriage returns", [](size_t n) { return std::string(n, '\r'); }},
    {"line feeds", [](size_t n) { return std::string(n, '\n'); }},
    {"commas", [](size_t n) { return std::string(n, ','); }},
    {"one long blank cell", [](size_t n) { return "a\n" + std::string(n, ' ') + "x"; }},
    {"unterminated quote", [](size_t n) { return "a,b\n\"" + std::string(n, 'x'); }},
    {"one long number", [](size_t n) { return "a\n" + std::string(n, '9'); }},
    {"one long header", [](size_t n) { return std::string(n, '9') + "\n1\n"; }},
    {"many columns, then a short row",
     [](size_t n) {
       std::string s;
       for (size_t i = 0; s.size() < n; ++i) s += "c" + std::to_string(i) + ",";
       s.back() = '\n';
       return s + "1\n";
     }},
    // Column j turns to text on row j: every column needs earlier rows back.
    {"columns turning to text one row after another",
     [](size_t n) {
       size_t m = 1;
       while (2 * (m + 1) * (m + 1) <= n) ++m;
       std::string s;
       for (size_t j = 0; j < m; ++j) s += (j ? ",c" : "c") + std::to_string(j);
       s += '\n';
       for (size_t i = 0; i < m; ++i) {
         for (size_t j = 0; j < m; ++j) {
           if (j) s += ',';
           s += i == j ? "x" : "1";
         }
         s += '\n';
       }
       return s;
     }},
    {"a number column turning to text on its last row",
     [](size_t n) { return "x,y\n" + repeat("1,\"2\"\"\"\n", n) + "a,b\n"; }},
    {"doubled quotes everywhere",
     [](size_t n) { return "a,b\n" + repeat("\"x\"\"y\",\"\"\"\"\n", n); }},
    {"spaces before quotes", [](size_t n) { return "a,b\n" + repeat("   \"x\"   ,  \"y\"\n", n); }},
    {"quotes inside unquoted cells", [](size_t n) { return "a,b\n" + repeat("x\"y,1\"\"\n", n); }},
    {"windows-1252 text", [](size_t n) { return "a,b\n" + repeat("R\xE9seaux,\x80\n", n); }},
    {"windows-1252 from the last row",
     [](size_t n) { return "a,b\n" + repeat("x,1\n", n) + "\xE9,2\n"; }},
    {"NUL on the last row",
     [](size_t n) { return "a,b\n" + repeat("x,1\n", n) + std::string(1, '\0'); }},
    {"mixed encodings at the end",
     [](size_t n) { return "a,b\n" + repeat("\xC3\xA9,1\n", n) + "\xE9,2\n"; }},
    {"timestamps then text",
     [](size_t n) { return "t\n" + repeat("2024-01-01 00:00\n", n) + "x\n"; }},
};

Stats work_for(const std::string& input) {
  Stats stats;
  Options options;
  options.stats = &stats;
  try {
    read(input, options);
  } catch (const Error&) {
    // The work done before refusing counts too.
  }
  return stats;
}

TEST(CsvFuzz, PathologicalInputsStayLinear) {
  const size_t n = size_t{1} << 17;
  for (const Pathology& p : kPathologies) {
    for (const size_t size : {n, 8 * n}) {
      const std::string input = p.make(size);
      Stats stats;
      Options options;
      options.stats = &stats;
      ASSERT_EQ(check(input, options), "") << p.name;
      const double bound = kWorkPerByte * static_cast<double>(input.size()) + kFixedWork;
      EXPECT_LE(static_cast<double>(stats.bytes_scanned), bound)
          << p.name << " at " << input.size() << " bytes: " << stats.bytes_scanned
          << " bytes scanned, " << stats.rescanned_bytes << " of them re-scanning";
      EXPECT_LE(stats.rescanned_bytes, stats.bytes_scanned) << p.name;
      // The arena holds unescaped copies from the main pass and the re-scan at most.
      EXPECT_LE(stats.arena_bytes, 2 * input.size()) << p.name;
    }
  }
}

// The count is real: a file whose only column turns to text on its last row is
// read about twice (the second time by the re-scan), one that does not is read once.
TEST(CsvFuzz, StatsCountTheRescan) {
  const std::string numbers = "x\n" + repeat("123456\n", 70000);
  const Stats plain = work_for(numbers);
  const Stats turned = work_for(numbers + "abc\n");
  EXPECT_EQ(plain.input_bytes, numbers.size());
  EXPECT_EQ(plain.rescanned_bytes, 0u);
  EXPECT_GE(turned.rescanned_bytes, numbers.size());
  EXPECT_GE(plain.bytes_scanned, 2 * numbers.size());  // the encoding scan, then the tokenizer
  EXPECT_GE(turned.bytes_scanned, plain.bytes_scanned + numbers.size());
}

TEST(CsvFuzz, SeedsThemselvesParse) {
  for (const std::string& seed : kSeeds) {
    if (seed.rfind("2024-", 0) == 0) {
      EXPECT_THROW(read(seed), Error) << "the headerless seed is refused";
    } else {
      EXPECT_NO_THROW(read(seed)) << printable(seed);
    }
  }
}

}  // namespace
}  // namespace fc::csv
