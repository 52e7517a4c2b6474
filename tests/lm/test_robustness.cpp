// Issue 15, faults 3, 6, 8 and 9 with their siblings: hostile or unusual model folders, configs,
// safetensors headers, weights and generation settings give a clear ps::Error (or work), never a
// crash, a huge allocation, a libtorch stack trace or a silently wrong answer.
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "lm/config.h"
#include "lm/generate.h"
#include "lm/lora.h"
#include "lm/model.h"
#include "lm/rope.h"
#include "lm/safetensors.h"
#include "lm_test_util.h"
#include "sanitizer_report.h"

using namespace ps::lm;
using namespace ps::lm::test;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const ps::Error& e) {
    return e.what();
  }
  return "(no ps::Error thrown)";
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

json base_config(const std::string& type = "qwen3") {
  return {{"model_type", type},  {"vocab_size", 64},        {"hidden_size", 32}, {"intermediate_size", 64},
          {"num_hidden_layers", 1}, {"num_attention_heads", 4}, {"num_key_value_heads", 2}, {"head_dim", 8}};
}

ModelConfig small_config() {
  ModelConfig c = tiny_qwen3_config(64);
  c.hidden_size = 32;
  c.intermediate_size = 64;
  c.num_layers = 2;
  c.num_heads = 4;
  c.num_kv_heads = 2;
  c.head_dim = 8;
  return c;
}

void write_raw(const std::string& path, const std::string& header, const std::string& data, uint64_t claimed = ~0ull) {
  std::ofstream out(path, std::ios::binary);
  uint64_t n = claimed == ~0ull ? header.size() : claimed;
  for (int i = 0; i < 8; ++i) out.put(static_cast<char>(n >> (8 * i)));
  out << header << data;
}

struct CliRun {
  int rc;
  std::string out;  // stdout and stderr together
};

CliRun cli_any(const std::string& args) {  // any command: "perturbscope-cli ARGS"
  std::string cmd = std::string(PERTURBSCOPE_CLI_PATH) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int status = pclose(p);
  const int rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  ps::test::expect_no_sanitizer_report(rc, out, "perturbscope-cli " + args);
  return {rc, out};
}

CliRun cli(const std::string& args) { return cli_any("generate " + args); }

// No C++ or libtorch stack trace, no "internal error" ever reaches a user.
void expect_clean(const CliRun& r) {
  EXPECT_FALSE(has(r.out, "Exception raised from")) << r.out;
  EXPECT_FALSE(has(r.out, "frame #")) << r.out;
  EXPECT_FALSE(has(r.out, "internal error")) << r.out;
  EXPECT_LE(std::count(r.out.begin(), r.out.end(), '\n'), 3) << r.out;
}

}  // namespace

// ---- fault 9: both generations of config keys --------------------------------------------------

TEST(ConfigKeys, Transformers5RopeParametersAndDtypeAreRead) {
  json j = base_config();
  j["rope_parameters"] = {{"rope_type", "default"}, {"rope_theta", 1000000.0}};
  j["dtype"] = "bfloat16";
  ModelConfig c = parse_config(j, "config.json");
  EXPECT_EQ(c.rope_theta, 1000000.0);
  EXPECT_EQ(c.torch_dtype, "bfloat16");

  // transformers 4: top-level keys.
  json old = base_config();
  old["rope_theta"] = 500000.0;
  old["torch_dtype"] = "float16";
  c = parse_config(old, "config.json");
  EXPECT_EQ(c.rope_theta, 500000.0);
  EXPECT_EQ(c.torch_dtype, "float16");

  // Both generations in one file: agreeing thetas are fine, "dtype" wins over "torch_dtype".
  j["rope_theta"] = 1000000.0;
  j["torch_dtype"] = "float32";
  c = parse_config(j, "config.json");
  EXPECT_EQ(c.rope_theta, 1000000.0);
  EXPECT_EQ(c.torch_dtype, "bfloat16");
  j["rope_theta"] = 10000.0;
  EXPECT_TRUE(has(error_of([&] { parse_config(j, "config.json"); }), "rope_parameters.rope_theta")) << "disagreeing thetas";

  // Neither: HF's default 10000.
  EXPECT_EQ(parse_config(base_config(), "config.json").rope_theta, 10000.0);
  // "auto" and "torch.bfloat16" spellings.
  json a = base_config();
  a["torch_dtype"] = "auto";
  EXPECT_EQ(parse_config(a, "c").torch_dtype, "float32");
  a["torch_dtype"] = "torch.bfloat16";
  EXPECT_EQ(parse_config(a, "c").torch_dtype, "bfloat16");
}

