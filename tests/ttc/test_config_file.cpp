// `eval --config FILE` and `ttc --config FILE` (options as JSON, cli/args.h read_config), their
// --validate, and the sweep config (a pipeline or GRPO config plus "grid") with `sweep --validate`:
// bad content names the file and the key (exit 1), flags on the command line override the file,
// and a run named in the file is looked up in the store. No model is loaded (--validate).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "data_cli/cli_run.h"
#include "scratch.h"
#include "store/store.h"

namespace fs = std::filesystem;
using nlohmann::json;
using test_cli::cli;
using test_cli::contains;

namespace {

fs::path dir() { return ps::test::scratch_dir("config_file"); }

std::string write(const std::string& name, const json& j) {
  const fs::path p = dir() / name;
  std::ofstream(p) << j.dump(2);
  return p.string();
}

// A folder that passes --validate's check of a model folder (it is never loaded).
std::string model_folder() {
  const fs::path m = dir() / "model";
  fs::create_directories(m);
  std::ofstream(m / "config.json") << "{}";
  return m.string();
}

std::string store() { return (dir() / "store.db").string(); }

}  // namespace

TEST(OptionsConfig, BadContentNamesTheFileAndTheKey) {
  const std::string m = model_folder();
  struct Case {
    std::string command;
    json config;
    std::string expect;  // after "FILE: "
  };
  const std::vector<Case> cases = {
      {"ttc", {{"kind", "ttc"}, {"model", m}, {"bogus", 3}}, "bogus: unknown field"},
      {"ttc", {{"kind", "ttc"}, {"model", m}, {"max-new-tokens", 5}}, "max-new-tokens: unknown field (write it with '_': \"max_new_tokens\")"},
      {"eval", {{"kind", "eval"}, {"model", m}, {"cell_line", "all"}, {"split", "val"}, {"n", "200"}}, "n: expected an integer, got \"200\""},
      {"eval", {{"kind", "eval"}, {"model", m}, {"cell_line", "all"}, {"split", "val"}, {"temperature", "0"}}, "temperature: expected a number"},
      {"ttc", {{"kind", "ttc"}, {"model", m}, {"tau_sweep", "yes"}}, "tau_sweep: expected true or false"},
      {"ttc", {{"kind", "ttc"}, {"model", m}, {"strategies", {"greedy", 3}}}, "strategies: expected a list of non-empty strings"},
      {"ttc", {{"kind", "ttc"}, {"model", m}, {"strategies", {"greedy", "bfx"}}}, "strategies: has an unknown strategy 'bfx'"},
      {"ttc", {{"kind", "ttc"}, {"model", m}, {"k", 0}}, "k: must be in [1, 1024], got 0"},
      {"ttc", {{"kind", "ttc"}, {"model", m}, {"tau", 1.5}}, "tau: must be in [0, 1], got 1.5"},
      {"ttc", {{"kind", "ttc"}, {"model", m}, {"bf_cue", ""}}, "bf_cue: must not be empty"},
      {"eval", {{"kind", "eval"}, {"model", m}, {"cell_line", "hela"}, {"split", "val"}}, "cell_line: must be one of k562, rpe1, hepg2, jurkat or all, got 'hela'"},
      {"eval", {{"kind", "eval"}, {"model", m}, {"cell_line", "all"}}, "split: is required"},
      {"eval", {{"kind", "eval"}, {"cell_line", "all"}, {"split", "val"}}, "run: required: the id of a finished sft or grpo run"},
      {"eval", {{"kind", "eval"}, {"run", 3}, {"model", m}, {"cell_line", "all"}, {"split", "val"}}, "run: cannot be combined with model"},
      {"eval", {{"kind", "eval"}, {"model", m}, {"cell_line", "all"}, {"split", "val"}, {"store", "x.db"}}, "store: not allowed in a config file"},
      {"eval", {{"kind", "ttc"}, {"model", m}}, "kind: must be \"eval\""},
      {"eval", {{"kind", "eval"}, {"model", (dir() / "absent").string()}, {"cell_line", "all"}, {"split", "val"}}, "model: " + (dir() / "absent").string() + ": no such folder"},
  };
  int i = 0;
  for (const auto& c : cases) {
    const std::string file = write("bad" + std::to_string(i++) + ".json", c.config);
    const auto r = cli(c.command + " --config " + file + " --validate --store " + store());
    EXPECT_EQ(r.code, 1) << c.config.dump() << "\n" << r.all();
    EXPECT_TRUE(contains(r.err, file + ": " + c.expect)) << c.expect << "\n" << r.all();
  }
  // Not JSON, not an object, a folder.
  std::ofstream(dir() / "broken.json") << "{\"kind\": \"ttc\",";
  auto r = cli("ttc --config " + (dir() / "broken.json").string() + " --validate");
  EXPECT_EQ(r.code, 1) << r.all();
  EXPECT_TRUE(contains(r.err, "broken.json")) << r.all();
  r = cli("ttc --config " + write("list.json", json::array({1})) + " --validate");
  EXPECT_EQ(r.code, 1) << r.all();
  EXPECT_TRUE(contains(r.err, "list.json: expected a JSON object")) << r.all();
  r = cli("eval --config " + dir().string() + " --validate");
  EXPECT_EQ(r.code, 1) << r.all();
  EXPECT_TRUE(contains(r.err, "is a folder")) << r.all();
}

