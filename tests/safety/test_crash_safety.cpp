// Issue 15, crash safety: an SFT job and a GRPO job (child processes of perturbscope-cli) are
// killed with SIGKILL at 20 seeded random points each and resumed with --resume each time.
// Kill points: the named crash points of common/crash_point.h (inside a store transaction,
// between the files of a checkpoint, between its two renames, in the middle of an optimiser step)
// and plain timed SIGKILLs from this process (anywhere: data loading, tokenizer training,
// evaluation ...). After every kill:
//   - the store opens (ps::store::Store) and PRAGMA integrity_check says ok;
//   - the run is resumable (status interrupted, `--resume` accepted by the next attempt);
//   - every metric row the uninterrupted run logged up to the last checkpoint is there with the
//     same value, no row is stored twice, no rollout sample or prediction twice;
//   - the other runs of the store are untouched.
// When a resumed attempt finishes, its metric rows (timing ones aside), predictions, rollout
// samples and summary equal those of an uninterrupted run with the same seed; if kills remain,
// a new run of the same config starts (a new round of 5 kills). Tiny configs (a 2-layer Qwen3 of
// width 32, 6 SFT steps and 4 GRPO steps, checkpoints every 2) on a reduced mirror: about 48
// processes of about 1.7 s of CPU each, both jobs at once; 82 s of CPU in all, 114 s of wall time
// measured on the shared 2-core machine at a load average of 13. Needs the data mirror (skipped
// without it).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <string>

#include <nlohmann/json.hpp>

#include "common/paths.h"
#include "safety/child.h"
#include "safety/store_snapshot.h"
#include "safety/tiny_jobs.h"
#include "scratch.h"
#include "store/store.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json tiny_grpo_config(int64_t sft_run) {
  return {
      {"kind", "grpo"},
      {"name", "crash-grpo"},
      {"seed", 5},
      {"init", {{"sft_run", sft_run}}},
      {"grpo",
       {{"num_generations", 2}, {"batch_completions", 4}, {"micro_batch", 4}, {"max_completion_length", 12},
        {"num_iterations", 1}, {"beta", 0.04}, {"learnability_filter", false}, {"pool_items", 8}, {"max_steps", 4},
        {"checkpoint_every", 2}, {"log_samples", 2}, {"threads", 1}, {"positive_rate", "natural"}}},
      {"optim", {{"lr", 0.001}, {"schedule", "constant"}, {"max_grad_norm", 1.0}}},
      {"eval", {{"sets", {"val"}}, {"max_new_tokens", 12}, {"batch_size", 16}, {"bootstrap", 20}}},
  };
}

// The step of the checkpoint a resume would start from (what checkpoint.h's checkpoint_step reads).
int64_t checkpoint_step(const fs::path& run_dir) {
  for (const char* d : {"checkpoint", "checkpoint.old"}) {
    const fs::path p = run_dir / d / "state.json";
    if (fs::exists(p)) return json::parse(ps::test::slurp_file(p.string())).value("step", int64_t{0});
  }
  return 0;
}

bool checkpoint_done(const fs::path& run_dir) {
  for (const char* d : {"checkpoint", "checkpoint.old"}) {
    const fs::path p = run_dir / d / "state.json";
    if (fs::exists(p)) return json::parse(ps::test::slurp_file(p.string())).value("trained", false);
  }
  return false;
}

bool same(const std::optional<double>& a, const std::optional<double>& b) { return a.has_value() == b.has_value() && (!a || *a == *b); }

struct Job {
  std::string command;                // "sft" | "grpo"
  std::string config_path;
  int64_t steps = 0, checkpoint_every = 0;
  int64_t store_writes_per_step = 1;  // transactions per optimiser step (GRPO: metrics + rollout samples)
  std::vector<std::string> eval_prefixes;  // metric names logged by the final evaluation
};

