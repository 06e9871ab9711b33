"""Random-number benchmarks: the kit's PyTorch-identical generator against PyTorch 2.13 (CPU).

    python bench/bench_random.py            # all
    python bench/bench_random.py --quick    # fewer repetitions

Each case draws the same numbers in both libraries (checked here too) and prints the best time of each,
run in turns, and the ratio kit / PyTorch.
"""
import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("OPENBLAS_WAIT_POLICY", "PASSIVE")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import autograd_kit as ak  # noqa: E402

CASES = [
    ("rand(1_000_000)", lambda t: t.rand(1_000_000)),
    ("randn(1_000_000)", lambda t: t.randn(1_000_000)),
    ("randn(1_000_000, float64)", lambda t: t.randn(1_000_000, dtype=t.float64)),
    ("randn(10)", lambda t: t.randn(10)),
    ("randint(0, 10, (1_000_000,))", lambda t: t.randint(0, 10, (1_000_000,))),
    ("randperm(60_000)", lambda t: t.randperm(60_000)),
    ("dropout(ones(1_000_000))", lambda t: t.nn.functional.dropout(t.ones(1_000_000))),
    ("nn.Linear(784, 256)", lambda t: t.nn.Linear(784, 256).weight),
    ("multinomial(rand(1000), 100)", lambda t: t.multinomial(t.rand(1000), 100)),
    ("empty(1000, 1000).uniform_(-0.1, 0.1)", lambda t: t.empty(1000, 1000).uniform_(-0.1, 0.1)),
]


def best(fn, lib, repeat):
    times = []
    for _ in range(repeat):
        lib.manual_seed(0)
        t0 = time.perf_counter()
        fn(lib)
        times.append(time.perf_counter() - t0)
    return min(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    repeat = 3 if ap.parse_args().quick else 7
    torch.set_num_threads(os.cpu_count() or 1)
    print(f"{'case':40s} {'PyTorch':>10s} {'kit':>10s} {'ratio':>7s}  same numbers")
    for name, fn in CASES:
        torch.manual_seed(0)
        ak.manual_seed(0)
        a, b = fn(torch), fn(ak)
        same = np.array_equal(a.detach().numpy(), b.detach().numpy())
        tt, tk = best(fn, torch, repeat), best(fn, ak, repeat)
        print(f"{name:40s} {tt * 1e3:8.2f}ms {tk * 1e3:8.2f}ms {tk / tt:6.1f}x  {same}")


if __name__ == "__main__":
    main()
