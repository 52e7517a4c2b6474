// PerturbQA items: (cell line, perturber, target gene, label, split), loaded from the
// benchmark's `<cell>-de.csv` (label 1 = target differentially expressed) and
// `<cell>-dir.csv` (label 1 = up, 0 = down; only the DE pairs) files.
// Columns are found by name (pert, gene, label, split); extra columns are ignored.
// One row per (pert, gene) pair: the cell line is the file's.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "data/symbols.h"

namespace ps::data {

struct Item {
  std::string cell_line;  // "k562", ...
  std::string pert;       // the knocked-down gene (current symbol when it resolved)
  std::string gene;       // the read-out gene (idem)
  int label = 0;          // de: 1 = DE; dir: 1 = up, 0 = down
  std::string split;      // "train", "test", or a carved split such as "val"
};

struct Dataset {
  std::string cell_line;
  std::string task;  // "de" or "dir"
  std::string path;
  std::vector<Item> items;
  std::vector<std::string> unresolved;  // symbols that stayed as they were (sorted)
  int64_t renamed = 0;                  // distinct symbols mapped through an alias
  // Aliases kept under their own name because following them would merge two genes the file
  // names separately (SymbolResolver::resolve_set), e.g. "TRAC (alias of NCOR2, which is also in the data)".
  std::vector<std::string> kept_distinct;
};

struct LoadOptions {
  std::string cell_line;                  // stored in every item
  std::string task = "de";
  std::vector<std::string> allowed_splits = {"train", "test"};  // empty: any name
  const SymbolResolver* resolver = nullptr;  // null: symbols kept as they are
};

// The four cell lines with DE and direction files: k562, rpe1, hepg2, jurkat.
const std::vector<std::string>& cell_lines();

// <data_dir>/perturbqa/datasets/<cell>-<task>.csv
std::string perturbqa_path(const std::string& data_dir, const std::string& cell_line, const std::string& task);

// The file is CSV by RFC 4180 (quoted fields, "" for a quote, a quoted field may span lines),
// UTF-8 with or without a byte-order mark, with CRLF, LF or bare-CR line endings; blank lines are
// skipped. Throws ps::Error "FILE:LINE: ..." on malformed CSV (naming the field), a missing column
// or one of pert/gene/label/split named twice in the header, a wrong field count, a label other
// than 0/1, an empty, non-UTF-8 or multi-line (control bytes) pert/gene/split, an unknown split,
// and a (pert, gene) pair given twice: "contradicting rows" when the labels differ, "duplicate
// row" when they agree (both name the earlier line). LINE is the record's first line.
Dataset load_perturbqa_csv(const std::string& path, const LoadOptions& opt);

Dataset load_perturbqa(const std::string& data_dir, const std::string& cell_line, const std::string& task,
                       const SymbolResolver* resolver);

}  // namespace ps::data
