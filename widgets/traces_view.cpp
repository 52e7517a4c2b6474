#include "traces_view.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <tuple>
#include <map>
#include <set>
#include <nlohmann/json.hpp>

#include "async.h"
#include "export.h"
#include "number_format.h"
#include "traces_model.h"

namespace ps::gui {

namespace {
QString pre(const QString& text) { return "<pre style='white-space:pre-wrap'>" + text.toHtmlEscaped() + "</pre>"; }

struct Loaded {
  QString kind;
  std::vector<ps::store::Prediction> predictions;
  std::vector<ps::store::RolloutSample> rollouts;
  std::map<std::string, TracesView::KnnBeside> knn;
};
}  // namespace

TracesView::TracesView(const QString& store_path, QWidget* parent)
    : QWidget(parent), path_(store_path), model_(new TracesModel(this)), filter_(new TracesFilter(this)) {
  filter_->setSourceModel(model_);
  quick_ = new QComboBox;
  quick_->setObjectName("trace_quick");
  quick_->addItem(tr("All items"), TracesFilter::All);
  quick_->addItem(tr("Confident and wrong"), TracesFilter::ConfidentAndWrong);
  quick_->addItem(tr("Parse failures"), TracesFilter::ParseFailures);
  quick_->addItem(tr("Changed by TTC"), TracesFilter::ChangedByTtc);
  gene_ = new QLineEdit;
  gene_->setObjectName("trace_gene");
  gene_->setPlaceholderText(tr("Gene or cell line…"));
  gene_->setClearButtonEnabled(true);
  count_ = new QLabel;
  ttc_note_ = new QLabel;
  ttc_note_->setObjectName("trace_ttc_note");
  ttc_note_->setWordWrap(true);
  ttc_note_->hide();
  table_ = new QTableView;
  table_->setObjectName("trace_table");
  table_->setModel(filter_);
  table_->setSortingEnabled(true);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->horizontalHeader()->setStretchLastSection(true);
  // Column widths from the first 100 rows: measuring Qt's default 1,000 rows of a run's predictions
  // took ~180 ms of the GUI thread each time a run opened.
  table_->horizontalHeader()->setResizeContentsPrecision(100);
  table_->verticalHeader()->hide();
  item_ = new QTextBrowser;
  item_->setObjectName("trace_item");
  item_->setPlaceholderText(tr("Select an item to see its prompt, reasoning and answer"));
  rollouts_ = new QTableWidget;
  rollouts_->setObjectName("rollouts");
  rollouts_->setWordWrap(true);
  step_ = new QSpinBox;
  step_->setObjectName("rollout_step");
  step_->setPrefix(tr("step "));
  rollout_note_ = new QLabel;

  auto* bar = new QHBoxLayout;
  bar->addWidget(new QLabel(tr("Show")));
  bar->addWidget(quick_);
  bar->addWidget(gene_, 1);
  bar->addWidget(count_);
  auto* top = new QWidget;
  auto* tl = new QVBoxLayout(top);
  tl->setContentsMargins(0, 0, 0, 0);
  tl->addLayout(bar);
  tl->addWidget(ttc_note_);
  tl->addWidget(table_);

  auto* rollout_page = new QWidget;
  auto* rl = new QVBoxLayout(rollout_page);
  auto* rbar = new QHBoxLayout;
  rbar->addWidget(step_);
  rbar->addWidget(rollout_note_, 1);
  rl->addLayout(rbar);
  rl->addWidget(rollouts_);
  tabs_ = new QTabWidget;
  tabs_->addTab(item_, tr("Item"));
  tabs_->addTab(rollout_page, tr("GRPO rollouts"));
  tabs_->setTabEnabled(1, false);

  auto* split = new QSplitter(Qt::Vertical);
  split->addWidget(top);
  split->addWidget(tabs_);
  split->setStretchFactor(1, 1);
  auto* lay = new QVBoxLayout(this);
  lay->addWidget(split);

  auto update_count = [this] {
    count_->setText(tr("%1 of %2 items").arg(filter_->rowCount()).arg(model_->rowCount()));
  };
  connect(quick_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this, update_count] {
    filter_->set_quick(TracesFilter::Quick(quick_->currentData().toInt()));
    update_count();
  });
  connect(gene_, &QLineEdit::textChanged, this, [this, update_count](const QString& t) {
    filter_->set_gene(t);
    update_count();
  });
  connect(model_, &QAbstractItemModel::modelReset, this, update_count);
  connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] { show_current(); });
  connect(filter_, &QAbstractItemModel::modelReset, this, [this] { show_current(); });
  connect(filter_, &QAbstractItemModel::layoutChanged, this, [this] { show_current(); });
  connect(step_, qOverload<int>(&QSpinBox::valueChanged), this, [this] { show_rollouts(); });
  update_count();
}

