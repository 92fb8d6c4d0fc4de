// The one list of column roles and marketing metrics. Role detection, the series
// builder, KPIs, anomaly detection, the CLI's flags and help, and the web page's
// selectors (through wasm) all read these tables; nothing else lists them.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fc::schema {

// The column that plays each role; "" = none. "-" (given by a caller) means "the data has
// no such column": the role is then never detected.
struct Roles {
  std::string time, leads, spend, revenue, cpl, roi, channel, clicks;
};

enum class RoleKind {
  kTime,      // timestamps
  kCount,     // non-negative counts summed per interval (leads, clicks)
  kAmount,    // money summed per interval (spend, revenue)
  kRatio,     // a per-row ratio turned into an amount (cpl -> spend, roi -> revenue)
  kCategory,  // any values; one series per value (channel)
};

struct RoleDef {
  const char* name;                  // "leads"
  const char* label;                 // "Leads"
  RoleKind kind;
  std::string Roles::*column;        // where a Roles holds its column
  bool non_negative;                 // a negative value is refused
  std::vector<const char*> synonyms; // normalized names (see normalize_name) that detect it
  const char* help;                  // one line for --help and the page
};

// Roles in detection order: a column claimed by an earlier role is not offered to a later one.
const std::vector<RoleDef>& roles();
const RoleDef* find_role(std::string_view name);  // nullptr when unknown

// Interval totals a metric is computed from. NaN = unknown (no such column, or missing).
struct Totals {
  double leads = 0, spend = 0, revenue = 0, clicks = 0;
};

enum class Good { kHigher, kLower };

struct MetricDef {
  const char* name;                // "cpl"
  const char* label;               // "CPL"
  const char* unit;                // "count", "money" or "ratio"
  Good good;                       // which direction is good news
  std::vector<const char*> needs;  // the summed roles it needs: leads, spend, revenue, clicks
  const char* formula;             // "spend / leads"
  const char* help;
  // The metric from interval totals: undefined (NaN) where its denominator is 0 or an
  // input is unknown, never infinity.
  double (*evaluate)(const Totals& t);
};

// The KPIs and anomaly metrics, in display order: leads, spend, revenue, clicks, cpl, roi,
// conversion.
const std::vector<MetricDef>& metrics();
const MetricDef* find_metric(std::string_view name);  // nullptr when unknown
// fc::Error "unknown metric 'x'; choose one of leads, spend, ..." when unknown.
const MetricDef& metric(std::string_view name);
std::string metric_names();  // "leads, spend, revenue, clicks, cpl, roi, conversion"

// Lower case, without spaces, '_', '-' and '.': "Ad Spend" -> "adspend".
std::string normalize_name(std::string_view name);
// Words of a column name: "Marketing_Spend" -> {marketing, spend}, "adSpend" -> {ad, spend}.
std::vector<std::string> name_words(std::string_view name);

}  // namespace fc::schema
