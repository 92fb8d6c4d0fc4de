#include "cli.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "funnelcast/api/forecast.hpp"
#include "funnelcast/base/error.hpp"
#include "funnelcast/io/csv.hpp"
#include "funnelcast/time/time.hpp"
#include "funnelcast/time/zone.hpp"

namespace fc::cli {

Args::Args(int argc, char** argv, int first, const std::vector<std::string>& known_options,
           const std::vector<std::string>& flags, const std::vector<std::string>& repeatable) {
  auto contains = [](const std::vector<std::string>& v, const std::string& s) {
    for (const auto& x : v)
      if (x == s) return true;
    return false;
  };
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-h") a = "--help";
    if (a.size() > 2 && a.compare(0, 2, "--") == 0) {
      std::string name = a.substr(2), value;
      const size_t eq = name.find('=');
      const bool inline_value = eq != std::string::npos;
      if (inline_value) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      }
      if (name == "help" || contains(flags, name)) {
        if (inline_value) throw UsageError{"--" + name + " takes no value"};
        values_.emplace(name, "1");
        continue;
      }
      if (!contains(known_options, name)) throw UsageError{"unknown option --" + name};
      if (!inline_value) {
        if (i + 1 >= argc) throw UsageError{"--" + name + " needs a value"};
        const std::string next = argv[i + 1];
        // "--data --json": the value was forgotten; do not take the next option as a file name.
        if (next.size() > 2 && next.compare(0, 2, "--") == 0)
          throw UsageError{"--" + name + " needs a value (found the option " + next + " instead)"};
        value = argv[++i];
      }
      if (values_.count(name) && !contains(repeatable, name))
        throw UsageError{"--" + name + " was given twice"};
      values_.emplace(name, value);
    } else {
      positional_.push_back(a);
    }
  }
}

bool Args::has(const std::string& name) const { return values_.count(name) > 0; }

std::string Args::get(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second;
}

std::string Args::require(const std::string& name) const {
  if (!has(name)) throw UsageError{"--" + name + " is required"};
  return get(name);
}

std::vector<std::string> Args::all(const std::string& name) const {
  std::vector<std::string> out;
  auto range = values_.equal_range(name);
  for (auto it = range.first; it != range.second; ++it) out.push_back(it->second);
  return out;
}

int Args::get_int(const std::string& name, int fallback, int min, int max) const {
  if (!has(name)) return fallback;
  const std::string v = get(name);
  char* end = nullptr;
  errno = 0;
  const long x = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || errno != 0 || x < min || x > max)
    throw UsageError{"--" + name + ": expected a whole number from " + std::to_string(min) + " to " +
                     std::to_string(max) + ", found '" + v + "'"};
  return static_cast<int>(x);
}

std::string read_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    throw Error(path + ": is a folder, not a file");
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw Error(path + ": cannot open (" + std::strerror(errno) + ")");
  // One read of the whole file when its size is known (a regular file), in chunks
  // otherwise (a pipe, /dev/stdin): a string stream copied a 100 MB file three times.
  std::string bytes;
  if (::fstat(::fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
    bytes.reserve(static_cast<size_t>(st.st_size) + 1);
  char chunk[1 << 16];
  for (;;) {
    if (bytes.capacity() > bytes.size()) {  // straight into the string's room
      const size_t room = bytes.capacity() - bytes.size(), at = bytes.size();
      bytes.resize(bytes.capacity());
      const size_t got = std::fread(bytes.data() + at, 1, room, f);
      bytes.resize(at + got);
      if (got < room) break;
    } else {
      const size_t got = std::fread(chunk, 1, sizeof chunk, f);
      bytes.append(chunk, got);
      if (got < sizeof chunk) break;
    }
  }
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) throw Error(path + ": read error");
  return bytes;
}

