// perturbscope-cli runs list | show ID | export ID --out DIR: the experiment store.
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/commands.h"
#include "common/error.h"
#include "common/fileio.h"
#include "common/paths.h"
#include "common/text.h"
#include "store/store.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace ps::cli {

namespace {

const char* kUsage =
    "usage: perturbscope-cli runs list [--store PATH] [--json]\n"
    "       perturbscope-cli runs show ID [--store PATH] [--json]\n"
    "       perturbscope-cli runs export ID --out DIR [--store PATH]\n";

// A JSON text column as JSON (or as a string when it does not parse).
json as_json(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  return j.is_discarded() ? json(text) : j;
}

json run_to_json(const store::Run& r) {
  return {{"id", r.id},
          {"kind", r.kind},
          {"name", r.name},
          {"status", store::to_string(r.status)},
          {"created_at", r.created_at},
          {"updated_at", r.updated_at},
          {"finished_at", r.finished_at},
          {"git_describe", r.git_describe},
          {"pid", r.pid},
          {"config", as_json(r.config_json)},
          {"summary", as_json(r.summary_json)}};
}

// NaN and infinities have no JSON spelling: null.
json number(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

// Undefined numbers (NULL in the store, NaN here) print as "null" for people and as an empty
// field in CSV exports, never as 0.
std::string fmt(double v) {
  if (!std::isfinite(v)) return "";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

// The store to read. A missing explicit --store is an error (likely a typo); a
// missing default store just means no runs yet.
std::optional<store::Store> open_store(const Args& a) {
  std::string path = a.get("store", default_store_path());
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    if (a.has("store")) throw Error(where(path, 0, "no experiment store here (--store)"));
    return std::nullopt;
  }
  return store::Store(path);
}

int64_t parse_id(const Args& a, const std::string& cmd) {
  if (a.positionals().size() != 2) throw UsageError("runs " + cmd + ": expects one run ID");
  const std::string& s = a.positionals()[1];
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || v <= 0 || errno == ERANGE || !std::isdigit(static_cast<unsigned char>(s[0]))) throw UsageError("runs " + cmd + ": run ID must be a positive integer, got '" + s + "'");
  return v;
}

store::Run require_run(store::Store& s, int64_t id) {
  auto r = s.get_run(id);
  if (!r) throw Error(where(s.path(), 0, "no run with id " + std::to_string(id) + " (see `perturbscope-cli runs list`)"));
  return *r;
}

int list(const Args& a) {
  if (a.positionals().size() != 1) throw UsageError("runs list takes no arguments");
  auto s = open_store(a);
  std::vector<store::Run> runs = s ? s->list_runs() : std::vector<store::Run>{};
  if (a.has("json")) {
    json out = json::array();
    for (const auto& r : runs) out.push_back(run_to_json(r));
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  if (runs.empty()) {
    std::printf("no runs in %s\n", a.get("store", default_store_path()).c_str());
    return 0;
  }
  std::printf("%6s  %-8s  %-11s  %-20s  %s\n", "ID", "KIND", "STATUS", "CREATED (UTC)", "NAME");
  for (const auto& r : runs) {
    std::string created = r.created_at.substr(0, 19);
    if (created.size() > 10) created[10] = ' ';
    std::printf("%6lld  %-8s  %-11s  %-20s  %s\n", (long long)r.id, r.kind.c_str(), store::to_string(r.status).c_str(),
                created.c_str(), r.name.c_str());
  }
  return 0;
}

int show(const Args& a) {
  int64_t id = parse_id(a, "show");
  auto s = open_store(a);
  if (!s) throw Error(where(a.get("store", default_store_path()), 0, "no experiment store yet, so no run " + std::to_string(id)));
  store::Run r = require_run(*s, id);
  auto names = s->metric_names(id);
  auto preds = s->predictions(id);
  auto arts = s->artefacts(id);
  json series = json::array();
  for (const auto& n : names) {
    auto pts = s->metrics(id, n);
    json j = {{"name", n}, {"points", pts.size()}};
    if (!pts.empty()) {
      j["last_step"] = pts.back().step;
      j["last_value"] = number(pts.back().value);
    }
    series.push_back(j);
  }
  if (a.has("json")) {
    json out = run_to_json(r);
    out["metrics"] = series;
    out["predictions"] = preds.size();
    json ja = json::array();
    for (const auto& x : arts)
      ja.push_back({{"kind", x.kind}, {"path", x.path}, {"sha256", x.sha256}, {"bytes", x.bytes}, {"created_at", x.created_at}});
    out["artefacts"] = ja;
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::printf("run %lld: %s\n", (long long)r.id, r.name.c_str());
  std::printf("  kind      %s\n  status    %s\n  created   %s\n  updated   %s\n", r.kind.c_str(),
              store::to_string(r.status).c_str(), r.created_at.c_str(), r.updated_at.c_str());
  if (!r.finished_at.empty()) std::printf("  finished  %s\n", r.finished_at.c_str());
  std::printf("  build     %s\n  pid       %lld\n", r.git_describe.c_str(), (long long)r.pid);
  std::printf("  config    %s\n  summary   %s\n", r.config_json.c_str(), r.summary_json.c_str());
  std::printf("  metrics   %zu series\n", names.size());
  for (const auto& j : series) {
    std::printf("    %-28s %7zu points", j["name"].get<std::string>().c_str(), j["points"].get<size_t>());
    if (j.contains("last_step"))
      std::printf(", last step %lld = %s", (long long)j["last_step"].get<int64_t>(),
                  j["last_value"].is_null() ? "null" : fmt(j["last_value"].get<double>()).c_str());
    std::printf("\n");
  }
  std::printf("  predictions %zu\n", preds.size());
  std::printf("  artefacts %zu\n", arts.size());
  for (const auto& x : arts)
    std::printf("    %-10s %s (%lld bytes, sha256 %s)\n", x.kind.c_str(), x.path.c_str(), (long long)x.bytes, x.sha256.c_str());
  return 0;
}

int export_run(const Args& a) {
  int64_t id = parse_id(a, "export");
  if (!a.has("out")) throw UsageError("runs export: --out DIR is required");
  auto s = open_store(a);
  if (!s) throw Error(where(a.get("store", default_store_path()), 0, "no experiment store yet, so no run " + std::to_string(id)));
  store::Run r = require_run(*s, id);
  fs::path out = a.get("out");
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) throw Error(where(out.string(), 0, "cannot create the export folder: " + ec.message()));

  std::string metrics = "step,name,value\n";
  for (const auto& m : s->metrics(id)) metrics += std::to_string(m.step) + "," + csv_field(m.name) + "," + fmt(m.value) + "\n";
  write_file_atomic((out / "metrics.csv").string(), metrics);

  std::string preds = "item_key,cell_line,perturber,target,label,prediction,confidence,tokens,ttc_round,trace\n";
  for (const auto& p : s->predictions(id))
    preds += join_csv({p.item_key, p.cell_line, p.perturber, p.target, std::to_string(p.label), fmt(p.prediction),
                       fmt(p.confidence), std::to_string(p.tokens), std::to_string(p.ttc_round), p.trace}) + "\n";
  write_file_atomic((out / "predictions.csv").string(), preds);

  json j = run_to_json(r);
  json ja = json::array();
  for (const auto& x : s->artefacts(id))
    ja.push_back({{"kind", x.kind}, {"path", x.path}, {"sha256", x.sha256}, {"bytes", x.bytes}, {"created_at", x.created_at}});
  j["artefacts"] = ja;
  j["metric_names"] = s->metric_names(id);
  write_file_atomic((out / "run.json").string(), j.dump(2) + "\n");
  std::printf("exported run %lld to %s (metrics.csv, predictions.csv, run.json)\n", (long long)id, out.c_str());
  return 0;
}

}  // namespace

int cmd_runs(const Argv& argv) {
  Args a("runs", argv,
         {{"store", true, "experiment store (default: $PERTURBSCOPE_STORE or " + default_store_path() + ")"},
          {"json", false, "print JSON instead of a table (list, show)"},
          {"out", true, "export: the folder to write metrics.csv, predictions.csv, run.json into"}});
  if (a.has("help")) {
    std::printf("%s\noptions:\n%s", kUsage, a.help().c_str());
    return 0;
  }
  if (a.positionals().empty()) throw UsageError("runs: expects list, show ID or export ID --out DIR");
  const std::string& sub = a.positionals()[0];
  if (sub == "list") return list(a);
  if (sub == "show") return show(a);
  if (sub == "export") return export_run(a);
  throw UsageError("runs: unknown subcommand '" + sub + "' (expected list, show or export)");
}

}  // namespace ps::cli
