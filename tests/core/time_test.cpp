// Civil dates, timestamps and calendar fields, each checked against dates worked out by hand.
#include "funnelcast/time/time.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace fc::time {
namespace {

// 2024-01-01 is 19723 days after 1970-01-01: 54 years of 365 days plus the 13 leap
// days of 1972, 1976, ..., 2020.
constexpr int64_t k2024Jan1 = 19723 * kDay;

TEST(DaysFromCivil, KnownDates) {
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(1970, 1, 2), 1);
  EXPECT_EQ(days_from_civil(1969, 12, 31), -1);
  EXPECT_EQ(days_from_civil(1971, 1, 1), 365);
  EXPECT_EQ(days_from_civil(1972, 3, 1), 365 + 365 + 31 + 29);
  // 2000-01-01: 30 years, 7 leap days (1972..1996) -> 10957; then Jan 31 + Feb 29.
  EXPECT_EQ(days_from_civil(2000, 1, 1), 10957);
  EXPECT_EQ(days_from_civil(2000, 3, 1), 10957 + 31 + 29);
  EXPECT_EQ(days_from_civil(2024, 1, 1), 19723);
  EXPECT_EQ(days_from_civil(2024, 3, 10), 19723 + 31 + 29 + 9);
  // 1900 is not a leap year: 1900-03-01 minus 1900-02-28 is one day.
  EXPECT_EQ(days_from_civil(1900, 3, 1) - days_from_civil(1900, 2, 28), 1);
  // A 400-year cycle has 146097 days.
  EXPECT_EQ(days_from_civil(2400, 1, 1) - days_from_civil(2000, 1, 1), 146097);
  EXPECT_EQ(days_from_civil(1600, 1, 1) - days_from_civil(2000, 1, 1), -146097);
}

TEST(FormatTimestamp, KnownValues) {
  EXPECT_EQ(format_timestamp(0), "1970-01-01 00:00:00");
  EXPECT_EQ(format_timestamp(-1), "1969-12-31 23:59:59");
  EXPECT_EQ(format_timestamp(-kDay), "1969-12-31 00:00:00");
  EXPECT_EQ(format_timestamp(k2024Jan1 + (31 + 29 + 9) * kDay + 3 * 3600 + 30 * 60),
            "2024-03-10 03:30:00");
  EXPECT_EQ(format_timestamp(k2024Jan1 + 59 * kDay + 86399), "2024-02-29 23:59:59");
  EXPECT_EQ(format_timestamp(10957 * kDay), "2000-01-01 00:00:00");
}

TEST(FormatTimestamp, RoundTripsThroughParse) {
  for (int64_t s = -400 * 366 * kDay; s < 400 * 366 * kDay; s += 7 * kDay + 3601) {
    int64_t back = 0;
    ASSERT_TRUE(parse_timestamp(format_timestamp(s), back)) << s;
    ASSERT_EQ(back, s);
  }
}

// 2024-03-10 is day 19723 + 31 + 29 + 9 = 19792.
constexpr int64_t kMar10 = (19723 + 31 + 29 + 9) * kDay;

struct TimestampCase {
  const char* text;
  int64_t expected;
};

TEST(ParseTimestamp, Formats) {
  const TimestampCase cases[] = {
      {"2024-03-10", kMar10},
      {"2024/03/10", kMar10},
      {"2024-3-9", kMar10 - kDay},
      {"2024-03-10 05:30", kMar10 + 5 * 3600 + 30 * 60},
      {"2024-03-10 05:30:15", kMar10 + 5 * 3600 + 30 * 60 + 15},
      {"2024/03/10 05:30:15", kMar10 + 5 * 3600 + 30 * 60 + 15},
      {"2024-03-10T05:30", kMar10 + 5 * 3600 + 30 * 60},
      {"2024-03-10T05:30:15", kMar10 + 5 * 3600 + 30 * 60 + 15},
      {"2024-03-10T05:30:15.999", kMar10 + 5 * 3600 + 30 * 60 + 15},
      {"2024-03-10T05:30:15Z", kMar10 + 5 * 3600 + 30 * 60 + 15},
      {"2024-03-10T05:30Z", kMar10 + 5 * 3600 + 30 * 60},
      // 05:30 at +02:00 is 03:30 UTC.
      {"2024-03-10T05:30:00+02:00", kMar10 + 3 * 3600 + 30 * 60},
      {"2024-03-10T05:30:00+0200", kMar10 + 3 * 3600 + 30 * 60},
      {"2024-03-10T05:30:00.5+02:00", kMar10 + 3 * 3600 + 30 * 60},
      {"2024-03-10 05:30:00 +0200", kMar10 + 3 * 3600 + 30 * 60},
      // 22:00 at -05:30 is 03:30 UTC the next day.
      {"2024-03-09T22:00:00-05:30", kMar10 + 3 * 3600 + 30 * 60},
      // 01:00 at +02:00 is 23:00 UTC the previous day.
      {"2024-03-11T01:00+02:00", kMar10 + 23 * 3600},
      {"  2024-03-10  ", kMar10},
      {"2024-03-10 23:59:59", kMar10 + 86399},
      {"2024-02-29", kMar10 - 10 * kDay},
      {"2000-02-29", (10957 + 31 + 28) * kDay},
      {"1970-01-01T00:00:00Z", 0},
  };
  for (const auto& c : cases) {
    int64_t value = 0;
    EXPECT_TRUE(parse_timestamp(c.text, value)) << c.text;
    EXPECT_EQ(value, c.expected) << c.text;
  }
}

