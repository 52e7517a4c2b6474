// The experiment store on SQLite. Layout (schema version 1):
//   schema_version(version)
//   runs(id, kind, name, config_json, status, created_at, updated_at, finished_at,
//        git_describe, pid, pid_start, host, summary_json,
//        notes, tags_json, status_reason, progress, progress_message)   (the last five: version 3)
//   metric_series(id, run_id, name)            one row per (run, metric name)
//   metrics(series_id, step, value)            WITHOUT ROWID, primary key (series_id, step):
//                                              a series is one contiguous B-tree range
//   metrics_view(run_id, step, name, value)    the flat view, for ad hoc SQL
//   predictions(id, run_id, item_key, ..., ttc_round)
//   artefacts(id, run_id, kind, path, sha256, bytes, created_at)
// WAL mode lets the GUI read while a job writes; synchronous=NORMAL keeps commits
// cheap (a crash loses at most the last transactions, never consistency).
#include "store/store.h"

#include <signal.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <utility>

#include <nlohmann/json.hpp>

#include "common/crash_point.h"
#include "common/error.h"
#include "common/json_file.h"
#include "common/paths.h"
#include "common/sha256.h"

namespace fs = std::filesystem;

namespace ps::store {

namespace {

constexpr int kSchemaVersion = 3;

// migrations[i] takes a store from version i to i+1. Never edit a released step;
// append a new one and bump kSchemaVersion.
const char* const kMigrations[kSchemaVersion] = {
    // 0 -> 1
    R"sql(
CREATE TABLE runs(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  config_json TEXT NOT NULL DEFAULT '{}',
  status TEXT NOT NULL DEFAULT 'running'
    CHECK(status IN ('running','finished','failed','cancelled','interrupted')),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  finished_at TEXT NOT NULL DEFAULT '',
  git_describe TEXT NOT NULL DEFAULT '',
  pid INTEGER NOT NULL DEFAULT 0,
  pid_start INTEGER NOT NULL DEFAULT 0,
  host TEXT NOT NULL DEFAULT '',
  summary_json TEXT NOT NULL DEFAULT '{}');
CREATE INDEX runs_status ON runs(status);
CREATE TABLE metric_series(
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  UNIQUE(run_id, name));
CREATE TABLE metrics(
  series_id INTEGER NOT NULL REFERENCES metric_series(id) ON DELETE CASCADE,
  step INTEGER NOT NULL,
  value REAL,
  PRIMARY KEY(series_id, step)) WITHOUT ROWID;
CREATE VIEW metrics_view AS
  SELECT s.run_id AS run_id, m.step AS step, s.name AS name, m.value AS value
  FROM metrics m JOIN metric_series s ON s.id = m.series_id;
CREATE TABLE predictions(
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  item_key TEXT NOT NULL,
  cell_line TEXT NOT NULL DEFAULT '',
  perturber TEXT NOT NULL DEFAULT '',
  target TEXT NOT NULL DEFAULT '',
  label INTEGER NOT NULL DEFAULT -1,
  prediction REAL,
  confidence REAL,
  tokens INTEGER NOT NULL DEFAULT 0,
  trace TEXT NOT NULL DEFAULT '',
  ttc_round INTEGER NOT NULL DEFAULT 0);
CREATE INDEX predictions_run ON predictions(run_id, item_key);
CREATE TABLE artefacts(
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  path TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  created_at TEXT NOT NULL);
CREATE INDEX artefacts_run ON artefacts(run_id);
)sql",
    // 1 -> 2: LLM predictions keep their prompt, parse-failure reason and details; GRPO rollout samples.
    R"sql(
ALTER TABLE predictions ADD COLUMN prompt TEXT NOT NULL DEFAULT '';
ALTER TABLE predictions ADD COLUMN parse_failure TEXT NOT NULL DEFAULT '';
ALTER TABLE predictions ADD COLUMN details_json TEXT NOT NULL DEFAULT '{}';
CREATE TABLE rollouts(
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  step INTEGER NOT NULL,
  group_index INTEGER NOT NULL,
  sample_index INTEGER NOT NULL,
  item_key TEXT NOT NULL DEFAULT '',
  label INTEGER NOT NULL DEFAULT -1,
  prompt TEXT NOT NULL DEFAULT '',
  completion TEXT NOT NULL DEFAULT '',
  reward REAL,
  advantage REAL,
  parts_json TEXT NOT NULL DEFAULT '{}');
CREATE INDEX rollouts_run ON rollouts(run_id, step);
)sql",
    // 2 -> 3: the user's notes and tags of a run; why it failed or was cancelled; a running job's progress.
    R"sql(
ALTER TABLE runs ADD COLUMN notes TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN tags_json TEXT NOT NULL DEFAULT '[]';
ALTER TABLE runs ADD COLUMN status_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN progress REAL;
ALTER TABLE runs ADD COLUMN progress_message TEXT NOT NULL DEFAULT '';
)sql",
};

const char* kNow = "strftime('%Y-%m-%dT%H:%M:%fZ','now')";

