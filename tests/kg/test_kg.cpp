// The knowledge graph on small synthetic files (hand-checkable scores, cache round trip,
// malformed input) and on the real mirror (evidence for a known pair).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "common/paths.h"
#include "kg/build.h"
#include "scratch.h"
#include "kg/graph.h"

namespace fs = std::filesystem;
using namespace ps::kg;

namespace {

fs::path dir() { return ps::test::scratch_dir("kg"); }
std::string write(const std::string& name, const std::string& text) {
  return ps::test::write_scratch_file("kg", name, text);
}

std::string channels(int experiments, int database, int combined) {
  // 11 channels: experiments is the 8th, database the 10th.
  return "0\t0\t0\t0\t0\t0\t0\t" + std::to_string(experiments) + "\t0\t" + std::to_string(database) + "\t0\t" +
         std::to_string(combined);
}

// Genes A..E. GO: T1 (root) <- T2 <- T3 (is_a); T4 separate, linked by "regulates" (not propagated).
GraphInputs tiny_inputs(const std::string& string_extra = "") {
  GraphInputs in;
  in.gene_info = write("gene_info.tsv",
                       "entrez_id\tsymbol\tgene_name\tgene_type\tchromosome\tensembl_ids\tuniprot_ids\n"
                       "1\tA\tgene a\tprotein-coding\t1\t\t\n"
                       "2\tB\tgene b\tprotein-coding\t2\t\t\n"
                       "3\tC\tgene c\tncRNA\t3\t\t\n"
                       "4\tD\tgene d\tprotein-coding\tX\t\t\n"
                       "5\tE\tgene e\tprotein-coding\t5\t\t\n");
  in.gene_alias = write("gene_alias.tsv", "alias_symbol\tsymbol\tentrez_id\nOLDA\tA\t1\nAMB\tB\t2\nAMB\tC\t3\n");
  in.string_tsv = write("string.tsv",
                        "gene_a\tgene_b\tentrez_a\tentrez_b\tneighborhood\tneighborhood_transferred\tfusion\t"
                        "cooccurence\thomology\tcoexpression\tcoexpression_transferred\texperiments\t"
                        "experiments_transferred\tdatabase\tdatabase_transferred\tcombined_score\n"
                        "OLDA\tB\t1\t2\t" + channels(900, 0, 900) + "\n"
                        "A\tC\t1\t3\t" + channels(0, 500, 500) + "\n" + string_extra);
  in.go_terms = write("go_terms.tsv",
                      "go_id\tontology\tterm\tdefinition\n"
                      "GO:1\tBP\troot process\tthe root\n"
                      "GO:2\tBP\tmiddle process\tbelow root\n"
                      "GO:3\tBP\tleaf process\tbelow middle\n"
                      "GO:4\tBP\tregulated process\tnot inherited\n");
  in.go_parents = write("go_parents.tsv",
                        "child\tparent\trelationship_type\tontology\n"
                        "GO:2\tGO:1\tisa\tBP\nGO:3\tGO:2\tpart of\tBP\nGO:4\tGO:3\tregulates\tBP\n");
  // A: GO:3 (IDA) -> {1,2,3}; B: GO:3 (IEA) -> {1,2,3}; C: GO:2 -> {1,2}; D: GO:4 -> {4}; E: ND only.
  in.gene2go = write("gene2go.tsv",
                     "symbol\tentrez_id\tgo_id\tevidence\tontology\n"
                     "A\t1\tGO:3\tIDA\tBP\nB\t2\tGO:3\tIEA\tBP\nC\t3\tGO:2\tTAS\tBP\nD\t4\tGO:4\tIMP\tBP\n"
                     "E\t5\tGO:1\tND\tBP\n");
  // P1 {A,B} and P2 {A,B,C}; 3 genes in Reactome.
  in.reactome_gmt = write("reactome.gmt", "Small pathway\tR-HSA-1\tA\tB\nBig pathway\tR-HSA-2\tA\tB\tC\n");
  return in;
}

}  // namespace

