#include "lm/logprobs.h"

#include <torch/csrc/autograd/custom_function.h>

#include <cmath>

#include "common/error.h"

namespace ps::lm {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// log softmax(h·Wᵀ/T)[target] for rows [r0, r0 + n): returns (logp [n], logsumexp [n], entropy [n]).
struct ChunkResult {
  at::Tensor logp, lse, entropy, argmax;
};

ChunkResult chunk_forward(const at::Tensor& h, const at::Tensor& w, const at::Tensor& tgt, double inv_t, bool entropy,
                          bool argmax = false) {
  at::Tensor z = at::matmul(h, w.t()).to(at::kFloat);  // [n, V]
  if (inv_t != 1.0) z.mul_(inv_t);
  at::Tensor lse = at::logsumexp(z, -1);                                   // [n]
  at::Tensor logp = z.gather(1, tgt.view({-1, 1})).squeeze(1) - lse;       // [n]
  at::Tensor ent;
  if (entropy) {
    at::Tensor p = at::exp(z - lse.unsqueeze(1));
    ent = lse - (p * z).sum(-1);  // H = −Σ p log p = lse − Σ p z
  }
  return {logp, lse, ent, argmax ? z.argmax(-1) : at::Tensor()};
}

class SelectiveLogSoftmax : public torch::autograd::Function<SelectiveLogSoftmax> {
 public:
  // hidden [N, H], weight [V, H], targets [N] -> {logp [N], entropy [N] or [0], argmax [N] or [0]}
  static tensor_list forward(AutogradContext* ctx, const at::Tensor& hidden, const at::Tensor& weight,
                             const at::Tensor& targets, double temperature, int64_t chunk_rows, bool entropy,
                             bool argmax) {
    const int64_t N = hidden.size(0);
    const double inv_t = 1.0 / temperature;
    at::Tensor logp = at::empty({N}, hidden.options().dtype(at::kFloat));
    at::Tensor lse = at::empty({N}, hidden.options().dtype(at::kFloat));
    at::Tensor ent = at::empty({entropy ? N : 0}, hidden.options().dtype(at::kFloat));
    at::Tensor amax = at::empty({argmax ? N : 0}, hidden.options().dtype(at::kLong));
    for (int64_t r0 = 0; r0 < N; r0 += chunk_rows) {
      const int64_t n = std::min(chunk_rows, N - r0);
      auto c = chunk_forward(hidden.narrow(0, r0, n), weight, targets.narrow(0, r0, n), inv_t, entropy, argmax);
      logp.narrow(0, r0, n).copy_(c.logp);
      lse.narrow(0, r0, n).copy_(c.lse);
      if (entropy) ent.narrow(0, r0, n).copy_(c.entropy);
      if (argmax) amax.narrow(0, r0, n).copy_(c.argmax);
    }
    ctx->save_for_backward({hidden, weight, targets, lse});
    ctx->saved_data["inv_t"] = inv_t;
    ctx->saved_data["chunk"] = chunk_rows;
    ctx->mark_non_differentiable({ent, amax});
    return {logp, ent, amax};
  }

  // d logp_i / d z_i = (onehot(target_i) − softmax(z_i)) / T, z = h·Wᵀ (recomputed per chunk)
  static tensor_list backward(AutogradContext* ctx, tensor_list grad_out) {
    auto saved = ctx->get_saved_variables();
    const at::Tensor& hidden = saved[0];
    const at::Tensor& weight = saved[1];
    const at::Tensor& targets = saved[2];
    const at::Tensor& lse = saved[3];
    const double inv_t = ctx->saved_data["inv_t"].toDouble();
    const int64_t chunk = ctx->saved_data["chunk"].toInt();
    const at::Tensor g = grad_out[0].to(at::kFloat);  // [N]
    const int64_t N = hidden.size(0);
    const bool need_h = ctx->needs_input_grad(0), need_w = ctx->needs_input_grad(1);
    at::Tensor grad_h = need_h ? at::zeros_like(hidden) : at::Tensor();
    at::Tensor grad_w = need_w ? at::zeros(weight.sizes(), weight.options().dtype(at::kFloat)) : at::Tensor();
    for (int64_t r0 = 0; r0 < N; r0 += chunk) {
      const int64_t n = std::min(chunk, N - r0);
      at::Tensor h = hidden.narrow(0, r0, n);
      at::Tensor z = at::matmul(h, weight.t()).to(at::kFloat);                    // [n, V]
      if (inv_t != 1.0) z.mul_(inv_t);
      at::Tensor p = at::exp(z - lse.narrow(0, r0, n).unsqueeze(1));             // softmax [n, V]
      at::Tensor gn = g.narrow(0, r0, n).unsqueeze(1);                            // [n, 1]
      at::Tensor dz = p.mul_(gn).neg_();                                          // −g·p
      dz.scatter_add_(1, targets.narrow(0, r0, n).view({-1, 1}), gn);             // + g at the target
      if (inv_t != 1.0) dz.mul_(inv_t);
      at::Tensor dz_c = dz.to(hidden.scalar_type());
      if (need_h) grad_h.narrow(0, r0, n).copy_(at::matmul(dz_c, weight));        // [n, H]
      if (need_w) grad_w.add_(at::matmul(dz.t(), h.to(at::kFloat)));              // [V, H]
    }
    return {grad_h, need_w ? grad_w.to(weight.scalar_type()) : at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(),
            at::Tensor(), at::Tensor()};
  }
};

}  // namespace

