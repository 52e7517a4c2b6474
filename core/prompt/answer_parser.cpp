#include "prompt/answer_parser.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <vector>

#include <nlohmann/json.hpp>

namespace ps::prompt {

namespace {

constexpr std::string_view kThinkEnd = "</think>";
constexpr std::string_view kThinkBegin = "<think>";

// Top-level balanced {...} spans of `s` (string literals respected), in order.
std::vector<std::string_view> top_level_objects(std::string_view s) {
  std::vector<std::string_view> out;
  int depth = 0;
  bool in_string = false, escaped = false;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"' && depth > 0) {
      in_string = true;
    } else if (c == '{') {
      if (depth == 0) start = i;
      ++depth;
    } else if (c == '}' && depth > 0) {
      if (--depth == 0) out.push_back(s.substr(start, i - start + 1));
    }
  }
  return out;
}

std::string trim_copy(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

ParsedAnswer failed(ParsedAnswer a, ParseFailure f, std::string detail, bool truncated) {
  a.failure = truncated ? ParseFailure::Truncated : f;
  a.detail = truncated ? "token limit reached (" + detail + ")" : std::move(detail);
  return a;
}

}  // namespace

const char* to_string(ParseFailure f) {
  switch (f) {
    case ParseFailure::None: return "none";
    case ParseFailure::NoThinkEnd: return "no_think_end";
    case ParseFailure::NoJson: return "no_json";
    case ParseFailure::BadField: return "bad_field";
    case ParseFailure::ConfidenceOutOfRange: return "confidence_out_of_range";
    case ParseFailure::Truncated: return "truncated";
  }
  return "unknown";
}

bool parse_failure_from_string(std::string_view name, ParseFailure& out) {
  for (ParseFailure f : {ParseFailure::None, ParseFailure::NoThinkEnd, ParseFailure::NoJson, ParseFailure::BadField,
                         ParseFailure::ConfidenceOutOfRange, ParseFailure::Truncated})
    if (name == to_string(f)) {
      out = f;
      return true;
    }
  return false;
}

ParsedAnswer parse_answer(std::string_view text, bool truncated) {
  ParsedAnswer a;
  const size_t end = text.rfind(kThinkEnd);
  if (end == std::string_view::npos) return failed(a, ParseFailure::NoThinkEnd, "no </think> in the completion", truncated);
  std::string_view reasoning = text.substr(0, end);
  if (const size_t b = reasoning.find(kThinkBegin); b != std::string_view::npos) reasoning = reasoning.substr(b + kThinkBegin.size());
  a.reasoning = trim_copy(reasoning);

  const std::string_view tail = text.substr(end + kThinkEnd.size());
  // Code fences and prose are skipped by looking only at balanced objects.
  const auto objects = top_level_objects(tail);
  if (objects.empty()) return failed(a, ParseFailure::NoJson, "no JSON object after </think>", truncated);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(objects.back());
  } catch (const nlohmann::json::out_of_range&) {
    // A complete object whose number overflows a double (e.g. "confidence": 1e999): not finite.
    return failed(a, ParseFailure::ConfidenceOutOfRange, "a number in the answer is not finite (overflow)", false);
  } catch (const nlohmann::json::exception&) {
    return failed(a, ParseFailure::NoJson, "the last {...} after </think> is not valid JSON", truncated);
  }
  // From here the answer is complete: truncation after it does not matter.
  if (!j.is_object()) return failed(a, ParseFailure::NoJson, "not a JSON object", false);
  for (auto it = j.begin(); it != j.end(); ++it)
    if (it.key() != "de" && it.key() != "confidence")
      return failed(a, ParseFailure::BadField, "unexpected field '" + it.key() + "'", false);
  if (!j.contains("de")) return failed(a, ParseFailure::BadField, "missing field 'de'", false);
  if (!j["de"].is_boolean()) return failed(a, ParseFailure::BadField, "'de' is not true or false", false);
  if (!j.contains("confidence")) return failed(a, ParseFailure::BadField, "missing field 'confidence'", false);
  if (!j["confidence"].is_number()) return failed(a, ParseFailure::BadField, "'confidence' is not a number", false);
  const double c = j["confidence"].get<double>();
  if (!std::isfinite(c) || c < 0.0 || c > 1.0)
    return failed(a, ParseFailure::ConfidenceOutOfRange, "confidence " + j["confidence"].dump() + " is outside [0, 1]", false);
  a.de = j["de"].get<bool>();
  a.confidence = c;
  a.failure = ParseFailure::None;
  return a;
}

std::string format_answer(bool de, double confidence, int decimals) {
  if (!std::isfinite(confidence)) confidence = 0.5;
  confidence = std::min(1.0, std::max(0.0, confidence));
  char buf[64];
  std::snprintf(buf, sizeof buf, "{\"de\": %s, \"confidence\": %.*f}", de ? "true" : "false", decimals, confidence);
  return buf;
}

}  // namespace ps::prompt
