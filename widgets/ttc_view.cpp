#include "ttc_view.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QMouseEvent>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include "async.h"
#include "export.h"
#include "number_format.h"
#include "store/store.h"

namespace ps::gui {

namespace {
struct LoadedTtc {
  qint64 id = 0;
  bool found = false;
  std::string summary, config;
};
constexpr int kHitRadius = 12;  // px
}  // namespace

TtcView::TtcView(const QString& store_path, QWidget* parent) : QWidget(parent), path_(store_path), model_(new TtcModel(this)) {
  qRegisterMetaType<ps::gui::TtcSelection>();
  runs_ = new QComboBox;
  runs_->setObjectName("ttc_run");
  runs_->setMinimumContentsLength(24);
  metric_ = new QComboBox;
  metric_->setObjectName("ttc_metric");
  metric_->addItem(tr("F1"), int(ParetoMetric::F1));
  metric_->addItem(tr("Brier score"), int(ParetoMetric::Brier));
  metric_->addItem(tr("ECE"), int(ParetoMetric::Ece));
  note_ = new QLabel;
  note_->setObjectName("ttc_note");
  note_->setWordWrap(true);
  plot_ = new QCustomPlot;
  plot_->setObjectName("ttc_plot");
  plot_->setMinimumSize(360, 280);
  plot_->installEventFilter(this);
  plot_->setToolTip(tr("Click a point to open its predictions in the Traces tab"));
  table_ = new QTableView;
  table_->setObjectName("ttc_table");
  auto* proxy = new QSortFilterProxyModel(this);
  proxy->setSourceModel(model_);
  proxy->setSortRole(TtcModel::SortRole);
  table_->setModel(proxy);
  table_->setSortingEnabled(true);
  table_->sortByColumn(-1, Qt::AscendingOrder);  // the summary's order until the user sorts
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->verticalHeader()->hide();
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->setToolTip(tr("Double-click a row to open its predictions in the Traces tab"));
  hint_ = new QLabel(tr("<p>No test-time-compute run is open.</p><p>Run one with<br>"
                        "<code>perturbscope-cli ttc --run ID --strategies greedy,sc,bf --tau-sweep</code><br>"
                        "and choose it above.</p>"));
  hint_->setObjectName("ttc_hint");
  hint_->setAlignment(Qt::AlignCenter);
  hint_->setWordWrap(true);

  auto* bar = new QHBoxLayout;
  bar->addWidget(new QLabel(tr("Run")));
  bar->addWidget(runs_, 1);
  bar->addWidget(new QLabel(tr("Metric")));
  bar->addWidget(metric_);
  auto* split = new QSplitter(Qt::Horizontal);
  split->addWidget(plot_);
  split->addWidget(table_);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  auto* page = new QWidget;
  auto* pl = new QVBoxLayout(page);
  pl->setContentsMargins(0, 0, 0, 0);
  pl->addWidget(split, 1);
  pl->addWidget(note_);
  stack_ = new QStackedWidget;
  stack_->addWidget(hint_);
  stack_->addWidget(page);
  auto* lay = new QVBoxLayout(this);
  lay->addLayout(bar);
  lay->addWidget(stack_, 1);

  connect(runs_, qOverload<int>(&QComboBox::activated), this, [this](int i) { open_run(runs_->itemData(i).toLongLong()); });
  connect(metric_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] { redraw(); });
  connect(table_, &QTableView::activated, this, [this, proxy](const QModelIndex& i) { activate(proxy->mapToSource(i).row()); });
  redraw();
  update_hint();
}

ParetoMetric TtcView::metric() const { return ParetoMetric(metric_->currentData().toInt()); }

void TtcView::set_metric(ParetoMetric m) { metric_->setCurrentIndex(metric_->findData(int(m))); }

void TtcView::set_available_runs(const QList<QPair<qint64, QString>>& runs) {
  const qint64 open = model_->run_id();
  QSignalBlocker block(runs_);
  runs_->clear();
  for (const auto& [id, label] : runs) runs_->addItem(label, id);
  const int keep = runs_->findData(open);
  if (keep >= 0) runs_->setCurrentIndex(keep);
  else runs_->setCurrentIndex(-1);
  update_hint();
  // Nothing open or loading yet: show the newest TTC run.
  if (open == 0 && request_ == 0 && !runs.isEmpty()) open_run(runs.first().first);
}

