#include "reliability_model.h"

#include "export.h"

#include <cmath>
#include <map>

#include "metrics_adapter.h"

namespace ps::gui {

std::vector<ReliabilityCurve> reliability_curves(const ps::store::Store& store, int64_t run_id, int n_bins) {
  std::map<std::string, std::pair<std::vector<double>, std::vector<int>>> by_cell_line;
  for (const auto& p : store.predictions(run_id)) {
    if (p.label != 0 && p.label != 1) continue;
    auto& [conf, labels] = by_cell_line[p.cell_line];
    conf.push_back(p.confidence);
    labels.push_back(p.label);
  }
  std::vector<ReliabilityCurve> curves;
  for (const auto& [cell_line, data] : by_cell_line) {
    ReliabilityCurve c = calibration_curve(data.first, data.second, n_bins);
    c.run_id = run_id;
    c.cell_line = QString::fromStdString(cell_line);
    c.label = QObject::tr("run %1 · %2").arg(run_id).arg(c.cell_line);
    curves.push_back(std::move(c));
  }
  return curves;
}

void ReliabilityModel::set_curves(std::vector<ReliabilityCurve> curves) {
  beginResetModel();
  curves_ = std::move(curves);
  rows_.clear();
  for (size_t c = 0; c < curves_.size(); ++c)
    for (size_t b = 0; b < curves_[c].bins.size(); ++b)
      if (curves_[c].bins[b].count > 0) rows_.push_back({int(c), int(b)});
  endResetModel();
}

int ReliabilityModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(rows_.size()); }
int ReliabilityModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant ReliabilityModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount()) return {};
  const ReliabilityCurve& c = curves_[rows_[index.row()].curve];
  const ReliabilityBin& b = c.bins[rows_[index.row()].bin];
  if (role == Qt::TextAlignmentRole && index.column() >= Count) return int(Qt::AlignRight | Qt::AlignVCenter);
  if (role == ExportRole && index.column() < MeanConfidence) role = Qt::DisplayRole;  // text as shown
  if (role != Qt::DisplayRole && role != Qt::EditRole && role != ExportRole) return {};
  const bool display = role == Qt::DisplayRole;
  auto num = [&](double v) -> QVariant { return display ? QVariant(QString::number(v, 'f', 3)) : QVariant(v); };
  switch (index.column()) {
    case Curve: return c.label;
    case Bin: return QString("[%1, %2%3").arg(b.lower, 0, 'f', 1).arg(b.upper, 0, 'f', 1).arg(b.upper >= 1.0 ? "]" : ")");
    case Count: return QVariant::fromValue<qint64>(b.count);
    case MeanConfidence: return num(b.mean_confidence);
    case Accuracy: return num(b.accuracy);
    case CiLow: return num(b.ci_low);
    case CiHigh: return num(b.ci_high);
  }
  return {};
}

QVariant ReliabilityModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case Curve: return tr("Curve");
    case Bin: return tr("Bin");
    case Count: return tr("Count");
    case MeanConfidence: return tr("Mean P(DE)");
    case Accuracy: return tr("Observed DE");
    case CiLow: return tr("95% CI low");
    case CiHigh: return tr("95% CI high");
  }
  return {};
}

}  // namespace ps::gui