FileBytes::FileBytes(const std::string& path) {
  // A regular file is read in one go into a buffer that is not zero-filled first. Not
  // mapped: a mapped file that another program truncates meanwhile kills the process
  // (SIGBUS); a read sees the bytes there were.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st {};
  bool ok = false;
  if (fd >= 0 && ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    const auto want = static_cast<size_t>(st.st_size);
    buffer_.reset(new char[want]);  // uninitialized: every byte used is read below
    size_t got = 0;
    ok = true;
    while (got < want) {
      const ssize_t n = ::read(fd, buffer_.get() + got, want - got);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        ok = false;
        break;
      }
      if (n == 0) break;  // the file shrank meanwhile: what it holds now
      got += static_cast<size_t>(n);
    }
    if (ok) view_ = std::string_view(buffer_.get(), got);
  }
  if (fd >= 0) ::close(fd);
  if (!ok) {  // not a regular file, empty, or unreadable: read_file reads it (and words its errors)
    buffer_.reset();
    read_ = read_file(path);
    view_ = read_;
  }
}

void write_file(const std::string& path, const std::string& bytes) {
  // Write beside the target and rename, so an interrupted run never leaves half a file.
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(path + ": cannot write (" + std::strerror(errno) + ")");
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw Error(path + ": write error");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw Error(path + ": cannot write (" + std::strerror(errno) + ")");
  }
}

std::string base_name(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

Table read_table(const std::string& path) {
  const std::string bytes = read_file(path);
  csv::Options o;
  o.source = base_name(path);
  return csv::read(bytes, o);
}

namespace {
std::string flag_of(const schema::RoleDef& r) {
  return std::string(r.name) == "channel" ? "channel-column" : r.name;
}
}  // namespace

const std::vector<std::string>& role_options() {
  static const std::vector<std::string> kOptions = [] {
    std::vector<std::string> out;
    for (const auto& r : schema::roles()) out.push_back(flag_of(r));
    for (const char* extra : {"target", "gaps", "duplicates", "channel", "tz"}) out.push_back(extra);
    return out;
  }();
  return kOptions;
}

const std::vector<std::string>& series_flags() {
  static const std::vector<std::string> kFlags = {"events"};
  return kFlags;
}

std::string role_help() {
  std::string out = "column roles (detected from the column names when not given; COL - means none):\n";
  for (const auto& r : schema::roles()) {
    std::string flag = "  --" + flag_of(r) + " COL";
    // A flag too long for the column gets its help on the next line, never run together.
    out += flag.size() < 22 ? flag + std::string(22 - flag.size(), ' ') + r.help + "\n"
                            : flag + "\n" + std::string(22, ' ') + r.help + "\n";
  }
  out +=
      "  --events            each row is one lead (counted per interval), e.g. a CRM export\n"
      "  --gaps MODE         missing (default) or zero: intervals of a regular export with no row\n"
      "  --duplicates MODE   auto (default), sum or error: two rows for the same interval and channel\n"
      "  --tz ZONE           times without an offset are local times in ZONE (e.g. Europe/Berlin):\n"
      "                      daylight-saving repeats and gaps are read correctly\n";
  return out;
}

schema::Roles roles_from(const Args& args) {
  schema::Roles roles;
  for (const auto& r : schema::roles()) roles.*r.column = args.get(flag_of(r));
  if (args.has("target")) {
    if (args.has("leads") && args.get("leads") != args.get("target"))
      throw UsageError{"--target and --leads name different columns; give one of them"};
    roles.leads = args.get("target");
  }
  return roles;
}

series::Options series_options(const Args& args) {
  series::Options o;
  o.roles = roles_from(args);
  if (args.has("events")) {
    if (!o.roles.leads.empty()) throw UsageError{"--events counts rows as leads; it cannot be combined with --leads/--target"};
    o.rows = series::RowMeaning::kEvents;
  }
  const std::string dup = args.get("duplicates", "auto");
  if (dup == "auto") o.duplicates = series::Duplicates::kAuto;
  else if (dup == "sum") o.duplicates = series::Duplicates::kSum;
  else if (dup == "error") o.duplicates = series::Duplicates::kError;
  else throw UsageError{"--duplicates: expected auto, sum or error, found '" + dup + "'"};
  const std::string gaps = args.get("gaps", "missing");
  if (gaps == "missing") o.gaps = series::Gaps::kMissing;
  else if (gaps == "zero") o.gaps = series::Gaps::kZero;
  else throw UsageError{"--gaps: expected missing or zero, found '" + gaps + "'"};
  if (args.has("tz")) {
    try {
      o.zone = std::make_shared<const time::Zone>(time::load_zone(args.get("tz")));
    } catch (const Error& e) {
      throw UsageError{std::string("--tz: ") + e.what()};
    }
  }
  return o;
}

series::BuildResult load_series(const std::string& path, const Args& args) {
  const Table table = read_table(path);
  return series::build(table, series_options(args));
}

void print_notices(const std::vector<std::string>& notices) {
  for (const auto& n : notices) std::fprintf(stderr, "note: %s\n", n.c_str());
}

void describe_series(const series::BuildResult& d, const std::string& path) {
  const series::Series& s = d.total;
  std::ostringstream ss;
  ss << base_name(path) << ": " << d.input_rows << " rows -> " << s.size() << " "
     << time::interval_units(d.step, s.size()) << " (" << time::format_timestamp(s.start)
     << " to " << time::format_timestamp(s.time(s.size() ? s.size() - 1 : 0)) << ")";
  if (!d.channels.empty()) ss << ", " << d.channels.size() << (d.channels.size() == 1 ? " channel" : " channels");
  std::cerr << ss.str() << "\n";
  print_notices(d.notices);
  // With --tz the grid is of instants, and KPI windows, anomalies and incidents are written
  // in UTC (only forecasts carry the zone's wall clock): say so with the first hour in both.
  if (d.zone && !d.zone_days && s.size())
    print_notices({"times printed and written here are UTC: the first, " + time::format_timestamp(s.start) +
                   ", is " + api::forecast_time(s.start, d.zone.get()) + " in " + d.zone->name() +
                   " (the file's times were read as wall-clock times there)"});
}

void print_help(const char* help, const std::vector<std::string>& parts) {
  std::string text = help;
  size_t at = 0;
  for (const auto& part : parts) {
    at = text.find("%s", at);
    if (at == std::string::npos) break;
    text.replace(at, 2, part);
    at += part.size();
  }
  std::fputs(text.c_str(), stdout);
}

void stamp(model::Model& m, const Args& args) {
  if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH")) {
    char* end = nullptr;
    const long long t = std::strtoll(epoch, &end, 10);
    if (*epoch == '\0' || *end != '\0' || t < 0) throw UsageError{"SOURCE_DATE_EPOCH must be seconds since 1970"};
    m.header.created_at = t;
  } else if (args.has("stamp")) {
    m.header.created_at = static_cast<int64_t>(std::time(nullptr));
  }
}

