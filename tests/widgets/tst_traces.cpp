// The trace review: <think> splitting and TTC-round parsing against hand-written traces; a
// run of LLM predictions in a scratch store, filtered by each quick filter and the gene search,
// sorted, and an item opened with its thinking, answer, TTC rounds and prompt; a GRPO run's
// rollouts side by side with reward parts and advantages.
#include <QComboBox>
#include <QFile>
#include <QTemporaryDir>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTextBrowser>
#include <cmath>

#include "common/paths.h"
#include "helpers.h"
#include "export.h"
#include "traces_model.h"
#include "traces_view.h"

using namespace ps::gui;

namespace {
ps::store::Prediction pred(const std::string& pert, const std::string& target, int label, double p_de, bool parsed,
                           const std::string& details = "{}") {
  ps::store::Prediction p;
  p.cell_line = "k562";
  p.perturber = pert;
  p.target = target;
  p.item_key = "k562|" + pert + "|" + target;
  p.label = label;
  p.confidence = p_de;
  p.prediction = parsed ? (p_de >= 0.5 ? 1.0 : 0.0) : NAN;
  p.parse_failure = parsed ? "" : "no_answer";
  p.tokens = 100;
  p.trace = "<think>STRING links " + pert + " to " + target + ".</think>\nAnswer: " + (p_de >= 0.5 ? "DE" : "not DE");
  p.prompt = "Evidence: STRING score 0.9 between " + pert + " and " + target;
  p.details_json = details;
  return p;
}

// Two TTC rounds: the first said not DE (2 of 2), the final answer is DE.
const char* kChanged = R"({"rounds":[
  {"kind":"sample","tokens":40,"completions":[
     {"text":"<think>first look</think>not DE","tokens":20,"finish_reason":"stop","parse_failure":"","de":false,"confidence":0.7},
     {"text":"not DE","tokens":20,"finish_reason":"stop","parse_failure":"","de":false,"confidence":0.6}]},
  {"kind":"revise","tokens":30,"completions":[
     {"text":"<think>second look: knockdown of the regulator</think>DE","tokens":30,"finish_reason":"stop","parse_failure":"","de":true,"confidence":0.9}]}]})";
}  // namespace

class TestTraces : public QObject {
  Q_OBJECT
  QString store_path_;
  qint64 run_ = 0, grpo_ = 0, knn_ = 0;

 private slots:
  void initTestCase() {
    store_path_ = QString::fromStdString(ps::default_store_path());
    ps::store::Store st(store_path_.toStdString());
    run_ = st.create_run("eval", "traces", "{}");
    st.add_predictions(run_, {
                                 pred("GATA1", "HBG1", 1, 0.92, true),            // confident and right
                                 pred("GATA1", "TAL1", 0, 0.95, true),            // confident and wrong
                                 pred("MYC", "CCND1", 1, 0.40, true),             // wrong, not confident
                                 pred("MYC", "TP53", 0, 0.50, false),             // parse failure
                                 pred("TAL1", "GATA2", 1, 0.85, true, kChanged),  // changed by TTC
                             });
    // a KNN-KG run on the same cell line predicted one of the pairs (and an older one another value)
    for (double p_de : {0.11, 0.33}) {
      const qint64 knn = st.create_run("knn", "knn k562", "{}");
      st.add_predictions(knn, {pred("TAL1", "GATA2", 1, p_de, true), pred("OTHER", "GENE", 0, 0.5, true)});
      st.set_status(knn, ps::store::RunStatus::Finished);
      knn_ = knn;  // the newest
    }
    grpo_ = st.create_run("grpo", "grpo", "{}");
    std::vector<ps::store::RolloutSample> rs;
    for (int step : {1, 2})
      for (int k = 0; k < 4; ++k) {
        ps::store::RolloutSample s;
        s.step = step;
        s.group_index = 0;
        s.sample_index = k;
        s.item_key = "k562|GATA1|HBG1";
        s.label = 1;
        s.completion = "completion " + std::to_string(step) + "." + std::to_string(k);
        s.reward = k * 0.5;
        s.advantage = (k - 1.5) / 1.2;
        s.parts_json = "{\"correctness\":" + std::to_string(k % 2) + ",\"brier\":" + std::to_string(-0.1 * k) + "}";
        rs.push_back(s);
      }
    st.add_rollouts(grpo_, rs);
  }

