#include "kg/graph.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "common/error.h"

namespace ps::kg {

std::string to_string(Source s) {
  switch (s) {
    case Source::String: return "string";
    case Source::Go: return "go";
    case Source::Reactome: return "reactome";
  }
  return "?";
}

SourceWeights SourceWeights::only(Source s) {
  SourceWeights w{0, 0, 0};
  (s == Source::String ? w.string : s == Source::Go ? w.go : w.reactome) = 1;
  return w;
}

SourceWeights SourceWeights::parse(const std::string& spec, const SourceWeights& defaults) {
  SourceWeights w{0, 0, 0};
  std::stringstream ss(spec);
  std::string part;
  bool any = false;
  while (std::getline(ss, part, ',')) {
    if (part.empty()) continue;
    std::string name = part;
    double weight = -1;  // not given: the default of that source
    auto colon = part.find(':');
    if (colon != std::string::npos) {
      name = part.substr(0, colon);
      const std::string text = part.substr(colon + 1);
      char* end = nullptr;
      weight = std::strtod(text.c_str(), &end);
      if (text.empty() || std::isspace(static_cast<unsigned char>(text[0])) || *end != '\0')
        throw ps::Error("bad weight in '" + part + "' (expected NAME:NUMBER, e.g. reactome:2)");
      // NaN fails >= 0; inf and overflowing literals would make every fused score inf or NaN.
      if (!(weight >= 0 && std::isfinite(weight)))
        throw ps::Error("the weight in '" + part + "' must be a finite number >= 0");
    }
    if (name == "string") w.string = weight < 0 ? defaults.string : weight;
    else if (name == "go") w.go = weight < 0 ? defaults.go : weight;
    else if (name == "reactome") w.reactome = weight < 0 ? defaults.reactome : weight;
    else throw ps::Error("unknown source '" + name + "' (expected string, go, reactome)");
    any = true;
  }
  if (!any || (w.string == 0 && w.go == 0 && w.reactome == 0))
    throw ps::Error("name at least one of string, go, reactome with a weight above 0, got '" + spec + "'");
  return w;
}

std::string SourceWeights::to_string() const {
  char buf[128];
  std::snprintf(buf, sizeof buf, "string:%g,go:%g,reactome:%g", string, go, reactome);
  return buf;
}

const std::array<const char*, 11>& string_channel_names() {
  static const std::array<const char*, 11> kNames = {
      "neighborhood", "neighborhood_transferred", "fusion", "cooccurence", "homology", "coexpression",
      "coexpression_transferred", "experiments", "experiments_transferred", "database", "database_transferred"};
  return kNames;
}

static std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::optional<GeneId> KnowledgeGraph::find(const std::string& name) const {
  if (auto it = by_symbol_.find(name); it != by_symbol_.end()) return it->second;
  if (auto it = by_alias_.find(name); it != by_alias_.end()) return it->second;
  if (auto it = by_upper_.find(upper(name)); it != by_upper_.end()) return it->second;
  return std::nullopt;
}

std::vector<std::string> KnowledgeGraph::complete(const std::string& prefix, size_t max_results) const {
  const std::string p = upper(prefix);
  std::vector<std::pair<int, std::string>> hits;  // (rank, text): current symbols before aliases
  auto starts = [&](const std::string& s) { return upper(s).compare(0, p.size(), p) == 0; };
  for (const auto& [sym, id] : by_symbol_)
    if (starts(sym)) hits.emplace_back(0, sym);
  for (const auto& [alias, id] : by_alias_)
    if (starts(alias)) hits.emplace_back(1, alias + " (" + genes_[id].symbol + ")");
  std::sort(hits.begin(), hits.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    if (a.second.size() != b.second.size()) return a.second.size() < b.second.size();
    return a.second < b.second;
  });
  std::vector<std::string> out;
  for (size_t i = 0; i < hits.size() && out.size() < max_results; ++i) out.push_back(hits[i].second);
  return out;
}

