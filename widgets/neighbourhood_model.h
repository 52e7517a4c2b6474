// A gene's knowledge-graph neighbourhood as a table (one row per neighbour, with
// its per-source edge weights and evidence), plus what the graph view draws:
// degrees, the edges among the neighbours, and the KNN votes when a target is picked.
#pragma once
#include <QAbstractTableModel>
#include <QString>
#include <array>
#include <vector>

#include "kg/graph.h"

namespace ps::gui {

struct NeighbourRow {
  ps::kg::GeneId gene = -1;
  QString symbol, full_name;
  double score = 0;                                 // fused
  std::array<double, ps::kg::kSources> by_source{};
  int degree = 0;                                   // STRING partners
  QString evidence_summary;                         // one line
  QString evidence_html;
  int vote = -2;                                    // KNN vote for the picked target: 1, 0, -1 (no label); -2 none
  double vote_weight = 0;
};

struct InnerEdge {
  int a = 0, b = 0;               // rows
  double weight = 0;              // fused
  ps::kg::Source dominant = ps::kg::Source::String;
};

struct Neighbourhood {
  ps::kg::GeneId centre = -1;
  QString symbol, full_name, type, chromosome;
  int degree = 0;
  std::vector<NeighbourRow> rows;
  std::vector<InnerEdge> inner;
  QString sources;                 // "string:1,go:1,reactome:1"
};

// Top-k neighbours by the fused score with their evidence (runs on a worker thread).
Neighbourhood compute_neighbourhood(const ps::kg::KnowledgeGraph& g, ps::kg::GeneId centre,
                                    const ps::kg::SourceWeights& weights, size_t k);
// The same for a given list of neighbours (e.g. the KNN voters), in that order.
Neighbourhood neighbourhood_of(const ps::kg::KnowledgeGraph& g, ps::kg::GeneId centre,
                               const ps::kg::SourceWeights& weights, const std::vector<ps::kg::GeneId>& genes);
ps::kg::Source dominant_source(const std::array<double, ps::kg::kSources>& by_source, const ps::kg::SourceWeights& w);

class NeighbourhoodModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { Gene, Name, Score, String, Go, Reactome, Vote, Evidence, ColumnCount };
  using QAbstractTableModel::QAbstractTableModel;

  void set_neighbourhood(Neighbourhood n);
  const Neighbourhood& neighbourhood() const { return n_; }
  // KNN votes for a picked target: label per neighbour symbol (1, 0, -1) and weight.
  void set_votes(const std::vector<std::tuple<QString, int, double>>& votes);
  void clear_votes();
  int row_of(const QString& symbol) const;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 signals:
  void votes_changed();

 private:
  Neighbourhood n_;
};

}  // namespace ps::gui
