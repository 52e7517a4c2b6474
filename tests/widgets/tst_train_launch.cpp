// The training launcher: progress-line parsing; forms built from the presets; the core's
// validate() (through `perturbscope-cli sft --validate`) puts its message beside the field;
// a tiny SFT job starts as a child process, the live curves gain its points while it runs,
// cancel (SIGINT) records it as cancelled, resume continues it, and the GUI thread never
// blocks > 100 ms meanwhile.
#include <QComboBox>
#include <QFile>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QTemporaryDir>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QSignalSpy>
#include <QSpinBox>
#include <nlohmann/json.hpp>

#include "common/paths.h"
#include "curves_model.h"
#include "helpers.h"
#include "train_job.h"
#include "train_launcher.h"

using namespace ps::gui;
using nlohmann::json;

namespace {
json tiny_sft() { return pstest::tiny_sft_config(); }

int64_t last_step(const CurvesModel& m, qint64 run) {
  const auto& s = m.series(run);
  auto it = s.find("loss");
  return it == s.end() || it->second.steps.empty() ? 0 : int64_t(it->second.steps.back());
}
}  // namespace

class TestTrainLaunch : public QObject {
  Q_OBJECT
  QString store_path_;

 private slots:
  void initTestCase() {
    store_path_ = QString::fromStdString(ps::default_store_path());
    qputenv("PERTURBSCOPE_CLI", PERTURBSCOPE_CLI_PATH);
    qputenv("PERTURBSCOPE_CONFIGS", QByteArray(PERTURBSCOPE_SOURCE_DIR) + "/configs");
  }

  // Before an eval/ttc child writes its run (~10 s), an old run whose pid the system reused matched.
  void an_old_run_of_a_reused_pid_is_not_the_jobs() {
    auto run = [](qint64 id, const std::string& kind, qint64 pid, const std::string& created) {
      ps::store::Run r;
      r.id = id;
      r.kind = kind;
      r.pid = pid;
      r.created_at = created;
      r.status = ps::store::RunStatus::Running;  // e.g. left "running" by a crash long ago
      return r;
    };
    const QDateTime started = QDateTime::fromString("2026-11-29T12:00:00.000Z", Qt::ISODateWithMs);
    QVERIFY(started.isValid());
    // newest first: an old eval run of pid 4242 (yesterday) and an older one of another pid
    std::vector<ps::store::Run> runs{run(7, "eval", 4242, "2026-11-28T09:30:00.000Z"),
                                     run(6, "eval", 99, "2026-11-29T12:00:05.000Z")};
    QCOMPARE(find_child_run(runs, 4242, "eval", started), qint64(0));
    QCOMPARE(find_child_run(runs, 4242, "pipeline", started), qint64(0));  // no "newest" fallback to it either
    // the child's own run appears: it is the one (also 0.5 s before the start, within the slack)
    runs.insert(runs.begin(), run(8, "eval", 4242, "2026-11-29T11:59:59.500Z"));
    QCOMPARE(find_child_run(runs, 4242, "eval", started), qint64(8));
    QCOMPARE(find_child_run(runs, 4242, "eval", started.addSecs(2)), qint64(0));  // 2.5 s before: not its run
    // of the expected kind: a sweep's group run, not the SFT run it starts; none yet -> 0
    std::vector<ps::store::Run> sweep{run(11, "sft", 5, "2026-11-29T12:00:03.000Z"),
                                      run(10, "sweep", 5, "2026-11-29T12:00:01.000Z")};
    QCOMPARE(find_child_run(sweep, 5, "sweep", started), qint64(10));
    QCOMPARE(find_child_run({sweep[0]}, 5, "sweep", started), qint64(0));
    // a pipeline's stages have other kinds: the newest of the child's runs since the start
    QCOMPARE(find_child_run(sweep, 5, "pipeline", started), qint64(11));
    // `--resume 7`: the child continues the old run 7 (its pid now the child's)
    QCOMPARE(find_child_run({runs[1]}, 4242, "eval", started, 7), qint64(7));
    QCOMPARE(find_child_run({runs[1]}, 4242, "eval", started, 6), qint64(0));
    // an attached job (start unknown) takes any run of the pid
    QCOMPARE(find_child_run(runs, 4242, "eval", QDateTime()), qint64(8));
  }

  void progress_lines_parse() {
    auto p = parse_progress_line("sft gui-tiny:  42.5% (ETA 3m05s) step 12/200  loss 1.234");
    QVERIFY(p);
    QCOMPARE(p->fraction, 0.425);
    QCOMPARE(p->message, QString("step 12/200  loss 1.234"));
    p = parse_progress_line("grpo x: 100.0% done");
    QVERIFY(p);
    QCOMPARE(p->fraction, 1.0);
    QVERIFY(!parse_progress_line("SFT run 3 (full): 6 steps"));
    QVERIFY(!parse_progress_line(""));
  }