TEST(OptionsConfig, FlagsOverrideTheFile) {
  const std::string m = model_folder();
  // The file's bad values are replaced by the command line's: valid.
  const std::string file = write("override.json", {{"kind", "ttc"}, {"run", 999}, {"k", 0}, {"tau", 2.0}, {"strategies", {"bf"}},
                                                  {"tau_sweep", true}, {"bf_rounds", 2}, {"n", 4}});
  auto r = cli("ttc --config " + file + " --validate --store " + store());
  EXPECT_EQ(r.code, 1) << r.all();
  EXPECT_TRUE(contains(r.err, file + ": tau: cannot be combined with the tau sweep")) << r.all();
  r = cli("ttc --config " + file + " --model " + m + " --k 4 --tau 0.5 --validate");
  EXPECT_EQ(r.code, 0) << r.all();
  EXPECT_TRUE(contains(r.out, file + ": valid")) << r.all();
  // A bad value on the command line stays a usage error naming the flag (exit 2), even over a good file.
  r = cli("ttc --config " + file + " --model " + m + " --k 0 --tau 0.5 --validate");
  EXPECT_EQ(r.code, 2) << r.all();
  EXPECT_TRUE(contains(r.err, "ttc: --k must be in [1, 1024], got 0")) << r.all();
  // Booleans: true is the flag, false leaves it out; null is the default.
  const std::string flags = write("flags.json", {{"kind", "eval"}, {"model", m}, {"cell_line", "k562"}, {"split", "heldout"},
                                                {"no_store", false}, {"n", nullptr}, {"temperature", 0}, {"top_p", 0.9}});
  r = cli("eval --config " + flags + " --validate");
  EXPECT_EQ(r.code, 0) << r.all();
  r = cli("eval --config " + flags + " --split train --validate");
  EXPECT_EQ(r.code, 2) << r.all();
  EXPECT_TRUE(contains(r.err, "eval: --split must be one of val, ttc_val, heldout or test, got 'train'")) << r.all();
}

TEST(OptionsConfig, TheRunComesFromTheStore) {
  const std::string m = model_folder();
  const std::string db = (dir() / "runs.db").string();
  int64_t sft = 0, knn = 0, unfinished = 0;
  {
    ps::store::Store st(db);
    sft = st.create_run("sft", "tiny", json({{"prompt", json::object()}}).dump());
    st.set_summary(sft, json({{"model_dir", m}}).dump());
    st.set_status(sft, ps::store::RunStatus::Finished);
    knn = st.create_run("knn", "knn k562", "{}");
    st.set_status(knn, ps::store::RunStatus::Finished);
    unfinished = st.create_run("sft", "no model", "{}");
    st.set_status(unfinished, ps::store::RunStatus::Cancelled);
  }
  const json base = {{"kind", "ttc"}, {"strategies", {"greedy", "sc"}}, {"k", 4}, {"n", 4}, {"bootstrap", 10}};
  json ok = base;
  ok["run"] = sft;
  auto r = cli("ttc --config " + write("run_ok.json", ok) + " --validate --store " + db);
  EXPECT_EQ(r.code, 0) << r.all();
  json wrong_kind = base;
  wrong_kind["run"] = knn;
  const std::string f1 = write("run_knn.json", wrong_kind);
  r = cli("ttc --config " + f1 + " --validate --store " + db);
  EXPECT_EQ(r.code, 1) << r.all();
  EXPECT_TRUE(contains(r.err, f1 + ": run: run " + std::to_string(knn) + " is a knn run, not sft or grpo")) << r.all();
  json no_model = base;
  no_model["run"] = unfinished;
  const std::string f2 = write("run_none.json", no_model);
  r = cli("ttc --config " + f2 + " --validate --store " + db);
  EXPECT_EQ(r.code, 1) << r.all();
  EXPECT_TRUE(contains(r.err, f2 + ": run: run " + std::to_string(unfinished) + " has no trained model")) << r.all();
  json absent = base;
  absent["run"] = 4242;
  const std::string f3 = write("run_absent.json", absent);
  r = cli("ttc --config " + f3 + " --validate --store " + db);
  EXPECT_EQ(r.code, 1) << r.all();
  EXPECT_TRUE(contains(r.err, f3 + ": run: " + db + ": no run with id 4242")) << r.all();
  // The run's model folder must still exist.
  {
    ps::store::Store st(db);
    st.set_summary(sft, json({{"model_dir", (dir() / "gone").string()}}).dump());
  }
  const std::string f4 = write("run_gone.json", ok);
  r = cli("ttc --config " + f4 + " --validate --store " + db);
  EXPECT_EQ(r.code, 1) << r.all();
  EXPECT_TRUE(contains(r.err, f4 + ": run: the run's model folder")) << r.all();
}

