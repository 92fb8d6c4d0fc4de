// The model file, byte by byte. Layout (all integers little-endian):
//
//   "FCMODEL1"  u32 format version  u32 header length  header JSON
//   u8 objective  u32 num_features  f64 base_score  u32 tree count
//   per tree: u32 internal count, u32 leaf count,
//             internal nodes, 10 bytes each: u16 feature (bit 15 = default_left,
//               bit 14 = categorical split), f32 threshold (a categorical split: u32 index
//               of its category set instead), u16 left, u16 right (bit 15 = the child is a leaf)
//             leaves, 8 bytes each: f32 value, f32 cover
//             (bit 31 of the leaf count set: the tree has no cover, leaves are 4 bytes, value only)
//             only when bit 30 of the leaf count is set, the tree's category sets:
//               u32 set count S, S x u16 words per set, then every set's words as u32
//               (category c is bit c % 32 of word c / 32 of its set)
//   u32 CRC-32 (IEEE) of every byte before it
//
// A tree without categorical splits has neither flag bit 30 nor bit 14 anywhere: its bytes
// are those of the layout before categorical splits existed, so older numeric files load
// unchanged and numeric models save to the very same bytes.
//
// Values are assembled from single bytes rather than memcpy'd structs so the
// file is the same on any host and no read ever depends on alignment.
#include "funnelcast/model/model.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <utility>

#include "funnelcast/base/error.hpp"
#include "funnelcast/gbdt/objective.hpp"
#include "funnelcast/io/json.hpp"

namespace fc::model {
namespace {

constexpr char kMagic[8] = {'F', 'C', 'M', 'O', 'D', 'E', 'L', '1'};
// 15 bits per child index: bit 15 carries the is-leaf flag.
constexpr uint32_t kMaxNodes = 0x7FFF;  // internal nodes, and leaves, per tree
// num_features; feature indices stay below it. Bit 14 of the feature word marks a
// categorical split, so 14 bits are left for the index.
constexpr uint32_t kMaxFeatures = 0x3FFF;
constexpr uint16_t kDefaultLeftBit = 0x8000u;
constexpr uint16_t kCategoricalBit = 0x4000u;
constexpr uint32_t kCategoricalFlag = 0x40000000u;  // in the leaf count word
constexpr size_t kInternalBytes = 2 + 4 + 2 + 2;
constexpr size_t kLeafBytes = 4 + 4;
constexpr size_t kLeafValueBytes = 4;
// Cover is optional in gbdt::Tree (only TreeSHAP needs it); the flag keeps "no cover"
// distinct from "cover 0" through a save/load round trip.
constexpr uint32_t kNoCoverFlag = 0x80000000u;
constexpr size_t kTreeHeadBytes = 4 + 4;
constexpr size_t kPrefixBytes = sizeof(kMagic) + 4 + 4;
constexpr size_t kEnsembleHeadBytes = 1 + 4 + 8 + 4;
constexpr size_t kCrcBytes = 4;
constexpr size_t kMinSize = kPrefixBytes + kEnsembleHeadBytes + kCrcBytes;
// The header's depth and size are limited by the one guarded JSON reader (io/json.hpp):
// dump() and the code that reads the header recurse, so a hostile header must not be
// able to exhaust the stack later on.

constexpr std::array<uint32_t, 256> make_crc_table() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1u) ? (0xEDB88320u ^ (c >> 1)) : (c >> 1);
    table[i] = c;
  }
  return table;
}
constexpr std::array<uint32_t, 256> kCrcTable = make_crc_table();

class Writer {
 public:
  void u8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u16(uint16_t v) {
    u8(static_cast<uint8_t>(v));
    u8(static_cast<uint8_t>(v >> 8));
  }
  void u32(uint32_t v) {
    for (int i = 0; i < 4; ++i) u8(static_cast<uint8_t>(v >> (8 * i)));
  }
  void u64(uint64_t v) {
    for (int i = 0; i < 8; ++i) u8(static_cast<uint8_t>(v >> (8 * i)));
  }
  void f32(float v) {
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    u32(bits);
  }
  void f64(double v) {
    uint64_t bits;
    std::memcpy(&bits, &v, 8);
    u64(bits);
  }
  void bytes(const char* p, size_t n) { out_.append(p, n); }
  std::string& str() { return out_; }

