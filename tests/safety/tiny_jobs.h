// The smallest training jobs that still exercise everything the safety tests look at (teacher
// traces, a tokenizer trained here, checkpoints, the final evaluation), on a reduced data mirror.
#pragma once
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "common/paths.h"

namespace ps::test {

// <dir>/mirror: the graph sources of the data mirror as links (so the cached graph is reused) and
// K562's DE file with every 16th perturber of each split (the KNN-KG evidence each job builds at
// start-up then takes a fraction of a second). Needs the data mirror (ps::locate_data()).
inline std::filesystem::path reduced_mirror(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  const fs::path raw = ps::locate_data()->dir;
  const fs::path m = dir / "mirror";
  fs::create_directories(m / "perturbqa" / "datasets");
  for (const char* d : {"go_orghs_bioc316", "reactome", "string_v12_dmfind"})
    if (!fs::exists(m / d)) fs::create_directory_symlink(raw / d, m / d);
  std::ifstream in(raw / "perturbqa" / "datasets" / "k562-de.csv");
  std::ofstream out(m / "perturbqa" / "datasets" / "k562-de.csv");
  std::string header, row;
  std::getline(in, header);
  out << header << "\n";
  std::map<std::string, int> index;  // perturber|split -> its rank of first appearance in its split
  std::map<std::string, int> seen;   // split -> perturbers seen
  while (std::getline(in, row)) {
    const std::string pert = row.substr(0, row.find(','));
    const std::string split = row.substr(row.rfind(',') + 1);
    auto it = index.find(pert + "|" + split);
    if (it == index.end()) it = index.emplace(pert + "|" + split, seen[split]++).first;
    if (it->second % 16 == 0) out << row << "\n";
  }
  return m;
}

// A 2-layer Qwen3 of width 32 trained from scratch for 6 steps (checkpoints every 2) on 32
// evidence-teacher traces, evaluated on about 100 val items with 12 new tokens each.
inline nlohmann::json tiny_sft_config(const std::string& mirror) {
  using nlohmann::json;
  return {
      {"kind", "sft"},
      {"name", "crash-sft"},
      {"seed", 5},
      {"data",
       {{"train_cell_lines", {"k562"}}, {"heldout_cell_line", ""}, {"teacher_items", 32}, {"eval_min_items", 12},
        {"data_dir", mirror}}},
      {"prompt",
       {{"max_neighbours", 2}, {"max_go", 1}, {"max_pathways", 1}, {"max_channels", 1}, {"max_prompt_tokens", 160},
        {"include_descriptions", false}, {"system_prompt", ""}, {"show_similarity", false}}},
      {"teacher", {{"kind", "evidence"}}},
      {"tokenizer", {{"merges", 120}}},
      {"model",
       {{"hidden_size", 32}, {"intermediate_size", 64}, {"num_layers", 2}, {"num_heads", 2}, {"num_kv_heads", 1},
        {"head_dim", 16}, {"max_position_embeddings", 512}}},
      {"finetune", "full"},
      {"optim", {{"lr", 0.003}, {"weight_decay", 0.01}, {"schedule", "cosine"}, {"warmup_steps", 2}, {"max_grad_norm", 1.0}}},
      {"train", {{"batch_size", 4}, {"max_steps", 6}, {"checkpoint_every", 2}, {"max_seq_len", 500}, {"threads", 1}}},
      {"eval", {{"sets", {"val"}}, {"max_new_tokens", 12}, {"batch_size", 16}, {"bootstrap", 20}}},
  };
}

}  // namespace ps::test
