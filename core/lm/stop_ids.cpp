#include "lm/stop_ids.h"

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/json_file.h"

namespace fs = std::filesystem;

namespace ps::lm {

std::vector<int64_t> default_stop_ids(const std::string& model_dir, const ModelConfig& config) {
  const fs::path gc = fs::path(model_dir) / "generation_config.json";
  if (!fs::exists(gc)) return config.eos_token_ids;
  nlohmann::json j = read_json_file_strict(gc.string());
  std::vector<int64_t> ids;
  if (j.is_object() && j.contains("eos_token_id") && !j["eos_token_id"].is_null()) {
    const nlohmann::json& e = j["eos_token_id"];
    auto one = [&gc](const nlohmann::json& v) {
      if (!v.is_number_integer() || v.get<int64_t>() < 0)
        throw Error(where(gc.string(), 0, "eos_token_id: expected a non-negative integer or a list of them, got " +
                                              v.dump()));
      return v.get<int64_t>();
    };
    if (e.is_array()) {
      for (const auto& v : e) ids.push_back(one(v));
    } else {
      ids.push_back(one(e));
    }
  }
  if (!ids.empty()) return ids;
  return config.eos_token_ids;
}

}  // namespace ps::lm
