// Time at the bottom of the core: civil dates, ISO 8601 timestamps in and out,
// calendar fields and the built-in holiday calendar, and the grid intervals a
// series can have. Everything is UTC epoch seconds; nothing here knows about files.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fc::time {

constexpr int64_t kMinute = 60;
constexpr int64_t kHour = 3600;
constexpr int64_t kDay = 86400;
constexpr int64_t kWeek = 7 * kDay;

// a / b rounded towards minus infinity (b > 0), so times before 1970 fall in the right hour.
constexpr int64_t floor_div(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

struct CivilDate {
  int64_t year = 1970;
  unsigned month = 1, day = 1;  // 1-based
};

bool is_leap_year(int64_t year);
unsigned days_in_month(int64_t year, unsigned month);
int64_t days_from_civil(int64_t year, unsigned month, unsigned day);  // days since 1970-01-01
CivilDate civil_from_days(int64_t days);                              // its inverse

// ISO 8601: YYYY-MM-DD, YYYY-MM-DD[T ]HH:MM[:SS[.fff]][Z|+HH:MM|-HH:MM|+HHMM], '/' also
// accepted between the date parts; surrounding spaces allowed. UTC seconds out; a time
// without an offset is read as UTC, and `offset_given` (when asked) says whether it had one.
bool parse_timestamp(std::string_view text, int64_t& out, bool* offset_given = nullptr);
std::string format_timestamp(int64_t seconds);  // "YYYY-MM-DD HH:MM:SS" UTC

// Calendar fields of an instant (UTC).
int64_t day_number(int64_t t);  // days since 1970-01-01
int hour_of_day(int64_t t);     // 0..23
int day_of_week(int64_t t);     // 0 = Monday .. 6 = Sunday
CivilDate date_of(int64_t t);
// A small built-in calendar of widely observed (US/EU) holidays: New Year, July 4th,
// Christmas Eve to Boxing Day, New Year's Eve, Memorial Day, Labor Day, Thanksgiving
// and the Friday after.
bool is_holiday(int64_t t);

// The grid steps a regular series may have, finest first: 1, 5, 10, 15 and 30
// minutes, 1, 2, 3, 4, 6 and 12 hours, 1 day, 1 week.
const std::vector<int64_t>& supported_intervals();
// The largest supported step that divides `divisor` (the gcd of the distances between
// `distinct` timestamps), 0 when none does. A step of 2 to 12 hours needs at least 20
// timestamps: two rows two hours apart are an hourly export with a gap, not 2-hourly data.
int64_t grid_step(int64_t divisor, size_t distinct);
// The unit for n intervals of `step`: "hour"/"hours", "day"/"days", "interval of 2 hours" /
// "intervals of 2 hours".
std::string interval_units(int64_t step, size_t n);
// "daily data (one row per day)", "data every 2 hours (one row per 2 hours)".
std::string interval_data(int64_t step);
// "hour", "15 minutes", "day", "week"; "N seconds" for anything else.
std::string interval_name(int64_t seconds);
// "hourly", "every 15 minutes", "daily", "weekly".
std::string interval_adjective(int64_t seconds);

}  // namespace fc::time
