// The front of the anomaly module: what a series is made of (a registry metric with its
// parts, or a bare column), durations, thresholds, the methods (from the list of detectors,
// detectors.cpp), and detect(), which runs the detector a method names, flags inside the
// lookback and explains ratios by their parts.
// Detection runs once per request, not per row of a hot loop: in the browser bundle it is
// compiled for size (its templates from the standard library too).
#if defined(__EMSCRIPTEN__) && defined(__clang__)
#pragma clang attribute push(__attribute__((minsize)), apply_to = function)
#endif

#include "funnelcast/anomaly/anomaly.hpp"

#include <fast_float/fast_float.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <numeric>
#include <system_error>

#include "detector.hpp"
#include "funnelcast/anomaly/calibrate.hpp"
#include "funnelcast/base/error.hpp"
#include "funnelcast/schema/registry.hpp"
#include "funnelcast/schema/roles.hpp"
#include "funnelcast/time/time.hpp"
#include "internal.hpp"

namespace fc::anomaly {

using detail::kNaN;
using detail::Track;

namespace {

// Messages are formatted by this one function rather than by string concatenation at
// every site: the browser bundle carries one formatter instead of a dozen.
[[noreturn]] __attribute__((format(printf, 1, 2))) void fail(const char* format, ...) {
  char buf[1024];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buf, sizeof buf, format, args);
  va_end(args);
  throw Error(buf);
}

}  // namespace

// ---- inputs ----

namespace {

struct RatioDef {
  const char* metric;
  RatioForm form;
  const char* quantity;
  Kind quantity_kind;
  const char* exposure;
  Kind exposure_kind;
};

// The registry's ratio metrics as a quantity judged against its exposure. The quantity is
// what happens (leads, revenue), the exposure what is paid or offered for it (spend, clicks).
const RatioDef kRatios[] = {
    {"cpl", RatioForm::kInverse, "leads", Kind::kCount, "spend", Kind::kMoney},
    {"roi", RatioForm::kMinusOne, "revenue", Kind::kMoney, "spend", Kind::kMoney},
    {"conversion", RatioForm::kRatio, "leads", Kind::kCount, "clicks", Kind::kCount},
};

Kind kind_of_unit(const char* unit) {
  const std::string u = unit;
  return u == "count" ? Kind::kCount : u == "money" ? Kind::kMoney : Kind::kLevel;
}

}  // namespace

Input metric_input(const series::Series& s, const std::string& metric) {
  const schema::MetricDef& m = schema::metric(metric);
  Input in;
  in.name = m.name;
  in.label = m.label;
  in.good = m.good == schema::Good::kHigher ? 1 : -1;
  in.start = s.start;
  in.step = s.step;
  in.value = series::metric_values(s, m);  // names what the data lacks
  in.kind = kind_of_unit(m.unit);
  in.lumpy = in.name == "revenue";
  for (const RatioDef& r : kRatios) {
    if (in.name != r.metric) continue;
    in.kind = Kind::kRatio;
    in.form = r.form;
    in.quantity_name = r.quantity;
    in.exposure_name = r.exposure;
    in.quantity_kind = r.quantity_kind;
    in.exposure_kind = r.exposure_kind;
    in.quantity = *s.role(r.quantity);
    in.exposure = *s.role(r.exposure);
    in.lumpy = in.quantity_name == "revenue";
  }
  return in;
}

