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
// That linear formula is the `linear` combiner (the default until issue 16). The default now
// is the `logistic` combiner (kg/combiner.h, KnnCombiner): the estimates above and the ones below
// become a feature vector (KnnPrediction::features, knn_feature_names() order; lifts are
// logit(estimate) - logit(prior)), and a two-stage L2 logistic regression maps it to P(DE):
//   pos_M    = (sum_{n in top M of X's pool} s_n [L(n,Y) = 1] + alpha q(Y)) / (sum s_n + alpha),
//              q(Y) = Y's DE count / train perturbers (an unlisted pair counts as not DE: PerturbQA
//              lists each perturber's DE genes and a sample of the others); cov_M the same with
//              [L(n,Y) known] and Y's listed share,
//   module_M = X's top-M neighbours DE on C(Y), Y's 20 most co-DE train targets (cosine of their
//              DE-perturber sets), weighted s_n c(Y,m),
//   pheno_M  = the 20 most similar train perturbers (cosine of DE-target sets) of each of X's
//              top-M neighbours, DE on Y, weighted s_n c(n,n'),
//   plus per-source votes and strengths (each source's own edge weight), the X-Y edge itself,
//   and for the unseen-target regime the perturber's own evidence:
//   own_rate = (sum_m L(X,m) + alpha mean) / (n_X + alpha),
//   own_tn   = (sum_{m in N(Y)} t_m L(X,m) + alpha b(Y)) / (sum t_m [L(X,m) known] + alpha),
//   own_de_closeness / own_non_de_closeness = Y's mean fused score to X's DE / non-DE train targets,
//   and raw values for the gbdt combiner's trees: sim_top1, sim_mean_20, sim_sum_pool (s_n of X's
//   nearest train perturber, mean over the top 20, sum over the pool), de_count_20/100/pool (how many
//   of X's top-M neighbours are DE on Y, unweighted) and listed_count_100 (how many are listed for Y).
// The regression's rows are out-of-fold: the train perturbers are split into `folds` seeded
// folds, a linear model on the other folds predicts each fold, so every row looks like a test
// pair (perturber unseen). A second combiner, fitted the same way on folds of train *targets*
// (lazily, on first need), scores pairs whose target has no train label but whose perturber has
// (PerturbQA's unseen-gene splits). Both see only the `train` items given to the constructor
// (and, with the other_lines constructor, other cell lines' labels).
//
// The score is a ranking score; Calibrator (metrics/calibrator.h) maps it to P(DE).
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "data/perturbqa.h"
#include "kg/combiner.h"
#include "kg/gbdt.h"
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
  // "logistic" (learned, kg/combiner.h) | "gbdt" (the same two stages, stage 1 by boosted trees
  // ranking each target's pairs, kg/gbdt.h; opt-in) | "linear" (the formula above).
  // "learned" below means logistic or gbdt.
  std::string combiner = "logistic";
  int folds = 4;               // learned: out-of-fold folds of train perturbers / targets (>= 2)
  double l2 = 3000;            // logistic (and gbdt's unseen-target regression): L2 penalty on the standardised weights (>= 0)
  bool unseen_target_model = true;  // learned: also fit the unseen-target combiner (gbdt: logistic + trees there too)
  uint64_t seed = 7;           // learned: fold assignment (and XGBoost's seed)
  // gbdt only (kg/gbdt.h): trees on KnnCombiner::gbdt_seen_target_columns() (unseen-target regime:
  // gbdt_unseen_target_columns()), fitted with one thread; the round count is chosen by early stopping
  // on the last out-of-fold perturber (target) fold, then refitted on all rows.
  std::string gbdt_objective = "rank:pairwise";  // "rank:pairwise" (pairs within a target) | "binary:logistic"
  int gbdt_depth = 3;          // tree depth, 1..12
  int gbdt_rounds = 300;       // most boosting rounds, 1..5000
  double gbdt_eta = 0.05;      // shrinkage, in (0, 1]
  double gbdt_min_child_weight = 1;  // least hessian sum in a leaf, >= 0
  bool gbdt_early_stopping = true;   // false: exactly gbdt_rounds rounds
  bool gbdt_from_logistic = true;    // the trees start from the logistic stage 1's score (a correction of it)
  int gbdt_pairs = 1;                // rank:pairwise: pairs sampled per row and round, 1..100
  bool learned() const { return combiner == "logistic" || combiner == "gbdt"; }
  GbdtParams gbdt_params() const;  // the gbdt_* fields and seed
  int fit_threads = 2;         // threads for the out-of-fold predictions (>= 1)
  std::string to_json() const;
  // The inverse of to_json(): fields absent from the object keep their defaults above.
  // Throws ps::Error naming the field on a wrong type or a malformed "sources" spec.
  static KnnConfig from_json(const std::string& json);
  // What is wrong with the settings, as (field, message) pairs, e.g. ("k", "k must be
  // between 1 and pool (400), not 0"); empty when valid. Fields: k, pool, sources,
  // power, alpha, target_k, beta, gamma, combiner, folds, l2, fit_threads, seed, and (checked for
  // every combiner) gbdt_objective, gbdt_depth, gbdt_rounds, gbdt_eta, gbdt_min_child_weight. Forms show
  // each message beside its field; the knn CLI names the flag (field with '-' for '_').
  // NaN and infinities are invalid everywhere; alpha must be > 0 (0 gives 0/0 scores).
  std::vector<std::pair<std::string, std::string>> validate() const;
  // Throws ps::Error "KNN: <message>" built from validate()'s first pair; nothing when valid.
  // (KnnModel's constructors call it.)
  void require_valid() const;
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
  double linear_score = 0;     // the linear formula's score (= score for the linear combiner)
  bool unseen_target_regime = false;  // scored by the unseen-target regression (own evidence used)
  std::vector<double> features;       // knn_feature_names() order
  std::vector<KnnVote> votes;                // N(X) with their labels for Y
  std::vector<Neighbour> target_neighbours;  // N(Y)
};

