// Comparing any number of runs from the Runs tab: Compare is offered for two or more selected runs
// and opens the Compare tab with every run's reliability overlaid and the table of metrics and
// paired differences (hand-computed on six items), a baseline switch, the message for runs scored
// on different item sets, CSV copy and export, the Curves tab overlaying every selected run, and
// an event loop that keeps running while the bootstrap works.
#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QMenu>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <cmath>
#include <qcustomplot.h>

#include "common/paths.h"
#include "compare_model.h"
#include "compare_view.h"
#include "curves_model.h"
#include "curves_view.h"
#include "export.h"
#include "helpers.h"
#include "main_window.h"
#include "reliability_model.h"
#include "runs_view.h"

using namespace ps::gui;

namespace {

// Six items on two target genes (the same as tests/metrics/test_run_comparison.cpp):
//   item      0      1      2      3      4      5
//   gene      G1     G1     G1     G2     G2     G2
//   label     1      0      0      1      1      0
// Every P(DE) lies mid-bin and no two items of a run share an ECE bin, so ECE = mean |p − y|.
const char* kPert[] = {"P1", "P2", "P3", "P1", "P2", "P3"};
const char* kGene[] = {"G1", "G1", "G1", "G2", "G2", "G2"};
const int kLabel[] = {1, 0, 0, 1, 1, 0};
// A: predicts 1 1 0 1 0 0 -> F1 2/3; Brier 1.215/6; ECE 2.3/6; AUROC G1 1, G2 1/2 -> 0.75.
const std::vector<double> kA = {0.85, 0.65, 0.15, 0.75, 0.25, 0.35};
// B: predicts 1 0 0 1 1 0 -> F1 1; Brier .655/6; ECE 1.7/6; AUROC 1.
const std::vector<double> kB = {0.95, 0.35, 0.05, 0.55, 0.65, 0.45};
// C: predicts 1 1 0 0 1 0 -> F1 2/3; Brier 1.575/6; ECE 2.5/6; AUROC G1 1/2, G2 1 -> 0.75.
const std::vector<double> kC = {0.55, 0.75, 0.25, 0.15, 0.85, 0.05};
// D: predicts 1 0 1 1 1 0 -> TP 3, FP 1, FN 0: F1 6/7; Brier (.1225+.2025+.3025+.0025+.0225+.0225)/6 = .675/6;
//    ECE (.35+.45+.55+.05+.15+.15)/6 = 1.7/6; AUROC 1.
const std::vector<double> kD = {0.65, 0.45, 0.55, 0.95, 0.85, 0.15};

std::vector<ps::store::Prediction> six_items(const std::vector<double>& p, int unparsed = -1) {
  std::vector<ps::store::Prediction> out;
  for (size_t i = 0; i < p.size(); ++i) {
    ps::store::Prediction x;
    x.cell_line = "k562";
    x.perturber = kPert[i];
    x.target = kGene[i];
    x.item_key = "k562|" + x.perturber + "|" + x.target;
    x.label = kLabel[i];
    x.confidence = p[i];
    x.prediction = p[i] >= 0.5;
    if (int(i) == unparsed) x.parse_failure = "no_answer";
    out.push_back(x);
  }
  return out;
}

double number(const QAbstractItemModel* m, int row, int column) {
  const QVariant v = m->index(row, column).data(Qt::EditRole);
  return v.isValid() ? v.toDouble() : NAN;
}

bool near(double a, double b) { return std::abs(a - b) < 1e-12; }

}  // namespace

class TestCompare : public QObject {
  Q_OBJECT
  QString store_path_;
  qint64 a_ = 0, b_ = 0, c_ = 0, d_ = 0, e_ = 0;
  QList<qint64> big_;

  qint64 add(ps::store::Store& st, const std::string& kind, const std::string& name,
             const std::vector<ps::store::Prediction>& preds) {
    const qint64 id = st.create_run(kind, name, "{\"cell_line\":\"k562\"}");
    st.add_predictions(id, preds);
    st.set_status(id, ps::store::RunStatus::Finished);
    return id;
  }

