#include "knn_launch.h"

#include <QFileInfo>

#include "store/store.h"

namespace ps::gui {

QMap<QString, QString> validate(const KnnLaunch& l) {
  QMap<QString, QString> errors;
  if (l.cell_lines.isEmpty()) errors["cell_lines"] = QObject::tr("Choose at least one cell line.");
  if (!l.csv.isEmpty() && l.cell_lines.size() > 1) errors["cell_lines"] = QObject::tr("A CSV file is evaluated as one cell line.");
  // k and the source weights: the core's own check (KnnConfig::validate), one rule for
  // the launcher, the KG browser and the CLI.
  for (const auto& [field, why] : to_config(l).knn.validate()) {
    if (field == "k") errors["k"] = QObject::tr("k must be between 1 and 400.");
    else if (field == "sources")
      errors["sources"] = l.w_string < 0 || l.w_go < 0 || l.w_reactome < 0 ? QObject::tr("Source weights cannot be negative.")
                                                                             : QObject::tr("Use at least one knowledge source.");
  }
  if (!l.csv.isEmpty()) {
    QFileInfo f(l.csv);
    if (!f.exists()) errors["csv"] = QObject::tr("No such file: %1").arg(l.csv);
    else if (!f.isFile() || !f.isReadable()) errors["csv"] = QObject::tr("Cannot read %1").arg(l.csv);
  }
  if (l.train_split.trimmed().isEmpty() || l.test_split.trimmed().isEmpty())
    errors["splits"] = QObject::tr("Name the train and the test split.");
  else if (l.train_split.trimmed() == l.test_split.trimmed())
    errors["splits"] = QObject::tr("Train and test must be different splits.");
  else if (l.csv.isEmpty() && (l.train_split != "train" || l.test_split != "test"))
    errors["splits"] = QObject::tr("The official files have the splits train and test; other names need a CSV file.");
  if (l.bootstrap != 0 && (l.bootstrap < 100 || l.bootstrap > 10000))
    errors["bootstrap"] = QObject::tr("Use 0 (no intervals) or 100 to 10,000 resamples.");
  return errors;
}

ps::kg::KnnEvalConfig to_config(const KnnLaunch& l) {
  ps::kg::KnnEvalConfig cfg;
  cfg.cell_lines.clear();
  for (const QString& c : l.cell_lines) cfg.cell_lines.push_back(c.toLower().toStdString());
  cfg.knn.k = l.k;
  cfg.knn.sources.string = l.w_string;
  cfg.knn.sources.go = l.w_go;
  cfg.knn.sources.reactome = l.w_reactome;
  cfg.csv = l.csv.toStdString();
  cfg.train_split = l.train_split.trimmed().toStdString();
  cfg.test_split = l.test_split.trimmed().toStdString();
  cfg.calibration = l.calibration.toStdString();
  cfg.bootstrap = l.bootstrap;
  cfg.signed_effect = l.signed_effect && l.csv.isEmpty();
  return cfg;
}

JobRunner::Work knn_job(const ps::kg::KnnEvalConfig& config, const QString& store_path,
                        std::shared_ptr<const ps::kg::KnowledgeGraph> graph) {
  const std::string path = store_path.toStdString();
  return [config, path, graph](ps::jobs::JobContext& ctx) -> qint64 {
    // One run per cell line from the moment it starts (the Runs tab polls the store and shows it
    // running, with its progress); each is filled when its line is done, so a cancel or a failure
    // keeps the finished lines and marks the running one (kg/evaluation.h).
    ps::store::Store store(path);  // this thread's own connection
    ps::kg::KnnStoredRuns runs;
    ps::kg::run_and_store_knn_evaluation(config, graph.get(), store, ctx, runs, "cancelled by the user");
    return runs.finished.empty() ? 0 : runs.finished.front();
  };
}

}  // namespace ps::gui
