#include "kg/evaluation.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <set>
#include <thread>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/paths.h"
#include "data/perturbqa.h"
#include "data/splits.h"
#include "kg/holdout.h"
#include "store/store.h"

namespace ps::kg {

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }
nlohmann::json num(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr); }

std::vector<int> target_groups(const std::vector<data::Item>& items) {
  std::map<std::string, int> ids;
  std::vector<int> g;
  g.reserve(items.size());
  for (const auto& it : items) g.push_back(ids.emplace(it.gene, static_cast<int>(ids.size())).first->second);
  return g;
}

std::vector<int> labels_of(const std::vector<data::Item>& items) {
  std::vector<int> y;
  y.reserve(items.size());
  for (const auto& it : items) y.push_back(it.label);
  return y;
}

std::string trace_of(const KnowledgeGraph& g, const KnnPrediction& p, const std::string& task) {
  std::string s;
  char buf[160];
  std::snprintf(buf, sizeof buf, "knn=%.3f tn=%.3f strength=%+.3f base=%.3f votes=%d%s; ", p.knn, p.tn, p.strength,
                p.base_rate, p.n_votes, p.target_seen ? "" : " (target unseen in train)");
  s += buf;
  const char* pos = task == "dir" ? "up" : "DE";
  const char* neg = task == "dir" ? "down" : "not";
  int shown = 0;
  for (const auto& v : p.votes) {
    if (shown == 8) break;
    std::snprintf(buf, sizeof buf, "%s%s %.2f %s", shown ? ", " : "", g.symbol(v.neighbour).c_str(), v.weight,
                  v.label < 0 ? "-" : v.label ? pos : neg);
    s += buf;
    ++shown;
  }
  if (!p.perturber_in_graph) s += "perturber not in the graph";
  return s;
}

struct TaskRun {
  std::vector<data::Item> test;
  std::vector<KnnPrediction> preds;
  std::vector<double> probs;
  metrics::Calibrator calibrator;
  double val_auroc = 0;
  int64_t n_train = 0, n_val = 0;
  std::string calibration_split;
};

// Validation model -> calibrator; full model -> test predictions.
TaskRun run_task(const KnowledgeGraph& g, const std::vector<data::Item>& items, const KnnEvalConfig& cfg,
                 const KnnConfig& knn, bool with_votes, ps::jobs::JobContext& ctx, double f0, double f1,
                 const std::string& label, const std::vector<data::Item>* other_lines = nullptr,
                 const std::function<void()>& inputs_accepted = {}) {
  TaskRun r;
  auto train = data::select_split(items, cfg.train_split);
  r.test = data::select_split(items, cfg.test_split);
  if (train.empty()) throw ps::Error("KNN evaluation: no items in split '" + cfg.train_split + "'");
  if (r.test.empty()) throw ps::Error("KNN evaluation: no items in split '" + cfg.test_split + "'");
  auto carved = train;
  for (auto& it : carved) it.split = "train";
  r.calibration_split = carve_calibration_split(carved, r.test, cfg.val_fraction, cfg.seed);
  auto sub = data::select_split(carved, "train"), val = data::select_split(carved, "val");
  std::set<std::string> perts;
  for (const auto& it : train) perts.insert(it.pert);
  if (perts.size() < 2)  // also with a carve by target: a perturber never votes for itself, so none would vote
    throw ps::Error("KNN evaluation (" + label + "): split '" + cfg.train_split + "' has " + std::to_string(perts.size()) +
                    " perturber(s); KNN needs at least 2 train perturbers (a perturber never votes for itself) and "
                    "the calibrator a validation split carved from them (--val-fraction " +
                    std::to_string(cfg.val_fraction) + "): give at least 2 train perturbers");
  if (val.empty() || sub.empty())
    throw ps::Error("KNN evaluation (" + label + "): split '" + cfg.train_split + "' has " + std::to_string(perts.size()) +
                    " perturber(s); the calibrator needs a validation split carved from them (--val-fraction " +
                    std::to_string(cfg.val_fraction) + " leaves " + (val.empty() ? "no validation" : "no training") +
                    " " + r.calibration_split + "): give more train perturbers or change --val-fraction");
  r.n_train = static_cast<int64_t>(train.size());
  r.n_val = static_cast<int64_t>(val.size());
  if (inputs_accepted) inputs_accepted();
  ctx.report(f0, label + ": validation model");
  {
    KnnModel m = other_lines ? KnnModel(g, sub, knn, *other_lines) : KnnModel(g, sub, knn);
    auto s = m.scores(val, cfg.threads);
    auto y = labels_of(val);
    r.val_auroc = metrics::auroc_per_group(s, y, target_groups(val)).mean;
    r.calibrator = metrics::Calibrator::fit(s, y, metrics::Calibrator::method_from_string(cfg.calibration));
  }
  ctx.check_cancelled();
  ctx.report(f0 + 0.5 * (f1 - f0), label + ": test predictions");
  KnnModel m = other_lines ? KnnModel(g, train, knn, *other_lines) : KnnModel(g, train, knn);
  r.preds = m.predict_many(r.test, cfg.threads, with_votes);
  r.probs.reserve(r.preds.size());
  for (const auto& p : r.preds) r.probs.push_back(r.calibrator(p.score));
  ctx.check_cancelled();
  return r;
}

}  // namespace

