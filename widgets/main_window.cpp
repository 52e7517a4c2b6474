#include "main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <cmath>
#include <QJsonObject>
#include <QLabel>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QTextBrowser>
#include <QToolBar>
#include <QToolButton>
#include <set>

#include "async.h"
#include "common/error.h"
#include "common/paths.h"
#include "compare_view.h"
#include "curves_model.h"
#include "curves_view.h"
#include "job_runner.h"
#include "kg_browser.h"
#include "kg_service.h"
#include "kg/knn.h"
#include "launcher_view.h"
#include "metric_names.h"
#include "number_format.h"
#include "predictions_model.h"
#include "predictions_view.h"
#include "reliability_model.h"
#include "reliability_view.h"
#include "runs_model.h"
#include "runs_view.h"
#include "theme.h"
#include "traces_view.h"
#include "train_launcher.h"
#include "ttc_view.h"

namespace ps::gui {

namespace {

// What opening runs reads from the store, on a worker thread.
struct LoadedRuns {
  QList<qint64> ids;
  std::vector<ReliabilityCurve> curves;
  std::vector<ps::store::Prediction> predictions;  // of the first run
  double threshold = 0.5;
  ps::kg::KnnConfig knn;                           // the first run's KNN settings
  QString knn_error;                               // why they could not be read (defaults used)
};

}  // namespace

MainWindow::MainWindow(const QString& store_path, QWidget* parent) : QMainWindow(parent) {
  init_resources();
  setObjectName("main_window");
  // The platform adds the application's display name ("… — PerturbScope"): the title
  // itself names only what is open, never the application again.
  setWindowTitle(QString());
  setWindowIcon(QIcon(":/icons/perturbscope.svg"));

  runs_model_ = new RunsModel(store_path, this);
  reliability_model_ = new ReliabilityModel(this);
  predictions_model_ = new PredictionsModel(this);
  jobs_ = new JobRunner(this);
  kg_ = new KgService(this);

  tabs_ = new QTabWidget;
  tabs_->setObjectName("tabs");
  tabs_->setDocumentMode(true);
  runs_view_ = new RunsView(runs_model_);
  reliability_view_ = new ReliabilityView(reliability_model_);
  predictions_view_ = new PredictionsView(predictions_model_);
  kg_browser_ = new KgBrowser(kg_);
  kg_page_ = kg_browser_;
  launcher_ = new LauncherView(jobs_, kg_, store_path);
  launcher_page_ = launcher_;
  tabs_->addTab(runs_view_, QIcon(":/icons/runs.svg"), tr("Runs"));
  tabs_->addTab(launcher_, QIcon(":/icons/launch.svg"), tr("Launcher"));
  tabs_->addTab(reliability_view_, QIcon(":/icons/reliability.svg"), tr("Reliability"));
  tabs_->addTab(kg_browser_, QIcon(":/icons/graph.svg"), tr("KG browser"));
  tabs_->addTab(predictions_view_, QIcon(":/icons/table.svg"), tr("Predictions"));
  curves_model_ = new CurvesModel(store_path, this);
  curves_view_ = new CurvesView(curves_model_);
  traces_view_ = new TracesView(store_path);
  train_launcher_ = new TrainLauncher(store_path);
  tabs_->addTab(curves_view_, QIcon(":/icons/reliability.svg"), tr("Curves"));
  tabs_->addTab(traces_view_, QIcon(":/icons/table.svg"), tr("Traces"));
  tabs_->addTab(train_launcher_, QIcon(":/icons/launch.svg"), tr("Train"));
  ttc_view_ = new TtcView(store_path);
  tabs_->addTab(ttc_view_, QIcon(":/icons/reliability.svg"), tr("TTC"));
  compare_view_ = new CompareView(store_path);
  tabs_->addTab(compare_view_, QIcon(":/icons/compare.svg"), tr("Compare"));
  // A TTC point opens its predictions in the Traces tab.
  connect(ttc_view_, &TtcView::point_activated, this, [this](const TtcSelection& s) {
    traces_view_->open_ttc_point(s);
    show_tab(TracesTab);
  });
  // The curves offer every run that can log metrics; a training job started here is shown live.
  auto offer_runs = [this] {
    QList<QPair<qint64, QString>> runs, ttc_runs;
    for (int r = 0; r < runs_model_->rowCount(); ++r) {
      const auto& run = runs_model_->run(r);
      if (run.kind == "knn") continue;
      const QString label = tr("%1 · %2 %3").arg(run.id).arg(QString::fromStdString(run.kind), QString::fromStdString(run.name));
      runs << qMakePair(qint64(run.id), label);
      if (run.kind == "ttc") ttc_runs << qMakePair(qint64(run.id), label);
    }
    curves_view_->set_available_runs(runs);
    ttc_view_->set_available_runs(ttc_runs);
  };
  connect(runs_model_, &RunsModel::runs_changed, this, offer_runs);
  offer_runs();  // the runs the model read before this connection
  connect(train_launcher_, &TrainLauncher::run_started, this, [this](qint64 run) {
    runs_model_->refresh();
    QList<qint64> shown = curves_model_->runs();
    if (!shown.contains(run)) shown << run;
    curves_view_->show_runs(shown);
  });

  // A finished evaluation shows up selected in the Runs tab.
  connect(launcher_, &LauncherView::run_finished, this, [this](qint64 id) {
    runs_model_->refresh();
    runs_view_->select_runs({id});
    show_tab(RunsTab);
  });
  // The KG browser's prediction: the open run's P(DE) for the pair (the core's
  // KNN model is attached once the graph is loaded, below).
  kg_browser_->set_stored_probability([this](const QString& cell, const QString& pert, const QString& target) {
    for (int r = 0; r < predictions_model_->rowCount(); ++r) {
      const auto& p = predictions_model_->prediction(r);
      if (QString::fromStdString(p.perturber) == pert && QString::fromStdString(p.target) == target &&
          QString::fromStdString(p.cell_line).compare(cell, Qt::CaseInsensitive) == 0)
        return p.confidence;
    }
    return -1.0;
  });
  // Selecting a pair also centres the KG browser on its perturber.
  connect(predictions_view_, &PredictionsView::pair_selected, this, [this](const QString& cell, const QString& pert, const QString&) {
    kg_browser_->set_cell_line(cell);
    if (kg_->is_ready()) kg_browser_->show_gene(pert);
  });
  // "Unseen target" needs the training targets of the run's cell lines.
  connect(kg_, &KgService::cell_line_ready, this, [this] {
    QSet<QString> seen;
    std::set<std::string> cells;
    for (int r = 0; r < predictions_model_->rowCount(); ++r) cells.insert(predictions_model_->prediction(r).cell_line);
    for (const auto& c : cells) {
      auto data = kg_->cell_line(QString::fromStdString(c));
      if (!data) return;  // another one still loading
      seen.unite(data->seen_targets);
    }
    predictions_model_->set_seen_targets(std::move(seen));
  });
  connect(kg_, &KgService::failed, this, [this](const QString& e) { statusBar()->showMessage(tr("Knowledge graph: %1").arg(e), 15000); });
  connect(kg_, &KgService::ready, this, [this] {
    statusBar()->showMessage(tr("Knowledge graph loaded"), 4000);
    // Worker threads get the graph and the predictor by shared_ptr, never this
    // window's objects: they may outlive it.
    std::shared_ptr<const ps::kg::KnowledgeGraph> graph = kg_->graph();
    predictions_view_->set_evidence_provider([graph](const QString&, const QString& perturber, const QString& target) {
      return evidence_html(*graph, perturber, target);
    });
    std::shared_ptr<PairPredictor> predictor = kg_->predictor();
    kg_browser_->set_predictor([predictor](const QString& cell, const QString& pert, const QString& target,
                                           const ps::kg::KnnConfig& config) {
      return predictor->predict(cell, pert, target, config);
    });
    for (const auto& c : pending_cells_) kg_->request_cell_line(c);
    pending_cells_.clear();
  });
  kg_->load();
  setCentralWidget(tabs_);

  connect(runs_view_, &RunsView::open_requested, this, &MainWindow::open_run);
  connect(runs_view_, &RunsView::compare_requested, this, &MainWindow::compare_runs);
  connect(runs_view_, &RunsView::curves_requested, this, &MainWindow::show_curves);
  connect(runs_view_, &RunsView::selection_changed, this, &MainWindow::show_run_details);

  details_ = new QTextBrowser;
  details_->setObjectName("run_details");
  details_->setWordWrapMode(QTextOption::WordWrap);  // at word boundaries only, never mid-word
  auto* details_dock = new QDockWidget(tr("Run details"), this);
  details_dock->setObjectName("run_details_dock");
  details_dock->setWidget(details_);
  addDockWidget(Qt::RightDockWidgetArea, details_dock);
  resizeDocks({details_dock}, {270}, Qt::Horizontal);

  status_store_ = new QLabel;
  status_job_ = new QLabel;
  status_progress_ = new QProgressBar;
  status_progress_->setMaximumWidth(220);
  status_progress_->setRange(0, 1000);
  status_progress_->setTextVisible(true);
  status_cancel_ = new QToolButton;
  status_cancel_->setIcon(QIcon(":/icons/cancel.svg"));
  status_cancel_->setToolTip(tr("Cancel the running job"));
  status_cancel_->setAutoRaise(true);
  connect(status_cancel_, &QToolButton::clicked, jobs_, &JobRunner::cancel);
  statusBar()->addWidget(status_job_, 1);
  statusBar()->addPermanentWidget(status_progress_);
  statusBar()->addPermanentWidget(status_cancel_);
  statusBar()->addPermanentWidget(status_store_);
  status_progress_->hide();
  status_cancel_->hide();
  auto update_store_label = [this] {
    status_store_->setText(tr("%n run(s) in %1", nullptr, runs_model_->rowCount()).arg(QFileInfo(runs_model_->store_path()).fileName()));
    status_store_->setToolTip(runs_model_->store_path());
  };
  connect(runs_model_, &RunsModel::runs_changed, this, update_store_label);
  update_store_label();

  connect(jobs_, &JobRunner::started, this, &MainWindow::on_job_started);
  connect(jobs_, &JobRunner::progressed, this, &MainWindow::on_job_progress);
  connect(jobs_, &JobRunner::ended, this, &MainWindow::on_job_ended);
  connect(jobs_, &JobRunner::finished, this, [this](qint64 run_id) {
    runs_model_->refresh();
    statusBar()->showMessage(tr("Run %1 finished").arg(run_id), 8000);
  });
  connect(jobs_, &JobRunner::failed, this, [this](const QString& error) {
    runs_model_->refresh();
    statusBar()->showMessage(tr("Job failed: %1").arg(error), 15000);
    if (isVisible()) QMessageBox::warning(this, tr("Job failed"), error);
  });
  connect(jobs_, &JobRunner::cancelled, this, [this] {
    runs_model_->refresh();
    statusBar()->showMessage(tr("Job cancelled"), 8000);
  });

  build_menus();
  resize(1280, 820);
  restore_settings();
}

MainWindow::~MainWindow() = default;

void MainWindow::build_menus() {
  auto* file = menuBar()->addMenu(tr("&File"));
  auto* export_action = file->addAction(QIcon(":/icons/export.svg"), tr("&Export…"), this, &MainWindow::export_current);
  export_action->setShortcut(QKeySequence(tr("Ctrl+E")));
  export_action->setToolTip(tr("Export the current figure (PNG, SVG, PDF) or table (CSV)"));
  file->addSeparator();
  auto* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);

