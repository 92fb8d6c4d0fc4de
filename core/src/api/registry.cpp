#include "funnelcast/api/registry.hpp"

#include "funnelcast/api/monitor.hpp"

#include "funnelcast/anomaly/anomaly.hpp"
#include "funnelcast/api/anomalies.hpp"
#include "funnelcast/api/forecast.hpp"
#include "funnelcast/api/kpi.hpp"
#include "funnelcast/api/score.hpp"
#include "funnelcast/schema/registry.hpp"

namespace fc::api {

// The training commands' options (train.cpp), listed when the program links the trainers:
// the CLI and the training bundle do; the page's inference bundle, which cannot train, then
// neither lists nor carries them (its size budget). A weak reference never pulls train.cpp in.
[[gnu::weak]] nlohmann::json training_commands();

nlohmann::json registry() {
  using json = nlohmann::json;
  json roles = json::array();
  for (const auto& r : schema::roles()) {
    json synonyms = json::array();
    for (const char* s : r.synonyms) synonyms.push_back(s);
    roles.push_back({{"name", r.name}, {"label", r.label}, {"help", r.help}, {"synonyms", synonyms}});
  }
  json metrics = json::array();
  for (const auto& m : schema::metrics()) {
    json needs = json::array();
    for (const char* n : m.needs) needs.push_back(n);
    metrics.push_back({{"name", m.name},
                       {"label", m.label},
                       {"unit", m.unit},
                       {"good", m.good == schema::Good::kHigher ? "higher" : "lower"},
                       {"needs", needs},
                       {"formula", m.formula},
                       {"help", m.help}});
  }
  json methods = json::array();
  for (const auto& m : anomaly::methods())
    methods.push_back({{"name", m.name},
                       {"label", m.label},
                       {"help", m.help},
                       {"threshold", anomaly::score_threshold(m.name, 0)},
                       {"needs_forecasts", m.needs_forecasts},
                       {"ensemble_member", m.ensemble_member}});
  json commands = {{"kpi", describe(infos(kpi_fields()))}, {"anomalies", describe(infos(anomalies_fields()))},
                   {"score", describe(infos(score_fields()))},
                   {"forecast", describe(infos(forecast_fields()))},
                   {"monitor", describe(infos(monitor_fields()))}};
  if (training_commands) commands.update(training_commands());
  return {{"roles", roles}, {"metrics", metrics}, {"methods", methods}, {"commands", commands}};
}

}  // namespace fc::api
