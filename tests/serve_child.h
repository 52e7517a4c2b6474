// Helpers for the tests that talk to a real `perturbscope-cli serve` over loopback (tests/serve,
// tests/teach): the child process with its output captured, and a tokenizer that fits the
// tiny-qwen3 fixture's 384-row vocabulary (trained here by our BPE trainer).
#pragma once
#include <algorithm>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "common/paths.h"
#include "lm/tokenizer/bpe_trainer.h"
#include "sanitizer_report.h"

namespace ps::test {

// <fixtures>/<sub>, or "" (the caller skips) when the fixtures are not available.
inline std::string serve_fixture(const std::string& sub) {
  auto f = ps::locate_fixtures();
  if (!f) return "";
  std::filesystem::path p = std::filesystem::path(*f) / sub;
  return std::filesystem::exists(p) ? p.string() : "";
}

// A byte-level BPE tokenizer.json with every id below 384 (256 bytes + at most 120 merges +
// 5 added tokens), written to dir/tokenizer.json; returns its path.
inline std::string tiny_tokenizer(const std::filesystem::path& dir) {
  std::vector<std::string> docs;
  const char* lines[] = {"The knockdown of the perturber changes the expression of the target gene.",
                         "Is the target differentially expressed? Answer with JSON and a confidence.",
                         "hello world, the cell line is K562 and the gene is GATA1.",
                         "reasoning about the evidence: neighbours, pathways, shared GO terms."};
  for (int r = 0; r < 20; ++r)
    for (const char* l : lines) docs.push_back(l);
  ps::tokenizer::BpeTrainerOptions opt;
  opt.num_merges = 120;
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "tokenizer.json").string();
  ps::tokenizer::save_tokenizer_json(ps::tokenizer::train_bpe(docs, opt), path);
  return path;
}

// `perturbscope-cli serve ARGS --port 0` as a child process; stdout and stderr are captured.
class ServeChild {
 public:
  ServeChild() = default;
  ServeChild(const ServeChild&) = delete;
  ServeChild& operator=(const ServeChild&) = delete;
  ~ServeChild() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    if (reader_.joinable()) reader_.join();
  }

  // Starts the child with `env` added to this process's environment; waits until it prints
  // "listening on http://HOST:PORT" (true) or exits / times out (false; output() says why).
  bool start(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {},
             double timeout_s = 120) {
    std::vector<std::string> argv_s{PERTURBSCOPE_CLI_PATH, "serve"};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    if (std::find(args.begin(), args.end(), "--port") == args.end()) {  // any free port
      argv_s.push_back("--port");
      argv_s.push_back("0");
    }
    std::vector<std::string> env_s;
    for (char** e = environ; *e; ++e) {
      const std::string kv = *e;
      const std::string key = kv.substr(0, kv.find('='));
      if (!env.count(key)) env_s.push_back(kv);
    }
    for (const auto& [k, v] : env) env_s.push_back(k + "=" + v);
    std::vector<char*> argv, envp;
    for (auto& s : argv_s) argv.push_back(s.data());
    argv.push_back(nullptr);
    for (auto& s : env_s) envp.push_back(s.data());
    envp.push_back(nullptr);

    int fds[2];
    if (::pipe(fds) != 0) return false;
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ == 0) {
      // The server goes when the test process goes, even when a crash skips our destructor.
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (::getppid() != parent) ::_exit(127);
      ::dup2(fds[1], 1);
      ::dup2(fds[1], 2);
      ::close(fds[0]);
      ::close(fds[1]);
      ::execve(argv[0], argv.data(), envp.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    const int fd = fds[0];
    reader_ = std::thread([this, fd] {
      char buf[4096];
      ssize_t n;
      while ((n = ::read(fd, buf, sizeof buf)) > 0) {
        std::lock_guard<std::mutex> lock(mu_);
        out_.append(buf, static_cast<size_t>(n));
      }
      ::close(fd);
    });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    const std::regex re("listening on http://([^: ]+):([0-9]+)");
    while (std::chrono::steady_clock::now() < deadline) {
      std::smatch m;
      const std::string o = output();
      if (std::regex_search(o, m, re)) {
        host_ = m[1];
        port_ = std::stoi(m[2]);
        return true;
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  int port() const { return port_; }
  std::string host() const { return host_; }
  std::string origin() const { return "http://" + host_ + ":" + std::to_string(port_); }
  std::string output() const {
    std::lock_guard<std::mutex> lock(mu_);
    return out_;
  }

  // Sends `sig`, waits for the exit; returns the exit code (-signal when killed by one, -1000
  // when it did not exit within timeout_s and had to be killed).
  // A sanitizer report in the child's output fails the calling test (sanitizer_report.h).
  int stop(int sig = SIGTERM, double timeout_s = 60) {
    if (pid_ <= 0) {
      if (reader_.joinable()) reader_.join();
      if (exit_code_ != -1) expect_no_sanitizer_report(exit_code_, output(), "perturbscope-cli serve");
      return exit_code_;
    }
    ::kill(pid_, sig);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) != pid_) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        if (reader_.joinable()) reader_.join();
        return exit_code_ = -1000;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    pid_ = -1;
    if (reader_.joinable()) reader_.join();
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    expect_no_sanitizer_report(exit_code_, output(), "perturbscope-cli serve");
    return exit_code_;
  }

 private:
  pid_t pid_ = -1;
  int exit_code_ = -1;
  int port_ = 0;
  std::string host_;
  mutable std::mutex mu_;
  std::string out_;
  std::thread reader_;
};

}  // namespace ps::test
