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
#include <functional>
#include <new>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "funnelcast/anomaly/anomaly.hpp"
#include "funnelcast/api/anomalies.hpp"
#include "funnelcast/api/drift.hpp"
#include "funnelcast/api/forecast.hpp"
#include "funnelcast/api/kpi.hpp"
#include "funnelcast/api/monitor.hpp"
#include "funnelcast/api/registry.hpp"
#include "funnelcast/api/score.hpp"
#include "funnelcast/api/train.hpp"
#include "funnelcast/base/error.hpp"
#include "funnelcast/io/json.hpp"
#include "funnelcast/forecast/predict.hpp"
#include "funnelcast/forecast/train.hpp"
#include "funnelcast/io/csv.hpp"
#include "funnelcast/io/table.hpp"
#include "funnelcast/model/model.hpp"
#include "funnelcast/schema/registry.hpp"
#include "funnelcast/scoring/monitor.hpp"
#include "funnelcast/scoring/outcome.hpp"
#include "funnelcast/scoring/score.hpp"
#include "funnelcast/scoring/table.hpp"
#include "funnelcast/scoring/train.hpp"
#include "funnelcast/series/kpi.hpp"
#include "funnelcast/series/series.hpp"

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
val grid(int64_t start, int64_t step, size_t n) {
  std::vector<double> d(n);
  for (size_t i = 0; i < n; ++i) d[i] = static_cast<double>(start + static_cast<int64_t>(i) * step);
  return f64(d);
}
val strings(const std::vector<std::string>& v) {
  val out = val::array();
  for (const auto& s : v) out.call<void>("push", val(s));
  return out;
}
val number_or_null(double v) { return std::isfinite(v) ? val(v) : val::null(); }

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

