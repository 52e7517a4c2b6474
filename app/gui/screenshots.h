// `perturbscope --screenshots DIR`: opens the embedded default (the newest
// finished KNN-KG run on K562, evaluated first in the background when the store
// has none), shows it in every main view and saves DIR/<view>.png, then quits.
#pragma once
#include <QObject>
#include <QString>

namespace ps::gui {

class MainWindow;

class ScreenshotDriver : public QObject {
  Q_OBJECT
 public:
  ScreenshotDriver(MainWindow* window, const QString& dir);
  void start();

 private:
  void open_default();
  void when_opened();
  void wait_for_targets(int waited_ms);
  void render_all();
  void grab_all();
  void fail(const QString& why);
  MainWindow* window_;
  QString dir_;
  bool rendering_ = false;
  bool preparing_ = false;
  QList<qint64> compare_runs_;  // the Compare tab's runs (empty: its hint)
  bool compare_pending_ = false;
  int compare_waited_ms_ = 0;
};

}  // namespace ps::gui
