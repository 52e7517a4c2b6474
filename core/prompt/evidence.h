// The knowledge-graph evidence behind one PerturbQA item (cell line C, perturber X, target Y),
// as the KNN-KG predictor itself sees it (kg/knn.h), and its compact text for prompts and the
// GUI's evidence panel:
//   - X's nearest KG neighbours among the train perturbers that were measured on Y, with their
//     observed label for Y ("observed hits / non-hits for Y", as in the seed paper);
//   - Y's train DE rate (over the train perturbers measured on Y);
//   - direct X–Y evidence: STRING score and channels, shared GO terms, shared Reactome pathways;
//   - the calibrated KNN-KG P(DE) (for the teacher; in the prompt only when asked).
// For a training item nothing here carries the item's own label: X is never its own neighbour,
// and Y's DE rate and the KNN-KG probability leave the pair out (KnnModel::predict_many with
// leave_pair_out).
#pragma once
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ps::prompt {

struct NeighbourObservation {
  std::string symbol;       // a train perturber
  double similarity = 0;    // its fused KG score to X over the sum of source weights (0..1)
  int label = 0;            // 1: Y was DE after its knockdown ("hit"), 0: not ("non-hit")
};

struct ItemEvidence {
  std::string cell_line;                 // "k562"
  std::string perturber, target;         // current symbols
  std::string perturber_name, target_name;  // gene_info full names ("" when unknown)
  bool perturber_in_graph = false;
  std::vector<NeighbourObservation> neighbours;  // closest first, only those measured on Y
  int64_t target_train_n = 0;            // train perturbers measured on Y (pair left out)
  double target_de_rate = NAN;           // their DE fraction; NaN when Y has no train items
  double string_score = 0;               // STRING combined / 1000, 0 when no edge
  std::vector<std::pair<std::string, int>> string_channels;  // non-zero channels, 0..1000
  std::vector<std::string> shared_go;    // names of shared GO terms, most informative first
  std::vector<std::string> shared_pathways;  // names of shared Reactome pathways, smallest first
  double knn_probability = NAN;          // calibrated KNN-KG P(DE) (teacher / optional prior)

  int hits() const;
  int non_hits() const;
};

// How much evidence a prompt shows; the budget trims the longest list first.
struct EvidenceLimits {
  size_t max_neighbours = 10;   // hits + non-hits shown
  size_t max_go = 3;
  size_t max_pathways = 2;
  size_t max_channels = 3;
  bool show_similarity = true;  // each neighbour's similarity after its name ("MED13 0.91")
};

// The evidence as prompt lines (no trailing newline), e.g.
//   Closest knockdowns measured on MYC (KG similarity):
//   2 hits: MED13 0.91, CCNC 0.85
//   1 non-hit: CDK8 0.80
//   MYC was DE after 12% of 850 training knockdowns.
//   MED12-MYC: STRING 0.40 (experiments 0.31); shared GO: mediator complex; shared Reactome: none.
std::string render_evidence(const ItemEvidence& e, const EvidenceLimits& limits, bool include_knn_prior);

}  // namespace ps::prompt
