// The trace review's data: an LLM run's predictions with what the table and the item panel
// need (cell line, perturber, target, label, P(DE), correct, tokens, parse-failure reason, TTC
// rounds), and the filter with its quick filters. Pure parsing helpers are free functions.
//
// TTC rounds come from the prediction's details_json, {"rounds": [{"kind", "tokens",
// "completions": [{"text", "tokens", "finish_reason", "parse_failure", "de", "confidence"}]}]}
// (ttc/strategy.h TtcOutcome::to_json; also accepted under "ttc"). Without them an item has
// its stored ttc_round + 1 rounds (0 when it is not an LLM prediction).
// "Changed by TTC": more than one round and the first round's answer (majority of its parsed
// completions' "de", ties to DE) differs from the final predicted class (prediction >= 0.5).
// "Correct": predicted class (prediction >= 0.5) equals the label; unknown (blank) when the
// label is unknown or the answer did not parse (prediction NaN).
#pragma once
#include <QAbstractTableModel>
#include <QSortFilterProxyModel>
#include <QString>
#include <optional>
#include <vector>

#include "store/store.h"

namespace ps::gui {

struct TraceParts {
  QString think;   // text inside <think>...</think> (all blocks, joined), "" when none
  QString answer;  // the rest, trimmed
  bool unterminated = false;  // <think> opened but never closed (a truncated completion)
};
TraceParts split_think(const QString& trace);

struct TtcCompletion {
  QString text, finish_reason, parse_failure;
  qint64 tokens = 0;
  std::optional<bool> de;
  std::optional<double> confidence;
};
struct TtcRound {
  QString kind;
  qint64 tokens = 0;
  std::vector<TtcCompletion> completions;
};
// The rounds of details_json (empty when it has none or is not JSON).
std::vector<TtcRound> ttc_rounds(const std::string& details_json);

// A parse-failure code (prompt/answer_parser.h: "no_think_end", "no_json", "bad_field",
// "confidence_out_of_range", "truncated") as a translated human label (context
// ps::gui::TracesModel); an unknown code is returned as it is, "" as "".
QString parse_failure_label(const QString& code);
// A TTC round's kind (ttc/strategy.h Round::kind: "greedy", "sample", "wait", "forced") as a
// translated human label; an unknown kind is returned as it is.
QString ttc_round_kind_label(const QString& kind);

class TracesModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { CellLine, Perturber, Target, Label, Probability, Correct, Tokens, ParseFailure, Rounds, ColumnCount };
  enum Role { SortRole = Qt::UserRole + 1 };
  using QAbstractTableModel::QAbstractTableModel;

  void set_predictions(int64_t run_id, std::vector<ps::store::Prediction> predictions);
  int64_t run_id() const { return run_id_; }
  const ps::store::Prediction& prediction(int row) const { return rows_[size_t(row)].p; }
  const std::vector<TtcRound>& rounds(int row) const { return rows_[size_t(row)].rounds; }
  std::optional<bool> correct(int row) const;
  bool changed_by_ttc(int row) const { return rows_[size_t(row)].changed; }
  int round_count(int row) const;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  struct Row {
    ps::store::Prediction p;
    std::vector<TtcRound> rounds;
    bool changed = false;
  };
  int64_t run_id_ = 0;
  std::vector<Row> rows_;
};

class TracesFilter : public QSortFilterProxyModel {
  Q_OBJECT
 public:
  // ConfidentAndWrong: wrong with the probability of the predicted class >= confident_at (0.8).
  enum Quick { All, ConfidentAndWrong, ParseFailures, ChangedByTtc };
  explicit TracesFilter(QObject* parent = nullptr);
  void set_quick(Quick q);
  void set_gene(const QString& text);  // perturber, target or cell line contains it (case-insensitive)
  // Only the items a selective TTC point at `tau` gave extra compute: the first round's first
  // completion's confidence below tau (0 when it did not parse; ttc/selective.h). Items without
  // TTC rounds are kept. nullopt: no such restriction.
  void set_below_tau(std::optional<double> tau);
  Quick quick() const { return quick_; }
  std::optional<double> below_tau() const { return below_tau_; }

 protected:
  bool filterAcceptsRow(int source_row, const QModelIndex& source_parent) const override;

 private:
  Quick quick_ = All;
  QString gene_;
  std::optional<double> below_tau_;
  double confident_at_ = 0.8;
};

}  // namespace ps::gui