  void think_is_split_from_the_answer() {
    auto t = split_think("<think> a\nb </think>\n Answer: DE ");
    QCOMPARE(t.think, QString("a\nb"));
    QCOMPARE(t.answer, QString("Answer: DE"));
    QVERIFY(!t.unterminated);
    t = split_think("<think>cut off here");
    QCOMPARE(t.think, QString("cut off here"));
    QVERIFY(t.answer.isEmpty());
    QVERIFY(t.unterminated);
    t = split_think("no tags");
    QVERIFY(t.think.isEmpty());
    QCOMPARE(t.answer, QString("no tags"));
  }

  void ttc_rounds_parse() {
    const auto r = ttc_rounds(kChanged);
    QCOMPARE(r.size(), size_t(2));
    QCOMPARE(r[0].completions.size(), size_t(2));
    QCOMPARE(r[1].kind, QString("revise"));
    QCOMPARE(*r[1].completions[0].de, true);
    QVERIFY(ttc_rounds("not json").empty());
    QVERIFY(ttc_rounds("{\"rounds\":3}").empty());
    QCOMPARE(ttc_rounds(std::string("{\"ttc\":") + kChanged + "}").size(), size_t(2));
  }

  // The table showed the raw parse-failure code ("no_think_end"); now a human label, code in the tooltip.
  void parse_failures_and_round_kinds_have_human_labels() {
    QCOMPARE(parse_failure_label("no_think_end"), QString("no </think>"));
    QCOMPARE(parse_failure_label("truncated"), QString("truncated"));
    QCOMPARE(parse_failure_label("no_json"), QString("no JSON answer"));
    QCOMPARE(parse_failure_label("something_new"), QString("something_new"));  // unknown: as it is
    QCOMPARE(parse_failure_label(""), QString());
    QCOMPARE(ttc_round_kind_label("greedy"), QString("greedy decoding"));
    QCOMPARE(ttc_round_kind_label("sample"), QString("sampled"));
    QCOMPARE(ttc_round_kind_label("revise"), QString("revise"));
    TracesModel m;
    auto p = pred("MYC", "TP53", 0, 0.5, false);
    p.parse_failure = "no_think_end";
    m.set_predictions(1, {p});
    const QModelIndex i = m.index(0, TracesModel::ParseFailure);
    QCOMPARE(i.data(Qt::DisplayRole).toString(), QString("no </think>"));
    QCOMPARE(i.data(Qt::ToolTipRole).toString(), QString("no_think_end"));
    QCOMPARE(i.data(TracesModel::SortRole).toString(), QString("no_think_end"));
  }