std::string KnnEvalConfig::to_json() const {
  nlohmann::json j = {{"cell_lines", cell_lines}, {"knn", nlohmann::json::parse(knn.to_json())},
                      {"csv", csv}, {"train_split", train_split}, {"test_split", test_split},
                      {"val_fraction", val_fraction}, {"seed", seed}, {"calibration", calibration},
                      {"threshold", threshold}, {"bootstrap", bootstrap}, {"signed_effect", signed_effect}};
  if (!holdout_cell_line.empty()) j["holdout_cell_line"] = holdout_cell_line;
  if (unseen_target_fraction > 0) j["unseen_target_fraction"] = unseen_target_fraction;
  if (cross_line_evidence) j["cross_line_evidence"] = true;
  if (!data_dir.empty()) j["data_dir"] = data_dir;
  return j.dump();
}

void KnnEvalConfig::validate() const {
  auto bad = [](const std::string& field, const std::string& rule, double v) {
    throw ps::Error("KNN evaluation: " + field + " must be " + rule + ", got " + std::to_string(v));
  };
  auto finite = [&](const std::string& field, double v) {
    if (!std::isfinite(v)) bad(field, "a finite number", v);
  };
  if (cell_lines.empty()) throw ps::Error("KNN evaluation: no cell line given");
  const auto problems = knn.validate();  // the one check of the KNN settings (the GUI's forms use it too)
  if (!problems.empty()) throw ps::Error("KNN evaluation: " + problems.front().second);
  finite("val_fraction", val_fraction);
  finite("threshold", threshold);
  if (!(val_fraction > 0 && val_fraction < 1)) bad("val_fraction", "in (0, 1)", val_fraction);
  if (!(threshold >= 0 && threshold <= 1)) bad("threshold", "in [0, 1]", threshold);
  if (bootstrap < 0) bad("bootstrap", ">= 0", bootstrap);
  if (threads < 1) bad("threads", ">= 1", threads);
  if (compare_baseline && compare_old_default) {
    const auto base = baseline_knn.validate();
    if (!base.empty()) throw ps::Error("KNN evaluation: baseline_knn: " + base.front().second);
  }
  if (!(unseen_target_fraction >= 0 && unseen_target_fraction < 1))
    bad("unseen_target_fraction", "in [0, 1)", unseen_target_fraction);
}

