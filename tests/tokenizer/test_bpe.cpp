// BPE behaviour on small synthetic vocabularies: merge ranks, both merge formats,
// long words, added tokens, decode.
#include <gtest/gtest.h>

#include <random>
#include <thread>

#include "common/error.h"
#include "lm/tokenizer/stream_decoder.h"
#include "lm/tokenizer/tokenizer.h"
#include "tiny_tokenizer.h"

using ps::tokenizer::Tokenizer;

namespace {

Tokenizer load(const nlohmann::json& j) { return Tokenizer::from_json(j.dump(), "tiny.json"); }
int32_t id(const Tokenizer& t, const std::string& raw) {
  return t.token_id(ps::tokenizer::bytes_to_token_string(raw)).value();
}

}  // namespace

TEST(Bpe, MergesGivenAsPairsOrStringsEncodeTheSame) {
  const std::vector<std::pair<std::string, std::string>> merges = {
      {"h", "e"}, {"l", "l"}, {"he", "ll"}, {"hell", "o"}, {" ", "w"}};
  const Tokenizer pairs = load(tiny::make(merges, false));
  const Tokenizer strings = load(tiny::make(merges, true));
  const std::string text = "hello hello world";
  EXPECT_EQ(pairs.encode(text), strings.encode(text));
  // "hello" becomes one token; " hello" is " " + "hello" (no merge joins the space and h).
  const std::vector<int32_t> expected = {id(pairs, "hello"), ' ', id(pairs, "hello"), id(pairs, " w"),
                                         'o', 'r', 'l', 'd'};
  EXPECT_EQ(pairs.encode(text), expected);
  EXPECT_EQ(pairs.decode(pairs.encode(text)), text);
}

TEST(Bpe, LowerRankMergesFirst) {
  // "ell": with (e,l) ranked first the result is [el, l]; with (l,l) first, [e, ll].
  const Tokenizer el_first = load(tiny::make({{"e", "l"}, {"l", "l"}}));
  const Tokenizer ll_first = load(tiny::make({{"l", "l"}, {"e", "l"}}));
  EXPECT_EQ(el_first.encode("ell"), (std::vector<int32_t>{id(el_first, "el"), 'l'}));
  EXPECT_EQ(ll_first.encode("ell"), (std::vector<int32_t>{'e', id(ll_first, "ll")}));
  // Equal pairs merge left to right: "lll" -> [ll, l].
  EXPECT_EQ(ll_first.encode("lll"), (std::vector<int32_t>{id(ll_first, "ll"), 'l'}));
}

TEST(Bpe, ShortAndLongWordsAgree) {
  // Words up to 48 bytes use a rescan, longer ones a heap; both must give the same merges.
  const Tokenizer t = load(tiny::make({{"l", "l"}, {"ll", "ll"}}));
  const int32_t llll = id(t, "llll");
  for (size_t n : {8u, 40u, 48u, 49u, 1000u, 1001u}) {
    std::vector<int32_t> expected(n / 4, llll);
    if (n % 4 == 1) expected.push_back('l');
    EXPECT_EQ(t.encode(std::string(n, 'l')), expected) << "n=" << n;
  }
}

TEST(Bpe, AddedTokensMatchWholeLeftmostLongest) {
  const Tokenizer t = load(tiny::make({{"a", "b"}}, false, {{"<x>", true}, {"<x><y>", false}, {"<y>", false}}));
  const int32_t x = t.token_id("<x>").value(), xy = t.token_id("<x><y>").value(), y = t.token_id("<y>").value();
  EXPECT_EQ(t.encode("ab<x><y>ab"), (std::vector<int32_t>{id(t, "ab"), xy, id(t, "ab")}));
  EXPECT_EQ(t.encode("<x>ab<y>"), (std::vector<int32_t>{x, id(t, "ab"), y}));
  EXPECT_EQ(t.encode("<x ><y"), (std::vector<int32_t>{'<', 'x', ' ', '>', '<', 'y'}));
  // decode: special tokens can be skipped, non-special ones stay.
  EXPECT_EQ(t.decode({x, 'a', y}), "<x>a<y>");
  EXPECT_EQ(t.decode({x, 'a', y}, /*skip_special=*/true), "a<y>");
}