  // Opens a comparison of `ids` through the Runs tab's Compare button; waits for the table.
  bool compare_through_runs_tab(MainWindow& w, const QList<qint64>& ids) {
    QSignalSpy compared(w.compare_view(), &CompareView::compared);
    QSignalSpy opened(&w, &MainWindow::run_opened);
    w.runs_view()->select_runs(ids);
    if (w.runs_view()->selected_runs() != ids || !w.runs_view()->compare_button()->isEnabled()) return false;
    w.runs_view()->compare_button()->click();
    return compared.wait(20000) && (opened.count() > 0 || opened.wait(20000));
  }

 private slots:
  void initTestCase() {
    store_path_ = QString::fromStdString(ps::default_store_path());
    ps::store::Store st(store_path_.toStdString());
    a_ = add(st, "knn", "knn k562", six_items(kA));
    b_ = add(st, "eval", "sft eval", six_items(kB, 5));
    c_ = add(st, "eval", "grpo eval", six_items(kC));
    d_ = add(st, "eval", "rlvr eval", six_items(kD));
    // E: items 0..4 of B and one item of its own: five items shared with the others.
    auto e = six_items(std::vector<double>(kB.begin(), kB.begin() + 5));
    auto extra = e[1];
    extra.perturber = "P4";
    extra.item_key = "k562|P4|G1";
    extra.confidence = 0.5;
    e.push_back(extra);
    e_ = add(st, "eval", "other items", e);
    // Four runs of 2,000 items with the same labels (for the event-loop check).
    const auto base = pstest::synthetic_predictions("hepg2", 40, 50, 11);
    for (int r = 0; r < 4; ++r) {
      auto preds = base;
      for (size_t i = 0; i < preds.size(); ++i)
        preds[i].confidence = std::fmod(preds[i].confidence + 0.013 * r * double(i % 7), 1.0);
      big_ << add(st, "eval", "big " + std::to_string(r), preds);
    }
  }

  void compare_is_offered_for_two_or_more() {
    MainWindow w(store_path_);
    RunsView* runs = w.runs_view();
    runs->select_runs({a_});
    QVERIFY(runs->open_button()->isEnabled());
    QVERIFY(!runs->compare_button()->isEnabled());
    QVERIFY(!runs->run_menu()->findChild<QAction*>("compare_runs")->isEnabled());
    runs->select_runs({a_, b_, c_, d_});
    QVERIFY(runs->compare_button()->isEnabled());
    QVERIFY(runs->open_button()->isEnabled());
    QVERIFY(runs->run_menu()->findChild<QAction*>("compare_runs")->isEnabled());
    // Open with several runs selected compares them too, with all of them.
    QSignalSpy asked(runs, &RunsView::compare_requested);
    runs->open_selected();
    QCOMPARE(asked.count(), 1);
    QCOMPARE(asked.at(0).at(0).value<QList<qint64>>(), (QList<qint64>{a_, b_, c_, d_}));
  }