TEST(ConfigKeys, RopeScalingOtherThanDefaultIsRefusedByName) {
  json j = base_config();
  j["rope_parameters"] = {{"rope_type", "yarn"}, {"rope_theta", 1e6}, {"factor", 4.0}};
  std::string e = error_of([&] { parse_config(j, "/m/config.json"); });
  EXPECT_TRUE(has(e, "/m/config.json") && has(e, "rope_parameters") && has(e, "yarn")) << e;
  json k = base_config();
  k["rope_scaling"] = {{"type", "linear"}, {"factor", 2.0}};
  e = error_of([&] { parse_config(k, "config.json"); });
  EXPECT_TRUE(has(e, "rope_scaling") && has(e, "linear")) << e;
  k["rope_scaling"] = {{"rope_type", "default"}};  // plain RoPE spelled out
  EXPECT_NO_THROW(parse_config(k, "config.json"));
  json bad = base_config();
  bad["rope_parameters"] = {{"rope_theta", -1}};
  EXPECT_TRUE(has(error_of([&] { parse_config(bad, "config.json"); }), "rope_parameters.rope_theta"));
}

TEST(ConfigKeys, HeadDimDefaultsFollowTheArchitecture) {
  json q = base_config("qwen3");
  q.erase("head_dim");
  EXPECT_EQ(parse_config(q, "c").head_dim, 128);  // Qwen3Config's default, not hidden / heads (8)
  json l = base_config("llama");
  l.erase("head_dim");
  EXPECT_EQ(parse_config(l, "c").head_dim, 8);  // LlamaConfig: hidden_size / num_attention_heads
}

TEST(ConfigKeys, HostileNumbersAreRefusedBeforeAnyAllocation) {
  json j = base_config();
  j["vocab_size"] = int64_t(1) << 40;
  j["hidden_size"] = int64_t(1) << 40;
  EXPECT_TRUE(has(error_of([&] { parse_config(j, "config.json"); }), "2^48")) << "shape product";
  json e = base_config();
  e["rms_norm_eps"] = 0.0;
  EXPECT_TRUE(has(error_of([&] { parse_config(e, "config.json"); }), "rms_norm_eps"));
  json t = base_config();
  t["torch_dtype"] = "int8";
  EXPECT_TRUE(has(error_of([&] { parse_config(t, "config.json"); }), "torch_dtype"));
  json d = base_config();
  d["dtype"] = 5;
  EXPECT_TRUE(has(error_of([&] { parse_config(d, "config.json"); }), "'dtype'"));
  // Infinity (a JSON writer that spells it, e.g. Python's json.dumps, gives Infinity; here built in code).
  json inf = base_config();
  inf["rope_theta"] = std::numeric_limits<double>::infinity();
  EXPECT_TRUE(has(error_of([&] { parse_config(inf, "config.json"); }), "rope_theta"));
  // Wrong JSON types are ps::Errors naming the key, not escaped nlohmann type errors.
  json mt = base_config();
  mt["model_type"] = 5;
  EXPECT_TRUE(has(error_of([&] { parse_config(mt, "config.json"); }), "model_type"));
  json act = base_config();
  act["hidden_act"] = json::array();
  EXPECT_TRUE(has(error_of([&] { parse_config(act, "config.json"); }), "hidden_act"));
  // A folder where config.json should be.
  std::string dir = temp_dir("cfg_folder");
  fs::create_directories(dir + "/config.json");
  std::string msg = error_of([&] { load_config(dir + "/config.json"); });
  EXPECT_TRUE(has(msg, "config.json") && has(msg, "folder")) << msg;
}

// ---- fault 3: RoPE tables are not sized by max_position_embeddings ---------------------------