class CrashSafety : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!ps::locate_data()) GTEST_SKIP() << "data mirror not found";
    dir_ = ps::test::scratch_dir("crash");
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    store_ = (dir_ / "store.sqlite").string();
    mirror_ = ps::test::reduced_mirror(dir_).string();
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }

  ps::test::ChildResult cli(std::vector<std::string> args, ps::test::ChildOptions opt = {}) {
    args.push_back("--store");
    args.push_back(store_);
    args.push_back("--json");
    opt.timeout_s = 240;
    return ps::test::run_cli_child(args, opt);
  }

  int64_t newest_run(const std::string& kind) {
    ps::test::SqliteReader db(store_);
    auto r = db.rows("SELECT max(id) FROM runs WHERE kind='" + kind + "'");
    return r.empty() || r[0][0] == "\x01NULL" ? 0 : std::stoll(r[0][0]);
  }

  // The uninterrupted run of `job`; returns its id.
  int64_t straight(const Job& job, double* seconds) {
    auto r = cli({job.command, "--config", job.config_path});
    EXPECT_TRUE(r.exited(0)) << r.describe();
    *seconds = r.seconds;
    if (!r.exited(0)) return 0;
    return json::parse(r.out).at("run_id").get<int64_t>();
  }

  // 20 kills of `job`, each followed by a resume; compares everything with run `ref`.
  void kill_and_resume(const Job& job, int64_t ref, const std::set<int64_t>& watch, double straight_s, uint64_t seed,
                       int kills_wanted = 20);

  fs::path dir_;
  std::string store_;
  std::string log_;  // one line per attempt, printed at the end
  std::mutex log_mu_;
  std::string mirror_;  // a reduced data mirror (see SetUp)
};