// Start time of a process in clock ticks since boot (/proc/PID/stat field 22), 0 when
// unknown. Together with the pid it identifies a process even after pid reuse.
int64_t process_start_time(int64_t pid, char* state_out = nullptr) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string s;
  if (!in || !std::getline(in, s)) return 0;
  // The command name (field 2) is in parentheses and may hold spaces: parse after the last ')'.
  auto close = s.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(s.substr(close + 1));
  std::string field;
  char state = 0;
  rest >> state;  // field 3
  if (state_out) *state_out = state;
  for (int i = 4; i <= 22; ++i) {
    if (!(rest >> field)) return 0;
    if (i == 22) return std::strtoll(field.c_str(), nullptr, 10);
  }
  return 0;
}

std::string host_name() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof buf - 1) != 0) return "";
  return buf;
}

bool process_alive(int64_t pid, int64_t recorded_start) {
  if (pid <= 0) return false;
  if (::kill(pid_t(pid), 0) != 0 && errno == ESRCH) return false;
  char state = 0;
  int64_t start = process_start_time(pid, &state);
  if (state == 'Z' || state == 'X') return false;  // killed, not yet reaped
  if (start != 0 && recorded_start != 0 && start != recorded_start) return false;  // pid reused
  return true;
}

bool is_terminal(RunStatus s) { return s != RunStatus::Running; }

}  // namespace

std::string to_string(RunStatus s) {
  switch (s) {
    case RunStatus::Running: return "running";
    case RunStatus::Finished: return "finished";
    case RunStatus::Failed: return "failed";
    case RunStatus::Cancelled: return "cancelled";
    case RunStatus::Interrupted: return "interrupted";
  }
  return "unknown";
}

RunStatus run_status_from_string(const std::string& s) {
  if (s == "running") return RunStatus::Running;
  if (s == "finished") return RunStatus::Finished;
  if (s == "failed") return RunStatus::Failed;
  if (s == "cancelled") return RunStatus::Cancelled;
  if (s == "interrupted") return RunStatus::Interrupted;
  throw Error("unknown run status '" + s + "' (expected running, finished, failed, cancelled or interrupted)");
}

struct Store::Cache {
  std::map<std::string, sqlite3_stmt*> statements;
  std::map<std::pair<int64_t, std::string>, int64_t> series;
  ~Cache() {
    for (auto& kv : statements) sqlite3_finalize(kv.second);
  }
};

namespace {

// Resets a cached statement when the scope ends, so it can be reused.
struct Use {
  sqlite3_stmt* s;
  explicit Use(sqlite3_stmt* st) : s(st) {}
  ~Use() {
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
  }
};

void bind_text(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_text(s, i, v.data(), int(v.size()), SQLITE_TRANSIENT);
}
// NaN is stored as NULL by SQLite; read it back as NaN.
void bind_real(sqlite3_stmt* s, int i, double v) {
  if (std::isnan(v)) sqlite3_bind_null(s, i);
  else sqlite3_bind_double(s, i, v);
}
std::string col_text(sqlite3_stmt* s, int i) {
  const unsigned char* t = sqlite3_column_text(s, i);
  return t ? std::string(reinterpret_cast<const char*>(t), size_t(sqlite3_column_bytes(s, i))) : std::string();
}
double col_real(sqlite3_stmt* s, int i) {
  if (sqlite3_column_type(s, i) == SQLITE_NULL) return std::numeric_limits<double>::quiet_NaN();
  return sqlite3_column_double(s, i);
}

// A transaction that rolls back unless committed (exceptions leave the store as it was).
class Transaction {
 public:
  Transaction(sqlite3* db, const std::string& path) : db_(db), path_(path) { run("BEGIN IMMEDIATE"); }
  ~Transaction() {
    if (!done_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  void commit() {
    run("COMMIT");
    done_ = true;
  }

 private:
  void run(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string m = err ? err : "unknown error";
      sqlite3_free(err);
      throw Error(where(path_, 0, std::string(sql) + " failed: " + m));
    }
  }
  sqlite3* db_;
  const std::string& path_;
  bool done_ = false;
};

}  // namespace

void Store::fail(const std::string& what) const {
  const int last_errno = errno;  // the failed write(2), when SQLite's own record was reset by a rollback
  std::string m = what;
  if (db_) {
    m += std::string(": ") + sqlite3_errmsg(db_);
    // I/O failures: the OS's reason too ("disk I/O error" alone does not say the disk is full).
    const int code = sqlite3_extended_errcode(db_) & 0xff;
    int sys = sqlite3_system_errno(db_);
    if (sys == 0 && (last_errno == ENOSPC || last_errno == EFBIG || last_errno == EDQUOT || last_errno == EROFS || last_errno == EIO))
      sys = last_errno;
    if ((code == SQLITE_IOERR || code == SQLITE_FULL || code == SQLITE_CANTOPEN || code == SQLITE_READONLY) && sys != 0)
      m += std::string(" (") + std::strerror(sys) + ")";
  }
  throw Error(where(path_, 0, m));
}

sqlite3_stmt* Store::prepare(const char* sql) const {
  auto it = cache_->statements.find(sql);
  if (it != cache_->statements.end()) return it->second;
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK)
    fail(std::string("cannot prepare '") + sql + "'");
  cache_->statements.emplace(sql, s);
  return s;
}

