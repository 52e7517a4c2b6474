// `perturbscope report` and `perturbscope export-figure` (issue 13) on a scratch store built
// through core/store: the report folder holds report.html and every figure as PNG, SVG and PDF
// with relative links that resolve; Table 1's numbers match F1, Brier and ECE computed here by
// hand; stored text is HTML-escaped; runs without predictions get the sections they can and a
// note, runs with nothing are refused; bad options are usage errors (exit 2), bad runs and
// outputs errors (exit 1), and nothing half-written is left behind. perturbscope-cli forwards
// both commands to the Qt build.
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QPdfDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <cmath>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "common/error.h"
#include "common/paths.h"
#include "helpers.h"
#include "report.h"
#include "run_figures.h"
#include "store/store.h"

using namespace ps::gui;

namespace {

const char* kEvilTrace = "<think>the knockdown</think><script>alert('x')</script> & </pre><b>not bold</b>";

struct Fixture {
  QTemporaryDir dir;
  QString store_path;
  int64_t a = 0, ttc = 0, c = 0, d = 0, e = 0;
  std::vector<ps::store::Prediction> a_preds;

  Fixture() {
    store_path = dir.filePath("store.sqlite");
    ps::store::Store st(store_path.toStdString());
    // A: a GRPO policy with curves, predictions on k562 (val) and rpe1 (held out), one evil trace.
    a = st.create_run("grpo", "rlcr <demo>", R"({"task":{"heldout_cell_line":"rpe1","train_cell_lines":["k562"]}})");
    std::vector<ps::store::MetricPoint> m;
    for (int s = 1; s <= 30; ++s) {
      m.push_back({s, "loss", 1.0 / s});
      m.push_back({s, "reward", 0.3 + 0.01 * s});
      if (s % 10 == 0) {
        m.push_back({s, "val/f1", 0.5 + 0.01 * s});
        m.push_back({s, "val/ece", 0.1 - 0.002 * s});
      }
    }
    st.log_metrics(a, m);
    a_preds = pstest::synthetic_predictions("k562", 12, 20, 11);
    for (auto& p : a_preds) p.details_json = R"({"set":"val"})";
    auto rpe1 = pstest::synthetic_predictions("rpe1", 10, 15, 12);
    for (auto& p : rpe1) p.details_json = R"({"set":"heldout"})";
    a_preds.insert(a_preds.end(), rpe1.begin(), rpe1.end());
    ps::store::Prediction evil;
    evil.cell_line = "k562";
    evil.perturber = "EVIL<1>";
    evil.target = "GENE&2";
    evil.item_key = "k562|EVIL<1>|GENE&2";
    evil.label = 0;
    evil.confidence = 0.999;  // the most confident error
    evil.prediction = 1;
    evil.trace = kEvilTrace;
    evil.details_json =
        nlohmann::json(
            {{"set", "val"},
             {"confidence", 0.999},
             {"rounds", {{{"kind", "greedy"}, {"tokens", 12}, {"completions", {{{"text", "<i>round text</i>"}}}}}}}})
            .dump();
    a_preds.push_back(evil);
    st.add_predictions(a, a_preds);
    st.set_status(a, ps::store::RunStatus::Finished);
    // A ttc run of A with its sweep.
    ttc = st.create_run("ttc", "ttc greedy,sc", nlohmann::json({{"source_run", a}}).dump());
    nlohmann::json pts = nlohmann::json::array();
    pts.push_back({{"name", "greedy"},
                   {"selective", false},
                   {"tau", nullptr},
                   {"tokens_per_item", 200.0},
                   {"f1", 0.7},
                   {"f1_ci", {0.66, 0.74}},
                   {"pareto", true}});
    pts.push_back({{"name", "sc"},
                   {"selective", false},
                   {"tau", nullptr},
                   {"tokens_per_item", 1600.0},
                   {"f1", 0.78},
                   {"f1_ci", {0.74, 0.82}},
                   {"pareto", true}});
    for (int i = 1; i <= 5; ++i)
      pts.push_back({{"name", "sc"},
                     {"selective", true},
                     {"tau", i / 5.0},
                     {"tokens_per_item", 200.0 + 250 * i},
                     {"f1", 0.7 + 0.015 * i},
                     {"f1_ci", {nullptr, nullptr}},
                     {"pareto", i < 5}});
    st.set_summary(ttc, nlohmann::json({{"strategies", pts}}).dump());
    st.set_status(ttc, ps::store::RunStatus::Finished);
    // C: predictions only (k562). D: nothing. E: training metrics only.
    c = st.create_run("sft", "sft only preds", "{}");
    st.add_predictions(c, pstest::synthetic_predictions("k562", 8, 10, 13));
    st.set_status(c, ps::store::RunStatus::Finished);
    d = st.create_run("knn", "empty", "{}");
    st.set_status(d, ps::store::RunStatus::Failed);
    e = st.create_run("grpo", "metrics only", "{}");
    st.log_metrics(e, {{1, "loss", 0.9}, {2, "loss", 0.7}, {3, "loss", 0.6}, {2, "reward", 0.4}});
    st.set_status(e, ps::store::RunStatus::Finished);
  }
};

struct Result {
  int code = -1;
  QString out, err;
};

Result run_program(const QString& program, const QStringList& args, bool headless_env = false) {
  QProcess p;
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  if (headless_env) {  // no display and no platform chosen: the command picks offscreen itself
    env.remove("QT_QPA_PLATFORM");
    env.remove("DISPLAY");
    env.remove("WAYLAND_DISPLAY");
  }
  p.setProcessEnvironment(env);
  p.start(program, args);
  if (!p.waitForFinished(300000)) {
    p.kill();
    p.waitForFinished();
    return {};
  }
  return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
          QString::fromUtf8(p.readAllStandardError())};
}

