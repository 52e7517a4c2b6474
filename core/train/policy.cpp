#include "train/policy.h"

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "lm/lora.h"
#include "common/fileio.h"
#include "lm/stop_ids.h"

namespace fs = std::filesystem;

namespace ps::train {

void write_generation_config(const std::string& model_dir, const std::vector<int64_t>& eos_ids) {
  const fs::path p = fs::path(model_dir) / "generation_config.json";
  ps::write_file_atomic(p.string(), nlohmann::json({{"eos_token_id", eos_ids}, {"do_sample", false}}).dump(2) + "\n");
}

at::Device parse_device(const std::string& s) {
  if (s == "cpu") return at::kCPU;
  if (s == "cuda" || s.rfind("cuda:", 0) == 0) {
    if (!at::hasCUDA()) throw Error("device \"" + s + "\": this libtorch was built without CUDA (or no GPU is visible)");
    return at::Device(s);
  }
  throw Error("device must be cpu, cuda or cuda:N, got \"" + s + "\"");
}

at::ScalarType parse_dtype(const std::string& s, at::Device device) {
  if (s == "auto") return device.is_cuda() ? at::kBFloat16 : at::kFloat;
  if (s == "float32" || s == "fp32") return at::kFloat;
  if (s == "bfloat16" || s == "bf16") return at::kBFloat16;
  throw Error("dtype must be auto, float32 or bfloat16, got \"" + s + "\"");
}

Policy Policy::load(const std::string& model_dir, const std::string& adapter_dir, const std::string& tokenizer,
                    at::Device device, at::ScalarType dtype) {
  const std::string tok_path = tokenizer.empty() ? model_dir : tokenizer;
  if (!fs::is_directory(model_dir)) throw Error(where(model_dir, 0, "model folder does not exist"));
  if (tokenizer.empty() && !fs::exists(fs::path(model_dir) / "tokenizer.json"))
    throw Error(where(model_dir, 0, "no tokenizer.json in the model folder (give --tokenizer)"));
  Policy p(tokenizer::Tokenizer::from_file(tok_path));
  p.model_dir = model_dir;
  p.adapter_dir = adapter_dir;
  p.model = std::make_shared<lm::Model>(lm::Model::load(model_dir, device, dtype));
  if (!adapter_dir.empty()) p.model->attach_adapter(lm::LoraAdapter::load(adapter_dir, p.model->config(), device, at::kFloat));
  p.stop_ids = lm::default_stop_ids(model_dir, p.model->config());
  if (p.stop_ids.empty())
    if (auto id = p.tok.token_id("<|im_end|>")) p.stop_ids.push_back(*id);
  if (p.tok.vocab_size() > p.model->config().vocab_size)
    throw Error(where(model_dir, 0, "the tokenizer has " + std::to_string(p.tok.vocab_size()) +
                                        " ids but the model only " + std::to_string(p.model->config().vocab_size) + " rows"));
  return p;
}

std::vector<int64_t> Policy::encode(const std::string& text) const {
  auto ids = tok.encode(text);
  return std::vector<int64_t>(ids.begin(), ids.end());
}

std::string Policy::decode(const std::vector<int64_t>& ids, bool skip_special) const {
  return tok.decode(std::vector<int32_t>(ids.begin(), ids.end()), skip_special);
}

}  // namespace ps::train