namespace {

// time::interval_name in a sentence: "hours" / "hour", and for a named length
// ("5 minutes", which is plural already) "intervals of 5 minutes" / "interval of 5 minutes".
std::string interval_words(const std::string& unit, bool plural) {
  if (!unit.empty() && std::isdigit(static_cast<unsigned char>(unit[0])))
    return (plural ? "intervals of " : "interval of ") + unit;
  return plural ? unit + "s" : unit;
}
std::string a_interval(const std::string& unit) {
  const std::string w = interval_words(unit, false);
  return (w[0] == 'i' || w == "hour" ? "an " : "a ") + w;
}

struct Row {
  int64_t t;
  double v;
};

// The column's rows in time order. fc::Error on a missing timestamp or no rows.
std::vector<Row> timed_rows(const Table& table, const Column& c, const Column& tc,
                            size_t& missing) {
  std::vector<Row> rows;
  rows.reserve(table.rows);
  missing = 0;
  for (size_t r = 0; r < table.rows; ++r) {
    if (tc.times[r] == kMissingTime) {
      fail("%s: line %u, column '%s': the timestamp is missing", table.source.c_str(),
           table.line(r), tc.name.c_str());
    }
    if (std::isnan(c.numbers[r])) ++missing;
    rows.push_back({tc.times[r], c.numbers[r]});
  }
  if (rows.empty()) fail("%s: the file has a header but no data rows", table.source.c_str());
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.t < b.t; });
  return rows;
}

struct Grid {
  int64_t step = 0, anchor = 0;
  int64_t spacing = 0;   // the typical distance between rows
  bool regular = false;  // every row on the grid
};

// The grid: the largest supported interval that divides every distance between
// timestamps, when the rows fill at least half of it; otherwise (timestamps with jitter)
// the supported interval nearest to the typical distance, counted from the epoch, with
// each row placed in the interval it falls in.
Grid grid_of(const std::vector<Row>& rows) {
  std::vector<int64_t> gaps;
  int64_t divisor = 0;
  size_t distinct = 1;
  for (size_t i = 1; i < rows.size(); ++i) {
    const int64_t d = rows[i].t - rows[i - 1].t;
    if (d == 0) continue;
    ++distinct;
    gaps.push_back(d);
    divisor = std::gcd(divisor, d);
  }
  const std::vector<int64_t>& steps = time::supported_intervals();
  Grid g;
  g.step = time::grid_step(divisor, distinct);
  if (!gaps.empty()) {
    std::nth_element(gaps.begin(), gaps.begin() + static_cast<std::ptrdiff_t>(gaps.size() / 2),
                     gaps.end());
    g.spacing = gaps[gaps.size() / 2];
  }
  const int64_t span = rows.back().t - rows.front().t;
  g.regular =
      g.step > 0 && static_cast<double>(distinct) >= 0.5 * static_cast<double>(span / g.step + 1);
  if (g.regular) {
    g.anchor = ((rows.front().t % g.step) + g.step) % g.step;
    return g;
  }
  // The supported interval nearest to the typical distance (rows a little early or late
  // around a 5-minute rhythm are 5-minute data).
  g.step = steps.front();
  for (int64_t s : steps)
    if (g.spacing > 0 &&
        std::fabs(std::log(static_cast<double>(g.spacing) / static_cast<double>(s))) <
            std::fabs(std::log(static_cast<double>(g.spacing) / static_cast<double>(g.step))))
      g.step = s;
  if (divisor == 0) g.step = time::kHour;
  return g;
}

// The rows' values per interval of the grid from `first`; rows sharing an interval are
// averaged (the column is a level, not a count), intervals without a row are missing.
std::vector<double> averaged(const std::vector<Row>& rows, const Grid& g, int64_t first,
                             size_t size, size_t& shared, size_t& empty) {
  std::vector<double> value(size, kNaN), sum(size, 0.0);
  std::vector<uint32_t> count(size, 0);
  for (const Row& r : rows) {
    if (std::isnan(r.v)) continue;
    const size_t i = static_cast<size_t>(
        (time::floor_div(r.t - g.anchor, g.step) * g.step + g.anchor - first) / g.step);
    if (count[i]++) ++shared;
    sum[i] += r.v;
  }
  for (size_t i = 0; i < size; ++i) {
    if (count[i]) {
      value[i] = sum[i] / count[i];
    } else {
      ++empty;
    }
  }
  return value;
}

}  // namespace

