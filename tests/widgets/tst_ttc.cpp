// The TTC view: the operating-point rule on hand-made points; a TTC run built in a scratch store
// the way `perturbscope-cli ttc --tau-sweep` records it (greedy and self-consistency outcomes of
// hand-written completions, scored by ttc::tau_sweep, the stored predictions composed at tau 1),
// shown as one plot point and one table row per strategy and tau; a click on each point emits
// that point's selection, and in the main window opens the Traces tab on the items the point
// gave extra compute (counted by hand from the greedy confidences).
#include <QComboBox>
#include <QLabel>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <cmath>
#include <nlohmann/json.hpp>
#include <qcustomplot.h>
#include <set>

#include "common/paths.h"
#include "helpers.h"
#include "main_window.h"
#include "prompt/answer_parser.h"
#include "traces_model.h"
#include "traces_view.h"
#include "ttc/greedy.h"
#include "ttc/selective.h"
#include "ttc/sweep.h"
#include "ttc_view.h"

using namespace ps::gui;

namespace {

ParetoPoint pt(const char* name, bool selective, double tau, double tokens, double f1, double lo, double hi) {
  ParetoPoint p;
  p.name = name;
  p.selective = selective;
  p.tau = tau;
  p.tokens_per_item = tokens;
  p.f1 = f1;
  p.f1_lo = lo;
  p.f1_hi = hi;
  return p;
}

ps::ttc::Completion completion(bool de, double confidence, int64_t tokens) {
  ps::ttc::Completion c;
  c.text = "<think>weighing the evidence</think>" + ps::prompt::format_answer(de, confidence);
  c.tokens = tokens;
  c.finish_reason = "stop_id";
  return c;
}

// The greedy confidences of the 8 items (in the stated answer) and their labels.
const double kGreedyConf[] = {0.30, 0.35, 0.55, 0.62, 0.68, 0.75, 0.85, 0.95};
const bool kGreedyDe[] = {true, false, true, false, true, true, false, true};
const int kLabels[] = {0, 1, 0, 1, 1, 1, 0, 1};
const double kTaus[] = {0.4, 0.7, 1.0};

}  // namespace

class TestTtc : public QObject {
  Q_OBJECT
  QString store_path_;
  qint64 run_ = 0;
  size_t n_points_ = 0;

  // Items a selective point at tau gave extra compute, counted from the fixture by hand.
  static int below(double tau) {
    int n = 0;
    for (double c : kGreedyConf) n += c < tau;
    return n;
  }

 private slots:
  void initTestCase() {
    store_path_ = QString::fromStdString(ps::default_store_path());
    ps::store::Store st(store_path_.toStdString());
    std::vector<ps::ttc::TtcOutcome> greedy, sc;
    std::vector<int> labels, groups;
    for (int i = 0; i < 8; ++i) {
      greedy.push_back(ps::ttc::outcome_of_single(ps::ttc::make_round("greedy", {completion(kGreedyDe[i], kGreedyConf[i], 60)})));
      // self-consistency: 4 samples agreeing with the label, confident
      std::vector<ps::ttc::Completion> cs;
      for (int k = 0; k < 4; ++k) cs.push_back(completion(kLabels[i] == 1, 0.8, 50));
      ps::ttc::TtcOutcome o;
      o.rounds.push_back(ps::ttc::make_round("sample", cs));
      o.answer = o.rounds[0].parsed[0];
      o.p_de = o.answer.p_de();
      sc.push_back(o);
      labels.push_back(kLabels[i]);
      groups.push_back(i % 3);
    }
    ps::metrics::SummaryOptions mo;
    mo.bootstrap_resamples = 200;
    mo.seed = 1;
    const auto points = ps::ttc::tau_sweep(greedy, {{"sc", sc}}, {std::begin(kTaus), std::end(kTaus)}, labels, groups, mo);
    n_points_ = points.size();
    nlohmann::json conf = {{"strategies", {"greedy", "sc"}}, {"k", 4}, {"tau", nullptr}, {"tau_sweep", true}};
    run_ = st.create_run("ttc", "ttc greedy,sc", conf.dump());
    std::vector<ps::store::Prediction> preds;
    for (int i = 0; i < 8; ++i) {
      const auto o = ps::ttc::compose_selective(greedy[size_t(i)], sc[size_t(i)], 1.0);
      ps::store::Prediction p;
      p.cell_line = "k562";
      p.perturber = "PERT" + std::to_string(i);
      p.target = "GENE" + std::to_string(i);
      p.item_key = "k562|" + p.perturber + "|" + p.target;
      p.label = kLabels[i];
      p.prediction = o.answer.de ? 1.0 : 0.0;
      p.confidence = o.p_de;
      p.tokens = o.total_tokens();
      p.ttc_round = int(o.rounds.size());
      p.trace = o.rounds.back().completions[0].text;
      auto d = o.to_json();
      d["strategy"] = "selective-sc";
      d["tau"] = 1.0;
      p.details_json = d.dump();
      preds.push_back(p);
    }
    st.add_predictions(run_, preds);
    nlohmann::json s = {{"strategies", nlohmann::json::array()}, {"stored_strategy", "selective-sc"}, {"stored_tau", 1.0}};
    for (const auto& p : points) s["strategies"].push_back(p.to_json());
    st.set_summary(run_, s.dump());
    st.set_status(run_, ps::store::RunStatus::Finished);
  }

