// Looking a gene up by what a user types: a current symbol or an unambiguous alias is an
// exact match; an old symbol that names several current genes (MARS: MARS1 and SLA2;
// GARS: GARS1 and GART) is ambiguous and answered with its candidates, never with one
// of them picked silently; anything else gets "did you mean" suggestions.
//
//   kg::GeneLookup lookup(graph, inputs.gene_alias);
//   kg::GeneMatch m = lookup.find("ABC1");   // kind Ambiguous, candidates {ABCA1, HEATR6}
//   m.message()                              // "ambiguous: ABCA1 or HEATR6"
//
// Exact matching is KnowledgeGraph::find() (case-sensitive, then case-insensitive).
// Ambiguous aliases come from gene_alias.tsv (alias_symbol, symbol, entrez_id; an alias
// listed for two or more different current symbols), matched case-insensitively.
// Suggestions: an alias listed for one current gene and withdrawn ones suggests that gene
// first (the graph does not resolve it: SymbolResolver counts it as ambiguous); then symbols and unambiguous aliases within a small optimal-string-alignment
// distance of the query (adjacent transpositions count 1: TP35 -> TP53), case-insensitive;
// at most 1 edit for queries of up to 4 characters, 2 for longer ones; ranked by distance,
// then current symbols before aliases, then length difference, then alphabetically. When no
// spelling is that close, the symbols the query is a prefix of (KnowledgeGraph::complete).
// Used by the CLI (`kg info|neighbours|evidence`) and the GUI's gene searches.
#pragma once
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "kg/graph.h"

namespace ps::kg {

struct GeneMatch {
  enum class Kind { Exact, Ambiguous, Unknown };
  Kind kind = Kind::Unknown;
  std::string query;                     // as typed, trimmed
  std::optional<GeneId> gene;            // Exact: the gene
  std::vector<std::string> candidates;   // Ambiguous: the current symbols it names, sorted
  std::vector<std::string> suggestions;  // Unknown: current symbols, best first (may be empty)
  // "" for an exact match; "ambiguous: ABCA1 or HEATR6"; "not in the knowledge graph (did
  // you mean TP53, TP63?)"; "not in the knowledge graph".
  std::string message() const;
};

// "A", "A or B", "A, B or C".
std::string join_alternatives(const std::vector<std::string>& items);

class GeneLookup {
 public:
  // Reads the ambiguous aliases of `gene_alias_tsv` (throws ps::Error naming file and line
  // on a malformed row). Keeps a reference to `graph`: valid while the graph lives.
  GeneLookup(const KnowledgeGraph& graph, const std::string& gene_alias_tsv);

  GeneMatch find(const std::string& query, size_t max_suggestions = 5) const;
  // The candidates of an ambiguous alias (case-insensitive), empty when it is not one.
  std::vector<std::string> ambiguous_candidates(const std::string& alias) const;

 private:
  const KnowledgeGraph& g_;
  std::unordered_map<std::string, std::vector<std::string>> ambiguous_;  // UPPER alias -> symbols
  std::unordered_map<std::string, std::string> only_current_;  // UPPER alias -> its one current symbol
  struct Name {
    std::string upper;
    GeneId gene;
    bool alias;
  };
  std::vector<Name> names_;  // every symbol and unambiguous alias, for suggestions
};

// Optimal-string-alignment distance (insertions, deletions, substitutions and adjacent
// transpositions cost 1), stopping early once it exceeds `limit` (then returns limit + 1).
int edit_distance(const std::string& a, const std::string& b, int limit);

}  // namespace ps::kg
