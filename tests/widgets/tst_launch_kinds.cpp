// The launcher's sweep, evaluation and TTC forms: presets of configs/ fill them (grouped by the
// CLI's option table, tooltips from its help, the run field offering the store's policies);
// `perturbscope-cli <kind> --config F --validate` puts a bad value's message beside its field;
// resume is disabled with the reason; a short TTC job on a tiny trained SFT run starts from the
// form as a child process, shows progress and reaches the store; an evaluation job is followed
// by a second window (reattach) and cancelled from it.
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QGroupBox>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <nlohmann/json.hpp>

#include "common/paths.h"
#include "helpers.h"
#include "train_job.h"
#include "train_launcher.h"

using namespace ps::gui;
using nlohmann::json;

// QCOMPARE has no printer for nlohmann::json (its conversions are ambiguous).
#define JSON_EQ(a, b) QVERIFY2((a) == (b), qPrintable(QString::fromStdString(json(a).dump() + " != " + json(b).dump())))

namespace {

QLineEdit* edit(TrainLauncher& l, const QString& path) { return qobject_cast<QLineEdit*>(l.field(path)); }

void choose_kind(TrainLauncher& l, const QString& kind) { l.kinds()->setCurrentIndex(l.kinds()->findData(kind)); }

// The group box a field sits in ("" when none).
QString group_of(QWidget* w) {
  for (QWidget* p = w; p; p = p->parentWidget())
    if (auto* g = qobject_cast<QGroupBox*>(p)) return g->title();
  return {};
}

// Validates the form; the errors shown (path -> message; "" = general) when it failed.
QMap<QString, QString> validate(TrainLauncher& l, bool* ok) {
  QSignalSpy spy(&l, &TrainLauncher::validated);
  l.validate();
  if (!spy.wait(60000)) return {{"", "validation timed out"}};
  *ok = spy.takeFirst().at(0).toBool();
  return l.errors();
}

QString dump(const QMap<QString, QString>& m) {
  QStringList out;
  for (auto it = m.begin(); it != m.end(); ++it) out << it.key() + " => " + it.value();
  return out.join(" | ");
}

// A tiny SFT run: the widgets' tiny config (helpers.h) with 2 steps, a constant LR and no checkpoints.
json tiny_sft() {
  json c = pstest::tiny_sft_config();
  c["name"] = "gui-tiny-policy";
  c["optim"] = {{"lr", 0.003}, {"schedule", "constant"}};
  c["train"]["max_steps"] = 2;
  c["train"]["checkpoint_every"] = 0;
  return c;
}

}  // namespace

class TestLaunchKinds : public QObject {
  Q_OBJECT
  QString store_path_;
  qint64 policy_run_ = 0;

  // The tiny trained policy, made once by `perturbscope-cli sft` (0 without the data mirror).
  qint64 policy_run() {
    if (policy_run_ || !ps::locate_data()) return policy_run_;
    QTemporaryDir dir;
    QFile f(dir.filePath("tiny.json"));
    if (!f.open(QIODevice::WriteOnly)) return 0;
    f.write(QByteArray::fromStdString(tiny_sft().dump()));
    f.close();
    QProcess p;
    p.start(PERTURBSCOPE_CLI_PATH, {"sft", "--config", f.fileName(), "--store", store_path_, "--json"});
    if (!p.waitForFinished(240000) || p.exitCode() != 0) {
      qWarning("tiny sft failed: %s", p.readAllStandardError().constData());
      return 0;
    }
    policy_run_ = json::parse(p.readAllStandardOutput().toStdString()).value("run_id", qint64(0));
    return policy_run_;
  }

 private slots:
  void initTestCase() {
    store_path_ = QString::fromStdString(ps::default_store_path());
    qputenv("PERTURBSCOPE_CLI", PERTURBSCOPE_CLI_PATH);
    qputenv("PERTURBSCOPE_CONFIGS", QByteArray(PERTURBSCOPE_SOURCE_DIR) + "/configs");
  }