void TracesView::open_ttc_point(const TtcSelection& s) {
  open_run(s.run_id);
  filter_->set_below_tau(s.below_tau);
  const QString point = s.selective ? tr("%1 selective at tau %2").arg(s.strategy, format_number(s.tau, 2))
                                    : tr("%1 uniform").arg(s.strategy);
  if (!s.stored)
    ttc_note_->setText(tr("TTC point %1: the store keeps another strategy's predictions of this run; all items shown, "
                          "with that strategy's rounds.").arg(point));
  else if (s.below_tau)
    ttc_note_->setText(tr("TTC point %1: the items whose greedy confidence is below %2 (given extra compute); "
                          "the others keep their greedy answer (round 1).").arg(point, format_number(*s.below_tau, 2)));
  else
    ttc_note_->setText(tr("TTC point %1: all items.").arg(point));
  ttc_note_->show();
}

void TracesView::open_run(qint64 run_id) {
  filter_->set_below_tau(std::nullopt);
  ttc_note_->hide();
  ttc_note_->clear();
  const int request = ++request_;
  const QString path = path_;
  run_async<Loaded>(
      this,
      [path, run_id] {
        ps::store::Store st(path.toStdString());
        Loaded l;
        if (auto r = st.get_run(run_id)) l.kind = QString::fromStdString(r->kind);
        l.predictions = st.predictions(run_id);
        if (l.kind == "grpo" || l.kind == "pipeline") l.rollouts = st.rollouts(run_id);
        if (l.kind != "knn") {
          // the newest finished KNN-KG run per cell line, for the pairs of this run
          std::map<std::string, bool> wanted;  // item key -> found
          std::set<std::string> cells;
          for (const auto& p : l.predictions) wanted[p.item_key] = false, cells.insert(p.cell_line);
          std::set<std::string> done_cells;
          for (const auto& r : st.list_runs()) {  // newest first
            if (r.kind != "knn" || r.status != ps::store::RunStatus::Finished) continue;
            if (done_cells.size() == cells.size()) break;
            bool any = false;
            for (const auto& k : st.predictions(r.id)) {
              auto it = wanted.find(k.item_key);
              if (it == wanted.end() || it->second) continue;
              it->second = any = true;
              l.knn[k.item_key] = TracesView::KnnBeside{r.id, k.confidence, k.label};
              done_cells.insert(k.cell_line);
            }
            (void)any;
          }
        }
        return l;
      },
      [this, request, run_id](Loaded l) {
        if (request != request_) return;  // a newer run was opened meanwhile
        kind_ = l.kind;
        rollout_samples_ = std::move(l.rollouts);
        knn_ = std::move(l.knn);
        item_->clear();
        model_->set_predictions(run_id, std::move(l.predictions));
        table_->resizeColumnsToContents();
        tabs_->setTabEnabled(1, !rollout_samples_.empty());
        int64_t lo = 0, hi = 0;
        if (!rollout_samples_.empty()) {
          lo = hi = rollout_samples_.front().step;
          for (const auto& s : rollout_samples_) lo = std::min(lo, s.step), hi = std::max(hi, s.step);
        }
        step_->setRange(int(lo), int(hi));
        step_->setValue(int(lo));
        show_rollouts();
        emit loaded(run_id);
      },
      [this](const QString& error) { item_->setPlainText(tr("Cannot read the run: %1").arg(error)); });
}

