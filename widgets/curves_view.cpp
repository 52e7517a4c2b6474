#include "curves_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QListWidget>
#include <QMouseEvent>
#include <QPixmap>
#include <QSlider>
#include <QSplitter>
#include <QToolTip>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <qcustomplot.h>

#include "curves_model.h"
#include "export.h"
#include "figure_style.h"
#include "number_format.h"
#include "theme.h"

namespace ps::gui {

namespace {
constexpr int kMaxPanels = 16;
constexpr int kRunRole = Qt::UserRole + 1;

QString ci_name(const QString& metric, const char* bound) { return metric + "_ci_" + bound; }

QColor faded(QColor c, int alpha) {
  c.setAlpha(alpha);
  return c;
}
}  // namespace

bool is_ci_bound(const QString& name) { return name.endsWith("_ci_lo") || name.endsWith("_ci_hi"); }

CurvesView::CurvesView(CurvesModel* model, QWidget* parent) : QWidget(parent), model_(model) {
  runs_ = new QListWidget;
  runs_->setObjectName("curve_runs");
  search_ = new QLineEdit;
  search_->setObjectName("metric_search");
  search_->setPlaceholderText(tr("Search metrics…"));
  search_->setClearButtonEnabled(true);
  metrics_ = new QListWidget;
  metrics_->setObjectName("curve_metrics");
  smoothing_ = new QSlider(Qt::Horizontal);
  smoothing_->setRange(0, 99);
  smoothing_->setValue(60);
  smoothing_->setToolTip(tr("Exponential moving average weight; the raw curve stays faint behind the smoothed one"));
  smoothing_value_ = new QLabel;
  log_y_ = new QCheckBox(tr("Log y axis"));
  x_axis_ = new QComboBox;
  x_axis_->addItem(tr("Step"), StepAxis);
  x_axis_->addItem(tr("Wall time (s)"), WallTimeAxis);
  plot_ = new QCustomPlot;
  plot_->setObjectName("curves_plot");
  plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  plot_->setNoAntialiasingOnDrag(true);
  // Long series: one polyline per graph (QCustomPlot's hint for many points; 10^5 points per
  // series replot in tens of ms, with its adaptive sampling to a few points per pixel column).
  plot_->setPlottingHint(QCP::phFastPolylines, true);
  plot_->setMinimumSize(480, 320);
  hover_ = new QLabel;
  hover_->setObjectName("curves_hover");
  hover_->setTextInteractionFlags(Qt::TextSelectableByMouse);

  auto* side = new QWidget;
  auto* sl = new QVBoxLayout(side);
  sl->setContentsMargins(0, 0, 0, 0);
  sl->addWidget(new QLabel(tr("Runs")));
  sl->addWidget(runs_, 1);
  sl->addWidget(new QLabel(tr("Metrics")));
  sl->addWidget(search_);
  sl->addWidget(metrics_, 2);
  auto* form = new QFormLayout;
  auto* srow = new QHBoxLayout;
  srow->addWidget(smoothing_, 1);
  srow->addWidget(smoothing_value_);
  form->addRow(tr("Smoothing"), srow);
  form->addRow(tr("X axis"), x_axis_);
  form->addRow(log_y_);
  sl->addLayout(form);

  auto* right = new QWidget;
  auto* rl = new QVBoxLayout(right);
  rl->setContentsMargins(0, 0, 0, 0);
  rl->addWidget(plot_, 1);
  rl->addWidget(hover_);
  auto* split = new QSplitter;
  split->addWidget(side);
  split->addWidget(right);
  split->setStretchFactor(1, 1);
  split->setSizes({220, 800});
  auto* lay = new QVBoxLayout(this);
  lay->addWidget(split);

  auto set_smoothing_label = [this] { smoothing_value_->setText(format_number(smoothing(), 2)); };
  set_smoothing_label();
  connect(smoothing_, &QSlider::valueChanged, this, [this, set_smoothing_label] {
    set_smoothing_label();
    for (auto& p : panels_)
      for (auto& [run, c] : p.curves) update_data(p, run);
    plot_->replot(QCustomPlot::rpQueuedReplot);
  });
  connect(log_y_, &QCheckBox::toggled, this, [this] { rebuild(); });
  connect(x_axis_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] { rebuild(); });
  connect(search_, &QLineEdit::textChanged, this, [this] { refresh_metric_list(); });
  connect(metrics_, &QListWidget::itemChanged, this, [this] {
    if (!updating_lists_) rebuild();
  });
  connect(runs_, &QListWidget::itemChanged, this, [this] {
    if (!updating_lists_) model_->set_runs(checked_runs());
  });
  connect(model_, &CurvesModel::changed, this,
          [this](const QSet<qint64>& runs, const QSet<QString>& names, bool added, const QSet<qint64>&) {
            on_model_changed(runs, names, added);
          });
  connect(plot_, &QCustomPlot::mouseMove, this, &CurvesView::on_mouse_move);
  connect(plot_, &QCustomPlot::mousePress, this, [this] { auto_fit_ = false; });
  connect(plot_, &QCustomPlot::mouseWheel, this, [this] { auto_fit_ = false; });
  connect(plot_, &QCustomPlot::mouseDoubleClick, this, [this] {
    auto_fit_ = true;
    rebuild();
  });
  rebuild();
}