  void presets_fill_the_forms() {
    TrainLauncher l(store_path_);
    QVERIFY(l.resume_button()->isEnabled());  // SFT: --resume
    // Evaluation: the CLI's options, grouped as its --help groups them, typed as the preset.
    choose_kind(l, "eval");
    QCOMPARE(l.presets()->currentText(), QString("eval-demo"));
    QCOMPARE(edit(l, "cell_line")->text(), QString("all"));
    QCOMPARE(edit(l, "split")->text(), QString("val"));
    QCOMPARE(edit(l, "n")->text(), QString("200"));
    QCOMPARE(group_of(l.field("cell_line")), QString("Items"));
    QCOMPARE(group_of(l.field("max_new_tokens")), QString("Generation"));
    QVERIFY(qobject_cast<QComboBox*>(l.field("run")));
    QVERIFY(!l.field("store") && !l.field("json") && !l.field("config"));  // not options of a file
    QVERIFY2(l.field("split")->toolTip().startsWith("val | ttc_val | heldout | test"), qPrintable(l.field("split")->toolTip()));
    json c = l.config();
    JSON_EQ(c["kind"], json("eval"));
    QVERIFY(c["n"].is_number_integer());
    QVERIFY(c["temperature"].is_number());
    QVERIFY(c["run"].is_null());        // left for the user
    QVERIFY(c["tokenizer"].is_null());  // empty: the default
    JSON_EQ(c["no_store"], json(false));
    QVERIFY(!l.resume_button()->isEnabled());
    QVERIFY2(l.resume_button()->toolTip().contains("has no --resume"), qPrintable(l.resume_button()->toolTip()));

    // TTC: lists, flags, numbers that may be empty.
    choose_kind(l, "ttc");
    QCOMPARE(l.presets()->currentText(), QString("ttc-demo"));
    QCOMPARE(edit(l, "strategies")->text(), QString("greedy, sc"));
    QVERIFY(qobject_cast<QCheckBox*>(l.field("tau_sweep"))->isChecked());
    QCOMPARE(group_of(l.field("bf_budget")), QString("Budget forcing"));
    QVERIFY2(l.field("k")->toolTip().startsWith("self-consistency samples per item"), qPrintable(l.field("k")->toolTip()));
    edit(l, "tau")->setText("0.7");
    c = l.config();
    JSON_EQ(c["strategies"], json({"greedy", "sc"}));
    JSON_EQ(c["k"], json(8));
    JSON_EQ(c["tau"], json(0.7));
    JSON_EQ(c["tau_sweep"], json(true));
    QVERIFY(!l.resume_button()->isEnabled());

    // Sweep: the pipeline form plus the grid.
    choose_kind(l, "sweep");
    QCOMPARE(l.presets()->currentText(), QString("sweep-demo"));
    QCOMPARE(edit(l, "grid")->text(), QString("beta=0,0.04;num_iterations=1,2;positive_rate=natural,0.4"));
    QVERIFY(l.field("sft.optim.lr"));
    QVERIFY(l.field("grpo.grpo.beta"));
    QVERIFY2(l.field("grid")->toolTip().startsWith("GRPO knobs and values"), qPrintable(l.field("grid")->toolTip()));
    QVERIFY2(l.field("grpo.grpo.beta")->toolTip().startsWith("weight of the k3 KL"), qPrintable(l.field("grpo.grpo.beta")->toolTip()));
    JSON_EQ(l.config()["kind"], json("sweep"));
    QVERIFY(!l.resume_button()->isEnabled());
    choose_kind(l, "grpo");
    QVERIFY(l.resume_button()->isEnabled());
  }

