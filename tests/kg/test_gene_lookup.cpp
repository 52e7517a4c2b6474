// Gene lookup (exact | ambiguous candidates | did-you-mean) on small hand-written files,
// and the KNN configuration of a stored run (one reader, validated).
#include <gtest/gtest.h>

#include "common/error.h"
#include "kg/build.h"
#include "kg/gene_lookup.h"
#include "kg/knn.h"
#include "scratch.h"

using namespace ps::kg;

namespace {

std::string write(const std::string& name, const std::string& text) {
  return ps::test::write_scratch_file("gene_lookup", name, text);
}

// Genes MARS1, SLA2, TP53, TP63, GART; "MARS" is an old symbol of MARS1 and SLA2, "P53"
// an unambiguous alias of TP53, "OLD" an alias of TP63 and of a withdrawn symbol.
GraphInputs inputs() {
  GraphInputs in;
  in.gene_info = write("gene_info.tsv",
                       "entrez_id\tsymbol\tgene_name\tgene_type\tchromosome\tensembl_ids\tuniprot_ids\n"
                       "1\tMARS1\tmethionyl-tRNA synthetase 1\tprotein-coding\t12\t\t\n"
                       "2\tSLA2\tSrc like adaptor 2\tprotein-coding\t20\t\t\n"
                       "3\tTP53\ttumor protein p53\tprotein-coding\t17\t\t\n"
                       "4\tTP63\ttumor protein p63\tprotein-coding\t3\t\t\n"
                       "5\tGART\tphosphoribosylglycinamide formyltransferase\tprotein-coding\t21\t\t\n");
  in.gene_alias = write("gene_alias.tsv",
                        "alias_symbol\tsymbol\tentrez_id\n"
                        "MARS\tMARS1\t1\nMARS\tSLA2\t2\nP53\tTP53\t3\nOLD\tTP63\t4\nOLD\tWITHDRAWN\t9\n");
  const std::string zero = "\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t";
  in.string_tsv = write("string.tsv",
                        "gene_a\tgene_b\tentrez_a\tentrez_b\tneighborhood\tneighborhood_transferred\tfusion\t"
                        "cooccurence\thomology\tcoexpression\tcoexpression_transferred\texperiments\t"
                        "experiments_transferred\tdatabase\tdatabase_transferred\tcombined_score\n"
                        "TP53\tTP63\t3\t4" + zero + "900\n");
  in.go_terms = write("go_terms.tsv", "go_id\tontology\tterm\tdefinition\nGO:1\tBP\troot\tthe root\n");
  in.go_parents = write("go_parents.tsv", "child\tparent\trelationship_type\tontology\n");
  in.gene2go = write("gene2go.tsv", "symbol\tentrez_id\tgo_id\tevidence\tontology\nTP53\t3\tGO:1\tIDA\tBP\n");
  in.reactome_gmt = write("reactome.gmt", "P\tR-HSA-1\tTP53\tTP63\n");
  return in;
}

}  // namespace

TEST(GeneLookup, ExactAmbiguousAndSuggestions) {
  const GraphInputs in = inputs();
  const KnowledgeGraph g = build_graph(in);
  const GeneLookup lookup(g, in.gene_alias);

  auto tp53 = lookup.find("TP53");
  EXPECT_EQ(tp53.kind, GeneMatch::Kind::Exact);
  EXPECT_EQ(g.symbol(*tp53.gene), "TP53");
  EXPECT_EQ(tp53.message(), "");
  EXPECT_EQ(g.symbol(*lookup.find(" p53 ").gene), "TP53");  // alias, trimmed, any case

  // Both genes offered, sorted, in any case; none picked.
  for (const char* q : {"MARS", "mars"}) {
    auto m = lookup.find(q);
    EXPECT_EQ(m.kind, GeneMatch::Kind::Ambiguous) << q;
    EXPECT_FALSE(m.gene);
    EXPECT_EQ(m.candidates, (std::vector<std::string>{"MARS1", "SLA2"}));
    EXPECT_EQ(m.message(), "ambiguous: MARS1 or SLA2");
  }
  // An alias of one current gene and a withdrawn symbol has one candidate: suggested first.
  EXPECT_TRUE(lookup.ambiguous_candidates("OLD").empty());
  auto old = lookup.find("OLD");
  EXPECT_EQ(old.kind, GeneMatch::Kind::Unknown);
  ASSERT_FALSE(old.suggestions.empty());
  EXPECT_EQ(old.suggestions[0], "TP63");

  // A transposition is one edit (TP35 -> TP53); TP63 is two edits away, too far for 4 letters.
  auto typo = lookup.find("TP35");
  EXPECT_EQ(typo.kind, GeneMatch::Kind::Unknown);
  ASSERT_FALSE(typo.suggestions.empty());
  EXPECT_EQ(typo.suggestions[0], "TP53");
  EXPECT_EQ(typo.message(), "not in the knowledge graph (did you mean TP53?)");
  // Two edits are allowed for longer names; current symbols rank before aliases.
  auto far = lookup.find("GARTXY");
  ASSERT_EQ(far.suggestions.size(), 1u);
  EXPECT_EQ(far.suggestions[0], "GART");
  EXPECT_TRUE(lookup.find("ZZZZZZZZ").suggestions.empty());
  EXPECT_EQ(lookup.find("ZZZZZZZZ").message(), "not in the knowledge graph");
}