void Store::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string m = err ? err : "unknown error";
    sqlite3_free(err);
    throw Error(where(path_, 0, m));
  }
}

Store::Store(const std::string& path) : path_(path), cache_(std::make_unique<Cache>()) {
  try {
    open_and_migrate();
    mark_interrupted_runs();
  } catch (...) {
    cache_.reset();
    if (db_) sqlite3_close_v2(db_);
    db_ = nullptr;
    throw;
  }
}

void Store::open_and_migrate() {
  if (path_.empty()) throw Error("experiment store: empty path");
  fs::path p(path_);
  std::error_code ec;
  fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  if (!fs::exists(dir, ec)) {
    fs::create_directories(dir, ec);
    if (ec) throw Error(where(path_, 0, "cannot create the store's folder " + dir.string() + ": " + ec.message()));
  }
  if (fs::exists(p, ec)) {
    if (fs::is_directory(p, ec)) throw Error(where(path_, 0, "is a folder, not a store file"));
    // A device or FIFO (/dev/null): SQLite would write its journal beside it, into /dev.
    if (!fs::is_regular_file(p, ec)) throw Error(where(path_, 0, "is not a regular file, not a store file"));
    if (::access(path_.c_str(), R_OK | W_OK) != 0)
      throw Error(where(path_, 0, std::string("store file is read-only (") + std::strerror(errno) +
                                      "); pass --store with a writable path"));
  }
  // WAL needs to create PATH-wal and PATH-shm beside the file.
  if (::access(dir.c_str(), W_OK) != 0)
    throw Error(where(path_, 0, "the store's folder " + dir.string() + " is read-only (" + std::strerror(errno) +
                                    "); pass --store with a writable path"));

  int rc = sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) fail("cannot open the experiment store");
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, 10000);

  // Any first read tells a foreign file apart (SQLITE_NOTADB).
  rc = sqlite3_exec(db_, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr);
  if ((rc & 0xff) == SQLITE_NOTADB) throw Error(where(path_, 0, "is not a SQLite database (not an experiment store)"));
  if (rc != SQLITE_OK) fail("cannot read the experiment store");
  if (sqlite3_db_readonly(db_, "main") == 1) throw Error(where(path_, 0, "store opened read-only; pass --store with a writable path"));

  {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, "PRAGMA journal_mode=WAL", -1, &s, nullptr) != SQLITE_OK) fail("cannot set WAL mode");
    std::string mode;
    if (sqlite3_step(s) == SQLITE_ROW) mode = col_text(s, 0);
    sqlite3_finalize(s);
    if (mode != "wal") fail("cannot switch to WAL mode (got '" + mode + "')");
  }
  exec("PRAGMA synchronous=NORMAL");
  exec("PRAGMA foreign_keys=ON");

  Transaction tx(db_, path_);
  bool has_version_table = false, has_other_tables = false;
  {
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db_, "SELECT name FROM sqlite_master WHERE type='table'", -1, &s, nullptr);
    while (sqlite3_step(s) == SQLITE_ROW) {
      std::string n = col_text(s, 0);
      if (n == "schema_version") has_version_table = true;
      else if (n.rfind("sqlite_", 0) != 0) has_other_tables = true;
    }
    sqlite3_finalize(s);
  }
  int version = 0;
  if (has_version_table) {
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db_, "SELECT max(version) FROM schema_version", -1, &s, nullptr);
    if (sqlite3_step(s) == SQLITE_ROW) version = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
  } else if (has_other_tables) {
    throw Error(where(path_, 0, "is a SQLite database but not an experiment store (no schema_version table)"));
  } else {
    exec("CREATE TABLE schema_version(version INTEGER NOT NULL)");
    exec("INSERT INTO schema_version VALUES(0)");
  }
  if (version > kSchemaVersion)
    throw Error(where(path_, 0, "store schema version " + std::to_string(version) + " is newer than this build (" +
                                    std::to_string(kSchemaVersion) + "); use a newer perturbscope or another --store"));
  for (int v = version; v < kSchemaVersion; ++v) exec(kMigrations[v]);
  if (version != kSchemaVersion) {
    exec(("UPDATE schema_version SET version=" + std::to_string(kSchemaVersion)).c_str());
    ++own_writes_;
  }
  tx.commit();
}

Store::~Store() {
  cache_.reset();  // statements must be finalized before the connection closes
  if (db_) sqlite3_close_v2(db_);
}

Store::Store(Store&& other) noexcept
    : path_(std::move(other.path_)), db_(other.db_), own_writes_(other.own_writes_), cache_(std::move(other.cache_)) {
  other.db_ = nullptr;
}