TEST(RopeTable, GrowsOnDemandWithTheSameValues) {
  Rope huge(8, 10000.0, int64_t(1) << 40, at::kCPU);  // 2^40 positions: tabulating them would need 32 TiB
  EXPECT_LE(huge.tabulated(), 4096);
  Rope small(8, 10000.0, 8192, at::kCPU);
  at::Tensor pos = at::tensor(std::vector<int64_t>{0, 1, 4095, 4096, 6000}, at::kLong).view({1, 5});
  auto [c1, s1] = huge.lookup(pos, at::kFloat);  // grows
  EXPECT_GT(huge.tabulated(), 6000);
  EXPECT_LT(huge.tabulated(), 100000);
  // Independent values: cos/sin(p * theta^(-2j/d)) in float32 as HF computes them.
  at::Tensor inv = 1.0 / at::pow(at::scalar_tensor(10000.0, at::kFloat), at::arange(0, 8, 2).to(at::kFloat) / 8.0);
  at::Tensor ang = at::outer(pos.view({-1}).to(at::kFloat), inv);
  at::Tensor want_cos = at::cat({ang, ang}, -1).cos();
  EXPECT_TRUE(at::equal(c1.view({5, 8}), want_cos));
  auto [c2, s2] = small.lookup(pos, at::kFloat, 6001);
  EXPECT_TRUE(at::equal(c1, c2));
  EXPECT_TRUE(at::equal(s1, s2));
  EXPECT_TRUE(has(error_of([&] { small.lookup(pos, at::kFloat, 9000); }), "max_position_embeddings"));
}

TEST(RopeTable, ModelWithAHugeContextLoadsAndGenerates) {
  ModelConfig c = small_config();
  c.max_position_embeddings = int64_t(1) << 40;
  std::string dir = temp_dir("huge_ctx");
  Model::init_random(c, 1).save(dir);
  Model m = Model::load(dir);
  EXPECT_EQ(m.config().max_position_embeddings, int64_t(1) << 40);
  GenerationConfig g;
  g.max_new_tokens = 4;
  auto out = generate(m, {{1, 2, 3}}, g);
  EXPECT_EQ(out[0].ids.size(), 4u);
  // A KV cache for 2^39 positions is refused by its size, not attempted.
  g.max_new_tokens = int64_t(1) << 39;
  std::string e = error_of([&] { generate(m, {{1, 2, 3}}, g); });
  EXPECT_TRUE(has(e, "KV cache") && has(e, "max_new_tokens")) << e;
}

// ---- fault 3: generation settings ------------------------------------------------------------

TEST(GenerateLimits, LengthSumsDoNotOverflowAndNaNIsRefused) {
  Model m = Model::init_random(small_config(), 2);
  GenerationConfig g;
  g.max_new_tokens = std::numeric_limits<int64_t>::max();
  std::string e = error_of([&] { generate(m, {{1, 2}}, g); });
  EXPECT_TRUE(has(e, "max_position_embeddings") && has(e, "9223372036854775807")) << e;
  g.max_new_tokens = 4;
  g.temperature = std::nan("");
  EXPECT_TRUE(has(error_of([&] { generate(m, {{1, 2}}, g); }), "temperature"));
  g.temperature = std::numeric_limits<double>::infinity();
  EXPECT_TRUE(has(error_of([&] { generate(m, {{1, 2}}, g); }), "temperature"));
  g.temperature = 1.0;
  g.top_p = std::nan("");
  EXPECT_TRUE(has(error_of([&] { generate(m, {{1, 2}}, g); }), "top_p"));
}

// ---- fault 6: non-finite weights and logits ---------------------------------------------------

TEST(NonFinite, WeightsAreDetectedAtLoadNamingTheTensor) {
  std::string dir = temp_dir("nan_weights");
  Model m = Model::init_random(small_config(), 3);
  m.save(dir);
  for (double bad : {std::nan(""), std::numeric_limits<double>::infinity()}) {
    NamedTensors t = m.named_weights();
    for (auto& [name, x] : t)
      if (name == "model.layers.1.mlp.down_proj.weight") {
        x = x.clone();
        x[0][3].fill_(bad);
      }
    save_safetensors(dir + "/model.safetensors", t);
    std::string e = error_of([&] { Model::load(dir); });
    EXPECT_TRUE(has(e, "model.safetensors") && has(e, "model.layers.1.mlp.down_proj.weight") && has(e, "non-finite")) << e;
  }
  // Finite in float32 but beyond float16's range: the cast is what fails, and says so.
  NamedTensors t = m.named_weights();
  for (auto& [name, x] : t)
    if (name == "model.norm.weight") x = at::full_like(x, 1e6);
  save_safetensors(dir + "/model.safetensors", t);
  EXPECT_NO_THROW(Model::load(dir, at::kCPU, at::kFloat));
  std::string e = error_of([&] { Model::load(dir, at::kCPU, at::kHalf); });
  EXPECT_TRUE(has(e, "model.norm.weight") && has(e, "overflow")) << e;
}

