// time::Zone: TZif files written byte by byte here (never the system's zoneinfo for the
// expected values), POSIX rules, wall-clock times to instants, and hostile bytes.
#include "funnelcast/time/zone.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "funnelcast/base/error.hpp"
#include "funnelcast/time/time.hpp"
#include "test_support.hpp"

namespace {

using fc::testing::error_of;
using fc::time::Zone;

// Worked out by hand: EU clocks go forward at 01:00 UTC on the last Sunday of March and back
// at 01:00 UTC on the last Sunday of October; US clocks at 02:00 local on the second Sunday
// of March (07:00 UTC in New York) and the first Sunday of November (06:00 UTC).
constexpr int64_t kTzBerlinSpring2026 = 1774746000;   // 2026-03-29 01:00 UTC
constexpr int64_t kTzBerlinAutumn2026 = 1792890000;   // 2026-10-25 01:00 UTC
constexpr int64_t kTzNewYorkSpring2026 = 1772953200;  // 2026-03-08 07:00 UTC
constexpr int64_t kTzNewYorkAutumn2026 = 1793512800;  // 2026-11-01 06:00 UTC
constexpr int64_t kTzBerlinSpring2025 = 1743296400;   // 2025-03-30 01:00 UTC
constexpr int64_t kTzBerlinAutumn2025 = 1761440400;   // 2025-10-26 01:00 UTC

struct TzType {
  int32_t offset;
  bool dst;
  std::string abbreviation;
};

struct TzData {
  std::vector<int64_t> transitions;
  std::vector<uint8_t> type_of;
  std::vector<TzType> types;
};

void tz_put(std::string& out, uint64_t v, int bytes) {
  for (int k = bytes - 1; k >= 0; --k) out += static_cast<char>((v >> (8 * k)) & 0xff);
}

// One header and data block (RFC 8536), times in `time_bytes` (4 or 8).
std::string tz_block(char version, const TzData& d, int time_bytes) {
  std::string chars;
  std::vector<uint8_t> at;
  for (const auto& t : d.types) {
    at.push_back(static_cast<uint8_t>(chars.size()));
    chars += t.abbreviation + '\0';
  }
  std::string out = "TZif";
  out += version;
  out += std::string(15, '\0');
  const uint32_t n = static_cast<uint32_t>(d.types.size());
  for (uint32_t count : {n, n, 0u, static_cast<uint32_t>(d.transitions.size()), n,
                         static_cast<uint32_t>(chars.size())})
    tz_put(out, count, 4);
  for (int64_t t : d.transitions) tz_put(out, static_cast<uint64_t>(t), time_bytes);
  for (uint8_t i : d.type_of) out += static_cast<char>(i);
  for (size_t k = 0; k < d.types.size(); ++k) {
    tz_put(out, static_cast<uint32_t>(d.types[k].offset), 4);
    out += static_cast<char>(d.types[k].dst ? 1 : 0);
    out += static_cast<char>(at[k]);
  }
  out += chars;
  out += std::string(2 * n, '\0');  // standard/wall and UT/local indicators
  return out;
}

// A version 1 file, or a version 2/3 file: its 32-bit block `v1`, the 64-bit block `v2`
// and the footer rule.
std::string tz_file_v1(const TzData& d) {
  return tz_block('\0', d, 4);
}
std::string tz_file_v2(char version, const TzData& v1, const TzData& v2,
                       const std::string& footer) {
  return tz_block(version, v1, 4) + tz_block(version, v2, 8) + "\n" + footer + "\n";
}

const TzType kTzCet{3600, false, "CET"}, kTzCest{7200, true, "CEST"};

// Berlin through 2025 in 64-bit data (one transition before 1901, out of 32-bit reach),
// then the rule.
std::string tz_berlin_bytes() {
  TzData v2;
  v2.types = {{3208, false, "LMT"}, kTzCet, kTzCest};
  v2.transitions = {-2422054408, kTzBerlinSpring2025, kTzBerlinAutumn2025};
  v2.type_of = {1, 2, 1};
  TzData v1;  // what a 32-bit reader would see: deliberately wrong, to show it is not read
  v1.types = {{0, false, "XXX"}};
  return tz_file_v2('2', v1, v2, "CET-1CEST,M3.5.0,M10.5.0/3");
}

void tz_expect_switch(const Zone& z, int64_t at, int64_t before, int64_t after) {
  EXPECT_EQ(z.utc_offset(at - 1), before) << fc::time::format_timestamp(at);
  EXPECT_EQ(z.utc_offset(at), after) << fc::time::format_timestamp(at);
}

TEST(ZonePosix, BerlinAndNewYorkSwitchAtTheInstantsWorkedOutByHand) {
  const Zone berlin = Zone::from_posix("CET-1CEST,M3.5.0,M10.5.0/3", "Europe/Berlin");
  tz_expect_switch(berlin, kTzBerlinSpring2026, 3600, 7200);
  tz_expect_switch(berlin, kTzBerlinAutumn2026, 7200, 3600);
  EXPECT_EQ(berlin.abbreviation(kTzBerlinSpring2026), "CEST");
  EXPECT_EQ(berlin.abbreviation(kTzBerlinAutumn2026), "CET");
  const Zone ny = Zone::from_posix("EST5EDT,M3.2.0,M11.1.0", "America/New_York");
  tz_expect_switch(ny, kTzNewYorkSpring2026, -18000, -14400);
  tz_expect_switch(ny, kTzNewYorkAutumn2026, -14400, -18000);
  // Without dates, POSIX's default is the US rule.
  tz_expect_switch(Zone::from_posix("EST5EDT", "x"), kTzNewYorkSpring2026, -18000, -14400);
  const Zone istanbul = Zone::from_posix("<+03>-3", "Europe/Istanbul");
  EXPECT_EQ(istanbul.utc_offset(kTzBerlinAutumn2026), 10800);
  EXPECT_EQ(istanbul.abbreviation(0), "+03");
  EXPECT_EQ(Zone::from_posix("<-0330>3:30", "x").utc_offset(0), -12600);
}

TEST(ZonePosix, JulianDaysWithAndWithoutTheLeapDay) {
  // Jn never counts February 29: J60 is March 1 and J305 November 1, leap year or not.
  const Zone j = Zone::from_posix("AAA0BBB,J60/0,J305/0", "x");
  tz_expect_switch(j, 1709251200, 0, 3600);         // 2024-03-01 00:00 UTC
  tz_expect_switch(j, 1730419200 - 3600, 3600, 0);  // 2024-11-01 00:00 in daylight time
  // n counts from 0 with the leap day: day 59 of 2024 is February 29, day 304 October 31.
  const Zone n = Zone::from_posix("AAA0BBB,59/0,304/0", "x");
  tz_expect_switch(n, 1709164800, 0, 3600);
  tz_expect_switch(n, 1730332800 - 3600, 3600, 0);
}

// Found by bench/fuzz/fuzz_zone: daylight saving that starts and ends on day 0 at 02:00
// leaves standard time (+01:00) in force for one hour a year, 2026-01-01 00:00 to 01:00 UTC
// (the end, 02:00 at +02:00, is 00:00 UTC; the start, 02:00 at +01:00, is 01:00 UTC).
// Wall-clock 01:00 that day is then two instants, 2025-12-31 23:00 UTC (+02:00) and
// 2026-01-01 00:00 UTC (+01:00); offsets sampled a day either side saw only the first.
TEST(ZonePosix, AStandardTimeInForceForOneHourIsFound) {
  const Zone z = Zone::from_posix("CET-1CDST,0,0", "fuzz");
  const int64_t new_year = 1767225600;  // 2026-01-01 00:00 UTC
  EXPECT_EQ(z.utc_offset(new_year - 1), 7200);
  EXPECT_EQ(z.utc_offset(new_year), 3600);
  EXPECT_EQ(z.utc_offset(new_year + 3599), 3600);
  EXPECT_EQ(z.utc_offset(new_year + 3600), 7200);
  const fc::time::LocalInstants at_one = z.to_utc(new_year + 3600);
  ASSERT_EQ(at_one.count, 2);
  EXPECT_EQ(at_one.utc[0], new_year - 3600);
  EXPECT_EQ(at_one.utc[1], new_year);
}

TEST(ZonePosix, MalformedRulesAreErrors) {
  for (const char* bad :
       {"", "C1", "CET", "CET-1CEST,M3.5.0", "CET-1CEST,M13.5.0,M10.5.0",
        "CET-1CEST,M3.6.0,M10.5.0", "CET-1CEST,M3.5.7,M10.5.0", "CET-99", "<>1", "<+0 3>-3",
        "CET-1CEST,J0,J5", "CET-1 ", "CET-1CEST,M3.5.0,M10.5.0/200"}) {
    EXPECT_NE(error_of([&] { Zone::from_posix(bad, "x"); }).find("cannot read the rule"),
              std::string::npos)
        << bad;
  }
}

TEST(ZoneTzif, VersionOneReadsItsThirtyTwoBitTransitions) {
  TzData d;
  d.types = {kTzCet, kTzCest};
  d.transitions = {kTzBerlinSpring2026, kTzBerlinAutumn2026};
  d.type_of = {1, 0};
  const Zone z = Zone::from_tzif(tz_file_v1(d), "Europe/Berlin");
  EXPECT_EQ(z.name(), "Europe/Berlin");
  EXPECT_EQ(z.utc_offset(0), 3600);  // before the first transition: type 0
  tz_expect_switch(z, kTzBerlinSpring2026, 3600, 7200);
  tz_expect_switch(z, kTzBerlinAutumn2026, 7200, 3600);
  EXPECT_EQ(z.utc_offset(kTzBerlinSpring2026 + 365 * 86400),
            3600);  // no footer: the last type stays
  EXPECT_EQ(z.abbreviation(kTzBerlinSpring2026), "CEST");
}

TEST(ZoneTzif, VersionTwoAndThreeReadTheSixtyFourBitDataAndTheFooter) {
  for (char version : {'2', '3'}) {
    std::string bytes = tz_berlin_bytes();
    bytes[4] = version;
    bytes[4 + tz_block('2', TzData{{}, {}, {{0, false, "XXX"}}}, 4).size()] = version;
    const Zone z = Zone::from_tzif(bytes, "Europe/Berlin");
    EXPECT_EQ(z.utc_offset(-2422054409), 3208);  // local mean time before 1893
    EXPECT_EQ(z.abbreviation(-2422054409), "LMT");
    tz_expect_switch(z, -2422054408, 3208, 3600);
    tz_expect_switch(z, kTzBerlinSpring2025, 3600, 7200);
    tz_expect_switch(z, kTzBerlinAutumn2025, 7200, 3600);
    // 2026 is after the last stored transition: the footer's rule.
    tz_expect_switch(z, kTzBerlinSpring2026, 3600, 7200);
    tz_expect_switch(z, kTzBerlinAutumn2026, 7200, 3600);
    EXPECT_EQ(z.abbreviation(kTzBerlinAutumn2026 - 1), "CEST");
  }
  // No transitions at all: the footer decides every instant.
  TzData none;
  none.types = {{-18000, false, "EST"}};
  const Zone ny =
      Zone::from_tzif(tz_file_v2('2', none, none, "EST5EDT,M3.2.0,M11.1.0"), "America/New_York");
  tz_expect_switch(ny, kTzNewYorkSpring2026, -18000, -14400);
  tz_expect_switch(ny, kTzNewYorkAutumn2026, -14400, -18000);
}

TEST(ZoneLocal, WallClockTimesInTheGapHaveNoInstantAndInTheFoldTwo) {
  const Zone z = Zone::from_tzif(tz_berlin_bytes(), "Europe/Berlin");
  // 2026-03-29 02:30 never happened in Berlin.
  EXPECT_EQ(z.to_utc(kTzBerlinSpring2026 + 3600 + 1800).count, 0);
  // 03:00 is the first minute of summer time: 01:00 UTC.
  const auto three = z.to_utc(kTzBerlinSpring2026 + 2 * 3600);
  ASSERT_EQ(three.count, 1);
  EXPECT_EQ(three.utc[0], kTzBerlinSpring2026);
  // 2026-10-25 02:30 happened twice: 00:30 UTC (CEST), then 01:30 UTC (CET).
  const auto twice = z.to_utc(kTzBerlinAutumn2026 + 3600 + 1800);
  ASSERT_EQ(twice.count, 2);
  EXPECT_EQ(twice.utc[0], kTzBerlinAutumn2026 - 1800);
  EXPECT_EQ(twice.utc[1], kTzBerlinAutumn2026 + 1800);
  // Noon: once, at 11:00 UTC.
  const auto noon = z.to_utc(kTzBerlinAutumn2026 + 11 * 3600);
  ASSERT_EQ(noon.count, 1);
  EXPECT_EQ(noon.utc[0], kTzBerlinAutumn2026 + 10 * 3600);
}

TEST(ZoneLocal, ResolveReadsFoldsInFileOrder) {
  const Zone z = Zone::from_posix("CET-1CEST,M3.5.0,M10.5.0/3", "Europe/Berlin");
  const int64_t two = kTzBerlinAutumn2026 + 3600;  // 2026-10-25 02:00 wall clock
  {  // hourly: 01:00, 02:00, 02:00, 03:00 -> four consecutive UTC hours
    const auto r = z.resolve({two - 3600, two, two, two + 3600}, {});
    EXPECT_EQ(r.gap_row, SIZE_MAX);
    EXPECT_EQ(r.utc, (std::vector<int64_t>{kTzBerlinAutumn2026 - 7200, kTzBerlinAutumn2026 - 3600,
                                           kTzBerlinAutumn2026, kTzBerlinAutumn2026 + 3600}));
    ASSERT_EQ(r.folds.size(), 1u);
    EXPECT_EQ(r.folds[0].transition, kTzBerlinAutumn2026);
    EXPECT_EQ(r.folds[0].first_local, two);
    EXPECT_EQ(r.folds[0].length, 3600);
    EXPECT_EQ(r.folds[0].earlier, 1u);
    EXPECT_EQ(r.folds[0].later, 1u);
    EXPECT_FALSE(r.folds[0].ambiguous);
  }
  {  // every 30 minutes: 02:00, 02:30, 02:00, 02:30 -> the step back starts the second pass
    const auto r = z.resolve({two, two + 1800, two, two + 1800}, {});
    const int64_t first = kTzBerlinAutumn2026 - 3600;
    EXPECT_EQ(r.utc, (std::vector<int64_t>{first, first + 1800, first + 3600, first + 5400}));
    EXPECT_EQ(r.folds[0].earlier, 2u);
    EXPECT_EQ(r.folds[0].later, 2u);
  }
  {  // two channels, each writing 02:00 twice: the order cannot tell; all the first pass
    const auto r = z.resolve({two, two, two, two}, {});
    EXPECT_EQ(r.utc, std::vector<int64_t>(4, kTzBerlinAutumn2026 - 3600));
    EXPECT_TRUE(r.folds[0].ambiguous);
    EXPECT_EQ(r.folds[0].earlier, 4u);
  }
  {  // per group (channel): a, b, a, b -> each group's second 02:00 is the second pass
    const auto r = z.resolve({two, two, two, two}, {}, {0, 1, 0, 1});
    const int64_t first = kTzBerlinAutumn2026 - 3600;
    EXPECT_EQ(r.utc, (std::vector<int64_t>{first, first, first + 3600, first + 3600}));
    ASSERT_EQ(r.folds.size(), 1u);
    EXPECT_EQ(r.folds[0].earlier, 2u);
    EXPECT_EQ(r.folds[0].later, 2u);
    EXPECT_FALSE(r.folds[0].ambiguous);
  }
  {  // a row that wrote its offset is UTC already and is no part of the fold
    const auto r = z.resolve({two, kTzBerlinAutumn2026, two}, {0, 1, 0});
    EXPECT_EQ(r.utc, (std::vector<int64_t>{kTzBerlinAutumn2026 - 3600, kTzBerlinAutumn2026,
                                           kTzBerlinAutumn2026}));
  }
  {  // the gap: the first row there is named
    const int64_t skipped = kTzBerlinSpring2026 + 3600 + 1800;  // 02:30 on 2026-03-29
    const auto r = z.resolve({skipped - 7200, skipped}, {});
    EXPECT_EQ(r.gap_row, 1u);
  }
}

TEST(ZoneTzif, DamagedBytesAreErrorsNeverCrashes) {
  const std::string good = tz_berlin_bytes();
  // Every cut: an error (the footer's end is where the file ends).
  for (size_t n = 0; n + 1 < good.size(); ++n)
    EXPECT_NE(error_of([&] { Zone::from_tzif(good.substr(0, n), "x"); }), "(no error)") << n;
  // Every byte changed: read or refused, never a crash or a runaway.
  for (size_t at = 0; at < good.size(); ++at)
    for (int v : {0x00, 0x7f, 0x80, 0xff}) {
      std::string bad = good;
      bad[at] = static_cast<char>(v);
      try {
        const Zone z = Zone::from_tzif(bad, "x");
        (void)z.utc_offset(kTzBerlinAutumn2026);
        (void)z.to_utc(kTzBerlinAutumn2026);
      } catch (const fc::Error&) {
      }
    }
  EXPECT_NE(
      error_of([&] { Zone::from_tzif("TZif", "x"); }).find("time zone 'x': not a valid zone file"),
      std::string::npos);
  EXPECT_NE(
      error_of([&] { Zone::from_tzif("PK\x03\x04 a zip file, not a zone", "x"); }).find("TZif"),
      std::string::npos);
  TzData d;
  d.types = {kTzCet, kTzCest};
  d.transitions = {kTzBerlinAutumn2026, kTzBerlinSpring2026};  // out of order
  d.type_of = {0, 1};
  EXPECT_NE(error_of([&] { Zone::from_tzif(tz_file_v1(d), "x"); }).find("out of order"),
            std::string::npos);
  d.transitions = {kTzBerlinSpring2026, kTzBerlinAutumn2026};
  d.type_of = {1, 2};  // no type 2
  EXPECT_NE(error_of([&] { Zone::from_tzif(tz_file_v1(d), "x"); }).find("does not exist"),
            std::string::npos);
  // A count far beyond any zone is refused before anything is allocated.
  std::string huge = tz_file_v1(TzData{{}, {}, {kTzCet}});
  huge[20 + 12] = '\x7f';  // timecnt
  EXPECT_NE(error_of([&] { Zone::from_tzif(huge, "x"); }).find("more transitions"),
            std::string::npos);
  std::string bad_footer = tz_berlin_bytes();
  bad_footer.replace(bad_footer.size() - 4, 3, "1,Q");
  EXPECT_NE(error_of([&] { Zone::from_tzif(bad_footer, "x"); }).find("cannot read the rule"),
            std::string::npos);
}

// TZDIR set for one test and put back (other tests in this process read zones too).
struct TzDirScope {
  std::string saved;
  bool had = false;
  explicit TzDirScope(const std::string& dir) {
    if (const char* v = std::getenv("TZDIR")) {
      saved = v;
      had = true;
    }
    setenv("TZDIR", dir.c_str(), 1);
  }
  ~TzDirScope() {
    if (had)
      setenv("TZDIR", saved.c_str(), 1);
    else
      unsetenv("TZDIR");
  }
};

TEST(ZoneLoad, NamesAreCheckedAndLookedUpInTzdir) {
  const std::string dir = ::testing::TempDir() + "fc_zone_load";
  std::system(("mkdir -p " + dir + "/Europe").c_str());
  std::ofstream(dir + "/Europe/Berlin", std::ios::binary) << tz_berlin_bytes();
  TzDirScope scope(dir);
  const Zone z = fc::time::load_zone("Europe/Berlin");
  tz_expect_switch(z, kTzBerlinAutumn2026, 7200, 3600);
  for (const char* bad : {"../etc/passwd", "/etc/localtime", "Europe/../../x", "Europe/Ber lin", "",
                          "Europe\\Berlin"})
    EXPECT_NE(error_of([&] { fc::time::load_zone(bad); }).find("is not a time zone name"),
              std::string::npos)
        << bad;
  const std::string unknown = error_of([&] { fc::time::load_zone("Europe/Berlinn"); });
  EXPECT_NE(unknown.find("unknown time zone 'Europe/Berlinn'"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find(dir + "/Europe/Berlinn"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("Europe/Berlin, America/New_York"), std::string::npos) << unknown;
  // A folder is no zone.
  EXPECT_NE(error_of([&] { fc::time::load_zone("Europe"); }).find("unknown time zone"),
            std::string::npos);
  // UTC needs no file.
  EXPECT_EQ(fc::time::load_zone("UTC").utc_offset(kTzBerlinAutumn2026), 0);
}

TEST(ZoneLoad, TheSystemsBerlinAgreesWithTheRuleWhenInstalled) {
  std::ifstream in("/usr/share/zoneinfo/Europe/Berlin", std::ios::binary);
  if (!in) GTEST_SKIP() << "no /usr/share/zoneinfo/Europe/Berlin (tzdata not installed)";
  std::ostringstream ss;
  ss << in.rdbuf();
  const Zone system = Zone::from_tzif(ss.str(), "Europe/Berlin");
  const Zone rule = Zone::from_posix("CET-1CEST,M3.5.0,M10.5.0/3", "Europe/Berlin");
  tz_expect_switch(system, kTzBerlinSpring2026, 3600, 7200);
  tz_expect_switch(system, kTzBerlinAutumn2026, 7200, 3600);
  // Every hour from 1996 (the EU's current rule) to 2040.
  for (int64_t t = 820454400; t < 2208988800; t += 3600) {
    ASSERT_EQ(system.utc_offset(t), rule.utc_offset(t)) << fc::time::format_timestamp(t);
  }
}

}  // namespace