void CurvesView::set_available_runs(const QList<QPair<qint64, QString>>& runs) {
  const QList<qint64> checked = checked_runs();
  updating_lists_ = true;
  runs_->clear();
  run_labels_.clear();
  for (const auto& [id, label] : runs) {
    auto* item = new QListWidgetItem(label, runs_);
    item->setData(kRunRole, id);
    item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
    item->setCheckState(checked.contains(id) ? Qt::Checked : Qt::Unchecked);
    run_labels_[id] = label;
  }
  updating_lists_ = false;
}

void CurvesView::show_runs(const QList<qint64>& runs) {
  updating_lists_ = true;
  for (qint64 id : runs) {
    bool found = false;
    for (int i = 0; i < runs_->count(); ++i) found |= runs_->item(i)->data(kRunRole).toLongLong() == id;
    if (!found) {
      auto* item = new QListWidgetItem(run_label(id), runs_);
      item->setData(kRunRole, id);
      item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
    }
  }
  for (int i = 0; i < runs_->count(); ++i)
    runs_->item(i)->setCheckState(runs.contains(runs_->item(i)->data(kRunRole).toLongLong()) ? Qt::Checked : Qt::Unchecked);
  updating_lists_ = false;
  model_->set_runs(runs);
}

QList<qint64> CurvesView::checked_runs() const {
  QList<qint64> out;
  for (int i = 0; i < runs_->count(); ++i)
    if (runs_->item(i)->checkState() == Qt::Checked) out << runs_->item(i)->data(kRunRole).toLongLong();
  return out;
}

QString CurvesView::run_label(qint64 run) const {
  auto it = run_labels_.find(run);
  return it != run_labels_.end() ? it.value() : tr("run %1").arg(run);
}

void CurvesView::set_metrics(const QStringList& metrics) {
  updating_lists_ = true;
  for (int i = 0; i < metrics_->count(); ++i)
    metrics_->item(i)->setCheckState(metrics.contains(metrics_->item(i)->text()) ? Qt::Checked : Qt::Unchecked);
  updating_lists_ = false;
  pending_metrics_ = metrics;
  rebuild();
}

QStringList CurvesView::checked_metrics() const {
  QStringList out;
  for (int i = 0; i < metrics_->count(); ++i)
    if (metrics_->item(i)->checkState() == Qt::Checked) out << metrics_->item(i)->text();
  return out;
}

void CurvesView::set_smoothing(double weight) { smoothing_->setValue(int(std::lround(std::clamp(weight, 0.0, 0.99) * 100))); }
double CurvesView::smoothing() const { return smoothing_->value() / 100.0; }
void CurvesView::set_log_y(bool on) { log_y_->setChecked(on); }
void CurvesView::set_x_axis(XAxis axis) { x_axis_->setCurrentIndex(x_axis_->findData(axis)); }
int CurvesView::panel_count() const { return int(panels_.size()); }