forecast::Request forecast_request(const Args& args, const std::string& model_name, const model::Model& m) {
  forecast::Request request;
  request.model_name = model_name;
  const series::Options given = series_options(args);
  request.roles = given.roles;
  request.duplicates = given.duplicates;
  request.zone = given.zone;
  const std::string& trained = m.header.data.zone;
  if (!trained.empty()) {
    if (given.zone && given.zone->name() != trained)
      throw UsageError{"--tz " + given.zone->name() + ": " + model_name + " was trained with times in " + trained +
                       "; forecast with --tz " + trained + " or without --tz"};
    if (!given.zone) {
      try {
        request.zone = std::make_shared<const time::Zone>(time::load_zone(trained));
      } catch (const Error& e) {
        throw Error(model_name + " reads times in " + trained + ": " + e.what());
      }
      std::fprintf(stderr, "note: times without an offset are read in %s, as the model was trained\n", trained.c_str());
    }
  }
  if (args.has("gaps")) request.gaps = given.gaps;
  if (args.has("channel")) request.channel = args.get("channel");
  return request;
}

std::string save_trained(model::Model& m, const Args& args, const std::string& out_path, const nlohmann::json& report) {
  stamp(m, args);
  std::string bytes = model::save(m);
  write_file(out_path, bytes);
  if (args.has("report")) write_file(args.get("report"), json_dump(report));
  return bytes;
}

