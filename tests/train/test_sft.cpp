// SFT building blocks: LR schedules (hand-computed, HF semantics), batches and the loss mask,
// AdamW against its formula, run configs (every file in configs/ validates; bad ones name the
// field), and training checkpoints (exact round trip, atomic replacement).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

#include <ATen/ATen.h>
#include <torch/optim/adamw.h>

#include "common/error.h"
#include "data_cli/cli_run.h"
#include "lm/config.h"
#include "lm/linear.h"
#include "lm/logprobs.h"
#include "lm/model.h"
#include "train/checkpoint.h"
#include "train/config.h"
#include "train/lr_schedule.h"
#include "train/sft_data.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace ps::train {
namespace {

fs::path scratch(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("ps_test_sft_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// ---- learning-rate schedules ------------------------------------------------------------------

TEST(LrSchedule, HandComputed) {
  const double pi = std::acos(-1.0);
  // W = 4 warm-up steps of S = 20: s / W during warm-up (LR 0 at the first step, as HF).
  for (const char* s : {"constant_with_warmup", "linear", "cosine"}) {
    EXPECT_EQ(lr_multiplier(s, 0, 4, 20), 0.0) << s;
    EXPECT_DOUBLE_EQ(lr_multiplier(s, 1, 4, 20), 0.25) << s;
    EXPECT_DOUBLE_EQ(lr_multiplier(s, 3, 4, 20), 0.75) << s;
  }
  // constant ignores the warm-up.
  for (int64_t st : {0, 1, 3, 4, 19, 20}) EXPECT_EQ(lr_multiplier("constant", st, 4, 20), 1.0) << st;
  for (int64_t st : {4, 10, 20}) EXPECT_EQ(lr_multiplier("constant_with_warmup", st, 4, 20), 1.0) << st;
  // linear: (S - s) / (S - W) after warm-up.
  EXPECT_DOUBLE_EQ(lr_multiplier("linear", 4, 4, 20), 1.0);
  EXPECT_DOUBLE_EQ(lr_multiplier("linear", 8, 4, 20), 12.0 / 16.0);
  EXPECT_DOUBLE_EQ(lr_multiplier("linear", 19, 4, 20), 1.0 / 16.0);
  EXPECT_EQ(lr_multiplier("linear", 20, 4, 20), 0.0);
  EXPECT_EQ(lr_multiplier("linear", 25, 4, 20), 0.0);
  // cosine: 0.5 (1 + cos(pi (s - W) / (S - W))).
  EXPECT_DOUBLE_EQ(lr_multiplier("cosine", 4, 4, 20), 1.0);
  EXPECT_NEAR(lr_multiplier("cosine", 8, 4, 20), 0.5 * (1 + std::cos(pi * 4 / 16)), 1e-15);
  EXPECT_NEAR(lr_multiplier("cosine", 12, 4, 20), 0.5, 1e-15);
  EXPECT_NEAR(lr_multiplier("cosine", 17, 4, 20), 0.5 * (1 + std::cos(pi * 13 / 16)), 1e-15);
  EXPECT_NEAR(lr_multiplier("cosine", 20, 4, 20), 0.0, 1e-15);
  // No warm-up: full LR at step 0.
  EXPECT_EQ(lr_multiplier("cosine", 0, 0, 10), 1.0);
  EXPECT_EQ(lr_multiplier("linear", 0, 0, 10), 1.0);
  EXPECT_DOUBLE_EQ(lr_multiplier("linear", 5, 0, 10), 0.5);
  // W from a ratio: rounded up.
  EXPECT_EQ(warmup_steps_for(0, 0.1, 25), 3);
  EXPECT_EQ(warmup_steps_for(0, 0.0, 25), 0);
  EXPECT_EQ(warmup_steps_for(7, 0.5, 25), 7);
  // Errors: an unknown name at every step (also during warm-up), negative counts.
  EXPECT_THROW(lr_multiplier("exponential", 10, 4, 20), Error);
  EXPECT_THROW(lr_multiplier("exponential", 0, 4, 20), Error);
  EXPECT_THROW(lr_multiplier("linear", 0, -1, 20), Error);
}

// ---- batches and the loss mask -----------------------------------------------------------------

TEST(SftBatch, LossMaskCoversTheAssistantTokensOnly) {
  SftExample a{{10, 11, 12, 13, 14, 15}, 3, "a"};  // prompt 10 11 12, answer 13 14 15
  SftExample b{{20, 21, 22, 23}, 2, "b"};          // prompt 20 21, answer 22 23
  auto batch = make_sft_batch({&a, &b}, 0);
  ASSERT_EQ(batch.ids.sizes(), (at::IntArrayRef{2, 6}));
  EXPECT_TRUE(at::equal(batch.ids, at::tensor(std::vector<int64_t>{10, 11, 12, 13, 14, 15, 20, 21, 22, 23, 0, 0}).view({2, 6})));
  EXPECT_TRUE(at::equal(batch.attention, at::tensor(std::vector<int64_t>{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0}).view({2, 6})));
  EXPECT_TRUE(at::equal(batch.positions.narrow(1, 0, 4), at::arange(4, at::kLong).repeat({2, 1})));
  // Target t is ids[t + 1]: row a's targets 13, 14, 15 sit at t = 2, 3, 4; row b's 22, 23 at t = 1, 2.
  EXPECT_TRUE(at::equal(batch.loss_mask, at::tensor(std::vector<float>{0, 0, 1, 1, 1, 0, 1, 1, 0, 0}).view({2, 5})));
  EXPECT_EQ(batch.tokens, 10);
  EXPECT_EQ(batch.loss_tokens, 5);
  EXPECT_EQ(batch.loss_mask.sum().item<double>(), 5.0);
  EXPECT_THROW(make_sft_batch({}, 0), Error);
}

lm::ModelConfig small_model_config() {
  lm::ModelConfig c = lm::tiny_qwen3_config(64);
  c.hidden_size = 32, c.intermediate_size = 48, c.num_layers = 2, c.num_heads = 2, c.num_kv_heads = 1, c.head_dim = 16;
  c.max_position_embeddings = 64;
  return c;
}

TEST(SftBatch, ChangingPromptTargetsLeavesTheLossUnchanged) {
  lm::Model m = lm::Model::init_random(small_model_config(), 11);
  SftExample a{{1, 5, 9, 13, 17, 21, 25, 29, 33}, 5, "a"};
  SftExample b{{2, 6, 10, 14, 18, 22}, 3, "b"};
  auto batch = make_sft_batch({&a, &b}, 0);
  const int64_t B = 2, L = batch.ids.size(1);
  // The SFT loss as the loop computes it.
  auto lp = lm::token_logprobs(m, batch.ids, batch.attention, batch.positions, L - 1);
  const double loss = (-(lp.logprobs * batch.loss_mask).sum() / batch.loss_mask.sum()).item<double>();
  // The same loss from the final hidden states and explicit targets.
  std::vector<at::Tensor> trace;
  lm::ForwardOptions fo;
  fo.trace = &trace;
  m.forward(batch.ids, batch.positions, nullptr, batch.attention, fo);
  const at::Tensor h = trace.back().narrow(1, 0, L - 1).reshape({B * (L - 1), -1}).contiguous();
  const at::Tensor W = m.weights().lm_head.weight;
  auto masked_loss = [&](const at::Tensor& targets) {
    auto r = lm::selective_log_softmax(h, W, targets.reshape({B * (L - 1)}), 1.0, 4);
    return (-(r.logprobs.view({B, L - 1}) * batch.loss_mask).sum() / batch.loss_mask.sum()).item<double>();
  };
  const at::Tensor targets = batch.ids.narrow(1, 1, L - 1).clone();
  EXPECT_NEAR(masked_loss(targets), loss, 1e-5);
  // Every target the mask leaves out (prompt tokens, padding) replaced: the loss is the same.
  at::Tensor changed = targets.clone();
  changed.masked_fill_(batch.loss_mask.eq(0), 63);
  ASSERT_FALSE(at::equal(changed, targets));
  EXPECT_EQ(masked_loss(changed), masked_loss(targets));
  at::Tensor changed2 = at::where(batch.loss_mask.eq(0), (targets * 7 + 3) % 64, targets);
  EXPECT_EQ(masked_loss(changed2), masked_loss(targets));
  // A changed assistant target does change it (the check can fail).
  at::Tensor answer = targets.clone();
  answer[0][L - 2] = (answer[0][L - 2].item<int64_t>() + 1) % 64;
  EXPECT_NE(masked_loss(answer), masked_loss(targets));
}

// ---- AdamW -------------------------------------------------------------------------------------

TEST(AdamW, TwoStepsMatchTheFormula) {
  // Loss 0.5 Σ c_i p_i² (gradient c ⊙ p), lr 0.1, betas (0.9, 0.99), eps 1e-8, weight decay 0.1.
  const double lr = 0.1, b1 = 0.9, b2 = 0.99, eps = 1e-8, wd = 0.1;
  const std::vector<double> c = {1.0, -2.0, 0.5};
  std::vector<double> p = {0.5, -1.0, 2.0}, m(3, 0.0), v(3, 0.0);
  at::Tensor P = at::tensor(std::vector<double>{0.5, -1.0, 2.0}, at::kDouble).requires_grad_(true);
  torch::optim::AdamW opt({P}, torch::optim::AdamWOptions(lr).betas({b1, b2}).eps(eps).weight_decay(wd));
  const at::Tensor C = at::tensor(c, at::kDouble);
  for (int t = 1; t <= 2; ++t) {
    opt.zero_grad();
    (0.5 * (C * P * P).sum()).backward();
    opt.step();
    // By hand (Loshchilov & Hutter; PyTorch's AdamW):
    //   p ← p − lr·wd·p;  m ← b1 m + (1−b1) g;  v ← b2 v + (1−b2) g²
    //   p ← p − (lr / (1 − b1^t)) · m / (√v / √(1 − b2^t) + eps)
    for (int i = 0; i < 3; ++i) {
      const double g = c[i] * p[i];
      p[i] -= lr * wd * p[i];
      m[i] = b1 * m[i] + (1 - b1) * g;
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      const double bc1 = 1 - std::pow(b1, t), bc2 = 1 - std::pow(b2, t);
      p[i] -= (lr / bc1) * m[i] / (std::sqrt(v[i]) / std::sqrt(bc2) + eps);
    }
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(P[i].item<double>(), p[i], 1e-12) << "step " << t << " element " << i;
  }
  // First step, written out for element 0: g = 0.5; p = 0.5·(1 − 0.01) − 0.1·sign(g) (Adam's first step is ±lr).
  EXPECT_NEAR(0.5 * (1 - 0.01) - 0.1 * (0.5 / (0.5 + 1e-8)), 0.395, 1e-6);
}

// ---- configs ---------------------------------------------------------------------------------

// The checkout's configs/: searched upwards from the working directory, then from the CLI binary
// (a build folder inside the checkout).
fs::path configs_dir() {
  for (fs::path start : {fs::current_path(), fs::path(PERTURBSCOPE_CLI_PATH).parent_path()})
    for (fs::path d = fs::absolute(start); !d.empty(); d = d.parent_path()) {
      if (fs::exists(d / "configs" / "demo-sft.json") && fs::exists(d / "core" / "train")) return d / "configs";
      if (d == d.parent_path()) break;
    }
  return "configs";
}

TEST(RunConfigs, EveryShippedConfigValidates) {
  ASSERT_TRUE(fs::is_directory(configs_dir())) << configs_dir();
  int n = 0;
  for (const auto& e : fs::directory_iterator(configs_dir())) {
    if (e.path().extension() != ".json") continue;
    const json j = read_json_file(e.path().string());
    const std::string kind = j.value("kind", "");
    SCOPED_TRACE(e.path().string());
    if (kind == "sft") {
      SftConfig c = SftConfig::load(e.path().string());
      // to_json is what the store records: it must read back as the same config.
      EXPECT_EQ(SftConfig::from_json(c.to_json(), "round trip").to_json(), c.to_json());
    } else if (kind == "grpo") {
      GrpoConfig c = GrpoConfig::load(e.path().string());
      EXPECT_EQ(GrpoConfig::from_json(c.to_json(), "round trip").to_json(), c.to_json());
    } else if (kind == "pipeline") {
      // An SFT config and a GRPO config without init, validated by the CLI's pipeline command.
      ASSERT_TRUE(j.contains("sft"));
      SftConfig::from_json(j["sft"], e.path().string() + ": sft");
      auto r = test_cli::cli("pipeline --config " + e.path().string() + " --validate");
      EXPECT_EQ(r.code, 0) << r.all();
    } else if (kind == "sweep") {
      // A pipeline config plus its grid of GRPO knobs: every arm is validated.
      auto r = test_cli::cli("sweep --config " + e.path().string() + " --validate");
      EXPECT_EQ(r.code, 0) << r.all();
      EXPECT_TRUE(test_cli::contains(r.out, "valid (")) << r.all();
    } else if (kind == "eval" || kind == "ttc") {
      // The options of the command; the preset leaves the policy to the user (a run of their store):
      // without one the error names the file and "run"; with a model folder given on the command
      // line (which overrides the file) the preset validates.
      const fs::path d = scratch("preset_policy");
      std::ofstream((d / "config.json").string()) << "{}";
      auto r = test_cli::cli(kind + " --config " + e.path().string() + " --validate --store " + (d / "s.db").string());
      EXPECT_EQ(r.code, 1) << r.all();
      EXPECT_TRUE(test_cli::contains(r.err, e.path().string() + ": run: required")) << r.all();
      r = test_cli::cli(kind + " --config " + e.path().string() + " --model " + d.string() + " --validate");
      EXPECT_EQ(r.code, 0) << r.all();
      EXPECT_TRUE(test_cli::contains(r.out, e.path().string() + ": valid")) << r.all();
    } else {
      ADD_FAILURE() << "config without a known \"kind\": " << kind;
    }
    // Every kind is also checked by its CLI command's --validate.
    if (kind == "sft" || kind == "grpo") {
      auto r = test_cli::cli(kind + " --config " + e.path().string() + " --validate");
      EXPECT_EQ(r.code, 0) << r.all();
    }
    ++n;
  }
  EXPECT_GT(n, 0);
}

std::string sft_error(const json& j) {
  try {
    SftConfig::from_json(j, "configs/bad.json");
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

std::string grpo_error(const json& j) {
  try {
    GrpoConfig::from_json(j, "configs/bad.json");
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(RunConfigs, BadFieldsAreNamed) {
  const json demo = read_json_file((configs_dir() / "demo-sft.json").string());
  auto with = [&](const std::string& ptr, const json& v) {
    json j = demo;
    j[json::json_pointer(ptr)] = v;
    return j;
  };
  struct Case {
    json j;
    std::string field;
  };
  json unknown = demo;
  unknown["optimizer"] = {{"lr", 1}};
  json unknown_nested = demo;
  unknown_nested["optim"]["lr_max"] = 1;
  json lora = demo;
  lora["finetune"] = "lora";
  const std::vector<Case> cases = {
      {unknown, "optimizer"},
      {unknown_nested, "optim.lr_max"},
      {with("/optim/lr", -1), "optim.lr"},
      {with("/optim/lr", "NaN"), "optim.lr"},
      {with("/optim/lr", "1e-3"), "optim.lr"},
      {with("/optim/schedule", "exponential"), "optim.schedule"},
      {with("/train/batch_size", 0), "train.batch_size"},
      {with("/train/batch_size", 2.5), "train.batch_size"},
      {with("/model/num_kv_heads", 3), "model.num_kv_heads"},
      {with("/eval/sets", json::array({"test"})), "eval.sets"},
      {with("/data/train_cell_lines", json::array({"hela"})), "data.train_cell_lines"},
      {with("/prompt/max_prompt_tokens", 4096), "prompt.max_prompt_tokens"},
      {with("/prompt/bogus", 1), "prompt.bogus"},
      {with("/finetune", "partial"), "finetune"},
      {lora, "model.path"},
      {with("/lora", json{{"targets", json::array({"qkv"})}}), "lora.targets"},
      {with("/seed", -3), "seed"},
  };
  for (const auto& c : cases) {
    const std::string m = sft_error(c.j);
    EXPECT_NE(m.find("configs/bad.json"), std::string::npos) << c.field << ": " << m;
    EXPECT_NE(m.find(c.field), std::string::npos) << c.field << ": " << m;
  }
  // GRPO.
  const json g = {{"kind", "grpo"}, {"init", {{"model", "/some/model"}}}, {"grpo", {{"num_generations", 8}, {"batch_completions", 12}}}};
  EXPECT_NE(grpo_error(g).find("grpo.batch_completions"), std::string::npos) << grpo_error(g);
  json g2 = g;
  g2["grpo"]["batch_completions"] = 16;
  g2["grpo"]["micro_batch"] = 16;
  EXPECT_EQ(grpo_error(g2), "no error");
  g2["grpo"]["loss_type"] = "ppo";
  EXPECT_NE(grpo_error(g2).find("grpo.loss_type"), std::string::npos) << grpo_error(g2);
  EXPECT_NE(grpo_error({{"kind", "grpo"}}).find("init"), std::string::npos);
  EXPECT_NE(grpo_error({{"kind", "grpo"}, {"init", {{"sft_run", 1}, {"model", "x"}}}}).find("init.sft_run"), std::string::npos);
  // Files: a folder, a missing file, not JSON.
  const fs::path d = scratch("configs");
  try {
    SftConfig::load(d.string());
    FAIL() << "a folder loaded as a config";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("folder"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(d.string()), std::string::npos) << e.what();
  }
  EXPECT_THROW(SftConfig::load((d / "absent.json").string()), Error);
  std::ofstream((d / "broken.json").string()) << "{\"kind\": \"sft\", ";
  try {
    GrpoConfig::load((d / "broken.json").string());
    FAIL() << "broken JSON loaded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("broken.json"), std::string::npos) << e.what();
  }
  // Issue 15: a repeated key (the later value would silently win) and text after the document.
  const std::string demo_text = demo.dump();
  std::ofstream((d / "dup.json").string()) << demo_text.substr(0, demo_text.size() - 1) + ",\"seed\": 7}";
  std::ofstream((d / "dup_nested.json").string()) << R"({"kind": "grpo", "init": {"model": "/a", "model": "/b"}})";
  std::ofstream((d / "trailing.json").string()) << demo_text << " }";
  struct FileCase {
    std::string file, grpo_or_sft, needle;
  };
  for (const FileCase& c : {FileCase{"dup.json", "sft", "'seed'"}, FileCase{"dup_nested.json", "grpo", "'init.model'"},
                            FileCase{"trailing.json", "sft", "invalid JSON"}}) {
    try {
      if (c.grpo_or_sft == "sft") SftConfig::load((d / c.file).string());
      else GrpoConfig::load((d / c.file).string());
      ADD_FAILURE() << c.file << " loaded";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find((d / c.file).string()), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(c.needle), std::string::npos) << e.what();
    }
  }
  fs::remove_all(d);
}

// ---- training checkpoints --------------------------------------------------------------------

struct Toy {
  at::Tensor a, b;
  NamedParams params;
  std::unique_ptr<torch::optim::AdamW> opt;
  explicit Toy(uint64_t seed) {
    at::manual_seed(seed);
    a = at::randn({3, 4}).requires_grad_(true);
    b = at::randn({5}).requires_grad_(true);
    params = {{"layer.a", a}, {"layer.b", b}};
    opt = std::make_unique<torch::optim::AdamW>(std::vector<at::Tensor>{a, b},
                                                torch::optim::AdamWOptions(0.05).weight_decay(0.01));
  }
  void step() {
    opt->zero_grad();
    ((a * a).sum() * 0.3 + (b.sin() * b).sum()).backward();
    opt->step();
  }
};

TEST(TrainCheckpoint, RoundTripContinuesExactly) {
  const fs::path d = scratch("ckpt");
  const std::string dir = (d / "checkpoint").string();
  EXPECT_FALSE(has_train_checkpoint(dir));
  Toy ref(1);
  ref.step();
  ref.step();
  save_train_checkpoint(dir, ref.params, *ref.opt, {{"step", 2}, {"micro", 7}, {"rng", cpu_rng_state()}});
  EXPECT_TRUE(has_train_checkpoint(dir));
  EXPECT_FALSE(fs::exists(dir + ".tmp"));
  EXPECT_FALSE(fs::exists(dir + ".old"));
  const at::Tensor a2 = ref.a.detach().clone(), b2 = ref.b.detach().clone();
  ref.step();  // the uninterrupted run's third step

  Toy resumed(99);  // other weights, a fresh optimiser
  ASSERT_FALSE(at::equal(resumed.a, a2));
  auto state = load_train_checkpoint(dir, resumed.params, *resumed.opt);
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ((*state)["step"], 2);
  EXPECT_EQ((*state)["micro"], 7);
  EXPECT_TRUE(at::equal(resumed.a, a2));
  EXPECT_TRUE(at::equal(resumed.b, b2));
  EXPECT_TRUE(resumed.a.requires_grad());
  resumed.step();
  // Bitwise: the moments and step counts came back too (a fresh AdamW would take another step).
  EXPECT_TRUE(at::equal(resumed.a, ref.a)) << (resumed.a - ref.a).abs().max().item<double>();
  EXPECT_TRUE(at::equal(resumed.b, ref.b));
  Toy fresh(99);
  fresh.a.detach().copy_(a2), fresh.b.detach().copy_(b2);
  fresh.step();
  EXPECT_FALSE(at::equal(fresh.a, ref.a)) << "a fresh optimiser gives the same step: the check cannot fail";

  // The RNG state round-trips.
  const json rng = cpu_rng_state();
  const at::Tensor r1 = at::rand({4});
  set_cpu_rng_state(rng);
  EXPECT_TRUE(at::equal(at::rand({4}), r1));

  // Mismatches are errors naming the file.
  Toy other(3);
  NamedParams wrong = {{"layer.a", other.a}, {"layer.c", other.b}};
  try {
    load_train_checkpoint(dir, wrong, *other.opt);
    FAIL() << "a missing tensor was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("weights.safetensors"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("layer.c"), std::string::npos) << e.what();
  }
  at::Tensor bad = at::zeros({4, 3}).requires_grad_(true);
  NamedParams shape = {{"layer.a", bad}, {"layer.b", other.b}};
  EXPECT_THROW(load_train_checkpoint(dir, shape, *other.opt), Error);
  fs::remove_all(d);
}

TEST(TrainCheckpoint, AtomicReplacement) {
  const fs::path d = scratch("atomic");
  const std::string dir = (d / "checkpoint").string();
  Toy t(5);
  t.step();
  save_train_checkpoint(dir, t.params, *t.opt, {{"step", 1}});
  const at::Tensor a1 = t.a.detach().clone();
  t.step();
  save_train_checkpoint(dir, t.params, *t.opt, {{"step", 2}});
  const at::Tensor a2 = t.a.detach().clone();
  EXPECT_FALSE(fs::exists(dir + ".old"));

  // A leftover <dir>.tmp (a save killed half-way) is ignored.
  fs::create_directories(dir + ".tmp");
  std::ofstream(dir + ".tmp/state.json") << "{\"step\": 99";
  {
    Toy u(6);
    auto s = load_train_checkpoint(dir, u.params, *u.opt);
    ASSERT_TRUE(s);
    EXPECT_EQ((*s)["step"], 2);
    EXPECT_TRUE(at::equal(u.a, a2));
  }
  // ... and the next save replaces it.
  t.step();
  save_train_checkpoint(dir, t.params, *t.opt, {{"step", 3}});
  EXPECT_FALSE(fs::exists(dir + ".tmp"));
  const at::Tensor a3 = t.a.detach().clone();

  // Killed between the two renames: <dir> gone, <dir>.old complete. It is used.
  fs::rename(dir, dir + ".old");
  EXPECT_TRUE(has_train_checkpoint(dir));
  {
    Toy u(7);
    auto s = load_train_checkpoint(dir, u.params, *u.opt);
    ASSERT_TRUE(s);
    EXPECT_EQ((*s)["step"], 3);
    EXPECT_TRUE(at::equal(u.a, a3));
  }
  // A save from that state puts <dir> back and drops <dir>.old.
  t.step();
  save_train_checkpoint(dir, t.params, *t.opt, {{"step", 4}});
  EXPECT_TRUE(fs::exists(fs::path(dir) / "state.json"));
  EXPECT_FALSE(fs::exists(dir + ".old"));
  {
    Toy u(8);
    EXPECT_EQ((*load_train_checkpoint(dir, u.params, *u.opt))["step"], 4);
  }
  // When both exist, <dir> (the newer) wins.
  fs::create_directories(dir + ".old");
  fs::copy(dir, dir + ".old", fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  std::ofstream(dir + ".old/state.json") << "{\"step\": 1}";
  {
    Toy u(9);
    EXPECT_EQ((*load_train_checkpoint(dir, u.params, *u.opt))["step"], 4);
  }
  (void)a1;
  // Nothing at all: nullopt.
  Toy u(10);
  EXPECT_FALSE(load_train_checkpoint((d / "none").string(), u.params, *u.opt).has_value());
  fs::remove_all(d);
}

}  // namespace
}  // namespace ps::train