void CurvesView::refresh_metric_list() {
  // Every non-bound metric; checked ones stay checked, the search hides the others.
  QSet<QString> checked;
  for (int i = 0; i < metrics_->count(); ++i)
    if (metrics_->item(i)->checkState() == Qt::Checked) checked.insert(metrics_->item(i)->text());
  for (const QString& m : pending_metrics_) checked.insert(m);
  const QStringList names = model_->metric_names();
  updating_lists_ = true;
  QStringList shown;
  for (int i = 0; i < metrics_->count(); ++i) shown << metrics_->item(i)->text();
  QStringList wanted;
  for (const QString& n : names)
    if (!is_ci_bound(n)) wanted << n;
  if (wanted != shown) {
    metrics_->clear();
    for (const QString& n : wanted) {
      auto* item = new QListWidgetItem(n, metrics_);
      item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
      const bool band = names.contains(ci_name(n, "lo")) && names.contains(ci_name(n, "hi"));
      item->setToolTip(band ? tr("%1 (with its confidence interval as a band)").arg(n) : n);
      item->setCheckState(checked.contains(n) ? Qt::Checked : Qt::Unchecked);
    }
  }
  for (int i = 0; i < metrics_->count(); ++i)  // asked-for metrics that have arrived
    if (pending_metrics_.removeAll(metrics_->item(i)->text()) > 0) metrics_->item(i)->setCheckState(Qt::Checked);
  const QString q = search_->text().trimmed();
  for (int i = 0; i < metrics_->count(); ++i)
    metrics_->item(i)->setHidden(!q.isEmpty() && !metrics_->item(i)->text().contains(q, Qt::CaseInsensitive));
  updating_lists_ = false;
}

