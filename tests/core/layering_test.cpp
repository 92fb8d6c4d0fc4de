// The core's layer order (core/layers.txt) holds: no file includes a header from a
// folder listed below its own, every folder is listed, and the files of one folder
// include each other without cycles.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

std::vector<std::string> read_layers(const fs::path& file) {
  std::ifstream in(file);
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    const size_t hash = line.find('#');
    if (hash != std::string::npos) line.resize(hash);
    std::istringstream words(line);
    std::string name;
    if (words >> name) out.push_back(name);
  }
  return out;
}

struct Source {
  std::string folder;  // layer folder of the file
  std::string id;      // folder/file name, e.g. "io/csv.hpp"
  fs::path path;
};

// The folder a core file belongs to: the first component under include/funnelcast or src.
std::vector<Source> core_files(const fs::path& core) {
  std::vector<Source> out;
  for (const fs::path base : {core / "include" / "funnelcast", core / "src"}) {
    if (!fs::exists(base)) continue;
    for (const auto& e : fs::recursive_directory_iterator(base)) {
      if (!e.is_regular_file()) continue;
      const fs::path rel = fs::relative(e.path(), base);
      const std::string ext = e.path().extension().string();
      if (ext != ".hpp" && ext != ".cpp" && ext != ".h") continue;
      const std::string folder = rel.begin()->string();
      out.push_back({rel.has_parent_path() ? folder : "", rel.generic_string(), e.path()});
    }
  }
  return out;
}

// Every problem found: files outside a listed folder, includes that go up the layer
// order, and include cycles among the headers of one folder.
std::vector<std::string> layering_problems(const fs::path& core) {
  std::vector<std::string> problems;
  const std::vector<std::string> layers = read_layers(core / "layers.txt");
  if (layers.empty()) return {"core/layers.txt lists no layers"};
  std::map<std::string, size_t> rank;
  for (size_t i = 0; i < layers.size(); ++i) rank[layers[i]] = i;

  std::map<std::string, std::vector<std::string>> header_graph;  // "io/csv.hpp" -> included ids
  for (const Source& f : core_files(core)) {
    if (f.folder.empty() || !rank.count(f.folder)) {
      problems.push_back(f.id + ": its folder is not listed in core/layers.txt");
      continue;
    }
    std::ifstream in(f.path);
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
      ++number;
      const std::string key = "#include \"funnelcast/";
      const size_t at = line.find(key);
      if (at == std::string::npos) continue;
      const size_t begin = at + key.size();
      const size_t end = line.find('"', begin);
      const std::string target = line.substr(begin, end - begin);
      const size_t slash = target.find('/');
      const std::string folder = slash == std::string::npos ? "" : target.substr(0, slash);
      if (!rank.count(folder)) {
        problems.push_back(f.id + ":" + std::to_string(number) + ": includes funnelcast/" + target +
                           ", which is not in a listed folder");
      } else if (rank[folder] > rank[f.folder]) {
        problems.push_back(f.id + ":" + std::to_string(number) + ": " + f.folder +
                           " includes funnelcast/" + target + " from the higher layer " + folder);
      }
      if (f.path.extension() == ".hpp" && folder == f.folder) header_graph[f.id].push_back(target);
    }
  }
  // Cycles among the headers of one folder (depth-first search with colours).
  std::map<std::string, int> colour;  // 0 new, 1 on the stack, 2 done
  std::function<void(const std::string&, std::vector<std::string>&)> visit =
      [&](const std::string& n, std::vector<std::string>& stack) {
        colour[n] = 1;
        stack.push_back(n);
        for (const std::string& m : header_graph[n]) {
          if (colour[m] == 1) {
            std::string cycle;
            for (const auto& s : stack) cycle += s + " -> ";
            problems.push_back("include cycle: " + cycle + m);
          } else if (colour[m] == 0) {
            visit(m, stack);
          }
        }
        stack.pop_back();
        colour[n] = 2;
      };
  for (const auto& [n, unused] : header_graph) {
    std::vector<std::string> stack;
    if (colour[n] == 0) visit(n, stack);
  }
  return problems;
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += "  " + s + "\n";
  return out;
}

TEST(Layering, CoreFollowsTheLayerOrder) {
  const auto problems = layering_problems(fs::path(FC_SOURCE_DIR) / "core");
  EXPECT_TRUE(problems.empty()) << joined(problems);
}

// The checker itself: a tree with an upward include, an unlisted folder and a cycle.
TEST(Layering, CheckerCatchesViolations) {
  const fs::path root = fs::temp_directory_path() / "fc_layering_test";
  fs::remove_all(root);
  const fs::path inc = root / "include" / "funnelcast";
  fs::create_directories(inc / "low");
  fs::create_directories(inc / "high");
  fs::create_directories(inc / "stray");
  std::ofstream(root / "layers.txt") << "# comment\nlow  # bottom\nhigh\n";
  std::ofstream(inc / "low" / "a.hpp") << "#include \"funnelcast/high/b.hpp\"\n";
  std::ofstream(inc / "high" / "b.hpp") << "#include \"funnelcast/low/a.hpp\"\n#include \"funnelcast/high/c.hpp\"\n";
  std::ofstream(inc / "high" / "c.hpp") << "#include \"funnelcast/high/b.hpp\"\n";
  std::ofstream(inc / "stray" / "d.hpp") << "\n";
  const auto problems = layering_problems(root);
  const std::string all = joined(problems);
  EXPECT_NE(all.find("low/a.hpp:1: low includes funnelcast/high/b.hpp from the higher layer high"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("stray/d.hpp: its folder is not listed"), std::string::npos) << all;
  EXPECT_NE(all.find("include cycle: high/b.hpp -> high/c.hpp -> high/b.hpp"), std::string::npos) << all;
  EXPECT_EQ(problems.size(), 3u) << all;
  fs::remove_all(root);
}

}  // namespace
