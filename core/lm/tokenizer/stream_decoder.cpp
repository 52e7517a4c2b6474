#include "lm/tokenizer/stream_decoder.h"

#include "lm/tokenizer/unicode.h"

namespace ps::tokenizer {

namespace {

// Length of the tail of `s` that is the valid start of a UTF-8 character still missing
// bytes (0 if none): its lead byte is in the last 3 bytes and every byte after it fits.
size_t incomplete_tail(const std::string& s) {
  for (size_t back = 1; back <= 3 && back <= s.size(); ++back) {
    const auto lead = static_cast<unsigned char>(s[s.size() - back]);
    if ((lead & 0xC0) == 0x80) continue;  // a continuation byte: the lead is further back
    size_t need = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (lead >= 0xC2 && lead <= 0xDF) {
      need = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      need = 3;
      if (lead == 0xE0) lo = 0xA0;
      if (lead == 0xED) hi = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      need = 4;
      if (lead == 0xF0) lo = 0x90;
      if (lead == 0xF4) hi = 0x8F;
    }
    if (need <= back) return 0;  // ASCII, an invalid lead byte, or a complete character
    for (size_t k = 1; k < back; ++k) {
      const auto b = static_cast<unsigned char>(s[s.size() - back + k]);
      if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return 0;
    }
    return back;
  }
  return 0;
}

}  // namespace

std::string StreamDecoder::push(int32_t id) {
  const std::string bytes = tokenizer_.token_bytes(id);  // throws for an unknown id
  if (skip_special_ && tokenizer_.is_special(id)) return "";
  pending_ += bytes;
  const size_t hold = incomplete_tail(pending_);
  std::string out = to_valid_utf8_lossy(std::string_view(pending_).substr(0, pending_.size() - hold));
  pending_.erase(0, pending_.size() - hold);
  return out;
}

std::string StreamDecoder::finish() {
  std::string out = to_valid_utf8_lossy(pending_);
  pending_.clear();
  return out;
}

}  // namespace ps::tokenizer