  void operating_point_rule() {
    const std::vector<ParetoPoint> pts = {pt("greedy", false, NAN, 100, 0.50, 0.40, 0.60),
                                          pt("sc", false, NAN, 800, 0.70, 0.62, 0.78),
                                          pt("sc", true, 0.3, 200, 0.60, 0.50, 0.70),
                                          pt("sc", true, 0.6, 300, 0.66, 0.58, 0.74),
                                          pt("sc", true, 1.0, 900, 0.70, 0.62, 0.78),
                                          pt("bf", false, NAN, 50, NAN, NAN, NAN)};
    // sweep: best F1 0.70 with lower bound 0.62; the cheapest point at or above it is tau 0.6
    QCOMPARE(operating_point(pts, true, "selective-sc", 1.0), 3);
    // a fixed run: the stored point
    QCOMPARE(operating_point(pts, false, "selective-sc", 0.3), 2);
    QCOMPARE(operating_point(pts, false, "sc", NAN), 1);
    QCOMPARE(operating_point(pts, false, "greedy", NAN), 0);
    QCOMPARE(operating_point(pts, false, "selective-sc", 0.5), -1);  // no such point
    QCOMPARE(operating_point({pts.back()}, true, "", NAN), -1);       // undefined F1 never qualifies
  }

  void shows_every_point() {
    TtcView view(store_path_);
    view.resize(1100, 600);
    view.show();
    QSignalSpy loaded(&view, &TtcView::loaded);
    view.open_run(run_);
    QVERIFY(loaded.wait(20000));
    QCOMPARE(size_t(view.model()->rowCount()), n_points_);
    QCOMPARE(n_points_, size_t(2 + 3));  // uniform greedy, uniform sc, sc at 3 taus
    QCOMPARE(view.table()->model()->rowCount(), int(n_points_));
    QVERIFY(!view.empty_hint()->isVisible());
    std::set<std::pair<int, int>> seen;
    for (int metric : {int(ParetoMetric::F1), int(ParetoMetric::Brier), int(ParetoMetric::Ece)}) {
      view.set_metric(ParetoMetric(metric));
      QApplication::processEvents();
      for (int row = 0; row < view.model()->rowCount(); ++row) {
        const QPoint p = view.point_position(row);
        QVERIFY2(view.plot()->axisRect()->rect().contains(p), qPrintable(QString("row %1 metric %2").arg(row).arg(metric)));
        if (metric == int(ParetoMetric::F1)) seen.insert({p.x(), p.y()});
      }
    }
    QCOMPARE(seen.size(), n_points_);  // every point drawn apart
    // the table: n of every point is the 8 items, F1 with its CI
    for (int row = 0; row < view.model()->rowCount(); ++row) {
      QCOMPARE(view.model()->index(row, TtcModel::N).data().toLongLong(), 8LL);
      QVERIFY(view.model()->index(row, TtcModel::F1).data().toString().contains('['));
    }
    // the operating point is one of the points, bold in the table
    const int op = view.model()->operating_point();
    QVERIFY(op >= 0);
    QVERIFY(view.model()->index(op, 0).data(Qt::FontRole).value<QFont>().bold());
  }