void CrashSafety::kill_and_resume(const Job& job, int64_t ref, const std::set<int64_t>& watch, double straight_s, uint64_t seed,
                                  int kills_wanted) {
  std::mt19937_64 rng(seed);
  auto uniform = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, std::max(lo, hi))(rng); };
  const auto ref_snap = ps::test::SqliteReader(store_).snapshot(ref);
  ASSERT_TRUE(ref_snap.exists);
  ASSERT_EQ(ref_snap.status, "finished");
  ASSERT_FALSE(ref_snap.metrics.empty());
  ASSERT_FALSE(ref_snap.predictions.empty());
  // The uninterrupted runs, as they were: nothing the kills do may change them.
  std::map<int64_t, ps::test::RunSnapshot> others;
  {
    ps::test::SqliteReader db(store_);
    for (int64_t id : watch) others[id] = db.snapshot(id);
  }
  auto is_eval = [&](const std::string& name) {
    for (const auto& p : job.eval_prefixes)
      if (name.rfind(p, 0) == 0) return true;
    return false;
  };

  // Rounds of 5 kills: each ends with an attempt that runs to the end (compared with the
  // uninterrupted run), and the next round starts a new run, so kills fall early and late.
  const int per_round = 5;
  int kills = 0, rounds = 0, finishes = 0, kills_in_round = 0;
  std::vector<int> kind_order = {0, 1, 2, 3, 4};
  int kinds_used_block = -1;
  std::map<std::string, int> by_site;
  int64_t run = 0;  // the run being killed and resumed (0: none yet in this round)
  for (int attempt = 0; kills < kills_wanted || run != 0; ++attempt) {
    ASSERT_LT(attempt, 4 * kills_wanted + 10) << "no progress";
    // Where to kill this attempt, from what is left of the run (so that the kill happens).
    const fs::path run_dir = dir_ / "runs" / std::to_string(run);
    const int64_t done = run ? checkpoint_step(run_dir) : 0;
    const bool trained = run && checkpoint_done(run_dir);
    const int64_t left = job.steps - done;
    int64_t saves_left = 1;  // the final checkpoint, then one per checkpoint_every in (done, steps]
    for (int64_t st = done + 1; st <= job.steps; ++st) saves_left += st % job.checkpoint_every == 0;
    ps::test::ChildOptions opt;
    std::string site;
    if (kills < kills_wanted && kills_in_round < per_round) {
      // Each block of 5 kills uses each kind of kill point once, in a seeded order.
      if (kills % 5 == 0 && kinds_used_block != kills) {
        std::shuffle(kind_order.begin(), kind_order.end(), rng);
        kinds_used_block = kills;
      }
      int kind = kind_order[kills % 5];
      if (trained || left <= 0) kind = kind % 2 ? 3 : 4;  // only the evaluation is left
      switch (kind) {
        case 0:
          site = "train.step:" + std::to_string(uniform(1, left));
          break;
        case 1:
          site = "checkpoint.write:" + std::to_string(uniform(1, saves_left));
          break;
        case 2:
          site = "checkpoint.swap:" + std::to_string(uniform(1, saves_left));
          break;
        case 3:
          // SFT: teacher metrics, each step, the evaluation's metrics and predictions; GRPO: metrics
          // and rollout samples of each step, the evaluation's.
          site = "store.write:" + std::to_string(uniform(1, std::max<int64_t>(0, left) * job.store_writes_per_step + 2));
          break;
        default:
          opt.kill_after_s = std::uniform_real_distribution<double>(0.05, 0.6)(rng) * straight_s;
          site = "timed";
      }
      if (site != "timed") opt.env["PERTURBSCOPE_CRASH_AT"] = site;
    }
    std::vector<std::string> args{job.command};
    if (run) args.insert(args.end(), {"--resume", std::to_string(run)});
    else args.insert(args.end(), {"--config", job.config_path});
    const int64_t newest_before = newest_run(job.command);
    const auto r = cli(args, opt);
    char line[200];
    std::snprintf(line, sizeof line, "%s attempt %d run %lld from step %lld, kill %s: %s after %.2f s\n", job.command.c_str(),
                  attempt, static_cast<long long>(run), static_cast<long long>(done), site.empty() ? "-" : site.c_str(),
                  r.signal ? "killed" : ("exit " + std::to_string(r.exit_code)).c_str(), r.seconds);
    {
      std::lock_guard<std::mutex> lock(log_mu_);
      log_ += line;
    }

    if (!run && newest_run(job.command) > newest_before) run = newest_run(job.command);  // created by this attempt

    if (r.signal == SIGKILL) {
      ++kills;
      ++kills_in_round;
      ++by_site[site.substr(0, site.find(':'))];
      // The store opens, passes its integrity check, and shows the run as interrupted.
      try {
        ps::store::Store st(store_);
      } catch (const std::exception& e) {
        FAIL() << "the store does not open after " << line << e.what();
      }
      ps::test::SqliteReader db(store_);
      ASSERT_TRUE(db.ok()) << db.error();
      ASSERT_EQ(db.integrity(), "ok") << line;
      if (!run) continue;  // killed before the run existed: the next attempt starts it again
      const auto snap = db.snapshot(run);
      ASSERT_TRUE(snap.exists);
      EXPECT_EQ(snap.status, "interrupted") << line;
      EXPECT_EQ(snap.metric_dupes + snap.prediction_dupes + snap.rollout_dupes, 0) << line;
      // Nothing the uninterrupted run logged up to the checkpoint is missing or different.
      const int64_t ck = checkpoint_step(dir_ / "runs" / std::to_string(run));
      const bool final_ck = checkpoint_done(dir_ / "runs" / std::to_string(run));
      int64_t compared = 0;
      for (const auto& [key, value] : ref_snap.metrics) {
        if (key.second > ck || ck == 0) continue;
        if (is_eval(key.first) && key.second == job.steps) continue;  // logged after the final checkpoint
        ++compared;
        auto it = snap.metrics.find(key);
        if (it == snap.metrics.end()) {
          ADD_FAILURE() << "metric " << key.first << " at step " << key.second << " lost (checkpoint at step " << ck << ") "
                        << line;
          continue;
        }
        EXPECT_TRUE(same(it->second, value)) << key.first << " at step " << key.second << ": " << ps::test::show(it->second)
                                             << " vs " << ps::test::show(value) << " " << line;
      }
      if (ck > 0) EXPECT_GT(compared, 0);
      for (const auto& [key, value] : ref_snap.rollouts) {
        if (std::get<0>(key) > ck || ck == 0) continue;
        auto it = snap.rollouts.find(key);
        ASSERT_NE(it, snap.rollouts.end()) << "rollout sample of step " << std::get<0>(key) << " lost " << line;
        EXPECT_EQ(std::get<1>(it->second), std::get<1>(value)) << line;
      }
      (void)final_ck;
    } else {
      ASSERT_TRUE(r.exited(0)) << line << r.describe();
      ASSERT_NE(run, 0) << "finished without a run";
      ++finishes;
      // Finished: everything equals the uninterrupted run.
      ps::test::SqliteReader db(store_);
      ASSERT_EQ(db.integrity(), "ok");
      const auto snap = db.snapshot(run);
      EXPECT_EQ(snap.status, "finished");
      EXPECT_EQ(snap.metric_dupes + snap.prediction_dupes + snap.rollout_dupes, 0) << line;
      EXPECT_EQ(snap.metrics.size(), ref_snap.metrics.size()) << line;
      for (const auto& [key, value] : ref_snap.metrics) {
        auto it = snap.metrics.find(key);
        if (it == snap.metrics.end()) {
          ADD_FAILURE() << "metric " << key.first << " at step " << key.second << " missing at the end " << line;
          continue;
        }
        EXPECT_TRUE(same(it->second, value)) << key.first << " at step " << key.second << ": " << ps::test::show(it->second)
                                             << " vs " << ps::test::show(value) << " " << line;
      }
      for (const auto& [key, value] : snap.metrics)
        EXPECT_TRUE(ref_snap.metrics.count(key)) << "extra metric " << key.first << " at step " << key.second;
      EXPECT_EQ(snap.predictions.size(), ref_snap.predictions.size());
      for (const auto& [key, value] : ref_snap.predictions) {
        auto it = snap.predictions.find(key);
        ASSERT_NE(it, snap.predictions.end()) << "prediction " << key << " missing";
        EXPECT_TRUE(same(std::get<0>(it->second), std::get<0>(value))) << key;
        EXPECT_EQ(std::get<1>(it->second), std::get<1>(value)) << key;
      }
      EXPECT_EQ(snap.rollouts, ref_snap.rollouts);
      EXPECT_EQ(ps::test::comparable_summary(snap.summary), ps::test::comparable_summary(ref_snap.summary));
      // The CLI's own answer agrees with the store.
      const json printed = json::parse(r.out);
      EXPECT_EQ(printed.at("run_id").get<int64_t>(), run);
      EXPECT_EQ(printed.at("steps").get<int64_t>(), job.steps);
      ++rounds;
      kills_in_round = 0;
      run = 0;
    }
    // The runs that were there before are untouched.
    ps::test::SqliteReader db(store_);
    for (const auto& [id, before] : others) {
      const auto now = db.snapshot(id);
      EXPECT_EQ(now.status, before.status) << "run " << id << " " << line;
      EXPECT_EQ(now.metrics, before.metrics) << "run " << id << " " << line;
      EXPECT_EQ(now.predictions, before.predictions) << "run " << id << " " << line;
      EXPECT_EQ(now.rollouts, before.rollouts) << "run " << id << " " << line;
    }
    if (HasFatalFailure()) return;
  }
  EXPECT_EQ(kills, kills_wanted);
  EXPECT_GE(rounds, kills_wanted / per_round);
  // Every kind of kill point was reached at least once.
  for (const char* s : {"train.step", "checkpoint.write", "checkpoint.swap", "store.write", "timed"})
    EXPECT_GT(by_site[s], 0) << "no kill at " << s;
  // The SFT runs' teacher runs: none left unfinished by a kill, one per SFT run.
  if (job.command == "sft") {
    ps::test::SqliteReader db(store_);
    EXPECT_TRUE(db.rows("SELECT id FROM runs WHERE kind='teacher' AND status!='finished'").empty());
    EXPECT_EQ(db.rows("SELECT id FROM runs WHERE kind='teacher'").size(), db.rows("SELECT id FROM runs WHERE kind='sft'").size());
  }
  std::printf("%s: %d kills, %d finished rounds\n", job.command.c_str(), kills, rounds);
}