Result gui(const QStringList& args, bool headless_env = false) {
  return run_program(PERTURBSCOPE_GUI_PATH, args, headless_env);
}

QString read(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return {};
  return QString::fromUtf8(f.readAll());
}

// Hand-computed metrics of labelled predictions (independent of core/metrics).
struct Hand {
  double f1, brier, ece;
};
Hand hand_metrics(const std::vector<ps::store::Prediction>& preds) {
  double tp = 0, fp = 0, fn = 0, sq = 0;
  double bin_n[10] = {}, bin_p[10] = {}, bin_y[10] = {};
  for (const auto& p : preds) {
    const bool yes = p.confidence >= 0.5;
    tp += yes && p.label == 1;
    fp += yes && p.label == 0;
    fn += !yes && p.label == 1;
    sq += (p.confidence - p.label) * (p.confidence - p.label);
    const int b = std::min(9, int(p.confidence * 10));
    bin_n[b] += 1;
    bin_p[b] += p.confidence;
    bin_y[b] += p.label;
  }
  double ece = 0;
  for (int b = 0; b < 10; ++b)
    if (bin_n[b] > 0) ece += bin_n[b] / preds.size() * std::abs(bin_p[b] / bin_n[b] - bin_y[b] / bin_n[b]);
  return {2 * tp / (2 * tp + fp + fn), sq / preds.size(), ece};
}

QString table_row(const QString& html, const QString& first_cell) {
  const int at = html.indexOf("<tr><td>" + first_cell);
  if (at < 0) return {};
  return html.mid(at, html.indexOf("</tr>", at) - at);
}

QStringList leftovers(const QString& parent) {
  return QDir(parent).entryList({".*.tmp-*", ".*.old-*"}, QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot);
}

}  // namespace

class TestReport : public QObject {
  Q_OBJECT

