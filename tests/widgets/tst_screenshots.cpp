// `perturbscope --screenshots DIR` under Xvfb (a real X server, not the offscreen
// plugin): it evaluates the embedded default into an empty store, renders the
// main views (runs, launcher, reliability, kg_browser, predictions, curves, traces, train, ttc, compare) and exits 0; each image must be a real picture of the window.
#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "common/paths.h"
#include "helpers.h"

class TestScreenshots : public QObject {
  Q_OBJECT

  static QString help_text(const QString& lang) {
    QProcess app;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("QT_QPA_PLATFORM", "offscreen");
    env.insert("LANG", lang);
    env.insert("LC_ALL", lang);
    env.remove("LANGUAGE");
    app.setProcessEnvironment(env);
    app.start(PERTURBSCOPE_GUI_PATH, {"--help"});
    app.waitForFinished(30000);
    return QString::fromUtf8(app.readAllStandardOutput());
  }

 private slots:
  // The German translation is compiled in and chosen by the locale.
  void german_by_locale() {
    const QString de = help_text("de_DE.UTF-8"), en = help_text("C");
    QVERIFY2(de.contains("Werkbank für kalibrierte Vorhersagen"), qPrintable(de));
    QVERIFY2(en.contains("Workbench for calibrated predictors"), qPrintable(en));
  }

  void version_without_display() {
    QProcess app;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove("QT_QPA_PLATFORM");
    env.remove("DISPLAY");
    app.setProcessEnvironment(env);
    app.start(PERTURBSCOPE_GUI_PATH, {"--version"});
    QVERIFY(app.waitForFinished(30000));
    QCOMPARE(app.exitCode(), 0);
    QVERIFY(QString::fromUtf8(app.readAllStandardOutput()).startsWith("perturbscope " + QString::fromStdString(ps::version())));
  }