void TracesView::export_csv() {
  ExportDialog dialog(QString("traces_run%1").arg(model_->run_id()), false, this);
  if (dialog.exec() != QDialog::Accepted) return;
  QString error;
  if (!ps::gui::export_csv(filter_, dialog.path(), &error)) QMessageBox::warning(this, tr("Export failed"), error);
  else report_saved(this, dialog.path());
}

void TracesView::select_row(int proxy_row) {
  if (proxy_row < 0 || proxy_row >= filter_->rowCount()) return;
  table_->selectionModel()->setCurrentIndex(filter_->index(proxy_row, 0),
                                            QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
  show_current();
}

void TracesView::show_current() {
  const QModelIndex cur = table_->selectionModel()->currentIndex();
  if (!cur.isValid() || !filter_->mapToSource(cur).isValid()) {
    item_->clear();  // the selection follows the table, never a stale item
    return;
  }
  const int row = filter_->mapToSource(cur).row();
  const auto& p = model_->prediction(row);
  auto knn = knn_.find(p.item_key);
  item_->setHtml(item_html(p, kind_, knn == knn_.end() ? nullptr : &knn->second));
  tabs_->setCurrentIndex(0);
}

QString TracesView::item_html(const ps::store::Prediction& p, const QString& kind, const KnnBeside* knn) {
  QString h;
  h += "<h3>" + QString::fromStdString(p.cell_line + " · " + p.perturber + " → " + p.target).toHtmlEscaped() + "</h3>";
  // parsed answer first: what the model said, against the label
  h += "<h4>" + tr("Parsed answer") + "</h4><p>";
  if (!p.parse_failure.empty()) {
    h += tr("No answer parsed: <b>%1</b>").arg(parse_failure_label(QString::fromStdString(p.parse_failure)).toHtmlEscaped());
  } else if (std::isfinite(p.prediction)) {
    h += tr("Predicted: <b>%1</b>").arg(p.prediction >= 0.5 ? tr("DE") : tr("not DE"));
  }
  h += "<br>" + tr("P(DE): %1").arg(std::isfinite(p.confidence) ? format_number(p.confidence, 3) : tr("undefined"));
  h += "<br>" + tr("Label: %1").arg(p.label < 0 ? tr("unknown") : p.label ? tr("DE") : tr("not DE"));
  h += "<br>" + tr("Tokens: %1").arg(p.tokens);
  const auto details = nlohmann::json::parse(p.details_json, nullptr, false);
  if (details.is_object() && details.contains("finish_reason") && details["finish_reason"].is_string())
    h += "<br>" + tr("Finish reason: %1").arg(QString::fromStdString(details["finish_reason"].get<std::string>()).toHtmlEscaped());
  h += "</p>";
  // the KNN-KG prediction of the same pair, beside it
  h += "<p>";
  if (knn) {
    const bool de = knn->p_de >= 0.5;
    h += tr("KNN-KG (run %1): P(DE) %2, predicts <b>%3</b>")
             .arg(knn->run)
             .arg(std::isfinite(knn->p_de) ? format_number(knn->p_de, 3) : tr("undefined"))
             .arg(de ? tr("DE") : tr("not DE"));
  } else if (kind != "knn") {
    h += "<i>" + tr("No KNN-KG run in the store predicted this pair") + "</i>";
  }
  h += "</p>";
  // reasoning: <think> apart from the answer
  const TraceParts parts = split_think(QString::fromStdString(p.trace));
  if (!parts.think.isEmpty()) {
    h += "<h4>" + (parts.unterminated ? tr("Thinking (&lt;think&gt;, never closed)") : tr("Thinking (&lt;think&gt;)")) + "</h4>";
    h += "<div style='color:#666'>" + pre(parts.think) + "</div>";
  }
  h += "<h4>" + tr("Answer text") + "</h4>" + (parts.answer.isEmpty() ? "<p><i>" + tr("(none)") + "</i></p>" : pre(parts.answer));
  // TTC rounds, each apart
  const auto rounds = ttc_rounds(p.details_json);
  for (size_t r = 0; r < rounds.size(); ++r) {
    const auto& round = rounds[r];
    h += "<h4>" + tr("TTC round %1%2 — %3 tokens").arg(r + 1).arg(round.kind.isEmpty() ? QString() : " (" + ttc_round_kind_label(round.kind).toHtmlEscaped() + ")").arg(round.tokens) + "</h4>";
    for (size_t k = 0; k < round.completions.size(); ++k) {
      const auto& c = round.completions[k];
      QString verdict = c.de ? (*c.de ? tr("DE") : tr("not DE")) : tr("unparsed (%1)").arg(parse_failure_label(c.parse_failure).toHtmlEscaped());
      if (c.confidence) verdict += ", " + tr("confidence %1").arg(format_number(*c.confidence, 2));
      h += "<p><b>" + tr("Completion %1").arg(k + 1) + "</b>: " + verdict + ", " + tr("%1 tokens").arg(c.tokens) + "</p>";
      const TraceParts cp = split_think(c.text);
      if (!cp.think.isEmpty()) h += "<div style='color:#666'>" + pre(cp.think) + "</div>";
      h += pre(cp.answer);
    }
  }
  // the prompt, with its KG evidence
  h += "<h4>" + tr("Prompt (with its KG evidence)") + "</h4>";
  h += p.prompt.empty() ? "<p><i>" + tr("(not stored: a %1 run)").arg(kind.toHtmlEscaped()) + "</i></p>" : pre(QString::fromStdString(p.prompt));
  return h;
}

void TracesView::show_rollouts() {
  rollouts_->clear();
  std::vector<const ps::store::RolloutSample*> step;
  for (const auto& s : rollout_samples_)
    if (s.step == step_->value()) step.push_back(&s);
  std::sort(step.begin(), step.end(), [](auto* a, auto* b) {
    return std::tie(a->group_index, a->sample_index) < std::tie(b->group_index, b->sample_index);
  });
  rollout_note_->setText(rollout_samples_.empty() ? tr("No rollouts stored (not a GRPO run)")
                                                   : tr("%1 completions sampled at this step").arg(step.size()));
  // rows: item, label, reward, advantage, each reward part, completion; one column per sample
  std::vector<std::string> part_names;
  for (auto* s : step) {
    auto j = nlohmann::json::parse(s->parts_json, nullptr, false);
    if (j.is_object())
      for (auto it = j.begin(); it != j.end(); ++it)
        if (std::find(part_names.begin(), part_names.end(), it.key()) == part_names.end()) part_names.push_back(it.key());
  }
  QStringList rows{tr("Item"), tr("Label"), tr("Reward"), tr("Advantage")};
  for (const auto& n : part_names) rows << QString::fromStdString(n);
  rows << tr("Completion");
  rollouts_->setRowCount(rows.size());
  rollouts_->setColumnCount(int(step.size()));
  rollouts_->setVerticalHeaderLabels(rows);
  for (int c = 0; c < int(step.size()); ++c) {
    const auto* s = step[size_t(c)];
    rollouts_->setHorizontalHeaderItem(c, new QTableWidgetItem(tr("prompt %1 · #%2").arg(s->group_index).arg(s->sample_index)));
    auto set = [&](int r, const QString& t) { rollouts_->setItem(r, c, new QTableWidgetItem(t)); };
    set(0, QString::fromStdString(s->item_key));
    set(1, s->label < 0 ? QString() : s->label ? tr("DE") : tr("not DE"));
    set(2, std::isfinite(s->reward) ? format_number(s->reward, 3) : QString());
    set(3, std::isfinite(s->advantage) ? format_number(s->advantage, 3) : QString());
    auto j = nlohmann::json::parse(s->parts_json, nullptr, false);
    for (size_t k = 0; k < part_names.size(); ++k) {
      QString t;
      if (j.is_object() && j.contains(part_names[k])) {
        const auto& v = j[part_names[k]];
        t = v.is_number() ? format_number(v.get<double>(), 3) : v.is_string() ? QString::fromStdString(v.get<std::string>())
                                                                                : QString::fromStdString(v.dump());
      }
      set(4 + int(k), t);
    }
    set(rows.size() - 1, QString::fromStdString(s->completion));
  }
  rollouts_->resizeRowsToContents();
}

}  // namespace ps::gui
