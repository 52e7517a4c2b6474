#include "cli/model_options.h"

#include "cli/args.h"
#include "common/error.h"

namespace ps::cli {

at::ScalarType parse_dtype(const std::string& command, const std::string& s, at::Device device) {
  if (s == "float32" || s == "fp32") return at::kFloat;
  if (s == "bfloat16" || s == "bf16") return at::kBFloat16;
  if (s == "float16" || s == "fp16") {
    // libtorch's CPU kernels have no float16 matrix product ("addmm_impl_cpu_" not implemented).
    if (!device.is_cuda())
      throw UsageError(command + ": --dtype float16 needs --device cuda (on cpu use float32 or bfloat16)");
    return at::kHalf;
  }
  throw UsageError(command + ": --dtype must be float32, bfloat16 or float16 (cuda only), got '" + s + "'");
}

at::Device parse_device(const std::string& command, const std::string& s) {
  if (s == "cpu") return at::kCPU;
  // "cuda" or "cuda:N" exactly: anything else ("cuda1", "cuda:x") is a usage error, not libtorch's.
  const bool cuda = s == "cuda" || (s.size() > 5 && s.compare(0, 5, "cuda:") == 0 && s.size() <= 8 &&
                                    s.find_first_not_of("0123456789", 5) == std::string::npos);
  if (cuda) {
    if (!at::hasCUDA())
      throw Error(command + ": --device " + s + ": this libtorch was built without CUDA (or no GPU is visible)");
    return at::Device(s);
  }
  throw UsageError(command + ": --device must be cpu or cuda[:N], got '" + s + "'");
}

const char* dtype_name(at::ScalarType t) {
  return t == at::kFloat ? "float32" : t == at::kBFloat16 ? "bfloat16" : "float16";
}

}  // namespace ps::cli
