// libFuzzer target for time zones (`--tz`): the input is TZif bytes (a zone file) or, when
// it does not start with "TZif", a POSIX TZ rule. Built and run by bench/fuzz/run.sh
// (target `zone`).
// Invariants:
//   - from_tzif / from_posix give a zone or an fc::Error with a printable message, never a
//     crash, a hang or an oversized allocation;
//   - a zone's offsets are within RFC 8536's range; every instant's wall-clock time maps back to a set
//     of instants that holds the instant itself (to_utc(utc + offset) contains utc), and the
//     instants it gives are in order and map to that wall-clock time (when more than two
//     instants share it, the first and the last are given and t lies between them);
//   - resolve() gives one instant per row, each one of the wall-clock time's instants.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "funnelcast/base/error.hpp"
#include "funnelcast/time/zone.hpp"

namespace {

// RFC 8536's range for a UTC offset, [-25 h + 1 s, 26 h - 1 s]; a POSIX rule's offsets are
// within +-24:59:59 (found by this target: "AQQSQ24" is UTC-24, a legal rule).
constexpr int64_t kZoneFuzzMinOffset = -89999, kZoneFuzzMaxOffset = 93599;

void check_zone(const fc::time::Zone& z) {
  // Instants from 1900 to 2100, with a stride that is not a multiple of an hour.
  std::vector<int64_t> local;
  for (int64_t t = -2208988800; t < 4102444800; t += 7777777) {
    const int64_t off = z.utc_offset(t);
    if (off < kZoneFuzzMinOffset || off > kZoneFuzzMaxOffset) std::abort();
    const fc::time::LocalInstants back = z.to_utc(t + off);
    if (back.count < 1 || back.count > 2) std::abort();
    bool found = false;
    for (int i = 0; i < back.count; ++i) {
      found = found || back.utc[i] == t;
      if (back.utc[i] + z.utc_offset(back.utc[i]) != t + off) std::abort();
    }
    if (back.count == 2 && back.utc[0] >= back.utc[1]) std::abort();
    // A wall-clock time more than two instants share keeps the first and the last.
    if (!found && !(back.count == 2 && back.utc[0] < t && t < back.utc[1])) std::abort();
    (void)z.abbreviation(t);
    local.push_back(t + off);
  }
  const fc::time::Resolved r = z.resolve(local, {});
  if (r.gap_row != SIZE_MAX) std::abort();  // every wall-clock time here came from an instant
  if (r.utc.size() != local.size()) std::abort();
  for (size_t i = 0; i < local.size(); ++i)
    if (r.utc[i] + z.utc_offset(r.utc[i]) != local[i]) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    const fc::time::Zone z = bytes.substr(0, 4) == "TZif" ? fc::time::Zone::from_tzif(bytes, "fuzz")
                                                          : fc::time::Zone::from_posix(bytes, "fuzz");
    check_zone(z);
  } catch (const fc::Error& e) {
    for (char ch : std::string(e.what()))
      if (ch == 0) std::abort();
  }
  return 0;
}
