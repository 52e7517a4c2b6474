// safetensors: round trips, sharded checkpoints, and corrupted files made here at run time.
#include <cstring>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "lm/model.h"
#include "lm/safetensors.h"
#include "lm_test_util.h"

using namespace ps::lm;
using namespace ps::lm::test;
namespace fs = std::filesystem;

namespace {

// Writes a safetensors file from a raw header string and a data area.
void write_raw(const std::string& path, const std::string& header, const std::string& data, uint64_t claimed_len = ~0ull) {
  std::ofstream out(path, std::ios::binary);
  uint64_t n = claimed_len == ~0ull ? header.size() : claimed_len;
  for (int i = 0; i < 8; ++i) out.put(static_cast<char>(n >> (8 * i)));
  out << header << data;
}

// Expects a ps::Error whose message contains every fragment.
template <class F>
void expect_error(F f, std::initializer_list<std::string> fragments) {
  try {
    f();
    ADD_FAILURE() << "no error thrown";
  } catch (const ps::Error& e) {
    std::string msg = e.what();
    for (const auto& frag : fragments) EXPECT_NE(msg.find(frag), std::string::npos) << "'" << frag << "' not in: " << msg;
  }
}

std::string bytes(size_t n) { return std::string(n, '\0'); }

}  // namespace

TEST(Safetensors, RoundTripKeepsDtypeShapeAndBits) {
  std::string dir = temp_dir("st_roundtrip");
  at::Tensor f32 = at::randn({3, 5});
  at::Tensor f16 = at::randn({7}).to(at::kHalf);
  at::Tensor bf16 = at::randn({2, 2, 3}).to(at::kBFloat16);
  at::Tensor scalar = at::tensor(3.5f).reshape({});
  at::Tensor strided = at::randn({4, 6}).t();  // written C-order
  save_safetensors(dir + "/a.safetensors", {{"w.f32", f32}, {"w.f16", f16}, {"w.bf16", bf16}, {"s", scalar}, {"t", strided}},
                   {{"format", "pt"}, {"note", "x"}});
  SafetensorsFile f(dir + "/a.safetensors");
  EXPECT_EQ(f.metadata().at("note"), "x");
  ASSERT_EQ(f.entries().size(), 5u);
  EXPECT_EQ(f.find("w.f16")->dtype, "F16");
  EXPECT_EQ(f.find("w.bf16")->dtype, "BF16");
  EXPECT_TRUE(at::equal(f.read("w.f32"), f32));
  EXPECT_TRUE(at::equal(f.read("w.f16"), f16));
  EXPECT_TRUE(at::equal(f.read("w.bf16"), bf16));
  EXPECT_TRUE(at::equal(f.read("s"), scalar));
  EXPECT_TRUE(at::equal(f.read("t"), strided));
  EXPECT_EQ(f.read("s").dim(), 0);
  // Reference layout: header padded to 8 bytes.
  std::ifstream in(dir + "/a.safetensors", std::ios::binary);
  uint64_t n = 0;
  in.read(reinterpret_cast<char*>(&n), 8);
  EXPECT_EQ(n % 8, 0u);
  expect_error([&] { f.read("nope"); }, {"a.safetensors", "nope"});
}

TEST(Safetensors, RejectsCorruptHeaders) {
  std::string dir = temp_dir("st_corrupt");
  const std::string p = dir + "/bad.safetensors";
  auto open = [&] { SafetensorsFile f(p); };

  { std::ofstream(p) << "abc"; }
  expect_error(open, {"bad.safetensors", "too short"});

  write_raw(p, R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", bytes(8), 1000000);
  expect_error(open, {"bad.safetensors", "header length", "past the end"});

  write_raw(p, "{not json", bytes(8));
  expect_error(open, {"bad.safetensors", "not valid JSON"});

  write_raw(p, R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,16]}})", bytes(8));
  expect_error(open, {"bad.safetensors", "'a'", "out of range"});

  write_raw(p, R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
            bytes(16));
  expect_error(open, {"bad.safetensors", "overlap"});

  write_raw(p, R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", bytes(8));
  expect_error(open, {"bad.safetensors", "'a'", "need 12"});

  write_raw(p, R"({"a":{"dtype":"Q4","shape":[2],"data_offsets":[0,8]}})", bytes(8));
  expect_error(open, {"bad.safetensors", "'a'", "unsupported dtype 'Q4'"});

  write_raw(p, R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", bytes(8));
  expect_error(open, {"'a'", "negative"});

  write_raw(p, R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})", bytes(8));
  expect_error(open, {"'a'", "begin > end"});

  write_raw(p, R"({"a":{"dtype":"F32","shape":[2]}})", bytes(8));
  expect_error(open, {"'a'", "data_offsets"});

  write_raw(p, R"([1,2])", "");
  expect_error(open, {"does not start with '{'"});  // the reference reader's InvalidHeaderStart

  expect_error([&] { SafetensorsFile f(dir + "/missing.safetensors"); }, {"missing.safetensors", "cannot open"});
}

