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
#include <tuple>

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

// The CLI's option tables (generated from app/cli/cmd_*.cpp, cmake/CliOptionDocs.cmake).
struct OptionDoc {
  const char* command;
  const char* option;  // "cell-line"; its config key is "cell_line"
  const char* help;
  const char* group;
  const char* kind;    // Text, Integer, Number, List, Flag
};
const OptionDoc kOptionDocs[] = {
#include "cli_option_docs.inc"
};

QString option_key(const char* option) { return QString::fromUtf8(option).replace('-', '_'); }

const OptionDoc* option_doc(const QString& command, const QString& key) {
  for (const auto& d : kOptionDocs)
    if (command == d.command && key == option_key(d.option)) return &d;
  return nullptr;
}

// Options of eval and ttc that a config file cannot hold (cli/args.h, read_config).
bool file_option(const char* option) {
  static const QStringList not_in_files{"config", "store", "validate", "json", "help"};
  return !not_in_files.contains(QString::fromUtf8(option));
}

bool option_form(const QString& kind) { return kind == "eval" || kind == "ttc"; }

// The documentation of a JSON path: its section's struct first ("optim.lr" -> OptimConfig::lr),
// else any struct with a field of that name; "" when none is documented.
QString field_doc(const QString& path, const QString& kind) {
  if (kind == "sweep" && path == "grid")
    if (const OptionDoc* d = option_doc("sweep", "grid")) return QString::fromUtf8(d->help);
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
  kind_->addItem(tr("Sweep (GRPO arms over a grid of knobs)"), "sweep");
  kind_->addItem(tr("Evaluation"), "eval");
  kind_->addItem(tr("Test-time compute (TTC)"), "ttc");
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
  cancel_->setObjectName("train_cancel");
  cancel_->setEnabled(false);
  resume_ = new QPushButton(tr("Resume run"));
  resume_->setObjectName("train_resume");
  resume_run_ = new QSpinBox;
  resume_run_->setRange(1, 1 << 30);
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

  connect(kind_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
    load_presets();
    update_buttons(job_ && job_->running());
  });
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
  update_buttons(false);
  reattach();
}

QString TrainLauncher::why_not_resumable(const QString& kind) {
  if (kind == "sft" || kind == "grpo") return {};
  if (kind == "pipeline" || kind == "sweep")
    return tr("perturbscope-cli %1 has no --resume: resume its SFT or GRPO runs one by one (choose SFT or GRPO "
              "above), or start it again")
        .arg(kind);
  return tr("perturbscope-cli %1 has no --resume: it keeps no checkpoints; start it again").arg(kind);
}

void TrainLauncher::update_buttons(bool running) {
  const QString why = why_not_resumable(kind());
  start_->setEnabled(!running);
  cancel_->setEnabled(running);
  resume_->setEnabled(!running && why.isEmpty());
  resume_run_->setEnabled(why.isEmpty());
  const QString tip = why.isEmpty() ? tr("A cancelled or interrupted run of this kind; it continues from its last checkpoint") : why;
  resume_->setToolTip(tip);
  resume_run_->setToolTip(tip);
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
  update_buttons(job_ && job_->running());
}

void TrainLauncher::build_form(const nlohmann::json& config) {
  base_ = config;
  fields_.clear();
  error_labels_.clear();
  general_error_->clear();
  form_page_ = new QWidget;
  auto* v = new QVBoxLayout(form_page_);
  if (option_form(kind())) {
    build_option_form(v, config);
    v->addStretch(1);
    scroll_->setWidget(form_page_);
    refresh_runs();
    return;
  }
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
    add_row(form, path, prefix.isEmpty() ? path : path.mid(prefix.size() + 1), v,
            field_doc(path, kind_->currentData().toString()), QString());
  }
}

// eval, ttc: the options of the preset, in the CLI's order, one group per option group.
void TrainLauncher::build_option_form(QVBoxLayout* v, const nlohmann::json& config) {
  const QString command = kind();
  QMap<QString, QFormLayout*> groups;
  QStringList placed;
  for (const auto& d : kOptionDocs) {
    if (command != d.command || !file_option(d.option)) continue;
    const QString key = option_key(d.option);
    const std::string k = key.toStdString();
    // every option of the command gets a field: the preset's value, else its default (empty)
    const nlohmann::json value = config.contains(k) ? config[k] : (QString(d.kind) == "Flag" ? nlohmann::json(false) : nlohmann::json());
    const QString group = QString::fromUtf8(d.group);
    if (!groups.contains(group)) {
      auto* box = new QGroupBox(group.isEmpty() ? tr("Options") : tr(d.group));
      box->setObjectName("group_" + group);
      groups[group] = new QFormLayout(box);
      v->addWidget(box);
    }
    add_row(groups[group], key, key, value, QString::fromUtf8(d.help), QString::fromUtf8(d.kind));
    placed << key;
  }
  // keys the CLI does not know stay visible (validation names them)
  for (auto it = config.begin(); it != config.end(); ++it) {
    const QString key = QString::fromStdString(it.key());
    if (key == "kind" || key.startsWith('_') || placed.contains(key)) continue;
    if (!groups.contains("?")) {
      auto* box = new QGroupBox(tr("Other"));
      groups["?"] = new QFormLayout(box);
      v->addWidget(box);
    }
    add_row(groups["?"], key, key, it.value(), QString(), QString());
  }
}

