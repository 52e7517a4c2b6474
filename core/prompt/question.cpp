#include "prompt/question.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "prompt/cell_lines.h"

namespace ps::prompt {

std::string PromptConfig::default_system_prompt() {
  return "You predict CRISPRi knockdown effects. Reason briefly inside <think></think>, then answer with one JSON "
         "object {\"de\": true or false, \"confidence\": c}: de is whether the read-out gene is differentially "
         "expressed, c in [0, 1] your confidence that this answer is right.";
}

namespace {

template <typename T>
void read_field(const nlohmann::json& j, const char* key, T& out, const std::string& where_) {
  if (!j.contains(key)) return;
  try {
    out = j.at(key).get<T>();
  } catch (const nlohmann::json::exception&) {
    throw Error(where_ + "prompt." + key + ": wrong type (got " + j.at(key).dump() + ")");
  }
}

}  // namespace

PromptConfig PromptConfig::from_json(const nlohmann::json& j, const std::string& source) {
  PromptConfig c;
  const std::string w = source + ": ";
  if (!j.is_object()) throw Error(w + "prompt: expected an object");
  static const char* known[] = {"max_neighbours", "max_go", "max_pathways", "max_channels", "max_prompt_tokens",
                                "include_knn_prior", "include_descriptions", "system_prompt", "show_similarity"};
  for (auto it = j.begin(); it != j.end(); ++it)
    if (std::find_if(std::begin(known), std::end(known), [&](const char* k) { return it.key() == k; }) == std::end(known))
      throw Error(w + "prompt." + it.key() + ": unknown field");
  auto read_size = [&](const char* key, size_t& out) {
    if (!j.contains(key)) return;
    const auto& v = j.at(key);
    if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > 1000000)
      throw Error(w + "prompt." + key + ": expected an integer in [0, 1000000], got " + v.dump());
    out = v.get<size_t>();
  };
  read_size("max_neighbours", c.limits.max_neighbours);
  read_size("max_go", c.limits.max_go);
  read_size("max_pathways", c.limits.max_pathways);
  read_size("max_channels", c.limits.max_channels);
  read_size("max_prompt_tokens", c.max_prompt_tokens);
  read_field(j, "include_knn_prior", c.include_knn_prior, w);
  read_field(j, "show_similarity", c.limits.show_similarity, w);
  read_field(j, "include_descriptions", c.include_descriptions, w);
  read_field(j, "system_prompt", c.system_prompt, w);
  c.validate(source);
  return c;
}

nlohmann::json PromptConfig::to_json() const {
  return {{"max_neighbours", limits.max_neighbours}, {"max_go", limits.max_go},
          {"max_pathways", limits.max_pathways},     {"max_channels", limits.max_channels},
          {"max_prompt_tokens", max_prompt_tokens},  {"include_knn_prior", include_knn_prior},
          {"include_descriptions", include_descriptions}, {"system_prompt", system_prompt},
          {"show_similarity", limits.show_similarity}};
}

void PromptConfig::validate(const std::string& source) const {
  if (max_prompt_tokens < 16) throw Error(source + ": prompt.max_prompt_tokens must be at least 16");
}

std::string user_message(const ItemEvidence& e, const PromptConfig& cfg, const EvidenceLimits& limits) {
  const CellLineText cell = cell_line_text(e.cell_line);
  std::string s = "Cell line: " + cell.name;
  if (cfg.include_descriptions && !cell.description.empty()) s += " (" + cell.description + ")";
  s += ".\nKnockdown: " + e.perturber;
  if (cfg.include_descriptions && !e.perturber_name.empty()) s += " (" + e.perturber_name + ")";
  s += ".\nRead-out: " + e.target;
  if (cfg.include_descriptions && !e.target_name.empty()) s += " (" + e.target_name + ")";
  s += ".\n" + render_evidence(e, limits, cfg.include_knn_prior) + "\n";
  s += "Is " + e.target + " differentially expressed after " + e.perturber + " knockdown in " + cell.name + "?";
  return s;
}

BuiltPrompt build_prompt(const ItemEvidence& e, const PromptConfig& cfg, const TokenCounter& count) {
  BuiltPrompt p;
  EvidenceLimits lim = cfg.limits;
  // Lists can only show what they hold: start from what is there.
  lim.max_neighbours = std::min(lim.max_neighbours, e.neighbours.size());
  lim.max_go = std::min(lim.max_go, e.shared_go.size());
  lim.max_pathways = std::min(lim.max_pathways, e.shared_pathways.size());
  lim.max_channels = std::min(lim.max_channels, e.string_channels.size());
  auto render = [&] {
    p.messages.clear();
    if (!cfg.system_prompt.empty()) p.messages.push_back({"system", cfg.system_prompt, std::nullopt});
    p.messages.push_back({"user", user_message(e, cfg, lim), std::nullopt});
    p.text = tokenizer::apply_qwen3_chat_template(p.messages, {true, true});
  };
  render();
  if (count) {
    for (;;) {
      p.tokens = count(p.text);
      if (p.tokens <= cfg.max_prompt_tokens) break;
      // Trim the longest list by one entry.
      size_t* lists[] = {&lim.max_neighbours, &lim.max_go, &lim.max_pathways, &lim.max_channels};
      size_t* longest = *std::max_element(std::begin(lists), std::end(lists), [](size_t* a, size_t* b) { return *a < *b; });
      if (*longest == 0)
        throw Error("prompt for " + e.cell_line + " " + e.perturber + " -> " + e.target + " needs " +
                    std::to_string(p.tokens) + " tokens with every evidence list empty; prompt.max_prompt_tokens is " +
                    std::to_string(cfg.max_prompt_tokens));
      --*longest;
      render();
    }
  }
  p.limits_used = lim;
  return p;
}

}  // namespace ps::prompt