TEST_F(CrashSafety, SftAndGrpoSurvive20KillsEachAndResumeToTheSameMetrics) {
  const auto t0 = std::chrono::steady_clock::now();
  const std::string sft_cfg = (dir_ / "sft.json").string();
  std::ofstream(sft_cfg) << ps::test::tiny_sft_config(mirror_).dump(1);
  const Job sft{"sft", sft_cfg, 6, 2, 1, {"val/"}};
  double sft_s = 0;
  const int64_t sft_ref = straight(sft, &sft_s);
  ASSERT_GT(sft_ref, 0);

  const std::string grpo_cfg = (dir_ / "grpo.json").string();
  std::ofstream(grpo_cfg) << tiny_grpo_config(sft_ref).dump(1);
  const Job grpo{"grpo", grpo_cfg, 4, 2, 2, {"val/"}};
  double grpo_s = 0;
  const int64_t grpo_ref = straight(grpo, &grpo_s);
  ASSERT_GT(grpo_ref, 0);
  {  // The GRPO run records the prompt and data settings it inherited from its SFT run (eval/ttc --run read them).
    ps::store::Store st(store_);
    const json sft_conf = json::parse(st.get_run(sft_ref)->config_json);
    const json grpo_conf = json::parse(st.get_run(grpo_ref)->config_json);
    ASSERT_TRUE(grpo_conf.contains("prompt")) << grpo_conf.dump();
    EXPECT_EQ(grpo_conf["prompt"], sft_conf.at("prompt"));
    ASSERT_TRUE(grpo_conf.contains("data")) << grpo_conf.dump();
    EXPECT_EQ(grpo_conf["data"].at("train_cell_lines"), sft_conf.at("data").at("train_cell_lines"));
  }
  std::printf("uninterrupted: sft %.2f s, grpo %.2f s\n", sft_s, grpo_s);

  // Both jobs at once (one core each), in the same store, as a user running two trainings would.
  std::set<int64_t> refs;
  for (const auto& r : ps::test::SqliteReader(store_).rows("SELECT id FROM runs")) refs.insert(std::stoll(r[0]));
  std::thread other([&] { kill_and_resume(grpo, grpo_ref, refs, grpo_s, 20260612); });
  kill_and_resume(sft, sft_ref, refs, sft_s, 20260611);
  other.join();
  std::printf("%s", log_.c_str());
  std::printf("crash-safety test: %.1f s\n", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  if (HasFailure()) std::printf("scratch folder kept: %s\n", dir_.c_str());
}

}  // namespace

