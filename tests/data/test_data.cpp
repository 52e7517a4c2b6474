// PerturbQA loading, alias resolution and splits, on small files written to a temp dir,
// plus a check of the real mirror when it is present.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "common/error.h"
#include "common/paths.h"
#include "data/perturbqa.h"
#include "data/splits.h"
#include "data/symbols.h"

namespace fs = std::filesystem;
using namespace ps::data;

namespace {

fs::path temp_dir() {
  fs::path d = fs::temp_directory_path() / ("ps_test_data_" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d;
}

std::string write(const std::string& name, const std::string& text) {
  fs::path p = temp_dir() / name;
  std::ofstream(p) << text;
  return p.string();
}

std::string load_error(const std::string& path, LoadOptions opt = {}) {
  try {
    load_perturbqa_csv(path, opt);
  } catch (const ps::Error& e) {
    return e.what();
  }
  return "";
}

SymbolResolver tiny_resolver() {
  auto info = write("gene_info.tsv",
                    "entrez_id\tsymbol\tgene_name\tgene_type\tchromosome\tensembl_ids\tuniprot_ids\n"
                    "16\tAARS1\talanyl-tRNA synthetase 1\tprotein-coding\t16\t\t\n"
                    "3015\tH2AZ1\tH2A.Z variant histone 1\tprotein-coding\t4\t\t\n"
                    "1\tA1BG\talpha-1-B glycoprotein\tprotein-coding\t19\t\t\n"
                    "2\tA2M\talpha-2-macroglobulin\tprotein-coding\t12\t\t\n");
  auto alias = write("gene_alias.tsv",
                     "alias_symbol\tsymbol\tentrez_id\n"
                     "AARS\tAARS1\t16\n"
                     "H2AFZ\tH2AZ1\t3015\n"
                     "AMB\tA1BG\t1\n"
                     "AMB\tA2M\t2\n");  // AMB names two genes: ambiguous, never resolved
  return SymbolResolver::load_files(info, alias);
}

}  // namespace

TEST(PerturbqaLoader, ReadsItemsAndIgnoresExtraColumns) {
  auto p = write("good.csv",
                 "pert,gene,label,split,direction\r\n"
                 "AARS,A1BG,1,train,1\r\n"
                 "A2M,\"A1BG\",0,test,-1\r\n"
                 "\r\n");
  LoadOptions opt;
  opt.cell_line = "k562";
  auto ds = load_perturbqa_csv(p, opt);
  ASSERT_EQ(ds.items.size(), 2u);
  EXPECT_EQ(ds.items[0].pert, "AARS");
  EXPECT_EQ(ds.items[0].gene, "A1BG");
  EXPECT_EQ(ds.items[0].label, 1);
  EXPECT_EQ(ds.items[0].split, "train");
  EXPECT_EQ(ds.items[0].cell_line, "k562");
  EXPECT_EQ(ds.items[1].gene, "A1BG");  // quotes stripped
  EXPECT_EQ(ds.items[1].split, "test");
}

TEST(PerturbqaLoader, ColumnsFoundByName) {
  auto p = write("reordered.csv", "split,label,gene,pert\ntest,1,B,A\n");
  auto ds = load_perturbqa_csv(p, {});
  ASSERT_EQ(ds.items.size(), 1u);
  EXPECT_EQ(ds.items[0].pert, "A");
  EXPECT_EQ(ds.items[0].gene, "B");
}

TEST(PerturbqaLoader, MalformedRowsNameFileAndLine) {
  auto wrong_count = write("bad_count.csv", "pert,gene,label,split\nA,B,0,train\nA,B,1\n");
  EXPECT_NE(load_error(wrong_count).find("bad_count.csv:3: expected 4 fields, found 3"), std::string::npos);
  auto bad_label = write("bad_label.csv", "pert,gene,label,split\nA,B,2,train\n");
  EXPECT_NE(load_error(bad_label).find("bad_label.csv:2: label must be 0 or 1"), std::string::npos);
  auto bad_split = write("bad_split.csv", "pert,gene,label,split\nA,B,1,train\nA,C,1,validation\n");
  EXPECT_NE(load_error(bad_split).find("bad_split.csv:3: unknown split 'validation'"), std::string::npos);
  auto no_col = write("no_col.csv", "pert,gene,split\nA,B,train\n");
  EXPECT_NE(load_error(no_col).find("no_col.csv:1: missing column 'label'"), std::string::npos);
  auto empty_gene = write("empty_gene.csv", "pert,gene,label,split\nA,,1,train\n");
  EXPECT_NE(load_error(empty_gene).find("empty_gene.csv:2:"), std::string::npos);
  EXPECT_NE(load_error((temp_dir() / "missing.csv").string()).find("missing.csv"), std::string::npos);
  // Any split name is accepted when the caller allows any.
  LoadOptions any;
  any.allowed_splits.clear();
  EXPECT_EQ(load_error(bad_split, any), "");
}

TEST(SymbolResolution, OnlyUnambiguousAliases) {
  auto r = tiny_resolver();
  EXPECT_EQ(r.resolve("AARS1").value(), "AARS1");
  EXPECT_EQ(r.resolve("AARS").value(), "AARS1");
  EXPECT_EQ(r.resolve("H2AFZ").value(), "H2AZ1");
  EXPECT_FALSE(r.resolve("AMB").has_value());
  EXPECT_TRUE(r.is_ambiguous_alias("AMB"));
  EXPECT_FALSE(r.resolve("NOPE1").has_value());
}

TEST(SymbolResolution, LoaderResolvesAndReportsUnresolved) {
  auto r = tiny_resolver();
  auto p = write("alias.csv",
                 "pert,gene,label,split\n"
                 "AARS,H2AFZ,1,train\n"
                 "AMB,A1BG,0,train\n"
                 "NOPE1,AARS,0,test\n");
  LoadOptions opt;
  opt.resolver = &r;
  auto ds = load_perturbqa_csv(p, opt);
  EXPECT_EQ(ds.items[0].pert, "AARS1");
  EXPECT_EQ(ds.items[0].gene, "H2AZ1");
  EXPECT_EQ(ds.items[1].pert, "AMB");  // kept as is
  EXPECT_EQ(ds.unresolved, (std::vector<std::string>{"AMB", "NOPE1"}));
  EXPECT_EQ(ds.renamed, 2);
}

namespace {
std::vector<Item> synthetic_items(int n_perts, int n_genes) {
  std::vector<Item> items;
  for (int p = 0; p < n_perts; ++p)
    for (int g = 0; g < n_genes; ++g)
      items.push_back({"k562", "P" + std::to_string(p), "G" + std::to_string(g), (p + g) % 7 == 0,
                       p % 5 == 0 ? "test" : "train"});
  return items;
}
}  // namespace

TEST(Splits, ValidationHoldsOutWholePerturbersAndIsSeeded) {
  auto items = synthetic_items(100, 6);
  auto a = items, b = items, c = items;
  auto moved_a = carve_validation(a, 0.1, 42);
  auto moved_b = carve_validation(b, 0.1, 42);
  auto moved_c = carve_validation(c, 0.1, 43);
  EXPECT_EQ(moved_a.size(), 8u);  // 10 % of the 80 train perturbers
  EXPECT_EQ(moved_a, moved_b);
  EXPECT_NE(moved_a, moved_c);
  EXPECT_TRUE(shared_perturbers(a, "train", "val").empty());
  EXPECT_TRUE(shared_perturbers(a, "test", "val").empty());
  EXPECT_TRUE(shared_perturbers(a, "train", "test").empty());
  EXPECT_EQ(select_split(a, "val").size(), 8u * 6);
  EXPECT_EQ(select_split(a, "test").size(), 20u * 6);  // test untouched
  // A perturber shared by two splits is detected.
  a.push_back({"k562", moved_a[0], "G0", 0, "train"});
  EXPECT_EQ(shared_perturbers(a, "train", "val"), std::vector<std::string>{moved_a[0]});
}

TEST(Splits, CrossCellHoldout) {
  Dataset k{"k562", "de", "", synthetic_items(4, 2), {}, 0};
  Dataset r{"rpe1", "de", "", synthetic_items(5, 2), {}, 0};
  for (auto& it : r.items) it.cell_line = "rpe1";
  auto items = cross_cell_holdout({k, r}, "rpe1");
  size_t train = 0, test = 0;
  for (const auto& it : items) {
    if (it.split == "train") { ++train; EXPECT_EQ(it.cell_line, "k562"); }
    if (it.split == "test") { ++test; EXPECT_EQ(it.cell_line, "rpe1"); }
  }
  EXPECT_EQ(train, 8u);
  EXPECT_EQ(test, 2u);  // rpe1's test perturber P0 only
  EXPECT_EQ(cross_cell_holdout({k, r}, "rpe1", "").size(), 18u);
  EXPECT_THROW(cross_cell_holdout({k, r}, "hepg2"), ps::Error);
}

TEST(Splits, UpsampleReachesTargetRateWithoutDroppingItems) {
  std::vector<Item> items;
  for (int i = 0; i < 90; ++i) items.push_back({"k562", "P", "N" + std::to_string(i), 0, "train"});
  for (int i = 0; i < 10; ++i) items.push_back({"k562", "P", "Y" + std::to_string(i), 1, "train"});
  auto up = upsample_positives(items, 0.4, 1);
  size_t pos = 0, neg = 0;
  std::map<std::string, int> copies;
  for (const auto& it : up) {
    (it.label ? pos : neg)++;
    if (it.label) copies[it.gene]++;
  }
  EXPECT_EQ(neg, 90u);
  EXPECT_EQ(pos, 60u);  // 0.4 * 90 / 0.6
  EXPECT_EQ(copies.size(), 10u);
  for (auto& [g, c] : copies) EXPECT_EQ(c, 6);  // even repetition
  // Already above the target rate: unchanged.
  EXPECT_EQ(upsample_positives(items, 0.05, 1).size(), items.size());
  EXPECT_THROW(upsample_positives(items, 1.0, 1), ps::Error);
}

TEST(RealMirror, K562CountsMatchSourcesAndAliasesResolve) {
  auto loc = ps::locate_data();
  if (!loc) GTEST_SKIP() << "data mirror not found";
  auto resolver = SymbolResolver::load(loc->dir);
  auto ds = load_perturbqa(loc->dir, "k562", "de", &resolver);
  ASSERT_EQ(ds.items.size(), 157679u);  // SOURCES.md
  size_t test = 0, test_pos = 0;
  std::set<std::string> perts;
  for (const auto& it : ds.items) {
    if (it.split == "test") test++, test_pos += it.label;
    perts.insert(it.pert);
  }
  EXPECT_EQ(test, 23212u);
  EXPECT_EQ(test_pos, 3119u);
  EXPECT_TRUE(shared_perturbers(ds.items, "train", "test").empty());
  EXPECT_TRUE(perts.count("AARS1"));  // AARS in the file
  EXPECT_FALSE(perts.count("AARS"));
  EXPECT_GT(ds.renamed, 0);
  EXPECT_LT(ds.unresolved.size(), 200u);  // 98-99 % resolve
}

// Issue 15, fault 7: PerturbQA CSVs are read by RFC 4180, and files that are not UTF-8 CSV text
// are named as such, at load time, with the file and line.
TEST(PerturbqaLoader, Rfc4180QuotingIsExact) {
  auto ok = write("quoted.csv",
                  "\"pert\",gene,label,split\n"
                  "\"AB\"\"C\",\"X,Y\",1,train\n"  // "" is one quote; a quoted comma stays in the field
                  "\"\",B,0,train\n");             // "" alone is an empty field
  auto err = load_error(ok);
  EXPECT_NE(err.find("quoted.csv:3: empty pert or gene"), std::string::npos) << err;
  auto good = write("quoted_ok.csv", "\"pert\",gene,label,split\n\"AB\"\"C\",\"X,Y\",1,train\n");
  auto ds = load_perturbqa_csv(good, {});
  ASSERT_EQ(ds.items.size(), 1u);
  EXPECT_EQ(ds.items[0].pert, "AB\"C");
  EXPECT_EQ(ds.items[0].gene, "X,Y");
  // Text after a closing quote is an error (it used to drop the X), as is a stray quote.
  auto after = write("after_quote.csv", "pert,gene,label,split\nA,B,0,train\n\"AARS2\"X,B,1,train\n");
  err = load_error(after);
  EXPECT_NE(err.find("after_quote.csv:3: malformed CSV"), std::string::npos) << err;
  EXPECT_NE(err.find("after the closing quote"), std::string::npos) << err;
  auto stray = write("stray.csv", "pert,gene,label,split\nAB\"C,B,1,train\n");
  EXPECT_NE(load_error(stray).find("stray.csv:2: malformed CSV"), std::string::npos) << load_error(stray);
  auto open = write("open.csv", "pert,gene,label,split\nA,\"B,1,train\n");
  EXPECT_NE(load_error(open).find("open.csv:2: malformed CSV"), std::string::npos) << load_error(open);
  auto header = write("bad_header.csv", "pert,\"gene\"x,label,split\nA,B,1,train\n");
  EXPECT_NE(load_error(header).find("bad_header.csv:1: malformed CSV"), std::string::npos) << load_error(header);
}

TEST(PerturbqaLoader, ByteOrderMarkNulUtf16AndInvalidUtf8) {
  // Excel's UTF-8 byte-order mark: the header still has a 'pert' column.
  auto bom = write("bom.csv", "\xEF\xBB\xBFpert,gene,label,split\r\nAARS,B,1,train\r\n");
  auto ds = load_perturbqa_csv(bom, {});
  ASSERT_EQ(ds.items.size(), 1u);
  EXPECT_EQ(ds.items[0].pert, "AARS");
  // NUL bytes: not a text CSV, said with the line.
  auto nul = write("nul.csv", std::string("pert,gene,label,split\nA,B,1,train\nA,B\0,1,train\n", 45));
  auto err = load_error(nul);
  EXPECT_NE(err.find("nul.csv:3: contains a NUL byte"), std::string::npos) << err;
  // UTF-16 (Excel's "Unicode text").
  auto u16 = write("u16.csv", std::string("\xFF\xFEp\0e\0r\0t\0", 10));
  err = load_error(u16);
  EXPECT_NE(err.find("u16.csv:1:"), std::string::npos) << err;
  EXPECT_NE(err.find("UTF-16"), std::string::npos) << err;
  // Invalid UTF-8 in a gene name (Latin-1 text): rejected at load time naming the line.
  auto latin1 = write("latin1.csv", "pert,gene,label,split\nA,B,1,train\nA,GEN\xC9,0,train\n");
  err = load_error(latin1);
  EXPECT_NE(err.find("latin1.csv:3: gene name 'GEN...' is not valid UTF-8"), std::string::npos) << err;
  auto overlong = write("overlong.csv", "pert,gene,label,split\n\xC0\xAF,B,1,train\n");
  EXPECT_NE(load_error(overlong).find("overlong.csv:2:"), std::string::npos);
  // Valid non-ASCII UTF-8 is fine.
  auto greek = write("greek.csv", "pert,gene,label,split\nIFN\xCE\xB3,B,1,train\n");
  EXPECT_EQ(load_error(greek), "");
  // A folder given as the CSV.
  fs::create_directories(temp_dir() / "a_folder.csv");
  err = load_error((temp_dir() / "a_folder.csv").string());
  EXPECT_NE(err.find("a_folder.csv"), std::string::npos) << err;
  EXPECT_NE(err.find("folder"), std::string::npos) << err;
}

// Issue 15, fault 11 (TRAC/NCOR2): an alias is not followed when it would merge two genes the
// file names separately; a current symbol is never renamed; the decision is reported.
TEST(SymbolResolution, AliasesNeverMergeDistinctReadOuts) {
  auto info = write("gi2.tsv",
                    "entrez_id\tsymbol\tgene_name\tgene_type\tchromosome\tensembl_ids\tuniprot_ids\n"
                    "9612\tNCOR2\tnuclear receptor corepressor 2\tprotein-coding\t12\t\t\n"
                    "16\tAARS1\talanyl-tRNA synthetase 1\tprotein-coding\t16\t\t\n"
                    "7\tKRT7\tkeratin 7\tprotein-coding\t12\t\t\n"
                    "8\tSOX2\tSRY-box 2\tprotein-coding\t3\t\t\n");
  auto alias = write("ga2.tsv",
                     "alias_symbol\tsymbol\tentrez_id\n"
                     "TRAC\tNCOR2\t9612\n"   // TRAC is also a gene of its own (T cell receptor alpha constant)
                     "AARS\tAARS1\t16\n"
                     "K7\tKRT7\t7\n"
                     "CK7\tKRT7\t7\n"
                     "SOX2\tKRT7\t7\n");     // a current symbol listed as another gene's alias
  auto r = SymbolResolver::load_files(info, alias);
  auto p = write("jurkat_like.csv",
                 "pert,gene,label,split\n"
                 "AARS,TRAC,1,train\n"
                 "AARS,NCOR2,0,train\n"
                 "AARS,K7,1,test\n"
                 "AARS,CK7,0,test\n"
                 "AARS,SOX2,0,test\n");
  LoadOptions opt;
  opt.resolver = &r;
  auto ds = load_perturbqa_csv(p, opt);
  ASSERT_EQ(ds.items.size(), 5u);
  EXPECT_EQ(ds.items[0].pert, "AARS1");   // a lone alias is still followed
  EXPECT_EQ(ds.items[0].gene, "TRAC");    // not merged into NCOR2
  EXPECT_EQ(ds.items[1].gene, "NCOR2");
  EXPECT_EQ(ds.items[2].gene, "K7");      // two aliases of one gene: both keep their names
  EXPECT_EQ(ds.items[3].gene, "CK7");
  EXPECT_EQ(ds.items[4].gene, "SOX2");    // current symbols always resolve to themselves
  EXPECT_EQ(ds.renamed, 1);
  EXPECT_EQ(ds.kept_distinct, (std::vector<std::string>{"CK7 (alias of KRT7, as is K7)", "K7 (alias of KRT7, as is CK7)",
                                                         "TRAC (alias of NCOR2, which is also in the data)"}));
  // Without NCOR2 in the file, TRAC follows its alias as before.
  auto q = write("no_ncor2.csv", "pert,gene,label,split\nAARS,TRAC,1,train\n");
  auto ds2 = load_perturbqa_csv(q, opt);
  EXPECT_EQ(ds2.items[0].gene, "NCOR2");
  EXPECT_TRUE(ds2.kept_distinct.empty());
}

TEST(RealMirror, JurkatKeepsTracAndNcor2Apart) {
  auto data = ps::locate_data();
  if (!data) GTEST_SKIP() << "data mirror not found";
  auto r = SymbolResolver::load(data->dir);
  auto ds = load_perturbqa(data->dir, "jurkat", "de", &r);
  int64_t trac = 0, ncor2 = 0;
  for (const auto& it : ds.items) trac += it.gene == "TRAC", ncor2 += it.gene == "NCOR2";
  EXPECT_EQ(trac, 86);   // rows naming TRAC in jurkat-de.csv (grep -c)
  EXPECT_EQ(ncor2, 13);  // rows naming NCOR2
  bool listed = false;
  for (const auto& k : ds.kept_distinct) listed = listed || k.rfind("TRAC (alias of NCOR2", 0) == 0;
  EXPECT_TRUE(listed);
}

// Issue 15 (CSV reader, second review): the field named by an error is the one at fault; quoted
// fields may span lines (RFC 4180) and are then validated; CRLF, LF and bare-CR files read alike.
TEST(PerturbqaLoader, ErrorsNameTheFieldAtFault) {
  auto first = write("after_quote_f1.csv", "pert,gene,label,split\n\"AARS2\"X,B,1,train\n");
  auto err = load_error(first);
  EXPECT_NE(err.find("after_quote_f1.csv:2: malformed CSV"), std::string::npos) << err;
  EXPECT_NE(err.find("text after the closing quote ('X') in field 1"), std::string::npos) << err;
  auto second = write("after_quote_f2.csv", "pert,gene,label,split\nA,\"B\"X,1,train\n");
  err = load_error(second);
  EXPECT_NE(err.find("in field 2"), std::string::npos) << err;
  auto fourth = write("after_quote_f4.csv", "pert,gene,label,split\nA,B,1,\"train\" \n");
  err = load_error(fourth);
  EXPECT_NE(err.find("(' ') in field 4"), std::string::npos) << err;
  auto header = write("after_quote_hdr.csv", "pert,\"gene\"x,label,split\nA,B,1,train\n");
  err = load_error(header);
  EXPECT_NE(err.find("after_quote_hdr.csv:1:"), std::string::npos) << err;
  EXPECT_NE(err.find("in field 2"), std::string::npos) << err;
  auto stray = write("stray_f3.csv", "pert,gene,label,split\nA,B,1\",train\n");
  err = load_error(stray);
  EXPECT_NE(err.find("a quote inside an unquoted field"), std::string::npos) << err;
  EXPECT_NE(err.find("in field 3"), std::string::npos) << err;
}

TEST(PerturbqaLoader, QuotedLineBreaksAreReadThenRefusedInNames) {
  // A line break inside a quoted field of an ignored column is valid RFC 4180: the row loads, and
  // the lines after it keep their numbers.
  auto note = write("note.csv",
                    "pert,gene,label,split,note\n"
                    "A,B,1,train,\"first line\nsecond line\"\n"
                    "C,D,0,test,\"CRLF\r\ninside\"\n"
                    "E,F,2,test,x\n");
  auto err = load_error(note);
  EXPECT_NE(err.find("note.csv:6: label must be 0 or 1"), std::string::npos) << err;
  auto ok = write("note_ok.csv", "pert,gene,label,split,note\nA,B,1,train,\"a\nb\"\nC,D,0,test,\n");
  auto ds = load_perturbqa_csv(ok, {});
  ASSERT_EQ(ds.items.size(), 2u);
  EXPECT_EQ(ds.items[1].pert, "C");
  // A gene name can never hold a line break: said with the line, the field and the span.
  auto gene = write("nl_gene.csv", "pert,gene,label,split\nA,B,1,train\nA,\"GENE\nX\",0,test\n");
  err = load_error(gene);
  EXPECT_NE(err.find("nl_gene.csv:3: gene (field 2) holds a line break (a quoted field spanning lines 3-4)"),
            std::string::npos)
      << err;
  auto pert = write("cr_pert.csv", "gene,pert,label,split\nB,\"A\rZ\",1,train\n");
  err = load_error(pert);
  EXPECT_NE(err.find("cr_pert.csv:2: pert (field 2) holds a line break"), std::string::npos) << err;
  auto tab = write("tab_split.csv", "pert,gene,label,split\nA,B,1,\"tr\tain\"\n");
  LoadOptions any;
  any.allowed_splits.clear();
  err = load_error(tab, any);
  EXPECT_NE(err.find("tab_split.csv:2: split (field 4) holds the control byte 0x09"), std::string::npos) << err;
  // An unterminated quote runs to the end of the file: the error names the line where it opened.
  auto open = write("open_mid.csv", "pert,gene,label,split\nA,B,1,train\nC,\"D,0,test\nE,F,1,test\n");
  err = load_error(open);
  EXPECT_NE(err.find("open_mid.csv:3: malformed CSV (RFC 4180): unterminated quoted field"), std::string::npos) << err;
  EXPECT_NE(err.find("in field 2"), std::string::npos) << err;
}

TEST(PerturbqaLoader, CrlfLfAndBareCrLineEndingsReadAlike) {
  const std::string rows[] = {"pert,gene,label,split", "A,B,1,train", "C,D,0,test", "E,F,0,test"};
  for (const std::string eol : {"\n", "\r\n", "\r"}) {
    std::string text;
    for (const auto& r : rows) text += r + eol;
    auto ds = load_perturbqa_csv(write("eol.csv", text), {});
    ASSERT_EQ(ds.items.size(), 3u) << "line ending " << (eol == "\r" ? "CR" : eol == "\n" ? "LF" : "CRLF");
    EXPECT_EQ(ds.items[2].gene, "F");
    EXPECT_EQ(ds.items[2].split, "test");  // no CR left in the last field
    // Line numbers count each ending once.
    auto err = load_error(write("eol_bad.csv", text + "G,H,7,test" + eol));
    EXPECT_NE(err.find("eol_bad.csv:5: label must be 0 or 1, found '7'"), std::string::npos) << err;
  }
  // Without a final line break, and with blank lines in between.
  auto ds = load_perturbqa_csv(write("eol_mixed.csv", "pert,gene,label,split\r\n\r\nA,B,1,train\n\nC,D,0,test"), {});
  ASSERT_EQ(ds.items.size(), 2u);
  EXPECT_EQ(ds.items[1].split, "test");
}

TEST(PerturbqaLoader, DuplicateColumnsAndRowsAreRefusedNamingBoth) {
  auto cols = write("dup_col.csv", "pert,gene,label,split,pert\nA,B,1,train,C\n");
  auto err = load_error(cols);
  EXPECT_NE(err.find("dup_col.csv:1: column 'pert' appears twice in the header (fields 1 and 5)"), std::string::npos)
      << err;
  auto quoted = write("dup_col_q.csv", "label,gene,\"label\",pert,split\n1,B,0,A,train\n");
  EXPECT_NE(load_error(quoted).find("column 'label' appears twice in the header (fields 1 and 3)"), std::string::npos)
      << load_error(quoted);
  // Extra columns are ignored, a repeated one too.
  EXPECT_EQ(load_error(write("dup_extra.csv", "pert,gene,note,label,split,note\nA,B,x,1,train,y\n")), "");

  auto contra = write("contra.csv", "pert,gene,label,split\nA,B,1,train\nA,C,0,train\nA,B,0,train\n");
  err = load_error(contra);
  EXPECT_NE(err.find("contra.csv:4: contradicting rows: pert 'A', gene 'B' has label 0 here and label 1 on line 2"),
            std::string::npos)
      << err;
  auto dup = write("dup_row.csv", "pert,gene,label,split\nA,B,1,train\nA,C,0,train\n\"A\",\"C\",0,train\n");
  err = load_error(dup);
  EXPECT_NE(err.find("dup_row.csv:4: duplicate row: pert 'A', gene 'C' is already on line 3"), std::string::npos) << err;
  // The same pair in two splits is the same item twice (and a leak from train into test).
  auto leak = write("dup_split.csv", "pert,gene,label,split\nA,B,1,train\nA,B,1,test\n");
  EXPECT_NE(load_error(leak).find("dup_split.csv:3: duplicate row"), std::string::npos) << load_error(leak);
  // Pairs are ordered: (A, B) and (B, A) are different items.
  EXPECT_EQ(load_error(write("pair_order.csv", "pert,gene,label,split\nA,B,1,train\nB,A,0,train\n")), "");
}

// The shipped PerturbQA files have no repeated pair (checked with Python's csv module): every one
// of them still loads, one item per data line.
TEST(RealMirror, EveryPerturbqaFileLoadsOneItemPerLine) {
  auto loc = ps::locate_data();
  if (!loc) GTEST_SKIP() << "data mirror not found";
  for (const auto& cell : cell_lines())
    for (const std::string task : {"de", "dir"}) {
      const std::string path = perturbqa_path(loc->dir, cell, task);
      std::ifstream in(path);
      long lines = 0;
      for (std::string l; std::getline(in, l);) lines += !l.empty();
      LoadOptions opt;
      opt.cell_line = cell;
      opt.task = task;
      auto ds = load_perturbqa_csv(path, opt);
      EXPECT_EQ(static_cast<long>(ds.items.size()), lines - 1) << path;
    }
}
