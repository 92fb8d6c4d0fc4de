// libFuzzer target for model::load (not built by CMake). Build by hand, e.g.:
//   clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -Icore/include \
//     bench/fuzz/fuzz_model.cpp core/src/model.cpp core/src/gbdt/tree.cpp -o /tmp/fuzz_model
//   /tmp/fuzz_model -max_len=4096
// Random bytes rarely pass the CRC, so half of the inputs get their checksum fixed
// first (chosen by the last input byte): that lets the fuzzer reach the structural
// checks behind it. The invariant: load returns a model that round-trips, or throws
// fc::Error; anything else (another exception, a crash, a sanitizer report) is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "funnelcast/base/error.hpp"
#include "funnelcast/model/model.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  if (size >= 5 && (data[size - 1] & 1)) {
    bytes.pop_back();
    const uint32_t crc = fc::model::crc32(bytes.data(), bytes.size() - 4);
    for (int i = 0; i < 4; ++i) bytes[bytes.size() - 4 + i] = static_cast<char>(crc >> (8 * i));
  }
  try {
    const fc::model::Model m = fc::model::load(bytes, "fuzz");
    const std::string once = fc::model::save(m);
    if (fc::model::save(fc::model::load(once, "fuzz")) != once) std::abort();
  } catch (const fc::Error&) {
  }
  return 0;
}
