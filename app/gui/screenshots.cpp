#include "screenshots.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QPixmap>
#include <QTabWidget>
#include <QComboBox>
#include <QTableView>
#include <QTimer>
#include <algorithm>
#include <cstdio>

#include "kg_browser.h"
#include "job_runner.h"
#include "kg_service.h"
#include "launcher_view.h"
#include "main_window.h"
#include "predictions_model.h"
#include "predictions_view.h"
#include "runs_model.h"
#include "runs_view.h"
#include "curves_view.h"
#include "store/store.h"
#include "traces_model.h"
#include "traces_view.h"
#include "ttc_view.h"
#include "compare_view.h"
#include <nlohmann/json.hpp>

namespace ps::gui {

ScreenshotDriver::ScreenshotDriver(MainWindow* window, const QString& dir) : QObject(window), window_(window), dir_(dir) {}

void ScreenshotDriver::start() {
  if (!QDir().mkpath(dir_)) {
    fail(tr("cannot create %1").arg(dir_));
    return;
  }
  window_->resize(1440, 900);
  window_->show();
  connect(window_, &MainWindow::run_opened, this, &ScreenshotDriver::when_opened);
  // A safety net: never hang a test or a script.
  QTimer::singleShot(240000, this, [this] { fail(tr("timed out")); });
  QTimer::singleShot(0, this, &ScreenshotDriver::open_default);
}

// The newest finished KNN run on K562.
static qint64 default_run(RunsModel* runs) {
  for (int row = 0; row < runs->rowCount(); ++row) {
    const auto& r = runs->run(row);
    if (r.kind == "knn" && r.status == ps::store::RunStatus::Finished && run_cell_lines(r).contains("k562", Qt::CaseInsensitive))
      return r.id;
  }
  return 0;
}

void ScreenshotDriver::open_default() {
  const qint64 id = default_run(window_->runs_model());
  if (id == 0) {
    // No run yet: evaluate the embedded default (KNN-KG on K562) in the background.
    std::fprintf(stderr, "perturbscope: no KNN run on K562 in the store; evaluating it first\n");
    LauncherView* launcher = window_->launcher();
    launcher->set_launch(KnnLaunch{});
    connect(launcher, &LauncherView::run_finished, this, [this](qint64 run) {
      window_->runs_view()->select_runs({run});
      window_->open_run(run);
    });
    connect(window_->jobs(), &JobRunner::failed, this, [this](const QString& e) { fail(e); });
    window_->show_tab(MainWindow::LauncherTab);
    if (!launcher->start()) fail(tr("cannot start the default evaluation"));
    return;
  }
  window_->runs_view()->select_runs({id});
  window_->open_run(id);
}

// Wait for the graph, centre the browser on the most confident correct DE call's
// perturber, select that pair in the prediction table, then grab every view.
void ScreenshotDriver::when_opened() {
  KgService* kg = window_->kg();
  if (!kg->is_ready() && kg->is_loading()) {
    connect(kg, &KgService::ready, this, &ScreenshotDriver::when_opened, Qt::SingleShotConnection);
    connect(kg, &KgService::failed, this, &ScreenshotDriver::render_all, Qt::SingleShotConnection);
    return;
  }
  if (!kg->is_ready()) {
    render_all();
    return;
  }
  // The review shows the confident mistakes, most confident first; the KG browser
  // explains the first of them: the perturber's neighbourhood and its voters.
  PredictionsModel* preds = window_->predictions_model();
  PredictionsView* view = window_->predictions_view();
  QString perturber = "TP53", target;
  if (preds->rowCount() > 0) {
    view->set_quick_filter(PredictionsFilter::ConfidentAndWrong);
    if (view->filter()->rowCount() == 0) view->set_quick_filter(PredictionsFilter::All);
    view->table()->sortByColumn(PredictionsModel::Probability, Qt::DescendingOrder);
    view->table()->selectRow(0);
    const QModelIndex first = view->filter()->index(0, 0);
    perturber = first.siblingAtColumn(PredictionsModel::Perturber).data().toString();
    target = first.siblingAtColumn(PredictionsModel::Target).data().toString();
  }
  KgBrowser* browser = window_->kg_browser();
  connect(browser, &KgBrowser::centred, this, [this, browser, target] {
    if (target.isEmpty()) {
      QTimer::singleShot(300, this, &ScreenshotDriver::render_all);
      return;
    }
    connect(browser, &KgBrowser::predicted, this, [this] { wait_for_targets(0); }, Qt::SingleShotConnection);
    browser->predict_target(target);
    QTimer::singleShot(60000, this, &ScreenshotDriver::render_all);  // prediction unavailable: grab anyway
  }, Qt::SingleShotConnection);
  browser->set_cell_line("k562");
  if (!browser->show_gene(perturber)) render_all();
}

// The "Target in train" column fills once the cell line's training pairs are read.
void ScreenshotDriver::wait_for_targets(int waited_ms) {
  PredictionsModel* preds = window_->predictions_model();
  const bool known = preds->rowCount() == 0 || preds->index(0, PredictionsModel::TargetInTrain).data(Qt::EditRole).isValid();
  if (known || waited_ms > 20000) {
    QTimer::singleShot(300, this, &ScreenshotDriver::render_all);
    return;
  }
  QTimer::singleShot(200, this, [this, waited_ms] { wait_for_targets(waited_ms + 200); });
}

// The Curves, Traces and TTC tabs show the newest training, evaluation or TTC run of the store
// (the embedded default is a KNN-KG run, which logs no curves, traces or TTC points): its
// headline curves, its most confident mistake, its Pareto plot. Without such a run they show their hints.
void ScreenshotDriver::render_all() {
  if (rendering_ || preparing_) return;
  preparing_ = true;
  qint64 curves_run = 0, traces_run = 0, ttc_run = 0;
  try {
    ps::store::Store store(window_->runs_model()->store_path().toStdString());
    // newest first, finished runs before running ones (a finished run's curves are whole)
    auto runs = store.list_runs();
    std::stable_partition(runs.begin(), runs.end(), [](const auto& r) { return r.status == ps::store::RunStatus::Finished; });
    for (const auto& r : runs) {
      if (r.kind == "knn") continue;
      if (!curves_run && store.metric_count(r.id) > 0) curves_run = r.id;
      if (!traces_run && (r.kind == "eval" || r.kind == "sft" || r.kind == "grpo" || r.kind == "pipeline" || r.kind == "ttc")) {
        const auto preds = store.predictions(r.id);
        if (!preds.empty() && !preds.front().trace.empty()) traces_run = r.id;
      }
      if (!ttc_run && r.kind == "ttc" && r.summary_json.find("\"strategies\"") != std::string::npos) ttc_run = r.id;
      if (curves_run && traces_run && ttc_run) break;
    }
    // Compare: the newest finished GRPO run's SFT start and every finished GRPO arm from it
    // (the embedded default's SFT vs RLCR vs RLVR), at most five runs.
    for (const auto& r : runs) {
      if (r.kind != "grpo" || r.status != ps::store::RunStatus::Finished) continue;
      const auto sft_of = [](const ps::store::Run& g) -> int64_t {
        const auto c = nlohmann::json::parse(g.config_json, nullptr, false);
        if (!c.is_object() || !c.contains("init") || !c["init"].is_object()) return 0;
        const auto& i = c["init"];
        return i.contains("sft_run") && i["sft_run"].is_number_integer() ? i["sft_run"].get<int64_t>() : 0;
      };
      const int64_t sft = sft_of(r);
      if (!sft) continue;
      compare_runs_ = {sft};
      for (const auto& g : runs)
        if (g.kind == "grpo" && g.status == ps::store::RunStatus::Finished && sft_of(g) == sft && compare_runs_.size() < 5)
          compare_runs_ << g.id;
      std::sort(compare_runs_.begin(), compare_runs_.end());
      break;
    }
    if (compare_runs_.size() < 2) compare_runs_.clear();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "perturbscope --screenshots: %s\n", e.what());
  }
  if (curves_run) {
    window_->curves_view()->show_runs({curves_run});
    window_->curves_view()->set_metrics({"loss", "reward", "val/f1", "val/ece"});
  }
  if (traces_run) {
    connect(window_->traces_view(), &TracesView::loaded, this, [this] {
      TracesView* t = window_->traces_view();
      t->quick_filter()->setCurrentIndex(t->quick_filter()->findData(TracesFilter::ConfidentAndWrong));
      if (t->filter()->rowCount() == 0) t->quick_filter()->setCurrentIndex(0);
      t->select_row(0);
    }, Qt::SingleShotConnection);
    window_->traces_view()->open_run(traces_run);
  }
  if (ttc_run) window_->ttc_view()->open_run(ttc_run);
  if (!compare_runs_.isEmpty()) {
    compare_pending_ = true;
    auto done = [this] { compare_pending_ = false; };
    connect(window_->compare_view(), &CompareView::compared, this, done, Qt::SingleShotConnection);
    connect(window_->compare_view(), &CompareView::failed, this, done, Qt::SingleShotConnection);
    window_->compare_view()->compare(compare_runs_);
  }
  // the curves poll the store on their own thread; give them, the traces and the TTC run a moment
  QTimer::singleShot(curves_run || traces_run || ttc_run ? 2000 : 0, this, &ScreenshotDriver::grab_all);
}

