// GPT-2's byte-to-unicode mapping: byte-level BPE vocabularies store every byte as a
// printable code point (0x21-0x7E, 0xA1-0xAC, 0xAE-0xFF map to themselves; the 68 others
// to U+0100..U+0143, e.g. ' ' -> 'Ġ', '\n' -> 'Ċ'), so tokens are valid, visible strings.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace ps::tokenizer {

// The code point that stands for byte b.
char32_t byte_to_unicode(unsigned char b);

// Raw bytes -> the vocabulary form ("hello world" -> "helloĠworld").
std::string bytes_to_token_string(std::string_view bytes);

// Vocabulary form -> raw bytes; nullopt when a code point is not in the mapping
// or `token` is not valid UTF-8.
std::optional<std::string> token_string_to_bytes(std::string_view token);

}  // namespace ps::tokenizer
