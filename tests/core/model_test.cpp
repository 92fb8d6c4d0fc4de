// The model file: exact layout, round trip, determinism, and refusal of every
// damaged, truncated or hand-corrupted file (CRC recomputed so the structural
// checks behind the checksum are exercised too).
#include "funnelcast/model/model.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>

#include "funnelcast/base/error.hpp"
#include "funnelcast/gbdt/train.hpp"
#include "test_support.hpp"

namespace fc::model {
namespace {

using gbdt::Ensemble;
using gbdt::Objective;
using gbdt::Tree;

// Layout constants restated from the format description, not taken from model.cpp.
constexpr size_t kPrefix = 8 + 4 + 4;            // magic, version, header length
constexpr size_t kEnsembleHead = 1 + 4 + 8 + 4;  // objective, features, base score, tree count
constexpr size_t kTreeHead = 4 + 4;
constexpr size_t kInternal = 10;
constexpr size_t kLeaf = 8;

Tree make_tree0() {
  // node 0: x3 <= 1.5 (NaN left) ? node 1 : leaf 0
  // node 1: x0 <= -2.25 (NaN right) ? leaf 1 : leaf 2
  Tree t;
  t.feature = {3, 0};
  t.threshold = {1.5f, -2.25f};
  t.default_left = {1, 0};
  t.left = {1, ~1};
  t.right = {~0, ~2};
  t.leaf_value = {0.5f, -0.25f, 1.0f};
  t.leaf_cover = {10.f, 5.f, 3.f};
  return t;
}

Tree make_tree1() {
  Tree t;
  t.feature = {4};
  t.threshold = {0.0f};
  t.default_left = {0};
  t.left = {~0};
  t.right = {~1};
  t.leaf_value = {0.1f, -0.1f};
  t.leaf_cover = {7.f, 8.f};
  return t;
}

Tree make_cat_tree() {
  // node 0: x2 in {1, 3, 33} (NaN right) ? node 1 : leaf 0
  // node 1: x0 <= 0.5 (NaN left) ? leaf 1 : leaf 2
  Tree t;
  t.feature = {2, 0};
  t.threshold = {0.0f, 0.5f};
  t.default_left = {0, 1};
  t.left = {1, ~1};
  t.right = {~0, ~2};
  t.leaf_value = {1.0f, 2.0f, 3.0f};
  t.leaf_cover = {4.f, 5.f, 6.f};
  t.cat_set = {0, -1};
  t.cat_begin = {0, 2};
  t.cat_bits = {(1u << 1) | (1u << 3), 1u << 1};
  return t;
}

MetricTable metric_table() {
  MetricTable t;
  for (const char* name : {"rmse", "mae", "r2", "smape", "mase"}) t[name] = {1.25, 0.5, 3};
  t["r2"].mean = 0.1 + 0.2;  // must come back exactly, not rounded
  t["mase"] = {std::nan(""), std::nan(""), 0};  // undefined in every fold: null in the file
  return t;
}

// A complete forecast header for trees over `width` lag features.
Header header_for(uint32_t width, const std::string& predictor = "gbdt", const std::string& objective = "poisson") {
  Header h;
  h.kind = "forecast";
  h.created_by = "funnelcast test";
  h.data.source = "caf\u00e9.csv";
  h.data.columns = {{"timestamp", "timestamp", "time"}, {"leads", "number", "leads"}, {"note", "category", ""}};
  h.data.roles.time = "timestamp";
  h.data.roles.leads = "leads";
  h.data.start = 1704067200;
  h.data.end = 1704067200 + 3600 * 100;
  h.data.intervals = 100;
  h.data.target = {4.5, 1.5, 0, 12, 100};
  ForecastSection f;
  f.features.lags.clear();
  for (uint32_t i = 1; i <= width; ++i) f.features.lags.push_back(static_cast<int>(i));
  f.features.calendar = false;
  f.features.cyclic = false;
  f.predictor = predictor;
  if (predictor == "gbdt") {
    f.objective = objective;
    f.params = gbdt::Params{};
  } else if (predictor == "seasonal_naive") {
    f.season = 168;
  }
  f.horizon = 24;
  f.min_history = 48;
  f.intervals.lo95 = {-3};
  f.intervals.lo80 = {-2};
  f.intervals.hi80 = {2};
  f.intervals.hi95 = {3};
  f.coverage = {0.8, 0.95, 240};
  f.cv.folds = 1;
  f.cv.horizon = 24;
  f.cv.one_step = metric_table();
  f.cv.recursive = metric_table();
  f.cv.per_fold = {{0, 3600, 3600, 7200, {{"rmse", 1.0}, {"mae", 1.0}, {"r2", 0.5}, {"smape", 0.1}, {"mase", 1.0}},
                    {{"rmse", 1.0}, {"mae", 1.0}, {"r2", 0.5}, {"smape", 0.1}, {"mase", std::nan("")}}}};
  f.comparison = {{"gbdt_poisson", metric_table(), metric_table(), {17}}};
  f.selected = "gbdt_poisson";
  f.feature_importance = {{"lag1", 2.5}};
  h.forecast = f;
  return h;
}

TEST(ModelLevelWindow, ItRoundTripsAndIsOnlyForTrees) {
  Header h = header_for(5, "gbdt", "regression");
  EXPECT_FALSE(h.to_json().at("forecast").contains("level_window"));  // absent when 0: old bytes kept
  h.forecast->level_window = 168;
  const nlohmann::json j = h.to_json();
  EXPECT_EQ(j.at("forecast").at("level_window"), 168);
  EXPECT_EQ(Header::from_json(j).forecast->level_window, 168);
  nlohmann::json one = j;
  one["forecast"]["level_window"] = 1;  // no spread in one step
  EXPECT_THROW(Header::from_json(one), Error);
  Header naive = header_for(5, "seasonal_naive");
  nlohmann::json k = naive.to_json();
  k["forecast"]["level_window"] = 168;
  try {
    Header::from_json(k);
    ADD_FAILURE() << "a level window on seasonal naive was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'forecast.level_window' is only for a gbdt predictor"), std::string::npos) << e.what();
  }
}

