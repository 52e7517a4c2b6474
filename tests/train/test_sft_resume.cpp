// run_sft end to end on a tiny configuration (K562 only, 6 steps): an interrupted and resumed run
// logs the same losses as an uninterrupted one, step for step; the saved model loads as a Policy
// and in `perturbscope-cli generate`; a LoRA SFT on that model writes a PEFT adapter that
// `generate --adapter` accepts. Needs the data mirror (skipped without it).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <cmath>
#include <filesystem>
#include <map>
#include <regex>
#include <string>
#include <unistd.h>

#include <ATen/Parallel.h>
#include <nlohmann/json.hpp>

#include "common/paths.h"
#include "data_cli/cli_run.h"
#include "jobs/job.h"
#include "lm/safetensors.h"
#include "store/store.h"
#include "train/config.h"
#include "train/policy.h"
#include "train/sft.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace ps::train {
namespace {

json tiny_config_json() {
  return {
      {"kind", "sft"},
      {"name", "tiny-resume"},
      {"seed", 3},
      {"data", {{"train_cell_lines", {"k562"}}, {"heldout_cell_line", ""}, {"teacher_items", 48}, {"eval_min_items", 40}}},
      {"prompt",
       {{"max_neighbours", 4}, {"max_go", 1}, {"max_pathways", 1}, {"max_channels", 1}, {"max_prompt_tokens", 256},
        {"include_descriptions", false}, {"system_prompt", ""}, {"show_similarity", false}}},
      {"teacher", {{"kind", "evidence"}}},
      {"tokenizer", {{"merges", 200}}},
      {"model",
       {{"hidden_size", 32}, {"intermediate_size", 64}, {"num_layers", 2}, {"num_heads", 2}, {"num_kv_heads", 1},
        {"head_dim", 16}, {"max_position_embeddings", 512}}},
      {"finetune", "full"},
      {"optim", {{"lr", 0.003}, {"weight_decay", 0.01}, {"schedule", "cosine"}, {"warmup_steps", 2}, {"max_grad_norm", 1.0}}},
      {"train", {{"batch_size", 4}, {"max_steps", 6}, {"checkpoint_every", 2}, {"max_seq_len", 500}, {"threads", 1}}},
      {"eval", {{"sets", json::array()}, {"max_new_tokens", 24}, {"batch_size", 16}, {"bootstrap", 0}}},
  };
}

fs::path scratch(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("ps_test_sft_resume_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::map<int64_t, double> series(const store::Store& st, int64_t run, const std::string& name, int64_t* dupes) {
  std::map<int64_t, double> out;
  for (const auto& p : st.metrics(run, name))
    if (!out.emplace(p.step, p.value).second) ++*dupes;
  return out;
}

class SftResume : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!ps::locate_data()) GTEST_SKIP() << "data mirror not found";
    at::set_num_threads(1);
  }
};