std::string CellLineResult::to_json() const {
  nlohmann::json j = nlohmann::json::parse(metrics::to_json(summary));
  j["cell_line"] = cell_line;
  j["n_test"] = n_test;
  j["n_train"] = n_train;
  j["n_val"] = n_val;
  j["unseen_test_targets"] = unseen_targets;
  j["unresolved_genes"] = unresolved;  // symbols neither current nor an unambiguous alias
  j["aliases_kept_distinct"] = kept_distinct;  // e.g. "TRAC (alias of NCOR2, which is also in the data)"
  j["val_auroc_per_gene"] = num(val_auroc_per_gene);
  j["setting"] = setting;
  j["calibration_split"] = calibration_split;
  // The calibrator in brief (the isotonic steps are many): method, and Platt's a, b or the step count.
  auto cal = nlohmann::json::parse(calibrator_json);
  if (cal.contains("blocks")) cal["blocks"] = cal["blocks"].size();
  j["calibrator"] = cal;
  if (sign.evaluated) {
    j["signed"] = {{"n_test", sign.n_test},
                   {"sign_accuracy", num(sign.sign_accuracy)},
                   {"sign_accuracy_ci", {num(sign.sign_accuracy_ci.lo), num(sign.sign_accuracy_ci.hi)}},
                   {"majority_accuracy", num(sign.majority_accuracy)},
                   {"auroc_per_gene", num(sign.auroc_per_gene)}};
  }
  if (baseline.evaluated) {
    const std::string baseline_name = "baseline_" + baseline.name;
    j[baseline_name] = {{"auroc_per_gene", num(baseline.auroc_per_gene)},
                                 {"difference", num(baseline.difference)},
                                 {"difference_ci", {num(baseline.difference_ci.lo), num(baseline.difference_ci.hi)}}};
  }
  j["seconds"] = seconds;
  return j.dump();
}

std::string KnnEvalResult::to_json() const {
  if (cells.size() == 1) {
    auto j = nlohmann::json::parse(cells[0].to_json());
    j["graph_seconds"] = graph_seconds;
    j["seconds"] = seconds;
    return j.dump();
  }
  nlohmann::json j;
  j["cells"] = nlohmann::json::array();
  for (const auto& c : cells) j["cells"].push_back(nlohmann::json::parse(c.to_json()));
  j["graph_seconds"] = graph_seconds;
  j["graph_from_cache"] = graph_from_cache;
  j["seconds"] = seconds;
  return j.dump();
}

KnnEvalResult run_knn_evaluation(const KnnEvalConfig& cfg, ps::jobs::JobContext& ctx) {
  const auto t0 = Clock::now();
  cfg.validate();  // before the graph is loaded
  ctx.report(0, "loading the knowledge graph");
  const std::string dir = cfg.data_dir.empty() ? ps::require_data().dir : ps::require_data(cfg.data_dir).dir;
  LoadReport rep;
  KnowledgeGraph g = load_or_build(GraphInputs::from_data_dir(dir), {}, cfg.cache_dir, &rep);
  ctx.check_cancelled();
  KnnEvalConfig c = cfg;
  c.data_dir = dir;
  KnnEvalResult r = run_knn_evaluation(c, g, ctx);
  r.graph_seconds = rep.seconds;
  r.graph_from_cache = rep.from_cache;
  r.seconds = since(t0);
  return r;
}