Store& Store::operator=(Store&& other) noexcept {
  if (this != &other) {
    cache_.reset();
    if (db_) sqlite3_close_v2(db_);
    path_ = std::move(other.path_);
    db_ = other.db_;
    own_writes_ = other.own_writes_;
    cache_ = std::move(other.cache_);
    other.db_ = nullptr;
  }
  return *this;
}

int Store::schema_version() { return kSchemaVersion; }

int64_t Store::create_run(const std::string& kind, const std::string& name, const std::string& config_json) {
  if (kind.empty()) throw Error(where(path_, 0, "create_run: empty run kind"));
  static const std::string sql = std::string(
      "INSERT INTO runs(kind,name,config_json,status,created_at,updated_at,git_describe,pid,pid_start,host) "
      "VALUES(?,?,?,'running',") + kNow + "," + kNow + ",?,?,?,?)";
  sqlite3_stmt* s = prepare(sql.c_str());
  Use u(s);
  int64_t pid = ::getpid();
  bind_text(s, 1, kind);
  bind_text(s, 2, name);
  bind_text(s, 3, config_json.empty() ? "{}" : config_json);
  bind_text(s, 4, ps::git_describe());
  sqlite3_bind_int64(s, 5, pid);
  sqlite3_bind_int64(s, 6, process_start_time(pid));
  bind_text(s, 7, host_name());
  if (sqlite3_step(s) != SQLITE_DONE) fail("cannot create a run");
  ++own_writes_;
  return sqlite3_last_insert_rowid(db_);
}

void Store::reopen_run(int64_t run_id) {
  static const std::string sql = std::string("UPDATE runs SET status='running', status_reason='', progress=NULL, "
                                             "progress_message='', finished_at='', updated_at=") + kNow +
                                 ", pid=?, pid_start=?, host=? WHERE id=?";
  sqlite3_stmt* s = prepare(sql.c_str());
  Use u(s);
  const int64_t pid = ::getpid();
  sqlite3_bind_int64(s, 1, pid);
  sqlite3_bind_int64(s, 2, process_start_time(pid));
  bind_text(s, 3, host_name());
  sqlite3_bind_int64(s, 4, run_id);
  if (sqlite3_step(s) != SQLITE_DONE) fail("cannot reopen run " + std::to_string(run_id));
  if (sqlite3_changes(db_) == 0) throw Error(where(path_, 0, "no run with id " + std::to_string(run_id)));
  ++own_writes_;
}

void Store::delete_metrics_after(int64_t run_id, int64_t step) {
  sqlite3_stmt* s = prepare("DELETE FROM metrics WHERE step>? AND series_id IN (SELECT id FROM metric_series WHERE run_id=?)");
  Use u(s);
  sqlite3_bind_int64(s, 1, step);
  sqlite3_bind_int64(s, 2, run_id);
  if (sqlite3_step(s) != SQLITE_DONE) fail("cannot delete metrics of run " + std::to_string(run_id));
  sqlite3_stmt* r = prepare("DELETE FROM rollouts WHERE run_id=? AND step>?");
  Use ur(r);
  sqlite3_bind_int64(r, 1, run_id);
  sqlite3_bind_int64(r, 2, step);
  if (sqlite3_step(r) != SQLITE_DONE) fail("cannot delete rollouts of run " + std::to_string(run_id));
  ++own_writes_;
}

void Store::delete_predictions(int64_t run_id) {
  sqlite3_stmt* s = prepare("DELETE FROM predictions WHERE run_id=?");
  Use u(s);
  sqlite3_bind_int64(s, 1, run_id);
  if (sqlite3_step(s) != SQLITE_DONE) fail("cannot delete predictions of run " + std::to_string(run_id));
  ++own_writes_;
}

void Store::set_status(int64_t run_id, RunStatus status, const std::string& reason) {
  static const std::string sql = std::string("UPDATE runs SET status=?, status_reason=?, updated_at=") + kNow +
                                 ", finished_at=CASE WHEN ? THEN " + kNow + " ELSE '' END WHERE id=?";
  sqlite3_stmt* s = prepare(sql.c_str());
  Use u(s);
  bind_text(s, 1, to_string(status));
  bind_text(s, 2, reason);
  sqlite3_bind_int(s, 3, is_terminal(status) ? 1 : 0);
  sqlite3_bind_int64(s, 4, run_id);
  if (sqlite3_step(s) != SQLITE_DONE) fail("cannot set the status of run " + std::to_string(run_id));
  if (sqlite3_changes(db_) == 0) throw Error(where(path_, 0, "no run with id " + std::to_string(run_id)));
  ++own_writes_;
}

void Store::set_run_text(const char* column, int64_t run_id, const std::string& value, const std::string& what) {
  const std::string sql = std::string("UPDATE runs SET ") + column + "=?, updated_at=" + kNow + " WHERE id=?";
  sqlite3_stmt* s = prepare(sql.c_str());
  Use u(s);
  bind_text(s, 1, value);
  sqlite3_bind_int64(s, 2, run_id);
  if (sqlite3_step(s) != SQLITE_DONE) fail("cannot " + what + " run " + std::to_string(run_id));
  if (sqlite3_changes(db_) == 0) throw Error(where(path_, 0, "no run with id " + std::to_string(run_id)));
  ++own_writes_;
}

