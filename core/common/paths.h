// Where things live: the data mirror, the test fixtures, the per-user folders.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace ps {

struct DataLocation {
  std::string dir;     // the folder that holds perturbqa/, string_v12_dmfind/, ...
  std::string source;  // "--data", "PERTURBSCOPE_DATA", "shared beside the checkout", "user data folder"
};

// Candidate data folders in lookup order: explicit, $PERTURBSCOPE_DATA, a
// shared/data/raw folder beside the checkout (searched upwards from the working
// directory, and from the compile-time source tree only while the executable runs from
// its build tree: an installed package never reports the build machine's checkout),
// then the per-user data folder. Only existing folders are returned, except the
// explicit one, which is always first when given.
std::vector<DataLocation> data_candidates(const std::string& explicit_dir = "");

// The first candidate that exists, or nullopt.
std::optional<DataLocation> locate_data(const std::string& explicit_dir = "");

// Like locate_data but throws ps::Error with a message naming --data and
// PERTURBSCOPE_DATA when nothing is found.
DataLocation require_data(const std::string& explicit_dir = "");

// ../shared/data/fixtures (or $PERTURBSCOPE_FIXTURES); nullopt when absent.
std::optional<std::string> locate_fixtures();

// $XDG_DATA_HOME/perturbscope or ~/.local/share/perturbscope (QStandardPaths' AppDataLocation on Linux).
std::string user_data_dir();
// $XDG_CACHE_HOME/perturbscope or ~/.cache/perturbscope.
std::string user_cache_dir();
// The experiment store: $PERTURBSCOPE_STORE or <user_data_dir>/store.sqlite.
std::string default_store_path();

// The source tree this binary was built from (compile-time), for finding the checkout.
std::string source_dir();
// The build tree it was built in (compile-time).
std::string build_dir();
// The folder of the running executable (/proc/self/exe), "" when unknown.
std::string executable_dir();
// True when `exe_dir` lies inside build_dir() (a binary run from the build tree), so the
// compile-time source_dir() may be searched; false for an installed copy.
bool running_from_build_tree(const std::string& exe_dir);
// "0.1.0" and the `git describe` of the build.
std::string version();
std::string git_describe();

}  // namespace ps
