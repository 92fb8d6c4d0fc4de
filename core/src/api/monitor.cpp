#include "funnelcast/api/monitor.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <exception>
#include <map>
#ifndef __EMSCRIPTEN__
#include <thread>
#endif

#include "funnelcast/api/anomalies.hpp"
#include "funnelcast/base/error.hpp"
#include "funnelcast/schema/registry.hpp"
#include "funnelcast/time/time.hpp"

namespace fc::api {
namespace {

using json = nlohmann::json;

// Flags at most this many intervals apart (one unflagged interval between) are one incident.
constexpr size_t kJoinGap = 2;

std::string number(double v) {
  if (!std::isfinite(v)) return "none";
  char buf[64];
  std::snprintf(buf, sizeof buf, std::fabs(v) >= 100 ? "%.0f" : std::fabs(v) >= 10 ? "%.1f" : "%.2f", v);
  return buf;
}

const char* direction_word(int8_t d) { return d > 0 ? "spike" : d < 0 ? "drop" : ""; }

std::string scope_name(const std::string& channel) { return channel.empty() ? "total" : channel; }

// One (scope, KPI) judged over the whole grid.
struct Check {
  size_t scope = 0;
  anomaly::Input input;
  anomaly::Result result;
};

// A flagged interval of one check, or (check = kNoCheck) a missing interval of one scope.
constexpr size_t kNoCheck = static_cast<size_t>(-1);
struct Event {
  size_t i = 0;
  size_t check = 0;
  size_t scope = 0;
};

// The scopes: the total and every channel, or the one channel asked for.
std::vector<const series::Series*> scopes_of(const series::BuildResult& data, const MonitorRequest& r,
                                             std::vector<std::string>& notices) {
  if (!r.channel.empty()) return {&series::select(data, r.channel)};
  std::vector<const series::Series*> out = {&data.total};
  if (data.channels.size() > kMonitorMaxChannels) {
    notices.push_back("the file has " + std::to_string(data.channels.size()) + " channels: only the total is checked (each channel is checked up to " +
                      std::to_string(kMonitorMaxChannels) + "; use --channel NAME for one)");
    return out;
  }
  for (const auto& c : data.channels) out.push_back(&c);
  return out;
}

// Data for interval i: a row fell in it and its leads are not blank. (A channel without a
// row where other channels have one reads as 0 leads and 0 spend in its series.)
bool known(const series::Series& s, size_t i) {
  return i < s.size() && std::isfinite(s.leads[i]) && (s.observed.empty() || s.observed[i]);
}

// Why an incident happened, from what moved in it.
std::string cause_of(const std::vector<Movement>& kpis, const std::vector<Check>& checks,
                     const std::vector<const series::Series*>& scopes, const std::vector<size_t>& check_of,
                     size_t first, size_t last) {
  // Tracking lost: in one scope, leads at 0 for two or more intervals of the incident while
  // spend went on as usual (the pixel or the form stopped reporting, the ads did not).
  for (size_t s = 0; s < scopes.size(); ++s) {
    const series::Series& sc = *scopes[s];
    if (sc.spend.empty()) continue;
    size_t silent = 0;
    for (size_t i = first; i <= last && i < sc.size(); ++i)
      if (sc.leads[i] == 0 && sc.spend[i] > 0) ++silent;
    bool moved = false, spend_fell = false;
    for (size_t k = 0; k < kpis.size(); ++k) {
      if (checks[check_of[k]].scope != s) continue;
      if (kpis[k].metric == "leads" || kpis[k].cause == "leads" || kpis[k].cause == "both") moved = true;
      if (kpis[k].metric == "spend" && kpis[k].direction < 0) spend_fell = true;  // a budget cut, not tracking
    }
    if (moved && !spend_fell && silent >= 2) return "tracking lost";
  }
  // The base KPIs that moved, with their direction where a KPI of their own says it (0 when
  // only a ratio's cause names them).
  // A ratio whose parts both moved ("both": they did not move in proportion) names both.
  struct Part {
    std::string name;
    int direction = 0;
    bool named = false;  // never read as following the part above
  };
  std::vector<Part> parts;
  bool mix = false;
  const auto add = [&](const std::string& p, int direction, bool named) {
    for (Part& x : parts)
      if (x.name == p) {
        if (x.direction == 0) x.direction = direction;
        x.named = x.named || named;
        return;
      }
    parts.push_back({p, direction, named});
  };
  for (size_t k = 0; k < kpis.size(); ++k) {
    const Movement& m = kpis[k];
    const anomaly::Input& in = checks[check_of[k]].input;
    if (in.kind != anomaly::Kind::kRatio) add(m.metric, m.direction, false);
    else if (m.cause == "both") add(in.exposure_name, 0, true), add(in.quantity_name, 0, true);
    else if (m.cause == "mix" || m.cause.empty()) mix = true;
    else add(m.cause, 0, false);
  }
  // Down the funnel (spend -> clicks -> leads -> revenue) a part that moved the same way as
  // one above it followed it: leads and revenue falling together is a fall of leads; spend
  // up and leads down are both named.
  static const char* const kFunnel[] = {"spend", "clicks", "leads", "revenue"};
  std::string out;
  int above = 0;  // the direction of the nearest part above that moved (0: none, or unknown)
  bool any_above = false;
  for (const char* name : kFunnel) {
    const auto it = std::find_if(parts.begin(), parts.end(), [&](const Part& p) { return p.name == name; });
    if (it == parts.end()) continue;
    // Directions known on both sides decide; else a part a ratio named beside the one above
    // ("both") stands on its own, and any other follows.
    const bool known = it->direction != 0 && above != 0;
    const bool follows = any_above && (known ? it->direction == above : !it->named);
    if (!follows) out += (out.empty() ? "" : " and ") + std::string(name);
    any_above = true;
    above = it->direction;
  }
  return out.empty() ? (mix ? "mix" : "") : out;
}

std::string movement_text(const Movement& m) {
  std::string t = m.label + (m.channel.empty() ? "" : " (" + m.channel + ")") + " " + number(m.value) + " against " +
                  number(m.expected) + " expected";
  if (std::isfinite(m.value) && std::isfinite(m.expected) && m.expected > 0 && m.value >= 0) {
    char buf[32];
    const double ratio = m.value / m.expected;
    std::snprintf(buf, sizeof buf, ratio >= 10 || ratio == 0 ? " (%.0fx)" : " (%.1fx)", ratio);
    t += buf;
  }
  return t;
}

std::string cause_phrase(const std::string& cause) {
  if (cause == "tracking lost") return "tracking lost: no leads while spend went on";
  if (cause == "data missing") return "data missing";
  if (cause == "mix") return "the ratio moved, neither part alone";
  if (cause.empty()) return "moved";
  return cause + " moved";
}

// The time the data should reach: the asked time when it is after the file's end, else the end.
int64_t until_of(const MonitorRequest& r, int64_t end) {
  if (r.until.empty()) return end;
  int64_t t = 0;
  if (r.until_time != 0)
    t = r.until_time;
  else if (!time::parse_timestamp(r.until, t))
    throw Error("until: expected a timestamp such as 2025-03-01 14:00, found '" + r.until + "'");
  return t > end ? t : end;
}

// Every KPI of every scope judged. Adds the scopes to out.channels, the KPIs judged to
// out.metrics (in order of first appearance) and a notice for each KPI that could not be.
// Natively the checks (independent of each other) run on up to r.threads threads; the
// result is assembled in scope and metric order, so it is the same for any count.
std::vector<Check> judge_all(const std::vector<const series::Series*>& scopes,
                             const MonitorRequest& r, MonitorResult& out) {
  struct Job {
    size_t scope;
    const schema::MetricDef* metric;
    Check check;
    std::string error;  // a fc::Error's message: the KPI is not checked
    std::exception_ptr failure;  // anything else: rethrown
  };
  std::vector<Job> jobs;
  for (size_t s = 0; s < scopes.size(); ++s) {
    out.channels.push_back(scopes[s]->channel);
    for (const schema::MetricDef* m : series::available_metrics(*scopes[s])) jobs.push_back({s, m, {}, {}, {}});
  }
  auto run = [&](Job& job) {
    try {
      job.check.scope = job.scope;
      job.check.input = anomaly::metric_input(*scopes[job.scope], job.metric->name);
      job.check.result = anomaly::detect(job.check.input, r.options);
    } catch (const Error& e) {
      job.error = e.what();
    } catch (...) {
      job.failure = std::current_exception();
    }
  };
  const size_t threads = std::min<size_t>(static_cast<size_t>(std::max(r.threads, 1)), jobs.size());
  // The detectors' fits that do not depend on the threshold (leads for the leads KPI, for
  // CPL's quantity and for its part; spend for its KPI and as CPL's and ROI's exposure) are
  // made once per channel: kept while the checks run, for all channels at once on threads,
  // else one channel at a time (the jobs are in channel order). (Not in the browser bundle:
  // it is at its size budget.)
#ifndef __EMSCRIPTEN__
  const auto sequential = [&] {
    for (size_t k = 0; k < jobs.size();) {
      const anomaly::SharedWorkScope shared;
      const size_t s = jobs[k].scope;
      for (; k < jobs.size() && jobs[k].scope == s; ++k) run(jobs[k]);
    }
  };
  if (threads > 1) {
    const anomaly::SharedWorkScope shared;
    std::atomic<size_t> next{0};
    auto worker = [&] {
      for (size_t k; (k = next.fetch_add(1)) < jobs.size();) run(jobs[k]);
    };
    std::vector<std::thread> pool;
    for (size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
  } else {
    sequential();
  }
#else
  (void)threads;  // the wasm build has no threads
  for (Job& job : jobs) run(job);
#endif
  std::vector<Check> checks;
  for (Job& job : jobs) {
    if (job.failure) std::rethrow_exception(job.failure);
    if (!job.error.empty()) {
      out.notices.push_back(scope_name(scopes[job.scope]->channel) + ": " + job.metric->label + " not checked: " + job.error);
      continue;
    }
    if (std::find(out.metrics.begin(), out.metrics.end(), job.metric->name) == out.metrics.end())
      out.metrics.push_back(job.metric->name);
    checks.push_back(std::move(job.check));
  }
  return checks;
}

std::vector<std::string> in_registry_order(const std::vector<std::string>& metrics) {
  std::vector<std::string> ordered;
  for (const auto& m : schema::metrics())
    if (std::find(metrics.begin(), metrics.end(), m.name) != metrics.end())
      ordered.push_back(m.name);
  return ordered;
}

// Missing data: the total's gaps inside the checked period, and every scope whose data
// stops before `until` (a channel only when it stopped before the total did), which is
// added to out.silent too.
std::vector<Event> missing_events(const std::vector<const series::Series*>& scopes,
                                  MonitorResult& out) {
  std::vector<Event> events;
  const size_t n = out.size;
  const size_t extra = out.until > out.time(n) ? static_cast<size_t>((out.until - out.time(n)) / out.step) : 0;
  std::vector<size_t> last_known(scopes.size(), n);  // n = no data at all
  for (size_t s = 0; s < scopes.size(); ++s)
    for (size_t i = n; i > 0; --i)
      if (known(*scopes[s], i - 1)) {
        last_known[s] = i - 1;
        break;
      }
  const size_t total_last = last_known.front();
  for (size_t i = out.checked_from; total_last < n && i < total_last; ++i)
    if (i > 0 && !known(*scopes.front(), i) && known(*scopes.front(), i - 1))
      for (size_t j = i; j < total_last && !known(*scopes.front(), j); ++j) events.push_back({j, kNoCheck, 0});
  for (size_t s = 0; s < scopes.size(); ++s) {
    const size_t last = last_known[s];
    if (last == n || (s > 0 && total_last < n && last >= total_last)) continue;
    const size_t missing = n - 1 - last + extra;
    if (missing == 0) continue;
    out.silent.emplace_back(scopes[s]->channel, out.time(last + 1));
    for (size_t i = last + 1; i <= last + missing; ++i) events.push_back({i, kNoCheck, s});
  }
  return events;
}

// One more flagged interval i of check c for its KPI's movement, which keeps the interval
// with the highest score as its peak.
void count_flag(Movement& m, const Check& c, const std::string& channel, size_t i) {
  const anomaly::Result& a = c.result;
  if (m.flagged == 0 || a.score[i] > m.score) {
    m.channel = channel;
    m.metric = a.metric;
    m.label = a.label;
    m.peak = i;
    m.value = a.value[i];
    m.expected = a.expected[i];
    m.score = a.score[i];
    m.direction = a.direction[i];
    m.cause = a.cause.empty() ? "" : anomaly::cause_name(a.cause[i], c.input);
  }
  ++m.flagged;
}

// The incident of events [e, f), from events[e].i to last: its scopes, each KPI's movement
// (in check order), the highest score and the cause.
Incident incident_of(const std::vector<Event>& events, size_t e, size_t f, size_t last,
                     const std::vector<Check>& checks,
                     const std::vector<const series::Series*>& scopes) {
  Incident inc;
  inc.first = events[e].i;
  inc.last = last;
  bool missing = false;
  std::map<size_t, Movement> by_check;
  std::vector<size_t> seen;  // scopes, in order of appearance
  for (size_t k = e; k < f; ++k) {
    if (std::find(seen.begin(), seen.end(), events[k].scope) == seen.end())
      seen.push_back(events[k].scope);
    if (events[k].check == kNoCheck) {
      missing = true;
      continue;
    }
    const Check& c = checks[events[k].check];
    count_flag(by_check[events[k].check], c, scopes[c.scope]->channel, events[k].i);
  }
  std::sort(seen.begin(), seen.end());
  for (size_t s : seen) inc.channels.push_back(scopes[s]->channel);
  std::vector<size_t> check_of;
  for (auto& [c, m] : by_check) {
    check_of.push_back(c);
    inc.kpis.push_back(m);
    inc.score = std::max(inc.score, m.score);
  }
  inc.cause =
      missing ? "data missing" : cause_of(inc.kpis, checks, scopes, check_of, inc.first, inc.last);
  return inc;
}

// The cause, where, and what moved most (the three highest scores, then how many more).
std::string summary_of(const Incident& inc) {
  std::string what;
  std::vector<const Movement*> top;
  for (const Movement& m : inc.kpis) top.push_back(&m);
  std::sort(top.begin(), top.end(), [](const Movement* a, const Movement* b) {
    return a->score != b->score ? a->score > b->score : a < b;  // ties: in kpis' order
  });
  for (size_t k = 0; k < top.size() && k < 3; ++k)
    what += (what.empty() ? "" : ", ") + movement_text(*top[k]);
  if (top.size() > 3) what += " and " + std::to_string(top.size() - 3) + " more";
  std::string where;
  for (const auto& c : inc.channels) where += (where.empty() ? "" : ", ") + scope_name(c);
  return cause_phrase(inc.cause) + (where.empty() ? "" : " (" + where + ")") +
         (what.empty() ? "" : ": " + what);
}

}  // namespace

const std::vector<Field<MonitorRequest>>& monitor_fields() {
  using R = MonitorRequest;
  const Edge cli = Edge::kCli;
  static const std::vector<Field<R>> fields = with_fields<R>(
      {
          {option("data", FieldType::kText, "FILE", "the CSV to check").only(cli),
           [](R& r, const json& v) { r.data = v.get<std::string>(); }},
          {option("channel", FieldType::kText, "NAME",
                  "that channel alone (default: the total and every channel)"),
           [](R& r, const json& v) { r.channel = v.get<std::string>(); }},
      },
      detector_fields<R>("14d"),
      {
          {option("until", FieldType::kText, "TIME",
                  "the time the data should reach: an interval between the file's end and it\n"
                  "is missing (\"now\" on the command line: the clock; default: the file's end)"),
           [](R& r, const json& v) { r.until = v.get<std::string>(); }},
          {option("csv", FieldType::kFlag, "", "the incidents as CSV text too (the CLI's --out)")
               .only(Edge::kJs),
           [](R& r, const json& v) { r.csv = v.get<bool>(); }},
          {option("json", FieldType::kFlag, "",
                  "JSON: the settings and every incident with what moved")
               .only(cli),
           [](R& r, const json& v) { r.json = v.get<bool>(); }},
          {option("out", FieldType::kText, "FILE.csv",
                  "one row per incident: start, end, channels, cause, KPIs, summary")
               .only(cli),
           [](R& r, const json& v) { r.out = v.get<std::string>(); }},
      },
      alert_fields<R>(
          "exit code 3 when an incident touches the last --last, or data stopped early"),
      {
          {option("threads", FieldType::kInteger, "N",
                  "threads for the checks (the incidents are the same for any count)")
               .or_else("2")
               .within(1, 256)
               .only(cli),
           [](R& r, const json& v) { r.threads = v.get<int>(); }},
      });
  return fields;
}

MonitorResult monitor(const series::BuildResult& data, const MonitorRequest& r) {
  MonitorResult out;
  out.source = data.source;
  out.start = data.total.start;
  out.step = data.total.step;
  out.size = data.total.size();
  out.method = r.options.method;
  out.until = until_of(r, out.time(out.size));
  const std::vector<const series::Series*> scopes = scopes_of(data, r, out.notices);

  const std::vector<Check> checks = judge_all(scopes, r, out);
  if (checks.empty())
    throw Error(data.source + ": no KPI could be checked" +
                (out.notices.empty() ? std::string() : " (" + out.notices.front() + ")"));
  out.threshold = checks.front().result.threshold;
  out.checked_from = checks.front().result.checked_from;
  out.metrics = in_registry_order(out.metrics);

  // Flagged intervals and missing ones, in time order, gathered into incidents.
  std::vector<Event> events = missing_events(scopes, out);
  for (size_t c = 0; c < checks.size(); ++c)
    for (size_t i = out.checked_from; i < checks[c].result.size(); ++i)
      if (checks[c].result.flagged[i]) events.push_back({i, c, checks[c].scope});
  // By interval; within one, the order does not change the incident (incident_of sorts the
  // scopes and keeps the KPIs by check), so a plain sort with a full tie-break keeps the result
  // deterministic.
  std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    return a.i != b.i ? a.i < b.i : a.check != b.check ? a.check < b.check : a.scope < b.scope;
  });
  for (size_t e = 0; e < events.size();) {
    size_t last = events[e].i, f = e;
    while (f < events.size() && events[f].i <= last + kJoinGap) last = std::max(last, events[f++].i);
    out.incidents.push_back(incident_of(events, e, f, last, checks, scopes));
    e = f;
  }
  for (Incident& inc : out.incidents) {
    if (inc.last + 1 >= out.size) inc.ongoing = true;
    inc.summary = summary_of(inc);
  }
  return out;
}