TEST(SweepConfig, GridAndBaseAreValidated) {
  const json base = {{"kind", "sweep"}, {"init", {{"model", "/some/model"}}}, {"grid", "beta=0,0.04;num_iterations=1,2"}};
  auto r = cli("sweep --config " + write("sweep.json", base) + " --validate");
  EXPECT_EQ(r.code, 0) << r.all();
  EXPECT_TRUE(contains(r.out, "valid (4 arms)")) << r.all();
  struct Case {
    json config;
    std::string expect;
  };
  auto with = [&](const char* key, const json& v) {
    json j = base;
    j[key] = v;
    return j;
  };
  const std::vector<Case> cases = {
      {with("grid", "bogus=1,2"), "grid: unknown knob 'bogus'"},
      {with("grid", "beta=-1,0"), "grid: arm beta=-1: grpo.beta: must be in"},
      {with("grid", "beta"), "grid: part 'beta' is not NAME=V1,V2"},
      {with("grid", 3), "grid: expected a string"},
      {with("grid", ""), "grid: is empty"},
      {with("arms", json::array({"rlcr"})), "arms: not used by a sweep"},
      {with("optim", {{"lr", -1}}), "optim.lr: must be in"},
  };
  int i = 0;
  for (const auto& c : cases) {
    const std::string file = write("sweep_bad" + std::to_string(i++) + ".json", c.config);
    r = cli("sweep --config " + file + " --validate");
    EXPECT_EQ(r.code, 1) << c.config.dump() << "\n" << r.all();
    EXPECT_TRUE(contains(r.err, file + ": " + c.expect)) << c.expect << "\n" << r.all();
  }
  // --grid on the command line replaces the file's grid; its errors are usage errors.
  const std::string bad = write("sweep_badgrid.json", with("grid", "bogus=1"));
  r = cli("sweep --config " + bad + " --grid 'num_iterations=1,2,3' --validate");
  EXPECT_EQ(r.code, 0) << r.all();
  EXPECT_TRUE(contains(r.out, "valid (3 arms)")) << r.all();
  r = cli("sweep --config " + bad + " --grid 'loss_type=ppo' --validate");
  EXPECT_EQ(r.code, 2) << r.all();
  EXPECT_TRUE(contains(r.err, "sweep: --grid arm loss_type=ppo: grpo.loss_type: must be one of")) << r.all();
  // A plain GRPO config needs --grid.
  json grpo = base;
  grpo.erase("grid");
  grpo["kind"] = "grpo";
  r = cli("sweep --config " + write("plain.json", grpo) + " --validate");
  EXPECT_EQ(r.code, 2) << r.all();
  r = cli("sweep --config " + write("plain.json", grpo) + " --grid reward=rlcr,rlvr --validate");
  EXPECT_EQ(r.code, 0) << r.all();
}

TEST(SweepConfig, KindIsCheckedBeforeTheGrid) {
  const json base = {{"kind", "sweep"}, {"init", {{"model", "/some/model"}}}, {"grid", "beta=0,0.04"}};
  struct Case {
    json kind;  // null json = no "kind" key
    bool drop;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {5, false, "kind: expected a string, got 5"},
      {nullptr, false, "kind: expected a string, got null"},
      {"pipeline", false, "kind: must be \"sweep\" for a file with a grid"},
      {"eval", false, "kind: must be \"sweep\" for a file with a grid"},
      {nullptr, true, "kind: must be \"sweep\" for a file with a grid"},
  };
  int i = 0;
  for (const auto& c : cases) {
    json j = base;
    if (c.drop) j.erase("kind");
    else j["kind"] = c.kind;
    const std::string file = write("sweep_kind" + std::to_string(i++) + ".json", j);
    auto r = cli("sweep --config " + file + " --validate");
    EXPECT_EQ(r.code, 1) << j.dump() << "\n" << r.all();
    EXPECT_TRUE(contains(r.err, file + ": " + c.expect)) << c.expect << "\n" << r.all();
    EXPECT_FALSE(contains(r.err, "internal error")) << r.all();
  }
  // A kind sweep does not read names every accepted kind.
  json sft = base;
  sft.erase("grid");
  sft["kind"] = "sft";
  const std::string file = write("sweep_sft.json", sft);
  auto r = cli("sweep --config " + file + " --grid beta=0 --validate");
  EXPECT_EQ(r.code, 1) << r.all();
  EXPECT_TRUE(contains(r.err, file + ": kind: must be one of sweep, pipeline, grpo, got \"sft\"")) << r.all();
}

