"""Bit parity with PyTorch 2.13 for what the kit computes with MKL (``autograd_kit/backends/mkl.py``): matrix
products (mm, addmm/F.linear, matmul's fold and batched paths, bmm, mv, dot) and the VML unary ops, forward
and every input gradient, float32 and float64, many shapes (below 16, non-multiples of 16, large, transposed
and sliced inputs) and seeds, and ``backends.mkl``'s own calls on every memory layout its pointer and stride
logic handles (read-only, transposed, padded, strided, broadcast). The count of differing bits must be 0.

MKL is part of the test install (the ``exact`` extra), so it must be there: these tests fail, not skip,
without it. ``test_numpy_fallback`` runs the same products in a subprocess with ``AUTOGRAD_KIT_MKL=0``.

Not checked here: gradients that go through a sum (a bias broadcast over rows, the batch dims that matmul
broadcast): their rounding is the summation order's (``_reduction.torch_sum``), tested with the sums.
"""
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

import autograd_kit as ak
import autograd_kit.nn.functional as KF
from autograd_kit.backends import mkl
from autograd_kit.ops.matmul import _should_fold

DTYPES = (np.float32, np.float64)


def bits_differ(a, b):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape and a.dtype == b.dtype, (a.shape, b.shape, a.dtype, b.dtype)
    u = np.uint32 if a.dtype == np.float32 else np.uint64
    return int(np.count_nonzero(a.view(u) != b.view(u)))


def compare(fn, shapes, dtype, seed, *, grads=None, prep=None, positive=False, scale=1.0):
    """Run fn on the same inputs in both libraries, backward a random weighting; return differing-bit counts
    {'out': n, 'grad0': n, ...} (grads: which inputs' gradients to compare, default all)."""
    rng = np.random.default_rng(seed)
    arrays = [(rng.standard_normal(s) * scale).astype(dtype) for s in shapes]
    if positive:
        arrays = [np.abs(a) + dtype(0.01) for a in arrays]
    tt = [torch.tensor(a, requires_grad=True) for a in arrays]
    kt = [ak.tensor(a, requires_grad=True) for a in arrays]
    ti, ki = (tt, kt) if prep is None else ([prep(torch, t) for t in tt], [prep(ak, t) for t in kt])
    ot, ok = fn(torch, *ti), fn(ak, *ki)
    g = rng.standard_normal(tuple(ot.shape)).astype(dtype)
    ot.backward(torch.tensor(g))
    ok.backward(ak.tensor(g))
    out = {"out": bits_differ(ok.detach().numpy(), ot.detach().numpy())}
    for i in (range(len(shapes)) if grads is None else grads):
        out[f"grad{i}"] = bits_differ(kt[i].grad.numpy(), tt[i].grad.numpy())
    return out


def assert_exact(res):
    assert all(v == 0 for v in res.values()), res


def test_mkl_is_loaded():
    assert mkl.is_available(), "MKL (pip install 'autograd_kit[exact]') and libgomp must be installed for the tests"
    assert ak.backends.mkl.is_available()
    assert ak.get_num_threads() == torch.get_num_threads()


MM_SHAPES = [(1, 1, 1), (3, 5, 2), (7, 16, 9), (16, 16, 16), (33, 17, 65), (64, 100, 10), (1, 40, 30), (30, 40, 1),
             (128, 784, 256), (300, 3, 1), (200, 513, 129)]
LAYOUTS = {"nn": lambda m, t: t, "t": lambda m, t: t.t().contiguous().t(), "slice": lambda m, t: t[:, ::2]}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mkn", MM_SHAPES)
@pytest.mark.parametrize("la", ["nn", "t"])
@pytest.mark.parametrize("lb", ["nn", "t", "slice"])
def test_mm(dtype, mkn, la, lb):
    m, k, n = mkn
    kb = 2 * n if lb == "slice" else n

    def fn(lib, a, b):
        return lib.mm(LAYOUTS[la](lib, a), LAYOUTS[lb](lib, b))
    for seed in range(2):
        assert_exact(compare(fn, [(m, k), (k, kb)], dtype, seed))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(5, 3, 2), (64, 784, 256), (32, 100, 10), (1, 7, 3), (17, 33, 65), (4, 5, 6, 30, 20)])
