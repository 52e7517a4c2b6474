// Byte-level BPE training for small models trained from scratch: learns N merges
// from a text corpus and writes a tokenizer.json in the Qwen layout (NFC, Qwen split
// regex, ByteLevel, BPE), which Tokenizer::from_file loads like any Hugging Face file.
//
// Algorithm (as Hugging Face's BpeTrainer): pre-tokenize the corpus into words with
// counts; start from the 256 byte tokens; repeatedly take the adjacent pair with the
// highest total count (ties: the smaller pair of ids), add the merged token, and
// rewrite every word containing the pair.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ps::tokenizer {

struct BpeTrainerOptions {
  int num_merges = 1000;
  int64_t min_frequency = 2;  // stop early when the best pair is rarer than this
  // Added tokens get ids after the vocabulary, in this order; they are cut out of the
  // corpus before training, so BPE never learns pieces of them.
  std::vector<std::string> special_tokens = {"<|endoftext|>", "<|im_start|>", "<|im_end|>"};
  std::vector<std::string> non_special_tokens = {"<think>", "</think>"};
};

struct TrainedBpe {
  std::vector<std::string> vocab;               // id -> raw bytes (256 byte tokens first)
  std::vector<std::pair<int32_t, int32_t>> merges;  // in rank order
  std::vector<std::string> special_tokens, non_special_tokens;
};

TrainedBpe train_bpe(const std::vector<std::string>& documents, const BpeTrainerOptions& options);

// The tokenizer.json text, and writing it (ps::Error naming the path on failure).
std::string to_tokenizer_json(const TrainedBpe& bpe);
void save_tokenizer_json(const TrainedBpe& bpe, const std::string& path);

}  // namespace ps::tokenizer