void ScreenshotDriver::grab_all() {
  if (rendering_) return;
  if (compare_pending_ && compare_waited_ms_ < 120000) {  // the comparison's bootstrap runs off the GUI thread
    compare_waited_ms_ += 200;
    QTimer::singleShot(200, this, &ScreenshotDriver::grab_all);
    return;
  }
  rendering_ = true;
  const std::pair<int, const char*> views[] = {{MainWindow::RunsTab, "runs"},
                                               {MainWindow::LauncherTab, "launcher"},
                                               {MainWindow::ReliabilityTab, "reliability"},
                                               {MainWindow::KgTab, "kg_browser"},
                                               {MainWindow::PredictionsTab, "predictions"},
                                               {MainWindow::CurvesTab, "curves"},
                                               {MainWindow::TracesTab, "traces"},
                                               {MainWindow::TrainTab, "train"},
                                               {MainWindow::TtcTab, "ttc"},
                                               {MainWindow::CompareTab, "compare"}};
  int saved = 0;
  for (const auto& [tab, name] : views) {
    QWidget* before = window_->tabs()->currentWidget();
    window_->show_tab(tab);
    if (window_->tabs()->currentWidget() == before && tab != MainWindow::RunsTab) continue;  // view not built
    QApplication::processEvents();
    const QString path = QDir(dir_).filePath(QString(name) + ".png");
    if (!window_->grab().save(path)) {
      fail(tr("cannot write %1").arg(path));
      return;
    }
    std::printf("%s\n", qPrintable(path));
    ++saved;
  }
  std::fflush(stdout);
  QApplication::exit(saved > 0 ? 0 : 1);
}

void ScreenshotDriver::fail(const QString& why) {
  std::fprintf(stderr, "perturbscope --screenshots: %s\n", qPrintable(why));
  QApplication::exit(1);
}

}  // namespace ps::gui