 private:
  std::string out_;
};

class Reader {
 public:
  Reader(std::string_view bytes, const std::string& source) : b_(bytes), source_(source) {}
  size_t remaining() const { return b_.size() - pos_; }
  // Every read goes through need(), so no read can run past the end.
  void need(size_t n, const char* what) const {
    if (n > remaining()) {
      fail("truncated: " + std::string(what) + " needs " + std::to_string(n) + " bytes but only " +
           std::to_string(remaining()) + " remain");
    }
  }
  uint8_t u8(const char* what) {
    need(1, what);
    return static_cast<uint8_t>(b_[pos_++]);
  }
  uint16_t u16(const char* what) {
    need(2, what);
    const auto v = static_cast<uint16_t>(byte(0) | (byte(1) << 8));
    pos_ += 2;
    return v;
  }
  // Little-endian unsigned of sizeof(T) bytes, whatever the host's byte order.
  template <typename T>
  T uint_le(const char* what) {
    need(sizeof(T), what);
    T v = 0;
    for (size_t i = 0; i < sizeof(T); ++i) v |= static_cast<T>(byte(i)) << (8 * i);
    pos_ += sizeof(T);
    return v;
  }
  uint32_t u32(const char* what) { return uint_le<uint32_t>(what); }
  uint64_t u64(const char* what) { return uint_le<uint64_t>(what); }
  float f32(const char* what) {
    uint32_t bits = u32(what);
    float v;
    std::memcpy(&v, &bits, 4);
    return v;
  }
  double f64(const char* what) {
    uint64_t bits = u64(what);
    double v;
    std::memcpy(&v, &bits, 8);
    return v;
  }
  std::string_view take(size_t n, const char* what) {
    need(n, what);
    std::string_view v = b_.substr(pos_, n);
    pos_ += n;
    return v;
  }
  [[noreturn]] void fail(const std::string& message) const {
    throw Error(source_ + ": " + message);
  }

 private:
  uint32_t byte(size_t i) const { return static_cast<uint8_t>(b_[pos_ + i]); }

  std::string_view b_;
  const std::string& source_;
  size_t pos_ = 0;
};

uint16_t encode_child(int32_t child, size_t tree, size_t node, const char* side, size_t internals,
                      size_t leaves) {
  const std::string where = "tree " + std::to_string(tree) + ", node " + std::to_string(node);
  if (child >= 0) {
    if (static_cast<size_t>(child) >= internals) {
      throw Error("model: " + where + ": " + side + " child points at internal node " +
                  std::to_string(child) + " but the tree has " + std::to_string(internals));
    }
    return static_cast<uint16_t>(child);
  }
  const uint32_t leaf = static_cast<uint32_t>(~child);
  if (leaf >= leaves) {
    throw Error("model: " + where + ": " + side + " child points at leaf " + std::to_string(leaf) +
                " but the tree has " + std::to_string(leaves));
  }
  return static_cast<uint16_t>(0x8000u | leaf);
}

std::string strip_nlohmann_prefix(const char* what) {
  // "[json.exception.parse_error.101] parse error at ..." -> "parse error at ..."
  std::string s(what);
  if (!s.empty() && s[0] == '[') {
    size_t close = s.find("] ");
    if (close != std::string::npos) s.erase(0, close + 2);
  }
  return s;
}

}  // namespace

uint32_t crc32(const void* data, size_t size, uint32_t crc) {
  const auto* p = static_cast<const uint8_t*>(data);
  crc = ~crc;
  for (size_t i = 0; i < size; ++i) crc = kCrcTable[(crc ^ p[i]) & 0xFFu] ^ (crc >> 8);
  return ~crc;
}

