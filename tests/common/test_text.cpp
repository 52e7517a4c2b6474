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
