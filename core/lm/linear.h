// A bias-free linear layer with an optional LoRA adapter: the one place where weights meet activations.
#pragma once
#include <memory>
#include <vector>

#include <ATen/ATen.h>

namespace ps::lm {

// One LoRA adapter on one projection (PEFT): y += scaling · B(A(dropout(x))).
struct LoraWeights {
  at::Tensor A;          // [r, in_features]   kaiming-uniform init
  at::Tensor B;          // [out_features, r]  zero init: a new adapter is an exact no-op
  double scaling = 1.0;  // lora_alpha / r
  double dropout = 0.0;  // applied to x in training only
};

struct Linear {
  at::Tensor weight;                  // [out_features, in_features], y = x · Wᵀ
  std::shared_ptr<LoraWeights> lora;  // null: no adapter on this projection
};

// Per-call switches of a forward pass.
struct ForwardOptions {
  bool use_adapter = true;            // false: the frozen base model (the reference policy)
  bool training = false;              // enables LoRA dropout
  bool last_position_only = false;    // logits for the last position only: [B, 1, V]
  bool return_hidden = false;
  bool gradient_checkpointing = false;  // training: recompute each layer in backward instead of keeping its activations         // skip lm_head: return the final-norm hidden states [B, L, hidden]
  std::vector<at::Tensor>* trace = nullptr;  // when set: embeddings, each layer's output, final norm
};

// x [..., in] · Wᵀ with W [out, in] -> [..., out]: sgemv for one row, the skinny kernel for a
// few (decode at batch > 1), BLAS gemm for many.
at::Tensor matmul_wt(const at::Tensor& x, const at::Tensor& w);
// x [..., in] -> [..., out]
at::Tensor linear(const at::Tensor& x, const Linear& l, const ForwardOptions& opt);
// y + scaling · B(A(dropout(x))) when l has an active adapter, else y. For projections whose
// base product x·Wᵀ was computed fused with others (see LayerWeights::qkv).
at::Tensor add_lora(const at::Tensor& y, const at::Tensor& x, const Linear& l, const ForwardOptions& opt);

}  // namespace ps::lm