Model make_model() {
  Model m;
  m.header = header_for(5);
  m.ensemble.objective = Objective::kPoisson;
  m.ensemble.num_features = 5;
  m.ensemble.base_score = 0.123456789012345;
  m.ensemble.trees = {make_tree0(), make_tree1()};
  return m;
}

// make_model() with a third tree that has a categorical split.
Model make_cat_model() {
  Model m = make_model();
  m.ensemble.trees.push_back(make_cat_tree());
  return m;
}

uint32_t get_u32(const std::string& b, size_t off) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= uint32_t{static_cast<uint8_t>(b[off + i])} << (8 * i);
  return v;
}

void put_u32(std::string& b, size_t off, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[off + i] = static_cast<char>((v >> (8 * i)) & 0xFF);
}

void put_u16(std::string& b, size_t off, uint16_t v) {
  b[off] = static_cast<char>(v & 0xFF);
  b[off + 1] = static_cast<char>(v >> 8);
}

void fix_crc(std::string& b) {
  put_u32(b, b.size() - 4, crc32(b.data(), b.size() - 4));
}

size_t ensemble_offset(const std::string& b) {
  return kPrefix + get_u32(b, 12);
}
size_t tree0_offset(const std::string& b) {
  return ensemble_offset(b) + kEnsembleHead;
}

std::string with_header(const std::string& file, const std::string& header) {
  std::string out = file.substr(0, kPrefix) + header + file.substr(ensemble_offset(file));
  put_u32(out, 12, static_cast<uint32_t>(header.size()));
  fix_crc(out);
  return out;
}

// Loading must fail with an fc::Error that names the source and contains `needle`.
void expect_refused(const std::string& bytes, const std::string& needle) {
  try {
    load(bytes, "demo.fcm");
    ADD_FAILURE() << "loaded a file that should be refused (" << needle << ")";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.rfind("demo.fcm: ", 0), 0u) << msg;
    EXPECT_NE(msg.find(needle), std::string::npos) << "message: " << msg << "\nwanted: " << needle;
  }
}

void expect_same_tree(const Tree& a, const Tree& b) {
  EXPECT_EQ(a.feature, b.feature);
  EXPECT_EQ(a.threshold, b.threshold);
  EXPECT_EQ(a.default_left, b.default_left);
  EXPECT_EQ(a.left, b.left);
  EXPECT_EQ(a.right, b.right);
  EXPECT_EQ(a.leaf_value, b.leaf_value);
  EXPECT_EQ(a.leaf_cover, b.leaf_cover);
  EXPECT_EQ(a.cat_set, b.cat_set);
  EXPECT_EQ(a.cat_begin, b.cat_begin);
  EXPECT_EQ(a.cat_bits, b.cat_bits);
}

void expect_same_model(const Model& a, const Model& b) {
  EXPECT_EQ(a.header.to_json().dump(), b.header.to_json().dump());
  EXPECT_EQ(a.ensemble.objective, b.ensemble.objective);
  EXPECT_EQ(a.ensemble.num_features, b.ensemble.num_features);
  EXPECT_EQ(a.ensemble.base_score, b.ensemble.base_score);
  ASSERT_EQ(a.ensemble.trees.size(), b.ensemble.trees.size());
  for (size_t t = 0; t < a.ensemble.trees.size(); ++t) {
    expect_same_tree(a.ensemble.trees[t], b.ensemble.trees[t]);
  }
}

