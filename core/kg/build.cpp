#include "kg/build.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <functional>
#include <unordered_map>

#include "common/error.h"
#include "common/paths.h"
#include "data/symbols.h"
#include "data/text_file.h"

namespace fs = std::filesystem;

namespace ps::kg {

using data::LineReader;
using data::read_file;
using data::split_fields;

// Calls row(fields, line_number) for each non-empty data line of a TSV file
// (the header line is skipped); the fields view into the file's text.
template <class Fn>
static void for_each_tsv_row(const std::string& path, Fn&& row) {
  std::string text = read_file(path);
  LineReader lines(text);
  std::string_view line;
  std::vector<std::string_view> f;
  lines.next(line);
  while (lines.next(line)) {
    if (line.empty()) continue;
    split_fields(line, '\t', f);
    row(f, lines.line_number());
  }
}

GraphInputs GraphInputs::from_data_dir(const std::string& dir) {
  GraphInputs in;
  const std::string go = dir + "/go_orghs_bioc316/";
  in.gene_info = go + "gene_info.tsv";
  in.gene_alias = go + "gene_alias.tsv";
  in.gene2go = go + "gene2go.tsv";
  in.go_terms = go + "go_terms.tsv";
  in.go_parents = go + "go_parents.tsv";
  in.string_tsv = dir + "/string_v12_dmfind/string_v12_human_ntm700_top3_400.tsv";
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir + "/reactome", ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("ReactomePathways", 0) == 0 && e.path().extension() == ".gmt") in.reactome_gmt = e.path().string();
  }
  if (in.reactome_gmt.empty()) in.reactome_gmt = dir + "/reactome/ReactomePathways.gmt";
  for (const auto* p : {&in.gene_info, &in.gene_alias, &in.gene2go, &in.go_terms, &in.go_parents, &in.string_tsv,
                        &in.reactome_gmt})
    if (!fs::is_regular_file(*p, ec)) throw ps::Error(ps::where(*p, 0, "knowledge-graph input not found"));
  return in;
}

// The builder fills KnowledgeGraph's private members (it is a friend).
class GraphBuilder {
 public:
  GraphBuilder(const GraphInputs& in, const BuildOptions& opt) : in_(in), opt_(opt) {}

  KnowledgeGraph build() {
    g_.max_set_genes_ = opt_.max_set_genes;
    g_.input_checksum_ = input_checksum(in_, opt_);
    read_genes();
    read_string();
    read_go();
    read_reactome();
    // Genes added by the sources after the first pass have empty CSR rows.
    pad(g_.string_offsets_);
    pad(g_.direct_offsets_);
    pad(g_.go_.gene_offsets);
    pad(g_.reactome_.gene_offsets);
    pad_norm(g_.go_);
    pad_norm(g_.reactome_);
    return std::move(g_);
  }

 private:
  void pad(std::vector<int64_t>& offsets) {
    if (offsets.empty()) offsets.push_back(0);
    while (offsets.size() < g_.genes_.size() + 1) offsets.push_back(offsets.back());
  }
  void pad_norm(KnowledgeGraph::SetIndex& idx) { idx.gene_norm.resize(g_.genes_.size(), 0.f); }

  // A source's symbol -> gene id: current symbol, unambiguous alias, or a new gene.
  GeneId gene_id(std::string_view sym) {
    std::string s(sym);
    if (auto it = g_.by_symbol_.find(s); it != g_.by_symbol_.end()) return it->second;
    if (auto it = g_.by_alias_.find(s); it != g_.by_alias_.end()) return it->second;
    GeneId id = static_cast<GeneId>(g_.genes_.size());
    g_.genes_.push_back({s, "", "", ""});
    g_.by_symbol_.emplace(s, id);
    return id;
  }