TEST(GraphBuild, StringEdgesChannelsAndAliases) {
  auto g = build_graph(tiny_inputs());
  auto a = g.find("A"), b = g.find("B"), c = g.find("C");
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(g.find("OLDA"), a);       // unambiguous alias
  EXPECT_FALSE(g.find("AMB"));        // ambiguous alias never resolves
  EXPECT_EQ(g.find("a"), a);          // case-insensitive fallback
  EXPECT_FLOAT_EQ(g.score(Source::String, *a, *b), 0.9f);
  EXPECT_FLOAT_EQ(g.score(Source::String, *b, *a), 0.9f);  // undirected
  EXPECT_FLOAT_EQ(g.score(Source::String, *b, *c), 0.0f);
  auto e = g.evidence(*a, *c);
  ASSERT_EQ(e.string_channels.size(), 1u);
  EXPECT_EQ(e.string_channels[0].first, "database");
  EXPECT_EQ(e.string_channels[0].second, 500);
  EXPECT_EQ(g.gene(*c).type, "ncRNA");
  EXPECT_EQ(g.gene(*a).full_name, "gene a");
}

TEST(GraphBuild, GoPropagationInformationContentAndEvidence) {
  auto g = build_graph(tiny_inputs());
  GeneId a = *g.find("A"), b = *g.find("B"), c = *g.find("C"), d = *g.find("D"), e = *g.find("E");
  // Annotated genes (ND dropped): A, B, C, D -> 4. Propagated counts: GO:1 3, GO:2 3, GO:3 2, GO:4 1.
  const double ic12 = -std::log(3.0 / 4), ic3 = -std::log(2.0 / 4);
  // A and B share {1,2,3}: identical vectors -> cosine 1.
  EXPECT_NEAR(g.score(Source::Go, a, b), 1.0, 1e-6);
  // A {1,2,3} vs C {1,2}: (2 ic12^2) / sqrt((2 ic12^2 + ic3^2) * 2 ic12^2).
  const double expect = 2 * ic12 * ic12 / std::sqrt((2 * ic12 * ic12 + ic3 * ic3) * 2 * ic12 * ic12);
  EXPECT_NEAR(g.score(Source::Go, a, c), expect, 1e-6);
  // D's GO:4 is linked by "regulates" only: not propagated, nothing shared.
  EXPECT_DOUBLE_EQ(g.score(Source::Go, a, d), 0.0);
  EXPECT_FALSE(g.in_source(Source::Go, e));  // ND-only gene has no annotation
  auto ev = g.evidence(a, b);
  ASSERT_FALSE(ev.go_terms.empty());
  EXPECT_EQ(g.go_term(ev.go_terms[0].term).id, "GO:3");  // most informative first
  EXPECT_EQ(ev.go_terms[0].evidence_a, "IDA");
  EXPECT_EQ(ev.go_terms[0].evidence_b, "IEA");
  EXPECT_EQ(ev.go_terms.back().evidence_a, "");  // inherited term
}

TEST(GraphBuild, ReactomeWeightsBySizeAndNeighbours) {
  auto g = build_graph(tiny_inputs());
  GeneId a = *g.find("A"), b = *g.find("B"), c = *g.find("C");
  // w(P1) = ln(3/2), w(P2) = ln(3/3) = 0: the pathway holding every gene says nothing.
  EXPECT_NEAR(g.score(Source::Reactome, a, b), 1.0, 1e-6);
  EXPECT_DOUBLE_EQ(g.score(Source::Reactome, a, c), 0.0);
  auto ev = g.evidence(a, b);
  ASSERT_EQ(ev.pathways.size(), 1u);
  EXPECT_EQ(g.pathway(ev.pathways[0].pathway).name, "Small pathway");
  // Fused neighbours of A: B (0.9 + 1 + 1) before C (0.5 + GO).
  auto nb = g.neighbours(a, SourceWeights{}, 10);
  ASSERT_EQ(nb.size(), 2u);
  EXPECT_EQ(nb[0].gene, b);
  EXPECT_NEAR(nb[0].score, 0.9 + 1 + 1, 1e-5);
  EXPECT_EQ(nb[1].gene, c);
  EXPECT_NEAR(nb[1].by_source[1], g.score(Source::Go, a, c), 1e-6);
  // Restricted to allowed genes, and by a single source.
  std::vector<uint8_t> allowed(g.n_genes(), 0);
  allowed[c] = 1;
  auto only_c = g.neighbours(a, SourceWeights{}, 10, &allowed);
  ASSERT_EQ(only_c.size(), 1u);
  EXPECT_EQ(only_c[0].gene, c);
  auto by_string = g.neighbours(a, SourceWeights::only(Source::String), 1);
  ASSERT_EQ(by_string.size(), 1u);
  EXPECT_EQ(by_string[0].gene, b);
  EXPECT_EQ(g.complete("ol"), std::vector<std::string>{"OLDA (A)"});
}

