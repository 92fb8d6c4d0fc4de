// Embind bindings over the funnelcast core: JS values in, one core call, JS values out.
// Nothing here computes analytics. Numbers cross the boundary a whole column at a time
// as typed-array copies (one memory-view copy per column), so nothing handed to JS
// points into wasm memory after the owning object is deleted.
//
// Errors never propagate as C++ exceptions into JS (embind would hand JS a bare
// pointer, and unwinding through the embind invoker would leak its temporaries).
// Every raw entry point catches, returns a JS Error object instead of a result, and
// the thin JS layer in api.js (linked with --post-js) throws it. So every C++
// destructor runs on the error path too.
#include <emscripten/bind.h>
#include <emscripten/val.h>
#include <malloc.h>

#include <cmath>
#include <cstdint>
#include <exception>
#include <new>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "funnelcast/anomaly/anomaly.hpp"
#include "funnelcast/io/csv.hpp"
#include "funnelcast/base/error.hpp"
#include "funnelcast/forecast/forecast.hpp"
#include "funnelcast/series/kpi.hpp"
#include "funnelcast/model/model.hpp"
#include "funnelcast/series/series.hpp"
#include "funnelcast/io/table.hpp"

using emscripten::val;

namespace {

val js_error(const std::string& message) { return val::global("Error").new_(message); }

// Runs `f`; a core error becomes a JS Error value carrying the core's message.
template <class F>
val guarded(F&& f) {
  try {
    return f();
  } catch (const std::bad_alloc&) {
    return js_error("out of memory: the file is too large for this browser tab");
  } catch (const std::exception& e) {
    return js_error(e.what());
  } catch (...) {
    return js_error("funnelcast: unexpected internal error");
  }
}

// One allocation in JS, one bulk copy out of wasm memory. The view is created after
// every wasm allocation of the call, so memory growth cannot detach it.
template <class T>
val copy_array(const char* js_type, const T* data, size_t n) {
  val out = val::global(js_type).new_(n);
  if (n) out.call<void>("set", val(emscripten::typed_memory_view(n, data)));
  return out;
}
val f64(const std::vector<double>& v) { return copy_array("Float64Array", v.data(), v.size()); }
val u8(const std::vector<uint8_t>& v) { return copy_array("Uint8Array", v.data(), v.size()); }
val f64_or_null(const std::vector<double>& v) { return v.empty() ? val::null() : f64(v); }

val times_f64(const std::vector<int64_t>& t) {
  std::vector<double> d(t.begin(), t.end());  // epoch seconds are exact in a double
  return f64(d);
}
val hour_grid(int64_t start, size_t hours) {
  std::vector<double> d(hours);
  for (size_t i = 0; i < hours; ++i) d[i] = static_cast<double>(start + static_cast<int64_t>(i) * 3600);
  return f64(d);
}

// Bytes from a Uint8Array into a wasm-side buffer with one bulk copy.
std::string bytes_from_js(const val& bytes) {
  if (!bytes.instanceof(val::global("Uint8Array")))
    throw fc::Error("expected the file's bytes as a Uint8Array");
  const size_t n = bytes["length"].as<size_t>();
  std::string buf(n, '\0');
  if (n) {
    val view(emscripten::typed_memory_view(n, reinterpret_cast<unsigned char*>(&buf[0])));
    view.call<void>("set", bytes);
  }
  return buf;
}

// Options objects: a missing key (or null) keeps the default.
bool has_option(const val& o, const char* key) {
  if (o.isUndefined() || o.isNull()) return false;
  const val v = o[key];
  return !(v.isUndefined() || v.isNull());
}
double number_option(const val& o, const char* key, double fallback) {
  if (!has_option(o, key)) return fallback;
  const val v = o[key];
  if (!v.isNumber()) throw fc::Error(std::string("option '") + key + "' must be a number");
  const double x = v.as<double>();
  if (!std::isfinite(x)) throw fc::Error(std::string("option '") + key + "' must be a finite number");
  return x;
}
int int_option(const val& o, const char* key, int fallback, int min, int max) {
  const double x = number_option(o, key, fallback);
  if (x != std::floor(x) || x < min || x > max)
    throw fc::Error(std::string("option '") + key + "' must be a whole number from " + std::to_string(min) +
                    " to " + std::to_string(max));
  return static_cast<int>(x);
}
std::string string_option(const val& o, const char* key, const std::string& fallback) {
  if (!has_option(o, key)) return fallback;
  const val v = o[key];
  if (!v.isString()) throw fc::Error(std::string("option '") + key + "' must be a string");
  return v.as<std::string>();
}

const char* type_name(fc::ColumnType t) {
  switch (t) {
    case fc::ColumnType::kNumber: return "number";
    case fc::ColumnType::kTimestamp: return "timestamp";
    case fc::ColumnType::kCategory: return "category";
  }
  return "unknown";
}

// Role names in a fixed order, shared by schema() and setRoles().
struct RoleField {
  const char* name;
  std::string fc::series::Roles::*member;
};
const RoleField kRoles[] = {
    {"time", &fc::series::Roles::time},       {"leads", &fc::series::Roles::leads},
    {"spend", &fc::series::Roles::spend},     {"revenue", &fc::series::Roles::revenue},
    {"cpl", &fc::series::Roles::cpl},         {"roi", &fc::series::Roles::roi},
    {"channel", &fc::series::Roles::channel}, {"clicks", &fc::series::Roles::clicks},
};

// Roles as {time: "timestamp", revenue: null, ...}; an empty role (or "-") is null.
val roles_js(const fc::series::Roles& r) {
  val o = val::object();
  for (const auto& f : kRoles) {
    const std::string& c = r.*(f.member);
    o.set(f.name, c.empty() || c == "-" ? val::null() : val(c));
  }
  return o;
}

val window_js(const fc::kpi::Window& w) {
  val o = val::object();
  o.set("start", static_cast<double>(w.start));
  o.set("end", static_cast<double>(w.end));
  o.set("leads", w.leads);
  o.set("spend", w.spend);
  o.set("revenue", w.revenue);
  o.set("cpl", w.cpl);
  o.set("roi", w.roi);
  o.set("clicks", w.clicks);
  o.set("conversion", w.conversion);
  o.set("hasSpend", w.has_spend);
  o.set("hasRevenue", w.has_revenue);
  o.set("hasClicks", w.has_clicks);
  return o;
}

}  // namespace

