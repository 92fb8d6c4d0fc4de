// `funnelcast kpi`'s table: rates (ROI, conversion) change in percentage points, counts and
// money in percent, on a file worked out by hand.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "cli_run.hpp"
#include "funnelcast/time/time.hpp"

namespace {

// The table's row of a KPI, its cells split on runs of spaces.
std::string row(const std::string& out, const std::string& label) {
  const size_t at = out.find("\n" + label + " ");
  if (at == std::string::npos) return "";
  std::string line = out.substr(at + 1, out.find('\n', at + 1) - at - 1), squeezed;
  for (char c : line)
    if (c != ' ' || (!squeezed.empty() && squeezed.back() != ' ')) squeezed += c;
  return squeezed;
}

TEST(CliKpi, RatesChangeInPointsCountsAndMoneyInPercent) {
  const std::string dir = ::testing::TempDir() + "fc_cli_kpi";
  std::system(("mkdir -p " + dir).c_str());
  // 48 hours, 1 lead and $10 an hour. Day 1: 20 clicks and $12 revenue an hour
  // (conversion 1/20 = 5%, ROI 20%); day 2: 10 clicks and $13 (conversion 10%, ROI 30%).
  std::string csv = "timestamp,leads,spend,revenue,clicks\n";
  for (int h = 0; h < 48; ++h)
    csv += fc::time::format_timestamp(1709251200 + h * 3600) + ",1,10," + (h < 24 ? "12,20" : "13,10") + "\n";
  fc::testing::put(dir + "/rates.csv", csv);
  const auto r = fc::testing::run_cli(dir, "kpi --data " + dir + "/rates.csv");
  ASSERT_EQ(r.code, 0) << r.err;
  // Conversion 5% -> 10%: +5.0 pp (not +100%); ROI 20% -> 30%: +10.0 pp (not +50%);
  // revenue 288 -> 312: +8.3%; leads unchanged: +0.0%.
  EXPECT_EQ(row(r.out, "Conversion rate"), "Conversion rate 10.00% 5.00% +5.0 pp") << r.out;
  EXPECT_EQ(row(r.out, "ROI"), "ROI 30.0% 20.0% +10.0 pp") << r.out;
  EXPECT_EQ(row(r.out, "Revenue"), "Revenue 312.00 288.00 +8.3%") << r.out;
  EXPECT_EQ(row(r.out, "Clicks"), "Clicks 240 480 -50.0%") << r.out;
  EXPECT_EQ(row(r.out, "Leads"), "Leads 24 24 +0.0%") << r.out;
}

}  // namespace
