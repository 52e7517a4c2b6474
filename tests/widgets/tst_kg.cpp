// The KG browser over the real knowledge graph of the data mirror: search by
// symbol and alias with completion, the neighbourhood as graph and table with
// evidence, click a neighbour to recentre, back/forward history, export.
#include <QCompleter>
#include <QFile>
#include <QGraphicsItem>
#include <QGraphicsScene>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QStringListModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QScrollBar>
#include <QWheelEvent>
#include <cmath>

#include "kg/knn.h"

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

  // Scores with the validated weights (string:1, go:1, reactome:2), not 1:1:1.
  void scores_with_the_validated_weights() {
    KgBrowser browser(kg_);
    QSignalSpy centred(&browser, &KgBrowser::centred);
    QVERIFY(browser.show_gene("TP53"));
    QVERIFY(centred.wait(20000));
    const ps::kg::SourceWeights fused = ps::kg::SourceWeights::fused();
    QCOMPARE(browser.model()->neighbourhood().sources, QString::fromStdString(fused.to_string()));
    const auto g = kg_->graph();
    const auto tp53 = *g->find("TP53");
    const auto expected = g->neighbours(tp53, fused, 20);
    QCOMPARE(browser.model()->rowCount(), int(expected.size()));
    for (size_t i = 0; i < expected.size(); ++i) {
      QCOMPARE(browser.model()->neighbourhood().rows[i].gene, expected[i].gene);
      QVERIFY(std::abs(browser.model()->neighbourhood().rows[i].score - g->fused(fused, tp53, expected[i].gene)) < 1e-9);
    }
    // Another run's settings (Reactome 3, k 7) are used as given.
    ps::kg::KnnConfig run;
    run.k = 7;
    run.sources = {1, 1, 3};
    browser.set_knn_config(run, "run 9");
    QVERIFY(centred.wait(20000));
    QCOMPARE(browser.model()->rowCount(), 7);
    QCOMPARE(browser.model()->neighbourhood().sources, QString::fromStdString(run.sources.to_string()));
  }

  // The k field rewrote out-of-range input silently; now the core's validate() names it.
  void k_field_names_out_of_range_input() {
    KgBrowser browser(kg_);
    browser.resize(1200, 800);
    browser.show();
    QSignalSpy centred(&browser, &KgBrowser::centred);
    QVERIFY(browser.show_gene("TP53"));
    QVERIFY(centred.wait(20000));
    QCOMPARE(browser.model()->rowCount(), 20);
    for (const QString& bad : {QString("500"), QString("0"), QString("-3"), QString("abc")}) {
      browser.k_field()->setFocus();
      browser.k_field()->selectAll();
      QTest::keyClicks(browser.k_field(), bad);
      QTest::keyClick(browser.k_field(), Qt::Key_Return);
      QCOMPARE(browser.k_field()->text(), bad);  // kept as typed, never rewritten
      QVERIFY2(browser.k_message()->isVisible(), qPrintable(bad));
      QVERIFY2(browser.k_message()->text().contains(bad == "abc" ? "whole number" : "between 1 and 400"),
               qPrintable(browser.k_message()->text()));
      QCOMPARE(browser.knn_config().k, 20);
    }
    QVERIFY(!centred.wait(300));  // nothing reloaded
    browser.k_field()->selectAll();
    QTest::keyClicks(browser.k_field(), "7");
    QTest::keyClick(browser.k_field(), Qt::Key_Return);
    QVERIFY(!browser.k_message()->isVisible());
    QVERIFY(centred.wait(20000));
    QCOMPARE(browser.model()->rowCount(), 7);
  }

  // The graph had no zoom or pan.
  void graph_zooms_and_pans() {
    KgBrowser browser(kg_);
    browser.resize(1200, 800);
    browser.show();
    QSignalSpy centred(&browser, &KgBrowser::centred);
    QVERIFY(browser.show_gene("TP53"));
    QVERIFY(centred.wait(20000));
    GraphView* view = browser.graph_view();
    QCOMPARE(view->zoom(), 1.0);
    const double fitted = view->transform().m11();
    view->zoom_by(2);
    QCOMPARE(view->zoom(), 2.0);
    QVERIFY(std::abs(view->transform().m11() - 2 * fitted) < 1e-9);
    // The wheel zooms too (one notch = 1.25).
    const QPointF at(view->viewport()->width() / 2.0, view->viewport()->height() / 2.0);
    QWheelEvent wheel(at, view->viewport()->mapToGlobal(at), QPoint(), QPoint(0, 120), Qt::NoButton, Qt::NoModifier,
                      Qt::NoScrollPhase, false);
    QApplication::sendEvent(view->viewport(), &wheel);
    QVERIFY(std::abs(view->zoom() - 2.5) < 1e-9);
    // Zoomed in, the graph pans: dragging the background scrolls it.
    QVERIFY(view->horizontalScrollBar()->maximum() > 0);
    const int before = view->horizontalScrollBar()->value();
    const QPoint empty(5, 5);
    QTest::mousePress(view->viewport(), Qt::LeftButton, {}, empty);
    QMouseEvent move(QEvent::MouseMove, QPointF(empty + QPoint(120, 0)), view->viewport()->mapToGlobal(QPointF(empty + QPoint(120, 0))),
                     Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(view->viewport(), &move);
    QTest::mouseRelease(view->viewport(), Qt::LeftButton, {}, empty + QPoint(120, 0));
    QVERIFY2(view->horizontalScrollBar()->value() != before, "dragging did not pan");
    view->fit();
    QCOMPARE(view->zoom(), 1.0);
    QVERIFY(std::abs(view->transform().m11() - fitted) < 1e-6);
  }

  // Labels overlapped at k = 50: no two rendered labels may intersect, nor may a label
  // cover another gene's node.
  void labels_do_not_overlap_at_k50() {
    KgBrowser browser(kg_);
    browser.resize(1200, 800);
    browser.show();
    QSignalSpy centred(&browser, &KgBrowser::centred);
    browser.k_field()->selectAll();
    QTest::keyClicks(browser.k_field(), "50");
    QTest::keyClick(browser.k_field(), Qt::Key_Return);
    QCOMPARE(browser.knn_config().k, 50);
    for (const QString gene : {"TP53", "MED12", "PSMA1", "MYC", "AARS1", "POLR2A"}) {
      QVERIFY(browser.show_gene(gene));
      QVERIFY(centred.wait(20000));
      QCOMPARE(browser.model()->rowCount(), 50);
      std::vector<std::pair<QString, QRectF>> labels, nodes;
      for (QGraphicsItem* item : browser.scene()->items()) {
        if (item->data(0).toString().isEmpty()) continue;
        if (item->type() == QGraphicsSimpleTextItem::Type && item->isVisible())
          labels.emplace_back(item->data(0).toString(), item->sceneBoundingRect());
        else if (item->type() == QGraphicsEllipseItem::Type)
          nodes.emplace_back(item->data(0).toString(), item->sceneBoundingRect());
      }
      QVERIFY(labels.size() >= 30);  // most genes keep their label
      for (size_t i = 0; i < labels.size(); ++i) {
        for (size_t j = i + 1; j < labels.size(); ++j)
          QVERIFY2(!labels[i].second.intersects(labels[j].second),
                   qPrintable(QString("%1: labels %2 and %3 overlap").arg(gene, labels[i].first, labels[j].first)));
        for (const auto& [symbol, rect] : nodes)
          QVERIFY2(symbol == labels[i].first || !labels[i].second.intersects(rect),
                   qPrintable(QString("%1: label %2 covers node %3").arg(gene, labels[i].first, symbol)));
      }
      // The centre and the ten strongest neighbours are always labelled.
      QStringList named;
      for (const auto& l : labels) named << l.first;
      QVERIFY(named.contains(browser.centre()));
      for (int r = 0; r < 10; ++r)
        QVERIFY2(named.contains(browser.model()->neighbourhood().rows[r].symbol), qPrintable(browser.model()->neighbourhood().rows[r].symbol));
    }
  }

  // MARS said "no gene"; GARS picked one silently; a misspelling got nothing.
  void search_offers_candidates_and_suggestions() {
    KgBrowser browser(kg_);
    browser.resize(1200, 800);
    browser.show();
    QSignalSpy centred(&browser, &KgBrowser::centred);
    QVERIFY(browser.show_gene("TP53"));
    QVERIFY(centred.wait(20000));
    const std::pair<QString, QStringList> ambiguous[] = {{"MARS", {"MARS1", "SLA2"}}, {"GARS", {"GARS1", "GART"}}};
    for (const auto& [old, candidates] : ambiguous) {
      QVERIFY(!browser.show_gene(old));
      QCOMPARE(browser.offered_genes(), candidates);
      QCOMPARE(browser.centre(), QString("TP53"));  // none picked
      for (const QString& c : candidates) QVERIFY2(browser.header()->text().contains(c), qPrintable(browser.header()->text()));
      QVERIFY(!browser.header()->text().contains("No gene"));
      // The completer offers each candidate as well.
      browser.search()->clear();
      QTest::keyClicks(browser.search(), old);
      auto* completions = qobject_cast<QStringListModel*>(browser.completer()->model());
      for (const QString& c : candidates) QVERIFY2(completions->stringList().contains(old + " (" + c + ")"), qPrintable(completions->stringList().join(", ")));
    }
    // Picking a candidate (a link in the message) shows it.
    emit browser.header()->linkActivated("gene:SLA2");
    QVERIFY(centred.wait(20000));
    QCOMPARE(browser.centre(), QString("SLA2"));
    // A misspelling: "did you mean".
    QVERIFY(!browser.show_gene("TP35"));
    QVERIFY(browser.offered_genes().contains("TP53"));
    QVERIFY(browser.header()->text().contains("Did you mean"));
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
