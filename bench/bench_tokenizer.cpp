// Tokenizer throughput: encodes a fixed corpus, one line per encode() call, and prints
// MB/s and tokens/s as JSON. The corpus is either a file (--corpus) or built from the
// PerturbQA DE pairs of one cell line as the prompts the pipeline sends:
//   "Does a CRISPRi knockdown of MYC (MYC proto-oncogene, bHLH transcription factor) in
//    K562 cells result in differential expression of TP53 (tumor protein p53)?"
// --write-corpus FILE saves that corpus so a peer (Hugging Face tokenizers) can encode
// exactly the same lines in the same run (see bench/README.md).
//
//   bench_tokenizer [--tokenizer PATH] [--corpus FILE | --cell k562 --split test|all]
//                   [--data DIR] [--repeat N] [--write-corpus FILE] [--whole]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/paths.h"
#include "lm/tokenizer/tokenizer.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::vector<std::string> split(const std::string& line, char sep) {
  std::vector<std::string> out;
  std::string item;
  std::stringstream in(line);
  while (std::getline(in, item, sep)) out.push_back(item);
  return out;
}

std::string cell_display(const std::string& cell) {
  if (cell == "k562" || cell == "k562_set") return "K562";
  if (cell == "rpe1") return "RPE1";
  if (cell == "hepg2") return "HepG2";
  if (cell == "jurkat") return "Jurkat";
  return cell;
}

std::vector<std::string> build_prompts(const std::string& data_dir, const std::string& cell, const std::string& split_name) {
  std::unordered_map<std::string, std::string> names;
  {
    const std::string path = data_dir + "/go_orghs_bioc316/gene_info.tsv";
    std::ifstream in(path);
    if (!in) throw ps::Error(ps::where(path, 0, "cannot open"));
    std::string line;
    std::getline(in, line);  // header: entrez_id symbol gene_name ...
    while (std::getline(in, line)) {
      auto f = split(line, '\t');
      if (f.size() >= 3) names.emplace(f[1], f[2]);
    }
  }
  const std::string path = data_dir + "/perturbqa/datasets/" + cell + "-de.csv";
  std::ifstream in(path);
  if (!in) throw ps::Error(ps::where(path, 0, "cannot open"));
  std::string line;
  std::getline(in, line);  // pert,gene,label,split
  auto describe = [&](const std::string& g) {
    auto it = names.find(g);
    return it == names.end() ? g : g + " (" + it->second + ")";
  };
  std::vector<std::string> prompts;
  const std::string cell_name = cell_display(cell);
  while (std::getline(in, line)) {
    auto f = split(line, ',');
    if (f.size() < 4) continue;
    if (split_name != "all" && f[3] != split_name) continue;
    prompts.push_back("Does a CRISPRi knockdown of " + describe(f[0]) + " in " + cell_name +
                      " cells result in differential expression of " + describe(f[1]) + "?");
  }
  return prompts;
}

}  // namespace

int main(int argc, char** argv) {
  std::string tokenizer_path, corpus, cell = "k562", split_name = "test", data, write_corpus;
  int repeat = 5;
  bool whole = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "bench_tokenizer: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--tokenizer") tokenizer_path = value();
    else if (a == "--corpus") corpus = value();
    else if (a == "--cell") cell = value();
    else if (a == "--split") split_name = value();
    else if (a == "--data") data = value();
    else if (a == "--repeat") repeat = std::max(1, std::atoi(value().c_str()));
    else if (a == "--write-corpus") write_corpus = value();
    else if (a == "--whole") whole = true;
    else {
      std::fprintf(stderr, "usage: bench_tokenizer [--tokenizer PATH] [--corpus FILE | --cell CELL --split test|train|all] "
                           "[--data DIR] [--repeat N] [--write-corpus FILE] [--whole]\n");
      return 2;
    }
  }
  try {
    if (tokenizer_path.empty()) {
      auto fx = ps::locate_fixtures();
      if (!fx) throw ps::Error("no --tokenizer given and the fixtures folder was not found");
      tokenizer_path = *fx + "/qwen3-tokenizer";
    }
    std::vector<std::string> lines;
    std::string corpus_name;
    if (!corpus.empty()) {
      std::ifstream in(corpus, std::ios::binary);
      if (!in) throw ps::Error(ps::where(corpus, 0, "cannot open"));
      std::string line;
      while (std::getline(in, line)) lines.push_back(line);
      corpus_name = corpus;
    } else {
      lines = build_prompts(ps::require_data(data).dir, cell, split_name);
      corpus_name = "perturbqa " + cell + "-de " + split_name + " prompts";
    }
    if (!write_corpus.empty()) {
      std::ofstream out(write_corpus, std::ios::binary);
      for (const auto& l : lines) out << l << '\n';
      if (!out) throw ps::Error(ps::where(write_corpus, 0, "cannot write"));
    }
    std::string joined;
    size_t bytes = 0;
    for (const auto& l : lines) bytes += l.size();
    if (whole) {
      for (const auto& l : lines) joined += l + "\n";
      bytes = joined.size();
    }

    auto t0 = Clock::now();
    const auto tok = ps::tokenizer::Tokenizer::from_file(tokenizer_path);
    const double load_s = seconds_since(t0);

    size_t tokens = 0;
    std::vector<double> times;
    std::vector<int32_t> ids;
    for (int r = 0; r <= repeat; ++r) {  // pass 0 starts with an empty word cache
      tokens = 0;
      t0 = Clock::now();
      if (whole) {
        ids.clear();
        tok.encode_append(joined, ids);
        tokens = ids.size();
      } else {
        for (const auto& l : lines) {
          ids.clear();
          tok.encode_append(l, ids);
          tokens += ids.size();
        }
      }
      times.push_back(seconds_since(t0));
    }
    const double first_s = times[0];
    std::vector<double> warm(times.begin() + 1, times.end());
    std::sort(warm.begin(), warm.end());
    const double median_s = warm[warm.size() / 2];
    nlohmann::json out{{"bench", "tokenizer"},
                       {"implementation", "perturbscope"},
                       {"tokenizer", tok.source()},
                       {"corpus", corpus_name},
                       {"mode", whole ? "whole corpus, one encode call" : "one encode call per line"},
                       {"lines", lines.size()},
                       {"bytes", bytes},
                       {"tokens", tokens},
                       {"load_s", load_s},
                       {"first_pass_s", first_s},
                       {"first_pass_mb_per_s", bytes / 1e6 / first_s},
                       {"repeat", repeat},
                       {"median_s", median_s},
                       {"mb_per_s", bytes / 1e6 / median_s},
                       {"tokens_per_s", tokens / median_s}};
    std::printf("%s\n", out.dump(2).c_str());
  } catch (const ps::Error& e) {
    std::fprintf(stderr, "bench_tokenizer: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
