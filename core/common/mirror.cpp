#include "common/mirror.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <set>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/fileio.h"
#include "common/sha256.h"
#include "common/text.h"

namespace fs = std::filesystem;

namespace ps::mirror {

namespace {

#define PQA "https://raw.githubusercontent.com/Genentech/PerturbQA/13531e834f4aa4084472bccf7c11c02984e146f2/"
#define JAR "https://raw.githubusercontent.com/jonasargelo/PerturbQA/04ff16d20060b7e3629e5874a971000b3c1e4b60/examples/summer/"
#define PAIRS "pert,gene,label,split"
#define GO_NOTE \
  "exported to TSV from the SQLite files of Debian's r-bioc-org.hs.eg.db / r-bioc-go.db 3.16.0-1; " \
  "`data fetch` rebuilds it (apt-get download + the same SQL export, see app/cli/data_debian.cpp)"

const std::vector<FileSpec> kManifest = {
    {"perturbqa/datasets/k562-de.csv", Format::PairsCsv, PAIRS, true, 3203066, 157679,
     "e6ab095f3f970bb29f48427414904136785e8cd4945496f8d9a8fa6eab35ee67", PQA "perturbqa/datasets/k562-de.csv", ""},
    {"perturbqa/datasets/k562-dir.csv", Format::PairsCsv, PAIRS, true, 401361, 19980,
     "84a0bc9631b33b8720663ed69506a316dad0f686a51f702f277914cc722000f4", PQA "perturbqa/datasets/k562-dir.csv", ""},
    {"perturbqa/datasets/rpe1-de.csv", Format::PairsCsv, PAIRS, true, 3777332, 187089,
     "a66a86aac5db458e0703bccf7f2d638769400a7ccb9f2615cd9421c106b748ca", PQA "perturbqa/datasets/rpe1-de.csv", ""},
    {"perturbqa/datasets/rpe1-dir.csv", Format::PairsCsv, PAIRS, true, 532606, 26652,
     "25fa0b37c7e86cd73e8135b83513ea9d96c55e5a6c3f222ffbb531b91ab0fb0c", PQA "perturbqa/datasets/rpe1-dir.csv", ""},
    {"perturbqa/datasets/hepg2-de.csv", Format::PairsCsv, PAIRS, true, 2567354, 126889,
     "f94045fb44dcca4af9c69bee5c87de624590061a1123d55d9ee42a9c1ca97932", PQA "perturbqa/datasets/hepg2-de.csv", ""},
    {"perturbqa/datasets/hepg2-dir.csv", Format::PairsCsv, PAIRS, true, 356655, 17860,
     "8c642ab6e6996887dce6c774d5fc58546970ba9216a636c7547b5039062a2cc3", PQA "perturbqa/datasets/hepg2-dir.csv", ""},
    {"perturbqa/datasets/jurkat-de.csv", Format::PairsCsv, PAIRS, true, 2891805, 142822,
     "cf993f77015bd7df9d71ce9cf1170f6c8e64a571dc6f9ba0aef411ffb103eec5", PQA "perturbqa/datasets/jurkat-de.csv", ""},
    {"perturbqa/datasets/jurkat-dir.csv", Format::PairsCsv, PAIRS, true, 402456, 20058,
     "8e17055a5bbf8c2751317db5284a9e793a2dc5aaccef0afbcdaf87daabc45709", PQA "perturbqa/datasets/jurkat-dir.csv", ""},
    {"perturbqa/datasets/k562_set-de.csv", Format::PairsCsv, PAIRS, false, 1078975, 25841,
     "d51faff9a337d111ff2f0858890bbf3207669925f26c0ba75164bc7217872c54", PQA "perturbqa/datasets/k562_set-de.csv", ""},
    {"perturbqa/datasets/k562_set-dir.csv", Format::PairsCsv, PAIRS, false, 587375, 14071,
     "3298d18708d82bd0852e9f6a91b9c5b56a000a2183375457143ccab7f218cb7f", PQA "perturbqa/datasets/k562_set-dir.csv", ""},
    {"perturbqa/datasets/k562_set-mapping.json", Format::JsonObject, "", false, 7717, -1,
     "dd6368b07d81fa134cd0e9558f81f44b809015193bc2350c1367c4d9b925e066", PQA "perturbqa/datasets/k562_set-mapping.json", ""},
    {"perturbqa/datasets/k562_gw_mapping_full.json", Format::JsonObject, "", true, 240322, -1,
     "1cc4fb106cd5542751bdfb70df2040ceefe7a1b8aa0f03613c185b9f2c405a98", PQA "perturbqa/datasets/k562_gw_mapping_full.json", ""},
    {"perturbqa/datasets/k562_pert-gse.json", Format::JsonArray, "", false, 9300, -1,
     "b930662f0226d2bc394f00b2f0eea083aad5f3c3d316cfdf330390e9aa3bf2f4", PQA "perturbqa/datasets/k562_pert-gse.json", ""},
    {"perturbqa/datasets/k562_gene-gse.json", Format::JsonArray, "", false, 12640, -1,
     "718f85e2cbecf58faa57eb710a709a26a6f6cef95354237fce514d83327b62ae", PQA "perturbqa/datasets/k562_gene-gse.json", ""},
    {"perturbqa/sanity_check/20240712-replogle_k562_gw_path.csv", Format::SanityCsv, "pert,gene,label,direction,split",
     false, 1582388, 34867, "3fc51a403dec8ebf85256ae636cb11e38f3c74d38a9995a8e09725096b60e2a2",
     PQA "examples/sanity_check/data/20240712-replogle_k562_gw_path.csv", ""},
    {"perturbqa/sanity_check/20240717-replogle_k562_gw_path.csv", Format::SanityCsv, "pert,gene,label,direction,split",
     false, 1474824, 32385, "fe26b775378d9239e6cf07f8f476efcb57d13fa999d314dcdfb7494b0ec76041",
     PQA "examples/sanity_check/data/20240717-replogle_k562_gw_path.csv", ""},
    {"perturbqa/summer_examples/genentech_gene_set_description_input_sample.json", Format::JsonArray, "", false, 13546, -1,
     "469bf1912e6351010ba00e43af4643de847adfd52535fb7427d72c2eb796505c", PQA "examples/summer/inputs/sample.json", ""},
    {"perturbqa/summer_examples/genentech_gene_set_description_output_sample.json", Format::JsonArray, "", false, 1738, -1,
     "77132b383635a8fe4cdfbbee940a04f0bcbd5cbebfd37ab05d02d55fe58082d0", PQA "examples/summer/outputs/sample.json", ""},
    {"perturbqa/summer_examples/jonasargelo_de_prompt_AARS2_AAK1_input.json", Format::JsonArray, "", false, 18252, -1,
     "1e56b4a2db45b29c84624131f94efcd584c84abe1a42393e0d843538a3a26501", JAR "inputs/diff_exp/AARS2_AAK1_example.json", ""},
    {"perturbqa/summer_examples/jonasargelo_de_prompt_AARS2_AAK1_output_llama-3-70b.json", Format::JsonArray, "", false,
     9107, -1, "2f6223e013866c50c13b5057baec626c8d9a6dc346c5ba7971dfeec9ed80196e", JAR "outputs/diff_exp/llama-3-70b.json", ""},
    {"perturbqa/summer_examples/jonasargelo_de_prompt_AARS2_AAK1_output_llama-3-8b.json", Format::JsonArray, "", false,
     2697, -1, "58a5878559a83ccd098d6e658d144fceb52d6d6b3a9c4e65868e699a736e4c98", JAR "outputs/diff_exp/llama-3-8b.json", ""},
    {"string_v12_dmfind/string_v12_human_ntm700_top3_400.tsv", Format::Tsv,
     "gene_a\tgene_b\tentrez_a\tentrez_b\tneighborhood\tneighborhood_transferred\tfusion\tcooccurence\thomology\t"
     "coexpression\tcoexpression_transferred\texperiments\texperiments_transferred\tdatabase\tdatabase_transferred\t"
     "combined_score",
     true, 9551492, 174962, "3bb049950b44a087a29b0054ab1e246a1625fb507ace7f3b534701bbdd7da4a0", "",
     "converted to TSV from the igraph object data/string.v12.Entrez.ntm.700.400.k3.rda of github.com/emosca-cnr/dmfind "
     "(commit 3e1c7fce) with R (see SOURCES.md section 2); copy it from a mirror (--mirror) or set PERTURBSCOPE_DATA"},
    {"go_orghs_bioc316/gene_info.tsv", Format::Tsv, "entrez_id\tsymbol\tgene_name\tgene_type\tchromosome\tensembl_ids\tuniprot_ids",
     true, 3549090, 45656, "3a46823c87c581b7b77b892b34494c5728d396a928ea7f18569eb8c3cc28e216", "", GO_NOTE},
    {"go_orghs_bioc316/gene_alias.tsv", Format::Tsv, "alias_symbol\tsymbol\tentrez_id", true, 2443274, 108138,
     "368d798a3ed729975eaedddc3c12256a092c4d3f90077e650aa54395fe850812", "", GO_NOTE},
    {"go_orghs_bioc316/gene2go.tsv", Format::Tsv, "symbol\tentrez_id\tgo_id\tevidence\tontology", true, 10342303, 348116,
     "f8d3802e994f73efa2191a238517df115f3fee042dd5ffffc32816a81ea93900", "", GO_NOTE},
    {"go_orghs_bioc316/go_terms.tsv", Format::Tsv, "go_id\tontology\tterm\tdefinition", true, 8378411, 43558,
     "2906e25f2712e3344b5ecd8455085f330289be7e4ee1e2f145a25f79d673ac22", "", GO_NOTE},
    {"go_orghs_bioc316/go_parents.tsv", Format::Tsv, "child\tparent\trelationship_type\tontology", true, 2625933, 85716,
     "dd49396d31341c6dad5a9df3be18170ed4636a41c7961033047b389bfadd058f", "", GO_NOTE},
    {"go_orghs_bioc316/GO.db_metadata.txt", Format::KeyValue, "", false, 291, -1,
     "3c923ccb2c5ce60b0fa11f49975c11c600b82d5853698fd2e22d8a03fb4d5219", "", GO_NOTE},
    {"go_orghs_bioc316/org.Hs.eg.db_metadata.txt", Format::KeyValue, "", false, 852, -1,
     "22a7e6e5fa9111bc30364529195987f208c1b65c364ab6cdc93fe999a0aee751", "", GO_NOTE},
    {"reactome/ReactomePathways_2024-09-18.gmt", Format::Gmt, "", true, 959317, 2694,
     "54eb5a0cf45aa6b9a575c9c00b61394973b7f0ec7c78060e35b1ceecf0223ef4",
     "https://raw.githubusercontent.com/markziemann/asd_meth/dbedd487e766eb52938d48e0b3769293db8f1397/"
     "ReactomePathways_2024-09-18.gmt",
     ""},
};

bool is_int(const std::string& s) {
  if (s.empty()) return false;
  size_t i = (s[0] == '-') ? 1 : 0;
  if (i == s.size()) return false;
  for (; i < s.size(); ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

// The first problem of one data row, or "" when it is fine.
std::string check_row(const FileSpec& spec, const std::vector<std::string>& f, size_t ncols) {
  if (f.size() != ncols)
    return "expected " + std::to_string(ncols) + " fields, found " + std::to_string(f.size());
  switch (spec.format) {
    case Format::PairsCsv:
      if (f[0].empty() || f[1].empty()) return "empty pert or gene";
      if (f[2] != "0" && f[2] != "1") return "label must be 0 or 1, got '" + f[2] + "'";
      if (f[3] != "train" && f[3] != "test") return "split must be train or test, got '" + f[3] + "'";
      return "";
    case Format::SanityCsv: {
      static const std::set<std::string> splits = {"train", "test_cond", "test_gene", "test", "null"};
      if (f[0].empty() || f[1].empty()) return "empty pert or gene";
      if (f[2] != "0" && f[2] != "1") return "label must be 0 or 1, got '" + f[2] + "'";
      if (f[3] != "-1" && f[3] != "0" && f[3] != "1") return "direction must be -1, 0 or 1, got '" + f[3] + "'";
      if (!splits.count(f[4])) return "unknown split '" + f[4] + "'";
      return "";
    }
    case Format::Tsv: {
      std::string p = spec.path;
      if (p.find("string_v12") != std::string::npos) {
        if (f[0].empty() || f[1].empty()) return "empty gene symbol";
        for (size_t i = 4; i < f.size(); ++i)
          if (!is_int(f[i])) return "score column " + std::to_string(i + 1) + " is not an integer: '" + f[i] + "'";
      } else if (p.find("gene2go") != std::string::npos) {
        if (f[2].rfind("GO:", 0) != 0) return "go_id must start with GO:, got '" + f[2] + "'";
        if (f[4] != "BP" && f[4] != "CC" && f[4] != "MF") return "ontology must be BP, CC or MF, got '" + f[4] + "'";
      } else if (p.find("go_terms") != std::string::npos || p.find("go_parents") != std::string::npos) {
        if (f[0].rfind("GO:", 0) != 0) return "GO id must start with GO:, got '" + f[0] + "'";
      } else if (f[0].empty()) {
        return "empty first field";
      }
      return "";
    }
    default:
      return "";
  }
}

}  // namespace

const std::vector<FileSpec>& manifest() { return kManifest; }

long long total_bytes() {
  long long n = 0;
  for (const auto& s : kManifest) n += s.bytes;
  return n;
}

std::string to_string(Status s) {
  switch (s) {
    case Status::Ok: return "ok";
    case Status::Missing: return "missing";
    case Status::Malformed: return "malformed";
    case Status::Differs: return "differs";
  }
  return "?";
}

bool is_failure(const FileReport& r) {
  return r.status == Status::Malformed || (r.status == Status::Missing && r.spec->required);
}

FileReport check_file(const std::string& data_dir, const FileSpec& spec, bool verify_checksum,
                      const std::function<void(long long)>& progress) {
  FileReport r;
  r.spec = &spec;
  const std::string path = (fs::path(data_dir) / spec.path).string();
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    r.status = Status::Missing;
    r.message = where(path, 0, spec.required ? "required file is missing" : "optional file is absent");
    return r;
  }
  if (!fs::is_regular_file(path, ec)) {
    r.status = Status::Malformed;
    r.message = where(path, 0, "is not a regular file");
    return r;
  }
  r.bytes = (long long)fs::file_size(path, ec);
  auto bad = [&](long line, const std::string& msg) {
    if (r.bad_lines++ == 0) {
      r.bad_line = line;
      r.message = where(path, line, msg);
    }
  };

  try {
    if (spec.format == Format::JsonObject || spec.format == Format::JsonArray) {
      std::string text = read_file(path);
      if (progress) progress((long long)text.size());
      try {
        nlohmann::json j = nlohmann::json::parse(text);
        bool want_object = spec.format == Format::JsonObject;
        if (want_object != j.is_object()) bad(0, want_object ? "expected a JSON object" : "expected a JSON array");
        else r.rows = (long long)j.size();
      } catch (const nlohmann::json::parse_error& e) {
        // e.byte is the offset of the error: turn it into a line number.
        long line = 1;
        for (size_t i = 0; i < text.size() && i < e.byte; ++i) line += text[i] == '\n';
        bad(line, std::string("invalid JSON: ") + e.what());
      }
    } else {
      LineReader in(path);
      std::string line;
      std::vector<std::string> fields;
      size_t ncols = 0;
      const bool csv = spec.format == Format::PairsCsv || spec.format == Format::SanityCsv;
      if (spec.columns[0] != '\0') {
        if (!in.next(line)) {
          bad(1, "empty file (expected the header '" + std::string(spec.columns) + "')");
        } else if (line != spec.columns) {
          std::string shown = line.size() > 120 ? line.substr(0, 120) + "..." : line;
          bad(1, "unexpected header '" + shown + "', expected '" + std::string(spec.columns) + "'");
        }
        ncols = csv ? std::count(spec.columns, spec.columns + std::strlen(spec.columns), ',') + 1
                    : std::count(spec.columns, spec.columns + std::strlen(spec.columns), '\t') + 1;
      }
      long long last_progress = 0;
      while (in.next(line)) {
        if (progress && in.bytes_read() - last_progress > (1 << 20)) {
          progress(in.bytes_read() - last_progress);
          last_progress = in.bytes_read();
        }
        if (line.empty()) {
          bad(in.line_number(), "empty line");
          continue;
        }
        ++r.rows;
        std::string problem;
        switch (spec.format) {
          case Format::PairsCsv:
          case Format::SanityCsv:
            if (std::string csv_error; !split_csv(line, fields, ',', &csv_error)) problem = "malformed CSV: " + csv_error;
            else problem = check_row(spec, fields, ncols);
            break;
          case Format::Tsv:
            problem = check_row(spec, split_tsv(line), ncols);
            break;
          case Format::Gmt: {
            auto f = split_tsv(line);
            if (f.size() < 3 || f[0].empty()) problem = "expected name<TAB>id<TAB>genes..., found " + std::to_string(f.size()) + " fields";
            break;
          }
          case Format::KeyValue:
            if (line.find('|') == std::string::npos) problem = "expected key|value";
            break;
          default:
            break;
        }
        if (!problem.empty()) bad(in.line_number(), problem);
      }
      if (progress) progress(in.bytes_read() - last_progress);
    }
  } catch (const Error& e) {
    bad(0, e.what());
  }
  if (r.bad_lines > 0) {
    r.status = Status::Malformed;
    if (r.bad_lines > 1) r.message += " (and " + std::to_string(r.bad_lines - 1) + " more malformed lines)";
    return r;
  }
  // Well-formed; does it match the reference mirror?
  std::vector<std::string> diffs;
  if (r.bytes != spec.bytes) diffs.push_back(std::to_string(r.bytes) + " bytes, manifest " + std::to_string(spec.bytes));
  if (spec.rows >= 0 && r.rows != spec.rows)
    diffs.push_back(std::to_string(r.rows) + " rows, manifest " + std::to_string(spec.rows));
  if (verify_checksum) {
    r.checksum_checked = true;
    if (sha256_file(path) != spec.sha256) diffs.push_back("SHA-256 differs from the manifest");
  }
  if (!diffs.empty()) {
    r.status = Status::Differs;
    std::string m;
    for (const auto& d : diffs) m += (m.empty() ? "" : "; ") + d;
    r.message = where(path, 0, m + " (a different version of the file?)");
  }
  return r;
}

}  // namespace ps::mirror
