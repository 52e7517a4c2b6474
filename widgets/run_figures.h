// The figures of stored runs, by kind, as `perturbscope export-figure` and the report
// (report.h) make them: the same builders the GUI's views use (reliability_plot.h,
// curves_plot.h, pareto_plot.h, kg_scene.h), drawn offscreen and written by export.h.
//
//   reliability  one curve per (run, cell line) of the runs' labelled predictions
//   curves       loss / reward / val F1 / val ECE per step of each run
//   pareto       F1 vs tokens per item of the run's TTC sweep: the run's own summary when it
//                is a ttc run, else the newest ttc run whose config names it as "source_run"
//   kg           the knowledge-graph neighbourhood of a gene (default: the perturber of the
//                run's most confident error), with the KNN-KG top-k neighbours
// A kind whose data the run lacks is an error naming the run and what is missing.
#pragma once
#include <QString>
#include <QStringList>
#include <optional>
#include <vector>

#include "export.h"
#include "pareto_plot.h"
#include "store/store.h"

class QCustomPlot;

namespace ps::gui {

enum class FigureKind { Reliability, Curves, Pareto, Kg };

QStringList figure_kind_names();  // {"reliability", "curves", "pareto", "kg"}
std::optional<FigureKind> figure_kind_from_name(const QString& name);
QString figure_kind_name(FigureKind kind);

// "WxH" followed by a unit: mm (also the default when none is given), cm or px, e.g.
// "160x120mm", "16x12cm", "1200x900px" (px: the PNG's pixel size at `dpi`; the physical size
// is then px / dpi inches). dpi must be in 50..1200, each side positive and at most 1000 mm
// or 20000 px. Returns false and sets `error` (quoting the text) when malformed.
bool parse_figure_size(const QString& text, int dpi, FigureSize* out, QString* error);

// The TTC sweep points for `run_id` and the run they come from (see the top of this file);
// nullopt when there are none. Throws ps::Error when the stored summary is malformed.
std::optional<std::pair<int64_t, std::vector<ParetoPoint>>> ttc_points(const ps::store::Store& store, int64_t run_id);

// Draws kind (not Kg) for `runs` on `plot`. Throws ps::Error naming the run when it has no
// data for the kind ("run 4 has no labelled predictions: no reliability diagram").
void draw_run_figure(const ps::store::Store& store, FigureKind kind, const std::vector<int64_t>& runs, QCustomPlot* plot);

struct KgFigureOptions {
  QString gene;      // centre gene (symbol or alias); empty: the perturber of the run's most confident error
  QString data_dir;  // data mirror; empty: ps::locate_data()
  int k = 20;        // neighbours shown, 1..200
};

// Writes one figure of `runs` (the first is the run; Kg uses only it) to `path` (format by
// suffix) at `size`. Throws ps::Error naming the run, the path or the data when it fails;
// never leaves a half-written file (export.h).
void export_run_figure(const ps::store::Store& store, FigureKind kind, const std::vector<int64_t>& runs,
                       const QString& path, const FigureSize& size, const KgFigureOptions& kg = {});

// Fails with ps::Error ("STORE: no run with id N") unless the run exists.
ps::store::Run require_run(const ps::store::Store& store, int64_t run_id);

}  // namespace ps::gui
