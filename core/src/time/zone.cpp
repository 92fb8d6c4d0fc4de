// A TZif file is read like a model file: every count is checked against a hard limit
// before anything is allocated, every read goes through one bounds-checked helper, and
// anything off is an fc::Error naming the zone, never a crash. Instants after the last
// stored transition follow the footer's POSIX rule (slim zone files store none after 2007).
#include "funnelcast/time/zone.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <unordered_map>

#include "funnelcast/base/error.hpp"
#include "funnelcast/time/time.hpp"

namespace fc::time {
namespace {

// Real zone files: under 4 KiB, at most ~2,000 transitions (64-bit data up to 2037),
// a few dozen types. The limits keep a hostile file from asking for much.
constexpr size_t kMaxFileBytes = 1 << 20;
constexpr uint32_t kMaxTransitions = 20000;
constexpr uint32_t kMaxTypes = 256;
constexpr uint32_t kMaxChars = 1024;
constexpr uint32_t kMaxLeaps = 1000;
constexpr size_t kMaxFooter = 256;

[[noreturn]] void bad_file(const std::string& name, const std::string& what) {
  throw Error("time zone '" + name + "': not a valid zone file (" + what + ")");
}

struct Reader {
  std::string_view bytes;
  const std::string& name;
  size_t at = 0;

  std::string_view take(size_t n) {
    if (n > bytes.size() - at) bad_file(name, "cut short");
    const std::string_view out = bytes.substr(at, n);
    at += n;
    return out;
  }
  uint64_t big_endian(size_t n) {
    const std::string_view b = take(n);
    uint64_t v = 0;
    for (char c : b) v = (v << 8) | static_cast<unsigned char>(c);
    return v;
  }
  uint8_t u8() { return static_cast<uint8_t>(big_endian(1)); }
  int64_t i32() { return static_cast<int32_t>(static_cast<uint32_t>(big_endian(4))); }
  int64_t i64() { return static_cast<int64_t>(big_endian(8)); }
};

struct Counts {
  uint32_t isut = 0, isstd = 0, leap = 0, time = 0, type = 0, chars = 0;
};

Counts read_header(Reader& in, char& version) {
  if (in.take(4) != "TZif") bad_file(in.name, "it does not start with TZif");
  version = static_cast<char>(in.u8());
  if (version != '\0' && (version < '2' || version > '4')) bad_file(in.name, "unknown version");
  in.take(15);
  Counts c;
  uint32_t* fields[] = {&c.isut, &c.isstd, &c.leap, &c.time, &c.type, &c.chars};
  for (uint32_t* f : fields) *f = static_cast<uint32_t>(in.big_endian(4));
  if (c.time > kMaxTransitions || c.type > kMaxTypes || c.chars > kMaxChars || c.leap > kMaxLeaps)
    bad_file(in.name, "more transitions, types or abbreviations than a zone has");
  if ((c.isut != 0 && c.isut != c.type) || (c.isstd != 0 && c.isstd != c.type))
    bad_file(in.name, "indicator counts differ from the type count");
  return c;
}

size_t block_size(const Counts& c, size_t time_bytes) {
  return c.time * (time_bytes + 1) + c.type * 6 + c.chars + c.leap * (time_bytes + 4) + c.isstd +
         c.isut;
}

bool digit(char c) {
  return c >= '0' && c <= '9';
}

// A POSIX TZ string, read left to right; every function fails on anything unexpected.
struct PosixParser {
  std::string_view s;
  size_t i = 0;

  bool more() const { return i < s.size(); }
  char peek() const { return more() ? s[i] : '\0'; }

