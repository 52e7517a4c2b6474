#include "ttc/lm_sampler.h"

#include <algorithm>
#include <map>
#include <memory>

#include "common/error.h"

namespace ps::ttc {

void LmSamplerOptions::validate() const {
  if (max_new_tokens < 1) throw Error("ttc: max_new_tokens must be >= 1");
  if (!(temperature > 0 && temperature <= 100)) throw Error("ttc: temperature must be in (0, 100]");
  if (!(top_p > 0 && top_p <= 1)) throw Error("ttc: top_p must be in (0, 1]");
  if (top_k < 0) throw Error("ttc: top_k must be >= 0");
  if (batch_rows < 1) throw Error("ttc: batch_rows must be >= 1");
}

namespace {

// Generated tokens before the first "</think>" (all, a final stop id excluded, when there is none).
int64_t thinking_of(const std::vector<int64_t>& ids, const std::string& finish_reason, int64_t think_end) {
  if (think_end < 0) return 0;
  auto it = std::find(ids.begin(), ids.end(), think_end);
  if (it != ids.end()) return it - ids.begin();
  return static_cast<int64_t>(ids.size()) - (finish_reason == "stop_id" && !ids.empty() ? 1 : 0);
}

// The sequences a Keep request holds for Continue requests.
struct Held {
  std::vector<std::unique_ptr<lm::SequenceBatch>> batches;
  std::map<size_t, std::pair<size_t, int64_t>> where;  // item -> (batch, row)
  std::map<size_t, int64_t> prompt_len;                // item -> its prompt's tokens
};

}  // namespace

Sampler lm_sampler(const lm::Model& model, const std::vector<std::vector<int64_t>>& prompts, lm::Decoder decode,
                   const LmSamplerOptions& opt, Encoder encode) {
  opt.validate();
  auto held = std::make_shared<Held>();
  return [&model, &prompts, decode, opt, encode, held](const std::vector<size_t>& items, const SampleRequest& req) {
    using Mode = SampleRequest::Mode;
    if (req.mode == Mode::Release) {
      *held = Held();
      return std::vector<std::vector<Completion>>();
    }
    if (req.k < 1) throw Error("ttc: K must be >= 1");
    if (req.greedy && req.k != 1) throw Error("ttc: a greedy request needs K = 1");
    if ((req.mode == Mode::Keep || req.mode == Mode::Continue) && !(req.greedy && req.k == 1))
      throw Error("ttc: keep and continue requests are greedy with K = 1");
    for (size_t i : items)
      if (i >= prompts.size()) throw Error("ttc: item index " + std::to_string(i) + " out of range");
    lm::GenerationConfig g;
    g.max_new_tokens = opt.max_new_tokens;
    g.temperature = req.greedy ? 0.0 : opt.temperature;
    g.top_p = opt.top_p;
    g.top_k = opt.top_k;
    g.stop_ids = opt.stop_ids;
    g.pad_id = opt.pad_id;
    g.vocab_limit = opt.vocab_limit;
    auto body_text = [&](std::vector<int64_t> ids, const std::string& finish) {
      if (finish == "stop_id" && !ids.empty()) ids.pop_back();
      return decode ? decode(ids) : std::string();
    };
    std::vector<std::vector<Completion>> out(items.size());
    const size_t B = static_cast<size_t>(opt.batch_rows);

    if (req.mode == Mode::Fresh || req.mode == Mode::Keep) {
      if (req.mode == Mode::Keep) *held = Held();
      std::vector<size_t> rows;  // prompt index per row, prompt-major
      for (size_t i : items)
        for (int64_t k = 0; k < req.k; ++k) rows.push_back(i);
      for (size_t r0 = 0; r0 < rows.size(); r0 += B) {
        std::vector<std::vector<int64_t>> batch;
        for (size_t r = r0; r < std::min(rows.size(), r0 + B); ++r) batch.push_back(prompts[rows[r]]);
        g.seed = opt.seed + 1000003ULL * static_cast<uint64_t>(req.round) + r0;
        std::vector<lm::Generation> gens;
        if (req.mode == Mode::Keep) {
          auto seqs = std::make_unique<lm::SequenceBatch>(model, batch);
          std::vector<int64_t> all(batch.size());
          for (size_t j = 0; j < all.size(); ++j) {
            all[j] = static_cast<int64_t>(j);
            held->where[rows[r0 + j]] = {held->batches.size(), all[j]};
            held->prompt_len[rows[r0 + j]] = static_cast<int64_t>(batch[j].size());
          }
          gens = seqs->extend(all, {}, g);
          held->batches.push_back(std::move(seqs));
        } else {
          gens = lm::generate(model, batch, g);
        }
        for (size_t j = 0; j < gens.size(); ++j) {
          Completion c;
          c.text = body_text(gens[j].ids, gens[j].finish_reason);
          c.tokens = gens[j].generated_tokens;
          c.finish_reason = gens[j].finish_reason;
          c.thinking_tokens = thinking_of(gens[j].ids, c.finish_reason, opt.think_end_id);
          out[(r0 + j) / static_cast<size_t>(req.k)].push_back(std::move(c));
        }
        if (opt.on_batch)
          opt.on_batch(static_cast<int64_t>(std::min(rows.size(), r0 + B)), static_cast<int64_t>(rows.size()));
      }
      return out;
    }

    // Continue.
    if (opt.think_end_id < 0) throw Error("ttc: budget forcing needs a \"</think>\" token, and the tokenizer has none");
    if (!encode) throw Error("ttc: budget forcing needs the tokenizer's encoder");
    if (req.cont.size() != items.size())
      throw Error("ttc: a continue request with " + std::to_string(req.cont.size()) + " continuations for " +
                  std::to_string(items.size()) + " items");
    const std::vector<int64_t> newline = encode("\n");
    std::vector<int64_t> forced = {opt.think_end_id};
    forced.insert(forced.end(), newline.begin(), newline.end());
    const int64_t ctx = model.config().max_position_embeddings, F = static_cast<int64_t>(forced.size());
    // Per batch: the request's positions in it.
    std::map<size_t, std::vector<size_t>> by_batch;
    for (size_t n = 0; n < items.size(); ++n) {
      auto it = held->where.find(items[n]);
      if (it == held->where.end())
        throw Error("ttc: item " + std::to_string(items[n]) + " has no kept sequence to continue (no keep request)");
      by_batch[it->second.first].push_back(n);
    }
    for (const auto& [bi, ns] : by_batch) {
      lm::SequenceBatch& seqs = *held->batches[bi];
      struct Work {
        size_t n;
        int64_t row, prompt, kept;
        Completion c;
        bool think = false;
      };
      std::vector<Work> work;
      for (size_t n : ns) {
        Work w;
        w.n = n;
        w.row = held->where[items[n]].second;
        w.prompt = held->prompt_len[items[n]];
        const auto& seq = seqs.tokens(w.row);
        std::vector<int64_t> resp(seq.begin() + w.prompt, seq.end());
        auto end = std::find(resp.begin(), resp.end(), opt.think_end_id);
        int64_t keep = end - resp.begin();
        if (end == resp.end() && !resp.empty() &&
            std::find(opt.stop_ids.begin(), opt.stop_ids.end(), resp.back()) != opt.stop_ids.end())
          --keep;
        w.kept = keep;
        seqs.truncate(w.row, w.prompt + keep);
        w.c.kept_tokens = keep;
        w.c.prefix = decode ? decode(std::vector<int64_t>(resp.begin(), resp.begin() + keep)) : std::string();
        w.think = !req.cont[n].force_answer;
        if (w.think) {
          if (req.cont[n].think_tokens < 1) throw Error("ttc: a wait continuation needs think_tokens >= 1");
          if (req.cont[n].cue.empty()) throw Error("ttc: a wait continuation needs a cue");
        }
        work.push_back(std::move(w));
      }
      // Phase 1 (wait items): the cue, then thinking until "</think>" or the budget.
      std::vector<int64_t> rows1, max1;
      std::vector<std::vector<int64_t>> app1;
      std::vector<size_t> w1;
      for (size_t x = 0; x < work.size(); ++x) {
        Work& w = work[x];
        if (!w.think) continue;
        std::vector<int64_t> cue = encode(req.cont[w.n].cue);
        const int64_t len = w.prompt + w.kept + static_cast<int64_t>(cue.size());
        const int64_t room = ctx - len - F - opt.max_new_tokens;  // the answer must still fit
        if (room < 1) {
          w.think = false;  // no room to think: answer now
          continue;
        }
        rows1.push_back(w.row);
        max1.push_back(std::min(req.cont[w.n].think_tokens, room));
        w.c.appended_tokens += static_cast<int64_t>(cue.size());
        app1.push_back(std::move(cue));
        w1.push_back(x);
      }
      std::map<size_t, bool> needs_force;  // work index -> whether "</think>\n" must be appended
      for (size_t x = 0; x < work.size(); ++x)
        if (!work[x].think) needs_force[x] = true;
      if (!rows1.empty()) {
        lm::GenerationConfig g1 = g;
        g1.stop_ids.push_back(opt.think_end_id);
        auto gens = seqs.extend(rows1, app1, g1, max1);
        for (size_t j = 0; j < gens.size(); ++j) {
          Work& w = work[w1[j]];
          const auto& ids = gens[j].ids;
          w.c.tokens += gens[j].generated_tokens;
          const bool closed = !ids.empty() && ids.back() == opt.think_end_id;
          w.c.thinking_tokens = static_cast<int64_t>(ids.size()) - (gens[j].finish_reason == "stop_id" ? 1 : 0);
          w.c.finish_reason = gens[j].finish_reason;
          if (closed) {
            needs_force[w1[j]] = false;  // the answer follows its own "</think>"
          } else if (gens[j].finish_reason == "length") {
            needs_force[w1[j]] = true;   // the budget is spent: "</think>" forced
            w.c.forced = true;
          } else {
            // It ended its turn inside its thinking: as s1 does when thinking stops, the stop id is
            // dropped and "</think>" appended, then the answer.
            seqs.truncate(w.row, static_cast<int64_t>(seqs.tokens(w.row).size()) - 1);
            needs_force[w1[j]] = true;
          }
        }
      }
      // Phase 2: the answers.
      std::vector<int64_t> rows2, max2;
      std::vector<std::vector<int64_t>> app2;
      std::vector<size_t> w2;
      for (const auto& [x, force] : needs_force) {
        Work& w = work[x];
        const int64_t len = static_cast<int64_t>(seqs.tokens(w.row).size()) + (force ? F : 0);
        const int64_t m = std::min<int64_t>(opt.max_new_tokens, ctx - len);
        if (m < 1)
          throw Error("ttc: item " + std::to_string(items[w.n]) + " has no room left in the model's context (" +
                      std::to_string(ctx) + " tokens) for an answer");
        rows2.push_back(w.row);
        max2.push_back(m);
        app2.push_back(force ? forced : std::vector<int64_t>());
        if (force) {
          w.c.appended_tokens += F;
          if (!w.think && !req.cont[w.n].force_answer) w.c.forced = true;  // no room left to think
        }
        w2.push_back(x);
      }
      if (!rows2.empty()) {
        auto gens = seqs.extend(rows2, app2, g, max2);
        for (size_t j = 0; j < gens.size(); ++j) {
          Work& w = work[w2[j]];
          w.c.tokens += gens[j].generated_tokens;
          w.c.finish_reason = gens[j].finish_reason;
        }
      }
      for (auto& w : work) {
        const auto& seq = seqs.tokens(w.row);
        w.c.text = body_text(std::vector<int64_t>(seq.begin() + w.prompt, seq.end()), w.c.finish_reason);
        out[w.n].push_back(std::move(w.c));
      }
    }
    return out;
  };
}

}  // namespace ps::ttc
