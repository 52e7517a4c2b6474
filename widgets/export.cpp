#include "export.h"

#include <QAbstractItemModel>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGraphicsScene>
#include <QHBoxLayout>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QMainWindow>
#include <QPainter>
#include <QPdfWriter>
#include <QPushButton>
#include <QSaveFile>
#include <QSettings>
#include <QSpinBox>
#include <QStatusBar>
#include <QStandardPaths>
#include <QSvgGenerator>
#include <QTextStream>
#include <qcustomplot.h>

#include "theme.h"

namespace ps::gui {

QSize FigureSize::logical() const {
  return QSize(qRound(width_cm / 2.54 * 96), qRound(height_cm / 2.54 * 96));
}

QSize FigureSize::pixels() const {
  return QSize(qRound(width_cm / 2.54 * dpi), qRound(height_cm / 2.54 * dpi));
}

bool export_figure(const QString& path, const FigureSize& size, const PaintFigure& paint, QString* error) {
  auto fail = [&](const QString& why) {
    if (error) *error = path + ": " + why;
    return false;
  };
  if (!(size.width_cm > 0) || !(size.height_cm > 0) || size.dpi <= 0)
    return fail(QObject::tr("size and resolution must be positive"));
  const QString suffix = QFileInfo(path).suffix().toLower();
  if (!export_formats(true).contains(suffix))
    return fail(QObject::tr("unknown figure format '%1' (use .png, .svg or .pdf)").arg(suffix));
  const QSize logical = size.logical();
  if (logical.width() < 16 || logical.height() < 16 || size.pixels().width() > 20000 || size.pixels().height() > 20000)
    return fail(QObject::tr("figure size %1 x %2 cm at %3 dpi is out of range (at least 0.5 cm, at most 20000 px a side)")
                    .arg(size.width_cm).arg(size.height_cm).arg(size.dpi));
  // Written beside the target and renamed when complete: never a half-written figure.
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly)) return fail(file.errorString());
  // Every device is painted at 96 dpi (the resolution the figure is laid out in) and the
  // painter scaled, so point-sized text resolves to the same logical size everywhere.
  const double kLayoutDpi = 96.0;
  if (suffix == "png") {
    QImage image(size.pixels(), QImage::Format_ARGB32);
    image.fill(plot_background());
    const int layout_dpm = qRound(kLayoutDpi / 0.0254);
    image.setDotsPerMeterX(layout_dpm);
    image.setDotsPerMeterY(layout_dpm);
    paint(&image, size.dpi / kLayoutDpi, logical);
    // The file says the real resolution (its physical size is width_cm x height_cm).
    const int dots_per_metre = qRound(size.dpi / 0.0254);
    image.setDotsPerMeterX(dots_per_metre);
    image.setDotsPerMeterY(dots_per_metre);
    if (!image.save(&file, "PNG")) return fail(QObject::tr("cannot write the file"));
  } else if (suffix == "svg") {
    QSvgGenerator svg;
    svg.setOutputDevice(&file);
    svg.setSize(logical);
    svg.setViewBox(QRect(QPoint(0, 0), logical));
    svg.setResolution(int(kLayoutDpi));
    svg.setTitle(QFileInfo(path).completeBaseName());
    svg.setDescription("PerturbScope");
    paint(&svg, 1.0, logical);
  } else {
    // Vector output: the page is width_cm x height_cm; its coordinates are laid out at
    // 96 dpi like the other formats (the resolution of a vector page changes nothing else).
    QPdfWriter pdf(&file);
    pdf.setCreator("PerturbScope");
    pdf.setTitle(QFileInfo(path).completeBaseName());
    pdf.setPageSize(QPageSize(QSizeF(size.width_cm * 10, size.height_cm * 10), QPageSize::Millimeter));
    pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
    pdf.setResolution(int(kLayoutDpi));
    paint(&pdf, 1.0, logical);
  }
  if (file.error() != QFileDevice::NoError) return fail(file.errorString());
  if (!file.commit()) return fail(file.errorString());
  return true;
}

