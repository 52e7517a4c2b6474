// perturbscope-cli data locate | check | fetch: the data mirror.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/data_debian.h"
#include "cli/progress.h"
#include "common/error.h"
#include "common/mirror.h"
#include "common/paths.h"
#include "common/sha256.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace ps::cli {

namespace {

const char* kUsage =
    "usage: perturbscope-cli data locate [--data DIR]\n"
    "       perturbscope-cli data check [--data DIR] [--json] [--verify]\n"
    "       perturbscope-cli data fetch [--dest DIR] [--mirror URL|DIR]\n"
    "The data folder is, in this order: --data DIR, $PERTURBSCOPE_DATA, shared/data/raw beside\n"
    "the checkout, the per-user folder (" ;

int locate(const Args& a) {
  auto candidates = data_candidates(a.get("data"));
  auto found = locate_data(a.get("data"));
  if (found) std::printf("%s\n  (found by: %s)\n", found->dir.c_str(), found->source.c_str());
  std::printf("candidates, in lookup order:\n");
  std::error_code ec;
  for (const auto& c : candidates)
    std::printf("  %-28s %s%s\n", c.source.c_str(), c.dir.c_str(), fs::is_directory(c.dir, ec) ? "" : "  (does not exist)");
  if (candidates.empty()) std::printf("  (none)\n");
  std::string user = user_data_dir() + "/data";
  if (!a.has("data") && !fs::is_directory(user, ec))
    std::printf("  %-28s %s  (does not exist; `data fetch` fills it)\n", "user data folder", user.c_str());
  if (!found) require_data(a.get("data"));  // throws the message that names --data and PERTURBSCOPE_DATA
  return 0;
}

int check(const Args& a) {
  DataLocation loc = require_data(a.get("data"));
  const bool verify = a.has("verify");
  std::vector<mirror::FileReport> reports;
  auto outcome = run_with_progress("data check", [&](jobs::JobContext& ctx) {
    const double total = double(mirror::total_bytes());
    long long done = 0;
    for (const auto& spec : mirror::manifest()) {
      ctx.check_cancelled();
      reports.push_back(mirror::check_file(loc.dir, spec, verify, [&](long long n) {
        ctx.check_cancelled();  // Ctrl-C stops within a MiB, even inside a large file
        done += n;
        ctx.report(std::min(1.0, done / total), spec.path);
      }));
    }
    ctx.report(1, "");
  });
  if (outcome != jobs::Outcome::Finished) return 130;

  int missing = 0, malformed = 0, differs = 0;
  std::vector<std::string> failures;
  for (const auto& r : reports) {
    if (r.status == mirror::Status::Malformed) ++malformed;
    if (r.status == mirror::Status::Missing && r.spec->required) ++missing;
    if (r.status == mirror::Status::Differs) ++differs;
    if (mirror::is_failure(r)) failures.push_back(r.message);
  }
  if (a.has("json")) {
    json files = json::array();
    for (const auto& r : reports) {
      json j = {{"path", r.spec->path},         {"required", r.spec->required}, {"status", mirror::to_string(r.status)},
                {"rows", r.rows},               {"bytes", r.bytes},             {"expected_rows", r.spec->rows},
                {"expected_bytes", r.spec->bytes}, {"message", r.message}};
      if (r.bad_line > 0) j["line"] = r.bad_line;
      if (r.checksum_checked) j["sha256_ok"] = r.status == mirror::Status::Ok;
      files.push_back(j);
    }
    json out = {{"data_dir", loc.dir}, {"found_by", loc.source}, {"ok", failures.empty()}, {"files", files}};
    std::cout << out.dump(2) << "\n";
  } else {
    std::printf("data folder: %s (%s)\n", loc.dir.c_str(), loc.source.c_str());
    for (const auto& r : reports) {
      std::string status = mirror::to_string(r.status);
      if (r.status == mirror::Status::Missing && !r.spec->required) status = "absent";
      std::printf("  %-9s %-84s", status.c_str(), r.spec->path);
      if (r.status == mirror::Status::Ok || r.status == mirror::Status::Differs) {
        if (r.spec->rows >= 0) std::printf(" %8lld rows", r.rows);
        else std::printf(" %8lld items", r.rows);
      } else {
        std::printf(" %s", r.spec->required ? "(required)" : "(optional)");
      }
      std::printf("\n");
      if (r.status != mirror::Status::Ok && !(r.status == mirror::Status::Missing && !r.spec->required))
        std::printf("            %s\n", r.message.c_str());
    }
    std::printf("%zu files: %zu ok, %d required missing, %d malformed, %d differ from the manifest%s\n", reports.size(),
                reports.size() - missing - malformed - differs -
                    std::count_if(reports.begin(), reports.end(),
                                  [](const auto& r) { return r.status == mirror::Status::Missing && !r.spec->required; }),
                missing, malformed, differs, verify ? " (SHA-256 verified)" : "");
  }
  if (!failures.empty()) {
    std::fprintf(stderr, "perturbscope-cli data check: %d required file(s) missing, %d malformed:\n", missing, malformed);
    for (const auto& f : failures) std::fprintf(stderr, "  %s\n", f.c_str());
    return 1;
  }
  return 0;
}

// ---- fetch -------------------------------------------------------------------

std::string find_program(const char* name) {
  const char* path = std::getenv("PATH");
  std::string p = path ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= p.size()) {
    size_t colon = p.find(':', start);
    std::string dir = p.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    std::string cand = (dir.empty() ? std::string(".") : dir) + "/" + name;
    if (::access(cand.c_str(), X_OK) == 0) return cand;
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return "";
}

// Runs argv without a shell; returns the exit status (or 128+signal).
int run_program(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& s : argv) args.push_back(const_cast<char*>(s.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) throw Error("cannot start " + argv[0]);
  if (pid == 0) {
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

std::string no_network_hint() {
  return "without network, point PerturbScope at an existing copy of the mirror: set PERTURBSCOPE_DATA=DIR, "
         "or pass --data DIR to the commands (or `data fetch --mirror DIR|URL` to copy one into place)";
}

struct Downloader {
  std::string program;  // curl or wget; empty when neither is installed
  bool is_curl = true;

  // Downloads url to out; returns the tool's exit status (37, curl's "cannot read
  // file", for a local file that cannot be copied).
  int get(const std::string& url, const std::string& out) const {
    if (url.rfind("file://", 0) == 0) {  // a local mirror: a plain copy, no tool needed
      std::error_code ec;
      fs::copy_file(url.substr(7), out, fs::copy_options::overwrite_existing, ec);
      return ec ? 37 : 0;
    }
    if (program.empty()) throw Error("data fetch needs curl or wget to download " + url + " (apt-get install curl); " + no_network_hint());
    if (is_curl)
      return run_program({program, "-fsSL", "--connect-timeout", "20", "--retry", "2", "-o", out, url});
    return run_program({program, "-q", "-T", "20", "-t", "2", "-O", out, url});
  }
  // Exit statuses that mean "no network" rather than "this file is not there".
  bool no_network(int rc) const {
    if (is_curl) return rc == 5 || rc == 6 || rc == 7 || rc == 28 || rc == 35 || rc == 56;
    return rc == 4;
  }
};


int fetch(const Args& a) {
  const std::string dest = a.get("dest", user_data_dir() + "/data");
  std::string base = a.get("mirror");
  if (!base.empty() && base.find("://") == std::string::npos) {
    std::error_code ec;
    if (!fs::is_directory(base, ec)) throw Error(where(base, 0, "--mirror folder does not exist"));
    base = "file://" + fs::absolute(base).lexically_normal().string();
  }
  if (!base.empty() && base.back() != '/') base += '/';

  Downloader dl;
  if (std::string c = find_program("curl"); !c.empty()) dl = {c, true};
  else if (std::string w = find_program("wget"); !w.empty()) dl = {w, false};

  std::error_code ec;
  fs::create_directories(dest, ec);
  if (ec || ::access(dest.c_str(), W_OK) != 0)
    throw Error(where(dest, 0, "cannot write the destination folder (--dest)"));

  std::vector<std::string> fetched, present, manual;
  // Scratch space for the Debian packages the GO tables are exported from (~400 MB unpacked).
  const std::string work_dir = (fs::path(dest) / ".fetch-work").string();
  struct RemoveWork {
    std::string dir;
    ~RemoveWork() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } remove_work{work_dir};
  auto outcome = run_with_progress("data fetch", [&](jobs::JobContext& ctx) {
    const double total = double(mirror::total_bytes());
    long long done = 0;
    for (const auto& spec : mirror::manifest()) {
      ctx.check_cancelled();
      const std::string target = (fs::path(dest) / spec.path).string();
      ctx.report(done / total, spec.path);
      // Already there and intact: keep it (a re-run only fetches what is left).
      if (fs::exists(target, ec) && (long long)fs::file_size(target, ec) == spec.bytes && sha256_file(target) == spec.sha256) {
        present.push_back(spec.path);
        done += spec.bytes;
        continue;
      }
      std::string url = base.empty() ? spec.url : base + spec.path;
      const bool from_debian = url.empty() && built_from_debian(spec.path);
      if (url.empty() && !from_debian) {
        manual.push_back(spec.path);
        done += spec.bytes;
        continue;
      }
      fs::create_directories(fs::path(target).parent_path(), ec);
      const std::string tmp = target + ".part";
      if (from_debian) {
        url = "Debian package export";
        try {
          export_from_debian(spec.path, tmp, work_dir, run_program);
        } catch (const Error& e) {
          fs::remove(tmp, ec);
          throw Error(std::string(e.what()) + "; " + no_network_hint());
        }
      }
      int rc = from_debian ? 0 : dl.get(url, tmp);
      if (rc != 0) {
        fs::remove(tmp, ec);
        std::string why = fs::path(dl.program).filename().string() + " exit status " + std::to_string(rc);
        if (dl.no_network(rc) || (url.rfind("file://", 0) == 0 && rc == 37))
          throw Error("cannot download " + url + " (" + why + "): no network or the source is unreachable; " +
                      no_network_hint());
        throw Error("cannot download " + url + " (" + why + ")");
      }
      int64_t bytes = 0;
      std::string digest = sha256_file(tmp, &bytes);
      if (bytes != spec.bytes || digest != spec.sha256) {
        fs::remove(tmp, ec);
        throw Error(where(target, 0, "downloaded from " + url + " but it does not match the manifest (" +
                                         std::to_string(bytes) + " bytes, expected " + std::to_string(spec.bytes) +
                                         (digest != spec.sha256 ? "; SHA-256 differs" : "") + "); not installed"));
      }
      fs::rename(tmp, target, ec);
      if (ec) throw Error(where(target, 0, "cannot move the download into place: " + ec.message()));
      fetched.push_back(spec.path);
      done += spec.bytes;
      ctx.report(done / total, spec.path);
    }
    ctx.report(1, "");
  });
  if (outcome != jobs::Outcome::Finished) return 130;

  std::printf("data fetch into %s: %zu downloaded and verified, %zu already present\n", dest.c_str(), fetched.size(),
              present.size());
  int required_left = 0;
  for (const auto& path : manual) {
    for (const auto& spec : mirror::manifest()) {
      if (path != spec.path) continue;
      std::printf("  not fetched %s%s: %s\n", spec.path, spec.required ? " (required)" : "", spec.note);
      required_left += spec.required;
    }
  }
  if (required_left > 0) {
    std::fprintf(stderr,
                 "perturbscope-cli data fetch: %d required file(s) have no direct download (listed above); %s\n",
                 required_left, no_network_hint().c_str());
    return 1;
  }
  std::printf("run `perturbscope-cli data check --data %s` to validate it\n", dest.c_str());
  return 0;
}

}  // namespace

int cmd_data(const Argv& argv) {
  Args a("data", argv,
         {{"data", true, "the data folder (overrides $PERTURBSCOPE_DATA and the default locations)"},
          {"json", false, "check: print a JSON report"},
          {"verify", false, "check: also verify every file's SHA-256 against the manifest"},
          {"dest", true, "fetch: destination folder (default: " + user_data_dir() + "/data)"},
          {"mirror", true, "fetch: download from this mirror (URL or folder with the same layout) instead of the canonical sources"}});
  if (a.has("help")) {
    std::printf("%s%s/data)\n\noptions:\n%s", kUsage, user_data_dir().c_str(), a.help().c_str());
    return 0;
  }
  if (a.positionals().size() != 1) throw UsageError("data: expects one of locate, check, fetch");
  const std::string& sub = a.positionals()[0];
  if (sub == "locate") return locate(a);
  if (sub == "check") return check(a);
  if (sub == "fetch") return fetch(a);
  throw UsageError("data: unknown subcommand '" + sub + "' (expected locate, check or fetch)");
}

}  // namespace ps::cli
