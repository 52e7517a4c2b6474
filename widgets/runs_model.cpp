#include "runs_model.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QDir>
#include <QFileInfo>
#include <QLocale>
#include <QSet>
#include <functional>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "export.h"
#include "number_format.h"

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
int RunsModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : ColumnCount + int(config_columns_.size());
}

QVariant config_value(const std::string& config_json, const QString& pointer) {
  const auto j = nlohmann::json::parse(config_json.empty() ? std::string("{}") : config_json, nullptr, false);
  if (j.is_discarded()) return {};
  try {
    const nlohmann::json::json_pointer ptr(pointer.toStdString());
    if (!j.contains(ptr)) return {};
    const auto& v = j.at(ptr);
    if (v.is_string()) return QString::fromStdString(v.get<std::string>());
    if (v.is_boolean()) return v.get<bool>();
    if (v.is_number_integer()) return qint64(v.get<int64_t>());
    if (v.is_number()) return v.get<double>();
    if (v.is_null()) return {};
    return QString::fromStdString(v.dump());
  } catch (const nlohmann::json::exception&) {
    return {};
  }
}

QString run_status_word(ps::store::RunStatus status) {
  switch (status) {
    case ps::store::RunStatus::Running: return QObject::tr("running");
    case ps::store::RunStatus::Finished: return QObject::tr("finished");
    case ps::store::RunStatus::Failed: return QObject::tr("failed");
    case ps::store::RunStatus::Cancelled: return QObject::tr("cancelled");
    case ps::store::RunStatus::Interrupted: return QObject::tr("interrupted");
  }
  return QString::fromStdString(ps::store::to_string(status));
}

QString run_status_text(const ps::store::Run& r) {
  QString text = run_status_word(r.status);
  if (r.status == ps::store::RunStatus::Running && std::isfinite(r.progress))
    text += QString(" · %1 %").arg(format_number(100 * r.progress, 0));
  const bool told = r.status == ps::store::RunStatus::Failed ||
                    (r.status == ps::store::RunStatus::Cancelled && r.status_reason != "cancelled");
  if (told && !r.status_reason.empty()) {
    QString line = QString::fromStdString(r.status_reason).section('\n', 0, 0).trimmed();
    if (line.size() > 80) line = line.left(79) + "…";
    text += ": " + line;
  }
  return text;
}

void RunsModel::set_config_columns(const QStringList& pointers) {
  QStringList clean;
  for (const auto& p : pointers)
    if ((p.isEmpty() || p.startsWith('/')) && !clean.contains(p)) clean << p;
  if (clean == config_columns_) return;
  beginResetModel();
  config_columns_ = clean;
  endResetModel();
}

QStringList RunsModel::available_config_columns() const {
  QSet<QString> out;
  std::function<void(const nlohmann::json&, const std::string&, int)> walk = [&](const nlohmann::json& j,
                                                                                const std::string& at, int depth) {
    if (j.is_object() && depth < 4) {
      for (auto it = j.begin(); it != j.end(); ++it) {
        std::string key = it.key();  // RFC 6901 escapes
        for (size_t i = 0; (i = key.find('~', i)) != std::string::npos; i += 2) key.replace(i, 1, "~0");
        for (size_t i = 0; (i = key.find('/', i)) != std::string::npos; i += 2) key.replace(i, 1, "~1");
        walk(it.value(), at + "/" + key, depth + 1);
      }
    } else if (!j.is_object() && !at.empty()) {
      if (!j.is_array() || j.size() <= 8) out.insert(QString::fromStdString(at));
    }
  };
  for (const auto& r : runs_) {
    const auto j = nlohmann::json::parse(r.config_json.empty() ? std::string("{}") : r.config_json, nullptr, false);
    if (!j.is_discarded()) walk(j, "", 0);
  }
  QStringList list(out.begin(), out.end());
  list.sort();
  return list;
}

Qt::ItemFlags RunsModel::flags(const QModelIndex& index) const {
  Qt::ItemFlags f = QAbstractTableModel::flags(index);
  if (index.isValid() && (index.column() == Name || index.column() == Tags || index.column() == Notes)) f |= Qt::ItemIsEditable;
  return f;
}

bool RunsModel::setData(const QModelIndex& index, const QVariant& value, int role) {
  if (!index.isValid() || role != Qt::EditRole || index.row() >= rowCount()) return false;
  const int64_t id = runs_[size_t(index.row())].id;
  try {
    switch (index.column()) {
      case Name: store_->rename_run(id, value.toString().trimmed().toStdString()); break;
      case Notes: store_->set_notes(id, value.toString().toStdString()); break;
      case Tags: {
        std::vector<std::string> tags;
        for (const auto& t : value.toString().split(',', Qt::SkipEmptyParts)) tags.push_back(t.trimmed().toStdString());
        store_->set_tags(id, tags);
        break;
      }
      default: return false;
    }
  } catch (const std::exception& e) {
    error_ = QString::fromUtf8(e.what());
    return false;
  }
  refresh();
  return true;
}

bool RunsModel::delete_runs(const QList<qint64>& ids) {
  bool ok = true;
  for (qint64 id : ids) {
    try {
      store_->delete_run(id);
    } catch (const std::exception& e) {
      error_ = QString::fromUtf8(e.what());
      ok = false;
    }
  }
  refresh();
  return ok;
}

QString RunsModel::run_folder(qint64 run_id) const {
  return QDir(QFileInfo(path_).absoluteDir().filePath("runs")).filePath(QString::number(run_id));
}

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
      case Status: return role == Qt::DisplayRole ? run_status_text(r) : QString::fromStdString(ps::store::to_string(r.status));
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
      case Tags: {
        QStringList tags;
        for (const auto& t : r.tags) tags << QString::fromStdString(t);
        return tags.join(", ");
      }
      case Notes:
        return role == Qt::EditRole ? QString::fromStdString(r.notes)
                                    : QString::fromStdString(r.notes).section('\n', 0, 0);
    }
    if (index.column() >= ColumnCount && index.column() - ColumnCount < config_columns_.size()) {
      const QVariant v = config_value(r.config_json, config_columns_[index.column() - ColumnCount]);
      if (role == Qt::DisplayRole && v.typeId() == QMetaType::Double) return QLocale().toString(v.toDouble(), 'g', 6);
      if (role == Qt::DisplayRole && v.typeId() == QMetaType::Bool) return v.toBool() ? tr("yes") : tr("no");
      return v;
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
  if (role == Qt::ToolTipRole) {
    if (index.column() == Status) {
      QString tip = QString::fromStdString(r.status_reason);
      if (r.status == ps::store::RunStatus::Running && !r.progress_message.empty()) tip = QString::fromStdString(r.progress_message);
      if (!tip.isEmpty()) return tip;
    }
    if (index.column() == Notes && !r.notes.empty()) return QString::fromStdString(r.notes);
    return QString::fromStdString(r.config_json);
  }
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
    case Tags: return tr("Tags");
    case Notes: return tr("Notes");
  }
  if (section >= ColumnCount && section - ColumnCount < config_columns_.size()) {
    const QString p = config_columns_[section - ColumnCount];
    return p.startsWith('/') ? p.mid(1) : p;
  }
  return {};
}

}  // namespace ps::gui
