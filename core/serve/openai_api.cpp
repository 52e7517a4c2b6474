#include "serve/openai_api.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"
#include "lm/tokenizer/chat_template.h"
#include "lm/tokenizer/unicode.h"

namespace ps::serve {

using nlohmann::json;

// Messages quote the client's bytes (nlohmann's parse errors name the bad byte): they are made valid
// UTF-8 (U+FFFD) so that the error body serialises anywhere (found by fuzz_openai_request).
ApiError::ApiError(int status, std::string message, std::string param, std::string type)
    : std::runtime_error(tokenizer::to_valid_utf8_lossy(message)),
      status_(status),
      param_(tokenizer::to_valid_utf8_lossy(param)),
      type_(type.empty() ? error_type_for_status(status) : std::move(type)) {}

json ApiError::body() const { return error_body(what(), type_, param_); }

json error_body(const std::string& message, const std::string& type, const std::string& param) {
  return json{{"error",
               {{"message", message},
                {"type", type},
                {"param", param.empty() ? json(nullptr) : json(param)},
                {"code", nullptr}}}};
}

std::string error_type_for_status(int status) {
  if (status == 400 || status == 413 || status == 422) return "invalid_request_error";
  if (status == 404) return "not_found_error";
  if (status == 405 || status == 411) return "invalid_request_error";
  if (status == 503) return "service_unavailable_error";
  return "server_error";
}

namespace {

[[noreturn]] void bad(const std::string& param, const std::string& message) {
  throw ApiError(400, "'" + param + "': " + message, param);
}

std::string type_name(const json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "a boolean";
  if (v.is_number_integer() || v.is_number_unsigned()) return "an integer";
  if (v.is_number_float()) return "a number";
  if (v.is_string()) return "a string";
  if (v.is_array()) return "an array";
  return "an object";
}

json parse_body(const std::string& body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    // Parse again for the position of the error (nlohmann names the byte).
    try {
      json again = json::parse(body);
      (void)again;
    } catch (const json::exception& e) {  // parse_error, and out_of_range for a number beyond double (1e99999)
      throw ApiError(400, std::string("the request body is not valid JSON: ") + e.what());
    }
    throw ApiError(400, "the request body is not valid JSON");
  }
  if (!j.is_object()) throw ApiError(400, "the request body must be a JSON object, got " + type_name(j));
  return j;
}

// A field that is absent or null counts as not given.
const json* field(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return nullptr;
  return &*it;
}

double get_number(const json& j, const char* name, double fallback, double lo, double hi, bool lo_open = false) {
  const json* v = field(j, name);
  if (!v) return fallback;
  if (!v->is_number()) bad(name, "expected a number, got " + type_name(*v));
  const double x = v->get<double>();
  if (!std::isfinite(x) || x < lo || x > hi || (lo_open && x == lo)) {
    bad(name, "must be in " + std::string(lo_open ? "(" : "[") + nlohmann::json(lo).dump() + ", " +
                  nlohmann::json(hi).dump() + "], got " + v->dump());
  }
  return x;
}

std::optional<int64_t> get_int(const json& j, const char* name, int64_t lo, int64_t hi) {
  const json* v = field(j, name);
  if (!v) return std::nullopt;
  if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
    bad(name, "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + v->dump());
  if (!v->is_number_integer()) bad(name, "expected an integer, got " + type_name(*v));
  const int64_t x = v->get<int64_t>();
  if (x < lo || x > hi) bad(name, "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + v->dump());
  return x;
}

bool get_bool(const json& j, const char* name, bool fallback) {
  const json* v = field(j, name);
  if (!v) return fallback;
  if (!v->is_boolean()) bad(name, "expected a boolean, got " + type_name(*v));
  return v->get<bool>();
}

// Fields common to both endpoints: model, sampling, stop, n, refused features.
void parse_common(const json& j, const ApiLimits& limits, GenerationRequest& r) {
  const json* model = field(j, "model");
  if (!model) bad("model", "is required");
  if (!model->is_string()) bad("model", "expected a string, got " + type_name(*model));
  r.model = model->get<std::string>();
  if (r.model != limits.model_id)
    throw ApiError(404, "the model '" + r.model + "' does not exist; this server serves '" + limits.model_id + "'",
                   "model");

  if (get_bool(j, "stream", false)) bad("stream", "streaming is not supported by this server; send stream: false");
  for (const char* penalty : {"frequency_penalty", "presence_penalty"}) {
    if (get_number(j, penalty, 0.0, -2.0, 2.0) != 0.0) bad(penalty, "is not supported by this server (only 0)");
  }
  if (field(j, "logit_bias") && !(j["logit_bias"].is_object() && j["logit_bias"].empty()))
    bad("logit_bias", "is not supported by this server");
  if (field(j, "best_of") && get_int(j, "best_of", 1, 1).value_or(1) != 1) bad("best_of", "must be 1");

  r.temperature = get_number(j, "temperature", 1.0, 0.0, 2.0);
  r.top_p = get_number(j, "top_p", 1.0, 0.0, 1.0, /*lo_open=*/true);
  const int64_t top_k = get_int(j, "top_k", -1, 1 << 30).value_or(0);
  r.top_k = top_k < 0 ? 0 : top_k;
  if (auto seed = get_int(j, "seed", 0, INT64_MAX)) r.seed = static_cast<uint64_t>(*seed);
  r.n = get_int(j, "n", 1, limits.max_rows).value_or(1);

  if (const json* stop = field(j, "stop")) {
    if (stop->is_string()) {
      r.stop.push_back(stop->get<std::string>());
    } else if (stop->is_array()) {
      if (stop->size() > 4) bad("stop", "at most 4 stop strings, got " + std::to_string(stop->size()));
      for (const auto& s : *stop) {
        if (!s.is_string()) bad("stop", "expected a string or a list of strings, found " + type_name(s) + " in the list");
        r.stop.push_back(s.get<std::string>());
      }
    } else {
      bad("stop", "expected a string or a list of strings, got " + type_name(*stop));
    }
    for (const auto& s : r.stop)
      if (s.empty()) bad("stop", "stop strings must not be empty");
  }
  r.tokens_as_ids = get_bool(j, "return_tokens_as_token_ids", false);
}

// Resolves max_tokens against the context and checks the rows fit one batch.
void finish(const json& j, const char* max_tokens_name, const ApiLimits& limits, GenerationRequest& r,
            const char* prompt_param) {
  int64_t longest = 0;
  for (const auto& p : r.prompts) longest = std::max<int64_t>(longest, static_cast<int64_t>(p.size()));
  if (longest >= limits.context_length)
    throw ApiError(400, "'" + std::string(prompt_param) + "': the prompt has " + std::to_string(longest) +
                            " tokens; the model's context is " + std::to_string(limits.context_length) +
                            " tokens, which leaves no room for a completion",
                   prompt_param);
  const int64_t room = limits.context_length - longest;
  auto max_tokens = get_int(j, max_tokens_name, 1, INT64_MAX);
  if (max_tokens && *max_tokens > room)
    bad(max_tokens_name, "the prompt (" + std::to_string(longest) + " tokens) plus max_tokens (" +
                             std::to_string(*max_tokens) + ") exceed the model's context of " +
                             std::to_string(limits.context_length) + " tokens; at most " + std::to_string(room));
  r.max_tokens = max_tokens.value_or(room);
  if (r.rows() > limits.max_rows)
    bad(r.n > 1 ? "n" : prompt_param, std::to_string(r.prompts.size()) + " prompts x n = " + std::to_string(r.n) +
                                          " is " + std::to_string(r.rows()) + " rows; this server runs at most " +
                                          std::to_string(limits.max_rows) + " per request (--max-batch)");
}

std::vector<int64_t> encode(const tokenizer::Tokenizer& tok, const std::string& text, const std::string& param) {
  try {
    std::vector<int64_t> ids;
    for (int32_t id : tok.encode(text)) ids.push_back(id);
    return ids;
  } catch (const ps::Error& e) {
    bad(param, std::string("cannot be tokenised: ") + e.what());
  }
}

std::vector<int64_t> token_ids(const json& list, const std::string& param, const ApiLimits& limits) {
  std::vector<int64_t> ids;
  for (const auto& v : list) {
    if (!v.is_number_integer()) bad(param, "expected token ids (integers), found " + type_name(v));
    const int64_t id = v.get<int64_t>();
    if (id < 0 || id >= limits.vocab_size)
      bad(param, "token id " + std::to_string(id) + " is outside the model's vocabulary [0, " +
                     std::to_string(limits.vocab_size) + ")");
    ids.push_back(id);
  }
  return ids;
}

}  // namespace

GenerationRequest parse_chat_request(const std::string& body, const tokenizer::Tokenizer& tok,
                                     const ApiLimits& limits) {
  const json j = parse_body(body);
  GenerationRequest r;
  r.endpoint = Endpoint::Chat;
  parse_common(j, limits, r);
  r.logprobs = get_bool(j, "logprobs", false);
  if (get_int(j, "top_logprobs", 0, 20).value_or(0) != 0)
    bad("top_logprobs", "alternatives are not computed by this server: only top_logprobs 0 is supported");
  if (field(j, "tools") && !(j["tools"].is_array() && j["tools"].empty()))
    bad("tools", "tool definitions are not supported by this server");

  const json* messages = field(j, "messages");
  if (!messages) bad("messages", "is required");
  if (!messages->is_array()) bad("messages", "expected a list of messages, got " + type_name(*messages));
  if (messages->empty()) bad("messages", "must hold at least one message");
  std::vector<tokenizer::ChatMessage> chat;
  for (size_t i = 0; i < messages->size(); ++i) {
    const json& m = (*messages)[i];
    const std::string at = "messages[" + std::to_string(i) + "]";
    if (!m.is_object()) bad(at, "expected an object, got " + type_name(m));
    tokenizer::ChatMessage msg;
    const json* role = field(m, "role");
    if (!role || !role->is_string()) bad(at + ".role", role ? "expected a string, got " + type_name(*role) : "is required");
    msg.role = role->get<std::string>();
    if (msg.role == "developer") msg.role = "system";  // OpenAI's newer name for the system turn
    if (msg.role != "system" && msg.role != "user" && msg.role != "assistant" && msg.role != "tool")
      bad(at + ".role", "must be system, user, assistant or tool, got '" + msg.role + "'");
    const json* content = field(m, "content");
    if (!content) {
      if (msg.role != "assistant") bad(at + ".content", "is required");
    } else if (content->is_string()) {
      msg.content = content->get<std::string>();
    } else if (content->is_array()) {
      for (size_t k = 0; k < content->size(); ++k) {
        const json& part = (*content)[k];
        const std::string pat = at + ".content[" + std::to_string(k) + "]";
        if (!part.is_object() || !part.contains("type") || !part["type"].is_string())
          bad(pat, "expected a content part {\"type\": \"text\", \"text\": ...}");
        if (part["type"] != "text") bad(pat + ".type", "only text parts are supported, got '" +
                                                         part["type"].get<std::string>() + "'");
        if (!part.contains("text") || !part["text"].is_string()) bad(pat + ".text", "expected a string");
        msg.content += part["text"].get<std::string>();
      }
    } else {
      bad(at + ".content", "expected a string or a list of text parts, got " + type_name(*content));
    }
    if (const json* rc = field(m, "reasoning_content")) {
      if (!rc->is_string()) bad(at + ".reasoning_content", "expected a string, got " + type_name(*rc));
      if (msg.role == "assistant") msg.reasoning_content = rc->get<std::string>();
    }
    chat.push_back(std::move(msg));
  }
  tokenizer::ChatTemplateOptions opt;
  if (const json* kw = field(j, "chat_template_kwargs")) {
    if (!kw->is_object()) bad("chat_template_kwargs", "expected an object, got " + type_name(*kw));
    if (const json* think = field(*kw, "enable_thinking")) {
      if (!think->is_boolean()) bad("chat_template_kwargs.enable_thinking", "expected a boolean, got " + type_name(*think));
      opt.enable_thinking = think->get<bool>();
    }
  }
  std::string text;
  try {
    text = tokenizer::apply_qwen3_chat_template(chat, opt);
  } catch (const ps::Error& e) {
    bad("messages", e.what());
  }
  r.prompts.push_back(encode(tok, text, "messages"));
  for (int64_t id : r.prompts.back())
    if (id >= limits.vocab_size)
      bad("messages", "the tokenizer gives id " + std::to_string(id) + ", outside the model's vocabulary of " +
                          std::to_string(limits.vocab_size));
  const char* max_name = field(j, "max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
  finish(j, max_name, limits, r, "messages");
  return r;
}

GenerationRequest parse_completion_request(const std::string& body, const tokenizer::Tokenizer& tok,
                                           const ApiLimits& limits) {
  const json j = parse_body(body);
  GenerationRequest r;
  r.endpoint = Endpoint::Completions;
  parse_common(j, limits, r);
  if (const json* lp = field(j, "logprobs")) {
    if (lp->is_boolean()) bad("logprobs", "expected an integer 0..5 (the completions API), got a boolean");
    r.completion_logprobs = *get_int(j, "logprobs", 0, 5);
    r.logprobs = true;
  }
  if (get_bool(j, "echo", false)) bad("echo", "is not supported by this server");
  if (field(j, "suffix")) bad("suffix", "is not supported by this server");

  const json* prompt = field(j, "prompt");
  if (!prompt) bad("prompt", "is required");
  if (prompt->is_string()) {
    r.prompts.push_back(encode(tok, prompt->get<std::string>(), "prompt"));
  } else if (prompt->is_array()) {
    if (prompt->empty()) bad("prompt", "must not be empty");
    if ((*prompt)[0].is_number_integer()) {
      r.prompts.push_back(token_ids(*prompt, "prompt", limits));
    } else {
      for (size_t i = 0; i < prompt->size(); ++i) {
        const json& p = (*prompt)[i];
        const std::string at = "prompt[" + std::to_string(i) + "]";
        if (p.is_string()) r.prompts.push_back(encode(tok, p.get<std::string>(), at));
        else if (p.is_array()) r.prompts.push_back(token_ids(p, at, limits));
        else bad(at, "expected a string or a list of token ids, got " + type_name(p));
      }
    }
  } else {
    bad("prompt", "expected a string, a list of strings, a list of token ids or a list of such lists, got " +
                      type_name(*prompt));
  }
  for (size_t i = 0; i < r.prompts.size(); ++i) {
    if (r.prompts[i].empty()) bad(r.prompts.size() == 1 ? "prompt" : "prompt[" + std::to_string(i) + "]",
                                  "encodes to no tokens");
    for (int64_t id : r.prompts[i])
      if (id >= limits.vocab_size)
        bad("prompt", "the tokenizer gives id " + std::to_string(id) + ", outside the model's vocabulary of " +
                          std::to_string(limits.vocab_size));
  }
  finish(j, "max_tokens", limits, r, "prompt");
  return r;
}

std::string openai_finish_reason(const std::string& ours) {
  if (ours == "stop_id" || ours == "stop_string") return "stop";
  return "length";
}

std::string safe_decode(const tokenizer::Tokenizer& tok, const std::vector<int64_t>& ids, bool skip_special) {
  std::string out;
  std::vector<int32_t> run;
  auto flush = [&] {
    if (!run.empty()) out += tok.decode(run, skip_special);
    run.clear();
  };
  for (int64_t id : ids) {
    if (id >= 0 && id < tok.vocab_size() && tok.token_string(static_cast<int32_t>(id))) {
      run.push_back(static_cast<int32_t>(id));
    } else {
      flush();
      out += "\xEF\xBF\xBD";
    }
  }
  flush();
  return out;
}

namespace {

std::string token_name(const GenerationRequest& req, const tokenizer::Tokenizer& tok, int64_t id) {
  if (req.tokens_as_ids) return "token_id:" + std::to_string(id);
  return safe_decode(tok, {id}, /*skip_special=*/false);
}

json usage(const GenerationRequest& req, const std::vector<lm::Generation>& gens) {
  int64_t prompt = 0, completion = 0;
  for (const auto& p : req.prompts) prompt += static_cast<int64_t>(p.size());
  for (const auto& g : gens) completion += g.generated_tokens;
  return json{{"prompt_tokens", prompt}, {"completion_tokens", completion}, {"total_tokens", prompt + completion}};
}

void check_rows(const GenerationRequest& req, const std::vector<lm::Generation>& gens) {
  if (static_cast<int64_t>(gens.size()) != req.rows())
    throw std::logic_error("serve: " + std::to_string(gens.size()) + " generations for " +
                           std::to_string(req.rows()) + " rows");
}

}  // namespace

json chat_response(const GenerationRequest& req, const std::vector<lm::Generation>& gens,
                   const tokenizer::Tokenizer& tok, const std::string& id, int64_t created) {
  check_rows(req, gens);
  json choices = json::array();
  for (size_t i = 0; i < gens.size(); ++i) {
    const lm::Generation& g = gens[i];
    json choice{{"index", i},
                {"message", {{"role", "assistant"}, {"content", g.text}}},
                {"finish_reason", openai_finish_reason(g.finish_reason)}};
    if (req.logprobs) {
      json content = json::array();
      for (size_t t = 0; t < g.ids.size(); ++t) {
        const std::string name = token_name(req, tok, g.ids[t]);
        json bytes = json::array();
        const bool known = g.ids[t] < tok.vocab_size() && tok.token_string(static_cast<int32_t>(g.ids[t]));
        const std::string b = known ? tok.token_bytes(static_cast<int32_t>(g.ids[t])) : "\xEF\xBF\xBD";
        for (unsigned char c : b) bytes.push_back(static_cast<int>(c));
        content.push_back({{"token", name}, {"logprob", g.logprobs[t]}, {"bytes", bytes}, {"top_logprobs", json::array()}});
      }
      choice["logprobs"] = {{"content", content}};
    } else {
      choice["logprobs"] = nullptr;
    }
    choices.push_back(std::move(choice));
  }
  return json{{"id", id},
              {"object", "chat.completion"},
              {"created", created},
              {"model", req.model},
              {"choices", choices},
              {"usage", usage(req, gens)}};
}

json completion_response(const GenerationRequest& req, const std::vector<lm::Generation>& gens,
                         const tokenizer::Tokenizer& tok, const std::string& id, int64_t created) {
  check_rows(req, gens);
  json choices = json::array();
  for (size_t i = 0; i < gens.size(); ++i) {
    const lm::Generation& g = gens[i];
    json choice{{"index", i}, {"text", g.text}, {"finish_reason", openai_finish_reason(g.finish_reason)}};
    if (req.logprobs) {
      json tokens = json::array(), lps = json::array(), offsets = json::array(), tops = json::array();
      size_t offset = 0;
      for (size_t t = 0; t < g.ids.size(); ++t) {
        tokens.push_back(token_name(req, tok, g.ids[t]));
        lps.push_back(g.logprobs[t]);
        offsets.push_back(offset);
        offset += safe_decode(tok, {g.ids[t]}, false).size();
        tops.push_back(nullptr);
      }
      choice["logprobs"] = {{"tokens", tokens}, {"token_logprobs", lps}, {"text_offset", offsets}, {"top_logprobs", tops}};
    } else {
      choice["logprobs"] = nullptr;
    }
    choices.push_back(std::move(choice));
  }
  return json{{"id", id},
              {"object", "text_completion"},
              {"created", created},
              {"model", req.model},
              {"choices", choices},
              {"usage", usage(req, gens)}};
}

json models_response(const ApiLimits& limits, int64_t created) {
  return json{{"object", "list"},
              {"data", json::array({{{"id", limits.model_id},
                                     {"object", "model"},
                                     {"created", created},
                                     {"owned_by", "perturbscope"},
                                     {"max_model_len", limits.context_length}}})}};
}

}  // namespace ps::serve