TEST(OptionsConfig, AMissingStoreIsNotCreated) {
  const fs::path gone = dir() / "no_such_folder";
  fs::remove_all(gone);
  const std::string db = (gone / "x.sqlite").string();
  const json ttc = {{"kind", "ttc"}, {"run", 3}, {"strategies", {"greedy"}}, {"n", 4}};
  const json eval = {{"kind", "eval"}, {"run", 3}, {"cell_line", "k562"}, {"split", "heldout"}};
  const std::string ft = write("missing_store_ttc.json", ttc), fe = write("missing_store_eval.json", eval);
  for (const std::string& cmd : {"ttc --config " + ft, "eval --config " + fe}) {
    for (const char* validate : {" --validate", ""}) {
      auto r = cli(cmd + " --store " + db + validate);
      EXPECT_EQ(r.code, 1) << r.all();
      EXPECT_TRUE(contains(r.err, db + ": no such store (run 3 is looked up there)")) << r.all();
      EXPECT_FALSE(fs::exists(gone)) << cmd << validate << " created " << gone;
    }
  }
  // --run on the command line: the same error, without the file's name.
  auto r = cli("eval --run 3 --cell-line k562 --split heldout --store " + db + " --validate");
  EXPECT_EQ(r.code, 1) << r.all();
  EXPECT_TRUE(contains(r.err, "eval: error: " + db + ": no such store (run 3 is looked up there)")) << r.all();
  EXPECT_FALSE(fs::exists(gone));
}

TEST(OptionsConfig, MessagesNameTheCommandOnceAndNoOddNumbers) {
  const std::string m = model_folder();
  const fs::path not_model = dir() / "not_a_model";
  fs::create_directories(not_model);
  // An input error from the command line: "ttc: error: --model: ...", the command named once.
  auto r = cli("ttc --model " + not_model.string() + " --validate");
  EXPECT_EQ(r.code, 1) << r.all();
  EXPECT_TRUE(contains(r.err, "ttc: error: --model: " + not_model.string() + ": no config.json")) << r.all();
  EXPECT_FALSE(contains(r.err, "error: ttc:")) << r.all();
  // An empty model path says so.
  const std::string empty = write("empty_model.json", {{"kind", "ttc"}, {"model", ""}});
  r = cli("ttc --config " + empty + " --validate");
  EXPECT_EQ(r.code, 1) << r.all();
  EXPECT_TRUE(contains(r.err, empty + ": model: empty path")) << r.all();
  // top_p 0: the open interval, not 1e-09.
  const std::string top = write("top_p0.json", {{"kind", "eval"}, {"model", m}, {"cell_line", "k562"}, {"split", "heldout"},
                                                {"top_p", 0}});
  r = cli("eval --config " + top + " --validate");
  EXPECT_EQ(r.code, 1) << r.all();
  EXPECT_TRUE(contains(r.err, top + ": top_p: must be in (0, 1]")) << r.all();
  EXPECT_FALSE(contains(r.err, "1e-09")) << r.all();
  EXPECT_FALSE(contains(r.err, "1.0000000000000001e-09")) << r.all();
  r = cli("eval --model " + m + " --cell-line k562 --split heldout --top-p 0 --validate");
  EXPECT_EQ(r.code, 2) << r.all();
  EXPECT_TRUE(contains(r.err, "eval: --top-p must be in (0, 1]")) << r.all();
  // --n: 0 is every item in both commands; a negative count is refused with the rule that is checked.
  r = cli("ttc --model " + m + " --n 0 --validate");
  EXPECT_EQ(r.code, 0) << r.all();
  r = cli("eval --model " + m + " --cell-line k562 --split heldout --n 0 --validate");
  EXPECT_EQ(r.code, 0) << r.all();
  r = cli("ttc --model " + m + " --n -1 --validate");
  EXPECT_EQ(r.code, 2) << r.all();
  EXPECT_TRUE(contains(r.err, "ttc: --n must be >= 0 (0: every item), got -1")) << r.all();
  r = cli("eval --model " + m + " --cell-line k562 --split heldout --n -1 --validate");
  EXPECT_EQ(r.code, 2) << r.all();
}
