// Human-readable, translatable names for the keys of a run's summary and configuration
// JSON ("signed.majority_accuracy" -> "Majority-direction accuracy"), for Run details and
// any table of a run's numbers. One table, here; unknown keys are spelled out from the key
// ("target_k" -> "Target k", acronyms upper-case: "val_ece" -> "Val ECE") rather than shown raw; a
// nested key without an entry of its own takes the name of its last part ("x.auroc_per_gene" ->
// "AUROC per gene").
#pragma once
#include <QString>

namespace ps::gui {

// The display name of a key; nested keys are joined by '.' ("signed.sign_accuracy").
QString metric_display_name(const QString& key);
// True when `key` has an entry of its own in the table (not spelled out from the key).
bool has_metric_name(const QString& key);

}  // namespace ps::gui
