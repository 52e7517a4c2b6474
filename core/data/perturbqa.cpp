#include "data/perturbqa.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "common/error.h"
#include "common/text.h"
#include "data/text_file.h"

namespace ps::data {

namespace {

// The 1-based line of byte `at`, counting CRLF, LF and a bare CR as one line break each (CsvReader's rule).
long line_of(std::string_view text, size_t at) {
  long line = 1;
  for (size_t i = 0; i < at && i < text.size(); ++i)
    if (text[i] == '\n' || (text[i] == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n'))) ++line;
  return line;
}

}  // namespace

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
  if (const size_t nul = text.find('\0'); nul != std::string::npos)
    throw ps::Error(ps::where(path, line_of(text, nul),
                              "contains a NUL byte: this is not a text CSV file (binary, compressed or UTF-16?)"));
  // A UTF-8 byte-order mark (Excel writes one) is not part of the first column's name.
  const std::string_view body =
      text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? std::string_view(text).substr(3) : std::string_view(text);
  // Records by RFC 4180 (quoted fields may span lines); CRLF, LF and bare-CR line endings.
  CsvReader csv(body);
  std::vector<std::string_view> f;
  auto next = [&]() {
    while (csv.next(f))
      if (!csv.blank()) return true;
    if (!csv.error().empty())
      throw ps::Error(ps::where(path, csv.error_line(), "malformed CSV (RFC 4180): " + csv.error()));
    return false;
  };
  if (!next()) throw ps::Error(ps::where(path, 1, "empty file (expected a header pert,gene,label,split)"));
  const long header_line = csv.line();
  const size_t n_cols = f.size();
  int col_pert = -1, col_gene = -1, col_label = -1, col_split = -1;
  for (size_t i = 0; i < f.size(); ++i) {
    int* col = f[i] == "pert" ? &col_pert : f[i] == "gene" ? &col_gene : f[i] == "label" ? &col_label
             : f[i] == "split" ? &col_split : nullptr;
    if (!col) continue;  // extra columns are ignored
    // Two columns of one name: which one holds the data is a guess, so neither is used.
    if (*col >= 0)
      throw ps::Error(ps::where(path, header_line, "column '" + std::string(f[i]) + "' appears twice in the header (fields " +
                                                       std::to_string(*col + 1) + " and " + std::to_string(i + 1) + ")"));
    *col = static_cast<int>(i);
  }
  for (auto [col, name] : {std::pair{col_pert, "pert"}, {col_gene, "gene"}, {col_label, "label"}, {col_split, "split"}})
    if (col < 0) throw ps::Error(ps::where(path, header_line, std::string("missing column '") + name + "' in the header"));

  // (pert, gene) -> the line of its first row and its label: a pair is one item, so a second row
  // for it is either a duplicate (same label) or a contradiction (the other label).
  struct FirstRow {
    long line;
    int label;
  };
  std::unordered_map<std::string, FirstRow> seen_pairs;
  seen_pairs.reserve(text.size() / 24);
  ds.items.reserve(text.size() / 20);
  std::string key;
  while (next()) {
    const long ln = csv.line();
    if (f.size() != n_cols)
      throw ps::Error(ps::where(path, ln, "expected " + std::to_string(n_cols) + " fields, found " +
                                              std::to_string(f.size())));
    std::string_view pert = f[col_pert], gene = f[col_gene], label = f[col_label], split = f[col_split];
    if (pert.empty() || gene.empty()) throw ps::Error(ps::where(path, ln, "empty pert or gene"));
    // RFC 4180 lets a quoted field hold line breaks and other control bytes; a gene name or a
    // split name never does.
    for (auto [col, name] : {std::pair{col_pert, "pert"}, {col_gene, "gene"}, {col_split, "split"}}) {
      const std::string_view v = f[col];
      const auto bad = std::find_if(v.begin(), v.end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x20 || c == '\x7F';
      });
      if (bad == v.end()) continue;
      const bool line_break = *bad == '\n' || *bad == '\r';
      const std::string lines = csv.end_line() > ln ? " (a quoted field spanning lines " + std::to_string(ln) + "-" +
                                                          std::to_string(csv.end_line()) + ")"
                                                    : "";
      char byte[8];
      std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned>(static_cast<unsigned char>(*bad)));
      throw ps::Error(ps::where(path, ln, std::string(name) + " (field " + std::to_string(col + 1) + ") holds " +
                                              (line_break ? std::string("a line break") : "the control byte " + std::string(byte)) +
                                              lines + "; " + name + " values are single-line names"));
    }
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
    const int y = label[0] - '0';
    // Names hold no control bytes (checked above), so '\n' separates the two unambiguously.
    key.assign(pert).append(1, '\n').append(gene);
    if (auto [it, fresh] = seen_pairs.try_emplace(key, FirstRow{ln, y}); !fresh) {
      const std::string pair = "pert '" + std::string(pert) + "', gene '" + std::string(gene) + "'";
      if (it->second.label != y)
        throw ps::Error(ps::where(path, ln, "contradicting rows: " + pair + " has label " + std::to_string(y) +
                                                " here and label " + std::to_string(it->second.label) + " on line " +
                                                std::to_string(it->second.line) + "; keep one of them"));
      throw ps::Error(ps::where(path, ln, "duplicate row: " + pair + " is already on line " +
                                              std::to_string(it->second.line) +
                                              " (a pair is one item; a second copy would count twice); remove one"));
    }
    Item it;
    it.cell_line = opt.cell_line;
    it.pert = std::string(pert);  // resolved below, over the whole file
    it.gene = std::string(gene);
    it.label = y;
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
