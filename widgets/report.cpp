#include "report.h"

#include <sys/stat.h>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QTemporaryDir>
#include <QTextStream>
#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "common/error.h"
#include "common/paths.h"
#include "curves_plot.h"
#include "metrics/summary.h"
#include "reliability_model.h"
#include "run_figures.h"

namespace ps::gui {

void ReportOptions::validate() const {
  if (out_dir.trimmed().isEmpty()) throw ps::Error("report: --out: an output folder is required");
  if (bootstrap < 0 || bootstrap > 100000) throw ps::Error("report: bootstrap: must be between 0 and 100000");
  if (top_errors < 0 || top_errors > 1000) throw ps::Error("report: top_errors: must be between 0 and 1000");
  std::set<int64_t> seen{run};
  for (int64_t c : compare)
    if (!seen.insert(c).second)
      throw ps::Error("report: --compare " + std::to_string(c) + ": run listed twice (or the reported run itself)");
  if (!(figure_size.width_cm > 0) || !(figure_size.height_cm > 0) || figure_size.dpi <= 0)
    throw ps::Error("report: figure size and resolution must be positive");
}

namespace {

using ps::store::Prediction;

QString esc(const std::string& s) { return QString::fromStdString(s).toHtmlEscaped(); }
QString esc(const QString& s) { return s.toHtmlEscaped(); }

QString num(double v, int decimals = 3) { return std::isfinite(v) ? QString::number(v, 'f', decimals) : QString("—"); }

QString with_ci(double v, const ps::metrics::Interval& ci, const ps::metrics::BinarySummary& s, bool bold) {
  QString out = num(v);
  if (bold && std::isfinite(v)) out = "<b>" + out + "</b>";
  if (s.bootstrap_resamples > 0 && std::isfinite(ci.lo) && std::isfinite(ci.hi))
    out += " <span class=ci>[" + num(ci.lo) + ", " + num(ci.hi) + "]</span>";
  return out;
}

// Finds a non-empty string field `key` anywhere in `j`.
std::string find_string_field(const nlohmann::json& j, const std::string& key) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (it.key() == key && it.value().is_string() && !it.value().get<std::string>().empty())
        return it.value().get<std::string>();
      std::string found = find_string_field(it.value(), key);
      if (!found.empty()) return found;
    }
  } else if (j.is_array()) {
    for (const auto& e : j) {
      std::string found = find_string_field(e, key);
      if (!found.empty()) return found;
    }
  }
  return {};
}

nlohmann::json parse_or_empty(const std::string& text) {
  try {
    return nlohmann::json::parse(text.empty() ? std::string("{}") : text);
  } catch (const nlohmann::json::exception&) {
    return nlohmann::json::object();
  }
}

struct Scored {
  std::string name;  // "" for all items, else the cell line
  ps::metrics::BinarySummary s;
  bool heldout = false;
};

struct RunData {
  ps::store::Run run;
  std::vector<Prediction> preds;
  int64_t labelled = 0;
  std::optional<Scored> overall;
  std::vector<Scored> per_line;
  RunCurves curves;
  std::optional<std::pair<int64_t, std::vector<ParetoPoint>>> ttc;
  std::vector<ReliabilityCurve> reliability;
  QString label() const {
    return QString("run %1 · %2 · %3")
        .arg(run.id)
        .arg(QString::fromStdString(run.kind), QString::fromStdString(run.name));
  }
};

ps::metrics::BinarySummary summarize(const std::vector<const Prediction*>& ps_, const ReportOptions& o) {
  std::vector<double> probs;
  std::vector<int> labels, groups;
  std::map<std::string, int> gid;
  for (const Prediction* p : ps_) {
    probs.push_back(p->confidence);
    labels.push_back(p->label);
    groups.push_back(gid.emplace(p->cell_line + "|" + p->target, int(gid.size())).first->second);
  }
  ps::metrics::SummaryOptions so;
  so.bootstrap_resamples = o.bootstrap;
  so.seed = o.seed;
  return ps::metrics::summarize_binary(probs, labels, groups, so);
}

