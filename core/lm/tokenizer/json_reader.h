// Reading tokenizer.json with nlohmann_json's SAX parser (iterative: no recursion, so no
// nesting depth can overflow the stack). The file is 11 MB, almost all of it model.vocab
// (151k entries) and model.merges (151k pairs); building a DOM for those costs more than a
// second, so the handler streams them straight into vectors and builds nlohmann::json values
// only for the small remaining parts.
//
// Limits: containers may nest at most kMaxJsonDepth levels (tokenizer.json needs < 10); deeper
// input (e.g. 50,000 '[' under an extra key) is a ps::Error, as is any syntax error
// ("FILE:LINE: malformed JSON: ...", LINE counted from the parser's byte offset) and any
// structural error in model.vocab / model.merges ("FILE: field model.vocab[\"x\"]: ...").
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace ps::tokenizer {

constexpr int kMaxJsonDepth = 64;

struct TokenizerJson {
  nlohmann::json root = nlohmann::json::object();   // every top-level member except "model"
  nlohmann::json model = nlohmann::json::object();  // every member of "model" except vocab and merges
  bool have_model = false, have_vocab = false, have_merges = false;
  std::vector<std::pair<std::string, int64_t>> vocab;          // in file order
  std::vector<std::pair<std::string, std::string>> merges;     // ["a b"] and [["a","b"]] forms
};

TokenizerJson read_tokenizer_json(std::string_view text, const std::string& source);

}  // namespace ps::tokenizer
