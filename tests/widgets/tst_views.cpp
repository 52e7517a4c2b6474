// The main window over a store filled with synthetic runs: runs appear (also when
// written by another connection, as the CLI does), opening a run shows the core's
// reliability bins, two runs overlay, figures and tables export, the prediction
// table filters, and the GUI thread stays responsive while a job runs.
#include <QFile>
#include <QImage>
#include <QLineEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTextBrowser>
#include <qcustomplot.h>
#include <QTemporaryDir>
#include <cmath>
#include <set>

#include "common/paths.h"
#include "export.h"
#include "helpers.h"
#include "job_runner.h"
#include "main_window.h"
#include "metrics/calibration.h"
#include "predictions_model.h"
#include "predictions_view.h"
#include "reliability_model.h"
#include "reliability_view.h"
#include "runs_model.h"
#include "runs_view.h"

using namespace ps::gui;

class TestViews : public QObject {
  Q_OBJECT
  QString store_path_;
  qint64 run_a_ = 0, run_b_ = 0;
  std::vector<ps::store::Prediction> preds_a_;

  qint64 add_run(ps::store::Store& store, const std::string& cell, unsigned seed, std::vector<ps::store::Prediction>* out) {
    const qint64 id = store.create_run("knn", "knn " + cell + " synthetic", "{\"cell_line\":\"" + cell + "\",\"k\":20}");
    auto preds = pstest::synthetic_predictions(cell, 40, 50, seed);
    store.add_predictions(id, preds);
    store.set_summary(id, "{\"cell_line\":\"" + cell + "\",\"auroc_per_gene\":0.61,\"ece\":0.02,\"brier\":0.1,\"n_test\":2000}");
    store.set_status(id, ps::store::RunStatus::Finished);
    if (out) *out = preds;
    return id;
  }

 private slots:
  void initTestCase() {
    store_path_ = QString::fromStdString(ps::default_store_path());
    ps::store::Store store(store_path_.toStdString());
    run_a_ = add_run(store, "k562", 1, &preds_a_);
    run_b_ = add_run(store, "rpe1", 2, nullptr);
  }

  void runs_appear_without_restart() {
    MainWindow w(store_path_);
    RunsModel* runs = w.runs_model();
    runs->set_poll_interval(50);
    QCOMPARE(runs->rowCount(), 2);
    QCOMPARE(runs->data(runs->index(0, RunsModel::CellLine)).toString(), QString("rpe1"));  // newest first
    QCOMPARE(runs->data(runs->index(0, RunsModel::AurocPerGene)).toString(), QString("0.610"));
    // Another connection (another thread or process, like perturbscope-cli) adds a run.
    ps::store::Store other(store_path_.toStdString());
    const qint64 id = other.create_run("knn", "from the CLI", "{\"cell_line\":\"hepg2\"}");
    QTRY_COMPARE_WITH_TIMEOUT(runs->rowCount(), 3, 3000);
    QCOMPARE(runs->run(0).id, id);
    QCOMPARE(runs->data(runs->index(0, RunsModel::Status)).toString(), QString("running"));
    // Its status change shows up too, keeping the user's selection.
    w.runs_view()->select_runs({run_a_});
    other.set_status(id, ps::store::RunStatus::Failed);
    QTRY_COMPARE_WITH_TIMEOUT(runs->data(runs->index(0, RunsModel::Status)).toString(), QString("failed"), 3000);
    QCOMPARE(w.runs_view()->selected_runs(), QList<qint64>{run_a_});
    other.delete_run(id);
    QTRY_COMPARE_WITH_TIMEOUT(runs->rowCount(), 2, 3000);
    QCOMPARE(w.runs_view()->selected_runs(), QList<qint64>{run_a_});
  }

