#!/usr/bin/env python3
"""The matrix-product peer: numpy (Debian's python3-numpy, on the system BLAS) on the
same sizes as bench_matmul. Set OPENBLAS_NUM_THREADS / OMP_NUM_THREADS before starting
(bench/run.sh does) so both sides use the same thread count.

  matmul.py [--sizes 1024 4096] [--min-time 2] [--device cpu|cuda]

--device cuda measures torch.matmul in bfloat16 instead (numpy has no GPU path).
Prints {"peer", "results": [{"n", "seconds", "flops", "seconds_out", "flops_out"}]};
flops = 2 n^3 / seconds; *_out: into a preallocated result (np.matmul(..., out=)).
"""
import argparse
import json
import time


def timed(fn, min_time):
    fn()  # warm-up
    n, start = 0, time.perf_counter()
    while True:
        fn()
        n += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_time and n >= 2:
            return elapsed / n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1024, 4096])
    ap.add_argument("--min-time", type=float, default=2.0)
    ap.add_argument("--device", default="cpu")
    a = ap.parse_args()
    results = []
    if a.device == "cpu":
        import numpy as np
        peer = f"numpy {np.__version__}"
        rng = np.random.default_rng(0)
        for n in a.sizes:
            x = rng.standard_normal((n, n), dtype=np.float32)
            y = rng.standard_normal((n, n), dtype=np.float32)
            s = timed(lambda: np.matmul(x, y), a.min_time)
            out = np.empty((n, n), dtype=np.float32)
            s_out = timed(lambda: np.matmul(x, y, out=out), a.min_time)
            results.append({"n": n, "seconds": s, "flops": 2.0 * n ** 3 / s,
                            "seconds_out": s_out, "flops_out": 2.0 * n ** 3 / s_out})
    else:
        import torch
        peer = f"PyTorch {torch.__version__} torch.matmul bfloat16"
        for n in a.sizes:
            x = torch.randn(n, n, device=a.device, dtype=torch.bfloat16)
            y = torch.randn(n, n, device=a.device, dtype=torch.bfloat16)

            def run():
                torch.matmul(x, y)
                torch.cuda.synchronize()
            s = timed(run, a.min_time)
            results.append({"n": n, "seconds": s, "flops": 2.0 * n ** 3 / s})
    print(json.dumps({"peer": peer, "device": a.device, "results": results}))


if __name__ == "__main__":
    main()