class KnnModel {
 public:
  // train: the items the neighbours' labels come from (every item is used, whatever its split).
  KnnModel(const KnowledgeGraph& g, const std::vector<data::Item>& train, const KnnConfig& cfg);
  // Cross-cell-line evidence: `other_lines` are labels of *other* cell lines (never the evaluated
  // line's); the features side_label (mean label of the same pair there, minus 0.5), side_present
  // and side_rate_lift (the perturber's DE share there) join the combiner's columns. The caller
  // must keep the evaluated line's items out of other_lines.
  KnnModel(const KnowledgeGraph& g, const std::vector<data::Item>& train, const KnnConfig& cfg,
           const std::vector<data::Item>& other_lines);
  bool has_side_evidence() const { return !side_pair_.empty(); }

  KnnPrediction predict(const std::string& perturber, const std::string& target) const;
  // Many items at once: neighbourhoods are computed once per distinct gene. Votes are
  // filled when asked (target_neighbours stay empty; predict() gives them).
  // leave_pair_out: an item whose (perturber, target) pair is itself in train has its own label
  // removed from b(Y) (the perturber never votes for itself: a gene is not its own neighbour),
  // from the overall DE rate, from X's own rate in mean r (the strength term and the combiner's
  // strength and log-DE-count features), from Y's DE share, Y's co-DE module and the
  // phenotypic-neighbour votes, and the learned combiner that scores it is the one fitted without
  // the rows of its perturber's fold, so a training prompt or teacher answer cannot carry the
  // item's label. (Not recomputed: a label's second-order effect on the out-of-fold rows of other
  // perturbers; O(1 / train items).)
  std::vector<KnnPrediction> predict_many(const std::vector<data::Item>& items, int threads = 2,
                                          bool with_votes = false, bool leave_pair_out = false) const;
  std::vector<double> scores(const std::vector<data::Item>& items, int threads = 2) const;

  // Train perturbers measured on `target`, not counting `leave_out_perturber`'s own pair. 0 when unseen.
  int64_t target_count(const std::string& target, const std::string& leave_out_perturber = "") const;

