// A TTC run's cost/quality points as a table: one row per point of `perturbscope-cli ttc`'s
// summary ({"strategies": [ttc::ScoredPoint::to_json(), ...], "stored_strategy", "stored_tau"};
// app/cli/cmd_ttc.cpp), in the summary's order, with n, F1 [95 % CI], Brier, ECE and mean
// generated tokens per item. The TTC view (ttc_view.h) draws the same points (pareto_plot.h).
//
// The operating point (operating_point()):
//  - a run without --tau-sweep (uniform strategies, or one fixed --tau): the point whose
//    predictions the store holds (summary "stored_strategy"/"stored_tau": "sc" is uniform sc,
//    "selective-sc" with tau T is the selective sc point at T; the user chose it on the command line);
//  - a tau sweep: the cheapest point (fewest tokens per item; ties: higher F1) whose F1 is at least
//    the lower 95 % CI bound of the best F1 of the run, i.e. "as good as the best within its CI
//    at the least compute" (issue 13's target: selective TTC reaching uniform self-consistency's F1
//    within its CI at a fraction of its tokens). Points with undefined F1 or tokens never qualify.
// -1 when no point qualifies.
//
// Which items a point's predictions are (predictions_of()): the store keeps one prediction per
// item, from the stored strategy (bf when it ran, else sc, else greedy), with every round. A
// selective point at tau of the stored strategy gave extra compute to the items whose greedy
// (first-round) confidence is below tau (ttc/selective.h): those items. Every other point of
// the stored strategy, and greedy, cover all items. A strategy whose predictions are not stored
// (sc beside bf): all items, flagged `stored = false`.
#pragma once
#include <QAbstractTableModel>
#include <QMetaType>
#include <QString>
#include <cmath>
#include <optional>
#include <vector>

#include "pareto_plot.h"

namespace ps::gui {

// The predictions a point stands for (see above).
struct TtcSelection {
  qint64 run_id = 0;
  QString strategy;                // "greedy", "sc", "bf"
  bool selective = false;
  double tau = NAN;                // NaN for uniform points
  std::optional<double> below_tau;  // only items with greedy confidence below this; none: all items
  bool stored = true;              // the store holds this strategy's predictions
};

// The index of the operating point of `points` (rule above); `sweep`: the run was a tau sweep.
int operating_point(const std::vector<ParetoPoint>& points, bool sweep, const QString& stored_strategy,
                    double stored_tau);

class TtcModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { Strategy, Tau, N, F1, Brier, Ece, Tokens, ColumnCount };
  enum Role { SortRole = Qt::UserRole + 1 };
  using QAbstractTableModel::QAbstractTableModel;

  // A run's summary and configuration JSON. Throws ps::Error naming the run and the field when
  // the summary is malformed (the model is then empty).
  void set_run(qint64 run_id, const std::string& summary_json, const std::string& config_json);
  void clear();

  qint64 run_id() const { return run_id_; }
  const std::vector<ParetoPoint>& points() const { return points_; }
  int operating_point() const { return operating_; }
  QString stored_strategy() const { return stored_strategy_; }
  bool sweep() const { return sweep_; }
  TtcSelection selection(int row) const;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  qint64 run_id_ = 0;
  std::vector<ParetoPoint> points_;
  int operating_ = -1;
  QString stored_strategy_;  // as stored: "greedy", "sc", "selective-sc", "bf", "selective-bf"
  double stored_tau_ = NAN;
  bool sweep_ = false;
};

}  // namespace ps::gui

Q_DECLARE_METATYPE(ps::gui::TtcSelection)
