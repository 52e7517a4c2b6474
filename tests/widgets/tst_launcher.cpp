// The KNN-KG launcher end to end on the data mirror: validation beside the
// fields, a K562 evaluation on a worker thread (the event loop never blocked
// more than 100 ms), the run appearing finished in the Runs tab, its reliability
// diagram matching the bins the core stored, the prediction table filtering it,
// and cancel: the running cell line recorded as cancelled, the finished ones kept.
#include <QCheckBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <algorithm>
#include <cmath>

#include "common/paths.h"
#include "helpers.h"
#include "job_runner.h"
#include "kg_service.h"
#include "launcher_view.h"
#include "main_window.h"
#include "predictions_model.h"
#include "predictions_view.h"
#include "reliability_model.h"
#include "runs_model.h"
#include "runs_view.h"

using namespace ps::gui;

class TestLauncher : public QObject {
  Q_OBJECT
  QString store_path_;

 private slots:
  void initTestCase() {
    if (!ps::locate_data()) QSKIP("no data mirror (set PERTURBSCOPE_DATA)");
    store_path_ = QString::fromStdString(ps::default_store_path());
  }

  void validation_next_to_fields() {
    MainWindow w(store_path_);
    LauncherView* l = w.launcher();
    QVERIFY(l->errors().isEmpty());
    QVERIFY(l->run_button()->isEnabled());
    KnnLaunch bad;
    bad.cell_lines.clear();
    bad.k = 0;
    bad.w_string = bad.w_go = bad.w_reactome = 0;
    bad.csv = "/nonexistent/pairs.csv";
    bad.test_split = "train";
    bad.bootstrap = 5;
    l->set_launch(bad);
    const auto errors = l->errors();
    for (const char* field : {"cell_lines", "k", "sources", "csv", "splits", "bootstrap"})
      QVERIFY2(errors.contains(field), field);
    QVERIFY(errors["csv"].contains("/nonexistent/pairs.csv"));
    QVERIFY(!l->run_button()->isEnabled());
    QVERIFY(!l->start());
    QVERIFY(!w.jobs()->running());
    // Fixing a field clears its message only.
    bad.k = 20;
    l->set_launch(bad);
    QVERIFY(!l->errors().contains("k"));
    QVERIFY(l->errors().contains("sources"));
    l->set_launch(KnnLaunch{});
    QVERIFY(l->errors().isEmpty());
  }