TEST(Bpe, NfcNormalisesBeforeSplitting) {
  const Tokenizer t = load(tiny::make({}));
  // "e" + COMBINING ACUTE ACCENT is encoded as the bytes of U+00E9.
  EXPECT_EQ(t.encode("e\xCC\x81"), t.encode("\xC3\xA9"));
  EXPECT_EQ(t.encode("\xC3\xA9"), (std::vector<int32_t>{0xC3, 0xA9}));
}

TEST(Bpe, DecodeReplacesBrokenUtf8) {
  const Tokenizer t = load(tiny::make({}));
  // The first byte of "é" alone is not valid UTF-8: it decodes to U+FFFD.
  EXPECT_EQ(t.decode({0xC3}), "\xEF\xBF\xBD");
  EXPECT_EQ(t.decode({'a', 0xC3, 0xA9}), "a\xC3\xA9");
}

TEST(Bpe, RepeatedEncodesAreIdenticalWithTheWordCache) {
  const Tokenizer t = load(tiny::make({{"h", "e"}, {"l", "l"}, {"he", "ll"}}));
  const std::string text = "hell hello shell hell hello shell";
  const auto first = t.encode(text);
  for (int k = 0; k < 3; ++k) EXPECT_EQ(t.encode(text), first);
  const Tokenizer copy = t;  // copies share the tables
  EXPECT_EQ(copy.encode(text), first);
}

TEST(Bpe, ConcurrentEncodesGiveTheSameIds) {
  // encode() is const and shared between threads (one of them uses the word cache).
  const Tokenizer t = load(tiny::make({{"h", "e"}, {"l", "l"}, {"he", "ll"}, {" ", "w"}}));
  std::string text;
  for (int i = 0; i < 200; ++i) text += "hello world " + std::to_string(i) + " shell wheel ";
  const auto expected = t.encode(text);
  std::vector<std::vector<int32_t>> got(4);
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&, k] {
      for (int rep = 0; rep < 20; ++rep) got[k] = t.encode(text);
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& g : got) EXPECT_EQ(g, expected);
}

TEST(StreamDecoder, PiecesJoinToTheFullDecode) {
  const Tokenizer t = load(tiny::make({{"a", "b"}}, false, {{"<s>", true}, {"<t>", false}}));
  const int32_t s = t.token_id("<s>").value(), tt = t.token_id("<t>").value();
  // Byte tokens cut multi-byte characters (é = C3 A9, 🧬 = F0 9F A7 AC), plus broken bytes.
  const std::vector<std::vector<int32_t>> cases = {
      {'a', 0xC3, 0xA9, 'b'},
      {0xF0, 0x9F, 0xA7, 0xAC, s, 'x', tt},
      {0xF0, 0x9F, 'a', 0xA7},        // an interrupted sequence: U+FFFD, like decode()
      {0xE0, 0x80, 'z', 0xC3},        // E0 80 can never be valid; a trailing lead byte
      {0xED, 0xA0, 0x80, 0xC3, 0xA9}  // an encoded surrogate is invalid
  };
  for (bool skip : {false, true}) {
    for (const auto& ids : cases) {
      ps::tokenizer::StreamDecoder stream(t, skip);
      std::string text;
      for (size_t k = 0; k < ids.size(); ++k) {
        const std::string piece = stream.push(ids[k]);
        text += piece;
      }
      text += stream.finish();
      EXPECT_EQ(text, t.decode(ids, skip));
    }
  }
  // Random byte-token sequences, biased towards UTF-8 lead and continuation bytes.
  std::mt19937 rng(5);
  const int32_t pool[] = {'a', 0xC3, 0xA9, 0xE0, 0xA0, 0xED, 0x9F, 0xF0, 0x90, 0xF4, 0x8F, 0xBF, 0x80, 0xFF, s};
  for (int rep = 0; rep < 2000; ++rep) {
    std::vector<int32_t> ids(rng() % 8);
    for (auto& id : ids) id = pool[rng() % (sizeof pool / sizeof pool[0])];
    ps::tokenizer::StreamDecoder stream(t);
    std::string text;
    for (int32_t id : ids) text += stream.push(id);
    text += stream.finish();
    ASSERT_EQ(text, t.decode(ids)) << "sequence " << rep;
  }
  // A character is emitted as soon as its last byte arrives.
  ps::tokenizer::StreamDecoder stream(t);
  EXPECT_EQ(stream.push(0xC3), "");
  EXPECT_EQ(stream.push(0xA9), "\xC3\xA9");
  EXPECT_THROW(stream.push(99999), ps::Error);
}
