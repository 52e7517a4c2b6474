#include "train_job.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <algorithm>
#include <csignal>
#include <fstream>
#include <signal.h>
#include <string>

#include "async.h"
#include "store/store.h"

namespace ps::gui {

std::optional<ProgressLine> parse_progress_line(const QString& line) {
  static const QRegularExpression re(R"(^.+?:\s+(\d+(?:\.\d+)?)%(?:\s+\(ETA [^)]*\))?\s*(.*)$)");
  const auto m = re.match(line.trimmed());
  if (!m.hasMatch()) return std::nullopt;
  ProgressLine p;
  p.fraction = std::clamp(m.captured(1).toDouble() / 100.0, 0.0, 1.0);
  p.message = m.captured(2).trimmed();
  return p;
}

QString find_cli() {
  const QString env = qEnvironmentVariable("PERTURBSCOPE_CLI");
  if (!env.isEmpty() && QFileInfo(env).isExecutable()) return env;
  const QString app = QCoreApplication::applicationDirPath();
  for (const QString& dir : {app, app + "/..", app + "/../app"}) {
    const QString p = QDir(dir).filePath("perturbscope-cli");
    if (QFileInfo(p).isExecutable()) return QFileInfo(p).canonicalFilePath();
  }
  return QStandardPaths::findExecutable("perturbscope-cli");
}

QString find_configs_dir() {
  const QString env = qEnvironmentVariable("PERTURBSCOPE_CONFIGS");
  if (!env.isEmpty() && QFileInfo(env).isDir()) return env;
  QDir d(QCoreApplication::applicationDirPath());
  for (int up = 0; up < 5; ++up) {
    if (QFileInfo(d.filePath("configs/demo-sft.json")).exists()) return QFileInfo(d.filePath("configs")).canonicalFilePath();
    if (QFileInfo(d.filePath("share/perturbscope/configs")).isDir())
      return QFileInfo(d.filePath("share/perturbscope/configs")).canonicalFilePath();
    if (!d.cdUp()) break;
  }
  return {};
}

TrainJob::TrainJob(QString cli, QString store_path, QObject* parent)
    : QObject(parent), cli_(std::move(cli)), store_path_(std::move(store_path)) {
  timer_.setInterval(250);
  connect(&timer_, &QTimer::timeout, this, &TrainJob::poll);
}

TrainJob::~TrainJob() = default;

qint64 find_child_run(const std::vector<ps::store::Run>& runs, qint64 pid, const std::string& kind,
                      const QDateTime& started, qint64 resumed) {
  const QDateTime since = started.isValid() ? started.toUTC().addSecs(-1) : QDateTime();
  qint64 newest = 0;
  for (const auto& r : runs) {  // newest first
    if (r.pid != pid) continue;
    if (since.isValid() && r.id != resumed) {
      // the store writes UTC with a "Z" ("2026-11-29T23:12:27.123Z"), which the parse honours
      const QDateTime created = QDateTime::fromString(QString::fromStdString(r.created_at), Qt::ISODateWithMs);
      if (!created.isValid()) continue;
      if (created < since) continue;  // from before the job: a reused pid
    }
    if (!newest) newest = r.id;
    if (r.kind == kind) return r.id;
  }
  if (kind == "sweep" || kind == "eval" || kind == "ttc") return 0;  // its own run is not written yet
  return newest;
}

bool TrainJob::start(const QStringList& args, const QString& log_path) {
  if (cli_.isEmpty()) {
    error_ = tr("perturbscope-cli not found (set PERTURBSCOPE_CLI)");
    return false;
  }
  log_path_ = log_path;
  QDir().mkpath(QFileInfo(log_path).absolutePath());
  QProcess p;
  p.setProgram(cli_);
  p.setArguments(args + QStringList{"--store", store_path_});
  p.setStandardErrorFile(log_path, QIODevice::Append);
  p.setStandardOutputFile(log_path, QIODevice::Append);
  auto env = QProcessEnvironment::systemEnvironment();
  env.insert("PERTURBSCOPE_PROGRESS", "lines");
  p.setProcessEnvironment(env);
  qint64 pid = 0;
  started_ = QDateTime::currentDateTimeUtc();
  const int resume_at = args.indexOf("--resume");
  resumed_ = resume_at >= 0 && resume_at + 1 < args.size() ? args[resume_at + 1].toLongLong() : 0;
  if (!p.startDetached(&pid)) {
    error_ = tr("cannot start %1: %2").arg(cli_, p.errorString());
    return false;
  }
  pid_ = pid;
  done_ = false;
  timer_.start();
  return true;
}

void TrainJob::attach(qint64 pid, qint64 run_id) {
  pid_ = pid;
  run_id_ = run_id;
  started_ = QDateTime();  // unknown: any run of the pid (the caller usually knows run_id)
  resumed_ = 0;
  done_ = false;
  log_path_.clear();
  timer_.start();
}

void TrainJob::cancel() {
  if (pid_ > 0 && running()) ::kill(pid_t(pid_), SIGINT);
}

bool TrainJob::running() const {
  if (pid_ <= 0 || done_) return false;
  if (::kill(pid_t(pid_), 0) != 0) return false;
  // a detached child is reparented to init; a zombie still counts as gone
  std::ifstream in("/proc/" + std::to_string(pid_) + "/stat");
  std::string s;
  if (!std::getline(in, s)) return false;
  const auto close = s.rfind(')');
  return close == std::string::npos || close + 2 >= s.size() || s[close + 2] != 'Z';
}

void TrainJob::poll() {
  // new log text (a few lines a second: read on the GUI thread, no blocking)
  QFile f(log_path_);
  if (!log_path_.isEmpty() && f.open(QIODevice::ReadOnly) && f.size() > log_offset_) {
    f.seek(log_offset_);
    const QByteArray bytes = f.readAll();
    const int last_nl = bytes.lastIndexOf('\n');
    if (last_nl >= 0) {
      const QString text = QString::fromUtf8(bytes.left(last_nl + 1));
      log_offset_ += last_nl + 1;
      log_ += text;
      emit log_appended(text);
      for (const QString& line : text.split('\n', Qt::SkipEmptyParts))
        if (auto pl = parse_progress_line(line)) emit progressed(pl->fraction, pl->message);
    }
  }
  const bool alive = running();
  if ((run_id_ == 0 || !alive) && !finding_) {
    finding_ = true;
    const QString path = store_path_;
    const qint64 pid = pid_, known = run_id_;
    const std::string kind = kind_.toStdString();
    const QDateTime started = started_;
    const qint64 resumed = resumed_;
    run_async<std::pair<qint64, QString>>(
        this,
        [path, pid, known, kind, started, resumed] {
          ps::store::Store st(path.toStdString());
          const qint64 id = known ? known : find_child_run(st.list_runs(), pid, kind, started, resumed);
          QString status;
          if (id)
            if (auto r = st.get_run(id)) status = QString::fromStdString(ps::store::to_string(r->status));
          return std::make_pair(id, status);
        },
        [this, alive](std::pair<qint64, QString> r) {
          finding_ = false;
          if (r.first && !run_id_) {
            run_id_ = r.first;
            emit run_found(run_id_);
          }
          if (!alive && !done_) {
            done_ = true;
            timer_.stop();
            emit ended(r.second.isEmpty() || r.second == "running" ? QString("exited") : r.second);
          }
        },
        [this](const QString&) { finding_ = false; });
  }
}

}  // namespace ps::gui
