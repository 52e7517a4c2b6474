// The items a training pipeline works on, fixed by seed and stored with each run so every
// later comparison is on identical items (seed paper's splits):
//   teacher / prompt pool : train-split items of the training cell lines (K562, HepG2, Jurkat),
//                           sampled with DE upsampled to a target rate;
//   val, ttc_val          : whole perturbers carved from the official *test* perturbers of the
//                           training lines (never seen in training), each set >= eval_min_items;
//   heldout               : whole test perturbers of the held-out line (RPE1), >= eval_min_items.
// Evidence for every item comes from its own cell line's EvidenceSource (train labels only).
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/perturbqa.h"
#include "jobs/job.h"
#include "kg/graph.h"
#include "prompt/evidence_source.h"
#include "train/config.h"

namespace ps::train {

// "k562|MED12|MYC": the key predictions are stored under.
std::string item_key(const data::Item& it);

struct ItemSets {
  std::vector<data::Item> val, ttc_val, heldout;
  const std::vector<data::Item>& get(const std::string& name) const;  // "val" | "ttc_val" | "heldout"
  nlohmann::json to_json() const;                                     // {"val": [[cell, pert, gene, label], ...], ...}
  static ItemSets from_json(const nlohmann::json& j);
};

class TaskData {
 public:
  // Loads the graph (cache), the PerturbQA files of every cell line named in `cfg`, carves the
  // evaluation sets (seeded) and builds one EvidenceSource per cell line. Reports progress.
  // Progress goes to ctx between f0 and f1.
  static std::unique_ptr<TaskData> load(const DataConfig& cfg, uint64_t seed, jobs::JobContext& ctx, double f0 = 0,
                                        double f1 = 1);

  const ItemSets& sets() const { return sets_; }
  // n train-split items of the training lines, DE share `positive_rate` (< 0: natural), seeded;
  // `exclude` keys are skipped (e.g. the SFT items when drawing a GRPO pool).
  std::vector<data::Item> sample_train(int64_t n, double positive_rate, uint64_t seed,
                                       const std::vector<std::string>& exclude = {}) const;
  // Evidence per item (each from its cell line's source; leave-pair-out for train pairs).
  std::vector<prompt::ItemEvidence> evidence(const std::vector<data::Item>& items) const;
  // Every item (train and official test) of a loaded cell line; ps::Error for another.
  const std::vector<data::Item>& items(const std::string& cell_line) const;
  // The items of an evaluation set ("val", "ttc_val", "heldout") or the official "test" split,
  // restricted to one cell line ("all": every line), first n (n <= 0: all). Errors name the split.
  std::vector<data::Item> select(const std::string& split, const std::string& cell_line, int64_t n) const;
  const kg::KnowledgeGraph& graph() const { return *graph_; }
  const std::string& data_dir() const { return data_dir_; }

 private:
  std::string data_dir_;
  std::unique_ptr<kg::KnowledgeGraph> graph_;
  std::map<std::string, std::vector<data::Item>> items_;   // cell line -> all items (train + test)
  std::map<std::string, std::unique_ptr<prompt::EvidenceSource>> sources_;
  std::vector<std::string> train_lines_;
  ItemSets sets_;
};

}  // namespace ps::train
