#include "prompt/evidence.h"

#include <cstdio>

namespace ps::prompt {

int ItemEvidence::hits() const {
  int n = 0;
  for (const auto& o : neighbours) n += o.label == 1;
  return n;
}

int ItemEvidence::non_hits() const { return static_cast<int>(neighbours.size()) - hits(); }

namespace {

std::string fmt(const char* f, double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, x);
  return buf;
}

std::string join(const std::vector<std::string>& v, size_t max, const std::string& sep) {
  std::string s;
  for (size_t i = 0; i < v.size() && i < max; ++i) s += (i ? sep : "") + v[i];
  return s;
}

}  // namespace

std::string render_evidence(const ItemEvidence& e, const EvidenceLimits& lim, bool include_knn_prior) {
  std::string s;
  const std::string& y = e.target;
  if (!e.perturber_in_graph) {
    s += e.perturber + " is not in the knowledge graph: no neighbours.\n";
  } else {
    // The seed paper's "observed hits / non-hits for Y", with their counts stated.
    std::vector<std::string> hits, non;
    size_t shown = 0;
    for (const auto& o : e.neighbours) {
      if (shown++ == lim.max_neighbours) break;
      (o.label == 1 ? hits : non).push_back(lim.show_similarity ? o.symbol + fmt(" %.2f", o.similarity) : o.symbol);
    }
    s += "Closest knockdowns measured on " + y + (lim.show_similarity ? " (KG similarity):\n" : ":\n");
    s += std::to_string(hits.size()) + (hits.size() == 1 ? " hit" : " hits") +
         (hits.empty() ? std::string() : ": " + join(hits, hits.size(), ", ")) + "\n";
    s += std::to_string(non.size()) + (non.size() == 1 ? " non-hit" : " non-hits") +
         (non.empty() ? std::string() : ": " + join(non, non.size(), ", ")) + "\n";
  }
  if (std::isnan(e.target_de_rate) || e.target_train_n == 0)
    s += y + " has no training knockdowns.\n";
  else
    s += y + " was DE after " + fmt("%.0f", 100.0 * e.target_de_rate) + "% of " + std::to_string(e.target_train_n) +
         " training knockdowns.\n";
  s += e.perturber + "-" + y + ": ";
  if (e.string_score > 0) {
    s += "STRING " + fmt("%.2f", e.string_score);
    if (!e.string_channels.empty() && lim.max_channels > 0) {
      s += " (";
      for (size_t i = 0; i < e.string_channels.size() && i < lim.max_channels; ++i)
        s += (i ? ", " : "") + e.string_channels[i].first + fmt(" %.2f", e.string_channels[i].second / 1000.0);
      s += ")";
    }
  } else {
    s += "no STRING link";
  }
  s += "; shared GO: " + (e.shared_go.empty() || lim.max_go == 0 ? std::string("none") : join(e.shared_go, lim.max_go, "; "));
  s += "; shared Reactome: " +
       (e.shared_pathways.empty() || lim.max_pathways == 0 ? std::string("none") : join(e.shared_pathways, lim.max_pathways, "; ")) +
       ".";
  if (include_knn_prior && !std::isnan(e.knn_probability))
    s += "\nKNN-KG estimate of P(DE): " + fmt("%.2f", e.knn_probability) + ".";
  return s;
}

}  // namespace ps::prompt
