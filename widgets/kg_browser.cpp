#include "kg_browser.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCompleter>
#include <QGraphicsEllipseItem>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QMouseEvent>
#include <QPushButton>
#include <QShortcut>
#include <QWheelEvent>
#include <QSplitter>
#include <QStringListModel>
#include <QTableView>
#include <QTextBrowser>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "async.h"
#include "export.h"
#include "kg_scene.h"
#include "kg_service.h"
#include "neighbourhood_model.h"
#include "theme.h"

namespace ps::gui {


GraphView::GraphView(QGraphicsScene* scene, QWidget* parent) : QGraphicsView(scene, parent) {
  setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
  setResizeAnchor(QGraphicsView::AnchorViewCenter);
  setDragMode(QGraphicsView::ScrollHandDrag);  // pan by dragging the background
  auto* in = new QShortcut(QKeySequence::ZoomIn, this, [this] { zoom_by(1.25); });
  auto* out = new QShortcut(QKeySequence::ZoomOut, this, [this] { zoom_by(0.8); });
  auto* reset = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_0), this, [this] { fit(); });
  for (auto* sc : {in, out, reset}) sc->setContext(Qt::WidgetWithChildrenShortcut);
}

void GraphView::fit() {
  if (!scene()) return;
  resetTransform();
  fitInView(scene()->sceneRect(), Qt::KeepAspectRatio);
  zoom_ = 1;
}

void GraphView::zoom_by(double factor) {
  const double target = std::clamp(zoom_ * factor, 0.25, 40.0);
  const double step = target / zoom_;
  if (std::abs(step - 1) < 1e-9) return;
  scale(step, step);
  zoom_ = target;
}

void GraphView::wheelEvent(QWheelEvent* event) {
  const double steps = event->angleDelta().y() / 120.0;
  if (steps == 0) {
    QGraphicsView::wheelEvent(event);
    return;
  }
  zoom_by(std::pow(1.25, steps));
  event->accept();
}

void GraphView::mousePressEvent(QMouseEvent* event) {
  for (QGraphicsItem* item : items(event->pos())) {
    const QString symbol = item->data(0).toString();
    if (!symbol.isEmpty()) {
      emit gene_clicked(symbol);
      return;
    }
  }
  QGraphicsView::mousePressEvent(event);
}

void GraphView::resizeEvent(QResizeEvent* event) {
  QGraphicsView::resizeEvent(event);
  if (zoom_ == 1) fit();  // keeps the user's zoom and position
}


