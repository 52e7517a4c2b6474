#include "train_launcher.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDoubleValidator>
#include <QFile>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QIntValidator>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QTemporaryFile>
#include <QVBoxLayout>
#include <fstream>

#include <signal.h>
#include <unistd.h>

#include "async.h"
#include "store/store.h"
#include "train_job.h"

namespace ps::gui {

namespace {
constexpr const char* kJsonRole = "json_kind";  // property: "bool", "int", "double", "string", "strings", "json"

QString path_join(const QString& prefix, const std::string& key) {
  return prefix.isEmpty() ? QString::fromStdString(key) : prefix + "." + QString::fromStdString(key);
}

// The config structs' field comments (generated from the headers, cmake/ConfigDocs.cmake).
struct FieldDoc {
  const char* type;
  const char* field;
  const char* doc;
};
const FieldDoc kFieldDocs[] = {
#include "config_docs.inc"
};

// The documentation of a JSON path: its section's struct first ("optim.lr" -> OptimConfig::lr),
// else any struct with a field of that name; "" when none is documented.
QString field_doc(const QString& path, const QString& kind) {
  static const QMap<QString, QString> section_struct{
      {"data", "DataConfig"},     {"teacher", "TeacherConfig"}, {"tokenizer", "TokenizerSpec"}, {"model", "ModelSpec"},
      {"optim", "OptimConfig"},   {"eval", "EvalConfig"},       {"train", "SftLoopConfig"},     {"grpo", "GrpoKnobs"},
      {"init", "GrpoInit"},       {"prompt", "PromptConfig"},   {"lora", "LoraConfig"}};
  const QStringList parts = path.split('.');
  const QString leaf = parts.back();
  QString type = parts.size() > 1 ? section_struct.value(parts[parts.size() - 2])
                                  : (kind == "grpo" ? QString("GrpoConfig") : QString("SftConfig"));
  for (const auto& d : kFieldDocs)
    if (type == d.type && leaf == d.field) return QString::fromUtf8(d.doc);
  for (const auto& d : kFieldDocs)
    if (leaf == d.field) return QString::fromUtf8(d.doc);
  return {};
}

bool all_strings(const nlohmann::json& a) {
  for (const auto& e : a)
    if (!e.is_string()) return false;
  return true;
}
}  // namespace

TrainLauncher::TrainLauncher(const QString& store_path, QWidget* parent)
    : QWidget(parent), store_path_(store_path), cli_(find_cli()) {
  kind_ = new QComboBox;
  kind_->setObjectName("train_kind");
  kind_->addItem(tr("SFT"), "sft");
  kind_->addItem(tr("GRPO"), "grpo");
  kind_->addItem(tr("Pipeline (SFT → GRPO arms)"), "pipeline");
  presets_ = new QComboBox;
  presets_->setObjectName("train_presets");
  scroll_ = new QScrollArea;
  scroll_->setWidgetResizable(true);
  general_error_ = new QLabel;
  general_error_->setObjectName("train_error");
  general_error_->setWordWrap(true);
  general_error_->setStyleSheet("color:#c0392b");
  validate_ = new QPushButton(tr("Validate"));
  start_ = new QPushButton(QIcon(":/icons/launch.svg"), tr("Start"));
  start_->setObjectName("train_start");
  cancel_ = new QPushButton(tr("Cancel"));
  cancel_->setEnabled(false);
  resume_ = new QPushButton(tr("Resume run"));
  resume_run_ = new QSpinBox;
  resume_run_->setRange(1, 1 << 30);
  resume_run_->setToolTip(tr("A cancelled or interrupted run of this kind; it continues from its last checkpoint"));
  progress_ = new QProgressBar;
  progress_->setRange(0, 1000);
  progress_->setValue(0);
  message_ = new QLabel;
  log_ = new QPlainTextEdit;
  log_->setReadOnly(true);
  log_->setMaximumBlockCount(5000);
  log_->setPlaceholderText(tr("The job's output appears here. Jobs run as perturbscope-cli processes and keep running "
                              "when this window closes; their runs update in the Runs and Curves tabs."));

  auto* top = new QHBoxLayout;
  top->addWidget(new QLabel(tr("Kind")));
  top->addWidget(kind_);
  top->addWidget(new QLabel(tr("Preset")));
  top->addWidget(presets_, 1);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(validate_);
  buttons->addWidget(start_);
  buttons->addWidget(cancel_);
  buttons->addStretch(1);
  buttons->addWidget(resume_run_);
  buttons->addWidget(resume_);
  auto* lay = new QVBoxLayout(this);
  lay->addLayout(top);
  lay->addWidget(scroll_, 3);
  lay->addWidget(general_error_);
  lay->addLayout(buttons);
  lay->addWidget(progress_);
  lay->addWidget(message_);
  lay->addWidget(log_, 1);

  connect(kind_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] { load_presets(); });
  connect(presets_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
    const QString file = presets_->currentData().toString();
    if (file.isEmpty()) return;
    std::ifstream in(file.toStdString());
    const auto j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      general_error_->setText(tr("%1: not a JSON object").arg(file));
      return;
    }
    build_form(j);
  });
  connect(validate_, &QPushButton::clicked, this, &TrainLauncher::validate);
  connect(start_, &QPushButton::clicked, this, &TrainLauncher::start);
  connect(cancel_, &QPushButton::clicked, this, &TrainLauncher::cancel);
  connect(resume_, &QPushButton::clicked, this, &TrainLauncher::resume);
  load_presets();
  reattach();
}

