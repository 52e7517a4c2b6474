#include "kg_service.h"

#include <QTimer>

#include "async.h"
#include "common/error.h"
#include "common/paths.h"
#include "data/symbols.h"
#include "kg/build.h"

namespace ps::gui {

KgService::KgService(QObject* parent) : QObject(parent) {}

void KgService::load(const QString& data_dir) {
  if (graph_ || loading_) return;
  loading_ = true;
  const std::string explicit_dir = data_dir.toStdString();
  struct Loaded {
    std::shared_ptr<const ps::kg::KnowledgeGraph> graph;
    std::shared_ptr<const ps::kg::GeneLookup> lookup;
    QString dir;
  };
  run_async<Loaded>(this, [explicit_dir] {
    const ps::DataLocation where = ps::require_data(explicit_dir);
    const auto inputs = ps::kg::GraphInputs::from_data_dir(where.dir);
    std::shared_ptr<const ps::kg::KnowledgeGraph> graph = std::make_shared<ps::kg::KnowledgeGraph>(ps::kg::load_or_build(inputs));
    // The lookup refers to the graph: its deleter holds the graph alive as long as it lives.
    std::shared_ptr<const ps::kg::GeneLookup> lookup(new ps::kg::GeneLookup(*graph, inputs.gene_alias),
                                                     [graph](const ps::kg::GeneLookup* p) { delete p; });
    return Loaded{std::move(graph), std::move(lookup), QString::fromStdString(where.dir)};
  }, [this](Loaded loaded) {
    loading_ = false;
    graph_ = std::move(loaded.graph);
    lookup_ = std::move(loaded.lookup);
    data_dir_ = loaded.dir;
    predictor_ = std::make_shared<PairPredictor>(graph_, data_dir_.toStdString());
    emit ready();
  }, [this](QString error) {
    loading_ = false;
    error_ = error;
    emit failed(error);
  });
}

void KgService::request_cell_line(const QString& cell) {
  const QString key = cell.toLower();
  if (cells_.contains(key)) {
    QTimer::singleShot(0, this, [this, key] { emit cell_line_ready(key); });
    return;
  }
  if (cells_loading_.contains(key) || data_dir_.isEmpty()) return;
  cells_loading_.insert(key);
  const std::string dir = data_dir_.toStdString(), c = key.toStdString();
  run_async<std::shared_ptr<const CellLineData>>(this, [dir, c] { return load_cell_line_data(dir, c); }, [this, key](std::shared_ptr<const CellLineData> data) {
    cells_loading_.remove(key);
    cells_.insert(key, std::move(data));
    emit cell_line_ready(key);
  }, [this, key](QString error) {
    cells_loading_.remove(key);
    emit failed(error);
  });
}

std::shared_ptr<const CellLineData> load_cell_line_data(const std::string& dir, const std::string& c) {
  const auto resolver = ps::data::SymbolResolver::load(dir);
  ps::data::Dataset ds = ps::data::load_perturbqa(dir, c, "de", &resolver);
  auto data = std::make_shared<CellLineData>();
  data->cell_line = QString::fromStdString(c);
  for (auto& item : ds.items) {
    if (item.split == "train") {
      data->seen_targets.insert(QString::fromStdString(c + "|" + item.gene));
      data->train.push_back(std::move(item));
    } else {
      data->test.push_back(std::move(item));
    }
  }
  return data;
}

PairPrediction PairPredictor::predict(const QString& cell_line, const QString& perturber, const QString& target,
                                      const ps::kg::KnnConfig& config) {
  const auto& g = graph_;
  const std::string cell = cell_line.toLower().toStdString();
  const auto problems = config.validate();
  if (!problems.empty()) throw ps::Error("KNN settings: " + problems.front().second);
  std::shared_ptr<const CellLineData> data;
  std::shared_ptr<const ps::kg::KnnModel> model;
  {
    // One model per cell line and settings, built once; holding the lock while building
    // keeps two clicks from building it twice.
    std::lock_guard<std::mutex> lock(mu_);
    auto& cell_data = cells_[cell];
    if (!cell_data) cell_data = load_cell_line_data(data_dir_, cell);
    auto& slot = models_[{cell, config.to_json()}];
    if (!slot) slot = std::make_shared<ps::kg::KnnModel>(*g, cell_data->train, config);
    data = cell_data;
    model = slot;
  }
  const auto pert = g->find(perturber.toStdString()), tgt = g->find(target.toStdString());
  const std::string p = pert ? g->symbol(*pert) : perturber.toStdString();
  const std::string t = tgt ? g->symbol(*tgt) : target.toStdString();
  const ps::kg::KnnPrediction kp = model->predict(p, t);
  PairPrediction out;
  out.score = kp.score;
  out.base_rate = kp.base_rate;
  out.n_votes = kp.n_votes;
  out.target_seen = kp.target_seen;
  for (const auto& v : kp.votes)
    out.votes.emplace_back(QString::fromStdString(g->symbol(v.neighbour)), v.label, v.weight);
  for (const auto* items : {&data->train, &data->test})
    for (const auto& item : *items)
      if (item.pert == p && item.gene == t) {
        out.label = item.label;
        out.split = QString::fromStdString(item.split);
      }
  return out;
}

QString KgService::evidence_html(const QString& a, const QString& b) const {
  if (!graph_) return tr("<p><i>The knowledge graph is still loading.</i></p>");
  return ps::gui::evidence_html(*graph_, a, b);
}

QString evidence_html(const ps::kg::KnowledgeGraph& g, const QString& a, const QString& b) {
  const auto ga = g.find(a.toStdString()), gb = g.find(b.toStdString());
  if (!ga || !gb)
    return QObject::tr("<p>%1 is not in the knowledge graph.</p>").arg((!ga ? a : b).toHtmlEscaped());
  return evidence_to_html(g, *ga, *gb, g.evidence(*ga, *gb, 10));
}

QString evidence_to_html(const ps::kg::KnowledgeGraph& g, ps::kg::GeneId a, ps::kg::GeneId b, const ps::kg::Evidence& e) {
  const QString sa = QString::fromStdString(g.symbol(a)).toHtmlEscaped(), sb = QString::fromStdString(g.symbol(b)).toHtmlEscaped();
  QString html = QObject::tr("<h4>%1 — %2 in the knowledge graph</h4>").arg(sa, sb);
  html += QObject::tr("<p>STRING %1 · GO %2 · Reactome %3</p>")
              .arg(e.score[0], 0, 'f', 3)
              .arg(e.score[1], 0, 'f', 3)
              .arg(e.score[2], 0, 'f', 3);
  if (!e.string_channels.empty()) {
    QStringList ch;
    for (const auto& [name, value] : e.string_channels) ch << QString("%1 %2").arg(QString::fromStdString(name)).arg(value);
    html += QObject::tr("<p><b>STRING channels:</b> %1</p>").arg(ch.join(", "));
  }
  if (!e.go_terms.empty()) {
    html += QObject::tr("<p><b>Shared GO terms</b> (most informative first):</p><ul>");
    for (const auto& t : e.go_terms) {
      const auto& term = g.go_term(t.term);
      QString codes;
      if (!t.evidence_a.empty() || !t.evidence_b.empty())
        codes = QString(" <small>[%1/%2]</small>").arg(QString::fromStdString(t.evidence_a.empty() ? "–" : t.evidence_a),
                                                        QString::fromStdString(t.evidence_b.empty() ? "–" : t.evidence_b));
      html += QString("<li>%1 <small>%2 %3, IC %4</small>%5</li>")
                  .arg(QString::fromStdString(term.name).toHtmlEscaped(), QString::fromStdString(term.id),
                       QString::fromStdString(term.ontology))
                  .arg(t.ic, 0, 'f', 2)
                  .arg(codes);
    }
    html += "</ul>";
  }
  if (!e.pathways.empty()) {
    html += QObject::tr("<p><b>Shared Reactome pathways</b> (smallest first):</p><ul>");
    for (const auto& p : e.pathways)
      html += QObject::tr("<li>%1 <small>%2, %3 genes</small></li>")
                  .arg(QString::fromStdString(g.pathway(p.pathway).name).toHtmlEscaped(), QString::fromStdString(g.pathway(p.pathway).id))
                  .arg(p.size);
    html += "</ul>";
  }
  if (e.string_channels.empty() && e.go_terms.empty() && e.pathways.empty())
    html += QObject::tr("<p><i>No direct evidence joins these genes.</i></p>");
  return html;
}

}  // namespace ps::gui
