// The front of the anomaly module: what a series is made of (a registry metric with its
// parts, or a bare column), durations, the list of methods, and detect(), which runs the
// detectors a method needs, flags inside the lookback and explains ratios by their parts.
// Detection runs once per request, not per row of a hot loop: in the browser bundle it is
// compiled for size (its templates from the standard library too).
#if defined(__EMSCRIPTEN__) && defined(__clang__)
#pragma clang attribute push(__attribute__((minsize)), apply_to = function)
#endif

#include "funnelcast/anomaly/anomaly.hpp"

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <numeric>

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
  }
  return in;
}

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
  struct Row {
    int64_t t;
    double v;
  };
  std::vector<Row> rows;
  rows.reserve(table.rows);
  size_t missing = 0;
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
  // The grid: the largest supported interval that divides every distance between
  // timestamps, when the rows fill at least half of it; otherwise (timestamps with jitter)
  // the supported interval nearest to the typical distance, counted from the epoch, with
  // each row placed in the interval it falls in.
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
  int64_t step = 0;
  for (int64_t s : steps)
    if (divisor > 0 && divisor % s == 0) step = s;
  int64_t spacing = 0;
  if (!gaps.empty()) {
    std::nth_element(gaps.begin(), gaps.begin() + static_cast<std::ptrdiff_t>(gaps.size() / 2),
                     gaps.end());
    spacing = gaps[gaps.size() / 2];
  }
  const int64_t span = rows.back().t - rows.front().t;
  bool regular =
      step > 0 && static_cast<double>(distinct) >= 0.5 * static_cast<double>(span / step + 1);
  int64_t anchor = 0;
  if (regular) {
    anchor = ((rows.front().t % step) + step) % step;
  } else {
    // The supported interval nearest to the typical distance (rows a little early or late
    // around a 5-minute rhythm are 5-minute data).
    step = steps.front();
    for (int64_t s : steps)
      if (spacing > 0 &&
          std::fabs(std::log(static_cast<double>(spacing) / static_cast<double>(s))) <
              std::fabs(std::log(static_cast<double>(spacing) / static_cast<double>(step))))
        step = s;
    if (divisor == 0) step = time::kHour;
  }
  if (spacing > time::kWeek * 2) {
    fail(
        "%s: the rows are typically %lld days apart; anomalies are found in data from every minute "
        "to every week",
        table.source.c_str(), static_cast<long long>(spacing / time::kDay));
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
  in.value.assign(static_cast<size_t>(size), kNaN);
  std::vector<double> sum(static_cast<size_t>(size), 0.0);
  std::vector<uint32_t> count(static_cast<size_t>(size), 0);
  size_t shared = 0;
  for (const Row& r : rows) {
    if (std::isnan(r.v)) continue;
    const size_t i =
        static_cast<size_t>((time::floor_div(r.t - anchor, step) * step + anchor - first) / step);
    if (count[i]++) ++shared;
    sum[i] += r.v;
  }
  size_t empty = 0;
  for (size_t i = 0; i < in.value.size(); ++i) {
    if (count[i]) {
      in.value[i] = sum[i] / count[i];
    } else {
      ++empty;
    }
  }
  if (notices) {
    const std::string unit = time::interval_name(step);
    if (!regular)
      notices->push_back(
          "the timestamps are not on a regular grid; each row is placed in the " + unit +
          " it falls in (typical distance between rows: " + std::to_string(spacing) + " seconds)");
    if (shared)
      notices->push_back(std::to_string(shared) + " rows fell in a " + unit +
                         " that already had one; their '" + c.name + "' values were averaged");
    if (missing)
      notices->push_back(std::to_string(missing) + " rows have no '" + c.name + "' value");
    if (empty)
      notices->push_back(std::to_string(empty) + " " + unit + "s have no value and are not judged");
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

const std::vector<MethodDef>& methods() {
  static const std::vector<MethodDef> kMethods = {
      {"zscore", "Rolling z-score",
       "mean and standard deviation of the baseline window before each interval; |z| > 2.5 (the "
       "original rule)"},
      {"robust", "Rolling median / MAD",
       "median and median absolute deviation of the baseline window; earlier outliers do not mask "
       "later ones"},
      {"seasonal", "Seasonal baseline",
       "the same hour of the day or of the week over the last 4 periods, so regular peaks are "
       "expected"},
      {"residual", "Forecast residual",
       "outside the prediction interval of a forecast made from the data before each interval"},
      {"iforest", "Isolation forest",
       "how easily random splits isolate an interval's value, changes, rolling statistics and "
       "calendar"},
      {"ensemble", "Ensemble",
       "robust, seasonal and isolation forest (and residual with a forecast) combined by the "
       "Cauchy rule"},
  };
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
        "anomaly: the threshold must be a positive number (a score below 1, or a z of 1 or more), "
        "got %g",
        threshold);
  }
  if (threshold == 0)
    return method == "zscore" ? 1 - gaussian_two_sided(kZscoreThreshold) : kDefaultScoreThreshold;
  if (threshold >= 1) return 1 - gaussian_two_sided(threshold);
  return threshold;
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

bool known_method(const std::string& m) {
  for (const auto& d : methods())
    if (m == d.name) return true;
  return false;
}

// A part of a ratio as a series of its own.
Input part_input(const Input& in, bool exposure) {
  Input p;
  p.name = exposure ? in.exposure_name : in.quantity_name;
  p.label = p.name;
  p.kind = exposure ? in.exposure_kind : in.quantity_kind;
  p.start = in.start;
  p.step = in.step;
  p.value = exposure ? in.exposure : in.quantity;
  // A part is judged where the ratio is: both parts known.
  for (size_t i = 0; i < p.value.size(); ++i)
    if (!std::isfinite(in.quantity[i]) || !std::isfinite(in.exposure[i])) p.value[i] = kNaN;
  return p;
}

// The seasonal verdict (the parts of a ratio are judged against the same hour of the day
// or week, where spend and leads follow the clock).
Track part_track(const Input& in, const detail::Params& prm) {
  return detail::seasonal(in, prm);
}

double score_of(double p) {
  return std::isnan(p) ? kNaN : std::clamp(1 - p, 0.0, 1.0);
}

// What an interval needs to be scored by a method, for the "not enough data" message.
void requirement(char* buf, size_t size, const std::string& method, size_t min_points,
                 size_t baseline, int seasons, const char* unit) {
  const bool calibrated = method != "zscore";
  int k;
  if (method == "seasonal") {
    k = std::snprintf(
        buf, size, "each needs the same %s of the day or week in at least 2 of the last %d periods",
        unit, seasons);
  } else if (method == "residual") {
    k = std::snprintf(buf, size, "each needs a forecast");
  } else {
    k = std::snprintf(buf, size, "each needs at least %zu known values in the %zu %ss before it",
                      min_points, baseline, unit);
  }
  if (calibrated && k > 0 && static_cast<size_t>(k) < size)
    std::snprintf(buf + k, size - static_cast<size_t>(k),
                  ", and %zu earlier scored %ss to calibrate its score",
                  detail::kCalibrationHistory, unit);
}

}  // namespace