KgBrowser::KgBrowser(KgService* kg, QWidget* parent) : QWidget(parent), kg_(kg) {
  model_ = new NeighbourhoodModel(this);

  back_ = new QToolButton;
  back_->setIcon(QIcon(":/icons/back.svg"));
  back_->setToolTip(tr("Back (Alt+Left)"));
  back_->setShortcut(QKeySequence::Back);
  forward_ = new QToolButton;
  forward_->setIcon(QIcon(":/icons/forward.svg"));
  forward_->setToolTip(tr("Forward (Alt+Right)"));
  forward_->setShortcut(QKeySequence::Forward);
  connect(back_, &QToolButton::clicked, this, &KgBrowser::back);
  connect(forward_, &QToolButton::clicked, this, &KgBrowser::forward);

  search_ = new QLineEdit;
  search_->setObjectName("kg_search");
  search_->setPlaceholderText(tr("Gene symbol or alias, e.g. TP53 or p53…"));
  search_->setClearButtonEnabled(true);
  search_->addAction(QIcon(":/icons/search.svg"), QLineEdit::LeadingPosition);
  completions_ = new QStringListModel(this);
  completer_ = new QCompleter(completions_, this);
  completer_->setCaseSensitivity(Qt::CaseInsensitive);
  completer_->setCompletionMode(QCompleter::UnfilteredPopupCompletion);
  search_->setCompleter(completer_);
  connect(search_, &QLineEdit::textEdited, this, [this](const QString& t) { update_completions(t, completions_); });
  connect(completer_, qOverload<const QString&>(&QCompleter::activated), this, [this](const QString& t) { show_gene(t); });
  connect(search_, &QLineEdit::returnPressed, this, [this] { show_gene(search_->text()); });

  use_string_ = new QCheckBox(tr("STRING"));
  use_go_ = new QCheckBox(tr("GO"));
  use_reactome_ = new QCheckBox(tr("Reactome"));
  // k is checked by the core's KnnConfig::validate(): out-of-range input is named beside
  // the field and not used, never rewritten.
  k_ = new QLineEdit(QString::number(config_.k));
  k_->setObjectName("kg_k");
  k_->setMaximumWidth(60);
  k_->setToolTip(tr("Neighbours shown and used (1 to the candidate pool); Enter applies"));
  k_error_ = new QLabel;
  k_error_->setObjectName("kg_k_message");
  k_error_->setStyleSheet("color: #c8463a");
  k_error_->hide();
  connect(k_, &QLineEdit::returnPressed, this, &KgBrowser::apply_k);
  connect(k_, &QLineEdit::editingFinished, this, &KgBrowser::apply_k);
  settings_ = new QLabel;
  settings_->setObjectName("kg_settings");
  for (auto* box : {use_string_, use_go_, use_reactome_}) {
    box->setChecked(true);
    connect(box, &QCheckBox::toggled, this, [this] {
      update_settings_label();
      if (!centre().isEmpty()) load(centre());
    });
  }
  use_string_->setStyleSheet(QString("color: %1").arg(source_color(ps::kg::Source::String).name()));
  use_go_->setStyleSheet(QString("color: %1").arg(source_color(ps::kg::Source::Go).name()));
  use_reactome_->setStyleSheet(QString("color: %1").arg(source_color(ps::kg::Source::Reactome).name()));

  auto* export_button = new QToolButton;
  export_button->setIcon(QIcon(":/icons/export.svg"));
  export_button->setToolTip(tr("Export the graph (PNG, SVG, PDF)"));
  connect(export_button, &QToolButton::clicked, this, &KgBrowser::export_figure);

  header_ = new QLabel(tr("Loading the knowledge graph…"));
  header_->setObjectName("kg_header");
  header_->setWordWrap(true);
  header_->setTextFormat(Qt::RichText);
  header_->setTextInteractionFlags(Qt::LinksAccessibleByMouse | Qt::LinksAccessibleByKeyboard);
  // Candidates of an ambiguous symbol and "did you mean" suggestions are links.
  connect(header_, &QLabel::linkActivated, this, [this](const QString& link) {
    if (link.startsWith("gene:")) show_gene(link.mid(5));
  });

  scene_ = new QGraphicsScene(this);
  view_ = new GraphView(scene_);
  view_->setObjectName("kg_graph");
  view_->setRenderHint(QPainter::Antialiasing);
  view_->setMinimumSize(420, 360);
  view_->setToolTip(tr("Wheel or Ctrl+plus/minus: zoom · drag: pan · Ctrl+0: whole graph"));
  auto* zoom_in = new QToolButton;
  zoom_in->setText("+");
  zoom_in->setToolTip(tr("Zoom in (Ctrl++)"));
  auto* zoom_out = new QToolButton;
  zoom_out->setText("−");
  zoom_out->setToolTip(tr("Zoom out (Ctrl+-)"));
  auto* zoom_fit = new QToolButton;
  zoom_fit->setText(tr("Fit"));
  zoom_fit->setToolTip(tr("Show the whole graph (Ctrl+0)"));
  connect(zoom_in, &QToolButton::clicked, view_, [this] { view_->zoom_by(1.25); });
  connect(zoom_out, &QToolButton::clicked, view_, [this] { view_->zoom_by(0.8); });
  connect(zoom_fit, &QToolButton::clicked, view_, &GraphView::fit);
  connect(view_, &GraphView::gene_clicked, this, [this](const QString& s) {
    if (s != centre()) show_gene(s);
  });

  table_ = new QTableView;
  table_->setObjectName("kg_neighbours");
  table_->setModel(model_);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->setAlternatingRowColors(true);
  table_->verticalHeader()->hide();
  table_->verticalHeader()->setDefaultSectionSize(22);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->setWordWrap(false);
  connect(table_, &QTableView::doubleClicked, this, [this](const QModelIndex& i) {
    show_gene(model_->neighbourhood().rows[i.row()].symbol);
  });

  evidence_ = new QTextBrowser;
  evidence_->setObjectName("kg_evidence");
  evidence_->setOpenLinks(false);
  connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& i) {
    if (i.isValid()) evidence_->setHtml(model_->neighbourhood().rows[i.row()].evidence_html);
  });

  // The KNN-KG prediction for (centre, target).
  target_ = new QLineEdit;
  target_->setObjectName("kg_target");
  target_->setPlaceholderText(tr("Target gene…"));
  target_completions_ = new QStringListModel(this);
  target_completer_ = new QCompleter(target_completions_, this);
  target_completer_->setCaseSensitivity(Qt::CaseInsensitive);
  target_completer_->setCompletionMode(QCompleter::UnfilteredPopupCompletion);
  target_->setCompleter(target_completer_);
  connect(target_, &QLineEdit::textEdited, this, [this](const QString& t) { update_completions(t, target_completions_); });
  cell_line_ = new QComboBox;
  for (const char* c : {"k562", "rpe1", "hepg2", "jurkat"}) cell_line_->addItem(QString(c).toUpper(), QString(c));
  auto* predict = new QPushButton(QIcon(":/icons/launch.svg"), tr("Predict"));
  connect(predict, &QPushButton::clicked, this, [this] { predict_target(target_->text()); });
  connect(target_, &QLineEdit::returnPressed, this, [this] { predict_target(target_->text()); });
  prediction_ = new QLabel(tr("Pick a target gene to see the KNN-KG prediction and the neighbours that voted."));
  prediction_->setObjectName("kg_prediction");
  prediction_->setWordWrap(true);
  prediction_->setTextFormat(Qt::RichText);
  prediction_->setTextInteractionFlags(Qt::LinksAccessibleByMouse | Qt::LinksAccessibleByKeyboard);
  connect(prediction_, &QLabel::linkActivated, this, [this](const QString& link) {
    if (link.startsWith("gene:")) predict_target(link.mid(5));
  });

  connect(model_, &QAbstractItemModel::modelReset, this, &KgBrowser::rebuild_scene);
  connect(model_, &QAbstractItemModel::modelReset, this, [this] {
    evidence_->clear();
    if (model_->rowCount() > 0) table_->selectRow(0);
  });
  connect(model_, &NeighbourhoodModel::votes_changed, this, &KgBrowser::rebuild_scene);

  auto* top = new QHBoxLayout;
  top->addWidget(back_);
  top->addWidget(forward_);
  top->addWidget(search_, 1);
  top->addWidget(use_string_);
  top->addWidget(use_go_);
  top->addWidget(use_reactome_);
  top->addWidget(new QLabel(tr("k =")));
  top->addWidget(k_);
  top->addWidget(k_error_);
  top->addWidget(zoom_out);
  top->addWidget(zoom_in);
  top->addWidget(zoom_fit);
  top->addWidget(export_button);

  auto* predict_row = new QHBoxLayout;
  predict_row->addWidget(new QLabel(tr("KNN-KG prediction:")));
  predict_row->addWidget(target_, 1);
  predict_row->addWidget(cell_line_);
  predict_row->addWidget(predict);

  auto* right = new QSplitter(Qt::Vertical);
  right->addWidget(table_);
  right->addWidget(evidence_);
  right->setStretchFactor(0, 3);
  right->setStretchFactor(1, 2);
  auto* split = new QSplitter(Qt::Horizontal);
  split->addWidget(view_);
  split->addWidget(right);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addWidget(settings_);
  layout->addWidget(header_);
  layout->addWidget(split, 1);
  layout->addLayout(predict_row);
  layout->addWidget(prediction_);

  connect(kg_, &KgService::ready, this, [this] {
    header_->setText(tr("Knowledge graph ready: %1 genes, %2 STRING edges, %3 GO terms, %4 pathways. Search a gene.")
                         .arg(kg_->graph()->n_genes())
                         .arg(kg_->graph()->n_string_edges())
                         .arg(kg_->graph()->n_go_terms())
                         .arg(kg_->graph()->n_pathways()));
    if (pos_ >= 0) load(history_[pos_]);
  });
  connect(kg_, &KgService::failed, this, [this](const QString& e) {
    if (!kg_->is_ready()) header_->setText(tr("<span style='color:#c8463a'>The knowledge graph could not be loaded: %1</span>").arg(e.toHtmlEscaped()));
  });
  update_nav();
  update_settings_label();
}

