#include "traces_model.h"

#include <QCoreApplication>
#include <QRegularExpression>
#include <cmath>
#include <nlohmann/json.hpp>

#include "export.h"
#include "number_format.h"

namespace ps::gui {

TraceParts split_think(const QString& trace) {
  TraceParts out;
  QString rest;
  QStringList thinks;
  int pos = 0;
  while (true) {
    const int open = trace.indexOf("<think>", pos);
    if (open < 0) {
      rest += trace.mid(pos);
      break;
    }
    rest += trace.mid(pos, open - pos);
    const int close = trace.indexOf("</think>", open + 7);
    if (close < 0) {
      thinks << trace.mid(open + 7).trimmed();
      out.unterminated = true;
      break;
    }
    thinks << trace.mid(open + 7, close - open - 7).trimmed();
    pos = close + 8;
  }
  out.think = thinks.join("\n\n");
  out.answer = rest.trimmed();
  return out;
}

QString parse_failure_label(const QString& code) {
  static const char* const labels[][2] = {
      {"none", QT_TRANSLATE_NOOP("ps::gui::TracesModel", "none")},
      {"no_think_end", QT_TRANSLATE_NOOP("ps::gui::TracesModel", "no </think>")},
      {"no_json", QT_TRANSLATE_NOOP("ps::gui::TracesModel", "no JSON answer")},
      {"bad_field", QT_TRANSLATE_NOOP("ps::gui::TracesModel", "invalid answer field")},
      {"confidence_out_of_range", QT_TRANSLATE_NOOP("ps::gui::TracesModel", "confidence out of range")},
      {"truncated", QT_TRANSLATE_NOOP("ps::gui::TracesModel", "truncated")},
  };
  for (const auto& l : labels)
    if (code == QLatin1String(l[0])) return QCoreApplication::translate("ps::gui::TracesModel", l[1]);
  return code;
}

QString ttc_round_kind_label(const QString& kind) {
  static const char* const labels[][2] = {
      {"greedy", QT_TRANSLATE_NOOP("ps::gui::TracesModel", "greedy decoding")},
      {"sample", QT_TRANSLATE_NOOP("ps::gui::TracesModel", "sampled")},
      {"wait", QT_TRANSLATE_NOOP("ps::gui::TracesModel", "continued after the wait cue")},
      {"forced", QT_TRANSLATE_NOOP("ps::gui::TracesModel", "forced answer")},
  };
  for (const auto& l : labels)
    if (kind == QLatin1String(l[0])) return QCoreApplication::translate("ps::gui::TracesModel", l[1]);
  return kind;
}

std::vector<TtcRound> ttc_rounds(const std::string& details_json) {
  std::vector<TtcRound> out;
  nlohmann::json j = nlohmann::json::parse(details_json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return out;
  const nlohmann::json* rs = nullptr;
  if (j.contains("rounds") && j["rounds"].is_array()) rs = &j["rounds"];
  else if (j.contains("ttc") && j["ttc"].is_object() && j["ttc"].contains("rounds") && j["ttc"]["rounds"].is_array())
    rs = &j["ttc"]["rounds"];
  if (!rs) return out;
  auto str = [](const nlohmann::json& o, const char* k) {
    return o.contains(k) && o[k].is_string() ? QString::fromStdString(o[k].get<std::string>()) : QString();
  };
  auto num = [](const nlohmann::json& o, const char* k) -> qint64 {
    return o.contains(k) && o[k].is_number() ? o[k].get<qint64>() : 0;
  };
  for (const auto& r : *rs) {
    if (!r.is_object()) continue;
    TtcRound round;
    round.kind = str(r, "kind");
    round.tokens = num(r, "tokens");
    if (r.contains("completions") && r["completions"].is_array())
      for (const auto& c : r["completions"]) {
        if (!c.is_object()) continue;
        TtcCompletion tc;
        tc.text = str(c, "text");
        tc.finish_reason = str(c, "finish_reason");
        tc.parse_failure = str(c, "parse_failure");
        tc.tokens = num(c, "tokens");
        if (c.contains("de") && c["de"].is_boolean()) tc.de = c["de"].get<bool>();
        if (c.contains("confidence") && c["confidence"].is_number()) tc.confidence = c["confidence"].get<double>();
        round.completions.push_back(std::move(tc));
      }
    out.push_back(std::move(round));
  }
  return out;
}

namespace {
std::optional<bool> round_answer(const TtcRound& r) {
  int yes = 0, n = 0;
  for (const auto& c : r.completions)
    if (c.de) ++n, yes += *c.de;
  if (n == 0) return std::nullopt;
  return 2 * yes >= n;
}
}  // namespace

void TracesModel::set_predictions(int64_t run_id, std::vector<ps::store::Prediction> predictions) {
  beginResetModel();
  run_id_ = run_id;
  rows_.clear();
  rows_.reserve(predictions.size());
  for (auto& p : predictions) {
    Row r;
    r.rounds = ttc_rounds(p.details_json);
    if (r.rounds.size() > 1 && std::isfinite(p.prediction)) {
      const auto first = round_answer(r.rounds.front());
      r.changed = first && *first != (p.prediction >= 0.5);
    }
    r.p = std::move(p);
    rows_.push_back(std::move(r));
  }
  endResetModel();
}

std::optional<bool> TracesModel::correct(int row) const {
  const auto& p = rows_[size_t(row)].p;
  if (p.label < 0 || !std::isfinite(p.prediction)) return std::nullopt;
  return (p.prediction >= 0.5) == (p.label == 1);
}

int TracesModel::round_count(int row) const {
  const auto& r = rows_[size_t(row)];
  if (!r.rounds.empty()) return int(r.rounds.size());
  return r.p.tokens > 0 || !r.p.trace.empty() ? r.p.ttc_round + 1 : 0;
}

int TracesModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(rows_.size()); }
int TracesModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant TracesModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= int(rows_.size())) return {};
  const int row = index.row();
  const auto& p = rows_[size_t(row)].p;
  if (role == ExportRole && index.column() == Probability)  // CSV: unrounded, empty when undefined
    return std::isfinite(p.confidence) ? QString::number(p.confidence, 'g', 17) : QString();
  const bool display = role == Qt::DisplayRole;
  const bool sort = role == SortRole;
  if (!display && !sort && role != Qt::ToolTipRole) return {};
  switch (index.column()) {
    case CellLine: return QString::fromStdString(p.cell_line);
    case Perturber: return QString::fromStdString(p.perturber);
    case Target: return QString::fromStdString(p.target);
    case Label:
      if (sort) return p.label;
      return p.label < 0 ? QString() : p.label ? tr("DE") : tr("not DE");
    case Probability:
      if (sort) return std::isfinite(p.confidence) ? p.confidence : -1.0;
      return std::isfinite(p.confidence) ? format_number(p.confidence, 3) : QString();
    case Correct: {
      const auto c = correct(row);
      if (sort) return c ? int(*c) : -1;
      return !c ? QString() : *c ? tr("✓") : tr("✗");
    }
    case Tokens:
      if (sort) return qlonglong(p.tokens);
      return QString::number(p.tokens);
    case ParseFailure: {  // a human label; the stored code sorts and is the tooltip
      const QString code = QString::fromStdString(p.parse_failure);
      return display ? parse_failure_label(code) : code;
    }
    case Rounds:
      if (sort) return round_count(row);
      return rows_[size_t(row)].changed ? tr("%1 (changed)").arg(round_count(row)) : QString::number(round_count(row));
  }
  return {};
}

