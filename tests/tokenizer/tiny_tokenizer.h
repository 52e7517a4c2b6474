// Builds small synthetic tokenizer.json files for the tests (in a temp folder at run time).
#pragma once
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "lm/tokenizer/byte_level.h"
#include "lm/tokenizer/pretokenizer.h"

namespace tiny {

// Byte tokens 0..255 (in byte order), then one token per merge, then the added tokens.
// merges: raw-byte pairs, e.g. {"h","e"}; as_strings writes them as "h e".
inline nlohmann::json make(const std::vector<std::pair<std::string, std::string>>& merges, bool as_strings = false,
                           const std::vector<std::pair<std::string, bool>>& added = {}) {
  using ps::tokenizer::bytes_to_token_string;
  nlohmann::json vocab = nlohmann::json::object();
  for (int b = 0; b < 256; ++b) vocab[bytes_to_token_string(std::string(1, char(b)))] = b;
  nlohmann::json m = nlohmann::json::array();
  int next = 256;
  for (const auto& [l, r] : merges) {
    const std::string lt = bytes_to_token_string(l), rt = bytes_to_token_string(r);
    if (!vocab.contains(lt + rt)) vocab[lt + rt] = next++;
    if (as_strings) m.push_back(lt + " " + rt);
    else m.push_back({lt, rt});
  }
  nlohmann::json added_tokens = nlohmann::json::array();
  for (const auto& [content, special] : added) {
    added_tokens.push_back({{"id", next++}, {"content", content}, {"single_word", false}, {"lstrip", false},
                            {"rstrip", false}, {"normalized", false}, {"special", special}});
  }
  const nlohmann::json byte_level = {
      {"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", false}, {"use_regex", false}};
  return {{"version", "1.0"},
          {"added_tokens", added_tokens},
          {"normalizer", {{"type", "NFC"}}},
          {"pre_tokenizer",
           {{"type", "Sequence"},
            {"pretokenizers",
             {{{"type", "Split"},
               {"pattern", {{"Regex", ps::tokenizer::kQwenSplitPattern}}},
               {"behavior", "Isolated"},
               {"invert", false}},
              byte_level}}}},
          {"decoder", byte_level},
          {"model",
           {{"type", "BPE"}, {"dropout", nullptr}, {"unk_token", nullptr}, {"byte_fallback", false},
            {"vocab", vocab}, {"merges", m}}}};
}

// A fresh temp folder for one test; all of them are removed when the test program exits.
inline std::string temp_dir(const std::string& name) {
  struct Cleanup {
    std::vector<std::string> dirs;
    ~Cleanup() {
      for (const auto& d : dirs) std::system(("rm -rf '" + d + "'").c_str());
    }
  };
  static Cleanup cleanup;
  const std::string dir = "/tmp/perturbscope_test_tokenizer_" + name + "_" + std::to_string(::getpid());
  const std::string cmd = "rm -rf '" + dir + "' && mkdir -p '" + dir + "'";
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("cannot create " + dir);
  cleanup.dirs.push_back(dir);
  return dir;
}

inline std::string write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

}  // namespace tiny
