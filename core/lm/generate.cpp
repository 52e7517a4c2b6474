#include "lm/generate.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>

#include "common/error.h"
#include "lm/sampler.h"

namespace ps::lm {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Ends a row when its text contains a stop string; cuts the text before it.
bool hit_stop_string(Generation& g, const GenerationConfig& cfg, const Decoder& decode) {
  if (cfg.stop_strings.empty() || !decode) return false;
  std::string text = decode(g.ids);
  size_t cut = std::string::npos;
  for (const auto& s : cfg.stop_strings)
    if (!s.empty()) cut = std::min(cut, text.find(s));
  if (cut == std::string::npos) return false;
  g.text = text.substr(0, cut);
  return true;
}

// Logits [B, V] as float32 on the CPU; NaN or +-inf (from non-finite weights or an overflow in
// a low-precision dtype) is an error, not a silent token 0 with a NaN log-probability.
at::Tensor checked_logits(const at::Tensor& logits, int64_t step) {
  at::Tensor l = logits.to(at::kCPU, at::kFloat);
  if (!at::isfinite(l).all().item<bool>())
    throw Error("generate: the model produced non-finite logits (NaN or infinity) at generation step " +
                std::to_string(step) + "; its weights, adapter or dtype overflow (try --dtype float32)");
  return l;
}

// The KV cache for B rows of `capacity` positions; an allocation failure names the sizes.
KVCache make_cache_or_explain(const Model& model, int64_t B, int64_t capacity) {
  const ModelConfig& mc = model.config();
  // Keys and values: 2 x layers x B x kv_heads x capacity x head_dim elements (+ a bool mask), in
  // overflow-checked arithmetic; refused up front when it exceeds the machine's memory (zero-filling
  // an over-committed allocation would get the process killed instead of an error).
  const uint64_t elem = static_cast<uint64_t>(c10::elementSize(model.dtype()));
  uint64_t bytes = 2 * elem;
  bool overflow = false;
  for (int64_t f : {mc.num_layers, B, mc.num_kv_heads, capacity, mc.head_dim})
    overflow = overflow || __builtin_mul_overflow(bytes, static_cast<uint64_t>(f), &bytes);
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  const uint64_t ram = pages > 0 && page > 0 ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page) : 0;
  if (overflow || (ram > 0 && model.device().is_cpu() && bytes > ram))
    throw Error("generate: the KV cache for " + std::to_string(B) + " row(s) x " + std::to_string(capacity) +
                " positions x " + std::to_string(mc.num_layers) + " layers needs " +
                (overflow ? std::string("more than 2^64") : std::to_string(bytes)) + " bytes, more than this machine's " +
                std::to_string(ram) + " bytes of memory; lower max_new_tokens");
  try {
    return model.make_cache(B, capacity);
  } catch (const c10::Error& e) {
    throw Error("generate: cannot allocate the KV cache for " + std::to_string(B) + " row(s) x " +
                std::to_string(capacity) + " positions x " + std::to_string(mc.num_layers) + " layers (" +
                std::string(e.what_without_backtrace()).substr(0, std::string(e.what_without_backtrace()).find('\n')) +
                "); lower max_new_tokens");
  } catch (const std::bad_alloc&) {
    throw Error("generate: out of memory allocating the KV cache for " + std::to_string(B) + " row(s) x " +
                std::to_string(capacity) + " positions; lower max_new_tokens");
  }
}

// Closes each generation: finish reason "length" where none was set, generated-token counts, the
// text (decoded without the stop id; a stop string's text was cut when it matched). Returns the
// tokens generated in all.
int64_t finish_generations(std::vector<Generation>& out, const Decoder& decode) {
  int64_t generated = 0;
  for (auto& g : out) {
    if (g.finish_reason.empty()) g.finish_reason = "length";
    g.generated_tokens = static_cast<int64_t>(g.ids.size());
    generated += g.generated_tokens;
    if (decode && g.finish_reason != "stop_string") {
      std::vector<int64_t> body = g.ids;
      if (g.finish_reason == "stop_id") body.pop_back();
      g.text = decode(body);
    }
  }
  return generated;
}

}  // namespace

