// Bad input: every failure is a ps::Error whose message names the file and the field
// (or line), never a crash or a silently wrong tokenizer.
#include <gtest/gtest.h>

#include <string>

#include "common/error.h"
#include "lm/tokenizer/tokenizer.h"
#include "tiny_tokenizer.h"

using ps::tokenizer::Tokenizer;

namespace {

// Loads `text` from a file and returns the error message ("" if it loaded).
std::string load_text_error(const std::string& dir, const std::string& text) {
  const std::string path = tiny::write(dir + "/tokenizer.json", text);
  try {
    Tokenizer::from_file(path);
  } catch (const ps::Error& e) {
    return e.what();
  }
  return "";
}

std::string load_error(const std::string& dir, const nlohmann::json& j) { return load_text_error(dir, j.dump(1)); }

#define EXPECT_CONTAINS(haystack, needle) \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << "message: " << (haystack)

}  // namespace

TEST(TokenizerErrors, MissingFileOrFolder) {
  const std::string dir = tiny::temp_dir("missing");
  try {
    Tokenizer::from_file(dir + "/nope.json");
    FAIL() << "expected ps::Error";
  } catch (const ps::Error& e) {
    EXPECT_CONTAINS(e.what(), dir + "/nope.json");
  }
  try {
    Tokenizer::from_file(dir);  // a folder without tokenizer.json
    FAIL() << "expected ps::Error";
  } catch (const ps::Error& e) {
    EXPECT_CONTAINS(e.what(), dir);
    EXPECT_CONTAINS(e.what(), "tokenizer.json");
  }
}

TEST(TokenizerErrors, MalformedJsonNamesFileAndLine) {
  const std::string dir = tiny::temp_dir("malformed");
  const std::string good = tiny::make({{"a", "b"}}).dump(1);
  // Truncated in the middle of the file.
  std::string msg = load_text_error(dir, good.substr(0, good.size() / 2));
  EXPECT_CONTAINS(msg, dir + "/tokenizer.json:");
  EXPECT_CONTAINS(msg, "malformed JSON");
  // A syntax error on line 3.
  msg = load_text_error(dir, "{\n \"version\": \"1.0\",\n \"model\": {\"vocab\": {\"a\": 1,, }}\n}");
  EXPECT_CONTAINS(msg, dir + "/tokenizer.json:3:");
  EXPECT_TRUE(load_text_error(dir, good).empty());
  EXPECT_CONTAINS(load_text_error(dir, "[]"), "expected an object");
  EXPECT_CONTAINS(load_text_error(dir, ""), "malformed JSON");
}

