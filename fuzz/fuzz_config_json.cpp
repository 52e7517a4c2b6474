// Model config.json: any bytes give a ModelConfig or a ps::Error; an accepted config is
// self-consistent, bounded (its expected-tensor list, the step Model::load takes next, is built
// here: a config whose dimensions make that list or the RoPE table huge is a finding, as an OOM or
// a libFuzzer timeout), and survives config_to_json -> parse_config unchanged.
#include <cfloat>
#include <cstdint>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "fuzz_util.h"
#include "lm/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& path = ps_fuzz::input_file(data, size, "_config.json");
  try {
    const ps::lm::ModelConfig c = ps::lm::load_config(path);
    if (c.head_dim <= 0 || c.head_dim % 2 || c.num_heads % c.num_kv_heads) std::abort();
    // RoPE's float32 table: inv_freq = 1 / theta^(2i/d) must be finite and non-zero.
    if (!(c.rope_theta >= 1.0 && c.rope_theta <= double(FLT_MAX))) std::abort();
    if (c.num_layers > ps::lm::kMaxLayers || c.head_dim > ps::lm::kMaxHeadDim) std::abort();
    // What Model::load builds before reading the checkpoint: every name and shape.
    const std::vector<ps::lm::TensorSpec> specs = ps::lm::expected_tensors(c);
    const size_t per_layer = c.has_qk_norm() ? 11 : 9;
    if (specs.size() != 2 + size_t(c.num_layers) * per_layer + (c.tie_word_embeddings ? 0 : 1)) std::abort();
    __int128 params = 0;
    for (const auto& s : specs) {
      __int128 n = 1;
      for (int64_t d : s.shape) {
        if (d <= 0) std::abort();
        n *= d;
      }
      params += n;
    }
    if (params != __int128(c.num_parameters())) std::abort();  // num_parameters() must not overflow either
    const ps::lm::ModelConfig again =
        ps::lm::parse_config(nlohmann::json::parse(ps::lm::config_to_json(c)), "roundtrip");
    if (again.head_dim != c.head_dim || again.vocab_size != c.vocab_size || again.rope_theta != c.rope_theta ||
        again.torch_dtype != c.torch_dtype || again.max_position_embeddings != c.max_position_embeddings)
      std::abort();
  } catch (const ps::Error&) {
  }
  return 0;
}