  void validation_messages_are_beside_the_fields() {
    TrainLauncher l(store_path_);
    bool ok = true;
    // eval: the preset names no run: the message is beside "run"
    choose_kind(l, "eval");
    auto errors = validate(l, &ok);
    QVERIFY(!ok);
    QVERIFY2(errors.value("run").startsWith("required"), qPrintable(dump(errors)));
    QTemporaryDir model;
    QFile cfg(model.filePath("config.json"));
    QVERIFY(cfg.open(QIODevice::WriteOnly));
    cfg.write("{}");
    cfg.close();
    edit(l, "model")->setText(model.path());
    edit(l, "n")->setText("-3");
    errors = validate(l, &ok);
    QVERIFY(!ok);
    QVERIFY2(errors.value("n").startsWith("must be between 0 and"), qPrintable(dump(errors)));
    edit(l, "n")->setText("abc");
    errors = validate(l, &ok);
    QVERIFY2(errors.value("n").startsWith("expected an integer"), qPrintable(dump(errors)));
    edit(l, "n")->setText("4");
    edit(l, "split")->setText("train");
    errors = validate(l, &ok);
    QVERIFY2(errors.contains("split"), qPrintable(dump(errors)));
    edit(l, "split")->setText("val");
    errors = validate(l, &ok);
    QVERIFY2(ok && errors.isEmpty(), qPrintable(dump(errors)));

    // ttc
    choose_kind(l, "ttc");
    edit(l, "model")->setText(model.path());
    edit(l, "k")->setText("0");
    errors = validate(l, &ok);
    QVERIFY2(!ok && errors.value("k").startsWith("must be in [1, 1024]"), qPrintable(dump(errors)));
    edit(l, "k")->setText("4");
    edit(l, "tau")->setText("0.5");  // with the preset's tau sweep
    errors = validate(l, &ok);
    QVERIFY2(!ok && errors.value("tau").startsWith("cannot be combined with the tau sweep"), qPrintable(dump(errors)));
    edit(l, "tau")->clear();
    edit(l, "strategies")->setText("greedy, bogus");
    errors = validate(l, &ok);
    QVERIFY2(!ok && errors.contains("strategies"), qPrintable(dump(errors)));
    edit(l, "strategies")->setText("greedy, sc, bf");
    edit(l, "bf_budget")->setText("0");
    errors = validate(l, &ok);
    QVERIFY2(!ok && errors.contains("bf_budget"), qPrintable(dump(errors)));
    edit(l, "bf_budget")->setText("64");
    errors = validate(l, &ok);
    QVERIFY2(ok && errors.isEmpty(), qPrintable(dump(errors)));

    // sweep: the grid (an unknown knob, a value one arm cannot take) and the base config
    choose_kind(l, "sweep");
    errors = validate(l, &ok);
    QVERIFY2(ok, qPrintable(dump(errors)));
    edit(l, "grid")->setText("bogus=1,2");
    errors = validate(l, &ok);
    QVERIFY2(!ok && errors.value("grid").startsWith("unknown knob 'bogus'"), qPrintable(dump(errors)));
    edit(l, "grid")->setText("beta=-1,0");
    errors = validate(l, &ok);
    QVERIFY2(!ok && errors.value("grid").startsWith("arm beta=-1"), qPrintable(dump(errors)));
    edit(l, "grid")->setText("beta=0,0.04");
    edit(l, "grpo.grpo.num_iterations")->setText("0");
    errors = validate(l, &ok);
    QVERIFY2(!ok && errors.contains("grpo.grpo.num_iterations"), qPrintable(dump(errors)));
    edit(l, "grpo.grpo.num_iterations")->setText("1");
    edit(l, "sft.optim.lr")->setText("-1");
    errors = validate(l, &ok);
    QVERIFY2(!ok && errors.contains("sft.optim.lr"), qPrintable(dump(errors)));
  }