TEST(Safetensors, ShardedCheckpointIsValidated) {
  std::string dir = temp_dir("st_sharded");
  save_safetensors(dir + "/model-00001-of-00002.safetensors", {{"a", at::ones({2})}, {"b", at::zeros({3})}});
  save_safetensors(dir + "/model-00002-of-00002.safetensors", {{"c", at::full({4}, 2.0)}});
  auto write_index = [&](const nlohmann::json& map) {
    std::ofstream(dir + "/model.safetensors.index.json") << nlohmann::json{{"metadata", {{"total_size", 36}}}, {"weight_map", map}}.dump();
  };
  write_index({{"a", "model-00001-of-00002.safetensors"}, {"b", "model-00001-of-00002.safetensors"},
               {"c", "model-00002-of-00002.safetensors"}});
  {
    Checkpoint ck(dir);
    EXPECT_EQ(ck.names(), (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_TRUE(at::equal(ck.read("c"), at::full({4}, 2.0)));
    EXPECT_NE(ck.file_of("c").find("00002"), std::string::npos);
  }
  // A tensor listed under the wrong shard.
  write_index({{"a", "model-00001-of-00002.safetensors"}, {"b", "model-00001-of-00002.safetensors"},
               {"c", "model-00001-of-00002.safetensors"}});
  expect_error([&] { Checkpoint ck(dir); }, {"model-00001-of-00002.safetensors", "'c'", "missing from this shard"});
  // A shard tensor the index does not list.
  write_index({{"a", "model-00001-of-00002.safetensors"}, {"c", "model-00002-of-00002.safetensors"}});
  expect_error([&] { Checkpoint ck(dir); }, {"model-00001-of-00002.safetensors", "unexpected tensor 'b'"});
  // A shard that does not exist.
  write_index({{"z", "model-00003-of-00002.safetensors"}});
  expect_error([&] { Checkpoint ck(dir); }, {"model-00003-of-00002.safetensors", "cannot open"});
  std::ofstream(dir + "/model.safetensors.index.json") << "{}";
  expect_error([&] { Checkpoint ck(dir); }, {"model.safetensors.index.json", "weight_map"});
}

// Model::load checks the checkpoint against config.json.
class ModelLoadErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = temp_dir("st_model");
    Model m = Model::init_random(cfg_, 7);
    m.save(dir_);
    tensors_ = m.named_weights();
  }
  void rewrite(const NamedTensors& t) { save_safetensors(dir_ + "/model.safetensors", t); }
  ModelConfig cfg_ = [] {
    ModelConfig c = tiny_qwen3_config(64);
    c.num_layers = 2;
    return c;
  }();
  std::string dir_;
  NamedTensors tensors_;
};

TEST_F(ModelLoadErrors, MissingTensor) {
  NamedTensors t;
  for (auto& [n, x] : tensors_)
    if (n != "model.layers.1.self_attn.k_norm.weight") t.emplace_back(n, x);
  rewrite(t);
  expect_error([&] { Model::load(dir_); }, {"model.safetensors", "missing tensor 'model.layers.1.self_attn.k_norm.weight'"});
}

TEST_F(ModelLoadErrors, UnexpectedTensor) {
  NamedTensors t = tensors_;
  t.emplace_back("model.layers.9.mlp.up_proj.weight", at::zeros({2}));
  rewrite(t);
  expect_error([&] { Model::load(dir_); }, {"model.safetensors", "unexpected tensor 'model.layers.9.mlp.up_proj.weight'"});
}

