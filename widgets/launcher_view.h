// The Launcher tab: settings of a KNN-KG evaluation with validation beside each
// field, then the run on a worker thread with progress bar, ETA and cancel.
#pragma once
#include <QMap>
#include <QWidget>

#include "knn_launch.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace ps::gui {

class JobRunner;
class KgService;

class LauncherView : public QWidget {
  Q_OBJECT
 public:
  LauncherView(JobRunner* jobs, KgService* kg, const QString& store_path, QWidget* parent = nullptr);

  KnnLaunch launch() const;           // what the fields say
  void set_launch(const KnnLaunch& l);  // fill the fields
  QMap<QString, QString> errors() const;  // what the validation labels show
  QPushButton* run_button() const { return run_; }
  QPushButton* cancel_button() const { return cancel_; }
  QProgressBar* progress() const { return progress_; }
  QLabel* eta_label() const { return eta_; }
  QPlainTextEdit* log() const { return log_; }

 public slots:
  bool start();   // validates, then runs; false when invalid or busy

 signals:
  void run_finished(qint64 run_id);

 private:
  void revalidate();
  QLabel* error_label(const QString& field);

  JobRunner* jobs_;
  KgService* kg_;
  QString store_path_;
  QMap<QString, QCheckBox*> cells_;
  QSpinBox* k_;
  QDoubleSpinBox* w_string_;
  QDoubleSpinBox* w_go_;
  QDoubleSpinBox* w_reactome_;
  QLineEdit* csv_;
  QLineEdit* train_split_;
  QLineEdit* test_split_;
  QComboBox* calibration_;
  QSpinBox* bootstrap_;
  QCheckBox* signed_;
  QMap<QString, QLabel*> error_labels_;
  QPushButton* run_;
  QPushButton* cancel_;
  QProgressBar* progress_;
  QLabel* eta_;
  QLabel* message_;
  QPlainTextEdit* log_;
  bool mine_ = false;  // the running job was started here
};

}  // namespace ps::gui
