"""Engine benchmarks (issue #14): the same work in PyTorch 2.13 (CPU), plain NumPy and autograd_kit.

    python bench/bench_engine.py              # every row, 7 rounds each
    python bench/bench_engine.py --rounds 5   # fewer rounds
    python bench/bench_engine.py --only mlp   # rows whose name contains "mlp"

Each library runs each row in a fresh process of its own (no library's threads, allocations or garbage
collector in another's way), and the rows' rounds run in turns (torch, NumPy, kit, torch, NumPy, kit,
...), so this shared machine's drift hits them alike.
A row's figure is the median over its rounds; ratios are the kit's median over torch's (per-op rows)
or over the hand-written NumPy step's (MLP rows: NumPy's own BLAS is the floor for a NumPy engine).
Peak RSS runs each library in a fresh process of its own (median over rounds).

Targets: per-op rows ≤ 1.0× torch; MLP 784-… rows ≤ 1.1× the NumPy step; peak RSS ≤ 0.25× torch.
A new row is a function ``fn(mod) -> step`` (or ``fn("numpy")``) listed in ``ROWS``.
"""
import os
import sys

# This benchmark only: OpenBLAS kernel overrides set on some machines slow a current NumPy down;
# measure NumPy's own kernel (tests and CI keep the environment as it is).
# The BLAS reads them when NumPy is first imported, below; the rows' processes inherit this environment.
os.environ.pop("OPENBLAS_CORETYPE", None)
os.environ.pop("OPENBLAS_L2_SIZE", None)
# OpenMP/BLAS thread pools run with their defaults, as users have them (no OMP_WAIT_POLICY): each library
# runs in a process of its own and the parent pauses between two libraries' rounds (IDLE_BETWEEN), so one
# library's threads, which spin a little while after their work before they sleep, never run while another is
# measured. (OMP_WAIT_POLICY=PASSIVE, which this script once set, makes every parallel BLAS call wake its
# sleeping threads: it charged torch's and the kit's MKL, and NumPy's OpenBLAS, 10-40% on the MLP rows.)

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def load(name):
    if name == "torch":
        import torch
        torch.set_num_threads(int(os.environ.get("BENCH_THREADS") or os.cpu_count() or 1))
        return torch
    if name == "numpy":
        return "numpy"
    sys.path.insert(0, os.path.dirname(HERE))
    import autograd_kit
    return autograd_kit


# ---- the rows: each builds one step for a library (torch, autograd_kit) or "numpy" -----------------
def small_ops(mod):
    """200 small ops on shape (8,) (mul, add, tanh, scale; 50 times), then sum().backward()."""
    x = mod.randn(8, requires_grad=True)
    w = mod.randn(8, requires_grad=True)

    def step():
        y = x
        for _ in range(50):
            y = (y * w + x).tanh() * 0.9
        y.sum().backward()
    return step


def polynomial(mod):
    """The course's seed example: y = 5x³ + 2x² + 4x + 8 at x = 2, backward, x.grad."""
    def step():
        x = mod.tensor(2.0, requires_grad=True)
        y = 5 * x**3 + 2 * x**2 + 4 * x + 8
        y.backward()
        return x.grad
    return step


def mlp(sizes, batch):
    """An MLP step: nn.Linear layers with .relu(), ((out - Y) ** 2).mean(), backward, SGD(lr=0.01), zero_grad."""
    def build(mod):
        rng = np.random.default_rng(0)
        X = rng.standard_normal((batch, sizes[0])).astype(np.float32)
        Y = rng.standard_normal((batch, sizes[-1])).astype(np.float32)
        if mod == "numpy":
            return numpy_mlp(sizes, X, Y)
        mod.manual_seed(0)
        layers = [mod.nn.Linear(sizes[i], sizes[i + 1]) for i in range(len(sizes) - 1)]
        params = [p for layer in layers for p in layer.parameters()]
        opt = mod.optim.SGD(params, lr=0.01)
        X, Y = mod.tensor(X), mod.tensor(Y)

        def step():
            h = X
            for layer in layers[:-1]:
                h = layer(h).relu()
            loss = ((layers[-1](h) - Y) ** 2).mean()
            loss.backward()
            opt.step()
            opt.zero_grad()
        return step
    return build


