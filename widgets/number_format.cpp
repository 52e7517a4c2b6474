#include "number_format.h"

#include <qcustomplot.h>

namespace ps::gui {

QString format_number(double v, int decimals, const QLocale& locale) {
  QLocale l = locale;
  l.setNumberOptions(QLocale::OmitGroupSeparator);
  return l.toString(v, 'f', decimals);
}

QString format_interval(double lo, double hi, int decimals, const QLocale& locale) {
  const QString sep = locale.decimalPoint() == QStringLiteral(",") ? QStringLiteral("; ") : QStringLiteral(", ");
  return "[" + format_number(lo, decimals, locale) + sep + format_number(hi, decimals, locale) + "]";
}

void apply_locale(QCustomPlot* plot, const QLocale& locale) {
  QLocale l = locale;
  l.setNumberOptions(QLocale::OmitGroupSeparator);
  plot->setLocale(l);
}

}  // namespace ps::gui