QString TrainLauncher::kind() const { return kind_->currentData().toString(); }

void TrainLauncher::load_presets() {
  presets_->blockSignals(true);
  presets_->clear();
  const QDir dir(find_configs_dir());
  for (const QFileInfo& f : dir.entryInfoList({"*.json"}, QDir::Files, QDir::Name)) {
    std::ifstream in(f.absoluteFilePath().toStdString());
    const auto j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_object() && j.value("kind", std::string()) == kind().toStdString()) presets_->addItem(f.baseName(), f.absoluteFilePath());
  }
  presets_->blockSignals(false);
  if (presets_->count()) {
    presets_->setCurrentIndex(0);
    emit presets_->currentIndexChanged(0);
  } else {
    build_form(nlohmann::json{{"kind", kind().toStdString()}});
    general_error_->setText(tr("No %1 preset found in configs/ (set PERTURBSCOPE_CONFIGS)").arg(kind()));
  }
}

void TrainLauncher::set_config(const QString& kind, const nlohmann::json& config) {
  kind_->blockSignals(true);
  kind_->setCurrentIndex(kind_->findData(kind));
  kind_->blockSignals(false);
  build_form(config);
}

void TrainLauncher::build_form(const nlohmann::json& config) {
  base_ = config;
  fields_.clear();
  error_labels_.clear();
  general_error_->clear();
  form_page_ = new QWidget;
  auto* v = new QVBoxLayout(form_page_);
  auto* top = new QFormLayout;
  v->addLayout(top);
  // scalars at the top level first, then one group per object
  nlohmann::json scalars = nlohmann::json::object();
  for (auto it = config.begin(); it != config.end(); ++it)
    if (!it.value().is_object() && it.key() != "kind" && it.key().rfind("_", 0) != 0) scalars[it.key()] = it.value();
  add_fields(top, scalars, "");
  for (auto it = config.begin(); it != config.end(); ++it) {
    if (!it.value().is_object()) continue;
    auto* box = new QGroupBox(QString::fromStdString(it.key()));
    auto* f = new QFormLayout(box);
    add_fields(f, it.value(), QString::fromStdString(it.key()));
    v->addWidget(box);
  }
  v->addStretch(1);
  scroll_->setWidget(form_page_);
}

void TrainLauncher::add_fields(QFormLayout* form, const nlohmann::json& j, const QString& prefix) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    const QString path = path_join(prefix, it.key());
    const auto& v = it.value();
    if (it.key().rfind("_", 0) == 0) continue;  // "_comment"
    if (v.is_object() && !prefix.isEmpty() && !v.empty()) {
      add_fields(form, v, path);  // nested sections (pipeline: sft.optim.lr) flattened into the group
      continue;
    }
    QWidget* editor;
    QString kind;
    if (v.is_boolean()) {
      auto* c = new QCheckBox;
      c->setChecked(v.get<bool>());
      editor = c, kind = "bool";
    } else {
      auto* e = new QLineEdit;
      if (v.is_number_integer()) {
        e->setText(QString::number(v.get<qint64>()));
        kind = "int";
      } else if (v.is_number()) {
        e->setText(QString::number(v.get<double>(), 'g', 10));
        kind = "double";
      } else if (v.is_string()) {
        e->setText(QString::fromStdString(v.get<std::string>()));
        kind = "string";
      } else if (v.is_array() && all_strings(v)) {
        QStringList items;
        for (const auto& s : v) items << QString::fromStdString(s.get<std::string>());
        e->setText(items.join(", "));
        e->setPlaceholderText(tr("comma-separated"));
        kind = "strings";
      } else {
        e->setText(QString::fromStdString(v.dump()));
        kind = "json";
      }
      editor = e;
    }
    editor->setProperty(kJsonRole, kind);
    editor->setObjectName(path);
    const QString doc = field_doc(path, kind_->currentData().toString());
    editor->setToolTip((doc.isEmpty() ? QString() : doc + "\n") + tr("%1 (preset: %2)").arg(path, QString::fromStdString(v.dump())));
    auto* err = new QLabel;
    err->setStyleSheet("color:#c0392b");
    err->setWordWrap(true);
    err->hide();
    auto* row = new QWidget;
    auto* rl = new QVBoxLayout(row);
    rl->setContentsMargins(0, 0, 0, 0);
    rl->addWidget(editor);
    rl->addWidget(err);
    form->addRow(prefix.isEmpty() ? path : path.mid(prefix.size() + 1), row);
    fields_[path] = editor;
    error_labels_[path] = err;
  }
}