  void compare_three_runs() {
    MainWindow w(store_path_);
    QVERIFY(compare_through_runs_tab(w, {a_, b_, c_}));
    CompareView* view = w.compare_view();
    QCOMPARE(w.tabs()->currentWidget(), static_cast<QWidget*>(view));
    QCOMPARE(view->runs(), (QList<qint64>{a_, b_, c_}));
    // Every run overlaid: the diagonal, then per run its curve, error bars and histogram bars; the
    // legend names each run.
    QCOMPARE(view->plot()->plottableCount(), 1 + 3 * 3);
    QCOMPARE(int(view->curves().size()), 3);
    QStringList legend;
    for (int i = 0; i < view->plot()->legend->itemCount(); ++i)
      if (auto* item = qobject_cast<QCPPlottableLegendItem*>(view->plot()->legend->item(i))) legend << item->plottable()->name();
    QCOMPARE(legend.size(), 4);
    // The legend sits at the lower right of the curves' rect (top left hid the curves).
    auto* inset = view->plot()->axisRect(0)->insetLayout();
    bool found = false;
    for (int i = 0; i < inset->elementCount(); ++i)
      if (inset->elementAt(i) == view->plot()->legend) {
        found = true;
        QCOMPARE(inset->insetAlignment(i), Qt::AlignBottom | Qt::AlignRight);
      }
    QVERIFY(found);
    for (qint64 id : {a_, b_, c_}) QVERIFY2(legend.join("\n").contains(QString("run %1 ·").arg(id)), qPrintable(legend.join("\n")));
    // The legend's ECE is the table's (the same items).
    QVERIFY(near(view->curves()[2].ece, 2.5 / 6));
    // The Reliability tab overlays them too.
    QCOMPARE(int(w.reliability_model()->curves().size()), 3);

    const CompareModel* m = view->model();
    QCOMPARE(m->rowCount(), 3 + 2);
    QVERIFY(m->index(0, CompareModel::Row).data().toString().contains(QString::number(a_)));
    QVERIFY(m->index(0, CompareModel::Row).data().toString().contains("baseline"));
    QCOMPARE(m->index(0, CompareModel::Kind).data().toString(), QString("knn"));
    for (int r = 0; r < 5; ++r) QCOMPARE(m->index(r, CompareModel::N).data().toLongLong(), 6LL);
    QVERIFY(near(number(m, 0, CompareModel::F1), 2.0 / 3.0));
    QVERIFY(near(number(m, 0, CompareModel::Brier), 1.215 / 6));
    QVERIFY(near(number(m, 0, CompareModel::Ece), 2.3 / 6));
    QVERIFY(near(number(m, 0, CompareModel::Auroc), 0.75));
    QVERIFY(near(number(m, 1, CompareModel::F1), 1.0));
    QVERIFY(near(number(m, 1, CompareModel::Brier), 0.655 / 6));
    QVERIFY(near(number(m, 2, CompareModel::Ece), 2.5 / 6));
    QVERIFY(near(number(m, 2, CompareModel::Auroc), 0.75));
    // Parse rate: none for KNN-KG, 5 of 6 for B (item 5 unparsed), all for C.
    QVERIFY(std::isnan(number(m, 0, CompareModel::ParseRate)));
    QCOMPARE(m->index(0, CompareModel::ParseRate).data().toString(), QString("–"));
    QVERIFY(near(number(m, 1, CompareModel::ParseRate), 5.0 / 6.0));
    QVERIFY(near(number(m, 2, CompareModel::ParseRate), 1.0));
    // Every run's CIs are shown and hold the value.
    for (int r = 0; r < 3; ++r) {
      QVERIFY(m->index(r, CompareModel::F1Ci).data().toString().startsWith("["));
      QVERIFY(number(m, r, CompareModel::BrierCi) <= number(m, r, CompareModel::Brier) + 1e-12);
    }
    // Paired differences against A: B − A and C − A.
    QVERIFY(m->is_difference(3));
    QCOMPARE(m->index(3, CompareModel::Row).data().toString(), QString("run %1 − run %2").arg(b_).arg(a_));
    QVERIFY(near(number(m, 3, CompareModel::F1), 1.0 / 3.0));
    QVERIFY(near(number(m, 3, CompareModel::Brier), -0.56 / 6));
    QVERIFY(near(number(m, 3, CompareModel::Ece), -0.6 / 6));
    QVERIFY(near(number(m, 3, CompareModel::Auroc), 0.25));
    QVERIFY(m->index(3, CompareModel::F1).data().toString().startsWith("+"));
    // negative differences with the typographic minus, as the row header "run B − run A"
    QCOMPARE(m->index(3, CompareModel::Brier).data().toString(), QString::fromUtf8("\u2212") + QString("0.093"));
    QVERIFY(!m->index(3, CompareModel::BrierCi).data().toString().contains('-'));
    QCOMPARE(m->index(4, CompareModel::Row).data().toString(), QString("run %1 − run %2").arg(c_).arg(a_));
    QVERIFY(near(number(m, 4, CompareModel::F1), 0.0));
    QVERIFY(near(number(m, 4, CompareModel::Brier), 0.36 / 6));
    QVERIFY(near(number(m, 4, CompareModel::Ece), 0.2 / 6));
    QVERIFY(near(number(m, 4, CompareModel::Auroc), 0.0));
    // Identical items: no warning, the count.
    QVERIFY(view->message()->text().contains("6 item"));
    QVERIFY(!view->message()->text().contains("different item sets"));
    // Two of the three log training curves (KNN-KG runs log none): the Curves tab shows both.
    QCOMPARE(w.curves_model()->runs(), (QList<qint64>{b_, c_}));
  }

