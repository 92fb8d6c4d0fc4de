// libFuzzer target for the XGBoost JSON importer (gbdt::import_xgboost_json). Built and run
// by bench/fuzz/run.sh (clang's -fsanitize=fuzzer,address,undefined), seeded from
// bench/fuzz/corpus/xgboost. Any input is imported into an ensemble the flat engine
// accepts, or raises fc::Error; anything else (another exception, a crash, a sanitizer
// report) is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "funnelcast/base/error.hpp"
#include "funnelcast/gbdt/engine.hpp"
#include "funnelcast/gbdt/xgboost.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fc::gbdt::ImportedModel m;
  try {
    m = fc::gbdt::import_xgboost_json(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.json");
  } catch (const fc::Error&) {
    return 0;
  }
  // What the importer accepted, the engine accepts.
  try {
    const fc::gbdt::FlatEnsemble engine(m.ensemble);
  } catch (const fc::Error&) {
    std::abort();
  }
  return 0;
}
