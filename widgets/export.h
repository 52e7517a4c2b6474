// Export of figures (PNG, SVG, PDF at a chosen size and resolution) and of tables
// (CSV). Every plot and table view offers these through ExportDialog.
#pragma once
#include <QDialog>
#include <QSizeF>
#include <QString>
#include <QStringList>
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
// `error` (naming the path) when the suffix is unknown, the size is out of range (a side
// under 0.5 cm or over 20000 px) or the file cannot be written.
// Layout: every format is painted on a device at 96 dpi with the figure laid out in
// `logical` units (FigureSize::logical()) and the painter scaled by dpi / 96 for PNG (1 for
// SVG and PDF, which are vector pages of width_cm x height_cm), so text, legends and axis
// titles sit in the same place at every size, dpi and format (tests/widgets/tst_figures.cpp).
// The file is written beside `path` and renamed when complete (QSaveFile): a failed
// export leaves no half-written file and keeps an older one.
bool export_figure(const QString& path, const FigureSize& size, const PaintFigure& paint, QString* error);
bool export_plot(QCustomPlot* plot, const QString& path, const FigureSize& size, QString* error);
bool export_scene(QGraphicsScene* scene, const QString& path, const FigureSize& size, QString* error);

// The value a CSV export writes for a cell whose display rounds a number: the same
// number at full precision (e.g. P(DE) 0.123456 shown as "0.123"). Every other cell is
// exported as the text the table shows (Qt::DisplayRole), so each exported column says
// what the table says. Never a sort key (Qt::EditRole may differ: a flag, a raw status).
constexpr int ExportRole = Qt::UserRole + 64;

// All rows and columns of `model` (header row first), RFC 4180 quoting: per cell
// ExportRole when the model gives one, else the display text.
bool export_csv(const QAbstractItemModel* model, const QString& path, QString* error);
// The same CSV as text (what a Copy button puts on the clipboard).
QString csv_text(const QAbstractItemModel* model);

// The formats an export offers: {"png", "svg", "pdf"} for figures, {"csv"} for tables.
QStringList export_formats(bool figure);
// `path` with the suffix of `format`: a supported suffix is replaced, any other kept and
// the format's appended ("fig.jpg" -> "fig.jpg.png"), so no unsupported format is written.
QString path_with_format(const QString& path, const QString& format);

// Tells the user where an export went: "Saved to PATH" in the status bar of the main
// window that holds `from` (nothing when there is none). Call after every export.
void report_saved(QWidget* from, const QString& path);

// Asks for a file name, a format from a list (figures: PNG, SVG, PDF; tables: CSV), size
// and resolution; remembers the last choice in QSettings (only a supported format).
class ExportDialog : public QDialog {
  Q_OBJECT
 public:
  ExportDialog(const QString& suggested_name, bool figure, QWidget* parent = nullptr);
  QString path() const;  // with the chosen format's suffix
  QString format() const;
  FigureSize size() const;
  QLineEdit* path_edit() const { return path_; }
  QComboBox* format_box() const { return format_; }

 private:
  void browse();
  void update_pixels();
  bool figure_;
  QLineEdit* path_;
  QComboBox* format_;
  QDoubleSpinBox* width_;
  QDoubleSpinBox* height_;
  QSpinBox* dpi_;
  QLabel* pixels_;
};

}  // namespace ps::gui
