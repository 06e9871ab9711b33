"""Per-call cost of the kit's MKL path (issue #14): ``backends/mkl.py`` called through ctypes, and the ops
built on it, against NumPy's own call and PyTorch 2.13's, in µs per call.

    python bench/bench_mkl_calls.py              # every case, 7 rounds
    python bench/bench_mkl_calls.py --rounds 11 --only addmm
    python bench/bench_mkl_calls.py --threads 1  # every library one-threaded (a loaded machine)

All three libraries run in this one process (per-call overhead is the point here, not throughput; the
products are small or one-threaded-sized), and each case's rounds run in turns (kit, NumPy, torch, kit, ...)
so the machine's drift hits them alike. A figure is the median over rounds of the mean over a round's calls.
NumPy's figure is its nearest call (its own BLAS or loop: the floor for Python-side overhead, not the same
bits); torch's is the same operation in PyTorch. The ratio is the kit over torch.
"""
import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # idle OpenMP threads sleep instead of spinning
os.environ.pop("OPENBLAS_CORETYPE", None)  # NumPy's own OpenBLAS kernel (as bench_engine.py measures it)
if "--threads" in sys.argv:  # read before NumPy's BLAS starts its threads
    os.environ["OPENBLAS_NUM_THREADS"] = sys.argv[sys.argv.index("--threads") + 1]
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
import torch  # noqa: E402

import autograd_kit as ak  # noqa: E402
from autograd_kit.backends import mkl  # noqa: E402


def _arrays(*shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(np.float32) for s in shapes]


def case_addmm_tiny():
    """mkl.addmm: (16,2) @ (2,16) into a preallocated (16,16) output (beta=0)."""
    a, b = _arrays((16, 2), (2, 16))
    o = np.empty((16, 16), np.float32)
    ta, tb, to = torch.from_numpy(a), torch.from_numpy(b), torch.empty(16, 16)
    return (lambda: mkl.addmm(o, a, b), lambda: np.matmul(a, b, out=o), lambda: torch.mm(ta, tb, out=to))


def case_addmm_linear():
    """mkl.addmm as F.linear's forward: bias + (16,2) @ W(16,2)ᵀ, out preallocated (beta=1)."""
    x, w, bias = _arrays((16, 2), (16, 2), (16,))
    o = np.empty((16, 16), np.float32)
    tx, tw, tbias, to = torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(bias), torch.empty(16, 16)

    def kit():
        o[...] = bias
        mkl.addmm(o, x, w.T, 1.0)

    def npy():
        np.add(np.matmul(x, w.T, out=o), bias, out=o)
    return kit, npy, lambda: torch.addmm(tbias, tx, tw.t(), out=to)


def case_gemm_medium():
    """mkl.gemm: (128,784) @ (784,256), a new output (the 784-256-10 MLP's first layer). Threaded: each
    library's rounds are separated by a pause (idle BLAS threads spin for a while after their work)."""
    a, b = _arrays((128, 784), (784, 256))
    ta, tb = torch.from_numpy(a), torch.from_numpy(b)
    return lambda: mkl.gemm(a, b), lambda: a @ b, lambda: ta @ tb


def case_axpy():
    """mkl.axpy: y += alpha * x on 32 floats (SGD on a bias)."""
    x, y = _arrays((32,), (32,))
    tx, ty = torch.from_numpy(x.copy()), torch.from_numpy(y.copy())
    al = np.float32(-0.01)

    def npy():
        y.__iadd__(al * x)
    return lambda: mkl.axpy(al, x, y), npy, lambda: ty.add_(tx, alpha=-0.01)


def case_unary():
    """mkl.unary('tanh') on 8 floats (a new output)."""
    (x,) = _arrays((8,))
    tx = torch.from_numpy(x)
    return lambda: mkl.unary("tanh", x), lambda: np.tanh(x), lambda: torch.tanh(tx)


def case_dot():
    """mkl.dot on 16 floats."""
    a, b = _arrays((16,), (16,))
    ta, tb = torch.from_numpy(a), torch.from_numpy(b)
    return lambda: mkl.dot(a, b), lambda: np.dot(a, b), lambda: torch.dot(ta, tb)


def case_gemv():
    """mkl.gemv: (16,16) @ (16,) into a preallocated output."""
    a, v = _arrays((16, 16), (16,))
    o = np.empty(16, np.float32)
    ta, tv, to = torch.from_numpy(a), torch.from_numpy(v), torch.empty(16)
    return lambda: mkl.gemv(o, a, v), lambda: np.matmul(a, v, out=o), lambda: torch.mv(ta, tv, out=to)


def case_mm_no_grad():
    """Tensor.mm with grad mode off (what a backward formula runs): (16,16) @ (16,1), a new output."""
    a, b = _arrays((16, 16), (16, 1))
    ka, kb, ta, tb = ak.tensor(a), ak.tensor(b), torch.tensor(a), torch.tensor(b)

    def kit():
        with ak.no_grad():
            ka.mm(kb)

    def tor():
        with torch.no_grad():
            ta.mm(tb)
    return kit, lambda: a @ b, tor


