// The defects a new user found in part 1 of the workbench (issue 14), one test each,
// over a store of synthetic runs (no data mirror needed): CSV exports say what the
// table says, the evidence panel follows the open run, the KG browser uses the run's
// KNN settings, an empty store explains itself, Run details names its numbers, German
// figures use one decimal separator, the title does not repeat the app name, every
// export confirms where it went, and the export dialog offers formats from a list.
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileInfo>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTextBrowser>
#include <qcustomplot.h>
#include <functional>

#include "common/paths.h"
#include "export.h"
#include "helpers.h"
#include "kg_browser.h"
#include "main_window.h"
#include "metric_names.h"
#include "predictions_model.h"
#include "predictions_view.h"
#include "reliability_model.h"
#include "reliability_view.h"
#include "runs_model.h"
#include "runs_view.h"

using namespace ps::gui;

namespace {

// Answers the next ExportDialog: types `path`, picks `format` (default: the path's
// suffix), clicks Save.
void answer_export_dialog(const QString& path, QString format = {}) {
  if (format.isEmpty()) format = QFileInfo(path).suffix();
  auto* timer = new QTimer;
  timer->setInterval(20);
  QObject::connect(timer, &QTimer::timeout, [timer, path, format] {
    auto* dialog = qobject_cast<ExportDialog*>(QApplication::activeModalWidget());
    if (!dialog) return;
    timer->stop();
    timer->deleteLater();
    dialog->path_edit()->setText(path);
    if (!format.isEmpty()) dialog->format_box()->setCurrentIndex(dialog->format_box()->findData(format));
    dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Save)->click();
  });
  timer->start();
}

QList<QStringList> read_csv(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly | QIODevice::Text)) return {};
  QList<QStringList> rows;
  for (const QString& line : QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts)) {
    // RFC 4180 fields (quotes only where a field holds a comma or quote).
    QStringList fields;
    QString field;
    bool quoted = false;
    for (int i = 0; i < line.size(); ++i) {
      const QChar c = line[i];
      if (quoted) {
        if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') field += '"', ++i;
        else if (c == '"') quoted = false;
        else field += c;
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        fields << field;
        field.clear();
      } else {
        field += c;
      }
    }
    fields << field;
    rows << fields;
  }
  return rows;
}

// Every exported cell says what the table shows: the display text, or (a number the table
// rounds) the same number, which rounds to the displayed text.
void check_csv_matches_table(const QAbstractItemModel* model, const QString& path) {
  QString error;
  QVERIFY2(export_csv(model, path, &error), qPrintable(error));
  const QList<QStringList> rows = read_csv(path);
  QCOMPARE(rows.size(), model->rowCount() + 1);
  for (int c = 0; c < model->columnCount(); ++c) QCOMPARE(rows[0][c], model->headerData(c, Qt::Horizontal).toString());
  for (int r = 0; r < model->rowCount(); ++r) {
    QCOMPARE(rows[r + 1].size(), model->columnCount());
    for (int c = 0; c < model->columnCount(); ++c) {
      const QString shown = model->index(r, c).data(Qt::DisplayRole).toString();
      const QString written = rows[r + 1][c];
      if (written == shown) continue;
      // Only an unrounded number may differ from the text, and only in the digits hidden.
      bool ok = false;
      const double v = written.toDouble(&ok);
      QVERIFY2(ok, qPrintable(QString("row %1, column '%2': CSV '%3' but the table shows '%4'")
                                  .arg(r).arg(rows[0][c], written, shown)));
      const int decimals = shown.contains('.') ? int(shown.size() - shown.indexOf('.') - 1) : 0;
      QVERIFY2(QString::number(v, 'f', decimals) == shown,
               qPrintable(QString("row %1, column '%2': CSV %3 does not round to the shown %4").arg(r).arg(rows[0][c], written, shown)));
    }
  }
}

}  // namespace

class TestDefects : public QObject {
  Q_OBJECT
  QString store_path_;
  qint64 run_a_ = 0, run_b_ = 0, run_signed_ = 0;

  qint64 add_run(ps::store::Store& store, const std::string& cell, unsigned seed, const std::string& config,
                 const std::string& summary) {
    const qint64 id = store.create_run("knn", "knn " + cell + " synthetic", config);
    store.add_predictions(id, pstest::synthetic_predictions(cell, 12, 15, seed));
    store.set_summary(id, summary);
    store.set_status(id, ps::store::RunStatus::Finished);
    return id;
  }

