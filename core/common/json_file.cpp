#include "common/json_file.h"

#include <algorithm>

#include <set>
#include <vector>

#include "common/error.h"
#include "common/fileio.h"

namespace ps {

using nlohmann::json;

namespace {
constexpr size_t kMaxDepth = 256;  // no configuration file nests near this; deeper input is an attack or corrupt
}

json parse_json_strict(std::string_view text, const std::string& source) {
  // The parser callback sees object_start / key / object_end with the nesting depth; one key set
  // per open object finds a repeated key. The path (for the message) is the keys of the open
  // objects, "[]" for an array level.
  struct Level {
    bool is_object = false;
    std::string key;  // the key being read in this object (empty before the first)
    std::set<std::string> keys;
  };
  std::vector<Level> open;
  std::string duplicate;
  auto path_of = [&](const std::string& last) {
    std::string p;
    for (size_t i = 0; i + 1 < open.size(); ++i) {
      if (open[i].is_object) p += (p.empty() ? "" : ".") + open[i].key;
      else p += "[]";
    }
    return p + (p.empty() ? "" : ".") + last;
  };
  json::parser_callback_t cb = [&](int, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start:
        if (open.size() >= kMaxDepth)
          throw Error(where(source, 0, "invalid JSON: values nest deeper than " + std::to_string(kMaxDepth) + " levels"));
        open.push_back({event == json::parse_event_t::object_start, "", {}});
        break;
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        if (!open.empty()) open.pop_back();
        break;
      case json::parse_event_t::key:
        if (!open.empty() && open.back().is_object) {
          const std::string k = parsed.get<std::string>();
          open.back().key = k;
          if (!open.back().keys.insert(k).second && duplicate.empty()) duplicate = path_of(k);
        }
        break;
      case json::parse_event_t::value:
        break;
    }
    return true;
  };
  json j;
  try {
    j = json::parse(text.begin(), text.end(), cb, /*allow_exceptions=*/true, /*ignore_comments=*/false);
  } catch (const json::exception& e) {  // syntax errors, trailing text, numbers that overflow a double
    std::string msg = e.what();
    if (auto p = msg.find("] "); msg.rfind("[json.exception", 0) == 0 && p != std::string::npos) msg = msg.substr(p + 2);
    throw Error(where(source, 0, "invalid JSON: " + msg));
  }
  if (!duplicate.empty())
    throw Error(where(source, 0, "key '" + duplicate + "' appears twice in one object (which value is meant is "
                                 "ambiguous: remove one)"));
  return j;
}

json read_json_file_strict(const std::string& path) { return parse_json_strict(read_file(path), path); }

int json_nesting_depth(std::string_view text) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '[' || c == '{') deepest = std::max(deepest, ++depth);
    else if (c == ']' || c == '}') depth = std::max(0, depth - 1);
  }
  return deepest;
}

}  // namespace ps
