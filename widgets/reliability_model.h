// Reliability bins of one or more prediction sets (one curve per run and cell
// line), as a table model: one row per non-empty bin. The reliability plot and
// the bin table both read it; tests check its numbers against core/metrics.
#pragma once
#include <QAbstractTableModel>
#include <QString>
#include <vector>

#include "store/store.h"

namespace ps::gui {

struct ReliabilityBin {
  double lower = 0, upper = 0;   // [lower, upper), the top bin includes 1.0
  int64_t count = 0;
  double mean_confidence = 0;    // mean predicted P(DE) in the bin
  double accuracy = 0;           // observed fraction of DE pairs in the bin
  double ci_low = 0, ci_high = 0;  // 95 % interval of the observed fraction
};

struct ReliabilityCurve {
  QString label;                 // "run 3 · k562"
  int64_t run_id = 0;
  QString cell_line;
  std::vector<ReliabilityBin> bins;  // all bins, empty ones with count 0
  int64_t n = 0;
  double ece = 0;
  double brier = 0;
  double ece_ci_low = -1, ece_ci_high = -1;  // -1: not available
};

// One curve per cell line of the run's labelled predictions (confidence = P(DE)).
std::vector<ReliabilityCurve> reliability_curves(const ps::store::Store& store, int64_t run_id, int n_bins = 10);

class ReliabilityModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { Curve, Bin, Count, MeanConfidence, Accuracy, CiLow, CiHigh, ColumnCount };
  using QAbstractTableModel::QAbstractTableModel;

  void set_curves(std::vector<ReliabilityCurve> curves);
  const std::vector<ReliabilityCurve>& curves() const { return curves_; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  struct Row { int curve; int bin; };
  std::vector<ReliabilityCurve> curves_;
  std::vector<Row> rows_;
};

}  // namespace ps::gui
