#include "lm/kv_cache.h"

#include <string>

#include <c10/core/InferenceMode.h>

#include "common/error.h"

namespace ps::lm {

KVCache::KVCache(const ModelConfig& c, int64_t batch, int64_t capacity, at::Device device, at::ScalarType dtype)
    : batch_(batch), capacity_(capacity) {
  auto opts = at::TensorOptions().device(device).dtype(dtype);
  for (int64_t i = 0; i < c.num_layers; ++i) {
    keys_.push_back(at::zeros({batch, c.num_kv_heads, capacity, c.head_dim}, opts));
    values_.push_back(at::zeros({batch, c.num_kv_heads, capacity, c.head_dim}, opts));
  }
  key_mask_ = at::zeros({batch, capacity}, at::TensorOptions().device(device).dtype(at::kBool));
}

void KVCache::set_mask(const at::Tensor& mask, int64_t L) {
  if (length_ + L > capacity_)
    throw Error("KV cache: " + std::to_string(length_ + L) + " tokens exceed its capacity of " + std::to_string(capacity_));
  at::Tensor slots = key_mask_.narrow(1, length_, L);
  if (mask.defined()) {
    slots.copy_(mask.to(at::kBool));
    has_padding_ = true;  // conservative: a mask was given, so the attention bias is built
  } else {
    slots.fill_(true);
  }
}

std::pair<at::Tensor, at::Tensor> KVCache::append(int64_t layer, const at::Tensor& k, const at::Tensor& v) {
  const int64_t L = k.size(2);
  keys_[layer].narrow(2, length_, L).copy_(k);
  values_[layer].narrow(2, length_, L).copy_(v);
  return {keys_[layer].narrow(2, 0, length_ + L), values_[layer].narrow(2, 0, length_ + L)};
}

void KVCache::mask_slots(int64_t row, int64_t from, int64_t to) {
  c10::InferenceMode inference;  // the cache may hold inference tensors (made under generate's guard)
  if (row < 0 || row >= batch_ || from < 0 || from > to || to > length_)
    throw Error("KV cache: cannot mask slots [" + std::to_string(from) + ", " + std::to_string(to) + ") of row " +
                std::to_string(row) + " (" + std::to_string(batch_) + " rows, " + std::to_string(length_) + " slots filled)");
  if (from == to) return;
  key_mask_.select(0, row).narrow(0, from, to - from).fill_(false);
  has_padding_ = true;
}

void KVCache::rollback(int64_t length) {
  c10::InferenceMode inference;  // the cache may hold inference tensors (made under generate's guard)
  if (length < 0 || length > length_)
    throw Error("KV cache: cannot roll back to " + std::to_string(length) + " slots (" + std::to_string(length_) +
                " filled)");
  key_mask_.narrow(1, length, length_ - length).fill_(false);
  length_ = length;
}

void KVCache::reserve(int64_t capacity) {
  c10::InferenceMode inference;  // the cache may hold inference tensors (made under generate's guard)
  if (capacity <= capacity_) return;
  for (auto* list : {&keys_, &values_})
    for (auto& t : *list) {
      auto sizes = t.sizes().vec();
      sizes[2] = capacity;
      at::Tensor bigger = at::zeros(sizes, t.options());
      bigger.narrow(2, 0, length_).copy_(t.narrow(2, 0, length_));
      t = bigger;
    }
  at::Tensor mask = at::zeros({batch_, capacity}, key_mask_.options());
  mask.narrow(1, 0, length_).copy_(key_mask_.narrow(1, 0, length_));
  key_mask_ = mask;
  capacity_ = capacity;
}

void KVCache::select_rows(const std::vector<int64_t>& rows) {
  c10::InferenceMode inference;  // the cache may hold inference tensors (made under generate's guard)
  for (int64_t r : rows)
    if (r < 0 || r >= batch_)
      throw Error("KV cache: row " + std::to_string(r) + " out of range (" + std::to_string(batch_) + " rows)");
  at::Tensor idx = at::tensor(rows, at::kLong).to(key_mask_.device());
  for (auto* list : {&keys_, &values_})
    for (auto& t : *list) t = t.index_select(0, idx);
  key_mask_ = key_mask_.index_select(0, idx);
  batch_ = static_cast<int64_t>(rows.size());
}

void KVCache::reset() {
  length_ = 0;
  has_padding_ = false;
  key_mask_.fill_(false);
}

}  // namespace ps::lm
