// safetensors headers: a file of the input's bytes is opened (header validated by the reference
// reader's rules) and every tensor it lists is read back.
#include <cstdint>

#include "common/error.h"
#include "fuzz_util.h"
#include "lm/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& path = ps_fuzz::input_file(data, size, ".safetensors");
  try {
    ps::lm::SafetensorsFile f(path);
    for (const auto& e : f.entries()) {
      try {
        at::Tensor t = f.read(e.name);
        if (static_cast<uint64_t>(t.numel()) * t.element_size() != e.end - e.begin) __builtin_trap();
      } catch (const ps::Error&) {  // dtypes the reader validates but libtorch cannot hold
      }
    }
  } catch (const ps::Error&) {
  }
  return 0;
}