KnnEvalResult run_knn_evaluation(const KnnEvalConfig& cfg, const KnowledgeGraph& g, ps::jobs::JobContext& ctx) {
  const auto t0 = Clock::now();
  cfg.validate();
  const std::string dir = cfg.data_dir.empty() ? ps::require_data().dir : ps::require_data(cfg.data_dir).dir;
  auto resolver = data::SymbolResolver::load(dir);
  KnnEvalResult out;
  const double per_cell = 1.0 / cfg.cell_lines.size();
  for (size_t ci = 0; ci < cfg.cell_lines.size(); ++ci) {
    const auto tc = Clock::now();
    const std::string& cell = cfg.cell_lines[ci];
    if (cfg.on_cell_start) cfg.on_cell_start(cell, ci);
    ctx.check_cancelled();  // here, not after the last line: a complete result is returned
    const double f0 = ci * per_cell;
    ctx.report(f0, cell + ": loading items");
    data::Dataset ds;
    if (!cfg.csv.empty()) {
      data::LoadOptions opt;
      opt.cell_line = cell;
      opt.allowed_splits.clear();
      opt.resolver = &resolver;
      ds = data::load_perturbqa_csv(cfg.csv, opt);
      // A split name that is not in the file: said with the file and the names it has.
      std::set<std::string> names;
      for (const auto& it : ds.items) names.insert(it.split);
      for (const std::string* want : {&cfg.train_split, &cfg.test_split})
        if (!names.count(*want)) {
          std::string have;
          for (const auto& n : names) have += (have.empty() ? "" : ", ") + n;
          throw ps::Error(ps::where(cfg.csv, 0, "no rows with split '" + *want + "' (the file's splits: " +
                                                    (have.empty() ? "none" : have) + "; see --train-split, --test-split)"));
        }
    } else {
      ds.items = load_holdout_items(dir, cell, "de", !cfg.holdout_cell_line.empty(), &resolver, &ds.unresolved);
    }
    if (cfg.unseen_target_fraction > 0)
      ds.items = carve_unseen_targets(ds.items, cfg.unseen_target_fraction, cfg.seed, cfg.train_split);
    CellLineResult cr;
    cr.cell_line = cell;
    cr.unresolved = ds.unresolved;
    cr.setting = !cfg.holdout_cell_line.empty() ? "cross-cell-line" : cfg.unseen_target_fraction > 0 ? "unseen-targets"
                                                                                                    : "official";
    std::vector<data::Item> others;
    if (cfg.cross_line_evidence) {
      others = other_line_items(dir, cell, "de", &resolver);
      cr.setting = "cross-line-evidence";
    }
    cr.kept_distinct = ds.kept_distinct;
    const double f_de_end = f0 + per_cell * (cfg.signed_effect && cfg.csv.empty() ? 0.6 : 0.9);
    auto run = run_task(g, ds.items, cfg, cfg.knn, cfg.keep_predictions, ctx, f0, f_de_end, cell,
                        cfg.cross_line_evidence ? &others : nullptr, [&] {
                          if (cfg.on_cell_inputs_ready) cfg.on_cell_inputs_ready(cell, ci);
                        });
    cr.n_train = run.n_train;
    cr.n_val = run.n_val;
    cr.n_test = static_cast<int64_t>(run.test.size());
    cr.val_auroc_per_gene = run.val_auroc;
    cr.calibration_split = run.calibration_split;
    cr.calibrator_json = run.calibrator.to_json();
    for (const auto& p : run.preds) cr.unseen_targets += !p.target_seen;
    ctx.report(f_de_end, cell + ": metrics and bootstrap");
    metrics::SummaryOptions so;
    so.threshold = cfg.threshold;
    so.bootstrap_resamples = cfg.bootstrap;
    so.seed = cfg.seed;
    so.threads = cfg.threads;
    cr.summary = metrics::summarize_binary(run.probs, labels_of(run.test), target_groups(run.test), so);
    if (cfg.keep_predictions) {
      cr.predictions.reserve(run.test.size());
      for (size_t i = 0; i < run.test.size(); ++i)
        cr.predictions.push_back({run.test[i].pert, run.test[i].gene, run.test[i].label, run.preds[i].score,
                                  run.probs[i], trace_of(g, run.preds[i], "de")});
    }
    ctx.check_cancelled();
    if (cfg.compare_baseline) {
      ctx.report(f0 + 0.65 * per_cell, cell + ": STRING-only baseline");
      KnnConfig base = cfg.knn;
      base.sources = SourceWeights::only(Source::String);
      base.target_k = 0;
      base.beta = 0;
      base.gamma = 0;
      base.combiner = "linear";
      if (cfg.compare_old_default) base = cfg.baseline_knn;
      auto br = run_task(g, ds.items, cfg, base, false, ctx, f0 + 0.65 * per_cell, f0 + 0.7 * per_cell, cell + " baseline");
      // Same items and labels, so the same genes are used, in the same order.
      auto y = labels_of(run.test);
      auto groups = target_groups(run.test);
      auto ours = metrics::auroc_per_group(run.probs, y, groups), theirs = metrics::auroc_per_group(br.probs, y, groups);
      std::vector<double> diff(ours.values.size());
      for (size_t i = 0; i < diff.size(); ++i) diff[i] = ours.values[i] - theirs.values[i];
      cr.baseline.evaluated = true;
      cr.baseline.old_default = cfg.compare_old_default;
      if (cfg.compare_old_default) cr.baseline.name = cfg.baseline_name;
      cr.baseline.auroc_per_gene = theirs.mean;
      cr.baseline.difference = ours.mean - theirs.mean;
      if (cfg.bootstrap > 0 && !diff.empty())
        cr.baseline.difference_ci = metrics::bootstrap_cis(
            diff.size(), 1,
            [&](const std::vector<double>& w, std::vector<double>& o) {
              double s = 0, n = 0;
              for (size_t i = 0; i < w.size(); ++i) s += w[i] * diff[i], n += w[i];
              o[0] = s / n;
            },
            cfg.bootstrap, cfg.seed, 0.95, 1)[0];
    }
    if (cfg.signed_effect && cfg.csv.empty()) {
      // Up/down on the DE pairs: the same predictor on the direction labels.
      ctx.report(f0 + 0.7 * per_cell, cell + ": signed effect");
      data::Dataset dir_ds;
      dir_ds.items = load_holdout_items(dir, cell, "dir", !cfg.holdout_cell_line.empty(), &resolver, nullptr);
      if (cfg.unseen_target_fraction > 0)
        dir_ds.items = carve_unseen_targets(dir_ds.items, cfg.unseen_target_fraction, cfg.seed, cfg.train_split);
      KnnEvalConfig dc = cfg;
      dc.calibration = "isotonic";
      std::vector<data::Item> dir_others;
      if (cfg.cross_line_evidence) dir_others = other_line_items(dir, cell, "dir", &resolver);
      auto sr = run_task(g, dir_ds.items, dc, cfg.knn, false, ctx, f0 + 0.7 * per_cell, f0 + 0.9 * per_cell, cell + " dir",
                         cfg.cross_line_evidence ? &dir_others : nullptr);
      auto y = labels_of(sr.test);
      auto train = data::select_split(dir_ds.items, cfg.train_split);
      double up = 0;
      for (const auto& it : train) up += it.label;
      const int majority = up * 2 >= train.size() ? 1 : 0;
      std::vector<double> correct(y.size());
      double n_correct = 0, n_major = 0;
      for (size_t i = 0; i < y.size(); ++i) {
        correct[i] = ((sr.probs[i] >= 0.5) == (y[i] == 1)) ? 1.0 : 0.0;
        n_correct += correct[i];
        n_major += (y[i] == majority);
      }
      cr.sign.evaluated = true;
      cr.sign.n_test = static_cast<int64_t>(y.size());
      cr.sign.sign_accuracy = y.empty() ? std::nan("") : n_correct / y.size();
      cr.sign.majority_accuracy = y.empty() ? std::nan("") : n_major / y.size();
      cr.sign.auroc_per_gene = metrics::auroc_per_group(sr.probs, y, target_groups(sr.test)).mean;
      if (cfg.bootstrap > 0 && !y.empty()) {
        cr.sign.sign_accuracy_ci = metrics::bootstrap_cis(
            y.size(), 1,
            [&](const std::vector<double>& w, std::vector<double>& o) {
              double s = 0, n = 0;
              for (size_t i = 0; i < w.size(); ++i) s += w[i] * correct[i], n += w[i];
              o[0] = s / n;
            },
            cfg.bootstrap, cfg.seed, 0.95, cfg.threads)[0];
      }
    }
    cr.seconds = since(tc);
    out.cells.push_back(std::move(cr));
    if (cfg.on_cell_done) cfg.on_cell_done(out.cells.back());
  }
  ctx.report(1, "done");
  out.seconds = since(t0);
  return out;
}

