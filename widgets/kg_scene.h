// A gene's knowledge-graph neighbourhood as a figure (a QGraphicsScene): radial layout with
// stronger neighbours closer to the centre, node size by STRING degree, edge colour by the
// dominant source and width by weight, KNN votes as node colours, labels placed so none
// overlap (the weakest neighbours unlabelled when there is no room), and a legend. The KG
// browser and `perturbscope export-figure --kind kg` draw it with this one function.
// Text is in logical pixels (figure_style.h), so exports lay out alike at every dpi.
#pragma once
#include <QColor>

#include "kg/graph.h"
#include "neighbourhood_model.h"

class QGraphicsScene;

namespace ps::gui {

// The colour of a knowledge source's edges (Okabe-Ito blue / green / orange).
QColor source_color(ps::kg::Source s);

// Clears `scene` and draws `n` (nothing when n.centre < 0); `weights` choose each edge's
// dominant source. Sets the scene rect to the items' bounds plus a 20-unit margin.
void draw_neighbourhood(QGraphicsScene* scene, const Neighbourhood& n, const ps::kg::SourceWeights& weights);

}  // namespace ps::gui
