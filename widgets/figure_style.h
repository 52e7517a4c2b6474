// Text of figures in logical pixels. A figure is laid out in logical units (96 per inch,
// as on a standard screen) and the painter is scaled to the device (export.h); fonts given
// in points would be resolved against each device's own resolution (a 300-dpi PNG or PDF
// turns 9 pt into 37.5 device pixels, which the scaled painter then enlarges again, while
// the layout was measured with the screen's metrics: clipped legends and axis titles).
// Fonts in pixels measure and draw the same on every device, screen, size and format.
#pragma once
#include <QFont>

class QCustomPlot;
class QCPAxisRect;
class QCPLegend;
class QGraphicsScene;

namespace ps::gui {

// Sizes in logical pixels: 12 px = 9 pt at 96 dpi.
constexpr int kFigureTextPx = 12;       // axis titles, text elements
constexpr int kFigureTickPx = 11;       // tick labels, legend
constexpr int kFigureTitlePx = 14;      // figure and panel titles

// The application font's family at `px` logical pixels.
QFont figure_font(int px = kFigureTextPx, bool bold = false);

// Sets every font of `plot` in pixels: axis titles and tick labels of every axis rect,
// the legend and its items, every QCPTextElement of the layout (titles keep their
// boldness and relative size: a point-sized title becomes kFigureTitlePx).
// Call after the plot's elements exist (the figure builders of figures.h do).
void apply_figure_fonts(QCustomPlot* plot);

// Deletes the margin and bar groups a figure builder made on `plot` earlier (they are
// QObject children of the plot and would pile up over rebuilds). Call after clearing the
// plottables and the layout.
void clear_figure_groups(QCustomPlot* plot);

// Starts a figure on `plot` from nothing: plottables, items, layout (and the legend in it),
// margin/bar groups cleared; the theme's background and the locale's number format set.
void begin_figure(QCustomPlot* plot);

// The theme's pens and colours on every axis of `rect` (dotted faint grid).
void style_axes(QCPAxisRect* rect);

// A themed legend (translucent background, faint border) in `rect`'s inset at `where`, made
// plot->legend and returned.
QCPLegend* add_inset_legend(QCustomPlot* plot, QCPAxisRect* rect, Qt::Alignment where);

}  // namespace ps::gui