TEST(NonFinite, LogitsStopGenerationWithAClearError) {
  Model m = Model::init_random(small_config(), 4);
  m.weights().norm.fill_(std::numeric_limits<float>::infinity());
  GenerationConfig g;
  g.max_new_tokens = 3;
  std::string e = error_of([&] { generate(m, {{1, 2}}, g); });
  EXPECT_TRUE(has(e, "non-finite logits")) << e;
}

TEST(NonFinite, LoraWeightsAndAlphaAreChecked) {
  ModelConfig c = small_config();
  LoraConfig lc;
  lc.r = 2;
  lc.targets = {"q_proj", "v_proj"};
  auto a = LoraAdapter::create(c, lc, 5);
  std::string dir = temp_dir("nan_lora");
  a->save(dir);
  // NaN in one B matrix.
  NamedTensors p = a->named_parameters();
  for (auto& [name, x] : p)
    if (name == peft_key(1, "v_proj", 'B')) {
      x = x.detach().clone();
      x[0][0].fill_(std::nan(""));
    }
  save_safetensors(dir + "/adapter_model.safetensors", p);
  std::string e = error_of([&] { LoraAdapter::load(dir, c); });
  EXPECT_TRUE(has(e, "adapter_model.safetensors") && has(e, peft_key(1, "v_proj", 'B')) && has(e, "non-finite")) << e;
  // lora_alpha 1e308 (finite, but the update overflows): refused naming the key.
  a->save(dir);
  json j = read_json(dir + "/adapter_config.json");
  j["lora_alpha"] = 1e308;
  std::ofstream(dir + "/adapter_config.json") << j.dump();
  e = error_of([&] { LoraAdapter::load(dir, c); });
  EXPECT_TRUE(has(e, "adapter_config.json") && has(e, "lora_alpha")) << e;
  for (const char* key : {"use_dora", "fan_in_fan_out", "peft_type"}) {
    a->save(dir);
    json k = read_json(dir + "/adapter_config.json");
    k["lora_alpha"] = 16;
    k[key] = 3;
    std::ofstream(dir + "/adapter_config.json") << k.dump();
    e = error_of([&] { LoraAdapter::load(dir, c); });
    EXPECT_TRUE(has(e, "adapter_config.json") && has(e, key)) << e;
  }
}

// ---- fault 9: stored dtype vs config dtype ------------------------------------------------------

TEST(StoredDtype, FloatTensorsOfAnyWidthAreCastLikeTransformers) {
  std::string dir = temp_dir("mixed_dtype");
  Model m = Model::init_random(small_config(), 6);
  m.save(dir);  // config.json says float32
  NamedTensors t = m.named_weights();
  for (auto& [name, x] : t) {
    if (name.find("mlp") != std::string::npos) x = x.to(at::kBFloat16);
    if (name.find("self_attn") != std::string::npos) x = x.to(at::kHalf);
  }
  save_safetensors(dir + "/model.safetensors", t);
  Model r = Model::load(dir, at::kCPU, at::kFloat);
  auto want = t;
  auto got = r.named_weights();
  ASSERT_EQ(want.size(), got.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].second.scalar_type(), at::kFloat) << got[i].first;
    EXPECT_TRUE(at::equal(got[i].second, want[i].second.to(at::kFloat))) << got[i].first;
  }
  // Integer weights are not a model.
  for (auto& [name, x] : t)
    if (name == "model.norm.weight") x = at::ones_like(x, at::kLong);
  save_safetensors(dir + "/model.safetensors", t);
  std::string e = error_of([&] { Model::load(dir); });
  EXPECT_TRUE(has(e, "model.norm.weight") && has(e, "I64")) << e;
}

// ---- fault 8: safetensors headers by the reference reader's rules -------------------------------