nlohmann::json TrainLauncher::config() const {
  nlohmann::json out = base_;
  for (auto it = fields_.begin(); it != fields_.end(); ++it) {
    const QString kind = it.value()->property(kJsonRole).toString();
    nlohmann::json value;
    if (kind == "bool") {
      value = static_cast<QCheckBox*>(it.value())->isChecked();
    } else {
      const QString t = static_cast<QLineEdit*>(it.value())->text().trimmed();
      bool ok = true;
      if (kind == "int") {
        const qint64 n = t.toLongLong(&ok);
        value = ok ? nlohmann::json(n) : nlohmann::json(t.toStdString());  // left for validate() to name
      } else if (kind == "double") {
        const double d = QLocale::c().toDouble(t, &ok);
        value = ok ? nlohmann::json(d) : nlohmann::json(t.toStdString());
      } else if (kind == "strings") {
        value = nlohmann::json::array();
        for (const QString& s : t.split(',', Qt::SkipEmptyParts)) value.push_back(s.trimmed().toStdString());
      } else if (kind == "json") {
        value = nlohmann::json::parse(t.toStdString(), nullptr, false);
        if (value.is_discarded()) value = t.toStdString();
      } else {
        value = t.toStdString();
      }
    }
    nlohmann::json* node = &out;
    const QStringList parts = it.key().split('.');
    for (int i = 0; i + 1 < parts.size(); ++i) node = &(*node)[parts[i].toStdString()];
    (*node)[parts.back().toStdString()] = value;
  }
  out["kind"] = kind().toStdString();
  return out;
}

QWidget* TrainLauncher::field(const QString& path) const { return fields_.value(path, nullptr); }
QStringList TrainLauncher::field_paths() const { return fields_.keys(); }

QMap<QString, QString> TrainLauncher::errors() const {
  QMap<QString, QString> out;
  for (auto it = error_labels_.begin(); it != error_labels_.end(); ++it)
    if (!it.value()->isHidden() && !it.value()->text().isEmpty()) out[it.key()] = it.value()->text();
  if (!general_error_->text().isEmpty()) out[""] = general_error_->text();
  return out;
}

QString TrainLauncher::launch_dir() const { return QFileInfo(store_path_).absoluteDir().filePath("launches"); }

void TrainLauncher::validate() {
  for (QLabel* l : error_labels_) l->hide(), l->clear();
  general_error_->clear();
  QDir().mkpath(launch_dir());
  auto* file = new QTemporaryFile(QDir(launch_dir()).filePath("validate-XXXXXX.json"), this);
  if (!file->open()) {
    general_error_->setText(tr("cannot write %1").arg(file->fileName()));
    emit validated(false);
    return;
  }
  file->write(QByteArray::fromStdString(config().dump(2)));
  file->flush();
  auto* p = new QProcess(this);
  connect(p, &QProcess::finished, this, [this, p, file](int code, QProcess::ExitStatus status) {
    const QString err = QString::fromUtf8(p->readAllStandardError()).trimmed();
    const bool ok = status == QProcess::NormalExit && code == 0;
    if (!ok) show_errors(err.isEmpty() ? tr("validation failed (exit %1)").arg(code) : err);
    else message_->setText(tr("The configuration is valid."));
    p->deleteLater();
    file->deleteLater();
    emit validated(ok);
  });
  connect(p, &QProcess::errorOccurred, this, [this, p, file](QProcess::ProcessError) {
    if (p->state() != QProcess::NotRunning) return;
    general_error_->setText(tr("cannot run %1: %2").arg(cli_.isEmpty() ? QString("perturbscope-cli") : cli_, p->errorString()));
    p->deleteLater();
    file->deleteLater();
    emit validated(false);
  });
  if (cli_.isEmpty()) {
    general_error_->setText(tr("perturbscope-cli not found (set PERTURBSCOPE_CLI)"));
    emit validated(false);
    return;
  }
  p->start(cli_, {kind(), "--config", file->fileName(), "--validate"});
}