namespace {

nlohmann::json cell_config(const KnnEvalConfig& cfg, const std::string& cell_line) {
  nlohmann::json conf = nlohmann::json::parse(cfg.to_json());
  conf["cell_lines"] = {cell_line};
  return conf;
}

std::string run_name(const KnnEvalConfig& cfg, const std::string& cell_line) {
  return "knn " + cell_line + " k=" + std::to_string(cfg.knn.k) + " " + cfg.knn.sources.to_string();
}

int64_t create_knn_run(ps::store::Store& store, const KnnEvalConfig& cfg, const std::string& cell_line) {
  return store.create_run("knn", run_name(cfg, cell_line), cell_config(cfg, cell_line).dump());
}

// Fills a created run with a finished cell line's result; on an error marks it failed and rethrows.
void fill_knn_run(ps::store::Store& store, int64_t id, const KnnEvalConfig& cfg, const CellLineResult& c) {
  try {
    store.set_summary(id, c.to_json());
    // An undefined metric (AUROC with one class only, precision with no predicted positive, recall and
    // F1 with no positive at all) is NaN here and SQL NULL in the store.
    std::vector<ps::store::MetricPoint> pts = {{0, "auroc_per_gene", c.summary.auroc_per_gene},
                                               {0, "auroc_pooled", c.summary.auroc_pooled},
                                               {0, "f1", c.summary.at_threshold.f1},
                                               {0, "precision", c.summary.at_threshold.precision},
                                               {0, "recall", c.summary.at_threshold.recall},
                                               {0, "brier", c.summary.brier},
                                               {0, "ece", c.summary.ece}};
    if (c.sign.evaluated) pts.push_back({0, "sign_accuracy", c.sign.sign_accuracy});
    for (auto& p : pts)
      if (!std::isfinite(p.value)) p.value = std::nan("");
    store.log_metrics(id, pts);
    std::vector<ps::store::Prediction> preds;
    preds.reserve(c.predictions.size());
    for (const auto& p : c.predictions) {
      ps::store::Prediction sp;
      sp.item_key = c.cell_line + "|" + p.perturber + "|" + p.target;
      sp.cell_line = c.cell_line;
      sp.perturber = p.perturber;
      sp.target = p.target;
      sp.label = p.label;
      sp.prediction = p.probability >= cfg.threshold ? 1 : 0;
      sp.confidence = p.probability;
      sp.trace = p.trace;
      preds.push_back(std::move(sp));
    }
    store.add_predictions(id, preds);
    store.set_status(id, ps::store::RunStatus::Finished);
  } catch (const std::exception& e) {
    store.set_status(id, ps::store::RunStatus::Failed, e.what());
    throw;
  } catch (...) {
    store.set_status(id, ps::store::RunStatus::Failed, "unknown error");
    throw;
  }
}

void mark_unfinished(ps::store::Store& store, int64_t id, ps::store::RunStatus status, const std::string& message) {
  nlohmann::json summary = {{"status", ps::store::to_string(status)}};
  if (!message.empty()) summary["message"] = message;
  store.set_summary(id, summary.dump());
  store.set_status(id, status, message);
}

}  // namespace