TEST(SafetensorsRules, DuplicatesGapsAndTrailingBytesAreRejected) {
  std::string dir = temp_dir("st_rules");
  const std::string p = dir + "/x.safetensors";
  auto open = [&] { SafetensorsFile f(p); };
  const std::string a = R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]})";
  const std::string b = R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]})";

  write_raw(p, "{" + a + "," + b + "}", std::string(12, '\0'));
  EXPECT_NO_THROW(open());

  // The same name twice (the issue's case): the later entry must not silently win.
  write_raw(p, "{" + a + "," + R"("a":{"dtype":"F32","shape":[1],"data_offsets":[8,12]})" + "}", std::string(12, '\0'));
  std::string e = error_of(open);
  EXPECT_TRUE(has(e, "x.safetensors") && has(e, "'a' twice")) << e;
  // Also inside __metadata__.
  write_raw(p, R"({"__metadata__":{"k":"1","k":"2"},)" + a + "}", std::string(8, '\0'));
  EXPECT_TRUE(has(error_of(open), "'k' twice"));
  // A gap between tensors, a first tensor not at 0, bytes after the last tensor.
  write_raw(p, "{" + a + "," + R"("b":{"dtype":"F32","shape":[1],"data_offsets":[12,16]})" + "}", std::string(16, '\0'));
  EXPECT_TRUE(has(error_of(open), "gaps"));
  write_raw(p, R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", std::string(8, '\0'));
  EXPECT_TRUE(has(error_of(open), "'a'"));
  write_raw(p, "{" + a + "}", std::string(12, '\0'));
  e = error_of(open);
  EXPECT_TRUE(has(e, "cover 8 bytes of the 12-byte")) << e;
  // Overlap.
  write_raw(p, "{" + a + "," + R"("b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]})" + "}", std::string(8, '\0'));
  EXPECT_TRUE(has(error_of(open), "overlap"));
  // Shape products that overflow 64 bits, with offsets that would match after the wrap-around.
  write_raw(p, R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,4],"data_offsets":[0,0]}})", "");
  EXPECT_TRUE(has(error_of(open), "overflows"));
  write_raw(p, R"({"a":{"dtype":"F64","shape":[2305843009213693952,4],"data_offsets":[0,0]}})", "");
  EXPECT_TRUE(has(error_of(open), "overflows"));
  // A header that claims more than the reference limit of 100,000,000 bytes.
  write_raw(p, "{}", "", 100000001ull);
  EXPECT_TRUE(has(error_of(open), "100 MB"));
  // Not a JSON object at the start; invalid UTF-8 in a name.
  write_raw(p, R"(  {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", std::string(8, '\0'));
  EXPECT_TRUE(has(error_of(open), "start with '{'"));
  write_raw(p, "{\"\xff\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", std::string(8, '\0'));
  EXPECT_TRUE(has(error_of(open), "not valid JSON"));
  // Dtypes of the reference crate that libtorch cannot hold still validate, and reading them is an error.
  write_raw(p, R"({"a":{"dtype":"U16","shape":[2],"data_offsets":[0,4]}})", std::string(4, '\0'));
  SafetensorsFile f(p);
  EXPECT_EQ(f.find("a")->dtype, "U16");
  EXPECT_TRUE(has(error_of([&] { f.read("a"); }), "unsupported dtype 'U16'"));
  // The empty file of the reference tests: "{}" padded with spaces.
  write_raw(p, "{}      ", "");
  EXPECT_NO_THROW(open());
}

// ---- CLI: no stack trace, flags named -------------------------------------------------------------