RunData load_run(const ps::store::Store& store, int64_t id, const ReportOptions& o) {
  RunData d;
  d.run = require_run(store, id);
  d.preds = store.predictions(id);
  std::vector<const Prediction*> labelled;
  std::map<std::string, std::vector<const Prediction*>> by_line;
  std::set<std::string> heldout_sets;
  for (const auto& p : d.preds) {
    if (p.label != 0 && p.label != 1) continue;
    if (!std::isfinite(p.confidence)) continue;
    labelled.push_back(&p);
    by_line[p.cell_line].push_back(&p);
    const auto details = parse_or_empty(p.details_json);
    if (details.is_object() && details.value("set", std::string()) == "heldout") heldout_sets.insert(p.cell_line);
  }
  d.labelled = int64_t(labelled.size());
  std::string heldout = find_string_field(parse_or_empty(d.run.config_json), "heldout_cell_line");
  std::transform(heldout.begin(), heldout.end(), heldout.begin(), [](unsigned char c) { return std::tolower(c); });
  if (!labelled.empty()) {
    d.overall = Scored{"", summarize(labelled, o), false};
    for (const auto& [line, items] : by_line) {
      std::string lower = line;
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
      d.per_line.push_back(
          {line, summarize(items, o), (!heldout.empty() && lower == heldout) || heldout_sets.count(line) > 0});
    }
    d.reliability = reliability_curves(store, id);
  }
  d.curves = training_curves(store, id);
  d.ttc = ttc_points(store, id);
  return d;
}

const char* kCss =
    R"(body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0}th,td{padding:.25em .6em;text-align:right}th:first-child,td:first-child{text-align:left}
