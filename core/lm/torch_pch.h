// Precompiled header for the modules that use libtorch (lm, train, ttc).
// Only ATen: the tensor library and autograd, not the torch::nn front end.
#pragma once
#include <ATen/ATen.h>
#include <c10/util/Optional.h>
