// The demo lead table: a hidden logistic conversion process with main effects and a
// few interactions a linear model cannot see, so the trees have something to find and
// the logistic baseline falls short of them, as on real lead tables.
#include "funnelcast/demo/leads.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "funnelcast/base/error.hpp"
#include "funnelcast/base/math.hpp"
#include "funnelcast/base/random.hpp"
#include "funnelcast/time/time.hpp"

namespace fc::demo {
namespace {

struct Level {
  const char* name;
  double weight;  // how often it occurs (relative)
  double effect;  // on the log-odds of conversion
};

const Level kSources[] = {{"google_ads", 30, 0.0}, {"facebook", 20, -0.35}, {"linkedin", 10, 0.25},
                          {"organic", 18, 0.2},    {"referral", 7, 0.85},   {"email", 10, 0.1},
                          {"webinar", 5, 0.55}};
const Level kCampaigns[] = {{"brand", 25, 0.2}, {"retargeting", 20, 0.35}, {"prospecting", 35, -0.15},
                            {"spring_promo", 20, 0.0}};
const Level kDevices[] = {{"desktop", 52, 0.0}, {"mobile", 40, -0.3}, {"tablet", 8, -0.15}};
const Level kCountries[] = {{"US", 38, 0.0}, {"UK", 12, 0.0},  {"CA", 6, 0.0},  {"AU", 4, 0.0},  {"DE", 9, 0.1},
                            {"FR", 7, 0.1},  {"NL", 3, 0.1},   {"IN", 10, -0.45}, {"BR", 6, -0.45}, {"MX", 5, -0.45}};
const Level kCompanySizes[] = {{"1-10", 30, -0.4}, {"11-50", 28, 0.0}, {"51-200", 20, 0.3},
                               {"201-1000", 14, 0.45}, {"1000+", 8, 0.2}};
const Level kActivities[] = {{"demo_request", 6, 1.5},  {"pricing_page", 12, 0.8}, {"webinar_attended", 7, 0.6},
                             {"email_click", 15, 0.3},  {"blog_visit", 30, -0.1},  {"none", 30, -0.6}};
constexpr double kBase = -2.75;

template <size_t N>
int pick(random::Rng& rng, const Level (&levels)[N]) {
  double total = 0;
  for (const auto& l : levels) total += l.weight;
  double u = rng.uniform() * total;
  for (size_t i = 0; i < N; ++i) {
    if (u < levels[i].weight) return static_cast<int>(i);
    u -= levels[i].weight;
  }
  return static_cast<int>(N - 1);
}

}  // namespace

double lead_log_odds(const LeadFacts& f) {
  double z = kBase + kSources[f.source].effect + kCampaigns[f.campaign].effect + kDevices[f.device].effect +
             kCountries[f.country].effect + kActivities[f.activity].effect;
  if (f.company_size >= 0) z += kCompanySizes[f.company_size].effect;
  // Interactions a linear model cannot see: social traffic on phones converts much worse,
  // retargeting works on desktop, LinkedIn reaches the larger companies that buy.
  if (f.device == 1 && f.source == 1) z -= 1.4;
  if (f.campaign == 1 && f.device == 0) z += 0.8;
  if (f.source == 2 && f.company_size >= 3) z += 1.0;
  // A demo request after a few seconds on the site is a bot or a mistake, not a buyer.
  if (f.activity == 0 && !std::isnan(f.time_on_site) && f.time_on_site < 30) z -= 2.5;
  if (!std::isnan(f.time_on_site)) z += std::clamp(0.55 * math::log(f.time_on_site / 120.0), -2.0, 1.2);
  // Page views matter from about five on, and not beyond twelve.
  z += f.page_views >= 5 ? 0.6 + 0.05 * std::min(f.page_views - 5, 7) : 0.0;
  z += (f.source == 5 ? 0.25 : 0.08) * std::min(f.email_opens, 6);
  if (f.days_since_first_touch >= 7 && f.days_since_first_touch <= 30) z += 0.5;
  if (f.days_since_first_touch > 75) z -= 0.4;
  if (f.weekday >= 5) z -= 0.2;
  return z;
}

Leads generate_leads(const LeadsOptions& o) {
  if (o.rows == 0 || o.rows > 10'000'000) throw Error("demo leads: rows must be from 1 to 10 million");
  if (o.days < 1 || o.days > 3660) throw Error("demo leads: days must be from 1 to 3660");
  random::Rng rng(o.seed * 0x9e3779b97f4a7c15ull + 0x1ead5ull);
  Leads out;
  out.csv.reserve(o.rows * 120);
  out.csv +=
      "lead_id,created_at,source,campaign,device,country,company_size,last_activity,time_on_site,page_views,"
      "email_opens,days_since_first_touch,converted\n";
  const int64_t span = static_cast<int64_t>(o.days) * time::kDay;
  char buf[320];
  for (size_t i = 0; i < o.rows; ++i) {
    LeadFacts f{};
    f.source = pick(rng, kSources);
    f.campaign = pick(rng, kCampaigns);
    f.device = pick(rng, kDevices);
    f.country = pick(rng, kCountries);
    f.company_size = rng.uniform() < 0.08 ? -1 : pick(rng, kCompanySizes);
    f.activity = pick(rng, kActivities);
    // Engagement follows the activity: requests and pricing visits come with longer visits.
    const double engaged = kActivities[f.activity].effect;
    f.time_on_site = rng.uniform() < 0.03 ? std::nan("")
                                          : std::round(120.0 * math::exp(0.9 * rng.normal() + 0.4 * engaged));
    f.page_views = static_cast<int>(rng.poisson(std::max(0.5, 3.0 + 2.0 * engaged)));
    f.email_opens = static_cast<int>(rng.poisson(f.source == 5 ? 3.0 : 1.2));
    f.days_since_first_touch = static_cast<int>(std::floor(-30.0 * math::log(1.0 - rng.uniform())));
    if (f.days_since_first_touch > 180) f.days_since_first_touch = 180;
    // Created in business hours more often than at night.
    int64_t t = o.end - 1 - static_cast<int64_t>(rng.below(static_cast<uint64_t>(span)));
    if (time::hour_of_day(t) < 7 && rng.uniform() < 0.7) t += 9 * time::kHour;
    if (t >= o.end) t -= time::kDay;
    f.weekday = time::day_of_week(t);
    const bool converted = rng.uniform() < math::sigmoid(lead_log_odds(f));
    out.positives += converted ? 1 : 0;
    const std::string when = time::format_timestamp(t);
    char tos[32] = "";
    if (!std::isnan(f.time_on_site)) std::snprintf(tos, sizeof tos, "%.0f", f.time_on_site);
    std::snprintf(buf, sizeof buf, "L%07zu,%s,%s,%s,%s,%s,%s,%s,%s,%d,%d,%d,%s\n", i + 1, when.c_str(),
                  kSources[f.source].name, kCampaigns[f.campaign].name, kDevices[f.device].name,
                  kCountries[f.country].name, f.company_size < 0 ? "" : kCompanySizes[f.company_size].name,
                  kActivities[f.activity].name, tos, f.page_views, f.email_opens, f.days_since_first_touch,
                  converted ? "yes" : "no");
    out.csv += buf;
  }
  return out;
}

}  // namespace fc::demo