Input column_input(const Table& table, const std::string& column, const std::string& time_column,
                   std::vector<std::string>* notices) {
  const Column& c = table.at(column);
  if (c.type != ColumnType::kNumber) {
    fail("%s: column '%s' holds %s values, not numbers; anomalies are found in a numeric column",
         table.source.c_str(), c.name.c_str(), to_string(c.type));
  }
  std::string tname = time_column;
  if (tname.empty()) {
    schema::Roles given;
    tname = schema::detect_roles(table, given).time;
    if (tname.empty())
      fail("%s: no time column found; choose it (CLI: --time COL)", table.source.c_str());
  }
  const Column& tc = table.at(tname);
  if (tc.type != ColumnType::kTimestamp)
    fail("%s: column '%s' does not hold timestamps", table.source.c_str(), tc.name.c_str());
  size_t missing = 0;
  const std::vector<Row> rows = timed_rows(table, c, tc, missing);
  const Grid g = grid_of(rows);
  const int64_t step = g.step, anchor = g.anchor;
  if (g.spacing > time::kWeek * 2) {
    fail(
        "%s: the rows are typically %lld days apart; anomalies are found in data from every minute "
        "to every week",
        table.source.c_str(), static_cast<long long>(g.spacing / time::kDay));
  }
  const int64_t first = time::floor_div(rows.front().t - anchor, step) * step + anchor;
  const int64_t last = time::floor_div(rows.back().t - anchor, step) * step + anchor;
  const uint64_t size = static_cast<uint64_t>((last - first) / step) + 1;
  if (size > 2000000) {
    fail(
        "%s: %llu intervals of one %s, more than funnelcast handles (2000000); use a shorter "
        "period or coarser data",
        table.source.c_str(), static_cast<unsigned long long>(size),
        time::interval_name(step).c_str());
  }
  Input in;
  in.name = c.name;
  in.label = c.name;
  in.kind = Kind::kLevel;
  in.start = first;
  in.step = step;
  size_t shared = 0, empty = 0;
  in.value = averaged(rows, g, first, static_cast<size_t>(size), shared, empty);
  if (notices) {
    const std::string unit = time::interval_name(step);
    if (!g.regular)
      notices->push_back("the timestamps are not on a regular grid; each row is placed in the " +
                         interval_words(unit, false) + " it falls in (typical distance between rows: " +
                         std::to_string(g.spacing) + " seconds)");
    if (shared)
      notices->push_back(std::to_string(shared) + " rows fell in " + a_interval(unit) +
                         " that already had one; their '" + c.name + "' values were averaged");
    if (missing)
      notices->push_back(std::to_string(missing) + " rows have no '" + c.name + "' value");
    if (empty)
      notices->push_back(std::to_string(empty) + " " + interval_words(unit, true) +
                         " have no value and are not judged");
  }
  return in;
}

// ---- durations ----

Span parse_span(const std::string& text, const std::string& what) {
  size_t i = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
  const std::string digits = text.substr(0, i), unit = text.substr(i);
  if (digits.empty() || digits.size() > 9) {
    fail("%s: expected a duration such as 36h, 14d, 2w or a number of intervals, found '%s'",
         what.c_str(), text.c_str());
  }
  const int64_t n = std::stoll(digits);
  if (unit.empty()) return Span::intervals(n);
  if (unit == "m" || unit == "min") return Span::seconds(n * time::kMinute);
  if (unit == "h") return Span::seconds(n * time::kHour);
  if (unit == "d") return Span::seconds(n * time::kDay);
  if (unit == "w") return Span::seconds(n * time::kWeek);
  fail(
      "%s: unknown unit '%s' in '%s'; use m (minutes), h, d or w, or no unit for a number of "
      "intervals",
      what.c_str(), unit.c_str(), text.c_str());
}

std::string span_text(const Span& s) {
  const auto plural = [](int64_t n, const char* one) {
    return std::to_string(n) + " " + one + (n == 1 ? "" : "s");
  };
  if (s.steps) return plural(s.count, "interval");
  if (s.count % time::kDay == 0 && s.count > 0) return plural(s.count / time::kDay, "day");
  if (s.count % time::kHour == 0) return plural(s.count / time::kHour, "hour");
  if (s.count % time::kMinute == 0) return plural(s.count / time::kMinute, "minute");
  return plural(s.count, "second");
}

