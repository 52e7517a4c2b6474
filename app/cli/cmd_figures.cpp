// perturbscope-cli report | export-figure: forwarded to the Qt-linked `perturbscope`
// executable (app/gui/figure_commands.h), which draws the figures with the GUI's own
// QCustomPlot code offscreen. The CLI links no Qt (headless servers train and evaluate
// without it), so it runs `perturbscope COMMAND ARGS...` in its place (exec: the exit code,
// output and errors are perturbscope's): the one beside this executable (an install's bin/,
// or the build tree's app/gui/), else the first on PATH. Without one: exit 1 and a message
// that says the command needs the Qt build.
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <unistd.h>
#include <vector>

#include "cli/cmd_figures.h"
#include "common/error.h"

namespace fs = std::filesystem;

namespace ps::cli {

namespace {

bool executable(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
}

std::string find_gui() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (const fs::path& candidate : {self.parent_path() / "perturbscope", self.parent_path() / "gui" / "perturbscope"})
      if (executable(candidate)) return candidate.string();
  }
  const char* path = std::getenv("PATH");
  if (!path) return {};
  std::string dirs = path;
  size_t start = 0;
  while (start <= dirs.size()) {
    const size_t end = dirs.find(':', start);
    const std::string dir = dirs.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!dir.empty() && executable(fs::path(dir) / "perturbscope")) return (fs::path(dir) / "perturbscope").string();
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return {};
}

int forward(const char* command, const Argv& args) {
  const std::string gui = find_gui();
  if (gui.empty()) {
#if PERTURBSCOPE_WITH_GUI
    throw Error(std::string(command) +
                " needs the Qt executable perturbscope, which is neither beside perturbscope-cli nor on PATH "
                "(build the target perturbscope, or run perturbscope " +
                command + " directly)");
#else
    throw Error(std::string(command) +
                " needs the Qt build (perturbscope); this build has no Qt (PERTURBSCOPE_BUILD_GUI=OFF)");
#endif
  }
  std::vector<std::string> owned{gui, command};
  owned.insert(owned.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : owned) argv.push_back(s.data());
  argv.push_back(nullptr);
  ::execv(gui.c_str(), argv.data());
  throw Error(gui + ": cannot run it (" + std::strerror(errno) + ")");
}

}  // namespace

int cmd_report(const Argv& args) { return forward("report", args); }
int cmd_export_figure(const Argv& args) { return forward("export-figure", args); }

}  // namespace ps::cli