TEST(GeneLookup, EditDistanceAndAlternatives) {
  EXPECT_EQ(edit_distance("TP53", "TP53", 2), 0);
  EXPECT_EQ(edit_distance("TP35", "TP53", 2), 1);   // adjacent transposition
  EXPECT_EQ(edit_distance("KITTEN", "SITTING", 5), 3);
  EXPECT_EQ(edit_distance("KITTEN", "SITTING", 1), 2);  // stops early: limit + 1
  EXPECT_EQ(edit_distance("", "ABC", 5), 3);
  EXPECT_EQ(join_alternatives({"A"}), "A");
  EXPECT_EQ(join_alternatives({"A", "B"}), "A or B");
  EXPECT_EQ(join_alternatives({"A", "B", "C"}), "A, B or C");
}

TEST(GeneLookup, MalformedAliasFileNamesTheLine) {
  const GraphInputs in = inputs();
  const KnowledgeGraph g = build_graph(in);
  const std::string bad = write("bad_alias.tsv", "alias_symbol\tsymbol\tentrez_id\nMARS\tMARS1\t1\nBROKEN\n");
  try {
    GeneLookup lookup(g, bad);
    FAIL() << "expected ps::Error";
  } catch (const ps::Error& e) {
    EXPECT_NE(std::string(e.what()).find("bad_alias.tsv:3"), std::string::npos) << e.what();
  }
}

TEST(KnnRunConfig, ReadFromTheStoredConfiguration) {
  // As store_knn_runs writes it.
  KnnConfig c = knn_config_of_run(
      R"({"cell_lines":["k562"],"knn":{"k":30,"pool":200,"sources":"string:1,go:0.5,reactome:3","power":1,)"
      R"("alpha":2,"target_k":5,"beta":0.1,"gamma":0.25},"threshold":0.5})");
  EXPECT_EQ(c.k, 30);
  EXPECT_EQ(c.pool, 200);
  EXPECT_DOUBLE_EQ(c.sources.go, 0.5);
  EXPECT_DOUBLE_EQ(c.sources.reactome, 3);
  EXPECT_DOUBLE_EQ(c.alpha, 2);
  EXPECT_EQ(c.target_k, 5);
  EXPECT_DOUBLE_EQ(c.beta, 0.1);
  EXPECT_DOUBLE_EQ(c.gamma, 0.25);
  // The round trip through to_json.
  KnnConfig back = KnnConfig::from_json(c.to_json());
  EXPECT_EQ(back.to_json(), c.to_json());
  // Absent keys: the validated defaults (Reactome weight 2), never 1:1:1.
  for (const char* json : {"", "{}", R"({"cell_line":"k562","k":12})"}) {
    KnnConfig d = knn_config_of_run(json);
    EXPECT_DOUBLE_EQ(d.sources.string, SourceWeights::fused().string) << json;
    EXPECT_DOUBLE_EQ(d.sources.go, SourceWeights::fused().go) << json;
    EXPECT_DOUBLE_EQ(d.sources.reactome, SourceWeights::fused().reactome) << json;
  }
  EXPECT_EQ(knn_config_of_run(R"({"cell_line":"k562","k":12})").k, 12);  // top-level keys of older runs
  EXPECT_THROW(knn_config_of_run("{not json"), ps::Error);
  try {
    knn_config_of_run(R"({"knn":{"k":"twenty"}})");
    FAIL();
  } catch (const ps::Error& e) {
    EXPECT_NE(std::string(e.what()).find("'k'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(knn_config_of_run(R"({"knn":{"sources":"string:1,kegg:2"}})"), ps::Error);
}

TEST(KnnRunConfig, ValidateNamesEachField) {
  EXPECT_TRUE(KnnConfig{}.validate().empty());
  KnnConfig c;
  c.k = 0;
  auto problems = c.validate();
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].first, "k");
  EXPECT_NE(problems[0].second.find("between 1 and 400"), std::string::npos);
  c.k = 401;
  EXPECT_EQ(c.validate().at(0).first, "k");
  c.k = 20;
  c.sources = {0, 0, 0};
  c.beta = 1.5;
  problems = c.validate();
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0].first, "sources");
  EXPECT_EQ(problems[1].first, "beta");
}
