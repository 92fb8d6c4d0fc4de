// A stray row off the grid (16:30 in an hourly export) does not redefine the grid: the
// series stays hourly, the row is added to the hour it falls in, and it is said.
#include <gtest/gtest.h>

#include <string>

#include "funnelcast/io/csv.hpp"
#include "funnelcast/series/series.hpp"
#include "funnelcast/time/time.hpp"

namespace {

constexpr int64_t kMarch = 1709251200;  // 2024-03-01 00:00 UTC

std::string hourly(size_t hours, int64_t stray_at = -1) {
  std::string csv = "timestamp,leads,spend\n";
  for (size_t h = 0; h < hours; ++h) {
    const int64_t t = kMarch + static_cast<int64_t>(h) * 3600;
    csv += fc::time::format_timestamp(t) + "," + std::to_string(h % 7 + 3) + ",10\n";
    if (stray_at == t) csv += fc::time::format_timestamp(t + 1800) + ",2,4\n";
  }
  return csv;
}

fc::series::BuildResult build(const std::string& csv) {
  fc::csv::Options o;
  o.source = "export.csv";
  return fc::series::build(fc::csv::read(csv, o));
}

TEST(SeriesStray, AStrayRowIsAddedToItsHourAndSaid) {
  const int64_t at = kMarch + 58 * 3600;  // 2024-03-03 10:00; the stray row is at 10:30
  const auto d = build(hourly(500, at));
  EXPECT_EQ(d.step, 3600);
  EXPECT_TRUE(d.regular);
  ASSERT_EQ(d.total.size(), 500u);
  EXPECT_EQ(d.total.start, kMarch);
  EXPECT_EQ(d.stray_rows, 1u);
  // Hour 58 holds its own row (58 % 7 + 3 = 5 leads, $10) and the stray one (2 leads, $4).
  EXPECT_EQ(d.total.leads[58], 7);
  EXPECT_EQ(d.total.spend[58], 14);
  EXPECT_EQ(d.total.leads[59], 59 % 7 + 3);
  EXPECT_EQ(d.empty_intervals, 0u);
  bool said = false;
  for (const auto& n : d.notices)
    said = said || n == "export.csv: 1 row is off the hourly grid (first at line 61, 2024-03-03 10:30:00); each is "
                        "added to the hour it falls in";
  EXPECT_TRUE(said);
}

TEST(SeriesStray, RegularFinerDataKeepsItsGrid) {
  // Every row half-hourly: the grid is 30 minutes, nothing is stray.
  std::string csv = "timestamp,leads\n";
  for (int i = 0; i < 300; ++i) csv += fc::time::format_timestamp(kMarch + i * 1800) + ",1\n";
  const auto d = build(csv);
  EXPECT_EQ(d.step, 1800);
  EXPECT_EQ(d.stray_rows, 0u);
  // Clean hourly data: no stray rows either.
  const auto h = build(hourly(300));
  EXPECT_EQ(h.step, 3600);
  EXPECT_EQ(h.stray_rows, 0u);
}

}  // namespace

// An export every 2, 3, 4, 6 or 12 hours is read on its own grid, not as hourly data with
// every other hour missing: the last 24 hours' leads are the sum of its rows in them, and
// forecasting (hourly only) refuses it by name instead of forecasting per hour.
TEST(SeriesMultiHour, AnExportEveryFewHoursKeepsItsInterval) {
  for (int hours : {2, 3, 4, 6, 12}) {
    std::string csv = "timestamp,leads,spend\n";
    const int rows = 30 * 24 / hours;
    for (int i = 0; i < rows; ++i)
      csv += fc::time::format_timestamp(kMarch + int64_t{i} * hours * 3600) + "," + std::to_string(i % 5 + 1) + ",10\n";
    const auto d = build(csv);
    SCOPED_TRACE(hours);
    EXPECT_EQ(d.step, hours * 3600);
    EXPECT_TRUE(d.regular);
    ASSERT_EQ(d.total.size(), static_cast<size_t>(rows));
    EXPECT_EQ(d.empty_intervals, 0u);
    EXPECT_EQ(d.missing_leads, 0u);
    // The last day: rows - 24/hours .. rows - 1, each i % 5 + 1 leads.
    double want = 0, got = 0;
    for (int i = rows - 24 / hours; i < rows; ++i) {
      want += i % 5 + 1;
      got += d.total.leads[static_cast<size_t>(i)];
    }
    EXPECT_EQ(got, want);
    bool said = false;
    for (const auto& n : d.notices)
      said = said || n == "export.csv: data every " + std::to_string(hours) + " hours (one row per " +
                              std::to_string(hours) + " hours)";
    EXPECT_TRUE(said);
  }
  // Hourly data with gaps is still hourly: a few odd hours among even ones decide it.
  std::string csv = "timestamp,leads\n";
  for (int h = 0; h < 400; ++h)
    if (h % 2 == 0 || h % 37 == 1) csv += fc::time::format_timestamp(kMarch + int64_t{h} * 3600) + ",3\n";
  const auto d = build(csv);
  EXPECT_EQ(d.step, 3600);
  EXPECT_GT(d.empty_intervals, 100u);
}

// A local-time export repeats an hour the night clocks go back: the two rows are two real
// hours, so the error says so and does not suggest summing them; any other duplicate does.
TEST(SeriesDaylightSaving, ARepeatedHourTheNightClocksGoBackIsExplained) {
  const auto error_of = [](int64_t start, int64_t dup) {
    std::string csv = "timestamp,leads\n";
    for (int h = 0; h < 72; ++h) {
      const int64_t t = start + int64_t{h} * 3600;
      csv += fc::time::format_timestamp(t) + ",4\n";
      if (t == dup) csv += fc::time::format_timestamp(t) + ",5\n";
    }
    try {
      build(csv);
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const int64_t oct26 = 1729900800;  // 2024-10-26 00:00 UTC; Sunday 27 October is the last one
  const std::string eu = error_of(oct26, oct26 + 26 * 3600);  // 2024-10-27 02:00 twice
  EXPECT_NE(eu.find("export.csv: line 29: duplicate timestamp 2024-10-27 02:00:00 (first at line 28): clocks go back"),
            std::string::npos) << eu;
  EXPECT_EQ(eu.find("--duplicates sum"), std::string::npos) << eu;
  const int64_t nov2 = 1730505600;  // 2024-11-02 00:00 UTC; Sunday 3 November is the first one
  EXPECT_NE(error_of(nov2, nov2 + 25 * 3600).find("clocks go back"), std::string::npos);  // 01:00 on the 3rd
  // A week earlier, or at noon that Sunday: an ordinary duplicate, summing suggested.
  const std::string plain = error_of(oct26 - 7 * 86400, oct26 - 7 * 86400 + 26 * 3600);
  EXPECT_NE(plain.find("--duplicates sum"), std::string::npos) << plain;
  EXPECT_NE(error_of(oct26, oct26 + 36 * 3600).find("--duplicates sum"), std::string::npos);
}
