#include "ttc/lm_sampler.h"

#include <algorithm>

#include "common/error.h"

namespace ps::ttc {

void LmSamplerOptions::validate() const {
  if (max_new_tokens < 1) throw Error("ttc: max_new_tokens must be >= 1");
  if (!(temperature > 0 && temperature <= 100)) throw Error("ttc: temperature must be in (0, 100]");
  if (!(top_p > 0 && top_p <= 1)) throw Error("ttc: top_p must be in (0, 1]");
  if (top_k < 0) throw Error("ttc: top_k must be >= 0");
  if (batch_rows < 1) throw Error("ttc: batch_rows must be >= 1");
}

Sampler lm_sampler(const lm::Model& model, const std::vector<std::vector<int64_t>>& prompts, lm::Decoder decode,
                   const LmSamplerOptions& opt) {
  opt.validate();
  return [&model, &prompts, decode, opt](const std::vector<size_t>& items, const SampleRequest& req) {
    if (req.k < 1) throw Error("ttc: K must be >= 1");
    if (req.greedy && req.k != 1) throw Error("ttc: a greedy request needs K = 1");
    std::vector<size_t> rows;  // prompt index per row, prompt-major
    for (size_t i : items) {
      if (i >= prompts.size()) throw Error("ttc: item index " + std::to_string(i) + " out of range");
      for (int64_t k = 0; k < req.k; ++k) rows.push_back(i);
    }
    lm::GenerationConfig g;
    g.max_new_tokens = opt.max_new_tokens;
    g.temperature = req.greedy ? 0.0 : opt.temperature;
    g.top_p = opt.top_p;
    g.top_k = opt.top_k;
    g.stop_ids = opt.stop_ids;
    g.pad_id = opt.pad_id;
    g.vocab_limit = opt.vocab_limit;
    std::vector<std::vector<Completion>> out(items.size());
    const size_t B = static_cast<size_t>(opt.batch_rows);
    for (size_t r0 = 0; r0 < rows.size(); r0 += B) {
      std::vector<std::vector<int64_t>> batch;
      for (size_t r = r0; r < std::min(rows.size(), r0 + B); ++r) batch.push_back(prompts[rows[r]]);
      g.seed = opt.seed + 1000003ULL * static_cast<uint64_t>(req.round) + r0;
      auto gens = lm::generate(model, batch, g);
      for (size_t j = 0; j < gens.size(); ++j) {
        std::vector<int64_t> body = gens[j].ids;
        if (gens[j].finish_reason == "stop_id" && !body.empty()) body.pop_back();
        Completion c;
        c.text = decode ? decode(body) : std::string();
        c.tokens = gens[j].generated_tokens;
        c.finish_reason = gens[j].finish_reason;
        out[(r0 + j) / static_cast<size_t>(req.k)].push_back(std::move(c));
      }
    }
    return out;
  };
}

}  // namespace ps::ttc