void TrainLauncher::add_row(QFormLayout* form, const QString& path, const QString& label, const nlohmann::json& v,
                            const QString& doc, const QString& option_kind) {
  {
    QWidget* editor;
    QString kind;
    if (path == "run" && option_form(this->kind())) {
      // a stored sft/grpo run: pick one (refresh_runs fills the list) or type its id
      auto* c = new QComboBox;
      c->setEditable(true);
      c->setInsertPolicy(QComboBox::NoInsert);
      c->lineEdit()->setPlaceholderText(tr("a finished SFT or GRPO run (or give model)"));
      c->setEditText(v.is_number_integer() ? QString::number(v.get<qint64>()) : v.is_string() ? QString::fromStdString(v.get<std::string>()) : QString());
      editor = c, kind = "run";
    } else if (v.is_boolean()) {
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
      } else if (!v.is_null() || option_kind.isEmpty()) {
        e->setText(QString::fromStdString(v.dump()));
        kind = "json";
      }
      // An option of eval/ttc: typed by the CLI's table; empty = null = the option's default.
      if (!option_kind.isEmpty()) {
        static const QMap<QString, QString> by_option{{"Integer", "int"}, {"Number", "double"}, {"List", "strings"}, {"Text", "string"}};
        kind = by_option.value(option_kind, kind.isEmpty() ? QString("json") : kind);
        if (kind == "strings" && v.is_string()) e->setText(QString::fromStdString(v.get<std::string>()));
        e->setProperty("nullable", true);
        e->setPlaceholderText(kind == "strings" ? tr("comma-separated; empty: the default") : tr("empty: the default"));
      }
      editor = e;
    }
    editor->setProperty(kJsonRole, kind);
    editor->setObjectName(path);
    editor->setToolTip((doc.isEmpty() ? QString() : doc + "\n") +
                       (option_kind.isEmpty() ? tr("%1 (preset: %2)").arg(path, QString::fromStdString(v.dump()))
                                              : tr("%1 (--%2; preset: %3)").arg(path, QString(path).replace('_', '-'), QString::fromStdString(v.dump()))));
    auto* err = new QLabel;
    err->setStyleSheet("color:#c0392b");
    err->setWordWrap(true);
    err->hide();
    auto* row = new QWidget;
    auto* rl = new QVBoxLayout(row);
    rl->setContentsMargins(0, 0, 0, 0);
    rl->addWidget(editor);
    rl->addWidget(err);
    form->addRow(label, row);
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
    } else if (kind == "run") {
      // the chosen run's id; a typed id ("12", "12 · name"); empty: none (null)
      auto* c = static_cast<QComboBox*>(it.value());
      const QString t = c->currentText().trimmed();
      bool ok = false;
      const qint64 id = t.section(' ', 0, 0).toLongLong(&ok);
      if (t.isEmpty()) value = nullptr;
      else if (c->currentIndex() >= 0 && t == c->itemText(c->currentIndex())) value = c->currentData().toLongLong();
      else value = ok ? nlohmann::json(id) : nlohmann::json(t.toStdString());  // left for validation to name
    } else {
      const QString t = static_cast<QLineEdit*>(it.value())->text().trimmed();
      bool ok = true;
      if (t.isEmpty() && it.value()->property("nullable").toBool()) {
        value = nullptr;
      } else if (kind == "int") {
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
  QStringList args{kind(), "--config", file->fileName(), "--validate"};
  if (option_form(kind())) args << "--store" << store_path_;  // the run named in the form is looked up there
  p->start(cli_, args);
}

void TrainLauncher::show_errors(const QString& text) {
  // "perturbscope-cli KIND: error: FILE: section.field: message". The message's ": "-separated
  // parts, joined with "." from any part on, name a field: exactly ("optim.lr"; a pipeline's
  // "sft: optim.lr" is sft.optim.lr; a sweep's "grid: arm beta=-1: grpo.beta: ..." is the grid)
  // or as the end of its path ("optim.lr" of grpo.optim.lr when no part names the section). The
  // earliest exact name gets the message, else the earliest end of a path; else it is general.
  const QStringList parts = text.split(": ");
  QString best;
  int best_end = -1;
  bool best_exact = false;
  for (int i = 0; i < parts.size() && !best_exact; ++i) {
    QString joined;
    for (int j = i; j < parts.size() && j < i + 4; ++j) {
      const QString part = parts[j].trimmed();
      if (part.isEmpty() || part.contains(' ')) break;  // field names have no blanks
      joined = j == i ? part : joined + "." + part;
      if (fields_.contains(joined)) {
        best = joined, best_end = j, best_exact = true;  // the longest exact name from the earliest part
        continue;
      }
      if (best.isEmpty() && !best_exact)
        for (auto it = fields_.begin(); it != fields_.end(); ++it)
          if (it.key().endsWith("." + joined)) {
            best = it.key(), best_end = j;
            break;
          }
    }
  }
  if (!best.isEmpty() && best_end + 1 < parts.size()) {
    error_labels_[best]->setText(parts.mid(best_end + 1).join(": ").trimmed());
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
  job_->set_kind(args.value(0));
  follow(job_);
  if (!job_->start(args, QDir(launch_dir()).filePath(stem + ".log"))) {
    general_error_->setText(job_->error());
    return false;
  }
  general_error_->clear();
  progress_->setValue(0);
  log_->clear();
  message_->setText(tr("Started %1 (pid %2)").arg(args.join(' ')).arg(job_->pid()));
  update_buttons(true);
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
    update_buttons(false);
    message_->setText(tr("Job ended: %1").arg(status));
    emit job_ended(status);
  });
}