// A chain: node i goes left to node i+1 and right to leaf i; the last node ends in two leaves.
Tree chain_tree(size_t internals) {
  Tree t;
  for (size_t i = 0; i < internals; ++i) {
    t.feature.push_back(0);
    t.threshold.push_back(static_cast<float>(i));
    t.default_left.push_back(static_cast<uint8_t>(i % 2));
    t.left.push_back(i + 1 < internals ? static_cast<int32_t>(i + 1)
                                       : ~static_cast<int32_t>(i + 1));
    t.right.push_back(~static_cast<int32_t>(i));
  }
  for (size_t i = 0; i <= internals; ++i) {
    t.leaf_value.push_back(0.5f * static_cast<float>(i));
    t.leaf_cover.push_back(1.0f);
  }
  return t;
}

TEST(Crc32, KnownValues) {
  // The standard check value of CRC-32/ISO-HDLC (zlib, PNG, gzip).
  EXPECT_EQ(crc32("123456789", 9), 0xCBF43926u);
  EXPECT_EQ(crc32("", 0), 0u);
  EXPECT_EQ(crc32("a", 1), 0xE8B7BE43u);
  // Incremental use continues the same checksum.
  EXPECT_EQ(crc32("6789", 4, crc32("12345", 5)), 0xCBF43926u);
}

TEST(Model, ExactLayout) {
  const Model m = make_model();
  const std::string b = save(m);
  const std::string header = m.header.to_json().dump();
  ASSERT_EQ(b.size(), kPrefix + header.size() + kEnsembleHead +
                          (kTreeHead + 2 * kInternal + 3 * kLeaf) +
                          (kTreeHead + kInternal + 2 * kLeaf) + 4);
  EXPECT_EQ(b.substr(0, 8), "FCMODEL1");
  EXPECT_EQ(get_u32(b, 8), 2u);
  EXPECT_EQ(get_u32(b, 12), header.size());
  EXPECT_EQ(b.substr(16, header.size()), header);
  const size_t e = ensemble_offset(b);
  EXPECT_EQ(static_cast<uint8_t>(b[e]), 1);  // poisson
  EXPECT_EQ(get_u32(b, e + 1), 5u);
  double base;
  uint64_t bits = uint64_t{get_u32(b, e + 5)} | (uint64_t{get_u32(b, e + 9)} << 32);
  std::memcpy(&base, &bits, 8);
  EXPECT_EQ(base, 0.123456789012345);
  EXPECT_EQ(get_u32(b, e + 13), 2u);
  const size_t t0 = tree0_offset(b);
  EXPECT_EQ(get_u32(b, t0), 2u);
  EXPECT_EQ(get_u32(b, t0 + 4), 3u);
  // Node 0: feature 3 with the default-left bit, 1.5f = 0x3FC00000, left node 1, right leaf 0.
  const std::string node0("\x03\x80\x00\x00\xC0\x3F\x01\x00\x00\x80", 10);
  EXPECT_EQ(b.substr(t0 + 8, 10), node0);
  // Node 1: feature 0, -2.25f = 0xC0100000, left leaf 1, right leaf 2.
  const std::string node1("\x00\x00\x00\x00\x10\xC0\x01\x80\x02\x80", 10);
  EXPECT_EQ(b.substr(t0 + 18, 10), node1);
  // Leaf 0: 0.5f = 0x3F000000, cover 10.f = 0x41200000.
  const std::string leaf0("\x00\x00\x00\x3F\x00\x00\x20\x41", 8);
  EXPECT_EQ(b.substr(t0 + 28, 8), leaf0);
  EXPECT_EQ(get_u32(b, b.size() - 4), crc32(b.data(), b.size() - 4));
}

