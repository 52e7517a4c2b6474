// The per-pair predictions of a run (cell line, perturber, target, label,
// P(DE), predicted class, correct) and the filter the review table uses. A CSV export
// writes the displayed text of each cell, and P(DE) unrounded (ExportRole, export.h).
#pragma once
#include <QAbstractTableModel>
#include <QSet>
#include <QSortFilterProxyModel>
#include <vector>

#include "store/store.h"

namespace ps::gui {

class PredictionsModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  // TargetInTrain: "✓ seen" / "unseen"; its edit (sort) role is 1 when the target had labels
  // in the training split, the same sense as the header; blank while unknown.
  enum Column { CellLine, Perturber, Target, Label, Probability, Predicted, Correct, TargetInTrain, ColumnCount };
  enum Role { WrongRole = Qt::UserRole + 1, ConfidenceInAnswerRole, UnseenRole };

  using QAbstractTableModel::QAbstractTableModel;

  // Replaces the rows; `threshold` turns P(DE) into the predicted class.
  void set_predictions(int64_t run_id, std::vector<ps::store::Prediction> predictions, double threshold = 0.5);
  // Targets that had labels in the training split, per cell line ("k562|GENE");
  // targets outside it are "unseen". Empty: unseen is unknown (column blank).
  void set_seen_targets(QSet<QString> cell_line_and_target);

  int64_t run_id() const { return run_id_; }
  double threshold() const { return threshold_; }
  const ps::store::Prediction& prediction(int row) const { return rows_[row]; }
  bool is_wrong(int row) const;
  bool is_unseen(int row) const;  // false when unknown

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  int64_t run_id_ = 0;
  double threshold_ = 0.5;
  std::vector<ps::store::Prediction> rows_;
  QSet<QString> seen_;
};

class PredictionsFilter : public QSortFilterProxyModel {
  Q_OBJECT
 public:
  enum Quick { All, ConfidentAndWrong, UnseenTarget, Wrong };
  explicit PredictionsFilter(QObject* parent = nullptr);

  void set_quick(Quick quick);
  void set_gene(const QString& text);        // perturber or target contains it (case-insensitive)
  void set_cell_line(const QString& cell);   // empty: all
  void set_confident_at(double c) { confident_at_ = c; invalidateFilter(); }
  Quick quick() const { return quick_; }

 protected:
  bool filterAcceptsRow(int source_row, const QModelIndex& source_parent) const override;

 private:
  Quick quick_ = All;
  QString gene_;
  QString cell_line_;
  double confident_at_ = 0.8;  // "confident": probability of the predicted class at least this
};

}  // namespace ps::gui
