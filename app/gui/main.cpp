// perturbscope: the desktop workbench.
//   perturbscope [--store FILE] [--theme light|dark]
//   perturbscope --screenshots DIR     render each main view to DIR/<view>.png and exit
//   perturbscope --version
//   perturbscope export-figure ... | report ...   figures and reports, headless (figure_commands.h)
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QLibraryInfo>
#include <QLocale>
#include <QMessageBox>
#include <QSettings>
#include <QTranslator>
#include <cstdio>
#include <cstring>
#include <exception>

#include "common/error.h"
#include "common/paths.h"
#include "async.h"
#include "figure_commands.h"
#include "main_window.h"
#include "screenshots.h"
#include "theme.h"

int main(int argc, char** argv) {
  // --version and --help work without a display (packaging checks, servers).
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--version") == 0) {
      std::printf("perturbscope %s (%s)\n", ps::version().c_str(), ps::git_describe().c_str());
      return 0;
    }
  }
  // Figures and reports draw offscreen: no display needed (a user's QT_QPA_PLATFORM wins).
  const bool figure_command = argc > 1 && ps::gui::is_figure_command(argv[1]);
  if (figure_command && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  QApplication::setOrganizationName("PerturbScope");
  QApplication::setApplicationName("perturbscope");
  QApplication::setApplicationDisplayName("PerturbScope");
  QApplication::setApplicationVersion(QString::fromStdString(ps::version()));
  QApplication::setDesktopFileName("io.github.perturbscope.PerturbScope");

  // The German translation (and Qt's own dialogs) by the user's locale.
  QTranslator qt_translator, translator;
  if (qt_translator.load(QLocale(), "qtbase", "_", QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
    QApplication::installTranslator(&qt_translator);
  if (translator.load(QLocale(), "perturbscope", "_", ":/i18n")) QApplication::installTranslator(&translator);

  if (figure_command) {
    ps::gui::init_resources();
    ps::gui::apply_theme(ps::gui::Theme::Light);  // figures for print: the light palette
    return ps::gui::run_figure_command(argc, argv);
  }

  QCommandLineParser parser;
  parser.setApplicationDescription(QApplication::translate("main", "Workbench for calibrated predictors of CRISPRi perturbation effects."));
  parser.addHelpOption();
  QCommandLineOption store_option("store", QApplication::translate("main", "Experiment store (default: $PERTURBSCOPE_STORE or the per-user store)."), "FILE");
  QCommandLineOption theme_option("theme", QApplication::translate("main", "Colour theme: light or dark."), "THEME");
  QCommandLineOption shots_option("screenshots", QApplication::translate("main", "Render each main view of the embedded default to DIR/<view>.png and exit."), "DIR");
  QCommandLineOption version_option("version", QApplication::translate("main", "Print the version and exit."));
  parser.addOptions({store_option, theme_option, shots_option, version_option});
  parser.addPositionalArgument("command", QApplication::translate("main", "report | export-figure: a run's HTML report or one figure, headless (perturbscope COMMAND --help)."),
                               "[report|export-figure]");
  parser.process(app);

  ps::gui::init_resources();
  QSettings settings;
  const QString theme = parser.isSet(theme_option) ? parser.value(theme_option) : settings.value("ui/theme", "light").toString();
  if (theme != "light" && theme != "dark") {
    std::fprintf(stderr, "perturbscope: --theme must be light or dark, not '%s'\n", qPrintable(theme));
    return 2;
  }
  ps::gui::apply_theme(ps::gui::theme_from_name(theme));

  const QString store = parser.isSet(store_option) ? parser.value(store_option) : QString::fromStdString(ps::default_store_path());
  try {
    QDir().mkpath(QFileInfo(store).absolutePath());
    ps::gui::MainWindow window(store);
    if (parser.isSet(shots_option)) {
      ps::gui::ScreenshotDriver driver(&window, parser.value(shots_option));
      driver.start();
      const int rc = app.exec();
      ps::gui::wait_for_background_work();
      return rc;
    }
    window.show();
    const int rc = app.exec();
    ps::gui::wait_for_background_work();
    return rc;
  } catch (const ps::Error& e) {
    std::fprintf(stderr, "perturbscope: error: %s\n", e.what());
    if (!parser.isSet(shots_option)) QMessageBox::critical(nullptr, QApplication::translate("main", "PerturbScope"), QString::fromUtf8(e.what()));
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "perturbscope: internal error: %s\n", e.what());
    return 1;
  }
}