namespace {

size_t to_steps(const Span& span, int64_t step, const char* what) {
  if (span.count < 0) fail("anomaly: the %s cannot be negative", what);
  if (span.steps) return static_cast<size_t>(span.count);
  if (span.count % step != 0) {
    fail("anomaly: the %s must be a whole number of %ss (the data is %s), got %s", what,
         time::interval_name(step).c_str(), time::interval_adjective(step).c_str(),
         span_text(span).c_str());
  }
  return static_cast<size_t>(span.count / step);
}

}  // namespace

// ---- methods ----

namespace detail {

MethodDef method_def(const Detector& d) {
  MethodDef m;
  m.name = d.name;
  m.label = d.label;
  m.help = d.help;
  m.default_threshold = score_threshold(d.name, d.default_threshold);
  m.needs_forecasts = d.needs_forecasts;
  m.ensemble_member = d.ensemble_member;
  return m;
}

const Track& Context::track(const std::string& name) {
  const auto it = done_.find(name);
  if (it != done_.end()) return it->second;
  const Detector* d = find_detector(name);
  if (!d) fail("anomaly: no detector named '%s'", name.c_str());
  Track t = d->run(*this);  // may ask for others first: the map grows, references stay valid
  return done_.emplace(name, std::move(t)).first->second;
}

}  // namespace detail

const std::vector<MethodDef>& methods() {
  static const std::vector<MethodDef> kMethods = [] {
    std::vector<MethodDef> out;
    for (const detail::Detector* d : detail::detectors()) out.push_back(detail::method_def(*d));
    return out;
  }();
  return kMethods;
}

std::string method_names() {
  std::string out;
  for (const auto& m : methods()) out += (out.empty() ? "" : ", ") + std::string(m.name);
  return out;
}

double score_threshold(const std::string& method, double threshold) {
  if (!(threshold >= 0) || !std::isfinite(threshold)) {
    fail(
        "anomaly: the threshold must be a positive number (a score up to 1, or a z above 1), "
        "got %g",
        threshold);
  }
  if (threshold == 0) {
    const detail::Detector* d = detail::find_detector(method);
    threshold = d ? d->default_threshold : kDefaultScoreThreshold;
  }
  if (threshold > 1) return 1 - gaussian_two_sided(threshold);
  return threshold;
}

double parse_threshold(const std::string& text, const std::string& what) {
  std::string body = text;
  const bool z = !body.empty() && (body.back() == 'z' || body.back() == 'Z');
  if (z) body.pop_back();
  double x = -1;
  // Digits and a decimal point (an exponent too), nothing else: no sign, no "inf", no hex.
  const bool plain = !body.empty() &&
                     (std::isdigit(static_cast<unsigned char>(body[0])) || body[0] == '.') &&
                     body.find_first_not_of("0123456789.eE+-") == std::string::npos;
  if (plain) {
    const auto r = fast_float::from_chars(body.data(), body.data() + body.size(), x);
    if (r.ec != std::errc() || r.ptr != body.data() + body.size()) x = -1;
  }
  if (!(x > 0) || !std::isfinite(x) || x > detail::kMaxZ) {
    fail("%s: expected a score up to 1 (0.99995) or a z (10z, or any number above 1), found '%s'",
         what.c_str(), text.c_str());
  }
  if (z || x > 1) return 1 - gaussian_two_sided(x);
  return x;
}

const char* cause_name(Cause c, const Input& in) {
  switch (c) {
    case Cause::kExposure:
      return in.exposure_name.c_str();
    case Cause::kQuantity:
      return in.quantity_name.c_str();
    case Cause::kBoth:
      return "both";
    case Cause::kMix:
      return "mix";
    case Cause::kNone:
      break;
  }
  return "";
}

size_t Result::count() const {
  size_t n = 0;
  for (uint8_t f : flagged) n += f ? 1 : 0;
  return n;
}

size_t Result::scored() const {
  size_t n = 0;
  for (size_t i = checked_from; i < score.size(); ++i) n += std::isnan(score[i]) ? 0 : 1;
  return n;
}

// ---- detect ----

