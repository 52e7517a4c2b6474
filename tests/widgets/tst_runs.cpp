// The Runs view: a run written by another connection (as perturbscope-cli writes it) appears by
// itself with its live progress, and with its reason once it fails or is cancelled; rename, tags
// and notes go to the store; delete asks, keeps running runs, and deletes a run's folder only
// when asked again; configuration columns chosen from the header menu read JSON pointers.
#include <QAction>
#include <QDir>
#include <QFile>
#include <QMenu>
#include <QSettings>
#include <QTableView>
#include <cmath>

#include "common/paths.h"
#include "helpers.h"
#include "kg/evaluation.h"
#include "runs_model.h"
#include "runs_view.h"

using namespace ps::gui;

class TestRuns : public QObject {
  Q_OBJECT
  QString path_;

  QString status(RunsModel& m, qint64 id) { return m.index(m.row_of(id), RunsModel::Status).data().toString(); }

 private slots:
  void initTestCase() { path_ = QString::fromStdString(ps::default_store_path()); }

  void live_status_progress_and_reason() {
    RunsModel model(path_);
    model.set_poll_interval(50);
    ps::store::Store cli(path_.toStdString());  // another connection: the job's
    const qint64 id = cli.create_run("sft", "live", "{}");
    QTRY_VERIFY_WITH_TIMEOUT(model.row_of(id) >= 0, 3000);
    QCOMPARE(status(model, id), QString("running"));
    cli.set_progress(id, 0.42, "step 42/100  loss 1.234");
    QTRY_COMPARE_WITH_TIMEOUT(status(model, id), QString("running · 42 %"), 3000);
    QCOMPARE(model.index(model.row_of(id), RunsModel::Status).data(Qt::ToolTipRole).toString(), QString("step 42/100  loss 1.234"));
    cli.set_status(id, ps::store::RunStatus::Failed, "model: no such file: /x/config.json\nmore detail");
    QTRY_COMPARE_WITH_TIMEOUT(status(model, id), QString("failed: model: no such file: /x/config.json"), 3000);
    QVERIFY(model.index(model.row_of(id), RunsModel::Status).data(Qt::ToolTipRole).toString().contains("more detail"));
    const qint64 c = cli.create_run("grpo", "cancelled", "{}");
    cli.set_status(c, ps::store::RunStatus::Cancelled, "cancelled");
    QTRY_COMPARE_WITH_TIMEOUT(status(model, c), QString("cancelled"), 3000);
    QCOMPARE(model.index(model.row_of(c), RunsModel::Status).data(Qt::EditRole).toString(), QString("cancelled"));
    // a KNN-KG evaluation that stopped records its message as the reason
    const qint64 k = ps::kg::record_unfinished_knn_run(cli, ps::kg::KnnEvalConfig{}, "hepg2", ps::store::RunStatus::Failed,
                                                       "string_v12: cannot read links file");
    QTRY_COMPARE_WITH_TIMEOUT(status(model, k), QString("failed: string_v12: cannot read links file"), 3000);
  }

  void rename_tags_notes() {
    RunsModel model(path_);
    const qint64 id = model.store().create_run("knn", "before", "{}");
    model.refresh();
    const int row = model.row_of(id);
    QVERIFY(model.flags(model.index(row, RunsModel::Name)) & Qt::ItemIsEditable);
    QVERIFY(!(model.flags(model.index(row, RunsModel::Kind)) & Qt::ItemIsEditable));
    QVERIFY(model.setData(model.index(row, RunsModel::Name), "  after  "));
    QVERIFY(model.setData(model.index(model.row_of(id), RunsModel::Tags), "baseline, k562,, baseline"));
    QVERIFY(model.setData(model.index(model.row_of(id), RunsModel::Notes), "first line\nsecond line"));
    const auto run = *ps::store::Store(path_.toStdString()).get_run(id);  // a fresh connection sees them
    QCOMPARE(QString::fromStdString(run.name), QString("after"));
    QCOMPARE(run.tags, (std::vector<std::string>{"baseline", "k562"}));
    QCOMPARE(QString::fromStdString(run.notes), QString("first line\nsecond line"));
    const int r = model.row_of(id);
    QCOMPARE(model.index(r, RunsModel::Tags).data().toString(), QString("baseline, k562"));
    QCOMPARE(model.index(r, RunsModel::Notes).data().toString(), QString("first line"));
    QCOMPARE(model.index(r, RunsModel::Notes).data(Qt::ToolTipRole).toString(), QString("first line\nsecond line"));
  }

