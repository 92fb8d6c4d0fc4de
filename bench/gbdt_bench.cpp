// Driver for bench/gbdt_bench.py: trains funnelcast's GBDT on a raw binary data file and
// prints one JSON line with the timings, so the script can set it beside XGBoost.
//
// usage: gbdt_bench FILE ROWS COLS OBJECTIVE TREES LEAVES THREADS
// FILE holds ROWS*COLS float32 features (row-major) followed by ROWS float64 labels.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "funnelcast/base/error.hpp"
#include "funnelcast/gbdt/engine.hpp"
#include "funnelcast/gbdt/train.hpp"

int main(int argc, char** argv) {
  if (argc != 8) {
    std::fprintf(stderr, "usage: gbdt_bench FILE ROWS COLS OBJECTIVE TREES LEAVES THREADS\n");
    return 2;
  }
  const size_t rows = std::strtoull(argv[2], nullptr, 10);
  const size_t cols = std::strtoull(argv[3], nullptr, 10);
  std::vector<float> x(rows * cols);
  std::vector<double> y(rows);
  std::FILE* f = std::fopen(argv[1], "rb");
  if (!f || std::fread(x.data(), sizeof(float), x.size(), f) != x.size() ||
      std::fread(y.data(), sizeof(double), y.size(), f) != y.size()) {
    std::fprintf(stderr, "gbdt_bench: cannot read %s\n", argv[1]);
    return 2;
  }
  std::fclose(f);
  try {
    fc::gbdt::Params p;
    p.set("objective", argv[4]);
    p.set("num_iterations", argv[5]);
    p.set("num_leaves", argv[6]);
    p.set("num_threads", argv[7]);
    p.set("learning_rate", "0.1");
    const fc::gbdt::Dataset d{x.data(), rows, cols, y.data(), nullptr};
    const auto t0 = std::chrono::steady_clock::now();
    const fc::gbdt::TrainResult r = fc::gbdt::train(d, nullptr, p);
    const auto t1 = std::chrono::steady_clock::now();
    const fc::gbdt::FlatEnsemble engine(r.ensemble);
    std::vector<double> out(rows);
    engine.predict(x.data(), rows, cols, out.data());
    const auto t2 = std::chrono::steady_clock::now();
    std::printf("{\"train_s\": %.4f, \"predict_s\": %.4f, \"train_metric\": %.6f}\n",
                std::chrono::duration<double>(t1 - t0).count(),
                std::chrono::duration<double>(t2 - t1).count(), r.train_metric.back());
  } catch (const fc::Error& e) {
    std::fprintf(stderr, "gbdt_bench: %s\n", e.what());
    return 2;
  }
  return 0;
}
