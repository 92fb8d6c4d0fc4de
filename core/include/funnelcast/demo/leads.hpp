// A realistic synthetic table of leads with a yes/no outcome, deterministic by seed:
// source, campaign, device, country, company size, last activity, time on site, page
// views, email opens and days since first touch, drawn from a hidden conversion process
// with interactions (mobile traffic from social converts worse; email opens matter most
// for email leads; a sweet spot of days since first touch). About 15% convert.
#pragma once
#include <cstdint>
#include <string>

namespace fc::demo {

struct LeadsOptions {
  uint64_t seed = 1;
  size_t rows = 20000;
  int64_t end = 1735689600;  // 2025-01-01 00:00 UTC: leads were created in the days before
  int days = 180;
};

struct Leads {
  // lead_id,created_at,source,campaign,device,country,company_size,last_activity,
  // time_on_site,page_views,email_opens,days_since_first_touch,converted
  std::string csv;
  size_t positives = 0;
};

// Byte-identical for the same options natively and in wasm. fc::Error for 0 rows, more than
// 10 million, or days outside 1..3660.
Leads generate_leads(const LeadsOptions& options);

// The hidden log-odds of conversion of one lead (exposed for tests of the generator).
struct LeadFacts {
  int source, campaign, device, country, company_size, activity;  // indices into the lists
  double time_on_site;  // seconds; NaN = missing
  int page_views, email_opens, days_since_first_touch, weekday;
};
double lead_log_odds(const LeadFacts& lead);

}  // namespace fc::demo
