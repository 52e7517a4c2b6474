#include "data/symbols.h"

#include <algorithm>
#include <map>
#include <set>

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

SymbolResolver::Resolution SymbolResolver::resolve_set(const std::vector<std::string>& symbols) const {
  Resolution r;
  const std::set<std::string> distinct(symbols.begin(), symbols.end());
  std::map<std::string, std::vector<std::string>> by_target;  // resolved name -> the set's symbols
  std::set<std::string> unresolved;
  for (const auto& s : distinct) {
    if (auto t = resolve(s)) by_target[*t].push_back(s);
    else unresolved.insert(s);
  }
  std::set<std::string> kept;
  for (const auto& s : distinct) r.name[s] = s;
  for (const auto& [target, names] : by_target) {
    // One symbol of the set for this gene: the alias may be followed.
    if (names.size() == 1) {
      if (names[0] != target) {
        r.name[names[0]] = target;
        ++r.renamed;
      }
      continue;
    }
    // Several: the set distinguishes them, so the aliases keep their own names.
    const bool target_named = distinct.count(target) > 0;
    for (const auto& n : names) {
      if (n == target) continue;
      std::string why = n + " (alias of " + target;
      if (target_named) {
        why += ", which is also in the data)";
      } else {
        std::string others;
        for (const auto& o : names)
          if (o != n) others += (others.empty() ? "" : ", ") + o;
        why += ", as is " + others + ")";
      }
      kept.insert(why);
    }
  }
  r.unresolved.assign(unresolved.begin(), unresolved.end());
  r.kept_distinct.assign(kept.begin(), kept.end());
  return r;
}

}  // namespace ps::data
