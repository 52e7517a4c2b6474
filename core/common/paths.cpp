#include "common/paths.h"

#include <cstdlib>
#include <filesystem>

#include "common/error.h"

namespace fs = std::filesystem;

namespace ps {

std::string where(const std::string& file, long line, const std::string& message) {
  if (line > 0) return file + ":" + std::to_string(line) + ": " + message;
  return file + ": " + message;
}

static std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

static std::string home() {
  std::string h = env("HOME");
  return h.empty() ? std::string("/tmp") : h;
}

std::string user_data_dir() {
  std::string x = env("XDG_DATA_HOME");
  return (x.empty() ? home() + "/.local/share" : x) + "/perturbscope";
}

std::string user_cache_dir() {
  std::string x = env("XDG_CACHE_HOME");
  return (x.empty() ? home() + "/.cache" : x) + "/perturbscope";
}

std::string default_store_path() {
  std::string s = env("PERTURBSCOPE_STORE");
  return s.empty() ? user_data_dir() + "/store.sqlite" : s;
}

std::string source_dir() { return PERTURBSCOPE_SOURCE_DIR; }
std::string build_dir() { return PERTURBSCOPE_BINARY_DIR; }

std::string executable_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : exe.parent_path().string();
}

bool running_from_build_tree(const std::string& exe_dir) {
  if (exe_dir.empty() || build_dir().empty()) return false;
  std::error_code ec;
  const fs::path exe = fs::weakly_canonical(exe_dir, ec);
  if (ec) return false;
  const fs::path build = fs::weakly_canonical(build_dir(), ec);
  if (ec) return false;
  // Component-wise prefix: /a/build contains /a/build/app, not /a/build-other.
  auto e = exe.begin();
  for (auto b = build.begin(); b != build.end(); ++b, ++e) {
    if (b->empty()) continue;  // a trailing separator
    if (e == exe.end() || *e != *b) return false;
  }
  return true;
}
std::string version() { return PERTURBSCOPE_VERSION; }
std::string git_describe() { return PERTURBSCOPE_GIT_DESCRIBE; }

// shared/<sub> beside the checkout: walk up from the working directory (an installed
// binary run in a checkout works) and, for a binary in its build tree, from the source tree.
static std::optional<std::string> shared_beside_checkout(const std::string& sub) {
  std::vector<fs::path> starts;
  if (running_from_build_tree(executable_dir())) starts.push_back(fs::path(source_dir()));
  std::error_code ec;
  fs::path cwd = fs::current_path(ec);
  if (!ec) starts.push_back(cwd);
  for (fs::path p : starts) {
    for (int up = 0; up < 4 && !p.empty(); ++up) {
      for (const fs::path& cand : {p / "shared" / sub, p.parent_path() / "shared" / sub}) {
        if (fs::is_directory(cand, ec)) return fs::weakly_canonical(cand, ec).string();
      }
      if (p == p.parent_path()) break;
      p = p.parent_path();
    }
  }
  return std::nullopt;
}

std::vector<DataLocation> data_candidates(const std::string& explicit_dir) {
  std::vector<DataLocation> out;
  std::error_code ec;
  if (!explicit_dir.empty()) {
    out.push_back({explicit_dir, "--data"});
    return out;  // an explicit folder is never silently replaced by another one
  }
  std::string e = env("PERTURBSCOPE_DATA");
  if (!e.empty()) {
    out.push_back({e, "PERTURBSCOPE_DATA"});
    return out;
  }
  if (auto s = shared_beside_checkout("data/raw")) out.push_back({*s, "shared beside the checkout"});
  std::string u = user_data_dir() + "/data";
  if (fs::is_directory(u, ec)) out.push_back({u, "user data folder"});
  return out;
}

std::optional<DataLocation> locate_data(const std::string& explicit_dir) {
  std::error_code ec;
  for (const auto& c : data_candidates(explicit_dir)) {
    if (fs::is_directory(c.dir, ec)) return c;
  }
  return std::nullopt;
}

DataLocation require_data(const std::string& explicit_dir) {
  if (auto d = locate_data(explicit_dir)) return *d;
  if (!explicit_dir.empty()) throw Error(where(explicit_dir, 0, "data folder (--data) does not exist"));
  const std::string e = env("PERTURBSCOPE_DATA");
  if (!e.empty()) throw Error(where(e, 0, "data folder (PERTURBSCOPE_DATA) does not exist"));
  throw Error("no data folder found: pass --data DIR, set PERTURBSCOPE_DATA, put the mirror at "
              "../shared/data/raw beside the checkout, or run `perturbscope-cli data fetch` to fill " +
              user_data_dir() + "/data");
}

std::optional<std::string> locate_fixtures() {
  std::error_code ec;
  std::string e = env("PERTURBSCOPE_FIXTURES");
  if (!e.empty()) {
    if (fs::is_directory(e, ec)) return e;
    return std::nullopt;
  }
  return shared_beside_checkout("data/fixtures");
}

}  // namespace ps
