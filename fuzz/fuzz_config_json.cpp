// Model config.json: any bytes give a ModelConfig or a ps::Error; an accepted config is
// self-consistent and survives config_to_json -> parse_config unchanged.
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
    if (c.head_dim <= 0 || c.head_dim % 2 || c.num_heads % c.num_kv_heads || !(c.rope_theta > 0)) std::abort();
    const ps::lm::ModelConfig again =
        ps::lm::parse_config(nlohmann::json::parse(ps::lm::config_to_json(c)), "roundtrip");
    if (again.head_dim != c.head_dim || again.vocab_size != c.vocab_size || again.rope_theta != c.rope_theta ||
        again.torch_dtype != c.torch_dtype || again.max_position_embeddings != c.max_position_embeddings)
      std::abort();
  } catch (const ps::Error&) {
  }
  return 0;
}