thead th{border-top:2px solid #222;border-bottom:1px solid #222}tbody tr:last-child td{border-bottom:2px solid #222}
.ci{color:#666;font-size:.85em}.note{color:#555}.missing{color:#a33}.tag{background:#eee;border-radius:3px;padding:0 .3em;font-size:.85em}
figure{margin:1em 0}figure img{max-width:100%;border:1px solid #eee}figcaption{font-size:.9em;color:#444}
pre{white-space:pre-wrap;background:#f6f6f6;padding:.5em;border:1px solid #e4e4e4;font-size:.85em;max-height:30em;overflow:auto}
.error{margin:1em 0;padding:.5em;border-left:3px solid #c55}dl{margin:.3em 0}dt{font-weight:bold}
)";

// The metric rows of Table 1: F1, Brier, ECE, AUROC (per gene), best per column in bold.
QString metric_table(const std::vector<std::pair<QString, const Scored*>>& rows, bool with_heldout) {
  double best_f1 = -1, best_brier = 1e9, best_ece = 1e9, best_auc = -1;
  for (const auto& [name, r] : rows) {
    const auto& s = r->s;
    if (std::isfinite(s.at_threshold.f1)) best_f1 = std::max(best_f1, s.at_threshold.f1);
    if (std::isfinite(s.brier)) best_brier = std::min(best_brier, s.brier);
    if (std::isfinite(s.ece)) best_ece = std::min(best_ece, s.ece);
    if (std::isfinite(s.auroc_per_gene)) best_auc = std::max(best_auc, s.auroc_per_gene);
  }
  const bool mark = rows.size() > 1;
  QString h =
      "<table>\n<thead><tr><th>Method</th><th>n</th><th>F1 ↑</th><th>Brier ↓</th><th>ECE ↓</th><th>AUROC (per gene) "
      "↑</th></tr></thead>\n<tbody>\n";
  for (const auto& [name, r] : rows) {
    const auto& s = r->s;
    QString label = esc(name);
    if (with_heldout && r->heldout) label += " <span class=tag>held out</span>";
    h += "<tr><td>" + label + "</td><td>" + QString::number(s.n) + "</td><td>" +
         with_ci(s.at_threshold.f1, s.f1_ci, s, mark && s.at_threshold.f1 == best_f1) + "</td><td>" +
         with_ci(s.brier, s.brier_ci, s, mark && s.brier == best_brier) + "</td><td>" +
         with_ci(s.ece, s.ece_ci, s, mark && s.ece == best_ece) + "</td><td>" +
         with_ci(s.auroc_per_gene, s.auroc_per_gene_ci, s, mark && s.auroc_per_gene == best_auc) + "</td></tr>\n";
  }
  return h + "</tbody></table>\n";
}

QString figure_html(const QString& name, const QString& caption) {
  const QString base = "figures/" + name;
  return "<figure><img src=\"" + base + ".svg\" alt=\"" + esc(caption) + "\"><figcaption>" + esc(caption) +
         " — <a href=\"" + base + ".png\">PNG</a> · <a href=\"" + base + ".svg\">SVG</a> · <a href=\"" + base +
         ".pdf\">PDF</a></figcaption></figure>\n";
}

// Writes figures/NAME.{png,svg,pdf} under `dir`.
void write_figure(const ps::store::Store& store, FigureKind kind, const std::vector<int64_t>& runs, const QString& dir,
                  const QString& name, const FigureSize& size, ReportResult& result) {
  for (const char* suffix : {"png", "svg", "pdf"}) {
    const QString rel = "figures/" + name + "." + suffix;
    export_run_figure(store, kind, runs, QDir(dir).filePath(rel), size);
    result.figures << rel;
  }
}

QString confident_errors(const RunData& d, int top) {
  std::vector<const Prediction*> errors;
  for (const auto& p : d.preds) {
    if ((p.label != 0 && p.label != 1) || !std::isfinite(p.confidence)) continue;
    if ((p.confidence >= 0.5) != (p.label == 1)) errors.push_back(&p);
  }
  std::stable_sort(errors.begin(), errors.end(), [](const Prediction* a, const Prediction* b) {
    const double ea = std::abs(a->confidence - a->label), eb = std::abs(b->confidence - b->label);
    if (ea != eb) return ea > eb;
    return a->item_key < b->item_key;
  });
  if (errors.empty()) return "<p class=note>" + esc(d.label()) + ": no errors among its labelled predictions.</p>\n";
  QString h = QString("<p class=note>%1: the %2 most confident of %3 errors (largest |P(DE) − label|).</p>\n")
                  .arg(esc(d.label()))
                  .arg(std::min<size_t>(errors.size(), size_t(top)))
                  .arg(errors.size());
  for (size_t i = 0; i < errors.size() && i < size_t(top); ++i) {
    const Prediction& p = *errors[i];
    const auto details = parse_or_empty(p.details_json);
    h += "<div class=error><b>" + QString::number(i + 1) + ". " + esc(p.item_key) + "</b> — " + esc(p.perturber) +
         " knocked down in " + esc(p.cell_line) + ", target " + esc(p.target) + ": label <b>" +
         (p.label == 1 ? "DE" : "not DE") + "</b>, P(DE) <b>" + num(p.confidence) + "</b>";
    if (details.is_object() && details.contains("confidence") && details["confidence"].is_number())
      h += ", stated confidence " + num(details["confidence"].get<double>());
    if (p.tokens > 0) h += ", " + QString::number(p.tokens) + " tokens";
    if (!p.parse_failure.empty()) h += ", parse failure <code>" + esc(p.parse_failure) + "</code>";
    h += "\n";
    h += p.trace.empty() ? QString("<p class=note>(no trace stored)</p>\n") : "<pre>" + esc(p.trace) + "</pre>\n";
    if (details.is_object() && details.contains("rounds") && details["rounds"].is_array() &&
        !details["rounds"].empty()) {
      h += "<details><summary>TTC rounds (" + QString::number(details["rounds"].size()) + ")</summary>\n";
      int r = 0;
      for (const auto& round : details["rounds"]) {
        ++r;
        if (!round.is_object()) continue;
        h += "<dl><dt>round " + QString::number(r) + ": " + esc(round.value("kind", std::string("?"))) + ", " +
             QString::number(round.value("tokens", int64_t(0))) + " tokens</dt>\n";
        if (round.contains("completions") && round["completions"].is_array()) {
          for (const auto& c : round["completions"]) {
            if (!c.is_object()) continue;
            h += "<dd><pre>" + esc(c.value("text", std::string())) + "</pre></dd>\n";
          }
        }
        h += "</dl>\n";
      }
      h += "</details>\n";
    }
    h += "</div>\n";
  }
  return h;
}

QString bin_table(const std::vector<ReliabilityCurve>& curves) {
  if (curves.empty() || curves[0].bins.empty()) return {};
  QString h = "<table>\n<thead><tr><th>Bin of P(DE)</th>";
  for (const auto& c : curves) h += "<th>" + esc(c.cell_line) + ": pairs</th><th>observed DE</th>";
  h += "</tr></thead>\n<tbody>\n";
  for (size_t b = 0; b < curves[0].bins.size(); ++b) {
    h += QString("<tr><td>[%1, %2%3</td>")
             .arg(num(curves[0].bins[b].lower, 1), num(curves[0].bins[b].upper, 1),
                  b + 1 == curves[0].bins.size() ? "]" : ")");
    for (const auto& c : curves) {
      const auto& bin = b < c.bins.size() ? c.bins[b] : ReliabilityBin{};
      h += "<td>" + QString::number(bin.count) + "</td><td>" + (bin.count > 0 ? num(bin.accuracy) : QString("—")) +
           "</td>";
    }
    h += "</tr>\n";
  }
  h += "</tbody></table>\n<p class=note>";
  QStringList eces;
  for (const auto& c : curves)
    eces << QString("%1: ECE %2, Brier %3, n = %4").arg(esc(c.cell_line), num(c.ece), num(c.brier)).arg(c.n);
  return h + eces.join("; ") + "</p>\n";
}

// The output folder: checks and the move into place.
struct OutputFolder {
  QString target, parent, name;
  bool replace = false;
  void check() {
    const QFileInfo info(target);
    if (info.exists() && !info.isDir()) throw ps::Error(target.toStdString() + ": exists and is not a folder");
    if (info.isDir()) {
      const QStringList entries =
          QDir(target).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System);
      if (!entries.isEmpty() && !entries.contains("report.html"))
        throw ps::Error(
            target.toStdString() +
            ": the folder is not empty and holds no report.html (not an earlier report); choose a new or empty folder");
      if (!info.isWritable()) throw ps::Error(target.toStdString() + ": the folder is read-only");
      replace = true;
    }
    if (!QDir().mkpath(parent)) throw ps::Error(parent.toStdString() + ": cannot create the folder");
    if (!QFileInfo(parent).isWritable())
      throw ps::Error(parent.toStdString() +
                      ": the folder is read-only (the report is written beside its target first)");
  }
  void commit(QTemporaryDir& tmp) {
    QDir dir(parent);
    QString old;
    // QTemporaryDir is created 0700: give the report a folder's usual mode (0755, like the figures
    // folder inside it), so it can be shared.
    ::chmod(QFile::encodeName(tmp.path()).constData(), 0755);
    if (replace) {
      old = QString(".%1.old-%2").arg(name).arg(QDateTime::currentMSecsSinceEpoch());
      if (!dir.rename(name, old)) throw ps::Error(target.toStdString() + ": cannot move the earlier report aside");
    }
    if (!dir.rename(QFileInfo(tmp.path()).fileName(), name)) {
      if (replace) dir.rename(old, name);
      throw ps::Error(target.toStdString() + ": cannot move the finished report into place");
    }
    tmp.setAutoRemove(false);
    if (replace) QDir(dir.filePath(old)).removeRecursively();
  }
};

}  // namespace

ReportResult write_report(const ps::store::Store& store, const ReportOptions& options) {
  options.validate();
  std::vector<int64_t> ids{options.run};
  ids.insert(ids.end(), options.compare.begin(), options.compare.end());
  for (int64_t id : ids) require_run(store, id);  // unknown runs before any work

  OutputFolder out;
  out.target = QFileInfo(options.out_dir).absoluteFilePath();
  while (out.target.size() > 1 && out.target.endsWith('/')) out.target.chop(1);
  out.parent = QFileInfo(out.target).absolutePath();
  out.name = QFileInfo(out.target).fileName();
  if (out.name.isEmpty()) throw ps::Error(options.out_dir.toStdString() + ": not a folder name");
  out.check();

  std::vector<RunData> runs;
  for (int64_t id : ids) runs.push_back(load_run(store, id, options));
  const RunData& main = runs.front();
  if (!main.overall && main.curves.empty() && !main.ttc)
    throw ps::Error("run " + std::to_string(options.run) +
                    " has no labelled predictions, no training metrics and no TTC results: nothing to report");

  QTemporaryDir tmp(QDir(out.parent).filePath("." + out.name + ".tmp-XXXXXX"));
  if (!tmp.isValid())
    throw ps::Error(out.parent.toStdString() + ": cannot write here (" + tmp.errorString().toStdString() + ")");
  if (!QDir(tmp.path()).mkpath("figures")) throw ps::Error(tmp.path().toStdString() + ": cannot create figures/");

  ReportResult result;
  const FigureSize& size = options.figure_size;
  QString body;
  body += "<h1>PerturbScope report: " + esc(main.label()) + "</h1>\n";
  body += "<p class=note>Made " + QDateTime::currentDateTimeUtc().toString(Qt::ISODate) + " by perturbscope " +
          esc(ps::version()) + " (" + esc(ps::git_describe()) + ") from " + esc(store.path()) + ".</p>\n";

  // Runs.
  body +=
      "<h2>Runs</h2>\n<table>\n<thead><tr><th>Run</th><th>kind</th><th>name</th><th>status</th><th>created</"
      "th><th>build</th><th>predictions</th><th>labelled</th></tr></thead>\n<tbody>\n";
  for (const auto& d : runs)
    body += "<tr><td>" + QString::number(d.run.id) + "</td><td>" + esc(d.run.kind) + "</td><td>" + esc(d.run.name) +
            "</td><td>" + esc(ps::store::to_string(d.run.status)) + "</td><td>" + esc(d.run.created_at) + "</td><td>" +
            esc(d.run.git_describe) + "</td><td>" + QString::number(d.preds.size()) + "</td><td>" +
            QString::number(d.labelled) + "</td></tr>\n";
  body += "</tbody></table>\n";

  // Table 1.
  body += "<h2>Metrics</h2>\n";
  std::vector<std::pair<QString, const Scored*>> rows;
  for (const auto& d : runs) {
    if (d.overall)
      rows.push_back({d.label(), &*d.overall});
    else
      result.missing << QString("metric table: run %1 has no labelled predictions").arg(d.run.id);
  }
  const QString ci_note = options.bootstrap > 0
                              ? QString(
                                    "95 % percentile-bootstrap intervals in brackets (%1 resamples, seed %2; genes "
                                    "resampled for the per-gene AUROC, items for the rest).")
                                    .arg(options.bootstrap)
                                    .arg(options.seed)
                              : QString("No bootstrap intervals (bootstrap 0).");
  if (!rows.empty()) {
    body += metric_table(rows, false);
    body +=
        "<p class=note>F1 at P(DE) ≥ 0.5; ECE over 10 equal-width bins; AUROC per gene is the mean over target genes "
        "with both classes (PerturbQA's metric). " +
        esc(ci_note) + (rows.size() > 1 ? " Best value of each column in bold." : "") + "</p>\n";
  }
  for (const auto& m : result.missing) body += "<p class=missing>" + esc(m) + ".</p>\n";

  // Per cell line.
  body += "<h2>Per cell line</h2>\n";
  std::vector<std::pair<QString, const Scored*>> line_rows;
  for (const auto& d : runs)
    for (const auto& s : d.per_line)
      line_rows.push_back({QString("run %1 · %2").arg(d.run.id).arg(QString::fromStdString(s.name)), &s});
  if (line_rows.empty())
    body += "<p class=missing>No labelled predictions: no per-cell-line results.</p>\n";
  else
    body += metric_table(line_rows, true) +
            "<p class=note>A line marked <span class=tag>held out</span> was never trained on (the run's held-out cell "
            "line).</p>\n";

  // Training curves.
  body += "<h2>Training curves</h2>\n";
  std::vector<int64_t> curve_runs;
  for (const auto& d : runs) {
    if (!d.curves.empty())
      curve_runs.push_back(d.run.id);
    else
      result.missing << QString("training curves: run %1 logged no loss, reward, val/f1 or val/ece").arg(d.run.id);
  }
  if (!curve_runs.empty()) {
    write_figure(store, FigureKind::Curves, curve_runs, tmp.path(), "curves", size, result);
    body += figure_html("curves", "Training curves: loss, mean reward, validation F1 and ECE per step");
  }
  for (const auto& d : runs)
    if (d.curves.empty())
      body += QString("<p class=missing>run %1 logged no training metrics (loss, reward, val/f1, val/ece).</p>\n")
                  .arg(d.run.id);

  // Reliability.
  body += "<h2>Reliability</h2>\n";
  for (const auto& d : runs) {
    if (d.reliability.empty()) {
      result.missing << QString("reliability diagram: run %1 has no labelled predictions").arg(d.run.id);
      body +=
          QString("<p class=missing>run %1 has no labelled predictions: no reliability diagram.</p>\n").arg(d.run.id);
      continue;
    }
    const QString name = QString("reliability_run%1").arg(d.run.id);
    write_figure(store, FigureKind::Reliability, {d.run.id}, tmp.path(), name, size, result);
    body +=
        "<h3>" + esc(d.label()) + "</h3>\n" +
        figure_html(
            name, QString("Reliability diagram of run %1 (one curve per cell line, 95 % intervals; pair counts below)")
                      .arg(d.run.id));
    body += bin_table(d.reliability);
  }

  // TTC.
  body += "<h2>Test-time compute</h2>\n";
  bool any_ttc = false;
  for (const auto& d : runs) {
    if (!d.ttc) continue;
    any_ttc = true;
    const QString name = QString("pareto_run%1").arg(d.run.id);
    write_figure(store, FigureKind::Pareto, {d.run.id}, tmp.path(), name, size, result);
    body += figure_html(
        name, d.ttc->first == d.run.id
                  ? QString("F1 against tokens per item of run %1's TTC sweep").arg(d.run.id)
                  : QString("F1 against tokens per item: TTC run %1 of run %2").arg(d.ttc->first).arg(d.run.id));
  }
  if (!any_ttc) {
    result.missing << "TTC Pareto plot: no TTC results for these runs";
    body +=
        "<p class=missing>No TTC results for these runs (run <code>perturbscope-cli ttc --run ID "
        "--tau-sweep</code>).</p>\n";
  }

  // Confident errors.
  body += "<h2>Most confident errors</h2>\n";
  if (!main.overall) {
    result.missing << QString("confident errors: run %1 has no labelled predictions").arg(main.run.id);
    body += QString("<p class=missing>run %1 has no labelled predictions: no errors to list.</p>\n").arg(main.run.id);
  } else if (options.top_errors > 0) {
    body += confident_errors(main, options.top_errors);
  }

  const QString html = "<!DOCTYPE html>\n<html lang=en>\n<head>\n<meta charset=utf-8>\n<title>PerturbScope report: " +
                       esc(main.label()) + "</title>\n<style>\n" + kCss + "</style>\n</head>\n<body>\n" + body +
                       "</body>\n</html>\n";
  {
    QSaveFile f(QDir(tmp.path()).filePath("report.html"));
    if (!f.open(QIODevice::WriteOnly))
      throw ps::Error(f.fileName().toStdString() + ": " + f.errorString().toStdString());
    const QByteArray bytes = html.toUtf8();
    if (f.write(bytes) != bytes.size() || !f.commit())
      throw ps::Error(f.fileName().toStdString() + ": " + f.errorString().toStdString());
  }
  out.commit(tmp);
  result.html = QDir(out.target).filePath("report.html");
  return result;
}

}  // namespace ps::gui