def numpy_mlp(sizes, X, Y):
    """The same step written by hand in plain NumPy (float32): the floor for a NumPy engine."""
    rng = np.random.default_rng(1)  # nn.Linear's initialization: U(-1/sqrt(in), 1/sqrt(in)) for W and b
    bound = [1 / np.sqrt(sizes[i]) for i in range(len(sizes) - 1)]
    ws = [rng.uniform(-bound[i], bound[i], (sizes[i + 1], sizes[i])).astype(np.float32) for i in range(len(sizes) - 1)]
    bs = [rng.uniform(-bound[i], bound[i], sizes[i + 1]).astype(np.float32) for i in range(len(sizes) - 1)]

    def step():
        acts = [X]
        for i, (w, b) in enumerate(zip(ws, bs)):
            z = acts[-1] @ w.T
            z += b
            acts.append(np.maximum(z, 0) if i < len(ws) - 1 else z)
        g = (acts[-1] - Y) * np.float32(2 / acts[-1].size)
        for i in range(len(ws) - 1, -1, -1):
            gw, gb = g.T @ acts[i], g.sum(0)
            if i:
                g = g @ ws[i]
                g *= acts[i] > 0
            ws[i] -= np.float32(0.01) * gw
            bs[i] -= np.float32(0.01) * gb
    return step


def deep_chain(mod):
    """20,000 ops in one chain (y = y * c on shape (2,)), then sum().backward()."""
    x = mod.tensor([1.0, 2.0], requires_grad=True)

    def step():
        y = x
        for _ in range(20_000):
            y = y * 1.0000001
        y.sum().backward()
    return step


def lenet(mod, batch=64):
    """A LeNet-5 training step (issue #12): conv 5x5 -> relu -> maxpool, twice, then 3 linear layers, on
    batch x 1x28x28, cross-entropy and SGD with momentum."""
    nn, optim = mod.nn, mod.optim
    mod.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    rng = np.random.default_rng(0)
    x = mod.tensor(rng.standard_normal((batch, 1, 28, 28)).astype(np.float32))
    y = mod.tensor(rng.integers(0, 10, batch))

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
    return step


# name, builder, libraries, unit per call, divisor (ops per call, for µs/op), target, compared with
ROWS = [
    ("200 small ops (shape 8) fwd+bwd", small_ops, ("torch", "kit"), "µs/op", 200, 1.0, "torch"),
    ("seed polynomial + backward", polynomial, ("torch", "kit"), "µs", 1, 1.0, "torch"),
    ("MLP 2-16-1, batch 16, SGD step", mlp([2, 16, 1], 16), ("torch", "numpy", "kit"), "ms", 1, 1.0, "torch"),
    ("MLP 784-256-10, batch 128, SGD step", mlp([784, 256, 10], 128), ("torch", "numpy", "kit"), "ms", 1, 1.1,
     "numpy"),
    ("MLP 784-1024-1024-10, batch 512", mlp([784, 1024, 1024, 10], 512), ("torch", "numpy", "kit"), "ms", 1, 1.1,
     "numpy"),
    ("20,000-op chain fwd+bwd", deep_chain, ("torch", "kit"), "s", 1, 1.0, "torch"),
    ("LeNet-5 step (batch 64, 1x28x28)", lenet, ("torch", "kit"), "ms", 1, 3.0, "torch"),  # issue #12
]
IDLE_BETWEEN = 0.3  # seconds between two libraries' rounds
SCALE = {"µs/op": 1e6, "µs": 1e6, "ms": 1e3, "s": 1.0}
RSS_ROW = ("peak RSS, 20 big-MLP steps", 0.25)
BIG = mlp([784, 1024, 1024, 10], 512)


def worker(index, lib):
    """A fresh process for one library on one row: builds the step, then runs one round per line read
    (a round: `n` calls), printing the seconds per call. The parent drives the libraries in turns."""
    name, build, libs, unit, per, _, _ = ROWS[index]
    step = build(load("autograd_kit" if lib == "kit" else lib))
    step()  # warm up (first-call allocations, lazily built state)
    print("ready", flush=True)
    clock = time.process_time if os.environ.get("BENCH_CLOCK") == "cpu" else time.perf_counter
    for line in sys.stdin:
        n = int(line)
        t0 = clock()
        for _ in range(n):
            step()
        print((clock() - t0) / n, flush=True)