void TrainLauncher::show_errors(const QString& text) {
  // "error: FILE: section.field: message": the longest field path the message names gets it.
  // A pipeline's nested section reports its fields relative to it ("optim.lr" for "sft.optim.lr").
  QString best, named;
  for (auto it = fields_.begin(); it != fields_.end(); ++it) {
    QString path = it.key();
    for (;;) {
      const QString needle = path + ":";
      const int at = text.indexOf(needle);
      if (at >= 0 && (at == 0 || text[at - 1] == ' ') && path.size() > named.size()) {
        best = it.key();
        named = path;
        break;
      }
      const int dot = path.indexOf('.');
      if (dot < 0) break;
      path = path.mid(dot + 1);
    }
  }
  if (!best.isEmpty()) {
    const int at = text.indexOf(named + ":");
    error_labels_[best]->setText(text.mid(at + named.size() + 1).trimmed());
    error_labels_[best]->show();
    scroll_->ensureWidgetVisible(fields_[best]);
  } else {
    general_error_->setText(text);
  }
}

bool TrainLauncher::launch(const QStringList& args, const QString& stem) {
  if (job_ && job_->running()) {
    general_error_->setText(tr("A job started here is still running; cancel it first"));
    return false;
  }
  if (job_) job_->deleteLater();
  job_ = new TrainJob(cli_, store_path_, this);
  follow(job_);
  if (!job_->start(args, QDir(launch_dir()).filePath(stem + ".log"))) {
    general_error_->setText(job_->error());
    return false;
  }
  general_error_->clear();
  progress_->setValue(0);
  log_->clear();
  message_->setText(tr("Started %1 (pid %2)").arg(args.join(' ')).arg(job_->pid()));
  start_->setEnabled(false);
  resume_->setEnabled(false);
  cancel_->setEnabled(true);
  return true;
}

void TrainLauncher::follow(TrainJob* job) {
  connect(job, &TrainJob::progressed, this, [this](double f, const QString& m) {
    progress_->setValue(int(f * 1000));
    message_->setText(m);
  });
  connect(job, &TrainJob::log_appended, this, [this](const QString& t) { log_->appendPlainText(t.trimmed()); });
  connect(job, &TrainJob::run_found, this, [this](qint64 run) {
    resume_run_->setValue(int(run));
    emit run_started(run);
  });
  connect(job, &TrainJob::ended, this, [this](const QString& status) {
    start_->setEnabled(true);
    resume_->setEnabled(true);
    cancel_->setEnabled(false);
    message_->setText(tr("Job ended: %1").arg(status));
    emit job_ended(status);
  });
}

void TrainLauncher::reattach() {
  const QString path = store_path_;
  run_async<std::pair<qint64, qint64>>(
      this,
      [path] {
        ps::store::Store st(path.toStdString());  // opening marks runs of dead processes interrupted
        for (const auto& r : st.list_runs())      // newest first
          if (r.status == ps::store::RunStatus::Running && r.pid > 0 &&
              (r.kind == "sft" || r.kind == "grpo" || r.kind == "pipeline") && ::kill(pid_t(r.pid), 0) == 0)
            return std::make_pair(qint64(r.pid), qint64(r.id));
        return std::make_pair(qint64(0), qint64(0));
      },
      [this](std::pair<qint64, qint64> found) {
        if (!found.first || (job_ && job_->running())) return;
        if (found.first == qint64(::getpid())) return;  // this process's own job (a test harness)
        if (job_) job_->deleteLater();
        job_ = new TrainJob(cli_, store_path_, this);
        follow(job_);
        job_->attach(found.first, found.second);
        resume_run_->setValue(int(found.second));
        start_->setEnabled(false);
        resume_->setEnabled(false);
        cancel_->setEnabled(true);
        message_->setText(tr("Following run %1 (pid %2), started earlier; Cancel stops it").arg(found.second).arg(found.first));
        emit run_started(found.second);
      });
}

bool TrainLauncher::start() {
  QDir().mkpath(launch_dir());
  const QString stem = kind() + "-" + QDateTime::currentDateTimeUtc().toString("yyyyMMdd-HHmmss-zzz");
  const QString file = QDir(launch_dir()).filePath(stem + ".json");
  QFile f(file);
  if (!f.open(QIODevice::WriteOnly) || f.write(QByteArray::fromStdString(config().dump(2))) < 0) {
    general_error_->setText(tr("cannot write %1").arg(file));
    return false;
  }
  f.close();
  return launch({kind(), "--config", file}, stem);
}

bool TrainLauncher::resume() {
  const QString stem = kind() + "-resume-" + QString::number(resume_run_->value()) + "-" +
                       QDateTime::currentDateTimeUtc().toString("yyyyMMdd-HHmmss-zzz");
  return launch({kind(), "--resume", QString::number(resume_run_->value())}, stem);
}

void TrainLauncher::cancel() {
  if (job_) job_->cancel();
  message_->setText(tr("Cancelling… (the run is recorded as cancelled and can be resumed)"));
}

}  // namespace ps::gui
