// The Reliability tab: a reliability diagram (observed DE fraction against mean
// predicted probability per bin, with 95 % error bars and the diagonal of perfect
// calibration), the count histogram under it, ECE and Brier in the legend, and
// the bin table. Draws whatever ReliabilityModel holds: one run per cell line,
// or several runs overlaid (any number: reliability_plot.h). The figure is reliability_plot.h's draw_reliability().
#pragma once
#include <QWidget>

class QCustomPlot;
class QLabel;
class QTableView;

namespace ps::gui {

class ReliabilityModel;

class ReliabilityView : public QWidget {
  Q_OBJECT
 public:
  explicit ReliabilityView(ReliabilityModel* model, QWidget* parent = nullptr);
  QCustomPlot* plot() const { return plot_; }
  QTableView* table() const { return table_; }

 public slots:
  void rebuild();           // redraw from the model
  void export_figure();     // asks for file, size, dpi
  void export_table();

 private:
  ReliabilityModel* model_;
  QCustomPlot* plot_;
  QTableView* table_;
  QLabel* caption_;
};

}  // namespace ps::gui
