// The endpoint teacher's reading of what an OpenAI-compatible server sends back
// (core/teach/endpoint_client.h): a 2xx body (read_chat_response) and an error body
// (error_response_message). First input byte: which (even: 2xx, odd: error); the rest: the body.
// Neither may throw; every text they return is valid UTF-8 and never holds the API key.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/text.h"
#include "teach/endpoint_client.h"

static const std::string kKey = "sk-fuzzKEY123";

static void check_text(const std::string& s) {
  if (ps::find_invalid_utf8(s) != std::string::npos) std::abort();
  if (s.find(kKey) != std::string::npos) std::abort();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
    ps::teach::ChatResult r;
    ps::teach::read_chat_response(body, "http://127.0.0.1:1/v1/chat/completions", kKey, r);
    check_text(r.text);
    check_text(r.error);
    check_text(r.finish_reason);
    if (r.ok() == r.error.size() > 0) std::abort();
  } else {
    const std::string m = ps::teach::error_response_message(body, kKey);
    check_text(m);
    if (m.size() > 303 || m.find('\n') != std::string::npos) std::abort();
  }
  return 0;
}
