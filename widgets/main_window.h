// The workbench window: one tab per view (Runs, Launcher, Reliability, KG browser,
// Predictions, Curves, Traces, Train, TTC, Compare), a run-details dock, a status bar with the job's progress, and the
// menus and shortcuts. It owns the models; the views only draw them.
#pragma once
#include <QList>
#include <QMainWindow>
#include <string>

class QAction;
class QLabel;
class QProgressBar;
class QTabWidget;
class QTextBrowser;
class QToolButton;

namespace ps::gui {

class CompareView;
class CurvesModel;
class CurvesView;
class JobRunner;
class KgService;
class KgBrowser;
class LauncherView;
class PredictionsModel;
class PredictionsView;
class ReliabilityModel;
class ReliabilityView;
class RunsModel;
class RunsView;
class TracesView;
class TrainLauncher;
class TtcView;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  enum Tab { RunsTab, LauncherTab, ReliabilityTab, KgTab, PredictionsTab, CurvesTab, TracesTab, TrainTab, TtcTab, CompareTab };

  // Opens the store at `store_path` (throws ps::Error on a bad file).
  explicit MainWindow(const QString& store_path, QWidget* parent = nullptr);
  ~MainWindow() override;

  RunsModel* runs_model() const { return runs_model_; }
  RunsView* runs_view() const { return runs_view_; }
  LauncherView* launcher() const { return launcher_; }
  ReliabilityModel* reliability_model() const { return reliability_model_; }
  ReliabilityView* reliability_view() const { return reliability_view_; }
  KgBrowser* kg_browser() const { return kg_browser_; }
  PredictionsModel* predictions_model() const { return predictions_model_; }
  PredictionsView* predictions_view() const { return predictions_view_; }
  CurvesModel* curves_model() const { return curves_model_; }
  CurvesView* curves_view() const { return curves_view_; }
  TracesView* traces_view() const { return traces_view_; }
  TrainLauncher* train_launcher() const { return train_launcher_; }
  TtcView* ttc_view() const { return ttc_view_; }
  CompareView* compare_view() const { return compare_view_; }
  JobRunner* jobs() const { return jobs_; }
  KgService* kg() const { return kg_; }
  QTabWidget* tabs() const { return tabs_; }
  QList<qint64> open_runs() const { return open_runs_; }

 public slots:
  void open_run(qint64 run_id);                  // reliability + predictions of one run
  // Two or more runs: the Compare tab (reliability overlaid, metrics and paired differences against
  // ids[0]); the Reliability and Curves tabs show them all overlaid, the other views the first.
  void compare_runs(const QList<qint64>& ids);
  void show_curves(const QList<qint64>& ids);    // the runs' training curves overlaid (KNN-KG runs log none)
  void show_tab(int tab);
  void export_current();                        // the current tab's figure or table
  void toggle_theme();
  void about();

 signals:
  void run_opened(const QList<qint64>& run_ids);  // after its data has loaded

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void build_menus();
  void restore_settings();
  void save_settings();
  void load_runs(const QList<qint64>& ids, int tab = -1);  // tab: shown once loaded (-1: Reliability, or TTC)
  void show_run_details(const QList<qint64>& ids);
  void on_job_started(const QString& title);
  void on_job_progress(double fraction, double eta_seconds, const QString& message);
  void on_job_ended();

  RunsModel* runs_model_;
  ReliabilityModel* reliability_model_;
  PredictionsModel* predictions_model_;
  JobRunner* jobs_;
  KgService* kg_;
  QTabWidget* tabs_;
  RunsView* runs_view_;
  LauncherView* launcher_ = nullptr;
  ReliabilityView* reliability_view_;
  KgBrowser* kg_browser_ = nullptr;
  QWidget* launcher_page_ = nullptr;  // the same widgets, as tab pages
  QWidget* kg_page_ = nullptr;
  PredictionsView* predictions_view_;
  CurvesModel* curves_model_ = nullptr;
  CurvesView* curves_view_ = nullptr;
  TracesView* traces_view_ = nullptr;
  TrainLauncher* train_launcher_ = nullptr;
  TtcView* ttc_view_ = nullptr;
  CompareView* compare_view_ = nullptr;
  QTextBrowser* details_;
  QLabel* status_store_;
  QLabel* status_job_;
  QProgressBar* status_progress_;
  QToolButton* status_cancel_;
  QList<qint64> open_runs_;
  QStringList pending_cells_;  // cell lines to load once the graph is ready
  int load_request_ = 0;
};

// A run's summary or configuration JSON as the two-column table Run details shows:
// human-readable key names (metric_names.h), numbers in the user's locale.
QString json_table(const std::string& json);

}  // namespace ps::gui