QVariant TracesModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case CellLine: return tr("Cell line");
    case Perturber: return tr("Perturber");
    case Target: return tr("Target");
    case Label: return tr("Label");
    case Probability: return tr("P(DE)");
    case Correct: return tr("Correct");
    case Tokens: return tr("Tokens");
    case ParseFailure: return tr("Parse failure");
    case Rounds: return tr("TTC rounds");
  }
  return {};
}

TracesFilter::TracesFilter(QObject* parent) : QSortFilterProxyModel(parent) { setSortRole(TracesModel::SortRole); }

void TracesFilter::set_quick(Quick q) {
  quick_ = q;
  invalidateFilter();
}

void TracesFilter::set_gene(const QString& text) {
  gene_ = text.trimmed();
  invalidateFilter();
}

void TracesFilter::set_below_tau(std::optional<double> tau) {
  below_tau_ = tau;
  invalidateFilter();
}

bool TracesFilter::filterAcceptsRow(int row, const QModelIndex&) const {
  auto* m = static_cast<const TracesModel*>(sourceModel());
  const auto& p = m->prediction(row);
  switch (quick_) {
    case All: break;
    case ConfidentAndWrong: {
      const auto c = m->correct(row);
      if (!c || *c) return false;
      const double in_answer = p.prediction >= 0.5 ? p.confidence : 1 - p.confidence;
      if (!(in_answer >= confident_at_)) return false;
      break;
    }
    case ParseFailures:
      if (p.parse_failure.empty()) return false;
      break;
    case ChangedByTtc:
      if (!m->changed_by_ttc(row)) return false;
      break;
  }
  if (below_tau_) {
    const auto& rounds = m->rounds(row);
    if (!rounds.empty() && !rounds[0].completions.empty()) {
      const double c = rounds[0].completions[0].confidence.value_or(0.0);
      if (!(c < *below_tau_)) return false;
    }
  }
  if (!gene_.isEmpty()) {
    auto has = [&](const std::string& s) { return QString::fromStdString(s).contains(gene_, Qt::CaseInsensitive); };
    if (!has(p.perturber) && !has(p.target) && !has(p.cell_line)) return false;
  }
  return true;
}

}  // namespace ps::gui
