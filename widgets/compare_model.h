// The comparison of runs as a table (metrics/run_comparison.h's RunComparison, computed off the
// GUI thread by CompareView): one row per run with n, F1, Brier, ECE and per-gene AUROC with their
// 95 % bootstrap CIs and the parse rate, then one row per paired difference "run − baseline" on the
// same items (paired bootstrap CIs; metrics/paired.h). Numbers are shown with three decimals in the
// user's locale, undefined ones as "–"; a CSV export (export.h's ExportRole) writes the unrounded
// numbers, an interval as "[lo, hi]" at full precision, and an undefined number as an empty cell.
#pragma once
#include <QAbstractTableModel>
#include <QString>
#include <vector>

#include "metrics/run_comparison.h"
#include "store/store.h"

namespace ps::gui {

// "run 3 · knn k562" (the run's id and name), as rows, the baseline list and the legend name runs.
QString compared_run_label(const ps::metrics::ComparedRun& run);

// Empty when every run was scored on the same items; else what differs, translated: the items
// the comparison kept and, per run, how many of its items were left out.
QString item_sets_message(const ps::metrics::RunComparison& comparison);

class CompareModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { Row, Kind, N, F1, F1Ci, Brier, BrierCi, Ece, EceCi, Auroc, AurocCi, ParseRate, ColumnCount };
  using QAbstractTableModel::QAbstractTableModel;

  void set_comparison(ps::metrics::RunComparison comparison);
  void clear();
  const ps::metrics::RunComparison& comparison() const { return comparison_; }
  bool empty() const { return comparison_.runs.empty(); }
  // Rows [0, R) are the runs, rows [R, R + D) the differences (in RunComparison's order).
  bool is_difference(int row) const { return row >= int(comparison_.runs.size()); }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  ps::metrics::RunComparison comparison_;
};

}  // namespace ps::gui
