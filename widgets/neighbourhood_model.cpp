#include "neighbourhood_model.h"

#include <QBrush>
#include <QColor>
#include <algorithm>

#include "kg_service.h"

namespace ps::gui {

ps::kg::Source dominant_source(const std::array<double, ps::kg::kSources>& s, const ps::kg::SourceWeights& w) {
  int best = 0;
  for (int i = 1; i < ps::kg::kSources; ++i)
    if (s[i] * w.of(ps::kg::Source(i)) > s[best] * w.of(ps::kg::Source(best))) best = i;
  return ps::kg::Source(best);
}

static int string_degree(const ps::kg::KnowledgeGraph& g, ps::kg::GeneId gene) {
  return int(g.neighbours(gene, ps::kg::SourceWeights::only(ps::kg::Source::String), 100000).size());
}

Neighbourhood compute_neighbourhood(const ps::kg::KnowledgeGraph& g, ps::kg::GeneId centre,
                                    const ps::kg::SourceWeights& weights, size_t k) {
  std::vector<ps::kg::GeneId> genes;
  for (const auto& nb : g.neighbours(centre, weights, k)) genes.push_back(nb.gene);
  return neighbourhood_of(g, centre, weights, genes);
}

Neighbourhood neighbourhood_of(const ps::kg::KnowledgeGraph& g, ps::kg::GeneId centre,
                               const ps::kg::SourceWeights& weights, const std::vector<ps::kg::GeneId>& genes) {
  Neighbourhood n;
  n.centre = centre;
  const auto& meta = g.gene(centre);
  n.symbol = QString::fromStdString(meta.symbol);
  n.full_name = QString::fromStdString(meta.full_name);
  n.type = QString::fromStdString(meta.type);
  n.chromosome = QString::fromStdString(meta.chromosome);
  n.degree = string_degree(g, centre);
  n.sources = QString::fromStdString(weights.to_string());
  for (const ps::kg::GeneId gene : genes) {
    ps::kg::Neighbour nb;
    nb.gene = gene;
    nb.score = g.fused(weights, centre, gene);
    for (int src = 0; src < ps::kg::kSources; ++src) nb.by_source[src] = g.score(ps::kg::Source(src), centre, gene);
    NeighbourRow row;
    row.gene = nb.gene;
    row.symbol = QString::fromStdString(g.symbol(nb.gene));
    row.full_name = QString::fromStdString(g.gene(nb.gene).full_name);
    row.score = nb.score;
    row.by_source = nb.by_source;
    row.degree = string_degree(g, nb.gene);
    const ps::kg::Evidence e = g.evidence(centre, nb.gene, 8);
    row.evidence_summary = QString::fromStdString(e.summary(g, 3));
    row.evidence_html = evidence_to_html(g, centre, nb.gene, e);
    n.rows.push_back(std::move(row));
  }
  // Edges among the neighbours: the graph around the centre, not just a star.
  for (size_t i = 0; i < n.rows.size(); ++i) {
    for (size_t j = i + 1; j < n.rows.size(); ++j) {
      std::array<double, ps::kg::kSources> s{};
      for (int src = 0; src < ps::kg::kSources; ++src)
        if (weights.of(ps::kg::Source(src)) > 0) s[src] = g.score(ps::kg::Source(src), n.rows[i].gene, n.rows[j].gene);
      const double fused = g.fused(weights, n.rows[i].gene, n.rows[j].gene);
      if (fused <= 0) continue;
      n.inner.push_back({int(i), int(j), fused, dominant_source(s, weights)});
    }
  }
  // Keep the strongest inner edges so the picture stays readable.
  std::sort(n.inner.begin(), n.inner.end(), [](const InnerEdge& a, const InnerEdge& b) { return a.weight > b.weight; });
  if (n.inner.size() > 3 * n.rows.size()) n.inner.resize(3 * n.rows.size());
  return n;
}

void NeighbourhoodModel::set_neighbourhood(Neighbourhood n) {
  beginResetModel();
  n_ = std::move(n);
  endResetModel();
}

void NeighbourhoodModel::set_votes(const std::vector<std::tuple<QString, int, double>>& votes) {
  for (auto& row : n_.rows) {
    row.vote = -2;
    row.vote_weight = 0;
  }
  for (const auto& [symbol, label, weight] : votes) {
    const int r = row_of(symbol);
    if (r < 0) continue;
    n_.rows[r].vote = label;
    n_.rows[r].vote_weight = weight;
  }
  if (!n_.rows.empty()) emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
  emit votes_changed();
}

void NeighbourhoodModel::clear_votes() { set_votes({}); }

int NeighbourhoodModel::row_of(const QString& symbol) const {
  for (size_t i = 0; i < n_.rows.size(); ++i)
    if (n_.rows[i].symbol == symbol) return int(i);
  return -1;
}

int NeighbourhoodModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(n_.rows.size()); }
int NeighbourhoodModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant NeighbourhoodModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount()) return {};
  const NeighbourRow& r = n_.rows[index.row()];
  auto num = [&](double v) -> QVariant {
    if (role == Qt::EditRole) return v;
    return v > 0 ? QVariant(QString::number(v, 'f', 3)) : QVariant(QString("–"));
  };
  if (role == Qt::DisplayRole || role == Qt::EditRole) {
    switch (index.column()) {
      case Gene: return r.symbol;
      case Name: return r.full_name;
      case Score: return num(r.score);
      case String: return num(r.by_source[0]);
      case Go: return num(r.by_source[1]);
      case Reactome: return num(r.by_source[2]);
      case Vote:
        if (role == Qt::EditRole) return r.vote;
        if (r.vote == 1) return tr("DE (w %1)").arg(r.vote_weight, 0, 'f', 2);
        if (r.vote == 0) return tr("not DE (w %1)").arg(r.vote_weight, 0, 'f', 2);
        if (r.vote == -1) return tr("no label");
        return {};
      case Evidence: return r.evidence_summary;
    }
  }
  if (role == Qt::ToolTipRole) return r.evidence_html;
  if (role == Qt::ForegroundRole && index.column() == Vote) {
    if (r.vote == 1) return QBrush(QColor(200, 60, 50));
    if (r.vote == 0) return QBrush(QColor(40, 100, 180));
  }
  if (role == Qt::TextAlignmentRole && index.column() >= Score && index.column() <= Reactome)
    return int(Qt::AlignRight | Qt::AlignVCenter);
  return {};
}

QVariant NeighbourhoodModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case Gene: return tr("Gene");
    case Name: return tr("Name");
    case Score: return tr("Score");
    case String: return tr("STRING");
    case Go: return tr("GO");
    case Reactome: return tr("Reactome");
    case Vote: return tr("KNN vote");
    case Evidence: return tr("Evidence");
  }
  return {};
}

}  // namespace ps::gui