bool KnowledgeGraph::in_source(Source s, GeneId g) const {
  switch (s) {
    case Source::String: return string_offsets_[g + 1] > string_offsets_[g];
    case Source::Go: return go_.gene_offsets[g + 1] > go_.gene_offsets[g];
    case Source::Reactome: return reactome_.gene_offsets[g + 1] > reactome_.gene_offsets[g];
  }
  return false;
}

std::vector<GoAnnotation> KnowledgeGraph::go_annotations(GeneId g) const {
  std::vector<GoAnnotation> out;
  for (int64_t i = go_.gene_offsets[g]; i < go_.gene_offsets[g + 1]; ++i) out.push_back({go_.gene_sets[i], ""});
  for (int64_t i = direct_offsets_[g]; i < direct_offsets_[g + 1]; ++i)
    for (auto& a : out)
      if (a.term == direct_term_[i]) {
        if (!a.evidence.empty()) a.evidence += ",";
        a.evidence += evidence_codes_[direct_code_[i]];
      }
  std::stable_sort(out.begin(), out.end(), [&](const GoAnnotation& a, const GoAnnotation& b) {
    return go_ic_[a.term] > go_ic_[b.term];
  });
  return out;
}

std::vector<int32_t> KnowledgeGraph::pathways_of(GeneId g) const {
  return {reactome_.gene_sets.begin() + reactome_.gene_offsets[g],
          reactome_.gene_sets.begin() + reactome_.gene_offsets[g + 1]};
}

int32_t KnowledgeGraph::pathway_size(int32_t p) const {
  return static_cast<int32_t>(reactome_.set_offsets[p + 1] - reactome_.set_offsets[p]);
}

double KnowledgeGraph::SetIndex::cosine(GeneId a, GeneId b) const {
  if (gene_norm[a] <= 0 || gene_norm[b] <= 0) return 0;
  // Both set lists are sorted: merge.
  const int32_t *pa = gene_sets.data() + gene_offsets[a], *ea = gene_sets.data() + gene_offsets[a + 1];
  const int32_t *pb = gene_sets.data() + gene_offsets[b], *eb = gene_sets.data() + gene_offsets[b + 1];
  double dot = 0;
  while (pa < ea && pb < eb) {
    if (*pa < *pb) ++pa;
    else if (*pb < *pa) ++pb;
    else {
      dot += static_cast<double>(set_weight[*pa]) * set_weight[*pa];
      ++pa, ++pb;
    }
  }
  return dot / (static_cast<double>(gene_norm[a]) * gene_norm[b]);
}

double KnowledgeGraph::score(Source s, GeneId a, GeneId b) const {
  switch (s) {
    case Source::String: {
      auto begin = string_nbr_.begin() + string_offsets_[a], end = string_nbr_.begin() + string_offsets_[a + 1];
      auto it = std::lower_bound(begin, end, b);  // neighbours sorted by id
      return (it != end && *it == b) ? string_w_[it - string_nbr_.begin()] : 0.0;
    }
    case Source::Go: return go_.cosine(a, b);
    case Source::Reactome: return reactome_.cosine(a, b);
  }
  return 0;
}

double KnowledgeGraph::fused(const SourceWeights& w, GeneId a, GeneId b) const {
  double s = 0;
  for (int i = 0; i < kSources; ++i) {
    const Source src = static_cast<Source>(i);
    if (w.of(src) > 0) s += w.of(src) * score(src, a, b);
  }
  return s;
}

// Adds cosine(g, x) to acc[x] for every candidate x sharing a weighted set with g.
void KnowledgeGraph::accumulate_sets(const SetIndex& idx, const SetMembers& members, GeneId g, std::vector<double>& acc,
                                     std::vector<GeneId>& touched, const std::vector<uint8_t>* allowed) const {
  if (idx.gene_norm[g] <= 0) return;
  const double scale = 1.0 / idx.gene_norm[g];
  for (int64_t i = idx.gene_offsets[g]; i < idx.gene_offsets[g + 1]; ++i) {
    const int32_t set = idx.gene_sets[i];
    const double sw = idx.set_weight[set];
    if (sw <= 0) continue;
    const double c = scale * sw * sw;
    for (int64_t j = members.offsets[set]; j < members.offsets[set + 1]; ++j) {
      const GeneId x = members.genes[j];
      if (allowed && !(*allowed)[x]) continue;
      acc[x] += c / idx.gene_norm[x];
      touched.push_back(x);
    }
  }
}