TEST(TokenizerErrors, MissingOrWrongFieldsAreNamed) {
  const std::string dir = tiny::temp_dir("fields");
  auto j = tiny::make({{"a", "b"}});

  auto no_vocab = j;
  no_vocab["model"].erase("vocab");
  EXPECT_CONTAINS(load_error(dir, no_vocab), "model.vocab is missing");

  auto no_merges = j;
  no_merges["model"].erase("merges");
  EXPECT_CONTAINS(load_error(dir, no_merges), "model.merges is missing");

  auto no_model = j;
  no_model.erase("model");
  EXPECT_CONTAINS(load_error(dir, no_model), "field model is missing");

  auto vocab_not_object = j;
  vocab_not_object["model"]["vocab"] = nlohmann::json::array();
  EXPECT_CONTAINS(load_error(dir, vocab_not_object), "field model.vocab: expected an object");

  auto bad_id = j;
  bad_id["model"]["vocab"]["a"] = "one";
  EXPECT_CONTAINS(load_error(dir, bad_id), "model.vocab[\"a\"]");

  auto unknown_merge = j;
  unknown_merge["model"]["merges"].push_back({"zz", "q"});
  EXPECT_CONTAINS(load_error(dir, unknown_merge), "field model.merges[1]: \"zz\" is not in model.vocab");

  auto bad_merge = j;
  bad_merge["model"]["merges"].push_back({"a", "b", "c"});
  EXPECT_CONTAINS(load_error(dir, bad_merge), "model.merges[1]: expected a pair of strings");

  auto bad_merge_string = j;
  bad_merge_string["model"]["merges"] = {"a b c"};
  EXPECT_CONTAINS(load_error(dir, bad_merge_string), "model.merges[0]: expected \"left right\"");

  auto missing_merged = j;
  missing_merged["model"]["merges"].push_back({"b", "a"});  // "ba" is not in the vocabulary
  EXPECT_CONTAINS(load_error(dir, missing_merged), "model.merges[1]: the merged token \"ba\" is not in model.vocab");

  auto missing_byte = j;
  missing_byte["model"]["vocab"].erase("a");
  missing_byte["model"]["merges"] = nlohmann::json::array();
  EXPECT_CONTAINS(load_error(dir, missing_byte), "no token for byte 0x61");

  auto added_no_content = j;
  added_no_content["added_tokens"] = {{{"id", 300}}};
  EXPECT_CONTAINS(load_error(dir, added_no_content), "added_tokens[0].content is missing");

  auto added_lstrip = j;
  added_lstrip["added_tokens"] = {{{"id", 300}, {"content", "<m>"}, {"lstrip", true}}};
  EXPECT_CONTAINS(load_error(dir, added_lstrip), "added_tokens[0].lstrip: true is not supported");

  // Issue 15: ids far beyond the token count sized the id tables (id 1e9: out of memory; 1e8: 3.4 GB)
  auto added_huge = j;
  added_huge["added_tokens"] = {{{"id", 1000000000}, {"content", "<m>"}}};
  EXPECT_CONTAINS(load_error(dir, added_huge), "added_tokens[0].id: expected an integer in [0, 16777215]");
  auto added_sparse = j;
  added_sparse["added_tokens"] = {{{"id", 10000000}, {"content", "<m>"}}};
  EXPECT_CONTAINS(load_error(dir, added_sparse), "ids must be dense");
  auto vocab_huge = j;
  vocab_huge["model"]["vocab"]["a"] = int64_t{1} << 40;
  EXPECT_CONTAINS(load_error(dir, vocab_huge), "is outside [0, 16777215]");

  auto added_clash = j;
  added_clash["added_tokens"] = {{{"id", 97}, {"content", "<m>"}}};  // 97 is "a"
  EXPECT_CONTAINS(load_error(dir, added_clash), "added_tokens[0].id: 97 is already used");
}

TEST(TokenizerErrors, UnsupportedPipelinesAreRefused) {
  const std::string dir = tiny::temp_dir("unsupported");
  auto j = tiny::make({});

  auto wordpiece = j;
  wordpiece["model"]["type"] = "WordPiece";
  EXPECT_CONTAINS(load_error(dir, wordpiece), "model.type: 'WordPiece' is not supported");

  auto other_regex = j;
  other_regex["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"] = "\\s+";
  EXPECT_CONTAINS(load_error(dir, other_regex), "pre_tokenizer.pretokenizers[0].pattern");

  auto no_pre = j;
  no_pre.erase("pre_tokenizer");
  EXPECT_CONTAINS(load_error(dir, no_pre), "pre_tokenizer is missing");

  auto nfkc = j;
  nfkc["normalizer"] = {{"type", "NFKC"}};
  EXPECT_CONTAINS(load_error(dir, nfkc), "normalizer.type: 'NFKC' is not supported");

  auto fallback = j;
  fallback["model"]["byte_fallback"] = true;
  EXPECT_CONTAINS(load_error(dir, fallback), "model.byte_fallback");

  auto decoder = j;
  decoder["decoder"] = {{"type", "Metaspace"}};
  EXPECT_CONTAINS(load_error(dir, decoder), "decoder.type: 'Metaspace'");

  // Still loads with a null normaliser (then no NFC).
  auto no_norm = j;
  no_norm["normalizer"] = nullptr;
  EXPECT_TRUE(load_error(dir, no_norm).empty());
}

TEST(TokenizerErrors, BadTextAndIds) {
  const Tokenizer t = Tokenizer::from_json(tiny::make({}).dump(), "tiny.json");
  EXPECT_THROW(t.encode("ok \xFF bad"), ps::Error);       // not UTF-8
  EXPECT_THROW(t.encode("\xED\xA0\x80"), ps::Error);       // a UTF-8-encoded surrogate
  EXPECT_THROW(t.decode({1, 99999}), ps::Error);           // no such id
  EXPECT_THROW(t.decode({-1}), ps::Error);
  EXPECT_THROW(t.token_bytes(256), ps::Error);
  EXPECT_FALSE(t.token_string(256).has_value());
  EXPECT_EQ(t.decode({}), "");
  EXPECT_TRUE(t.encode("").empty());
}