TEST(ParseTimestamp, RejectsInvalid) {
  for (const char* text : {"",
                           "2024",
                           "2024-03",
                           "2024-02-30",
                           "2023-02-29",
                           "1900-02-29",
                           "2024-04-31",
                           "2024-13-01",
                           "2024-00-10",
                           "2024-01-00",
                           "2024-01-32",
                           "2024-01-01 24:00",
                           "2024-01-01 12:60",
                           "2024-01-01 12:00:60",
                           "2024-01-01T",
                           "2024-01-01 12",
                           "2024-01-01 12:5",
                           "2024-01-01 12:00:5",
                           "2024-01-01 12:00:00.",
                           "2024-01-01X",
                           "2024-01-01 12:00+2",
                           "2024-01-01 12:00+24:00",
                           "2024-01-01 12:00+02:60",
                           "2024-01-01 12:00+02:",
                           "2024-01-01 12:00Z1",
                           "2024-01/01",
                           "24-01-01",
                           "20240101",
                           "01/02/2024",
                           "2024-01-01Z",
                           "abc",
                           "2024-01-01 12:00:00 UTC",
                           // an offset that carries the instant out of years 0000-9999 in
                           // UTC (found by fuzz_time: it formatted as 10000-01-01 00:59:00,
                           // which does not parse back)
                           "9999-12-31 23:59-01",
                           "0000-01-01 00:30+01:00"}) {
    int64_t value = 0;
    EXPECT_FALSE(parse_timestamp(text, value)) << text;
  }
}

TEST(Calendar, WorkedOutByHand) {
  // 2024-01-01 00:00 UTC was a Monday and New Year's Day.
  const int64_t jan1 = 1704067200;
  EXPECT_EQ(day_of_week(jan1), 0);
  EXPECT_EQ(hour_of_day(jan1 + 5 * 3600), 5);
  EXPECT_EQ(hour_of_day(jan1 - 1), 23);
  EXPECT_TRUE(is_holiday(jan1));
  EXPECT_FALSE(is_holiday(jan1 + 86400));
  // 2024-11-28 was Thanksgiving (fourth Thursday), 2024-11-29 the Friday after, 2024-11-21 not.
  EXPECT_TRUE(is_holiday(1732752000));
  EXPECT_TRUE(is_holiday(1732752000 + 86400));
  EXPECT_FALSE(is_holiday(1732752000 - 7 * 86400));
  // 2024-05-27 Memorial Day, 2024-09-02 Labor Day.
  EXPECT_TRUE(is_holiday(1716768000));
  EXPECT_TRUE(is_holiday(1725235200));
  // Before 1970 too: 1969-12-31 was a Wednesday.
  EXPECT_EQ(day_of_week(-86400), 2);
  const CivilDate d = date_of(k2024Jan1 + 59 * kDay + 86399);
  EXPECT_EQ(d.year, 2024);
  EXPECT_EQ(d.month, 2u);
  EXPECT_EQ(d.day, 29u);
}

TEST(Calendar, FloorDivRoundsDown) {
  EXPECT_EQ(floor_div(7, 2), 3);
  EXPECT_EQ(floor_div(-7, 2), -4);
  EXPECT_EQ(floor_div(-3600, 3600), -1);
  EXPECT_EQ(floor_div(-1, 3600), -1);
  EXPECT_EQ(floor_div(0, 3600), 0);
}

TEST(Intervals, NamesReadNaturally) {
  EXPECT_EQ(interval_name(kHour), "hour");
  EXPECT_EQ(interval_name(15 * kMinute), "15 minutes");
  EXPECT_EQ(interval_name(kDay), "day");
  EXPECT_EQ(interval_adjective(kHour), "hourly");
  EXPECT_EQ(interval_adjective(kDay), "daily");
  EXPECT_EQ(interval_adjective(5 * kMinute), "every 5 minutes");
  // Finest first, and every step divides the next coarser one's day or week.
  const auto& steps = supported_intervals();
  for (size_t i = 1; i < steps.size(); ++i) EXPECT_LT(steps[i - 1], steps[i]);
}

}  // namespace
}  // namespace fc::time
