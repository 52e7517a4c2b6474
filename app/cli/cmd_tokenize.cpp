// perturbscope-cli tokenize: encode text to token ids, or decode ids to text, with a
// Hugging Face tokenizer.json (a file, or a model folder that holds one).
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/commands.h"
#include "common/error.h"
#include "lm/tokenizer/tokenizer.h"

namespace ps::cli {

namespace {

std::vector<int32_t> parse_ids(const std::string& list) {
  std::vector<int32_t> ids;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ',')) {
    size_t b = item.find_first_not_of(" \t"), e = item.find_last_not_of(" \t");
    if (b == std::string::npos) throw UsageError("tokenize: --decode has an empty item in '" + list + "'");
    item = item.substr(b, e - b + 1);
    char* end = nullptr;
    errno = 0;
    const long v = std::strtol(item.c_str(), &end, 10);
    if (*end != '\0' || errno != 0 || v < 0 || v > INT32_MAX)
      throw UsageError("tokenize: --decode: '" + item + "' is not a token id");
    ids.push_back(static_cast<int32_t>(v));
  }
  return ids;
}

}  // namespace

int cmd_tokenize(const Argv& argv) {
  Args args("tokenize", argv,
            {{"tokenizer", true, "tokenizer.json, or a model folder holding one (required)"},
             {"text", true, "text to encode"},
             {"file", true, "encode the contents of this UTF-8 file"},
             {"decode", true, "comma-separated ids to decode instead, e.g. 9707,11,1879"},
             {"skip-special", false, "with --decode: drop special tokens such as <|im_end|>"},
             {"tokens", false, "also print the token strings"},
             {"json", false, "print JSON"}});
  if (args.has("help")) {
    std::printf("usage: perturbscope-cli tokenize --tokenizer PATH (--text TEXT | --file FILE | --decode IDS) "
                "[--json]\n%s",
                args.help().c_str());
    return 0;
  }
  if (!args.positionals().empty()) throw UsageError("tokenize: unexpected argument '" + args.positionals()[0] + "'");
  if (!args.has("tokenizer")) throw UsageError("tokenize: --tokenizer is required");
  const int inputs = args.has("text") + args.has("file") + args.has("decode");
  if (inputs != 1) throw UsageError("tokenize: give exactly one of --text, --file, --decode");

  const auto tok = tokenizer::Tokenizer::from_file(args.get("tokenizer"));
  const bool as_json = args.has("json");

  if (args.has("decode")) {
    const std::string text = tok.decode(parse_ids(args.get("decode")), args.has("skip-special"));
    if (as_json) {
      std::printf("%s\n", nlohmann::json{{"text", text}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    } else {
      std::printf("%s\n", text.c_str());
    }
    return 0;
  }

  std::string text = args.get("text");
  if (args.has("file")) {
    std::ifstream in(args.get("file"), std::ios::binary);
    if (!in) throw Error(where(args.get("file"), 0, "cannot open"));
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const std::vector<int32_t> ids = tok.encode(text);
  if (as_json) {
    nlohmann::json out{{"ids", ids}};
    if (args.has("tokens")) {
      std::vector<std::string> strings;
      for (int32_t id : ids) strings.push_back(tok.token_string(id).value_or(""));
      out["tokens"] = strings;
    }
    std::printf("%s\n", out.dump().c_str());
  } else {
    std::string line;
    for (size_t k = 0; k < ids.size(); ++k) line += (k ? "," : "") + std::to_string(ids[k]);
    std::printf("%s\n", line.c_str());
    if (args.has("tokens")) {
      for (int32_t id : ids) std::printf("%d\t%s\n", id, tok.token_string(id).value_or("").c_str());
    }
  }
  return 0;
}

}  // namespace ps::cli