TEST(Model, ExactLayoutOfACategoricalTree) {
  const Model m = make_cat_model();
  const std::string b = save(m);
  const std::string numeric = save(make_model());
  // The numeric trees keep their bytes (only the tree count differs); the categorical
  // tree follows them.
  const size_t e = ensemble_offset(b), t2 = numeric.size() - 4;
  EXPECT_EQ(b.substr(0, e + 13), numeric.substr(0, e + 13));
  EXPECT_EQ(get_u32(b, e + 13), 3u);
  EXPECT_EQ(b.substr(e + 17, t2 - e - 17), numeric.substr(e + 17, t2 - e - 17));
  const size_t sets = 4 + 2 + 2 * 4;  // set count, one set's size, its two words
  ASSERT_EQ(b.size(), t2 + kTreeHead + 2 * kInternal + 3 * kLeaf + sets + 4);
  EXPECT_EQ(get_u32(b, t2), 2u);
  EXPECT_EQ(get_u32(b, t2 + 4), 3u | 0x40000000u);  // bit 30: the tree has category sets
  // Node 0: feature 2 with the categorical bit, set 0, left node 1, right leaf 0.
  EXPECT_EQ(b.substr(t2 + 8, 10), std::string("\x02\x40\x00\x00\x00\x00\x01\x00\x00\x80", 10));
  // Node 1: feature 0, default left, 0.5f = 0x3F000000, leaves 1 and 2.
  EXPECT_EQ(b.substr(t2 + 18, 10), std::string("\x00\x80\x00\x00\x00\x3F\x01\x80\x02\x80", 10));
  const size_t cat = t2 + 8 + 2 * kInternal + 3 * kLeaf;
  EXPECT_EQ(get_u32(b, cat), 1u);
  EXPECT_EQ(b.substr(cat + 4, 2), std::string("\x02\x00", 2));
  EXPECT_EQ(get_u32(b, cat + 6), 0xAu);
  EXPECT_EQ(get_u32(b, cat + 10), 0x2u);
  EXPECT_EQ(get_u32(b, b.size() - 4), crc32(b.data(), b.size() - 4));

  const Model back = load(b, "demo.fcm");
  expect_same_model(m, back);
  for (float x2 : {1.0f, 3.0f, 33.0f, 0.0f, 2.0f, 32.0f, 64.0f, 1.5f, -1.0f, NAN}) {
    for (float x0 : {0.0f, 1.0f, NAN}) {
      const float row[5] = {x0, 0, x2, 0, 0};
      EXPECT_EQ(back.ensemble.predict_raw_reference(row), m.ensemble.predict_raw_reference(row));
    }
  }
  const float in_set[5] = {1.0f, 0, 33.0f, 0, 0}, out_of_set[5] = {1.0f, 0, 34.0f, 0, 0};
  EXPECT_EQ(back.ensemble.trees[2].predict_reference(in_set), 3.0f);
  EXPECT_EQ(back.ensemble.trees[2].predict_reference(out_of_set), 1.0f);
  EXPECT_EQ(save(back), b);
}

TEST(Model, TreesWithEmptyCategoryArraysRoundTrip) {
  // cat_begin = {0} and no categorical node: allowed by validate(), kept by the file.
  Model m = make_model();
  m.ensemble.trees[1].cat_set = {-1};
  m.ensemble.trees[1].cat_begin = {0};
  const std::string b = save(m);
  EXPECT_EQ(b.size(), save(make_model()).size() + 4);
  expect_same_model(m, load(b));
}

TEST(Model, TrainedCategoricalModelsAreByteIdenticalAnyThreadCount) {
  // A binary model on a categorical column with 300 codes (beyond max_bin) and a number.
  std::mt19937 g(5);
  const size_t rows = 70000;
  std::vector<float> x(rows * 2);
  std::vector<double> y(rows);
  for (size_t r = 0; r < rows; ++r) {
    const uint32_t c = g() % 300;
    x[2 * r] = g() % 20 == 0 ? NAN : static_cast<float>(c);
    x[2 * r + 1] = static_cast<float>(g() % 1000) / 1000.0f;
    y[r] = (c % 7 == 2) != (g() % 5 == 0) ? 1.0 : 0.0;
  }
  const uint32_t counts[2] = {300, 0};
  gbdt::Dataset d;
  d.x = x.data();
  d.rows = rows;
  d.cols = 2;
  d.y = y.data();
  d.category_counts = counts;
  gbdt::Params p;
  p.objective = Objective::kBinary;
  p.num_iterations = 10;
  p.feature_fraction = 0.9;
  p.bagging_fraction = 0.9;
  p.bagging_freq = 1;
  Model m;
  m.header = header_for(2, "gbdt", "regression");
  auto bytes = [&](int threads) {
    p.num_threads = threads;
    m.ensemble = gbdt::train(d, nullptr, p).ensemble;
    m.ensemble.objective = Objective::kSquaredError;  // the forecast header's objective
    return save(m);
  };
  const std::string one = bytes(1), two = bytes(2);
  EXPECT_EQ(one, two);
  const Model back = load(one);
  size_t categorical = 0;
  for (const Tree& t : back.ensemble.trees) {
    for (size_t k = 0; k < t.internal_count(); ++k) categorical += t.is_categorical(k);
  }
  EXPECT_GT(categorical, 0u);
  EXPECT_EQ(save(back), one);
}

