#include "metric_names.h"

#include <QCoreApplication>
#include <QHash>
#include <QStringList>

namespace ps::gui {

namespace {

// key -> source text (translated through the "metric" context at look-up time).
const QHash<QString, const char*>& names() {
  static const QHash<QString, const char*> table = {
      // Summary of a KNN-KG evaluation (metrics/summary.cpp, kg/evaluation.cpp).
      {"n", QT_TRANSLATE_NOOP("metric", "Pairs")},
      {"n_positive", QT_TRANSLATE_NOOP("metric", "DE pairs")},
      {"auroc_per_gene", QT_TRANSLATE_NOOP("metric", "AUROC per gene")},
      {"auroc_per_gene_ci", QT_TRANSLATE_NOOP("metric", "AUROC per gene, 95 % CI")},
      {"genes_used", QT_TRANSLATE_NOOP("metric", "Genes scored")},
      {"genes_skipped", QT_TRANSLATE_NOOP("metric", "Genes skipped (one class only)")},
      {"auroc_pooled", QT_TRANSLATE_NOOP("metric", "AUROC pooled")},
      {"auroc_pooled_ci", QT_TRANSLATE_NOOP("metric", "AUROC pooled, 95 % CI")},
      {"threshold", QT_TRANSLATE_NOOP("metric", "Decision threshold")},
      {"precision", QT_TRANSLATE_NOOP("metric", "Precision")},
      {"recall", QT_TRANSLATE_NOOP("metric", "Recall")},
      {"f1", QT_TRANSLATE_NOOP("metric", "F1 score")},
      {"f1_ci", QT_TRANSLATE_NOOP("metric", "F1 score, 95 % CI")},
      {"f1_optimal", QT_TRANSLATE_NOOP("metric", "Best F1 score")},
      {"f1_optimal_threshold", QT_TRANSLATE_NOOP("metric", "Threshold of the best F1")},
      {"precision_at_f1_optimal", QT_TRANSLATE_NOOP("metric", "Precision at the best F1")},
      {"recall_at_f1_optimal", QT_TRANSLATE_NOOP("metric", "Recall at the best F1")},
      {"brier", QT_TRANSLATE_NOOP("metric", "Brier score")},
      {"brier_ci", QT_TRANSLATE_NOOP("metric", "Brier score, 95 % CI")},
      {"ece", QT_TRANSLATE_NOOP("metric", "Expected calibration error")},
      {"ece_ci", QT_TRANSLATE_NOOP("metric", "Expected calibration error, 95 % CI")},
      {"bootstrap_resamples", QT_TRANSLATE_NOOP("metric", "Bootstrap resamples")},
      {"cell_line", QT_TRANSLATE_NOOP("metric", "Cell line")},
      {"cell_lines", QT_TRANSLATE_NOOP("metric", "Cell lines")},
      {"n_test", QT_TRANSLATE_NOOP("metric", "Test pairs")},
      {"n_train", QT_TRANSLATE_NOOP("metric", "Training pairs")},
      {"n_val", QT_TRANSLATE_NOOP("metric", "Validation pairs")},
      {"unseen_test_targets", QT_TRANSLATE_NOOP("metric", "Test targets unseen in training")},
      {"unresolved_genes", QT_TRANSLATE_NOOP("metric", "Unresolved gene symbols")},
      {"val_auroc_per_gene", QT_TRANSLATE_NOOP("metric", "Validation AUROC per gene")},
      {"seconds", QT_TRANSLATE_NOOP("metric", "Run time (s)")},
      {"graph_seconds", QT_TRANSLATE_NOOP("metric", "Graph loading time (s)")},
      {"graph_from_cache", QT_TRANSLATE_NOOP("metric", "Graph from cache")},
      {"signed.n_test", QT_TRANSLATE_NOOP("metric", "Up/down test pairs")},
      {"signed.sign_accuracy", QT_TRANSLATE_NOOP("metric", "Up/down accuracy")},
      {"signed.sign_accuracy_ci", QT_TRANSLATE_NOOP("metric", "Up/down accuracy, 95 % CI")},
      {"signed.majority_accuracy", QT_TRANSLATE_NOOP("metric", "Majority-direction accuracy")},
      {"signed.auroc_per_gene", QT_TRANSLATE_NOOP("metric", "Up/down AUROC per gene")},
      {"setting", QT_TRANSLATE_NOOP("metric", "Setting")},
      {"calibration_split", QT_TRANSLATE_NOOP("metric", "Calibration split")},
      {"calibrator.method", QT_TRANSLATE_NOOP("metric", "Calibration method")},
      {"calibrator.blocks", QT_TRANSLATE_NOOP("metric", "Isotonic steps")},
      {"calibrator.a", QT_TRANSLATE_NOOP("metric", "Platt slope a")},
      {"calibrator.b", QT_TRANSLATE_NOOP("metric", "Platt intercept b")},
      {"baseline_string_only.auroc_per_gene", QT_TRANSLATE_NOOP("metric", "STRING-only AUROC per gene")},
      {"baseline_string_only.difference", QT_TRANSLATE_NOOP("metric", "Gain over STRING-only")},
      {"baseline_string_only.difference_ci", QT_TRANSLATE_NOOP("metric", "Gain over STRING-only, 95 % CI")},
      // Configuration (kg/evaluation.h KnnEvalConfig, kg/knn.h KnnConfig).
      {"knn.k", QT_TRANSLATE_NOOP("metric", "Neighbours k")},
      {"k", QT_TRANSLATE_NOOP("metric", "Neighbours k")},
      {"knn.pool", QT_TRANSLATE_NOOP("metric", "Candidate pool")},
      {"knn.sources", QT_TRANSLATE_NOOP("metric", "Source weights")},
      {"knn.power", QT_TRANSLATE_NOOP("metric", "Neighbour weight power")},
      {"knn.alpha", QT_TRANSLATE_NOOP("metric", "Shrinkage to the base rate (α)")},
      {"knn.target_k", QT_TRANSLATE_NOOP("metric", "Target neighbours")},
      {"knn.beta", QT_TRANSLATE_NOOP("metric", "Target-neighbourhood weight (β)")},
      {"knn.gamma", QT_TRANSLATE_NOOP("metric", "Perturbation-strength weight (γ)")},
      {"csv", QT_TRANSLATE_NOOP("metric", "CSV file")},
      {"train_split", QT_TRANSLATE_NOOP("metric", "Training split")},
      {"test_split", QT_TRANSLATE_NOOP("metric", "Test split")},
      {"val_fraction", QT_TRANSLATE_NOOP("metric", "Validation fraction")},
      {"seed", QT_TRANSLATE_NOOP("metric", "Random seed")},
      {"calibration", QT_TRANSLATE_NOOP("metric", "Calibration")},
      {"bootstrap", QT_TRANSLATE_NOOP("metric", "Bootstrap resamples")},
      {"signed_effect", QT_TRANSLATE_NOOP("metric", "Up/down task")},
      {"data_dir", QT_TRANSLATE_NOOP("metric", "Data folder")},
  };
  return table;
}

}  // namespace

bool has_metric_name(const QString& key) { return names().contains(key); }

QString metric_display_name(const QString& key) {
  auto it = names().constFind(key);
  if (it != names().constEnd()) return QCoreApplication::translate("metric", it.value());
  // A nested key ("section.name") without its own entry takes the name of its last part.
  const QString last_key = key.section('.', -1);
  it = names().constFind(last_key);
  if (it != names().constEnd()) return QCoreApplication::translate("metric", it.value());
  // Spelled out: the last part of the key, underscores as spaces, first letter upper-case,
  // acronyms upper-case ("ece_val" -> "ECE val").
  static const QStringList acronyms = {"auroc", "auprc", "ece", "f1", "knn", "kg", "ci", "de", "ttc",
                                       "sft",   "grpo",  "lr",  "lm", "rl", "rlcr", "id", "go"};
  QStringList words = last_key.split('_', Qt::SkipEmptyParts);
  for (auto& w : words) {
    if (acronyms.contains(w.toLower())) w = w.toUpper();
  }
  if (!words.isEmpty() && !words[0].isEmpty()) words[0][0] = words[0][0].toUpper();
  QString out = words.join(' ');
  out.replace("KNN KG", "KNN-KG");
  return out;
}

}  // namespace ps::gui