 private slots:
  void report_holds_html_and_figures() {
    Fixture fx;
    ps::store::Store st(fx.store_path.toStdString());
    ReportOptions o;
    o.run = fx.a;
    o.compare = {fx.c};
    o.out_dir = fx.dir.filePath("out/report");
    o.bootstrap = 100;
    ReportResult r;
    try {
      r = write_report(st, o);
    } catch (const ps::Error& e) {
      QFAIL(e.what());
    }
    const QString out = o.out_dir;
    QCOMPARE(r.html, QDir(out).filePath("report.html"));
    // The folder can be shared: not the temporary folder's 0700.
    QVERIFY(QFileInfo(out).permissions().testFlag(QFileDevice::ReadOther));
    QVERIFY(QFileInfo(out).permissions().testFlag(QFileDevice::ExeOther));
    // Every figure in three formats; the PNG at the figure size's pixels.
    QStringList expected;
    for (const QString& name : {QString("curves"), QString("reliability_run%1").arg(fx.a),
                                QString("reliability_run%1").arg(fx.c), QString("pareto_run%1").arg(fx.a)})
      for (const char* suffix : {"png", "svg", "pdf"}) expected << QString("figures/%1.%2").arg(name, suffix);
    expected.sort();
    QStringList got = r.figures;
    got.sort();
    QCOMPARE(got, expected);
    for (const QString& rel : expected) {
      const QString path = QDir(out).filePath(rel);
      QVERIFY2(QFileInfo(path).size() > 500, qPrintable(path));
      if (rel.endsWith(".png")) QCOMPARE(QImage(path).size(), o.figure_size.pixels());
      if (rel.endsWith(".svg")) QVERIFY2(QSvgRenderer(path).isValid(), qPrintable(path));
      if (rel.endsWith(".pdf")) {
        QPdfDocument pdf;
        QCOMPARE(pdf.load(path), QPdfDocument::Error::None);
        QCOMPARE(pdf.pageCount(), 1);
      }
    }
    const QString html = read(r.html);
    QVERIFY(html.startsWith("<!DOCTYPE html>"));
    // Links are relative and resolve inside the folder.
    QRegularExpression link("(?:src|href)=\"([^\"]+)\"");
    int links = 0;
    for (auto it = link.globalMatch(html); it.hasNext();) {
      const QString target = it.next().captured(1);
      QVERIFY2(!target.startsWith('/') && !target.contains("://") && !target.contains(".."), qPrintable(target));
      QVERIFY2(QFileInfo::exists(QDir(out).filePath(target)), qPrintable(target));
      ++links;
    }
    QCOMPARE(links, 4 * 4);  // each figure: <img> + PNG, SVG, PDF links
    // Table 1: the run's F1, Brier and ECE as computed by hand, with intervals; C's row too.
    std::vector<ps::store::Prediction> labelled = fx.a_preds;
    const Hand h = hand_metrics(labelled);
    const QString row = table_row(html, QString("run %1 · grpo · rlcr &lt;demo&gt;").arg(fx.a));
    QVERIFY2(!row.isEmpty(), qPrintable(html.left(3000)));
    for (double v : {h.f1, h.brier, h.ece})
      QVERIFY2(row.contains(QString::number(v, 'f', 3)), qPrintable(row + " lacks " + QString::number(v, 'f', 3)));
    QCOMPARE(row.count("class=ci>["), 4);
    QVERIFY(!table_row(html, QString("run %1 · sft").arg(fx.c)).isEmpty());
    // Per cell line: RPE1 marked held out, K562 not; its metrics by hand.
    const QString rpe1 = table_row(html, QString("run %1 · rpe1").arg(fx.a));
    QVERIFY(rpe1.contains("held out"));
    QVERIFY(!table_row(html, QString("run %1 · k562").arg(fx.a)).contains("held out"));
    std::vector<ps::store::Prediction> rpe1_preds;
    for (const auto& p : fx.a_preds)
      if (p.cell_line == "rpe1") rpe1_preds.push_back(p);
    QVERIFY(rpe1.contains(QString::number(hand_metrics(rpe1_preds).brier, 'f', 3)));
    // The most confident error comes first, its trace and TTC round escaped.
    QVERIFY(!html.contains("<script>"));
    QVERIFY(!html.contains("<b>not bold</b>"));
    QVERIFY(!html.contains("<i>round text</i>"));
    QVERIFY(html.contains("&lt;script&gt;alert('x')&lt;/script&gt; &amp; &lt;/pre&gt;"));
    QVERIFY(html.contains("&lt;i&gt;round text&lt;/i&gt;"));
    QVERIFY(html.contains("<b>1. k562|EVIL&lt;1&gt;|GENE&amp;2</b>"));
    // C logged no training metrics: said in the report and the result.
    QVERIFY(r.missing.join("\n").contains(QString("training curves: run %1").arg(fx.c)));
    QVERIFY(html.contains(QString("run %1 logged no training metrics").arg(fx.c)));
    QVERIFY(leftovers(fx.dir.filePath("out")).isEmpty());
  }