int64_t store_knn_run(ps::store::Store& store, const KnnEvalConfig& cfg, const CellLineResult& c) {
  const int64_t id = create_knn_run(store, cfg, c.cell_line);
  fill_knn_run(store, id, cfg, c);
  return id;
}

int64_t record_unfinished_knn_run(ps::store::Store& store, const KnnEvalConfig& cfg, const std::string& cell_line,
                                  ps::store::RunStatus status, const std::string& message) {
  const int64_t id = create_knn_run(store, cfg, cell_line);
  mark_unfinished(store, id, status, message);
  return id;
}

KnnEvalResult run_and_store_knn_evaluation(const KnnEvalConfig& cfg, const KnowledgeGraph* graph,
                                           ps::store::Store& store, ps::jobs::JobContext& ctx, KnnStoredRuns& runs,
                                           const std::string& cancel_reason) {
  cfg.validate();  // a bad configuration leaves no run
  const size_t n = cfg.cell_lines.size();
  const auto owner = std::this_thread::get_id();
  int64_t current = 0;  // the running line's run; 0 between a finished line and the next one
  size_t current_index = 0;
  std::string current_cell;
  bool accepted = false;  // the running line's inputs were accepted (an error now is a failure)
  auto start_line = [&](const std::string& cell, size_t index) {
    if (current != 0 && index == current_index) return;  // the first line's run, created up front
    current = create_knn_run(store, cfg, cell);
    current_index = index;
    current_cell = cell;
    accepted = false;
  };
  KnnEvalConfig c = cfg;
  c.on_cell_start = [&](const std::string& cell, size_t index) {
    start_line(cell, index);
    if (cfg.on_cell_start) cfg.on_cell_start(cell, index);
  };
  c.on_cell_inputs_ready = [&](const std::string& cell, size_t index) {
    accepted = true;
    if (cfg.on_cell_inputs_ready) cfg.on_cell_inputs_ready(cell, index);
  };
  c.on_cell_done = [&](const CellLineResult& cell) {
    fill_knn_run(store, current, cfg, cell);
    runs.finished.push_back(current);
    current = 0;
    if (cfg.on_cell_done) cfg.on_cell_done(cell);
  };
  // The job's progress goes on to the caller's context and, as the fraction of the running line,
  // into that line's run. Reports come from the evaluating thread; the store is only written there.
  ps::jobs::JobContext inner([&](const ps::jobs::Progress& p) {
    if (current != 0 && std::this_thread::get_id() == owner) {
      const double line = p.fraction < 0 ? std::nan("") : std::clamp(p.fraction * n - current_index, 0.0, 1.0);
      store.set_progress(current, line, p.message);
    }
    ctx.report(p.fraction, p.message);
  });
  inner.follow(&ctx);
  auto unfinished = [&](ps::store::RunStatus status, const std::string& message) {
    if (current == 0) return;
    const int64_t id = current;
    current = 0;
    if (status == ps::store::RunStatus::Failed && !accepted) {
      store.delete_run(id);  // a refused input: the error says why, and the line never ran
      return;
    }
    mark_unfinished(store, id, status, message);
    runs.unfinished = id;
    runs.unfinished_cell_line = current_cell;
  };
  try {
    start_line(cfg.cell_lines.front(), 0);  // the job shows up at once, also while the graph loads
    KnnEvalResult r = graph ? run_knn_evaluation(c, *graph, inner) : run_knn_evaluation(c, inner);
    return r;
  } catch (const ps::jobs::Cancelled&) {
    try {
      unfinished(ps::store::RunStatus::Cancelled, cancel_reason + " during " + current_cell);
    } catch (...) {  // the cancel is what the caller must see; the store's own error is secondary
    }
    throw;
  } catch (const std::exception& e) {
    try {
      unfinished(ps::store::RunStatus::Failed, e.what());
    } catch (...) {  // the original error is the one to report
    }
    throw;
  } catch (...) {
    try {
      unfinished(ps::store::RunStatus::Failed, "unknown error");
    } catch (...) {
    }
    throw;
  }
}

std::vector<int64_t> store_knn_runs(ps::store::Store& store, const KnnEvalConfig& cfg, const KnnEvalResult& result) {
  std::vector<int64_t> ids;
  for (const auto& c : result.cells) ids.push_back(store_knn_run(store, cfg, c));
  return ids;
}

}  // namespace ps::kg