TEST(Model, RoundTrip) {
  const Model m = make_model();
  const Model back = load(save(m), "demo.fcm");
  expect_same_model(m, back);
  EXPECT_EQ(back.header.forecast->cv.one_step.at("r2").mean, 0.1 + 0.2);  // exact, not rounded
  EXPECT_TRUE(std::isnan(back.header.forecast->cv.one_step.at("mase").mean));
  EXPECT_EQ(back.header.data.source, "caf\u00e9.csv");
  EXPECT_EQ(back.header.data.columns.size(), 3u);
  EXPECT_EQ(back.header.data.columns[2].role, "");
  const float row[5] = {-3.f, 0.f, 0.f, 1.f, 2.f};
  EXPECT_EQ(back.ensemble.predict_raw_reference(row), m.ensemble.predict_raw_reference(row));
}

TEST(Model, RoundTripWithoutTreesAndWithSingleLeafTree) {
  Model m;
  m.header = header_for(5, "seasonal_naive");
  expect_same_model(m, load(save(m)));
  EXPECT_TRUE(load(save(m)).ensemble.trees.empty());

  m.header = header_for(5);
  m.ensemble.objective = Objective::kPoisson;
  Tree leaf;
  leaf.leaf_value = {2.5f};
  leaf.leaf_cover = {100.f};
  m.ensemble.trees = {leaf, make_tree1()};
  m.ensemble.num_features = 5;
  expect_same_model(m, load(save(m)));
}

TEST(Model, TreesWithoutCoverStayWithoutCover) {
  // gbdt::Tree allows an empty leaf_cover (only TreeSHAP needs it); the file keeps it empty.
  Model m = make_model();
  const size_t with_cover = save(m).size();
  m.ensemble.trees[1].leaf_cover.clear();
  const std::string b = save(m);
  EXPECT_EQ(with_cover - b.size(), 2 * 4u);  // two leaves, 4 bytes of cover each
  const Model back = load(b);
  expect_same_model(m, back);
  EXPECT_TRUE(back.ensemble.trees[1].leaf_cover.empty());
  EXPECT_EQ(back.ensemble.trees[0].leaf_cover.size(), 3u);
}

TEST(Model, SaveIsDeterministic) {
  const Model m = make_model();
  const std::string a = save(m);
  EXPECT_EQ(a, save(m));
  EXPECT_EQ(a, save(load(a)));
}

TEST(Model, BytesPerNode) {
  Model m;
  m.header = header_for(1, "gbdt", "regression");
  m.ensemble.num_features = 1;
  m.ensemble.trees = {chain_tree(1)};
  const size_t small = save(m).size();
  m.ensemble.trees = {chain_tree(201)};
  const std::string big = save(m);
  // 200 more internal nodes bring 200 more leaves: 10 bytes per internal node, 8 per leaf.
  EXPECT_EQ(big.size() - small, 200 * kInternal + 200 * kLeaf);
  EXPECT_LE((big.size() - small - 200 * kLeaf) / 200, 10u);
  expect_same_model(m, load(big));
}

TEST(Model, EverySingleByteChangeIsRefused) {
  const std::string good = save(make_model());
  ASSERT_NO_THROW(load(good));
  for (size_t off = 0; off < good.size(); ++off) {
    for (uint8_t mask : {0x01, 0x80, 0xFF, 0x5A}) {
      std::string bad = good;
      bad[off] = static_cast<char>(bad[off] ^ mask);
      EXPECT_THROW(load(bad), Error) << "offset " << off << " mask " << int(mask);
    }
  }
}

TEST(Model, EveryTruncationIsRefused) {
  const std::string good = save(make_model());
  for (size_t len = 0; len < good.size(); ++len) {
    EXPECT_THROW(load(good.substr(0, len)), Error) << "length " << len;
  }
}

TEST(Model, EverySingleByteChangeOrTruncationOfACategoricalModelIsRefused) {
  const std::string good = save(make_cat_model());
  ASSERT_NO_THROW(load(good));
  for (size_t off = 0; off < good.size(); ++off) {
    for (uint8_t mask : {0x01, 0x40, 0x80, 0xFF}) {
      std::string bad = good;
      bad[off] = static_cast<char>(bad[off] ^ mask);
      EXPECT_THROW(load(bad), Error) << "offset " << off << " mask " << int(mask);
    }
  }
  for (size_t len = 0; len < good.size(); ++len) {
    EXPECT_THROW(load(good.substr(0, len)), Error) << "length " << len;
  }
}

