// The inference side: rebuilding a forecaster from a model's header, and the recursive
// forecaster every predictor shares. Nothing here links training code.
#include <algorithm>
#include <cmath>

#include "funnelcast/base/error.hpp"
#include "funnelcast/model/model.hpp"
#include "internal.hpp"

namespace fc::forecast {

const std::vector<PredictorInfo>& predictors() {
  // A new forecaster: its load function (in its own source file), and one line here.
  static const std::vector<PredictorInfo> kPredictors = {
      internal::seasonal_naive_predictor(),
      internal::ridge_predictor(),
      internal::gbdt_predictor(),
      internal::holt_winters_predictor(),
      internal::theta_predictor(),
      internal::combination_predictor(),
  };
  return kPredictors;
}

std::unique_ptr<Predictor> load_predictor(const model::ForecastSection& section, const gbdt::Ensemble& trees) {
  model::Model m;
  m.header.kind = "forecast";
  m.header.forecast = section;
  m.ensemble = trees;
  model::check(m);
  for (const auto& p : predictors()) {
    if (section.predictor != p.predictor) continue;
    std::unique_ptr<Predictor> out = p.load(section, trees);
    out->clip_negative = section.clip_negative;
    return out;
  }
  throw Error("model header: unknown predictor type '" + section.predictor + "'");
}

std::unique_ptr<Predictor> load_channel_predictor(const model::ForecastSection& section, const gbdt::Ensemble& trees,
                                                  size_t channel) {
  if (channel >= section.channels.size()) throw Error("model: no channel " + std::to_string(channel));
  if (section.predictor != "gbdt") {
    model::ForecastSection one = section;  // the same forecaster for every channel
    one.channels.clear();
    return load_predictor(one, trees);
  }
  model::Model m;
  m.header.kind = "forecast";
  m.header.forecast = section;
  m.ensemble = trees;
  model::check(m);
  std::unique_ptr<Predictor> out = internal::gbdt_channel_predictor(section, trees, channel);
  out->clip_negative = section.clip_negative;
  return out;
}

RecursiveWindow::RecursiveWindow(const Predictor& c, const features::History& h, size_t from, int horizon) {
  if (from > h.size) throw Error("forecast origin is past the end of the history");
  // Only the lookback window is copied, so many origins stay cheap.
  const size_t lookback = c.lookback();
  const size_t first = from > lookback ? from - lookback : 0;
  buffer.assign(h.target + first, h.target + from);
  buffer.resize(buffer.size() + static_cast<size_t>(std::max(horizon, 0)));
  local = h;
  local.start = h.start + static_cast<int64_t>(first) * h.step;
  local.target = buffer.data();
  local.size = from - first;
  for (size_t e = 0; e < local.exog.size(); ++e) {
    local.exog[e] = h.exog[e] + first;
    local.exog_size[e] = h.exog_size[e] > first ? std::min(h.exog_size[e], from) - first : 0;
  }
}

std::vector<double> recursive(const Predictor& c, const features::History& h, size_t from, int horizon) {
  RecursiveWindow w(c, h, from, horizon);
  features::History& local = w.local;
  std::vector<float> scratch;
  std::vector<double> out(static_cast<size_t>(std::max(horizon, 0)));
  const std::unique_ptr<StepPredictor> steps = c.steps();
  for (int k = 0; k < horizon; ++k) {
    const size_t t = local.size;
    if (steps) {
      const double p = steps->at(local, t);
      out[k] = c.clip_negative && p < 0 ? 0.0 : p;
    } else {
      out[k] = c.predict_clipped(local, t, scratch);
    }
    w.buffer[t] = out[k];
    local.size = t + 1;  // the prediction becomes history for the next step
  }
  return out;
}

}  // namespace fc::forecast