QString KgBrowser::centre() const { return pos_ >= 0 ? history_[pos_] : QString(); }

ps::kg::SourceWeights KgBrowser::weights() const {
  // The settings' weight of each source ticked (a source the settings leave out gets
  // the validated default weight when ticked), 0 for the others.
  const ps::kg::SourceWeights& run = config_.sources;
  const ps::kg::SourceWeights fused = ps::kg::SourceWeights::fused();
  ps::kg::SourceWeights w;
  w.string = use_string_->isChecked() ? (run.string > 0 ? run.string : fused.string) : 0;
  w.go = use_go_->isChecked() ? (run.go > 0 ? run.go : fused.go) : 0;
  w.reactome = use_reactome_->isChecked() ? (run.reactome > 0 ? run.reactome : fused.reactome) : 0;
  return w;
}

void KgBrowser::set_knn_config(const ps::kg::KnnConfig& config, const QString& origin) {
  config_ = config;
  config_origin_ = origin;
  const std::pair<QCheckBox*, double> boxes[] = {
      {use_string_, config.sources.string}, {use_go_, config.sources.go}, {use_reactome_, config.sources.reactome}};
  for (const auto& [box, weight] : boxes) {
    QSignalBlocker block(box);
    box->setChecked(weight > 0);
  }
  k_->setText(QString::number(config_.k));
  k_error_->clear();
  k_error_->hide();
  k_->setStyleSheet(QString());
  model_->clear_votes();
  update_settings_label();
  if (!centre().isEmpty()) load(centre());
}