SelectiveResult selective_log_softmax(const at::Tensor& hidden, const at::Tensor& weight, const at::Tensor& targets,
                                      double temperature, int64_t chunk_rows, bool with_entropy, bool with_argmax) {
  if (!(temperature > 0) || !std::isfinite(temperature)) throw Error("log-probs: temperature must be finite and > 0");
  if (chunk_rows < 1) throw Error("log-probs: chunk_rows must be >= 1");
  if (hidden.dim() != 2 || weight.dim() != 2 || hidden.size(1) != weight.size(1) || targets.dim() != 1 ||
      targets.size(0) != hidden.size(0))
    throw Error("log-probs: expected hidden [N, H], weight [V, H], targets [N]");
  at::Tensor tgt = targets.to(hidden.device(), at::kLong).contiguous();
  SelectiveResult r;
  if (!at::GradMode::is_enabled() || !(hidden.requires_grad() || weight.requires_grad())) {
    at::NoGradGuard no_grad;
    const int64_t N = hidden.size(0);
    r.logprobs = at::empty({N}, hidden.options().dtype(at::kFloat));
    if (with_entropy) r.entropy = at::empty({N}, hidden.options().dtype(at::kFloat));
    if (with_argmax) r.argmax = at::empty({N}, hidden.options().dtype(at::kLong));
    for (int64_t r0 = 0; r0 < N; r0 += chunk_rows) {
      const int64_t n = std::min(chunk_rows, N - r0);
      auto c = chunk_forward(hidden.narrow(0, r0, n), weight, tgt.narrow(0, r0, n), 1.0 / temperature, with_entropy, with_argmax);
      r.logprobs.narrow(0, r0, n).copy_(c.logp);
      if (with_entropy) r.entropy.narrow(0, r0, n).copy_(c.entropy);
      if (with_argmax) r.argmax.narrow(0, r0, n).copy_(c.argmax);
    }
    return r;
  }
  auto outs = SelectiveLogSoftmax::apply(hidden, weight, tgt, temperature, chunk_rows, with_entropy, with_argmax);
  r.logprobs = outs[0];
  if (with_entropy) r.entropy = outs[1];
  if (with_argmax) r.argmax = outs[2];
  return r;
}

at::Tensor positions_from_mask(const at::Tensor& mask) {
  at::Tensor m = mask.to(at::kLong);
  return (m.cumsum(1) - 1).masked_fill(m.eq(0), 1);
}

TokenLogprobs token_logprobs(const Model& model, const at::Tensor& ids, const at::Tensor& attention_mask,
                             const at::Tensor& positions, int64_t n_keep, const LogprobOptions& opt) {
  if (ids.dim() != 2) throw Error("log-probs: ids must be [B, L]");
  const int64_t B = ids.size(0), L = ids.size(1);
  if (n_keep < 1 || n_keep > L - 1)
    throw Error("log-probs: n_keep " + std::to_string(n_keep) + " outside [1, " + std::to_string(L - 1) + "]");
  ForwardOptions fo;
  fo.return_hidden = true;
  fo.use_adapter = opt.use_adapter;
  fo.training = opt.training;
  fo.gradient_checkpointing = opt.gradient_checkpointing;
  at::Tensor h = model.forward(ids, positions, nullptr, attention_mask, fo);  // [B, L, H]
  const int64_t Hd = h.size(2);
  at::Tensor hs = h.narrow(1, L - 1 - n_keep, n_keep).reshape({B * n_keep, Hd});               // [B·n_keep, H]
  at::Tensor tgt = ids.to(h.device(), at::kLong).narrow(1, L - n_keep, n_keep).reshape({B * n_keep});  // [B·n_keep]
  TokenLogprobs out;
  // The LoRA term of lm_head is never targeted (PEFT targets the seven projections), so the
  // head is the plain weight.
  auto r = selective_log_softmax(hs, model.weights().lm_head.weight, tgt, opt.temperature, opt.chunk_rows,
                                 opt.with_entropy, opt.with_argmax);
  out.logprobs = r.logprobs.view({B, n_keep});
  if (opt.with_entropy) out.entropy = r.entropy.view({B, n_keep});
  if (opt.with_argmax) out.argmax = r.argmax.view({B, n_keep});
  return out;
}

}  // namespace ps::lm