void TrainLauncher::reattach() {
  const QString path = store_path_;
  run_async<std::tuple<qint64, qint64, QString>>(
      this,
      [path] {
        ps::store::Store st(path.toStdString());  // opening marks runs of dead processes interrupted
        for (const auto& r : st.list_runs())      // newest first
          if (r.status == ps::store::RunStatus::Running && r.pid > 0 &&
              (r.kind == "sft" || r.kind == "grpo" || r.kind == "sweep" || r.kind == "eval" || r.kind == "ttc") &&
              ::kill(pid_t(r.pid), 0) == 0)
            return std::make_tuple(qint64(r.pid), qint64(r.id), QString::fromStdString(r.kind));
        return std::make_tuple(qint64(0), qint64(0), QString());
      },
      [this](std::tuple<qint64, qint64, QString> found) {
        const auto [pid, run, kind] = found;
        if (!pid || (job_ && job_->running())) return;
        if (pid == qint64(::getpid())) return;  // this process's own job (a test harness)
        if (job_) job_->deleteLater();
        job_ = new TrainJob(cli_, store_path_, this);
        job_->set_kind(kind);
        follow(job_);
        job_->attach(pid, run);
        if (kind_->findData(kind) >= 0 && kind != this->kind()) kind_->setCurrentIndex(kind_->findData(kind));  // its form
        resume_run_->setValue(int(run));
        update_buttons(true);
        message_->setText(tr("Following run %1 (pid %2), started earlier; Cancel stops it").arg(run).arg(pid));
        emit run_started(run);
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
  if (const QString why = why_not_resumable(kind()); !why.isEmpty()) {
    general_error_->setText(why);
    return false;
  }
  const QString stem = kind() + "-resume-" + QString::number(resume_run_->value()) + "-" +
                       QDateTime::currentDateTimeUtc().toString("yyyyMMdd-HHmmss-zzz");
  return launch({kind(), "--resume", QString::number(resume_run_->value())}, stem);
}

void TrainLauncher::cancel() {
  if (job_) job_->cancel();
  message_->setText(why_not_resumable(job_ ? job_->kind() : kind()).isEmpty()
                        ? tr("Cancelling… (the run is recorded as cancelled and can be resumed)")
                        : tr("Cancelling… (the run is recorded as cancelled)"));
}

void TrainLauncher::refresh_runs() {
  const QString path = store_path_;
  run_async<QList<QPair<qint64, QString>>>(
      this,
      [path] {
        QList<QPair<qint64, QString>> out;
        ps::store::Store st(path.toStdString());
        for (const auto& r : st.list_runs()) {  // newest first
          if ((r.kind != "sft" && r.kind != "grpo") || r.status != ps::store::RunStatus::Finished) continue;
          const auto summary = nlohmann::json::parse(r.summary_json, nullptr, false);
          if (!summary.is_object() || !summary.contains("model_dir")) continue;  // no trained policy
          out.append(qMakePair(qint64(r.id), QString("%1 · %2 (%3)")
                                                 .arg(r.id)
                                                 .arg(QString::fromStdString(r.name), QString::fromStdString(r.kind))));
        }
        return out;
      },
      [this](QList<QPair<qint64, QString>> runs) {
        policy_runs_ = runs;
        if (auto* c = qobject_cast<QComboBox*>(fields_.value("run"))) {
          const QString text = c->currentText().trimmed();
          c->blockSignals(true);
          c->clear();
          for (const auto& [id, label] : runs) c->addItem(label, id);
          c->setCurrentIndex(-1);
          bool ok = false;
          const qint64 typed = text.section(' ', 0, 0).toLongLong(&ok);
          const int at = ok ? c->findData(typed) : -1;
          if (at >= 0) c->setCurrentIndex(at);
          else c->setEditText(text);
          c->blockSignals(false);
        }
        emit runs_listed(runs.size());
      });
}

}  // namespace ps::gui