  void ttc_job_on_a_tiny_run_reaches_the_store() {
    const qint64 run = policy_run();
    if (!run) QSKIP("data mirror not found (or the tiny SFT run failed)");
    TrainLauncher l(store_path_);
    choose_kind(l, "ttc");
    // the run field offers the store's trained policies
    QSignalSpy listed(&l, &TrainLauncher::runs_listed);
    l.refresh_runs();
    QVERIFY(listed.wait(30000));
    auto* runs = qobject_cast<QComboBox*>(l.field("run"));
    const int at = runs->findData(run);
    QVERIFY2(at >= 0, qPrintable(QString("run %1 not offered (%2 runs)").arg(run).arg(runs->count())));
    runs->setCurrentIndex(at);
    JSON_EQ(l.config()["run"], json(run));
    edit(l, "n")->setText("4");
    edit(l, "k")->setText("2");
    edit(l, "max_new_tokens")->setText("24");
    edit(l, "batch_size")->setText("16");
    edit(l, "bootstrap")->setText("10");
    bool ok = false;
    const auto errors = validate(l, &ok);
    QVERIFY2(ok, qPrintable(dump(errors)));

    QSignalSpy started(&l, &TrainLauncher::run_started);
    QSignalSpy ended(&l, &TrainLauncher::job_ended);
    pstest::Heartbeat beat;
    QVERIFY2(l.start(), qPrintable(dump(l.errors())));
    QVERIFY(!l.start_button()->isEnabled() && l.cancel_button()->isEnabled() && !l.resume_button()->isEnabled());
    QVERIFY2(ended.wait(240000), qPrintable(l.log()->toPlainText()));
    QCOMPARE(ended.takeFirst().at(0).toString(), QString("finished"));
    QVERIFY2(!started.isEmpty(), qPrintable(l.log()->toPlainText()));
    const qint64 ttc_run = started.takeFirst().at(0).toLongLong();
    QVERIFY(l.progress()->value() > 0);  // from the child's progress lines
    QVERIFY2(l.log()->toPlainText().contains("%"), qPrintable(l.log()->toPlainText()));
    ps::store::Store st(store_path_.toStdString());
    const auto r = st.get_run(ttc_run);
    QVERIFY(r);
    QCOMPARE(QString::fromStdString(r->kind), QString("ttc"));
    QCOMPARE(r->status, ps::store::RunStatus::Finished);
    QCOMPARE(json::parse(r->config_json).value("source_run", qint64(0)), run);
    QCOMPARE(int(st.predictions(ttc_run).size()), 4);
    QVERIFY(l.start_button()->isEnabled() && !l.cancel_button()->isEnabled());
    QVERIFY2(beat.max_gap_ms() < 100, qPrintable(QString("event loop blocked %1 ms").arg(beat.max_gap_ms())));
  }

  void eval_job_is_reattached_and_cancelled() {
    const qint64 run = policy_run();
    if (!run) QSKIP("data mirror not found (or the tiny SFT run failed)");
    TrainLauncher l(store_path_);
    choose_kind(l, "eval");
    qobject_cast<QComboBox*>(l.field("run"))->setEditText(QString::number(run));  // typed
    edit(l, "cell_line")->setText("k562");
    edit(l, "split")->setText("test");  // thousands of items: still running when cancelled
    edit(l, "n")->clear();
    edit(l, "max_new_tokens")->setText("64");
    edit(l, "batch_size")->setText("8");
    JSON_EQ(l.config()["run"], json(run));
    QSignalSpy started(&l, &TrainLauncher::run_started);
    QSignalSpy ended(&l, &TrainLauncher::job_ended);
    QVERIFY2(l.start(), qPrintable(dump(l.errors())));
    QVERIFY2(started.wait(240000), qPrintable(l.log()->toPlainText()));
    const qint64 eval_run = started.takeFirst().at(0).toLongLong();

    // another window finds the running evaluation in the store and follows it
    TrainLauncher other(store_path_);
    QSignalSpy other_started(&other, &TrainLauncher::run_started);
    QSignalSpy other_ended(&other, &TrainLauncher::job_ended);
    QVERIFY(other_started.wait(30000));
    QCOMPARE(other_started.takeFirst().at(0).toLongLong(), eval_run);
    QCOMPARE(other.kind(), QString("eval"));
    QVERIFY(other.cancel_button()->isEnabled());
    QCOMPARE(other.job()->pid(), l.job()->pid());
    other.cancel();
    QVERIFY(other_ended.wait(120000));
    QCOMPARE(other_ended.takeFirst().at(0).toString(), QString("cancelled"));
    QTRY_VERIFY_WITH_TIMEOUT(!ended.isEmpty(), 30000);
    QCOMPARE(ended.takeFirst().at(0).toString(), QString("cancelled"));
    ps::store::Store st(store_path_.toStdString());
    QCOMPARE(st.get_run(eval_run)->status, ps::store::RunStatus::Cancelled);
    QVERIFY(!l.resume_button()->isEnabled());  // eval has no --resume
  }
};

PSTEST_MAIN(TestLaunchKinds)
#include "tst_launch_kinds.moc"
