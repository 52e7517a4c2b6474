// The knowledge graph and the PerturbQA training data, loaded once in the
// background and shared (read-only, thread-safe queries) by the KG browser, the
// prediction review's evidence panel and the KNN-KG launcher.
#pragma once
#include <QHash>
#include <QObject>
#include <QSet>
#include <QString>
#include <memory>
#include <vector>

#include "data/perturbqa.h"
#include "kg/graph.h"

namespace ps::gui {

// One cell line's training pairs (the neighbours' labels) and the targets they cover.
struct CellLineData {
  QString cell_line;
  std::vector<ps::data::Item> train;
  QSet<QString> seen_targets;  // "k562|GENE"
};

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
  QString data_dir() const { return data_dir_; }
  QString error() const { return error_; }

  // Loads a cell line's training pairs once; emits cell_line_ready(cell) (also
  // when already loaded, asynchronously).
  void request_cell_line(const QString& cell_line);
  std::shared_ptr<const CellLineData> cell_line(const QString& cell_line) const { return cells_.value(cell_line.toLower()); }

  // HTML of the evidence joining two genes (symbols or aliases). Thread-safe.
  QString evidence_html(const QString& a, const QString& b) const;

 signals:
  void ready();
  void failed(const QString& error);
  void cell_line_ready(const QString& cell_line);

 private:
  std::shared_ptr<const ps::kg::KnowledgeGraph> graph_;
  QHash<QString, std::shared_ptr<const CellLineData>> cells_;
  QSet<QString> cells_loading_;
  QString data_dir_;
  QString error_;
  bool loading_ = false;
};

// Evidence of one edge as HTML: STRING channels, shared GO terms with names,
// shared pathways.
QString evidence_to_html(const ps::kg::KnowledgeGraph& g, ps::kg::GeneId a, ps::kg::GeneId b, const ps::kg::Evidence& e);

}  // namespace ps::gui
