#include "lm/tokenizer/bpe_trainer.h"

#include <algorithm>
#include <fstream>
#include <queue>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/fileio.h"
#include "lm/tokenizer/byte_level.h"
#include "lm/tokenizer/pretokenizer.h"
#include "lm/tokenizer/unicode.h"

namespace ps::tokenizer {

namespace {

using PairKey = uint64_t;
PairKey pair_key(int32_t a, int32_t b) { return (uint64_t(uint32_t(a)) << 32) | uint32_t(b); }
int32_t pair_left(PairKey k) { return int32_t(k >> 32); }
int32_t pair_right(PairKey k) { return int32_t(k & 0xFFFFFFFFu); }

struct Word {
  std::vector<int32_t> symbols;
  int64_t count;
};

// Splits `doc` around the added tokens and feeds each word of the rest to `add`.
template <typename Fn>
void words_of(const std::string& doc, const std::vector<std::string>& added, Fn&& add) {
  if (find_invalid_utf8(doc) != std::string::npos) throw Error("train_bpe: a document is not valid UTF-8");
  size_t start = 0;
  auto flush = [&](size_t end) {
    std::string_view seg(doc.data() + start, end - start);
    std::string normalized;
    if (nfc_normalize(seg, normalized)) seg = normalized;
    qwen_pretokenize(seg, [&](std::string_view w) { add(w); });
  };
  for (size_t pos = 0; pos < doc.size();) {
    size_t hit = 0;
    for (const auto& t : added) {
      if (t.size() > hit && doc.compare(pos, t.size(), t) == 0) hit = t.size();
    }
    if (hit == 0) {
      ++pos;
      continue;
    }
    flush(pos);
    pos += hit;
    start = pos;
  }
  flush(doc.size());
}

}  // namespace

TrainedBpe train_bpe(const std::vector<std::string>& documents, const BpeTrainerOptions& options) {
  if (options.num_merges < 0) throw Error("train_bpe: the number of merges must be >= 0");
  TrainedBpe out;
  out.special_tokens = options.special_tokens;
  out.non_special_tokens = options.non_special_tokens;
  std::vector<std::string> added = options.special_tokens;
  added.insert(added.end(), options.non_special_tokens.begin(), options.non_special_tokens.end());
  for (const auto& t : added) {
    if (t.empty()) throw Error("train_bpe: an added token is empty");
  }

  // The 256 byte tokens, ordered by the code point that stands for each byte (as in
  // GPT-2 and Qwen: id 0 is "!").
  std::vector<int> bytes(256);
  for (int b = 0; b < 256; ++b) bytes[b] = b;
  std::sort(bytes.begin(), bytes.end(), [](int x, int y) {
    return byte_to_unicode(static_cast<unsigned char>(x)) < byte_to_unicode(static_cast<unsigned char>(y));
  });
  int32_t byte_id[256];
  std::unordered_map<std::string, int32_t> token_ids;
  for (int k = 0; k < 256; ++k) {
    out.vocab.emplace_back(1, static_cast<char>(bytes[k]));
    byte_id[bytes[k]] = k;
    token_ids.emplace(out.vocab.back(), k);
  }

  // Word counts.
  std::unordered_map<std::string, int64_t> counts;
  for (const auto& doc : documents) words_of(doc, added, [&](std::string_view w) { ++counts[std::string(w)]; });
  std::vector<Word> words;
  words.reserve(counts.size());
  for (const auto& [w, c] : counts) {
    Word word{{}, c};
    for (unsigned char b : w) word.symbols.push_back(byte_id[b]);
    words.push_back(std::move(word));
  }
  // Deterministic order regardless of hash-map iteration.
  std::sort(words.begin(), words.end(), [](const Word& a, const Word& b) { return a.symbols < b.symbols; });

  // Pair counts and, per pair, the words that (may) contain it.
  std::unordered_map<PairKey, int64_t> pair_count;
  std::unordered_map<PairKey, std::vector<uint32_t>> where;
  for (uint32_t w = 0; w < words.size(); ++w) {
    const auto& s = words[w].symbols;
    for (size_t k = 0; k + 1 < s.size(); ++k) {
      const PairKey p = pair_key(s[k], s[k + 1]);
      pair_count[p] += words[w].count;
      auto& list = where[p];
      if (list.empty() || list.back() != w) list.push_back(w);
    }
  }
  // Max-heap on (count, then the smaller pair); stale entries are re-checked when popped.
  using Entry = std::tuple<int64_t, int64_t, int64_t>;  // count, -left, -right
  std::priority_queue<Entry> heap;
  for (const auto& [p, c] : pair_count) heap.emplace(c, -int64_t(pair_left(p)), -int64_t(pair_right(p)));

  while (static_cast<int>(out.merges.size()) < options.num_merges && !heap.empty()) {
    auto [count, nl, nr] = heap.top();
    heap.pop();
    const int32_t left = int32_t(-nl), right = int32_t(-nr);
    const PairKey p = pair_key(left, right);
    const int64_t current = pair_count[p];
    if (current != count) {  // stale
      if (current > 0) heap.emplace(current, nl, nr);
      continue;
    }
    if (count < options.min_frequency || count <= 0) break;

    // The merged token (an existing id when another merge path already made these bytes).
    const std::string merged_bytes = out.vocab[left] + out.vocab[right];
    int32_t merged;
    if (auto it = token_ids.find(merged_bytes); it != token_ids.end()) {
      merged = it->second;
    } else {
      merged = static_cast<int32_t>(out.vocab.size());
      out.vocab.push_back(merged_bytes);
      token_ids.emplace(merged_bytes, merged);
    }
    out.merges.emplace_back(left, right);

    // Rewrite every word that holds the pair: remove its old pairs, merge, add the new ones.
    std::unordered_set<PairKey> raised;
    const std::vector<uint32_t> affected = std::move(where[p]);
    where.erase(p);
    for (uint32_t w : affected) {
      Word& word = words[w];
      auto& s = word.symbols;
      bool has = false;
      for (size_t k = 0; k + 1 < s.size(); ++k) {
        if (s[k] == left && s[k + 1] == right) {
          has = true;
          break;
        }
      }
      if (!has) continue;
      for (size_t k = 0; k + 1 < s.size(); ++k) pair_count[pair_key(s[k], s[k + 1])] -= word.count;
      std::vector<int32_t> next;
      next.reserve(s.size());
      for (size_t k = 0; k < s.size(); ++k) {
        if (k + 1 < s.size() && s[k] == left && s[k + 1] == right) {
          next.push_back(merged);
          ++k;
        } else {
          next.push_back(s[k]);
        }
      }
      s.swap(next);
      for (size_t k = 0; k + 1 < s.size(); ++k) {
        const PairKey q = pair_key(s[k], s[k + 1]);
        pair_count[q] += word.count;
        raised.insert(q);
        auto& list = where[q];
        if (list.empty() || list.back() != w) list.push_back(w);
      }
    }
    pair_count[p] = 0;
    for (PairKey q : raised) {
      if (q != p && pair_count[q] > 0) heap.emplace(pair_count[q], -int64_t(pair_left(q)), -int64_t(pair_right(q)));
    }
  }
  return out;
}

std::string to_tokenizer_json(const TrainedBpe& bpe) {
  using ojson = nlohmann::ordered_json;
  const auto byte_level = [] {
    return ojson{{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", false}, {"use_regex", false}};
  };
  ojson added = ojson::array();
  int32_t next_id = static_cast<int32_t>(bpe.vocab.size());
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& t : pass == 0 ? bpe.special_tokens : bpe.non_special_tokens) {
      added.push_back(ojson{{"id", next_id++}, {"content", t}, {"single_word", false}, {"lstrip", false},
                            {"rstrip", false}, {"normalized", false}, {"special", pass == 0}});
    }
  }
  ojson vocab = ojson::object();
  for (size_t id = 0; id < bpe.vocab.size(); ++id) vocab[bytes_to_token_string(bpe.vocab[id])] = id;
  ojson merges = ojson::array();
  for (const auto& [l, r] : bpe.merges) {
    merges.push_back(ojson::array({bytes_to_token_string(bpe.vocab[l]), bytes_to_token_string(bpe.vocab[r])}));
  }
  ojson root{
      {"version", "1.0"},
      {"truncation", nullptr},
      {"padding", nullptr},
      {"added_tokens", added},
      {"normalizer", ojson{{"type", "NFC"}}},
      {"pre_tokenizer",
       ojson{{"type", "Sequence"},
             {"pretokenizers",
              ojson::array({ojson{{"type", "Split"},
                                  {"pattern", ojson{{"Regex", kQwenSplitPattern}}},
                                  {"behavior", "Isolated"},
                                  {"invert", false}},
                            byte_level()})}}},
      {"post_processor", byte_level()},
      {"decoder", byte_level()},
      {"model", ojson{{"type", "BPE"},
                      {"dropout", nullptr},
                      {"unk_token", nullptr},
                      {"continuing_subword_prefix", ""},
                      {"end_of_word_suffix", ""},
                      {"fuse_unk", false},
                      {"byte_fallback", false},
                      {"ignore_merges", false},
                      {"vocab", vocab},
                      {"merges", merges}}}};
  return root.dump(2) + "\n";
}

void save_tokenizer_json(const TrainedBpe& bpe, const std::string& path) {
  ps::write_file_atomic(path, to_tokenizer_json(bpe));
}

}  // namespace ps::tokenizer