TEST(Model, CorruptCategorySetsBehindAValidChecksum) {
  const std::string good = save(make_cat_model());
  const std::string numeric = save(make_model());
  const size_t t0 = tree0_offset(good), t2 = numeric.size() - 4;
  const size_t cat = t2 + 8 + 2 * kInternal + 3 * kLeaf;
  std::string b;

  b = good;  // node 0 points at category set 5; the tree has 1
  put_u32(b, t2 + 8 + 2, 5);
  fix_crc(b);
  expect_refused(b, "tree 2, node 0: category set 5 is out of range (1 sets)");

  b = good;  // a set index that is negative as int32
  put_u32(b, t2 + 8 + 2, 0x80000000u);
  fix_crc(b);
  expect_refused(b, "tree 2, node 0: bad category set index 2147483648");

  b = good;  // the categorical bit on a node of a tree without category sets
  put_u16(b, t0 + 8, 0xC003);
  fix_crc(b);
  expect_refused(b, "tree 0, node 0: a categorical split in a tree without category sets");

  b = good;  // set count beyond the file
  put_u32(b, cat, 0x7FFFFFFFu);
  fix_crc(b);
  expect_refused(b, "tree 2 claims 2147483647 category sets");

  b = good;  // two sets: the words run short
  put_u32(b, cat, 2);
  fix_crc(b);
  expect_refused(b, "truncated");

  b = good;  // one set of 40000 words: more than the format allows
  put_u16(b, cat + 4, 40000);
  fix_crc(b);
  expect_refused(b, "tree 2: category set 0 has 40000 words (at most 32768)");

  b = good;  // one set of 3 words: only 2 are there
  put_u16(b, cat + 4, 3);
  fix_crc(b);
  expect_refused(b, "truncated");

  b = good;  // one set of 1 word: a stray word is left over
  put_u16(b, cat + 4, 1);
  fix_crc(b);
  expect_refused(b, "4 unexpected bytes after the trees");

  b = good;  // the category-set flag cleared: the sets are read as stray bytes
  put_u32(b, t2 + 4, 3);
  fix_crc(b);
  expect_refused(b, "a categorical split in a tree without category sets");

  b = good;  // the flag set on a numeric tree: the next tree is read as its sets
  put_u32(b, t0 + 4, 3 | 0x40000000u);
  fix_crc(b);
  EXPECT_THROW(load(b), Error);

  // save() refuses what load would: a categorical split with a threshold, a bad set.
  Model m = make_cat_model();
  m.ensemble.trees[2].threshold[0] = 1.0f;
  EXPECT_THROW(save(m), Error);
  m = make_cat_model();
  m.ensemble.trees[2].cat_set[0] = 1;
  EXPECT_THROW(save(m), Error);
}

TEST(Model, DamageNamesTheProblem) {
  const std::string good = save(make_model());
  std::string b = good;
  b[b.size() / 2] ^= 0x10;
  expect_refused(b, "checksum mismatch: the file is damaged or truncated");
  expect_refused(good.substr(0, good.size() - 1), "checksum mismatch");
  expect_refused(good.substr(0, 20), "truncated");
  expect_refused("", "empty");
  expect_refused("PK\x03\x04 this is a zip", "not a funnelcast model file");
  expect_refused("{\"kind\":\"forecast\"}", "not a funnelcast model file");

  b = good;
  put_u32(b, 8, 7);
  expect_refused(b, "made by a newer funnelcast: format version 7, this build reads 2; update funnelcast");
  b = good;
  put_u32(b, 8, 1);
  expect_refused(b, "made by funnelcast 0.1 (format version 1), whose model files do not record the channel");
  expect_refused(b, "retrain it with this version");
  b = good;
  put_u32(b, 8, 0);
  fix_crc(b);
  expect_refused(b, "unsupported format version 0");
}

TEST(Model, CorruptStructureBehindAValidChecksum) {
  const std::string good = save(make_model());
  const size_t e = ensemble_offset(good), t0 = tree0_offset(good);
  std::string b;

  b = good;  // header length beyond the file
  put_u32(b, 12, 0xFFFFFF00u);
  fix_crc(b);
  expect_refused(b, "truncated: the header needs 4294967040 bytes");

  b = good;  // a tree count that would ask for gigabytes
  put_u32(b, e + 13, 0xFFFFFFFFu);
  fix_crc(b);
  expect_refused(b, "claims 4294967295 trees");

  b = good;
  put_u32(b, e + 13, 3);
  fix_crc(b);
  expect_refused(b, "truncated");

  b = good;
  put_u32(b, t0, 5000);
  fix_crc(b);
  expect_refused(b, "tree 0 claims 5000 internal nodes");

  b = good;
  put_u32(b, t0 + 4, 0x7FFFFFFFu);
  fix_crc(b);
  expect_refused(b, "tree 0: bad node counts");

  b = good;  // node 0's left child -> internal node 7 (the tree has 2)
  put_u16(b, t0 + 8 + 6, 7);
  fix_crc(b);
  expect_refused(b, "tree 0, node 0: left child points at internal node 7");

  b = good;  // node 1's right child -> leaf 9 (the tree has 3)
  put_u16(b, t0 + 8 + 10 + 8, 0x8009);
  fix_crc(b);
  expect_refused(b, "tree 0, node 1: right child points at leaf 9");

  b = good;
  b[e] = 9;
  fix_crc(b);
  expect_refused(b, "unknown objective code 9");

  b = good;
  put_u32(b, e + 1, 70000);
  fix_crc(b);
  expect_refused(b, "bad feature count 70000");

  b = good;  // a NaN base score
  put_u32(b, e + 5, 0);
  put_u32(b, e + 9, 0x7FF80000u);
  fix_crc(b);
  expect_refused(b, "base score");

  b = good;  // one stray byte between the trees and the checksum
  b.insert(b.size() - 4, 1, '\0');
  fix_crc(b);
  expect_refused(b, "1 unexpected bytes after the trees");

  b = good;  // same length, broken JSON
  b[kPrefix] = 'x';
  fix_crc(b);
  expect_refused(b, "invalid JSON header");
}