void KgBrowser::apply_k() {
  const QString text = k_->text().trimmed();
  bool ok = false;
  const int k = text.toInt(&ok);
  QString message;
  ps::kg::KnnConfig candidate = config_;
  if (!ok) {
    message = tr("k must be a whole number, not “%1”").arg(text.toHtmlEscaped());
  } else {
    candidate.k = k;
    for (const auto& [field, why] : candidate.validate())
      if (field == "k") message = tr("k must be between 1 and %1 (the candidate pool), not %2").arg(candidate.pool).arg(k);
  }
  if (!message.isEmpty()) {
    k_error_->setText(message);
    k_error_->show();
    k_->setStyleSheet("border: 1px solid #c8463a");
    return;  // the view keeps the last valid k; the input stays as typed
  }
  k_error_->clear();
  k_error_->hide();
  k_->setStyleSheet(QString());
  if (candidate.k == config_.k) return;
  config_.k = candidate.k;
  update_settings_label();
  if (!centre().isEmpty()) load(centre());
}

void KgBrowser::update_settings_label() {
  const QString sources = QString::fromStdString(weights().to_string());
  settings_->setText(config_origin_.isEmpty()
                         ? tr("Scored with the default KNN settings: %1, k = %2").arg(sources).arg(config_.k)
                         : tr("Scored with the KNN settings of %1: %2, k = %3").arg(config_origin_, sources).arg(config_.k));
}

void KgBrowser::offer(const QString& html, const QStringList& genes) {
  offered_ = genes;
  header_->setText("<span style='color:#c8463a'>" + html + "</span>");
}

// "<a>A</a>", "<a>A</a> or <a>B</a>", "<a>A</a>, <a>B</a> or <a>C</a>".
static QString gene_links(const std::vector<std::string>& genes) {
  QStringList links;
  for (const auto& g : genes) {
    const QString s = QString::fromStdString(g).toHtmlEscaped();
    links << QString("<a href=\"gene:%1\">%1</a>").arg(s);
  }
  if (links.size() <= 1) return links.join(QString());
  const QString last = links.takeLast();
  return KgBrowser::tr("%1 or %2").arg(links.join(", "), last);
}

static QStringList to_qt(const std::vector<std::string>& v) {
  QStringList out;
  for (const auto& s : v) out << QString::fromStdString(s);
  return out;
}

void KgBrowser::update_completions(const QString& prefix, QStringListModel* model) {
  auto g = kg_->graph();
  if (!g || prefix.trimmed().isEmpty()) return;
  QStringList list;
  // An old symbol of several genes offers each of them ("MARS (MARS1)", "MARS (SLA2)").
  if (auto lookup = kg_->lookup())
    for (const auto& c : lookup->ambiguous_candidates(prefix.trimmed().toStdString()))
      list << QString("%1 (%2)").arg(prefix.trimmed().toUpper(), QString::fromStdString(c));
  for (const auto& s : g->complete(prefix.trimmed().toStdString(), 20)) list << QString::fromStdString(s);
  model->setStringList(list);
}

// "ALIAS (SYMBOL)" from the completer means SYMBOL.
static QString symbol_of(const QString& text) {
  const QString t = text.trimmed();
  const int open = t.lastIndexOf('('), close = t.lastIndexOf(')');
  if (open > 0 && close > open) return t.mid(open + 1, close - open - 1).trimmed();
  return t;
}

