// Running the funnelcast binary from a test as a user would: its exit code, standard output
// and standard error (captured in files inside `dir`), and small file helpers.
#pragma once
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace fc::testing {

struct Outcome {
  int code;
  std::string out, err;
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void put(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

// `funnelcast ARGS` (ARGS as a shell would split them), no standard input. The captures
// are named by process: test processes running side by side (ctest -j, the sanitizer
// run's shards) may share `dir`.
inline Outcome run_cli(const std::string& dir, const std::string& args) {
  const std::string pid = std::to_string(::getpid());
  const std::string out = dir + "/stdout." + pid, err = dir + "/stderr." + pid;
  const std::string cmd = std::string(FC_CLI_PATH) + " " + args + " >" + out + " 2>" + err + " </dev/null";
  const int status = std::system(cmd.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
}

}  // namespace fc::testing
