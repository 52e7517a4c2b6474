// perturbscope-cli kg: the knowledge graph from the command line.
//   kg neighbours GENE [--k 20] [--source string|go|reactome | --sources SPEC] [--json]
//   kg evidence GENE_A GENE_B [--json]
//   kg search PREFIX [--k 20]
//   kg info GENE [--json]
#include <cstdio>
#include <limits>

#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/commands.h"
#include "common/error.h"
#include "common/paths.h"
#include "kg/build.h"
#include "kg/gene_lookup.h"

namespace ps::cli {

namespace {

using ps::kg::KnowledgeGraph;

nlohmann::json evidence_json(const KnowledgeGraph& g, const ps::kg::Evidence& e) {
  nlohmann::json j;
  j["string"] = e.score[0];
  j["go"] = e.score[1];
  j["reactome"] = e.score[2];
  nlohmann::json ch = nlohmann::json::object();
  for (const auto& [name, v] : e.string_channels) ch[name] = v;
  j["string_channels"] = ch;
  auto terms = nlohmann::json::array();
  for (const auto& t : e.go_terms)
    terms.push_back({{"id", g.go_term(t.term).id}, {"name", g.go_term(t.term).name},
                     {"ontology", g.go_term(t.term).ontology}, {"ic", t.ic},
                     {"evidence_a", t.evidence_a}, {"evidence_b", t.evidence_b}});
  j["go_terms"] = terms;
  auto paths = nlohmann::json::array();
  for (const auto& p : e.pathways)
    paths.push_back({{"id", g.pathway(p.pathway).id}, {"name", g.pathway(p.pathway).name}, {"size", p.size}});
  j["pathways"] = paths;
  j["summary"] = e.summary(g);
  return j;
}

// The gene named by a symbol or an unambiguous alias; an ambiguous old symbol or an unknown
// name is an error that offers the candidates ("ambiguous: ABCA1 or HEATR6") or the
// closest spellings ("did you mean TP53?").
ps::kg::GeneId require_gene(const KnowledgeGraph& g, const std::string& name, const std::string& gene_alias_tsv) {
  if (auto id = g.find(name)) return *id;
  const ps::kg::GeneMatch m = ps::kg::GeneLookup(g, gene_alias_tsv).find(name);
  if (m.gene) return *m.gene;
  throw ps::Error("gene '" + name + "' is " + m.message());
}

}  // namespace

int cmd_kg(const Argv& argv) {
  Args args("kg", argv,
            {{"k", true, "number of neighbours / completions, >= 1 (default 20)"},
             {"source", true, "string | go | reactome | fused (default fused)"},
             {"sources", true, "fused weights, e.g. string:1,go:1,reactome:2 (the default)"},
             {"evidence", true, "GO terms / pathways listed per edge, 1 to 100000 (default 3)"},
             {"json", false, "print JSON"},
             {"data", true, "data folder (default: located)"},
             {"cache-dir", true, "knowledge-graph cache folder (default: user cache)"}});
  const auto& pos = args.positionals();
  if (args.has("help") || pos.empty()) {
    std::printf("usage: perturbscope-cli kg neighbours GENE [--k 20] [--source string|go|reactome|fused] [--json]\n"
                "       perturbscope-cli kg evidence GENE_A GENE_B [--json]\n"
                "       perturbscope-cli kg search PREFIX [--k 20]\n"
                "       perturbscope-cli kg info GENE [--json]\n%s",
                args.help().c_str());
    return args.has("help") ? 0 : 2;
  }
  const std::string sub = pos[0];
  const size_t want = sub == "evidence" ? 3 : 2;
  if (sub != "neighbours" && sub != "neighbors" && sub != "evidence" && sub != "search" && sub != "info")
    throw UsageError("kg: unknown subcommand '" + sub + "' (neighbours, evidence, search, info)");
  if (pos.size() != want) throw UsageError("kg " + sub + ": expected " + std::to_string(want - 1) + " argument(s)");
  const long k = args.get_int("k", 20, 1, std::numeric_limits<int>::max());
  const size_t n_ev = static_cast<size_t>(args.get_int("evidence", 3, 1, 100000));
  ps::kg::SourceWeights w;
  if (args.has("source") && args.has("sources")) throw UsageError("kg: give --source or --sources, not both");
  if (args.has("source")) {
    const std::string s = args.get_choice("source", "fused", {"string", "go", "reactome", "fused"});
    if (s == "string") w = ps::kg::SourceWeights::only(ps::kg::Source::String);
    else if (s == "go") w = ps::kg::SourceWeights::only(ps::kg::Source::Go);
    else if (s == "reactome") w = ps::kg::SourceWeights::only(ps::kg::Source::Reactome);
  }
  if (args.has("sources"))
    w = args.get_parsed("sources", [](const std::string& v) { return ps::kg::SourceWeights::parse(v); });
  if (args.has("source") && args.get("source") == "fused") w = ps::kg::SourceWeights::fused();
  if (!args.has("source") && !args.has("sources")) w = ps::kg::SourceWeights::fused();

  const auto data = ps::require_data(args.get("data"));
  const ps::kg::GraphInputs inputs = ps::kg::GraphInputs::from_data_dir(data.dir);
  const KnowledgeGraph g = ps::kg::load_or_build(inputs, {}, args.get("cache-dir"));
  auto require_gene = [&](const std::string& name) { return ::ps::cli::require_gene(g, name, inputs.gene_alias); };
  const bool json = args.has("json");

  if (sub == "search") {
    auto hits = g.complete(pos[1], static_cast<size_t>(k));
    if (json) std::printf("%s\n", nlohmann::json(hits).dump().c_str());
    else for (const auto& h : hits) std::printf("%s\n", h.c_str());
    return 0;
  }
  if (sub == "info") {
    const auto id = require_gene(pos[1]);
    const auto& m = g.gene(id);
    auto ann = g.go_annotations(id);
    if (json) {
      nlohmann::json j = {{"symbol", m.symbol}, {"name", m.full_name}, {"type", m.type}, {"chromosome", m.chromosome}};
      auto terms = nlohmann::json::array();
      for (const auto& a : ann)
        if (!a.evidence.empty())
          terms.push_back({{"id", g.go_term(a.term).id}, {"name", g.go_term(a.term).name},
                           {"ontology", g.go_term(a.term).ontology}, {"evidence", a.evidence},
                           {"definition", g.go_term(a.term).definition}});
      j["go_direct"] = terms;
      j["go_propagated"] = ann.size();
      auto pw = nlohmann::json::array();
      for (int32_t p : g.pathways_of(id)) pw.push_back({{"id", g.pathway(p).id}, {"name", g.pathway(p).name}});
      j["pathways"] = pw;
      std::printf("%s\n", j.dump().c_str());
    } else {
      std::printf("%s  %s  (%s, chromosome %s)\n", m.symbol.c_str(), m.full_name.c_str(), m.type.c_str(),
                  m.chromosome.c_str());
      std::printf("GO (direct annotations; %zu terms after propagation):\n", ann.size());
      for (const auto& a : ann)
        if (!a.evidence.empty())
          std::printf("  %s %s  %s [%s]\n", g.go_term(a.term).id.c_str(), g.go_term(a.term).ontology.c_str(),
                      g.go_term(a.term).name.c_str(), a.evidence.c_str());
      auto pws = g.pathways_of(id);
      std::printf("Reactome pathways: %zu\n", pws.size());
      for (int32_t p : pws) std::printf("  %s  %s\n", g.pathway(p).id.c_str(), g.pathway(p).name.c_str());
    }
    return 0;
  }
  if (sub == "evidence") {
    const auto a = require_gene(pos[1]), b = require_gene(pos[2]);
    auto e = g.evidence(a, b, 10);
    if (json) {
      auto j = evidence_json(g, e);
      j["a"] = g.symbol(a);
      j["b"] = g.symbol(b);
      std::printf("%s\n", j.dump().c_str());
    } else {
      std::printf("%s - %s: %s\n", g.symbol(a).c_str(), g.symbol(b).c_str(), e.summary(g, 10).c_str());
    }
    return 0;
  }
  // neighbours
  const auto id = require_gene(pos[1]);
  auto nb = g.neighbours(id, w, static_cast<size_t>(k));
  if (json) {
    nlohmann::json j = {{"gene", g.symbol(id)}, {"sources", w.to_string()}};
    auto arr = nlohmann::json::array();
    for (const auto& n : nb) {
      auto e = evidence_json(g, g.evidence(id, n.gene, n_ev));
      e["gene"] = g.symbol(n.gene);
      e["score"] = n.score;
      arr.push_back(e);
    }
    j["neighbours"] = arr;
    std::printf("%s\n", j.dump().c_str());
  } else {
    const auto& m = g.gene(id);
    std::printf("%s  %s  — top %zu neighbours by %s\n", m.symbol.c_str(), m.full_name.c_str(), nb.size(),
                w.to_string().c_str());
    for (size_t i = 0; i < nb.size(); ++i)
      std::printf("%3zu. %-10s %.3f  %s\n", i + 1, g.symbol(nb[i].gene).c_str(), nb[i].score,
                  g.evidence(id, nb[i].gene, n_ev).summary(g, n_ev).c_str());
  }
  return 0;
}

}  // namespace ps::cli
