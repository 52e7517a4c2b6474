// Numbers as the user's locale writes them, the same way in every figure and text of a
// view: one decimal separator per figure (German: 0,123 on the axes, in the legend and in
// the caption alike). Intervals use "; " between the bounds where the decimal separator is
// a comma ("[0,012; 0,020]"), ", " elsewhere ("[0.012, 0.020]").
#pragma once
#include <QLocale>
#include <QString>

class QCustomPlot;

namespace ps::gui {

// `v` with `decimals` digits after the separator, in `locale` (default: QLocale()).
QString format_number(double v, int decimals, const QLocale& locale = QLocale());
// "[lo, hi]" / "[lo; hi]".
QString format_interval(double lo, double hi, int decimals, const QLocale& locale = QLocale());
// Makes a plot's tick labels follow `locale` (QCustomPlot's default is the C locale).
void apply_locale(QCustomPlot* plot, const QLocale& locale = QLocale());

}  // namespace ps::gui
