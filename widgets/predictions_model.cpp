#include "predictions_model.h"

#include <QBrush>
#include <QColor>
#include <cmath>

#include "export.h"

namespace ps::gui {

void PredictionsModel::set_predictions(int64_t run_id, std::vector<ps::store::Prediction> predictions, double threshold) {
  beginResetModel();
  run_id_ = run_id;
  rows_ = std::move(predictions);
  threshold_ = threshold;
  endResetModel();
}

void PredictionsModel::set_seen_targets(QSet<QString> cell_line_and_target) {
  seen_ = std::move(cell_line_and_target);
  if (!rows_.empty()) emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

bool PredictionsModel::is_wrong(int row) const {
  const auto& p = rows_[row];
  if (p.label != 0 && p.label != 1) return false;
  return int(p.confidence >= threshold_) != p.label;
}

bool PredictionsModel::is_unseen(int row) const {
  if (seen_.isEmpty()) return false;
  const auto& p = rows_[row];
  return !seen_.contains(QString::fromStdString(p.cell_line + "|" + p.target));
}

int PredictionsModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(rows_.size()); }
int PredictionsModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant PredictionsModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount()) return {};
  const int row = index.row();
  const auto& p = rows_[row];
  const bool predicted = p.confidence >= threshold_;
  const bool labelled = p.label == 0 || p.label == 1;
  if (role == WrongRole) return is_wrong(row);
  if (role == UnseenRole) return is_unseen(row);
  if (role == ConfidenceInAnswerRole) return predicted ? p.confidence : 1 - p.confidence;
  if (role == ExportRole) {
    if (index.column() == Probability) return p.confidence;
    role = Qt::DisplayRole;  // every other column: what the table shows
  }
  if (role == Qt::DisplayRole || role == Qt::EditRole) {
    switch (index.column()) {
      case CellLine: return QString::fromStdString(p.cell_line);
      case Perturber: return QString::fromStdString(p.perturber);
      case Target: return QString::fromStdString(p.target);
      case Label:
        if (!labelled) return role == Qt::EditRole ? QVariant(-1) : QVariant(QString("?"));
        return role == Qt::EditRole ? QVariant(p.label) : QVariant(p.label ? tr("DE") : tr("not DE"));
      case Probability: return role == Qt::EditRole ? QVariant(p.confidence) : QVariant(QString::number(p.confidence, 'f', 3));
      case Predicted: return role == Qt::EditRole ? QVariant(int(predicted)) : QVariant(predicted ? tr("DE") : tr("not DE"));
      case Correct:
        if (!labelled) return {};
        return role == Qt::EditRole ? QVariant(int(!is_wrong(row))) : QVariant(is_wrong(row) ? tr("✗ wrong") : tr("✓ correct"));
      case TargetInTrain:
        if (seen_.isEmpty()) return {};
        return role == Qt::EditRole ? QVariant(int(!is_unseen(row))) : QVariant(is_unseen(row) ? tr("unseen") : tr("✓ seen"));
    }
  }
  if (role == Qt::ForegroundRole && index.column() == Correct && labelled)
    return QBrush(is_wrong(row) ? QColor(200, 60, 50) : QColor(40, 150, 90));
  if (role == Qt::TextAlignmentRole && index.column() == Probability) return int(Qt::AlignRight | Qt::AlignVCenter);
  return {};
}

QVariant PredictionsModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case CellLine: return tr("Cell line");
    case Perturber: return tr("Perturber");
    case Target: return tr("Target");
    case Label: return tr("Label");
    case Probability: return tr("P(DE)");
    case Predicted: return tr("Predicted");
    case Correct: return tr("Correct");
    case TargetInTrain: return tr("Target in train");
  }
  return {};
}

PredictionsFilter::PredictionsFilter(QObject* parent) : QSortFilterProxyModel(parent) {
  setSortRole(Qt::EditRole);
}

void PredictionsFilter::set_quick(Quick quick) {
  quick_ = quick;
  invalidateFilter();
}

void PredictionsFilter::set_gene(const QString& text) {
  gene_ = text.trimmed();
  invalidateFilter();
}

void PredictionsFilter::set_cell_line(const QString& cell) {
  cell_line_ = cell;
  invalidateFilter();
}

bool PredictionsFilter::filterAcceptsRow(int source_row, const QModelIndex&) const {
  auto* m = static_cast<const PredictionsModel*>(sourceModel());
  const auto& p = m->prediction(source_row);
  if (!cell_line_.isEmpty() && QString::fromStdString(p.cell_line).compare(cell_line_, Qt::CaseInsensitive) != 0) return false;
  if (!gene_.isEmpty() && !QString::fromStdString(p.perturber).contains(gene_, Qt::CaseInsensitive) &&
      !QString::fromStdString(p.target).contains(gene_, Qt::CaseInsensitive))
    return false;
  switch (quick_) {
    case All: return true;
    case Wrong: return m->is_wrong(source_row);
    case UnseenTarget: return m->is_unseen(source_row);
    case ConfidentAndWrong: {
      if (!m->is_wrong(source_row)) return false;
      const double c = p.confidence >= m->threshold() ? p.confidence : 1 - p.confidence;
      return c >= confident_at_;
    }
  }
  return true;
}

}  // namespace ps::gui