  void read_genes() {
    for_each_tsv_row(in_.gene_info, [&](const std::vector<std::string_view>& f, long ln) {
      if (f.size() < 5 || f[1].empty())
        throw ps::Error(ps::where(in_.gene_info, ln, "expected 7 tab-separated columns"));
      std::string sym(f[1]);
      if (g_.by_symbol_.count(sym)) return;
      g_.by_symbol_.emplace(sym, static_cast<GeneId>(g_.genes_.size()));
      g_.genes_.push_back({sym, std::string(f[2]), std::string(f[3]), std::string(f[4])});
    });
    auto resolver = data::SymbolResolver::load_files(in_.gene_info, in_.gene_alias);
    for (const auto& [alias, sym] : resolver.aliases())
      if (!g_.by_symbol_.count(alias)) g_.by_alias_.emplace(alias, g_.by_symbol_.at(sym));
    // Case-insensitive lookup: symbols win over aliases; keys that clash are dropped.
    std::unordered_map<std::string, int> clashes;
    for (const auto* m : {&g_.by_symbol_, &g_.by_alias_})
      for (const auto& [name, id] : *m) {
        std::string u = name;
        for (auto& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        auto [it, ins] = g_.by_upper_.emplace(u, id);
        if (!ins && it->second != id && m == &g_.by_alias_) continue;
        if (!ins && it->second != id) clashes[u]++;
      }
    for (const auto& [u, n] : clashes) g_.by_upper_.erase(u);
  }

  void read_string() {
    const std::string& path = in_.string_tsv;
    std::string text = read_file(path);
    LineReader lines(text);
    std::string_view line;
    std::vector<std::string_view> f;
    if (!lines.next(line)) throw ps::Error(ps::where(path, 1, "empty file"));
    split_fields(line, '\t', f);
    if (f.size() != 16 || f[0] != "gene_a" || f[15] != "combined_score")
      throw ps::Error(ps::where(path, 1, "expected the header gene_a gene_b entrez_a entrez_b <11 channels> combined_score"));
    struct Edge { GeneId a, b; float w; int32_t id; };
    std::vector<Edge> edges;
    auto number = [&](std::string_view s, long ln) {
      int v = 0;
      if (s.empty()) throw ps::Error(ps::where(path, ln, "empty score"));
      for (char c : s) {
        if (c < '0' || c > '9') throw ps::Error(ps::where(path, ln, "score '" + std::string(s) + "' is not an integer"));
        v = v * 10 + (c - '0');
        // Checked per digit: a long digit string must not overflow int (found by fuzz_kg_inputs).
        if (v > 1000) throw ps::Error(ps::where(path, ln, "score '" + std::string(s) + "' is above 1000"));
      }
      return static_cast<uint16_t>(v);
    };
    while (lines.next(line)) {
      if (line.empty()) continue;
      split_fields(line, '\t', f);
      const long ln = lines.line_number();
      if (f.size() != 16) throw ps::Error(ps::where(path, ln, "expected 16 fields, found " + std::to_string(f.size())));
      GeneId a = gene_id(f[0]), b = gene_id(f[1]);
      if (a == b) continue;
      std::array<uint16_t, 11> ch;
      for (int c = 0; c < 11; ++c) ch[c] = number(f[4 + c], ln);
      const float w = number(f[15], ln) / 1000.0f;
      const int32_t id = static_cast<int32_t>(g_.string_edge_channels_.size());
      g_.string_edge_channels_.push_back(ch);
      edges.push_back({a, b, w, id});
      edges.push_back({b, a, w, id});
    }
    std::sort(edges.begin(), edges.end(), [](const Edge& x, const Edge& y) {
      return x.a != y.a ? x.a < y.a : x.b != y.b ? x.b < y.b : x.w > y.w;
    });
    // Two rows joining the same pair (symbols merged through aliases): keep the stronger.
    edges.erase(std::unique(edges.begin(), edges.end(), [](const Edge& x, const Edge& y) { return x.a == y.a && x.b == y.b; }),
                edges.end());
    g_.string_offsets_.assign(1, 0);
    for (const auto& e : edges) {
      while (static_cast<GeneId>(g_.string_offsets_.size()) <= e.a) g_.string_offsets_.push_back(g_.string_nbr_.size());
      g_.string_nbr_.push_back(e.b);
      g_.string_w_.push_back(e.w);
      g_.string_edge_.push_back(e.id);
    }
    g_.string_offsets_.push_back(g_.string_nbr_.size());
    // Rows for genes between the last edge and n_genes are added by pad().
    // (offsets has size last_gene + 2 here; pad extends with the total count.)
  }

  // Builds both directions of a gene x set incidence, with set weights and gene norms.
  static void finish_index(KnowledgeGraph::SetIndex& idx, std::vector<std::vector<int32_t>>& gene_sets, size_t n_sets,
                           const std::vector<float>& weight) {
    idx.gene_offsets.assign(1, 0);
    idx.gene_sets.clear();
    std::vector<int64_t> count(n_sets, 0);
    for (auto& sets : gene_sets) {
      std::sort(sets.begin(), sets.end());
      sets.erase(std::unique(sets.begin(), sets.end()), sets.end());
      for (int32_t s : sets) idx.gene_sets.push_back(s), count[s]++;
      idx.gene_offsets.push_back(idx.gene_sets.size());
    }
    idx.set_offsets.assign(n_sets + 1, 0);
    for (size_t s = 0; s < n_sets; ++s) idx.set_offsets[s + 1] = idx.set_offsets[s] + count[s];
    idx.set_genes.assign(idx.gene_sets.size(), 0);
    std::vector<int64_t> fill(idx.set_offsets.begin(), idx.set_offsets.end() - 1);
    for (size_t g = 0; g < gene_sets.size(); ++g)
      for (int32_t s : gene_sets[g]) idx.set_genes[fill[s]++] = static_cast<int32_t>(g);
    idx.set_weight = weight;
    idx.gene_norm.assign(gene_sets.size(), 0.f);
    for (size_t g = 0; g < gene_sets.size(); ++g) {
      double ss = 0;
      for (int32_t s : gene_sets[g]) ss += static_cast<double>(weight[s]) * weight[s];
      idx.gene_norm[g] = static_cast<float>(std::sqrt(ss));
    }
  }

  void read_go() {
    std::unordered_map<std::string, int32_t> term_id;
    for_each_tsv_row(in_.go_terms, [&](const std::vector<std::string_view>& f, long ln) {
      if (f.size() < 3 || f[0].empty())
        throw ps::Error(ps::where(in_.go_terms, ln, "expected go_id, ontology, term, definition"));
      term_id.emplace(std::string(f[0]), static_cast<int32_t>(g_.go_terms_.size()));
      g_.go_terms_.push_back({std::string(f[0]), std::string(f[1]), std::string(f[2]),
                              f.size() > 3 ? std::string(f[3]) : std::string()});
    });
    const size_t n_terms = g_.go_terms_.size();
    std::vector<std::vector<int32_t>> parents(n_terms);
    for_each_tsv_row(in_.go_parents, [&](const std::vector<std::string_view>& f, long ln) {
      if (f.size() < 3) throw ps::Error(ps::where(in_.go_parents, ln, "expected child, parent, relationship_type"));
      // Annotations are inherited along is_a and part_of only ("regulates" is not transitive for them).
      if (f[2] != "isa" && f[2] != "part of") return;
      auto c = term_id.find(std::string(f[0])), p = term_id.find(std::string(f[1]));
      if (c == term_id.end() || p == term_id.end()) return;  // a term outside go_terms.tsv
      parents[c->second].push_back(p->second);
    });
    // Ancestors (self included) of each term, memoised; GO is a DAG. Depth-first without recursion,
    // and bounded: GO's is_a/part_of chains are < 20 deep, and a file with a chain of millions would
    // overflow the stack of a recursive walk and need memory quadratic in its depth.
    constexpr size_t kMaxGoDepth = 1000;
    std::vector<std::vector<int32_t>> anc(n_terms);
    std::vector<uint8_t> state(n_terms, 0);  // 0 new, 1 in progress, 2 done
    auto visit = [&](int32_t root) {
      if (state[root] != 0) return;
      std::vector<std::pair<int32_t, size_t>> stack{{root, 0}};  // term, next parent to look at
      state[root] = 1;
      while (!stack.empty()) {
        const int32_t t = stack.back().first;
        size_t& next = stack.back().second;
        if (next < parents[t].size()) {
          const int32_t p = parents[t][next++];
          if (state[p] == 0) {  // in progress (1): a cycle, a broken ontology file: the back edge is ignored
            if (stack.size() >= kMaxGoDepth)
              throw ps::Error(ps::where(in_.go_parents, 0, "the is_a/part_of chain above " + g_.go_terms_[root].id +
                                                               " is deeper than " + std::to_string(kMaxGoDepth) +
                                                               " terms (GO's are < 20): not a GO ontology"));
            state[p] = 1;
            stack.emplace_back(p, 0);
          }
          continue;
        }
        std::vector<int32_t> a = {t};
        for (int32_t p : parents[t])
          if (state[p] == 2) a.insert(a.end(), anc[p].begin(), anc[p].end());
        std::sort(a.begin(), a.end());
        a.erase(std::unique(a.begin(), a.end()), a.end());
        anc[t] = std::move(a);
        state[t] = 2;
        stack.pop_back();
      }
    };
    // gene2go: direct annotations (ND dropped), evidence codes kept.
    std::vector<std::vector<std::pair<int32_t, uint8_t>>> direct;
    std::unordered_map<std::string, uint8_t> code_id;
    for_each_tsv_row(in_.gene2go, [&](const std::vector<std::string_view>& f, long ln) {
      if (f.size() < 4 || f[0].empty() || f[2].empty())
        throw ps::Error(ps::where(in_.gene2go, ln, "expected symbol, entrez_id, go_id, evidence, ontology"));
      if (f[3] == "ND") return;
      auto t = term_id.find(std::string(f[2]));
      if (t == term_id.end()) return;  // obsolete term
      GeneId g = gene_id(f[0]);
      if (direct.size() <= static_cast<size_t>(g)) direct.resize(g + 1);
      auto [cit, ins] = code_id.emplace(std::string(f[3]), static_cast<uint8_t>(g_.evidence_codes_.size()));
      if (ins) {
        if (g_.evidence_codes_.size() >= 255) throw ps::Error(ps::where(in_.gene2go, ln, "too many evidence codes"));
        g_.evidence_codes_.emplace_back(f[3]);
      }
      direct[g].emplace_back(t->second, cit->second);
    });
    direct.resize(g_.genes_.size());
    g_.direct_offsets_.assign(1, 0);
    std::vector<std::vector<int32_t>> propagated(g_.genes_.size());
    std::vector<int64_t> term_genes(n_terms, 0);
    for (size_t g = 0; g < direct.size(); ++g) {
      auto& d = direct[g];
      std::sort(d.begin(), d.end());
      d.erase(std::unique(d.begin(), d.end()), d.end());
      for (auto [t, code] : d) {
        g_.direct_term_.push_back(t);
        g_.direct_code_.push_back(code);
        visit(t);
        propagated[g].insert(propagated[g].end(), anc[t].begin(), anc[t].end());
      }
      g_.direct_offsets_.push_back(g_.direct_term_.size());
      auto& p = propagated[g];
      std::sort(p.begin(), p.end());
      p.erase(std::unique(p.begin(), p.end()), p.end());
      for (int32_t t : p) term_genes[t]++;
    }
    int64_t annotated = 0;
    for (const auto& p : propagated) annotated += !p.empty();
    g_.go_ic_.assign(n_terms, 0.f);
    std::vector<float> weight(n_terms, 0.f);
    for (size_t t = 0; t < n_terms; ++t) {
      if (term_genes[t] == 0) continue;
      g_.go_ic_[t] = static_cast<float>(-std::log(static_cast<double>(term_genes[t]) / annotated));
      if (term_genes[t] <= opt_.max_set_genes) weight[t] = g_.go_ic_[t];
    }
    finish_index(g_.go_, propagated, n_terms, weight);
  }

  void read_reactome() {
    const std::string& path = in_.reactome_gmt;
    std::string text = read_file(path);
    LineReader lines(text);
    std::string_view line;
    std::vector<std::string_view> f;
    std::vector<std::vector<int32_t>> gene_sets(g_.genes_.size());
    std::vector<int64_t> size;
    while (lines.next(line)) {
      if (line.empty()) continue;
      split_fields(line, '\t', f);
      if (f.size() < 3 || f[0].empty() || f[1].empty())
        throw ps::Error(ps::where(path, lines.line_number(), "expected name<TAB>id<TAB>gene..."));
      const int32_t p = static_cast<int32_t>(g_.pathways_.size());
      g_.pathways_.push_back({std::string(f[1]), std::string(f[0])});
      std::vector<GeneId> members;
      for (size_t i = 2; i < f.size(); ++i)
        if (!f[i].empty()) members.push_back(gene_id(f[i]));
      std::sort(members.begin(), members.end());
      members.erase(std::unique(members.begin(), members.end()), members.end());
      if (gene_sets.size() < g_.genes_.size()) gene_sets.resize(g_.genes_.size());
      for (GeneId g : members) gene_sets[g].push_back(p);
      size.push_back(static_cast<int64_t>(members.size()));
    }
    gene_sets.resize(g_.genes_.size());
    int64_t in_reactome = 0;
    for (const auto& s : gene_sets) in_reactome += !s.empty();
    std::vector<float> weight(g_.pathways_.size(), 0.f);
    for (size_t p = 0; p < weight.size(); ++p)
      if (size[p] > 0 && size[p] <= opt_.max_set_genes)
        weight[p] = static_cast<float>(std::log(static_cast<double>(in_reactome) / size[p]));
    finish_index(g_.reactome_, gene_sets, g_.pathways_.size(), weight);
  }

  const GraphInputs& in_;
  BuildOptions opt_;
  KnowledgeGraph g_;
};

KnowledgeGraph build_graph(const GraphInputs& in, const BuildOptions& opt) { return GraphBuilder(in, opt).build(); }

uint64_t input_checksum(const GraphInputs& in, const BuildOptions& opt) {
  uint64_t h = data::fnv1a64("perturbscope-kg-v1");
  h = data::fnv1a64(std::to_string(opt.max_set_genes), h);
  for (const auto* p : {&in.gene_info, &in.gene_alias, &in.string_tsv, &in.gene2go, &in.go_terms, &in.go_parents,
                        &in.reactome_gmt}) {
    std::string bytes = read_file(*p);
    h = data::fnv1a64(std::to_string(bytes.size()), h);
    // Word-at-a-time mixing: the checksum of ~35 MB must cost little next to loading.
    const size_t words = bytes.size() / 8;
    uint64_t x = h;
    for (size_t i = 0; i < words; ++i) {
      uint64_t w;
      std::memcpy(&w, bytes.data() + 8 * i, 8);
      x = (x ^ w) * 0x100000001b3ULL;
      x ^= x >> 29;
    }
    h = data::fnv1a64(std::string_view(bytes).substr(8 * words), x);
  }
  return h;
}

}  // namespace ps::kg
