// Child processes of perturbscope-cli for the crash-safety, disk and security tests: argv and
// extra environment, stdout/stderr to files, an optional SIGKILL after a delay, and per-child
// limits applied between fork and exec (a file-size limit with SIGXFSZ ignored).
#pragma once
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "sanitizer_report.h"

namespace ps::test {

struct ChildResult {
  int exit_code = -1;  // when it exited
  int signal = 0;      // when a signal ended it
  bool killed_by_us = false;
  double seconds = 0;
  std::string out, err;
  bool exited(int code) const { return signal == 0 && exit_code == code; }
  std::string describe() const {
    std::ostringstream s;
    if (signal) s << "signal " << signal;
    else s << "exit " << exit_code;
    s << " after " << seconds << " s\n--- stdout\n" << out << "\n--- stderr\n" << err;
    return s.str();
  }
};

struct ChildOptions {
  std::map<std::string, std::string> env;  // added to (or replacing in) this process's environment
  std::vector<std::string> unset_env;      // removed from it
  double kill_after_s = -1;                // >= 0: SIGKILL after this long (if still running)
  double timeout_s = 300;                  // SIGKILL after this long in any case (reported as a failure)
  // Non-empty: `signal_to_send` once the child's stderr holds this text (e.g. a progress line).
  std::string signal_on_stderr;
  int signal_to_send = SIGINT;
  long file_size_limit = -1;               // >= 0: RLIMIT_FSIZE in bytes, SIGXFSZ ignored (writes fail with EFBIG)
  long address_space_limit = -1;           // >= 0: RLIMIT_AS in bytes (as `ulimit -v`, which counts KiB)
  // Folders made read-only for the child only: a private mount namespace (unshare) in which each
  // is bind-mounted onto itself read-only. Writes fail with EROFS, for root too.
  std::vector<std::string> read_only;
  // Drops CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH and CAP_FOWNER from the child's bounding set, so
  // that file modes bind root as they bind anyone (chmod a-w then means read-only); for a user other
  // than root, nothing to drop.
  bool drop_file_capabilities = false;
};

// Exit code of a child whose setup (namespace, mount, capabilities) failed; its stderr starts with
// kSetupFailed and says which call failed and why.
constexpr int kSetupFailedExit = 126;
constexpr const char* kSetupFailed = "PS_TEST_SETUP_FAILED";

inline std::string slurp_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs PERTURBSCOPE_CLI_PATH with `args`; waits for it (polling, so a kill can be timed).
inline ChildResult run_cli_child(const std::vector<std::string>& args, const ChildOptions& opt = {}) {
  static int counter = 0;
  const std::filesystem::path base =
      std::filesystem::temp_directory_path() / ("ps_child_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
  const std::string out_path = base.string() + ".out", err_path = base.string() + ".err";

  std::vector<std::string> argv_s{PERTURBSCOPE_CLI_PATH};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<std::string> env_s;
  for (char** e = environ; *e; ++e) {
    const std::string kv = *e;
    const std::string key = kv.substr(0, kv.find('='));
    bool drop = opt.env.count(key) > 0 || key == "PERTURBSCOPE_PROGRESS";
    for (const auto& u : opt.unset_env) drop = drop || u == key;
    if (!drop) env_s.push_back(kv);
  }
  if (!opt.env.count("PERTURBSCOPE_PROGRESS")) env_s.push_back("PERTURBSCOPE_PROGRESS=lines");
  for (const auto& [k, v] : opt.env) env_s.push_back(k + "=" + v);
  std::vector<char*> argv, envp;
  for (auto& s : argv_s) argv.push_back(s.data());
  argv.push_back(nullptr);
  for (auto& s : env_s) envp.push_back(s.data());
  envp.push_back(nullptr);

  const auto t0 = std::chrono::steady_clock::now();
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    FILE* o = std::fopen(out_path.c_str(), "w");
    FILE* e = std::fopen(err_path.c_str(), "w");
    if (!o || !e) ::_exit(127);
    ::dup2(fileno(o), 1);
    ::dup2(fileno(e), 2);
    auto setup_failed = [](const char* what) {
      const int err = errno;
      ::dprintf(2, "%s: %s: %s\n", kSetupFailed, what, std::strerror(err));
      ::_exit(kSetupFailedExit);
    };
    if (!opt.read_only.empty()) {
      if (::unshare(CLONE_NEWNS) != 0) setup_failed("unshare(CLONE_NEWNS)");
      if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) setup_failed("mount --make-rprivate /");
      for (const auto& p : opt.read_only) {
        if (::mount(p.c_str(), p.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) setup_failed("mount --bind");
        if (::mount(nullptr, p.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) != 0)
          setup_failed("mount -o remount,bind,ro");
      }
    }
    // Not root: file modes bind this process already (dropping needs CAP_SETPCAP, which it lacks),
    // so the case runs unprivileged instead of being skipped.
    if (opt.drop_file_capabilities && ::geteuid() == 0)
      for (int cap : {CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER})
        if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) setup_failed("prctl(PR_CAPBSET_DROP)");
    if (opt.file_size_limit >= 0) {
      ::signal(SIGXFSZ, SIG_IGN);  // kept across exec: a write past the limit fails with EFBIG
      rlimit rl{static_cast<rlim_t>(opt.file_size_limit), static_cast<rlim_t>(opt.file_size_limit)};
      ::setrlimit(RLIMIT_FSIZE, &rl);
    }
    if (opt.address_space_limit >= 0) {
      rlimit rl{static_cast<rlim_t>(opt.address_space_limit), static_cast<rlim_t>(opt.address_space_limit)};
      if (::setrlimit(RLIMIT_AS, &rl) != 0) setup_failed("setrlimit(RLIMIT_AS)");
    }
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ChildResult r;
  int status = 0;
  bool signalled = false;
  for (;;) {
    const pid_t w = ::waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (!signalled && !opt.signal_on_stderr.empty() && slurp_file(err_path).find(opt.signal_on_stderr) != std::string::npos) {
      ::kill(pid, opt.signal_to_send);
      signalled = true;
    }
    const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if ((opt.kill_after_s >= 0 && el >= opt.kill_after_s) || el >= opt.timeout_s) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      r.killed_by_us = opt.kill_after_s >= 0 && el >= opt.kill_after_s;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  r.out = slurp_file(out_path);
  r.err = slurp_file(err_path);
  std::filesystem::remove(out_path);
  std::filesystem::remove(err_path);
  expect_no_sanitizer_report(r.signal ? -1 : r.exit_code, r.err, "perturbscope-cli " + (args.empty() ? "" : args[0]));
  return r;
}

}  // namespace ps::test
