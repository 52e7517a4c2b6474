// The KG browser tab: search a gene by symbol or alias (with completion), see
// its neighbourhood as a graph (node size by degree, edge colour by source,
// width by weight) and as a table with the evidence of each edge; click a
// neighbour to recentre (back/forward history); pick a target gene to see the
// KNN-KG prediction for (centre, target) and the neighbours that voted.
#pragma once
#include <QGraphicsView>
#include <QStringList>
#include <QWidget>
#include <functional>
#include <tuple>
#include <vector>

#include "kg/graph.h"
#include "kg_service.h"

class QCheckBox;
class QComboBox;
class QCompleter;
class QGraphicsScene;
class QLabel;
class QLineEdit;
class QSpinBox;
class QStringListModel;
class QTableView;
class QTextBrowser;
class QToolButton;

namespace ps::gui {

class NeighbourhoodModel;

// Click on a gene node: gene_clicked(symbol).
class GraphView : public QGraphicsView {
  Q_OBJECT
 public:
  using QGraphicsView::QGraphicsView;
 signals:
  void gene_clicked(const QString& symbol);
 protected:
  void mousePressEvent(QMouseEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;
};

class KgBrowser : public QWidget {
  Q_OBJECT
 public:
  // Runs on a worker thread: the prediction for (cell line, perturber, target); throws ps::Error.
  using PredictFn = std::function<PairPrediction(const QString& cell_line, const QString& perturber, const QString& target)>;

  explicit KgBrowser(KgService* kg, QWidget* parent = nullptr);
  void set_predictor(PredictFn fn) { predict_ = std::move(fn); }
  // On the GUI thread: the P(DE) an open run stored for the pair, or -1.
  void set_stored_probability(std::function<double(const QString&, const QString&, const QString&)> fn) { stored_ = std::move(fn); }

  NeighbourhoodModel* model() const { return model_; }
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
  ps::kg::SourceWeights weights() const;

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
  QSpinBox* k_;
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
  std::function<double(const QString&, const QString&, const QString&)> stored_;
};

}  // namespace ps::gui
