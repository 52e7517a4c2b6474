// `perturbscope-cli data ...` end to end: the binary on the real mirror and on
// temporary broken copies of it (symlinks to the real files, one file changed).
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>
#include <fstream>

#include <nlohmann/json.hpp>

#include "common/paths.h"
#include "data_cli/cli_run.h"

namespace fs = std::filesystem;
using test_cli::cli;
using test_cli::contains;

namespace {

std::string real_mirror() {
  auto d = ps::locate_data();
  return d ? d->dir : "";
}

// A temporary mirror whose files are symlinks to the real ones.
class TempMirror {
 public:
  explicit TempMirror(const std::string& name) {
    root_ = fs::temp_directory_path() / ("ps_mirror_" + std::to_string(::getpid()) + "_" + name);
    fs::remove_all(root_);
    for (auto& e : fs::recursive_directory_iterator(real_mirror())) {
      fs::path rel = fs::relative(e.path(), real_mirror());
      if (e.is_directory()) fs::create_directories(root_ / rel);
      else fs::create_symlink(e.path(), root_ / rel);
    }
  }
  ~TempMirror() { fs::remove_all(root_); }
  std::string dir() const { return root_.string(); }
  std::string file(const std::string& rel) const { return (root_ / rel).string(); }
  void remove(const std::string& rel) { fs::remove(root_ / rel); }
  // Replaces the symlink by a copy whose 1-based line `line` is `text`.
  void replace_line(const std::string& rel, long line, const std::string& text) {
    std::ifstream in(fs::path(real_mirror()) / rel);
    std::string all, l;
    for (long n = 1; std::getline(in, l); ++n) all += (n == line ? text : l) + "\n";
    fs::remove(root_ / rel);
    std::ofstream(root_ / rel) << all;
  }

 private:
  fs::path root_;
};

}  // namespace

class DataCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (real_mirror().empty()) GTEST_SKIP() << "no data mirror (set PERTURBSCOPE_DATA)";
  }
};

TEST_F(DataCli, CheckPassesOnTheRealMirrorWithTheDocumentedRowCounts) {
  auto r = cli("data check --data " + real_mirror());
  EXPECT_EQ(r.code, 0) << r.all();
  // Row counts from SOURCES.md.
  for (const char* line : {"perturbqa/datasets/k562-de.csv", "157679 rows", "187089 rows", "174962 rows",
                           "348116 rows", "2694 rows", "0 required missing, 0 malformed"})
    EXPECT_TRUE(contains(r.out, line)) << line << "\n" << r.out;
}

TEST_F(DataCli, CheckJsonReportsEveryFile) {
  auto r = cli("data check --json --data " + real_mirror());
  ASSERT_EQ(r.code, 0) << r.all();
  auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j["ok"].get<bool>());
  EXPECT_EQ(j["found_by"], "--data");
  bool saw = false;
  for (const auto& f : j["files"]) {
    EXPECT_EQ(f["status"], "ok") << f.dump();
    if (f["path"] == "perturbqa/datasets/rpe1-dir.csv") {
      saw = true;
      EXPECT_EQ(f["rows"], 26652);
    }
  }
  EXPECT_TRUE(saw);
}

TEST_F(DataCli, CheckFailsNamingAMissingRequiredFile) {
  TempMirror m("missing");
  m.remove("perturbqa/datasets/k562-de.csv");
  auto r = cli("data check --data " + m.dir());
  EXPECT_EQ(r.code, 1) << r.all();
  EXPECT_TRUE(contains(r.err, m.file("perturbqa/datasets/k562-de.csv") + ": required file is missing")) << r.err;
  auto j = nlohmann::json::parse(cli("data check --json --data " + m.dir()).out);
  EXPECT_FALSE(j["ok"].get<bool>());
}

TEST_F(DataCli, MissingOptionalFileIsNotAFailure) {
  TempMirror m("optional");
  m.remove("perturbqa/summer_examples/jonasargelo_de_prompt_AARS2_AAK1_output_llama-3-8b.json");
  auto r = cli("data check --data " + m.dir());
  EXPECT_EQ(r.code, 0) << r.all();
  EXPECT_TRUE(contains(r.out, "absent")) << r.out;
}

