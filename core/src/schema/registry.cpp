// The tables behind every role and metric. Synonyms are normalized names (lower case,
// no separators); detection first looks for a whole-name match, then for a name whose
// last word is a synonym (see roles.cpp), so "Marketing_Spend" finds spend.
#include "funnelcast/schema/registry.hpp"

#include <cmath>
#include <limits>

#include "funnelcast/base/error.hpp"
#include "funnelcast/base/math.hpp"

namespace fc::schema {
namespace {

double ratio(double numerator, double denominator) {
  if (std::isnan(numerator) || std::isnan(denominator) || denominator == 0) return kNaN;
  return numerator / denominator;
}

}  // namespace

const std::vector<RoleDef>& roles() {
  static const std::vector<RoleDef> kRoles = {
      {"time", "Time", RoleKind::kTime, &Roles::time, false,
       {"timestamp", "datetime", "date", "time", "hour", "ts", "createdat", "eventtime", "day"},
       "when the row happened (hour, day or exact time)"},
      {"leads", "Leads", RoleKind::kCount, &Roles::leads, true,
       {"leads", "lead", "conversions", "signups", "signup", "responses", "leadcount", "nleads",
        "numleads", "registrations"},
       "leads (conversions) counted in the row; without it, each row can be one lead (--events)"},
      {"spend", "Spend", RoleKind::kAmount, &Roles::spend, true,
       {"spend", "cost", "adspend", "amountspent", "mediaspend", "spent", "costs"},
       "money spent on ads in the row"},
      {"revenue", "Revenue", RoleKind::kAmount, &Roles::revenue, false,
       {"revenue", "sales", "income", "turnover"},
       "revenue attributed to the row (may be negative: refunds)"},
      {"cpl", "CPL", RoleKind::kRatio, &Roles::cpl, true, {"cpl", "costperlead"},
       "cost per lead of the row; spend is derived as cpl x leads when there is no spend column"},
      {"roi", "ROI", RoleKind::kRatio, &Roles::roi, false, {"roi", "returnoninvestment"},
       "return on investment of the row; revenue is derived as spend x (1 + roi) when there is "
       "no revenue column"},
      {"channel", "Channel", RoleKind::kCategory, &Roles::channel, false,
       {"channel", "source", "campaign", "medium", "utmsource", "platform", "network"},
       "the channel or campaign of the row; every value gets its own series"},
      // Last, so adding it cannot take a column any older role would have claimed.
      {"clicks", "Clicks", RoleKind::kCount, &Roles::clicks, true,
       {"clicks", "sessions", "visits", "visitors", "sitevisits", "websitevisits", "traffic",
        "websitetraffic"},
       "traffic (clicks, sessions, visits): the denominator of the conversion rate"},
  };
  return kRoles;
}

const RoleDef* find_role(std::string_view name) {
  for (const auto& r : roles())
    if (name == r.name) return &r;
  return nullptr;
}

const std::vector<MetricDef>& metrics() {
  static const std::vector<MetricDef> kMetrics = {
      {"leads", "Leads", "count", Good::kHigher, {"leads"}, "leads", "leads in the interval",
       [](const Totals& t) { return t.leads; }},
      {"spend", "Spend", "money", Good::kLower, {"spend"}, "spend", "ad spend in the interval",
       [](const Totals& t) { return t.spend; }},
      {"revenue", "Revenue", "money", Good::kHigher, {"revenue"}, "revenue",
       "revenue in the interval", [](const Totals& t) { return t.revenue; }},
      {"clicks", "Clicks", "count", Good::kHigher, {"clicks"}, "clicks",
       "traffic (clicks, sessions, visits) in the interval",
       [](const Totals& t) { return t.clicks; }},
      {"cpl", "CPL", "money", Good::kLower, {"spend", "leads"}, "spend / leads",
       "cost per lead; undefined when there are no leads",
       [](const Totals& t) { return ratio(t.spend, t.leads); }},
      {"roi", "ROI", "ratio", Good::kHigher, {"revenue", "spend"}, "(revenue - spend) / spend",
       "return on ad spend minus one; undefined when nothing was spent",
       [](const Totals& t) { return ratio(t.revenue - t.spend, t.spend); }},
      {"conversion", "Conversion rate", "ratio", Good::kHigher, {"leads", "clicks"},
       "leads / clicks", "leads per click (session, visit); undefined without traffic",
       [](const Totals& t) { return ratio(t.leads, t.clicks); }},
  };
  return kMetrics;
}

const MetricDef* find_metric(std::string_view name) {
  for (const auto& m : metrics())
    if (name == m.name) return &m;
  return nullptr;
}

std::string metric_names() {
  std::string out;
  for (const auto& m : metrics()) out += (out.empty() ? "" : ", ") + std::string(m.name);
  return out;
}

const MetricDef& metric(std::string_view name) {
  if (const MetricDef* m = find_metric(name)) return *m;
  throw Error("unknown metric '" + std::string(name) + "'; choose one of " + metric_names());
}

std::string normalize_name(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (char c : name) {
    if (c == ' ' || c == '_' || c == '-' || c == '.') continue;
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out;
}

std::vector<std::string> name_words(std::string_view name) {
  std::vector<std::string> out;
  std::string word;
  auto flush = [&] {
    if (!word.empty()) out.push_back(word);
    word.clear();
  };
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool upper = c >= 'A' && c <= 'Z', lower = c >= 'a' && c <= 'z', digit = c >= '0' && c <= '9';
    if (!upper && !lower && !digit && !(static_cast<unsigned char>(c) >= 0x80)) {
      flush();
      continue;
    }
    // camelCase boundary: "adSpend" -> ad | spend (but "CPL" stays one word).
    if (upper && !word.empty() && i > 0 && name[i - 1] >= 'a' && name[i - 1] <= 'z') flush();
    word.push_back(upper ? static_cast<char>(c - 'A' + 'a') : c);
  }
  flush();
  return out;
}

}  // namespace fc::schema