bool export_plot(QCustomPlot* plot, const QString& path, const FigureSize& size, QString* error) {
  return export_figure(path, size, [plot](QPaintDevice* device, double scale, QSize logical) {
    QCPPainter painter(device);
    painter.setMode(QCPPainter::pmVectorized, device->devType() != QInternal::Image);
    painter.setMode(QCPPainter::pmNoCaching);
    painter.setMode(QCPPainter::pmNonCosmetic);  // line widths scale with the figure, like the text
    painter.scale(scale, scale);
    plot->toPainter(&painter, logical.width(), logical.height());
  }, error);
}

bool export_scene(QGraphicsScene* scene, const QString& path, const FigureSize& size, QString* error) {
  return export_figure(path, size, [scene](QPaintDevice* device, double scale, QSize logical) {
    QPainter painter(device);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.scale(scale, scale);
    const QRectF target(QPointF(0, 0), QSizeF(logical));
    painter.fillRect(target, plot_background());
    QRectF source = scene->itemsBoundingRect().adjusted(-20, -20, 20, 20);
    scene->render(&painter, target, source, Qt::KeepAspectRatio);
  }, error);
}

static QString csv_field(const QString& s) {
  if (s.contains(',') || s.contains('"') || s.contains('\n') || s.contains('\r')) {
    QString q = s;
    q.replace("\"", "\"\"");
    return "\"" + q + "\"";
  }
  return s;
}

QString csv_text(const QAbstractItemModel* model) {
  QString text;
  const int columns = model->columnCount();
  QStringList header;
  for (int c = 0; c < columns; ++c) header << csv_field(model->headerData(c, Qt::Horizontal).toString());
  text += header.join(',') + '\n';
  for (int r = 0; r < model->rowCount(); ++r) {
    QStringList row;
    for (int c = 0; c < columns; ++c) {
      // The unrounded number where a model has one, else exactly what the table shows.
      QVariant v = model->data(model->index(r, c), ExportRole);
      if (!v.isValid()) v = model->data(model->index(r, c), Qt::DisplayRole);
      row << csv_field(v.toString());
    }
    text += row.join(',') + '\n';
  }
  return text;
}

bool export_csv(const QAbstractItemModel* model, const QString& path, QString* error) {
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly | QIODevice::Text)) {
    if (error) *error = path + ": " + file.errorString();
    return false;
  }
  QTextStream out(&file);
  out << csv_text(model);
  out.flush();
  if (!file.commit()) {
    if (error) *error = path + ": " + file.errorString();
    return false;
  }
  return true;
}

QStringList export_formats(bool figure) {
  return figure ? QStringList{"png", "svg", "pdf"} : QStringList{"csv"};
}

QString path_with_format(const QString& path, const QString& format) {
  const QFileInfo info(path);
  const QString suffix = info.suffix().toLower();
  if (suffix == format) return path;
  QString name = info.fileName();
  if (export_formats(true).contains(suffix) || export_formats(false).contains(suffix))
    name = name.left(name.size() - suffix.size() - 1);
  if (name.isEmpty()) return path;
  const QString dir = path.left(path.size() - info.fileName().size());
  return dir + name + "." + format;
}

void report_saved(QWidget* from, const QString& path) {
  if (!from) return;
  for (QWidget* w = from; w; w = w->parentWidget())
    if (auto* main = qobject_cast<QMainWindow*>(w)) {
      main->statusBar()->showMessage(QObject::tr("Saved to %1").arg(QDir::toNativeSeparators(path)), 10000);
      return;
    }
}

static QString format_name(const QString& format) {
  if (format == "png") return QObject::tr("PNG image (*.png)");
  if (format == "svg") return QObject::tr("SVG drawing (*.svg)");
  if (format == "pdf") return QObject::tr("PDF document (*.pdf)");
  return QObject::tr("CSV table (*.csv)");
}

