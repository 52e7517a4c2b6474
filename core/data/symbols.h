// Gene symbol resolution: PerturbQA uses some older symbols (AARS, H2AFZ, C5orf30).
// A symbol resolves to itself when it is a current symbol (gene_info.tsv); otherwise
// through gene_alias.tsv, but only when the alias names exactly one current gene.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace ps::data {

class SymbolResolver {
 public:
  SymbolResolver() = default;
  // Reads <data_dir>/go_orghs_bioc316/{gene_info,gene_alias}.tsv.
  static SymbolResolver load(const std::string& data_dir);
  // From explicit files (tests write small ones).
  static SymbolResolver load_files(const std::string& gene_info_tsv, const std::string& gene_alias_tsv);

  // The current symbol, or nullopt when unknown or ambiguous.
  std::optional<std::string> resolve(const std::string& symbol) const;

  // Resolves the distinct symbols of one data set together, so that an alias never merges two
  // genes the data set keeps apart: a symbol whose alias target is also named in the set (e.g.
  // Jurkat's read-outs TRAC and NCOR2, where TRAC is an alias of NCOR2), or that shares its
  // target with another alias of the set, keeps its own name and is listed in `kept_distinct`
  // as "TRAC (alias of NCOR2, which is also in the data)". Current symbols always resolve to
  // themselves. Returns symbol -> resolved name for every input; `unresolved` gets the symbols
  // that are neither current nor an unambiguous alias (sorted, as kept_distinct).
  struct Resolution {
    std::unordered_map<std::string, std::string> name;  // every input symbol -> the name to use
    std::vector<std::string> unresolved;
    std::vector<std::string> kept_distinct;
    int64_t renamed = 0;  // symbols mapped through an alias
  };
  Resolution resolve_set(const std::vector<std::string>& symbols) const;
  bool is_current(const std::string& symbol) const { return current_.count(symbol) > 0; }
  bool is_ambiguous_alias(const std::string& alias) const { return ambiguous_.count(alias) > 0; }
  // Every current symbol and unambiguous alias (for search/completion lists).
  const std::unordered_set<std::string>& current_symbols() const { return current_; }
  const std::unordered_map<std::string, std::string>& aliases() const { return alias_; }

 private:
  std::unordered_set<std::string> current_;
  std::unordered_map<std::string, std::string> alias_;  // unambiguous alias -> symbol
  std::unordered_set<std::string> ambiguous_;
};

}  // namespace ps::data
