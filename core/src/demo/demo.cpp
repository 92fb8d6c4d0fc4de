// The demo data is what a first-time visitor sees and what the shipped models are
// trained on, so it has to look like a real advertiser's export and come out
// byte-identical from the native build and from WebAssembly. That rules out
// std:: distributions (their algorithms are unspecified) and libm's exp/log
// (last-bit differences between glibc and musl would flip Poisson draws): the
// generator uses only + - * / sqrt floor frexp ldexp, which IEEE 754 fixes exactly.
#include "funnelcast/demo/demo.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "funnelcast/time/time.hpp"
#include "funnelcast/base/error.hpp"

namespace fc::demo {
namespace {

constexpr int64_t kHour = 3600;
constexpr int64_t kDay = 86400;
constexpr int kMaxDays = 3660;
constexpr int kAnomalyWindowDays = 60;

uint64_t mix64(uint64_t z) {  // the splitmix64 finalizer: a good 64-bit hash
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

struct Rng {  // splitmix64: tiny, fast, and the same sequence on every platform
  uint64_t state;
  uint64_t next() { return mix64(state += 0x9e3779b97f4a7c15ULL); }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
  int below(int n) { return static_cast<int>(uniform() * n); }
};

constexpr double kLn2Hi = 6.93147180369123816490e-01;
constexpr double kLn2Lo = 1.90821492927058770002e-10;
constexpr double kInvLn2 = 1.44269504088896338700e+00;

double det_exp(double x) {
  if (x < -700) return 0.0;
  if (x > 700) x = 700;
  const double k = std::floor(x * kInvLn2 + 0.5);
  const double r = (x - k * kLn2Hi) - k * kLn2Lo;  // |r| <= ln2 / 2
  double term = 1.0, sum = 1.0;
  for (int i = 1; i <= 14; ++i) {
    term = term * r / i;
    sum += term;
  }
  return std::ldexp(sum, static_cast<int>(k));
}

double det_log(double x) {  // x > 0
  int e = 0;
  double m = std::frexp(x, &e);  // m in [0.5, 1)
  if (m < 0.70710678118654752440) {
    m *= 2;
    --e;
  }
  const double t = (m - 1) / (m + 1);  // |t| <= 0.172
  const double t2 = t * t;
  double power = t, sum = 0;
  for (int i = 1; i <= 27; i += 2) {
    sum += power / i;
    power *= t2;
  }
  return 2 * sum + e * kLn2Hi + e * kLn2Lo;
}

double normal(Rng& rng) {  // Marsaglia polar method: needs log and sqrt only
  for (;;) {
    const double u = 2 * rng.uniform() - 1, v = 2 * rng.uniform() - 1;
    const double s = u * u + v * v;
    if (s >= 1 || s == 0) continue;
    return u * std::sqrt(-2 * det_log(s) / s);
  }
}

double lognormal(Rng& rng, double sigma) {  // mean 1
  return det_exp(sigma * normal(rng) - sigma * sigma / 2);
}

int64_t poisson(Rng& rng, double lambda) {
  if (!(lambda > 0)) return 0;
  if (lambda > 60) {  // never reached by the default magnitudes; keeps cost bounded
    const double x = std::floor(lambda + std::sqrt(lambda) * normal(rng) + 0.5);
    return x < 0 ? 0 : static_cast<int64_t>(x);
  }
  const double limit = det_exp(-lambda);
  int64_t k = 0;
  double p = rng.uniform();
  while (p > limit) {
    ++k;
    p *= rng.uniform();
  }
  return k;
}

int weekday(int64_t day) { return time::day_of_week(day * time::kDay); }  // 0 = Monday

// US-style days when campaigns are throttled and few people fill in forms.
bool holiday(int64_t day) {
  const time::CivilDate c = time::civil_from_days(day);
  if (c.month == 1 && c.day == 1) return true;
  if (c.month == 7 && c.day == 4) return true;
  if (c.month == 12 && (c.day == 24 || c.day == 25 || c.day == 26 || c.day == 31)) return true;
  return c.month == 11 && weekday(day) == 3 && c.day >= 22 && c.day <= 28;  // Thanksgiving
}

void append_2(std::string& out, unsigned v) {
  out.push_back(static_cast<char>('0' + v / 10 % 10));
  out.push_back(static_cast<char>('0' + v % 10));
}

void append_time(std::string& out, int64_t t) {
  const int64_t day = time::floor_div(t, kDay);
  const int64_t sec = t - day * kDay;
  const time::CivilDate c = time::civil_from_days(day);
  out += std::to_string(c.year);
  out.push_back('-');
  append_2(out, c.month);
  out.push_back('-');
  append_2(out, c.day);
  out.push_back(' ');
  append_2(out, static_cast<unsigned>(sec / 3600));
  out.push_back(':');
  append_2(out, static_cast<unsigned>(sec / 60 % 60));
  out.push_back(':');
  append_2(out, static_cast<unsigned>(sec % 60));
}

// Integer cents, so no printf rounding mode or locale can change the bytes.
void append_money(std::string& out, double value) {
  const long long cents = std::llround(value * 100);
  out += std::to_string(cents / 100);
  out.push_back('.');
  append_2(out, static_cast<unsigned>(cents % 100));
}

struct Channel {
  const char* name;
  double peak_spend;        // $ per hour at the daily peak, before trend and noise
  double saturation;        // $: leads = reach * (1 - exp(-spend / saturation))
  double reach;             // leads per hour as spend grows without bound
  double revenue_per_lead;  // $
  double day[24];           // hour-of-day shape of spend and of demand
  double week[7];           // Monday first
};

// Sorted by name: the CSV lists channels in this order within each hour.
const Channel kChannels[] = {
    {"email",
     60,
     80,
     7,
     160,
     {0.05, 0.05, 0.05, 0.05, 0.05, 0.08, 0.20, 0.50, 0.90, 1.00, 0.85, 0.70,
      0.60, 0.55, 0.50, 0.45, 0.40, 0.35, 0.30, 0.25, 0.20, 0.15, 0.10, 0.07},
     {1.00, 1.05, 1.05, 1.00, 0.90, 0.35, 0.30}},
    {"search",
     600,
     1500,
     40,
     110,
     {0.12, 0.08, 0.06, 0.05, 0.06, 0.10, 0.20, 0.40, 0.70, 0.90, 1.00, 1.00,
      0.92, 0.95, 1.00, 0.95, 0.85, 0.70, 0.55, 0.50, 0.45, 0.38, 0.28, 0.18},
     {1.00, 1.04, 1.05, 1.02, 0.93, 0.60, 0.55}},
    {"social",
     350,
     700,
     18,
     70,
     {0.25, 0.15, 0.10, 0.08, 0.08, 0.10, 0.18, 0.35, 0.55, 0.70, 0.75, 0.80,
      0.85, 0.80, 0.78, 0.80, 0.85, 0.90, 0.95, 1.00, 1.00, 0.90, 0.70, 0.45},
     {0.95, 0.97, 0.98, 1.00, 1.02, 0.90, 0.85}},
};
constexpr int kChannelCount = 3;
const double kMonth[12] = {0.95, 0.97, 1.00, 1.00, 1.00, 0.95, 0.90, 0.92, 1.02, 1.05, 1.10, 1.00};

// What an incident does to one hour of one channel.
struct Effect {
  double spend = 1;     // factor on spend
  double leads = 1;     // factor on the leads' rate
  double bogus = 0;     // extra leads per hour that bring no revenue (bots)
  bool untracked = false;  // leads happen (and bring revenue) but are recorded as 0
};

// The incidents, in the order a plan cycles through them.
enum class Incident { kSpendSpike, kLeadsCollapse, kLeadsBurst, kTrackingOutage };
const char* const kIncidentNames[] = {"spend_spike", "leads_collapse", "leads_burst", "tracking_outage"};
constexpr int kIncidentKinds = 4;

// fc::Error when the days or the number of anomalies are out of range.
void check_options(const Options& options) {
  if (options.days < 1 || options.days > kMaxDays) {
    throw Error("demo: days must be between 1 and " + std::to_string(kMaxDays) + ", got " +
                std::to_string(options.days));
  }
  const int window_days = std::min(kAnomalyWindowDays, options.days);
  if (options.anomalies < 0 || options.anomalies > window_days) {
    throw Error("demo: anomalies must be between 0 and " + std::to_string(window_days) +
                " (at most one a day in the last " + std::to_string(window_days) + " days), got " +
                std::to_string(options.anomalies));
  }
}

// One incident as drawn: where in its day it starts, how many hours it lasts, the one channel
// it hits (-1 = all), and what it does there.
struct Planned {
  int begin_hour = 0, length = 1, only = -1;
  Effect effect;
};

// Draws an incident of this kind from the plan's stream.
Planned draw_incident(Incident kind, Rng& plan) {
  Planned p;
  Effect& e = p.effect;
  switch (kind) {
    case Incident::kSpendSpike:  // a runaway bid on the main search campaign
      p.begin_hour = 8 + plan.below(9);
      p.length = 2 + plan.below(3);
      p.only = 1;
      e.spend = 3 + 2 * plan.uniform();
      e.leads = 1 + 0.3 * plan.uniform();  // dearer clicks bring a few more leads
      break;
    case Incident::kLeadsCollapse:  // a broken form: most leads get lost on every channel
      p.begin_hour = 8 + plan.below(7);
      p.length = 3 + plan.below(4);
      e.leads = 0.1 + 0.2 * plan.uniform();
      break;
    case Incident::kLeadsBurst:  // bots fill the social landing page's form
      p.begin_hour = 8 + plan.below(10);
      p.length = 2 + plan.below(3);
      p.only = 2;
      e.bogus = 40 + 40 * plan.uniform();
      break;
    case Incident::kTrackingOutage:  // the conversion tag was removed in a deploy
      p.begin_hour = 8 + plan.below(6);
      p.length = 4 + plan.below(5);
      e.untracked = true;
      break;
  }
  return p;
}

// Plan the anomalies from their own stream, so (with the per-cell streams below)
// asking for more or fewer of them leaves the ordinary hours untouched. One per equal slice
// of the last `window_days` days keeps them spread out and never overlapping, and never on
// a holiday (holidays are quiet by nature, not incidents). The kinds take turns from a
// random first one, so any four incidents in a row hold one of each.
// Returns the effect on every cell (hour x channel) and adds each cell hit to truth.
std::vector<Effect> plan_incidents(const Options& options, int64_t first_day, size_t hours,
                                   std::vector<AnomalyTruth>& truth) {
  const int64_t start = first_day * kDay;
  const int window_days = std::min(kAnomalyWindowDays, options.days);
  std::vector<Effect> effect(hours * kChannelCount);
  Rng plan{mix64(options.seed ^ 0x6a09e667f3bcc909ULL)};
  const int window_start = options.days - window_days;
  const int first_kind = plan.below(kIncidentKinds);
  for (int a = 0; a < options.anomalies; ++a) {
    const int lo = window_start + a * window_days / options.anomalies;
    const int hi = window_start + (a + 1) * window_days / options.anomalies;
    int day = lo + plan.below(hi - lo);
    for (int tries = 0; tries < 16 && holiday(first_day + day); ++tries) {
      day = lo + plan.below(hi - lo);
    }
    const Incident kind = static_cast<Incident>((first_kind + a) % kIncidentKinds);
    const Planned p = draw_incident(kind, plan);
    for (int k = 0; k < p.length; ++k) {
      const size_t h = static_cast<size_t>(day) * 24 + static_cast<size_t>(p.begin_hour + k);
      for (int c = 0; c < kChannelCount; ++c) {
        if (p.only >= 0 && c != p.only) continue;
        effect[h * kChannelCount + c] = p.effect;
        truth.push_back({start + static_cast<int64_t>(h) * kHour, kChannels[c].name,
                         kIncidentNames[static_cast<int>(kind)]});
      }
    }
  }
  return effect;
}

// What every channel shares in one hour.
struct Hour {
  int64_t t = 0;
  int hod = 0, dow = 0, month = 1;  // hour of the day, day of the week (0 = Monday), 1-12
  bool off = false;                 // a holiday
  double trend = 1;
};

Hour hour_at(int64_t start, size_t h) {
  Hour hour;
  hour.t = start + static_cast<int64_t>(h) * kHour;
  const int64_t day = time::floor_div(hour.t, kDay);
  hour.hod = static_cast<int>((hour.t - day * kDay) / kHour);
  hour.dow = weekday(day);
  hour.month = time::civil_from_days(day).month;
  hour.off = holiday(day);
  hour.trend = 1.0 + 0.15 * static_cast<double>(h) / (365.0 * 24);
  return hour;
}

// Draws one channel's row for one hour from its own stream and appends it to csv.
void append_row(std::string& csv, const Channel& ch, const Hour& hour, const Effect& e, Rng rng) {
  double spend =
      ch.peak_spend * ch.day[hour.hod] * ch.week[hour.dow] * kMonth[hour.month - 1] * hour.trend;
  // Holidays: budgets are throttled and fewer people fill in forms; cost per lead
  // barely moves, volumes drop.
  if (hour.off) spend *= 0.4;
  spend *= lognormal(rng, 0.15);
  // Demand follows the clock too, but never drops to zero: someone always searches.
  const double demand = (0.65 + 0.35 * ch.day[hour.hod]) * (hour.off ? 0.75 : 1.0);
  const double lambda = ch.reach * demand * (1 - det_exp(-spend / ch.saturation)) * e.leads;
  spend *= e.spend;
  const int64_t real = poisson(rng, lambda);
  const double revenue = static_cast<double>(real) * ch.revenue_per_lead * lognormal(rng, 0.3);
  int64_t leads = real;
  if (e.bogus > 0) leads += poisson(rng, e.bogus);
  if (e.untracked) leads = 0;
  append_time(csv, hour.t);
  csv.push_back(',');
  csv += ch.name;
  csv.push_back(',');
  csv += std::to_string(leads);
  csv.push_back(',');
  append_money(csv, spend);
  csv.push_back(',');
  append_money(csv, revenue);
  csv.push_back('\n');
}

// The incidents' hours, by time and channel, as CSV.
std::string truth_csv(std::vector<AnomalyTruth>& truth) {
  std::sort(truth.begin(), truth.end(), [](const AnomalyTruth& a, const AnomalyTruth& b) {
    return a.time != b.time ? a.time < b.time : a.channel < b.channel;
  });
  std::string csv = "timestamp,channel,kind\n";
  for (const auto& a : truth) {
    append_time(csv, a.time);
    csv += "," + a.channel + "," + a.kind + "\n";
  }
  return csv;
}

}  // namespace

Data generate(const Options& options) {
  check_options(options);
  // Whole days keep "business hours" meaning the same thing in every day of the data.
  const int64_t first_day = time::floor_div(options.start, kDay);
  const int64_t start = first_day * kDay;
  const size_t hours = static_cast<size_t>(options.days) * 24;

  Data out;
  const std::vector<Effect> effect = plan_incidents(options, first_day, hours, out.anomalies);

  std::string& csv = out.hourly_csv;
  csv.reserve(hours * kChannelCount * 48 + 64);
  csv += "timestamp,channel,leads,spend,revenue\n";
  for (size_t h = 0; h < hours; ++h) {
    const Hour hour = hour_at(start, h);
    for (int c = 0; c < kChannelCount; ++c) {
      const size_t cell = h * kChannelCount + c;
      // A stream per hour and channel: an anomaly changes how many draws its cell
      // takes, and must not shift the random numbers of every hour after it.
      append_row(csv, kChannels[c], hour, effect[cell], Rng{mix64(options.seed ^ mix64(cell + 1))});
    }
  }

  out.anomalies_csv = truth_csv(out.anomalies);
  return out;
}

}  // namespace fc::demo