// JSON text to a JS object (NaN becomes null; invalid UTF-8 is replaced rather than thrown).
val json_to_js(const nlohmann::json& j) {
  return val::global("JSON").call<val>("parse", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

// A command's options as api.js hands them over: JSON text (typed-array columns travel
// apart). The command's field list checks every value.
nlohmann::json options_from_js(const std::string& text) {
  if (text.empty()) return nullptr;
  // The guarded reader: depth and size limited, a syntax error named with its line and column.
  return fc::json::parse(text, "options");
}

// A command's JSON document with its per-interval columns placed at their paths as typed
// arrays (a path through a missing object creates it).
val document_js(const nlohmann::json& doc, const fc::api::Columns& columns) {
  val out = json_to_js(doc);
  for (const auto& c : columns) {
    val at = out;
    for (size_t k = 0; k + 1 < c.path.size(); ++k) {
      val next = at[c.path[k]];
      if (next.isUndefined() || next.isNull()) {
        next = val::object();
        at.set(c.path[k], next);
      }
      at = next;
    }
    if (c.kind == fc::api::Column::Kind::kI32)
      at.set(c.path.back(), copy_array("Int32Array", c.i32.data(), c.i32.size()));
    else
      at.set(c.path.back(), c.bytes ? u8(c.u8) : f64(c.f64));
  }
  return out;
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
std::string string_option(const val& o, const char* key, const std::string& fallback) {
  if (!has_option(o, key)) return fallback;
  const val v = o[key];
  if (!v.isString()) throw fc::Error(std::string("option '") + key + "' must be a string");
  return v.as<std::string>();
}
bool bool_option(const val& o, const char* key, bool fallback) {
  if (!has_option(o, key)) return fallback;
  const val v = o[key];
  if (!v.isTrue() && !v.isFalse()) throw fc::Error(std::string("option '") + key + "' must be true or false");
  return v.isTrue();
}

const char* type_name(fc::ColumnType t) {
  switch (t) {
    case fc::ColumnType::kNumber: return "number";
    case fc::ColumnType::kTimestamp: return "timestamp";
    case fc::ColumnType::kCategory: return "category";
  }
  return "unknown";
}

// Roles as {time: "timestamp", revenue: null, ...} in registry order; "" (or "-") is null.
val roles_js(const fc::schema::Roles& r) {
  val o = val::object();
  for (const auto& role : fc::schema::roles()) {
    const std::string& c = r.*role.column;
    o.set(role.name, c.empty() || c == "-" ? val::null() : val(c));
  }
  return o;
}

}  // namespace

class RawModel;

// A parsed CSV plus its series under the current roles and reading options. When the
// series cannot be built (say, the detected time column is wrong) the table stays usable:
// schema() reports the error and the caller can fix the roles with set_roles().
class RawTable {
 public:
  val load(val bytes, std::string name) {
    return guarded([&] { return load_with(bytes, name, {}); });
  }
  // A lead table for a scoring model: the model's categories are read as text whatever the
  // batch holds (zip codes 02139, 007 keep their levels), as `funnelcast score` reads it.
  val load_for(val bytes, std::string name, val model);

  val schema() const {
    return guarded([&] { return schema_now(); });
  }

 private:
  val load_with(const val& bytes, const std::string& name, std::vector<std::string> text_columns) {
    fc::csv::Options o;
    o.source = name.empty() ? "input" : name;
    o.text_columns = std::move(text_columns);
    {
      const std::string buf = bytes_from_js(bytes);
      table_ = fc::csv::read(buf, o);
    }  // the raw bytes are freed before the series is built
    options_ = fc::series::Options{};
    detected_ = fc::schema::Roles{};
    try {
      detected_ = fc::schema::detect_roles(table_);
    } catch (const fc::Error&) {
      // Detection alone may trip over a column of the wrong type; rebuild() reports it.
    }
    rebuild();
    return schema_now();
  }

 public:
  // roles: {time: "col" | null | undefined, ...}. A column name pins the role, null
  // means the data has no such column, undefined (or a missing key) lets detection choose.
  // options: {events: bool, gaps: "missing" | "zero"}; missing keys keep the current choice.
  val set_roles(val roles, val options) {
    return guarded([&] {
      fc::series::Options next = options_;
      next.roles = fc::schema::Roles{};
      if (!(roles.isUndefined() || roles.isNull())) {
        for (const auto& role : fc::schema::roles()) {
          const val v = roles[role.name];
          if (v.isUndefined()) continue;
          if (v.isNull()) {
            next.roles.*role.column = "-";
          } else if (v.isString()) {
            next.roles.*role.column = v.as<std::string>();
          } else {
            throw fc::Error(std::string("role '") + role.name + "' must be a column name or null");
          }
        }
      }
      if (has_option(options, "events"))
        next.rows = bool_option(options, "events", false) ? fc::series::RowMeaning::kEvents : fc::series::RowMeaning::kAuto;
      if (has_option(options, "gaps")) {
        const std::string g = string_option(options, "gaps", "missing");
        if (g != "missing" && g != "zero") throw fc::Error("option 'gaps' must be \"missing\" or \"zero\"");
        next.gaps = g == "zero" ? fc::series::Gaps::kZero : fc::series::Gaps::kMissing;
      }
      // An unknown column or a column given twice is a mistake of the caller: refuse it
      // and keep the current roles.
      fc::schema::detect_roles(table_, next.roles);
      options_ = next;
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

  // The series of one channel ("" = all channels) as whole typed-array columns: the summed
  // roles and every registry metric the data can compute (null otherwise).
  val series(std::string channel) const {
    return guarded([&] {
      const fc::series::Series& s = pick(channel);
      val o = val::object();
      o.set("channel", s.channel);
      o.set("start", static_cast<double>(s.start));
      o.set("step", static_cast<double>(s.step));
      o.set("size", static_cast<double>(s.size()));
      o.set("time", grid(s.start, s.step, s.size()));
      for (const auto& m : fc::schema::metrics())
        o.set(m.name, s.has(m) ? f64(fc::series::metric_values(s, m)) : val::null());
      o.set("observed", u8(s.observed));
      return o;
    });
  }

  // The series of a channel ("" = total); fc::Error when there is no usable series.
  const fc::series::Series& pick(const std::string& channel) const {
    if (!built_) throw fc::Error(build_error_.empty() ? "no data loaded" : build_error_);
    return fc::series::select(*built_, channel);
  }
  const fc::series::BuildResult& built() const {
    if (!built_) throw fc::Error(build_error_.empty() ? "no data loaded" : build_error_);
    return *built_;
  }
  const fc::Table& table() const { return table_; }
  const fc::series::Options& options() const { return options_; }

 private:
  void rebuild() {
    built_.reset();
    build_error_.clear();
    try {
      built_ = fc::series::build(table_, options_);
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
    for (const auto& role : fc::schema::roles()) {
      const std::string& c = options_.roles.*role.column;
      if (!c.empty()) pinned.set(role.name, c == "-" ? val::null() : val(c));
    }
    o.set("pinnedRoles", pinned);
    o.set("events", options_.rows == fc::series::RowMeaning::kEvents);
    o.set("gaps", std::string(options_.gaps == fc::series::Gaps::kZero ? "zero" : "missing"));
    if (built_) {
      const auto& b = *built_;
      o.set("ok", true);
      o.set("error", val::null());
      o.set("roles", roles_js(b.roles));
      o.set("step", static_cast<double>(b.step));
      o.set("intervals", static_cast<double>(b.total.size()));
      o.set("start", static_cast<double>(b.total.start));
      o.set("end", static_cast<double>(b.total.end()));
      o.set("channels", strings([&] {
              std::vector<std::string> v;
              for (const auto& c : b.channels) v.push_back(c.channel);
              return v;
            }()));
      o.set("inputRows", static_cast<double>(b.input_rows));
      o.set("rowsAggregated", static_cast<double>(b.rows_aggregated));
      o.set("emptyIntervals", static_cast<double>(b.empty_intervals));
      o.set("missingCells", static_cast<double>(b.missing_cells));
      o.set("missingLeads", static_cast<double>(b.missing_leads));
      o.set("trailingMissing", static_cast<double>(b.trailing_missing));
      o.set("countedEvents", b.events);
      o.set("regular", b.regular);
      o.set("spendDerived", b.spend_derived);
      o.set("revenueDerived", b.revenue_derived);
      val metrics = val::array();
      for (const auto* m : fc::series::available_metrics(b.total)) metrics.call<void>("push", val(m->name));
      o.set("metrics", metrics);
      o.set("notices", strings(b.notices));
    } else {
      o.set("ok", false);
      o.set("error", build_error_);
      o.set("roles", roles_js(detected_));
      o.set("step", val::null());
      o.set("intervals", 0);
      o.set("start", val::null());
      o.set("end", val::null());
      o.set("channels", val::array());
      o.set("inputRows", static_cast<double>(table_.rows));
      o.set("rowsAggregated", 0);
      o.set("emptyIntervals", 0);
      o.set("missingCells", 0);
      o.set("missingLeads", 0);
      o.set("trailingMissing", 0);
      o.set("countedEvents", false);
      o.set("regular", true);
      o.set("spendDerived", false);
      o.set("revenueDerived", false);
      o.set("metrics", val::array());
      o.set("notices", val::array());
    }
    return o;
  }

  fc::Table table_;
  fc::series::Options options_;
  fc::schema::Roles detected_;
  std::optional<fc::series::BuildResult> built_;
  std::string build_error_;
};

class RawModel {
 public:
  val load(val bytes, std::string name) {
    return guarded([&] {
      name_ = name.empty() ? "model" : name;
      {
        const std::string buf = bytes_from_js(bytes);
        model_ = fc::model::load(buf, name_);
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
  const std::string& name() const { return name_; }

 private:
  val header_now() const {
    if (!loaded_) throw fc::Error("no model loaded");
    return json_to_js(model_.header.to_json());
  }
  fc::model::Model model_;
  std::string name_ = "model";
  bool loaded_ = false;
};

val RawTable::load_for(val bytes, std::string name, val model) {
  return guarded([&] {
    const fc::model::Model& m = model.as<const RawModel&>().model();
    return load_with(bytes, name, m.header.score ? fc::scoring::text_columns(m.header.score->features)
                                                 : std::vector<std::string>{});
  });
}

namespace {

// How to read the table for a model: the roles the user pinned on it override the model's;
// the rest comes from the model.
fc::forecast::Request read_for(const RawTable& table, const RawModel& model) {
  fc::forecast::Request r;
  r.model_name = model.name();
  for (const auto& role : fc::schema::roles()) {
    const std::string& pinned = table.options().roles.*role.column;
    if (!pinned.empty() && pinned != "-") r.roles.*role.column = pinned;
  }
  return r;
}

// The forecast as `funnelcast forecast --json` prints it, with the history it continues.
val raw_forecast(const RawTable& table, const RawModel& model, std::string options) {
  return guarded([&] {
    const auto r = fc::api::read_request(fc::api::forecast_fields(), options_from_js(options), fc::api::Edge::kJs);
    const fc::api::ForecastRun run = fc::api::forecast(model.model(), table.table(), read_for(table, model), r);
    return document_js(fc::api::forecast_json(run, r), fc::api::forecast_columns(run, true));
  });
}

// Whether the model can forecast this table: {ok, reason, notices}. Never throws for a
// mismatch: the reason is the message forecast() would give.
val raw_model_fits(const RawTable& table, const RawModel& model, std::string options) {
  return guarded([&] {
    auto r = fc::api::read_request(fc::api::forecast_fields(), options_from_js(options), fc::api::Edge::kJs);
    r.horizon = 1;
    val o = val::object();
    try {
      const fc::api::ForecastRun run = fc::api::forecast(model.model(), table.table(), read_for(table, model), r);
      o.set("ok", true);
      o.set("reason", val::null());
      o.set("notices", strings(run.forecast.notices));
    } catch (const fc::Error& e) {
      o.set("ok", false);
      o.set("reason", std::string(e.what()));
      o.set("notices", val::array());
    }
    return o;
  });
}

val raw_kpis(const RawTable& table, std::string options) {
  return guarded([&] {
    const auto r = fc::api::read_request(fc::api::kpi_fields(), options_from_js(options), fc::api::Edge::kJs);
    return json_to_js(fc::api::kpi(table.built(), r));
  });
}

// Anomalies of a metric or of any numeric column: the document the
// CLI's --json prints, plus every interval's columns as typed arrays.
val raw_anomalies(const RawTable& table, std::string options, val forecasts) {
  // A column of forecasts, one value per interval.
  const auto f64_option = [](const val& o, const char* key, size_t n) {
    if (!has_option(o, key)) throw fc::Error(std::string("option 'forecasts' needs '") + key + "'");
    const val v = o[key];
    if (!v.instanceof(val::global("Float64Array")) && !v.isArray())
      throw fc::Error(std::string("forecasts.") + key + " must be a Float64Array");
    std::vector<double> out = emscripten::convertJSArrayToNumberVector<double>(v);
    if (out.size() != n)
      throw fc::Error(std::string("forecasts.") + key + " has " + std::to_string(out.size()) + " values for " +
                      std::to_string(n) + " intervals");
    return out;
  };
  return guarded([&] {
    fc::api::AnomaliesRequest r =
        fc::api::read_request(fc::api::anomalies_fields(), options_from_js(options), fc::api::Edge::kJs);
    std::vector<std::string> notices;
    fc::anomaly::Input in = fc::api::anomalies_input(
        table.table(), [&](const std::string& channel) -> const fc::series::Series& { return table.pick(channel); },
        r, &notices);
    if (!(forecasts.isUndefined() || forecasts.isNull())) {
      r.options.forecasts.mean = f64_option(forecasts, "mean", in.size());
      r.options.forecasts.lower = f64_option(forecasts, "lower", in.size());
      r.options.forecasts.upper = f64_option(forecasts, "upper", in.size());
      r.options.forecasts.level = number_option(forecasts, "level", 0.95);
    }
    const fc::api::AnomaliesRun run = fc::api::anomalies(std::move(in), r, std::move(notices));
    return document_js(fc::api::anomalies_json(run, r), fc::api::anomalies_columns(run));
  });
}


// Scores every row of the table with a scoring model: the document `funnelcast score --json`
// prints, with the per-lead columns as typed arrays.
val raw_score(const RawTable& table, const RawModel& model, std::string options) {
  return guarded([&] {
    const auto r = fc::api::read_request(fc::api::score_fields(), options_from_js(options), fc::api::Edge::kJs);
    const fc::model::Model& m = model.model();
    // The page shows probabilities, decisions and reasons on the log-odds scale; a model
    // that predicts a number would be drawn as if it were one. Refuse it, never mislabel it.
    if (m.header.score && m.header.score->output != "probability")
      throw fc::Error(model.name() + " predicts a number (a regression imported from XGBoost), not the probability "
                      "of a yes/no outcome; the page scores yes/no models: use funnelcast score for this one");
    const fc::api::ScoreRun run = fc::api::score(m, model.name(), table.table(), r);
    return document_js(fc::api::score_json(run, r), fc::api::score_columns(run));
  });
}

// Drift between a reference and a current table, for a scoring model's inputs when one is
// given (model may be null): the document `funnelcast drift --json` prints.
// The funnel monitor: every KPI of the total and each channel, incidents with their cause
// (the document `funnelcast monitor --json` prints).
val raw_monitor(const RawTable& table, std::string options) {
  return guarded([&] {
    const auto r = fc::api::read_request(fc::api::monitor_fields(), options_from_js(options), fc::api::Edge::kJs);
    return json_to_js(fc::api::monitor_json(fc::api::monitor(table.built(), r), r));
  });
}

val raw_drift(const RawTable& reference, const RawTable& current, val model) {
  return guarded([&] {
    const RawModel* m = nullptr;
    if (!(model.isNull() || model.isUndefined())) m = &model.as<const RawModel&>();
    const fc::model::Model* mm = m ? &m->model() : nullptr;
    const std::string name = m ? m->name() : "the model";
    const fc::scoring::MonitorReport r = fc::scoring::monitor(reference.table(), current.table(), mm, name);
    return json_to_js(fc::api::drift_json(r, reference.table(), current.table(), mm, name));
  });
}

#ifdef FC_WASM_TRAINING
// A JS progress callback (or anything else: no progress) as the core's progress function.
std::function<void(const std::string&, double)> progress_of(const val& on_progress) {
  const bool call = on_progress.typeOf().as<std::string>() == "function";
  return [call, on_progress](const std::string& stage, double f) {
    if (call) on_progress(val(stage), val(f));
  };
}

// {model: the .fcm bytes, report, notices} of a training run: the document the CLI's
// `train ... --json` prints, with the model file's bytes beside it.
template <class Output>
val trained(const Output& out) {
  const std::string bytes = fc::model::save(out.model);
  val r = json_to_js(fc::api::train_json(out.report, out.notices));
  r.set("model", copy_array("Uint8Array", reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  return r;
}

// A training request from the JS options: one thread (the CLI's --threads 1 gives the same
// bytes), mistakes named as options.
template <class R>
R train_request(const std::vector<fc::api::Field<R>>& fields, const std::string& options) {
  R start;
  start.threads = 1;
  start.edge = fc::api::Edge::kJs;
  return fc::api::read_request(fields, options_from_js(options), fc::api::Edge::kJs, start);
}

// Trains a forecast model on the table's series (its roles and reading options) as the CLI's
// `train forecast` would. onProgress (optional) is called with (stage, fraction).
// The table's series as the forecast trainer reads it (its roles and reading options).
fc::series::BuildResult training_series(const RawTable& table) {
  if (!table.options().roles.leads.empty() && table.options().rows == fc::series::RowMeaning::kEvents)
    throw fc::Error("rows counted as events cannot also have a leads column");
  return fc::series::build(table.table(), table.options());
}

val raw_train_forecast(const RawTable& table, std::string options, val on_progress) {
  return guarded([&] {
    const auto r = train_request(fc::api::train_forecast_fields(), options);
    return trained(fc::api::train_forecast(training_series(table), r, progress_of(on_progress)));
  });
}

// The forecasters that training compares, in its order (names, for the candidates below).
val raw_forecast_candidates(const RawTable& table, std::string options) {
  return guarded([&] {
    const auto r = train_request(fc::api::train_forecast_fields(), options);
    val names = val::array();
    for (const std::string& n : fc::api::train_forecast_candidates(training_series(table), r)) names.call<void>("push", n);
    return names;
  });
}

// One candidate's cross-validation alone (the page's workers share the candidates):
// {candidate: k, name, bytes: Uint8Array}, the bytes for raw_train_forecast_candidates.
val raw_train_forecast_candidate(const RawTable& table, std::string options, int k, val on_progress) {
  return guarded([&] {
    if (k < 0) throw fc::Error("candidate must be a number from 0");
    const auto r = train_request(fc::api::train_forecast_fields(), options);
    const fc::forecast::CandidateRun c =
        fc::api::train_forecast_candidate(training_series(table), r, static_cast<size_t>(k), progress_of(on_progress));
    val o = val::object();
    o.set("candidate", k);
    o.set("name", c.name);
    o.set("bytes", copy_array("Uint8Array", reinterpret_cast<const uint8_t*>(c.bytes.data()), c.bytes.size()));
    return o;
  });
}

// The training with every candidate's bytes given (checked by api.js for their types, by
// the core for what they are): the same model bytes as raw_train_forecast.
val raw_train_forecast_candidates(const RawTable& table, std::string options, val candidates, val on_progress) {
  return guarded([&] {
    const auto r = train_request(fc::api::train_forecast_fields(), options);
    std::vector<std::string> given;
    const size_t n = candidates["length"].as<size_t>();
    for (size_t k = 0; k < n; ++k) {
      const std::vector<uint8_t> b = emscripten::convertJSArrayToNumberVector<uint8_t>(candidates[k]["bytes"]);
      given.emplace_back(b.begin(), b.end());
    }
    return trained(fc::api::train_forecast(training_series(table), r, given, progress_of(on_progress)));
  });
}

// The outcome guess of `funnelcast train score` without --target (scoring/outcome.hpp):
// {column: the certain guess or null, certain, candidates: [{name, reason, positive,
// positive_rate, values, rank}], best first}.
val raw_guess_outcome(const RawTable& table) {
  return guarded([&] {
    const fc::scoring::OutcomeGuess g = fc::scoring::guess_outcome(table.table());
    val o = val::object();
    o.set("column", g.certain ? val(g.candidates.front().column) : val::null());
    o.set("certain", g.certain);
    val candidates = val::array();
    for (const auto& c : g.candidates) {
      val x = val::object();
      x.set("name", c.column);
      x.set("reason", c.why);
      x.set("positive", c.positive.empty() ? val::null() : val(c.positive));
      x.set("positive_rate", number_or_null(c.positive_rate));
      x.set("values", static_cast<double>(c.values));
      x.set("rank", c.rank);
      candidates.call<void>("push", x);
    }
    o.set("candidates", candidates);
    return o;
  });
}

// Trains a scoring model on the table as `funnelcast train score` would.
val raw_train_score(const RawTable& table, std::string options, val on_progress) {
  return guarded([&] {
    const auto r = train_request(fc::api::train_score_fields(), options);
    return trained(fc::api::train_score(table.table(), r, progress_of(on_progress)));
  });
}

// One fold of that training's cross-validation alone (the page's workers run the folds
// apart): {fold, best, rows: Uint32Array, oof: Float64Array, oofLogistic: Float64Array}.
val raw_train_score_fold(const RawTable& table, std::string options, int fold, val on_progress) {
  return guarded([&] {
    const auto r = train_request(fc::api::train_score_fields(), options);
    const fc::scoring::FoldResult f = fc::api::train_score_fold(table.table(), r, fold, progress_of(on_progress));
    val o = val::object();
    o.set("fold", f.fold);
    o.set("best", f.best);
    o.set("rows", copy_array("Uint32Array", f.rows.data(), f.rows.size()));
    o.set("oof", f64(f.oof));
    o.set("oofLogistic", f64(f.oof_logistic));
    return o;
  });
}

// The training with every fold's result given (raw_train_score_fold's, checked by api.js's
// trainScore for their types): the same model bytes as raw_train_score.
val raw_train_score_folds(const RawTable& table, std::string options, val folds, val on_progress) {
  return guarded([&] {
    const auto r = train_request(fc::api::train_score_fields(), options);
    std::vector<fc::scoring::FoldResult> given;
    const size_t n = folds["length"].as<size_t>();
    for (size_t k = 0; k < n; ++k) {
      const val x = folds[k];
      fc::scoring::FoldResult f;
      f.fold = x["fold"].as<int>();
      f.best = x["best"].as<int>();
      f.rows = emscripten::convertJSArrayToNumberVector<uint32_t>(x["rows"]);
      f.oof = emscripten::convertJSArrayToNumberVector<double>(x["oof"]);
      f.oof_logistic = emscripten::convertJSArrayToNumberVector<double>(x["oofLogistic"]);
      given.push_back(std::move(f));
    }
    return trained(fc::api::train_score(table.table(), r, given, progress_of(on_progress)));
  });
}
#endif  // FC_WASM_TRAINING

// The registry of roles and metrics, so the page builds its selectors from the core's list.
val raw_registry() {
  return guarded([] { return json_to_js(fc::api::registry()); });
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
      .function("loadFor", &RawTable::load_for)
      .function("schema", &RawTable::schema)
      .function("setRoles", &RawTable::set_roles)
      .function("channels", &RawTable::channels)
      .function("series", &RawTable::series);
  emscripten::class_<RawModel>("RawModel")
      .constructor<>()
      .function("load", &RawModel::load)
      .function("header", &RawModel::header);
  emscripten::function("rawForecast", &raw_forecast);
  emscripten::function("rawModelFits", &raw_model_fits);
  emscripten::function("rawKpis", &raw_kpis);
  emscripten::function("rawAnomalies", &raw_anomalies);
#ifdef FC_WASM_TRAINING
  emscripten::function("rawTrainForecast", &raw_train_forecast);
  emscripten::function("rawForecastCandidates", &raw_forecast_candidates);
  emscripten::function("rawTrainForecastCandidate", &raw_train_forecast_candidate);
  emscripten::function("rawTrainForecastCandidates", &raw_train_forecast_candidates);
  emscripten::function("rawTrainScore", &raw_train_score);
  emscripten::function("rawTrainScoreFold", &raw_train_score_fold);
  emscripten::function("rawTrainScoreFolds", &raw_train_score_folds);
  emscripten::function("rawGuessOutcome", &raw_guess_outcome);
#endif
  emscripten::function("rawScore", &raw_score);
  emscripten::function("rawDrift", &raw_drift);
  emscripten::function("rawMonitor", &raw_monitor);
  emscripten::function("rawRegistry", &raw_registry);
  emscripten::function("rawVersion", &raw_version);
  emscripten::function("rawMemory", &raw_memory);
}
