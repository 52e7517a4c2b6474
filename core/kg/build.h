// Building the knowledge graph from the data mirror's files, and caching it.
//
//   KnowledgeGraph g = ps::kg::load_or_build(ps::kg::GraphInputs::from_data_dir(dir));
//
// The cache is one binary file per input identity, named by a 64-bit checksum of every
// input file's bytes and the build options, in <user_cache_dir>/kg (or a given folder):
// changing any input or option builds afresh; a damaged cache file is rebuilt.
#pragma once
#include <cstdint>
#include <string>

#include "kg/graph.h"

namespace ps::kg {

struct GraphInputs {
  std::string gene_info, gene_alias;  // go_orghs_bioc316/
  std::string string_tsv;             // string_v12_dmfind/string_v12_human_ntm700_top3_400.tsv
  std::string gene2go, go_terms, go_parents;
  std::string reactome_gmt;           // reactome/ReactomePathways_*.gmt
  static GraphInputs from_data_dir(const std::string& data_dir);  // throws ps::Error if a file is missing
};

struct BuildOptions {
  int max_set_genes = 500;  // GO terms / pathways with more genes are left out of similarities
};

// Parses every input; malformed lines throw ps::Error naming file and line.
KnowledgeGraph build_graph(const GraphInputs& in, const BuildOptions& opt = {});

// Checksum of the inputs' bytes and the options (the cache key).
uint64_t input_checksum(const GraphInputs& in, const BuildOptions& opt);

void save_graph(const KnowledgeGraph& g, const std::string& path);
KnowledgeGraph load_graph(const std::string& path);  // throws ps::Error on a bad/truncated file

struct LoadReport {
  std::string cache_path;
  bool from_cache = false;
  double seconds = 0;
};

// The cached graph when its key matches, else builds and writes the cache.
// cache_dir "" means <ps::user_cache_dir()>/kg. A cache that cannot be written is
// reported in the returned path being empty, not as an error.
KnowledgeGraph load_or_build(const GraphInputs& in, const BuildOptions& opt = {}, const std::string& cache_dir = "",
                             LoadReport* report = nullptr);

}  // namespace ps::kg