  void presets_fill_the_form() {
    TrainLauncher l(store_path_);
    QVERIFY(l.presets()->count() >= 1);  // demo-sft, sft-qwen3-*
    QVERIFY(l.field("optim.lr"));
    QVERIFY(l.field("train.batch_size"));
    // tooltips carry the config header's comment of the field (core/train/config.h)
    QVERIFY2(l.field("optim.lr")->toolTip().startsWith("peak learning rate"), qPrintable(l.field("optim.lr")->toolTip()));
    QVERIFY(l.field("train.checkpoint_every"));
    QVERIFY2(l.field("train.checkpoint_every")->toolTip().startsWith("optimiser steps between checkpoints"),
             qPrintable(l.field("train.checkpoint_every")->toolTip()));
    // the form round-trips the preset's values and types
    const json c = l.config();
    QVERIFY(c["optim"]["lr"].is_number_float());
    QVERIFY(c["train"]["batch_size"].is_number_integer());
    QVERIFY(c["data"]["train_cell_lines"].is_array());
  }

  void validation_message_is_beside_the_field() {
    TrainLauncher l(store_path_);
    json bad = tiny_sft();
    l.set_config("sft", bad);
    qobject_cast<QLineEdit*>(l.field("optim.lr"))->setText("-1");
    QSignalSpy spy(&l, &TrainLauncher::validated);
    l.validate();
    QVERIFY(spy.wait(60000));
    QCOMPARE(spy.takeFirst().at(0).toBool(), false);
    const auto errors = l.errors();
    QVERIFY2(errors.contains("optim.lr"), qPrintable(QStringList(errors.values()).join(" | ")));
    qobject_cast<QLineEdit*>(l.field("optim.lr"))->setText("0.003");
    l.validate();
    QVERIFY(spy.wait(60000));
    QCOMPARE(spy.takeFirst().at(0).toBool(), true);
    QVERIFY(l.errors().isEmpty());
  }

  void tiny_sft_runs_live_cancels_and_resumes() {
    if (!ps::locate_data()) QSKIP("data mirror not found");
    TrainLauncher l(store_path_);
    l.set_config("sft", tiny_sft());
    QSignalSpy started(&l, &TrainLauncher::run_started);
    QSignalSpy ended(&l, &TrainLauncher::job_ended);
    pstest::Heartbeat beat;
    QVERIFY2(l.start(), qPrintable(l.errors().value("")));
    QVERIFY2(started.wait(240000), qPrintable(l.log()->toPlainText()));
    const qint64 run = started.takeFirst().at(0).toLongLong();
    QVERIFY(run > 0);

    CurvesModel curves(store_path_);
    curves.set_poll_interval(100);
    curves.set_runs({run});
    QTRY_VERIFY_WITH_TIMEOUT(last_step(curves, run) >= 1, 240000);
    const int64_t first = last_step(curves, run);
    QTRY_VERIFY_WITH_TIMEOUT(last_step(curves, run) > first, 120000);  // the curves gain points while it runs
    QVERIFY(l.job()->running());
    QVERIFY(l.progress()->value() > 0);

    l.cancel();
    QVERIFY(ended.wait(120000));
    QCOMPARE(ended.takeFirst().at(0).toString(), QString("cancelled"));
    {
      ps::store::Store st(store_path_.toStdString());
      QCOMPARE(st.get_run(run)->status, ps::store::RunStatus::Cancelled);
    }
    QVERIFY2(beat.max_gap_ms() < 100, qPrintable(QString("event loop blocked %1 ms").arg(beat.max_gap_ms())));

    // resume: the same run continues from its last checkpoint and gains steps again
    QCOMPARE(l.resume_run()->value(), int(run));
    QTest::qWait(300);  // let the curves take the last points of the cancelled job
    const int64_t before = last_step(curves, run);
    QVERIFY(l.resume());
    QVERIFY(started.wait(240000));
    QCOMPARE(started.takeFirst().at(0).toLongLong(), run);
    QTRY_VERIFY_WITH_TIMEOUT(last_step(curves, run) > before, 240000);
    l.cancel();
    QVERIFY(ended.wait(120000));
    QCOMPARE(ended.takeFirst().at(0).toString(), QString("cancelled"));
  }

  void a_window_reattaches_to_a_job_started_elsewhere() {
    if (!ps::locate_data()) QSKIP("data mirror not found");
    // a job started from the CLI (as from a terminal, or by a window that was closed since)
    QTemporaryDir dir;
    const QString config = dir.filePath("tiny.json");
    QFile f(config);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QByteArray::fromStdString(tiny_sft().dump()));
    f.close();
    qint64 pid = 0;
    QVERIFY(QProcess::startDetached(PERTURBSCOPE_CLI_PATH, {"sft", "--config", config, "--store", store_path_}, {}, &pid));
    qint64 run = 0;
    QTRY_VERIFY_WITH_TIMEOUT(([&] {
      ps::store::Store st(store_path_.toStdString());
      for (const auto& r : st.list_runs())
        if (r.pid == pid && r.status == ps::store::RunStatus::Running) run = r.id;
      return run > 0;
    }()), 240000);
    TrainLauncher l(store_path_);
    QSignalSpy started(&l, &TrainLauncher::run_started);
    QSignalSpy ended(&l, &TrainLauncher::job_ended);
    QVERIFY(started.wait(30000));
    QCOMPARE(started.takeFirst().at(0).toLongLong(), run);
    QCOMPARE(l.job()->pid(), pid);
    QVERIFY(l.cancel_button()->isEnabled());
    l.cancel();
    QVERIFY(ended.wait(120000));
    QCOMPARE(ended.takeFirst().at(0).toString(), QString("cancelled"));
  }
};

PSTEST_MAIN(TestTrainLaunch)
#include "tst_train_launch.moc"