// Issue 15: a key repeated in one object is refused (the later value would silently win), at the
// top level, in model, and in any other object; vocab tokens repeated are named by the loader.
TEST(TokenizerErrors, RepeatedKeysAreRefusedNamingTheKey) {
  const std::string dir = tiny::temp_dir("dupkeys");
  const std::string good = tiny::make({{"a", "b"}}).dump();
  ASSERT_EQ(load_text_error(dir, good), "");
  auto with_member = [&](const std::string& member) { return "{" + member + "," + good.substr(1); };
  std::string msg = load_text_error(dir, with_member("\"model\":{\"type\":\"BPE\",\"vocab\":{},\"merges\":[]}"));
  EXPECT_CONTAINS(msg, dir + "/tokenizer.json");
  EXPECT_CONTAINS(msg, "field model: appears twice");
  msg = load_text_error(dir, with_member("\"added_tokens\":[]"));
  EXPECT_CONTAINS(msg, "field added_tokens: appears twice");
  std::string text = good;
  text.insert(text.find("\"model\":{") + 9, "\"type\":\"BPE\",");
  msg = load_text_error(dir, text);
  EXPECT_CONTAINS(msg, "field model.type: appears twice");
  msg = load_text_error(dir, with_member("\"extra\":{\"x\":1,\"x\":2}"));
  EXPECT_CONTAINS(msg, "key 'x' appears twice");
  // The same key in different objects is fine.
  EXPECT_EQ(load_text_error(dir, with_member("\"extra\":{\"type\":1,\"model\":{\"type\":2}}")), "");
}

// Issue 15, fault 1: deep nesting anywhere in the file is a clear error, never a stack overflow.
TEST(TokenizerErrors, DeepNestingIsBoundedNotASegfault) {
  const std::string dir = tiny::temp_dir("deep");
  const std::string good = tiny::make({{"a", "b"}}).dump();
  ASSERT_EQ(good.front(), '{');
  auto with_member = [&](const std::string& member) { return "{" + member + "," + good.substr(1); };
  auto deep = [](char open, char close, size_t n, const std::string& inner) {
    std::string s;
    for (size_t i = 0; i < n; ++i) s += open == '{' ? "{\"k\":" : std::string(1, open);
    s += inner;
    s += std::string(n, close);
    return s;
  };
  // The case: 50,000 '[' under an extra key (also unclosed: the limit triggers first).
  for (const std::string& v : {deep('[', ']', 50000, "1"), std::string(50000, '['), deep('{', '}', 50000, "1")}) {
    const std::string msg = load_text_error(dir, with_member("\"extra\":" + v));
    EXPECT_CONTAINS(msg, dir + "/tokenizer.json");
    EXPECT_CONTAINS(msg, "deeper than");
  }
  // Under model, in added_tokens, and as the whole file.
  auto j = tiny::make({{"a", "b"}});
  std::string text = j.dump();
  const std::string under_model = text.replace(text.find("\"model\":{") + 9, 0, "\"x\":" + deep('[', ']', 100000, "0") + ",");
  EXPECT_CONTAINS(load_text_error(dir, under_model), "deeper than");
  EXPECT_CONTAINS(load_text_error(dir, deep('[', ']', 100000, "0")), "expected an object");
  EXPECT_CONTAINS(load_text_error(dir, deep('{', '}', 100000, "0")), "deeper than");
  // Nesting that tokenizer.json files really have (a few levels; here 40) still loads.
  EXPECT_EQ(load_text_error(dir, with_member("\"extra\":" + deep('[', ']', 40, "1"))), "");
  // Siblings: trailing text, a second top-level value, comments, NaN literals.
  EXPECT_CONTAINS(load_text_error(dir, good + " {}"), "malformed JSON");
  EXPECT_CONTAINS(load_text_error(dir, "// c\n" + good), "malformed JSON");
  EXPECT_CONTAINS(load_text_error(dir, with_member("\"extra\":NaN")), "malformed JSON");
  // Vocabulary ids beyond 64 bits or not integers are named.
  auto big = tiny::make({});
  big["model"]["vocab"]["a"] = 18446744073709551615ull;
  EXPECT_CONTAINS(load_error(dir, big), "model.vocab[\"a\"]");
  big["model"]["vocab"]["a"] = 1.5;
  EXPECT_CONTAINS(load_error(dir, big), "model.vocab[\"a\"]: expected an integer");
}