namespace {

constexpr double kCauseAlpha = 0.01;  // a part "moved" when its own tail probability is below 1%
// Tail probabilities at or below this are an infinite deviation (a value off a constant
// series): the calibration and the Cauchy rule floor every p at 1e-300 times the number of
// tests combined. A threshold stricter than this (a score that rounds to 1, a z beyond
// about 36) still flags them, so no threshold turns detection off.
constexpr double kCertain = 1e-280;

double score_of(double p) {
  return std::isnan(p) ? kNaN : std::clamp(1 - p, 0.0, 1.0);
}

// A part of a ratio as a series of its own.
Input part_input(const Input& in, bool exposure) {
  Input p;
  p.name = exposure ? in.exposure_name : in.quantity_name;
  p.label = p.name;
  p.kind = exposure ? in.exposure_kind : in.quantity_kind;
  p.lumpy = !exposure && in.lumpy;
  p.start = in.start;
  p.step = in.step;
  p.value = exposure ? in.exposure : in.quantity;
  // A part is judged where the ratio is: both parts known.
  for (size_t i = 0; i < p.value.size(); ++i)
    if (!std::isfinite(in.quantity[i]) || !std::isfinite(in.exposure[i])) p.value[i] = kNaN;
  return p;
}

// Refuses what the detector cannot work with, in the order a user fixes it: the data's
// parts, the forecasts, the windows.
void check_request(const detail::Detector& d, const Input& in, const Options& o) {
  const size_t n = in.size();
  if (in.kind == Kind::kRatio && (in.quantity.size() != n || in.exposure.size() != n))
    fail("anomaly: the parts of %s do not match its length", in.name.c_str());
  const bool has_forecasts = !o.forecasts.empty();
  if (has_forecasts && (o.forecasts.mean.size() != n || o.forecasts.lower.size() != n ||
                        o.forecasts.upper.size() != n))
    fail("anomaly: the forecasts have %zu values for %zu intervals", o.forecasts.mean.size(), n);
  if (has_forecasts && !(o.forecasts.level > 0 && o.forecasts.level < 1))
    fail("anomaly: the forecasts' interval level must be between 0 and 1");
  if (d.needs_forecasts && !has_forecasts) {
    fail(
        "anomaly: the %s method needs one-step-ahead forecasts of %s with their prediction "
        "intervals (CLI: "
        "--model FILE, a forecast model of %s)",
        d.name, in.name.c_str(), in.name.c_str());
  }
}

size_t baseline_steps(const Input& in, const Options& o) {
  const size_t baseline = to_steps(o.baseline, in.step, "baseline");
  if (baseline < 3) {
    const int64_t need = 3 * in.step;
    const std::string span = need % 3600 == 0 ? std::to_string(need / 3600) + " hours"
                                              : std::to_string(need / 60) + " minutes";
    fail("anomaly: the baseline must span at least 3 intervals (%s for %s data), got %s",
         span.c_str(), time::interval_adjective(in.step).c_str(), span_text(o.baseline).c_str());
  }
  return baseline;
}

// The tail probability a calibrated detector flags at: 1 - the score threshold as before,
// but where that score rounds to 1 (a z above 8.3: 1 - 1.5e-23 == 1 in double precision),
// the z's own tail, and never below kCertain. (1 - threshold gave 0 there, and no p is 0:
// --threshold 10 turned detection off.)
double flag_alpha(double given, double threshold) {
  double alpha = 1 - threshold;
  if (!(alpha > 0)) alpha = given > 1 ? gaussian_two_sided(given) : 0;
  return std::max(alpha, kCertain);
}

// `given`: the threshold in the encoding of Options::threshold (the detector's default for
// 0); `threshold`: its score.
detail::Params params_for(const detail::Detector& d, const Options& o, size_t baseline,
                          double given, double threshold) {
  detail::Params prm;
  prm.baseline = baseline;
  prm.min_points = o.min_baseline_points > 0
                       ? std::min(baseline, static_cast<size_t>(std::max(2, o.min_baseline_points)))
                       : std::max<size_t>(3, baseline / 7);
  prm.seasons = o.seasons;
  prm.seed = o.seed;
  if (d.calibrated) {
    prm.alpha = flag_alpha(given, threshold);
  } else {
    // The default goes through its score too (as it always has: the bands stay bit for bit).
    prm.z_threshold = o.threshold > 1 ? o.threshold : gaussian_two_sided_inverse(1 - threshold);
    prm.alpha = gaussian_two_sided(prm.z_threshold);
  }
  return prm;
}

// The band agrees with the verdict on the value itself: a value outside [lower, upper] is
// flagged and one inside is not. The band is the band-giving detector's (for the ensemble,
// its member of highest rank), and the verdict may also weigh what that band does not show
// (the sustained and shift tests, the other members), so where they differ the bound on the
// value's side is moved to the value: just past it when the value is flagged, onto it when
// not.
// An open side (NaN) stays open unless a flagged value lies on it. Undefined values (CPL
// at 0 leads) have no place on the chart's axis: their band is left as it is.
void agree_band(Result& r, size_t i, bool flagged) {
  const double v = r.value[i];
  if (!std::isfinite(v)) return;
  double& lo = r.lower[i];
  double& hi = r.upper[i];
  const bool below = !std::isnan(lo) && v < lo, above = !std::isnan(hi) && v > hi;
  if (flagged && !below && !above) {
    const double e = r.expected[i];
    const bool up = std::isnan(e) ? r.direction[i] >= 0 : v >= e;
    if (up) {
      hi = std::nextafter(v, -HUGE_VAL);
      if (!std::isnan(lo) && lo > hi) lo = hi;
    } else {
      lo = std::nextafter(v, HUGE_VAL);
      if (!std::isnan(hi) && hi < lo) hi = lo;
    }
  } else if (!flagged && below) {
    lo = v;
  } else if (!flagged && above) {
    hi = v;
  }
}

// The track's verdicts moved into the result, scored, and flagged inside the lookback.
void flag(const detail::Detector& d, const detail::Params& prm, detail::Track&& out, Result& r) {
  const size_t n = r.size();
  r.expected = std::move(out.expected);
  r.lower = std::move(out.lower);
  r.upper = std::move(out.upper);
  r.z = std::move(out.z);
  r.direction = std::move(out.direction);
  r.score.resize(n);
  r.flagged.assign(n, 0);
  for (size_t i = 0; i < n; ++i) {
    r.score[i] = score_of(out.p[i]);
    if (std::isnan(out.p[i])) continue;
    const double a = std::fabs(r.z[i]);
    const bool flagged =
        d.calibrated ? out.p[i] <= prm.alpha : a > prm.z_threshold || a >= detail::kMaxZ;
    agree_band(r, i, flagged);
    if (i >= r.checked_from) r.flagged[i] = flagged;
  }
  for (auto& m : out.members) {
    Member member;
    member.method = m.name;
    member.score.resize(n);
    for (size_t i = 0; i < n; ++i) member.score[i] = score_of(m.p[i]);
    r.members.push_back(std::move(member));
  }
}

// Ratios: each part judged on its own by the seasonal method (spend and leads follow the
// clock; counts by the count model where it scores), and the cause: the part(s) whose own p is below kCauseAlpha, else a mix.
void explain_by_parts(const Input& in, const detail::Params& prm, Result& r) {
  const size_t n = r.size();
  r.cause.assign(n, Cause::kNone);
  detail::Params part = prm;
  part.alpha = kCauseAlpha;
  part.bands = false;
  for (bool exposure : {true, false}) {
    const Input pin = part_input(in, exposure);
    const Forecasts none;
    detail::Context ctx(pin, part, none);
    const detail::Track& t = ctx.track("seasonal");
    Part p;
    p.name = pin.name;
    p.value = pin.value;
    p.expected = t.expected;
    p.score.resize(n);
    for (size_t i = 0; i < n; ++i) p.score[i] = score_of(t.p[i]);
    // A count part (leads, clicks) or lumpy money (revenue) is judged by the count model
    // where it has a verdict: its tail comes from the model, so it holds from the third day
    // of a series.
    if (pin.kind == Kind::kCount || pin.lumpy) {
      const detail::Track& c = ctx.track("count");
      for (size_t i = 0; i < n; ++i) {
        if (std::isnan(c.p[i])) continue;
        p.expected[i] = c.expected[i];
        p.score[i] = score_of(c.p[i]);
      }
    }
    r.parts.push_back(std::move(p));
  }
  for (size_t i = 0; i < n; ++i) {
    if (std::isnan(r.score[i])) continue;
    const bool e = r.parts[0].score[i] >= 1 - kCauseAlpha,
               q = r.parts[1].score[i] >= 1 - kCauseAlpha;
    r.cause[i] = e && q ? Cause::kBoth : e ? Cause::kExposure : q ? Cause::kQuantity : Cause::kMix;
  }
}

// fc::Error when nothing in the checked period was scored, saying what an interval needs.
void require_scored(const detail::Detector& d, const Input& in, const detail::Params& prm,
                    const Result& r) {
  if (r.scored() > 0) return;
  const size_t n = in.size();
  size_t candidates = 0;
  for (size_t i = r.checked_from; i < n; ++i) candidates += in.known(i) ? 1 : 0;
  const std::string unit = time::interval_name(in.step);
  std::string need = d.requirement ? d.requirement(prm, unit)
                                   : "each needs at least " + std::to_string(prm.min_points) +
                                         " known values in the " + std::to_string(prm.baseline) +
                                         " " + interval_words(unit, true) + " before it";
  if (d.calibrated) {
    const bool isolation = std::string(d.name) == "iforest";
    need += ", and " + std::to_string(isolation ? detail::kCalibrationHistory
                                                : detail::kModelCalibrationHistory) +
            " earlier scored " + interval_words(unit, true) + " to calibrate its score";
  }
  fail(
      "anomaly: not enough data to score any %s of %s with the %s method: %s; the data has %zu "
      "%s%s",
      interval_words(unit, false).c_str(), in.name.c_str(), d.name, need.c_str(), n,
      interval_words(unit, n != 1).c_str(),
      candidates ? "" : ", none with a value in the checked period");
}

}  // namespace

