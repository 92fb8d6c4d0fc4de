// A forecast model trained with --tz records its zone: inspect shows it, forecast without
// --tz reads the data in it (and says so), --tz naming another zone is refused, and a
// model trained without --tz has no zone key at all. Zone files are written by the test
// (TZDIR), so no system tzdata is needed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_run.hpp"

namespace {

using fc::testing::put;
using fc::testing::run_cli;
using fc::testing::slurp;

void tzm_be(std::string& out, uint64_t v, int bytes) {
  for (int k = bytes - 1; k >= 0; --k) out += static_cast<char>((v >> (8 * k)) & 0xff);
}

// A version 2 TZif file with no transitions, one standard type and a POSIX footer rule.
std::string tzm_tzif(int32_t offset, const std::string& abbreviation, const std::string& rule) {
  std::string block = "TZif2" + std::string(15, '\0');
  for (uint32_t count : {1u, 1u, 0u, 0u, 1u, 4u}) tzm_be(block, count, 4);  // ut, std, leap, time, type, chars
  tzm_be(block, static_cast<uint32_t>(offset), 4);
  block += std::string("\0\0", 2) + abbreviation + std::string("\0\0\0", 3);  // dst 0, index 0; chars; indicators
  return block + block + "\n" + rule + "\n";
}

// Berlin wall-clock hours from 2026-09-01 00:00 to 2026-10-24 23:00 (no change of the
// clocks inside; the next is on the 25th at 03:00 CEST): 54 days, 1,296 rows, busy from
// 09:00 to 17:00 local time.
std::string tzm_berlin_csv() {
  std::string csv = "timestamp,leads\n";
  char line[64];
  for (int day = 0; day < 54; ++day) {
    const int month = day < 30 ? 9 : 10, dom = day < 30 ? day + 1 : day - 29;
    for (int hour = 0; hour < 24; ++hour) {
      const int leads = (hour >= 9 && hour < 18) ? 20 + day % 3 : 2 + hour % 2;
      std::snprintf(line, sizeof line, "2026-%02d-%02d %02d:00:00,%d\n", month, dom, hour, leads);
      csv += line;
    }
  }
  return csv;
}

struct TzmEnv {
  std::string dir;
  TzmEnv() : dir(::testing::TempDir() + "fc_cli_tz_model_" + std::to_string(::getpid())) {
    std::system(("rm -rf " + dir + " && mkdir -p " + dir + "/zoneinfo/Europe " + dir + "/zoneinfo/America").c_str());
    put(dir + "/zoneinfo/Europe/Berlin", tzm_tzif(3600, "CET", "CET-1CEST,M3.5.0,M10.5.0/3"));
    put(dir + "/zoneinfo/America/New_York", tzm_tzif(-18000, "EST", "EST5EDT,M3.2.0,M11.1.0"));
    put(dir + "/berlin.csv", tzm_berlin_csv());
    setenv("TZDIR", (dir + "/zoneinfo").c_str(), 1);
  }
  ~TzmEnv() {
    unsetenv("TZDIR");
    std::system(("rm -rf " + dir).c_str());
  }
};

constexpr const char* kTzmSmall =
    " --folds 3 --horizon 48 --quiet --no-log --param num_iterations=20 --param learning_rate=0.1";

TEST(CliTzModel, AModelRecordsItsZoneAndForecastReadsTheDataInIt) {
  TzmEnv env;
  const std::string data = env.dir + "/berlin.csv";
  const auto zoned = run_cli(env.dir, "train forecast --tz Europe/Berlin --data " + data + " --out " + env.dir +
                                          "/berlin.fcm" + kTzmSmall);
  ASSERT_EQ(zoned.code, 0) << zoned.err;
  const auto plain = run_cli(env.dir, "train forecast --data " + data + " --out " + env.dir + "/plain.fcm" + kTzmSmall);
  ASSERT_EQ(plain.code, 0) << plain.err;

  // inspect: the zone in the data schema; none (no key) without --tz.
  const auto shown = run_cli(env.dir, "inspect " + env.dir + "/berlin.fcm");
  ASSERT_EQ(shown.code, 0) << shown.err;
  const nlohmann::json header = nlohmann::json::parse(shown.out);
  EXPECT_EQ(header.at("data").at("zone"), "Europe/Berlin");
  // Berlin 2026-09-01 00:00 CEST is 2026-08-31 22:00 UTC (1788213600); the last hour,
  // 2026-10-24 23:00 CEST, is 21:00 UTC, so the grid ends at 22:00 UTC (1792879200).
  EXPECT_EQ(header.at("data").at("start"), 1788213600);
  EXPECT_EQ(header.at("data").at("end"), 1792879200);
  const auto shown_plain = run_cli(env.dir, "inspect " + env.dir + "/plain.fcm");
  ASSERT_EQ(shown_plain.code, 0) << shown_plain.err;
  const nlohmann::json plain_header = nlohmann::json::parse(shown_plain.out);
  EXPECT_FALSE(plain_header.at("data").contains("zone"));
  EXPECT_EQ(plain_header.at("data").at("start"), 1788220800);  // the same times read as UTC
  EXPECT_EQ(slurp(env.dir + "/plain.fcm").find("\"zone\""), std::string::npos);

  // forecast without --tz: the model's zone, said; the same bytes as with --tz Europe/Berlin.
  const std::string forecast = "forecast --model " + env.dir + "/berlin.fcm --data " + data;
  const auto implied = run_cli(env.dir, forecast);
  ASSERT_EQ(implied.code, 0) << implied.err;
  EXPECT_NE(implied.err.find("note: times without an offset are read in Europe/Berlin, as the model was trained\n"),
            std::string::npos)
      << implied.err;
  const auto named = run_cli(env.dir, forecast + " --tz Europe/Berlin");
  ASSERT_EQ(named.code, 0) << named.err;
  EXPECT_EQ(named.err.find("as the model was trained"), std::string::npos) << named.err;
  EXPECT_EQ(named.out, implied.out);
  EXPECT_EQ(implied.out.substr(0, implied.out.find('\n')), "timestamp,forecast,lower_80,upper_80,lower_95,upper_95");

  // The times: Berlin wall clock with its offset. The forecast starts at 2026-10-24 22:00
  // UTC (midnight CEST); the clocks go back at 01:00 UTC, so 02:00 comes twice, first
  // +02:00, then +01:00; 48 hours on, 2026-10-26 21:00 UTC is 22:00 CET.
  std::vector<std::string> times;
  for (size_t at = implied.out.find('\n') + 1; at < implied.out.size(); at = implied.out.find('\n', at) + 1)
    times.push_back(implied.out.substr(at, implied.out.find(',', at) - at));
  ASSERT_EQ(times.size(), 48u);
  EXPECT_EQ(std::vector<std::string>(times.begin(), times.begin() + 5),
            (std::vector<std::string>{"2026-10-25 00:00:00+02:00", "2026-10-25 01:00:00+02:00",
                                      "2026-10-25 02:00:00+02:00", "2026-10-25 02:00:00+01:00",
                                      "2026-10-25 03:00:00+01:00"}));
  EXPECT_EQ(times.back(), "2026-10-26 22:00:00+01:00");
  // --json: the instants (epoch seconds) and the zone.
  const auto as_json = run_cli(env.dir, forecast + " --json");
  ASSERT_EQ(as_json.code, 0) << as_json.err;
  const nlohmann::json j = nlohmann::json::parse(as_json.out);
  EXPECT_EQ(j.at("zone"), "Europe/Berlin");
  EXPECT_EQ(j.at("time").at(0), 1792879200);
  EXPECT_EQ(j.at("time").at(3), 1792879200 + 3 * 3600);
  // --out: the line on stderr gives the first time the same way.
  const auto written = run_cli(env.dir, forecast + " --out " + env.dir + "/f.csv");
  ASSERT_EQ(written.code, 0) << written.err;
  EXPECT_NE(written.err.find("(48 hours from 2026-10-25 00:00:00+02:00)"), std::string::npos) << written.err;
  EXPECT_EQ(slurp(env.dir + "/f.csv"), implied.out);

  // Without a zone, the same file is read as UTC and the times are written as before.
  const auto utc = run_cli(env.dir, "forecast --model " + env.dir + "/plain.fcm --data " + data);
  ASSERT_EQ(utc.code, 0) << utc.err;
  const size_t first = utc.out.find('\n') + 1;
  EXPECT_EQ(utc.out.substr(first, utc.out.find(',', first) - first), "2026-10-25 00:00:00");
  const auto utc_json = run_cli(env.dir, "forecast --json --model " + env.dir + "/plain.fcm --data " + data);
  ASSERT_EQ(utc_json.code, 0) << utc_json.err;
  EXPECT_FALSE(nlohmann::json::parse(utc_json.out).contains("zone"));

  // --tz naming another zone: a usage error naming both.
  const auto other = run_cli(env.dir, forecast + " --tz America/New_York");
  EXPECT_EQ(other.code, 2);
  EXPECT_NE(other.err.find("--tz America/New_York: berlin.fcm was trained with times in Europe/Berlin; forecast "
                           "with --tz Europe/Berlin or without --tz"),
            std::string::npos)
      << other.err;
  EXPECT_TRUE(other.out.empty());

  // A model without a zone takes --tz as the data's reading.
  const auto plain_tz =
      run_cli(env.dir, "forecast --model " + env.dir + "/plain.fcm --tz Europe/Berlin --data " + data);
  EXPECT_EQ(plain_tz.code, 0) << plain_tz.err;
  EXPECT_EQ(plain_tz.err.find("as the model was trained"), std::string::npos) << plain_tz.err;
}

}  // namespace