// Ctrl-C (issue 15, fault 12, for the training commands): exit 130, the run recorded as
// cancelled with its steps so far, and --resume finishes it with the uninterrupted run's metrics.
TEST_F(CrashSafety, CtrlCCancelsTheRunAndResumeFinishesIt) {
  // Long enough (60 steps) for a throttled progress line (at most one a second) to show a step.
  json c = ps::test::tiny_sft_config(mirror_);
  c["train"]["max_steps"] = 60;
  c["train"]["checkpoint_every"] = 10;
  const std::string cfg = (dir_ / "sft.json").string();
  std::ofstream(cfg) << c.dump(1);
  double s = 0;
  const int64_t ref = straight({"sft", cfg, 60, 10, 1, {"val/"}}, &s);
  ASSERT_GT(ref, 0);
  ps::test::ChildOptions ctrl_c;
  ctrl_c.signal_on_stderr = " step ";
  auto r = cli({"sft", "--config", cfg}, ctrl_c);
  ASSERT_TRUE(r.exited(130)) << r.describe();
  const int64_t run = newest_run("sft");
  ASSERT_GT(run, ref);
  ps::test::SqliteReader db(store_);
  const auto snap = db.snapshot(run);
  EXPECT_EQ(snap.status, "cancelled");
  EXPECT_TRUE(snap.metrics.count({"loss", 1})) << "the steps before Ctrl-C are recorded";
  EXPECT_FALSE(snap.metrics.count({"loss", 60})) << "Ctrl-C did not stop the training";
  auto r2 = cli({"sft", "--resume", std::to_string(run)});
  ASSERT_TRUE(r2.exited(0)) << r2.describe();
  const auto done = db.snapshot(run);
  const auto want = db.snapshot(ref);
  EXPECT_EQ(done.status, "finished");
  EXPECT_EQ(done.metrics, want.metrics);
  EXPECT_EQ(done.predictions, want.predictions);
  EXPECT_EQ(ps::test::comparable_summary(done.summary), ps::test::comparable_summary(want.summary));
  // A finished run is not resumed again.
  auto r3 = cli({"sft", "--resume", std::to_string(run)});
  EXPECT_TRUE(r3.exited(1)) << r3.describe();
  EXPECT_NE(r3.err.find("already finished"), std::string::npos) << r3.describe();
}
