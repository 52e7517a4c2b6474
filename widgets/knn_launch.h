// The KNN-KG launcher's settings, their validation (one message per field, shown
// next to it), and the job that runs the core's evaluation and stores the runs.
#pragma once
#include <QMap>
#include <QString>
#include <QStringList>
#include <memory>

#include "job_runner.h"
#include "kg/evaluation.h"

namespace ps::gui {

struct KnnLaunch {
  QStringList cell_lines = {"k562"};
  int k = 20;
  double w_string = 1, w_go = 1, w_reactome = 2;  // the core's default fusion
  QString csv;                                     // empty: the official PerturbQA files
  QString train_split = "train", test_split = "test";
  QString calibration = "isotonic";
  int bootstrap = 1000;
  bool signed_effect = true;
};

// Field name ("cell_lines", "k", "sources", "csv", "splits", "bootstrap") -> message; empty when valid.
QMap<QString, QString> validate(const KnnLaunch& launch);
ps::kg::KnnEvalConfig to_config(const KnnLaunch& launch);

// The job: evaluates with `graph` when given (the GUI's loaded graph), else loads
// it; one store run per cell line, created running when the line starts and filled
// when it is done (ps::kg::run_and_store_knn_evaluation: a cancel or failure keeps
// the finished lines and records the running one with its reason). Returns the first
// finished run's id.
JobRunner::Work knn_job(const ps::kg::KnnEvalConfig& config, const QString& store_path,
                        std::shared_ptr<const ps::kg::KnowledgeGraph> graph);

}  // namespace ps::gui
