// Options every command that loads a model shares: --device and --dtype.
#pragma once
#include <string>

#include <ATen/ATen.h>

namespace ps::cli {

// "cpu" or "cuda[:N]"; UsageError naming `command` otherwise, ps::Error when CUDA is absent.
at::Device parse_device(const std::string& command, const std::string& s);
// "float32"/"fp32", "bfloat16"/"bf16", "float16"/"fp16" (cuda only); UsageError naming `command`
// otherwise, and for float16 on a cpu device.
at::ScalarType parse_dtype(const std::string& command, const std::string& s, at::Device device);
// "float32", "bfloat16" or "float16".
const char* dtype_name(at::ScalarType t);

}  // namespace ps::cli