namespace detail {

Result run_detector(const Detector& d, const Input& in, const Options& o) {
  const double given = o.threshold == 0 ? d.default_threshold : o.threshold;
  const double threshold = score_threshold(d.name, given);
  check_request(d, in, o);
  const size_t baseline = baseline_steps(in, o);
  const size_t lookback = to_steps(o.lookback, in.step, "lookback");
  if (o.seasons < 2 || o.seasons > 52) fail("anomaly: seasons must be between 2 and 52");
  if (d.check) d.check(in);
  const Params prm = params_for(d, o, baseline, given, threshold);

  const size_t n = in.size();
  Result r;
  r.metric = in.name;
  r.label = in.label;
  r.method = d.name;
  r.kind = in.kind;
  r.good = in.good;
  r.start = in.start;
  r.step = in.step;
  r.threshold = d.calibrated ? threshold : 1 - gaussian_two_sided(prm.z_threshold);
  r.value = in.value;
  r.baseline_steps = baseline;
  r.lookback_steps = lookback;
  r.checked_from = lookback == 0 || lookback >= n ? 0 : n - lookback;

  const SharedWorkScope shared;  // the explanation by parts refits what the run fitted
  Context ctx(in, prm, o.forecasts);
  flag(d, prm, d.run(ctx), r);
  if (in.kind == Kind::kRatio && o.causes) explain_by_parts(in, prm, r);
  require_scored(d, in, prm, r);
  return r;
}

}  // namespace detail

Result detect(const Input& in, const Options& o) {
  const detail::Detector* d = detail::find_detector(o.method);
  if (!d)
    fail("anomaly: unknown method '%s'; choose one of %s", o.method.c_str(),
         method_names().c_str());
  return detail::run_detector(*d, in, o);
}

Result detect(const series::Series& s, const Options& o) {
  return detect(metric_input(s, o.metric), o);
}

}  // namespace fc::anomaly

#if defined(__EMSCRIPTEN__) && defined(__clang__)
#pragma clang attribute pop
#endif