void Store::set_summary(int64_t run_id, const std::string& summary_json) {
  set_run_text("summary_json", run_id, summary_json.empty() ? "{}" : summary_json, "set the summary of");
}

void Store::rename_run(int64_t run_id, const std::string& name) {
  set_run_text("name", run_id, name, "rename");
}

void Store::set_notes(int64_t run_id, const std::string& notes) {
  set_run_text("notes", run_id, notes, "set the notes of");
}

void Store::set_tags(int64_t run_id, const std::vector<std::string>& tags) {
  std::vector<std::string> clean;
  for (const auto& t : tags) {
    const size_t a = t.find_first_not_of(" \t\r\n"), b = t.find_last_not_of(" \t\r\n");
    if (a == std::string::npos) continue;
    std::string x = t.substr(a, b - a + 1);
    if (std::find(clean.begin(), clean.end(), x) == clean.end()) clean.push_back(std::move(x));
  }
  set_run_text("tags_json", run_id, nlohmann::json(clean).dump(), "set the tags of");
}

void Store::set_progress(int64_t run_id, double fraction, const std::string& message) {
  if (!std::isnan(fraction) && !(fraction >= 0 && fraction <= 1))
    throw Error(where(path_, 0, "progress of run " + std::to_string(run_id) + " must be in [0, 1] or NaN, got " +
                                    std::to_string(fraction)));
  static const std::string sql = std::string("UPDATE runs SET progress=?, progress_message=?, updated_at=") + kNow +
                                 " WHERE id=?";
  sqlite3_stmt* s = prepare(sql.c_str());
  Use u(s);
  bind_real(s, 1, fraction);
  bind_text(s, 2, message);
  sqlite3_bind_int64(s, 3, run_id);
  if (sqlite3_step(s) != SQLITE_DONE) fail("cannot set the progress of run " + std::to_string(run_id));
  if (sqlite3_changes(db_) == 0) throw Error(where(path_, 0, "no run with id " + std::to_string(run_id)));
  ++own_writes_;
}

void Store::touch_run(int64_t run_id) {
  static const std::string sql = std::string("UPDATE runs SET updated_at=") + kNow + " WHERE id=?";
  sqlite3_stmt* s = prepare(sql.c_str());
  Use u(s);
  sqlite3_bind_int64(s, 1, run_id);
  if (sqlite3_step(s) != SQLITE_DONE) fail("cannot update run " + std::to_string(run_id));
}

namespace {
const char* kRunColumns =
    "SELECT id,kind,name,config_json,status,created_at,updated_at,finished_at,git_describe,pid,summary_json,"
    "notes,tags_json,status_reason,progress,progress_message FROM runs ";

Run read_run(sqlite3_stmt* s) {
  Run r;
  r.id = sqlite3_column_int64(s, 0);
  r.kind = col_text(s, 1);
  r.name = col_text(s, 2);
  r.config_json = col_text(s, 3);
  r.summary_json = col_text(s, 10);
  // Every reader parses and prints these; nlohmann_json recurses per nesting level.
  for (const auto& [field, text] : {std::pair<const char*, const std::string*>{"config_json", &r.config_json},
                                    {"summary_json", &r.summary_json}})
    if (json_nesting_depth(*text) > kMaxJsonDepth)
      throw Error("experiment store: run " + std::to_string(r.id) + ": " + field + " nests deeper than " +
                  std::to_string(kMaxJsonDepth) + " levels (edited outside PerturbScope?)");
  r.status = run_status_from_string(col_text(s, 4));
  r.created_at = col_text(s, 5);
  r.updated_at = col_text(s, 6);
  r.finished_at = col_text(s, 7);
  r.git_describe = col_text(s, 8);
  r.pid = sqlite3_column_int64(s, 9);
  r.notes = col_text(s, 11);
  // tags_json is written only by set_tags; anything else there reads as no tags, never a throw
  const auto tags = nlohmann::json::parse(col_text(s, 12), nullptr, false);
  if (tags.is_array())
    for (const auto& t : tags)
      if (t.is_string()) r.tags.push_back(t.get<std::string>());
  r.status_reason = col_text(s, 13);
  r.progress = col_real(s, 14);
  r.progress_message = col_text(s, 15);
  return r;
}
}  // namespace

std::vector<Run> Store::list_runs() const {
  static const std::string sql = std::string(kRunColumns) + "ORDER BY id DESC";
  sqlite3_stmt* s = prepare(sql.c_str());
  Use u(s);
  std::vector<Run> out;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) out.push_back(read_run(s));
  if (rc != SQLITE_DONE) fail("cannot list runs");
  return out;
}

std::optional<Run> Store::get_run(int64_t run_id) const {
  static const std::string sql = std::string(kRunColumns) + "WHERE id=?";
  sqlite3_stmt* s = prepare(sql.c_str());
  Use u(s);
  sqlite3_bind_int64(s, 1, run_id);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) return read_run(s);
  if (rc != SQLITE_DONE) fail("cannot read run " + std::to_string(run_id));
  return std::nullopt;
}