TEST(GraphBuild, SourceWeightsParse) {
  auto w = SourceWeights::parse("string,go:0.5");
  EXPECT_DOUBLE_EQ(w.string, 1);
  EXPECT_DOUBLE_EQ(w.go, 0.5);
  EXPECT_DOUBLE_EQ(w.reactome, 0);
  // Naming every source without weights is the validated fusion, not an unweighted one.
  auto all = SourceWeights::parse("string,go,reactome");
  EXPECT_EQ(all.to_string(), SourceWeights::fused().to_string());
  EXPECT_DOUBLE_EQ(all.reactome, 2);
  auto r = SourceWeights::parse("reactome,go:3", SourceWeights{1, 1, 5});
  EXPECT_DOUBLE_EQ(r.string, 0);
  EXPECT_DOUBLE_EQ(r.go, 3);
  EXPECT_DOUBLE_EQ(r.reactome, 5);
  EXPECT_THROW(SourceWeights::parse("string,kegg"), ps::Error);
  EXPECT_THROW(SourceWeights::parse("go:x"), ps::Error);
  EXPECT_THROW(SourceWeights::parse(""), ps::Error);
}

TEST(GraphBuild, MalformedInputNamesFileAndLine) {
  auto in = tiny_inputs("A\tD\t1\t4\t0\t0\t0\t0\t0\t0\t0\tlots\t0\t0\t0\t700\n");
  try {
    build_graph(in);
    FAIL() << "expected ps::Error";
  } catch (const ps::Error& e) {
    EXPECT_NE(std::string(e.what()).find("string.tsv:4: score 'lots' is not an integer"), std::string::npos) << e.what();
  }
  auto short_row = tiny_inputs("A\tD\t1\n");
  EXPECT_THROW(build_graph(short_row), ps::Error);
}

// Found by fuzz_kg_inputs: a score of many digits overflowed int (UB) before the range check.
TEST(GraphBuild, LongScoresAreRefusedWithoutOverflow) {
  for (const std::string score : {"1001", "99999999999", "2147483648", "000000000000000000000000001001"}) {
    auto in = tiny_inputs("A\tD\t1\t4\t0\t0\t0\t0\t0\t0\t0\t" + score + "\t0\t0\t0\t700\n");
    try {
      build_graph(in);
      FAIL() << "expected ps::Error for score " << score;
    } catch (const ps::Error& e) {
      EXPECT_NE(std::string(e.what()).find("string.tsv:4: score '" + score + "' is above 1000"), std::string::npos)
          << e.what();
    }
  }
  // Leading zeros within range are still a number.
  auto ok = tiny_inputs("A\tD\t1\t4\t0\t0\t0\t0\t0\t0\t0\t0000000000000000900\t0\t0\t0\t700\n");
  EXPECT_EQ(build_graph(ok).n_string_edges(), 3u);
}