TEST_F(SftResume, ResumedRunLogsTheSameLossesAndItsModelsLoad) {
  const SftConfig cfg = SftConfig::from_json(tiny_config_json(), "tiny");

  // 1. Uninterrupted.
  const fs::path d1 = scratch("straight");
  store::Store st1((d1 / "store.sqlite").string());
  jobs::JobContext ctx1;
  const SftResult r1 = run_sft(cfg, st1, ctx1);
  EXPECT_EQ(r1.steps, 6);
  EXPECT_GT(r1.examples, 0);
  EXPECT_EQ(st1.get_run(r1.run_id)->status, store::RunStatus::Finished);
  int64_t dupes = 0;
  const auto loss1 = series(st1, r1.run_id, "loss", &dupes);
  EXPECT_EQ(dupes, 0);
  ASSERT_EQ(loss1.size(), 6u);
  for (int64_t s = 1; s <= 6; ++s) {
    ASSERT_TRUE(loss1.count(s)) << "step " << s;
    EXPECT_TRUE(std::isfinite(loss1.at(s)));
  }
  EXPECT_NE(loss1.at(1), loss1.at(6)) << "training did not move";
  {  // The result's "seconds" is the whole run, not the headline set's evaluation time.
    const json rj = r1.to_json();
    ASSERT_TRUE(rj.contains("sets"));
    double eval_seconds = 0;
    for (const auto& [name, set] : rj["sets"].items()) eval_seconds += set.at("seconds").get<double>();
    EXPECT_GT(rj.at("seconds").get<double>(), eval_seconds);
    EXPECT_EQ(rj.at("seconds").get<double>(), r1.seconds);
  }

  // 2. Cancelled after step 3 is reported, then resumed.
  const fs::path d2 = scratch("resumed");
  store::Store st2((d2 / "store.sqlite").string());
  int64_t last_step_seen = 0;
  jobs::JobContext* ctx_ptr = nullptr;
  jobs::JobContext ctx2([&](const jobs::Progress& p) {
    // Reports are forwarded at most every 50 ms: a callback that takes longer gets every one.
    std::this_thread::sleep_for(std::chrono::milliseconds(55));
    std::smatch m;
    static const std::regex re("^step (\\d+)/");
    if (std::regex_search(p.message, m, re)) {
      last_step_seen = std::stoll(m[1]);
      if (last_step_seen >= 3) ctx_ptr->cancel();
    }
  });
  ctx_ptr = &ctx2;
  EXPECT_THROW(run_sft(cfg, st2, ctx2), jobs::Cancelled);
  ASSERT_EQ(last_step_seen, 3) << "cancelled after step 3 (checkpoint at 2): step 3 is redone on resume";
  const auto runs = st2.list_runs();
  int64_t run_id = 0;
  for (const auto& r : runs)
    if (r.kind == "sft") run_id = r.id;
  ASSERT_GT(run_id, 0);
  EXPECT_EQ(st2.get_run(run_id)->status, store::RunStatus::Cancelled);
  const auto before = series(st2, run_id, "loss", &dupes);
  EXPECT_EQ(before.rbegin()->first, last_step_seen) << "the steps before the cancel are logged";

  jobs::JobContext ctx3;
  const SftResult r2 = run_sft(SftConfig::from_json(json::parse(st2.get_run(run_id)->config_json), "stored"), st2, ctx3, run_id);
  EXPECT_EQ(r2.run_id, run_id);
  EXPECT_EQ(r2.steps, 6);
  EXPECT_EQ(st2.get_run(run_id)->status, store::RunStatus::Finished);
  dupes = 0;
  const auto loss2 = series(st2, run_id, "loss", &dupes);
  EXPECT_EQ(dupes, 0) << "a step was logged twice";
  ASSERT_EQ(loss2.size(), 6u) << "a step is missing";
  for (int64_t s = 1; s <= 6; ++s) {
    ASSERT_TRUE(loss2.count(s)) << "step " << s;
    EXPECT_EQ(loss2.at(s), loss1.at(s)) << "step " << s;
  }
  EXPECT_EQ(r2.final_loss, r1.final_loss);

  // 3. The saved model: a Policy, and the CLI's generate.
  ASSERT_TRUE(fs::exists(fs::path(r1.model_dir) / "model.safetensors"));
  ASSERT_TRUE(fs::exists(fs::path(r1.model_dir) / "tokenizer.json"));
  Policy pol = Policy::load(r1.model_dir);
  EXPECT_EQ(pol.model->config().hidden_size, 32);
  EXPECT_FALSE(pol.stop_ids.empty());
  EXPECT_FALSE(pol.encode("Cell line: K562.").empty());
  auto g = test_cli::cli("generate --model " + r1.model_dir + " --prompt 'Is MYC differentially expressed?' --max-new-tokens 8 --json");
  ASSERT_EQ(g.code, 0) << g.all();
  const json gj = json::parse(g.out);
  EXPECT_GT(gj["prompt_tokens"].get<int64_t>(), 0);
  EXPECT_LE(gj["generated_tokens"].get<int64_t>(), 8);

  // 4. LoRA SFT on the saved model folder: a PEFT adapter.
  json lj = tiny_config_json();
  lj["name"] = "tiny-lora";
  lj["finetune"] = "lora";
  lj["model"] = {{"path", r1.model_dir}};
  lj["lora"] = {{"r", 4}, {"alpha", 8}, {"targets", {"q_proj", "v_proj", "down_proj"}}};
  lj["train"]["max_steps"] = 2;
  const SftConfig lcfg = SftConfig::from_json(lj, "tiny-lora");
  jobs::JobContext ctx4;
  const SftResult r3 = run_sft(lcfg, st1, ctx4);
  EXPECT_EQ(r3.steps, 2);
  ASSERT_FALSE(r3.adapter_dir.empty());
  const fs::path ad = r3.adapter_dir;
  ASSERT_TRUE(fs::exists(ad / "adapter_config.json"));
  ASSERT_TRUE(fs::exists(ad / "adapter_model.safetensors"));
  const json ac = read_json_file((ad / "adapter_config.json").string());
  EXPECT_EQ(ac["peft_type"], "LORA");
  EXPECT_EQ(ac["r"], 4);
  EXPECT_EQ(ac["lora_alpha"], 8.0);
  std::vector<std::string> tm = ac["target_modules"].get<std::vector<std::string>>();
  std::sort(tm.begin(), tm.end());
  EXPECT_EQ(tm, (std::vector<std::string>{"down_proj", "q_proj", "v_proj"}));
  lm::SafetensorsFile sf((ad / "adapter_model.safetensors").string());
  // Qwen3 of hidden 32, 2 heads of 16, 1 KV head, intermediate 64, 2 layers: 3 targets x 2 layers x (A, B).
  EXPECT_EQ(sf.entries().size(), 12u);
  struct Want {
    std::string proj;
    int64_t in, out;
  };
  for (int layer = 0; layer < 2; ++layer)
    for (const Want& w : {Want{"self_attn.q_proj", 32, 32}, Want{"self_attn.v_proj", 32, 16}, Want{"mlp.down_proj", 64, 32}}) {
      const std::string base = "base_model.model.model.layers." + std::to_string(layer) + "." + w.proj;
      const auto* a = sf.find(base + ".lora_A.weight");
      const auto* b = sf.find(base + ".lora_B.weight");
      ASSERT_TRUE(a) << base;
      ASSERT_TRUE(b) << base;
      EXPECT_EQ(a->shape, (std::vector<int64_t>{4, w.in})) << base;
      EXPECT_EQ(b->shape, (std::vector<int64_t>{w.out, 4})) << base;
    }
  // Trained: B is no longer zero somewhere.
  bool moved = false;
  for (const auto& e : sf.entries())
    if (e.name.find("lora_B") != std::string::npos && sf.read(e.name).abs().max().item<double>() > 0) moved = true;
  EXPECT_TRUE(moved) << "the adapter did not train";
  auto ga = test_cli::cli("generate --model " + r1.model_dir + " --adapter " + ad.string() +
                          " --prompt 'Is MYC differentially expressed?' --max-new-tokens 8 --json");
  ASSERT_EQ(ga.code, 0) << ga.all();
  EXPECT_EQ(json::parse(ga.out)["adapter"], ad.string());
  Policy lp = Policy::load(r1.model_dir, ad.string());
  ASSERT_TRUE(lp.model->adapter());

  fs::remove_all(d1);
  fs::remove_all(d2);
}

}  // namespace
}  // namespace ps::train