void Store::delete_run(int64_t run_id) {
  sqlite3_stmt* s = prepare("DELETE FROM runs WHERE id=?");
  Use u(s);
  sqlite3_bind_int64(s, 1, run_id);
  if (sqlite3_step(s) != SQLITE_DONE) fail("cannot delete run " + std::to_string(run_id));
  if (sqlite3_changes(db_) == 0) throw Error(where(path_, 0, "no run with id " + std::to_string(run_id)));
  for (auto it = cache_->series.begin(); it != cache_->series.end();)
    it = it->first.first == run_id ? cache_->series.erase(it) : std::next(it);
  ++own_writes_;
}

// The id of a run's metric series, created on first use and cached.
int64_t Store::series_id(int64_t run_id, const std::string& name) {
  auto key = std::make_pair(run_id, name);
  auto it = cache_->series.find(key);
  if (it != cache_->series.end()) return it->second;
  {
    sqlite3_stmt* s = prepare("INSERT OR IGNORE INTO metric_series(run_id,name) VALUES(?,?)");
    Use u(s);
    sqlite3_bind_int64(s, 1, run_id);
    bind_text(s, 2, name);
    int rc = sqlite3_step(s);
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
      throw Error(where(path_, 0, "cannot log metric '" + name + "': no run with id " + std::to_string(run_id)));
    if (rc != SQLITE_DONE) fail("cannot create metric series '" + name + "'");
  }
  sqlite3_stmt* s = prepare("SELECT id FROM metric_series WHERE run_id=? AND name=?");
  Use u(s);
  sqlite3_bind_int64(s, 1, run_id);
  bind_text(s, 2, name);
  if (sqlite3_step(s) != SQLITE_ROW) fail("cannot find metric series '" + name + "'");
  int64_t id = sqlite3_column_int64(s, 0);
  cache_->series.emplace(key, id);
  return id;
}

void Store::log_metric(int64_t run_id, int64_t step, const std::string& name, double value) {
  log_metrics(run_id, {MetricPoint{step, name, value}});
}

void Store::log_metrics(int64_t run_id, const std::vector<MetricPoint>& points) {
  if (points.empty()) return;
  Transaction tx(db_, path_);
  try {
    // Logging a step twice replaces the value (a resumed job may redo its last step).
    sqlite3_stmt* s = prepare("INSERT OR REPLACE INTO metrics(series_id,step,value) VALUES(?,?,?)");
    for (const auto& p : points) {
      if (p.name.empty()) throw Error(where(path_, 0, "metric with an empty name"));
      int64_t sid = series_id(run_id, p.name);
      Use u(s);
      sqlite3_bind_int64(s, 1, sid);
      sqlite3_bind_int64(s, 2, p.step);
      bind_real(s, 3, p.value);
      if (sqlite3_step(s) != SQLITE_DONE) fail("cannot log metric '" + p.name + "'");
    }
    touch_run(run_id);
    crash_point("store.write");
    tx.commit();
  } catch (...) {
    // A rolled-back transaction may have dropped series rows we cached.
    cache_->series.clear();
    throw;
  }
  ++own_writes_;
}

std::vector<MetricPoint> Store::metrics(int64_t run_id, const std::string& name) const {
  std::vector<MetricPoint> out;
  sqlite3_stmt* s;
  if (name.empty()) {
    s = prepare(
        "SELECT m.step, s.name, m.value FROM metric_series s JOIN metrics m ON m.series_id=s.id "
        "WHERE s.run_id=? ORDER BY s.name, m.step");
  } else {
    s = prepare(
        "SELECT m.step, s.name, m.value FROM metric_series s JOIN metrics m ON m.series_id=s.id "
        "WHERE s.run_id=? AND s.name=? ORDER BY m.step");
  }
  Use u(s);
  sqlite3_bind_int64(s, 1, run_id);
  if (!name.empty()) bind_text(s, 2, name);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) out.push_back({sqlite3_column_int64(s, 0), col_text(s, 1), col_real(s, 2)});
  if (rc != SQLITE_DONE) fail("cannot read metrics of run " + std::to_string(run_id));
  return out;
}

std::vector<MetricPoint> Store::metrics_after(int64_t run_id, const std::string& name, int64_t after_step) const {
  sqlite3_stmt* s = prepare(
      "SELECT m.step, m.value FROM metric_series s JOIN metrics m ON m.series_id=s.id "
      "WHERE s.run_id=? AND s.name=? AND m.step>? ORDER BY m.step");
  Use u(s);
  sqlite3_bind_int64(s, 1, run_id);
  bind_text(s, 2, name);
  sqlite3_bind_int64(s, 3, after_step);
  std::vector<MetricPoint> out;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) out.push_back({sqlite3_column_int64(s, 0), name, col_real(s, 1)});
  if (rc != SQLITE_DONE) fail("cannot read metric '" + name + "' of run " + std::to_string(run_id));
  return out;
}