  void filter_sort_and_open_an_item() {
    TracesView view(store_path_);
    view.resize(1000, 800);
    view.show();
    QSignalSpy loaded(&view, &TracesView::loaded);
    view.open_run(run_);
    QVERIFY(loaded.wait(10000));
    QCOMPARE(view.filter()->rowCount(), 5);
    auto cell = [&](int row, int col) { return view.filter()->index(row, col).data().toString(); };
    auto quick = [&](TracesFilter::Quick q) { view.quick_filter()->setCurrentIndex(view.quick_filter()->findData(q)); };

    quick(TracesFilter::ConfidentAndWrong);
    QCOMPARE(view.filter()->rowCount(), 1);
    QCOMPARE(cell(0, TracesModel::Target), QString("TAL1"));
    quick(TracesFilter::ParseFailures);
    QCOMPARE(view.filter()->rowCount(), 1);
    QCOMPARE(cell(0, TracesModel::ParseFailure), QString("no_answer"));
    QVERIFY(cell(0, TracesModel::Correct).isEmpty());  // unknown, not wrong
    quick(TracesFilter::ChangedByTtc);
    QCOMPARE(view.filter()->rowCount(), 1);
    QCOMPARE(cell(0, TracesModel::Rounds), QString("2 (changed)"));
    quick(TracesFilter::All);
    view.gene_search()->setText("gata");  // perturber GATA1 (2), target GATA2 (1)
    QCOMPARE(view.filter()->rowCount(), 3);
    view.gene_search()->clear();

    // sort by P(DE), descending: the confident-and-wrong item first
    view.table()->sortByColumn(TracesModel::Probability, Qt::DescendingOrder);
    QCOMPARE(cell(0, TracesModel::Target), QString("TAL1"));
    QCOMPARE(cell(4, TracesModel::Target), QString("CCND1"));

    // open the TTC item: thinking apart, each round apart, the prompt with its evidence
    quick(TracesFilter::ChangedByTtc);
    view.select_row(0);
    const QString text = view.item_panel()->toPlainText();
    QVERIFY2(text.contains("Thinking (<think>)") && text.contains("STRING links TAL1 to GATA2."), qPrintable(text));
    QVERIFY(text.contains("Answer text"));
    QVERIFY(text.contains("TTC round 1 (sampled)") && text.contains("TTC round 2 (revise)"));
    QVERIFY(text.contains("second look: knockdown of the regulator"));
    QVERIFY(text.contains("Evidence: STRING score 0.9 between TAL1 and GATA2"));
    QVERIFY(text.contains("Predicted: DE"));
    QVERIFY2(text.contains(QString("KNN-KG (run %1): P(DE) 0.330, predicts not DE").arg(knn_)), qPrintable(text));
    // the thinking is not part of the answer text
    const int answer_at = text.indexOf("Answer text");
    QVERIFY(text.indexOf("STRING links TAL1", answer_at) < 0 || text.indexOf("STRING links TAL1") < answer_at);
    // a filter that hides the item empties the panel (never a stale item)
    quick(TracesFilter::ParseFailures);
    view.select_row(0);
    QVERIFY(view.item_panel()->toPlainText().contains("No answer parsed: no_answer"));
    view.gene_search()->setText("nothing matches");
    QTRY_VERIFY(view.item_panel()->toPlainText().isEmpty());
    QVERIFY(!view.tabs()->isTabEnabled(1));  // no rollouts for an eval run
    // CSV of the filtered table: P(DE) unrounded
    view.gene_search()->setText("HBG1");
    quick(TracesFilter::All);
    QTemporaryDir out;
    QString error;
    QVERIFY2(export_csv(view.filter(), out.filePath("t.csv"), &error), qPrintable(error));
    QFile csv(out.filePath("t.csv"));
    QVERIFY(csv.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(csv.readAll()).split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 2);
    QVERIFY2(lines[1].contains("0.92"), qPrintable(lines[1]));
  }

  void grpo_rollouts_side_by_side() {
    TracesView view(store_path_);
    QSignalSpy loaded(&view, &TracesView::loaded);
    view.open_run(grpo_);
    QVERIFY(loaded.wait(10000));
    QVERIFY(view.tabs()->isTabEnabled(1));
    view.rollout_step()->setValue(2);
    QTableWidget* t = view.rollouts_table();
    QCOMPARE(t->columnCount(), 4);
    QStringList rows;
    for (int r = 0; r < t->rowCount(); ++r) rows << t->verticalHeaderItem(r)->text();
    QCOMPARE(rows, (QStringList{"Item", "Label", "Reward", "Advantage", "brier", "correctness", "Completion"}));
    QCOMPARE(t->item(6, 3)->text(), QString("completion 2.3"));
    QCOMPARE(t->item(2, 3)->text(), QString("1.500"));
    QCOMPARE(t->item(3, 0)->text(), QString("-1.250"));
    QCOMPARE(t->item(5, 1)->text(), QString("1.000"));
  }
};

PSTEST_MAIN(TestTraces)
#include "tst_traces.moc"
