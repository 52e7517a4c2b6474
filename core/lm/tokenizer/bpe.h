// Byte-pair encoding of one pre-tokenized word: start from one symbol per byte, then
// repeatedly merge the adjacent pair with the lowest merge rank (leftmost on ties)
// until no adjacent pair has a merge. This is the rule of Hugging Face's BPE model.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

namespace ps::tokenizer {

class BpeMerges {
 public:
  // Ranks must be added in order (rank = number of merges added before).
  void reserve(size_t n);
  // Returns false when the pair (left, right) already has a merge (the first one wins).
  bool add(int32_t left, int32_t right, int32_t merged);
  size_t size() const { return count_; }

  // The merge of the pair, or false.
  bool find(int32_t left, int32_t right, int32_t& rank, int32_t& merged) const {
    if (slots_.empty()) return false;
    const uint64_t key = pack(left, right);
    for (size_t i = slot_of(key);; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.key == kEmpty) return false;
      if (s.key == key) {
        rank = s.rank;
        merged = s.merged;
        return true;
      }
    }
  }

  // Appends the ids of `word` (raw bytes, each byte has an id in byte_ids) to out.
  void encode_word(std::string_view word, const int32_t* byte_ids, std::vector<int32_t>& out) const;

 private:
  struct Slot {
    uint64_t key;
    int32_t rank;
    int32_t merged;
  };
  static constexpr uint64_t kEmpty = ~uint64_t(0);
  static uint64_t pack(int32_t a, int32_t b) { return (uint64_t(uint32_t(a)) << 32) | uint32_t(b); }
  size_t slot_of(uint64_t key) const { return size_t((key * 0x9E3779B97F4A7C15ull) >> shift_); }
  void grow();

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  int shift_ = 64;
  size_t count_ = 0;
};

}  // namespace ps::tokenizer