  // The fitted combiners (nullptr for the linear combiner / when there was nothing to fit).
  // The unseen-target one is fitted on first use (here, or by a prediction that needs it).
  const KnnCombiner* combiner(bool unseen_target = false) const;
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
  // overall DE rate and of X's own rate in mean r, ...: see predict_many), else -1.
  // own_row: X's train row (-1: none); its own labels are used only when Y has no train label.
  // module: Y's co-DE targets (target_module()), may be null.
  using Module = std::vector<std::pair<int32_t, double>>;
  KnnPrediction combine(const Neighbourhood& nx, const Neighbourhood& ny, int32_t target_col, int own_label = -1,
                        int32_t own_row = -1, const Module* module = nullptr,
                        const std::array<double, kSources + 5>* direct = nullptr) const;
  // Each source's edge weight between X and Y (0 when either is not in the graph), then, when Y has
  // no train label and X has (own_row >= 0, col < 0): Y's mean fused score to X's train DE
  // targets and to X's train non-DE targets (0 otherwise).
  // Then the three cross-cell-line evidence features (0 without other lines' labels).
  std::array<double, kSources + 5> direct_edge(const std::string& pert, const std::string& target, int32_t col,
                                               int32_t own_row) const;
  void init(const std::vector<data::Item>& train);
  // The `module_size` train targets most often DE together with target column `col` in train
  // (cosine of their perturber sets), not counting perturber row `skip_row`'s labels.
  Module target_module(int32_t col, int32_t skip_row = -1) const;
  void fit_combiners(const std::vector<data::Item>& train);
  // The seen-target combiner (logistic or gbdt, by cfg_.combiner) on out-of-fold rows with their folds.
  KnnCombiner fit_seen_target(const std::vector<double>& x, const std::vector<int>& y, const std::vector<int>& groups,
                              const std::vector<int>& fold) const;
  std::vector<int> columns(bool unseen_target) const;  // the combiner's columns (with the side ones when given)
  void ensure_fold_combiners() const;    // for leave_pair_out, once
  void ensure_target_combiner() const;   // the unseen-target regime, once
  // Out-of-fold feature rows of `train`, folds by perturber or by target.
  void out_of_fold(const std::vector<data::Item>& train, bool by_target, std::vector<double>& x, std::vector<int>& y,
                   std::vector<int>& groups, std::vector<int>& fold) const;
  void apply_combiner(KnnPrediction& p, int32_t own_row, bool pair_in_train) const;
  void add_votes(KnnPrediction& p, const Neighbourhood& nx, int32_t target_col) const;
  int8_t label(int32_t row, int32_t col) const { return labels_[static_cast<size_t>(row) * n_targets_ + col]; }
  // The same label from the column-major copy (cache-friendly when one target is read for many perturbers).
  int8_t label_t(int32_t row, int32_t col) const { return labels_t_[static_cast<size_t>(col) * pert_gene_.size() + row]; }

  const KnowledgeGraph& g_;
  KnnConfig cfg_;
  std::unordered_map<std::string, int32_t> pert_row_, target_col_;
  std::vector<GeneId> pert_gene_, target_gene_;      // graph id per row / column (-1: not in graph)
  std::vector<int32_t> row_of_gene_, col_of_gene_;   // graph id -> row / column, -1
  std::unique_ptr<KnowledgeGraph::CandidateIndex> pert_cand_, target_cand_;
  size_t n_targets_ = 0;
  std::vector<int8_t> labels_;                       // rows x targets, -1 = pair not in train
  std::vector<int8_t> labels_t_;                     // the same, targets x rows
  std::vector<double> base_rate_, pert_rate_;
  std::vector<double> pert_n_;                       // train items per perturber
  std::vector<std::vector<int32_t>> pos_cols_;       // per row: the targets it is DE on
  std::vector<std::vector<int32_t>> pos_rows_;       // per column: the perturbers DE on it
  std::vector<Module> pert_module_;                  // per row: the train perturbers with the most similar DE genes
  // Logistic combiner: all out-of-fold rows; the same without each perturber fold (for
  // leave_pair_out: a train pair is scored by the fit that never saw its perturber's labels);
  // the unseen-target regression.
  KnnCombiner comb_;
  mutable KnnCombiner comb_target_;
  mutable std::vector<KnnCombiner> comb_fold_;
  mutable std::once_flag fold_once_, target_once_;
  std::vector<int32_t> fold_of_row_;
  std::vector<data::Item> train_;                    // kept for the lazy fits (logistic only)
  std::vector<data::Item> side_items_;               // other lines' labels (cross-cell-line evidence)
  std::unordered_map<std::string, std::pair<double, double>> side_pair_;  // "pert\tgene" -> (sum, n)
  std::unordered_map<std::string, std::pair<double, double>> side_pert_;  // pert -> (DE, n)
  double side_mean_ = 0;
  std::vector<double> oof_x_;                        // perturber-fold rows, for the per-fold fits
  std::vector<int> oof_y_, oof_groups_, oof_fold_;
  std::vector<double> target_n_;                     // train items per target
  double mean_rate_ = 0, mean_pert_rate_ = 0, mean_log_pos_ = 0;
  double n_train_ = 0;                               // train items
};

}  // namespace ps::kg
