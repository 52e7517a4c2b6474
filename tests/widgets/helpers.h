// Shared set-up of the widget tests: a scratch folder for the store, settings
// and caches (never the user's), headless Qt, and synthetic predictions.
#pragma once
#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "async.h"
#include "store/store.h"

namespace pstest {

// Predictions whose P(DE) is calibrated by construction (label ~ Bernoulli(p)),
// for `targets` x `perturbers` pairs of one cell line.
inline std::vector<ps::store::Prediction> synthetic_predictions(const std::string& cell_line, int perturbers, int targets,
                                                                 unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<ps::store::Prediction> out;
  for (int i = 0; i < perturbers; ++i) {
    for (int j = 0; j < targets; ++j) {
      ps::store::Prediction p;
      p.cell_line = cell_line;
      p.perturber = "PERT" + std::to_string(i);
      p.target = "GENE" + std::to_string(j);
      p.item_key = cell_line + "|" + p.perturber + "|" + p.target;
      p.confidence = std::pow(u(rng), 2.0);  // skewed towards 0, like DE probabilities
      p.label = u(rng) < p.confidence ? 1 : 0;
      p.prediction = p.confidence >= 0.5;
      out.push_back(p);
    }
  }
  return out;
}

// Max gap between ticks of a 10 ms timer: how long the event loop was blocked.
class Heartbeat : public QObject {
 public:
  Heartbeat() {
    timer_.setInterval(10);
    connect(&timer_, &QTimer::timeout, this, [this] {
      const qint64 now = clock_.elapsed();
      if (last_ >= 0) max_gap_ = std::max(max_gap_, now - last_);
      last_ = now;
    });
    clock_.start();
    timer_.start();
  }
  qint64 max_gap_ms() const { return max_gap_; }

 private:
  QTimer timer_;
  QElapsedTimer clock_;
  qint64 last_ = -1;
  qint64 max_gap_ = 0;
};

// A tiny SFT config (2-layer Qwen3, 48 teacher items of K562, no evaluation) with enough steps to
// cancel mid-way; tests that need a finished run set train.max_steps lower. Like
// tests/train/test_sft_resume.cpp's tiny config.
inline nlohmann::json tiny_sft_config() {
  using nlohmann::json;
  return {
      {"kind", "sft"},
      {"name", "gui-tiny"},
      {"seed", 3},
      {"data", {{"train_cell_lines", {"k562"}}, {"heldout_cell_line", ""}, {"teacher_items", 48}, {"eval_min_items", 40}}},
      {"prompt",
       {{"max_neighbours", 4}, {"max_go", 1}, {"max_pathways", 1}, {"max_channels", 1}, {"max_prompt_tokens", 256},
        {"include_descriptions", false}, {"system_prompt", ""}, {"show_similarity", false}}},
      {"teacher", {{"kind", "evidence"}}},
      {"tokenizer", {{"merges", 200}}},
      {"model",
       {{"hidden_size", 32}, {"intermediate_size", 64}, {"num_layers", 2}, {"num_heads", 2}, {"num_kv_heads", 1},
        {"head_dim", 16}, {"max_position_embeddings", 512}}},
      {"finetune", "full"},
      {"optim", {{"lr", 0.003}, {"weight_decay", 0.01}, {"schedule", "cosine"}, {"warmup_steps", 2}, {"max_grad_norm", 1.0}}},
      {"train", {{"batch_size", 4}, {"max_steps", 2000}, {"checkpoint_every", 2}, {"max_seq_len", 500}, {"threads", 1}}},
      {"eval", {{"sets", json::array()}, {"max_new_tokens", 24}, {"batch_size", 16}, {"bootstrap", 0}}},
  };
}

}  // namespace pstest

// main(): scratch XDG folders and store before anything reads them.
#define PSTEST_MAIN(TestClass)                                                        \
  int main(int argc, char** argv) {                                                  \
    if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen"); \
    QTemporaryDir scratch;                                                           \
    for (const char* v : {"XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME"})     \
      qputenv(v, QDir(scratch.path()).filePath(v).toUtf8());                         \
    qputenv("PERTURBSCOPE_STORE", QDir(scratch.path()).filePath("store.sqlite").toUtf8()); \
    QApplication app(argc, argv);                                                    \
    QApplication::setOrganizationName("PerturbScopeTest");                           \
    QApplication::setApplicationName("perturbscope-test");                           \
    TestClass tc;                                                                    \
    const int rc = QTest::qExec(&tc, argc, argv);                                    \
    ps::gui::wait_for_background_work();                                             \
    return rc;                                                                       \
  }
