// Runs one core job (a ps::jobs::JobContext function) on a worker QThread and
// reports to the GUI only through queued signals: progress, ETA, the run it
// wrote, failure or cancellation. cancel() is safe from the GUI thread.
#pragma once
#include <QObject>
#include <QString>
#include <functional>
#include <memory>

#include "jobs/job.h"

class QThread;

namespace ps::gui {

class JobRunner : public QObject {
  Q_OBJECT
 public:
  // Returns the id of the store run the job wrote (0 if none). Runs on the worker
  // thread: it must open its own Store and must not touch any widget.
  using Work = std::function<qint64(ps::jobs::JobContext&)>;

  explicit JobRunner(QObject* parent = nullptr);
  ~JobRunner() override;  // cancels and waits for a running job

  bool start(const QString& title, Work work);  // false while another job runs
  bool running() const { return thread_ != nullptr; }
  QString title() const { return title_; }

 public slots:
  void cancel();

 signals:
  void started(const QString& title);
  void progressed(double fraction, double eta_seconds, const QString& message);
  void finished(qint64 run_id);
  void failed(const QString& error);
  void cancelled();
  void ended();  // after any of the three above

 private:
  QThread* thread_ = nullptr;
  std::shared_ptr<ps::jobs::JobContext> context_;
  QString title_;
};

// "1 h 02 min", "3 min 10 s", "12 s"; empty when unknown (< 0).
QString format_eta(double seconds);

}  // namespace ps::gui