TEST(CliGenerateRobust, BadNumbersAreUsageErrorsNamingTheFlag) {
  ModelConfig c = small_config();
  std::string dir = temp_dir("cli_robust");
  Model::init_random(c, 7).save(dir);
  const std::string m = "--model " + dir + " --prompt-ids 1,2 ";
  struct Case {
    std::string args, flag;
  };
  for (const Case& k : {Case{"--temperature nan", "--temperature"}, Case{"--temperature inf", "--temperature"},
                        Case{"--temperature -1", "--temperature"}, Case{"--top-p nan", "--top-p"},
                        Case{"--top-p 0", "--top-p"}, Case{"--max-new-tokens 9223372036854775808", "--max-new-tokens"},
                        Case{"--max-new-tokens 12abc", "--max-new-tokens"}, Case{"--max-new-tokens ' 5'", "--max-new-tokens"},
                        Case{"--top-k -1", "--top-k"}, Case{"--seed -3", "--seed"}, Case{"--temperature 1e999", "--temperature"}}) {
    CliRun r = cli(m + k.args);
    EXPECT_EQ(r.rc, 2) << k.args << "\n" << r.out;
    EXPECT_TRUE(has(r.out, k.flag)) << k.args << "\n" << r.out;
    expect_clean(r);
  }
  // In range for the parser, beyond the model: a clear error (exit 1), no stack trace.
  CliRun r = cli(m + "--max-new-tokens 9223372036854775807");
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_TRUE(has(r.out, "max_position_embeddings")) << r.out;
  expect_clean(r);
  // A config with max_position_embeddings 2^40 runs; the KV cache it would allow is refused by size.
  json j = read_json(dir + "/config.json");
  j["max_position_embeddings"] = int64_t(1) << 40;
  std::ofstream(dir + "/config.json") << j.dump();
  r = cli(m + "--max-new-tokens 3 --no-stop --json");
  EXPECT_EQ(r.rc, 0) << r.out;
  r = cli(m + "--max-new-tokens 549755813888");
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_TRUE(has(r.out, "KV cache")) << r.out;
  expect_clean(r);
  // NaN weights: exit 1 naming the tensor, not exit 0 with ids [0, 0, 0].
  NamedTensors t = Model::load(dir).named_weights();
  for (auto& [name, x] : t)
    if (name == "model.embed_tokens.weight") x = x.clone().fill_(std::nan(""));
  save_safetensors(dir + "/model.safetensors", t);
  r = cli(m + "--max-new-tokens 3");
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_TRUE(has(r.out, "model.embed_tokens.weight") && has(r.out, "non-finite")) << r.out;
  expect_clean(r);
  // A folder passed as the model's config.json.
  std::string d2 = temp_dir("cli_cfg_dir");
  fs::create_directories(d2 + "/config.json");
  r = cli("--model " + d2 + " --prompt-ids 1");
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_TRUE(has(r.out, "folder")) << r.out;
  expect_clean(r);
}

// ---- issue 15 review: config.json dimensions, rope_theta, strict JSON, folders as files ---------

namespace {

std::string load_error(const std::string& path) {
  return error_of([&] { load_config(path); });
}

}  // namespace

TEST(ConfigKeys, HugeDimensionsAreRefusedByNameBeforeAnythingIsSized) {
  const std::string two31 = "2147483648";
  // Bounded by parse_config itself (nothing sized by them is built: 2^31 layers x 11 tensor names).
  for (const char* key : {"num_hidden_layers", "num_attention_heads", "num_key_value_heads", "head_dim", "vocab_size"}) {
    json j = base_config();
    j[key] = int64_t(1) << 31;
    if (std::string(key) == "num_key_value_heads") j["num_attention_heads"] = int64_t(1) << 31;
    const std::string e = error_of([&] { parse_config(j, "dir/config.json"); });
    EXPECT_TRUE(has(e, "dir/config.json") && (has(e, std::string("'") + key + "'") ||
                                              (std::string(key) == "num_key_value_heads" && has(e, "num_attention_heads"))))
        << key << ": " << e;
  }
  // Just inside the per-key bounds, the whole model's size still bounds them together.
  json big = base_config();
  big["num_hidden_layers"] = kMaxLayers;
  big["hidden_size"] = int64_t(1) << 24;
  big["intermediate_size"] = int64_t(1) << 24;
  EXPECT_TRUE(has(error_of([&] { parse_config(big, "config.json"); }), "parameters")) << "total size";
  // The limits are generous: Qwen3-0.6B's and a 128-layer config's shapes parse.
  json q = json::parse(config_to_json(qwen3_0_6b_config()));
  EXPECT_NO_THROW(parse_config(q, "config.json"));
  q["num_hidden_layers"] = 128;
  EXPECT_EQ(expected_tensors(parse_config(q, "config.json")).size(), 2u + 128u * 11u);
}

TEST(ConfigKeys, ShapesAreCheckedAgainstTheCheckpointNamingTheKeys) {
  const ModelConfig c = small_config();
  std::string dir = temp_dir("dims_vs_ckpt");
  Model::init_random(c, 11).save(dir);
  const json good = read_json(dir + "/config.json");
  auto load_with = [&](const std::string& key, const json& v) {
    json j = good;
    j[key] = v;
    std::ofstream(dir + "/config.json") << j.dump();
    return error_of([&] { Model::load(dir); });
  };
  std::string e = load_with("num_hidden_layers", 3);  // the checkpoint holds 2
  EXPECT_TRUE(has(e, "config.json") && has(e, "num_hidden_layers") && has(e, "2 layers")) << e;
  e = load_with("num_hidden_layers", kMaxLayers);
  EXPECT_TRUE(has(e, "num_hidden_layers")) << e;
  // Within parse_config's bounds but not what the checkpoint holds: named, not allocated.
  e = load_with("hidden_size", int64_t(1) << 31);
  EXPECT_TRUE(has(e, "config.json implies") && has(e, "hidden_size")) << e;
  e = load_with("intermediate_size", int64_t(1) << 31);
  EXPECT_TRUE(has(e, "intermediate_size")) << e;
  e = load_with("head_dim", 4096);
  EXPECT_TRUE(has(e, "head_dim")) << e;
  std::ofstream(dir + "/config.json") << good.dump();
  EXPECT_NO_THROW(Model::load(dir));
}

