#include "ttc/strategy.h"

#include <cmath>

namespace ps::ttc {

int64_t Round::tokens() const {
  int64_t t = 0;
  for (const auto& c : completions) t += c.tokens;
  return t;
}

int64_t TtcOutcome::total_tokens() const {
  int64_t t = 0;
  for (const auto& r : rounds) t += r.tokens();
  return t;
}

std::vector<int64_t> TtcOutcome::round_tokens() const {
  std::vector<int64_t> t;
  for (const auto& r : rounds) t.push_back(r.tokens());
  return t;
}

nlohmann::json TtcOutcome::to_json() const {
  nlohmann::json rs = nlohmann::json::array();
  for (const auto& r : rounds) {
    nlohmann::json cs = nlohmann::json::array();
    for (size_t k = 0; k < r.completions.size(); ++k) {
      const auto& c = r.completions[k];
      const auto& p = r.parsed[k];
      nlohmann::json cj = {{"text", c.text},
                           {"tokens", c.tokens},
                           {"finish_reason", c.finish_reason},
                           {"parse_failure", p.ok() ? "" : prompt::to_string(p.failure)},
                           {"de", p.ok() ? nlohmann::json(p.de) : nlohmann::json(nullptr)},
                           {"confidence", p.ok() ? nlohmann::json(p.confidence) : nlohmann::json(nullptr)},
                           {"thinking_tokens", c.thinking_tokens}};
      if (r.kind == "wait" || r.kind == "forced") {
        cj["kept_tokens"] = c.kept_tokens;
        cj["appended_tokens"] = c.appended_tokens;
        cj["forced"] = c.forced;
      }
      cs.push_back(std::move(cj));
    }
    rs.push_back({{"kind", r.kind}, {"tokens", r.tokens()}, {"completions", cs}});
  }
  std::vector<int64_t> thinking;
  for (const auto& r : rounds) {
    int64_t t = 0;
    for (const auto& c : r.completions) t += c.thinking_tokens;
    thinking.push_back(t);
  }
  return {{"rounds", rs},
          {"tokens_per_round", round_tokens()},
          {"thinking_tokens_per_round", thinking},
          {"total_tokens", total_tokens()}};
}

prompt::ParsedAnswer parse_completion(const Completion& c) {
  return prompt::parse_answer(c.text, c.finish_reason == "length");
}

Round make_round(std::string kind, std::vector<Completion> completions) {
  Round r;
  r.kind = std::move(kind);
  for (const auto& c : completions) r.parsed.push_back(parse_completion(c));
  r.completions = std::move(completions);
  return r;
}

double selection_confidence(const TtcOutcome& o) { return o.answer.ok() ? o.answer.confidence : 0.0; }

}  // namespace ps::ttc
