// The KG browser tab: search a gene by symbol or alias (with completion; an old symbol
// of several genes offers each of them, a misspelling gets "did you mean", through
// ps::kg::GeneLookup), see its neighbourhood as a graph (node size by degree, edge
// colour by source, width by weight; zoom and pan; labels placed so none overlap, the
// weakest neighbours unlabelled when there is no room) and as a table with the evidence
// of each edge; click a neighbour to recentre (back/forward history); pick a target gene
// to see the KNN-KG prediction for (centre, target) and the neighbours that voted.
// Neighbours are scored with one KnnConfig: the open run's (set_knn_config), else the
// defaults; its k is edited in a field checked by KnnConfig::validate().
#pragma once
#include <QGraphicsView>
#include <QStringList>
#include <QWidget>
#include <functional>
#include <tuple>
#include <vector>

#include "kg/graph.h"
#include "kg/knn.h"
#include "kg_service.h"

class QCheckBox;
class QComboBox;
class QCompleter;
class QGraphicsScene;
class QLabel;
class QLineEdit;
class QStringListModel;
class QTableView;
class QTextBrowser;
class QToolButton;

namespace ps::gui {

class NeighbourhoodModel;

// Click on a gene node: gene_clicked(symbol). Zoom with the wheel (around the cursor),
// Ctrl+plus / Ctrl+minus or zoom_by(); pan by dragging the background; Ctrl+0 or
// fit() shows the whole graph again (also after a resize while not zoomed).
class GraphView : public QGraphicsView {
  Q_OBJECT
 public:
  explicit GraphView(QGraphicsScene* scene, QWidget* parent = nullptr);
  double zoom() const { return zoom_; }  // 1 = the whole graph fits
 public slots:
  void zoom_by(double factor);  // clamped to 1/4 .. 40 of the fitted size
  void fit();
 signals:
  void gene_clicked(const QString& symbol);
 protected:
  void mousePressEvent(QMouseEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
 private:
  double zoom_ = 1;
};

class KgBrowser : public QWidget {
  Q_OBJECT
 public:
  // Runs on a worker thread: the prediction for (cell line, perturber, target); throws ps::Error.
  using PredictFn = std::function<PairPrediction(const QString& cell_line, const QString& perturber, const QString& target,
                                                 const ps::kg::KnnConfig& config)>;

  explicit KgBrowser(KgService* kg, QWidget* parent = nullptr);
  void set_predictor(PredictFn fn) { predict_ = std::move(fn); }
  // On the GUI thread: the P(DE) an open run stored for the pair, or -1.
  void set_stored_probability(std::function<double(const QString&, const QString&, const QString&)> fn) { stored_ = std::move(fn); }

  NeighbourhoodModel* model() const { return model_; }
  // The KNN settings neighbours are scored and predicted with: the open run's
  // (ps::kg::knn_config_of_run), else KnnConfig's defaults (SourceWeights::fused()).
  const ps::kg::KnnConfig& knn_config() const { return config_; }
  // The source weights in use: the settings' weights of the sources ticked.
  ps::kg::SourceWeights weights() const;
  QLineEdit* k_field() const { return k_; }
  QLabel* k_message() const { return k_error_; }
  QLabel* header() const { return header_; }
  // Genes the last search offered instead of a match (ambiguous candidates or "did you mean").
  QStringList offered_genes() const { return offered_; }
  QString centre() const;
  QLineEdit* search() const { return search_; }
  QCompleter* completer() const { return completer_; }
  QTableView* table() const { return table_; }
  GraphView* graph_view() const { return view_; }
  QGraphicsScene* scene() const { return scene_; }
  QLabel* prediction_label() const { return prediction_; }
  bool can_go_back() const { return pos_ > 0; }
  bool can_go_forward() const { return pos_ + 1 < history_.size(); }

 public slots:
  bool show_gene(const QString& symbol_or_alias);  // false (and a message) when unknown
  void back();
  void forward();
  void predict_target(const QString& target);      // for the current centre
  void set_cell_line(const QString& cell_line);
  // Uses `config` (e.g. the open run's; `origin` names it: "run 7") and reloads the view.
  void set_knn_config(const ps::kg::KnnConfig& config, const QString& origin);
  void export_figure();
  void focus_search();
  void rebuild_scene();

 signals:
  void centred(const QString& symbol);              // the neighbourhood is shown
  void predicted(const QString& perturber, const QString& target);

 private:
  void load(const QString& symbol);
  void update_completions(const QString& prefix, QStringListModel* model);
  void update_nav();
  void apply_k();              // validates the k field; uses it when valid
  void update_settings_label();
  void offer(const QString& html, const QStringList& genes);

  KgService* kg_;
  NeighbourhoodModel* model_;
  QLineEdit* search_;
  QCompleter* completer_;
  QStringListModel* completions_;
  QToolButton* back_;
  QToolButton* forward_;
  QCheckBox* use_string_;
  QCheckBox* use_go_;
  QCheckBox* use_reactome_;
  QLineEdit* k_;
  QLabel* k_error_;
  QLabel* settings_;
  QLabel* header_;
  GraphView* view_;
  QGraphicsScene* scene_;
  QTableView* table_;
  QTextBrowser* evidence_;
  QLineEdit* target_;
  QCompleter* target_completer_;
  QStringListModel* target_completions_;
  QComboBox* cell_line_;
  QLabel* prediction_;
  QStringList history_;
  int pos_ = -1;
  int request_ = 0;
  PredictFn predict_;
  ps::kg::KnnConfig config_;
  QString config_origin_;
  QStringList offered_;
  std::function<double(const QString&, const QString&, const QString&)> stored_;
};

}  // namespace ps::gui
