// The knowledge graph and the PerturbQA training data, loaded once in the
// background and shared (read-only, thread-safe queries) by the KG browser, the
// prediction review's evidence panel and the KNN-KG launcher.
#pragma once
#include <QHash>
#include <QObject>
#include <QSet>
#include <QString>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "data/perturbqa.h"
#include "kg/gene_lookup.h"
#include "kg/graph.h"
#include "kg/knn.h"

namespace ps::gui {

// One cell line's training pairs (the neighbours' labels) and the targets they cover.
struct CellLineData {
  QString cell_line;
  std::vector<ps::data::Item> train;
  std::vector<ps::data::Item> test;
  QSet<QString> seen_targets;  // "k562|GENE"
};

// Reads <data_dir>/perturbqa/datasets/<cell>-de.csv with symbols resolved (throws ps::Error).
std::shared_ptr<const CellLineData> load_cell_line_data(const std::string& data_dir, const std::string& cell_line);

// What the KNN-KG predictor says about one pair, for the KG browser.
struct PairPrediction {
  double score = 0;                 // ranking score
  double probability = -1;          // P(DE) stored by an open run for this pair; -1 when none
  double base_rate = 0;
  int n_votes = 0;
  bool target_seen = false;
  int label = -1;                   // the pair's label in the data, -1 when not measured
  QString split;                    // of that label
  std::vector<std::tuple<QString, int, double>> votes;  // neighbour, its train label for the target, weight
};

// The KNN-KG model per cell line and settings (trained on the train split), built on
// first use. Thread-safe; owned by shared_ptr so a worker thread can keep it alive
// after the window that asked is gone.
class PairPredictor {
 public:
  PairPredictor(std::shared_ptr<const ps::kg::KnowledgeGraph> graph, std::string data_dir)
      : graph_(std::move(graph)), data_dir_(std::move(data_dir)) {}
  // With `config`: the open run's settings (ps::kg::knn_config_of_run), else the defaults.
  // The first call per cell line and settings builds the model (seconds): call it off the
  // GUI thread. Throws ps::Error when the settings are invalid (KnnConfig::validate()).
  PairPrediction predict(const QString& cell_line, const QString& perturber, const QString& target,
                         const ps::kg::KnnConfig& config = {});

 private:
  std::shared_ptr<const ps::kg::KnowledgeGraph> graph_;
  std::string data_dir_;
  std::mutex mu_;  // guards models_ and cells_
  std::map<std::string, std::shared_ptr<const CellLineData>> cells_;
  std::map<std::pair<std::string, std::string>, std::shared_ptr<const ps::kg::KnnModel>> models_;  // (cell, config JSON)
};

// HTML of the evidence joining two genes given by symbol or alias.
QString evidence_html(const ps::kg::KnowledgeGraph& g, const QString& a, const QString& b);

class KgService : public QObject {
  Q_OBJECT
 public:
  explicit KgService(QObject* parent = nullptr);

  // Starts loading the graph (cached after the first build) from the data mirror
  // (`data_dir`, or ps::locate_data()); emits ready() or failed().
  void load(const QString& data_dir = {});
  bool is_ready() const { return graph_ != nullptr; }
  bool is_loading() const { return loading_; }
  std::shared_ptr<const ps::kg::KnowledgeGraph> graph() const { return graph_; }
  // Gene search (exact | ambiguous candidates | did you mean), over graph(); keeps the
  // graph alive. Null until ready.
  std::shared_ptr<const ps::kg::GeneLookup> lookup() const { return lookup_; }
  QString data_dir() const { return data_dir_; }
  QString error() const { return error_; }

  // Loads a cell line's training pairs once; emits cell_line_ready(cell) (also
  // when already loaded, asynchronously).
  void request_cell_line(const QString& cell_line);
  std::shared_ptr<const CellLineData> cell_line(const QString& cell_line) const { return cells_.value(cell_line.toLower()); }

  // The KNN-KG predictor over the loaded graph (null until ready).
  std::shared_ptr<PairPredictor> predictor() const { return predictor_; }

  // HTML of the evidence joining two genes (symbols or aliases), on the GUI thread.
  QString evidence_html(const QString& a, const QString& b) const;

 signals:
  void ready();
  void failed(const QString& error);
  void cell_line_ready(const QString& cell_line);

 private:
  std::shared_ptr<const ps::kg::KnowledgeGraph> graph_;
  std::shared_ptr<const ps::kg::GeneLookup> lookup_;
  QHash<QString, std::shared_ptr<const CellLineData>> cells_;
  QSet<QString> cells_loading_;
  QString data_dir_;
  QString error_;
  bool loading_ = false;
  std::shared_ptr<PairPredictor> predictor_;
};

// Evidence of one edge as HTML: STRING channels, shared GO terms with names,
// shared pathways.
QString evidence_to_html(const ps::kg::KnowledgeGraph& g, ps::kg::GeneId a, ps::kg::GeneId b, const ps::kg::Evidence& e);

}  // namespace ps::gui
