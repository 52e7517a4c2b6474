// Runs `work` on a fresh thread and delivers its result to `done` on the thread
// of `receiver` (the GUI thread), so reading the store or building a graph never
// blocks the event loop. If `receiver` is gone by then, the result is dropped.
#pragma once
#include <QObject>
#include <QPointer>
#include <QString>
#include <QThread>
#include <exception>
#include <functional>
#include <memory>
#include <optional>

namespace ps::gui {

// Background threads run niced (Linux keeps a nice value per thread), so a busy
// machine takes CPU from them before it takes it from the event loop.
void lower_thread_priority();

template <class T>
void run_async(QObject* receiver, std::function<T()> work, std::function<void(T)> done,
               std::function<void(QString)> failed = {}) {
  auto result = std::make_shared<std::optional<T>>();
  auto error = std::make_shared<QString>();
  QThread* thread = QThread::create([result, error, work = std::move(work)] {
    lower_thread_priority();
    try {
      *result = work();
    } catch (const std::exception& e) {
      *error = QString::fromUtf8(e.what());
    }
  });
  QObject::connect(thread, &QThread::finished, thread, &QObject::deleteLater);
  QObject::connect(thread, &QThread::finished, receiver, [result, error, done = std::move(done), failed = std::move(failed)] {
    if (*result) done(std::move(**result));
    else if (failed) failed(*error);
  });
  thread->start();
}

}  // namespace ps::gui