TEST_F(DataCli, CheckFailsNamingFileAndLineOfAMalformedRow) {
  TempMirror m("corrupt");
  m.replace_line("perturbqa/datasets/k562-dir.csv", 57, "AATF,YBX1,maybe,train");
  auto r = cli("data check --data " + m.dir());
  EXPECT_EQ(r.code, 1) << r.all();
  EXPECT_TRUE(contains(r.err, m.file("perturbqa/datasets/k562-dir.csv") + ":57: label must be 0 or 1")) << r.err;
}

TEST_F(DataCli, CheckFailsOnATruncatedTsvRowAndAWrongHeader) {
  TempMirror m("tsv");
  m.replace_line("go_orghs_bioc316/gene2go.tsv", 1000, "A1BG\t1\tGO:0003674");
  m.replace_line("go_orghs_bioc316/go_parents.tsv", 1, "child\tparent");
  auto r = cli("data check --data " + m.dir());
  EXPECT_EQ(r.code, 1) << r.all();
  EXPECT_TRUE(contains(r.err, m.file("go_orghs_bioc316/gene2go.tsv") + ":1000: expected 5 fields, found 3")) << r.err;
  EXPECT_TRUE(contains(r.err, m.file("go_orghs_bioc316/go_parents.tsv") + ":1: unexpected header")) << r.err;
}

TEST_F(DataCli, CheckFailsOnBrokenJson) {
  TempMirror m("json");
  m.replace_line("perturbqa/datasets/k562_set-mapping.json", 1, "{\"1-mitochondrial respiratory chain\": [\"MT-ND6\",");
  auto r = cli("data check --data " + m.dir());
  EXPECT_EQ(r.code, 1) << r.all();
  EXPECT_TRUE(contains(r.err, m.file("perturbqa/datasets/k562_set-mapping.json") + ":")) << r.err;
  EXPECT_TRUE(contains(r.err, "invalid JSON")) << r.err;
}

TEST_F(DataCli, VerifyDetectsAChangedButWellFormedFile) {
  TempMirror m("verify");
  m.replace_line("perturbqa/datasets/k562-de.csv", 2, "AAMP,ZNF84,1,train");  // a valid row, but not the original
  auto r = cli("data check --verify --data " + m.dir());
  EXPECT_EQ(r.code, 0) << "a different version is reported, not failed\n" << r.all();
  EXPECT_TRUE(contains(r.out, "differs")) << r.out;
  EXPECT_TRUE(contains(r.out, "SHA-256 differs from the manifest")) << r.out;
}

TEST_F(DataCli, LocateFollowsTheDocumentedOrder) {
  fs::path env_dir = fs::temp_directory_path() / ("ps_locate_env_" + std::to_string(::getpid()));
  fs::path xdg = fs::temp_directory_path() / ("ps_locate_xdg_" + std::to_string(::getpid()));
  fs::create_directories(env_dir);
  fs::create_directories(xdg / "perturbscope" / "data");
  // --data beats the variable.
  auto r = cli("data locate --data " + real_mirror(), "PERTURBSCOPE_DATA=" + env_dir.string());
  EXPECT_EQ(r.code, 0) << r.all();
  EXPECT_TRUE(contains(r.out, "(found by: --data)")) << r.out;
  // The variable beats the shared folder.
  r = cli("data locate", "PERTURBSCOPE_DATA=" + env_dir.string());
  EXPECT_EQ(r.code, 0) << r.all();
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')), env_dir.string());
  EXPECT_TRUE(contains(r.out, "(found by: PERTURBSCOPE_DATA)")) << r.out;
  // Without either: the shared folder beside the checkout, then the per-user folder.
  r = cli("data locate", "env -u PERTURBSCOPE_DATA XDG_DATA_HOME=" + xdg.string());
  EXPECT_EQ(r.code, 0) << r.all();
  EXPECT_TRUE(contains(r.out, "(found by: shared beside the checkout)")) << r.out;
  size_t shared = r.out.find("shared beside the checkout   ");
  size_t user = r.out.find("user data folder");
  ASSERT_NE(shared, std::string::npos) << r.out;
  ASSERT_NE(user, std::string::npos) << r.out;
  EXPECT_LT(shared, user);
  EXPECT_TRUE(contains(r.out, (xdg / "perturbscope" / "data").string())) << r.out;
  // A --data folder that does not exist is an error, never replaced by another one.
  r = cli("data locate --data /nonexistent/ps-data");
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "/nonexistent/ps-data")) << r.err;
  fs::remove_all(env_dir);
  fs::remove_all(xdg);
}