// A go_parents.tsv with a chain far deeper than GO's (< 20): the recursive walk overflowed the stack
// at ~10^5..10^6 levels and needed memory quadratic in the depth. Now: a chain up to the bound builds,
// a deeper one is a ps::Error naming the file.
TEST(GraphBuild, DeepGoChainsAreBoundedNotAStackOverflow) {
  auto chain = [](int n) {
    GraphInputs in = tiny_inputs();
    std::string terms = "go_id\tontology\tterm\tdefinition\n", parents = "child\tparent\trelationship_type\tontology\n";
    for (int i = 0; i < n; ++i) {
      terms += "GO:" + std::to_string(i) + "\tBP\tterm " + std::to_string(i) + "\t\n";
      if (i) parents += "GO:" + std::to_string(i) + "\tGO:" + std::to_string(i - 1) + "\tisa\tBP\n";
    }
    in.go_terms = write("go_terms.tsv", terms);
    in.go_parents = write("go_parents.tsv", parents);
    in.gene2go = write("gene2go.tsv", "symbol\tentrez_id\tgo_id\tevidence\tontology\nA\t1\tGO:" +
                                          std::to_string(n - 1) + "\tIDA\tBP\n");
    return in;
  };
  const KnowledgeGraph g = build_graph(chain(1000));
  EXPECT_EQ(g.go_annotations(*g.find("A")).size(), 1000u);
  for (int n : {1001, 200000}) {
    try {
      build_graph(chain(n));
      FAIL() << "expected ps::Error for a chain of " << n;
    } catch (const ps::Error& e) {
      EXPECT_NE(std::string(e.what()).find("go_parents.tsv"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("deeper than 1000 terms"), std::string::npos) << e.what();
    }
  }
}

TEST(GraphCache, RoundTripAndRebuildOnChange) {
  auto in = tiny_inputs();
  const std::string cache = (dir() / "cache").string();
  LoadReport r1, r2, r3;
  auto g1 = load_or_build(in, {}, cache, &r1);
  EXPECT_FALSE(r1.from_cache);
  ASSERT_FALSE(r1.cache_path.empty());
  auto g2 = load_or_build(in, {}, cache, &r2);
  EXPECT_TRUE(r2.from_cache);
  EXPECT_EQ(r1.cache_path, r2.cache_path);
  GeneId a = *g2.find("OLDA"), c = *g2.find("C");
  EXPECT_DOUBLE_EQ(g2.score(Source::Go, a, c), g1.score(Source::Go, a, c));
  EXPECT_EQ(g2.evidence(a, *g2.find("B")).summary(g2), g1.evidence(a, *g1.find("B")).summary(g1));
  // Another input -> another key -> rebuilt.
  auto in2 = tiny_inputs("D\tE\t4\t5\t" + channels(800, 0, 800) + "\n");
  auto g3 = load_or_build(in2, {}, cache, &r3);
  EXPECT_FALSE(r3.from_cache);
  EXPECT_NE(r3.cache_path, r1.cache_path);
  EXPECT_FLOAT_EQ(g3.score(Source::String, *g3.find("D"), *g3.find("E")), 0.8f);
  // A damaged cache file is rebuilt, not trusted.
  in = tiny_inputs();  // the files as g1 saw them (tiny_inputs rewrites the same names)
  { std::ofstream(r1.cache_path, std::ios::trunc) << "PSKG garbage"; }
  EXPECT_THROW(load_graph(r1.cache_path), ps::Error);
  LoadReport r4;
  auto g4 = load_or_build(in, {}, cache, &r4);
  EXPECT_FALSE(r4.from_cache);
  EXPECT_FLOAT_EQ(g4.score(Source::String, *g4.find("A"), *g4.find("B")), 0.9f);
}

TEST(RealGraph, EvidenceForAKnownProteasomePair) {
  auto loc = ps::locate_data();
  if (!loc) GTEST_SKIP() << "data mirror not found";
  const std::string cache = (fs::temp_directory_path() / "ps_test_kg_shared_cache").string();  // shared by the test processes
  auto g = load_or_build(GraphInputs::from_data_dir(loc->dir), {}, cache);
  EXPECT_GT(g.n_string_edges(), 170000u);
  auto a = g.find("PSMA1"), b = g.find("PSMA2");
  ASSERT_TRUE(a && b);
  auto e = g.evidence(*a, *b);
  EXPECT_GT(e.score[0], 0.9);  // STRING: a core-particle pair
  bool experiments = false;
  for (const auto& [name, v] : e.string_channels) experiments = experiments || (name == "experiments" && v > 0);
  EXPECT_TRUE(experiments);
  bool proteasome_term = false;
  for (const auto& t : e.go_terms) proteasome_term = proteasome_term || g.go_term(t.term).id == "GO:0019773";
  EXPECT_TRUE(proteasome_term) << "proteasome core complex, alpha-subunit complex";
  ASSERT_FALSE(e.pathways.empty());
  EXPECT_EQ(g.find("AARS"), g.find("AARS1"));  // PerturbQA's old symbol
  auto nb = g.neighbours(*a, SourceWeights{}, 10);
  int psm = 0;
  for (const auto& n : nb) psm += g.symbol(n.gene).rfind("PSM", 0) == 0;
  EXPECT_GE(psm, 8);
}