void check(const Model& m) {
  const Header& h = m.header;
  const gbdt::Ensemble& e = m.ensemble;
  if (h.kind == "forecast") {
    if (!h.forecast) throw Error("model header: a forecast model needs its 'forecast' section");
    const ForecastSection& f = *h.forecast;
    // A combination's trees are its gbdt member's (it has one at most).
    std::string trees_for = f.predictor == "gbdt" ? f.objective : "";
    bool has_trees = f.predictor == "gbdt";
    for (const auto& m : f.members)
      if (m.predictor == "gbdt") {
        has_trees = true;
        trees_for = m.objective;
      }
    if (has_trees) {
      if (e.trees.empty()) throw Error("model: the header describes gradient-boosted trees but the file has none");
      // A by-channel model's trees read the channel after the listed features.
      const size_t width = f.features.width() + (f.channels.empty() ? 0 : 1);
      if (e.num_features != width)
        throw Error("model: the trees use " + std::to_string(e.num_features) + " features but the header's " +
                    "feature list has " + std::to_string(width));
      if (gbdt::to_string(e.objective) != trees_for)
        throw Error(std::string("model: the trees were trained with the ") + gbdt::to_string(e.objective) +
                    " objective but the header says " + trees_for);
    } else if (!e.trees.empty()) {
      throw Error("model: a " + f.predictor + " forecaster has no trees, but the file has " +
                  std::to_string(e.trees.size()));
    }
  } else if (h.kind == "score") {
    if (!h.score) throw Error("model header: a score model needs its 'score' section");
    const ScoreSection& s = *h.score;
    if (e.trees.empty()) throw Error("model: a score model needs trees, and the file has none");
    const gbdt::Link link = gbdt::objective_function(e.objective).link();
    if (s.output == "probability" && link != gbdt::Link::kLogit)
      throw Error(std::string("model: a score model's trees must be trained for a yes/no outcome, not ") +
                  gbdt::to_string(e.objective));
    // score() reports such a model's raw score as the value.
    if (s.output == "value" && link != gbdt::Link::kIdentity)
      throw Error(std::string("model: a score model that predicts a value needs trees whose raw score is "
                              "that value (as regression's), not ") +
                  gbdt::to_string(e.objective));
    if (e.num_features != s.features.size())
      throw Error("model: the trees use " + std::to_string(e.num_features) + " features but the header lists " +
                  std::to_string(s.features.size()));
  }
}

