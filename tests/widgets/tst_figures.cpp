// Figure layout is the same at every dpi and format (issue 13): each figure kind
// (reliability, training curves, TTC Pareto, KG neighbourhood) is exported at 96, 150 and
// 300 dpi as PNG, SVG and PDF, at two physical sizes; every file is rasterised independently
// (PNG: the file scaled down; SVG: QSvgRenderer; PDF: QtPdf's renderer) to the figure's
// logical size, downscaled 4x and compared with the SVG at 96 dpi. Fonts resolved against a
// device's own resolution (the old PNG/PDF exports at 300 dpi) move and enlarge every text
// and fail the comparison by a wide margin.
#include <QGraphicsScene>
#include <QImage>
#include <QPainter>
#include <QPdfDocument>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <cmath>
#include <functional>
#include <qcustomplot.h>

#include "curves_plot.h"
#include "export.h"
#include "figure_fixtures.h"
#include "helpers.h"
#include "kg_scene.h"
#include "pareto_plot.h"
#include "reliability_plot.h"
#include "theme.h"

using namespace ps::gui;

namespace {

// The file at `logical` pixels on white, whatever its format.
QImage rasterise(const QString& path, QSize logical) {
  QImage out(logical, QImage::Format_ARGB32);
  out.fill(Qt::white);
  QPainter painter(&out);
  painter.setRenderHint(QPainter::SmoothPixmapTransform);
  if (path.endsWith(".png")) {
    QImage png(path);
    if (png.isNull()) return {};
    painter.drawImage(QRect(QPoint(0, 0), logical), png);
  } else if (path.endsWith(".svg")) {
    QSvgRenderer svg(path);
    if (!svg.isValid()) return {};
    svg.render(&painter, QRectF(QPointF(0, 0), QSizeF(logical)));
  } else {
    QPdfDocument pdf;
    if (pdf.load(path) != QPdfDocument::Error::None || pdf.pageCount() != 1) return {};
    // Rendered at 4x and scaled down like the PNG, so both go through the same filter.
    painter.drawImage(QRect(QPoint(0, 0), logical), pdf.render(0, logical * 4));
  }
  return out;
}

QImage small_grey(const QImage& img) {
  return img.scaled(img.size() / 4, Qt::IgnoreAspectRatio, Qt::SmoothTransformation)
      .convertToFormat(QImage::Format_Grayscale8);
}

struct Diff {
  double mean = 0;  // mean |difference| of grey levels, 0..255
  double far = 0;   // fraction of pixels differing by more than 64 grey levels
};

Diff compare(const QImage& a, const QImage& b) {
  Diff d;
  const int w = std::min(a.width(), b.width()), h = std::min(a.height(), b.height());
  double sum = 0;
  int64_t far = 0;
  for (int y = 0; y < h; ++y) {
    const uchar* ra = a.constScanLine(y);
    const uchar* rb = b.constScanLine(y);
    for (int x = 0; x < w; ++x) {
      const int diff = std::abs(int(ra[x]) - int(rb[x]));
      sum += diff;
      far += diff > 64;
    }
  }
  d.mean = sum / (double(w) * h);
  d.far = double(far) / (double(w) * h);
  return d;
}

// Ink: fraction of pixels visibly darker than the white background (a blank figure compares
// equal to anything).
double ink(const QImage& grey) {
  int64_t dark = 0;
  for (int y = 0; y < grey.height(); ++y)
    for (int x = 0; x < grey.width(); ++x) dark += grey.constScanLine(y)[x] < 200;
  return double(dark) / (double(grey.width()) * grey.height());
}

}  // namespace

class TestFigures : public QObject {
  Q_OBJECT

  using Exporter = std::function<bool(const QString& path, const FigureSize& size, QString* error)>;