  void delete_asks_and_removes_files() {
    RunsModel model(path_);
    RunsView view(&model);
    const qint64 a = model.store().create_run("sft", "with folder", "{}");
    const qint64 b = model.store().create_run("sft", "with folder too", "{}");
    const qint64 running = model.store().create_run("sft", "running", "{}");
    for (qint64 id : {a, b}) {
      model.store().set_status(id, ps::store::RunStatus::Finished);
      QVERIFY(QDir().mkpath(model.run_folder(id) + "/checkpoint"));
      QFile f(model.run_folder(id) + "/checkpoint/adapter.bin");
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write("weights");
    }
    model.refresh();
    QCOMPARE(model.run_folder(a), QFileInfo(path_).absoluteDir().filePath("runs/" + QString::number(a)));
    QStringList asked;
    QList<bool> answers;
    view.set_confirm([&](const QString&, const QString& q) {
      asked << q;
      return answers.isEmpty() ? false : answers.takeFirst();
    });
    // No: nothing happens
    view.select_runs({a, running});
    view.delete_selected();
    QCOMPARE(asked.size(), 1);
    QVERIFY(asked[0].contains(QString::number(a)));
    QVERIFY(asked[0].contains("Running runs are kept: " + QString::number(running)));
    QVERIFY(model.row_of(a) >= 0);
    // Yes to the rows, no to the files: the row goes, the folder stays; the running run stays
    answers = {true, false};
    view.select_runs({a, running});
    view.delete_selected();
    QCOMPARE(asked.size(), 3);
    QVERIFY(asked[2].contains(model.run_folder(a)));
    QCOMPARE(model.row_of(a), -1);
    QVERIFY(!ps::store::Store(path_.toStdString()).get_run(a));
    QVERIFY(model.row_of(running) >= 0);
    QVERIFY(QDir(model.run_folder(a)).exists());
    // Yes and yes: the folder goes too
    answers = {true, true};
    view.select_runs({b});
    view.delete_selected();
    QCOMPARE(model.row_of(b), -1);
    QVERIFY(!QDir(model.run_folder(b)).exists());
  }

  void config_columns_from_header_menu() {
    QSettings().remove("runs/config_columns");
    RunsModel model(path_);
    const qint64 a = model.store().create_run("knn", "a", R"({"k": 20, "weights": [1, 1, 2], "lora": {"r": 8}, "lr": 0.0002})");
    const qint64 b = model.store().create_run("knn", "b", R"({"k": 50, "model": "qwen3-0.6b"})");
    model.refresh();
    RunsView view(&model);
    const QStringList offered = model.available_config_columns();
    for (const char* p : {"/k", "/weights", "/lora/r", "/lr", "/model"}) QVERIFY2(offered.contains(p), p);
    QVERIFY(!offered.contains("/lora"));  // objects are not columns, their leaves are
    QMenu* menu = view.column_menu();
    auto* k = menu->findChild<QAction*>("config_column:/k");
    QVERIFY(k);
    k->trigger();
    menu = view.column_menu();
    menu->findChild<QAction*>("config_column:/lora/r")->trigger();
    menu = view.column_menu();
    menu->findChild<QAction*>("config_column:/weights")->trigger();
    view.add_config_column("/lr");
    QCOMPARE(model.columnCount(), int(RunsModel::ColumnCount) + 4);
    QCOMPARE(model.headerData(RunsModel::ColumnCount, Qt::Horizontal).toString(), QString("k"));
    QCOMPARE(model.headerData(RunsModel::ColumnCount + 1, Qt::Horizontal).toString(), QString("lora/r"));
    auto cell = [&](qint64 id, int c) { return model.index(model.row_of(id), RunsModel::ColumnCount + c).data(); };
    QCOMPARE(cell(a, 0).toLongLong(), 20LL);
    QCOMPARE(cell(b, 0).toLongLong(), 50LL);
    QCOMPARE(cell(a, 1).toLongLong(), 8LL);
    QVERIFY(!cell(b, 1).isValid());  // absent: empty
    QCOMPARE(cell(a, 2).toString(), QString("[1,1,2]"));
    QCOMPARE(cell(a, 3).toString(), QLocale().toString(0.0002, 'g', 6));
    // kept in the settings: a new view of a new model shows the same columns
    RunsModel again(path_);
    RunsView view2(&again);
    QCOMPARE(again.config_columns(), (QStringList{"/k", "/lora/r", "/weights", "/lr"}));
    // unticking removes
    menu = view.column_menu();
    auto* k2 = menu->findChild<QAction*>("config_column:/k");
    QVERIFY(k2->isChecked());
    k2->trigger();
    QCOMPARE(model.config_columns(), (QStringList{"/lora/r", "/weights", "/lr"}));
    QCOMPARE(config_value("{\"a\":{\"b/c\":3}}", "/a/b~1c").toLongLong(), 3LL);
    QVERIFY(!config_value("not json", "/a").isValid());
    QVERIFY(!config_value("{}", "bad pointer").isValid());
  }
};

PSTEST_MAIN(TestRuns)
#include "tst_runs.moc"
