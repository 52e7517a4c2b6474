// German translation coverage (issue 14): every string the widgets and the app mark for
// translation (tr(), QCoreApplication::translate, QT_TRANSLATE_NOOP), as lupdate extracts them
// from the sources at build time into a scratch file (PERTURBSCOPE_TR_SOURCES; never the
// hand-kept translations/perturbscope_de.ts), must have a German translation in the compiled
// perturbscope_de.qm (PERTURBSCOPE_DE_QM, what lrelease makes of the .ts and the app embeds),
// with the source's placeholders (%1, %2, ...) and, where the source has one, a mnemonic (&).
#include <QFile>
#include <QRegularExpression>
#include <QSet>
#include <QTranslator>
#include <QXmlStreamReader>

#include "helpers.h"

namespace {

struct Message {
  QString context, source, comment;
  bool numerus = false;
};

// The <message>s of a .ts file (context, source, disambiguation, numerus).
QList<Message> read_ts(const QString& path, QString* error) {
  QList<Message> out;
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) {
    *error = "cannot read " + path;
    return out;
  }
  QXmlStreamReader xml(&f);
  QString context;
  Message m;
  while (!xml.atEnd()) {
    xml.readNext();
    if (!xml.isStartElement()) continue;
    const auto name = xml.name();
    if (name == QLatin1String("context")) context.clear();
    else if (name == QLatin1String("name") && context.isEmpty()) context = xml.readElementText();
    else if (name == QLatin1String("message")) {
      m = Message{context, {}, {}, xml.attributes().value("numerus") == QLatin1String("yes")};
    } else if (name == QLatin1String("source")) {
      m.source = xml.readElementText();
    } else if (name == QLatin1String("comment")) {
      m.comment = xml.readElementText();
    } else if (name == QLatin1String("translation")) {
      out << m;  // <translation> follows <source> and <comment>
      xml.skipCurrentElement();
    }
  }
  if (xml.hasError()) *error = QString("%1:%2: %3").arg(path).arg(xml.lineNumber()).arg(xml.errorString());
  return out;
}

QSet<QString> placeholders(const QString& s) {
  QSet<QString> out;
  static const QRegularExpression re("%L?(\\d+)");
  for (auto it = re.globalMatch(s); it.hasNext();) out << it.next().captured(1);
  return out;
}

// A mnemonic: '&' before a letter or digit ("&&" is a literal ampersand).
bool has_mnemonic(const QString& s) {
  for (int i = 0; i + 1 < s.size(); ++i) {
    if (s[i] != '&') continue;
    if (s[i + 1] == '&') {
      ++i;
      continue;
    }
    if (s[i + 1].isLetterOrNumber()) return true;
  }
  return false;
}

}  // namespace

class TestTranslations : public QObject {
  Q_OBJECT

 private slots:
  void every_source_string_has_a_german_translation() {
    QString error;
    const QList<Message> messages = read_ts(PERTURBSCOPE_TR_SOURCES, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    // The extraction found the views (a broken extraction must not pass as "nothing missing").
    QSet<QString> contexts;
    for (const auto& m : messages) contexts << m.context;
    for (const char* view : {"ps::gui::RunsView", "ps::gui::RunsModel", "ps::gui::CurvesView", "ps::gui::TracesView",
                             "ps::gui::TtcView", "ps::gui::TrainLauncher", "ps::gui::LauncherView", "ps::gui::MainWindow",
                             "metric", "main"})
      QVERIFY2(contexts.contains(view), view);
    QVERIFY2(messages.size() > 300, qPrintable(QString::number(messages.size())));

    QTranslator de;
    QVERIFY2(de.load(PERTURBSCOPE_DE_QM), PERTURBSCOPE_DE_QM);
    QStringList missing, bad;
    for (const auto& m : messages) {
      const QByteArray ctx = m.context.toUtf8(), src = m.source.toUtf8(), cmt = m.comment.toUtf8();
      const char* disambiguation = m.comment.isEmpty() ? nullptr : cmt.constData();
      QStringList forms;
      for (int n : m.numerus ? QList<int>{1, 2, 5} : QList<int>{-1})
        forms << de.translate(ctx.constData(), src.constData(), disambiguation, n);
      const QString where = m.context + ": \"" + m.source + "\"" + (m.comment.isEmpty() ? "" : " (" + m.comment + ")");
      if (forms.contains(QString())) {
        missing << where;
        continue;
      }
      for (const QString& t : forms) {
        if (placeholders(t) != placeholders(m.source)) bad << where + " -> placeholders differ in \"" + t + "\"";
        if (has_mnemonic(m.source) && !has_mnemonic(t)) bad << where + " -> no mnemonic (&) in \"" + t + "\"";
      }
    }
    QVERIFY2(missing.isEmpty(), qPrintable(QString("%1 of %2 strings have no German translation:\n  %3")
                                               .arg(missing.size()).arg(messages.size()).arg(missing.join("\n  "))));
    QVERIFY2(bad.isEmpty(), qPrintable(bad.join("\n")));
  }

  // The check itself: a string that is not in the translation is found missing.
  void a_missing_string_is_noticed() {
    QTranslator de;
    QVERIFY(de.load(PERTURBSCOPE_DE_QM));
    QCOMPARE(de.translate("ps::gui::MainWindow", "Job cancelled"), QString("Auftrag abgebrochen"));
    QVERIFY(de.translate("ps::gui::RunsView", "a string no view has (coverage test)").isEmpty());
    QCOMPARE(placeholders("%1 of %2, %L3"), (QSet<QString>{"1", "2", "3"}));
    QVERIFY(has_mnemonic("&Cancel job") && !has_mnemonic("R&&D") && !has_mnemonic("a & b"));
  }

  // A review found German texts equal to the English ones where German words exist.
  void reviewed_strings_are_german() {
    QTranslator de;
    QVERIFY(de.load(PERTURBSCOPE_DE_QM));
    QCOMPARE(de.translate("ps::gui::TracesView", "Completion %1"), QString("Vervollständigung %1"));
    QCOMPARE(de.translate("ps::gui::TrainLauncher", "Evaluation"), QString("Auswertung"));
    QCOMPARE(de.translate("ps::gui::TracesModel", "no </think>"), QString("kein </think>"));
    QCOMPARE(de.translate("ps::gui::TracesModel", "truncated"), QString("abgeschnitten"));
    QCOMPARE(de.translate("ps::gui::TracesModel", "greedy decoding"), QString("Greedy-Decodierung"));
    QCOMPARE(de.translate("ps::gui::TracesModel", "sampled"), QString("Stichprobe"));
    QCOMPARE(de.translate("metric", "Calibration split"), QString("Kalibrierungsaufteilung"));
    QCOMPARE(de.translate("metric", "Calibration method"), QString("Kalibrierungsmethode"));
    QCOMPARE(de.translate("metric", "Isotonic steps"), QString("Isotone Stufen"));
    QCOMPARE(de.translate("QObject", "finished"), QString("fertig"));
  }
};

PSTEST_MAIN(TestTranslations)
#include "tst_translations.moc"