def test_linear(dtype, shape):
    *lead, i, o = shape
    for seed in range(3):  # the bias gradient is a sum over rows (torch_sum): not compared here
        assert_exact(compare(lambda lib, x, w, b: lib.nn.functional.linear(x, w, b),
                             [tuple(lead) + (i,), (o, i), (o,)], dtype, seed, grads=[0, 1]))
        assert_exact(compare(lambda lib, x, w: lib.nn.functional.linear(x, w), [tuple(lead) + (i,), (o, i)],
                             dtype, seed))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("beta,alpha", [(1, 1), (0.5, 2.0), (0, 1), (1, -3.0)])
def test_addmm(dtype, beta, alpha):
    for seed, (m, k, n) in enumerate([(7, 33, 9), (64, 100, 10), (2, 3, 1)]):
        assert_exact(compare(lambda lib, c, a, b: lib.addmm(c, a, b, beta=beta, alpha=alpha),
                             [(m, n), (m, k), (k, n)], dtype, seed))


MATMUL = [((4, 50, 30), (30, 20)), ((50, 30), (4, 30, 20)), ((30,), (4, 30, 20)), ((4, 50, 30), (30,)),
          ((4, 50, 30), (4, 30, 20)), ((4, 5, 3), (4, 3, 2)), ((2, 3, 16, 8), (1, 3, 8, 16)), ((2, 3, 16, 8), (8, 16)),
          ((3, 7, 5), (1, 5, 9)), ((1, 7, 5), (3, 5, 9)), ((6, 1, 9, 10), (4, 10, 11)), ((2, 3, 4), (2, 4, 1))]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sa,sb", MATMUL)
@pytest.mark.parametrize("needs", ["both", "a", "b"])
def test_matmul(dtype, sa, sb, needs):
    """torch folds or batches depending on ranks, contiguity and which operand requires grad."""
    rng = np.random.default_rng(len(sa) * 10 + len(sb))
    a, b = rng.standard_normal(sa).astype(dtype), rng.standard_normal(sb).astype(dtype)
    ra, rb = needs in ("both", "a"), needs in ("both", "b")
    ta, tb = torch.tensor(a, requires_grad=ra), torch.tensor(b, requires_grad=rb)
    ka, kb = ak.tensor(a, requires_grad=ra), ak.tensor(b, requires_grad=rb)
    ot, ok = ta @ tb, ka @ kb
    assert bits_differ(ok.detach().numpy(), ot.detach().numpy()) == 0
    g = rng.standard_normal(tuple(ot.shape)).astype(dtype)
    ot.backward(torch.tensor(g))
    ok.backward(ak.tensor(g))
    fold = _should_fold(ka, kb)
    batch = np.broadcast_shapes(sa[:-2] if len(sa) > 1 else (), sb[:-2] if len(sb) > 1 else ())
    for k, t, s in ((ka, ta, sa), (kb, tb, sb)):
        if not t.requires_grad:
            continue
        if fold or (len(s) >= 3 and tuple(s[:-2]) == tuple(batch)):
            assert bits_differ(k.grad.numpy(), t.grad.numpy()) == 0
        else:  # summed over the batch dims it was broadcast to: torch_sum's order, tested with the sums
            np.testing.assert_allclose(k.grad.numpy(), t.grad.numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(6, 2, 3, 4), (6, 20, 30, 10), (3, 100, 200, 50), (1, 50, 60, 70), (7, 8, 9, 10)])