Result detect(const Input& in, const Options& o) {
  if (!known_method(o.method))
    fail("anomaly: unknown method '%s'; choose one of %s", o.method.c_str(),
         method_names().c_str());
  const double threshold = score_threshold(o.method, o.threshold);
  const size_t n = in.size();
  if (in.kind == Kind::kRatio && (in.quantity.size() != n || in.exposure.size() != n))
    fail("anomaly: the parts of %s do not match its length", in.name.c_str());
  const bool has_forecasts = !o.forecasts.empty();
  if (has_forecasts && (o.forecasts.mean.size() != n || o.forecasts.lower.size() != n ||
                        o.forecasts.upper.size() != n))
    fail("anomaly: the forecasts have %zu values for %zu intervals", o.forecasts.mean.size(), n);
  if (has_forecasts && !(o.forecasts.level > 0 && o.forecasts.level < 1))
    fail("anomaly: the forecasts' interval level must be between 0 and 1");
  if (o.method == "residual" && !has_forecasts) {
    fail(
        "anomaly: the residual method needs one-step-ahead forecasts of %s with their prediction "
        "intervals (CLI: "
        "--model FILE, a forecast model of %s)",
        in.name.c_str(), in.name.c_str());
  }
  const size_t baseline = to_steps(o.baseline, in.step, "baseline");
  if (baseline < 3) {
    const int64_t need = 3 * in.step;
    const std::string span = need % 3600 == 0 ? std::to_string(need / 3600) + " hours"
                                              : std::to_string(need / 60) + " minutes";
    fail("anomaly: the baseline must span at least 3 intervals (%s for %s data), got %s",
         span.c_str(), time::interval_adjective(in.step).c_str(), span_text(o.baseline).c_str());
  }
  const size_t lookback = to_steps(o.lookback, in.step, "lookback");
  if (o.seasons < 2 || o.seasons > 52) fail("anomaly: seasons must be between 2 and 52");
  if (o.method == "seasonal" && in.step >= time::kWeek / 2)
    fail(
        "anomaly: the seasonal method compares the same hour of the day or day of the week; %s "
        "data has neither",
        time::interval_adjective(in.step).c_str());

  detail::Params prm;
  prm.baseline = baseline;
  prm.min_points = o.min_baseline_points > 0
                       ? std::min(baseline, static_cast<size_t>(std::max(2, o.min_baseline_points)))
                       : std::max<size_t>(3, baseline / 7);
  prm.seasons = o.seasons;
  prm.seed = o.seed;
  const bool z = o.method == "zscore";
  double z_threshold = kZscoreThreshold;
  if (z) z_threshold = o.threshold >= 1 ? o.threshold : gaussian_two_sided_inverse(1 - threshold);
  prm.z_threshold = z_threshold;
  prm.alpha = z ? gaussian_two_sided(z_threshold) : 1 - threshold;

  Result r;
  r.metric = in.name;
  r.label = in.label;
  r.method = o.method;
  r.kind = in.kind;
  r.good = in.good;
  r.start = in.start;
  r.step = in.step;
  r.threshold = z ? 1 - gaussian_two_sided(z_threshold) : threshold;
  r.value = in.value;
  r.baseline_steps = baseline;
  r.lookback_steps = lookback;
  r.checked_from = lookback == 0 || lookback >= n ? 0 : n - lookback;

  Track out;
  if (o.method == "zscore") {
    out = detail::zscore(in, prm);
  } else if (o.method == "robust") {
    out = detail::robust(in, prm);
  } else if (o.method == "seasonal") {
    out = detail::seasonal(in, prm);
  } else if (o.method == "residual") {
    out = detail::residual(in, o.forecasts, prm);
  } else {
    const Track rb = detail::robust(in, prm);
    const Track ss = detail::seasonal(in, prm);
    if (o.method == "iforest") {
      out = detail::iforest(in, rb, ss, prm);
    } else {
      const Track forest = detail::iforest(in, rb, ss, prm);
      std::vector<const Track*> members = {&rb, &ss, &forest}, band = {&ss, &rb};
      Track res;
      if (has_forecasts) {
        res = detail::residual(in, o.forecasts, prm);
        members.push_back(&res);
        band.insert(band.begin(), &res);
      }
      out = detail::ensemble(in, members, band);
      const char* names[] = {"robust", "seasonal", "iforest", "residual"};
      for (size_t k = 0; k < members.size(); ++k) {
        Member m;
        m.method = names[k];
        m.score.resize(n);
        for (size_t i = 0; i < n; ++i) m.score[i] = score_of(members[k]->p[i]);
        r.members.push_back(std::move(m));
      }
    }
  }
  r.expected = std::move(out.expected);
  r.lower = std::move(out.lower);
  r.upper = std::move(out.upper);
  r.z = std::move(out.z);
  r.direction = std::move(out.direction);
  r.score.resize(n);
  r.flagged.assign(n, 0);
  for (size_t i = 0; i < n; ++i) {
    r.score[i] = score_of(out.p[i]);
    if (i < r.checked_from || std::isnan(out.p[i])) continue;
    r.flagged[i] = z ? std::fabs(r.z[i]) > z_threshold : out.p[i] <= prm.alpha;
  }

  if (in.kind == Kind::kRatio && o.causes) {
    r.cause.assign(n, Cause::kNone);
    detail::Params part = prm;
    part.alpha = kCauseAlpha;
    part.bands = false;
    for (bool exposure : {true, false}) {
      const Input pin = part_input(in, exposure);
      const Track t = part_track(pin, part);
      Part p;
      p.name = pin.name;
      p.value = pin.value;
      p.expected = t.expected;
      p.score.resize(n);
      for (size_t i = 0; i < n; ++i) p.score[i] = score_of(t.p[i]);
      r.parts.push_back(std::move(p));
    }
    for (size_t i = 0; i < n; ++i) {
      if (std::isnan(r.score[i])) continue;
      const bool e = r.parts[0].score[i] >= 1 - kCauseAlpha,
                 q = r.parts[1].score[i] >= 1 - kCauseAlpha;
      r.cause[i] = e && q ? Cause::kBoth
                   : e    ? Cause::kExposure
                   : q    ? Cause::kQuantity
                          : Cause::kMix;
    }
  }

  if (r.scored() == 0) {
    size_t candidates = 0;
    for (size_t i = r.checked_from; i < n; ++i) candidates += in.known(i) ? 1 : 0;
    const std::string unit = time::interval_name(in.step);
    char need[400];
    requirement(need, sizeof need, o.method, prm.min_points, baseline, o.seasons, unit.c_str());
    fail(
        "anomaly: not enough data to score any %s of %s with the %s method: %s; the data has %zu "
        "%s%s%s",
        unit.c_str(), in.name.c_str(), o.method.c_str(), need, n, unit.c_str(), n == 1 ? "" : "s",
        candidates ? "" : ", none with a value in the checked period");
  }
  return r;
}

Result detect(const series::Series& s, const Options& o) {
  return detect(metric_input(s, o.metric), o);
}

}  // namespace fc::anomaly

#if defined(__EMSCRIPTEN__) && defined(__clang__)
#pragma clang attribute pop
#endif
