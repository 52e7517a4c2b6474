#include "data/perturbqa.h"

#include <algorithm>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "common/error.h"
#include "common/text.h"
#include "data/text_file.h"

namespace ps::data {

const std::vector<std::string>& cell_lines() {
  static const std::vector<std::string> kCells = {"k562", "rpe1", "hepg2", "jurkat"};
  return kCells;
}

std::string perturbqa_path(const std::string& data_dir, const std::string& cell_line, const std::string& task) {
  return data_dir + "/perturbqa/datasets/" + cell_line + "-" + task + ".csv";
}

Dataset load_perturbqa_csv(const std::string& path, const LoadOptions& opt) {
  Dataset ds;
  ds.cell_line = opt.cell_line;
  ds.task = opt.task;
  ds.path = path;
  const std::string text = read_file(path);
  // Encodings that are not UTF-8 text: named, rather than failing later as a missing column.
  if (text.size() >= 2 && ((text[0] == '\xFF' && text[1] == '\xFE') || (text[0] == '\xFE' && text[1] == '\xFF')))
    throw ps::Error(ps::where(path, 1, "the file is UTF-16 (byte-order mark FF FE / FE FF); save it as UTF-8 CSV"));
  if (const size_t nul = text.find('\0'); nul != std::string::npos) {
    const long ln = 1 + static_cast<long>(std::count(text.begin(), text.begin() + static_cast<long>(nul), '\n'));
    throw ps::Error(ps::where(path, ln, "contains a NUL byte: this is not a text CSV file (binary, compressed or UTF-16?)"));
  }
  // A UTF-8 byte-order mark (Excel writes one) is not part of the first column's name.
  const std::string_view body =
      text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? std::string_view(text).substr(3) : std::string_view(text);
  LineReader lines(body);
  std::string_view line;
  std::vector<std::string_view> f;
  std::string storage, csv_error;
  auto split = [&](long ln) {
    if (!split_csv_record(line, ',', f, storage, csv_error))
      throw ps::Error(ps::where(path, ln, "malformed CSV (RFC 4180): " + csv_error));
  };
  if (!lines.next(line)) throw ps::Error(ps::where(path, 1, "empty file (expected a header pert,gene,label,split)"));
  split(1);
  const size_t n_cols = f.size();
  int col_pert = -1, col_gene = -1, col_label = -1, col_split = -1;
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] == "pert") col_pert = static_cast<int>(i);
    else if (f[i] == "gene") col_gene = static_cast<int>(i);
    else if (f[i] == "label") col_label = static_cast<int>(i);
    else if (f[i] == "split") col_split = static_cast<int>(i);
  }
  for (auto [col, name] : {std::pair{col_pert, "pert"}, {col_gene, "gene"}, {col_label, "label"}, {col_split, "split"}})
    if (col < 0) throw ps::Error(ps::where(path, 1, std::string("missing column '") + name + "' in the header"));

  std::vector<std::string> seen_splits;
  ds.items.reserve(text.size() / 20);
  while (lines.next(line)) {
    if (line.empty()) continue;
    const long ln = lines.line_number();
    split(ln);
    if (f.size() != n_cols)
      throw ps::Error(ps::where(path, ln, "expected " + std::to_string(n_cols) + " fields, found " +
                                              std::to_string(f.size())));
    std::string_view pert = f[col_pert], gene = f[col_gene], label = f[col_label], split = f[col_split];
    if (pert.empty() || gene.empty()) throw ps::Error(ps::where(path, ln, "empty pert or gene"));
    for (std::string_view sym : {pert, gene})
      if (std::any_of(sym.begin(), sym.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; }))
        if (const size_t bad = ps::find_invalid_utf8(std::string(sym)); bad != std::string::npos)
        throw ps::Error(ps::where(path, ln, "gene name '" + std::string(sym.substr(0, bad)) +
                                                "...' is not valid UTF-8 (byte " + std::to_string(bad + 1) +
                                                "); save the file as UTF-8"));
    if (label != "0" && label != "1")
      throw ps::Error(ps::where(path, ln, "label must be 0 or 1, found '" + std::string(label) + "'"));
    if (split.empty()) throw ps::Error(ps::where(path, ln, "empty split"));
    if (!opt.allowed_splits.empty() &&
        std::find(opt.allowed_splits.begin(), opt.allowed_splits.end(), split) == opt.allowed_splits.end()) {
      std::string allowed;
      for (const auto& s : opt.allowed_splits) allowed += (allowed.empty() ? "" : ", ") + s;
      throw ps::Error(ps::where(path, ln, "unknown split '" + std::string(split) + "' (expected " + allowed + ")"));
    }
    Item it;
    it.cell_line = opt.cell_line;
    it.pert = std::string(pert);  // resolved below, over the whole file
    it.gene = std::string(gene);
    it.label = label[0] - '0';
    it.split = std::string(split);
    ds.items.push_back(std::move(it));
  }
  // Symbols are resolved together, so that an alias never merges two genes the file keeps apart.
  if (opt.resolver) {
    std::vector<std::string> symbols;
    std::unordered_set<std::string> seen;
    for (const auto& it : ds.items)
      for (const std::string* sym : {&it.pert, &it.gene})
        if (seen.insert(*sym).second) symbols.push_back(*sym);
    auto res = opt.resolver->resolve_set(symbols);
    for (auto& it : ds.items) {
      it.pert = res.name.at(it.pert);
      it.gene = res.name.at(it.gene);
    }
    ds.unresolved = std::move(res.unresolved);
    ds.kept_distinct = std::move(res.kept_distinct);
    ds.renamed = res.renamed;
  }
  return ds;
}

Dataset load_perturbqa(const std::string& data_dir, const std::string& cell_line, const std::string& task,
                       const SymbolResolver* resolver) {
  if (std::find(cell_lines().begin(), cell_lines().end(), cell_line) == cell_lines().end())
    throw ps::Error("unknown cell line '" + cell_line + "' (expected k562, rpe1, hepg2 or jurkat)");
  if (task != "de" && task != "dir") throw ps::Error("unknown task '" + task + "' (expected de or dir)");
  LoadOptions opt;
  opt.cell_line = cell_line;
  opt.task = task;
  opt.resolver = resolver;
  return load_perturbqa_csv(perturbqa_path(data_dir, cell_line, task), opt);
}

}  // namespace ps::data
