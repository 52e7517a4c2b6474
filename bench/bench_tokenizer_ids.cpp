// The identity check behind the tokenizer benchmark: encodes every line of a corpus
// with our tokenizer and writes the ids of line i on line i (space-separated), the
// format bench/peers/tokenize.js writes, so bench/driver.py can compare them.
//
//   bench_tokenizer_ids --tokenizer PATH --corpus FILE --ids-out FILE [--format lines|jsonl]
// --format jsonl: each corpus line is one JSON string (any text, newlines and controls included;
// scripts/tokenizer_diff.sh writes these).
// bench-needs: core/lm/tokenizer/tokenizer.h
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "lm/tokenizer/tokenizer.h"

int main(int argc, char** argv) {
  std::string tokenizer_path, corpus, ids_out, format = "lines";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--tokenizer") tokenizer_path = argv[i + 1];
    else if (a == "--corpus") corpus = argv[i + 1];
    else if (a == "--ids-out") ids_out = argv[i + 1];
    else if (a == "--format") format = argv[i + 1];
    else {
      std::fprintf(stderr, "bench_tokenizer_ids: unknown option %s\n", a.c_str());
      return 2;
    }
  }
  if (tokenizer_path.empty() || corpus.empty() || ids_out.empty() || (format != "lines" && format != "jsonl")) {
    std::fprintf(stderr, "usage: bench_tokenizer_ids --tokenizer PATH --corpus FILE --ids-out FILE [--format lines|jsonl]\n");
    return 2;
  }
  try {
    const auto tok = ps::tokenizer::Tokenizer::from_file(tokenizer_path);
    std::ifstream in(corpus, std::ios::binary);
    if (!in) throw ps::Error(ps::where(corpus, 0, "cannot open"));
    std::ofstream out(ids_out, std::ios::binary);
    std::string line, text;
    std::vector<int32_t> ids;
    size_t lines = 0, tokens = 0;
    while (std::getline(in, line)) {
      ids.clear();
      if (format == "jsonl") {
        const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
        if (!j.is_string()) throw ps::Error(ps::where(corpus, static_cast<long>(lines + 1), "expected a JSON string"));
        tok.encode_append(j.get<std::string>(), ids);
      } else {
        tok.encode_append(line, ids);
      }
      text.clear();
      for (size_t k = 0; k < ids.size(); ++k) {
        if (k) text += ' ';
        text += std::to_string(ids[k]);
      }
      out << text << '\n';
      ++lines;
      tokens += ids.size();
    }
    if (!out) throw ps::Error(ps::where(ids_out, 0, "cannot write"));
    std::printf("{\"lines\": %zu, \"tokens\": %zu}\n", lines, tokens);
  } catch (const ps::Error& e) {
    std::fprintf(stderr, "bench_tokenizer_ids: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