std::string hash_hex(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

void log_run(const std::string& model_path, const std::string& model_bytes, const std::string& data_path,
             const std::string& kind, const nlohmann::json& params, const nlohmann::json& metrics) {
  const size_t slash = model_path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : model_path.substr(0, slash);
  const std::string path = dir + "/runs.jsonl";
  nlohmann::json line = {{"time", static_cast<long long>(std::time(nullptr))},
                         {"kind", kind},
                         {"model", base_name(model_path)},
                         {"model_hash", hash_hex(model_bytes)},
                         {"data", base_name(data_path)},
                         {"data_hash", hash_hex(read_file(data_path))},
                         {"params", params},
                         {"metrics", metrics}};
  std::ofstream out(path, std::ios::app);
  if (!out) {
    std::fprintf(stderr, "note: could not append to %s (%s); the model is saved\n", path.c_str(), std::strerror(errno));
    return;
  }
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  out << text << "\n";
}

namespace {
void replace_nan(nlohmann::json& j) {
  if (j.is_number_float() && !std::isfinite(j.get<double>())) j = nullptr;
  else if (j.is_structured())
    for (auto& v : j) replace_nan(v);
}
}  // namespace

std::string json_dump(const nlohmann::json& j) {
  nlohmann::json copy = j;
  replace_nan(copy);
  return copy.dump(2) + "\n";
}

nlohmann::json number_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

ProgressLine::ProgressLine(bool quiet) : quiet_(quiet), tty_(isatty(STDERR_FILENO) != 0) {}

void ProgressLine::update(const std::string& stage, double fraction) {
  if (quiet_) return;
  const int percent = static_cast<int>(std::floor(fraction * 100));
  if (tty_) {
    if (percent == last_percent_ && stage == last_stage_) return;
    std::fprintf(stderr, "\r[%3d%%] %-60s", percent, stage.c_str());
  } else {
    if (percent / 10 == last_percent_ / 10 && last_percent_ >= 0) return;
    std::fprintf(stderr, "[%3d%%] %s\n", percent, stage.c_str());
  }
  std::fflush(stderr);
  last_percent_ = percent;
  last_stage_ = stage;
}

void ProgressLine::finish() {
  if (!quiet_ && tty_) std::fprintf(stderr, "\n");
}

}  // namespace fc::cli

// Large buffers on transparent huge pages. Scoring a million leads touches about half a GB of
// freshly allocated memory (the file, the cells, the columns, the features, the output), and
// on this kind of VM each 4 KB page fault is dear: the faults took a fifth of the CPU. The
// kernel gives huge pages only where asked (transparent_hugepage "madvise"), so every
// allocation of 4 MB or more is advised, before it is touched, in its whole 2 MB pages
// (as glibc's tunable glibc.malloc.hugetlb=1 does, which a program cannot set for itself).
// Memory still comes from and goes back to malloc; only the page size changes. Not under
// the sanitizers, which bring their own operator new.
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define FC_CLI_SANITIZED 1
#endif
#endif
#if defined(__linux__) && !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__) && \
    !defined(FC_CLI_SANITIZED) && !defined(__EMSCRIPTEN__)
#include <sys/mman.h>

#include <cstdint>
#include <new>

namespace {

void* allocate(std::size_t size) {
  constexpr std::size_t kAdviseFrom = std::size_t{4} << 20, kHugePage = std::size_t{2} << 20;
  void* p = std::malloc(size != 0 ? size : 1);
  if (p == nullptr) throw std::bad_alloc();
  if (size >= kAdviseFrom) {
    const auto at = reinterpret_cast<std::uintptr_t>(p);
    const std::uintptr_t begin = (at + kHugePage - 1) & ~(kHugePage - 1), end = (at + size) & ~(kHugePage - 1);
    if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);  // a hint only
  }
  return p;
}

}  // namespace

void* operator new(std::size_t size) { return allocate(size); }
void* operator new[](std::size_t size) { return allocate(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
#endif
