#include "curves_model.h"

#include <QThread>
#include <limits>
#include <algorithm>
#include <cmath>

#include "async.h"
#include "store/store.h"

namespace ps::gui {

std::vector<double> ema_smooth(const std::vector<double>& values, double weight) {
  weight = std::clamp(weight, 0.0, 0.999);
  std::vector<double> out(values.size(), NAN);
  double s = 0;
  int n = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) continue;
    s = weight * s + (1 - weight) * values[i];
    ++n;
    const double debias = 1 - std::pow(weight, n);
    out[i] = debias > 0 ? s / debias : values[i];
  }
  return out;
}

std::vector<double> wall_times(const SeriesPoints& step_time, const std::vector<double>& steps) {
  if (step_time.steps.empty()) return {};
  // cumulative[i]: seconds at the end of step step_time.steps[i]
  std::vector<double> cumulative(step_time.steps.size());
  double sum = 0;
  for (size_t i = 0; i < step_time.steps.size(); ++i) {
    if (std::isfinite(step_time.values[i])) sum += step_time.values[i];
    cumulative[i] = sum;
  }
  std::vector<double> out(steps.size());
  for (size_t i = 0; i < steps.size(); ++i) {
    // the last logged step at or before this one; before the first step: 0 s
    auto it = std::upper_bound(step_time.steps.begin(), step_time.steps.end(), steps[i]);
    out[i] = it == step_time.steps.begin() ? 0.0 : cumulative[size_t(it - step_time.steps.begin()) - 1];
  }
  return out;
}

// ------------------------------------------------------------------------------------------------

MetricsPoller::MetricsPoller(QString store_path) : path_(std::move(store_path)) {}
MetricsPoller::~MetricsPoller() = default;

void MetricsPoller::poll(const QList<qint64>& runs) {
  MetricsDelta delta;
  try {
    if (!store_) store_ = std::make_unique<ps::store::Store>(path_.toStdString());
    const int64_t change = store_->change_counter();
    if (change == last_change_ && runs == last_runs_) {
      emit polled(delta);  // nothing written since the last poll
      return;
    }
    for (auto it = state_.begin(); it != state_.end();) it = runs.contains(it->first) ? std::next(it) : state_.erase(it);
    for (qint64 run : runs) {
      RunState& st = state_[run];
      const int64_t count = store_->metric_count(run);
      const bool fresh = !st.seen;
      if (count < st.count || fresh) {  // first read, or points were dropped (a resumed job)
        st = RunState{};
        st.seen = true;
        delta.reset.insert(run);
        delta.points[run];  // present even when the run has no metrics yet
      }
      if (count == st.count && !fresh) continue;
      for (const std::string& name : store_->metric_names(run)) {
        auto last = st.last_step.find(name);
        const int64_t after = last == st.last_step.end() ? std::numeric_limits<int64_t>::min() : last->second;
        auto pts = store_->metrics_after(run, name, after);
        if (pts.empty()) continue;
        SeriesPoints& sp = delta.points[run][name];
        sp.steps.reserve(pts.size());
        sp.values.reserve(pts.size());
        for (const auto& p : pts) {
          sp.steps.push_back(static_cast<double>(p.step));
          sp.values.push_back(p.value);
        }
        st.last_step[name] = pts.back().step;
        st.count += static_cast<int64_t>(pts.size());
      }
    }
    last_change_ = change;
    last_runs_ = runs;
  } catch (const std::exception& e) {
    delta.error = QString::fromUtf8(e.what());
    last_change_ = -1;
  }
  emit polled(delta);
}

// ------------------------------------------------------------------------------------------------

CurvesModel::CurvesModel(const QString& store_path, QObject* parent)
    : QObject(parent), path_(store_path), thread_(new QThread), poller_(new MetricsPoller(store_path)) {
  qRegisterMetaType<ps::gui::MetricsDelta>();
  qRegisterMetaType<QList<qint64>>();
  poller_->moveToThread(thread_);
  connect(thread_, &QThread::started, [] { lower_thread_priority(); });
  connect(thread_, &QThread::finished, poller_, &QObject::deleteLater);
  connect(poller_, &MetricsPoller::polled, this, &CurvesModel::on_polled, Qt::QueuedConnection);
  thread_->start();
  timer_.setInterval(500);
  connect(&timer_, &QTimer::timeout, this, &CurvesModel::poll_now);
}

CurvesModel::~CurvesModel() {
  timer_.stop();
  thread_->quit();
  thread_->wait();
  delete thread_;
}

void CurvesModel::set_runs(const QList<qint64>& runs) {
  runs_ = runs;
  for (auto it = data_.begin(); it != data_.end();) it = runs.contains(it->first) ? std::next(it) : data_.erase(it);
  emit changed({}, {}, true, {});
  if (!timer_.isActive() && !runs.isEmpty()) timer_.start();
  poll_now();
}

void CurvesModel::set_poll_interval(int ms) { timer_.setInterval(ms); }

void CurvesModel::poll_now() {
  if (in_flight_ || runs_.isEmpty()) return;
  in_flight_ = true;
  const QList<qint64> runs = runs_;
  QMetaObject::invokeMethod(poller_, [p = poller_, runs] { p->poll(runs); }, Qt::QueuedConnection);
}

const std::map<std::string, SeriesPoints>& CurvesModel::series(qint64 run) const {
  static const std::map<std::string, SeriesPoints> none;
  auto it = data_.find(run);
  return it == data_.end() ? none : it->second;
}

QStringList CurvesModel::metric_names() const {
  QSet<QString> names;
  for (const auto& [run, series] : data_)
    for (const auto& [name, pts] : series) names.insert(QString::fromStdString(name));
  QStringList out(names.begin(), names.end());
  out.sort();
  return out;
}

int64_t CurvesModel::point_count() const {
  int64_t n = 0;
  for (const auto& [run, series] : data_)
    for (const auto& [name, pts] : series) n += static_cast<int64_t>(pts.steps.size());
  return n;
}

void CurvesModel::on_polled(const MetricsDelta& delta) {
  in_flight_ = false;
  ++polls_done_;
  last_error_ = delta.error;
  QSet<qint64> runs;
  QSet<QString> names;
  bool names_added = false;
  QSet<qint64> reset;
  for (const auto& [run, series] : delta.points) {
    if (!runs_.contains(run)) continue;  // removed while the poll ran
    auto& mine = data_[run];
    if (delta.reset.contains(run)) {
      mine.clear();
      reset.insert(run);
      names_added = true;
    }
    runs.insert(run);
    for (const auto& [name, pts] : series) {
      auto it = mine.find(name);
      if (it == mine.end()) {
        it = mine.emplace(name, SeriesPoints{}).first;
        names_added = true;
      }
      it->second.steps.insert(it->second.steps.end(), pts.steps.begin(), pts.steps.end());
      it->second.values.insert(it->second.values.end(), pts.values.begin(), pts.values.end());
      names.insert(QString::fromStdString(name));
    }
  }
  if (!runs.isEmpty()) emit changed(runs, names, names_added, reset);
}

}  // namespace ps::gui
