// The KG browser over the real knowledge graph of the data mirror: search by
// symbol and alias with completion, the neighbourhood as graph and table with
// evidence, click a neighbour to recentre, back/forward history, export.
#include <QCompleter>
#include <QFile>
#include <QGraphicsItem>
#include <QGraphicsScene>
#include <QImage>
#include <QLineEdit>
#include <QSignalSpy>
#include <QStringListModel>
#include <QTableView>
#include <QTemporaryDir>

#include "common/paths.h"
#include "export.h"
#include "helpers.h"
#include "kg_browser.h"
#include "kg_service.h"
#include "neighbourhood_model.h"

using namespace ps::gui;

class TestKg : public QObject {
  Q_OBJECT
  KgService* kg_ = nullptr;

  static QGraphicsItem* node(QGraphicsScene* scene, const QString& symbol) {
    for (QGraphicsItem* item : scene->items())
      if (item->data(0).toString() == symbol && item->type() == QGraphicsEllipseItem::Type) return item;
    return nullptr;
  }

 private slots:
  void initTestCase() {
    if (!ps::locate_data()) QSKIP("no data mirror (set PERTURBSCOPE_DATA)");
    kg_ = new KgService(this);
    QSignalSpy ready(kg_, &KgService::ready);
    kg_->load();
    QVERIFY2(ready.wait(120000), qPrintable(kg_->error()));
    QVERIFY(kg_->graph()->n_genes() > 15000);
  }

  void search_recentre_history() {
    KgBrowser browser(kg_);
    browser.resize(1200, 800);
    browser.show();
    QSignalSpy centred(&browser, &KgBrowser::centred);

    // Completion offers symbols (and aliases) for a prefix.
    QTest::keyClicks(browser.search(), "TP5");
    auto* completions = qobject_cast<QStringListModel*>(browser.completer()->model());
    QVERIFY(completions->stringList().contains("TP53"));

    // An alias finds the current symbol.
    browser.search()->clear();
    QTest::keyClicks(browser.search(), "LFS1");
    QTest::keyClick(browser.search(), Qt::Key_Return);
    QVERIFY(centred.wait(20000));
    QCOMPARE(centred.last().at(0).toString(), QString("TP53"));
    QCOMPARE(browser.centre(), QString("TP53"));

    // 20 neighbours, best first, each with its evidence; MDM2 is TP53's classic partner.
    NeighbourhoodModel* model = browser.model();
    QCOMPARE(model->rowCount(), 20);
    QVERIFY(model->row_of("MDM2") >= 0);
    for (int r = 1; r < model->rowCount(); ++r)
      QVERIFY(model->neighbourhood().rows[r - 1].score >= model->neighbourhood().rows[r].score);
    const auto& mdm2 = model->neighbourhood().rows[model->row_of("MDM2")];
    QVERIFY(mdm2.by_source[0] > 0.9);  // STRING combined score of TP53-MDM2 is 0.999
    QVERIFY(mdm2.evidence_html.contains("STRING channels"));
    QVERIFY(mdm2.evidence_html.contains("Shared GO terms"));
    // The graph draws every neighbour as a node, sized by degree.
    for (const auto& row : model->neighbourhood().rows) QVERIFY2(node(browser.scene(), row.symbol), qPrintable(row.symbol));
    QVERIFY(node(browser.scene(), "TP53"));

    // Clicking a neighbour's node recentres on it.
    const QString neighbour = model->neighbourhood().rows[3].symbol;
    QGraphicsItem* item = node(browser.scene(), neighbour);
    const QPoint at = browser.graph_view()->mapFromScene(item->sceneBoundingRect().center());
    QTest::mouseClick(browser.graph_view()->viewport(), Qt::LeftButton, {}, at);
    QVERIFY(centred.wait(20000));
    QCOMPARE(browser.centre(), neighbour);
    QCOMPARE(model->neighbourhood().symbol, neighbour);
    QVERIFY(model->row_of("TP53") >= 0 || model->rowCount() == 20);

    // Back and forward through the history.
    QVERIFY(browser.can_go_back());
    browser.back();
    QVERIFY(centred.wait(20000));
    QCOMPARE(browser.centre(), QString("TP53"));
    QCOMPARE(model->neighbourhood().symbol, QString("TP53"));
    QVERIFY(browser.can_go_forward());
    browser.forward();
    QVERIFY(centred.wait(20000));
    QCOMPARE(browser.centre(), neighbour);

    // An unknown gene leaves the view where it was.
    QVERIFY(!browser.show_gene("NOT_A_GENE_XYZ"));
    QCOMPARE(browser.centre(), neighbour);

    // The graph exports as a figure (vector SVG with the gene names as text, PNG at size).
    QTemporaryDir dir;
    FigureSize size;
    QString error;
    QVERIFY2(export_scene(browser.scene(), dir.filePath("kg.svg"), size, &error), qPrintable(error));
    QFile svg(dir.filePath("kg.svg"));
    QVERIFY(svg.open(QIODevice::ReadOnly));
    QVERIFY(svg.readAll().contains(neighbour.toUtf8()));
    QVERIFY2(export_scene(browser.scene(), dir.filePath("kg.png"), size, &error), qPrintable(error));
    QCOMPARE(QImage(dir.filePath("kg.png")).size(), size.pixels());
  }

  void evidence_between_genes() {
    const QString html = kg_->evidence_html("TP53", "MDM2");
    QVERIFY(html.contains("TP53"));
    QVERIFY(html.contains("MDM2"));
    QVERIFY(html.contains("experiments"));  // a STRING channel
    QVERIFY(kg_->evidence_html("TP53", "NOT_A_GENE_XYZ").contains("not in the knowledge graph"));
  }
};

PSTEST_MAIN(TestKg)
#include "tst_kg.moc"
