#include "job_runner.h"

#include "async.h"

#include <QMetaObject>
#include <QElapsedTimer>
#include <QThread>
#include <cmath>
#include <exception>
#ifdef __linux__
#include <sys/resource.h>
#endif

namespace ps::gui {

JobRunner::JobRunner(QObject* parent) : QObject(parent) {}

JobRunner::~JobRunner() {
  if (thread_) {
    context_->cancel();
    thread_->wait();
    delete thread_;
  }
}

bool JobRunner::start(const QString& title, Work work) {
  if (thread_) return false;
  title_ = title;
  // The progress callback runs on the worker: emitting from there queues the
  // signal into the GUI thread, where the receivers live.
  context_ = std::make_shared<ps::jobs::JobContext>([this](const ps::jobs::Progress& p) {
    emit progressed(p.fraction, p.eta_seconds, QString::fromStdString(p.message));
  });
  auto context = context_;
  thread_ = QThread::create([this, context, work = std::move(work)] {
    enum { Done, Failed, Cancelled } outcome = Done;
    qint64 run_id = 0;
    QString error;
    lower_thread_priority();
    try {
      run_id = work(*context);
      if (context->cancelled()) outcome = Cancelled;
    } catch (const ps::jobs::Cancelled&) {
      outcome = Cancelled;
    } catch (const std::exception& e) {
      outcome = Failed;
      error = QString::fromUtf8(e.what());
    }
    QMetaObject::invokeMethod(this, [this, outcome, run_id, error] {
      thread_->wait();
      thread_->deleteLater();
      thread_ = nullptr;
      context_.reset();
      if (outcome == Done) emit finished(run_id);
      else if (outcome == Cancelled) emit cancelled();
      else emit failed(error);
      emit ended();
    }, Qt::QueuedConnection);
  });
  thread_->setObjectName("perturbscope-job");
  emit started(title_);
  thread_->start(QThread::LowPriority);
  return true;
}

void JobRunner::cancel() {
  if (context_) context_->cancel();
}

std::atomic<int>& background_threads() {
  static std::atomic<int> count{0};
  return count;
}

void wait_for_background_work(int timeout_ms) {
  QElapsedTimer t;
  t.start();
  while (background_threads() > 0 && (timeout_ms < 0 || t.elapsed() < timeout_ms)) QThread::msleep(10);
}

void lower_thread_priority() {
#ifdef __linux__
  // On Linux PRIO_PROCESS with who = 0 sets the nice value of the calling thread only.
  setpriority(PRIO_PROCESS, 0, 10);
#endif
}

QString format_eta(double seconds) {
  if (seconds < 0 || !std::isfinite(seconds)) return {};
  const long s = std::lround(seconds);
  if (s >= 3600) return QObject::tr("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60, 2, 10, QChar('0'));
  if (s >= 60) return QObject::tr("%1 min %2 s").arg(s / 60).arg(s % 60);
  return QObject::tr("%1 s").arg(s);
}

}  // namespace ps::gui
