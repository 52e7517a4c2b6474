// Gradient checkpointing (activation recomputation, as torch.utils.checkpoint's reentrant form):
// the forward pass of a block runs without recording autograd and keeps only its input; the
// backward pass runs the block again with autograd on, back-propagates the incoming gradient
// through it (parameter gradients accumulate into their leaves), and returns the input's
// gradient. The CPU generator's state is restored before the recomputation, so dropout draws the
// same masks. Memory: one block's activations at a time instead of every layer's.
#pragma once
#include <functional>

#include <ATen/ATen.h>

namespace ps::lm {

// y = fn(x) with x [..] -> y [..]; fn must be deterministic given the generator state and must
// not capture tensors that change between forward and backward.
at::Tensor checkpointed_layer(const std::function<at::Tensor(const at::Tensor&)>& fn, const at::Tensor& x);

}  // namespace ps::lm