  bool name(std::string& out) {
    if (peek() == '<') {
      const size_t close = s.find('>', i);
      if (close == std::string_view::npos || close == i + 1) return false;
      out = std::string(s.substr(i + 1, close - i - 1));
      for (char c : out)
        if (!(digit(c) || c == '+' || c == '-' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
          return false;
      i = close + 1;
      return true;
    }
    const size_t from = i;
    while (more() && ((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z'))) ++i;
    out = std::string(s.substr(from, i - from));
    return out.size() >= 3;
  }
  bool number(int max, int& out) {
    if (!more() || !digit(peek())) return false;
    out = 0;
    while (more() && digit(peek())) {
      out = out * 10 + (s[i++] - '0');
      if (out > max) return false;
    }
    return true;
  }
  // [+-]hh[:mm[:ss]] in seconds; hours up to max_hours.
  bool clock(int max_hours, int32_t& out) {
    int sign = 1;
    if (peek() == '+' || peek() == '-') sign = s[i++] == '-' ? -1 : 1;
    int h = 0, m = 0, sec = 0;
    if (!number(max_hours, h)) return false;
    if (peek() == ':') {
      ++i;
      if (!number(59, m)) return false;
      if (peek() == ':') {
        ++i;
        if (!number(59, sec)) return false;
      }
    }
    out = sign * (h * 3600 + m * 60 + sec);
    return true;
  }
  bool date(Zone::Rule& r) {
    if (peek() == 'J') {
      ++i;
      r.kind = Zone::Rule::kJulian1;
      if (!number(365, r.day) || r.day < 1) return false;
    } else if (peek() == 'M') {
      ++i;
      r.kind = Zone::Rule::kMonthWeek;
      if (!number(12, r.month) || r.month < 1 || peek() != '.') return false;
      ++i;
      if (!number(5, r.week) || r.week < 1 || peek() != '.') return false;
      ++i;
      if (!number(6, r.day)) return false;
    } else {
      r.kind = Zone::Rule::kJulian0;
      if (!number(365, r.day)) return false;
    }
    r.time = 7200;
    if (peek() == '/') {
      ++i;
      if (!clock(167, r.time)) return false;  // RFC 8536 allows -167..167 hours
    }
    return true;
  }
};

// Days since 1970-01-01 of a rule's date in `year`.
int64_t rule_day(const Zone::Rule& r, int64_t year) {
  const int64_t jan1 = days_from_civil(year, 1, 1);
  if (r.kind == Zone::Rule::kJulian0) return jan1 + r.day;
  if (r.kind == Zone::Rule::kJulian1)
    return jan1 + r.day - 1 + (is_leap_year(year) && r.day >= 60 ? 1 : 0);
  const unsigned month = static_cast<unsigned>(r.month);
  const int64_t first = days_from_civil(year, month, 1);
  const int first_weekday = static_cast<int>(((first + 4) % 7 + 7) % 7);  // 0 = Sunday
  int64_t day = 1 + (r.day - first_weekday + 7) % 7 + 7 * (r.week - 1);
  while (day > days_in_month(year, month)) day -= 7;
  return first + day - 1;
}

}  // namespace

Zone::~Zone() = default;

Zone Zone::from_posix(std::string_view rule, std::string name) {
  Zone z;
  z.name_ = std::move(name);
  PosixParser p{rule};
  const auto fail = [&] {
    throw Error("time zone '" + z.name_ + "': cannot read the rule '" +
                std::string(rule.substr(0, 64)) + "' (expected e.g. CET-1CEST,M3.5.0,M10.5.0/3)");
  };
  int32_t std_offset = 0;
  if (rule.size() > kMaxFooter || !p.name(z.standard_.abbreviation) || !p.clock(24, std_offset))
    fail();
  z.standard_.offset = -std_offset;
  z.has_rule_ = true;
  if (p.more()) {
    z.has_dst_ = true;
    z.daylight_.dst = true;
    if (!p.name(z.daylight_.abbreviation)) fail();
    z.daylight_.offset = z.standard_.offset + 3600;
    if (p.peek() != ',' && p.more()) {
      int32_t dst_offset = 0;
      if (!p.clock(24, dst_offset)) fail();
      z.daylight_.offset = -dst_offset;
    }
    if (p.more()) {
      if (p.peek() != ',') fail();
      ++p.i;
      if (!p.date(z.start_) || p.peek() != ',') fail();
      ++p.i;
      if (!p.date(z.end_)) fail();
    } else {  // POSIX's default: the US rule
      z.start_ = {Rule::kMonthWeek, 3, 2, 0, 7200};
      z.end_ = {Rule::kMonthWeek, 11, 1, 0, 7200};
    }
  }
  if (p.more()) fail();
  z.types_.push_back(z.standard_);
  z.list_offsets();
  return z;
}

void Zone::list_offsets() {
  offsets_.clear();
  for (const Type& t : types_) offsets_.push_back(t.offset);
  if (has_rule_) {
    offsets_.push_back(standard_.offset);
    if (has_dst_) offsets_.push_back(daylight_.offset);
  }
  std::sort(offsets_.begin(), offsets_.end(), [](int32_t a, int32_t b) { return a > b; });
  offsets_.erase(std::unique(offsets_.begin(), offsets_.end()), offsets_.end());
}

Zone Zone::from_tzif(std::string_view bytes, std::string name) {
  if (bytes.size() > kMaxFileBytes) bad_file(name, "larger than 1 MiB");
  Reader in{bytes, name};
  char version = 0;
  Counts c = read_header(in, version);
  size_t time_bytes = 4;
  if (version != '\0') {  // skip the 32-bit data: the 64-bit block follows
    in.take(block_size(c, 4));
    char again = 0;
    c = read_header(in, again);
    time_bytes = 8;
  }
  if (c.type == 0) bad_file(name, "no local time types");
  if (c.leap != 0) bad_file(name, "leap seconds (a right/ zone); use the zone without right/");
  if (block_size(c, time_bytes) > bytes.size() - in.at)
    bad_file(name, "cut short");  // before allocating
  Zone z;
  z.name_ = std::move(name);
  z.transitions_.resize(c.time);
  for (uint32_t k = 0; k < c.time; ++k) {
    z.transitions_[k] = time_bytes == 8 ? in.i64() : in.i32();
    if (k > 0 && z.transitions_[k] <= z.transitions_[k - 1])
      bad_file(z.name_, "transitions out of order");
  }
  z.type_of_.resize(c.time);
  for (uint32_t k = 0; k < c.time; ++k) {
    z.type_of_[k] = in.u8();
    if (z.type_of_[k] >= c.type) bad_file(z.name_, "a transition to a type that does not exist");
  }
  std::vector<uint8_t> abbreviation_at(c.type);
  z.types_.resize(c.type);
  for (uint32_t k = 0; k < c.type; ++k) {
    const int64_t offset = in.i32();
    if (offset < -89999 || offset > 93599) bad_file(z.name_, "a UTC offset beyond 26 hours");
    z.types_[k].offset = static_cast<int32_t>(offset);
    const uint8_t dst = in.u8();
    if (dst > 1) bad_file(z.name_, "a daylight-saving flag other than 0 or 1");
    z.types_[k].dst = dst == 1;
    abbreviation_at[k] = in.u8();
  }
  const std::string_view chars = in.take(c.chars);
  for (uint32_t k = 0; k < c.type; ++k) {
    const size_t end = chars.find('\0', abbreviation_at[k]);
    if (abbreviation_at[k] >= chars.size() || end == std::string_view::npos)
      bad_file(z.name_, "an abbreviation outside its table");
    z.types_[k].abbreviation =
        std::string(chars.substr(abbreviation_at[k], end - abbreviation_at[k]));
  }
  in.take(static_cast<size_t>(c.isstd) + c.isut);
  if (version != '\0') {
    if (in.take(1) != "\n") bad_file(z.name_, "no footer");
    const size_t end = bytes.find('\n', in.at);
    if (end == std::string_view::npos || end - in.at > kMaxFooter)
      bad_file(z.name_, "footer without its end");
    const std::string_view footer = bytes.substr(in.at, end - in.at);
    if (!footer.empty()) {
      Zone rule = from_posix(footer, z.name_);
      z.has_rule_ = true;
      z.has_dst_ = rule.has_dst_;
      z.standard_ = rule.standard_;
      z.daylight_ = rule.daylight_;
      z.start_ = rule.start_;
      z.end_ = rule.end_;
    }
  }
  z.list_offsets();
  return z;
}

const Zone::Type& Zone::rule_type_at(int64_t utc) const {
  if (!has_dst_) return standard_;
  const int64_t year = date_of(utc + standard_.offset).year;
  const int64_t start = rule_day(start_, year) * kDay + start_.time - standard_.offset;
  const int64_t end = rule_day(end_, year) * kDay + end_.time - daylight_.offset;
  const bool dst = start < end ? (utc >= start && utc < end) : !(utc >= end && utc < start);
  return dst ? daylight_ : standard_;
}

const Zone::Type& Zone::type_at(int64_t utc) const {
  if (transitions_.empty()) return has_rule_ ? rule_type_at(utc) : types_[0];
  if (utc < transitions_.front()) return types_[0];
  if (has_rule_ && utc >= transitions_.back()) return rule_type_at(utc);
  const size_t k =
      static_cast<size_t>(std::upper_bound(transitions_.begin(), transitions_.end(), utc) -
                          transitions_.begin()) -
      1;
  return types_[type_of_[k]];
}

int64_t Zone::utc_offset(int64_t utc) const {
  return type_at(utc).offset;
}

std::string Zone::abbreviation(int64_t utc) const {
  return type_at(utc).abbreviation;
}

LocalInstants Zone::to_utc(int64_t local) const {
  // An instant u shows this wall-clock time when u + utc_offset(u) == local, and its offset
  // is one the zone has: trying each of them finds every such instant. (Sampling the offsets
  // a day either side missed a standard time in force for one hour -- bench/fuzz/fuzz_zone,
  // "CET-1CDST,0,0".) Largest offset first gives the earliest instant first; a wall-clock
  // time more than two instants share (transitions hours apart, never in the tz database)
  // keeps the first and the last.
  LocalInstants out;
  for (const int32_t offset : offsets_) {
    const int64_t utc = local - offset;
    if (utc_offset(utc) != offset) continue;
    if (out.count < 2) out.utc[out.count++] = utc;
    else out.utc[1] = utc;
  }
  return out;
}

Resolved Zone::resolve(const std::vector<int64_t>& local, const std::vector<uint8_t>& fixed,
                       const std::vector<int32_t>& group) const {
  Resolved out;
  out.utc.resize(local.size());
  std::map<int64_t, size_t> fold_of;                      // transition -> index into out.folds
  std::map<std::pair<int64_t, int32_t>, size_t> list_of;  // (transition, group) -> index into rows
  std::vector<std::vector<size_t>> rows;  // rows of each fold and group, in file order
  std::vector<size_t> fold_of_list;
  std::vector<std::pair<int64_t, int64_t>> candidates(local.size());
  for (size_t r = 0; r < local.size(); ++r) {
    if (r < fixed.size() && fixed[r]) {
      out.utc[r] = local[r];
      continue;
    }
    const LocalInstants c = to_utc(local[r]);
    if (c.count == 0) {
      out.gap_row = r;
      return out;
    }
    out.utc[r] = c.utc[0];
    if (c.count == 1) continue;
    candidates[r] = {c.utc[0], c.utc[1]};
    // The clocks went back at the first instant after the earlier one with the later offset.
    const int64_t before = utc_offset(c.utc[0]), after = utc_offset(c.utc[1]);
    int64_t lo = c.utc[0], hi = c.utc[1];
    while (hi - lo > 1) {
      const int64_t mid = lo + (hi - lo) / 2;
      (utc_offset(mid) == before ? lo : hi) = mid;
    }
    const auto [it, added] = fold_of.emplace(hi, out.folds.size());
    if (added) {
      Resolved::Fold f;
      f.transition = hi;
      f.first_local = hi + after;
      f.length = before - after;
      out.folds.push_back(f);
    }
    const int32_t g = r < group.size() ? group[r] : 0;
    const auto [list, new_list] = list_of.emplace(std::make_pair(hi, g), rows.size());
    if (new_list) {
      rows.emplace_back();
      fold_of_list.push_back(it->second);
    }
    rows[list->second].push_back(r);
  }
  for (size_t l = 0; l < rows.size(); ++l) {
    const std::vector<size_t>& in = rows[l];
    Resolved::Fold& fold = out.folds[fold_of_list[l]];
    std::vector<uint8_t> second(in.size(), 0);
    size_t step_back = 0;
    for (size_t k = 1; k < in.size() && !step_back; ++k)
      if (local[in[k]] < local[in[k - 1]]) step_back = k;
    if (step_back) {
      std::fill(second.begin() + static_cast<std::ptrdiff_t>(step_back), second.end(), 1);
    } else {
      std::unordered_map<int64_t, int> seen;
      for (size_t r : in) ++seen[local[r]];
      const bool pairs =
          std::all_of(seen.begin(), seen.end(), [](const auto& kv) { return kv.second == 2; });
      fold.ambiguous = fold.ambiguous || !pairs;
      if (pairs) {
        seen.clear();
        for (size_t k = 0; k < in.size(); ++k) second[k] = seen[local[in[k]]]++ ? 1 : 0;
      }
    }
    for (size_t k = 0; k < in.size(); ++k) {
      out.utc[in[k]] = second[k] ? candidates[in[k]].second : candidates[in[k]].first;
      (second[k] ? fold.later : fold.earlier) += 1;
    }
  }
  return out;
}

#ifndef __EMSCRIPTEN__
Zone load_zone(const std::string& name) {
  const std::string examples = "give a zone name like Europe/Berlin, America/New_York or UTC";
  bool valid =
      !name.empty() && name.size() <= 128 && name[0] != '/' && name.find("..") == std::string::npos;
  for (char c : name)
    valid = valid && (digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
                      c == '+' || c == '-' || c == '/');
  if (!valid)
    throw Error("'" + name.substr(0, 40) +
                "' is not a time zone name (letters, digits and _ + - / only); " + examples);
  const char* env = std::getenv("TZDIR");
  const std::string dir = env && *env ? env : "/usr/share/zoneinfo";
  const std::string path = dir + "/" + name;
  std::string bytes;
  if (std::FILE* f = std::fopen(path.c_str(), "rb")) {
    char buffer[4096];
    size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0 && bytes.size() <= kMaxFileBytes)
      bytes.append(buffer, n);
    const bool failed = std::ferror(f) != 0;
    std::fclose(f);
    if (failed) bytes.clear();  // a folder (Europe) reads as an error
  }
  if (bytes.empty()) {
    if (name == "UTC" || name == "Etc/UTC") return Zone::from_posix("UTC0", name);
    throw Error("unknown time zone '" + name + "': there is no zone file " + path +
                " (zones are read from $TZDIR when set, else /usr/share/zoneinfo: install tzdata "
                "or set TZDIR); " +
                examples);
  }
  return Zone::from_tzif(bytes, name);
}
#endif

}  // namespace fc::time