  void click_emits_selection() {
    TtcView view(store_path_);
    view.resize(1100, 600);
    view.show();
    QSignalSpy loaded(&view, &TtcView::loaded);
    view.open_run(run_);
    QVERIFY(loaded.wait(20000));
    QApplication::processEvents();
    QSignalSpy clicked(&view, &TtcView::point_activated);
    for (int row = 0; row < view.model()->rowCount(); ++row) {
      const auto& p = view.model()->points()[size_t(row)];
      QTest::mouseClick(view.plot(), Qt::LeftButton, {}, view.point_position(row) + QPoint(3, -2));
      QCOMPARE(clicked.count(), row + 1);
      const auto s = clicked.last().at(0).value<TtcSelection>();
      QCOMPARE(s.run_id, run_);
      QCOMPARE(s.strategy, p.name);
      QCOMPARE(s.selective, p.selective);
      QVERIFY(s.stored);
      if (p.selective) {
        QCOMPARE(s.tau, p.tau);
        QVERIFY(s.below_tau.has_value());
        QCOMPARE(*s.below_tau, p.tau);
      } else {
        QVERIFY(!s.below_tau);
      }
    }
    // far from every point: nothing
    QTest::mouseClick(view.plot(), Qt::LeftButton, {}, QPoint(2, 2));
    QCOMPARE(clicked.count(), view.model()->rowCount());
  }

  // In the main window a click opens the Traces tab on the point's items.
  void opens_traces() {
    MainWindow w(store_path_);
    w.resize(1300, 800);
    w.show();
    TtcView* view = w.ttc_view();
    QSignalSpy loaded(view, &TtcView::loaded);
    w.show_tab(MainWindow::TtcTab);
    view->open_run(run_);
    QVERIFY(loaded.wait(20000) || view->model()->run_id() == run_);
    QTRY_COMPARE_WITH_TIMEOUT(view->model()->rowCount(), int(n_points_), 20000);
    QApplication::processEvents();
    for (double tau : kTaus) {
      int row = -1;
      for (int r = 0; r < view->model()->rowCount(); ++r)
        if (view->model()->points()[size_t(r)].selective && std::abs(view->model()->points()[size_t(r)].tau - tau) < 1e-9) row = r;
      QVERIFY(row >= 0);
      QSignalSpy traces_loaded(w.traces_view(), &TracesView::loaded);
      QTest::mouseClick(view->plot(), Qt::LeftButton, {}, view->point_position(row));
      QCOMPARE(w.tabs()->currentWidget(), static_cast<QWidget*>(w.traces_view()));
      QVERIFY(traces_loaded.wait(20000));
      QCOMPARE(w.traces_view()->model()->rowCount(), 8);
      QCOMPARE(w.traces_view()->filter()->rowCount(), below(tau));
      QVERIFY(w.traces_view()->ttc_note()->text().contains("sc"));
      w.show_tab(MainWindow::TtcTab);
      QApplication::processEvents();
    }
    // a uniform point: every item; opening another run clears the restriction
    int uniform = -1;
    for (int r = 0; r < view->model()->rowCount(); ++r)
      if (!view->model()->points()[size_t(r)].selective && view->model()->points()[size_t(r)].name == "sc") uniform = r;
    QSignalSpy traces_loaded(w.traces_view(), &TracesView::loaded);
    view->activate(uniform);
    QVERIFY(traces_loaded.wait(20000));
    QCOMPARE(w.traces_view()->filter()->rowCount(), 8);
  }
};

PSTEST_MAIN(TestTtc)
#include "tst_ttc.moc"
