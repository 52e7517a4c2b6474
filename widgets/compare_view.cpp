#include "compare_view.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeySequence>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QShortcut>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>
#include <cmath>
#include <qcustomplot.h>

#include "async.h"
#include "common/error.h"
#include "compare_model.h"
#include "export.h"
#include "metrics_adapter.h"
#include "reliability_plot.h"
#include "store/store.h"

namespace ps::gui {

// What a worker hands back: the predictions it read (kept for a baseline switch), the comparison,
// and the reliability curves (only after reading: a baseline switch does not change them).
struct CompareView::Result {
  std::shared_ptr<const std::vector<ps::metrics::ComparisonInput>> inputs;
  ps::metrics::RunComparison comparison;
  std::vector<ReliabilityCurve> curves;
};

CompareView::CompareView(const QString& store_path, QWidget* parent) : QWidget(parent), store_path_(store_path) {
  model_ = new CompareModel(this);

  baseline_ = new QComboBox;
  baseline_->setObjectName("compare_baseline");
  baseline_->setToolTip(tr("The run every other run's paired differences are taken against"));
  baseline_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  connect(baseline_, &QComboBox::currentIndexChanged, this, [this](int index) {
    if (!filling_box_) set_baseline(index);
  });

  message_ = new QLabel;
  message_->setObjectName("compare_message");
  message_->setWordWrap(true);
  message_->setTextInteractionFlags(Qt::TextSelectableByMouse);

  plot_ = new QCustomPlot;
  plot_->setObjectName("compare_plot");
  plot_->setMinimumHeight(300);
  plot_->setInteractions(QCP::iSelectLegend);

  table_ = new QTableView;
  table_->setObjectName("compare_table");
  table_->setModel(model_);
  table_->verticalHeader()->hide();
  table_->setAlternatingRowColors(true);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setWordWrap(false);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
  table_->horizontalHeader()->setStretchLastSection(true);
  auto* copy_shortcut = new QShortcut(QKeySequence::Copy, table_, nullptr, nullptr, Qt::WidgetShortcut);
  connect(copy_shortcut, &QShortcut::activated, this, &CompareView::copy_table);

  auto* copy = new QPushButton(tr("&Copy table"));
  copy->setToolTip(tr("Put the table on the clipboard as CSV"));
  auto* csv = new QPushButton(QIcon(":/icons/export.svg"), tr("Export CSV…"));
  auto* figure = new QPushButton(QIcon(":/icons/export.svg"), tr("Export figure…"));
  connect(copy, &QPushButton::clicked, this, &CompareView::copy_table);
  connect(csv, &QPushButton::clicked, this, &CompareView::export_csv);
  connect(figure, &QPushButton::clicked, this, &CompareView::export_figure);

  auto* top = new QHBoxLayout;
  top->addWidget(new QLabel(tr("Baseline:")));
  top->addWidget(baseline_);
  top->addStretch(1);
  auto* splitter = new QSplitter(Qt::Vertical);
  splitter->addWidget(plot_);
  splitter->addWidget(table_);
  splitter->setStretchFactor(0, 3);
  splitter->setStretchFactor(1, 2);
  auto* buttons = new QHBoxLayout;
  buttons->addStretch(1);
  buttons->addWidget(copy);
  buttons->addWidget(csv);
  buttons->addWidget(figure);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addWidget(message_);
  layout->addWidget(splitter, 1);
  layout->addLayout(buttons);

  compare({});
}

void CompareView::compare(const QList<qint64>& ids) {
  ++request_;  // whatever is still computing is for other runs now
  busy_ = false;
  ids_ = ids;
  inputs_.reset();
  curves_.clear();
  model_->clear();
  filling_box_ = true;
  baseline_->clear();
  for (qint64 id : ids) baseline_->addItem(tr("run %1").arg(id), id);
  baseline_->setEnabled(false);
  filling_box_ = false;
  message_->setStyleSheet(QString());
  draw_reliability(plot_, curves_);
  if (ids.size() < 2) {
    message_->setText(tr("Select two or more runs in the Runs tab and press Compare."));
    return;
  }
  start(0);
}

void CompareView::set_baseline(int index) {
  if (index < 0 || index >= ids_.size()) return;
  if (baseline_->currentIndex() != index) {
    filling_box_ = true;
    baseline_->setCurrentIndex(index);
    filling_box_ = false;
  }
  if (!busy_ && !model_->empty() && model_->comparison().baseline == size_t(index)) return;
  start(size_t(index));
}

void CompareView::start(size_t baseline) {
  const int request = ++request_;
  busy_ = true;
  message_->setStyleSheet(QString());
  message_->setText(tr("Comparing %n run(s)…", nullptr, int(ids_.size())));
  const auto inputs = inputs_;
  const std::string path = store_path_.toStdString();
  const std::vector<int64_t> ids(ids_.begin(), ids_.end());
  const int resamples = resamples_;
  run_async<Result>(
      this,
      [inputs, path, ids, baseline, resamples] {
        Result r;
        r.inputs = inputs;
        if (!r.inputs) {
          // A store connection of this thread's own (connections are per thread).
          ps::store::Store store(path);
          auto read = std::make_shared<std::vector<ps::metrics::ComparisonInput>>();
          for (int64_t id : ids) {
            const auto run = store.get_run(id);
            if (!run) throw ps::Error(path + ": no run with id " + std::to_string(id));
            read->push_back(ps::metrics::comparison_input(*run, store.predictions(id)));
          }
          r.inputs = read;
        }
        ps::metrics::ComparisonOptions o;
        o.item_sets = ps::metrics::ItemSets::Intersect;
        o.baseline = baseline;
        o.resamples = resamples;
        r.comparison = ps::metrics::compare_runs(*r.inputs, o);
        if (!inputs) {
          // One curve per run on the compared items; its ECE interval is the table's.
          for (size_t i = 0; i < r.comparison.runs.size(); ++i) {
            const auto& run = r.comparison.runs[i];
            ReliabilityCurve c = calibration_curve(r.comparison.probs[i], r.comparison.labels, 10);
            c.run_id = run.id;
            c.label = compared_run_label(run);
            if (std::isfinite(run.summary.ece_ci.lo) && std::isfinite(run.summary.ece_ci.hi)) {
              c.ece_ci_low = run.summary.ece_ci.lo;
              c.ece_ci_high = run.summary.ece_ci.hi;
            } else {
              c.ece_ci_low = c.ece_ci_high = -1;
            }
            r.curves.push_back(std::move(c));
          }
        }
        return r;
      },
      [this, request](Result r) {
        if (request != request_) return;  // a newer request superseded this one
        show_result(std::move(r));
      },
      [this, request](QString error) {
        if (request != request_) return;
        busy_ = false;
        model_->clear();
        message_->setStyleSheet("QLabel { background: rgba(213, 94, 0, 60); padding: 4px; }");
        message_->setText(tr("Cannot compare the runs: %1").arg(error));
        emit failed(error);
      });
}

void CompareView::show_result(Result r) {
  busy_ = false;
  inputs_ = r.inputs;
  if (!r.curves.empty()) {
    curves_ = std::move(r.curves);
    filling_box_ = true;
    baseline_->clear();
    for (const auto& run : r.comparison.runs) baseline_->addItem(compared_run_label(run), qint64(run.id));
    baseline_->setCurrentIndex(int(r.comparison.baseline));
    filling_box_ = false;
    draw_reliability(plot_, curves_);
  }
  baseline_->setEnabled(true);
  const QString differ = item_sets_message(r.comparison);
  if (differ.isEmpty()) {
    message_->setStyleSheet(QString());
    message_->setText(tr("%n item(s), scored by every run; paired differences against %1.", nullptr, int(r.comparison.n))
                          .arg(compared_run_label(r.comparison.runs[r.comparison.baseline])));
  } else {
    message_->setStyleSheet("QLabel { background: rgba(230, 159, 0, 70); padding: 4px; }");
    message_->setText(differ);
  }
  model_->set_comparison(std::move(r.comparison));
  table_->resizeColumnsToContents();
  emit compared();
}

QString CompareView::csv() const { return csv_text(model_); }

void CompareView::copy_table() {
  if (model_->empty()) return;
  QApplication::clipboard()->setText(csv());
}

void CompareView::export_csv() {
  ExportDialog dialog("comparison", false, this);
  if (dialog.exec() != QDialog::Accepted) return;
  QString error;
  if (!ps::gui::export_csv(model_, dialog.path(), &error)) QMessageBox::warning(this, tr("Export failed"), error);
  else report_saved(this, dialog.path());
}

void CompareView::export_figure() {
  ExportDialog dialog("comparison_reliability", true, this);
  if (dialog.exec() != QDialog::Accepted) return;
  QString error;
  if (!export_plot(plot_, dialog.path(), dialog.size(), &error)) QMessageBox::warning(this, tr("Export failed"), error);
  else report_saved(this, dialog.path());
}

}  // namespace ps::gui
