// Civil-date arithmetic after Howard Hinnant's era-based algorithms: days are
// counted in 400-year eras starting on March 1, so the leap day falls at the end
// of each shifted year and month lengths follow one linear formula.
#include "funnelcast/time/time.hpp"

#include <cstdio>

namespace fc::time {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string_view trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return s.substr(b, e - b);
}

}  // namespace

bool is_leap_year(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(int64_t y, unsigned m) {
  static constexpr unsigned kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12) return 0;
  return m == 2 && is_leap_year(y) ? 29 : kDays[m - 1];
}

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;                                     // [0, 399]
  const int64_t mp = m > 2 ? m - 3 : m + 9;                              // March = 0
  const int64_t doy = (153 * mp + 2) / 5 + static_cast<int64_t>(d) - 1;  // [0, 365]
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;             // [0, 146096]
  return era * 146097 + doe - 719468;  // 719468 days from 0000-03-01 to 1970-01-01
}

CivilDate civil_from_days(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;                                       // [0, 146096]
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);  // [0, 365], from March 1
  const int64_t mp = (5 * doy + 2) / 153;                       // [0, 11], March = 0
  CivilDate c;
  c.day = static_cast<unsigned>(doy - (153 * mp + 2) / 5 + 1);
  c.month = static_cast<unsigned>(mp < 10 ? mp + 3 : mp - 9);
  c.year = yoe + era * 400 + (c.month <= 2 ? 1 : 0);
  return c;
}

bool parse_timestamp(std::string_view text, int64_t& out, bool* offset_given) {
  const std::string_view s = trim(text);
  const size_t n = s.size();
  size_t i = 0;
  if (offset_given) *offset_given = false;
  auto read_int = [&](size_t min_digits, size_t max_digits, int& value) {
    size_t count = 0;
    value = 0;
    while (count < max_digits && i < n && is_digit(s[i])) {
      value = value * 10 + (s[i] - '0');
      ++i;
      ++count;
    }
    return count >= min_digits;
  };
  auto accept = [&](char c) {
    if (i < n && s[i] == c) {
      ++i;
      return true;
    }
    return false;
  };

  int year = 0, month = 0, day = 0;
  if (!read_int(4, 4, year)) return false;
  if (i >= n || (s[i] != '-' && s[i] != '/')) return false;
  const char separator = s[i++];
  if (!read_int(1, 2, month) || !accept(separator) || !read_int(1, 2, day)) return false;
  if (month < 1 || month > 12 || day < 1 ||
      static_cast<unsigned>(day) > days_in_month(year, static_cast<unsigned>(month))) {
    return false;
  }
  int64_t seconds =
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * kDay;
  if (i == n) {
    out = seconds;
    return true;
  }

  if (s[i] != 'T' && s[i] != 't' && s[i] != ' ') return false;
  ++i;
  int hour = 0, minute = 0, second = 0;
  if (!read_int(1, 2, hour) || !accept(':') || !read_int(2, 2, minute)) return false;
  if (accept(':')) {
    if (!read_int(2, 2, second)) return false;
    if (accept('.') || accept(',')) {
      if (i >= n || !is_digit(s[i])) return false;
      while (i < n && is_digit(s[i])) ++i;  // sub-second precision is dropped on purpose
    }
  }
  if (hour > 23 || minute > 59 || second > 59) return false;
  seconds += hour * kHour + minute * kMinute + second;

  accept(' ');  // some exports write "2024-03-10 05:30:00 +0200"
  const bool zoned = i < n && (s[i] == 'Z' || s[i] == 'z' || s[i] == '+' || s[i] == '-');
  if (accept('Z') || accept('z')) {
    // already UTC
  } else if (i < n && (s[i] == '+' || s[i] == '-')) {
    const bool east = s[i++] == '+';
    int offset_hours = 0, offset_minutes = 0;
    if (!read_int(2, 2, offset_hours)) return false;
    if (accept(':')) {
      if (!read_int(2, 2, offset_minutes)) return false;
    } else if (i < n && !read_int(2, 2, offset_minutes)) {
      return false;
    }
    if (offset_hours > 23 || offset_minutes > 59) return false;
    const int offset = offset_hours * 3600 + offset_minutes * 60;
    // Local time = UTC + offset, so UTC = local - offset.
    seconds += east ? -offset : offset;
    // The offset may carry the instant out of years 0000-9999 (9999-12-31 23:59-01 is in
    // the year 10000 in UTC), which no output could write back as a four-digit year.
    if (seconds < days_from_civil(0, 1, 1) * kDay || seconds >= days_from_civil(10000, 1, 1) * kDay)
      return false;
  }
  if (i != n) return false;
  out = seconds;
  if (offset_given) *offset_given = zoned;
  return true;
}

