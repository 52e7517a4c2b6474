// The figure commands of the Qt-linked `perturbscope` executable (they draw with the GUI's
// QCustomPlot code, so they need Qt; perturbscope-cli forwards to them, see
// app/cli/cmd_figures.cpp):
//
//   perturbscope export-figure --run ID --kind reliability|curves|pareto|kg [--format png|svg|pdf]
//                [--size WxH[mm|cm|px]] [--dpi N] --out FILE [--compare ID ...] [--gene SYMBOL]
//                [--k N] [--data DIR] [--store FILE]
//   perturbscope report --run ID [--compare ID ...] --out DIR [--size WxH[mm|cm|px]] [--dpi N]
//                [--bootstrap N] [--seed N] [--top-errors N] [--store FILE]
//
// Both run headless: main() sets QT_QPA_PLATFORM=offscreen before Qt starts unless the
// variable is already set. Exit 0 on success, 2 on a usage error (unknown option, missing or
// malformed value, bad --kind/--format/--size/--dpi), 1 on any other error (unknown run, a run
// without the data a figure needs, an output that cannot be written); the message names the
// option, run or path.
#pragma once

namespace ps::gui {

// True for "export-figure" and "report".
bool is_figure_command(const char* name);

// Runs argv[1] (one of the above) with argv[2..]; needs a QApplication. Returns the exit code.
int run_figure_command(int argc, char** argv);

}  // namespace ps::gui