def test_bmm(dtype, shape):
    bs, m, k, n = shape
    for seed in range(2):
        assert_exact(compare(lambda lib, a, b: lib.bmm(a, b), [(bs, m, k), (bs, k, n)], dtype, seed))
        assert_exact(compare(lambda lib, a, b: lib.bmm(a.transpose(1, 2), b), [(bs, k, m), (bs, k, n)], dtype, seed))
        assert_exact(compare(lambda lib, q, kk: q @ kk.transpose(-2, -1), [(bs, m, k), (bs, n, k)], dtype, seed))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mn", [(1, 1), (3, 5), (16, 16), (50, 30), (257, 1000), (1, 64)])
def test_mv_dot(dtype, mn):
    m, n = mn
    for seed in range(3):
        assert_exact(compare(lambda lib, a, v: lib.mv(a, v), [(m, n), (n,)], dtype, seed))
        assert_exact(compare(lambda lib, a, v: lib.mv(a.t(), v), [(n, m), (n,)], dtype, seed))
        assert_exact(compare(lambda lib, a, v: a @ v, [(n,), (n,)], dtype, seed))
        assert_exact(compare(lambda lib, v, a: v @ a, [(m,), (m, n)], dtype, seed))


UNARY = {  # name: (function, input domain)
    "exp": (lambda lib, x: x.exp(), {}), "log": (lambda lib, x: x.log(), {"positive": True}),
    "sqrt": (lambda lib, x: lib.sqrt(x), {"positive": True}), "sin": (lambda lib, x: x.sin(), {"scale": 4.0}),
    "cos": (lambda lib, x: lib.cos(x), {"scale": 4.0}), "tanh": (lambda lib, x: lib.tanh(x), {"scale": 2.0}),
    "tan": (lambda lib, x: x.tan(), {}), "asin": (lambda lib, x: (x * 0.3).asin(), {}),
    "acos": (lambda lib, x: (x * 0.3).acos(), {}), "atan": (lambda lib, x: x.atan(), {"scale": 3.0}),
    "log10": (lambda lib, x: x.log10(), {"positive": True}), "log2": (lambda lib, x: x.log2(), {"positive": True}),
    "nn.Tanh": (lambda lib, x: lib.nn.Tanh()(x), {}), "F.tanh": (lambda lib, x: lib.nn.functional.tanh(x), {}),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("shape", [(1,), (7,), (16,), (33,), (5, 13), (1000,), (65537,)])
def test_unary(dtype, name, shape):
    fn, kw = UNARY[name]
    for seed in range(2):
        assert_exact(compare(fn, [shape], dtype, seed, **kw))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["exp", "log", "sin", "tanh", "sqrt"])
def test_unary_noncontiguous_and_special(dtype, name):
    fn, kw = UNARY[name]
    assert_exact(compare(fn, [(40, 30)], dtype, 0, prep=lambda lib, t: t.t()[::2], **kw))
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-40, -1e-40, 88.7, -103.0, 1e30, -1e30], dtype)
    out_t = getattr(torch, name)(torch.tensor(special)).numpy()
    out_k = getattr(ak, name)(ak.tensor(special)).numpy()
    assert bits_differ(out_k, out_t) == 0


@pytest.mark.parametrize("dtype", DTYPES)
def test_tanh_double_backward(dtype):
    for seed in range(3):
        rng = np.random.default_rng(seed)
        x = rng.standard_normal(37).astype(dtype)
        res = []
        for lib in (torch, ak):
            t = lib.tensor(x, requires_grad=True)
            (g,) = lib.autograd.grad(lib.tanh(t).sum(), t, create_graph=True)
            (gg,) = lib.autograd.grad((g * g).sum(), t)
            res.append((g.detach().numpy(), gg.numpy()))
        assert bits_differ(res[0][0], res[1][0]) == 0 and bits_differ(res[0][1], res[1][1]) == 0