ExportDialog::ExportDialog(const QString& suggested_name, bool figure, QWidget* parent)
    : QDialog(parent), figure_(figure) {
  setWindowTitle(figure ? tr("Export figure") : tr("Export table"));
  QSettings settings;
  QString dir = settings.value("export/dir", QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation)).toString();
  const QStringList formats = export_formats(figure);
  QString suffix = figure ? settings.value("export/format", "png").toString().toLower() : QString("csv");
  if (!formats.contains(suffix)) suffix = formats.first();  // never an unsupported one remembered earlier
  format_ = new QComboBox;
  format_->setObjectName("export_format");
  for (const QString& f : formats) format_->addItem(format_name(f), f);
  format_->setCurrentIndex(format_->findData(suffix));
  format_->setEnabled(formats.size() > 1);
  path_ = new QLineEdit(QDir(dir).filePath(suggested_name + "." + suffix));
  path_->setObjectName("export_path");
  // The list decides the format: choosing one changes the suffix; typing a supported
  // suffix chooses it; an unsupported one gets the chosen format's suffix appended.
  connect(format_, &QComboBox::currentIndexChanged, this, [this] {
    const QString p = path_->text().trimmed();
    if (!p.isEmpty()) path_->setText(path_with_format(p, format()));
  });
  connect(path_, &QLineEdit::textEdited, this, [this](const QString& text) {
    const int i = format_->findData(QFileInfo(text.trimmed()).suffix().toLower());
    if (i >= 0 && i != format_->currentIndex()) {
      QSignalBlocker block(format_);
      format_->setCurrentIndex(i);
    }
  });
  auto* browse_button = new QPushButton(tr("Browse…"));
  connect(browse_button, &QPushButton::clicked, this, &ExportDialog::browse);
  auto* path_row = new QHBoxLayout;
  path_row->addWidget(path_, 1);
  path_row->addWidget(browse_button);

  auto* form = new QFormLayout;
  form->addRow(tr("File:"), path_row);
  form->addRow(tr("Format:"), format_);
  width_ = new QDoubleSpinBox;
  height_ = new QDoubleSpinBox;
  dpi_ = new QSpinBox;
  pixels_ = new QLabel;
  if (figure) {
    for (auto* box : {width_, height_}) {
      box->setRange(2, 100);
      box->setDecimals(1);
      box->setSuffix(" cm");
    }
    width_->setValue(settings.value("export/width_cm", 16.0).toDouble());
    height_->setValue(settings.value("export/height_cm", 12.0).toDouble());
    dpi_->setRange(50, 1200);
    dpi_->setSuffix(" dpi");
    dpi_->setValue(settings.value("export/dpi", 150).toInt());
    form->addRow(tr("Width:"), width_);
    form->addRow(tr("Height:"), height_);
    form->addRow(tr("Resolution:"), dpi_);
    form->addRow(tr("Raster size:"), pixels_);
    for (auto* box : {width_, height_}) connect(box, &QDoubleSpinBox::valueChanged, this, &ExportDialog::update_pixels);
    connect(dpi_, &QSpinBox::valueChanged, this, &ExportDialog::update_pixels);
    update_pixels();
  }
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel);
  connect(buttons, &QDialogButtonBox::accepted, this, [this] {
    QSettings s;
    s.setValue("export/dir", QFileInfo(path()).absolutePath());
    if (figure_) {
      s.setValue("export/format", format());
      s.setValue("export/width_cm", width_->value());
      s.setValue("export/height_cm", height_->value());
      s.setValue("export/dpi", dpi_->value());
    }
    accept();
  });
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(buttons);
}

QString ExportDialog::path() const {
  const QString p = path_->text().trimmed();
  return p.isEmpty() ? p : path_with_format(p, format());
}

QString ExportDialog::format() const { return format_->currentData().toString(); }

FigureSize ExportDialog::size() const {
  FigureSize s;
  s.width_cm = width_->value();
  s.height_cm = height_->value();
  s.dpi = dpi_->value();
  return s;
}

void ExportDialog::browse() {
  QStringList filters;
  for (const QString& f : export_formats(figure_)) filters << format_name(f);
  QString selected = format_name(format());
  QString chosen = QFileDialog::getSaveFileName(this, windowTitle(), path(), filters.join(";;"), &selected);
  if (chosen.isEmpty()) return;
  const int i = filters.indexOf(selected);
  if (i >= 0) format_->setCurrentIndex(i);
  path_->setText(path_with_format(chosen, format()));
}

void ExportDialog::update_pixels() {
  const QSize px = size().pixels();
  pixels_->setText(tr("%1 × %2 px (PNG)").arg(px.width()).arg(px.height()));
}

}  // namespace ps::gui