  void compare_four_runs_and_switch_baseline() {
    MainWindow w(store_path_);
    QVERIFY(compare_through_runs_tab(w, {a_, b_, c_, d_}));
    CompareView* view = w.compare_view();
    const CompareModel* m = view->model();
    QCOMPARE(view->plot()->plottableCount(), 1 + 3 * 4);
    QCOMPARE(m->rowCount(), 4 + 3);
    QVERIFY(near(number(m, 3, CompareModel::F1), 6.0 / 7.0));
    QVERIFY(near(number(m, 3, CompareModel::Brier), 0.675 / 6));
    // D − A: F1 6/7 − 2/3 = 4/21, Brier (.675 − 1.215)/6, ECE (1.7 − 2.3)/6, AUROC 1 − .75.
    QCOMPARE(m->index(6, CompareModel::Row).data().toString(), QString("run %1 − run %2").arg(d_).arg(a_));
    QVERIFY(near(number(m, 6, CompareModel::F1), 4.0 / 21.0));
    QVERIFY(near(number(m, 6, CompareModel::Brier), -0.54 / 6));
    QVERIFY(near(number(m, 6, CompareModel::Ece), -0.6 / 6));
    QVERIFY(near(number(m, 6, CompareModel::Auroc), 0.25));
    QCOMPARE(w.curves_model()->runs(), (QList<qint64>{b_, c_, d_}));

    // The user picks B as the baseline: A − B, C − B, D − B; the runs' own rows stay.
    const QString a_brier_ci = m->index(0, CompareModel::BrierCi).data().toString();
    QSignalSpy compared(view, &CompareView::compared);
    QCOMPARE(view->baseline_box()->count(), 4);
    view->baseline_box()->setCurrentIndex(1);
    QVERIFY(compared.wait(20000));
    QCOMPARE(m->comparison().baseline, size_t(1));
    QVERIFY(m->index(1, CompareModel::Row).data().toString().contains("baseline"));
    QVERIFY(!m->index(0, CompareModel::Row).data().toString().contains("baseline"));
    QCOMPARE(m->index(0, CompareModel::BrierCi).data().toString(), a_brier_ci);
    QVERIFY(near(number(m, 0, CompareModel::F1), 2.0 / 3.0));
    QCOMPARE(m->index(4, CompareModel::Row).data().toString(), QString("run %1 − run %2").arg(a_).arg(b_));
    QVERIFY(near(number(m, 4, CompareModel::F1), -1.0 / 3.0));
    QVERIFY(near(number(m, 4, CompareModel::Brier), 0.56 / 6));
    QCOMPARE(m->index(5, CompareModel::Row).data().toString(), QString("run %1 − run %2").arg(c_).arg(b_));
    QVERIFY(near(number(m, 5, CompareModel::Brier), 0.92 / 6));
    QVERIFY(near(number(m, 5, CompareModel::Ece), 0.8 / 6));
    QVERIFY(near(number(m, 5, CompareModel::Auroc), -0.25));
    // D − B: F1 6/7 − 1, Brier (.675 − .655)/6, ECE 0.
    QCOMPARE(m->index(6, CompareModel::Row).data().toString(), QString("run %1 − run %2").arg(d_).arg(b_));
    QVERIFY(near(number(m, 6, CompareModel::F1), 6.0 / 7.0 - 1.0));
    QVERIFY(near(number(m, 6, CompareModel::Brier), 0.02 / 6));
    QVERIFY(std::abs(number(m, 6, CompareModel::Ece)) < 1e-12);
    // The plot did not change with the baseline.
    QCOMPARE(view->plot()->plottableCount(), 1 + 3 * 4);
    // And back to D through the slot.
    view->set_baseline(3);
    QVERIFY(compared.wait(20000));
    QCOMPARE(view->baseline_box()->currentIndex(), 3);
    QCOMPARE(m->index(4, CompareModel::Row).data().toString(), QString("run %1 − run %2").arg(a_).arg(d_));
    QVERIFY(near(number(m, 4, CompareModel::F1), 2.0 / 3.0 - 6.0 / 7.0));
  }