 private slots:
  void initTestCase() {
    store_path_ = QString::fromStdString(ps::default_store_path());
    ps::store::Store store(store_path_.toStdString());
    run_a_ = add_run(store, "k562", 1, R"({"cell_lines":["k562"],"knn":{"k":12,"sources":"string:1,go:1,reactome:3"}})",
                     R"({"cell_line":"k562","auroc_per_gene":0.61234,"ece":0.0213,"brier":0.1,"f1":0.5,"n_test":180})");
    run_b_ = add_run(store, "rpe1", 2, R"({"cell_line":"rpe1"})",
                     R"({"cell_line":"rpe1","auroc_per_gene":0.6,"ece":0.02,"brier":0.1,"n_test":180})");
    run_signed_ = add_run(store, "hepg2", 3, R"({"cell_lines":["hepg2"],"knn":{"k":20,"sources":"string:1,go:1,reactome:2"}})",
                          R"({"cell_line":"hepg2","auroc_per_gene":0.66,"ece_ci":[0.004,0.008],)"
                          R"("signed":{"n_test":3603,"sign_accuracy":0.872,"majority_accuracy":0.556}})");
  }

  // "Target in train" was exported as 0 on every row the table showed as seen.
  void csv_export_says_what_the_table_shows() {
    PredictionsModel model;
    auto preds = pstest::synthetic_predictions("k562", 6, 8, 5);
    model.set_predictions(1, preds);
    QSet<QString> seen;
    for (int j = 0; j < 8; j += 2) seen.insert(QString("k562|GENE%1").arg(j));  // half the targets seen in train
    model.set_seen_targets(seen);
    PredictionsView view(&model);
    QTemporaryDir dir;
    check_csv_matches_table(view.filter(), dir.filePath("predictions.csv"));
    const QList<QStringList> rows = read_csv(dir.filePath("predictions.csv"));
    const int col = PredictionsModel::TargetInTrain;
    QCOMPARE(rows[0][col], QString("Target in train"));
    int seen_rows = 0;
    for (int r = 1; r < rows.size(); ++r) seen_rows += rows[r][col] == model.tr("✓ seen");
    QCOMPARE(seen_rows, 6 * 4);
    // The sort key agrees with the header: 1 = the target is in train.
    for (int r = 0; r < model.rowCount(); ++r)
      QCOMPARE(model.index(r, col).data(Qt::EditRole).toInt(), model.is_unseen(r) ? 0 : 1);

    // The other tables follow the same rule (status text, rounded metrics).
    MainWindow w(store_path_);
    check_csv_matches_table(w.runs_view()->proxy(), dir.filePath("runs.csv"));
    QSignalSpy opened(&w, &MainWindow::run_opened);
    w.open_run(run_a_);
    QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, 5000);
    check_csv_matches_table(w.reliability_model(), dir.filePath("bins.csv"));
  }

  // After switching the open run, the panel showed a pair of the previous run.
  void evidence_panel_follows_the_open_run() {
    MainWindow w(store_path_);
    QSignalSpy opened(&w, &MainWindow::run_opened);
    w.open_run(run_a_);
    QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, 5000);
    PredictionsView* view = w.predictions_view();
    view->table()->selectRow(0);
    QCOMPARE(view->shown_pair().value(0), QString("k562"));
    QVERIFY(view->evidence_panel()->toPlainText().contains("k562"));
    w.open_run(run_b_);
    QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 2, 5000);
    QVERIFY(view->shown_pair().isEmpty());
    QVERIFY(!view->evidence_panel()->toPlainText().contains("k562"));
    QTest::qWait(200);  // evidence still computed for the old pair must not come back
    QVERIFY(!view->evidence_panel()->toPlainText().contains("k562"));
    // A new selection fills it with the new run's pair.
    view->table()->selectRow(1);
    QCOMPARE(view->shown_pair().value(0), QString("rpe1"));
    QVERIFY(view->evidence_panel()->toPlainText().contains("rpe1"));
  }

  // The KG browser scored with 1:1:1 while the predictor and the CLI use the validated 1:1:2
  // and the open run's own settings.
  void kg_browser_uses_the_run_settings() {
    MainWindow w(store_path_);
    KgBrowser* kg = w.kg_browser();
    // No run open: the validated defaults (SourceWeights::fused(), Reactome 2).
    QCOMPARE(kg->knn_config().k, ps::kg::KnnConfig{}.k);
    QCOMPARE(kg->weights().reactome, ps::kg::SourceWeights::fused().reactome);
    QCOMPARE(kg->weights().string, ps::kg::SourceWeights::fused().string);
    QCOMPARE(kg->weights().go, ps::kg::SourceWeights::fused().go);
    QSignalSpy opened(&w, &MainWindow::run_opened);
    w.open_run(run_a_);  // k 12, Reactome 3 in its stored configuration
    QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, 5000);
    QCOMPARE(kg->knn_config().k, 12);
    QCOMPARE(kg->weights().reactome, 3.0);
    QCOMPARE(kg->k_field()->text(), QString("12"));
    // A run whose configuration names no KNN settings: the defaults again, not 1:1:1.
    w.open_run(run_b_);
    QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 2, 5000);
    QCOMPARE(kg->knn_config().k, ps::kg::KnnConfig{}.k);
    QCOMPARE(kg->weights().reactome, ps::kg::SourceWeights::fused().reactome);
  }

  // The first start showed a blank table with no hint.
  void empty_store_shows_a_hint() {
    QTemporaryDir dir;
    const QString path = dir.filePath("empty.sqlite");
    MainWindow w(path);
    w.show();
    QVERIFY(w.runs_view()->showing_empty_hint());
    QVERIFY(w.runs_view()->empty_hint()->isVisible());
    const QString hint = w.runs_view()->empty_hint()->text();
    QVERIFY(hint.contains("Ctrl+N"));
    QVERIFY(hint.contains("perturbscope-cli"));
    ps::store::Store other(path.toStdString());
    other.create_run("knn", "from the CLI", "{}");
    w.runs_model()->refresh();
    QVERIFY(!w.runs_view()->showing_empty_hint());
    QVERIFY(w.runs_view()->table()->isVisible());
  }

  // Run details showed raw keys (signed.majority_accuracy), wrapped mid-word.
  void run_details_names_the_numbers() {
    MainWindow w(store_path_);
    w.runs_view()->select_runs({run_signed_});
    auto* details = w.findChild<QTextBrowser*>("run_details");
    QVERIFY(details);
    const QString text = details->toPlainText();
    QVERIFY2(text.contains("Majority-direction accuracy"), qPrintable(text));
    QVERIFY(text.contains("Up/down accuracy"));
    QVERIFY(text.contains("Expected calibration error, 95 % CI"));
    QVERIFY(!text.contains("signed.majority_accuracy"));
    QVERIFY(!text.contains("majority_accuracy"));
    QCOMPARE(details->wordWrapMode(), QTextOption::WordWrap);  // at word boundaries only
    QCOMPARE(metric_display_name("signed.majority_accuracy"), QString("Majority-direction accuracy"));
    QVERIFY(has_metric_name("auroc_per_gene"));
    QCOMPARE(metric_display_name("some_new_key"), QString("Some new key"));  // never raw
    // nested keys: an entry of their own, else their last part's name; acronyms stay upper-case
    QCOMPARE(metric_display_name("signed.auroc_per_gene"), QString("Up/down AUROC per gene"));
    QCOMPARE(metric_display_name("other.auroc_per_gene"), QString("AUROC per gene"));
    QCOMPARE(metric_display_name("calibration_split"), QString("Calibration split"));
    QVERIFY(has_metric_name("calibration_split"));
    QCOMPARE(metric_display_name("x.val_ece_knn_kg"), QString("Val ECE KNN-KG"));
    QCOMPARE(metric_display_name("auroc_f1_gap"), QString("AUROC F1 gap"));
  }

  // German views mixed decimal commas and points in one figure.
  void german_figures_use_one_decimal_separator() {
    const QLocale saved;
    QLocale::setDefault(QLocale(QLocale::German, QLocale::Germany));
    {
      ReliabilityModel model;
      ReliabilityCurve c;
      c.label = "K562";
      c.ece = 0.0123;
      c.ece_ci_low = 0.004;
      c.ece_ci_high = 0.021;
      c.brier = 0.0412;
      c.n = 2000;
      for (int b = 0; b < 10; ++b) {
        ReliabilityBin bin;
        bin.lower = b / 10.0;
        bin.upper = (b + 1) / 10.0;
        bin.count = 200;
        bin.mean_confidence = b / 10.0 + 0.05;
        bin.accuracy = b / 10.0 + 0.04;
        bin.ci_low = bin.accuracy - 0.02;
        bin.ci_high = bin.accuracy + 0.02;
        c.bins.push_back(bin);
      }
      model.set_curves({c});
      ReliabilityView view(&model);
      view.resize(900, 700);
      view.show();
      view.plot()->replot();
      QStringList texts;
      for (QCPAxisRect* rect : view.plot()->axisRects())
        for (QCPAxis* axis : rect->axes())
          if (axis->visible() && axis->tickLabels()) texts << axis->tickVectorLabels().toList();
      for (int i = 0; i < view.plot()->plottableCount(); ++i) texts << view.plot()->plottable(i)->name();
      for (QLabel* label : view.findChildren<QLabel*>()) texts << label->text();
      const QRegularExpression point("\\d\\.\\d"), comma("\\d,\\d");
      bool any_comma = false;
      for (const QString& t : texts) {
        QVERIFY2(!point.match(t).hasMatch(), qPrintable("a decimal point in a German figure: " + t));
        any_comma |= comma.match(t).hasMatch();
      }
      QVERIFY2(any_comma, qPrintable(texts.join(" | ")));
      // The interval bounds are told apart from the decimal commas.
      QVERIFY2(texts.join(" ").contains("[0,004; 0,021]"), qPrintable(texts.join(" | ")));
    }
    QLocale::setDefault(saved);
  }

  // The window title repeated the application name ("PerturbScope — run 1 — PerturbScope").
  void window_title_does_not_repeat_the_app_name() {
    const QString saved = QGuiApplication::applicationDisplayName();
    QGuiApplication::setApplicationDisplayName("PerturbScope");
    {
      MainWindow w(store_path_);
      QVERIFY(!w.windowTitle().contains("PerturbScope"));
      QSignalSpy opened(&w, &MainWindow::run_opened);
      w.open_run(run_a_);
      QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, 5000);
      QVERIFY(w.windowTitle().contains(QString::number(run_a_)));
      QVERIFY2(!w.windowTitle().contains("PerturbScope"), qPrintable(w.windowTitle()));
    }
    QGuiApplication::setApplicationDisplayName(saved);
  }

  // No "saved to" confirmation after an export.
  void every_export_says_where_it_went() {
    MainWindow w(store_path_);
    w.show();
    QSignalSpy opened(&w, &MainWindow::run_opened);
    w.open_run(run_a_);
    QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, 5000);
    QTemporaryDir dir;
    const std::pair<QString, std::function<void()>> exports[] = {
        {dir.filePath("predictions.csv"), [&] { w.predictions_view()->export_csv(); }},
        {dir.filePath("runs.csv"), [&] { w.runs_view()->export_csv(); }},
        {dir.filePath("reliability.png"), [&] { w.reliability_view()->export_figure(); }},
        {dir.filePath("bins.csv"), [&] { w.reliability_view()->export_table(); }},
        {dir.filePath("kg.svg"), [&] { w.kg_browser()->export_figure(); }},
    };
    for (const auto& [path, run] : exports) {
      w.statusBar()->clearMessage();
      answer_export_dialog(path);
      run();
      QVERIFY2(QFile::exists(path), qPrintable(path));
      QVERIFY2(w.statusBar()->currentMessage().contains("Saved to"), qPrintable(w.statusBar()->currentMessage()));
      QVERIFY2(w.statusBar()->currentMessage().contains(path), qPrintable(w.statusBar()->currentMessage()));
    }
  }

  // The export dialog accepted an unsupported extension and remembered it.
  void export_dialog_offers_a_format_list() {
    QSettings().setValue("export/format", "jpg");  // remembered by an older version
    QTemporaryDir dir;
    {
      ExportDialog figure("fig", true);
      QComboBox* formats = figure.format_box();
      QCOMPARE(formats->count(), 3);
      QStringList offered;
      for (int i = 0; i < formats->count(); ++i) offered << formats->itemData(i).toString();
      QCOMPARE(offered, QStringList({"png", "svg", "pdf"}));
      QCOMPARE(figure.format(), QString("png"));  // the unsupported one is not used
      QVERIFY(figure.path().endsWith("fig.png"));
      // An unsupported suffix typed by hand is never the format written.
      figure.path_edit()->setText(dir.filePath("plot.jpg"));
      QCOMPARE(figure.path(), dir.filePath("plot.jpg.png"));
      // Choosing a format changes the suffix; typing a supported one chooses it.
      formats->setCurrentIndex(formats->findData("svg"));
      QCOMPARE(figure.path(), dir.filePath("plot.jpg.svg"));
      figure.path_edit()->setText(dir.filePath("plot.pdf"));
      emit figure.path_edit()->textEdited(figure.path_edit()->text());
      QCOMPARE(figure.format(), QString("pdf"));
      QCOMPARE(figure.path(), dir.filePath("plot.pdf"));
      figure.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Save)->click();
      QCOMPARE(QSettings().value("export/format").toString(), QString("pdf"));
    }
    {
      ExportDialog table("table", false);
      QCOMPARE(table.format_box()->count(), 1);
      QCOMPARE(table.format(), QString("csv"));
      table.path_edit()->setText(dir.filePath("t.xlsx"));
      QCOMPARE(table.path(), dir.filePath("t.xlsx.csv"));
    }
    QCOMPARE(path_with_format("/a/b.png", "svg"), QString("/a/b.svg"));
    QCOMPARE(path_with_format("/a/b.PNG", "png"), QString("/a/b.PNG"));  // the suffix in any case
    QCOMPARE(path_with_format("/a/b.tiff", "pdf"), QString("/a/b.tiff.pdf"));
    QCOMPARE(path_with_format("/a/b", "csv"), QString("/a/b.csv"));
  }
};

PSTEST_MAIN(TestDefects)
#include "tst_defects.moc"