std::vector<Generation> generate(const Model& model, const std::vector<std::vector<int64_t>>& prompts,
                                 const GenerationConfig& cfg, const Decoder& decode, GenerationStats* stats) {
  const ModelConfig& mc = model.config();
  if (prompts.empty()) return {};
  if (cfg.max_new_tokens < 0) throw Error("generate: max_new_tokens must be >= 0");
  if (!cfg.stop_strings.empty() && !decode) throw Error("generate: stop strings need a tokenizer to decode the text");
  const int64_t B = static_cast<int64_t>(prompts.size());
  int64_t L = 0;
  for (size_t b = 0; b < prompts.size(); ++b) {
    if (prompts[b].empty()) throw Error("generate: prompt " + std::to_string(b) + " is empty (give at least a BOS token)");
    for (int64_t id : prompts[b])
      if (id < 0 || id >= mc.vocab_size)
        throw Error("generate: prompt " + std::to_string(b) + " has token id " + std::to_string(id) +
                    " outside the vocabulary [0, " + std::to_string(mc.vocab_size) + ")");
    L = std::max<int64_t>(L, static_cast<int64_t>(prompts[b].size()));
  }
  // Compared without forming L + max_new_tokens, which can overflow.
  if (L > mc.max_position_embeddings || cfg.max_new_tokens > mc.max_position_embeddings - L)
    throw Error("generate: prompt (" + std::to_string(L) + ") + max_new_tokens (" + std::to_string(cfg.max_new_tokens) +
                ") exceeds the model's max_position_embeddings (" + std::to_string(mc.max_position_embeddings) + ")");
  const int64_t capacity = L + cfg.max_new_tokens;
  if (!std::isfinite(cfg.temperature) || cfg.temperature < 0)
    throw Error("generate: temperature must be a finite number >= 0, got " + std::to_string(cfg.temperature));

  c10::InferenceMode inference;  // no autograd bookkeeping while decoding
  Sampler sampler({cfg.temperature, cfg.top_p, cfg.top_k}, cfg.seed);

  // Left-pad: row b's tokens sit in columns [L - len_b, L).
  at::Tensor ids = at::full({B, L}, cfg.pad_id, at::kLong);
  at::Tensor mask = at::zeros({B, L}, at::kLong);
  bool padded = false;
  std::vector<Generation> out(B);
  for (int64_t b = 0; b < B; ++b) {
    const auto& p = prompts[b];
    const int64_t n = static_cast<int64_t>(p.size()), start = L - n;
    padded |= n < L;
    auto ids_a = ids.accessor<int64_t, 2>();
    auto mask_a = mask.accessor<int64_t, 2>();
    for (int64_t i = 0; i < n; ++i) {
      ids_a[b][start + i] = p[i];
      mask_a[b][start + i] = 1;
    }
    out[b].prompt_ids = p;
    out[b].prompt_tokens = n;
  }
  // HF: position_ids = cumsum(mask) − 1, with padding set to 1.
  at::Tensor positions = (mask.cumsum(1) - 1).masked_fill(mask.eq(0), 1);
  at::Tensor next_pos = positions.select(1, L - 1) + 1;  // [B], the position of each row's next token

  KVCache cache = make_cache_or_explain(model, B, capacity);
  ForwardOptions opt;
  opt.use_adapter = cfg.use_adapter;
  opt.last_position_only = true;

  auto t0 = std::chrono::steady_clock::now();
  at::Tensor logits = model.forward(ids, positions, &cache, padded ? mask : at::Tensor(), opt);  // [B, 1, V]
  logits = checked_logits(logits.select(1, 0), 0);  // to the CPU: synchronises, so the timing is real
  const double prefill_s = seconds_since(t0);

  t0 = std::chrono::steady_clock::now();
  std::vector<bool> done(B, cfg.max_new_tokens == 0);
  int64_t steps = 0, remaining = cfg.max_new_tokens == 0 ? 0 : B;
  for (int64_t t = 0; t < cfg.max_new_tokens && remaining > 0; ++t) {
    if (cfg.vocab_limit > 0 && cfg.vocab_limit < logits.size(-1)) {
      logits = logits.clone();
      logits.narrow(-1, cfg.vocab_limit, logits.size(-1) - cfg.vocab_limit).fill_(-INFINITY);
    }
    auto [tok, lp] = sampler.sample(logits);  // [B], [B] on the CPU
    auto tok_a = tok.accessor<int64_t, 1>();
    auto lp_a = lp.accessor<float, 1>();
    for (int64_t b = 0; b < B; ++b) {
      if (done[b]) continue;
      Generation& g = out[b];
      g.ids.push_back(tok_a[b]);
      g.logprobs.push_back(lp_a[b]);
      if (std::find(cfg.stop_ids.begin(), cfg.stop_ids.end(), tok_a[b]) != cfg.stop_ids.end()) {
        g.finish_reason = "stop_id";
      } else if (hit_stop_string(g, cfg, decode)) {
        g.finish_reason = "stop_string";
      } else if (static_cast<int64_t>(g.ids.size()) == cfg.max_new_tokens) {
        g.finish_reason = "length";
      } else {
        continue;
      }
      done[b] = true;
      --remaining;
    }
    if (remaining == 0) break;
    // Feed every row's token (finished rows too: keeps the batch rectangular; their output is ignored).
    logits = checked_logits(model.forward(tok.view({B, 1}), next_pos.view({B, 1}), &cache, at::Tensor(), opt).select(1, 0),
                            t + 1);
    next_pos += 1;
    ++steps;
  }
  const double decode_s = seconds_since(t0);

  const int64_t generated = finish_generations(out, decode);
  if (stats) {
    stats->batch = B;
    stats->prefill_tokens = 0;
    for (const auto& p : prompts) stats->prefill_tokens += static_cast<int64_t>(p.size());
    stats->prefill_seconds = prefill_s;
    stats->decode_steps = steps;
    stats->decode_seconds = decode_s;
    stats->generated_tokens = generated;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// SequenceBatch

SequenceBatch::SequenceBatch(const Model& model, std::vector<std::vector<int64_t>> prompts)
    : model_(model), tokens_(std::move(prompts)), slots_(tokens_.size()) {
  const int64_t V = model_.config().vocab_size, P = model_.config().max_position_embeddings;
  for (size_t b = 0; b < tokens_.size(); ++b) {
    if (tokens_[b].empty()) throw Error("SequenceBatch: prompt " + std::to_string(b) + " is empty (give at least a BOS token)");
    if (static_cast<int64_t>(tokens_[b].size()) > P)
      throw Error("SequenceBatch: prompt " + std::to_string(b) + " (" + std::to_string(tokens_[b].size()) +
                  " tokens) exceeds the model's max_position_embeddings (" + std::to_string(P) + ")");
    for (int64_t id : tokens_[b])
      if (id < 0 || id >= V)
        throw Error("SequenceBatch: prompt " + std::to_string(b) + " has token id " + std::to_string(id) +
                    " outside the vocabulary [0, " + std::to_string(V) + ")");
  }
}

void SequenceBatch::check_row(int64_t row) const {
  if (row < 0 || row >= rows())
    throw Error("SequenceBatch: row " + std::to_string(row) + " out of range (" + std::to_string(rows()) + " rows)");
}

const std::vector<int64_t>& SequenceBatch::tokens(int64_t row) const {
  check_row(row);
  return tokens_[row];
}

int64_t SequenceBatch::cached(int64_t row) const {
  check_row(row);
  return static_cast<int64_t>(slots_[row].size());
}

int64_t SequenceBatch::slots_used() const { return cache_ ? cache_->length() : 0; }

void SequenceBatch::truncate(int64_t row, int64_t keep) {
  check_row(row);
  auto& t = tokens_[row];
  auto& sl = slots_[row];
  if (keep < 1 || keep > static_cast<int64_t>(t.size()))
    throw Error("SequenceBatch: cannot keep " + std::to_string(keep) + " tokens of row " + std::to_string(row) + " (it has " +
                std::to_string(t.size()) + ")");
  if (keep < static_cast<int64_t>(sl.size())) {
    cache_->mask_slots(row, sl[keep], cache_->length());  // the row's later slots all lie past sl[keep]
    sl.resize(keep);
  }
  t.resize(keep);
}

void SequenceBatch::retain(const std::vector<int64_t>& rows) {
  std::set<int64_t> seen;
  for (int64_t r : rows) {
    check_row(r);
    if (!seen.insert(r).second) throw Error("SequenceBatch: row " + std::to_string(r) + " listed twice");
  }
  std::vector<std::vector<int64_t>> t, sl;
  for (int64_t r : rows) {
    t.push_back(std::move(tokens_[r]));
    sl.push_back(std::move(slots_[r]));
  }
  tokens_ = std::move(t);
  slots_ = std::move(sl);
  if (cache_) {
    if (rows.empty()) cache_.reset();
    else cache_->select_rows(rows);
  }
}

std::vector<Generation> SequenceBatch::extend(const std::vector<int64_t>& rows,
                                              const std::vector<std::vector<int64_t>>& append,
                                              const GenerationConfig& cfg, const std::vector<int64_t>& max_new_tokens,
                                              const Decoder& decode, GenerationStats* stats) {
  const ModelConfig& mc = model_.config();
  const int64_t B = this->rows(), R = static_cast<int64_t>(rows.size());
  if (R == 0) return {};
  if (!append.empty() && static_cast<int64_t>(append.size()) != R)
    throw Error("SequenceBatch: " + std::to_string(append.size()) + " appended lists for " + std::to_string(R) + " rows");
  if (!max_new_tokens.empty() && static_cast<int64_t>(max_new_tokens.size()) != R)
    throw Error("SequenceBatch: " + std::to_string(max_new_tokens.size()) + " max_new_tokens for " + std::to_string(R) +
                " rows");
  if (!cfg.stop_strings.empty() && !decode) throw Error("generate: stop strings need a tokenizer to decode the text");
  if (!std::isfinite(cfg.temperature) || cfg.temperature < 0)
    throw Error("generate: temperature must be a finite number >= 0, got " + std::to_string(cfg.temperature));
  std::set<int64_t> seen;
  std::vector<int64_t> max_new(R);
  int64_t A = 0, most_new = 0;  // A: the widest chunk of tokens to pass before sampling
  for (int64_t i = 0; i < R; ++i) {
    const int64_t b = rows[i];
    check_row(b);
    if (!seen.insert(b).second) throw Error("SequenceBatch: row " + std::to_string(b) + " listed twice");
    max_new[i] = max_new_tokens.empty() ? cfg.max_new_tokens : max_new_tokens[i];
    if (max_new[i] < 0) throw Error("SequenceBatch: max_new_tokens of row " + std::to_string(b) + " is negative");
    const std::vector<int64_t> none;
    const auto& app = append.empty() ? none : append[i];
    for (int64_t id : app)
      if (id < 0 || id >= mc.vocab_size)
        throw Error("SequenceBatch: the tokens appended to row " + std::to_string(b) + " hold id " + std::to_string(id) +
                    " outside the vocabulary [0, " + std::to_string(mc.vocab_size) + ")");
    const int64_t n = static_cast<int64_t>(tokens_[b].size() - slots_[b].size() + app.size());
    if (n == 0)
      throw Error("SequenceBatch: row " + std::to_string(b) +
                  " has nothing to continue from (no pending or appended token; truncate it one token shorter)");
    const int64_t len = static_cast<int64_t>(tokens_[b].size() + app.size());
    if (len > mc.max_position_embeddings || max_new[i] > mc.max_position_embeddings - len)
      throw Error("SequenceBatch: row " + std::to_string(b) + " (" + std::to_string(len) + " tokens) + max_new_tokens (" +
                  std::to_string(max_new[i]) + ") exceeds the model's max_position_embeddings (" +
                  std::to_string(mc.max_position_embeddings) + ")");
    A = std::max(A, n);
    most_new = std::max(most_new, max_new[i]);
  }

  c10::InferenceMode inference;
  // Roll the cache back to just past the last slot any row still uses; reserve room for the chunk and
  // the new tokens (a grown cache copies its slots; nothing is recomputed).
  int64_t head = 0;
  for (const auto& sl : slots_)
    if (!sl.empty()) head = std::max(head, sl.back() + 1);
  const int64_t need = head + A + most_new;
  if (!cache_) cache_ = std::make_unique<KVCache>(make_cache_or_explain(model_, B, need));
  else {
    cache_->rollback(head);
    if (need > cache_->capacity()) {
      try {
        cache_->reserve(std::max(need, cache_->capacity() + cache_->capacity() / 2));
      } catch (const std::bad_alloc&) {
        throw Error("SequenceBatch: out of memory growing the KV cache to " + std::to_string(need) + " slots");
      }
    }
  }

  // The chunk [B, A]: row b's tokens to pass sit in its last columns; everything else is masked.
  at::Tensor ids = at::full({B, A}, cfg.pad_id, at::kLong);
  at::Tensor mask = at::zeros({B, A}, at::kLong);
  at::Tensor positions = at::ones({B, A}, at::kLong);
  std::vector<Generation> out(R);
  int64_t passed = 0;
  {
    auto ids_a = ids.accessor<int64_t, 2>();
    auto mask_a = mask.accessor<int64_t, 2>();
    auto pos_a = positions.accessor<int64_t, 2>();
    for (int64_t i = 0; i < R; ++i) {
      const int64_t b = rows[i];
      auto& t = tokens_[b];
      if (!append.empty()) t.insert(t.end(), append[i].begin(), append[i].end());
      const int64_t c = static_cast<int64_t>(slots_[b].size()), n = static_cast<int64_t>(t.size()) - c;
      for (int64_t j = 0; j < n; ++j) {
        const int64_t col = A - n + j;
        ids_a[b][col] = t[c + j];
        mask_a[b][col] = 1;
        pos_a[b][col] = c + j;
        slots_[b].push_back(head + col);
      }
      passed += n;
      out[i].prompt_ids = t;
      out[i].prompt_tokens = static_cast<int64_t>(t.size());
    }
  }
  const bool chunk_full = passed == B * A;
  ForwardOptions opt;
  opt.use_adapter = cfg.use_adapter;
  opt.last_position_only = true;
  Sampler sampler({cfg.temperature, cfg.top_p, cfg.top_k}, cfg.seed);

  auto t0 = std::chrono::steady_clock::now();
  at::Tensor logits =
      model_.forward(ids, positions, cache_.get(), chunk_full ? at::Tensor() : mask, opt);  // [B, 1, V]
  logits = checked_logits(logits.select(1, 0), 0);
  const double prefill_s = seconds_since(t0);

  t0 = std::chrono::steady_clock::now();
  std::vector<bool> done(R, false);
  int64_t remaining = 0, steps = 0;
  for (int64_t i = 0; i < R; ++i) {
    done[i] = max_new[i] == 0;
    remaining += !done[i];
  }
  for (int64_t t = 0; remaining > 0; ++t) {
    if (cfg.vocab_limit > 0 && cfg.vocab_limit < logits.size(-1)) {
      logits = logits.clone();
      logits.narrow(-1, cfg.vocab_limit, logits.size(-1) - cfg.vocab_limit).fill_(-INFINITY);
    }
    auto [tok, lp] = sampler.sample(logits);  // [B], [B] on the CPU
    auto tok_a = tok.accessor<int64_t, 1>();
    auto lp_a = lp.accessor<float, 1>();
    at::Tensor step_ids = at::full({B, 1}, cfg.pad_id, at::kLong);
    at::Tensor step_mask = at::zeros({B, 1}, at::kLong);
    at::Tensor step_pos = at::ones({B, 1}, at::kLong);
    auto sid = step_ids.accessor<int64_t, 2>();
    auto smask = step_mask.accessor<int64_t, 2>();
    auto spos = step_pos.accessor<int64_t, 2>();
    int64_t fed = 0;
    for (int64_t i = 0; i < R; ++i) {
      if (done[i]) continue;
      const int64_t b = rows[i];
      Generation& g = out[i];
      g.ids.push_back(tok_a[b]);
      g.logprobs.push_back(lp_a[b]);
      tokens_[b].push_back(tok_a[b]);  // pending until fed below
      if (std::find(cfg.stop_ids.begin(), cfg.stop_ids.end(), tok_a[b]) != cfg.stop_ids.end()) {
        g.finish_reason = "stop_id";
      } else if (hit_stop_string(g, cfg, decode)) {
        g.finish_reason = "stop_string";
      } else if (static_cast<int64_t>(g.ids.size()) == max_new[i]) {
        g.finish_reason = "length";
      } else {
        // Still going: its token passes through the model at the next slot.
        sid[b][0] = tok_a[b];
        smask[b][0] = 1;
        spos[b][0] = static_cast<int64_t>(slots_[b].size());
        slots_[b].push_back(cache_->length());
        ++fed;
        continue;
      }
      done[i] = true;
      --remaining;
    }
    if (remaining == 0) break;
    logits = checked_logits(
        model_.forward(step_ids, step_pos, cache_.get(), fed == B ? at::Tensor() : step_mask, opt).select(1, 0), t + 1);
    ++steps;
  }
  const double decode_s = seconds_since(t0);

  const int64_t generated = finish_generations(out, decode);
  if (stats) {
    stats->batch = R;
    stats->prefill_tokens = passed;
    stats->prefill_seconds = prefill_s;
    stats->decode_steps = steps;
    stats->decode_seconds = decode_s;
    stats->generated_tokens = generated;
  }
  return out;
}

}  // namespace ps::lm