  auto* view = menuBar()->addMenu(tr("&View"));
  for (int i = 0; i < tabs_->count(); ++i) {
    QWidget* page = tabs_->widget(i);
    auto* a = view->addAction(tabs_->tabIcon(i), tabs_->tabText(i), this, [this, page] { tabs_->setCurrentWidget(page); });
    if (i < 10) a->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(i < 9 ? Qt::Key_1 + i : Qt::Key_0)));
  }
  view->addSeparator();
  auto* theme = view->addAction(QIcon(":/icons/theme.svg"), tr("&Dark theme"), this, &MainWindow::toggle_theme);
  theme->setShortcut(QKeySequence(tr("Ctrl+Shift+T")));
  theme->setCheckable(true);
  theme->setChecked(current_theme() == Theme::Dark);
  for (auto* dock : findChildren<QDockWidget*>()) view->addAction(dock->toggleViewAction());

  auto* runs = menuBar()->addMenu(tr("&Runs"));
  auto* open = runs->addAction(QIcon(":/icons/reliability.svg"), tr("&Open selected"), runs_view_, &RunsView::open_selected);
  open->setShortcut(QKeySequence(tr("Ctrl+O")));
  auto* refresh = runs->addAction(QIcon(":/icons/refresh.svg"), tr("&Refresh"), runs_model_, &RunsModel::refresh);
  refresh->setShortcut(QKeySequence::Refresh);
  auto* cancel = runs->addAction(QIcon(":/icons/cancel.svg"), tr("&Cancel job"), jobs_, &JobRunner::cancel);
  cancel->setShortcut(QKeySequence(tr("Ctrl+.")));
  auto* launch = runs->addAction(QIcon(":/icons/launch.svg"), tr("&New KNN-KG evaluation"), this, [this] { show_tab(LauncherTab); });
  launch->setShortcut(QKeySequence::New);
  auto* find = runs->addAction(QIcon(":/icons/search.svg"), tr("&Find gene in predictions"), this, [this] {
    show_tab(PredictionsTab);
    predictions_view_->focus_search();
  });
  find->setShortcut(QKeySequence::Find);
  auto* find_kg = runs->addAction(QIcon(":/icons/graph.svg"), tr("Find gene in the &knowledge graph"), this, [this] {
    show_tab(KgTab);
    kg_browser_->focus_search();
  });
  find_kg->setShortcut(QKeySequence(tr("Ctrl+G")));

  auto* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(QIcon(":/icons/about.svg"), tr("&About PerturbScope"), this, &MainWindow::about);
  help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);

  auto* toolbar = addToolBar(tr("Main"));
  toolbar->setObjectName("main_toolbar");
  toolbar->setIconSize(QSize(20, 20));
  toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
  toolbar->addAction(launch);
  toolbar->addAction(open);
  toolbar->addAction(refresh);
  toolbar->addAction(export_action);
  toolbar->addSeparator();
  toolbar->addAction(theme);
}