  void screenshots_under_xvfb() {
    if (QStandardPaths::findExecutable("xvfb-run").isEmpty()) QSKIP("xvfb-run is not installed");
    if (!ps::locate_data()) QSKIP("no data mirror (set PERTURBSCOPE_DATA)");
    QTemporaryDir dir;
    const QString shots = dir.filePath("shots");
    QProcess app;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove("QT_QPA_PLATFORM");  // the X server, not offscreen
    env.insert("PERTURBSCOPE_STORE", dir.filePath("store.sqlite"));
    {
      // A synthetic SFT run for the Curves and Traces tabs (the embedded default is a KNN run):
      // loss and validation F1 with its CI, and predictions with reasoning traces.
      ps::store::Store st(dir.filePath("store.sqlite").toStdString());
      const int64_t sft = st.create_run("sft", "synthetic sft", "{}");
      std::vector<ps::store::MetricPoint> pts;
      for (int s = 1; s <= 300; ++s) {
        pts.push_back({s, "loss", 2.0 * std::exp(-s / 80.0) + 0.1 * std::sin(s * 0.7)});
        pts.push_back({s, "step_time", 0.4});
        if (s % 50 == 0)
          for (const auto& [n, v] : {std::pair<const char*, double>{"val/f1", 0.3 + s / 1000.0}, {"val/f1_ci_lo", 0.25 + s / 1000.0},
                                     {"val/f1_ci_hi", 0.35 + s / 1000.0}, {"val/ece", 0.2 - s / 3000.0}})
            pts.push_back({s, n, v});
      }
      st.log_metrics(sft, pts);
      auto preds = pstest::synthetic_predictions("k562", 10, 10, 5);
      for (auto& p : preds) {
        p.trace = "<think>" + p.perturber + " and " + p.target + " share STRING neighbours.</think>\nAnswer: " +
                  (p.confidence >= 0.5 ? "DE" : "not DE");
        p.prompt = "Perturber " + p.perturber + ", target " + p.target + ". Evidence: ...";
        p.tokens = 40;
      }
      st.add_predictions(sft, preds);
      st.set_status(sft, ps::store::RunStatus::Finished);
      // A GRPO arm from it on the same items, for the Compare tab (SFT vs the arm).
      const int64_t grpo = st.create_run("grpo", "synthetic grpo", nlohmann::json{{"init", {{"sft_run", sft}}}}.dump());
      for (auto& p : preds) p.confidence = 0.5 + 0.8 * (p.confidence - 0.5);
      st.add_predictions(grpo, preds);
      st.set_status(grpo, ps::store::RunStatus::Finished);
      // A TTC run for the TTC tab: the summary `perturbscope-cli ttc --tau-sweep` stores.
      const int64_t ttc = st.create_run("ttc", "synthetic ttc", R"({"tau_sweep": true})");
      nlohmann::json s = {{"strategies", nlohmann::json::array()}, {"stored_strategy", "selective-sc"}, {"stored_tau", 1.0}};
      auto point = [](const char* name, bool selective, double tau, double tokens, double f1) {
        return nlohmann::json{{"name", name}, {"selective", selective}, {"tau", selective ? nlohmann::json(tau) : nlohmann::json(nullptr)},
                              {"n", 200}, {"f1", f1}, {"f1_ci", {f1 - 0.05, f1 + 0.05}}, {"brier", 0.25 - f1 / 5},
                              {"brier_ci", {0.2 - f1 / 5, 0.3 - f1 / 5}}, {"ece", 0.12 - f1 / 10}, {"ece_ci", {0.08 - f1 / 10, 0.16 - f1 / 10}},
                              {"tokens_per_item", tokens}, {"pareto", false}};
      };
      s["strategies"].push_back(point("greedy", false, 0, 120, 0.52));
      s["strategies"].push_back(point("sc", false, 0, 960, 0.66));
      for (int i = 0; i <= 20; ++i) s["strategies"].push_back(point("sc", true, i / 20.0, 120 + 960 * std::pow(i / 20.0, 2), 0.52 + 0.14 * std::sqrt(i / 20.0)));
      st.set_summary(ttc, s.dump());
      st.set_status(ttc, ps::store::RunStatus::Finished);
    }
    env.insert("XDG_CONFIG_HOME", dir.filePath("config"));
    app.setProcessEnvironment(env);
    app.setProcessChannelMode(QProcess::MergedChannels);
    app.start("xvfb-run", {"-a", "-s", "-screen 0 1600x1000x24", PERTURBSCOPE_GUI_PATH, "--screenshots", shots});
    QVERIFY(app.waitForStarted());
    QVERIFY2(app.waitForFinished(240000), "perturbscope --screenshots did not finish");
    const QString output = QString::fromUtf8(app.readAll());
    QVERIFY2(app.exitStatus() == QProcess::NormalExit && app.exitCode() == 0, qPrintable(output));
    for (const char* view : {"runs", "launcher", "reliability", "kg_browser", "predictions", "curves", "traces", "train", "ttc",
                             "compare"}) {
      const QString path = QDir(shots).filePath(QString(view) + ".png");
      QVERIFY2(QFileInfo::exists(path), qPrintable(path + "\n" + output));
      const QImage image(path);
      QVERIFY2(image.width() >= 1000 && image.height() >= 600, qPrintable(path));
      // Not blank: many colours, and no colour covering nearly everything.
      std::map<QRgb, int> histogram;
      int samples = 0;
      for (int y = 0; y < image.height(); y += 3)
        for (int x = 0; x < image.width(); x += 3, ++samples) histogram[image.pixel(x, y)]++;
      int most = 0;
      for (const auto& [colour, n] : histogram) most = std::max(most, n);
      QVERIFY2(histogram.size() > 100, qPrintable(QString("%1: only %2 colours").arg(path).arg(histogram.size())));
      QVERIFY2(most < 0.9 * samples, qPrintable(QString("%1: one colour covers %2%").arg(path).arg(100.0 * most / samples)));
    }
    // The store now holds the default run the views showed.
    QVERIFY(output.contains("evaluating it first"));
  }
};

PSTEST_MAIN(TestScreenshots)
#include "tst_screenshots.moc"
