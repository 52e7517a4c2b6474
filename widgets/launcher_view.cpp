#include "launcher_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

#include "job_runner.h"
#include "kg_service.h"

namespace ps::gui {

LauncherView::LauncherView(JobRunner* jobs, KgService* kg, const QString& store_path, QWidget* parent)
    : QWidget(parent), jobs_(jobs), kg_(kg), store_path_(store_path) {
  auto* cells_row = new QHBoxLayout;
  for (const auto& [key, name] : {std::pair<const char*, const char*>{"k562", "K562"}, {"rpe1", "RPE1"}, {"hepg2", "HepG2"}, {"jurkat", "Jurkat"}}) {
    auto* box = new QCheckBox(name);
    box->setObjectName(QString("cell_%1").arg(key));
    cells_[key] = box;
    cells_row->addWidget(box);
    connect(box, &QCheckBox::toggled, this, &LauncherView::revalidate);
  }
  cells_row->addStretch(1);
  cells_row->addWidget(error_label("cell_lines"));

  k_ = new QSpinBox;
  k_->setRange(0, 1000);
  k_->setToolTip(tr("Perturber neighbours that vote (those with a train label for the target)"));
  connect(k_, &QSpinBox::valueChanged, this, &LauncherView::revalidate);
  auto* k_row = new QHBoxLayout;
  k_row->addWidget(k_);
  k_row->addWidget(error_label("k"), 1);

  auto make_weight = [this](const QString& tip) {
    auto* box = new QDoubleSpinBox;
    box->setRange(-1, 10);
    box->setSingleStep(0.5);
    box->setDecimals(1);
    box->setToolTip(tip);
    connect(box, &QDoubleSpinBox::valueChanged, this, &LauncherView::revalidate);
    return box;
  };
  w_string_ = make_weight(tr("Weight of STRING protein associations (0 leaves it out)"));
  w_go_ = make_weight(tr("Weight of shared GO terms (0 leaves it out)"));
  w_reactome_ = make_weight(tr("Weight of shared Reactome pathways (0 leaves it out)"));
  auto* sources_row = new QHBoxLayout;
  sources_row->addWidget(new QLabel(tr("STRING")));
  sources_row->addWidget(w_string_);
  sources_row->addWidget(new QLabel(tr("GO")));
  sources_row->addWidget(w_go_);
  sources_row->addWidget(new QLabel(tr("Reactome")));
  sources_row->addWidget(w_reactome_);
  sources_row->addWidget(error_label("sources"), 1);

  csv_ = new QLineEdit;
  csv_->setPlaceholderText(tr("Official PerturbQA files (or a CSV with pert, gene, label, split)"));
  csv_->setClearButtonEnabled(true);
  connect(csv_, &QLineEdit::textChanged, this, &LauncherView::revalidate);
  auto* browse = new QToolButton;
  browse->setText(tr("…"));
  connect(browse, &QToolButton::clicked, this, [this] {
    const QString f = QFileDialog::getOpenFileName(this, tr("PerturbQA-format CSV"), QString(), tr("CSV files (*.csv)"));
    if (!f.isEmpty()) csv_->setText(f);
  });
  auto* csv_row = new QHBoxLayout;
  csv_row->addWidget(csv_, 1);
  csv_row->addWidget(browse);
  csv_row->addWidget(error_label("csv"));

  train_split_ = new QLineEdit;
  test_split_ = new QLineEdit;
  for (auto* e : {train_split_, test_split_}) {
    e->setMaximumWidth(120);
    connect(e, &QLineEdit::textChanged, this, &LauncherView::revalidate);
  }
  auto* split_row = new QHBoxLayout;
  split_row->addWidget(new QLabel(tr("train")));
  split_row->addWidget(train_split_);
  split_row->addWidget(new QLabel(tr("→ test")));
  split_row->addWidget(test_split_);
  split_row->addWidget(error_label("splits"), 1);

  calibration_ = new QComboBox;
  calibration_->addItem(tr("Isotonic (fitted on validation)"), "isotonic");
  calibration_->addItem(tr("Platt (fitted on validation)"), "platt");
  calibration_->addItem(tr("None (raw scores)"), "none");
  bootstrap_ = new QSpinBox;
  bootstrap_->setRange(0, 20000);
  bootstrap_->setSingleStep(100);
  bootstrap_->setToolTip(tr("Bootstrap resamples for the 95 % intervals (0: none)"));
  connect(bootstrap_, &QSpinBox::valueChanged, this, &LauncherView::revalidate);
  auto* boot_row = new QHBoxLayout;
  boot_row->addWidget(bootstrap_);
  boot_row->addWidget(error_label("bootstrap"), 1);
  signed_ = new QCheckBox(tr("Also predict the direction (up/down) of DE pairs"));

  auto* form = new QFormLayout;
  form->addRow(tr("Cell lines:"), cells_row);
  form->addRow(tr("Neighbours k:"), k_row);
  form->addRow(tr("Source weights:"), sources_row);
  form->addRow(tr("Data:"), csv_row);
  form->addRow(tr("Split:"), split_row);
  form->addRow(tr("Calibration:"), calibration_);
  form->addRow(tr("Bootstrap:"), boot_row);
  form->addRow(QString(), signed_);
  auto* settings = new QGroupBox(tr("KNN-KG evaluation"));
  settings->setLayout(form);

  run_ = new QPushButton(QIcon(":/icons/launch.svg"), tr("&Run evaluation"));
  run_->setObjectName("launcher_run");
  run_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
  run_->setToolTip(tr("Run (Ctrl+Enter)"));
  cancel_ = new QPushButton(QIcon(":/icons/cancel.svg"), tr("&Cancel"));
  cancel_->setEnabled(false);
  connect(run_, &QPushButton::clicked, this, &LauncherView::start);
  connect(cancel_, &QPushButton::clicked, jobs_, &JobRunner::cancel);
  progress_ = new QProgressBar;
  progress_->setRange(0, 1000);
  progress_->setValue(0);
  progress_->setFormat("%p%");
  eta_ = new QLabel;
  message_ = new QLabel(tr("Ready."));
  log_ = new QPlainTextEdit;
  log_->setReadOnly(true);
  log_->setMaximumBlockCount(500);
  log_->setPlaceholderText(tr("The evaluation's progress and results appear here."));

  auto* run_row = new QHBoxLayout;
  run_row->addWidget(run_);
  run_row->addWidget(cancel_);
  run_row->addWidget(progress_, 1);
  run_row->addWidget(eta_);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(settings);
  layout->addLayout(run_row);
  layout->addWidget(message_);
  layout->addWidget(log_, 1);

  connect(jobs_, &JobRunner::progressed, this, [this](double f, double eta, const QString& msg) {
    if (!mine_) return;
    if (f >= 0) progress_->setValue(int(f * 1000));
    const QString left = format_eta(eta);
    eta_->setText(left.isEmpty() ? QString() : tr("%1 left").arg(left));
    if (msg != message_->text()) {
      message_->setText(msg);
      log_->appendPlainText(QString("%1  %2").arg(QTime::currentTime().toString("HH:mm:ss"), msg));
    }
  });
  connect(jobs_, &JobRunner::started, this, [this] { run_->setEnabled(false); cancel_->setEnabled(mine_); });
  connect(jobs_, &JobRunner::finished, this, [this](qint64 id) {
    if (!mine_) return;
    progress_->setValue(1000);
    message_->setText(tr("Finished: run %1 is in the Runs tab.").arg(id));
    log_->appendPlainText(tr("Finished: run %1").arg(id));
    emit run_finished(id);
  });
  connect(jobs_, &JobRunner::failed, this, [this](const QString& e) {
    if (!mine_) return;
    message_->setText(tr("Failed: %1").arg(e));
    log_->appendPlainText(tr("Failed: %1").arg(e));
  });
  connect(jobs_, &JobRunner::cancelled, this, [this] {
    if (!mine_) return;
    message_->setText(tr("Cancelled."));
    log_->appendPlainText(tr("Cancelled."));
  });
  connect(jobs_, &JobRunner::ended, this, [this] {
    mine_ = false;
    cancel_->setEnabled(false);
    eta_->clear();
    revalidate();
  });

  set_launch(KnnLaunch{});
}

QLabel* LauncherView::error_label(const QString& field) {
  auto* label = new QLabel;
  label->setObjectName("error_" + field);
  label->setStyleSheet("color: #c8463a;");
  error_labels_[field] = label;
  return label;
}

KnnLaunch LauncherView::launch() const {
  KnnLaunch l;
  l.cell_lines.clear();
  for (auto it = cells_.begin(); it != cells_.end(); ++it)
    if (it.value()->isChecked()) l.cell_lines << it.key();
  l.k = k_->value();
  l.w_string = w_string_->value();
  l.w_go = w_go_->value();
  l.w_reactome = w_reactome_->value();
  l.csv = csv_->text().trimmed();
  l.train_split = train_split_->text();
  l.test_split = test_split_->text();
  l.calibration = calibration_->currentData().toString();
  l.bootstrap = bootstrap_->value();
  l.signed_effect = signed_->isChecked();
  return l;
}

void LauncherView::set_launch(const KnnLaunch& l) {
  for (auto it = cells_.begin(); it != cells_.end(); ++it) it.value()->setChecked(l.cell_lines.contains(it.key()));
  k_->setValue(l.k);
  w_string_->setValue(l.w_string);
  w_go_->setValue(l.w_go);
  w_reactome_->setValue(l.w_reactome);
  csv_->setText(l.csv);
  train_split_->setText(l.train_split);
  test_split_->setText(l.test_split);
  calibration_->setCurrentIndex(std::max(0, calibration_->findData(l.calibration)));
  bootstrap_->setValue(l.bootstrap);
  signed_->setChecked(l.signed_effect);
  revalidate();
}

QMap<QString, QString> LauncherView::errors() const {
  QMap<QString, QString> shown;
  for (auto it = error_labels_.begin(); it != error_labels_.end(); ++it)
    if (!it.value()->text().isEmpty()) shown[it.key()] = it.value()->text();
  return shown;
}

void LauncherView::revalidate() {
  const auto errors = validate(launch());
  for (auto it = error_labels_.begin(); it != error_labels_.end(); ++it) it.value()->setText(errors.value(it.key()));
  run_->setEnabled(errors.isEmpty() && !jobs_->running());
}

bool LauncherView::start() {
  revalidate();
  const KnnLaunch l = launch();
  if (!validate(l).isEmpty() || jobs_->running()) return false;
  const auto config = to_config(l);
  mine_ = true;
  progress_->setValue(0);
  log_->appendPlainText(tr("%1  KNN-KG on %2, k = %3, sources %4")
                            .arg(QTime::currentTime().toString("HH:mm:ss"), l.cell_lines.join(", "))
                            .arg(l.k)
                            .arg(QString::fromStdString(config.knn.sources.to_string())));
  if (!jobs_->start(tr("KNN-KG %1").arg(l.cell_lines.join(", ")), knn_job(config, store_path_, kg_->graph()))) {
    mine_ = false;
    return false;
  }
  return true;
}

}  // namespace ps::gui