  void check_kind(const QString& kind, const Exporter& write) {
    QTemporaryDir dir;
    if (qEnvironmentVariableIsSet("PSTEST_KEEP_FIGURES")) dir.setAutoRemove(false);
    for (const auto& [w, h] : {std::pair{16.0, 12.0}, std::pair{9.0, 7.0}}) {
      FigureSize base;
      base.width_cm = w;
      base.height_cm = h;
      const QSize logical = base.logical();
      QImage reference;
      for (int dpi : {96, 150, 300}) {
        for (const char* format : {"svg", "png", "pdf"}) {
          FigureSize size = base;
          size.dpi = dpi;
          const QString path = dir.filePath(QString("%1_%2x%3_%4.%5").arg(kind).arg(w).arg(h).arg(dpi).arg(format));
          QString error;
          QVERIFY2(write(path, size, &error), qPrintable(error));
          if (QString(format) == "png") QCOMPARE(QImage(path).size(), size.pixels());
          const QImage raster = rasterise(path, logical);
          QVERIFY2(!raster.isNull(), qPrintable(path + ": cannot be read back"));
          const QImage grey = small_grey(raster);
          if (reference.isNull()) {
            reference = grey;
            const double covered = ink(reference);
            QVERIFY2(covered > 0.01, qPrintable(kind + ": the reference figure is blank (" + path + ", ink " +
                                                QString::number(covered) + ")"));
            continue;
          }
          const Diff d = compare(reference, grey);
          const QString what =
              QString("%1 %2x%3 cm at %4 dpi as %5: mean difference %6 grey levels, %7 % of pixels far off")
                  .arg(kind)
                  .arg(w)
                  .arg(h)
                  .arg(dpi)
                  .arg(format)
                  .arg(d.mean, 0, 'f', 2)
                  .arg(100 * d.far, 0, 'f', 2);
          qInfo("%s", qPrintable(what));
          QVERIFY2(d.mean < 4.0 && d.far < 0.01, qPrintable(what + " (limits 4.0 and 1 %)"));
        }
      }
    }
  }

 private slots:
  void initTestCase() { apply_theme(Theme::Light); }

  void reliability_same_layout() {
    QCustomPlot plot;
    draw_reliability(&plot, pstest::fixture_reliability());
    check_kind("reliability",
               [&](const QString& p, const FigureSize& s, QString* e) { return export_plot(&plot, p, s, e); });
  }

  void curves_same_layout() {
    QCustomPlot plot;
    draw_training_curves(&plot, pstest::fixture_curves());
    check_kind("curves",
               [&](const QString& p, const FigureSize& s, QString* e) { return export_plot(&plot, p, s, e); });
  }

  void pareto_same_layout() {
    QCustomPlot plot;
    draw_pareto(&plot, pstest::fixture_pareto());
    check_kind("pareto",
               [&](const QString& p, const FigureSize& s, QString* e) { return export_plot(&plot, p, s, e); });
  }

  void kg_same_layout() {
    QGraphicsScene scene;
    draw_neighbourhood(&scene, pstest::fixture_neighbourhood(), ps::kg::SourceWeights::fused());
    QVERIFY(!scene.items().isEmpty());
    check_kind("kg", [&](const QString& p, const FigureSize& s, QString* e) { return export_scene(&scene, p, s, e); });
  }

  // The text of a figure is laid out in logical pixels: the legend's and axis titles' sizes
  // do not depend on the screen's or the device's resolution.
  void fonts_are_in_pixels() {
    QCustomPlot plot;
    draw_reliability(&plot, pstest::fixture_reliability());
    for (QCPAxisRect* rect : plot.axisRects())
      for (QCPAxis* axis : rect->axes()) {
        QCOMPARE(axis->labelFont().pixelSize(), 12);
        QVERIFY(axis->tickLabelFont().pixelSize() > 0);
      }
    QVERIFY(plot.legend->font().pixelSize() > 0);
    for (int i = 0; i < plot.legend->itemCount(); ++i) QVERIFY(plot.legend->item(i)->font().pixelSize() > 0);
  }

  // A failed export leaves no file and keeps an older one.
  void failed_export_leaves_nothing() {
    QTemporaryDir dir;
    QCustomPlot plot;
    draw_pareto(&plot, pstest::fixture_pareto());
    FigureSize size;
    QString error;
    QVERIFY(!export_plot(&plot, dir.filePath("no/such/folder/fig.png"), size, &error));
    QVERIFY(error.contains("fig.png"));
    const QString path = dir.filePath("fig.svg");
    QVERIFY2(export_plot(&plot, path, size, &error), qPrintable(error));
    const qint64 bytes = QFileInfo(path).size();
    size.width_cm = 0.1;  // out of range: refused before anything is written
    QVERIFY(!export_plot(&plot, path, size, &error));
    QVERIFY(error.contains("out of range"));
    QCOMPARE(QFileInfo(path).size(), bytes);
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 1);  // no temp files left
  }
};

PSTEST_MAIN(TestFigures)
#include "tst_figures.moc"