def test_mlp_training_steps_exact():
    """A 2-layer tanh MLP, 3 plain SGD steps done by hand: every weight bit equal to PyTorch's."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 20)).astype(np.float32)
    params = [rng.standard_normal(s).astype(np.float32) * 0.3 for s in ((16, 20), (16,), (4, 16), (4,))]
    outs = []
    for lib in (torch, ak):
        p = [lib.tensor(a.copy(), requires_grad=True) for a in params]
        for _ in range(3):
            h = lib.tanh(lib.nn.functional.linear(lib.tensor(x), p[0], p[1]))
            y = lib.nn.functional.linear(h, p[2], p[3])
            y.backward(lib.ones_like(y))
            with lib.no_grad():
                for q in (p[0], p[2]):  # the weights: their gradients are products, not sums
                    q -= 0.1 * q.grad
                    q.grad = None
                for q in (p[1], p[3]):
                    q.grad = None
        outs.append([q.detach().numpy() for q in p])
    assert bits_differ(outs[0][0], outs[1][0]) == 0 and bits_differ(outs[0][2], outs[1][2]) == 0


def test_thread_count_and_errors():
    n = ak.get_num_threads()
    assert n == torch.get_num_threads() >= 1
    for bad, msg in ((0, "set_num_threads expects a positive integer"), (-1, "set_num_threads expects a positive integer"),
                     (1.5, "set_num_threads expects an int, but got float"), (True, "set_num_threads expects an int, but got bool")):
        with pytest.raises(RuntimeError) as et:
            torch.set_num_threads(bad)
        with pytest.raises(RuntimeError) as ek:
            ak.set_num_threads(bad)
        assert str(ek.value) == str(et.value) == msg
    try:  # one thread: MKL splits no product, in both libraries alike
        torch.set_num_threads(1)
        ak.set_num_threads(1)
        assert ak.get_num_threads() == 1
        assert_exact(compare(lambda lib, a, b: a @ b, [(256, 512), (512, 300)], np.float32, 0))
    finally:
        torch.set_num_threads(n)
        ak.set_num_threads(n)
    assert_exact(compare(lambda lib, a, b: a @ b, [(256, 512), (512, 300)], np.float32, 1))


def test_numpy_fallback():
    """With MKL switched off the kit computes with NumPy: same API, values within float rounding."""
    code = (
        "import numpy as np, torch, autograd_kit as ak\n"
        "from autograd_kit.backends import mkl\n"
        "assert not mkl.is_available() and not ak.backends.mkl.is_available()\n"
        "assert mkl.unary('exp', np.ones(3, np.float32)) is None and mkl.gemm(np.ones((2, 2)), np.ones((2, 2))) is None\n"
        "rng = np.random.default_rng(0)\n"
        "arrs = [rng.standard_normal(s).astype(np.float32) for s in ((4, 6, 30), (20, 30), (20,), (4, 30, 5))]\n"
        "for lib, res in ((torch, []), (ak, [])):\n"
        "    x, w, b, m = (lib.tensor(a, requires_grad=True) for a in arrs)\n"
        "    y = (lib.tanh(lib.nn.functional.linear(x, w, b)).exp().sum() + (x @ m).sin().sum() + x[0].mm(m[0]).abs().log1p().sum())\n"
        "    y.backward()\n"
        "    res += [y.detach().numpy(), x.grad.numpy(), w.grad.numpy(), b.grad.numpy(), m.grad.numpy()]\n"
        "    out = res if lib is torch else (out, res)\n"
        "for t, k in zip(*out):\n"
        "    np.testing.assert_allclose(k, t, rtol=2e-5, atol=1e-5)\n"
        "print('fallback ok')\n")
    env = dict(os.environ, AUTOGRAD_KIT_MKL="0")
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "fallback ok" in r.stdout


def test_import_does_not_load_mkl():
    code = ("import sys, autograd_kit\n"
            "from autograd_kit.backends import mkl\n"
            "assert mkl._lib is None and not mkl._tried\n"
            "autograd_kit.ones(3).exp()\n"
            "assert mkl._lib is not None\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("sa,sb,needs", [((4, 5, 3), (3, 2), (True, True)), ((5, 3), (4, 3, 2), (True, True)),
                                          ((3,), (4, 3, 2), (True, True)), ((4, 5, 3), (3,), (True, True)),
                                          ((2, 4, 5, 3), (1, 4, 3, 2), (True, True)), ((5, 3), (4, 3, 2), (False, True)),
                                          ((3,), (2, 4, 3, 2), (False, True)), ((1, 5, 3), (4, 3, 2), (True, True)),
                                          ((4, 5, 3), (4, 3, 2), (True, True))])
def test_matmul_paths_gradcheck(sa, sb, needs):
    """Each of matmul's paths (folded, folded transposed, batched) has PyTorch's gradient, to second order."""
    from autograd_kit.autograd import gradcheck, gradgradcheck
    rng = np.random.default_rng(0)
    a = ak.tensor(rng.standard_normal(sa), requires_grad=needs[0])
    b = ak.tensor(rng.standard_normal(sb), requires_grad=needs[1])
    assert gradcheck(lambda x, y: x @ y, (a, b))
    assert gradgradcheck(lambda x, y: x @ y, (a, b))


def test_addmm_and_linear_gradcheck():
    from autograd_kit.autograd import gradcheck, gradgradcheck
    rng = np.random.default_rng(1)
    c, a, b = (ak.tensor(rng.standard_normal(s), requires_grad=True) for s in ((4, 2), (4, 3), (3, 2)))
    assert gradcheck(lambda c, a, b: ak.addmm(c, a, b, beta=0.5, alpha=-2.0), (c, a, b))
    assert gradgradcheck(lambda c, a, b: ak.addmm(c, a, b, beta=0.5, alpha=-2.0), (c, a, b))
    x, w, bias = (ak.tensor(rng.standard_normal(s), requires_grad=True) for s in ((2, 3, 4), (5, 4), (5,)))
    assert gradcheck(KF.linear, (x, w, bias))
    t = ak.tensor(rng.standard_normal(6), requires_grad=True)
    assert gradgradcheck(lambda t: ak.tanh(t), (t,))


# ---- backends.mkl called directly: every layout its pointer and stride logic takes -----------------------
def _layouts(lib, x, kind):
    """The same (m, n) values laid out in memory a given way, as a NumPy array or a torch tensor."""
    np_ = lib is np
    if kind == "c":
        return x
    if kind == "t":  # column-major: the transpose of a C-contiguous array
        return x.T.copy().T if np_ else x.t().contiguous().t()
    if kind in ("pad", "padT"):  # a leading dimension larger than the rows (a slice of a bigger matrix)
        src = x.T if kind == "padT" else x
        r, c = src.shape
        big = np.zeros((r + 3, c + 5), x.dtype) if np_ else torch.zeros(r + 3, c + 5, dtype=x.dtype)
        big[:r, :c] = src
        v = big[:r, :c]
        return v if kind == "pad" else v.T if np_ else v.t()
    if kind == "cols":  # every third column: no unit stride, copied before the product
        r, c = x.shape
        big = np.zeros((r, 3 * c), x.dtype) if np_ else torch.zeros(r, 3 * c, dtype=x.dtype)
        big[:, ::3] = x
        return big[:, ::3]
    if kind == "bcast":  # one row repeated (stride 0; with one row, NumPy's stride is 0 where torch's is not)
        if x.shape[0] == 1:
            return x
        return np.broadcast_to(x[:1], x.shape) if np_ else x[:1].expand(*x.shape)
    if kind == "ro":  # read-only (the pointer comes from a.ctypes, not a borrowed buffer)
        if np_:
            x = x.copy()
            x.flags.writeable = False
        return x
    raise KeyError(kind)


KINDS = ("c", "t", "pad", "padT", "cols", "bcast", "ro")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("out_kind", ["c", "t"])
def test_addmm_direct_layouts(dtype, out_kind):
    """mkl.addmm on arrays of every layout (and C- or column-major outputs) against torch.addmm(out=)."""
    rng = np.random.default_rng(7)
    for m, k, n in ((1, 1, 1), (1, 5, 7), (6, 1, 4), (5, 3, 1), (16, 2, 16), (9, 17, 33)):
        for ka in KINDS:
            for kb in KINDS:
                a, b, c = (rng.standard_normal(s).astype(dtype) for s in ((m, k), (k, n), (m, n)))
                beta, alpha = ((0.0, 1.0), (1.0, 1.0), (0.5, -2.0))[(len(ka) + len(kb)) % 3]
                for _ in range(2):  # the second call replays the first one's remembered BLAS arguments
                    out = c.copy() if out_kind == "c" else np.asfortranarray(c.copy())
                    assert mkl.addmm(out, _layouts(np, a, ka), _layouts(np, b, kb), beta, alpha) is out
                tout = torch.empty(m, n, dtype=torch.from_numpy(c).dtype) if out_kind == "c" else \
                    torch.empty(n, m, dtype=torch.from_numpy(c).dtype).t()
                torch.addmm(torch.from_numpy(c), _layouts(torch, torch.from_numpy(a), ka),
                            _layouts(torch, torch.from_numpy(b), kb), beta=beta, alpha=alpha, out=tout)
                assert bits_differ(np.ascontiguousarray(out), tout.contiguous().numpy()) == 0, (m, k, n, ka, kb)


def test_addmm_remembered_layouts():
    """A layout's remembered BLAS call serves only that layout, dtype, beta and alpha: a product of another
    dtype, scale or shape (or a read-only operand with the same strides) is computed as if it were the first."""
    rng = np.random.default_rng(9)
    a, b, c = (rng.standard_normal(s).astype(np.float32) for s in ((6, 4), (4, 5), (6, 5)))
    out = np.empty((6, 5), np.float32)
    assert mkl.addmm(out, a, b) is out and mkl.addmm(out, a, b) is out
    assert mkl.addmm(out, a.astype(np.float64), b) is None and mkl.addmm(out, a, b.astype(np.float16)) is None
    ro_a, ro_b = a.copy(), b.T.copy().T
    ro_a.flags.writeable = ro_b.flags.writeable = False
    for (x, y), beta, alpha in (((a, b), 0.0, 1.0), ((ro_a, b), 0.0, 1.0), ((a, b), 0.5, -2.0),
                                ((a, ro_b), 1.0, -0.5), ((ro_a, ro_b), 0.5, 1.0), ((a[:, :3], b[:3]), 0.0, 1.0)):
        for _ in range(2):
            o = c.copy()
            assert mkl.addmm(o, x, y, beta, alpha) is o
            ref = torch.addmm(torch.from_numpy(c), torch.from_numpy(np.array(x)), torch.from_numpy(np.array(y)),
                              beta=beta, alpha=alpha)
            assert bits_differ(o, ref.numpy()) == 0, (beta, alpha, x.shape)
    x64, y64 = a.astype(np.float64), b.astype(np.float64)
    o64 = np.zeros((6, 5))
    assert mkl.addmm(o64, x64, y64) is o64
    assert bits_differ(o64, torch.mm(torch.from_numpy(x64), torch.from_numpy(y64)).numpy()) == 0


@pytest.mark.parametrize("dtype", DTYPES)
def test_gemv_dot_direct_layouts(dtype):
    rng = np.random.default_rng(3)
    for m, n in ((1, 1), (5, 3), (16, 16), (40, 70)):
        for ka in ("c", "t", "pad", "ro"):
            a = rng.standard_normal((m, n)).astype(dtype)
            v = rng.standard_normal(2 * n).astype(dtype)
            vr = v.copy()
            vr.flags.writeable = ka != "ro"
            for vn, vt in ((vr[:n], torch.from_numpy(v)[:n]), (vr[::2], torch.from_numpy(v)[::2])):  # incx 1, 2
                out = np.empty(m, dtype)
                assert mkl.gemv(out, _layouts(np, a, ka), vn) is out
                ref = torch.mv(_layouts(torch, torch.from_numpy(a), ka), vt)
                assert bits_differ(out, ref.numpy()) == 0
                d = mkl.dot(vn, a[0] if n == vn.shape[0] else vn)
                assert bits_differ(d, torch.dot(vt, torch.from_numpy(a[0]) if n == vn.shape[0] else vt).numpy()) == 0


@pytest.mark.parametrize("dtype", DTYPES)
def test_axpy_and_unary_direct(dtype):
    """mkl.axpy: y += alpha*x in place on C-contiguous arrays of any rank, bit for bit torch's add_(alpha=);
    False (nothing written) when y is read-only or not C-contiguous or the sizes or dtypes differ."""
    rng = np.random.default_rng(5)
    for shape in ((1,), (7,), (32,), (16, 2), (3, 4, 5), (1000,)):
        x, y = rng.standard_normal(shape).astype(dtype), rng.standard_normal(shape).astype(dtype)
        ty = torch.from_numpy(y.copy()).add_(torch.from_numpy(x), alpha=-0.0123)
        xr = x.copy()
        xr.flags.writeable = False  # a read-only x is fine
        assert mkl.axpy(dtype(-0.0123), xr, y) is True
        assert bits_differ(y, ty.numpy()) == 0
        ro = y.copy()
        ro.flags.writeable = False
        assert mkl.axpy(dtype(1.0), x, ro) is False and np.array_equal(ro, y)
        for tx, tyy in ((x, y.astype(np.float16)), (x[:-1] if x.size > 1 else x[:0], y)):
            assert mkl.axpy(dtype(1.0), tx, tyy) is False
        if x.ndim == 2:
            yt = np.asfortranarray(y)
            assert mkl.axpy(dtype(1.0), x, yt) is False and np.array_equal(yt, y)
            assert mkl.axpy(dtype(1.0), np.asfortranarray(x), y.copy()) is False
        for name in ("exp", "tanh"):
            assert bits_differ(mkl.unary(name, xr), getattr(torch, name)(torch.from_numpy(x)).numpy()) == 0
    e = np.empty(0, dtype)
    assert mkl.axpy(dtype(2.0), e, e.copy()) is True and mkl.unary("exp", e).shape == (0,)


@pytest.mark.parametrize("dtype", DTYPES)
def test_product_gradients_create_graph(dtype):
    """mm/addmm/linear backward computes on arrays when no graph is recorded and with tensor ops (recorded)
    under create_graph: both give torch's bits, and the recorded one has torch's second derivative."""
    rng = np.random.default_rng(11)
    x, w, bias = (rng.standard_normal(s).astype(dtype) for s in ((16, 5), (7, 5), (7,)))
    cases = {"linear": lambda L, x, w, b: L.nn.functional.linear(x, w, b),
             "mm_t": lambda L, x, w, b: x.t().t().mm(w.t()) + b,
             "addmm_alpha": lambda L, x, w, b: L.addmm(b, x, w.t(), beta=0.5, alpha=2.0)}
    for name, fn in cases.items():
        res = []
        for lib in (torch, ak):
            tx, tw, tb = (lib.tensor(a, requires_grad=True) for a in (x, w, bias))
            y = lib.tanh(fn(lib, tx, tw, tb))
            gx, gw = lib.autograd.grad(y.sum(), (tx, tw), create_graph=True)
            (ggw,) = lib.autograd.grad((gx * gx).sum() + gw.sum(), tw)
            first = lib.autograd.grad(lib.tanh(fn(lib, tx, tw, tb)).sum(), (tx, tw))
            res.append([t.detach().numpy() for t in (gx, gw, ggw) + tuple(first)])
        for t, k in zip(*res):
            assert bits_differ(k, t) == 0, name
