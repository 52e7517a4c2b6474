// Decodes ids one at a time as a model generates them (for live output and stop
// strings): push() returns the text the new id completes, holding back the bytes of a
// UTF-8 character split across tokens. Concatenating every push() and finish() gives
// exactly Tokenizer::decode of all the ids.
#pragma once
#include <cstdint>
#include <string>

#include "lm/tokenizer/tokenizer.h"

namespace ps::tokenizer {

class StreamDecoder {
 public:
  explicit StreamDecoder(const Tokenizer& tokenizer, bool skip_special = false)
      : tokenizer_(tokenizer), skip_special_(skip_special) {}

  std::string push(int32_t id);  // ps::Error for an unknown id
  std::string finish();          // the held-back bytes (U+FFFD if incomplete)

 private:
  Tokenizer tokenizer_;  // shares the loaded tables
  bool skip_special_;
  std::string pending_;  // bytes of an incomplete UTF-8 character
};

}  // namespace ps::tokenizer
