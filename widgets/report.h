// The report of a run (and runs to compare with it): one folder with report.html and
// every figure as PNG, SVG and PDF, made with the GUI's own figure code (run_figures.h).
//
//   DIR/report.html          self-contained HTML (inline CSS, no scripts; figures by relative link)
//   DIR/figures/NAME.{png,svg,pdf}
//
// Sections, in order: the runs; the metric table in the layout of the seed paper's Table 1
// (one row per run; F1 at P(DE) >= 0.5, Brier, ECE (10 bins) and per-gene AUROC, each with its
// 95 % percentile-bootstrap CI from metrics/summary.h, recomputed from the stored predictions;
// the best value of each column in bold); per-cell-line results (the same columns per run and
// cell line, the held-out line marked: the run config's "heldout_cell_line", else lines whose
// predictions come from the "heldout" item set); training curves (curves_plot.h); one
// reliability diagram per run with ECE and a table of the bin counts; the TTC Pareto plot
// when the run has TTC results (pareto_plot.h); the most confident errors (largest
// |P(DE) - label| with the wrong side of 0.5) with their traces and TTC rounds. All stored
// text is HTML-escaped.
//
// Missing data: a section whose data the runs lack says so in the HTML (and in
// ReportResult::missing); a run with no predictions, no training metrics and no TTC results
// is refused (ps::Error: nothing to report).
// Output: written to a temporary folder beside DIR and renamed into place when complete, so
// a failure leaves nothing half-written. DIR may be new, empty, or an earlier report (it holds
// report.html; it is replaced); a file, or a folder holding anything else, is refused.
#pragma once
#include <QString>
#include <QStringList>
#include <cstdint>
#include <vector>

#include "export.h"
#include "store/store.h"

namespace ps::gui {

struct ReportOptions {
  int64_t run = 0;                 // the run reported
  std::vector<int64_t> compare;    // more rows of the tables and curves (may be empty)
  QString out_dir;                 // DIR
  FigureSize figure_size{16, 12, 150};  // of every figure (PNG at its dpi; SVG/PDF vector)
  int bootstrap = 1000;            // resamples of each CI (0: no CIs), 0..100000
  uint64_t seed = 1;               // of the bootstrap
  int top_errors = 10;             // confident errors listed, 0..1000
  void validate() const;           // ps::Error naming the field
};

struct ReportResult {
  QString html;                    // absolute path of DIR/report.html
  QStringList figures;             // paths relative to DIR, e.g. "figures/curves.svg"
  QStringList missing;             // one line per section left out, and why
};

// Throws ps::Error (naming the run, the folder or the field) on unknown runs, nothing to
// report, or an output folder that cannot be written; DIR is then untouched.
ReportResult write_report(const ps::store::Store& store, const ReportOptions& options);

}  // namespace ps::gui
