// Memo of word -> token ids. Real text repeats a small set of words, so most words are
// encoded once; lookups hash the bytes and compare in place, without allocating.
#pragma once
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace ps::tokenizer {

class WordCache {
 public:
  static constexpr size_t kMaxWordBytes = 128;   // longer words are not cached
  static constexpr size_t kMaxEntries = 1 << 20; // the cache starts over when full

  // Appends the cached ids of `word` to out and returns true, or returns false.
  bool lookup(std::string_view word, uint64_t hash, std::vector<int32_t>& out) const {
    if (slots_.empty()) return false;
    for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.key_len == 0) return false;
      if (s.hash == hash && s.key_len == word.size() &&
          std::memcmp(keys_.data() + s.key_off, word.data(), word.size()) == 0) {
        out.insert(out.end(), ids_.begin() + s.ids_off, ids_.begin() + s.ids_off + s.ids_len);
        return true;
      }
    }
  }

  void insert(std::string_view word, uint64_t hash, const int32_t* ids, size_t n_ids);

  static uint64_t hash(std::string_view s) {
    // 64-bit multiply-mix over 8-byte blocks (wyhash-like); words are short.
    uint64_t h = 0x243F6A8885A308D3ull ^ s.size();
    size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
      uint64_t v;
      std::memcpy(&v, s.data() + i, 8);
      h = (h ^ v) * 0x9E3779B97F4A7C15ull;
      h ^= h >> 29;
    }
    uint64_t tail = 0;
    std::memcpy(&tail, s.data() + i, s.size() - i);
    h = (h ^ tail) * 0xBF58476D1CE4E5B9ull;
    h ^= h >> 31;
    h *= 0x94D049BB133111EBull;
    h ^= h >> 32;
    return h;
  }

 private:
  struct Slot {
    uint64_t hash;
    uint32_t key_off, key_len;  // key_len 0 = empty slot
    uint32_t ids_off, ids_len;
  };
  void clear_and_resize(size_t capacity);

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t count_ = 0;
  std::string keys_;
  std::vector<int32_t> ids_;
};

}  // namespace ps::tokenizer