void MainWindow::show_tab(int tab) {
  QWidget* page = nullptr;
  switch (tab) {
    case RunsTab: page = runs_view_; break;
    case LauncherTab: page = launcher_page_; break;
    case ReliabilityTab: page = reliability_view_; break;
    case KgTab: page = kg_page_; break;
    case PredictionsTab: page = predictions_view_; break;
    case CurvesTab: page = curves_view_; break;
    case TracesTab: page = traces_view_; break;
    case TrainTab: page = train_launcher_; break;
    case TtcTab: page = ttc_view_; break;
    case CompareTab: page = compare_view_; break;
  }
  if (page) tabs_->setCurrentWidget(page);
}

void MainWindow::open_run(qint64 run_id) { load_runs({run_id}); }

void MainWindow::compare_runs(const QList<qint64>& ids) {
  if (ids.size() < 2) return;
  compare_view_->compare(ids);
  load_runs(ids, CompareTab);
}

void MainWindow::show_curves(const QList<qint64>& ids) {
  QList<qint64> with_curves;
  for (qint64 id : ids) {
    const int row = runs_model_->row_of(id);
    if (row >= 0 && runs_model_->run(row).kind != "knn") with_curves << id;
  }
  if (with_curves.isEmpty()) {
    statusBar()->showMessage(tr("KNN-KG runs log no training curves"), 8000);
    return;
  }
  curves_view_->show_runs(with_curves);
  show_tab(CurvesTab);
}