void CurvesView::on_model_changed(const QSet<qint64>& runs, const QSet<QString>& names, bool names_added) {
  if (names_added || runs.isEmpty()) {
    refresh_metric_list();
    rebuild();
    return;
  }
  const bool wall = x_axis_->currentData().toInt() == WallTimeAxis;
  for (auto& p : panels_) {
    const bool hit = wall || names.contains(p.metric) || names.contains(ci_name(p.metric, "lo"));
    if (!hit) continue;
    for (auto& [run, c] : p.curves)
      if (runs.contains(run)) update_data(p, run);
  }
  if (auto_fit_) fit_all();
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

std::vector<double> CurvesView::keys_of(qint64 run, const std::vector<double>& steps) const {
  if (x_axis_->currentData().toInt() != WallTimeAxis) return steps;
  const auto& s = model_->series(run);
  auto it = s.find("step_time");
  if (it == s.end()) return steps;
  return wall_times(it->second, steps);
}

void CurvesView::update_data(Panel& panel, qint64 run) {
  Curves& c = panel.curves[run];
  const auto& series = model_->series(run);
  auto set = [&](QCPGraph* g, const std::string& name, bool smooth) {
    if (!g) return;
    auto it = series.find(name);
    if (it == series.end()) {
      g->data()->clear();
      return;
    }
    const std::vector<double> keys = keys_of(run, it->second.steps);
    const std::vector<double> vals = smooth ? ema_smooth(it->second.values, smoothing()) : it->second.values;
    QVector<QCPGraphData> d(int(keys.size()));
    for (size_t i = 0; i < keys.size(); ++i) d[int(i)] = QCPGraphData(keys[i], vals[i]);
    g->data()->set(d, true);
  };
  const std::string m = panel.metric.toStdString();
  // a sparse series (validation every N steps) gets markers: one point draws no line
  auto it = series.find(m);
  const bool sparse = it != series.end() && it->second.steps.size() <= 100;
  if (c.smooth) c.smooth->setScatterStyle(sparse ? QCPScatterStyle(QCPScatterStyle::ssDisc, 6) : QCPScatterStyle());
  for (QCPGraph* b : {c.lo, c.hi})
    if (b) b->setScatterStyle(sparse ? QCPScatterStyle(QCPScatterStyle::ssPlus, 6) : QCPScatterStyle());
  set(c.raw, m, false);
  set(c.smooth, m, true);
  set(c.lo, m + "_ci_lo", false);
  set(c.hi, m + "_ci_hi", false);
}

void CurvesView::rebuild() {
  refresh_metric_list();
  plot_->clearPlottables();
  plot_->plotLayout()->clear();
  clear_figure_groups(plot_);
  panels_.clear();
  const QStringList metrics = checked_metrics().mid(0, kMaxPanels);
  const QList<qint64> runs = model_->runs();
  const bool wall = x_axis_->currentData().toInt() == WallTimeAxis;
  const QColor fg = plot_foreground();
  if (metrics.isEmpty()) {
    auto* text = new QCPTextElement(plot_, runs.isEmpty() ? tr("Check a run to see its curves")
                                                          : tr("Check metrics on the left: one panel each"));
    plot_->plotLayout()->addElement(0, 0, text);
    plot_->replot(QCustomPlot::rpQueuedReplot);
    return;
  }
  // the run list shows each overlaid run's colour (not a user's change: no itemChanged reaction)
  updating_lists_ = true;
  for (int i = 0; i < runs_->count(); ++i) {
    const int k = int(runs.indexOf(runs_->item(i)->data(kRunRole).toLongLong()));
    QPixmap swatch(12, 12);
    swatch.fill(k >= 0 ? series_color(k) : Qt::transparent);
    runs_->item(i)->setIcon(QIcon(swatch));
  }
  updating_lists_ = false;
  const int cols = metrics.size() > 1 ? 2 : 1;
  for (int i = 0; i < metrics.size(); ++i) {
    Panel p;
    p.metric = metrics[i];
    p.rect = new QCPAxisRect(plot_);
    plot_->plotLayout()->addElement(i / cols, i % cols, p.rect);
    p.rect->setRangeDrag(Qt::Horizontal | Qt::Vertical);
    p.rect->setRangeZoom(Qt::Horizontal | Qt::Vertical);
    QCPAxis* x = p.rect->axis(QCPAxis::atBottom);
    QCPAxis* y = p.rect->axis(QCPAxis::atLeft);
    bool any_wall = false;
    for (qint64 r : runs) any_wall |= model_->series(r).count("step_time") > 0;
    x->setLabel(wall ? (any_wall ? tr("wall time (s)") : tr("step (no step_time logged)")) : tr("step"));
    y->setLabel(p.metric);
    for (QCPAxis* a : {x, y}) {
      a->setBasePen(QPen(fg));
      a->setTickPen(QPen(fg));
      a->setSubTickPen(QPen(fg));
      a->setTickLabelColor(fg);
      a->setLabelColor(fg);
      a->grid()->setPen(QPen(faded(fg, 40), 1, Qt::DotLine));
    }
    if (log_y_->isChecked()) {
      y->setScaleType(QCPAxis::stLogarithmic);
      y->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    }
    for (int k = 0; k < runs.size(); ++k) {
      const qint64 run = runs[k];
      const auto& s = model_->series(run);
      if (!s.count(p.metric.toStdString())) continue;
      const QColor col = series_color(k);
      Curves c;
      if (s.count(p.metric.toStdString() + "_ci_lo") && s.count(p.metric.toStdString() + "_ci_hi")) {
        c.lo = plot_->addGraph(x, y);
        c.hi = plot_->addGraph(x, y);
        c.lo->setPen(QPen(faded(col, 140), 1, Qt::DashLine));
        c.hi->setPen(QPen(faded(col, 140), 1, Qt::DashLine));
        c.hi->setBrush(faded(col, 45));
        c.hi->setChannelFillGraph(c.lo);
        c.lo->setName(tr("%1 CI").arg(run_label(run)));
      }
      c.raw = plot_->addGraph(x, y);
      c.raw->setPen(QPen(faded(col, 60), 1));
      c.raw->setAntialiased(false);  // a faint backdrop; antialiasing it doubles the replot time
      c.smooth = plot_->addGraph(x, y);
      c.smooth->setPen(QPen(col, 2));
      c.smooth->setName(run_label(run));
      p.curves[run] = c;
      update_data(p, run);
    }
    panels_.push_back(std::move(p));
  }
  fit_all();
  apply_figure_fonts(plot_);
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

void CurvesView::fit_all() {
  // Each panel's axes to the finite data of its graphs (positive values only on a log axis),
  // padded 5 %; a single point or a flat series gets a range around it.
  // All panels share one x range (a validation point sits under the training step it followed).
  const bool log = log_y_->isChecked();
  double gx0 = INFINITY, gx1 = -INFINITY;
  for (auto& p : panels_) {
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (auto& [run, c] : p.curves)
      for (QCPGraph* g : {c.raw, c.smooth, c.lo, c.hi}) {
        if (!g) continue;
        for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it) {
          if (!std::isfinite(it->key) || !std::isfinite(it->value) || (log && it->value <= 0)) continue;
          x0 = std::min(x0, it->key), x1 = std::max(x1, it->key);
          y0 = std::min(y0, it->value), y1 = std::max(y1, it->value);
        }
      }
    if (!(x0 <= x1)) continue;  // no data
    if (y1 - y0 < 1e-12 * std::max(1.0, std::abs(y0))) {
      const double pad = std::max(std::abs(y0) * 0.1, 0.05);
      y0 = log ? y0 / 2 : y0 - pad;
      y1 = log ? y1 * 2 : y1 + pad;
    }
    gx0 = std::min(gx0, x0), gx1 = std::max(gx1, x1);
    if (log) p.rect->axis(QCPAxis::atLeft)->setRange(y0 / 1.1, y1 * 1.1);
    else p.rect->axis(QCPAxis::atLeft)->setRange(y0 - (y1 - y0) * 0.05, y1 + (y1 - y0) * 0.05);
  }
  if (!(gx0 <= gx1)) return;
  if (gx1 - gx0 < 1e-12) gx0 -= 1, gx1 += 1;
  const double px = (gx1 - gx0) * 0.02;
  for (auto& p : panels_) p.rect->axis(QCPAxis::atBottom)->setRange(gx0 - px, gx1 + px);
}

QCPGraph* CurvesView::smoothed_graph(const QString& metric, qint64 run) const {
  for (const auto& p : panels_)
    if (p.metric == metric && p.curves.count(run)) return p.curves.at(run).smooth;
  return nullptr;
}
QCPGraph* CurvesView::raw_graph(const QString& metric, qint64 run) const {
  for (const auto& p : panels_)
    if (p.metric == metric && p.curves.count(run)) return p.curves.at(run).raw;
  return nullptr;
}
QCPGraph* CurvesView::band_graph(const QString& metric, qint64 run) const {
  for (const auto& p : panels_)
    if (p.metric == metric && p.curves.count(run)) return p.curves.at(run).hi;
  return nullptr;
}

QString CurvesView::hover_text(const QPointF& pixel) const {
  for (const auto& p : panels_) {
    if (!p.rect->rect().contains(pixel.toPoint())) continue;
    const double x = p.rect->axis(QCPAxis::atBottom)->pixelToCoord(pixel.x());
    QStringList parts;
    for (const auto& [run, c] : p.curves) {
      auto data = c.raw->data();
      if (data->isEmpty()) continue;
      auto it = data->findBegin(x, false);  // first point with key >= x
      if (it == data->constEnd()) --it;
      if (it != data->constBegin()) {
        auto prev = it - 1;
        if (std::abs(prev->key - x) < std::abs(it->key - x)) it = prev;
      }
      const int idx = int(it - data->constBegin());
      const double smooth = c.smooth->data()->at(idx)->value;
      parts << tr("%1 @ %2: %3 (raw %4)")
                   .arg(run_label(run), format_number(it->key, 0), format_number(smooth, 4), format_number(it->value, 4));
    }
    if (parts.isEmpty()) return {};
    return p.metric + " — " + parts.join("; ");
  }
  return {};
}

void CurvesView::on_mouse_move(QMouseEvent* event) {
  const QString text = hover_text(event->position());
  hover_->setText(text);
  if (!text.isEmpty()) QToolTip::showText(event->globalPosition().toPoint(), text, plot_);
  else QToolTip::hideText();
}

}  // namespace ps::gui

namespace ps::gui {

void CurvesView::export_figure() {
  ExportDialog dialog("curves", true, this);
  if (dialog.exec() != QDialog::Accepted) return;
  QString error;
  if (!export_plot(plot_, dialog.path(), dialog.size(), &error)) QMessageBox::warning(this, tr("Export failed"), error);
  else report_saved(this, dialog.path());
}

}  // namespace ps::gui
