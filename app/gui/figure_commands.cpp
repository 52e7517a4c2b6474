#include "figure_commands.h"

#include <QDir>
#include <QFileInfo>
#include <QString>
#include <QStringList>
#include <cstdio>
#include <algorithm>
#include <cstring>
#include <limits>
#include <exception>
#include <map>
#include <new>
#include <vector>

#include "common/error.h"
#include "common/paths.h"
#include "report.h"
#include "run_figures.h"
#include "store/store.h"

namespace ps::gui {

namespace {

struct Usage {
  std::string what;
};

const char* kExportUsage =
    "usage: perturbscope export-figure --run ID --kind reliability|curves|pareto|kg [--format png|svg|pdf]\n"
    "         [--size WxH[mm|cm|px]] [--dpi N] --out FILE [--compare ID ...] [--gene SYMBOL] [--k N]\n"
    "         [--data DIR] [--store FILE]\n"
    "  --run ID        the run (perturbscope-cli runs list)\n"
    "  --kind K        reliability: reliability diagram of the run's predictions (one curve per cell line)\n"
    "                  curves: loss / reward / val F1 / val ECE per step\n"
    "                  pareto: F1 vs tokens per item of the run's TTC sweep\n"
    "                  kg: knowledge-graph neighbourhood of --gene (default: the perturber of the\n"
    "                      run's most confident error)\n"
    "  --format F      png, svg or pdf (default: the suffix of --out)\n"
    "  --size WxH      physical size, unit mm (default), cm or px (px: the PNG's pixels at --dpi); default 160x120mm\n"
    "  --dpi N         resolution of the PNG, 50..1200 (default 150); layout is the same at every dpi\n"
    "  --out FILE      written beside itself first and renamed when complete\n"
    "  --compare ID    more runs overlaid (reliability, curves); repeatable or comma-separated\n"
    "  --gene SYMBOL, --k N (1..200, default 20), --data DIR    for --kind kg\n"
    "  --store FILE    experiment store (default: $PERTURBSCOPE_STORE or the per-user store)\n";

const char* kReportUsage =
    "usage: perturbscope report --run ID [--compare ID ...] --out DIR [--size WxH[mm|cm|px]] [--dpi N]\n"
    "         [--bootstrap N] [--seed N] [--top-errors N] [--store FILE]\n"
    "  writes DIR/report.html and DIR/figures/*.{png,svg,pdf}: the metric table with CIs (Table 1 layout),\n"
    "  per-cell-line results, training curves, reliability diagrams, the TTC Pareto plot, the most\n"
    "  confident errors with their traces. Sections a run has no data for say so; a run with no\n"
    "  predictions, metrics or TTC results is refused. DIR must be new, empty or an earlier report.\n"
    "  --compare ID    more runs as rows of the tables and curves; repeatable, comma-separated or several IDs\n"
    "  --size, --dpi   of every figure (default 160x120mm, 150 dpi)\n"
    "  --bootstrap N   resamples of each CI, 0..100000 (default 1000); --seed N (default 1)\n"
    "  --top-errors N  confident errors listed, 0..1000 (default 10)\n"
    "  --store FILE    experiment store (default: $PERTURBSCOPE_STORE or the per-user store)\n";

// --name value pairs; --compare takes one or more values (until the next option).
struct Parsed {
  std::map<std::string, std::string> one;
  std::vector<std::string> compare;
  bool help = false;
};

Parsed parse(int argc, char** argv, const std::vector<std::string>& allowed) {
  Parsed p;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      p.help = true;
      continue;
    }
    if (a.rfind("--", 0) != 0) throw Usage{"unexpected argument '" + a + "'"};
    std::string name = a.substr(2), value;
    bool has_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) throw Usage{"unknown option --" + name};
    if (name == "compare") {
      std::vector<std::string> values;
      if (has_value) values.push_back(value);
      while (i + 1 < argc && std::strncmp(argv[i + 1], "--", 2) != 0) values.push_back(argv[++i]);
      if (values.empty()) throw Usage{"--compare needs a run id"};
      for (const auto& v : values)
        for (const QString& part : QString::fromStdString(v).split(',', Qt::SkipEmptyParts))
          p.compare.push_back(part.trimmed().toStdString());
      continue;
    }
    if (!has_value) {
      if (i + 1 >= argc) throw Usage{"--" + name + " needs a value"};
      value = argv[++i];
    }
    if (p.one.count(name)) throw Usage{"--" + name + " given twice"};
    p.one[name] = value;
  }
  return p;
}

int64_t int_value(const std::string& name, const std::string& text, int64_t lo, int64_t hi) {
  bool ok = false;
  const qlonglong v = QString::fromStdString(text).trimmed().toLongLong(&ok);
  if (!ok) throw Usage{"--" + name + " '" + text + "': not an integer"};
  if (v < lo || v > hi)
    throw Usage{"--" + name + " " + text + ": must be between " + std::to_string(lo) + " and " + std::to_string(hi)};
  return v;
}

int64_t run_id(const std::string& text, const std::string& name) {
  return int_value(name, text, 1, std::numeric_limits<int64_t>::max());
}

const std::string& required(const Parsed& p, const std::string& name) {
  auto it = p.one.find(name);
  if (it == p.one.end() || it->second.empty()) throw Usage{"--" + name + " is required"};
  return it->second;
}

std::string get(const Parsed& p, const std::string& name, const std::string& fallback) {
  auto it = p.one.find(name);
  return it == p.one.end() ? fallback : it->second;
}

