#include "kg/gene_lookup.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <tuple>

#include "common/error.h"
#include "data/text_file.h"

namespace ps::kg {

namespace {

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

}  // namespace

std::string join_alternatives(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? " or " : ", ";
    out += items[i];
  }
  return out;
}

std::string GeneMatch::message() const {
  switch (kind) {
    case Kind::Exact: return {};
    case Kind::Ambiguous: return "ambiguous: " + join_alternatives(candidates);
    case Kind::Unknown:
      if (suggestions.empty()) return "not in the knowledge graph";
      return "not in the knowledge graph (did you mean " + join_alternatives(suggestions) + "?)";
  }
  return {};
}

int edit_distance(const std::string& a, const std::string& b, int limit) {
  const int n = static_cast<int>(a.size()), m = static_cast<int>(b.size());
  if (std::abs(n - m) > limit) return limit + 1;
  // Three rows of the DP table: i-2, i-1, i.
  std::vector<int> prev2(m + 1), prev(m + 1), cur(m + 1);
  for (int j = 0; j <= m; ++j) prev[j] = j;
  for (int i = 1; i <= n; ++i) {
    cur[0] = i;
    int row_min = cur[0];
    for (int j = 1; j <= m; ++j) {
      const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      int d = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d = std::min(d, prev2[j - 2] + 1);
      cur[j] = d;
      row_min = std::min(row_min, d);
    }
    if (row_min > limit) return limit + 1;
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return std::min(prev[m], limit + 1);
}

GeneLookup::GeneLookup(const KnowledgeGraph& graph, const std::string& gene_alias_tsv) : g_(graph) {
  // alias -> every symbol it is listed for; ambiguous when two or more are current genes
  // of the graph; one current gene (the others withdrawn) is a suggestion.
  std::unordered_map<std::string, std::set<std::string>> symbols_of;
  const std::string text = ps::data::read_file(gene_alias_tsv);
  ps::data::LineReader lines(text);
  std::string_view line;
  std::vector<std::string_view> f;
  lines.next(line);  // header: alias_symbol symbol entrez_id
  while (lines.next(line)) {
    if (line.empty()) continue;
    ps::data::split_fields(line, '\t', f);
    if (f.size() < 2 || f[0].empty() || f[1].empty())
      throw ps::Error(ps::where(gene_alias_tsv, lines.line_number(), "expected alias_symbol<TAB>symbol<TAB>entrez_id"));
    symbols_of[upper(std::string(f[0]))].emplace(f[1]);
  }
  for (auto& [alias, symbols] : symbols_of) {
    std::vector<std::string> current;
    for (const auto& s : symbols) {
      auto id = g_.find(s);
      if (id && g_.symbol(*id) == s) current.push_back(s);
    }
    if (current.size() >= 2) ambiguous_.emplace(alias, std::move(current));  // std::set: sorted
    else if (current.size() == 1) only_current_.emplace(alias, current.front());
  }
  names_.reserve(static_cast<size_t>(g_.n_genes()) + g_.unambiguous_aliases().size());
  for (GeneId id = 0; id < g_.n_genes(); ++id) names_.push_back({upper(g_.symbol(id)), id, false});
  for (const auto& [alias, id] : g_.unambiguous_aliases()) names_.push_back({upper(alias), id, true});
}

std::vector<std::string> GeneLookup::ambiguous_candidates(const std::string& alias) const {
  auto it = ambiguous_.find(upper(trim(alias)));
  return it == ambiguous_.end() ? std::vector<std::string>{} : it->second;
}

GeneMatch GeneLookup::find(const std::string& query, size_t max_suggestions) const {
  GeneMatch m;
  m.query = trim(query);
  if (m.query.empty()) return m;
  if (auto id = g_.find(m.query)) {
    m.kind = GeneMatch::Kind::Exact;
    m.gene = id;
    return m;
  }
  m.candidates = ambiguous_candidates(m.query);
  if (!m.candidates.empty()) {
    m.kind = GeneMatch::Kind::Ambiguous;
    return m;
  }
  const std::string q = upper(m.query);
  if (auto it = only_current_.find(q); it != only_current_.end()) m.suggestions.push_back(it->second);
  const int limit = q.size() <= 4 ? 1 : 2;
  // (distance, alias?, length difference, symbol) per gene, the best entry of each gene.
  std::unordered_map<GeneId, std::tuple<int, int, int, std::string>> best;
  for (const auto& name : names_) {
    const int d = edit_distance(q, name.upper, limit);
    if (d > limit) continue;
    auto key = std::make_tuple(d, int(name.alias), std::abs(int(name.upper.size()) - int(q.size())), g_.symbol(name.gene));
    auto [it, inserted] = best.emplace(name.gene, key);
    if (!inserted && key < it->second) it->second = key;
  }
  std::vector<std::tuple<int, int, int, std::string>> ranked;
  for (auto& [gene, key] : best) ranked.push_back(key);
  std::sort(ranked.begin(), ranked.end());
  for (const auto& r : ranked) {
    if (m.suggestions.size() >= max_suggestions) break;
    if (std::find(m.suggestions.begin(), m.suggestions.end(), std::get<3>(r)) == m.suggestions.end())
      m.suggestions.push_back(std::get<3>(r));
  }
  if (m.suggestions.empty()) {
    for (const auto& c : g_.complete(m.query, max_suggestions)) {
      // "ALIAS (SYMBOL)" means SYMBOL.
      const auto open = c.rfind(" (");
      std::string s = open == std::string::npos ? c : c.substr(open + 2, c.size() - open - 3);
      if (std::find(m.suggestions.begin(), m.suggestions.end(), s) == m.suggestions.end()) m.suggestions.push_back(s);
    }
  }
  return m;
}

}  // namespace ps::kg