std::string format_timestamp(int64_t seconds) {
  const int64_t days = floor_div(seconds, kDay);
  const int64_t rest = seconds - days * kDay;
  const CivilDate c = civil_from_days(days);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04lld-%02u-%02u %02d:%02d:%02d",
                static_cast<long long>(c.year), c.month, c.day, static_cast<int>(rest / 3600),
                static_cast<int>(rest / 60 % 60), static_cast<int>(rest % 60));
  return buffer;
}

int64_t day_number(int64_t t) { return floor_div(t, kDay); }

int hour_of_day(int64_t t) { return static_cast<int>((t - day_number(t) * kDay) / kHour); }

int day_of_week(int64_t t) {
  // 1970-01-01 was a Thursday (3 with Monday = 0).
  return static_cast<int>(((day_number(t) % 7) + 7 + 3) % 7);
}

CivilDate date_of(int64_t t) { return civil_from_days(day_number(t)); }

bool is_holiday(int64_t t) {
  const CivilDate c = date_of(t);
  const int dow = day_of_week(t);
  const unsigned m = c.month, d = c.day;
  if ((m == 1 && d == 1) || (m == 7 && d == 4) ||
      (m == 12 && (d == 24 || d == 25 || d == 26 || d == 31)))
    return true;
  // Floating days: Memorial Day (last Monday of May), Labor Day (first Monday of
  // September), Thanksgiving (fourth Thursday of November) and the Friday after.
  if (m == 5 && dow == 0 && d + 7 > 31) return true;
  if (m == 9 && dow == 0 && d <= 7) return true;
  if (m == 11 && dow == 3 && d >= 22 && d <= 28) return true;
  if (m == 11 && dow == 4 && d >= 23 && d <= 29) return true;
  return false;
}

const std::vector<int64_t>& supported_intervals() {
  // Every step that divides a day evenly (from a minute), then a day and a week: an export
  // every 2, 3, 4, 6 or 12 hours is read on its own grid, never as hourly with gaps.
  static const std::vector<int64_t> kSteps = {kMinute,      5 * kMinute, 10 * kMinute, 15 * kMinute,
                                              30 * kMinute, kHour,       2 * kHour,    3 * kHour,
                                              4 * kHour,    6 * kHour,   12 * kHour,   kDay,
                                              kWeek};
  return kSteps;
}

int64_t grid_step(int64_t divisor, size_t distinct) {
  constexpr size_t kMinTimesMultiHour = 20;
  int64_t step = 0;
  for (int64_t s : supported_intervals())
    if (divisor > 0 && divisor % s == 0 && (s <= kHour || s >= kDay || distinct >= kMinTimesMultiHour)) step = s;
  return step;
}

std::string interval_units(int64_t step, size_t n) {
  const std::string name = interval_name(step);
  if (name.find(' ') != std::string::npos) return (n == 1 ? "interval of " : "intervals of ") + name;
  return n == 1 ? name : name + "s";
}

std::string interval_data(int64_t step) {
  const std::string adjective = interval_adjective(step);
  return (adjective.rfind("every", 0) == 0 ? "data " + adjective : adjective + " data") + " (one row per " +
         interval_name(step) + ")";
}

std::string interval_name(int64_t s) {
  if (s == kWeek) return "week";
  if (s == kDay) return "day";
  if (s == kHour) return "hour";
  if (s == kMinute) return "minute";
  if (s > 0 && s % kDay == 0) return std::to_string(s / kDay) + " days";
  if (s > 0 && s % kHour == 0) return std::to_string(s / kHour) + " hours";
  if (s > 0 && s % kMinute == 0) return std::to_string(s / kMinute) + " minutes";
  return std::to_string(s) + " seconds";
}

std::string interval_adjective(int64_t s) {
  if (s == kWeek) return "weekly";
  if (s == kDay) return "daily";
  if (s == kHour) return "hourly";
  return "every " + interval_name(s);
}

}  // namespace fc::time
