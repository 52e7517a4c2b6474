// Binary cache of a built KnowledgeGraph: "PSKG", format version, input checksum, then
// every member as length-prefixed arrays. Loading is a handful of large reads.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <type_traits>
#include <unistd.h>

#include "common/error.h"
#include "common/paths.h"
#include "kg/build.h"

namespace fs = std::filesystem;

namespace ps::kg {

namespace {
constexpr uint32_t kFormatVersion = 1;

class Writer {
 public:
  explicit Writer(const std::string& path) : path_(path), f_(std::fopen(path.c_str(), "wb")) {
    if (!f_) throw ps::Error(ps::where(path, 0, "cannot write the graph cache"));
  }
  ~Writer() {
    if (f_) std::fclose(f_);
  }
  void bytes(const void* p, size_t n) {
    if (n && std::fwrite(p, 1, n, f_) != n) throw ps::Error(ps::where(path_, 0, "write failed"));
  }
  template <class T> void pod(const T& v) { bytes(&v, sizeof v); }
  template <class T> void vec(const std::vector<T>& v) {
    static_assert(std::is_trivially_copyable<T>::value, "POD vectors only");
    pod<uint64_t>(v.size());
    bytes(v.data(), v.size() * sizeof(T));
  }
  void str(const std::string& s) {
    pod<uint64_t>(s.size());
    bytes(s.data(), s.size());
  }
  void close() {
    if (std::fclose(f_) != 0) {
      f_ = nullptr;
      throw ps::Error(ps::where(path_, 0, "write failed"));
    }
    f_ = nullptr;
  }

 private:
  std::string path_;
  std::FILE* f_;
};

class Reader {
 public:
  explicit Reader(const std::string& path) : path_(path), f_(std::fopen(path.c_str(), "rb")) {
    if (!f_) throw ps::Error(ps::where(path, 0, "cannot open the graph cache"));
  }
  ~Reader() { std::fclose(f_); }
  void bytes(void* p, size_t n) {
    if (n && std::fread(p, 1, n, f_) != n) throw ps::Error(ps::where(path_, 0, "truncated graph cache"));
  }
  template <class T> T pod() {
    T v;
    bytes(&v, sizeof v);
    return v;
  }
  uint64_t count(size_t elem) {
    const uint64_t n = pod<uint64_t>();
    if (n > (uint64_t(1) << 34) / elem) throw ps::Error(ps::where(path_, 0, "corrupt graph cache (bad length)"));
    return n;
  }
  template <class T> void vec(std::vector<T>& v) {
    v.resize(count(sizeof(T)));
    bytes(v.data(), v.size() * sizeof(T));
  }
  void str(std::string& s) {
    s.resize(count(1));
    bytes(s.data(), s.size());
  }

 private:
  std::string path_;
  std::FILE* f_;
};
}  // namespace

struct GraphIO {
  template <class IO, class G> static void set_index(IO& io, G& idx) {
    io.vec(idx.gene_offsets);
    io.vec(idx.gene_sets);
    io.vec(idx.set_offsets);
    io.vec(idx.set_genes);
    io.vec(idx.set_weight);
    io.vec(idx.gene_norm);
  }

  static void save(const KnowledgeGraph& g, const std::string& path) {
    Writer w(path);
    w.bytes("PSKG", 4);
    w.pod(kFormatVersion);
    w.pod(g.input_checksum_);
    w.pod<int32_t>(g.max_set_genes_);
    w.pod<uint64_t>(g.genes_.size());
    for (const auto& m : g.genes_) w.str(m.symbol), w.str(m.full_name), w.str(m.type), w.str(m.chromosome);
    w.pod<uint64_t>(g.by_alias_.size());
    for (const auto& [alias, id] : g.by_alias_) w.str(alias), w.pod(id);
    w.pod<uint64_t>(g.by_upper_.size());
    for (const auto& [name, id] : g.by_upper_) w.str(name), w.pod(id);
    w.vec(g.string_offsets_);
    w.vec(g.string_nbr_);
    w.vec(g.string_w_);
    w.vec(g.string_edge_);
    w.vec(g.string_edge_channels_);
    w.pod<uint64_t>(g.go_terms_.size());
    for (const auto& t : g.go_terms_) w.str(t.id), w.str(t.ontology), w.str(t.name), w.str(t.definition);
    w.vec(g.go_ic_);
    set_index(w, g.go_);
    w.pod<uint64_t>(g.evidence_codes_.size());
    for (const auto& c : g.evidence_codes_) w.str(c);
    w.vec(g.direct_offsets_);
    w.vec(g.direct_term_);
    w.vec(g.direct_code_);
    w.pod<uint64_t>(g.pathways_.size());
    for (const auto& p : g.pathways_) w.str(p.id), w.str(p.name);
    set_index(w, g.reactome_);
    w.bytes("GKSP", 4);
    w.close();
  }

