#include "data/symbols.h"

#include "common/error.h"
#include "data/text_file.h"

namespace ps::data {

SymbolResolver SymbolResolver::load(const std::string& data_dir) {
  const std::string dir = data_dir + "/go_orghs_bioc316/";
  return load_files(dir + "gene_info.tsv", dir + "gene_alias.tsv");
}

SymbolResolver SymbolResolver::load_files(const std::string& gene_info_tsv, const std::string& gene_alias_tsv) {
  SymbolResolver r;
  std::vector<std::string_view> f;
  {
    std::string text = read_file(gene_info_tsv);
    LineReader lines(text);
    std::string_view line;
    lines.next(line);  // header: entrez_id symbol ...
    while (lines.next(line)) {
      if (line.empty()) continue;
      split_fields(line, '\t', f);
      if (f.size() < 2 || f[1].empty())
        throw ps::Error(ps::where(gene_info_tsv, lines.line_number(), "expected entrez_id<TAB>symbol<TAB>..."));
      r.current_.emplace(f[1]);
    }
  }
  std::unordered_map<std::string, std::string> first;  // alias -> first symbol seen
  std::string text = read_file(gene_alias_tsv);
  LineReader lines(text);
  std::string_view line;
  lines.next(line);  // header: alias_symbol symbol entrez_id
  while (lines.next(line)) {
    if (line.empty()) continue;
    split_fields(line, '\t', f);
    if (f.size() < 2 || f[0].empty() || f[1].empty())
      throw ps::Error(ps::where(gene_alias_tsv, lines.line_number(), "expected alias_symbol<TAB>symbol<TAB>entrez_id"));
    std::string alias(f[0]), symbol(f[1]);
    auto [it, inserted] = first.emplace(alias, symbol);
    if (!inserted && it->second != symbol) r.ambiguous_.insert(alias);
  }
  for (auto& [alias, symbol] : first)
    if (!r.ambiguous_.count(alias) && r.current_.count(symbol)) r.alias_.emplace(alias, symbol);
  return r;
}

std::optional<std::string> SymbolResolver::resolve(const std::string& symbol) const {
  if (current_.count(symbol)) return symbol;
  auto it = alias_.find(symbol);
  if (it != alias_.end()) return it->second;
  return std::nullopt;
}

}  // namespace ps::data
