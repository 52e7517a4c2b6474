// The store's runs as a table (newest first). The model owns its own Store
// connection (GUI thread) and polls Store::change_counter() so that runs written
// by a worker thread or by perturbscope-cli in another process appear by themselves.
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
  enum Column { Id, Name, Kind, Status, CellLine, AurocPerGene, F1, Ece, Brier, NTest, Created, ColumnCount };
  enum Role { RunIdRole = Qt::UserRole + 1 };

  // Opens (or creates) the store at `store_path`; throws ps::Error on a bad file.
  explicit RunsModel(const QString& store_path, QObject* parent = nullptr);
  ~RunsModel() override;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

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
};

// Headline metrics and the cell line(s) of a run, read from its summary and config JSON.
QString run_cell_lines(const ps::store::Run& run);
double run_metric(const ps::store::Run& run, const char* key);  // NaN when absent

}  // namespace ps::gui
