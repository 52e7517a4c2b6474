#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "common/text.h"

namespace fs = std::filesystem;

TEST(Text, SplitCsvHandlesQuotesAndEmptyFields) {
  std::vector<std::string> f;
  ASSERT_TRUE(ps::split_csv("a,\"b,c\",,\"say \"\"hi\"\"\"", f));
  EXPECT_EQ(f, (std::vector<std::string>{"a", "b,c", "", "say \"hi\""}));
  ASSERT_TRUE(ps::split_csv("", f));
  EXPECT_EQ(f, (std::vector<std::string>{""}));
  EXPECT_FALSE(ps::split_csv("a,\"open", f)) << "an unbalanced quote is malformed";
  ASSERT_TRUE(ps::split_csv("x\ty", f, '\t'));
  EXPECT_EQ(f.size(), 2u);
}

TEST(Text, CsvFieldRoundTrips) {
  std::vector<std::string> in = {"plain", "with,comma", "with \"quote\"", "", "k562|A|B"};
  std::vector<std::string> out;
  ASSERT_TRUE(ps::split_csv(ps::join_csv(in), out));
  EXPECT_EQ(out, in);
  EXPECT_EQ(ps::csv_field("plain"), "plain");
  EXPECT_EQ(ps::csv_field("a\"b"), "\"a\"\"b\"");
}

TEST(Text, SplitTsvKeepsEmptyFields) {
  EXPECT_EQ(ps::split_tsv("a\t\tc\t"), (std::vector<std::string>{"a", "", "c", ""}));
}

TEST(Text, LineReaderStripsCrlfCountsLinesAndReadsALastLineWithoutNewline) {
  fs::path p = fs::temp_directory_path() / ("ps_text_" + std::to_string(::getpid()) + ".txt");
  std::ofstream(p, std::ios::binary) << "one\r\ntwo\n\nlast";
  ps::LineReader r(p.string());
  std::string line;
  std::vector<std::string> lines;
  while (r.next(line)) lines.push_back(line);
  EXPECT_EQ(lines, (std::vector<std::string>{"one", "two", "", "last"}));
  EXPECT_EQ(r.line_number(), 4);
  EXPECT_EQ(r.bytes_read(), 14);
  fs::remove(p);
  try {
    ps::LineReader missing(p.string());
    FAIL();
  } catch (const ps::Error& e) {
    EXPECT_NE(std::string(e.what()).find(p.string()), std::string::npos);
  }
}

TEST(Text, Trim) { EXPECT_EQ(ps::trim("  a b \t\n"), "a b"); }

// Issue 15, fault 7: RFC 4180 exactly, and malformed records are refused, not repaired.
TEST(Text, SplitCsvFollowsRfc4180) {
  std::vector<std::string> f;
  std::string err;
  ASSERT_TRUE(ps::split_csv("\"AB\"\"C\",x", f, ',', &err));
  EXPECT_EQ(f, (std::vector<std::string>{"AB\"C", "x"}));
  ASSERT_TRUE(ps::split_csv("\"\",\"\"\"\",", f));
  EXPECT_EQ(f, (std::vector<std::string>{"", "\"", ""}));
  EXPECT_FALSE(ps::split_csv("\"AARS2\"X,B", f, ',', &err)) << "text after the closing quote";
  EXPECT_NE(err.find("field 1"), std::string::npos) << err;
  EXPECT_FALSE(ps::split_csv("a,AB\"C", f, ',', &err)) << "a quote inside an unquoted field";
  EXPECT_NE(err.find("field 2"), std::string::npos) << err;
  EXPECT_FALSE(ps::split_csv("a,\"b\"\"", f, ',', &err)) << "open after an escaped quote";
}

TEST(Text, FindInvalidUtf8) {
  EXPECT_EQ(ps::find_invalid_utf8("plain"), std::string::npos);
  EXPECT_EQ(ps::find_invalid_utf8("IFN\xCE\xB3 \xE2\x82\xAC \xF0\x9F\x98\x80"), std::string::npos);
  EXPECT_EQ(ps::find_invalid_utf8("ab\xC9"), 2u);              // Latin-1 É
  EXPECT_EQ(ps::find_invalid_utf8("\xC0\xAF"), 0u);           // overlong '/'
  EXPECT_EQ(ps::find_invalid_utf8("\xE0\x80\xAF"), 0u);       // overlong, 3 bytes
  EXPECT_EQ(ps::find_invalid_utf8("x\xED\xA0\x80"), 1u);      // a surrogate
  EXPECT_EQ(ps::find_invalid_utf8("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(ps::find_invalid_utf8("\xE2\x82"), 0u);           // truncated
  EXPECT_EQ(ps::find_invalid_utf8("\x80"), 0u);               // a lone continuation byte
}

TEST(Text, FoldersAreNotFiles) {
  fs::path d = fs::temp_directory_path() / ("ps_text_dir_" + std::to_string(::getpid()));
  fs::create_directories(d);
  try {
    ps::LineReader r(d.string());
    ADD_FAILURE() << "a folder was opened as a text file";
  } catch (const ps::Error& e) {
    EXPECT_NE(std::string(e.what()).find("folder"), std::string::npos) << e.what();
  }
  fs::remove_all(d);
}
