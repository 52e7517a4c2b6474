// ItemEvidence for the items of one cell line, from the knowledge graph and that line's train
// labels: the KNN-KG model (kg/knn.h) over all train items gives the voters and Y's DE rate, and
// a calibrator fitted the way the KNN-KG evaluation fits it (validation perturbers carved from
// train, model on the rest) maps its score to P(DE).
//
// Items whose pair is itself in train (SFT/GRPO prompts) are computed leave-pair-out (see
// evidence.h), so their evidence never carries their own label. The calibrator is cross-fitted
// for them: the train perturbers fall into kFolds seeded folds, and an item whose perturber is in
// fold k gets P(DE) from a calibrator fitted (the same way) on the other folds' items only, so no
// label of its perturber, its own included, shapes its probability. Other items (held-out
// perturbers) use the calibrator fitted on all train items.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "data/perturbqa.h"
#include "kg/graph.h"
#include "kg/knn.h"
#include "metrics/calibrator.h"
#include "prompt/evidence.h"

namespace ps::prompt {

class EvidenceSource {
 public:
  // train: the cell line's train-split items. The graph must outlive this object.
  EvidenceSource(const kg::KnowledgeGraph& graph, std::string cell_line, const std::vector<data::Item>& train,
                 const kg::KnnConfig& knn = {}, uint64_t seed = 7, int threads = 2);

  // Evidence for many items of this cell line (leave-pair-out for pairs in train).
  std::vector<ItemEvidence> evidence(const std::vector<data::Item>& items, size_t max_direct_items = 5) const;

  const std::string& cell_line() const { return cell_line_; }
  const metrics::Calibrator& calibrator() const { return calibrator_; }
  const kg::KnnModel& model() const { return *model_; }

 private:
  const kg::KnowledgeGraph& g_;
  std::string cell_line_;
  std::unique_ptr<kg::KnnModel> model_;
  metrics::Calibrator calibrator_;
  static constexpr int kFolds = 5;
  std::unordered_map<std::string, int> fold_of_;         // train perturber -> its fold
  std::vector<metrics::Calibrator> fold_calibrators_;    // [kFolds], each fitted without its fold
  int threads_;
};

}  // namespace ps::prompt
