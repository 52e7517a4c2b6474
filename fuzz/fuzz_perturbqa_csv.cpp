// The PerturbQA CSV reader: any bytes load or give a ps::Error naming the file; loaded items have
// non-empty UTF-8 symbols, labels 0/1 and a split.
#include <cstdint>
#include <cstdlib>

#include "common/error.h"
#include "common/text.h"
#include "data/perturbqa.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& path = ps_fuzz::input_file(data, size, ".csv");
  ps::data::LoadOptions opt;
  opt.allowed_splits.clear();
  try {
    const auto ds = ps::data::load_perturbqa_csv(path, opt);
    for (const auto& it : ds.items) {
      if (it.pert.empty() || it.gene.empty() || it.split.empty() || (it.label != 0 && it.label != 1)) std::abort();
      if (ps::find_invalid_utf8(it.pert) != std::string::npos || ps::find_invalid_utf8(it.gene) != std::string::npos)
        std::abort();
    }
  } catch (const ps::Error& e) {
    if (std::string(e.what()).find(path) == std::string::npos) std::abort();  // errors name the file
  }
  return 0;
}