void MainWindow::load_runs(const QList<qint64>& ids, int tab) {
  const int request = ++load_request_;
  const std::string path = runs_model_->store_path().toStdString();
  statusBar()->showMessage(tr("Loading run %1…").arg(ids.first()));
  run_async<LoadedRuns>(this, [path, ids] {
    // A store connection of this thread's own (connections are per thread).
    ps::store::Store store(path);
    LoadedRuns loaded;
    loaded.ids = ids;
    for (qint64 id : ids) {
      auto curves = reliability_curves(store, id);
      for (auto& c : curves) {
        if (ids.size() == 1) c.label = c.cell_line;
        loaded.curves.push_back(std::move(c));
      }
    }
    loaded.predictions = store.predictions(ids.first());
    if (auto run = store.get_run(ids.first())) {
      // The run's own KNN settings, read by the one reader every view uses.
      try {
        loaded.knn = ps::kg::knn_config_of_run(run->config_json);
      } catch (const ps::Error& e) {
        loaded.knn_error = QString::fromUtf8(e.what());
      }
      // The threshold the run's F1 used (summary, else configuration).
      for (const auto* json : {&run->summary_json, &run->config_json}) {
        const QJsonObject o = QJsonDocument::fromJson(QByteArray::fromStdString(*json)).object();
        if (o.value("threshold").isDouble()) {
          loaded.threshold = o.value("threshold").toDouble();
          break;
        }
      }
    }
    return loaded;
  }, [this, request, tab](LoadedRuns loaded) {
    if (request != load_request_) return;  // a newer request superseded this one
    open_runs_ = loaded.ids;
    reliability_model_->set_curves(std::move(loaded.curves));
    predictions_model_->set_predictions(loaded.ids.first(), std::move(loaded.predictions), loaded.threshold);
    QStringList names;
    for (qint64 id : loaded.ids) names << QString::number(id);
    kg_browser_->set_knn_config(loaded.knn, tr("run %1").arg(loaded.ids.first()));
    if (!loaded.knn_error.isEmpty())
      statusBar()->showMessage(tr("Run %1: %2; the KG browser uses the default KNN settings").arg(loaded.ids.first()).arg(loaded.knn_error), 15000);
    else
      statusBar()->showMessage(tr("Opened run %1").arg(names.join(" + ")), 5000);
    setWindowTitle(loaded.ids.size() == 1 ? tr("Run %1").arg(names.first()) : tr("Runs %1").arg(names.join(" vs ")));
    std::set<QString> cells;
    for (int r = 0; r < predictions_model_->rowCount(); ++r) cells.insert(QString::fromStdString(predictions_model_->prediction(r).cell_line));
    for (const auto& c : cells) {
      if (kg_->is_ready()) kg_->request_cell_line(c);
      else pending_cells_ << c;
    }
    // KNN-KG runs log no curves: the Curves tab keeps what it shows
    QList<qint64> with_curves;
    for (qint64 id : loaded.ids)
      for (int r = 0; r < runs_model_->rowCount(); ++r)
        if (runs_model_->run(r).id == id && runs_model_->run(r).kind != "knn") with_curves << id;
    if (!with_curves.isEmpty()) curves_view_->show_runs(with_curves);
    traces_view_->open_run(loaded.ids.first());
    const int first_row = runs_model_->row_of(loaded.ids.first());
    const bool ttc = first_row >= 0 && runs_model_->run(first_row).kind == "ttc";
    if (ttc) ttc_view_->open_run(loaded.ids.first());
    show_tab(tab >= 0 ? tab : ttc ? TtcTab : ReliabilityTab);
    emit run_opened(loaded.ids);
  }, [this](QString error) {
    statusBar()->showMessage(tr("Cannot open the run: %1").arg(error), 15000);
  });
}