std::string save(const Model& m) {
  // Never write a file that load() would refuse: the header is read back as load reads it.
  const nlohmann::json header_json = m.header.to_json();
  check(m);
  const gbdt::Ensemble& e = m.ensemble;
  // Never write a file that load() would refuse.
  e.validate();
  if (!std::isfinite(e.base_score)) throw Error("model: base_score is not a finite number");
  if (e.num_features > kMaxFeatures) {
    throw Error("model: " + std::to_string(e.num_features) +
                " features; the model file holds at most " + std::to_string(kMaxFeatures));
  }
  if (e.trees.size() > std::numeric_limits<uint32_t>::max()) throw Error("model: too many trees");

  std::string header;
  try {
    header = header_json.dump();
  } catch (const nlohmann::json::exception& ex) {
    // e.g. a string that is not valid UTF-8
    throw Error("model: the header cannot be written as JSON: " + strip_nlohmann_prefix(ex.what()));
  }
  if (header.size() > std::numeric_limits<uint32_t>::max()) throw Error("model: header too large");
  // Read back from the text, as load() reads it (a NaN is written as null).
  Header::from_json(json::parse(header, "model: the header"));

  Writer w;
  w.bytes(kMagic, sizeof(kMagic));
  w.u32(kFormatVersion);
  w.u32(static_cast<uint32_t>(header.size()));
  w.bytes(header.data(), header.size());
  // The objective's id is its code in the file (e.validate() has checked it is listed).
  w.u8(static_cast<uint8_t>(e.objective));
  w.u32(e.num_features);
  w.f64(e.base_score);
  w.u32(static_cast<uint32_t>(e.trees.size()));
  for (size_t t = 0; t < e.trees.size(); ++t) {
    const gbdt::Tree& tr = e.trees[t];
    const size_t n = tr.internal_count(), leaves = tr.leaf_count();
    if (tr.threshold.size() != n || tr.default_left.size() != n || tr.left.size() != n ||
        tr.right.size() != n || (!tr.leaf_cover.empty() && tr.leaf_cover.size() != leaves)) {
      throw Error("model: tree " + std::to_string(t) + ": its arrays have different lengths");
    }
    if (n > kMaxNodes || leaves > kMaxNodes) {
      throw Error("model: tree " + std::to_string(t) + " has " + std::to_string(n) +
                  " internal nodes and " + std::to_string(leaves) +
                  " leaves; the model file holds at most " + std::to_string(kMaxNodes) +
                  " of each per tree");
    }
    w.u32(static_cast<uint32_t>(n));
    const bool has_cover = !tr.leaf_cover.empty();
    const bool has_cat = tr.has_categorical();
    w.u32(static_cast<uint32_t>(leaves) | (has_cover ? 0u : kNoCoverFlag) |
          (has_cat ? kCategoricalFlag : 0u));
    for (size_t i = 0; i < n; ++i) {
      const int32_t f = tr.feature[i];
      if (f < 0 || static_cast<uint32_t>(f) >= kMaxFeatures) {
        throw Error("model: tree " + std::to_string(t) + ", node " + std::to_string(i) +
                    ": feature index " + std::to_string(f) + " out of range");
      }
      const bool cat = tr.is_categorical(i);
      w.u16(static_cast<uint16_t>(static_cast<uint32_t>(f) |
                                  (tr.default_left[i] ? kDefaultLeftBit : 0u) |
                                  (cat ? kCategoricalBit : 0u)));
      if (cat) {
        w.u32(static_cast<uint32_t>(tr.cat_set[i]));
      } else {
        w.f32(tr.threshold[i]);
      }
      w.u16(encode_child(tr.left[i], t, i, "left", n, leaves));
      w.u16(encode_child(tr.right[i], t, i, "right", n, leaves));
    }
    for (size_t i = 0; i < leaves; ++i) {
      w.f32(tr.leaf_value[i]);
      if (has_cover) w.f32(tr.leaf_cover[i]);
    }
    if (has_cat) {
      // validate() has checked the offsets: each set holds at most kMaxCategoryWords
      // (which fits the u16) and the last offset is the pool's size.
      const size_t sets = tr.cat_begin.size() - 1;
      if (sets > std::numeric_limits<uint32_t>::max()) throw Error("model: too many category sets");
      w.u32(static_cast<uint32_t>(sets));
      for (size_t k = 0; k < sets; ++k) {
        w.u16(static_cast<uint16_t>(tr.cat_begin[k + 1] - tr.cat_begin[k]));
      }
      for (const uint32_t word : tr.cat_bits) w.u32(word);
    }
  }
  const uint32_t crc = crc32(w.str().data(), w.str().size());
  w.u32(crc);
  return std::move(w.str());
}