def case_linear_fwd():
    """F.linear forward, (16,2) input, weight (16,2), bias, weight and bias requiring grad."""
    x, w, bias = _arrays((16, 2), (16, 2), (16,))
    kx, kw, kb = ak.tensor(x), ak.tensor(w, requires_grad=True), ak.tensor(bias, requires_grad=True)
    tx, tw, tb = torch.tensor(x), torch.tensor(w, requires_grad=True), torch.tensor(bias, requires_grad=True)

    def npy():
        z = x @ w.T
        z += bias
    return (lambda: ak.nn.functional.linear(kx, kw, kb), npy, lambda: torch.nn.functional.linear(tx, tw, tb))


def case_linear_fwd_bwd():
    """F.linear forward + backward of a (16,16) output gradient: 3 products (x@Wᵀ, g@W, gᵀ@x) and a bias sum."""
    x, w, bias, g = _arrays((16, 2), (16, 2), (16,), (16, 16))
    kx, kw, kb = ak.tensor(x, requires_grad=True), ak.tensor(w, requires_grad=True), ak.tensor(bias, requires_grad=True)
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, bias))
    kg, tg = ak.tensor(g), torch.tensor(g)

    def kit():
        ak.nn.functional.linear(kx, kw, kb).backward(kg)
        kx.grad = kw.grad = kb.grad = None

    def npy():
        z = x @ w.T
        z += bias
        g @ w, g.T @ x, g.sum(0)

    def tor():
        torch.nn.functional.linear(tx, tw, tb).backward(tg)
        tx.grad = tw.grad = tb.grad = None
    return kit, npy, tor


def case_sgd_add_():
    """Tensor.add_(grad, alpha=-lr) under no_grad on a (16,2) parameter: SGD's update."""
    p, g = _arrays((16, 2), (16, 2))
    kp, kg = ak.tensor(p.copy()), ak.tensor(g)
    tp, tg = torch.tensor(p.copy()), torch.tensor(g)

    def kit():
        with ak.no_grad():
            kp.add_(kg, alpha=-0.01)

    def tor():
        with torch.no_grad():
            tp.add_(tg, alpha=-0.01)

    def npy():
        p.__isub__(np.float32(0.01) * g)
    return kit, npy, tor


CASES = [("mkl.addmm (16,2)@(2,16) into out", case_addmm_tiny),
         ("mkl.addmm bias + x@Wᵀ (F.linear's call)", case_addmm_linear),
         ("mkl.gemm (128,784)@(784,256)", case_gemm_medium),
         ("mkl.gemv (16,16)@(16,) into out", case_gemv),
         ("mkl.dot 16 floats", case_dot),
         ("mkl.axpy 32 floats", case_axpy),
         ("mkl.unary tanh, 8 floats", case_unary),
         ("Tensor.mm, grad mode off, (16,16)@(16,1)", case_mm_no_grad),
         ("F.linear forward (16,2)->16", case_linear_fwd),
         ("F.linear fwd+bwd (16,2)->16", case_linear_fwd_bwd),
         ("SGD add_(g, alpha=) on (16,2)", case_sgd_add_)]


def _round(fn, n):
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t0) / n


def measure(make, rounds, seconds=0.05, pause=0.0):
    fns = make()
    for fn in fns:  # warm up; calibrate a round to ~`seconds`
        fn()
    ns = []
    for fn in fns:
        n, t = 1, 0.0
        while t < seconds / 4:
            n *= 2
            t = _round(fn, n) * n
        ns.append(max(1, int(n * seconds / max(t, 1e-9))))
    times = [[] for _ in fns]
    for _ in range(rounds):
        for i, fn in enumerate(fns):
            if pause:
                time.sleep(pause)
            times[i].append(_round(fn, ns[i]))
    return [statistics.median(t) * 1e6 for t in times]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--only", default="", help="cases whose name contains this (case-insensitive)")
    ap.add_argument("--threads", type=int, default=0,
                    help="BLAS threads for every library (default: torch's default; OpenBLAS's spin-waiting threads "
                         "can make NumPy's threaded gemm 30x slower on a loaded 2-core machine)")
    args = ap.parse_args()
    assert mkl.is_available(), "MKL is not loaded (pip install 'autograd_kit[exact]'); nothing to measure"
    if args.threads:
        ak.set_num_threads(args.threads)
    torch.set_num_threads(ak.get_num_threads())
    print(f"torch {torch.__version__}, NumPy {np.__version__}, {ak.get_num_threads()} threads; "
          f"median of {args.rounds} rounds, libraries in turns; µs per call")
    print()
    print("| case | kit | NumPy | torch | kit / torch |")
    print("|---|---|---|---|---|")
    for name, make in CASES:
        if args.only.lower() not in name.lower():
            continue
        kit, npy, tor = measure(make, args.rounds, pause=0.3 if make is case_gemm_medium else 0.0)
        print(f"| {name} | {kit:.2f} | {npy:.2f} | {tor:.2f} | {kit / tor:.2f}× |", flush=True)


if __name__ == "__main__":
    main()
