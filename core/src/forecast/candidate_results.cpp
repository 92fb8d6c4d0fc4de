// A candidate's cross-validation (CandidateCv) as bytes and back, so the candidates of one
// training can run apart (the page's workers, each its own wasm instance) and be finished
// together: train_candidate() writes them, train() with given candidates reads them. Every
// number is stored as its bits, so the model is the one train() makes in one run.
//
// Layout (little-endian, as wasm and x86 are): "fccv" and a format version, the training's
// fingerprint, the candidate's index and the candidate count, then the fields in the
// struct's order; vectors as a u32 length and their items, strings as a length and bytes.
#include <cstring>

#include "funnelcast/base/error.hpp"
#include "train_steps.hpp"

namespace fc::forecast::steps {
namespace {

constexpr char kMagic[4] = {'f', 'c', 'c', 'v'};
constexpr uint32_t kFormat = 1;

class Writer {
 public:
  std::string out;
  template <class T>
  void raw(const T& v) {
    out.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  void u32(size_t v) { raw(static_cast<uint32_t>(v)); }
  void u64(uint64_t v) { raw(v); }
  void f64(double v) { raw(v); }
  void text(const std::string& t) {
    u32(t.size());
    out += t;
  }
  void doubles(const std::vector<double>& v) {
    u32(v.size());
    for (double x : v) f64(x);
  }
  void sizes(const std::vector<size_t>& v) {
    u32(v.size());
    for (size_t x : v) u64(x);
  }
  void metrics(const std::vector<metrics::Regression>& v) {
    u32(v.size());
    for (const auto& m : v) {
      f64(m.rmse);
      f64(m.mae);
      f64(m.r2);
      f64(m.smape);
      f64(m.mase);
    }
  }
};

// Reads back what Writer wrote; any read past the end is a damaged result.
class Reader {
 public:
  Reader(const std::string& bytes, const std::string& what) : p_(bytes.data()), end_(p_ + bytes.size()), what_(what) {}
  template <class T>
  T raw() {
    if (static_cast<size_t>(end_ - p_) < sizeof(T)) damaged();
    T v;
    std::memcpy(&v, p_, sizeof v);
    p_ += sizeof v;
    return v;
  }
  // A count of items of at least `item` bytes each, checked against what is left.
  size_t count(size_t item) {
    const size_t n = raw<uint32_t>();
    if (item > 0 && n > static_cast<size_t>(end_ - p_) / item) damaged();
    return n;
  }
  uint64_t u64() { return raw<uint64_t>(); }
  double f64() { return raw<double>(); }
  std::string text() {
    const size_t n = count(1);
    std::string t(p_, n);
    p_ += n;
    return t;
  }
  std::vector<double> doubles() {
    std::vector<double> v(count(sizeof(double)));
    for (double& x : v) x = f64();
    return v;
  }
  std::vector<size_t> sizes() {
    std::vector<size_t> v(count(sizeof(uint64_t)));
    for (size_t& x : v) x = static_cast<size_t>(u64());
    return v;
  }
  std::vector<metrics::Regression> metrics() {
    std::vector<metrics::Regression> v(count(5 * sizeof(double)));
    for (auto& m : v) {
      m.rmse = f64();
      m.mae = f64();
      m.r2 = f64();
      m.smape = f64();
      m.mase = f64();
    }
    return v;
  }
  bool at_end() const { return p_ == end_; }
  [[noreturn]] void damaged() const {
    throw Error(what_ + ": damaged (not the bytes train_candidate wrote)");
  }

 private:
  const char* p_;
  const char* end_;
  std::string what_;
};

}  // namespace

std::string save_candidate(const CandidateCv& cv, uint64_t fingerprint, size_t index, size_t count) {
  Writer w;
  w.out.append(kMagic, sizeof kMagic);
  w.raw(kFormat);
  w.u64(fingerprint);
  w.u32(index);
  w.u32(count);
  w.text(cv.name);
  w.metrics(cv.one_step);
  w.metrics(cv.recursive);
  w.u32(cv.best_iterations.size());
  for (int it : cv.best_iterations) w.raw(static_cast<int32_t>(it));
  w.u32(cv.residuals.size());
  for (const auto& r : cv.residuals) {
    w.raw(static_cast<int32_t>(r.bucket_steps));
    w.u32(r.by_bucket.size());
    for (const auto& b : r.by_bucket) w.doubles(b);
  }
  w.sizes(cv.backtest_origins);
  w.metrics(cv.backtest);
  w.u32(cv.predictions.size());
  for (const auto& p : cv.predictions) {
    w.doubles(p.one_step);
    w.sizes(p.origins);
    w.u32(p.forecasts.size());
    for (const auto& f : p.forecasts) w.doubles(f);
  }
  return w.out;
}

std::vector<CandidateCv> load_candidates(const std::vector<std::string>& given, uint64_t fingerprint,
                                         const std::vector<const CandidateInfo*>& chosen, size_t folds) {
  const std::string fit = "candidate results do not fit this data and options";
  if (given.size() != chosen.size())
    throw Error(fit + ": " + std::to_string(given.size()) + " given, this training compares " +
                std::to_string(chosen.size()) + " forecasters");
  std::vector<CandidateCv> out(chosen.size());
  std::vector<bool> seen(chosen.size(), false);
  for (size_t g = 0; g < given.size(); ++g) {
    const std::string what = "candidate result " + std::to_string(g);
    Reader r(given[g], what);
    char magic[4];
    for (char& c : magic) c = r.raw<char>();
    if (std::memcmp(magic, kMagic, sizeof kMagic) != 0 || r.raw<uint32_t>() != kFormat) r.damaged();
    const uint64_t print = r.u64();
    const size_t index = r.raw<uint32_t>(), count = r.raw<uint32_t>();
    if (count != chosen.size() || index >= count)
      throw Error(fit + ": " + what + " is candidate " + std::to_string(index) + " of " + std::to_string(count) +
                  ", this training compares " + std::to_string(chosen.size()));
    const std::string name = chosen[index]->name;
    if (print != fingerprint)
      throw Error(fit + ": " + name + "'s results were made from other data, folds or options");
    if (seen[index]) throw Error(fit + ": " + name + " is given twice");
    seen[index] = true;
    CandidateCv& cv = out[index];
    cv.name = r.text();
    if (cv.name != name) r.damaged();
    cv.one_step = r.metrics();
    cv.recursive = r.metrics();
    cv.best_iterations.resize(r.count(sizeof(int32_t)));
    for (int& it : cv.best_iterations) it = r.raw<int32_t>();
    cv.residuals.resize(r.count(2 * sizeof(uint32_t)));
    for (auto& set : cv.residuals) {
      set.bucket_steps = r.raw<int32_t>();
      set.by_bucket.resize(r.count(sizeof(uint32_t)));
      for (auto& b : set.by_bucket) b = r.doubles();
    }
    cv.backtest_origins = r.sizes();
    cv.backtest = r.metrics();
    cv.predictions.resize(r.count(3 * sizeof(uint32_t)));
    for (auto& p : cv.predictions) {
      p.one_step = r.doubles();
      p.origins = r.sizes();
      p.forecasts.resize(r.count(sizeof(uint32_t)));
      for (auto& f : p.forecasts) f = r.doubles();
    }
    if (!r.at_end()) r.damaged();
    // Every fold's results, as cross_validate gives them.
    if (cv.one_step.size() != folds || cv.recursive.size() != folds || cv.residuals.size() != folds ||
        cv.predictions.size() != folds || cv.best_iterations.size() != folds)
      r.damaged();
  }
  return out;
}

}  // namespace fc::forecast::steps
