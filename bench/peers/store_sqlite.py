#!/usr/bin/env python3
"""The store peer: the same SQL as core/store/store.cpp, run from Python's sqlite3 on the
files bench_store leaves in --dir (same schema, same pragmas, same transactions).

  store_sqlite.py --dir DIR [--min-time 1]

Prints {"peer", "results": {"BM_log_metric": writes/s, "BM_log_metrics_step": metrics/s,
"BM_query_series": queries/s}}.
"""
import argparse
import json
import sqlite3
import time

NOW = "strftime('%Y-%m-%dT%H:%M:%fZ','now')"
NAMES = ["loss", "reward", "kl", "lr", "grad_norm", "brier", "f1", "ece", "entropy", "tokens"]


def connect(path):
    db = sqlite3.connect(path, isolation_level=None)  # explicit BEGIN/COMMIT, as the C++ store
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=ON")
    return db


def new_run(db, name):
    cur = db.execute(f"INSERT INTO runs(kind,name,config_json,status,created_at,updated_at) "
                     f"VALUES('bench',?,'{{}}','running',{NOW},{NOW})", (name,))
    return cur.lastrowid


def series_ids(db, run, names):
    out = {}
    for n in names:
        db.execute("INSERT OR IGNORE INTO metric_series(run_id,name) VALUES(?,?)", (run, n))
        out[n] = db.execute("SELECT id FROM metric_series WHERE run_id=? AND name=?", (run, n)).fetchone()[0]
    return out


def log_step(db, run, sids, step, points):
    db.execute("BEGIN IMMEDIATE")
    for name, value in points:
        db.execute("INSERT OR REPLACE INTO metrics(series_id,step,value) VALUES(?,?,?)", (sids[name], step, value))
    db.execute(f"UPDATE runs SET updated_at={NOW} WHERE id=?", (run,))
    db.execute("COMMIT")


def rate(fn, min_time):
    n, t0 = 0, time.perf_counter()
    while True:
        fn(n)
        n += 1
        dt = time.perf_counter() - t0
        if dt >= min_time:
            return n / dt


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--min-time", type=float, default=1.0)
    a = ap.parse_args()
    res = {}

    db = connect(f"{a.dir}/writes_one.sqlite")
    run = new_run(db, "peer log_metric")
    sids = series_ids(db, run, ["loss"])
    res["BM_log_metric"] = rate(lambda i: log_step(db, run, sids, i, [("loss", 1.0 / (i + 1))]), a.min_time)

    db = connect(f"{a.dir}/writes_step.sqlite")
    run = new_run(db, "peer log_metrics")
    sids = series_ids(db, run, NAMES[:8])
    res["BM_log_metrics_step"] = 8 * rate(
        lambda i: log_step(db, run, sids, i, [(n, 0.5 + 1e-6 * i) for n in NAMES[:8]]), a.min_time)

    db = connect(f"{a.dir}/million.sqlite")
    runs = [r[0] for r in db.execute("SELECT id FROM runs ORDER BY id DESC")]  # newest first, as list_runs()
    run = runs[len(runs) // 2]

    def query(_):
        rows = db.execute("SELECT m.step, s.name, m.value FROM metric_series s JOIN metrics m "
                          "ON m.series_id=s.id WHERE s.run_id=? AND s.name=? ORDER BY m.step",
                          (run, "reward")).fetchall()
        if len(rows) != 10000:
            raise SystemExit(f"store_sqlite.py: expected 10000 points, got {len(rows)}")
    query(0)
    res["BM_query_series"] = rate(query, a.min_time)
    print(json.dumps({"peer": f"Python sqlite3 (SQLite {sqlite3.sqlite_version})", "results": res}))


if __name__ == "__main__":
    main()
