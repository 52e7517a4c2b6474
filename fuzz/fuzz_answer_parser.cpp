// The answer parser: never throws, and an accepted answer has a confidence in [0, 1] and a
// canonical form that parses back to the same answer.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "prompt/answer_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (bool truncated : {false, true}) {
    const ps::prompt::ParsedAnswer a = ps::prompt::parse_answer(text, truncated);
    if (!a.ok()) continue;
    if (!(a.confidence >= 0 && a.confidence <= 1)) std::abort();
    const std::string canonical = "</think>" + ps::prompt::format_answer(a.de, a.confidence, 6);
    const ps::prompt::ParsedAnswer b = ps::prompt::parse_answer(canonical);
    if (!b.ok() || b.de != a.de || std::fabs(b.confidence - a.confidence) > 1e-6) std::abort();
  }
  return 0;
}
