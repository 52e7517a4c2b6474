#include "cli/data_debian.h"

#include <sqlite3.h>

#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "common/paths.h"

namespace fs = std::filesystem;

namespace ps::cli {

namespace {

struct Recipe {
  const char* path;      // in the mirror
  const char* package;   // Debian package (pinned version below)
  const char* database;  // inside the unpacked package
  const char* sql;
  char separator;
  bool header;
};

const char* kVersion = "3.16.0-1";
const char* kGoDb = "usr/lib/R/site-library/GO.db/extdata/GO.sqlite";
const char* kOrgDb = "usr/lib/R/site-library/org.Hs.eg.db/extdata/org.Hs.eg.sqlite";

// Genes of these types are left out of the gene tables (pseudogenes and placeholders).
#define KEPT_GENES \
  " JOIN genetype t ON t._id = g._id WHERE t.gene_type NOT IN ('pseudo','other','unknown','biological-region') "
// A gene's values joined with ';' in the database's order.
#define JOINED(col, table) \
  "(SELECT group_concat(" col ", ';') FROM (SELECT " col " FROM " table " x WHERE x._id = g._id ORDER BY x.rowid))"
#define PARENTS(tbl, ont)                                                                                  \
  "SELECT c.go_id AS child, p.go_id AS parent, x.relationship_type AS relationship_type, '" ont          \
  "' AS ontology FROM " tbl " x JOIN go_term c ON c._id = x._id JOIN go_term p ON p._id = x._parent_id"

const Recipe kRecipes[] = {
    {"go_orghs_bioc316/GO.db_metadata.txt", "r-bioc-go.db", kGoDb, "SELECT * FROM metadata", '|', false},
    {"go_orghs_bioc316/org.Hs.eg.db_metadata.txt", "r-bioc-org.hs.eg.db", kOrgDb, "SELECT * FROM metadata", '|', false},
    {"go_orghs_bioc316/go_terms.tsv", "r-bioc-go.db", kGoDb,
     "SELECT go_id, ontology, term, replace(replace(replace(definition, char(9), ' '), char(10), ' '), char(13), ' ') "
     "AS definition FROM go_term WHERE ontology IN ('BP','CC','MF') ORDER BY _id",
     '\t', true},
    {"go_orghs_bioc316/go_parents.tsv", "r-bioc-go.db", kGoDb,
     PARENTS("go_bp_parents", "BP") " UNION ALL "
     PARENTS("go_cc_parents", "CC") " UNION ALL "
     PARENTS("go_mf_parents", "MF") " ORDER BY ontology, child, parent",
     '\t', true},
    {"go_orghs_bioc316/gene2go.tsv", "r-bioc-org.hs.eg.db", kOrgDb,
     "SELECT gi.symbol AS symbol, g.gene_id AS entrez_id, go.go_id AS go_id, go.evidence AS evidence, "
     "go.ontology AS ontology FROM go JOIN genes g ON g._id = go._id JOIN gene_info gi ON gi._id = go._id "
     "ORDER BY gi.symbol, go.ontology, go.go_id, go.evidence",
     '\t', true},
    {"go_orghs_bioc316/gene_alias.tsv", "r-bioc-org.hs.eg.db", kOrgDb,
     "SELECT a.alias_symbol AS alias_symbol, gi.symbol AS symbol, g.gene_id AS entrez_id FROM alias a "
     "JOIN genes g ON g._id = a._id JOIN gene_info gi ON gi._id = a._id" KEPT_GENES "ORDER BY a.alias_symbol, a._id",
     '\t', true},
    {"go_orghs_bioc316/gene_info.tsv", "r-bioc-org.hs.eg.db", kOrgDb,
     "SELECT g.gene_id AS entrez_id, gi.symbol AS symbol, gi.gene_name AS gene_name, t.gene_type AS gene_type, "
     JOINED("chromosome", "chromosomes") " AS chromosome, "
     JOINED("ensembl_id", "ensembl") " AS ensembl_ids, "
     JOINED("uniprot_id", "uniprot") " AS uniprot_ids "
     "FROM genes g JOIN gene_info gi ON gi._id = g._id" KEPT_GENES "ORDER BY gi.symbol",
     '\t', true},
};

const Recipe* find(const std::string& path) {
  for (const auto& r : kRecipes)
    if (path == r.path) return &r;
  return nullptr;
}

// Downloads and unpacks the package into work_dir/<package>/ once; returns the database path.
std::string unpacked_database(const Recipe& r, const std::string& work_dir, int (*run)(const std::vector<std::string>&)) {
  fs::path root = fs::path(work_dir) / r.package;
  fs::path db = root / r.database;
  std::error_code ec;
  if (fs::exists(db, ec)) return db.string();
  fs::create_directories(work_dir, ec);
  std::string pkg = std::string(r.package) + "=" + kVersion;
  // apt-get download writes into the working directory: run it from work_dir.
  std::string cmd = "cd '" + work_dir + "' && apt-get download -q -o APT::Sandbox::User=\"$(id -un)\" " + pkg + " >/dev/null";
  int rc = run({"/bin/sh", "-c", cmd});
  if (rc != 0)
    throw Error("cannot download the Debian package " + pkg + " (apt-get download exit status " + std::to_string(rc) +
                "); it needs network access and a Debian 12 (bookworm) package source");
  fs::path deb;
  for (const auto& e : fs::directory_iterator(work_dir))
    if (e.path().filename().string().rfind(std::string(r.package) + "_", 0) == 0 && e.path().extension() == ".deb") deb = e.path();
  if (deb.empty()) throw Error(where(work_dir, 0, "apt-get download left no " + std::string(r.package) + " .deb"));
  rc = run({"dpkg-deb", "-x", deb.string(), root.string()});
  if (rc != 0 || !fs::exists(db, ec)) throw Error(where(deb.string(), 0, "cannot unpack (dpkg-deb -x) or it lacks " + std::string(r.database)));
  return db.string();
}

}  // namespace

bool built_from_debian(const std::string& mirror_path) { return find(mirror_path) != nullptr; }

void export_from_debian(const std::string& mirror_path, const std::string& out_file, const std::string& work_dir,
                        int (*run)(const std::vector<std::string>&)) {
  const Recipe* r = find(mirror_path);
  if (!r) throw Error(mirror_path + ": no Debian recipe");
  std::string db_path = unpacked_database(*r, work_dir, run);
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    throw Error(where(db_path, 0, "cannot open the package's database"));
  }
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, r->sql, -1, &st, nullptr) != SQLITE_OK) {
    std::string m = sqlite3_errmsg(db);
    sqlite3_close(db);
    throw Error(where(db_path, 0, "export query for " + mirror_path + " failed: " + m));
  }
  std::ofstream out(out_file, std::ios::binary);
  const int n = sqlite3_column_count(st);
  // The layout of the sqlite3 shell's list mode: separator between fields, NULL as "".
  if (r->header) {
    for (int i = 0; i < n; ++i) out << (i ? std::string(1, r->separator) : "") << sqlite3_column_name(st, i);
    out << '\n';
  }
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    for (int i = 0; i < n; ++i) {
      if (i) out << r->separator;
      const unsigned char* t = sqlite3_column_text(st, i);
      if (t) out.write(reinterpret_cast<const char*>(t), sqlite3_column_bytes(st, i));
    }
    out << '\n';
  }
  std::string m = sqlite3_errmsg(db);
  sqlite3_finalize(st);
  sqlite3_close(db);
  if (rc != SQLITE_DONE) throw Error(where(db_path, 0, "export of " + mirror_path + " failed: " + m));
  out.close();
  if (!out) throw Error(where(out_file, 0, "write failed"));
}

}  // namespace ps::cli
