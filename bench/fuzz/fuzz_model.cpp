// libFuzzer target for model::load, built by the sanitizer build (scripts/sanitize.sh) and
// run by bench/fuzz/run.sh (target `model`, corpus: models/*.fcm).
// Seed CORPUS_DIR with a few saved models, one with categorical trees (bit 30 of a leaf
// count, the category-set section), so the fuzzer starts past the header. Loaded models
// are also built into the flat engine, which must accept whatever load() accepted.
// Random bytes rarely pass the CRC, so half of the inputs get their checksum fixed
// first (chosen by the last input byte): that lets the fuzzer reach the structural
// checks behind it. The invariant: load returns a model that round-trips, or throws
// fc::Error; anything else (another exception, a crash, a sanitizer report) is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "funnelcast/base/error.hpp"
#include "funnelcast/gbdt/engine.hpp"
#include "funnelcast/model/model.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  if (size >= 5 && (data[size - 1] & 1)) {
    bytes.pop_back();
    const uint32_t crc = fc::model::crc32(bytes.data(), bytes.size() - 4);
    for (int i = 0; i < 4; ++i) bytes[bytes.size() - 4 + i] = static_cast<char>(crc >> (8 * i));
  }
  fc::model::Model m;
  try {
    m = fc::model::load(bytes, "fuzz");
  } catch (const fc::Error&) {
    return 0;
  }
  // From here an fc::Error is a bug too: what load() accepted, save() and the engine accept.
  try {
    const fc::gbdt::FlatEnsemble engine(m.ensemble);
    const std::string once = fc::model::save(m);
    if (fc::model::save(fc::model::load(once, "fuzz")) != once) std::abort();
  } catch (const fc::Error&) {
    std::abort();
  }
  return 0;
}