  void run_from_launcher_to_runs_view() {
    MainWindow w(store_path_);
    w.show();
    w.runs_model()->set_poll_interval(100);
    LauncherView* l = w.launcher();
    KnnLaunch launch;  // K562, k = 20, the core's default sources
    launch.bootstrap = 200;
    launch.signed_effect = false;
    l->set_launch(launch);
    QSignalSpy finished(l, &LauncherView::run_finished);
    QSignalSpy progress(w.jobs(), &JobRunner::progressed);
    pstest::Heartbeat heartbeat;
    QTest::mouseClick(l->run_button(), Qt::LeftButton);
    QVERIFY(w.jobs()->running());
    QVERIFY(!l->run_button()->isEnabled());
    QVERIFY(l->cancel_button()->isEnabled());
    QVERIFY(finished.wait(180000));
    QVERIFY2(heartbeat.max_gap_ms() < 100, qPrintable(QString("event loop blocked %1 ms").arg(heartbeat.max_gap_ms())));
    QVERIFY(progress.count() >= 3);
    QCOMPARE(l->progress()->value(), 1000);
    const qint64 id = finished.at(0).at(0).toLongLong();

    // The run is in the Runs tab, finished, selected.
    RunsModel* runs = w.runs_model();
    QTRY_VERIFY(runs->row_of(id) >= 0);
    const int row = runs->row_of(id);
    QCOMPARE(runs->data(runs->index(row, RunsModel::Status), Qt::EditRole).toString(), QString("finished"));
    QCOMPARE(runs->data(runs->index(row, RunsModel::CellLine)).toString(), QString("k562"));
    const double auroc = runs->data(runs->index(row, RunsModel::AurocPerGene), Qt::EditRole).toDouble();
    QVERIFY2(auroc > 0.6 && auroc < 0.9, qPrintable(QString::number(auroc)));
    QCOMPARE(w.runs_view()->selected_runs(), QList<qint64>{id});
    QCOMPARE(w.tabs()->currentWidget(), static_cast<QWidget*>(w.runs_view()));

    // Its reliability diagram shows the bins the core computed and stored.
    QSignalSpy opened(&w, &MainWindow::run_opened);
    w.runs_view()->open_selected();
    QVERIFY(opened.wait(30000));
    const auto& curves = w.reliability_model()->curves();
    QCOMPARE(int(curves.size()), 1);
    const QJsonObject summary =
        QJsonDocument::fromJson(QByteArray::fromStdString(runs->run(row).summary_json)).object();
    const QJsonArray bins = summary["reliability"].toArray();
    QCOMPARE(int(curves[0].bins.size()), int(bins.size()));
    for (int b = 0; b < bins.size(); ++b) {
      const QJsonObject core = bins[b].toObject();
      QCOMPARE(double(curves[0].bins[b].count), core["count"].toDouble());
      if (core["count"].toDouble() == 0) continue;
      QVERIFY(std::abs(curves[0].bins[b].mean_confidence - core["mean_confidence"].toDouble()) < 1e-9);
      QVERIFY(std::abs(curves[0].bins[b].accuracy - core["accuracy"].toDouble()) < 1e-9);
    }
    QVERIFY(std::abs(curves[0].ece - summary["ece"].toDouble()) < 1e-9);
    QVERIFY(std::abs(curves[0].brier - summary["brier"].toDouble()) < 1e-9);
    QCOMPARE(curves[0].n, qint64(summary["n"].toDouble()));

    // The predictions of the run, filtered: confident and wrong, then a gene.
    PredictionsView* pv = w.predictions_view();
    QCOMPARE(w.predictions_model()->rowCount(), int(summary["n"].toDouble()));
    pv->set_quick_filter(PredictionsFilter::ConfidentAndWrong);
    const int confident_wrong = pv->filter()->rowCount();
    QVERIFY(confident_wrong > 0 && confident_wrong < w.predictions_model()->rowCount() / 2);
    for (int r = 0; r < confident_wrong; ++r) {
      const double p = pv->filter()->index(r, PredictionsModel::Probability).data(Qt::EditRole).toDouble();
      QVERIFY(p >= 0.8 || p <= 0.2);
      QCOMPARE(pv->filter()->index(r, PredictionsModel::Correct).data(Qt::EditRole).toInt(), 0);
    }
    pv->set_quick_filter(PredictionsFilter::All);
    QTest::keyClicks(pv->gene_search(), "MT-ND1");
    QVERIFY(pv->filter()->rowCount() > 0);
    for (int r = 0; r < pv->filter()->rowCount(); ++r)
      QVERIFY(pv->filter()->index(r, PredictionsModel::Target).data().toString().contains("MT-ND1") ||
              pv->filter()->index(r, PredictionsModel::Perturber).data().toString().contains("MT-ND1"));
    // Unseen targets: known once the cell line's training pairs are read.
    QTRY_VERIFY_WITH_TIMEOUT(w.predictions_model()->index(0, PredictionsModel::TargetInTrain).data(Qt::EditRole).isValid(), 60000);
    pv->gene_search()->clear();
    pv->set_quick_filter(PredictionsFilter::UnseenTarget);
    QCOMPARE(qint64(pv->filter()->rowCount()) > 0, summary["unseen_test_targets"].toDouble() > 0);
  }

  // Cancelled at once: the cell line that was running stays in the Runs tab, cancelled with its reason.
  void cancel_a_running_evaluation() {
    MainWindow w(store_path_);
    const int runs_before = w.runs_model()->rowCount();
    QSignalSpy cancelled(w.jobs(), &JobRunner::cancelled);
    QSignalSpy progress(w.jobs(), &JobRunner::progressed);
    QVERIFY(w.launcher()->start());
    QVERIFY(progress.wait(30000));  // it is working
    QElapsedTimer t;
    t.start();
    QTest::mouseClick(w.launcher()->cancel_button(), Qt::LeftButton);
    QVERIFY(cancelled.wait(10000));
    qInfo("cancelled after %lld ms", t.elapsed());
    QVERIFY(!w.jobs()->running());
    RunsModel* runs = w.runs_model();
    runs->refresh();
    QCOMPARE(runs->rowCount(), runs_before + 1);  // the cancelled line's row, nothing half-written
    const ps::store::Run& r = runs->run(0);       // newest first
    QCOMPARE(r.status, ps::store::RunStatus::Cancelled);
    QCOMPARE(QString::fromStdString(r.status_reason), QString("cancelled by the user during k562"));
    QVERIFY(runs->store().predictions(r.id).empty());
    QVERIFY(runs->store().metric_names(r.id).empty());
    QVERIFY(runs->data(runs->index(0, RunsModel::Status)).toString().contains("during k562"));
    QVERIFY(w.launcher()->run_button()->isEnabled());
  }

