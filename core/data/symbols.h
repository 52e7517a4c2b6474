// Gene symbol resolution: PerturbQA uses some older symbols (AARS, H2AFZ, C5orf30).
// A symbol resolves to itself when it is a current symbol (gene_info.tsv); otherwise
// through gene_alias.tsv, but only when the alias names exactly one current gene.
#pragma once
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