  void report_command_end_to_end() {
    Fixture fx;
    const QString out = fx.dir.filePath("rep");
    const QStringList args{"report",
                           "--run",
                           QString::number(fx.a),
                           "--compare",
                           QString::number(fx.c),
                           "--out",
                           out,
                           "--store",
                           fx.store_path,
                           "--bootstrap",
                           "50",
                           "--size",
                           "120x90mm",
                           "--dpi",
                           "96"};
    Result r = gui(args, /*headless_env=*/true);
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY(r.out.contains("report.html"));
    QVERIFY(QFileInfo(QDir(out).filePath("figures/pareto_run" + QString::number(fx.a) + ".pdf")).size() > 0);
    QCOMPARE(QImage(QDir(out).filePath("figures/curves.png")).size(), QSize(454, 340));
    // Again over the earlier report: replaced, nothing left beside it.
    QFile stale(QDir(out).filePath("figures/stale.txt"));
    QVERIFY(stale.open(QIODevice::WriteOnly));
    stale.close();
    r = gui(args);
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY(!QFileInfo::exists(QDir(out).filePath("figures/stale.txt")));
    QVERIFY(leftovers(fx.dir.path()).isEmpty());
    // perturbscope-cli forwards to the Qt build (exit code and output are its).
    const QString out2 = fx.dir.filePath("rep_cli");
    r = run_program(PERTURBSCOPE_CLI_PATH, {"report", "--run", QString::number(fx.a), "--out", out2, "--store",
                                            fx.store_path, "--bootstrap", "20"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY(QFileInfo::exists(QDir(out2).filePath("report.html")));
    r = run_program(PERTURBSCOPE_CLI_PATH, {"report", "--run", "999", "--out", out2 + "x", "--store", fx.store_path});
    QCOMPARE(r.code, 1);
    QVERIFY(r.err.contains("no run with id 999"));
  }

  // A perturbscope-cli with no perturbscope beside it or on PATH says what is missing (exit 1).
  void cli_without_qt_build_says_so() {
    QTemporaryDir dir;
    const QString cli = dir.filePath("perturbscope-cli");
    QVERIFY(QFile::copy(PERTURBSCOPE_CLI_PATH, cli));
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("PATH", dir.path());  // nothing else to find
    p.setProcessEnvironment(env);
    p.start(cli, {"export-figure", "--run", "1", "--kind", "curves", "--out", dir.filePath("x.png")});
    QVERIFY(p.waitForFinished(120000));
    QCOMPARE(p.exitCode(), 1);
    const QString err = QString::fromUtf8(p.readAllStandardError());
    QVERIFY2(err.contains("needs the Qt executable perturbscope") || err.contains("needs the Qt build"), qPrintable(err));
    QVERIFY(!QFileInfo::exists(dir.filePath("x.png")));
  }

  void report_partial_and_refused() {
    Fixture fx;
    // E has training metrics only: a report with its curves and notes of what is missing.
    const QString out_e = fx.dir.filePath("e");
    Result r = gui({"report", "--run", QString::number(fx.e), "--out", out_e, "--store", fx.store_path});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY(r.err.contains("no labelled predictions"));
    const QString html = read(QDir(out_e).filePath("report.html"));
    QVERIFY(html.contains(QString("run %1 has no labelled predictions: no reliability diagram").arg(fx.e)));
    QVERIFY(html.contains("No TTC results"));
    QVERIFY(QFileInfo::exists(QDir(out_e).filePath("figures/curves.svg")));
    QVERIFY(!QFileInfo::exists(QDir(out_e).filePath(QString("figures/reliability_run%1.png").arg(fx.e))));
    // D has nothing: refused, no folder made.
    const QString out_d = fx.dir.filePath("d");
    r = gui({"report", "--run", QString::number(fx.d), "--out", out_d, "--store", fx.store_path});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("nothing to report"), qPrintable(r.err));
    QVERIFY(!QFileInfo::exists(out_d));
    // Unknown runs (also among --compare).
    r = gui({"report", "--run", "999", "--out", out_d, "--store", fx.store_path});
    QCOMPARE(r.code, 1);
    QVERIFY(r.err.contains("no run with id 999"));
    r = gui({"report", "--run", QString::number(fx.a), "--compare", "998", "--out", out_d, "--store", fx.store_path});
    QCOMPARE(r.code, 1);
    QVERIFY(r.err.contains("no run with id 998"));
    QVERIFY(!QFileInfo::exists(out_d));
    // A store that does not exist is not created.
    r = gui({"report", "--run", "1", "--out", out_d, "--store", fx.dir.filePath("none.sqlite")});
    QCOMPARE(r.code, 1);
    QVERIFY(r.err.contains("no such experiment store"));
    QVERIFY(!QFileInfo::exists(fx.dir.filePath("none.sqlite")));
    QVERIFY(leftovers(fx.dir.path()).isEmpty());
  }

  void report_bad_output() {
    Fixture fx;
    const QString run = QString::number(fx.a);
    // The output is a file: refused, the file unchanged.
    const QString file = fx.dir.filePath("a_file");
    {
      QFile f(file);
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write("keep");
    }
    Result r = gui({"report", "--run", run, "--out", file, "--store", fx.store_path});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("exists and is not a folder"), qPrintable(r.err));
    QCOMPARE(read(file), QString("keep"));
    // A folder holding something else: refused, untouched.
    const QString other = fx.dir.filePath("other");
    QVERIFY(QDir().mkpath(other));
    {
      QFile f(QDir(other).filePath("thesis.tex"));
      QVERIFY(f.open(QIODevice::WriteOnly));
    }
    r = gui({"report", "--run", run, "--out", other, "--store", fx.store_path});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("not empty"), qPrintable(r.err));
    QCOMPARE(QDir(other).entryList(QDir::Files), QStringList{"thesis.tex"});
    // A place that cannot be written: a read-only folder (as root, where permissions do not
    // bind, a folder under /proc, which no one can create).
    QString readonly_target;
    if (geteuid() != 0) {
      const QString ro = fx.dir.filePath("ro");
      QVERIFY(QDir().mkpath(ro));
      QFile::setPermissions(ro, QFileDevice::ReadOwner | QFileDevice::ExeOwner);
      readonly_target = QDir(ro).filePath("rep");
    } else {
      readonly_target = "/proc/perturbscope_report_test/rep";
    }
    r = gui({"report", "--run", run, "--out", readonly_target, "--store", fx.store_path});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("read-only") || r.err.contains("cannot"), qPrintable(r.err));
    QVERIFY(!QFileInfo::exists(readonly_target));
    QVERIFY(leftovers(fx.dir.path()).isEmpty());
  }

  void export_figure_each_kind() {
    Fixture fx;
    const QString a = QString::number(fx.a);
    for (const char* kind : {"reliability", "curves", "pareto"}) {
      for (const char* format : {"png", "svg", "pdf"}) {
        const QString out = fx.dir.filePath(QString("%1.%2").arg(kind, format));
        const Result r = gui({"export-figure", "--run", a, "--kind", kind, "--format", format, "--size", "100x80mm",
                              "--dpi", "300", "--out", out, "--store", fx.store_path});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(QFileInfo(out).size() > 500);
        if (QString(format) == "png") QCOMPARE(QImage(out).size(), QSize(1181, 945));
      }
    }
    // px sizes: the PNG has exactly those pixels.
    const QString px = fx.dir.filePath("px.png");
    Result r = gui({"export-figure", "--run", a, "--kind", "reliability", "--size", "1200x900px", "--dpi", "200",
                    "--out", px, "--store", fx.store_path, "--compare", QString::number(fx.c)});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QCOMPARE(QImage(px).size(), QSize(1200, 900));
    // Through perturbscope-cli.
    const QString cli = fx.dir.filePath("cli.svg");
    r = run_program(PERTURBSCOPE_CLI_PATH,
                    {"export-figure", "--run", a, "--kind", "pareto", "--out", cli, "--store", fx.store_path});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY(QSvgRenderer(cli).isValid());
    // The KG neighbourhood needs the data mirror.
    if (ps::locate_data()) {
      const QString kg = fx.dir.filePath("kg.png");
      r = gui({"export-figure", "--run", a, "--kind", "kg", "--gene", "TP53", "--k", "12", "--out", kg, "--store",
               fx.store_path});
      QVERIFY2(r.code == 0, qPrintable(r.err));
      QVERIFY(QImage(kg).width() > 0);
      r = gui({"export-figure", "--run", a, "--kind", "kg", "--gene", "NOTAGENE_XYZ", "--out", kg + ".png", "--store",
               fx.store_path});
      QCOMPARE(r.code, 1);
      QVERIFY(r.err.contains("NOTAGENE_XYZ"));
    }
  }

  void export_figure_refuses_missing() {
    Fixture fx;
    struct Case {
      int64_t run;
      const char* kind;
      const char* says;
    };
    const Case cases[] = {{fx.e, "reliability", "no labelled predictions"},
                          {fx.c, "curves", "no training metrics"},
                          {fx.c, "pareto", "no TTC results"},
                          {999, "curves", "no run with id 999"}};
    for (const auto& c : cases) {
      const QString out = fx.dir.filePath(QString("missing_%1_%2.png").arg(c.run).arg(c.kind));
      const Result r = gui(
          {"export-figure", "--run", QString::number(c.run), "--kind", c.kind, "--out", out, "--store", fx.store_path});
      QCOMPARE(r.code, 1);
      QVERIFY2(r.err.contains(c.says), qPrintable(r.err));
      QVERIFY(!QFileInfo::exists(out));
    }
    QCOMPARE(QDir(fx.dir.path()).entryList(QDir::Files | QDir::Hidden).filter(".png").size(), 0);
  }

  void export_figure_usage_errors() {
    Fixture fx;
    const QString a = QString::number(fx.a), out = fx.dir.filePath("u.png");
    const QStringList base{"export-figure", "--run", a, "--store", fx.store_path};
    const std::vector<std::pair<QStringList, const char*>> cases = {
        {{"--kind", "histogram", "--out", out}, "--kind 'histogram'"},
        {{"--kind", "curves", "--format", "gif", "--out", fx.dir.filePath("u.gif")}, "--format 'gif'"},
        {{"--kind", "curves", "--format", "svg", "--out", out}, "does not end in .svg"},
        {{"--kind", "curves", "--out", fx.dir.filePath("u.jpg")}, "no .png, .svg or .pdf suffix"},
        {{"--kind", "curves", "--size", "12by9", "--out", out}, "--size '12by9'"},
        {{"--kind", "curves", "--size", "0x90mm", "--out", out}, "positive"},
        {{"--kind", "curves", "--size", "5000x90mm", "--out", out}, "at most"},
        {{"--kind", "curves", "--size", "90000x900px", "--out", out}, "at most 20000 px"},
        {{"--kind", "curves", "--dpi", "10", "--out", out}, "--dpi 10"},
        {{"--kind", "curves", "--dpi", "abc", "--out", out}, "--dpi 'abc'"},
        {{"--kind", "curves"}, "--out is required"},
        {{"--kind", "curves", "--out", out, "--colour", "red"}, "unknown option --colour"},
        {{"--kind", "pareto", "--compare", "2", "--out", out}, "--compare applies"},
    };
    for (const auto& [extra, says] : cases) {
      const Result r = gui(base + extra);
      QVERIFY2(r.code == 2, qPrintable(extra.join(' ') + ": exit " + QString::number(r.code) + " " + r.err));
      QVERIFY2(r.err.contains(says), qPrintable(r.err + " lacks " + says));
    }
    Result r = gui({"export-figure", "--kind", "curves", "--out", out, "--store", fx.store_path});
    QCOMPARE(r.code, 2);
    QVERIFY(r.err.contains("--run is required"));
    r = gui({"report", "--run", "x1", "--out", fx.dir.filePath("r"), "--store", fx.store_path});
    QCOMPARE(r.code, 2);
    r = gui({"report", "--run", a, "--store", fx.store_path});
    QCOMPARE(r.code, 2);
    QVERIFY(r.err.contains("--out is required"));
    r = gui({"report", "--help"});
    QCOMPARE(r.code, 0);
    QVERIFY(r.out.contains("usage: perturbscope report"));
    QVERIFY(!QFileInfo::exists(out));
  }
};

PSTEST_MAIN(TestReport)
#include "tst_report.moc"