  // Issue 14: a two-cell-line evaluation cancelled after the first line is stored. Each line's
  // row appears running (with its progress) as its evaluation starts; the first is complete
  // (finished, metrics, predictions) before the second starts; the cancel keeps it and records
  // the second as cancelled with the reason.
  void cancel_keeps_the_finished_cell_lines() {
    MainWindow w(store_path_);
    RunsModel* runs = w.runs_model();
    runs->set_poll_interval(100);
    runs->refresh();
    qint64 newest_before = 0;
    for (int r = 0; r < runs->rowCount(); ++r) newest_before = std::max<qint64>(newest_before, runs->run(r).id);
    KnnLaunch launch;
    launch.cell_lines = {"hepg2", "jurkat"};  // the two smallest lines
    launch.bootstrap = 0;
    launch.signed_effect = false;
    w.launcher()->set_launch(launch);
    QVERIFY(w.launcher()->errors().isEmpty());
    // This job's row for a cell line (-1 while there is none).
    auto row_for = [&](const QString& cell) {
      for (int r = 0; r < runs->rowCount(); ++r)
        if (runs->run(r).id > newest_before && runs->data(runs->index(r, RunsModel::CellLine)).toString() == cell) return r;
      return -1;
    };
    auto status_of = [&](const QString& cell) {
      const int r = row_for(cell);
      return r < 0 ? QString() : runs->data(runs->index(r, RunsModel::Status), Qt::EditRole).toString();
    };
    QSignalSpy cancelled(w.jobs(), &JobRunner::cancelled);
    QSignalSpy failed(w.jobs(), &JobRunner::failed);
    QVERIFY(w.launcher()->start());

    // Running rows, shown by the Runs tab's own polling (no refresh here): HepG2 at once (also
    // while the graph loads), with its progress; then finished; then JurKat's running row.
    QElapsedTimer t;
    t.start();
    bool hepg2_running = false, hepg2_progress = false, jurkat_before_hepg2_done = false;
    while (t.elapsed() < 300000 && !failed.count() && status_of("hepg2") != "finished") {
      QTest::qWait(20);
      if (status_of("hepg2") == "running") {
        hepg2_running = true;
        const QString shown = runs->data(runs->index(row_for("hepg2"), RunsModel::Status)).toString();
        if (shown.contains("%") && std::isfinite(runs->run(row_for("hepg2")).progress)) hepg2_progress = true;
      }
      if (row_for("jurkat") >= 0 && status_of("hepg2") != "finished") jurkat_before_hepg2_done = true;
    }
    QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.at(0).at(0).toString()));
    QCOMPARE(status_of("hepg2"), QString("finished"));
    QVERIFY(hepg2_running);
    QVERIFY(hepg2_progress);
    QVERIFY(!jurkat_before_hepg2_done);
    QTRY_COMPARE_WITH_TIMEOUT(status_of("jurkat"), QString("running"), 30000);
    QVERIFY(w.jobs()->running());

    // Cancel while JurKat runs.
    QTest::mouseClick(w.launcher()->cancel_button(), Qt::LeftButton);
    QVERIFY(cancelled.wait(120000));
    QVERIFY(!w.jobs()->running());
    QTRY_COMPARE_WITH_TIMEOUT(status_of("jurkat"), QString("cancelled"), 5000);

    // Exactly the two rows of this job.
    int mine = 0;
    for (int r = 0; r < runs->rowCount(); ++r) mine += runs->run(r).id > newest_before;
    QCOMPARE(mine, 2);
    // HepG2: complete, as a finished evaluation stores it.
    const ps::store::Run hepg2 = runs->run(row_for("hepg2"));
    QCOMPARE(hepg2.status, ps::store::RunStatus::Finished);
    QVERIFY(hepg2.status_reason.empty());
    const QJsonObject summary = QJsonDocument::fromJson(QByteArray::fromStdString(hepg2.summary_json)).object();
    const double auroc = runs->data(runs->index(row_for("hepg2"), RunsModel::AurocPerGene), Qt::EditRole).toDouble();
    QVERIFY2(auroc > 0.55 && auroc < 0.95, qPrintable(QString::number(auroc)));
    QCOMPARE(auroc, summary["auroc_per_gene"].toDouble());
    for (const char* m : {"auroc_per_gene", "f1", "brier", "ece"})
      QVERIFY2(runs->store().metrics(hepg2.id, m).size() == 1, m);
    QCOMPARE(qint64(runs->store().predictions(hepg2.id).size()), qint64(summary["n_test"].toDouble()));
    QVERIFY(summary["n_test"].toDouble() > 1000);
    // JurKat: cancelled, with the reason, nothing half-written.
    const ps::store::Run jurkat = runs->run(row_for("jurkat"));
    QCOMPARE(jurkat.status, ps::store::RunStatus::Cancelled);
    QCOMPARE(QString::fromStdString(jurkat.status_reason), QString("cancelled by the user during jurkat"));
    QVERIFY(!jurkat.finished_at.empty());
    QVERIFY(runs->store().predictions(jurkat.id).empty());
    QVERIFY(runs->store().metric_names(jurkat.id).empty());
    QVERIFY(runs->data(runs->index(row_for("jurkat"), RunsModel::Status)).toString().contains("during jurkat"));
  }
};

PSTEST_MAIN(TestLauncher)
#include "tst_launcher.moc"