FigureSize size_of(const Parsed& p) {
  const int dpi = int(int_value("dpi", get(p, "dpi", "150"), 50, 1200));
  FigureSize size;
  QString error;
  if (!parse_figure_size(QString::fromStdString(get(p, "size", "160x120mm")), dpi, &size, &error))
    throw Usage{error.toStdString()};
  return size;
}

// The store must exist: opening a missing path would create an empty store.
ps::store::Store open_store(const Parsed& p) {
  const std::string path = get(p, "store", ps::default_store_path());
  if (!QFileInfo::exists(QString::fromStdString(path)))
    throw ps::Error(path + ": no such experiment store (give --store FILE or set PERTURBSCOPE_STORE)");
  return ps::store::Store(path);
}

int export_figure_command(int argc, char** argv) {
  const Parsed p =
      parse(argc, argv, {"run", "kind", "format", "size", "dpi", "out", "compare", "gene", "k", "data", "store"});
  if (p.help) {
    std::fputs(kExportUsage, stdout);
    return 0;
  }
  const int64_t run = run_id(required(p, "run"), "run");
  const std::string kind_text = required(p, "kind");
  const auto kind = figure_kind_from_name(QString::fromStdString(kind_text));
  if (!kind) throw Usage{"--kind '" + kind_text + "': use reliability, curves, pareto or kg"};
  const QString out = QString::fromStdString(required(p, "out"));
  const QString suffix = QFileInfo(out).suffix().toLower();
  QString format = QString::fromStdString(get(p, "format", "")).toLower();
  if (format.isEmpty()) {
    if (!export_formats(true).contains(suffix))
      throw Usage{"--out " + out.toStdString() + ": no .png, .svg or .pdf suffix (give --format png|svg|pdf)"};
    format = suffix;
  }
  if (!export_formats(true).contains(format))
    throw Usage{"--format '" + format.toStdString() + "': use png, svg or pdf"};
  if (suffix != format)
    throw Usage{"--out " + out.toStdString() + " does not end in ." + format.toStdString() + " (--format " +
                format.toStdString() + ")"};
  const FigureSize size = size_of(p);
  std::vector<int64_t> runs{run};
  for (const auto& c : p.compare) runs.push_back(run_id(c, "compare"));
  if (!p.compare.empty() && *kind != FigureKind::Reliability && *kind != FigureKind::Curves)
    throw Usage{"--compare applies to --kind reliability and curves only"};
  KgFigureOptions kg;
  kg.gene = QString::fromStdString(get(p, "gene", ""));
  kg.data_dir = QString::fromStdString(get(p, "data", ""));
  kg.k = int(int_value("k", get(p, "k", "20"), 1, 200));
  if (*kind != FigureKind::Kg && (p.one.count("gene") || p.one.count("k") || p.one.count("data")))
    throw Usage{"--gene, --k and --data apply to --kind kg only"};
  const QFileInfo dir(QFileInfo(out).absolutePath());
  if (!dir.isDir()) throw ps::Error(dir.filePath().toStdString() + ": no such folder");
  if (QFileInfo(out).isDir()) throw ps::Error(out.toStdString() + ": is a folder, not a file");
  auto store = open_store(p);
  export_run_figure(store, *kind, runs, out, size, kg);
  std::printf("wrote %s (%s, %.1f x %.1f mm, %d dpi)\n", qPrintable(QDir::toNativeSeparators(out)), qPrintable(format),
              size.width_cm * 10, size.height_cm * 10, size.dpi);
  return 0;
}

int report_command(int argc, char** argv) {
  const Parsed p =
      parse(argc, argv, {"run", "compare", "out", "size", "dpi", "bootstrap", "seed", "top-errors", "store"});
  if (p.help) {
    std::fputs(kReportUsage, stdout);
    return 0;
  }
  ReportOptions o;
  o.run = run_id(required(p, "run"), "run");
  for (const auto& c : p.compare) o.compare.push_back(run_id(c, "compare"));
  o.out_dir = QString::fromStdString(required(p, "out"));
  o.figure_size = size_of(p);
  o.bootstrap = int(int_value("bootstrap", get(p, "bootstrap", "1000"), 0, 100000));
  o.seed = uint64_t(int_value("seed", get(p, "seed", "1"), 0, std::numeric_limits<int64_t>::max()));
  o.top_errors = int(int_value("top-errors", get(p, "top-errors", "10"), 0, 1000));
  auto store = open_store(p);
  const ReportResult r = write_report(store, o);
  for (const QString& m : r.missing) std::fprintf(stderr, "perturbscope report: note: %s\n", qPrintable(m));
  std::printf("wrote %s (%lld figure files)\n", qPrintable(QDir::toNativeSeparators(r.html)),
              static_cast<long long>(r.figures.size()));
  return 0;
}

}  // namespace

bool is_figure_command(const char* name) {
  return name && (std::strcmp(name, "export-figure") == 0 || std::strcmp(name, "report") == 0);
}

int run_figure_command(int argc, char** argv) {
  const std::string name = argv[1];
  try {
    return name == "report" ? report_command(argc, argv) : export_figure_command(argc, argv);
  } catch (const Usage& u) {
    std::fprintf(stderr, "perturbscope %s: %s (see perturbscope %s --help)\n", name.c_str(), u.what.c_str(),
                 name.c_str());
    return 2;
  } catch (const ps::Error& e) {
    std::fprintf(stderr, "perturbscope %s: error: %s\n", name.c_str(), e.what());
    return 1;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "perturbscope %s: error: out of memory\n", name.c_str());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "perturbscope %s: internal error: %s\n", name.c_str(), e.what());
    return 1;
  }
}

}  // namespace ps::gui
