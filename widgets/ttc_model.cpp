#include "ttc_model.h"

#include <QFont>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "number_format.h"

namespace ps::gui {

namespace {
bool same_tau(double a, double b) { return (std::isnan(a) && std::isnan(b)) || std::abs(a - b) < 1e-9; }
}  // namespace

int operating_point(const std::vector<ParetoPoint>& points, bool sweep, const QString& stored_strategy,
                    double stored_tau) {
  if (!sweep) {
    const bool selective = stored_strategy.startsWith("selective-");
    const QString name = selective ? stored_strategy.mid(int(std::string("selective-").size())) : stored_strategy;
    for (size_t i = 0; i < points.size(); ++i) {
      const auto& p = points[i];
      if (p.name == name && p.selective == selective && (!selective || same_tau(p.tau, stored_tau))) return int(i);
    }
    return -1;
  }
  int best = -1;
  for (size_t i = 0; i < points.size(); ++i)
    if (std::isfinite(points[i].f1) && std::isfinite(points[i].tokens_per_item) &&
        (best < 0 || points[i].f1 > points[size_t(best)].f1))
      best = int(i);
  if (best < 0) return -1;
  const auto& b = points[size_t(best)];
  const double bar = std::isfinite(b.f1_lo) ? b.f1_lo : b.f1;
  int pick = -1;
  for (size_t i = 0; i < points.size(); ++i) {
    const auto& p = points[i];
    if (!std::isfinite(p.f1) || !std::isfinite(p.tokens_per_item) || p.f1 < bar) continue;
    if (pick < 0) {
      pick = int(i);
      continue;
    }
    const auto& q = points[size_t(pick)];
    if (p.tokens_per_item < q.tokens_per_item || (p.tokens_per_item == q.tokens_per_item && p.f1 > q.f1)) pick = int(i);
  }
  return pick;
}

void TtcModel::clear() {
  beginResetModel();
  run_id_ = 0;
  points_.clear();
  operating_ = -1;
  stored_strategy_.clear();
  stored_tau_ = NAN;
  sweep_ = false;
  endResetModel();
}

void TtcModel::set_run(qint64 run_id, const std::string& summary_json, const std::string& config_json) {
  const std::string origin = "run " + std::to_string(run_id);
  std::vector<ParetoPoint> pts;
  QString stored;
  double stored_tau = NAN;
  bool sweep = false;
  try {
    pts = pareto_points(summary_json, origin);
    const auto s = nlohmann::json::parse(summary_json.empty() ? std::string("{}") : summary_json);
    if (s.is_object() && s.contains("stored_strategy") && s["stored_strategy"].is_string())
      stored = QString::fromStdString(s["stored_strategy"].get<std::string>());
    if (s.is_object() && s.contains("stored_tau") && s["stored_tau"].is_number()) stored_tau = s["stored_tau"].get<double>();
    const auto c = nlohmann::json::parse(config_json.empty() ? std::string("{}") : config_json, nullptr, false);
    sweep = c.is_object() && c.value("tau_sweep", false);
  } catch (const nlohmann::json::exception& e) {
    clear();
    throw ps::Error(origin + ": summary: " + e.what());
  } catch (...) {
    clear();
    throw;
  }
  beginResetModel();
  run_id_ = run_id;
  points_ = std::move(pts);
  stored_strategy_ = stored;
  stored_tau_ = stored_tau;
  sweep_ = sweep;
  operating_ = ps::gui::operating_point(points_, sweep_, stored_strategy_, stored_tau_);
  endResetModel();
}

TtcSelection TtcModel::selection(int row) const {
  TtcSelection s;
  if (row < 0 || row >= rowCount()) return s;
  const auto& p = points_[size_t(row)];
  s.run_id = run_id_;
  s.strategy = p.name;
  s.selective = p.selective;
  s.tau = p.tau;
  const QString stored_name = stored_strategy_.startsWith("selective-") ? stored_strategy_.mid(10) : stored_strategy_;
  s.stored = p.name == "greedy" || p.name == stored_name;
  // The stored outcome's rounds hold every tau at or below the stored one (the sweep stores tau 1).
  if (s.stored && p.selective && std::isfinite(p.tau) && p.name != "greedy") s.below_tau = p.tau;
  return s;
}

int TtcModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(points_.size()); }
int TtcModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant TtcModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount()) return {};
  const auto& p = points_[size_t(index.row())];
  const bool op = index.row() == operating_;
  auto num = [](double v) -> QVariant { return std::isfinite(v) ? QVariant(v) : QVariant(); };
  if (role == SortRole || role == Qt::EditRole) {
    switch (index.column()) {
      case Strategy: return p.name + (p.selective ? " selective" : "");
      case Tau: return num(p.tau);
      case N: return qint64(p.n);
      case F1: return num(p.f1);
      case Brier: return num(p.brier);
      case Ece: return num(p.ece);
      case Tokens: return num(p.tokens_per_item);
    }
    return {};
  }
  if (role == Qt::DisplayRole) {
    auto text = [](double v, int d) { return std::isfinite(v) ? format_number(v, d) : QString("–"); };
    switch (index.column()) {
      case Strategy: return p.selective ? tr("%1, selective").arg(p.name) : tr("%1, uniform").arg(p.name);
      case Tau: return std::isfinite(p.tau) ? format_number(p.tau, 2) : QString("–");
      case N: return qint64(p.n);
      case F1:
        return std::isfinite(p.f1_lo) && std::isfinite(p.f1_hi)
                   ? QString("%1 %2").arg(text(p.f1, 3), format_interval(p.f1_lo, p.f1_hi, 3))
                   : text(p.f1, 3);
      case Brier: return text(p.brier, 3);
      case Ece: return text(p.ece, 3);
      case Tokens: return text(p.tokens_per_item, 1);
    }
    return {};
  }
  if (role == Qt::FontRole && op) {
    QFont f;
    f.setBold(true);
    return f;
  }
  if (role == Qt::ToolTipRole) {
    QStringList notes;
    if (op) notes << tr("Operating point");
    if (p.pareto) notes << tr("On the Pareto frontier (F1 against tokens)");
    return notes.isEmpty() ? QVariant() : QVariant(notes.join("\n"));
  }
  if (role == Qt::TextAlignmentRole && index.column() != Strategy)
    return QVariant(Qt::AlignRight | Qt::AlignVCenter);
  return {};
}

QVariant TtcModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case Strategy: return tr("Strategy");
    case Tau: return tr("tau");
    case N: return tr("n");
    case F1: return tr("F1 [95% CI]");
    case Brier: return tr("Brier");
    case Ece: return tr("ECE");
    case Tokens: return tr("Tokens/item");
  }
  return {};
}

}  // namespace ps::gui
