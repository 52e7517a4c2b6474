#include "lm/kv_cache.h"

#include <string>

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

void KVCache::reset() {
  length_ = 0;
  has_padding_ = false;
  key_mask_.fill_(false);
}

}  // namespace ps::lm