// An installed copy (outside the build tree, run outside any checkout) never reports the
// checkout it was built from.
TEST_F(DataCli, InstalledCopyDoesNotReportTheBuildCheckout) {
  fs::path root = fs::temp_directory_path() / ("ps_installed_" + std::to_string(::getpid()));
  fs::create_directories(root / "usr" / "bin");
  fs::create_directories(root / "home");
  const fs::path exe = root / "usr" / "bin" / "perturbscope-cli";
  fs::copy_file(PERTURBSCOPE_CLI_PATH, exe, fs::copy_options::overwrite_existing);
  const std::string cmd = "cd " + (root / "home").string() + " && env -u PERTURBSCOPE_DATA XDG_DATA_HOME=" +
                          (root / "home").string() + " " + exe.string() + " data locate > " + (root / "out.txt").string() +
                          " 2>&1";
  std::system(cmd.c_str());
  const std::string out = test_cli::slurp((root / "out.txt").string());
  EXPECT_TRUE(contains(out, "candidates, in lookup order")) << out;
  EXPECT_FALSE(contains(out, ps::source_dir())) << out;
  EXPECT_FALSE(contains(out, "shared beside the checkout")) << out;
  fs::remove_all(root);
}

TEST_F(DataCli, FetchFromAMirrorInstallsVerifiedFilesAndIsIdempotent) {
  fs::path dest = fs::temp_directory_path() / ("ps_fetch_" + std::to_string(::getpid()));
  fs::remove_all(dest);
  auto r = cli("data fetch --dest " + dest.string() + " --mirror " + real_mirror());
  EXPECT_EQ(r.code, 0) << r.all();
  EXPECT_TRUE(contains(r.out, "30 downloaded and verified")) << r.out;
  auto c = cli("data check --verify --data " + dest.string());
  EXPECT_EQ(c.code, 0) << c.all();
  EXPECT_TRUE(contains(c.out, "30 ok")) << c.out;
  // Running it again downloads nothing.
  r = cli("data fetch --dest " + dest.string() + " --mirror " + real_mirror());
  EXPECT_EQ(r.code, 0) << r.all();
  EXPECT_TRUE(contains(r.out, "0 downloaded and verified, 30 already present")) << r.out;
  fs::remove_all(dest);
}

TEST_F(DataCli, FetchRejectsADownloadThatDoesNotMatchTheManifest) {
  TempMirror m("tampered");
  m.replace_line("perturbqa/datasets/k562-dir.csv", 3, "AAMP,ZNF84,1,train");
  fs::path dest = fs::temp_directory_path() / ("ps_fetch_bad_" + std::to_string(::getpid()));
  fs::remove_all(dest);
  auto r = cli("data fetch --dest " + dest.string() + " --mirror " + m.dir());
  EXPECT_EQ(r.code, 1) << r.all();
  EXPECT_TRUE(contains(r.err, (dest / "perturbqa/datasets/k562-dir.csv").string())) << r.err;
  EXPECT_TRUE(contains(r.err, "does not match the manifest")) << r.err;
  EXPECT_FALSE(fs::exists(dest / "perturbqa/datasets/k562-dir.csv"));
  EXPECT_FALSE(fs::exists(dest / "perturbqa/datasets/k562-dir.csv.part"));
  fs::remove_all(dest);
}

TEST_F(DataCli, FetchWithoutNetworkNamesTheWaysOut) {
  fs::path dest = fs::temp_directory_path() / ("ps_fetch_nonet_" + std::to_string(::getpid()));
  // Port 9 (discard) on localhost: nothing listens, the connection is refused at once.
  auto r = cli("data fetch --dest " + dest.string() + " --mirror http://127.0.0.1:9/");
  EXPECT_EQ(r.code, 1) << r.all();
  EXPECT_TRUE(contains(r.err, "PERTURBSCOPE_DATA")) << r.err;
  EXPECT_TRUE(contains(r.err, "--data")) << r.err;
  fs::remove_all(dest);
}