TEST(Model, StructuralChecksFromEnsembleValidate) {
  // These rely on gbdt::Ensemble::validate(): the message comes from there, the prefix from load.
  const std::string good = save(make_model());
  const size_t t0 = tree0_offset(good);
  std::string b;

  b = good;  // node 0: feature 9 with 5 features in the model (keeps the default-left bit)
  put_u16(b, t0 + 8, 0x8009);
  fix_crc(b);
  expect_refused(b, "tree 0");

  b = good;  // node 1's left child -> node 0: a cycle, and leaf 1 is never reached
  put_u16(b, t0 + 18 + 6, 0);
  fix_crc(b);
  expect_refused(b, "tree 0");

  b = good;  // a NaN leaf value
  put_u32(b, t0 + 28, 0x7FC00000u);
  fix_crc(b);
  expect_refused(b, "tree 0");
}

TEST(Model, HeaderIsReadFieldByField) {
  const std::string good = save(make_model());
  const nlohmann::json h = make_model().header.to_json();
  ASSERT_NO_THROW(load(with_header(good, h.dump())));
  auto without = [&](const std::vector<std::string>& path) {
    nlohmann::json j = h;
    nlohmann::json* at = &j;
    for (size_t i = 0; i + 1 < path.size(); ++i) at = &(*at)[path[i]];
    at->erase(path.back());
    return with_header(good, j.dump());
  };
  auto with = [&](const std::vector<std::string>& path, const nlohmann::json& v) {
    nlohmann::json j = h;
    nlohmann::json* at = &j;
    for (const auto& k : path) at = &(*at)[k];
    *at = v;
    return with_header(good, j.dump());
  };
  expect_refused(without({"kind"}), "model header: 'kind' is missing");
  expect_refused(with({"kind"}, 3), "'kind' must be a string");
  expect_refused(with({"kind"}, "scoring"), "unknown model kind 'scoring' (this funnelcast reads: forecast, score)");
  expect_refused(without({"data", "roles", "time"}), "'data.roles.time' is missing");
  expect_refused(with({"data", "roles", "time"}, nullptr), "'data.roles.time' is missing: a model needs the time column");
  expect_refused(with({"data", "roles", "leads"}, nullptr), "'data.roles.leads' is missing: a model trained on values");
  expect_refused(with({"data", "rows"}, "rows"), "'data.rows' must be one of values, events, found 'rows'");
  expect_refused(with({"data", "interval"}, 0), "'data.interval' must be from 1 to");
  expect_refused(without({"forecast", "horizon"}), "'forecast.horizon' is missing");
  expect_refused(with({"forecast", "predictor"}, "prophet"), "'forecast.predictor' must be one of gbdt, ridge, seasonal_naive");
  expect_refused(with({"forecast", "features", "lags"}, nlohmann::json::array({0})), "'forecast.features': feature spec: lags");
  expect_refused(with({"forecast", "intervals", "lo80"}, nlohmann::json::array({1})), "'forecast.intervals': 'intervals' are not nested");
  expect_refused(with({"forecast", "cv", "per_fold"}, 5), "'forecast.cv.per_fold' must be a list");
  expect_refused(with({"format"}, 1), "'format' is 1 but the file format is 2");
  expect_refused(with_header(good, "[1,2]"), "'(root)' must be an object");
  expect_refused(with_header(good, ""), "invalid JSON header");
  expect_refused(with_header(good, h.dump() + " trailing"), "invalid JSON header");
  expect_refused(with_header(good, "{\"kind\":\"\xFF\xFE\"}"), "invalid JSON header");
  std::string deep = R"({"kind":"forecast","x":)" + std::string(1000, '[') + std::string(1000, ']') + "}";
  expect_refused(with_header(good, deep), "nested deeper");
}

