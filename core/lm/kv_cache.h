// Key/value cache for incremental decoding, preallocated once per generation:
//   keys[layer], values[layer]: [B, n_kv_heads, capacity, head_dim]
//   key_mask: [B, capacity], 1 where a slot holds a real token, 0 for left padding.
// Slots are filled left to right; a forward pass over L new tokens writes slots
// [length, length + L) in every layer, then advance(L) moves the end.
// Continuation (lm::SequenceBatch, generate.h): mask_slots() turns a row's slots into holes (key_mask 0,
// never attended to again), rollback() moves the end back over slots no row uses, reserve() grows the
// capacity by copying what is cached, select_rows() keeps some rows. None of them recomputes anything.
#pragma once
#include <utility>
#include <vector>

#include <ATen/ATen.h>

#include "lm/config.h"

namespace ps::lm {

class KVCache {
 public:
  KVCache(const ModelConfig& config, int64_t batch, int64_t capacity, at::Device device, at::ScalarType dtype);

  int64_t batch() const { return batch_; }
  int64_t capacity() const { return capacity_; }
  int64_t length() const { return length_; }   // slots filled so far
  bool has_padding() const { return has_padding_; }

  // Records which of the next L slots are padding; mask [B, L] of 0/1 (undefined: all real).
  void set_mask(const at::Tensor& mask, int64_t L);
  // key_mask over slots [0, length + L): [B, length + L]
  at::Tensor mask_upto(int64_t L) const { return key_mask_.narrow(1, 0, length_ + L); }
  // Stores k, v [B, n_kv, L, d] of `layer` in slots [length, length + L) and returns the
  // cached keys and values over slots [0, length + L): [B, n_kv, length + L, d].
  std::pair<at::Tensor, at::Tensor> append(int64_t layer, const at::Tensor& k, const at::Tensor& v);
  void advance(int64_t L) { length_ += L; }
  void reset();

  // Marks slots [from, to) of `row` as holes: key_mask 0, so no later query attends to them.
  // ps::Error when the range is outside [0, length].
  void mask_slots(int64_t row, int64_t from, int64_t to);
  // Moves the end back to `length` (<= length()); the slots from there on are free and unmasked.
  // The caller guarantees no row needs them (their contents are overwritten by the next append).
  void rollback(int64_t length);
  // Grows the capacity to at least `capacity` slots: new tensors, the filled slots copied over.
  void reserve(int64_t capacity);
  // Keeps only `rows` (indices into the current rows, in that order): [B', n_kv_heads, capacity, head_dim].
  void select_rows(const std::vector<int64_t>& rows);

 private:
  int64_t batch_, capacity_, length_ = 0;
  bool has_padding_ = false;
  std::vector<at::Tensor> keys_, values_;
  at::Tensor key_mask_;
};

}  // namespace ps::lm
