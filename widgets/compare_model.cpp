#include "compare_model.h"

#include <QFont>
#include <QLocale>
#include <QStringList>
#include <cmath>

#include "export.h"
#include "number_format.h"

namespace ps::gui {

namespace {

struct Cell {
  double value = NAN;
  ps::metrics::Interval ci{NAN, NAN};
};

bool defined(const ps::metrics::Interval& i) { return std::isfinite(i.lo) && std::isfinite(i.hi); }

QString full(double v) { return std::isfinite(v) ? QString::number(v, 'g', 17) : QString(); }

}  // namespace

QString compared_run_label(const ps::metrics::ComparedRun& run) {
  return CompareModel::tr("run %1 · %2").arg(run.id).arg(QString::fromStdString(run.name));
}

QString item_sets_message(const ps::metrics::RunComparison& c) {
  if (c.identical_items) return QString();
  QStringList dropped;
  for (const auto& r : c.runs)
    if (r.items_dropped > 0)
      dropped << CompareModel::tr("run %1: %2 of %3 left out").arg(r.id).arg(r.items_dropped).arg(r.items_total);
  return CompareModel::tr("The runs were scored on different item sets. Every number here is computed on the %n "
                          "item(s) all of them hold (%1).", nullptr, int(c.n))
      .arg(dropped.join("; "));
}

void CompareModel::set_comparison(ps::metrics::RunComparison comparison) {
  beginResetModel();
  comparison_ = std::move(comparison);
  endResetModel();
}

void CompareModel::clear() { set_comparison({}); }

int CompareModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : int(comparison_.runs.size() + comparison_.differences.size());
}

int CompareModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant CompareModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount()) return {};
  const auto& c = comparison_;
  const int row = index.row(), col = index.column();
  const bool diff = is_difference(row);
  const ps::metrics::ComparedRun* run = diff ? nullptr : &c.runs[size_t(row)];
  const ps::metrics::ComparedDifference* d = diff ? &c.differences[size_t(row) - c.runs.size()] : nullptr;

  // The number behind a metric column (value and interval), from the run's summary or the difference.
  auto metric = [&](int column) {
    Cell cell;
    if (run) {
      const auto& s = run->summary;
      switch (column) {
        case F1: case F1Ci: return Cell{s.at_threshold.f1, s.f1_ci};
        case Brier: case BrierCi: return Cell{s.brier, s.brier_ci};
        case Ece: case EceCi: return Cell{s.ece, s.ece_ci};
        case Auroc: case AurocCi: return Cell{s.auroc_per_gene, s.auroc_per_gene_ci};
        case ParseRate: return Cell{run->parse_rate, {NAN, NAN}};
      }
      return cell;
    }
    const char* name = column <= F1Ci ? "f1" : column <= BrierCi ? "brier" : column <= EceCi ? "ece" : "auroc_per_gene";
    if (column == ParseRate) return cell;
    for (const auto& x : d->diffs)
      if (x.metric == name) return Cell{x.diff, x.ci};
    return cell;
  };
  const bool is_ci = col == F1Ci || col == BrierCi || col == EceCi || col == AurocCi;
  const bool is_value = col == F1 || col == Brier || col == Ece || col == Auroc || col == ParseRate;

  switch (role) {
    case Qt::DisplayRole: {
      if (col == Row)
        return run ? (size_t(row) == c.baseline ? tr("%1 (baseline)").arg(compared_run_label(*run)) : compared_run_label(*run))
                   : tr("run %1 − run %2").arg(c.runs[d->run].id).arg(c.runs[d->against].id);
      if (col == Kind) return run ? QString::fromStdString(run->kind) : tr("paired difference");
      if (col == N) return qint64(c.n);
      const Cell cell = metric(col);
      // Differences are signed with the typographic minus (U+2212), as the row headers write them.
      auto minus = [&](QString t) { return diff ? t.replace(QLocale().negativeSign(), QString(QChar(0x2212))) : t; };
      if (is_ci) return defined(cell.ci) ? minus(format_interval(cell.ci.lo, cell.ci.hi, 3)) : QString("–");
      if (!std::isfinite(cell.value)) return QString("–");
      const QString text = minus(format_number(cell.value, 3));
      return diff && cell.value > 0 ? QLocale().positiveSign() + text : text;
    }
    case Qt::EditRole: {
      if (col == Row || col == Kind) return data(index, Qt::DisplayRole);
      if (col == N) return qint64(c.n);
      const Cell cell = metric(col);
      const double v = is_ci ? cell.ci.lo : cell.value;
      return std::isfinite(v) ? QVariant(v) : QVariant();
    }
    case ExportRole: {
      if (col == Row || col == Kind || col == N) return {};  // the text as shown
      const Cell cell = metric(col);
      if (is_ci) return defined(cell.ci) ? QString("[%1, %2]").arg(full(cell.ci.lo), full(cell.ci.hi)) : QString();
      return full(cell.value);
    }
    case Qt::TextAlignmentRole:
      return col == Row || col == Kind ? QVariant(Qt::AlignLeft | Qt::AlignVCenter) : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::FontRole: {
      if (!diff && size_t(row) != c.baseline) return {};
      QFont f;
      f.setBold(!diff);
      f.setItalic(diff);
      return f;
    }
    case Qt::ToolTipRole: {
      if (col == N && run && run->items_dropped > 0)
        return tr("%1 of this run's %2 items are not held by every run and were left out")
            .arg(run->items_dropped)
            .arg(run->items_total);
      if (is_ci)
        return diff ? tr("95 % paired bootstrap interval of the difference (the same resampled items for both runs; "
                         "genes for the per-gene AUROC)")
                    : tr("95 % percentile bootstrap interval (items resampled; genes for the per-gene AUROC)");
      if (is_value && diff && col != ParseRate) {
        const Cell cell = metric(col);
        if (defined(cell.ci) && (cell.ci.lo > 0 || cell.ci.hi < 0)) return tr("The interval excludes 0");
      }
      if (col == ParseRate && run && !std::isfinite(run->parse_rate))
        return tr("Only runs of a language model parse answers");
      return {};
    }
  }
  return {};
}

QVariant CompareModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case Row: return tr("Run");
    case Kind: return tr("Kind");
    case N: return tr("n");
    case F1: return tr("F1");
    case F1Ci: return tr("F1 95% CI");
    case Brier: return tr("Brier");
    case BrierCi: return tr("Brier 95% CI");
    case Ece: return tr("ECE");
    case EceCi: return tr("ECE 95% CI");
    case Auroc: return tr("AUROC per gene");
    case AurocCi: return tr("AUROC per gene 95% CI");
    case ParseRate: return tr("Parse rate");
  }
  return {};
}

}  // namespace ps::gui