// A JSON object as a compact two-column table: numbers rounded, [lo, hi] pairs as
// intervals, nested objects flattened one level, long lists (bins, calibrator) left out.
// Keys are shown by their human-readable name (metric_names.h; the raw key as tooltip),
// numbers in the user's locale.
QString json_table(const std::string& json) {
  const QJsonObject o = QJsonDocument::fromJson(QByteArray::fromStdString(json)).object();
  if (o.isEmpty()) return QString("<p><i>–</i></p>");
  auto value_text = [](const QJsonValue& v) -> QString {
    if (v.isDouble()) {
      const double d = v.toDouble();
      return d == std::floor(d) && std::abs(d) < 1e9 ? QString::number(qint64(d)) : format_number(d, 4);
    }
    if (v.isString()) return v.toString().toHtmlEscaped();
    if (v.isBool()) return v.toBool() ? MainWindow::tr("yes") : MainWindow::tr("no");
    if (v.isNull()) return "–";
    if (v.isArray()) {
      const QJsonArray a = v.toArray();
      if (a.size() == 2 && a[0].isDouble() && a[1].isDouble()) return format_interval(a[0].toDouble(), a[1].toDouble(), 4);
      QStringList parts;
      for (const auto& x : a) {
        if (!x.isString() && !x.isDouble()) return QString();
        parts << (x.isString() ? x.toString() : QLocale().toString(x.toDouble()));
      }
      return parts.size() <= 8 ? parts.join(", ").toHtmlEscaped() : QString();
    }
    return QString();
  };
  auto row = [](const QString& key, const QString& value) {
    return QString("<tr><td title='%1'>%2</td><td align=right>%3</td></tr>")
        .arg(key.toHtmlEscaped(), metric_display_name(key).toHtmlEscaped(), value);
  };
  QString rows;
  for (auto it = o.begin(); it != o.end(); ++it) {
    if (it.value().isObject()) {
      const QJsonObject inner = it.value().toObject();
      for (auto jt = inner.begin(); jt != inner.end(); ++jt) {
        const QString t = value_text(jt.value());
        if (!t.isEmpty()) rows += row(it.key() + "." + jt.key(), t);
      }
      continue;
    }
    const QString t = value_text(it.value());
    if (!t.isEmpty()) rows += row(it.key(), t);
  }
  return "<table cellspacing=0 cellpadding=2 width='100%'>" + rows + "</table>";
}

