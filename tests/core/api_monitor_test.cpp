// The funnel monitor: incidents gathered across KPIs and channels, each reported once with
// its cause, on a two-channel Poisson funnel with known injections; data that stops early
// (a channel, or the whole file before `until`) as an ongoing "data missing" incident.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "cli_run.hpp"
#include "funnelcast/api/monitor.hpp"
#include "funnelcast/base/error.hpp"

#include "test_support.hpp"

namespace {

using fc::testing::k2024;

namespace api = fc::api;
namespace series = fc::series;

constexpr size_t kHours = 30 * 24;

// One channel: Poisson leads at 15 an hour, spend $10 a lead expected (steady), every
// interval observed.
series::Series channel(const std::string& name, uint32_t seed) {
  std::mt19937 rng(seed);
  std::poisson_distribution<int> pois(15);
  series::Series s;
  s.channel = name;
  s.start = k2024;
  for (size_t i = 0; i < kHours; ++i) {
    s.leads.push_back(pois(rng));
    s.spend.push_back(150);
    s.observed.push_back(1);
  }
  return s;
}

series::BuildResult funnel(std::vector<series::Series> channels) {
  series::BuildResult d;
  d.source = "funnel.csv";
  d.total.start = k2024;
  d.total.leads.assign(kHours, 0);
  d.total.spend.assign(kHours, 0);
  d.total.observed.assign(kHours, 0);
  for (const auto& c : channels)
    for (size_t i = 0; i < kHours; ++i) {
      if (!c.observed[i]) continue;
      d.total.leads[i] += c.leads[i];
      d.total.spend[i] += c.spend[i];
      d.total.observed[i] = 1;
    }
  d.channels = std::move(channels);
  return d;
}

const api::Incident* incident_at(const api::MonitorResult& m, size_t i) {
  for (const auto& inc : m.incidents)
    if (inc.first <= i && i <= inc.last) return &inc;
  return nullptr;
}

bool has(const std::vector<std::string>& v, const std::string& x) {
  for (const auto& s : v)
    if (s == x) return true;
  return false;
}

TEST(Monitor, EachInjectionIsOneIncidentWithItsCause) {
  series::Series a = channel("a", 11), b = channel("b", 12);
  // Tracking lost in channel a: 0 leads for 3 hours while its spend goes on. P(Poisson(15)
  // = 0) = e^-15 = 3.1e-7 an hour, far beyond the 5e-5 flag level.
  for (size_t i = 600; i < 603; ++i) a.leads[i] = 0;
  // A runaway bid in channel b: spend x4 for 2 hours, leads as usual: CPL x4 with the
  // spend as its cause.
  for (size_t i = 650; i < 652; ++i) b.spend[i] *= 4;
  const series::BuildResult d = funnel({a, b});
  api::MonitorRequest r;
  const api::MonitorResult m = api::monitor(d, r);

  EXPECT_EQ(m.channels, (std::vector<std::string>{"", "a", "b"}));
  EXPECT_EQ(m.metrics, (std::vector<std::string>{"leads", "spend", "cpl"}));
  EXPECT_EQ(m.checked_from, kHours - 14 * 24);
  EXPECT_TRUE(m.silent.empty());

  const api::Incident* lost = incident_at(m, 601);
  ASSERT_NE(lost, nullptr);
  EXPECT_EQ(lost->cause, "tracking lost");
  EXPECT_LE(lost->first, 600u);
  EXPECT_GE(lost->last, 602u);
  EXPECT_LE(lost->last, 604u);  // at most the join gap past the injection
  EXPECT_TRUE(has(lost->channels, "a"));
  EXPECT_FALSE(has(lost->channels, "b"));
  bool leads_a = false;
  for (const auto& k : lost->kpis)
    if (k.channel == "a" && k.metric == "leads") {
      leads_a = true;
      EXPECT_EQ(k.value, 0);
      EXPECT_EQ(k.direction, -1);
      // The ensemble's expected value is seasonal's: a median of the same hour on 4 earlier
      // days (sd about 2.4 for Poisson(15)) times a level correction.
      EXPECT_NEAR(k.expected, 15, 5);
    }
  EXPECT_TRUE(leads_a);

  const api::Incident* bid = incident_at(m, 650);
  ASSERT_NE(bid, nullptr);
  EXPECT_EQ(bid->cause, "spend");
  EXPECT_TRUE(has(bid->channels, "b"));
  EXPECT_FALSE(has(bid->channels, "a"));
  bool cpl_b = false;
  for (const auto& k : bid->kpis)
    if (k.channel == "b" && k.metric == "cpl") {
      cpl_b = true;
      EXPECT_EQ(k.cause, "spend");
      EXPECT_EQ(k.direction, 1);
    }
  EXPECT_TRUE(cpl_b);
  EXPECT_NE(bid->summary.find("spend moved"), std::string::npos) << bid->summary;

  // Each injection once: no other incident covers those hours, and the JSON says the same.
  EXPECT_NE(lost, bid);
  const nlohmann::json j = api::monitor_json(m, r);
  ASSERT_EQ(j["incidents"].size(), m.incidents.size());
  size_t with_600 = 0;
  for (const auto& inc : j["incidents"])
    if (inc["start"].get<int64_t>() <= k2024 + 600 * 3600 && inc["end"].get<int64_t>() > k2024 + 600 * 3600) ++with_600;
  EXPECT_EQ(with_600, 1u);
}

TEST(Monitor, APartThatFollowsTheOneAboveItIsNotACause) {
  // A budget cut in channel a: spend at a fifteenth for 4 hours and leads with it (CPL as
  // usual; Poisson(15) <= 1 has p 5e-6). Leads fell because spend did: the cause is spend.
  series::Series a = channel("a", 41), b = channel("b", 42);
  std::mt19937 rng(43);
  std::poisson_distribution<int> cut_leads(1.0);
  for (size_t i = 640; i < 644; ++i) {
    a.spend[i] = 10;
    a.leads[i] = cut_leads(rng);
  }
  const api::MonitorResult m = api::monitor(funnel({a, b}), api::MonitorRequest{});
  const api::Incident* cut = incident_at(m, 641);
  ASSERT_NE(cut, nullptr);
  bool spend_a = false, leads_a = false;
  for (const auto& k : cut->kpis) {
    spend_a = spend_a || (k.channel == "a" && k.metric == "spend" && k.direction == -1);
    leads_a = leads_a || (k.channel == "a" && k.metric == "leads" && k.direction == -1);
  }
  EXPECT_TRUE(spend_a);
  EXPECT_TRUE(leads_a);
  EXPECT_EQ(cut->cause, "spend") << cut->summary;
}

TEST(Monitor, DataThatStopsIsAnOngoingIncident) {
  series::Series a = channel("a", 21), b = channel("b", 22);
  // Channel b sends no rows for the last 5 hours: its series reads 0 there, unobserved.
  for (size_t i = kHours - 5; i < kHours; ++i) {
    b.leads[i] = 0;
    b.spend[i] = 0;
    b.observed[i] = 0;
  }
  const series::BuildResult d = funnel({a, b});
  api::MonitorRequest r;
  api::MonitorResult m = api::monitor(d, r);
  ASSERT_EQ(m.silent.size(), 1u);
  EXPECT_EQ(m.silent[0].first, "b");
  EXPECT_EQ(m.silent[0].second, k2024 + static_cast<int64_t>(kHours - 5) * 3600);
  ASSERT_FALSE(m.incidents.empty());
  const api::Incident& last = m.incidents.back();
  EXPECT_EQ(last.cause, "data missing");
  EXPECT_TRUE(last.ongoing);
  EXPECT_EQ(last.first, kHours - 5);
  EXPECT_TRUE(has(last.channels, "b"));

  // The whole file ends 3 hours before `until`: the total is silent from its end, and the
  // channel that stopped earlier is still named (it stopped before the total did).
  r.until = "2024-01-31 03:00";
  m = api::monitor(d, r);
  ASSERT_EQ(m.silent.size(), 2u);
  EXPECT_EQ(m.silent[0].first, "");
  EXPECT_EQ(m.silent[0].second, k2024 + static_cast<int64_t>(kHours) * 3600);
  EXPECT_EQ(m.silent[1].first, "b");
  EXPECT_EQ(m.until, k2024 + static_cast<int64_t>(kHours + 3) * 3600);
  EXPECT_EQ(m.incidents.back().last, kHours + 2);

  r.until = "yesterday";
  EXPECT_THROW(api::monitor(d, r), fc::Error);
  r.until.clear();
  r.channel = "c";
  EXPECT_THROW(api::monitor(d, r), fc::Error);
}

TEST(Monitor, OneChannelAloneAndKpisThatCannotBeJudged) {
  series::Series a = channel("a", 31), b = channel("b", 32);
  // Channel b is organic: no spend, so no CPL there; a notice, not an error.
  for (size_t i = 0; i < kHours; ++i) b.spend[i] = 0;
  const series::BuildResult d = funnel({a, b});
  api::MonitorRequest r;
  r.channel = "b";
  const api::MonitorResult m = api::monitor(d, r);
  EXPECT_EQ(m.channels, (std::vector<std::string>{"b"}));
  bool cpl_noted = false;
  for (const auto& n : m.notices) cpl_noted = cpl_noted || n.find("b: CPL not checked") == 0;
  EXPECT_TRUE(cpl_noted);
  EXPECT_TRUE(has(m.metrics, "leads"));
  EXPECT_FALSE(has(m.metrics, "cpl"));
}

// The checks run on several threads natively; the result is assembled in scope and KPI
// order, so any thread count gives the same document, notices included (channel b has no
// spend, so its CPL cannot be judged: a notice in the middle of the list).
TEST(Monitor, TheSameResultOnAnyNumberOfThreads) {
  series::Series a = channel("a", 41), b = channel("b", 42), c = channel("c", 43);
  for (size_t i = 0; i < kHours; ++i) b.spend[i] = 0;
  for (size_t i = 640; i < 643; ++i) c.leads[i] = 0;
  for (size_t i = 660; i < 662; ++i) a.spend[i] *= 4;
  const series::BuildResult d = funnel({a, b, c});
  api::MonitorRequest r;
  r.threads = 1;
  const api::MonitorResult one = api::monitor(d, r);
  ASSERT_FALSE(one.incidents.empty());
  ASSERT_FALSE(one.notices.empty());
  const std::string want = api::monitor_json(one, r).dump() + api::monitor_csv(one);
  for (int threads : {2, 3, 16}) {
    r.threads = threads;
    const api::MonitorResult m = api::monitor(d, r);
    r.threads = 1;  // the request as the one-thread run wrote it
    EXPECT_EQ(api::monitor_json(m, r).dump() + api::monitor_csv(m), want) << threads << " threads";
  }
}

// The command: a CSV with two channels where one stops 4 hours before the end; exit 3 with
// --fail-on-anomaly, naming the channel and the hour, and the JSON document's incident.
TEST(MonitorCli, AChannelThatStopsFailsTheCheck) {
  const std::string dir = ::testing::TempDir() + "fc_monitor_cli";
  std::system(("mkdir -p " + dir).c_str());
  std::mt19937 rng(5);
  std::poisson_distribution<int> pois(15);
  std::string csv = "timestamp,channel,leads,spend\n";
  const size_t hours = 21 * 24;
  for (size_t i = 0; i < hours; ++i) {
    char ts[32];
    std::snprintf(ts, sizeof ts, "2024-01-%02zu %02zu:00:00", 1 + i / 24, i % 24);
    csv += std::string(ts) + ",a," + std::to_string(pois(rng)) + ",150\n";
    if (i < hours - 4) csv += std::string(ts) + ",b," + std::to_string(pois(rng)) + ",150\n";
  }
  fc::testing::put(dir + "/funnel.csv", csv);
  auto r = fc::testing::run_cli(dir, "monitor --data " + dir + "/funnel.csv --fail-on-anomaly");
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_NE(r.err.find("alert: no data from b since 2024-01-21 20:00:00"), std::string::npos) << r.err;
  r = fc::testing::run_cli(dir, "monitor --data " + dir + "/funnel.csv --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["silent"].size(), 1u);
  EXPECT_EQ(j["silent"][0]["channel"], "b");
  EXPECT_EQ(j["silent"][0]["timestamp"], "2024-01-21 20:00:00");
  const auto& last = j["incidents"].back();
  EXPECT_EQ(last["cause"], "data missing");
  EXPECT_EQ(last["ongoing"], true);
  EXPECT_EQ(last["start_time"], "2024-01-21 20:00:00");
  // The same file without the channel that stopped: nothing to say, exit 0.
  r = fc::testing::run_cli(dir, "monitor --data " + dir + "/funnel.csv --channel a --fail-on-anomaly --last 6h");
  EXPECT_EQ(r.code, 0) << r.err << r.out;
  r = fc::testing::run_cli(dir, "monitor --data " + dir + "/funnel.csv --until tomorrow");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--until: expected a timestamp"), std::string::npos) << r.err;
  r = fc::testing::run_cli(dir, "monitor --help");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("--fail-on-anomaly"), std::string::npos);
  EXPECT_NE(r.out.find("tracking lost"), std::string::npos);
}

}  // namespace