TEST_F(ModelLoadErrors, ShapeMismatchWithConfig) {
  NamedTensors t = tensors_;
  for (auto& [n, x] : t)
    if (n == "model.layers.0.self_attn.q_proj.weight") x = at::zeros({64, 128});
  rewrite(t);
  expect_error([&] { Model::load(dir_); }, {"model.safetensors", "'model.layers.0.self_attn.q_proj.weight'", "[64, 128]", "[128, 128]"});
}

// config.json's torch_dtype is the dtype transformers loads in, not a rule about the stored tensors
// (issue 15, fault 9): a BF16 tensor under torch_dtype float32 is cast; a non-float one is an error.
TEST_F(ModelLoadErrors, StoredDtypeIsCastNotCheckedAgainstConfig) {
  NamedTensors t = tensors_;
  for (auto& [n, x] : t)
    if (n == "model.norm.weight") x = x.to(at::kBFloat16);
  rewrite(t);
  Model m = Model::load(dir_);
  for (const auto& [n, x] : m.named_weights())
    if (n == "model.norm.weight") EXPECT_EQ(x.scalar_type(), at::kFloat);
  for (auto& [n, x] : t)
    if (n == "model.norm.weight") x = x.to(at::kInt);
  rewrite(t);
  expect_error([&] { Model::load(dir_); }, {"model.safetensors", "'model.norm.weight'", "I32", "F32, BF16 or F16"});
}

TEST_F(ModelLoadErrors, BadConfig) {
  std::ofstream(dir_ + "/config.json") << R"({"model_type":"qwen3","vocab_size":64,"hidden_size":128})";
  expect_error([&] { Model::load(dir_); }, {"config.json", "intermediate_size", "missing"});
  std::ofstream(dir_ + "/config.json") << R"({"model_type":"gpt2"})";
  expect_error([&] { Model::load(dir_); }, {"config.json", "unsupported model"});
  std::ofstream(dir_ + "/config.json") << "{";
  expect_error([&] { Model::load(dir_); }, {"config.json", "invalid JSON"});
  expect_error([&] { Model::load(dir_ + "/nope"); }, {"nope", "does not exist"});
}

TEST_F(ModelLoadErrors, TruncatedCheckpoint) {
  std::string p = dir_ + "/model.safetensors";
  auto size = fs::file_size(p);
  fs::resize_file(p, size - 100);
  expect_error([&] { Model::load(dir_); }, {"model.safetensors", "out of range"});
}

TEST(Safetensors, ShardedModelLoadsLikeTheSingleFile) {
  ModelConfig c = tiny_qwen3_config(64);
  c.num_layers = 2;
  Model m = Model::init_random(c, 3);
  std::string dir = temp_dir("st_sharded_model");
  m.save(dir);
  fs::remove(dir + "/model.safetensors");
  // Two shards, split by layer, as HF's save_pretrained(max_shard_size=...) writes them.
  NamedTensors a, b;
  nlohmann::json map;
  for (const auto& [name, t] : m.named_weights()) {
    const bool second = name.rfind("model.layers.1.", 0) == 0 || name == "model.norm.weight";
    (second ? b : a).emplace_back(name, t);
    map[name] = second ? "model-00002-of-00002.safetensors" : "model-00001-of-00002.safetensors";
  }
  save_safetensors(dir + "/model-00001-of-00002.safetensors", a);
  save_safetensors(dir + "/model-00002-of-00002.safetensors", b);
  std::ofstream(dir + "/model.safetensors.index.json") << nlohmann::json{{"metadata", {{"total_size", 0}}}, {"weight_map", map}}.dump(2);
  Model r = Model::load(dir);
  auto wm = m.named_weights(), wr = r.named_weights();
  ASSERT_EQ(wm.size(), wr.size());
  for (size_t i = 0; i < wm.size(); ++i) EXPECT_TRUE(at::equal(wm[i].second, wr[i].second)) << wm[i].first;

  // A shape error names the shard that holds the tensor.
  for (auto& [name, t] : b)
    if (name == "model.norm.weight") t = at::ones({7});
  save_safetensors(dir + "/model-00002-of-00002.safetensors", b);
  expect_error([&] { Model::load(dir); }, {"model-00002-of-00002.safetensors", "'model.norm.weight'", "[7]"});
}
