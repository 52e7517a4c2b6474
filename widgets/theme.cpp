#include "theme.h"

#include <QApplication>
#include <QPalette>
#include <QStyleFactory>

static void init_qrc() { Q_INIT_RESOURCE(perturbscope); }

namespace ps::gui {

namespace {
Theme g_theme = Theme::Light;
}

void init_resources() {
  static bool done = false;
  if (!done) init_qrc();
  done = true;
}

void apply_theme(Theme theme) {
  g_theme = theme;
  QApplication::setStyle(QStyleFactory::create("Fusion"));
  QPalette p;
  if (theme == Theme::Dark) {
    const QColor window(45, 47, 51), base(32, 34, 37), text(225, 227, 230), accent(88, 146, 214);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(40, 42, 46));
    p.setColor(QPalette::ToolTipBase, window);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, window);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, QColor(255, 90, 90));
    p.setColor(QPalette::Link, accent);
    p.setColor(QPalette::Highlight, accent);
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::PlaceholderText, QColor(140, 143, 148));
    p.setColor(QPalette::Disabled, QPalette::Text, QColor(120, 122, 126));
    p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(120, 122, 126));
    p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(120, 122, 126));
  } else {
    const QColor window(246, 247, 249), base(255, 255, 255), text(28, 30, 33), accent(47, 103, 176);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(240, 243, 247));
    p.setColor(QPalette::ToolTipBase, QColor(255, 255, 225));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(236, 238, 241));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, Qt::red);
    p.setColor(QPalette::Link, accent);
    p.setColor(QPalette::Highlight, accent);
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::PlaceholderText, QColor(130, 133, 138));
  }
  QApplication::setPalette(p);
}

Theme current_theme() { return g_theme; }

QString theme_name(Theme theme) { return theme == Theme::Dark ? "dark" : "light"; }

Theme theme_from_name(const QString& name) { return name == "dark" ? Theme::Dark : Theme::Light; }

QColor series_color(int index) {
  static const QColor colors[] = {QColor(0, 114, 178), QColor(213, 94, 0), QColor(0, 158, 115),
                                  QColor(204, 121, 167), QColor(230, 159, 0), QColor(86, 180, 233)};
  return colors[index % 6];
}

QColor plot_foreground() { return g_theme == Theme::Dark ? QColor(220, 222, 226) : QColor(40, 42, 46); }
QColor plot_background() { return g_theme == Theme::Dark ? QColor(32, 34, 37) : QColor(255, 255, 255); }

}  // namespace ps::gui
