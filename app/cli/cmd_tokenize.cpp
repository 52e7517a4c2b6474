// perturbscope-cli tokenize: encode text to token ids, or decode ids to text, with a
// Hugging Face tokenizer.json (a file, or a model folder that holds one).
#include <sys/stat.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <limits>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/commands.h"
#include "common/error.h"
#include "common/fileio.h"
#include "lm/tokenizer/bpe_trainer.h"
#include "lm/tokenizer/chat_template.h"
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

// --train: learn merges from a corpus and write a tokenizer.json that --tokenizer loads.
int train(const Args& args) {
  if (!args.has("out")) throw UsageError("tokenize: --train needs --out");
  tokenizer::BpeTrainerOptions opt;
  opt.num_merges = static_cast<int>(args.get_int("merges", 1000, 0, std::numeric_limits<int>::max()));
  opt.min_frequency = args.get_int("min-frequency", 2, 1, std::numeric_limits<long>::max());
  const std::string corpus = args.get("train");
  const std::string text = ps::read_file(corpus);  // a folder is an Error naming it
  if (text.empty()) throw Error(where(corpus, 0, "the corpus is empty"));
  const auto bpe = tokenizer::train_bpe({text}, opt);
  std::string out = args.get("out");
  struct stat st {};
  if (::stat(out.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) out += "/tokenizer.json";
  tokenizer::save_tokenizer_json(bpe, out);
  const auto check = tokenizer::Tokenizer::from_file(out);  // what we wrote must load
  if (args.has("json")) {
    std::printf("%s\n", nlohmann::json{{"path", out},
                                       {"merges", check.merges_count()},
                                       {"vocab_size", check.vocab_size()},
                                       {"corpus_bytes", text.size()},
                                       {"corpus_tokens", check.encode(text).size()}}
                            .dump()
                            .c_str());
  } else {
    std::printf("wrote %s: %zu merges, vocabulary %d\n", out.c_str(), check.merges_count(), check.vocab_size());
  }
  return 0;
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
             {"chat", false, "wrap the text as a user turn of the Qwen3 chat template (+ generation prompt)"},
             {"system", true, "with --chat: a system turn first"},
             {"no-thinking", false, "with --chat: enable_thinking=false (empty <think></think> block)"},
             {"train", true, "train a byte-level BPE on this UTF-8 corpus file instead (writes --out)"},
             {"merges", true, "with --train: number of merges (default 1000)"},
             {"min-frequency", true, "with --train: stop when the best pair occurs fewer times (default 2)"},
             {"out", true, "with --train: the tokenizer.json to write (or a folder for it)"},
             {"json", false, "print JSON"}});
  if (args.has("help")) {
    std::printf("usage: perturbscope-cli tokenize --tokenizer PATH (--text TEXT | --file FILE | --decode IDS) "
                "[--chat [--system TEXT] [--no-thinking]] "
                "[--json]\n       perturbscope-cli tokenize --train CORPUS --merges N --out PATH [--json]\n%s",
                args.help().c_str());
    return 0;
  }
  if (!args.positionals().empty()) throw UsageError("tokenize: unexpected argument '" + args.positionals()[0] + "'");
  if (args.has("train")) return train(args);
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
  if (args.has("file")) text = ps::read_file(args.get("file"));
  if (args.has("chat")) {
    std::vector<tokenizer::ChatMessage> messages;
    if (args.has("system")) messages.push_back({"system", args.get("system"), std::nullopt});
    messages.push_back({"user", text, std::nullopt});
    tokenizer::ChatTemplateOptions opt;
    opt.enable_thinking = !args.has("no-thinking");
    text = tokenizer::apply_qwen3_chat_template(messages, opt);
  } else if (args.has("system") || args.has("no-thinking")) {
    throw UsageError("tokenize: --system and --no-thinking need --chat");
  }
  const std::vector<int32_t> ids = tok.encode(text);
  if (as_json) {
    nlohmann::json out{{"ids", ids}};
    if (args.has("chat")) out["text"] = text;
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
