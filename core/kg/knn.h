// The KNN-KG predictor of differential expression (seed paper 2's baseline).
//
// For a test pair (X perturbed, Y read out), with train labels L(n, m) in {0, 1}:
//   N(X)  = the k train perturbers closest to X in the knowledge graph (fused score s_n),
//   V(X,Y)= the k closest train perturbers *measured on Y*, searched within X's `pool`
//           closest (PerturbQA's pairs are sparse: each perturber has labels for ~2 % of
//           the targets, so N(X) alone would rarely vote),
//   N(Y)  = the target_k train targets closest to Y (fused score t_m),
//   b(Y)  = Y's train DE rate (for a target never seen in train: the t-weighted rate of N(Y)),
//   knn   = (sum_{n in V(X,Y)} s_n L(n,Y) + alpha b(Y)) / (sum_{n in V(X,Y)} s_n + alpha)
//   tn    = (sum_{n in N(X), m in N(Y)} s_n t_m L(n,m) + alpha b(Y)) / (sum s_n t_m [L(n,m) known] + alpha)
//   str   = sum_{n in N(X)} s_n r(n) / sum s_n - mean r,  r(n) = n's train DE rate over its targets
//   score = (1 - beta) knn + beta tn + gamma str
// The defaults (sources string:1,go:1,reactome:2, beta 0.2, gamma 0.5, target_k 10) were
// chosen on a validation split carved from K562's train perturbers, never on test.
// The neighbour weights are s^power. tn is what lets a target without train labels get an
// informative score: how X's neighbours moved genes like Y.
//
// The score is a ranking score; Calibrator (metrics/calibrator.h) maps it to P(DE).
#pragma once
#include <cstdint>
#include <string>
#include <memory>
#include <unordered_map>
#include <vector>

#include "data/perturbqa.h"
#include "kg/graph.h"

namespace ps::kg {

struct KnnConfig {
  int k = 20;                  // perturber neighbours that voted (have a train label for Y)
  int pool = 400;              // candidates searched for them: X's closest train perturbers
  SourceWeights sources = SourceWeights::fused();  // fused edge weights (SourceWeights::only(Source::String) for STRING-only)
  double power = 1.0;          // neighbour weight = score^power
  double alpha = 1.0;          // shrinkage toward the target's base rate (pseudo-weight)
  int target_k = 10;           // target neighbours (0: no target neighbourhood)
  double beta = 0.2;           // weight of the target-neighbourhood estimate
  double gamma = 0.5;          // weight of the neighbours' overall perturbation strength
  std::string to_json() const;
  // The inverse of to_json(): fields absent from the object keep their defaults above.
  // Throws ps::Error naming the field on a wrong type or a malformed "sources" spec.
  static KnnConfig from_json(const std::string& json);
  // What is wrong with the settings, as (field, message) pairs, e.g. ("k", "k must be
  // between 1 and pool (400), not 0"); empty when valid. Fields: k, pool, sources,
  // power, alpha, target_k, beta, gamma. Forms show each message beside its field.
  // NaN and infinities are invalid everywhere; alpha must be > 0 (0 gives 0/0 scores).
  std::vector<std::pair<std::string, std::string>> validate() const;
};

// The KNN settings a stored run was made with, from the run's config_json: its "knn"
// object (as store_knn_runs() writes it), else the same keys at the top level (older or
// hand-written runs); every key absent keeps KnnConfig's default (sources string:1,go:1,
// reactome:2 = SourceWeights::fused()). The one reader of a run's KNN configuration: the
// KG browser, the predictor and the run details all use it. Empty text gives the
// defaults; malformed JSON or a field of the wrong type throws ps::Error naming it.
KnnConfig knn_config_of_run(const std::string& config_json);

struct KnnVote {
  GeneId neighbour = -1;       // a train perturber
  double weight = 0;           // s_n (after power)
  int label = -1;              // L(n, Y): 1, 0, or -1 when that pair is not in train
};

struct KnnPrediction {
  double score = 0;            // the combined ranking score
  double knn = 0, tn = 0, strength = 0, base_rate = 0;
  int n_votes = 0;             // neighbours with a train label for Y
  bool perturber_in_graph = false, target_seen = false;
  std::vector<KnnVote> votes;                // N(X) with their labels for Y
  std::vector<Neighbour> target_neighbours;  // N(Y)
};

class KnnModel {
 public:
  // train: the items the neighbours' labels come from (every item is used, whatever its split).
  KnnModel(const KnowledgeGraph& g, const std::vector<data::Item>& train, const KnnConfig& cfg);

  KnnPrediction predict(const std::string& perturber, const std::string& target) const;
  // Many items at once: neighbourhoods are computed once per distinct gene. Votes are
  // filled when asked (target_neighbours stay empty; predict() gives them).
  // leave_pair_out: an item whose (perturber, target) pair is itself in train has its own label
  // removed from b(Y), from the overall DE rate and from X's own rate in mean r (the perturber
  // never votes for itself: a gene is not its own neighbour),
  // so a training prompt or teacher answer cannot carry the item's label.
  std::vector<KnnPrediction> predict_many(const std::vector<data::Item>& items, int threads = 2,
                                          bool with_votes = false, bool leave_pair_out = false) const;
  std::vector<double> scores(const std::vector<data::Item>& items, int threads = 2) const;

  // Train perturbers measured on `target`, not counting `leave_out_perturber`'s own pair. 0 when unseen.
  int64_t target_count(const std::string& target, const std::string& leave_out_perturber = "") const;

  const KnnConfig& config() const { return cfg_; }
  const KnowledgeGraph& graph() const { return g_; }
  double mean_rate() const { return mean_rate_; }
  int64_t n_train_perturbers() const { return static_cast<int64_t>(pert_gene_.size()); }

 private:
  struct Neighbourhood {
    std::vector<int32_t> rows;     // label-matrix rows (perturbers) or columns (targets)
    std::vector<double> weights;
    std::vector<Neighbour> raw;
  };
  Neighbourhood perturber_neighbourhood(const std::string& pert) const;
  Neighbourhood target_neighbourhood(const std::string& gene) const;
  // own_label: the label of (X, Y) when that pair is in train and must be left out (of b(Y), of the
  // overall DE rate and of X's own rate in mean r), else -1; own_row: X's label-matrix row then.
  KnnPrediction combine(const Neighbourhood& nx, const Neighbourhood& ny, int32_t target_col, int own_label = -1,
                        int32_t own_row = -1) const;
  void add_votes(KnnPrediction& p, const Neighbourhood& nx, int32_t target_col) const;
  int8_t label(int32_t row, int32_t col) const { return labels_[static_cast<size_t>(row) * n_targets_ + col]; }

  const KnowledgeGraph& g_;
  KnnConfig cfg_;
  std::unordered_map<std::string, int32_t> pert_row_, target_col_;
  std::vector<GeneId> pert_gene_, target_gene_;      // graph id per row / column (-1: not in graph)
  std::vector<int32_t> row_of_gene_, col_of_gene_;   // graph id -> row / column, -1
  std::unique_ptr<KnowledgeGraph::CandidateIndex> pert_cand_, target_cand_;
  size_t n_targets_ = 0;
  std::vector<int8_t> labels_;                       // rows x targets, -1 = pair not in train
  std::vector<double> base_rate_, pert_rate_;
  std::vector<double> pert_n_;                       // train items per perturber
  std::vector<double> target_n_;                     // train items per target
  double mean_rate_ = 0, mean_pert_rate_ = 0;
  double n_train_ = 0;                               // train items
};

}  // namespace ps::kg
