#include "screenshots.h"

#include <QApplication>
#include <QDir>
#include <QPixmap>
#include <QTabWidget>
#include <QTimer>
#include <cstdio>

#include "main_window.h"
#include "runs_model.h"
#include "runs_view.h"

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
    std::fprintf(stderr, "perturbscope: no KNN run on K562 in the store; rendering the empty views\n");
    render_all();
    return;
  }
  window_->runs_view()->select_runs({id});
  window_->open_run(id);
}

void ScreenshotDriver::when_opened() {
  // Let layouts, plots and lazy loads settle before grabbing.
  QTimer::singleShot(500, this, &ScreenshotDriver::render_all);
}

void ScreenshotDriver::render_all() {
  if (rendering_) return;
  rendering_ = true;
  const std::pair<int, const char*> views[] = {{MainWindow::RunsTab, "runs"},
                                               {MainWindow::LauncherTab, "launcher"},
                                               {MainWindow::ReliabilityTab, "reliability"},
                                               {MainWindow::KgTab, "kg_browser"},
                                               {MainWindow::PredictionsTab, "predictions"}};
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
