#include "runs_model.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <cmath>
#include <limits>

#include "export.h"

namespace ps::gui {

static QJsonObject parse_object(const std::string& json) {
  return QJsonDocument::fromJson(QByteArray::fromStdString(json)).object();
}

QString run_cell_lines(const ps::store::Run& run) {
  for (const auto* text : {&run.summary_json, &run.config_json}) {
    const QJsonObject o = parse_object(*text);
    if (o.value("cell_line").isString()) return o.value("cell_line").toString();
    if (o.value("cell_lines").isArray()) {
      QStringList lines;
      for (const auto& v : o.value("cell_lines").toArray()) lines << v.toString();
      return lines.join(", ");
    }
  }
  return {};
}

double run_metric(const ps::store::Run& run, const char* key) {
  const QJsonValue v = parse_object(run.summary_json).value(key);
  if (v.isDouble()) return v.toDouble();
  if (v.isObject() && v.toObject().value("value").isDouble()) return v.toObject().value("value").toDouble();
  return std::numeric_limits<double>::quiet_NaN();
}

RunsModel::RunsModel(const QString& store_path, QObject* parent)
    : QAbstractTableModel(parent), path_(store_path),
      store_(std::make_unique<ps::store::Store>(store_path.toStdString())) {
  refresh();
  timer_.setInterval(1000);
  connect(&timer_, &QTimer::timeout, this, &RunsModel::poll);
  timer_.start();
}

RunsModel::~RunsModel() = default;

int RunsModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(runs_.size()); }
int RunsModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

void RunsModel::poll() {
  if (store_->change_counter() != last_counter_) refresh();
}

void RunsModel::refresh() {
  last_counter_ = store_->change_counter();
  std::vector<ps::store::Run> runs = store_->list_runs();
  bool same_rows = runs.size() == runs_.size();
  for (size_t i = 0; same_rows && i < runs.size(); ++i) same_rows = runs[i].id == runs_[i].id;
  if (same_rows) {
    // Same runs, maybe new status or metrics: keep the selection and scroll position.
    runs_ = std::move(runs);
    if (!runs_.empty()) emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
  } else {
    beginResetModel();
    runs_ = std::move(runs);
    endResetModel();
  }
  emit runs_changed();
}

int RunsModel::row_of(int64_t run_id) const {
  for (size_t i = 0; i < runs_.size(); ++i)
    if (runs_[i].id == run_id) return int(i);
  return -1;
}

static QString status_text(ps::store::RunStatus s) {
  switch (s) {
    case ps::store::RunStatus::Running: return QObject::tr("running");
    case ps::store::RunStatus::Finished: return QObject::tr("finished");
    case ps::store::RunStatus::Failed: return QObject::tr("failed");
    case ps::store::RunStatus::Cancelled: return QObject::tr("cancelled");
    case ps::store::RunStatus::Interrupted: return QObject::tr("interrupted");
  }
  return {};
}

QVariant RunsModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount()) return {};
  const ps::store::Run& r = runs_[index.row()];
  if (role == RunIdRole) return QVariant::fromValue<qint64>(r.id);
  auto metric = [&](const char* key, int role) -> QVariant {
    const double v = run_metric(r, key);
    if (std::isnan(v)) return {};
    if (role == Qt::DisplayRole) return QString::number(v, 'f', key == std::string("n_test") ? 0 : 3);
    return v;  // edit role: sortable, unrounded
  };
  if (role == ExportRole) {
    // Metrics unrounded; every other column as the table shows it.
    switch (index.column()) {
      case AurocPerGene: return metric("auroc_per_gene", Qt::EditRole);
      case F1: return metric("f1", Qt::EditRole);
      case Ece: return metric("ece", Qt::EditRole);
      case Brier: return metric("brier", Qt::EditRole);
      default: role = Qt::DisplayRole;
    }
  }
  if (role == Qt::DisplayRole || role == Qt::EditRole) {
    switch (index.column()) {
      case Id: return QVariant::fromValue<qint64>(r.id);
      case Name: return QString::fromStdString(r.name);
      case Kind: return QString::fromStdString(r.kind);
      case Status: return role == Qt::DisplayRole ? status_text(r.status) : QString::fromStdString(ps::store::to_string(r.status));
      case CellLine: return run_cell_lines(r);
      case AurocPerGene: return metric("auroc_per_gene", role);
      case F1: return metric("f1", role);
      case Ece: return metric("ece", role);
      case Brier: return metric("brier", role);
      case NTest: return metric("n_test", role);
      case Created: {
        if (role == Qt::EditRole) return QString::fromStdString(r.created_at);
        QDateTime t = QDateTime::fromString(QString::fromStdString(r.created_at), Qt::ISODate);
        return t.isValid() ? t.toLocalTime().toString("yyyy-MM-dd HH:mm") : QString::fromStdString(r.created_at);
      }
    }
  }
  if (role == Qt::TextAlignmentRole && index.column() >= AurocPerGene && index.column() <= NTest)
    return int(Qt::AlignRight | Qt::AlignVCenter);
  if (role == Qt::ForegroundRole && index.column() == Status) {
    switch (r.status) {
      case ps::store::RunStatus::Running: return QBrush(QColor(40, 120, 200));
      case ps::store::RunStatus::Finished: return QBrush(QColor(30, 140, 80));
      case ps::store::RunStatus::Failed: return QBrush(QColor(200, 50, 40));
      default: return QBrush(QColor(170, 120, 20));
    }
  }
  if (role == Qt::ToolTipRole) return QString::fromStdString(r.config_json);
  return {};
}

QVariant RunsModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case Id: return tr("ID");
    case Name: return tr("Name");
    case Kind: return tr("Kind");
    case Status: return tr("Status");
    case CellLine: return tr("Cell line");
    case AurocPerGene: return tr("AUROC/gene");
    case F1: return tr("F1");
    case Ece: return tr("ECE");
    case Brier: return tr("Brier");
    case NTest: return tr("N test");
    case Created: return tr("Created");
  }
  return {};
}

}  // namespace ps::gui