std::vector<std::string> Store::metric_names(int64_t run_id) const {
  sqlite3_stmt* s = prepare("SELECT name FROM metric_series WHERE run_id=? ORDER BY name");
  Use u(s);
  sqlite3_bind_int64(s, 1, run_id);
  std::vector<std::string> out;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) out.push_back(col_text(s, 0));
  if (rc != SQLITE_DONE) fail("cannot read metric names of run " + std::to_string(run_id));
  return out;
}

int64_t Store::metric_count(int64_t run_id) const {
  sqlite3_stmt* s = prepare(
      "SELECT count(*) FROM metric_series s JOIN metrics m ON m.series_id=s.id WHERE s.run_id=?");
  Use u(s);
  sqlite3_bind_int64(s, 1, run_id);
  if (sqlite3_step(s) != SQLITE_ROW) fail("cannot count metrics of run " + std::to_string(run_id));
  return sqlite3_column_int64(s, 0);
}

void Store::add_predictions(int64_t run_id, const std::vector<Prediction>& preds) {
  if (preds.empty()) return;
  Transaction tx(db_, path_);
  sqlite3_stmt* s = prepare(
      "INSERT INTO predictions(run_id,item_key,cell_line,perturber,target,label,prediction,confidence,tokens,"
      "trace,ttc_round,prompt,parse_failure,details_json) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  for (const auto& p : preds) {
    Use u(s);
    sqlite3_bind_int64(s, 1, run_id);
    bind_text(s, 2, p.item_key);
    bind_text(s, 3, p.cell_line);
    bind_text(s, 4, p.perturber);
    bind_text(s, 5, p.target);
    sqlite3_bind_int(s, 6, p.label);
    bind_real(s, 7, p.prediction);
    bind_real(s, 8, p.confidence);
    sqlite3_bind_int64(s, 9, p.tokens);
    bind_text(s, 10, p.trace);
    sqlite3_bind_int(s, 11, p.ttc_round);
    bind_text(s, 12, p.prompt);
    bind_text(s, 13, p.parse_failure);
    bind_text(s, 14, p.details_json.empty() ? std::string("{}") : p.details_json);
    int rc = sqlite3_step(s);
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
      throw Error(where(path_, 0, "cannot add predictions: no run with id " + std::to_string(run_id)));
    if (rc != SQLITE_DONE) fail("cannot add prediction '" + p.item_key + "'");
  }
  touch_run(run_id);
  crash_point("store.write");
  tx.commit();
  ++own_writes_;
}

std::vector<Prediction> Store::predictions(int64_t run_id) const {
  sqlite3_stmt* s = prepare(
      "SELECT item_key,cell_line,perturber,target,label,prediction,confidence,tokens,trace,ttc_round,"
      "prompt,parse_failure,details_json FROM predictions WHERE run_id=? ORDER BY id");
  Use u(s);
  sqlite3_bind_int64(s, 1, run_id);
  std::vector<Prediction> out;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    Prediction p;
    p.item_key = col_text(s, 0);
    p.cell_line = col_text(s, 1);
    p.perturber = col_text(s, 2);
    p.target = col_text(s, 3);
    p.label = sqlite3_column_int(s, 4);
    p.prediction = col_real(s, 5);
    p.confidence = col_real(s, 6);
    p.tokens = sqlite3_column_int64(s, 7);
    p.trace = col_text(s, 8);
    p.ttc_round = sqlite3_column_int(s, 9);
    p.prompt = col_text(s, 10);
    p.parse_failure = col_text(s, 11);
    p.details_json = col_text(s, 12);
    out.push_back(std::move(p));
  }
  if (rc != SQLITE_DONE) fail("cannot read predictions of run " + std::to_string(run_id));
  return out;
}

void Store::add_rollouts(int64_t run_id, const std::vector<RolloutSample>& samples) {
  if (samples.empty()) return;
  Transaction tx(db_, path_);
  sqlite3_stmt* s = prepare(
      "INSERT INTO rollouts(run_id,step,group_index,sample_index,item_key,label,prompt,completion,reward,advantage,"
      "parts_json) VALUES(?,?,?,?,?,?,?,?,?,?,?)");
  for (const auto& r : samples) {
    Use u(s);
    sqlite3_bind_int64(s, 1, run_id);
    sqlite3_bind_int64(s, 2, r.step);
    sqlite3_bind_int64(s, 3, r.group_index);
    sqlite3_bind_int64(s, 4, r.sample_index);
    bind_text(s, 5, r.item_key);
    sqlite3_bind_int(s, 6, r.label);
    bind_text(s, 7, r.prompt);
    bind_text(s, 8, r.completion);
    bind_real(s, 9, r.reward);
    bind_real(s, 10, r.advantage);
    bind_text(s, 11, r.parts_json.empty() ? std::string("{}") : r.parts_json);
    int rc = sqlite3_step(s);
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
      throw Error(where(path_, 0, "cannot add rollouts: no run with id " + std::to_string(run_id)));
    if (rc != SQLITE_DONE) fail("cannot add a rollout sample of run " + std::to_string(run_id));
  }
  crash_point("store.write");
  touch_run(run_id);
  tx.commit();
  ++own_writes_;
}

