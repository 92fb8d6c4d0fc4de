// `--tz ZONE`: a Berlin wall-clock export across both daylight-saving changes, read by the
// built binary with a zone file this test writes (TZDIR), so no system tzdata is needed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_run.hpp"
#include "funnelcast/time/time.hpp"

namespace {

using fc::testing::put;
using fc::testing::run_cli;

void clitz_be(std::string& out, uint64_t v, int bytes) {
  for (int k = bytes - 1; k >= 0; --k) out += static_cast<char>((v >> (8 * k)) & 0xff);
}

// A version 2 TZif file with no transitions, one type (CET, +01:00) and the EU rule as its
// footer: what /usr/share/zoneinfo/Europe/Berlin says for 2026.
std::string clitz_berlin_tzif() {
  std::string block = "TZif2" + std::string(15, '\0');
  for (uint32_t count : {1u, 1u, 0u, 0u, 1u, 4u})
    clitz_be(block, count, 4);  // ut, std, leap, time, type, chars
  clitz_be(block, 3600, 4);
  block += std::string("\0\0CET\0\0\0", 8);  // not dst, abbreviation 0; "CET\0"; the two indicators
  return block + block + "\nCET-1CEST,M3.5.0,M10.5.0/3\n";
}

std::string clitz_line(const std::string& day, int hour, int leads) {
  return day + (hour < 10 ? " 0" : " ") + std::to_string(hour) + ":00:00," + std::to_string(leads) +
         ",10\n";
}

struct ClitzEnv {
  std::string dir;
  ClitzEnv() : dir(::testing::TempDir() + "fc_cli_tz_" + std::to_string(::getpid())) {
    std::system(("mkdir -p " + dir + "/zoneinfo/Europe").c_str());
    put(dir + "/zoneinfo/Europe/Berlin", clitz_berlin_tzif());
    setenv("TZDIR", (dir + "/zoneinfo").c_str(), 1);
  }
  ~ClitzEnv() { unsetenv("TZDIR"); }
};

TEST(CliTz, TheAutumnRepeatIsRefusedWithoutTzAndSummedExactlyWithIt) {
  ClitzEnv env;
  // 2026-10-24 01:00 to 2026-10-25 23:00 Berlin time, 02:00 on the 25th twice: 48 rows,
  // 48 real hours (2026-10-23 23:00 to 2026-10-25 22:00 UTC). Leads 1..48, spend 10 each.
  std::string csv = "timestamp,leads,spend\n";
  int leads = 0;
  for (int h = 1; h < 24; ++h) csv += clitz_line("2026-10-24", h, ++leads);
  for (int h = 0; h < 24; ++h) {
    csv += clitz_line("2026-10-25", h, ++leads);
    if (h == 2) csv += clitz_line("2026-10-25", h, ++leads);
  }
  ASSERT_EQ(leads, 48);
  put(env.dir + "/autumn.csv", csv);

  const auto plain = run_cli(env.dir, "kpi --data " + env.dir + "/autumn.csv");
  EXPECT_EQ(plain.code, 2);
  EXPECT_NE(plain.err.find("autumn.csv: line 28: duplicate timestamp 2026-10-25 02:00:00 (first at "
                           "line 27): clocks go "
                           "back an hour"),
            std::string::npos)
      << plain.err;
  EXPECT_NE(plain.err.find("(CLI: --tz ZONE, e.g. --tz Europe/Berlin)"), std::string::npos)
      << plain.err;

  const auto zoned =
      run_cli(env.dir, "kpi --json --tz Europe/Berlin --data " + env.dir + "/autumn.csv");
  ASSERT_EQ(zoned.code, 0) << zoned.err;
  EXPECT_NE(zoned.err.find(
                "autumn.csv: 48 rows -> 48 hours (2026-10-23 23:00:00 to 2026-10-25 22:00:00)"),
            std::string::npos)
      << zoned.err;
  EXPECT_NE(zoned.err.find("read in file order, 1 as CEST (+02:00), then 1 as CET (+01:00)"),
            std::string::npos)
      << zoned.err;
  // The file's first row, 01:00 on 2026-10-24 in Berlin (+02:00), is 23:00 UTC the day before.
  EXPECT_NE(zoned.err.find("note: times printed and written here are UTC: the first, 2026-10-23 23:00:00, "
                           "is 2026-10-24 01:00:00+02:00 in Europe/Berlin"),
            std::string::npos)
      << zoned.err;
  EXPECT_EQ(plain.err.find("printed and written here are UTC"), std::string::npos);
  EXPECT_EQ(zoned.err.find("no row"), std::string::npos) << zoned.err;
  EXPECT_EQ(zoned.err.find("added to an interval"), std::string::npos) << zoned.err;
  // The last 24 hours hold leads 25..48 (876), the 24 before 1..24 (300): 1,176 in all,
  // and $240 of spend each, with no interval missing.
  const nlohmann::json k = nlohmann::json::parse(zoned.out);
  EXPECT_EQ(k.at("current").at("start").get<int64_t>(), 1792882800);   // 2026-10-24 23:00 UTC
  EXPECT_EQ(k.at("current").at("end").get<int64_t>(), 1792969200);     // 2026-10-25 23:00 UTC
  EXPECT_EQ(k.at("previous").at("start").get<int64_t>(), 1792796400);  // 2026-10-23 23:00 UTC
  for (const char* window : {"current", "previous"}) {
    EXPECT_EQ(k.at(window).at("intervals").get<int>(), 24) << window;
    EXPECT_EQ(k.at(window).at("missing").get<int>(), 0) << window;
    EXPECT_EQ(k.at(window).at("spend").get<double>(), 240) << window;
  }
  EXPECT_EQ(k.at("current").at("leads").get<double>(), 876);
  EXPECT_EQ(k.at("previous").at("leads").get<double>(), 300);
}

TEST(CliTz, TheSpringGapIsNoMissingHourAndATimeInItIsAnError) {
  ClitzEnv env;
  // 2026-03-29 00:00 to 23:00 Berlin time without 02:00: 23 rows, 23 real hours.
  std::string csv = "timestamp,leads,spend\n";
  for (int h = 0; h < 24; ++h)
    if (h != 2) csv += clitz_line("2026-03-29", h, 1);
  put(env.dir + "/spring.csv", csv);
  const auto zoned =
      run_cli(env.dir, "kpi --tz Europe/Berlin --window 11 --data " + env.dir + "/spring.csv");
  ASSERT_EQ(zoned.code, 0) << zoned.err;
  EXPECT_NE(zoned.err.find(
                "spring.csv: 23 rows -> 23 hours (2026-03-28 23:00:00 to 2026-03-29 21:00:00)"),
            std::string::npos)
      << zoned.err;
  EXPECT_EQ(zoned.err.find("no row"), std::string::npos) << zoned.err;
  // Read as UTC, 02:00 is a missing hour.
  const auto plain = run_cli(env.dir, "kpi --window 11 --data " + env.dir + "/spring.csv");
  EXPECT_NE(plain.err.find("1 interval has no row"), std::string::npos) << plain.err;

  put(env.dir + "/skipped.csv",
      "timestamp,leads\n2026-03-29 01:00:00,1\n2026-03-29 02:30:00,1\n2026-03-29 03:00:00,1\n");
  const auto skipped =
      run_cli(env.dir, "kpi --tz Europe/Berlin --data " + env.dir + "/skipped.csv");
  EXPECT_EQ(skipped.code, 2);
  EXPECT_NE(skipped.err.find(
                "skipped.csv: line 3, column 'timestamp': 2026-03-29 02:30:00 does not exist in "
                "Europe/Berlin: the clocks skipped from 02:00 to 03:00 that night"),
            std::string::npos)
      << skipped.err;
}

TEST(CliTz, AnUnknownZoneIsAUsageErrorAndTheHelpTeachesTheFlag) {
  ClitzEnv env;
  put(env.dir + "/one.csv", "timestamp,leads\n2026-01-01 00:00:00,1\n");
  const auto unknown = run_cli(env.dir, "kpi --tz Europe/Berlinn --data " + env.dir + "/one.csv");
  EXPECT_EQ(unknown.code, 2);
  EXPECT_NE(unknown.err.find(
                "funnelcast kpi: --tz: unknown time zone 'Europe/Berlinn': there is no zone file " +
                env.dir + "/zoneinfo/Europe/Berlinn"),
            std::string::npos)
      << unknown.err;
  EXPECT_NE(unknown.err.find("like Europe/Berlin, America/New_York or UTC"), std::string::npos)
      << unknown.err;
  const auto bad = run_cli(env.dir, "kpi --tz ../../etc/passwd --data " + env.dir + "/one.csv");
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("is not a time zone name"), std::string::npos) << bad.err;
  for (const char* command : {"kpi", "anomalies", "monitor", "train forecast", "forecast"}) {
    const auto help = run_cli(env.dir, std::string(command) + " --help");
    EXPECT_NE(help.out.find("  --tz ZONE           times without an offset are local times in ZONE "
                            "(e.g. Europe/Berlin):"),
              std::string::npos)
        << command << help.out;
  }
}

}  // namespace
