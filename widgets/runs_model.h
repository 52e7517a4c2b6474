// The store's runs as a table (newest first). The model owns its own Store
// connection (GUI thread) and polls Store::change_counter() so that runs written
// by a worker thread or by perturbscope-cli in another process appear by themselves
// (a job's run as soon as it starts, with the progress it writes: store.h set_progress).
//
// Status shows "running · 42 %" while a job reports progress, and the reason of a failed or
// cancelled run ("failed: <first line>", the whole reason as tooltip). Name, Tags (comma-separated)
// and Notes are editable (setData writes the store). After the fixed columns come the user's
// configuration columns: each a JSON pointer into the run's config_json (RFC 6901, e.g. "/k",
// "/lora/r", "/knn/weights"); a scalar shows as itself, a list or object as compact JSON, a
// missing value as empty.
#pragma once
#include <QAbstractTableModel>
#include <QTimer>
#include <memory>
#include <vector>

#include "store/store.h"

namespace ps::gui {

class RunsModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { Id, Name, Kind, Status, CellLine, AurocPerGene, F1, Ece, Brier, NTest, Created, Tags, Notes, ColumnCount };
  enum Role { RunIdRole = Qt::UserRole + 1 };

  // Opens (or creates) the store at `store_path`; throws ps::Error on a bad file.
  explicit RunsModel(const QString& store_path, QObject* parent = nullptr);
  ~RunsModel() override;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
  Qt::ItemFlags flags(const QModelIndex& index) const override;
  // Name, Tags and Notes: writes the store (false and last_error() when it cannot).
  bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;

  // The configuration columns (JSON pointers), shown after ColumnCount; invalid pointers are
  // dropped (a pointer must be "" or start with '/').
  void set_config_columns(const QStringList& pointers);
  QStringList config_columns() const { return config_columns_; }
  // Every scalar leaf pointer of the runs' configurations (depth <= 4), sorted: what the header
  // menu offers.
  QStringList available_config_columns() const;

  // Deletes the runs' rows (metrics, predictions, rollouts, artefacts: the store cascades); their
  // files stay. False and last_error() when one cannot be deleted (the others are).
  bool delete_runs(const QList<qint64>& ids);
  // <folder of the store>/runs/<id>: where training jobs keep a run's files.
  QString run_folder(qint64 run_id) const;
  QString last_error() const { return error_; }

  const ps::store::Run& run(int row) const { return runs_[row]; }
  int row_of(int64_t run_id) const;  // -1 when absent
  QString store_path() const { return path_; }
  ps::store::Store& store() { return *store_; }

  void set_poll_interval(int ms) { timer_.setInterval(ms); }

 public slots:
  void refresh();       // re-read the runs now
  void poll();          // re-read only when the store changed

 signals:
  void runs_changed();

 private:
  QString path_;
  std::unique_ptr<ps::store::Store> store_;
  std::vector<ps::store::Run> runs_;
  int64_t last_counter_ = -1;
  QTimer timer_;
  QStringList config_columns_;
  QString error_;
};

// The value at a JSON pointer of a JSON text, as the Runs table shows it; null when absent.
QVariant config_value(const std::string& config_json, const QString& pointer);
// Status text of a run: "running", "running · 42 %", "failed: <first line of the reason>", ...
QString run_status_text(const ps::store::Run& run);
// The translated word of a status alone: "running", "finished", "failed", "cancelled", "interrupted".
QString run_status_word(ps::store::RunStatus status);

// Headline metrics and the cell line(s) of a run, read from its summary and config JSON.
QString run_cell_lines(const ps::store::Run& run);
double run_metric(const ps::store::Run& run, const char* key);  // NaN when absent

}  // namespace ps::gui
