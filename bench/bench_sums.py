"""Sum micro-benchmark (issue #14): ``autograd_kit._reduction.torch_sum`` (PyTorch's summation order,
bit-identical to torch 2.13's CPU sum) against NumPy's own ``a.sum`` and ``torch.sum`` on the layouts
training uses: bias gradients (dim 0 of (batch, features)), losses (full sums), softmax / cross-entropy
((batch, classes) over dim 1), conv bias gradients and batch-norm statistics ((N, C, H, W) over 0, 2, 3).

    python bench/bench_sums.py              # every row
    python bench/bench_sums.py --only "dim 0"

Each figure is the median of several timed batches (µs per call), float32, one process, one run.
Ratios: the kit over NumPy's own sum (the floor for a NumPy-based sum) and over torch.sum.
"""
import argparse
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch  # noqa: E402

from autograd_kit._reduction import torch_sum  # noqa: E402

ROWS = [  # (shape, dims)
    ((128, 256), 0), ((128, 10), 0), ((512, 1024), 0), ((512, 10), 0), ((16, 16), 0), ((16, 1), 0),
    ((32, 200), 0), ((64, 784), 0),
    ((128, 10), None), ((512, 10), None), ((8,), None), ((64, 784), None), ((100000,), None),
    ((128, 10), 1), ((512, 10), 1), ((32, 27), 1), ((128, 1000), 1),
    ((32, 16, 14, 14), (0, 2, 3)), ((8, 6, 28, 28), (0, 2, 3)), ((64, 32, 8, 8), (0, 2, 3)),
    ((32, 16, 14, 14), None), ((4, 50, 16), (0, 1)),
]


def timeit(fn, budget=0.2, batches=7):
    """Median µs per call over ``batches`` batches sized to take about budget / batches seconds."""
    fn()
    n, t = 1, 0.0
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        t = time.perf_counter() - t0
        if t > budget / batches / 4 or n >= 1 << 20:
            break
        n *= 4
    n = max(1, int(n * (budget / batches) / max(t, 1e-9)))
    runs = []
    for _ in range(batches):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        runs.append((time.perf_counter() - t0) / n * 1e6)
    return statistics.median(runs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="")
    ap.add_argument("--budget", type=float, default=0.2, help="seconds per figure")
    args = ap.parse_args()
    torch.set_num_threads(2)
    rng = np.random.default_rng(0)
    print(f"{'shape':>18} {'dims':>10} {'kit µs':>8} {'numpy µs':>9} {'torch µs':>9} {'kit/np':>7} {'kit/torch':>9}")
    for shape, dims in ROWS:
        label = f"{str(shape):>18} {str(dims):>10}"
        if args.only and args.only not in label and args.only not in f"dim {dims}":
            continue
        a = rng.standard_normal(shape).astype(np.float32)
        t = torch.from_numpy(a)
        kit = timeit(lambda: torch_sum(a, dims), args.budget)
        ref = timeit(lambda: a.sum(dims), args.budget)
        tt = timeit((lambda: t.sum()) if dims is None else (lambda: t.sum(dims)), args.budget)
        print(f"{label} {kit:8.1f} {ref:9.1f} {tt:9.1f} {kit / ref:6.1f}x {kit / tt:8.1f}x", flush=True)


if __name__ == "__main__":
    main()