std::vector<Neighbour> KnowledgeGraph::neighbours(GeneId g, const SourceWeights& w, size_t k,
                                                  const std::vector<uint8_t>* allowed) const {
  return neighbours_impl(g, w, k, allowed, {go_.set_offsets.data(), go_.set_genes.data()},
                         {reactome_.set_offsets.data(), reactome_.set_genes.data()});
}

std::vector<Neighbour> KnowledgeGraph::neighbours(GeneId g, const SourceWeights& w, size_t k,
                                                  const CandidateIndex& cand) const {
  if (cand.allowed_.size() != genes_.size()) throw ps::Error("neighbours: candidate index of another graph");
  // The filtered member lists hold candidates only: no per-gene check needed there.
  return neighbours_impl(g, w, k, &cand.allowed_, {cand.go_offsets_.data(), cand.go_genes_.data()},
                         {cand.re_offsets_.data(), cand.re_genes_.data()});
}

KnowledgeGraph::CandidateIndex::CandidateIndex(const KnowledgeGraph& g, std::vector<uint8_t> allowed)
    : allowed_(std::move(allowed)) {
  if (allowed_.size() != g.genes_.size()) throw ps::Error("candidate index: one flag per gene expected");
  auto filter = [&](const SetIndex& idx, std::vector<int64_t>& off, std::vector<int32_t>& genes) {
    const size_t n_sets = idx.set_offsets.size() - 1;
    off.assign(n_sets + 1, 0);
    for (size_t s = 0; s < n_sets; ++s) {
      for (int64_t j = idx.set_offsets[s]; j < idx.set_offsets[s + 1]; ++j)
        if (allowed_[idx.set_genes[j]]) genes.push_back(idx.set_genes[j]);
      off[s + 1] = static_cast<int64_t>(genes.size());
    }
  };
  filter(g.go_, go_offsets_, go_genes_);
  filter(g.reactome_, re_offsets_, re_genes_);
}

std::vector<Neighbour> KnowledgeGraph::neighbours_impl(GeneId g, const SourceWeights& w, size_t k,
                                                       const std::vector<uint8_t>* allowed, const SetMembers& go,
                                                       const SetMembers& reactome) const {
  if (g < 0 || g >= n_genes()) throw ps::Error("neighbours: gene id out of range");
  // One dense accumulator per source, reused across calls on this thread.
  thread_local std::array<std::vector<double>, kSources> acc;
  thread_local std::vector<GeneId> touched;
  for (auto& a : acc)
    if (a.size() != genes_.size()) a.assign(genes_.size(), 0.0);
  touched.clear();
  if (w.string > 0) {
    for (int64_t i = string_offsets_[g]; i < string_offsets_[g + 1]; ++i) {
      const GeneId x = string_nbr_[i];
      if (allowed && !(*allowed)[x]) continue;
      acc[0][x] = string_w_[i];
      touched.push_back(x);
    }
  }
  if (w.go > 0) accumulate_sets(go_, go, g, acc[1], touched, allowed);
  if (w.reactome > 0) accumulate_sets(reactome_, reactome, g, acc[2], touched, allowed);
  // Fused scores of every touched gene (each once: `seen` marks them), then the top k.
  thread_local std::vector<uint8_t> seen;
  if (seen.size() != genes_.size()) seen.assign(genes_.size(), 0);
  thread_local std::vector<std::pair<double, GeneId>> scored;
  scored.clear();
  for (GeneId x : touched) {
    if (seen[x]) continue;
    seen[x] = 1;
    const double s = w.string * acc[0][x] + w.go * acc[1][x] + w.reactome * acc[2][x];
    if (x != g && s > 0) scored.emplace_back(s, x);
  }
  const size_t keep = std::min(k, scored.size());
  auto better = [](const std::pair<double, GeneId>& a, const std::pair<double, GeneId>& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  };
  std::partial_sort(scored.begin(), scored.begin() + keep, scored.end(), better);
  std::vector<Neighbour> out(keep);
  for (size_t i = 0; i < keep; ++i) {
    out[i].gene = scored[i].second;
    out[i].score = scored[i].first;
    for (int s = 0; s < kSources; ++s) out[i].by_source[s] = acc[s][scored[i].second];
  }
  for (GeneId x : touched) acc[0][x] = acc[1][x] = acc[2][x] = 0, seen[x] = 0;
  return out;
}