def time_row(index, rounds, stat="median", seconds=0.25):
    """Every library of a row in a fresh process of its own, rounds run in turns; medians (in the row's unit)."""
    name, build, libs, unit, per, _, _ = ROWS[index]
    procs = {lib: subprocess.Popen([sys.executable, __file__, "--worker", str(index), lib], text=True,
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE) for lib in libs}
    try:
        for p in procs.values():
            assert p.stdout.readline().strip() == "ready"

        def one_round(lib, n):
            # a pause first: the previous library's BLAS/OpenMP threads spin-wait for a while after their
            # work, and on 2 cores that spinning would be charged to whichever library runs next
            time.sleep(IDLE_BETWEEN)
            procs[lib].stdin.write(f"{n}\n")
            procs[lib].stdin.flush()
            return float(procs[lib].stdout.readline())

        calls = {lib: max(1, min(2000, int(seconds / max(one_round(lib, 1), 1e-7)))) for lib in libs}
        times = {lib: [] for lib in libs}
        for _ in range(rounds):
            for lib in libs:
                times[lib].append(one_round(lib, calls[lib]))
    finally:
        for p in procs.values():
            p.stdin.close()
            p.wait()
    pick = min if stat == "min" else statistics.median
    return {lib: pick(t) * SCALE[unit] / per for lib, t in times.items()}


def rss_child(lib, steps):
    """In a fresh process: peak RSS (MiB, VmHWM) of `steps` big-MLP steps, the import included."""
    step = BIG(load("autograd_kit" if lib == "kit" else lib))
    for _ in range(steps):
        step()
    with open("/proc/self/status") as f:
        hwm = next(int(line.split()[1]) / 1024 for line in f if line.startswith("VmHWM:"))
    return {lib: hwm}


def child(args):
    return subprocess.run([sys.executable, __file__] + args, capture_output=True, text=True, check=True)


def blas_kernel():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl not installed"
    return ", ".join(f"{i['internal_api']} {i.get('version')} {i.get('architecture')} ({i['num_threads']} threads)"
                     for i in threadpool_info() if i["user_api"] == "blas")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--only", default="")
    ap.add_argument("--stat", choices=["median", "min"], default="median",
                    help="min: the fastest round (less sensitive to a loaded machine's spikes)")
    ap.add_argument("--seconds", type=float, default=0.25, help="length of one round")
    ap.add_argument("--threads", type=int, default=0,
                    help="BLAS/OpenMP threads for every library (default: all cores; 1 holds up better on a loaded machine)")
    ap.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                    help="cpu: the process's CPU time (per-op rows on a loaded machine; not for BLAS rows)")
    ap.add_argument("--worker", nargs=2)
    ap.add_argument("--rss", choices=["torch", "numpy", "kit"])
    args = ap.parse_args()
    os.environ["BENCH_CLOCK"] = args.clock  # the workers read it
    if args.threads:  # every library's BLAS/OpenMP pool (read when the workers load NumPy or torch)
        for var in ("BENCH_THREADS", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = str(args.threads)
    if args.worker:
        worker(int(args.worker[0]), args.worker[1])
        return
    if args.rss:
        print(json.dumps(rss_child(args.rss, 20)))
        return
    import numpy  # noqa: F401  (for the kernel line)
    threads = f"; {args.threads} BLAS/OpenMP thread(s) in every library" if args.threads else ""
    print(f"NumPy {np.__version__}, BLAS: {blas_kernel()}{threads}; load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores; {args.stat} of {args.rounds} rounds, each library in a fresh process\n")
    print(f"| case | torch | NumPy floor | kit | kit ratio | target |\n|---|---|---|---|---|---|")
    for i, (name, _, libs, unit, _, target, base) in enumerate(ROWS):
        if args.only.lower() not in name.lower():
            continue
        r = time_row(i, args.rounds, args.stat, args.seconds)
        ratio = r["kit"] / r[base]
        fmt = (lambda v: f"{v:.3f} {unit}") if unit in ("ms", "s") else (lambda v: f"{v:.1f} {unit}")
        floor = fmt(r["numpy"]) if "numpy" in r else "–"
        ok = "ok" if ratio <= target else "OVER"
        print(f"| {name} | {fmt(r['torch'])} | {floor} | {fmt(r['kit'])} | {ratio:.2f}× {base if base == 'torch' else 'floor'}"
              f" | ≤ {target}× {ok} |", flush=True)
    if args.only.lower() in RSS_ROW[0].lower():
        peaks = {lib: [] for lib in ("torch", "numpy", "kit")}
        for _ in range(max(5, args.rounds // 2)):
            for lib in peaks:
                peaks[lib].append(json.loads(child(["--rss", lib]).stdout.strip().splitlines()[-1])[lib])
        med = {lib: statistics.median(v) for lib, v in peaks.items()}
        ratio = med["kit"] / med["torch"]
        print(f"| {RSS_ROW[0]} | {med['torch']:.0f} MB | {med['numpy']:.0f} MB | {med['kit']:.0f} MB | "
              f"{ratio:.2f}× torch | ≤ {RSS_ROW[1]}× {'ok' if ratio <= RSS_ROW[1] else 'OVER'} |")


if __name__ == "__main__":
    main()