TEST(ConfigKeys, RopeThetaMustBeRepresentableInFloat32) {
  for (const char* key : {"rope_theta", "rope_parameters.rope_theta"}) {
    for (double bad : {1e308, 3.5e38, -1.0, 0.0, 0.5, std::numeric_limits<double>::infinity(), std::nan("")}) {
      json j = base_config();
      if (std::string(key) == "rope_theta") j["rope_theta"] = bad;
      else j["rope_parameters"] = {{"rope_type", "default"}, {"rope_theta", bad}};
      const std::string e = error_of([&] { parse_config(j, "m/config.json"); });
      EXPECT_TRUE(has(e, "m/config.json") && has(e, std::string("'") + key + "'")) << key << " " << bad << ": " << e;
    }
    json ok = base_config();
    ok["rope_theta"] = 3.0e38;
    EXPECT_EQ(parse_config(ok, "c").rope_theta, 3.0e38);
  }
  // The RoPE table itself refuses such a theta (a config built in code), as a ps::Error.
  EXPECT_TRUE(has(error_of([] { Rope(8, 1e308, 16, at::kCPU); }), "rope_theta"));
  EXPECT_TRUE(has(error_of([] { Rope(8, std::nan(""), 16, at::kCPU); }), "rope_theta"));
  Rope r(8, 3.0e38, 16, at::kCPU);  // the largest accepted: a finite table
  auto [cos, sin] = r.lookup(row_positions(16), at::kFloat);
  EXPECT_TRUE(at::isfinite(cos).all().item<bool>() && at::isfinite(sin).all().item<bool>());
}

TEST(StrictJson, RepeatedKeysAndTrailingTextAreRefusedInModelFiles) {
  std::string dir = temp_dir("strict_json");
  const ModelConfig c = small_config();
  Model::init_random(c, 12).save(dir);
  const std::string cfg = dir + "/config.json";
  const std::string text = json::parse(config_to_json(c)).dump();
  // Duplicate key (the later value would win), nested duplicate, trailing text.
  std::ofstream(cfg) << text.substr(0, text.size() - 1) + ",\"num_hidden_layers\":3}";
  std::string e = load_error(cfg);
  EXPECT_TRUE(has(e, cfg) && has(e, "'num_hidden_layers'") && has(e, "twice")) << e;
  json v5 = json::parse(text);
  v5.erase("rope_theta");
  std::string t5 = v5.dump();
  t5.insert(t5.size() - 1, ",\"rope_parameters\":{\"rope_theta\":10000.0,\"rope_theta\":1e6}");
  std::ofstream(cfg) << t5;
  e = load_error(cfg);
  EXPECT_TRUE(has(e, "'rope_parameters.rope_theta'")) << e;
  std::ofstream(cfg) << text << " garbage";
  e = load_error(cfg);
  EXPECT_TRUE(has(e, cfg) && has(e, "invalid JSON")) << e;
  std::ofstream(cfg) << text << "\n{}";
  EXPECT_TRUE(has(load_error(cfg), "invalid JSON"));
  std::ofstream(cfg) << text << "\n";
  EXPECT_NO_THROW(load_config(cfg));

  // adapter_config.json, generation_config.json and the shard index.
  LoraConfig lc;
  lc.r = 2;
  lc.targets = {"q_proj"};
  const std::string adir = dir + "/adapter";
  LoraAdapter::create(c, lc, 1)->save(adir);
  const std::string acfg = json::parse(std::ifstream(adir + "/adapter_config.json")).dump();
  std::ofstream(adir + "/adapter_config.json") << acfg.substr(0, acfg.size() - 1) + ",\"r\":4}";
  e = error_of([&] { LoraAdapter::load(adir, c); });
  EXPECT_TRUE(has(e, "adapter_config.json") && has(e, "'r'")) << e;
  std::ofstream(adir + "/adapter_config.json") << acfg << "]";
  e = error_of([&] { LoraAdapter::load(adir, c); });
  EXPECT_TRUE(has(e, "adapter_config.json") && has(e, "invalid JSON")) << e;
}

