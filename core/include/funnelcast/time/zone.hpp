// Time zones, for exports whose timestamps are wall-clock times of one place
// (`--tz Europe/Berlin`): a zone read from TZif bytes (RFC 8536, the files in
// /usr/share/zoneinfo) or from a POSIX TZ rule, UTC offsets of instants, and wall-clock
// times back to instants, with the daylight-saving gap (no instant) and fold (two).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fc::time {

// The instants a wall-clock time stands for, earliest first: none in a spring-forward gap,
// two in an autumn fold.
struct LocalInstants {
  int count = 0;
  int64_t utc[2] = {0, 0};
};

// One wall-clock time of a column in file order, and what it became (see Zone::resolve).
struct Resolved {
  std::vector<int64_t> utc;   // one per row
  size_t gap_row = SIZE_MAX;  // the first row in a gap (utc is then incomplete)
  struct Fold {
    int64_t transition = 0;   // UTC instant the clocks went back
    int64_t first_local = 0;  // the repeated wall-clock span [first_local, first_local + length)
    int64_t length = 0;
    size_t earlier = 0, later = 0;  // rows read as the first / the second pass
    bool ambiguous = false;  // in some group the order did not tell; all its rows the first pass
  };
  std::vector<Fold> folds;
};

class Zone {
 public:
  // The methods are virtual only so that a build that never makes a Zone (the wasm
  // bundle) links none of their code: nothing there constructs one.
  virtual ~Zone();

  // TZif version 1, 2 or 3 (the 64-bit data when present, and the footer's rule for
  // instants after the last transition). fc::Error for anything malformed or oversized.
  static Zone from_tzif(std::string_view bytes, std::string name);
  // A POSIX TZ rule: "CET-1CEST,M3.5.0,M10.5.0/3", "EST5EDT,M3.2.0,M11.1.0", "<+03>-3".
  static Zone from_posix(std::string_view rule, std::string name);

  const std::string& name() const { return name_; }
  // Seconds to add to UTC for the wall clock (+3600 for CET).
  virtual int64_t utc_offset(int64_t utc) const;
  // "CEST", "EST", "+03" (as the data writes it; may be empty).
  virtual std::string abbreviation(int64_t utc) const;
  // A wall-clock time (its fields read as if UTC) to the instants it stands for.
  virtual LocalInstants to_utc(int64_t local) const;
  // Wall-clock times of one column in file order to instants; `fixed[r]` = 1 where the
  // cell gave its own offset (that row is already UTC; `fixed` may be empty). The rows of
  // a fold are read per group (a channel; `group` may be empty: one group): those before
  // the first backward step in wall-clock time are the first pass and the rest the second;
  // without a backward step, when each wall-clock time there appears exactly twice, its
  // second row is the second pass; otherwise all are the first pass (ambiguous).
  virtual Resolved resolve(const std::vector<int64_t>& local, const std::vector<uint8_t>& fixed,
                           const std::vector<int32_t>& group = {}) const;

  struct Type {
    int32_t offset = 0;
    bool dst = false;
    std::string abbreviation;
  };
  struct Rule {  // a POSIX TZ rule's daylight-saving dates
    enum Kind : uint8_t { kJulian1, kJulian0, kMonthWeek } kind = kMonthWeek;
    int month = 0, week = 0, day = 0;  // M.w.d, or day for J/n
    int32_t time = 7200;               // seconds after local midnight
  };

 private:
  const Type& type_at(int64_t utc) const;
  const Type& rule_type_at(int64_t utc) const;
  void list_offsets();  // offsets_ from the types and the rule

  std::string name_;
  std::vector<int64_t> transitions_;  // UTC, ascending
  std::vector<uint8_t> type_of_;      // the type in force from each transition
  std::vector<Type> types_;           // types_[0] before the first transition
  bool has_rule_ = false;
  Type standard_, daylight_;
  bool has_dst_ = false;
  Rule start_, end_;
  std::vector<int32_t> offsets_;  // every offset the zone has, largest first, once each
};

#ifndef __EMSCRIPTEN__
// The zone file `name` (letters, digits and _ + - / only) from $TZDIR, else
// /usr/share/zoneinfo. fc::Error saying where it looked, with examples, when there is none.
Zone load_zone(const std::string& name);
#endif

}  // namespace fc::time