std::vector<RolloutSample> Store::rollouts(int64_t run_id, int64_t step) const {
  sqlite3_stmt* s = prepare(
      "SELECT step,group_index,sample_index,item_key,label,prompt,completion,reward,advantage,parts_json "
      "FROM rollouts WHERE run_id=? AND (?<0 OR step=?) ORDER BY step,group_index,sample_index");
  Use u(s);
  sqlite3_bind_int64(s, 1, run_id);
  sqlite3_bind_int64(s, 2, step);
  sqlite3_bind_int64(s, 3, step);
  std::vector<RolloutSample> out;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    RolloutSample r;
    r.step = sqlite3_column_int64(s, 0);
    r.group_index = sqlite3_column_int64(s, 1);
    r.sample_index = sqlite3_column_int64(s, 2);
    r.item_key = col_text(s, 3);
    r.label = sqlite3_column_int(s, 4);
    r.prompt = col_text(s, 5);
    r.completion = col_text(s, 6);
    r.reward = col_real(s, 7);
    r.advantage = col_real(s, 8);
    r.parts_json = col_text(s, 9);
    out.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) fail("cannot read rollouts of run " + std::to_string(run_id));
  return out;
}

int64_t Store::add_artefact(int64_t run_id, const std::string& kind, const std::string& path) {
  int64_t bytes = 0;
  std::string digest = sha256_file(path, &bytes);  // throws naming the path
  std::error_code ec;
  fs::path abs = fs::absolute(path, ec);
  static const std::string sql = std::string(
      "INSERT INTO artefacts(run_id,kind,path,sha256,bytes,created_at) VALUES(?,?,?,?,?,") + kNow + ")";
  sqlite3_stmt* s = prepare(sql.c_str());
  Use u(s);
  sqlite3_bind_int64(s, 1, run_id);
  bind_text(s, 2, kind);
  bind_text(s, 3, ec ? path : abs.lexically_normal().string());
  bind_text(s, 4, digest);
  sqlite3_bind_int64(s, 5, bytes);
  int rc = sqlite3_step(s);
  if ((rc & 0xff) == SQLITE_CONSTRAINT)
    throw Error(where(path_, 0, "cannot add artefact " + path + ": no run with id " + std::to_string(run_id)));
  if (rc != SQLITE_DONE) fail("cannot add artefact " + path);
  ++own_writes_;
  return sqlite3_last_insert_rowid(db_);
}

std::vector<Artefact> Store::artefacts(int64_t run_id) const {
  sqlite3_stmt* s = prepare(
      "SELECT id,run_id,kind,path,sha256,bytes,created_at FROM artefacts WHERE run_id=? ORDER BY id");
  Use u(s);
  sqlite3_bind_int64(s, 1, run_id);
  std::vector<Artefact> out;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    Artefact a;
    a.id = sqlite3_column_int64(s, 0);
    a.run_id = sqlite3_column_int64(s, 1);
    a.kind = col_text(s, 2);
    a.path = col_text(s, 3);
    a.sha256 = col_text(s, 4);
    a.bytes = sqlite3_column_int64(s, 5);
    a.created_at = col_text(s, 6);
    out.push_back(std::move(a));
  }
  if (rc != SQLITE_DONE) fail("cannot read artefacts of run " + std::to_string(run_id));
  return out;
}

int64_t Store::change_counter() const {
  sqlite3_stmt* s = prepare("PRAGMA data_version");
  Use u(s);
  if (sqlite3_step(s) != SQLITE_ROW) fail("cannot read data_version");
  return sqlite3_column_int64(s, 0) + own_writes_;
}

int64_t Store::mark_interrupted_runs() {
  std::vector<int64_t> dead;
  const std::string here = host_name();
  {
    sqlite3_stmt* s = prepare("SELECT id,pid,pid_start,host FROM runs WHERE status='running'");
    Use u(s);
    while (sqlite3_step(s) == SQLITE_ROW) {
      // A run started on another machine cannot be checked from here.
      if (col_text(s, 3) != here && !col_text(s, 3).empty()) continue;
      if (!process_alive(sqlite3_column_int64(s, 1), sqlite3_column_int64(s, 2)))
        dead.push_back(sqlite3_column_int64(s, 0));
    }
  }
  if (dead.empty()) return 0;
  Transaction tx(db_, path_);
  static const std::string sql = std::string("UPDATE runs SET status='interrupted', updated_at=") + kNow +
                                 ", finished_at=" + kNow + " WHERE id=? AND status='running'";
  sqlite3_stmt* s = prepare(sql.c_str());
  for (int64_t id : dead) {
    Use u(s);
    sqlite3_bind_int64(s, 1, id);
    if (sqlite3_step(s) != SQLITE_DONE) fail("cannot mark run " + std::to_string(id) + " interrupted");
  }
  tx.commit();
  ++own_writes_;
  return int64_t(dead.size());
}

}  // namespace ps::store
