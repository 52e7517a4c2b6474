#include "run_figures.h"

#include <QGraphicsScene>
#include <QRegularExpression>
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <qcustomplot.h>

#include "common/error.h"
#include "common/paths.h"
#include "curves_plot.h"
#include "kg/build.h"
#include "kg/gene_lookup.h"
#include "kg/graph.h"
#include "kg/knn.h"
#include "kg_scene.h"
#include "neighbourhood_model.h"
#include "reliability_model.h"
#include "reliability_plot.h"

namespace ps::gui {

QStringList figure_kind_names() { return {"reliability", "curves", "pareto", "kg"}; }

std::optional<FigureKind> figure_kind_from_name(const QString& name) {
  const int i = figure_kind_names().indexOf(name);
  if (i < 0) return std::nullopt;
  return static_cast<FigureKind>(i);
}

QString figure_kind_name(FigureKind kind) { return figure_kind_names().at(static_cast<int>(kind)); }

bool parse_figure_size(const QString& text, int dpi, FigureSize* out, QString* error) {
  auto fail = [&](const QString& why) {
    if (error) *error = QString("--size '%1': %2").arg(text, why);
    return false;
  };
  if (dpi < 50 || dpi > 1200) {
    if (error) *error = QString("--dpi %1: must be between 50 and 1200").arg(dpi);
    return false;
  }
  static const QRegularExpression re(R"(^\s*([0-9]+(?:\.[0-9]+)?)\s*[xX×]\s*([0-9]+(?:\.[0-9]+)?)\s*(mm|cm|px)?\s*$)");
  const auto m = re.match(text);
  if (!m.hasMatch()) return fail("expected WxH with an optional unit mm, cm or px (e.g. 160x120mm, 1200x900px)");
  const double w = m.captured(1).toDouble(), h = m.captured(2).toDouble();
  const QString unit = m.captured(3).isEmpty() ? QString("mm") : m.captured(3);
  if (!(w > 0) || !(h > 0)) return fail("width and height must be positive");
  FigureSize s;
  s.dpi = dpi;
  if (unit == "px") {
    if (w > 20000 || h > 20000) return fail("at most 20000 px a side");
    s.width_cm = w / dpi * 2.54;
    s.height_cm = h / dpi * 2.54;
  } else {
    const double to_cm = unit == "mm" ? 0.1 : 1.0;
    s.width_cm = w * to_cm;
    s.height_cm = h * to_cm;
    if (s.width_cm > 100 || s.height_cm > 100) return fail("at most 1000 mm a side");
  }
  if (s.width_cm < 0.5 || s.height_cm < 0.5) return fail("at least 5 mm a side");
  if (s.pixels().width() > 20000 || s.pixels().height() > 20000)
    return fail(QString("%1 x %2 px at %3 dpi: at most 20000 px a side")
                    .arg(s.pixels().width())
                    .arg(s.pixels().height())
                    .arg(dpi));
  *out = s;
  return true;
}

ps::store::Run require_run(const ps::store::Store& store, int64_t run_id) {
  auto run = store.get_run(run_id);
  if (!run) throw ps::Error(store.path() + ": no run with id " + std::to_string(run_id));
  return *run;
}

std::optional<std::pair<int64_t, std::vector<ParetoPoint>>> ttc_points(const ps::store::Store& store, int64_t run_id) {
  const auto run = require_run(store, run_id);
  auto own = pareto_points(run.summary_json, "run " + std::to_string(run_id));
  if (!own.empty()) return std::make_pair(run_id, own);
  // The newest ttc run of this policy (list_runs is newest first).
  for (const auto& r : store.list_runs()) {
    if (r.kind != "ttc") continue;
    nlohmann::json conf;
    try {
      conf = nlohmann::json::parse(r.config_json.empty() ? std::string("{}") : r.config_json);
    } catch (const nlohmann::json::exception&) {
      continue;  // not ours to judge here; `runs show` reports it
    }
    if (!conf.is_object() || !conf.contains("source_run") || !conf["source_run"].is_number_integer()) continue;
    if (conf["source_run"].get<int64_t>() != run_id) continue;
    auto pts = pareto_points(r.summary_json, "run " + std::to_string(r.id));
    if (!pts.empty()) return std::make_pair(r.id, pts);
  }
  return std::nullopt;
}

void draw_run_figure(const ps::store::Store& store, FigureKind kind, const std::vector<int64_t>& runs,
                     QCustomPlot* plot) {
  if (runs.empty()) throw ps::Error("no run given");
  for (int64_t id : runs) require_run(store, id);
  switch (kind) {
    case FigureKind::Reliability: {
      std::vector<ReliabilityCurve> curves;
      for (int64_t id : runs) {
        auto c = reliability_curves(store, id);
        if (c.empty())
          throw ps::Error("run " + std::to_string(id) + " has no labelled predictions: no reliability diagram");
        for (auto& x : c) curves.push_back(std::move(x));
      }
      draw_reliability(plot, curves);
      return;
    }
    case FigureKind::Curves: {
      std::vector<RunCurves> all;
      for (int64_t id : runs) {
        auto c = training_curves(store, id);
        if (c.empty())
          throw ps::Error("run " + std::to_string(id) +
                          " has no training metrics (loss, reward, val/f1, val/ece): no training curves");
        all.push_back(std::move(c));
      }
      draw_training_curves(plot, all);
      return;
    }
    case FigureKind::Pareto: {
      const auto pts = ttc_points(store, runs.front());
      if (!pts)
        throw ps::Error("run " + std::to_string(runs.front()) +
                        " has no TTC results (neither its own summary nor a ttc run with \"source_run\": " +
                        std::to_string(runs.front()) + "): no Pareto plot");
      draw_pareto(plot, pts->second);
      return;
    }
    case FigureKind::Kg:
      throw ps::Error("the kg figure is a graph, not a plot (export_run_figure draws it)");
  }
}

namespace {

// The perturber of the run's most confident error (|P(DE) - label| largest), else its first prediction's.
std::string default_centre(const ps::store::Store& store, int64_t run_id) {
  const auto preds = store.predictions(run_id);
  if (preds.empty()) return {};
  const ps::store::Prediction* best = nullptr;
  double worst = -1;
  for (const auto& p : preds) {
    if (p.label != 0 && p.label != 1) continue;
    const double err = std::abs(p.confidence - p.label);
    if (err > 0.5 && err > worst) {
      worst = err;
      best = &p;
    }
  }
  return best ? best->perturber : preds.front().perturber;
}

}  // namespace

void export_run_figure(const ps::store::Store& store, FigureKind kind, const std::vector<int64_t>& runs,
                       const QString& path, const FigureSize& size, const KgFigureOptions& kg) {
  QString error;
  if (kind != FigureKind::Kg) {
    QCustomPlot plot;
    plot.resize(size.logical());
    draw_run_figure(store, kind, runs, &plot);
    if (!export_plot(&plot, path, size, &error)) throw ps::Error(error.toStdString());
    return;
  }
  if (runs.empty()) throw ps::Error("no run given");
  require_run(store, runs.front());
  if (kg.k < 1 || kg.k > 200) throw ps::Error("--k " + std::to_string(kg.k) + ": must be between 1 and 200");
  std::string gene = kg.gene.toStdString();
  if (gene.empty()) gene = default_centre(store, runs.front());
  if (gene.empty())
    throw ps::Error("run " + std::to_string(runs.front()) +
                    " has no predictions to take a gene from: give --gene SYMBOL");
  const ps::DataLocation where = ps::require_data(kg.data_dir.toStdString());
  const auto inputs = ps::kg::GraphInputs::from_data_dir(where.dir);
  const ps::kg::KnowledgeGraph graph = ps::kg::load_or_build(inputs);
  const ps::kg::GeneLookup lookup(graph, inputs.gene_alias);
  const ps::kg::GeneMatch match = lookup.find(gene);
  if (match.kind != ps::kg::GeneMatch::Kind::Exact)
    throw ps::Error("gene \"" + gene + "\" is not one gene of the knowledge graph (" + match.message() + ")");
  const auto run = require_run(store, runs.front());
  // A KNN run's own source weights; any other run: the defaults (as the KG browser does).
  const ps::kg::KnnConfig config = run.kind == "knn" ? ps::kg::knn_config_of_run(run.config_json) : ps::kg::KnnConfig{};
  const Neighbourhood n = compute_neighbourhood(graph, *match.gene, config.sources, size_t(kg.k));
  QGraphicsScene scene;
  draw_neighbourhood(&scene, n, config.sources);
  if (!export_scene(&scene, path, size, &error)) throw ps::Error(error.toStdString());
}

}  // namespace ps::gui