json monitor_json(const MonitorResult& m, const MonitorRequest& r) {
  json incidents = json::array();
  for (const Incident& inc : m.incidents) {
    json kpis = json::array();
    for (const Movement& k : inc.kpis) {
      const double ratio = std::isfinite(k.value) && std::isfinite(k.expected) && k.expected > 0 && k.value >= 0
                               ? k.value / k.expected
                               : NAN;
      kpis.push_back({{"channel", k.channel},
                      {"metric", k.metric},
                      {"label", k.label},
                      {"flagged", k.flagged},
                      {"time", m.time(k.peak)},
                      {"timestamp", time::format_timestamp(m.time(k.peak))},
                      {"value", number_or_null(k.value)},
                      {"expected", number_or_null(k.expected)},
                      {"ratio", number_or_null(ratio)},
                      {"score", number_or_null(k.score)},
                      {"direction", direction_word(k.direction)},
                      {"cause", k.cause}});
    }
    incidents.push_back({{"start", m.time(inc.first)},
                         {"end", m.time(inc.last + 1)},
                         {"start_time", time::format_timestamp(m.time(inc.first))},
                         {"end_time", time::format_timestamp(m.time(inc.last + 1))},
                         {"ongoing", inc.ongoing},
                         {"cause", inc.cause},
                         {"summary", inc.summary},
                         {"channels", inc.channels},
                         {"score", inc.score},
                         {"kpis", kpis}});
  }
  json silent = json::array();
  for (const auto& [channel, since] : m.silent)
    silent.push_back({{"channel", channel}, {"since", since}, {"timestamp", time::format_timestamp(since)}});
  json j = {{"source", m.source},
          {"method", m.method},
          {"threshold", m.threshold},
          {"lookback", r.options.lookback.count == 0 ? "all" : anomaly::span_text(r.options.lookback)},
          {"start", m.start},
          {"interval_seconds", m.step},
          {"size", m.size},
          {"checked_from", m.time(m.checked_from)},
          {"until", m.until},
          {"metrics", m.metrics},
          {"channels", m.channels},
          {"silent", silent},
          {"notices", m.notices},
          {"incidents", incidents}};
  if (r.csv) j["csv"] = monitor_csv(m);
  return j;
}

std::string monitor_csv(const MonitorResult& m) {
  const auto quoted = [](const std::string& s) {
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  };
  std::string out = "start,end,channels,cause,kpis,summary\n";
  for (const Incident& inc : m.incidents) {
    std::string channels, kpis;
    for (const auto& c : inc.channels) channels += (channels.empty() ? "" : ";") + scope_name(c);
    for (const auto& k : inc.kpis)
      kpis += (kpis.empty() ? "" : ";") + (k.channel.empty() ? "" : k.channel + ":") + k.metric;
    out += time::format_timestamp(m.time(inc.first)) + "," + time::format_timestamp(m.time(inc.last + 1)) + "," +
           quoted(channels) + "," + quoted(inc.cause) + "," + quoted(kpis) + "," + quoted(inc.summary) + "\n";
  }
  return out;
}

std::string monitor_text(const MonitorResult& m) {
  std::string out;
  for (const Incident& inc : m.incidents)
    out += time::format_timestamp(m.time(inc.first)) + " to " +
           (inc.ongoing && inc.last + 1 >= m.size ? std::string("now  ") : time::format_timestamp(m.time(inc.last + 1))) +
           "  " + inc.summary + "\n";
  return out;
}

}  // namespace fc::api