  static KnowledgeGraph load(const std::string& path) {
    Reader r(path);
    char magic[4];
    r.bytes(magic, 4);
    if (std::memcmp(magic, "PSKG", 4) != 0) throw ps::Error(ps::where(path, 0, "not a PerturbScope graph cache"));
    if (r.pod<uint32_t>() != kFormatVersion) throw ps::Error(ps::where(path, 0, "graph cache of another format version"));
    KnowledgeGraph g;
    g.input_checksum_ = r.pod<uint64_t>();
    g.max_set_genes_ = r.pod<int32_t>();
    g.genes_.resize(r.count(4));
    for (auto& m : g.genes_) r.str(m.symbol), r.str(m.full_name), r.str(m.type), r.str(m.chromosome);
    g.by_symbol_.reserve(g.genes_.size());
    for (size_t i = 0; i < g.genes_.size(); ++i) g.by_symbol_.emplace(g.genes_[i].symbol, static_cast<GeneId>(i));
    std::string name;
    for (uint64_t n = r.count(4), i = 0; i < n; ++i) {
      r.str(name);
      g.by_alias_.emplace(name, r.pod<GeneId>());
    }
    for (uint64_t n = r.count(4), i = 0; i < n; ++i) {
      r.str(name);
      g.by_upper_.emplace(name, r.pod<GeneId>());
    }
    r.vec(g.string_offsets_);
    r.vec(g.string_nbr_);
    r.vec(g.string_w_);
    r.vec(g.string_edge_);
    r.vec(g.string_edge_channels_);
    g.go_terms_.resize(r.count(4));
    for (auto& t : g.go_terms_) r.str(t.id), r.str(t.ontology), r.str(t.name), r.str(t.definition);
    r.vec(g.go_ic_);
    set_index(r, g.go_);
    g.evidence_codes_.resize(r.count(4));
    for (auto& c : g.evidence_codes_) r.str(c);
    r.vec(g.direct_offsets_);
    r.vec(g.direct_term_);
    r.vec(g.direct_code_);
    g.pathways_.resize(r.count(4));
    for (auto& p : g.pathways_) r.str(p.id), r.str(p.name);
    set_index(r, g.reactome_);
    r.bytes(magic, 4);
    if (std::memcmp(magic, "GKSP", 4) != 0) throw ps::Error(ps::where(path, 0, "corrupt graph cache (bad trailer)"));
    const size_t n = g.genes_.size();
    if (g.string_offsets_.size() != n + 1 || g.go_.gene_offsets.size() != n + 1 ||
        g.reactome_.gene_offsets.size() != n + 1 || g.direct_offsets_.size() != n + 1 || g.go_.gene_norm.size() != n ||
        g.reactome_.gene_norm.size() != n)
      throw ps::Error(ps::where(path, 0, "corrupt graph cache (inconsistent sizes)"));
    return g;
  }
};

void save_graph(const KnowledgeGraph& g, const std::string& path) { GraphIO::save(g, path); }
KnowledgeGraph load_graph(const std::string& path) { return GraphIO::load(path); }

KnowledgeGraph load_or_build(const GraphInputs& in, const BuildOptions& opt, const std::string& cache_dir,
                             LoadReport* report) {
  const auto t0 = std::chrono::steady_clock::now();
  const std::string dir = cache_dir.empty() ? ps::user_cache_dir() + "/kg" : cache_dir;
  char name[64];
  std::snprintf(name, sizeof name, "graph-%016llx.bin", static_cast<unsigned long long>(input_checksum(in, opt)));
  const std::string path = dir + "/" + name;
  auto done = [&](KnowledgeGraph g, bool cached, const std::string& p) {
    if (report) {
      report->cache_path = p;
      report->from_cache = cached;
      report->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    return g;
  };
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) {
    try {
      return done(load_graph(path), true, path);
    } catch (const ps::Error&) {
      // A damaged cache is rebuilt below and overwritten.
    }
  }
  KnowledgeGraph g = build_graph(in, opt);
  try {
    fs::create_directories(dir);
    // Write under a unique name, then rename: readers never see a half-written file.
    const std::string tmp = path + ".tmp" + std::to_string(::getpid());
    save_graph(g, tmp);
    fs::rename(tmp, path);
    return done(std::move(g), false, path);
  } catch (const std::exception&) {
    return done(std::move(g), false, "");
  }
}

}  // namespace ps::kg