// A parsed CSV plus its hourly series under the current roles. When the series cannot
// be built (say, the detected time column is wrong) the table stays usable: schema()
// reports the error and the caller can fix the roles with set_roles().
class RawTable {
 public:
  val load(val bytes, std::string name) {
    return guarded([&] {
      fc::csv::Options o;
      o.source = name.empty() ? "input" : name;
      {
        const std::string buf = bytes_from_js(bytes);
        table_ = fc::csv::read(buf, o);
      }  // the raw bytes are freed before the series is built
      given_ = fc::series::Roles{};
      detected_ = fc::series::Roles{};
      try {
        detected_ = fc::series::detect_roles(table_);
      } catch (const fc::Error&) {
        // Detection alone may trip over a column of the wrong type; rebuild() reports it.
      }
      rebuild();
      return schema_now();
    });
  }

  val schema() const {
    return guarded([&] { return schema_now(); });
  }

  // roles: {time: "col" | null | undefined, ...}. A column name pins the role, null
  // means the data has no such column, undefined (or a missing key) lets detection choose.
  val set_roles(val roles) {
    return guarded([&] {
      fc::series::Roles given;
      if (!(roles.isUndefined() || roles.isNull())) {
        for (const auto& f : kRoles) {
          const val v = roles[f.name];
          if (v.isUndefined()) continue;
          if (v.isNull()) {
            given.*(f.member) = "-";
          } else if (v.isString()) {
            given.*(f.member) = v.as<std::string>();
          } else {
            throw fc::Error(std::string("role '") + f.name + "' must be a column name or null");
          }
        }
      }
      // An unknown column or a column given twice is a mistake of the caller: refuse it
      // and keep the current roles.
      fc::series::detect_roles(table_, given);
      given_ = given;
      rebuild();
      return schema_now();
    });
  }

  val channels() const {
    return guarded([&] {
      val out = val::array();
      if (built_)
        for (const auto& c : built_->channels) out.call<void>("push", val(c.channel));
      return out;
    });
  }

  // The hourly grid of one channel ("" = all channels) as whole typed-array columns.
  val series(std::string channel) const {
    return guarded([&] {
      const fc::series::HourlySeries& s = pick(channel);
      val o = val::object();
      o.set("channel", s.channel);
      o.set("start", static_cast<double>(s.start));
      o.set("hours", static_cast<double>(s.hours()));
      o.set("time", hour_grid(s.start, s.hours()));
      o.set("leads", f64(s.leads));
      o.set("spend", f64_or_null(s.spend));
      o.set("revenue", f64_or_null(s.revenue));
      o.set("cpl", f64_or_null(s.cpl));
      o.set("roi", f64_or_null(s.roi));
      o.set("clicks", f64_or_null(s.clicks));
      o.set("observed", u8(s.observed));
      return o;
    });
  }

