#include "figure_style.h"

#include <QApplication>
#include <qcustomplot.h>

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

}  // namespace ps::gui
