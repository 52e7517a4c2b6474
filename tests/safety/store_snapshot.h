// What a training run left in the experiment store, read with SQLite directly (not through
// ps::store::Store, whose readers could hide duplicates): metric rows, predictions, rollout
// samples, status and summary; and the file's own integrity check.
#pragma once
#include <sqlite3.h>

#include <cmath>
#include <cstdio>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

namespace ps::test {

// Wall-clock measurements: they differ between any two runs, killed or not.
inline bool is_timing_metric(const std::string& name) {
  return name == "step_time" || name == "tokens_per_second" || name == "rollout_tokens_per_second";
}

struct RunSnapshot {
  bool exists = false;
  std::string kind, status;
  nlohmann::json summary;
  // (name, step) -> value (nullopt = NULL), timing metrics left out; `metric_dupes` counts
  // (name, step) pairs stored more than once.
  std::map<std::pair<std::string, int64_t>, std::optional<double>> metrics;
  int64_t metric_dupes = 0;
  // item_key -> (confidence, trace, parse_failure); `prediction_dupes` counts repeated keys.
  std::map<std::string, std::tuple<std::optional<double>, std::string, std::string>> predictions;
  int64_t prediction_dupes = 0;
  // (step, group, sample) -> (item_key, completion, reward, advantage)
  std::map<std::tuple<int64_t, int64_t, int64_t>, std::tuple<std::string, std::string, std::optional<double>, std::optional<double>>>
      rollouts;
  int64_t rollout_dupes = 0;
};

class SqliteReader {
 public:
  explicit SqliteReader(const std::string& path) {
    ok_ = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK;
    if (ok_) sqlite3_busy_timeout(db_, 10000);
  }
  ~SqliteReader() { sqlite3_close_v2(db_); }
  bool ok() const { return ok_; }
  std::string error() const { return db_ ? sqlite3_errmsg(db_) : "no connection"; }

  // Every row of `sql` as text (NULL -> "\x01NULL").
  std::vector<std::vector<std::string>> rows(const std::string& sql, int64_t bind = INT64_MIN) const {
    std::vector<std::vector<std::string>> out;
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
      out.push_back({"\x01ERROR " + std::string(sqlite3_errmsg(db_))});
      return out;
    }
    if (bind != INT64_MIN) sqlite3_bind_int64(s, 1, bind);
    while (sqlite3_step(s) == SQLITE_ROW) {
      std::vector<std::string> r;
      for (int c = 0; c < sqlite3_column_count(s); ++c) {
        const int type = sqlite3_column_type(s, c);
        if (type == SQLITE_NULL) {
          r.push_back("\x01NULL");
        } else if (type == SQLITE_FLOAT) {  // every bit of the double, not SQLite's 15 digits
          char b[40];
          std::snprintf(b, sizeof b, "%.17g", sqlite3_column_double(s, c));
          r.push_back(b);
        } else {
          r.push_back(reinterpret_cast<const char*>(sqlite3_column_text(s, c)));
        }
      }
      out.push_back(std::move(r));
    }
    sqlite3_finalize(s);
    return out;
  }

  std::string integrity() const {
    std::string all;
    for (const auto& r : rows("PRAGMA integrity_check")) all += (all.empty() ? "" : "; ") + r.at(0);
    return all;
  }

  RunSnapshot snapshot(int64_t run) const {
    RunSnapshot s;
    auto info = rows("SELECT kind, status, summary_json FROM runs WHERE id=?", run);
    if (info.empty()) return s;
    s.exists = true;
    s.kind = info[0][0];
    s.status = info[0][1];
    s.summary = nlohmann::json::parse(info[0][2], nullptr, false);
    auto num = [](const std::string& t) -> std::optional<double> {
      if (t == "\x01NULL") return std::nullopt;
      return std::stod(t);
    };
    for (const auto& r : rows("SELECT s.name, m.step, m.value FROM metrics m JOIN metric_series s ON s.id=m.series_id "
                              "WHERE s.run_id=? ORDER BY s.name, m.step",
                              run)) {
      if (is_timing_metric(r[0])) continue;
      if (!s.metrics.emplace(std::make_pair(r[0], std::stoll(r[1])), num(r[2])).second) ++s.metric_dupes;
    }
    for (const auto& r : rows("SELECT item_key, confidence, trace, parse_failure FROM predictions WHERE run_id=? ORDER BY id", run))
      if (!s.predictions.emplace(r[0], std::make_tuple(num(r[1]), r[2], r[3])).second) ++s.prediction_dupes;
    for (const auto& r : rows("SELECT step, group_index, sample_index, item_key, completion, reward, advantage FROM rollouts "
                              "WHERE run_id=? ORDER BY id",
                              run))
      if (!s.rollouts
               .emplace(std::make_tuple(std::stoll(r[0]), std::stoll(r[1]), std::stoll(r[2])),
                        std::make_tuple(r[3], r[4], num(r[5]), num(r[6])))
               .second)
        ++s.rollout_dupes;
    return s;
  }

 private:
  sqlite3* db_ = nullptr;
  bool ok_ = false;
};

// A summary without what differs between two runs of the same config (ids, folders, seconds).
inline nlohmann::json comparable_summary(nlohmann::json j) {
  if (j.is_object()) {
    for (const char* k : {"seconds", "run_id", "teacher_run_id", "run_dir", "model_dir", "adapter_dir"}) j.erase(k);
    for (auto& [k, v] : j.items()) v = comparable_summary(v);
  } else if (j.is_array()) {
    for (auto& v : j) v = comparable_summary(v);
  }
  return j;
}

inline std::string show(const std::optional<double>& v) { return v ? std::to_string(*v) : "NULL"; }

}  // namespace ps::test