void TtcView::open_run(qint64 run_id) {
  const int request = ++request_;
  const std::string path = path_.toStdString();
  run_async<LoadedTtc>(
      this,
      [path, run_id] {
        ps::store::Store st(path);
        LoadedTtc l;
        l.id = run_id;
        if (auto r = st.get_run(run_id)) {
          l.found = true;
          l.summary = r->summary_json;
          l.config = r->config_json;
        }
        return l;
      },
      [this, request](LoadedTtc l) {
        if (request != request_) return;
        error_.clear();
        if (!l.found) {
          model_->clear();
          error_ = tr("Run %1 is not in the store.").arg(l.id);
        } else {
          try {
            model_->set_run(l.id, l.summary, l.config);
          } catch (const std::exception& e) {
            error_ = QString::fromUtf8(e.what());
          }
        }
        if (model_->rowCount() == 0 && l.found && error_.isEmpty())
          error_ = tr("Run %1 has no scored points yet (still running, or failed).").arg(l.id);
        const int at = runs_->findData(l.id);
        if (at >= 0) {
          QSignalBlocker block(runs_);
          runs_->setCurrentIndex(at);
        }
        redraw();
        update_hint();
        emit loaded(l.id);
      },
      [this, request](QString error) {
        if (request != request_) return;
        model_->clear();
        error_ = tr("Cannot read the run: %1").arg(error);
        redraw();
        update_hint();
      });
}

void TtcView::update_hint() { stack_->setCurrentIndex(model_->run_id() == 0 && error_.isEmpty() ? 0 : 1); }

void TtcView::redraw() {
  draw_pareto(plot_, model_->points(), metric(), model_->operating_point());
  const int op = model_->operating_point();
  note_->setText(error_);
  if (error_.isEmpty() && op >= 0) {
    const auto& p = model_->points()[size_t(op)];
    const QString point = p.selective ? tr("%1 selective at tau %2").arg(p.name, format_number(p.tau, 2)) : tr("%1 uniform").arg(p.name);
    note_->setText(model_->sweep() ? tr("Operating point (ringed): %1, the fewest tokens per item with F1 within the 95% CI of the best.").arg(point)
                                   : tr("Operating point (ringed): %1, the run's stored predictions.").arg(point));
  }
}

QPoint TtcView::point_position(int row) const {
  if (row < 0 || row >= model_->rowCount() || !plot_->axisRect()) return {-1, -1};
  const auto& p = model_->points()[size_t(row)];
  const double v = metric_value(p, metric());
  if (!std::isfinite(p.tokens_per_item) || !std::isfinite(v)) return {-1, -1};
  QCPAxisRect* rect = plot_->axisRect();
  return QPoint(int(std::lround(rect->axis(QCPAxis::atBottom)->coordToPixel(p.tokens_per_item))),
                int(std::lround(rect->axis(QCPAxis::atLeft)->coordToPixel(v))));
}

int TtcView::point_at(const QPoint& pos) const {
  int best = -1;
  double best_d = kHitRadius * kHitRadius + 1e-9;
  for (int row = 0; row < model_->rowCount(); ++row) {
    const QPoint q = point_position(row);
    if (q.x() < 0) continue;
    const double dx = q.x() - pos.x(), dy = q.y() - pos.y(), d = dx * dx + dy * dy;
    if (d <= best_d) {
      best_d = d;
      best = row;
    }
  }
  return best;
}

void TtcView::activate(int row) {
  if (row < 0 || row >= model_->rowCount()) return;
  auto* proxy = static_cast<QSortFilterProxyModel*>(table_->model());
  table_->selectRow(proxy->mapFromSource(model_->index(row, 0)).row());
  emit point_activated(model_->selection(row));
}

bool TtcView::eventFilter(QObject* watched, QEvent* event) {
  if (watched == plot_ && event->type() == QEvent::MouseButtonRelease) {
    auto* e = static_cast<QMouseEvent*>(event);
    if (e->button() == Qt::LeftButton) {
      const int row = point_at(e->position().toPoint());
      if (row >= 0) activate(row);
    }
  }
  return QWidget::eventFilter(watched, event);
}

void TtcView::export_figure() {
  ExportDialog dialog("ttc", true, this);
  if (dialog.exec() != QDialog::Accepted) return;
  QString error;
  if (!export_plot(plot_, dialog.path(), dialog.size(), &error)) QMessageBox::warning(this, tr("Export failed"), error);
  else report_saved(this, dialog.path());
}

}  // namespace ps::gui
