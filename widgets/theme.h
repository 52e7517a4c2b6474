// Light and dark palettes for the whole application (Fusion style), and the
// colours the plots use so that figures stay readable on either.
#pragma once
#include <QColor>
#include <QString>

class QApplication;

namespace ps::gui {

enum class Theme { Light, Dark };

void apply_theme(Theme theme);           // palette + Fusion style on qApp
Theme current_theme();
QString theme_name(Theme theme);         // "light" / "dark" (stored in QSettings)
Theme theme_from_name(const QString& name);

// Series colours, distinguishable for colour-blind readers (Okabe-Ito).
QColor series_color(int index);
QColor plot_foreground();                // axes, text
QColor plot_background();

// Registers the icons compiled into the widgets library (resources/perturbscope.qrc).
void init_resources();

}  // namespace ps::gui
