#include "kg_scene.h"

#include <QCoreApplication>
#include <QCursor>
#include <QGraphicsEllipseItem>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <algorithm>
#include <cmath>

#include "figure_style.h"
#include "theme.h"

namespace ps::gui {

namespace {
constexpr int kNodeLabelPx = 11;    // 8.5 pt at 96 dpi
constexpr int kCentreLabelPx = 15;  // 11 pt
}  // namespace

QColor source_color(ps::kg::Source s) {
  switch (s) {
    case ps::kg::Source::String:
      return QColor(0, 114, 178);  // blue
    case ps::kg::Source::Go:
      return QColor(0, 158, 115);  // green
    case ps::kg::Source::Reactome:
      return QColor(213, 94, 0);  // orange
  }
  return Qt::gray;
}

// Labels of nodes, placed one by one (highest priority first) at the first of eight spots
// around the node where the label overlaps no label already placed and no node; a label
// that fits nowhere is left out (the node's tooltip still names it).
namespace {

struct LabelRequest {
  QPointF centre;
  double radius;
  QGraphicsSimpleTextItem* item;
};

void place_labels(const std::vector<LabelRequest>& requests, const std::vector<QRectF>& nodes) {
  std::vector<QRectF> taken;
  for (const auto& r : requests) {
    const QSizeF size = r.item->boundingRect().size();
    const double w = size.width(), h = size.height(), gap = r.radius + 3;
    const QPointF spots[] = {
        {r.centre.x() - w / 2, r.centre.y() + gap},        // below
        {r.centre.x() - w / 2, r.centre.y() - gap - h},    // above
        {r.centre.x() + gap, r.centre.y() - h / 2},        // right
        {r.centre.x() - gap - w, r.centre.y() - h / 2},    // left
        {r.centre.x() + gap, r.centre.y() + gap},          // below right
        {r.centre.x() - gap - w, r.centre.y() + gap},      // below left
        {r.centre.x() + gap, r.centre.y() - gap - h},      // above right
        {r.centre.x() - gap - w, r.centre.y() - gap - h},  // above left
    };
    bool placed = false;
    for (const QPointF& at : spots) {
      const QRectF rect(at, size);
      const QRectF padded = rect.adjusted(-1, -1, 1, 1);
      bool free = true;
      for (const QRectF& t : taken) free = free && !padded.intersects(t);
      for (const QRectF& n : nodes) free = free && !padded.intersects(n);
      if (!free) continue;
      r.item->setPos(at);
      taken.push_back(rect);
      placed = true;
      break;
    }
    r.item->setVisible(placed);
  }
}

}  // namespace

void draw_neighbourhood(QGraphicsScene* scene, const Neighbourhood& n, const ps::kg::SourceWeights& w) {
  scene->clear();
  if (n.centre < 0) return;
  const QColor fg = plot_foreground();
  scene->setBackgroundBrush(plot_background());
  const int count = int(n.rows.size());
  double max_score = 1e-9;
  for (const auto& r : n.rows) max_score = std::max(max_score, r.score);
  // Radial layout: stronger neighbours closer to the centre; the ring grows with
  // the number of nodes and alternate nodes are staggered so labels do not collide.
  std::vector<QPointF> pos(count);
  const double ring = std::max(150.0, count * 34 / (2 * M_PI));
  for (int i = 0; i < count; ++i) {
    const double angle = 2 * M_PI * i / std::max(1, count) - M_PI / 2;
    const double radius = ring + 150 * (1 - n.rows[i].score / max_score) + (i % 2) * 28;
    pos[i] = QPointF(radius * std::cos(angle), radius * std::sin(angle));
  }
  auto node_radius = [](int degree) { return 5 + 1.1 * std::sqrt(double(std::max(0, degree))); };
  // Edges among neighbours (thin), then the spokes from the centre (by weight).
  for (const auto& e : n.inner) {
    QColor c = source_color(e.dominant);
    c.setAlpha(90);
    auto* line = scene->addLine(QLineF(pos[e.a], pos[e.b]), QPen(c, 0.6 + 2.5 * e.weight));
    line->setZValue(-2);
  }
  for (int i = 0; i < count; ++i) {
    const auto& r = n.rows[i];
    QColor c = source_color(dominant_source(r.by_source, w));
    c.setAlpha(200);
    auto* line = scene->addLine(QLineF(QPointF(0, 0), pos[i]),
                                QPen(c, 1 + 6 * r.score / max_score, Qt::SolidLine, Qt::RoundCap));
    line->setZValue(-1);
    line->setToolTip(r.evidence_summary);
  }
  std::vector<LabelRequest> labels;
  std::vector<QRectF> node_rects;
  auto add_node = [&](QPointF p, const QString& symbol, int degree, QColor fill, bool centre, const QString& tip) {
    const double rad = centre ? node_radius(degree) + 6 : node_radius(degree);
    auto* node = scene->addEllipse(QRectF(p.x() - rad, p.y() - rad, 2 * rad, 2 * rad),
                                   QPen(fill.darker(150), centre ? 2.5 : 1.2), fill);
    node->setData(0, symbol);
    node->setToolTip(tip);
    node->setCursor(Qt::PointingHandCursor);
    auto* label = scene->addSimpleText(symbol);
    label->setFont(figure_font(centre ? kCentreLabelPx : kNodeLabelPx, centre));
    label->setBrush(fg);
    label->setData(0, symbol);
    label->setData(1, QStringLiteral("label"));
    labels.push_back({p, rad, label});
    node_rects.push_back(node->sceneBoundingRect());  // with its outline
  };
  for (int i = 0; i < count; ++i) {
    const auto& r = n.rows[i];
    QColor fill(225, 230, 238);
    if (r.vote == 1)
      fill = QColor(228, 87, 46);
    else if (r.vote == 0)
      fill = QColor(86, 150, 215);
    else if (r.vote == -1)
      fill = QColor(200, 200, 200);
    add_node(pos[i], r.symbol, r.degree, fill, false,
             QCoreApplication::translate("ps::gui::KgBrowser", "%1 — %2\nscore %3, %4 STRING partners\n%5")
                 .arg(r.symbol, r.full_name)
                 .arg(r.score, 0, 'f', 3)
                 .arg(r.degree)
                 .arg(r.evidence_summary));
  }
  add_node(QPointF(0, 0), n.symbol, n.degree, QColor(242, 165, 65), true, n.full_name);
  // The centre first, then the neighbours best first: at large k the weakest go unlabelled.
  std::rotate(labels.begin(), labels.end() - 1, labels.end());
  place_labels(labels, node_rects);
  // Legend: what colours and sizes mean.
  const QRectF bounds = scene->itemsBoundingRect();
  double y = bounds.top();
  const double x = bounds.right() + 30;
  const std::pair<ps::kg::Source, QString> legend[] = {
      {ps::kg::Source::String, QCoreApplication::translate("ps::gui::KgBrowser", "STRING")},
      {ps::kg::Source::Go, QCoreApplication::translate("ps::gui::KgBrowser", "GO")},
      {ps::kg::Source::Reactome, QCoreApplication::translate("ps::gui::KgBrowser", "Reactome")}};
  for (const auto& [src, name] : legend) {
    scene->addLine(QLineF(x, y + 8, x + 26, y + 8), QPen(source_color(src), 4));
    auto* t = scene->addSimpleText(name, figure_font(kFigureTickPx));
    t->setBrush(fg);
    t->setPos(x + 32, y);
    y += 20;
  }
  auto* size_note = scene->addSimpleText(
      QCoreApplication::translate("ps::gui::KgBrowser", "edge width: weight\nnode size: STRING degree"),
      figure_font(kFigureTickPx));
  size_note->setBrush(fg);
  size_note->setPos(x, y + 4);
  y += 44;
  bool any_vote = false;
  for (const auto& r : n.rows) any_vote |= r.vote != -2;
  if (any_vote) {
    const std::pair<QColor, QString> votes[] = {
        {QColor(228, 87, 46), QCoreApplication::translate("ps::gui::KgBrowser", "voted DE")},
        {QColor(86, 150, 215), QCoreApplication::translate("ps::gui::KgBrowser", "voted not DE")},
        {QColor(200, 200, 200), QCoreApplication::translate("ps::gui::KgBrowser", "no label for target")}};
    for (const auto& [c, name] : votes) {
      scene->addEllipse(QRectF(x + 6, y + 2, 12, 12), QPen(c.darker(150)), c);
      auto* t = scene->addSimpleText(name, figure_font(kFigureTickPx));
      t->setBrush(fg);
      t->setPos(x + 32, y);
      y += 20;
    }
  }
  scene->setSceneRect(scene->itemsBoundingRect().adjusted(-20, -20, 20, 20));
}

}  // namespace ps::gui