  void different_item_sets_are_named() {
    MainWindow w(store_path_);
    QVERIFY(compare_through_runs_tab(w, {a_, e_}));
    CompareView* view = w.compare_view();
    const CompareModel* m = view->model();
    const QString msg = view->message()->text();
    QVERIFY2(msg.contains("different item sets"), qPrintable(msg));
    QVERIFY2(msg.contains("5 item"), qPrintable(msg));
    QVERIFY2(msg.contains(QString("run %1: 1 of 6 left out").arg(a_)), qPrintable(msg));
    QVERIFY2(msg.contains(QString("run %1: 1 of 6 left out").arg(e_)), qPrintable(msg));
    QCOMPARE(m->index(0, CompareModel::N).data().toLongLong(), 5LL);
    QVERIFY(m->index(0, CompareModel::N).data(Qt::ToolTipRole).toString().contains("left out"));
    // Items 0..4: A F1 2/3, Brier 1.0925/5; E (B's first five) F1 1, Brier .4525/5.
    QVERIFY(near(number(m, 0, CompareModel::Brier), 1.0925 / 5));
    QVERIFY(near(number(m, 1, CompareModel::Brier), 0.4525 / 5));
    QVERIFY(near(number(m, 2, CompareModel::F1), 1.0 / 3.0));
    QVERIFY(near(number(m, 2, CompareModel::Brier), -0.64 / 5));
  }

  void table_copies_and_exports_as_csv() {
    MainWindow w(store_path_);
    QVERIFY(compare_through_runs_tab(w, {a_, b_, c_}));
    CompareView* view = w.compare_view();
    const QString csv = view->csv();
    const QStringList lines = csv.split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 1 + 5);
    QVERIFY(lines[0].startsWith("Run,Kind,n,F1,"));
    // Unrounded numbers: B − A's F1 is 1/3, A's parse rate is undefined (empty).
    const QStringList diff = lines[4].split(',');
    QCOMPARE(diff[0], QString("run %1 − run %2").arg(b_).arg(a_));
    QVERIFY(near(diff[CompareModel::F1].toDouble(), 1.0 / 3.0));
    QVERIFY(lines[1].endsWith(","));
    view->copy_table();
    QCOMPARE(QApplication::clipboard()->text(), csv);
    QTemporaryDir dir;
    const QString path = dir.filePath("comparison.csv");
    QString error;
    QVERIFY2(export_csv(view->model(), path, &error), qPrintable(error));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(f.readAll()), csv);
  }

  void curves_action_overlays_every_selected_run() {
    MainWindow w(store_path_);
    w.runs_view()->select_runs({a_, b_, c_, d_});
    auto* action = w.runs_view()->run_menu()->findChild<QAction*>("show_curves");
    QVERIFY(action && action->isEnabled());
    action->trigger();
    QCOMPARE(w.tabs()->currentWidget(), static_cast<QWidget*>(w.curves_view()));
    QCOMPARE(w.curves_model()->runs(), (QList<qint64>{b_, c_, d_}));
  }

  // Four runs of 2,000 items: reading them and the bootstrap (1,000 resamples of every metric of
  // every run, three paired differences) take seconds, all of it off the GUI thread; so does a
  // baseline switch. (The Compare tab alone: the other tabs' own loading is not measured here.)
  void compare_keeps_gui_responsive() {
    // The earlier tests' windows left workers behind (the knowledge graph loads, niced, and frees
    // its memory when done): let them end, so that what is measured is this view alone.
    QTRY_VERIFY_WITH_TIMEOUT(ps::gui::background_threads() == 0, 180000);
    CompareView view(store_path_);
    view.resize(1100, 800);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QTest::qWait(200);  // the first layout and paint are not what this measures
    QSignalSpy compared(&view, &CompareView::compared);
    pstest::Heartbeat heartbeat;
    view.compare(big_);
    QVERIFY(view.busy());
    QVERIFY(compared.wait(60000));
    view.set_baseline(2);
    QVERIFY(compared.wait(60000));
    QTest::qWait(100);
    QVERIFY2(heartbeat.max_gap_ms() < 100, qPrintable(QString("event loop blocked %1 ms").arg(heartbeat.max_gap_ms())));
    QCOMPARE(view.model()->rowCount(), 4 + 3);
    QCOMPARE(view.model()->comparison().n, 2000);
    QCOMPARE(view.model()->comparison().baseline, size_t(2));
    QCOMPARE(view.plot()->plottableCount(), 1 + 3 * 4);
  }
};

PSTEST_MAIN(TestCompare)
#include "tst_compare.moc"
