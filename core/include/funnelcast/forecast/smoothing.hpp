// Exponential smoothing on hourly and daily series: additive Holt-Winters with a daily (and
// a weekly) season (daily data: a weekly season), and a Theta-style method (simple
// exponential smoothing with drift on a deseasonalised series). Pure functions of a window of history, so that a forecaster
// built on them needs nothing but its parameters, answers the same from the same window
// natively and in wasm, and is checked against values worked out by hand.
#pragma once
#include <cstddef>
#include <cstdint>

#include "funnelcast/model/header.hpp"

namespace fc::forecast::smoothing {

constexpr int kDay = 24;
constexpr int kWeek = 168;

// The seasons of a series, in steps. Hourly data: a day (24 steps) inside a week (168).
// Daily data: a week (7 steps) and nothing longer. Below, "hour" is a step and "day" the
// shorter season (a week of daily data); "week" the longer one, which daily data has not.
// Phases count steps since the epoch (first_hour: the series' step 0 in epoch steps).
struct Seasons {
  int day = kDay;    // the shorter season, at most kDay steps
  int week = kWeek;  // the longer one, a whole number of shorter ones; 0: none
  int cycle() const { return week ? week : day; }
};
constexpr Seasons kHourlySeasons{kDay, kWeek};
constexpr Seasons kDailySeasons{7, 0};
// Weekly data: a year of 52 weeks as the longer season, over a trivial shorter one (1 step,
// whose index stays 0); used only when the model's `weekly` flag (the longer season) is set,
// which training sets only for a history of two years or more.
constexpr int kYearWeeks = 52;
constexpr Seasons kWeeklySeasons{1, kYearWeeks};

// The first step of the window a smoothing forecaster reads to predict step t of a series
// whose step 0 is hour `first_hour` (hours since the epoch): `window` hours back, moved
// earlier to the start of a week (in epoch hours; `cycle` steps, a week of daily data
// too), never before step 0. The window's start then stays put for a week of steps, so a
// recursive forecast (its own predictions fed back) equals the smoother's multi-step
// forecast within that week.
size_t window_start(int64_t first_hour, size_t t, size_t window, int cycle = kWeek);

// Additive Holt-Winters in error-correction form, one step ahead of y[0..n) (NaN =
// missing, filtered as if it were the forecast). Season phases are the hour of the day
// and of the week of first_hour + i. Initial state from the first two seasons (two weeks
// when weekly and n >= 2 weeks, else two days): the level and trend from their means,
// the daily (then weekly) indices from the mean deviations from that line. Then, for
// each known y[i]: e = y[i] - (l + b + d + w); l += b + alpha e; b += beta e (trend
// only); d += gamma_day e; w += gamma_week e. Returns l + b + d + w for step n; NaN when
// n < 2 days. sse (when given) receives the sum of the squared one-step errors.
double holt_winters_next(const model::Smoothing& p, const double* y, size_t n, int64_t first_hour,
                         double* sse = nullptr, const Seasons& z = kHourlySeasons);

// holt_winters_next step by step: the state after y[0..n), extended one value at a time.
struct HoltWintersState {
  double l = 0, b = 0, beta = 0, gamma_week = 0, total = 0;
  double day[kDay] = {}, week[kWeek] = {};
  size_t d = 0, w = 0, n = 0;
  size_t day_period = kDay, week_period = kWeek;  // week_period 1 without a longer season
  bool weekly = false;
  bool fallback = false;  // the initial means came from all of y[0..n): not extendable
};
// False (state unusable) when n < 2 days or y has no known value.
bool holt_winters_start(const model::Smoothing& p, const double* y, size_t n, int64_t first_hour,
                        HoltWintersState& s, const Seasons& z = kHourlySeasons);
// Filters one more value (y[s.n]).
void holt_winters_step(const model::Smoothing& p, HoltWintersState& s, double y);
// The one-step forecast of the state (step s.n).
inline double holt_winters_forecast(const HoltWintersState& s) { return s.l + s.b + s.day[s.d] + s.week[s.w]; }

// Theta-style: over the first `span` steps of y (whole seasons only; a week as the season
// when there are two, else a day), a line through the seasons' means (least squares on
// them), hour-of-day indices of the deviations from it (and day-of-week offsets with a
// weekly season), centred. The deseasonalised series z = y - index is smoothed with drift
// b = half the line's slope: l starts at the first known z; then f = l + b, e = z - f,
// l = f + alpha e. Returns l + b + index of step n; NaN when n < 2 days.
double theta_next(const model::Smoothing& p, const double* y, size_t n, int64_t first_hour, size_t span,
                  double* sse = nullptr, const Seasons& z = kHourlySeasons);

// theta_next step by step: the state after y[0..n), extended one value at a time while
// the decomposition (weekly or not, whole seasons in min(span, n)) stays the same.
struct ThetaState {
  double index[kWeek] = {};
  double drift = 0, level = 0, total = 0;
  size_t w = 0, n = 0;
  size_t cycle = kWeek;  // the index table's length (Seasons::cycle)
  bool weekly = false;
  size_t seasons = 0;
};
// The decomposition theta_next uses for n values: (weekly, seasons).
void theta_shape(const model::Smoothing& p, size_t n, size_t span, bool& weekly, size_t& seasons,
                 const Seasons& z = kHourlySeasons);
// False (state unusable) when n < 2 days.
bool theta_start(const model::Smoothing& p, const double* y, size_t n, int64_t first_hour, size_t span,
                 ThetaState& s, const Seasons& z = kHourlySeasons);
void theta_step(const model::Smoothing& p, ThetaState& s, double y);
inline double theta_forecast(const ThetaState& s) { return s.level + s.drift + s.index[s.w]; }

}  // namespace fc::forecast::smoothing
