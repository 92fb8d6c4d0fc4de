// A forecast model and its zone: the header records it only when there is one, calendar
// features read the zone's wall clock (hour, weekday, date, holidays), and a model with a
// zone refuses a request that reads times in another zone or in none.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "funnelcast/api/forecast.hpp"
#include "funnelcast/features/features.hpp"
#include "funnelcast/forecast/predict.hpp"
#include "funnelcast/io/csv.hpp"
#include "funnelcast/model/header.hpp"
#include "funnelcast/model/model.hpp"
#include "funnelcast/series/series.hpp"
#include "funnelcast/time/zone.hpp"
#include "cli_run.hpp"
#include "test_support.hpp"

namespace {

using fc::testing::error_of;

std::string tzm_committed_model() {
  return fc::testing::slurp(std::string(FC_SOURCE_DIR) + "/models/demo_forecast.fcm");
}

const fc::time::Zone& tzm_berlin() {
  static const fc::time::Zone z = fc::time::Zone::from_posix("CET-1CEST,M3.5.0,M10.5.0/3", "Europe/Berlin");
  return z;
}
const fc::time::Zone& tzm_new_york() {
  static const fc::time::Zone z = fc::time::Zone::from_posix("EST5EDT,M3.2.0,M11.1.0", "America/New_York");
  return z;
}

// Calendar features only (and lag 1, which a spec needs to read the history).
fc::features::FeatureSpec tzm_calendar_spec() {
  fc::features::FeatureSpec spec;
  spec.lags = {1};
  spec.rolling_windows = {};
  spec.rolling_stats = {};
  spec.calendar = true;
  spec.cyclic = false;
  return spec;
}

// One calendar feature of hour t of a history starting at `start` (hourly, 12 values).
float tzm_feature(const std::string& name, int64_t start, size_t t, const fc::time::Zone* zone) {
  static const std::vector<double> values(12, 1.0);
  const fc::features::FeatureSpec spec = tzm_calendar_spec();
  fc::features::History h;
  h.start = start;
  h.step = 3600;
  h.target = values.data();
  h.size = values.size();
  h.zone = zone;
  std::vector<float> row(spec.width());
  fc::features::build_row(spec, h, t, row.data());
  const std::vector<std::string> names = spec.names();
  const auto at = std::find(names.begin(), names.end(), name);
  EXPECT_NE(at, names.end()) << name;
  return row[static_cast<size_t>(at - names.begin())];
}

TEST(ForecastZone, CalendarFeaturesReadTheWallClockOfTheZone) {
  // 2026-07-01 08:00 UTC (1782892800), a Wednesday: 10:00 CEST in Berlin.
  const int64_t summer = 1782892800;
  EXPECT_EQ(tzm_feature("hour", summer, 0, nullptr), 8.0f);
  EXPECT_EQ(tzm_feature("hour", summer, 0, &tzm_berlin()), 10.0f);
  EXPECT_EQ(tzm_feature("dow", summer, 0, &tzm_berlin()), 2.0f);
  EXPECT_EQ(tzm_feature("how", summer, 0, &tzm_berlin()), 2.0f * 24 + 10);
  // 2026-06-30 22:00 UTC (1782856800), a Tuesday in UTC, is midnight of Wednesday July 1st
  // in Berlin: the date, the month and the weekday turn with the local clock.
  const int64_t late = 1782856800;
  EXPECT_EQ(tzm_feature("hour", late, 0, nullptr), 22.0f);
  EXPECT_EQ(tzm_feature("dom", late, 0, nullptr), 30.0f);
  EXPECT_EQ(tzm_feature("month", late, 0, nullptr), 6.0f);
  EXPECT_EQ(tzm_feature("dow", late, 0, nullptr), 1.0f);
  EXPECT_EQ(tzm_feature("hour", late, 0, &tzm_berlin()), 0.0f);
  EXPECT_EQ(tzm_feature("dom", late, 0, &tzm_berlin()), 1.0f);
  EXPECT_EQ(tzm_feature("month", late, 0, &tzm_berlin()), 7.0f);
  EXPECT_EQ(tzm_feature("dow", late, 0, &tzm_berlin()), 2.0f);
  // 2026-07-05 02:00 UTC (1783216800) is 22:00 EDT on Saturday, July 4th in New York: a
  // holiday there, not in UTC (a Sunday, July 5th).
  const int64_t fourth = 1783216800;
  EXPECT_EQ(tzm_feature("holiday", fourth, 0, nullptr), 0.0f);
  EXPECT_EQ(tzm_feature("weekend", fourth, 0, nullptr), 1.0f);
  EXPECT_EQ(tzm_feature("holiday", fourth, 0, &tzm_new_york()), 1.0f);
  EXPECT_EQ(tzm_feature("hour", fourth, 0, &tzm_new_york()), 22.0f);
  EXPECT_EQ(tzm_feature("dom", fourth, 0, &tzm_new_york()), 4.0f);
  EXPECT_EQ(tzm_feature("dow", fourth, 0, &tzm_new_york()), 5.0f);
}

TEST(ForecastZone, TheAutumnChangeRepeatsLocalHourTwo) {
  // From 2026-10-24 22:00 UTC (1792879200, midnight CEST of Sunday the 25th): the clocks go
  // back at 01:00 UTC, so the local hours are 0, 1, 2 (CEST), 2 (CET), 3, 4 ... and the
  // UTC hours 22, 23, 0, 1, 2, 3. Hours past the history's end (t >= 12) too.
  const int64_t start = 1792879200;
  std::vector<float> local, utc;
  for (size_t t = 0; t < 6; ++t) {
    local.push_back(tzm_feature("hour", start, t, &tzm_berlin()));
    utc.push_back(tzm_feature("hour", start, t, nullptr));
  }
  EXPECT_EQ(local, (std::vector<float>{0, 1, 2, 2, 3, 4}));
  EXPECT_EQ(utc, (std::vector<float>{22, 23, 0, 1, 2, 3}));
  EXPECT_EQ(tzm_feature("dom", start, 0, &tzm_berlin()), 25.0f);
  EXPECT_EQ(tzm_feature("dow", start, 0, &tzm_berlin()), 6.0f);
  EXPECT_EQ(tzm_feature("dow", start, 0, nullptr), 5.0f);
  // The series has 12 values; hour 12 is the first forecast step: 2026-10-25 10:00 UTC,
  // 11:00 CET.
  EXPECT_EQ(tzm_feature("hour", start, 12, &tzm_berlin()), 11.0f);
}

fc::model::DataSchema tzm_schema() {
  fc::model::DataSchema d;
  d.source = "berlin.csv";
  d.columns = {{"timestamp", "timestamp", "time"}, {"leads", "number", "leads"}};
  d.roles.time = "timestamp";
  d.roles.leads = "leads";
  return d;
}

TEST(ForecastZone, TheHeaderHasAZoneKeyOnlyWithAZone) {
  fc::model::Header h;
  h.kind = "forecast";
  h.created_by = "funnelcast test";
  h.data = tzm_schema();
  // The forecast section is not needed to see the data schema's JSON.
  const nlohmann::json plain = h.to_json().at("data");
  EXPECT_FALSE(plain.contains("zone")) << plain.dump();
  h.data.zone = "Europe/Berlin";
  const nlohmann::json zoned = h.to_json().at("data");
  ASSERT_TRUE(zoned.contains("zone"));
  EXPECT_EQ(zoned.at("zone"), "Europe/Berlin");
  // Apart from the key, the same JSON.
  nlohmann::json without = zoned;
  without.erase("zone");
  EXPECT_EQ(without, plain);
}

TEST(ForecastZone, AModelKeepsItsZoneAndAZonelessOneStaysAsItWas) {
  const std::string committed = tzm_committed_model();
  const fc::model::Model m = fc::model::load(committed, "demo_forecast.fcm");
  EXPECT_EQ(m.header.data.zone, "");
  EXPECT_EQ(fc::model::save(m), committed);  // no zone: the same bytes

  fc::model::Model zoned = m;
  zoned.header.data.zone = "Europe/Berlin";
  const std::string bytes = fc::model::save(zoned);
  EXPECT_NE(bytes.find("\"zone\":\"Europe/Berlin\""), std::string::npos);
  const fc::model::Model back = fc::model::load(bytes, "berlin.fcm");
  EXPECT_EQ(back.header.data.zone, "Europe/Berlin");
  EXPECT_EQ(fc::model::save(back), bytes);

  nlohmann::json j = zoned.header.to_json();
  j["data"]["zone"] = "";
  EXPECT_EQ(error_of([&] { fc::model::Header::from_json(j); }),
            "model header: 'data.zone' must name a time zone (absent for UTC)");
  j["data"]["zone"] = 3600;
  EXPECT_EQ(error_of([&] { fc::model::Header::from_json(j); }), "model header: 'data.zone' must be a string");
}

TEST(ForecastZone, AModelWithAZoneRefusesAnotherZoneOrNone) {
  fc::model::Model m = fc::model::load(tzm_committed_model(), "demo_forecast.fcm");
  m.header.data.zone = "Europe/Berlin";
  fc::Table table = fc::csv::read("timestamp,leads\n2026-10-24 00:00:00,1\n", {});
  fc::forecast::Request request;
  request.model_name = "berlin.fcm";
  EXPECT_EQ(error_of([&] { fc::forecast::prepare(m, table, request); }),
            "berlin.fcm reads times in Europe/Berlin; time zones need the command line: funnelcast forecast "
            "--model berlin.fcm --data FILE");
  request.zone = std::make_shared<const fc::time::Zone>(tzm_new_york());
  EXPECT_EQ(error_of([&] { fc::forecast::prepare(m, table, request); }),
            "berlin.fcm was trained with times in Europe/Berlin, not America/New_York; forecast with --tz "
            "Europe/Berlin (or without --tz)");
}

TEST(ForecastZone, TheClockIsTheDataZoneExceptForCalendarDays) {
  auto zone = std::make_shared<const fc::time::Zone>(tzm_berlin());
  fc::series::Options o;
  o.zone = zone;
  // Hourly wall-clock rows: instants, whose calendar is Berlin's.
  const fc::series::BuildResult hourly = fc::series::build(
      fc::csv::read("timestamp,leads\n2026-07-01 10:00:00,1\n2026-07-01 11:00:00,2\n2026-07-01 12:00:00,3\n", {}), o);
  EXPECT_EQ(hourly.total.start, 1782892800);  // 08:00 UTC
  EXPECT_EQ(fc::series::clock_zone(hourly), zone.get());
  const fc::forecast::SeriesHistory sh =
      fc::forecast::history_of(tzm_calendar_spec(), hourly.total, fc::series::clock_zone(hourly));
  EXPECT_EQ(sh.history.zone, zone.get());
  // Daily rows stay the zone's calendar days (midnight read as UTC): no shift on top.
  const fc::series::BuildResult daily = fc::series::build(
      fc::csv::read("timestamp,leads\n2026-07-01,1\n2026-07-02,2\n2026-07-03,3\n", {}), o);
  EXPECT_EQ(daily.total.start, 1782864000);  // 2026-07-01 00:00 UTC
  EXPECT_EQ(fc::series::clock_zone(daily), nullptr);
  // No zone: none.
  EXPECT_EQ(fc::series::clock_zone(fc::series::build(
                fc::csv::read("timestamp,leads\n2026-07-01 10:00:00,1\n2026-07-01 11:00:00,2\n", {}))),
            nullptr);
}

TEST(ForecastZone, TimesAreWrittenInTheZoneWithTheirOffset) {
  using fc::api::forecast_time;
  // 2026-10-25 00:00 and 01:00 UTC: 02:00 CEST, then 02:00 CET.
  EXPECT_EQ(forecast_time(1792886400, &tzm_berlin()), "2026-10-25 02:00:00+02:00");
  EXPECT_EQ(forecast_time(1792890000, &tzm_berlin()), "2026-10-25 02:00:00+01:00");
  EXPECT_EQ(forecast_time(1792890000, nullptr), "2026-10-25 01:00:00");
  // 2026-07-05 02:00 UTC: 22:00 EDT the day before.
  EXPECT_EQ(forecast_time(1783216800, &tzm_new_york()), "2026-07-04 22:00:00-04:00");
  // Half-hour offsets: 2026-07-01 08:00 UTC in India is 13:30.
  const fc::time::Zone india = fc::time::Zone::from_posix("<+0530>-5:30", "Asia/Kolkata");
  EXPECT_EQ(forecast_time(1782892800, &india), "2026-07-01 13:30:00+05:30");
}

}  // namespace
