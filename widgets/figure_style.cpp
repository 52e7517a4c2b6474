#include "figure_style.h"

#include <QApplication>
#include <qcustomplot.h>

#include "number_format.h"
#include "theme.h"

namespace ps::gui {

QFont figure_font(int px, bool bold) {
  QFont f = QApplication::font();
  f.setPixelSize(px);
  f.setBold(bold);
  return f;
}

void apply_figure_fonts(QCustomPlot* plot) {
  if (!plot) return;
  const QFont text = figure_font(kFigureTextPx), tick = figure_font(kFigureTickPx);
  for (QCPAxisRect* rect : plot->axisRects()) {
    for (QCPAxis* axis : rect->axes()) {
      axis->setLabelFont(text);
      axis->setSelectedLabelFont(figure_font(kFigureTextPx, true));
      axis->setTickLabelFont(tick);
      axis->setSelectedTickLabelFont(figure_font(kFigureTickPx, true));
    }
  }
  // Every legend of the layout (the main one and any in an inset), and its items.
  QList<QCPLayoutElement*> elements = plot->plotLayout()->elements(true);
  for (QCPAxisRect* rect : plot->axisRects()) elements += rect->insetLayout()->elements(true);
  for (QCPLayoutElement* e : elements) {
    if (auto* legend = qobject_cast<QCPLegend*>(e)) {
      legend->setFont(tick);
      legend->setSelectedFont(figure_font(kFigureTickPx, true));
      for (int i = 0; i < legend->itemCount(); ++i)
        if (legend->item(i)) legend->item(i)->setFont(tick);
    } else if (auto* title = qobject_cast<QCPTextElement*>(e)) {
      const bool bold = title->font().bold();
      const int px = title->property("figure_px").isValid() ? title->property("figure_px").toInt() : kFigureTitlePx;
      title->setFont(figure_font(px, bold));
      title->setSelectedFont(figure_font(px, true));
    }
  }
}

void clear_figure_groups(QCustomPlot* plot) {
  for (auto* g : plot->findChildren<QCPMarginGroup*>(QString(), Qt::FindDirectChildrenOnly)) delete g;
  for (auto* g : plot->findChildren<QCPBarsGroup*>(QString(), Qt::FindDirectChildrenOnly)) delete g;
}

void begin_figure(QCustomPlot* plot) {
  plot->clearPlottables();
  plot->clearItems();
  plot->plotLayout()->clear();  // also deletes a legend that lived in it or in an inset
  plot->legend = nullptr;
  clear_figure_groups(plot);
  plot->setBackground(plot_background());
  apply_locale(plot);  // ticks, legend and captions: one decimal separator
}

void style_axes(QCPAxisRect* rect) {
  const QColor fg = plot_foreground();
  for (QCPAxis* axis : rect->axes()) {
    axis->setBasePen(QPen(fg));
    axis->setTickPen(QPen(fg));
    axis->setSubTickPen(QPen(fg));
    axis->setTickLabelColor(fg);
    axis->setLabelColor(fg);
    axis->grid()->setPen(QPen(QColor(fg.red(), fg.green(), fg.blue(), 40), 1, Qt::DotLine));
  }
}

QCPLegend* add_inset_legend(QCustomPlot* plot, QCPAxisRect* rect, Qt::Alignment where) {
  plot->legend = new QCPLegend;
  rect->insetLayout()->addElement(plot->legend, where);
  plot->legend->setLayer("legend");
  plot->legend->setVisible(true);
  const QColor bg = plot_background();
  plot->legend->setBrush(QColor(bg.red(), bg.green(), bg.blue(), 220));
  plot->legend->setTextColor(plot_foreground());
  plot->legend->setBorderPen(QPen(QColor(128, 128, 128, 120)));
  return plot->legend;
}

}  // namespace ps::gui