Model load(std::string_view bytes, const std::string& source) {
  const Reader whole(bytes, source);
  auto fail = [&whole](const std::string& message) { whole.fail(message); };

  if (bytes.empty()) fail("the file is empty, not a funnelcast model file");
  const size_t magic_len = std::min(bytes.size(), sizeof(kMagic));
  if (std::memcmp(bytes.data(), kMagic, magic_len) != 0) fail("not a funnelcast model file");
  if (bytes.size() < kPrefixBytes) {
    fail("truncated: " + std::to_string(bytes.size()) + " bytes, a model file has at least " +
         std::to_string(kMinSize));
  }

  Reader r(bytes, source);
  r.take(sizeof(kMagic), "magic");
  const uint32_t version = r.u32("format version");
  // The version is read before the checksum: a newer layout may move the checksum,
  // and "update funnelcast" is the message that helps.
  if (version > kFormatVersion) {
    fail("made by a newer funnelcast: format version " + std::to_string(version) +
         ", this build reads " + std::to_string(kFormatVersion) + "; update funnelcast");
  }
  if (version == 1) {
    fail("made by funnelcast 0.1 (format version 1), whose model files do not record the "
         "channel, the data interval or how rows were counted; retrain it with this version "
         "(funnelcast train forecast ...)");
  }
  if (version != kFormatVersion) fail("unsupported format version " + std::to_string(version));
  if (bytes.size() < kMinSize) {
    fail("truncated: " + std::to_string(bytes.size()) + " bytes, a model file has at least " +
         std::to_string(kMinSize));
  }
  const size_t body = bytes.size() - kCrcBytes;
  uint32_t stored_crc = 0;
  for (size_t i = 0; i < 4; ++i) {
    stored_crc |= static_cast<uint32_t>(static_cast<uint8_t>(bytes[body + i])) << (8 * i);
  }
  if (crc32(bytes.data(), body) != stored_crc) {
    fail("checksum mismatch: the file is damaged or truncated");
  }
  // From here on the reader sees the body only, so the CRC is never read as data.
  Reader in(bytes.substr(0, body), source);
  in.take(kPrefixBytes - 4, "magic and version");

  const uint32_t header_len = in.u32("header length");
  const std::string_view header_text = in.take(header_len, "the header");
  Model m;
  nlohmann::json header_json;
  try {
    header_json = json::parse(header_text, "");
  } catch (const Error& ex) {
    fail(std::string("invalid JSON header: ") + ex.what());
  }
  try {
    m.header = Header::from_json(header_json);
  } catch (const nlohmann::json::exception& ex) {
    fail("model header: " + strip_nlohmann_prefix(ex.what()));
  } catch (const Error& ex) {
    fail(ex.what());
  }

  gbdt::Ensemble& e = m.ensemble;
  const uint8_t objective = in.u8("objective");
  e.objective = static_cast<gbdt::Objective>(objective);
  if (!gbdt::find_objective(e.objective)) fail("unknown objective code " + std::to_string(objective));
  e.num_features = in.u32("feature count");
  if (e.num_features > kMaxFeatures) {
    fail("bad feature count " + std::to_string(e.num_features) + " (at most " +
         std::to_string(kMaxFeatures) + ")");
  }
  e.base_score = in.f64("base score");
  if (!std::isfinite(e.base_score)) fail("base score is not a finite number");
  const uint32_t tree_count = in.u32("tree count");
  // The smallest tree (one leaf, no cover) takes 12 bytes; a count beyond that cannot be real,
  // and is caught before anything is allocated for it.
  const uint64_t min_tree_bytes = kTreeHeadBytes + kLeafValueBytes;
  if (tree_count > in.remaining() / min_tree_bytes) {
    fail("truncated: the file claims " + std::to_string(tree_count) + " trees but only " +
         std::to_string(in.remaining()) + " bytes remain");
  }
  e.trees.resize(tree_count);
  for (uint32_t t = 0; t < tree_count; ++t) {
    const std::string where = "tree " + std::to_string(t);
    const uint32_t n = in.u32("internal node count");
    const uint32_t leaf_word = in.u32("leaf count");
    const bool has_cover = (leaf_word & kNoCoverFlag) == 0;
    const bool has_cat = (leaf_word & kCategoricalFlag) != 0;
    const uint32_t leaves = leaf_word & ~(kNoCoverFlag | kCategoricalFlag);
    if (n > kMaxNodes || leaves > kMaxNodes) {
      fail(where + ": bad node counts (" + std::to_string(n) + " internal, " +
           std::to_string(leaves) + " leaves; at most " + std::to_string(kMaxNodes) + " each)");
    }
    const uint64_t need = uint64_t{n} * kInternalBytes +
                          uint64_t{leaves} * (has_cover ? kLeafBytes : kLeafValueBytes);
    if (need > in.remaining()) {
      fail("truncated: " + where + " claims " + std::to_string(n) + " internal nodes and " +
           std::to_string(leaves) + " leaves (" + std::to_string(need) + " bytes) but only " +
           std::to_string(in.remaining()) + " bytes remain");
    }
    gbdt::Tree& tr = e.trees[t];
    tr.feature.resize(n);
    tr.threshold.resize(n);
    tr.default_left.resize(n);
    tr.left.resize(n);
    tr.right.resize(n);
    tr.leaf_value.resize(leaves);
    tr.leaf_cover.resize(has_cover ? leaves : 0);
    auto decode_child = [&](uint16_t c, uint32_t node, const char* side) -> int32_t {
      const uint32_t index = c & 0x7FFFu;
      if (c & 0x8000u) {
        if (index >= leaves) {
          fail(where + ", node " + std::to_string(node) + ": " + side + " child points at leaf " +
               std::to_string(index) + " but the tree has " + std::to_string(leaves) + " leaves");
        }
        return ~static_cast<int32_t>(index);
      }
      if (index >= n) {
        fail(where + ", node " + std::to_string(node) + ": " + side +
             " child points at internal node " + std::to_string(index) + " but the tree has " +
             std::to_string(n) + " internal nodes");
      }
      return static_cast<int32_t>(index);
    };
    if (has_cat) tr.cat_set.assign(n, -1);
    for (uint32_t i = 0; i < n; ++i) {
      const uint16_t f = in.u16("feature");
      tr.feature[i] = static_cast<int32_t>(f & kMaxFeatures);
      tr.default_left[i] = (f & kDefaultLeftBit) ? 1 : 0;
      if (f & kCategoricalBit) {
        if (!has_cat) {
          fail(where + ", node " + std::to_string(i) +
               ": a categorical split in a tree without category sets");
        }
        const uint32_t set = in.u32("category set index");
        if (set > static_cast<uint32_t>(std::numeric_limits<int32_t>::max())) {
          fail(where + ", node " + std::to_string(i) + ": bad category set index " +
               std::to_string(set));
        }
        tr.cat_set[i] = static_cast<int32_t>(set);
        tr.threshold[i] = 0.0f;
      } else {
        tr.threshold[i] = in.f32("threshold");
      }
      tr.left[i] = decode_child(in.u16("left child"), i, "left");
      tr.right[i] = decode_child(in.u16("right child"), i, "right");
    }
    for (uint32_t i = 0; i < leaves; ++i) {
      tr.leaf_value[i] = in.f32("leaf value");
      if (has_cover) tr.leaf_cover[i] = in.f32("leaf cover");
    }
    if (has_cat) {
      const uint32_t sets = in.u32("category set count");
      // Two bytes per set's size at least: a count beyond that cannot be real.
      if (sets > in.remaining() / 2) {
        fail("truncated: " + where + " claims " + std::to_string(sets) +
             " category sets but only " + std::to_string(in.remaining()) + " bytes remain");
      }
      tr.cat_begin.resize(size_t{sets} + 1);
      tr.cat_begin[0] = 0;
      uint64_t words = 0;
      for (uint32_t k = 0; k < sets; ++k) {
        const uint16_t size = in.u16("category set size");
        if (size > gbdt::kMaxCategoryWords) {
          fail(where + ": category set " + std::to_string(k) + " has " + std::to_string(size) +
               " words (at most " + std::to_string(gbdt::kMaxCategoryWords) + ")");
        }
        words += size;
        if (words * 4 > in.remaining()) {
          fail("truncated: " + where + "'s category sets need " + std::to_string(words * 4) +
               " bytes but only " + std::to_string(in.remaining()) + " remain");
        }
        tr.cat_begin[k + 1] = static_cast<uint32_t>(words);
      }
      tr.cat_bits.resize(static_cast<size_t>(words));
      for (uint32_t& word : tr.cat_bits) word = in.u32("category set word");
      for (uint32_t i = 0; i < n; ++i) {
        if (tr.cat_set[i] >= 0 && static_cast<uint32_t>(tr.cat_set[i]) >= sets) {
          fail(where + ", node " + std::to_string(i) + ": category set " +
               std::to_string(tr.cat_set[i]) + " is out of range (" + std::to_string(sets) +
               " sets)");
        }
      }
    }
  }
  if (in.remaining() != 0) {
    fail(std::to_string(in.remaining()) + " unexpected bytes after the trees");
  }
  try {
    e.validate();
    check(m);
  } catch (const Error& ex) {
    fail(ex.what());
  }
  return m;
}

}  // namespace fc::model