TEST(DataCliUsage, UnknownFlagsAndSubcommandsExitWithTwo) {
  EXPECT_EQ(cli("data check --no-such-flag").code, 2);
  EXPECT_EQ(cli("data frobnicate").code, 2);
  EXPECT_EQ(cli("data").code, 2);
  EXPECT_EQ(cli("runs list --no-such-flag").code, 2);
  EXPECT_EQ(cli("runs show notanumber").code, 2);
  EXPECT_EQ(cli("no-such-command").code, 2);
  auto h = cli("data --help");
  EXPECT_EQ(h.code, 0);
  EXPECT_TRUE(contains(h.out, "PERTURBSCOPE_DATA")) << h.out;
}

// The CLI's progress reporter: a redrawn bar (carriage returns, fraction, ETA) for a
// terminal, plain lines for logs, nothing on request; the result goes to stdout either way.
TEST_F(DataCli, ProgressIsABarOnATerminalAndPlainLinesOtherwise) {
  auto bar = cli("data check --data " + real_mirror(), "PERTURBSCOPE_PROGRESS=bar");
  EXPECT_EQ(bar.code, 0) << bar.all();
  EXPECT_TRUE(contains(bar.err, "\r")) << bar.err;
  EXPECT_TRUE(contains(bar.err, "data check [")) << bar.err;
  EXPECT_TRUE(contains(bar.err, "100.0%")) << bar.err;
  EXPECT_TRUE(contains(bar.err, "data check: done")) << bar.err;

  auto lines = cli("data check --data " + real_mirror(), "PERTURBSCOPE_PROGRESS=lines");
  EXPECT_EQ(lines.code, 0);
  EXPECT_FALSE(contains(lines.err, "\r")) << lines.err;
  EXPECT_TRUE(contains(lines.err, "data check: 100.0%")) << lines.err;
  EXPECT_EQ(lines.out, bar.out);

  auto none = cli("data check --data " + real_mirror(), "PERTURBSCOPE_PROGRESS=none");
  EXPECT_EQ(none.code, 0);
  EXPECT_EQ(none.err, "");
}

// Ctrl-C during a long command cancels it cooperatively: it stops within a second,
// says so and exits with 130 (the shell's code for SIGINT).
TEST_F(DataCli, InterruptCancelsALongCheckWithinOneSecond) {
  TempMirror m("sigint");
  // A large but well-formed k562-de.csv, so that the check takes a few seconds.
  m.remove("perturbqa/datasets/k562-de.csv");
  {
    std::ofstream big(m.file("perturbqa/datasets/k562-de.csv"));
    big << "pert,gene,label,split\n";
    std::string row = "PERTURBED_GENE,TARGET_GENE,0,train\n";
    std::string chunk;
    for (int i = 0; i < 10000; ++i) chunk += row;
    for (int i = 0; i < 350; ++i) big << chunk;  // ~125 MB
  }
  int err_pipe[2];
  ASSERT_EQ(pipe(err_pipe), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    dup2(err_pipe[1], 2);
    close(err_pipe[0]);
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    setenv("PERTURBSCOPE_PROGRESS", "lines", 1);
    execl(PERTURBSCOPE_CLI_PATH, PERTURBSCOPE_CLI_PATH, "data", "check", "--data", m.dir().c_str(), (char*)nullptr);
    _exit(127);
  }
  close(err_pipe[1]);
  // Wait for the first progress line: the job is running.
  std::string err;
  char buf[256];
  while (err.find('\n') == std::string::npos) {
    ssize_t n = read(err_pipe[0], buf, sizeof buf);
    ASSERT_GT(n, 0) << err;
    err.append(buf, size_t(n));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(kill(child, SIGINT), 0);
  ssize_t n;
  while ((n = read(err_pipe[0], buf, sizeof buf)) > 0) err.append(buf, size_t(n));
  int status = 0;
  waitpid(child, &status, 0);
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  close(err_pipe[0]);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by the signal instead of cancelling\n" << err;
  EXPECT_EQ(WEXITSTATUS(status), 130) << err;
  EXPECT_TRUE(contains(err, "data check: cancelled")) << err;
  EXPECT_LT(took, 1.0);
}
