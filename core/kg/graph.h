// The knowledge graph: human genes joined by typed, weighted edges from three sources,
//   STRING    protein association, weight = combined score / 1000 (text mining excluded),
//             with the per-channel scores kept as evidence;
//   GO        shared Gene Ontology terms: each gene's annotations (ND dropped) propagated up
//             is_a / part_of, each term weighted by its information content
//             IC(t) = -ln(genes annotated with t / annotated genes); weight = cosine of the
//             IC-weighted term vectors, sum_{t shared} IC_t^2 / (|a| |b|);
//   Reactome  shared pathways, each pathway weighted by its size, w_p = ln(genes in Reactome /
//             genes in p); weight = cosine of the w_p-weighted pathway vectors.
// Terms and pathways with more than `max_set_genes` genes (e.g. "cytoplasm", "Disease")
// are left out of the similarities: they say little about one pair and would join
// everything to everything.
//
// GO and Reactome similarities are computed on demand from an inverted index (term ->
// genes), exactly, so a neighbourhood query over any subset of genes needs no stored
// all-pairs table. Queries are const and thread-safe.
//
// Build it with kg/build.h (from the data mirror, cached by kg/cache.h).
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace ps::kg {

using GeneId = int32_t;

enum class Source : uint8_t { String = 0, Go = 1, Reactome = 2 };
constexpr int kSources = 3;
std::string to_string(Source s);

// Relative weights of the sources in a fused score; a zero weight leaves a source out.
struct SourceWeights {
  double string = 1, go = 1, reactome = 1;
  double of(Source s) const { return s == Source::String ? string : s == Source::Go ? go : reactome; }
  static SourceWeights only(Source s);
  // The validated fusion (KNN-KG's default): string:1,go:1,reactome:2.
  static SourceWeights fused() { return {1, 1, 2}; }
  // "string,reactome" or "string:1,go:0.5": the sources named are used, the others get 0;
  // a name without a weight keeps its weight in `defaults` (so "string,go,reactome" is the
  // validated fusion, not an unweighted one). Throws ps::Error naming the bad part: an unknown
  // source, a weight that is not a finite number >= 0, or no source left with a weight above 0.
  static SourceWeights parse(const std::string& spec, const SourceWeights& defaults = fused());
  std::string to_string() const;  // "string:1,go:0.5,reactome:0.5"
};

// The 11 STRING channels, in the mirror's column order.
const std::array<const char*, 11>& string_channel_names();

struct GeneMeta {
  std::string symbol;
  std::string full_name;   // "alpha-1-B glycoprotein" (empty when not in gene_info.tsv)
  std::string type;        // "protein-coding", "ncRNA", ...
  std::string chromosome;
};

struct GoTermMeta {
  std::string id;          // "GO:0005840"
  std::string ontology;    // BP / CC / MF
  std::string name;
  std::string definition;
};

struct PathwayMeta {
  std::string id;          // "R-HSA-72766"
  std::string name;
};

// A GO annotation of a gene: the term, and the evidence code of the direct annotation
// ("IDA", "IEA", ...), or "" when the term is only implied through a descendant.
struct GoAnnotation {
  int32_t term;
  std::string evidence;
};

struct Neighbour {
  GeneId gene = -1;
  double score = 0;                          // the fused score the list is sorted by
  std::array<double, kSources> by_source{};  // each source's weight of the edge (0 = none)
};

struct SharedGoTerm {
  int32_t term;
  double ic;
  std::string evidence_a, evidence_b;  // direct evidence codes, "" = inherited
};

struct SharedPathway {
  int32_t pathway;
  int32_t size;
  double weight;
};

// Why two genes are neighbours.
struct Evidence {
  std::array<double, kSources> score{};                   // each source's edge weight
  std::vector<std::pair<std::string, int>> string_channels;  // non-zero channels, 0..1000
  std::vector<SharedGoTerm> go_terms;                     // most informative first
  std::vector<SharedPathway> pathways;                    // smallest first
  std::string summary(const class KnowledgeGraph& g, size_t max_items = 3) const;  // one line
};

class KnowledgeGraph {
 public:
  // --- genes -------------------------------------------------------------------------
  int32_t n_genes() const { return static_cast<int32_t>(genes_.size()); }
  const GeneMeta& gene(GeneId g) const { return genes_.at(g); }
  const std::string& symbol(GeneId g) const { return genes_.at(g).symbol; }
  // A current symbol or an unambiguous alias (case-sensitive first, then case-insensitive).
  std::optional<GeneId> find(const std::string& symbol_or_alias) const;
  // Symbols and aliases starting with `prefix` (case-insensitive), current symbols first,
  // then shorter ones; for search boxes. Each entry is "SYMBOL" or "ALIAS (SYMBOL)".
  std::vector<std::string> complete(const std::string& prefix, size_t max_results = 20) const;
  bool in_source(Source s, GeneId g) const;  // has an edge / annotation / pathway
  // Unambiguous alias -> gene (aliases that are also a current symbol are left out);
  // ambiguous aliases and misspellings are answered by kg/gene_lookup.h.
  const std::unordered_map<std::string, GeneId>& unambiguous_aliases() const { return by_alias_; }

  // --- annotations -------------------------------------------------------------------
  std::vector<GoAnnotation> go_annotations(GeneId g) const;  // propagated, most specific first
  const GoTermMeta& go_term(int32_t t) const { return go_terms_.at(t); }
  double go_ic(int32_t t) const { return go_ic_.at(t); }
  std::vector<int32_t> pathways_of(GeneId g) const;
  const PathwayMeta& pathway(int32_t p) const { return pathways_.at(p); }
  int32_t pathway_size(int32_t p) const;
  int32_t n_go_terms() const { return static_cast<int32_t>(go_terms_.size()); }
  int32_t n_pathways() const { return static_cast<int32_t>(pathways_.size()); }
  size_t n_string_edges() const { return string_edge_channels_.size(); }

  // --- scores and neighbourhoods -----------------------------------------------------
  double score(Source s, GeneId a, GeneId b) const;
  double fused(const SourceWeights& w, GeneId a, GeneId b) const;
  // The k genes with the highest fused score (> 0) to g, best first, g itself excluded.
  // allowed (one flag per gene) restricts the candidates, e.g. to perturbers seen in train.
  std::vector<Neighbour> neighbours(GeneId g, const SourceWeights& w, size_t k,
                                    const std::vector<uint8_t>* allowed = nullptr) const;
  Evidence evidence(GeneId a, GeneId b, size_t max_items = 10) const;

  // The same query answered from a CandidateIndex: identical results, much faster when
  // many genes are queried against one small candidate set (KNN: the train perturbers).
  class CandidateIndex;
  std::vector<Neighbour> neighbours(GeneId g, const SourceWeights& w, size_t k, const CandidateIndex& cand) const;

  // Identity of the inputs this graph was built from (for the cache and the store).
  uint64_t input_checksum() const { return input_checksum_; }
  int max_set_genes() const { return max_set_genes_; }

 private:
  friend class GraphBuilder;
  friend struct GraphIO;

  // Sparse gene x set incidence (gene -> sets, and the transposed set -> genes), with a
  // weight per set and the norm of each gene's weighted vector.
  struct SetIndex {
    std::vector<int64_t> gene_offsets;  // n_genes + 1
    std::vector<int32_t> gene_sets;     // sets of each gene (sorted)
    std::vector<int64_t> set_offsets;   // n_sets + 1
    std::vector<int32_t> set_genes;     // genes of each set (sorted)
    std::vector<float> set_weight;      // 0 for sets left out of the similarity
    std::vector<float> gene_norm;       // sqrt(sum of squared weights of the gene's sets)
    double cosine(GeneId a, GeneId b) const;
  };
  // The genes of each set, restricted to the candidates (CSR over sets).
  struct SetMembers {
    const int64_t* offsets;
    const int32_t* genes;
  };
  void accumulate_sets(const SetIndex& idx, const SetMembers& members, GeneId g, std::vector<double>& acc,
                       std::vector<GeneId>& touched, const std::vector<uint8_t>* allowed) const;
  std::vector<Neighbour> neighbours_impl(GeneId g, const SourceWeights& w, size_t k,
                                         const std::vector<uint8_t>* allowed, const SetMembers& go,
                                         const SetMembers& reactome) const;

  std::vector<GeneMeta> genes_;
  std::unordered_map<std::string, GeneId> by_symbol_;
  std::unordered_map<std::string, GeneId> by_alias_;  // unambiguous aliases only
  std::unordered_map<std::string, GeneId> by_upper_;  // upper-cased symbols and aliases

  // STRING, CSR by gene: neighbour, weight (combined / 1000), edge id for the channels.
  std::vector<int64_t> string_offsets_;
  std::vector<GeneId> string_nbr_;
  std::vector<float> string_w_;
  std::vector<int32_t> string_edge_;
  std::vector<std::array<uint16_t, 11>> string_edge_channels_;

  // GO: terms, IC, the propagated incidence, the direct annotations' evidence codes.
  std::vector<GoTermMeta> go_terms_;
  std::vector<float> go_ic_;
  SetIndex go_;
  std::vector<std::string> evidence_codes_;
  std::vector<int64_t> direct_offsets_;       // by gene
  std::vector<int32_t> direct_term_;
  std::vector<uint8_t> direct_code_;          // index into evidence_codes_

  // Reactome.
  std::vector<PathwayMeta> pathways_;
  SetIndex reactome_;

  int max_set_genes_ = 500;
  uint64_t input_checksum_ = 0;
};

// Candidate genes with their GO / Reactome set memberships pre-filtered (built in one
// pass over the incidences). Valid while the graph lives.
class KnowledgeGraph::CandidateIndex {
 public:
  CandidateIndex(const KnowledgeGraph& g, std::vector<uint8_t> allowed);
  const std::vector<uint8_t>& allowed() const { return allowed_; }

 private:
  friend class KnowledgeGraph;
  std::vector<uint8_t> allowed_;
  std::vector<int64_t> go_offsets_, re_offsets_;
  std::vector<int32_t> go_genes_, re_genes_;
};

}  // namespace ps::kg
