#include "lm/tokenizer/word_cache.h"

namespace ps::tokenizer {

void WordCache::clear_and_resize(size_t capacity) {
  slots_.assign(capacity, Slot{0, 0, 0, 0, 0});
  mask_ = capacity - 1;
  count_ = 0;
  keys_.clear();
  ids_.clear();
}

void WordCache::insert(std::string_view word, uint64_t hash, const int32_t* ids, size_t n_ids) {
  if (word.empty() || word.size() > kMaxWordBytes) return;
  if (slots_.empty()) clear_and_resize(1 << 12);
  if ((count_ + 1) * 2 > slots_.size()) {
    if (slots_.size() >= 2 * kMaxEntries) {
      clear_and_resize(slots_.size());  // full: start over rather than grow without bound
    } else {
      // Rehash into twice the slots.
      std::vector<Slot> old;
      old.swap(slots_);
      slots_.assign(old.size() * 2, Slot{0, 0, 0, 0, 0});
      mask_ = slots_.size() - 1;
      for (const Slot& s : old) {
        if (s.key_len == 0) continue;
        size_t i = s.hash & mask_;
        while (slots_[i].key_len != 0) i = (i + 1) & mask_;
        slots_[i] = s;
      }
    }
  }
  size_t i = hash & mask_;
  while (slots_[i].key_len != 0) i = (i + 1) & mask_;
  slots_[i] = Slot{hash, static_cast<uint32_t>(keys_.size()), static_cast<uint32_t>(word.size()),
                   static_cast<uint32_t>(ids_.size()), static_cast<uint32_t>(n_ids)};
  keys_.append(word.data(), word.size());
  ids_.insert(ids_.end(), ids, ids + n_ids);
  ++count_;
}

}  // namespace ps::tokenizer
