// Strict JSON reading for files users hand us (config.json, adapter_config.json, SFT/GRPO
// configs, ...). nlohmann_json alone accepts two things that hide mistakes: an object naming
// one key twice (the later value silently wins) and, with operator>>, text after the document.
// These helpers reject both, with the file and the key in the message.
#pragma once
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace ps {

// Parses text as exactly one JSON document (only whitespace may follow it). Throws ps::Error
// "SOURCE:0: invalid JSON: ..." on a syntax error or trailing text, and
// "SOURCE:0: key 'a.b' appears twice in one object ..." when an object repeats a key (the
// dotted path names the enclosing object keys; array elements are written as []), or when
// containers nest deeper than 256 levels.
nlohmann::json parse_json_strict(std::string_view text, const std::string& source);

// The deepest nesting of [ and { in text, outside strings (no parse; malformed text gives some
// number). nlohmann_json's parser, dump() and destructor recurse per level: text deeper than
// kMaxJsonDepth must be refused before it is parsed or printed.
constexpr int kMaxJsonDepth = 256;
int json_nesting_depth(std::string_view text);

// read_file(path) (a folder or an unreadable path is an Error naming it), then parse_json_strict.
nlohmann::json read_json_file_strict(const std::string& path);

}  // namespace ps