  // The series of a channel ("" = total); fc::Error when there is no usable series.
  const fc::series::HourlySeries& pick(const std::string& channel) const {
    if (!built_) throw fc::Error(build_error_.empty() ? "no data loaded" : build_error_);
    if (channel.empty()) return built_->total;
    std::string names;
    for (const auto& c : built_->channels) {
      if (c.channel == channel) return c;
      names += (names.empty() ? "" : ", ") + c.channel;
    }
    throw fc::Error("no channel '" + channel + "' in the data" +
                    (names.empty() ? std::string(" (it has no channel column)") : " (channels: " + names + ")"));
  }

 private:
  void rebuild() {
    built_.reset();
    build_error_.clear();
    try {
      // hourly() detects the roles left empty itself and honours "-" (not in the data).
      fc::series::Options o;
      o.roles = given_;
      built_ = fc::series::hourly(table_, o);
    } catch (const std::bad_alloc&) {
      throw;
    } catch (const std::exception& e) {
      build_error_ = e.what();
    }
  }

  val schema_now() const {
    val o = val::object();
    o.set("source", table_.source);
    o.set("rows", static_cast<double>(table_.rows));
    val cols = val::array();
    for (const auto& c : table_.columns) {
      size_t missing = 0;
      for (size_t r = 0; r < table_.rows; ++r) missing += c.is_missing(r) ? 1 : 0;
      val col = val::object();
      col.set("name", c.name);
      col.set("type", std::string(type_name(c.type)));
      col.set("missing", static_cast<double>(missing));
      if (c.type == fc::ColumnType::kCategory) col.set("levels", static_cast<double>(c.levels.size()));
      cols.call<void>("push", col);
    }
    o.set("columns", cols);
    o.set("detectedRoles", roles_js(detected_));
    val pinned = val::object();
    for (const auto& f : kRoles) {
      const std::string& c = given_.*(f.member);
      if (!c.empty()) pinned.set(f.name, c == "-" ? val::null() : val(c));
    }
    o.set("pinnedRoles", pinned);
    if (built_) {
      const auto& b = *built_;
      const double start = static_cast<double>(b.total.start);
      o.set("ok", true);
      o.set("error", val::null());
      o.set("roles", roles_js(b.roles));
      o.set("hours", static_cast<double>(b.total.hours()));
      o.set("start", start);
      o.set("end", start + 3600.0 * static_cast<double>(b.total.hours()));  // exclusive
      val ch = val::array();
      for (const auto& c : b.channels) ch.call<void>("push", val(c.channel));
      o.set("channels", ch);
      o.set("inputRows", static_cast<double>(b.input_rows));
      o.set("rowsAggregated", static_cast<double>(b.rows_aggregated));
      o.set("emptyHours", static_cast<double>(b.empty_hours));
      o.set("missingCells", static_cast<double>(b.missing_cells));
      o.set("spendDerived", b.spend_derived);
      o.set("revenueDerived", b.revenue_derived);
      o.set("eventLevel", b.event_level);
      val has = val::object();
      has.set("spend", !b.total.spend.empty());
      has.set("revenue", !b.total.revenue.empty());
      has.set("cpl", !b.total.cpl.empty());
      has.set("roi", !b.total.roi.empty());
      o.set("has", has);
    } else {
      o.set("ok", false);
      o.set("error", build_error_);
      o.set("roles", roles_js(detected_));
      o.set("hours", 0);
      o.set("start", val::null());
      o.set("end", val::null());
      o.set("channels", val::array());
    }
    return o;
  }

  fc::Table table_;
  fc::series::Roles given_, detected_;
  std::optional<fc::series::BuildResult> built_;
  std::string build_error_;
};

class RawModel {
 public:
  val load(val bytes, std::string name) {
    return guarded([&] {
      {
        const std::string buf = bytes_from_js(bytes);
        model_ = fc::model::load(buf, name.empty() ? "model" : name);
      }
      loaded_ = true;
      return header_now();
    });
  }
  val header() const {
    return guarded([&] { return header_now(); });
  }
  const fc::model::Model& model() const {
    if (!loaded_) throw fc::Error("no model loaded");
    return model_;
  }