  void open_run_shows_core_bins() {
    MainWindow w(store_path_);
    QSignalSpy opened(&w, &MainWindow::run_opened);
    w.open_run(run_a_);
    QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, 5000);
    QCOMPARE(w.tabs()->currentWidget(), static_cast<QWidget*>(w.reliability_view()));
    const auto& curves = w.reliability_model()->curves();
    QCOMPARE(int(curves.size()), 1);
    std::vector<double> p;
    std::vector<int> y;
    for (const auto& x : preds_a_) {
      p.push_back(x.confidence);
      y.push_back(x.label);
    }
    const auto core = ps::metrics::reliability_bins(p, y, 10);
    QCOMPARE(int(curves[0].bins.size()), int(core.size()));
    for (size_t b = 0; b < core.size(); ++b) {
      QCOMPARE(double(curves[0].bins[b].count), core[b].count);
      if (core[b].count == 0) continue;
      QVERIFY(std::abs(curves[0].bins[b].mean_confidence - core[b].mean_confidence) < 1e-12);
      QVERIFY(std::abs(curves[0].bins[b].accuracy - core[b].accuracy) < 1e-12);
      QVERIFY(curves[0].bins[b].ci_low <= curves[0].bins[b].accuracy + 1e-12);
      QVERIFY(curves[0].bins[b].ci_high >= curves[0].bins[b].accuracy - 1e-12);
    }
    QVERIFY(std::abs(curves[0].ece - ps::metrics::ece(p, y, 10)) < 1e-12);
    QVERIFY(std::abs(curves[0].brier - ps::metrics::brier(p, y)) < 1e-12);
    QVERIFY(curves[0].ece_ci_low <= curves[0].ece && curves[0].ece <= curves[0].ece_ci_high);
    // The plot draws it: diagonal + curve + error bars + histogram; the legend names ECE and Brier.
    QCustomPlot* plot = w.reliability_view()->plot();
    QCOMPARE(plot->plottableCount(), 4);
    bool legend_has_metrics = false;
    for (int i = 0; i < plot->legend->itemCount(); ++i) {
      auto* item = qobject_cast<QCPPlottableLegendItem*>(plot->legend->item(i));
      if (item && item->plottable()->name().contains("ECE") && item->plottable()->name().contains("Brier"))
        legend_has_metrics = true;
    }
    QVERIFY(legend_has_metrics);
    // The bins table has one row per non-empty bin.
    int non_empty = 0;
    for (const auto& b : core) non_empty += b.count > 0;
    QCOMPARE(w.reliability_model()->rowCount(), non_empty);
    // The prediction table holds the run's pairs.
    QCOMPARE(w.predictions_model()->rowCount(), int(preds_a_.size()));
  }

  void compare_overlays_two_runs() {
    MainWindow w(store_path_);
    QSignalSpy opened(&w, &MainWindow::run_opened);
    w.runs_view()->select_runs({run_a_, run_b_});
    QCOMPARE(w.runs_view()->selected_runs().size(), 2);
    w.runs_view()->open_selected();
    QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, 5000);
    const auto& curves = w.reliability_model()->curves();
    QCOMPARE(int(curves.size()), 2);
    QVERIFY(curves[0].label.contains(QString::number(run_a_)));
    QVERIFY(curves[1].label.contains("rpe1"));
    QCOMPARE(w.reliability_view()->plot()->plottableCount(), 1 + 3 * 2);
  }

  void export_figure_and_table() {
    MainWindow w(store_path_);
    QSignalSpy opened(&w, &MainWindow::run_opened);
    w.open_run(run_a_);
    QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, 5000);
    QTemporaryDir dir;
    FigureSize size;
    size.width_cm = 10;
    size.height_cm = 7.5;
    size.dpi = 300;
    QString error;
    const QString png = dir.filePath("rel.png"), svg = dir.filePath("rel.svg"), pdf = dir.filePath("rel.pdf");
    QVERIFY2(export_plot(w.reliability_view()->plot(), png, size, &error), qPrintable(error));
    QImage image(png);
    QCOMPARE(image.size(), QSize(1181, 886));  // 10 cm x 7.5 cm at 300 dpi
    QCOMPARE(qRound(image.dotsPerMeterX() * 0.0254), 300);
    std::set<QRgb> colours;
    for (int y = 0; y < image.height(); y += 7)
      for (int x = 0; x < image.width(); x += 7) colours.insert(image.pixel(x, y));
    QVERIFY2(colours.size() > 10, "the exported figure is blank");
    QVERIFY2(export_plot(w.reliability_view()->plot(), svg, size, &error), qPrintable(error));
    QFile s(svg);
    QVERIFY(s.open(QIODevice::ReadOnly));
    const QByteArray svg_text = s.readAll();
    QVERIFY(svg_text.contains("<svg"));
    QVERIFY(svg_text.contains("ECE"));  // the legend is text, not pixels
    QVERIFY2(export_plot(w.reliability_view()->plot(), pdf, size, &error), qPrintable(error));
    QFile f(pdf);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY(f.read(5) == "%PDF-");
    QVERIFY(f.size() > 2000);
    // Unknown format and unwritable path: a clear error naming the file.
    QVERIFY(!export_plot(w.reliability_view()->plot(), dir.filePath("rel.bmpx"), size, &error));
    QVERIFY(error.contains("rel.bmpx"));
    QVERIFY(!export_plot(w.reliability_view()->plot(), "/proc/forbidden/x.png", size, &error));
    QVERIFY(error.contains("/proc/forbidden/x.png"));
    // Tables to CSV: header + one line per row, numbers unrounded.
    const QString csv = dir.filePath("bins.csv");
    QVERIFY2(export_csv(w.reliability_model(), csv, &error), qPrintable(error));
    QFile c(csv);
    QVERIFY(c.open(QIODevice::ReadOnly | QIODevice::Text));
    const QStringList lines = QString::fromUtf8(c.readAll()).split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 1 + w.reliability_model()->rowCount());
    QVERIFY(lines[0].startsWith("Curve,Bin,Count"));
    QVERIFY(lines[1].contains("\"[0.0, 0.1)\""));  // the bin label holds a comma: quoted
    const QStringList first = lines[1].split(',');    // numbers follow it: index from the end
    const double mean_conf = first[first.size() - (ReliabilityModel::ColumnCount - ReliabilityModel::MeanConfidence)].toDouble();
    QCOMPARE(mean_conf, w.reliability_model()->curves()[0].bins[0].mean_confidence);
  }

  void prediction_table_filters() {
    MainWindow w(store_path_);
    QSignalSpy opened(&w, &MainWindow::run_opened);
    w.open_run(run_a_);
    QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, 5000);
    PredictionsView* view = w.predictions_view();
    PredictionsFilter* filter = view->filter();
    QCOMPARE(filter->rowCount(), int(preds_a_.size()));
    // Free-text gene search matches perturber or target.
    QTest::keyClicks(view->gene_search(), "gene7");
    int expected = 0;
    for (const auto& p : preds_a_) expected += QString::fromStdString(p.target).contains("GENE7") || QString::fromStdString(p.perturber).contains("GENE7");
    QCOMPARE(filter->rowCount(), expected);
    view->gene_search()->clear();
    // "Confident and wrong": wrong at 0.5 with at least 0.8 on the predicted class.
    view->set_quick_filter(PredictionsFilter::ConfidentAndWrong);
    expected = 0;
    for (const auto& p : preds_a_) {
      const bool predicted = p.confidence >= 0.5;
      const double c = predicted ? p.confidence : 1 - p.confidence;
      expected += (int(predicted) != p.label) && c >= 0.8;
    }
    QVERIFY(expected > 0);
    QCOMPARE(filter->rowCount(), expected);
    for (int r = 0; r < filter->rowCount(); ++r)
      QCOMPARE(filter->index(r, PredictionsModel::Correct).data(Qt::EditRole).toInt(), 0);
    // Sorting by probability (descending) through the proxy.
    view->table()->sortByColumn(PredictionsModel::Probability, Qt::DescendingOrder);
    for (int r = 1; r < filter->rowCount(); ++r)
      QVERIFY(filter->index(r - 1, PredictionsModel::Probability).data(Qt::EditRole).toDouble() >=
              filter->index(r, PredictionsModel::Probability).data(Qt::EditRole).toDouble());
    // "Unseen target": targets outside the training set given to the model.
    QSet<QString> seen;
    for (int j = 0; j < 45; ++j) seen.insert("k562|GENE" + QString::number(j));
    w.predictions_model()->set_seen_targets(seen);
    view->set_quick_filter(PredictionsFilter::UnseenTarget);
    QCOMPARE(filter->rowCount(), 40 * 5);
    // Selecting a row shows that pair's evidence.
    view->table()->selectRow(0);
    const QString pert = filter->index(0, PredictionsModel::Perturber).data().toString();
    QTRY_VERIFY(view->evidence_panel()->toPlainText().contains(pert));
  }

  void job_keeps_gui_responsive() {
    MainWindow w(store_path_);
    w.show();
    JobRunner* jobs = w.jobs();
    QSignalSpy finished(jobs, &JobRunner::finished);
    QSignalSpy progress(jobs, &JobRunner::progressed);
    const std::string path = store_path_.toStdString();
    pstest::Heartbeat heartbeat;
    // A job that works for ~1.5 s, writing a run through its own store connection.
    QVERIFY(jobs->start("synthetic", [path](ps::jobs::JobContext& ctx) -> qint64 {
      ps::store::Store store(path);
      const qint64 id = store.create_run("knn", "knn jurkat synthetic job", "{\"cell_line\":\"jurkat\"}");
      volatile double sink = 0;
      for (int step = 0; step < 60; ++step) {
        ctx.check_cancelled();
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 25) sink = sink + std::sqrt(double(step));
        ctx.report((step + 1) / 60.0, "step " + std::to_string(step));
      }
      store.add_predictions(id, pstest::synthetic_predictions("jurkat", 10, 10, 3));
      store.set_status(id, ps::store::RunStatus::Finished);
      return id;
    }));
    QVERIFY(!jobs->start("second", [](ps::jobs::JobContext&) -> qint64 { return 0; }));  // one at a time
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20000);
    QVERIFY(progress.count() >= 5);
    QVERIFY2(heartbeat.max_gap_ms() < 100, qPrintable(QString("event loop blocked %1 ms").arg(heartbeat.max_gap_ms())));
    const qint64 id = finished.at(0).at(0).toLongLong();
    QTRY_VERIFY_WITH_TIMEOUT(w.runs_model()->row_of(id) >= 0, 3000);
  }

  void cancel_stops_job() {
    JobRunner jobs;
    QSignalSpy cancelled(&jobs, &JobRunner::cancelled);
    QVERIFY(jobs.start("endless", [](ps::jobs::JobContext& ctx) -> qint64 {
      for (;;) {
        ctx.check_cancelled();
        QThread::msleep(5);
      }
    }));
    QTest::qWait(50);
    QElapsedTimer t;
    t.start();
    jobs.cancel();
    QTRY_COMPARE_WITH_TIMEOUT(cancelled.count(), 1, 2000);
    QVERIFY(t.elapsed() < 1000);
    QVERIFY(!jobs.running());
  }

  void layout_is_remembered() {
    {
      MainWindow w(store_path_);
      w.show();
      w.resize(1000, 700);
      w.tabs()->setCurrentIndex(2);
      w.close();
    }
    MainWindow again(store_path_);
    QCOMPARE(again.tabs()->currentIndex(), 2);
    QVERIFY(QSettings().contains("window/state"));
  }
};

PSTEST_MAIN(TestViews)
#include "tst_views.moc"