bool KgBrowser::show_gene(const QString& text) {
  auto g = kg_->graph();
  const QString wanted = symbol_of(text);
  if (!g || wanted.isEmpty()) return false;
  const auto id = g->find(wanted.toStdString());
  if (!id) {
    // Never "no gene" for an old symbol of several genes, never one of them silently:
    // offer the candidates, or the closest spellings.
    const auto lookup = kg_->lookup();
    const ps::kg::GeneMatch m = lookup ? lookup->find(wanted.toStdString()) : ps::kg::GeneMatch{};
    if (m.kind == ps::kg::GeneMatch::Kind::Ambiguous)
      offer(tr("“%1” is an old symbol of several genes: %2. Pick one.").arg(wanted.toHtmlEscaped(), gene_links(m.candidates)),
            to_qt(m.candidates));
    else if (!m.suggestions.empty())
      offer(tr("No gene “%1” in the knowledge graph. Did you mean %2?").arg(wanted.toHtmlEscaped(), gene_links(m.suggestions)),
            to_qt(m.suggestions));
    else
      offer(tr("No gene “%1” in the knowledge graph (symbols and aliases are searched).").arg(wanted.toHtmlEscaped()), {});
    return false;
  }
  offered_.clear();
  const QString symbol = QString::fromStdString(g->symbol(*id));
  if (pos_ >= 0 && history_[pos_] == symbol) return true;
  while (history_.size() > pos_ + 1) history_.removeLast();
  history_ << symbol;
  pos_ = int(history_.size()) - 1;
  search_->setText(symbol);
  load(symbol);
  return true;
}

void KgBrowser::back() {
  if (!can_go_back()) return;
  --pos_;
  search_->setText(history_[pos_]);
  load(history_[pos_]);
}

void KgBrowser::forward() {
  if (!can_go_forward()) return;
  ++pos_;
  search_->setText(history_[pos_]);
  load(history_[pos_]);
}

void KgBrowser::update_nav() {
  back_->setEnabled(can_go_back());
  forward_->setEnabled(can_go_forward());
}

void KgBrowser::load(const QString& symbol) {
  update_nav();
  auto g = kg_->graph();
  if (!g) return;
  const auto id = g->find(symbol.toStdString());
  if (!id) return;
  const int request = ++request_;
  const auto w = weights();
  const size_t k = size_t(config_.k);
  header_->setText(tr("Finding the neighbours of <b>%1</b>…").arg(symbol.toHtmlEscaped()));
  run_async<Neighbourhood>(this, [g, id, w, k] { return compute_neighbourhood(*g, *id, w, k); },
                           [this, request](Neighbourhood n) {
                             if (request != request_) return;
                             const QString symbol = n.symbol;
                             QString head = tr("<b style='font-size:14pt'>%1</b> &nbsp; %2").arg(symbol.toHtmlEscaped(), n.full_name.toHtmlEscaped());
                             if (!n.type.isEmpty()) head += tr(" &nbsp;·&nbsp; %1, chromosome %2").arg(n.type, n.chromosome);
                             head += tr(" &nbsp;·&nbsp; %1 STRING partners &nbsp;·&nbsp; top %2 neighbours by %3")
                                         .arg(n.degree).arg(n.rows.size()).arg(n.sources);
                             header_->setText(head);
                             model_->set_neighbourhood(std::move(n));
                             prediction_->setText(tr("Pick a target gene to see the KNN-KG prediction for %1 and the neighbours that voted.").arg(symbol));
                             emit centred(symbol);
                           },
                           [this](QString error) { header_->setText(error.toHtmlEscaped()); });
}

void KgBrowser::rebuild_scene() {
  draw_neighbourhood(scene_, model_->neighbourhood(), weights());
  if (model_->neighbourhood().centre >= 0) view_->fit();
}

void KgBrowser::set_cell_line(const QString& cell_line) {
  const int i = cell_line_->findData(cell_line.toLower());
  if (i >= 0) cell_line_->setCurrentIndex(i);
}