void MainWindow::show_run_details(const QList<qint64>& ids) {
  QString html;
  for (qint64 id : ids) {
    const int row = runs_model_->row_of(id);
    if (row < 0) continue;
    const auto& r = runs_model_->run(row);
    html += tr("<h3>Run %1: %2</h3>").arg(r.id).arg(QString::fromStdString(r.name).toHtmlEscaped());
    html += tr("<p>%1 · %2<br>created %3<br>build %4</p>")
                .arg(QString::fromStdString(r.kind), run_status_word(r.status),
                     QString::fromStdString(r.created_at), QString::fromStdString(r.git_describe).toHtmlEscaped());
    if (!r.status_reason.empty() && r.status != ps::store::RunStatus::Finished)
      html += tr("<p><b>Reason:</b> %1</p>").arg(QString::fromStdString(r.status_reason).toHtmlEscaped());
    if (r.status == ps::store::RunStatus::Running && std::isfinite(r.progress))
      html += tr("<p><b>Progress:</b> %1 % %2</p>")
                  .arg(format_number(100 * r.progress, 0), QString::fromStdString(r.progress_message).toHtmlEscaped());
    if (!r.tags.empty()) {
      QStringList tags;
      for (const auto& t : r.tags) tags << QString::fromStdString(t).toHtmlEscaped();
      html += tr("<p><b>Tags:</b> %1</p>").arg(tags.join(", "));
    }
    if (!r.notes.empty())
      html += tr("<h4>Notes</h4>") + "<p style='white-space:pre-wrap'>" + QString::fromStdString(r.notes).toHtmlEscaped() + "</p>";
    html += tr("<h4>Summary</h4>") + json_table(r.summary_json);
    html += tr("<h4>Configuration</h4>") + json_table(r.config_json);
  }
  details_->setHtml(html.isEmpty() ? tr("<p><i>Select a run.</i></p>") : html);
}

