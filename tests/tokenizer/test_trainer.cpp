// The BPE trainer: trained on a synthetic corpus made here, its tokenizer.json must load
// with our loader, round-trip text exactly, and shorten token sequences as merges grow.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "lm/tokenizer/bpe_trainer.h"
#include "lm/tokenizer/byte_level.h"
#include "lm/tokenizer/tokenizer.h"
#include "tiny_tokenizer.h"

using namespace ps::tokenizer;

namespace {

// Sentences in the style of the prompts, from a fixed seed.
std::vector<std::string> corpus(size_t n, unsigned seed) {
  const std::vector<std::string> genes = {"MYC", "TP53", "GATA1", "BRCA1", "EGFR", "KRAS", "CDKN2A", "PIK3CA"};
  const std::vector<std::string> cells = {"K562", "RPE1", "HepG2", "Jurkat"};
  const std::vector<std::string> verbs = {"increases", "decreases", "does not change", "strongly reduces"};
  std::mt19937 rng(seed);
  auto pick = [&](const std::vector<std::string>& v) { return v[rng() % v.size()]; };
  std::vector<std::string> docs;
  for (size_t i = 0; i < n; ++i) {
    docs.push_back("Does a CRISPRi knockdown of " + pick(genes) + " in " + pick(cells) +
                   " cells result in differential expression of " + pick(genes) + "? The knockdown " +
                   pick(verbs) + " expression.\n<|im_end|>");
  }
  return docs;
}

size_t total_tokens(const Tokenizer& t, const std::vector<std::string>& docs) {
  size_t n = 0;
  for (const auto& d : docs) n += t.encode(d).size();
  return n;
}

}  // namespace

TEST(BpeTrainer, TrainedFileLoadsAndRoundTrips) {
  const auto docs = corpus(400, 1);
  BpeTrainerOptions opt;
  opt.num_merges = 100;
  const TrainedBpe bpe = train_bpe(docs, opt);
  EXPECT_EQ(bpe.merges.size(), 100u);
  const std::string dir = tiny::temp_dir("trainer");
  save_tokenizer_json(bpe, dir + "/tokenizer.json");
  const Tokenizer t = Tokenizer::from_file(dir);
  EXPECT_EQ(t.merges_count(), 100u);
  EXPECT_EQ(t.vocab_size(), static_cast<int>(bpe.vocab.size()) + 5);  // 3 special + <think>, </think>
  EXPECT_TRUE(t.is_special(t.token_id("<|im_end|>").value()));
  EXPECT_FALSE(t.is_special(t.token_id("</think>").value()));

  // Held-out text, with characters the corpus never had.
  const std::vector<std::string> held_out = {
      "Does a CRISPRi knockdown of STAT3 in K562 cells change SOX2?",
      "<|im_start|>assistant\n<think>\nMaybe.\n</think>\n\nYes \xE2\x80\x94 \xCE\xB2-catenin \xF0\x9F\xA7\xAC<|im_end|>",
      "  spaces\t\ttabs\r\nand 12345 digits  ", ""};
  for (const auto& text : held_out) {
    EXPECT_EQ(t.decode(t.encode(text)), text);
  }
  // Added tokens are never split, and the trained merges are used for frequent words.
  const auto ids = t.encode("<|im_end|> knockdown");
  EXPECT_EQ(ids.front(), t.token_id("<|im_end|>").value());
  EXPECT_LE(ids.size(), 3u);
}

TEST(BpeTrainer, MoreMergesGiveFewerTokens) {
  const auto train_docs = corpus(300, 2), test_docs = corpus(100, 3);
  size_t bytes = 0;
  for (const auto& d : test_docs) bytes += d.size() - std::string("<|im_end|>").size() + 1;
  std::vector<size_t> counts;
  for (int merges : {0, 20, 80, 200}) {
    BpeTrainerOptions opt;
    opt.num_merges = merges;
    const Tokenizer t = Tokenizer::from_json(to_tokenizer_json(train_bpe(train_docs, opt)), "trained.json");
    counts.push_back(total_tokens(t, test_docs));
  }
  EXPECT_EQ(counts[0], bytes);  // no merges: one token per byte (+1 per <|im_end|>)
  for (size_t k = 1; k < counts.size(); ++k) EXPECT_LT(counts[k], counts[k - 1]) << "step " << k;
  EXPECT_LT(counts.back() * 3, counts.front());  // 200 merges compress this corpus > 3x
}

TEST(BpeTrainer, MostFrequentPairFirstAndDeterministic) {
  // Pairs in "ab ab ab cd": (a,b) x3, (space,a) x2, (space,c) x1, (c,d) x1.
  BpeTrainerOptions opt;
  opt.num_merges = 10;
  opt.min_frequency = 2;
  const TrainedBpe bpe = train_bpe({"ab ab ab cd"}, opt);
  ASSERT_EQ(bpe.merges.size(), 2u);  // then (space, ab) x2; everything else occurs once
  EXPECT_EQ(bpe.vocab[bpe.merges[0].first] + bpe.vocab[bpe.merges[0].second], "ab");
  EXPECT_EQ(bpe.vocab[bpe.merges[1].first] + bpe.vocab[bpe.merges[1].second], " ab");
  EXPECT_EQ(to_tokenizer_json(bpe), to_tokenizer_json(train_bpe({"ab ab ab cd"}, opt)));
}