void KgBrowser::predict_target(const QString& text) {
  QString target = symbol_of(text);
  const QString perturber = centre();
  if (target.isEmpty() || perturber.isEmpty()) return;
  if (auto g = kg_->graph(); g && !g->find(target.toStdString())) {
    // An ambiguous or unknown target: offer the genes (links), predict nothing.
    const auto lookup = kg_->lookup();
    const ps::kg::GeneMatch m = lookup ? lookup->find(target.toStdString()) : ps::kg::GeneMatch{};
    if (m.kind == ps::kg::GeneMatch::Kind::Ambiguous)
      prediction_->setText(tr("“%1” is an old symbol of several genes: %2. Pick one.").arg(target.toHtmlEscaped(), gene_links(m.candidates)));
    else if (!m.suggestions.empty())
      prediction_->setText(tr("No gene “%1” in the knowledge graph. Did you mean %2?").arg(target.toHtmlEscaped(), gene_links(m.suggestions)));
    else
      prediction_->setText(tr("No gene “%1” in the knowledge graph (symbols and aliases are searched).").arg(target.toHtmlEscaped()));
    return;
  }
  if (!predict_) {
    prediction_->setText(tr("The KNN-KG predictor is not available in this build."));
    return;
  }
  target_->setText(target);
  const QString cell = cell_line_->currentData().toString();
  prediction_->setText(tr("Predicting %1 → %2 in %3…").arg(perturber, target, cell.toUpper()));
  const int request = ++request_;
  auto fn = predict_;
  auto g = kg_->graph();
  const auto w = weights();
  ps::kg::KnnConfig config = config_;
  config.sources = w;
  struct Result {
    PairPrediction p;
    Neighbourhood voters;  // the perturber's neighbours that voted, with their evidence
  };
  run_async<Result>(this, [fn, g, w, config, cell, perturber, target] {
                              Result r{fn(cell, perturber, target, config), {}};
                              std::vector<ps::kg::GeneId> genes;
                              for (const auto& [symbol, label, weight] : r.p.votes)
                                if (label >= 0)
                                  if (auto id = g->find(symbol.toStdString())) genes.push_back(*id);
                              if (auto c = g->find(perturber.toStdString())) r.voters = neighbourhood_of(*g, *c, w, genes);
                              return r;
                            },
                            [this, request, perturber, target, cell](Result r) {
                              if (request != request_) return;
                              PairPrediction& p = r.p;
                              if (r.voters.centre >= 0) {
                                header_->setText(tr("<b style='font-size:14pt'>%1</b> &nbsp; %2 &nbsp;·&nbsp; its KNN-KG voters for <b>%3</b> in %4: "
                                                    "the nearest train perturbers with a label for %3")
                                                     .arg(perturber.toHtmlEscaped(), r.voters.full_name.toHtmlEscaped(), target.toHtmlEscaped(), cell.toUpper()));
                                model_->set_neighbourhood(std::move(r.voters));
                              }
                              if (stored_) p.probability = stored_(cell, perturber, target);
                              QString text = tr("<b>%1 knocked down → %2</b> in %3: score <b>%4</b>")
                                                 .arg(perturber.toHtmlEscaped(), target.toHtmlEscaped(), cell.toUpper())
                                                 .arg(p.score, 0, 'f', 3);
                              if (p.probability >= 0) text += tr(", calibrated P(DE) in the open run <b>%1</b>").arg(p.probability, 0, 'f', 3);
                              text += tr(" · %n neighbour(s) voted", nullptr, p.n_votes);
                              text += tr(" · target's train DE rate %1").arg(p.base_rate, 0, 'f', 3);
                              if (!p.target_seen) text += tr(" · <i>target unseen in train</i>");
                              if (p.label >= 0) text += tr(" · observed: <b>%1</b> (%2)").arg(p.label ? tr("DE") : tr("not DE"), p.split);
                              text += tr("<br>The graph shows the %1 neighbours of %2 that voted: red voted DE, blue not DE.")
                                          .arg(p.n_votes).arg(perturber.toHtmlEscaped());
                              prediction_->setText(text);
                              model_->set_votes(p.votes);
                              emit predicted(perturber, target);
                            },
                            [this, request](QString error) {
                              if (request == request_) prediction_->setText(error.toHtmlEscaped());

                            });
}

void KgBrowser::export_figure() {
  ExportDialog dialog(centre().isEmpty() ? "kg" : "kg_" + centre(), true, this);
  if (dialog.exec() != QDialog::Accepted) return;
  QString error;
  if (!export_scene(scene_, dialog.path(), dialog.size(), &error)) QMessageBox::warning(this, tr("Export failed"), error);
  else report_saved(this, dialog.path());
}

void KgBrowser::focus_search() {
  search_->setFocus();
  search_->selectAll();
}

}  // namespace ps::gui