Evidence KnowledgeGraph::evidence(GeneId a, GeneId b, size_t max_items) const {
  Evidence e;
  for (int s = 0; s < kSources; ++s) e.score[s] = score(static_cast<Source>(s), a, b);
  {
    auto begin = string_nbr_.begin() + string_offsets_[a], end = string_nbr_.begin() + string_offsets_[a + 1];
    auto it = std::lower_bound(begin, end, b);
    if (it != end && *it == b) {
      const auto& ch = string_edge_channels_[string_edge_[it - string_nbr_.begin()]];
      for (size_t c = 0; c < ch.size(); ++c)
        if (ch[c] > 0) e.string_channels.emplace_back(string_channel_names()[c], ch[c]);
      std::sort(e.string_channels.begin(), e.string_channels.end(),
                [](const auto& x, const auto& y) { return x.second > y.second; });
    }
  }
  auto ann_a = go_annotations(a), ann_b = go_annotations(b);
  std::unordered_map<int32_t, const std::string*> ev_b;
  for (const auto& x : ann_b) ev_b[x.term] = &x.evidence;
  for (const auto& x : ann_a) {  // already most informative first
    auto it = ev_b.find(x.term);
    if (it == ev_b.end() || go_.set_weight[x.term] <= 0) continue;
    if (e.go_terms.size() >= max_items) break;
    e.go_terms.push_back({x.term, go_ic_[x.term], x.evidence, *it->second});
  }
  auto pa = pathways_of(a), pb = pathways_of(b);
  std::vector<int32_t> shared;
  std::set_intersection(pa.begin(), pa.end(), pb.begin(), pb.end(), std::back_inserter(shared));
  for (int32_t p : shared)
    if (reactome_.set_weight[p] > 0) e.pathways.push_back({p, pathway_size(p), reactome_.set_weight[p]});
  std::sort(e.pathways.begin(), e.pathways.end(),
            [](const SharedPathway& x, const SharedPathway& y) { return x.size < y.size; });
  if (e.pathways.size() > max_items) e.pathways.resize(max_items);
  return e;
}

std::string Evidence::summary(const KnowledgeGraph& g, size_t max_items) const {
  std::string out;
  char buf[64];
  if (score[0] > 0) {
    std::snprintf(buf, sizeof buf, "STRING %.3f", score[0]);
    out += buf;
    if (!string_channels.empty()) {
      out += " (";
      for (size_t i = 0; i < string_channels.size() && i < max_items; ++i)
        out += (i ? ", " : "") + string_channels[i].first;
      out += ")";
    }
  }
  if (score[1] > 0) {
    std::snprintf(buf, sizeof buf, "GO %.3f", score[1]);
    out += (out.empty() ? "" : "; ") + std::string(buf);
    if (!go_terms.empty()) {
      out += " (";
      for (size_t i = 0; i < go_terms.size() && i < max_items; ++i) out += (i ? ", " : "") + g.go_term(go_terms[i].term).name;
      out += ")";
    }
  }
  if (score[2] > 0) {
    std::snprintf(buf, sizeof buf, "Reactome %.3f", score[2]);
    out += (out.empty() ? "" : "; ") + std::string(buf);
    if (!pathways.empty()) {
      out += " (";
      for (size_t i = 0; i < pathways.size() && i < max_items; ++i) out += (i ? ", " : "") + g.pathway(pathways[i].pathway).name;
      out += ")";
    }
  }
  return out.empty() ? "no edge" : out;
}

}  // namespace ps::kg
