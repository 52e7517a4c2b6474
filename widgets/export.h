// Export of figures (PNG, SVG, PDF at a chosen size and resolution) and of tables
// (CSV). Every plot and table view offers these through ExportDialog.
#pragma once
#include <QDialog>
#include <QSizeF>
#include <QString>
#include <functional>

class QAbstractItemModel;
class QComboBox;
class QCustomPlot;
class QDoubleSpinBox;
class QGraphicsScene;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace ps::gui {

struct FigureSize {
  double width_cm = 16;
  double height_cm = 12;
  int dpi = 150;
  // The logical size the figure is laid out in (96 px per inch, as on screen)
  // and the pixel size of a raster export (dpi px per inch).
  QSize logical() const;
  QSize pixels() const;
};

// Paints a figure onto a device: the painter must be created by the callee on
// `device`, scaled by `scale`, and the figure laid out in `logical` units.
using PaintFigure = std::function<void(QPaintDevice* device, double scale, QSize logical)>;

// Writes `path` as PNG, SVG or PDF (chosen by its suffix). Returns false and sets
// `error` (naming the path) when the suffix is unknown or the file cannot be written.
bool export_figure(const QString& path, const FigureSize& size, const PaintFigure& paint, QString* error);
bool export_plot(QCustomPlot* plot, const QString& path, const FigureSize& size, QString* error);
bool export_scene(QGraphicsScene* scene, const QString& path, const FigureSize& size, QString* error);

// All rows and columns of `model` (display role, header row first), RFC 4180 quoting.
bool export_csv(const QAbstractItemModel* model, const QString& path, QString* error);

// Asks for a file name, size and resolution; remembers the last choice in QSettings.
class ExportDialog : public QDialog {
  Q_OBJECT
 public:
  ExportDialog(const QString& suggested_name, bool figure, QWidget* parent = nullptr);
  QString path() const;
  FigureSize size() const;

 private:
  void browse();
  void update_pixels();
  bool figure_;
  QLineEdit* path_;
  QDoubleSpinBox* width_;
  QDoubleSpinBox* height_;
  QSpinBox* dpi_;
  QLabel* pixels_;
};

}  // namespace ps::gui
