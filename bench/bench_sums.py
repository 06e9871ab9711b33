"""Sum micro-benchmark (issue #14): ``autograd_kit._reduction.torch_sum`` (PyTorch's summation order,
bit-identical to torch 2.13's CPU sum) against NumPy's own ``a.sum`` and ``torch.sum`` on the layouts
training uses: bias gradients (dim 0 of (batch, features)), losses (full sums), softmax / cross-entropy
((batch, classes) over dim 1), conv bias gradients and batch-norm statistics ((N, C, H, W) over 0, 2, 3).

    python bench/bench_sums.py              # every row
    python bench/bench_sums.py --only "dim 0"

Each figure is the median of several timed batches (µs per call), float32, one process, one run; the three
are timed in turns (kit, NumPy, torch, kit, ...) so this shared machine's drift hits them alike.
Ratios: the kit over NumPy's own sum (the floor for a NumPy-based sum) and over torch.sum.
torch runs on ``--threads`` threads (default 1: on a busy 2-core machine its 2-thread figures for the
larger rows are dominated by waiting for the second thread); the kit's bits are those of 2 threads anyway.
"""
import argparse
import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
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


def batch_size(fn, budget):
    """Calls per batch so that a batch takes about ``budget`` seconds."""
    fn()
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        t = time.perf_counter() - t0
        if t > budget / 4 or n >= 1 << 20:
            return max(1, int(n * budget / max(t, 1e-9)))
        n *= 4


def timed(fns, budget, batches):
    """Median µs per call of each function, their batches run in turns."""
    sizes = [batch_size(fn, budget / batches) for fn in fns]
    runs = [[] for _ in fns]
    for _ in range(batches):
        for fn, n, out in zip(fns, sizes, runs):
            t0 = time.perf_counter()
            for _ in range(n):
                fn()
            out.append((time.perf_counter() - t0) / n * 1e6)
    return [statistics.median(r) for r in runs]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="")
    ap.add_argument("--budget", type=float, default=0.3, help="seconds per figure")
    ap.add_argument("--batches", type=int, default=9)
    ap.add_argument("--threads", type=int, default=1, help="torch's threads")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    print(f"{'shape':>18} {'dims':>10} {'kit µs':>8} {'numpy µs':>9} {'torch µs':>9} {'kit/np':>7} {'kit/torch':>9}")
    ratios = []
    for shape, dims in ROWS:
        label = f"{str(shape):>18} {str(dims):>10}"
        if args.only and args.only not in label and args.only not in f"dim {dims}":
            continue
        a = rng.standard_normal(shape).astype(np.float32)
        t = torch.from_numpy(a)
        kit, ref, tt = timed([lambda: torch_sum(a, dims), lambda: a.sum(dims),
                              (lambda: t.sum()) if dims is None else (lambda: t.sum(dims))], args.budget, args.batches)
        ratios.append(kit / ref)
        print(f"{label} {kit:8.1f} {ref:9.1f} {tt:9.1f} {kit / ref:6.1f}x {kit / tt:8.1f}x", flush=True)
    if ratios:
        print(f"geometric mean kit/numpy: {statistics.geometric_mean(ratios):.2f}x over {len(ratios)} rows")


if __name__ == "__main__":
    main()
