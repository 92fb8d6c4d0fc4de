// Driver for bench/gbdt_bench.py: trains funnelcast's GBDT on a raw binary data file and
// prints one JSON line with the timings, so the script can set it beside XGBoost.
//
// usage: gbdt_bench FILE ROWS COLS OBJECTIVE TREES LEAVES THREADS
//                   [CATEGORY_COUNTS [TEST_FILE TEST_ROWS PREDICTIONS_OUT]]
// FILE holds ROWS*COLS float32 features (row-major) followed by ROWS float64 labels.
// CATEGORY_COUNTS: per column, comma-separated, 0 = numeric (Dataset::category_counts),
// or "-" for all numeric. TEST_FILE holds TEST_ROWS*COLS float32 features; the model's
// predictions for them are written to PREDICTIONS_OUT as float64.
// Memory: the process's peak RSS and its RSS once the data is read (MB), so the script can
// set what training itself takes beside XGBoost's.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "funnelcast/base/error.hpp"
#include "funnelcast/gbdt/engine.hpp"
#include "funnelcast/gbdt/train.hpp"

namespace {

bool read_floats(const char* path, std::vector<float>& x, std::vector<double>* y) {
  std::FILE* f = std::fopen(path, "rb");
  bool ok = f && std::fread(x.data(), sizeof(float), x.size(), f) == x.size();
  if (ok && y) ok = std::fread(y->data(), sizeof(double), y->size(), f) == y->size();
  if (f) std::fclose(f);
  return ok;
}

double rss_mb() {
  long pages = 0, resident = 0;
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f && std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
  if (f) std::fclose(f);
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / 1e6;
}

// The process's own peak RSS: VmHWM in /proc/self/status. Not getrusage's ru_maxrss,
// which Linux carries over an exec: a driver started by the Python bench would report the
// Python process's peak (its numpy arrays, its XGBoost) whenever that was higher.
double peak_rss_mb() {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (!f) return 0;
  char line[256];
  double kib = 0;
  while (std::fgets(line, sizeof line, f)) {
    if (std::sscanf(line, "VmHWM: %lf kB", &kib) == 1) break;
  }
  std::fclose(f);
  return kib * 1024 / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 8 && argc != 9 && argc != 12) {
    std::fprintf(stderr,
                 "usage: gbdt_bench FILE ROWS COLS OBJECTIVE TREES LEAVES THREADS "
                 "[CATEGORY_COUNTS [TEST_FILE TEST_ROWS PREDICTIONS_OUT]]\n");
    return 2;
  }
  const size_t rows = std::strtoull(argv[2], nullptr, 10);
  const size_t cols = std::strtoull(argv[3], nullptr, 10);
  std::vector<float> x(rows * cols);
  std::vector<double> y(rows);
  if (!read_floats(argv[1], x, &y)) {
    std::fprintf(stderr, "gbdt_bench: cannot read %s\n", argv[1]);
    return 2;
  }
  std::vector<uint32_t> counts;
  if (argc >= 9 && std::string(argv[8]) != "-") {
    std::string list = argv[8];
    size_t start = 0;
    for (;;) {
      const size_t comma = list.find(',', start);
      counts.push_back(static_cast<uint32_t>(std::strtoul(list.substr(start, comma - start).c_str(), nullptr, 10)));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (counts.size() != cols) {
      std::fprintf(stderr, "gbdt_bench: %zu category counts for %zu columns\n", counts.size(), cols);
      return 2;
    }
  }
  const double data_rss = rss_mb();
  try {
    fc::gbdt::Params p;
    p.set("objective", argv[4]);
    p.set("num_iterations", argv[5]);
    p.set("num_leaves", argv[6]);
    p.set("num_threads", argv[7]);
    p.set("learning_rate", "0.1");
    fc::gbdt::Dataset d{x.data(), rows, cols, y.data(), nullptr};
    if (!counts.empty()) d.category_counts = counts.data();
    const auto t0 = std::chrono::steady_clock::now();
    const fc::gbdt::TrainResult r = fc::gbdt::train(d, nullptr, p);
    const auto t1 = std::chrono::steady_clock::now();
    const double train_peak = peak_rss_mb();
    const fc::gbdt::FlatEnsemble engine(r.ensemble);
    std::vector<double> out(rows);
    engine.predict(x.data(), rows, cols, out.data());
    const auto t2 = std::chrono::steady_clock::now();
    if (argc == 12) {
      const size_t test_rows = std::strtoull(argv[10], nullptr, 10);
      std::vector<float> tx(test_rows * cols);
      if (!read_floats(argv[9], tx, nullptr)) {
        std::fprintf(stderr, "gbdt_bench: cannot read %s\n", argv[9]);
        return 2;
      }
      std::vector<double> pred(test_rows);
      engine.predict(tx.data(), test_rows, cols, pred.data());
      std::FILE* f = std::fopen(argv[11], "wb");
      if (!f || std::fwrite(pred.data(), sizeof(double), pred.size(), f) != pred.size()) {
        std::fprintf(stderr, "gbdt_bench: cannot write %s\n", argv[11]);
        return 2;
      }
      std::fclose(f);
    }
    std::printf(
        "{\"train_s\": %.4f, \"predict_s\": %.4f, \"train_metric\": %.6f, \"data_rss_mb\": %.1f, "
        "\"peak_rss_mb\": %.1f}\n",
        std::chrono::duration<double>(t1 - t0).count(), std::chrono::duration<double>(t2 - t1).count(),
        r.train_metric.empty() ? 0.0 : r.train_metric.back(), data_rss, train_peak);
  } catch (const fc::Error& e) {
    std::fprintf(stderr, "gbdt_bench: %s\n", e.what());
    return 2;
  }
  return 0;
}