TEST(CliLoadRobust, HostileConfigsAndFoldersAreCleanErrors) {
  ModelConfig c = small_config();
  std::string dir = temp_dir("cli_load");
  Model::init_random(c, 13).save(dir);
  const json good = read_json(dir + "/config.json");
  const std::string m = "--model " + dir + " --prompt-ids 1,2 --max-new-tokens 2 ";
  auto with = [&](const std::string& key, const json& v) {
    json j = good;
    j[key] = v;
    std::ofstream(dir + "/config.json") << j.dump();
  };
  // The review's cases: each exits 1 naming config.json and the key, in well under a second of memory.
  struct Case {
    std::string key;
    json value;
  };
  for (const Case& k : {Case{"num_hidden_layers", int64_t(2147483648)}, Case{"num_attention_heads", int64_t(2147483648)},
                        Case{"num_key_value_heads", int64_t(2147483648)}, Case{"hidden_size", int64_t(2147483648)},
                        Case{"vocab_size", int64_t(2147483648)}, Case{"intermediate_size", int64_t(2147483648)},
                        Case{"rope_theta", 1e308}, Case{"rope_theta", -1.0}, Case{"rope_theta", 0}}) {
    with(k.key, k.value);
    CliRun r = cli(m);
    EXPECT_EQ(r.rc, 1) << k.key << "\n" << r.out;
    EXPECT_TRUE(has(r.out, "config.json") && (has(r.out, k.key) || (k.key == "num_key_value_heads" && has(r.out, "num_attention_heads"))))
        << k.key << "\n" << r.out;
    expect_clean(r);
  }
  const std::string text = good.dump();
  std::ofstream(dir + "/config.json") << text.substr(0, text.size() - 1) + ",\"hidden_size\":32}";
  CliRun r = cli(m);
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_TRUE(has(r.out, "config.json") && has(r.out, "'hidden_size'") && has(r.out, "twice")) << r.out;
  expect_clean(r);
  std::ofstream(dir + "/config.json") << text << "}";
  r = cli(m);
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_TRUE(has(r.out, "config.json") && has(r.out, "invalid JSON")) << r.out;
  expect_clean(r);
  std::ofstream(dir + "/config.json") << text;
  EXPECT_EQ(cli(m).rc, 0);

  // Training configs: a repeated key and a folder, through the CLI (--validate reads the config only).
  const std::string store = " --store " + dir + "/store.sqlite";
  std::ofstream(dir + "/sft.json") << R"({"kind": "sft", "name": "a", "name": "b"})";
  std::ofstream(dir + "/grpo.json") << R"({"kind": "grpo", "init": {"model": "x", "model": "y"}})";
  fs::create_directories(dir + "/folder.json");
  for (const std::string& cmd : {std::string("sft"), std::string("grpo")}) {
    r = cli_any(cmd + " --config " + dir + "/" + cmd + ".json --validate" + store);
    EXPECT_EQ(r.rc, 1) << cmd << "\n" << r.out;
    EXPECT_TRUE(has(r.out, cmd + ".json") && has(r.out, "twice")) << r.out;
    EXPECT_TRUE(has(r.out, cmd == "sft" ? "'name'" : "'init.model'")) << r.out;
    expect_clean(r);
    r = cli_any(cmd + " --config " + dir + "/folder.json --validate" + store);
    EXPECT_EQ(r.rc, 1) << cmd << "\n" << r.out;
    EXPECT_TRUE(has(r.out, "folder.json") && has(r.out, "is a folder")) << r.out;
    expect_clean(r);
  }
  // A folder where a file is expected, for the other file-taking flags of the model commands.
  for (const std::string& args : {"generate --model " + dir + " --tokenizer " + dir + "/folder.json --prompt hi",
                                  "tokenize --tokenizer " + dir + "/folder.json --text hi",
                                  "tokenize --train " + dir + " --out " + dir + "/t.json"}) {  // knn --csv: tests/kg
    r = cli_any(args);
    EXPECT_EQ(r.rc, 1) << args << "\n" << r.out;
    EXPECT_TRUE(has(r.out, "folder")) << args << "\n" << r.out;
    expect_clean(r);
  }
}
