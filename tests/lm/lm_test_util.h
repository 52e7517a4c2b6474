// Helpers shared by the LM tests: fixture lookup and JSON -> tensor.
#pragma once
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/paths.h"

namespace ps::lm::test {

// <fixtures>/<sub>, or "" (the caller skips) when the fixtures are not available.
inline std::string fixture(const std::string& sub) {
  auto f = ps::locate_fixtures();
  if (!f) return "";
  std::filesystem::path p = std::filesystem::path(*f) / sub;
  return std::filesystem::exists(p) ? p.string() : "";
}

inline nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

inline std::vector<nlohmann::json> read_jsonl(const std::string& path) {
  std::ifstream in(path);
  std::vector<nlohmann::json> out;
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  return out;
}

inline std::vector<int64_t> ids_of(const nlohmann::json& j) { return j.get<std::vector<int64_t>>(); }

// A [n] or [n, m] float32 tensor from nested JSON lists.
inline at::Tensor tensor_of(const nlohmann::json& j) {
  if (j.empty() || !j[0].is_array()) {
    std::vector<float> v = j.get<std::vector<float>>();
    return at::tensor(v);
  }
  std::vector<at::Tensor> rows;
  for (const auto& r : j) rows.push_back(tensor_of(r));
  return at::stack(rows);
}

inline at::Tensor row_ids(const std::vector<int64_t>& ids) {
  return at::tensor(ids, at::kLong).view({1, static_cast<int64_t>(ids.size())});
}
inline at::Tensor row_positions(int64_t n) { return at::arange(n, at::kLong).view({1, n}); }

inline std::string temp_dir(const std::string& name) {
  auto d = std::filesystem::temp_directory_path() /
           ("ps_lm_" + name + "_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
            std::to_string(reinterpret_cast<uintptr_t>(&name) & 0xffff));
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d.string();
}

#define PS_REQUIRE_FIXTURE(path) \
  if ((path).empty()) GTEST_SKIP() << "fixtures not found (set PERTURBSCOPE_FIXTURES)"

}  // namespace ps::lm::test