TEST(Model, HeaderAndTreesMustAgree) {
  const std::string good = save(make_model());
  // A feature list one longer than the trees' feature count.
  expect_refused(with_header(good, header_for(6).to_json().dump()),
                 "the trees use 5 features but the header's feature list has 6");
  expect_refused(with_header(good, header_for(5, "gbdt", "regression").to_json().dump()),
                 "the trees were trained with the poisson objective but the header says regression");
  expect_refused(with_header(good, header_for(5, "seasonal_naive").to_json().dump()),
                 "a seasonal_naive forecaster has no trees, but the file has 2");
  // save() refuses the same models, and headers load() would refuse.
  Model m = make_model();
  m.header = header_for(6);
  EXPECT_THROW(save(m), Error);
  m = make_model();
  m.header.kind = "";
  EXPECT_THROW(save(m), Error);
  m = make_model();
  m.header.data.roles.time.clear();
  EXPECT_THROW(save(m), Error);
}

TEST(Model, SaveRefusesWhatTheFormatCannotHold) {
  Model m = make_model();
  m.ensemble.num_features = 40000;
  m.ensemble.trees[0].feature[0] = 39000;
  EXPECT_THROW(save(m), Error);

  m = make_model();
  m.ensemble.trees[0].left[0] = 5;  // out of range
  EXPECT_THROW(save(m), Error);

  m = make_model();
  m.ensemble.trees[0].leaf_cover.pop_back();  // arrays of different lengths
  EXPECT_THROW(save(m), Error);

  m = make_model();
  m.header = header_for(1);
  m.ensemble.num_features = 1;
  m.ensemble.trees = {chain_tree(32767)};  // 32768 leaves: one too many
  try {
    save(m);
    ADD_FAILURE() << "saved a tree with 32768 leaves";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("at most 32767"), std::string::npos) << e.what();
  }
  m.ensemble.trees = {chain_tree(32766)};  // the largest tree the format holds
  const std::string b = save(m);
  expect_same_model(m, load(b));
}

// Random inputs, deterministic seed: load either returns a model that survives a
// save/load round trip or throws fc::Error; never anything else, never a crash.
TEST(Model, FuzzNeverThrowsAnythingButError) {
  // Half the cases start from a model with a categorical tree.
  const std::string numeric_good = save(make_model()), cat_good = save(make_cat_model());
  std::mt19937_64 rng(20240611);
  auto byte = [&] { return static_cast<char>(rng() & 0xFF); };
  size_t loaded = 0, refused = 0;
  // A fifth under the sanitizers (bench/fuzz's fuzz_model covers the space there).
  const int cases = fc::testing::unless_sanitized(20000, 4000);
  for (int i = 0; i < cases; ++i) {
    const std::string& good = (i / 5) % 2 ? cat_good : numeric_good;
    std::string b;
    switch (i % 5) {
      case 0: {  // pure noise
        b.resize(rng() % 200);
        for (char& c : b) c = byte();
        break;
      }
      case 1: {  // valid magic and version, noise after, checksum fixed half the time
        b = good.substr(0, 12);
        const size_t extra = rng() % 200;
        for (size_t k = 0; k < extra; ++k) b.push_back(byte());
        if ((rng() & 1) && b.size() >= 16) fix_crc(b);
        break;
      }
      case 2: {  // a valid file with a few bytes changed, checksum fixed
        b = good;
        const int changes = 1 + static_cast<int>(rng() % 4);
        for (int k = 0; k < changes; ++k) b[16 + rng() % (b.size() - 20)] = byte();
        fix_crc(b);
        break;
      }
      case 3: {  // a valid file with a random 32-bit value written somewhere, checksum fixed
        b = good;
        const size_t off = rng() % (b.size() - 7);
        put_u32(b, off, static_cast<uint32_t>(rng()));
        fix_crc(b);
        break;
      }
      default: {  // a valid file cut or extended, checksum fixed
        b = good.substr(0, rng() % good.size());
        const size_t extra = rng() % 16;
        for (size_t k = 0; k < extra; ++k) b.push_back(byte());
        if (b.size() >= 4) fix_crc(b);
        break;
      }
    }
    try {
      const Model m = load(b, "fuzz");
      ++loaded;
      expect_same_model(m, load(save(m)));
    } catch (const Error&) {
      ++refused;
    } catch (const std::exception& e) {
      FAIL() << "case " << i << ": non-fc exception: " << e.what();
    } catch (...) {
      FAIL() << "case " << i << ": unknown exception";
    }
  }
  EXPECT_EQ(loaded + refused, static_cast<size_t>(cases));
  EXPECT_GT(refused, 0u);
  // Some mutated files must get through every check, or the loop tests only the front door.
  EXPECT_GT(loaded, 0u);
  RecordProperty("loaded", static_cast<int>(loaded));
}

}  // namespace
}  // namespace fc::model