 private:
  val header_now() const {
    if (!loaded_) throw fc::Error("no model loaded");
    // NaN becomes null and invalid UTF-8 is replaced rather than thrown.
    const std::string text = model_.header.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return val::global("JSON").call<val>("parse", text);
  }
  fc::model::Model model_;
  bool loaded_ = false;
};

namespace {

val raw_forecast(const RawTable& table, const RawModel& model, val options) {
  return guarded([&] {
    const int horizon = int_option(options, "horizon", 168, 1, 24 * 366);
    const std::string channel = string_option(options, "channel", "");
    const fc::series::HourlySeries& s = table.pick(channel);
    const fc::forecast::Forecast f = fc::forecast::predict(model.model(), s, horizon);
    val o = val::object();
    o.set("channel", channel);
    o.set("horizon", horizon);
    o.set("target", model.model().header.value("target", std::string("leads")));
    o.set("time", times_f64(f.time));
    o.set("mean", f64(f.mean));
    o.set("lower80", f64(f.lower80));
    o.set("upper80", f64(f.upper80));
    o.set("lower95", f64(f.lower95));
    o.set("upper95", f64(f.upper95));
    return o;
  });
}

val raw_kpis(const RawTable& table, val options) {
  return guarded([&] {
    const int window = int_option(options, "window", 24, 1, 24 * 366);
    const std::string channel = string_option(options, "channel", "");
    const fc::kpi::Summary k = fc::kpi::summarize(table.pick(channel), window);
    val change = val::object();
    change.set("leads", k.change.leads);
    change.set("spend", k.change.spend);
    change.set("revenue", k.change.revenue);
    change.set("cpl", k.change.cpl);
    change.set("roi", k.change.roi);
    change.set("conversion", k.change.conversion);
    val o = val::object();
    o.set("channel", channel);
    o.set("windowHours", k.window_hours);
    o.set("current", window_js(k.current));
    o.set("previous", window_js(k.previous));
    o.set("change", change);
    return o;
  });
}

val raw_anomalies(const RawTable& table, val options) {
  return guarded([&] {
    fc::anomaly::Options a;
    a.metric = string_option(options, "metric", a.metric);
    a.method = string_option(options, "method", a.method);
    a.threshold = number_option(options, "threshold", a.threshold);
    a.lookback_hours = int_option(options, "lookback", a.lookback_hours, 0, 24 * 366 * 20);
    a.baseline_hours = int_option(options, "baseline", a.baseline_hours, 2, 24 * 366);
    a.min_baseline_points = int_option(options, "minBaselinePoints", a.min_baseline_points, 1, 24 * 366);
    const std::string channel = string_option(options, "channel", "");
    const fc::anomaly::Result r = fc::anomaly::detect(table.pick(channel), a);
    val o = val::object();
    o.set("channel", channel);
    o.set("metric", r.metric);
    o.set("method", r.method);
    o.set("threshold", a.threshold);
    o.set("lookback", a.lookback_hours);
    o.set("baseline", a.baseline_hours);
    o.set("start", static_cast<double>(r.start));
    o.set("checkedFrom", static_cast<double>(r.checked_from));
    o.set("count", static_cast<double>(r.count()));
    o.set("time", hour_grid(r.start, r.value.size()));
    o.set("value", f64(r.value));
    o.set("expected", f64(r.expected));
    o.set("score", f64(r.score));
    o.set("flagged", u8(r.flagged));
    return o;
  });
}

std::string raw_version() { return FC_VERSION; }

// For leak tests: the wasm memory size and the bytes malloc currently hands out.
val raw_memory() {
  const struct mallinfo mi = mallinfo();
  val o = val::object();
  o.set("heapBytes", static_cast<double>(__builtin_wasm_memory_size(0)) * 65536.0);
  o.set("allocatedBytes", static_cast<double>(mi.uordblks));
  return o;
}

}  // namespace

EMSCRIPTEN_BINDINGS(funnelcast) {
  emscripten::class_<RawTable>("RawTable")
      .constructor<>()
      .function("load", &RawTable::load)
      .function("schema", &RawTable::schema)
      .function("setRoles", &RawTable::set_roles)
      .function("channels", &RawTable::channels)
      .function("series", &RawTable::series);
  emscripten::class_<RawModel>("RawModel")
      .constructor<>()
      .function("load", &RawModel::load)
      .function("header", &RawModel::header);
  emscripten::function("rawForecast", &raw_forecast);
  emscripten::function("rawKpis", &raw_kpis);
  emscripten::function("rawAnomalies", &raw_anomalies);
  emscripten::function("rawVersion", &raw_version);
  emscripten::function("rawMemory", &raw_memory);
}
