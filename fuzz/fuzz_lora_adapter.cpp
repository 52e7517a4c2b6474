// PEFT adapter folders (core/lm/lora.h LoraAdapter::load): adapter_config.json and the header and
// data of adapter_model.safetensors. Input: 2 bytes (little-endian) = the config's length, the
// config's bytes, then the safetensors file's bytes. The model is a 1-layer Qwen3 of hidden size 8
// (q 2x4, kv 1x4, intermediate 16). A load either gives an adapter whose every targeted weight has
// its shape and finite values, or a ps::Error naming a file of the folder.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

#include "common/error.h"
#include "lm/lora.h"

namespace {
void spit(const std::string& path, const uint8_t* data, size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  if (!out) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  static std::string dir;
  if (dir.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    dir = std::string(tmp ? tmp : "/tmp") + "/ps_fuzz_adapter_" + std::to_string(::getpid());
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) std::abort();
  }
  size_t n_cfg = data[0] | (static_cast<size_t>(data[1]) << 8);
  if (n_cfg > size - 2) n_cfg = size - 2;
  spit(dir + "/adapter_config.json", data + 2, n_cfg);
  spit(dir + "/adapter_model.safetensors", data + 2 + n_cfg, size - 2 - n_cfg);

  ps::lm::ModelConfig model = ps::lm::tiny_qwen3_config(64);
  model.hidden_size = 8;
  model.intermediate_size = 16;
  model.num_layers = 1;
  model.num_heads = 2;
  model.num_kv_heads = 1;
  model.head_dim = 4;
  try {
    const auto a = ps::lm::LoraAdapter::load(dir, model);
    const int64_t r = a->config().r;
    if (r < 1) std::abort();
    for (const auto& t : a->config().targets) {
      const auto w = a->get(0, t);
      if (!w || w->A.dim() != 2 || w->B.dim() != 2 || w->A.size(0) != r || w->B.size(1) != r) std::abort();
      if (!w->A.isfinite().all().item<bool>() || !w->B.isfinite().all().item<bool>()) std::abort();
    }
    a->check_compatible(model);
  } catch (const ps::Error& e) {
    if (std::string(e.what()).find(dir) == std::string::npos) std::abort();  // errors name the file
  }
  return 0;
}
