// Runs `work` on a fresh thread and delivers its result to `done` on the thread
// of `receiver` (the GUI thread), so reading the store or building a graph never
// blocks the event loop. If `receiver` is gone by then, the result is dropped.
#pragma once
#include <QObject>
#include <QPointer>
#include <QString>
#include <QThread>
#include <atomic>
#include <exception>
#include <functional>
#include <memory>
#include <optional>

namespace ps::gui {

// Background threads run niced (Linux keeps a nice value per thread), so a busy
// machine takes CPU from them before it takes it from the event loop.
void lower_thread_priority();

// Threads started by run_async that have not finished yet. Before the process
// exits, wait_for_background_work() lets them end: static destructors must not
// run under a live worker, so by default it waits as long as it takes (a graph
// build is seconds, but a niced thread on a loaded machine can take far longer).
std::atomic<int>& background_threads();
void wait_for_background_work(int timeout_ms = -1);  // -1: no limit

template <class T>
void run_async(QObject* receiver, std::function<T()> work, std::function<void(T)> done,
               std::function<void(QString)> failed = {}) {
  auto result = std::make_shared<std::optional<T>>();
  auto error = std::make_shared<QString>();
  // When the receiver is gone nobody takes the result: the worker frees it
  // itself, so a big one (a whole graph) is never destroyed on the GUI thread.
  auto alive = std::make_shared<std::atomic<bool>>(true);
  QObject::connect(receiver, &QObject::destroyed, [alive] { *alive = false; });
  background_threads()++;
  QThread* thread = QThread::create([result, error, alive, work = std::move(work)] {
    lower_thread_priority();
    try {
      *result = work();
    } catch (const std::exception& e) {
      *error = QString::fromUtf8(e.what());
    }
    if (!*alive) result->reset();
    background_threads()--;
  });
  QObject::connect(thread, &QThread::finished, thread, &QObject::deleteLater);
  QObject::connect(thread, &QThread::finished, receiver, [result, error, done = std::move(done), failed = std::move(failed)] {
    if (*result) done(std::move(**result));
    else if (failed) failed(*error);
  });
  thread->start();
}

}  // namespace ps::gui
