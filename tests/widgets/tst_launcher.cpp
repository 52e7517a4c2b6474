// The KNN-KG launcher end to end on the data mirror: validation beside the
// fields, a K562 evaluation on a worker thread (the event loop never blocked
// more than 100 ms), the run appearing finished in the Runs tab, its reliability
// diagram matching the bins the core stored, the prediction table filtering it,
// and cancel.
#include <QCheckBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
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
    w.runs_model()->refresh();
    QCOMPARE(w.runs_model()->rowCount(), runs_before);  // nothing half-written
    QVERIFY(w.launcher()->run_button()->isEnabled());
  }
};

PSTEST_MAIN(TestLauncher)
#include "tst_launcher.moc"
