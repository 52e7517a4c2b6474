// The OpenAI-compatible server's request handling (core/serve/openai_api.h): a body for
// POST /v1/chat/completions (first input byte even) or /v1/completions (odd) is either refused
// with an ApiError or gives a request within the limits; a response is then built for it (from
// made-up generations) and serialised as the server does. Any other exception is a finding.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/error.h"
#include "serve/openai_api.h"

namespace {
const ps::tokenizer::Tokenizer& tok() {
  static const auto t = ps::tokenizer::Tokenizer::from_file(PS_FUZZ_ROOT "/fuzz/corpus/tokenizer_json/tiny.json");
  return t;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  ps::serve::ApiLimits limits;
  limits.model_id = "tiny";
  limits.context_length = 64;
  limits.vocab_size = tok().vocab_size();
  limits.max_rows = 8;
  const bool chat = data[0] % 2 == 0;
  ps::serve::GenerationRequest req;
  try {
    req = chat ? ps::serve::parse_chat_request(body, tok(), limits)
               : ps::serve::parse_completion_request(body, tok(), limits);
  } catch (const ps::serve::ApiError& e) {
    if (e.status() < 400 || e.status() > 599) std::abort();
    (void)e.body().dump();
    return 0;
  }
  // What an accepted request promises the scheduler.
  if (req.prompts.empty() || req.n < 1 || req.rows() > limits.max_rows) std::abort();
  if (req.max_tokens < 1) std::abort();
  for (const auto& p : req.prompts) {
    if (static_cast<int64_t>(p.size()) + req.max_tokens > limits.context_length) std::abort();
    for (int64_t id : p)
      if (id < 0 || id >= limits.vocab_size) std::abort();
  }
  if (!std::isfinite(req.temperature) || req.temperature < 0 || req.temperature > 2) std::abort();
  if (!std::isfinite(req.top_p) || req.top_p <= 0 || req.top_p > 1) std::abort();
  // Made-up generations: each row repeats the head of its prompt (partial UTF-8 included).
  std::vector<ps::lm::Generation> gens;
  for (const auto& p : req.prompts)
    for (int64_t c = 0; c < req.n; ++c) {
      ps::lm::Generation g;
      g.prompt_ids = p;
      g.ids.assign(p.begin(), p.begin() + std::min<size_t>(p.size(), static_cast<size_t>(req.max_tokens)));
      g.logprobs.assign(g.ids.size(), -0.5f);
      g.text = ps::serve::safe_decode(tok(), g.ids, true);
      g.finish_reason = c % 2 ? "length" : "stop_id";
      g.prompt_tokens = static_cast<int64_t>(p.size());
      g.generated_tokens = static_cast<int64_t>(g.ids.size());
      gens.push_back(std::move(g));
    }
  const nlohmann::json out = chat ? ps::serve::chat_response(req, gens, tok(), "chatcmpl-fuzz", 0)
                                  : ps::serve::completion_response(req, gens, tok(), "cmpl-fuzz", 0);
  (void)out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return 0;
}
