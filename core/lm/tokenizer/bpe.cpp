#include "lm/tokenizer/bpe.h"

#include <queue>

namespace ps::tokenizer {

void BpeMerges::reserve(size_t n) {
  size_t cap = 16;
  while (cap < n * 2) cap <<= 1;
  if (cap <= slots_.size()) return;
  std::vector<Slot> old;
  old.swap(slots_);
  slots_.assign(cap, Slot{kEmpty, 0, 0});
  mask_ = cap - 1;
  shift_ = 64;
  for (size_t c = cap; c > 1; c >>= 1) --shift_;
  for (const Slot& s : old) {
    if (s.key == kEmpty) continue;
    size_t i = slot_of(s.key);
    while (slots_[i].key != kEmpty) i = (i + 1) & mask_;
    slots_[i] = s;
  }
}

void BpeMerges::grow() { reserve(slots_.empty() ? 8 : slots_.size()); }

bool BpeMerges::add(int32_t left, int32_t right, int32_t merged) {
  if ((count_ + 1) * 2 > slots_.size()) grow();
  const uint64_t key = pack(left, right);
  size_t i = slot_of(key);
  for (; slots_[i].key != kEmpty; i = (i + 1) & mask_) {
    if (slots_[i].key == key) return false;
  }
  slots_[i] = Slot{key, static_cast<int32_t>(count_), merged};
  ++count_;
  return true;
}

namespace {

// Short words: keep the symbols and the rank of each adjacent pair in small arrays and
// rescan for the minimum (O(n^2), but n is tiny and everything stays in cache).
constexpr size_t kShortWord = 48;
constexpr int32_t kNoMerge = INT32_MAX;

}  // namespace

void BpeMerges::encode_word(std::string_view word, const int32_t* byte_ids, std::vector<int32_t>& out) const {
  const size_t n = word.size();
  if (n == 0) return;
  if (n == 1) {
    out.push_back(byte_ids[static_cast<unsigned char>(word[0])]);
    return;
  }

  if (n <= kShortWord) {
    int32_t sym[kShortWord];
    int32_t rank[kShortWord];    // rank[k]: merge rank of (sym[k], sym[k+1])
    int32_t merged[kShortWord];  // merged[k]: the id that pair becomes
    size_t m = n;
    for (size_t k = 0; k < n; ++k) sym[k] = byte_ids[static_cast<unsigned char>(word[k])];
    for (size_t k = 0; k + 1 < m; ++k) {
      if (!find(sym[k], sym[k + 1], rank[k], merged[k])) rank[k] = kNoMerge;
    }
    while (m > 1) {
      size_t best = 0;
      for (size_t k = 1; k + 1 < m; ++k) {
        if (rank[k] < rank[best]) best = k;
      }
      if (rank[best] == kNoMerge) break;
      sym[best] = merged[best];
      // Drop symbol best+1 and pair best+1 (now absorbed).
      for (size_t k = best + 1; k + 1 < m; ++k) {
        sym[k] = sym[k + 1];
        rank[k] = rank[k + 1];
        merged[k] = merged[k + 1];
      }
      --m;
      if (best > 0 && !find(sym[best - 1], sym[best], rank[best - 1], merged[best - 1])) rank[best - 1] = kNoMerge;
      if (best + 1 < m && !find(sym[best], sym[best + 1], rank[best], merged[best])) rank[best] = kNoMerge;
    }
    out.insert(out.end(), sym, sym + m);
    return;
  }

  // Long words: a linked list of symbols and a heap of candidate merges ordered by
  // (rank, position); stale heap entries are skipped when popped. O(n log n).
  struct Symbol {
    int32_t id;
    int32_t prev, next;  // -1 at the ends
  };
  std::vector<Symbol> syms(n);
  for (size_t k = 0; k < n; ++k) {
    syms[k] = Symbol{byte_ids[static_cast<unsigned char>(word[k])], int32_t(k) - 1,
                     k + 1 < n ? int32_t(k + 1) : -1};
  }
  struct Candidate {
    int32_t rank, pos, left, right;
    bool operator>(const Candidate& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
  };
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<Candidate>> heap;
  auto push = [&](int32_t pos) {
    const int32_t nx = syms[pos].next;
    if (nx < 0) return;
    int32_t r, mg;
    if (find(syms[pos].id, syms[nx].id, r, mg)) heap.push(Candidate{r, pos, syms[pos].id, syms[nx].id});
  };
  for (size_t k = 0; k + 1 < n; ++k) push(int32_t(k));
  while (!heap.empty()) {
    const Candidate c = heap.top();
    heap.pop();
    Symbol& left = syms[c.pos];
    if (left.id < 0 || left.id != c.left || left.next < 0 || syms[left.next].id != c.right) continue;
    int32_t r, mg;
    find(c.left, c.right, r, mg);
    Symbol& right = syms[left.next];
    left.id = mg;
    left.next = right.next;
    if (right.next >= 0) syms[right.next].prev = c.pos;
    right.id = -1;  // removed
    if (left.prev >= 0) push(left.prev);
    push(c.pos);
  }
  for (int32_t k = 0; k >= 0; k = syms[k].next) out.push_back(syms[k].id);
}

}  // namespace ps::tokenizer