void MainWindow::export_current() {
  QWidget* page = tabs_->currentWidget();
  if (page == reliability_view_) reliability_view_->export_figure();
  else if (page == predictions_view_) predictions_view_->export_csv();
  else if (page == runs_view_) runs_view_->export_csv();
  else if (page == kg_browser_) kg_browser_->export_figure();
  else if (page == curves_view_) curves_view_->export_figure();
  else if (page == traces_view_) traces_view_->export_csv();
  else if (page == ttc_view_) ttc_view_->export_figure();
  else if (page == compare_view_) compare_view_->export_csv();
  else if (auto* target = page ? page->findChild<QWidget*>("exportable") : nullptr) QMetaObject::invokeMethod(target, "export_figure");
}

void MainWindow::toggle_theme() {
  apply_theme(current_theme() == Theme::Dark ? Theme::Light : Theme::Dark);
  reliability_view_->rebuild();
  kg_browser_->rebuild_scene();
  QSettings().setValue("ui/theme", theme_name(current_theme()));
}

void MainWindow::about() {
  QMessageBox box(this);
  box.setWindowTitle(tr("About PerturbScope"));
  box.setIconPixmap(QIcon(":/icons/perturbscope.svg").pixmap(64, 64));
  box.setText(tr("<h2>PerturbScope %1</h2>"
                 "<p>A workbench for calibrated predictors of CRISPRi perturbation effects: "
                 "knowledge-graph neighbourhoods, KNN-KG predictions, reliability diagrams.</p>"
                 "<p>Build %2 · Qt %3</p>"
                 "<p>Data: PerturbQA (CC BY 4.0), STRING v12 (CC BY 4.0), Gene Ontology and NCBI Gene, Reactome (CC0).</p>")
                  .arg(QString::fromStdString(ps::version()), QString::fromStdString(ps::git_describe()), qVersion()));
  box.exec();
}

void MainWindow::on_job_started(const QString& title) {
  status_job_->setText(title);
  status_progress_->setValue(0);
  status_progress_->show();
  status_cancel_->show();
}

void MainWindow::on_job_progress(double fraction, double eta_seconds, const QString& message) {
  if (fraction < 0) {
    status_progress_->setRange(0, 0);
  } else {
    status_progress_->setRange(0, 1000);
    status_progress_->setValue(int(fraction * 1000));
  }
  const QString eta = format_eta(eta_seconds);
  status_job_->setText(eta.isEmpty() ? QString("%1 — %2").arg(jobs_->title(), message)
                                     : tr("%1 — %2 (%3 left)").arg(jobs_->title(), message, eta));
}

void MainWindow::on_job_ended() {
  status_progress_->hide();
  status_cancel_->hide();
  status_job_->clear();
}

void MainWindow::restore_settings() {
  QSettings s;
  restoreGeometry(s.value("window/geometry").toByteArray());
  restoreState(s.value("window/state").toByteArray());
  tabs_->setCurrentIndex(s.value("window/tab", 0).toInt());
}

void MainWindow::save_settings() {
  QSettings s;
  s.setValue("window/geometry", saveGeometry());
  s.setValue("window/state", saveState());
  s.setValue("window/tab", tabs_->currentIndex());
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (jobs_->running()) {
    if (QMessageBox::question(this, tr("Job running"), tr("A job is still running. Cancel it and quit?")) != QMessageBox::Yes) {
      event->ignore();
      return;
    }
    jobs_->cancel();
  }
  save_settings();
  event->accept();
}

}  // namespace ps::gui
