// The knowledge-graph readers (core/kg/build.h build_graph, core/data/symbols.h): gene_info and
// gene_alias TSV, the STRING links TSV, gene2go / go_terms / go_parents TSV and the Reactome GMT.
// The first input byte picks the file the rest of the input replaces (mod 7: gene_info,
// gene_alias, string, gene2go, go_terms, go_parents, reactome); the other six are the small valid
// files of fuzz/kg_base/. A build either gives a consistent graph or a ps::Error naming a file.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "common/error.h"
#include "kg/build.h"

namespace {
const char* kNames[7] = {"gene_info.tsv", "gene_alias.tsv", "string.tsv", "gene2go.tsv",
                         "go_terms.tsv",  "go_parents.tsv", "reactome.gmt"};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) std::abort();
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void spit(const std::string& path, const char* data, size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data, static_cast<std::streamsize>(size));
  if (!out) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static std::string dir;
  static std::string base[7];
  if (dir.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    dir = std::string(tmp ? tmp : "/tmp") + "/ps_fuzz_kg_" + std::to_string(::getpid());
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) std::abort();
    for (int i = 0; i < 7; ++i) base[i] = slurp(std::string(PS_FUZZ_ROOT "/fuzz/kg_base/") + kNames[i]);
  }
  const int which = data[0] % 7;
  std::string paths[7];
  for (int i = 0; i < 7; ++i) {
    paths[i] = dir + "/" + kNames[i];
    if (i == which)
      spit(paths[i], reinterpret_cast<const char*>(data) + 1, size - 1);
    else
      spit(paths[i], base[i].data(), base[i].size());
  }
  ps::kg::GraphInputs in;
  in.gene_info = paths[0];
  in.gene_alias = paths[1];
  in.string_tsv = paths[2];
  in.gene2go = paths[3];
  in.go_terms = paths[4];
  in.go_parents = paths[5];
  in.reactome_gmt = paths[6];
  try {
    const ps::kg::KnowledgeGraph g = ps::kg::build_graph(in);
    // Every gene's neighbours, annotations and pathways are reachable and finite.
    const auto w = ps::kg::SourceWeights::fused();
    for (ps::kg::GeneId a = 0; a < g.n_genes(); ++a) {
      for (const auto& n : g.neighbours(a, w, 5)) {
        if (n.gene < 0 || n.gene >= g.n_genes() || n.gene == a) std::abort();
        if (!std::isfinite(g.fused(w, a, n.gene))) std::abort();
      }
      for (const auto& an : g.go_annotations(a))
        if (an.term < 0 || an.term >= g.n_go_terms()) std::abort();
      for (int32_t p : g.pathways_of(a))
        if (p < 0 || p >= g.n_pathways()) std::abort();
      if (a < 3 && g.n_genes() > 1) (void)g.evidence(a, (a + 1) % g.n_genes());
    }
  } catch (const ps::Error& e) {
    if (std::string(e.what()).find(dir) == std::string::npos) std::abort();  // errors name the file
  }
  return 0;
}
