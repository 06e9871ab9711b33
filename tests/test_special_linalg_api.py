"""erf/erfc/erfinv (torch.special), torch.linalg inv/det/slogdet/solve (and torch.inverse/det/logdet/slogdet),
quantile/nanquantile and lerp (issue 11): each line runs on autograd_kit and on PyTorch 2.13 and must give the
same repr (values, grad_fn names, printing) or the same error type and message; then bit-for-bit checks of the
float32/float64 values against PyTorch's."""
import ctypes
import os
import sys

import numpy as np
import pytest
import torch as real_torch

import autograd_kit as ak
from autograd_kit.backends import mkl
from test_tutorial_api import run

CASES = r"""
r = torch.erf(torch.tensor([-1.5, -0.3, 0., 0.2, 1., 3.])), torch.erfc(torch.tensor([-1., 0.5, 4.]))
r = torch.erfinv(torch.tensor([-1., -0.5, 0., 0.3, 0.999, 1., 1.5]))
r = torch.special.erf(torch.tensor([0.5])), torch.special.erfc(torch.tensor([0.5])), torch.special.erfinv(torch.tensor([0.5]))
r = torch.erf(torch.tensor([1, 2])), torch.tensor([0.5], dtype=torch.float64).erf()
r = torch.erf(torch.tensor([float('inf'), -float('inf'), float('nan')])), torch.erfc(torch.tensor([float('inf'), -float('inf')]))
x = torch.tensor([0.5, -1.]); x.erf_(); r = x
x = torch.tensor([0.5, -1.]); x.erfc_(); r = x
x = torch.tensor([0.5, -0.25]); x.erfinv_(); r = x
x = torch.tensor([0.3, -0.7, 1.2], requires_grad=True); y = x.erf(); y.sum().backward(); r = y, x.grad
x = torch.tensor([0.3, -0.7, 1.2], requires_grad=True); y = torch.erfc(x); y.sum().backward(); r = y, x.grad
x = torch.tensor([0.3, -0.7, 0.9], requires_grad=True); y = torch.special.erfinv(x); y.sum().backward(); r = y, x.grad
x = torch.tensor([0.3, -0.7], requires_grad=True); g, = torch.autograd.grad(x.erf().sum(), x, create_graph=True); g.sum().backward(); r = g, x.grad
x = torch.tensor([0., -1., -1.5, 0.5, 1., 2., 1e-8, 30., float('inf'), -float('inf'), float('nan')]); r = torch.lgamma(x), torch.digamma(x), torch.special.gammaln(x[:3]), torch.special.psi(x[:3])
x = torch.tensor([-1.5, 0.5, 1., 2., 30.]); r = torch.polygamma(1, x), torch.polygamma(3, x), torch.special.polygamma(2, x[1:3]), x.polygamma(1)
r = torch.atanh(torch.tensor([1., -1., 0.5, 2.])), torch.acosh(torch.tensor([0.5, 1., 2.])), torch.asinh(torch.tensor([0.5])), torch.arctanh(torch.tensor([0.25])), torch.arcsinh(torch.tensor([-3.]))
r = torch.xlogy(torch.tensor([0., 0., 1.]), torch.tensor([0., float('nan'), 2.])), torch.xlogy(2, torch.tensor([3.])), torch.xlogy(torch.tensor([2.]), 3.), torch.special.xlogy(torch.tensor([2.]), torch.tensor([5.]))
r = torch.logit(torch.tensor([0., 0.25, 1.])), torch.logit(torch.tensor([0., 0.25, 1.]), eps=0.1), torch.special.logit(torch.tensor([0.75])), torch.tensor([0.6]).logit()
r = torch.lgamma(torch.tensor([1, 2, 5])), torch.digamma(torch.tensor([3])), torch.tensor([4.], dtype=torch.float64).lgamma()
x = torch.tensor([0.5, 2.]); x.lgamma_(); y = torch.tensor([0.5, 2.]); y.digamma_(); z = torch.tensor([0.25]); z.atanh_(); w = torch.tensor([0.25]); w.logit_(); r = x, y, z, w
x = torch.tensor([0.3, 2.], requires_grad=True); r = [(f(x).grad_fn.name(), torch.autograd.grad(f(x).sum(), x)[0]) for f in (torch.lgamma, torch.digamma, lambda a: torch.polygamma(2, a), torch.atanh, torch.asinh, lambda a: torch.acosh(a + 1), lambda a: torch.xlogy(a, a + 1), torch.logit, lambda a: torch.logit(a, 0.5))]
r = torch.polygamma(-1, torch.ones(2))
r = torch.special.expit(torch.tensor([0., 1.])), torch.special.ndtr(torch.tensor([0., 1.])), torch.special.logit(torch.tensor([0.25, 0.5]))
r = torch.special.xlogy(torch.tensor([0., 2.]), torch.tensor([0., 3.])), torch.special.log1p(torch.tensor([1.]))
A = torch.tensor([[4., 7.], [2., 6.]]); r = torch.linalg.inv(A), torch.inverse(A), A.inverse()
A = torch.tensor([[4., 7.], [2., 6.]], dtype=torch.float64); r = torch.linalg.det(A), torch.det(A), A.det(), A.logdet()
A = torch.tensor([[[4., 7.], [2., 6.]], [[1., 2.], [3., 4.]]]); r = torch.det(A), torch.linalg.slogdet(A), torch.slogdet(A), torch.logdet(A)
A = torch.tensor([[1., 2.], [3., 4.]], dtype=torch.float64); r = A.slogdet(), torch.logdet(-torch.eye(3)), torch.logdet(torch.zeros(2, 2))
A = torch.tensor([[4., 7.], [2., 6.]], requires_grad=True); y = torch.linalg.inv(A); y.sum().backward(); r = y, A.grad
A = torch.tensor([[4., 7.], [2., 6.]], requires_grad=True); y = torch.det(A); y.backward(); r = y, A.grad
A = torch.tensor([[4., 7.], [2., 6.]], requires_grad=True); s, l = torch.linalg.slogdet(A); l.backward(); r = s, l, A.grad
A = torch.tensor([[3., 1.], [1., 2.]]); b = torch.tensor([9., 8.]); r = torch.linalg.solve(A, b)
A = torch.tensor([[3., 1.], [1., 2.]], requires_grad=True); B = torch.tensor([[9., 1.], [8., 2.]], requires_grad=True); X = torch.linalg.solve(A, B); X.sum().backward(); r = X, A.grad, B.grad
A = torch.tensor([[3., 1.], [1., 2.]]); B = torch.tensor([[9., 1.], [8., 2.]]); r = torch.linalg.solve(A, B, left=False)
A = torch.eye(3).repeat(2, 1, 1) * 2; r = torch.linalg.solve(A, torch.ones(2, 3)), torch.linalg.solve(A, torch.ones(3)), torch.linalg.solve(A, torch.ones(3, 1))
A = torch.eye(3).repeat(2, 1, 1) * 2; r = torch.linalg.solve(A, torch.ones(4, 3))
A = torch.eye(3).repeat(2, 1, 1) * 2; r = torch.linalg.solve(A, torch.ones(3, 4, 3, 2)).shape
r = torch.linalg.inv(torch.zeros(3, 3))
A = torch.eye(3).repeat(2, 1, 1); A[1, 2, 2] = 0; r = torch.linalg.inv(A)
r = torch.linalg.solve(torch.zeros(2, 2), torch.ones(2))
A = torch.eye(3).repeat(2, 1, 1); A[1, 0, 0] = 0; A[1, 0, 1] = 0; r = torch.linalg.solve(A, torch.ones(2, 3))
r = torch.linalg.inv(torch.ones(2, 3))
r = torch.linalg.inv(torch.ones(3))
r = torch.det(torch.ones(2, 3))
r = torch.linalg.det(torch.ones(2, 2, dtype=torch.long))
r = torch.linalg.inv(torch.ones(2, 2, dtype=torch.int32))
r = torch.linalg.solve(torch.eye(3), torch.ones(4))
r = torch.linalg.solve(torch.eye(3), torch.ones(2, 4))
r = torch.linalg.solve(torch.eye(3), torch.ones(3), left=False)
r = torch.linalg.solve(torch.eye(3, dtype=torch.float64), torch.ones(3))
r = torch.linalg.solve(torch.eye(3).repeat(2, 1, 1), torch.ones(4, 3, 1))
r = isinstance(torch.linalg.LinAlgError("x"), RuntimeError), torch.linalg.LinAlgError.__name__
L = torch.tensor([[2., 0.], [0.5, 1.5]], requires_grad=True); B = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True); X = torch.cholesky_solve(B, L); X.sum().backward(); r = X, L.grad, B.grad, X.grad_fn.name()
U = torch.tensor([[2., 0.5], [0., 1.5]], requires_grad=True); X = torch.cholesky_solve(torch.ones(3, 2, 1), U, upper=True); X.sum().backward(); r = X, U.grad, torch.cholesky_inverse(U.detach(), upper=True), U.detach().T.cholesky_inverse()
r = torch.cholesky_solve(torch.ones(3, 1), torch.eye(2))
r = torch.cholesky_solve(torch.ones(2), torch.eye(2))
S = torch.tensor([[4., 1., 0.5], [1., 3., 0.2], [0.5, 0.2, 2.]]); L = torch.linalg.cholesky(S); r = L, torch.linalg.cholesky(S, upper=True), torch.linalg.cholesky_ex(S), torch.linalg.solve_triangular(L, torch.eye(3), upper=False)
r = torch.linalg.cholesky(torch.tensor([[1., 2.], [2., 1.]]))
r = torch.linalg.cholesky(torch.stack([torch.eye(2), torch.tensor([[1., 2.], [2., 1.]])]))
r = torch.linalg.cholesky_ex(torch.tensor([[1., 2.], [2., 1.]])).info
r = torch.linalg.solve_triangular(torch.eye(2), torch.ones(3, 1), upper=False)
S = torch.tensor([[4., 1.], [1., 3.]], dtype=torch.float64, requires_grad=True); L = torch.linalg.cholesky(S); L.sum().backward(); r = L, S.grad, L.grad_fn.name()
L = torch.tensor([[2., 0.], [0.5, 1.5]], requires_grad=True); X = torch.linalg.solve_triangular(L, torch.ones(2, 3), upper=False); X.sum().backward(); r = X, L.grad, X.grad_fn.name()
r = torch.linalg.inv_ex(torch.eye(2) * 2), torch.linalg.solve_ex(torch.eye(2), torch.ones(2))
r = torch.det(torch.ones(0, 0)), torch.linalg.inv(torch.ones(2, 0, 0)).shape
x = torch.tensor([3., 1., 4., 1., 5., 9., 2., 6.]); r = torch.quantile(x, 0.3), x.quantile(torch.tensor([0.1, 0.5, 0.9]))
x = torch.tensor([[3., 1., 4., 1.], [5., 9., 2., 6.]]); r = torch.quantile(x, 0.25, dim=1), torch.quantile(x, 0.25, dim=0, keepdim=True), x.quantile(torch.tensor([0.2, 0.7]), dim=1, keepdim=True)
x = torch.tensor([[3., 1., 4., 1.], [5., 9., 2., 6.]]); r = [torch.quantile(x, 0.4, dim=1, interpolation=i) for i in ('linear', 'lower', 'higher', 'midpoint', 'nearest')]
x = torch.tensor([[3., float('nan'), 4., 1.], [5., 9., 2., 6.]]); r = torch.quantile(x, 0.5, dim=1), torch.nanquantile(x, 0.5, dim=1), torch.nanquantile(x, 0.5), x.nanquantile(torch.tensor([0.1, 1.]), dim=1)
r = torch.nanquantile(torch.tensor([float('nan'), float('nan')]), 0.5), torch.quantile(torch.tensor(3.), 0.5, dim=0, keepdim=True)
x = torch.tensor([[3., 1., 4.], [5., 9., 2.]], requires_grad=True); y = torch.quantile(x, torch.tensor([0.3, 0.5]), dim=1); y.sum().backward(); r = y, x.grad
x = torch.tensor([3., 1., 4., 1., 5.], requires_grad=True); y = x.quantile(0.6, interpolation='midpoint'); y.backward(); r = y, x.grad
r = torch.quantile(torch.ones(3), 1.5)
r = torch.quantile(torch.ones(3), torch.tensor([0.5, 1.2]))
r = torch.quantile(torch.ones(3), torch.tensor([0.5], dtype=torch.float64))
r = torch.quantile(torch.ones(3, dtype=torch.long), 0.5)
r = torch.quantile(torch.ones(3), torch.tensor([[0.5]]))
r = torch.quantile(torch.tensor([]), 0.5)
r = torch.quantile(torch.ones(3, 2), 0.5, dim=2)
r = torch.quantile(torch.ones(3), 0.5, interpolation='cubic')
r = torch.finfo(torch.float32), torch.finfo().eps, torch.finfo(torch.float64).tiny, torch.finfo(torch.float16), torch.finfo(torch.float32).max
r = torch.iinfo(torch.int64), torch.iinfo(torch.uint8).max, torch.iinfo(torch.int32).bits, torch.finfo(torch.float64).dtype, torch.finfo(torch.float32).resolution
r = torch.finfo(torch.int64)
r = torch.iinfo(torch.float32)
a, b = torch.broadcast_tensors(torch.ones(2, 1, requires_grad=True), torch.zeros(3)); r = a, b, a.grad_fn.name(), b.grad_fn
x = torch.ones(3, requires_grad=True); r = torch.broadcast_tensors(x, torch.ones(3))[0] is x, torch.broadcast_tensors(torch.ones(2), torch.ones(2, 1))
r = torch.broadcast_tensors(torch.ones(2), torch.ones(3))
r = torch.broadcast_tensors(torch.ones(4, 1, 2), torch.ones(3, 3))
r = torch.lerp(torch.tensor([1., 2.]), torch.tensor([3., 5.]), 0.25), torch.tensor([1., 2.]).lerp(torch.tensor([3., 5.]), torch.tensor([0.5, 0.75]))
a = torch.tensor([1., 2.], requires_grad=True); b = torch.tensor([3., 5.], requires_grad=True); y = torch.lerp(a, b, 0.3); y.sum().backward(); r = y, a.grad, b.grad
a = torch.tensor([1., 2.], requires_grad=True); w = torch.tensor([0.2, 0.9], requires_grad=True); y = torch.lerp(a, torch.tensor([3., 5.]), w); y.sum().backward(); r = y, a.grad, w.grad
"""


@pytest.mark.parametrize("code", [c for c in CASES.strip("\n").split("\n") if c.strip()])
def test_same_as_pytorch(code):
    assert run(ak, code) == run(real_torch, code)


def _bits(a):
    a = np.ascontiguousarray(a)
    return a.view(np.uint32 if a.dtype == np.float32 else np.uint64)


def _ulps(kit, ref):
    """Distance in units in the last place (same-sign finite values; 0 where both are equal incl. nan/inf)."""
    same = (kit == ref) | (np.isnan(kit) & np.isnan(ref))
    d = np.abs(_bits(kit).astype(np.int64) - _bits(ref).astype(np.int64))
    return np.where(same, 0, d)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["erf", "erfc", "erfinv"])
def test_error_functions_match_pytorch_bits(name, dtype):
    rng = np.random.default_rng(0)
    for n in (1, 7, 16, 33, 1000):
        x = rng.standard_normal(n).astype(dtype) * (0.6 if name == "erfinv" else 3)
        if name == "erfinv":
            x = np.clip(x, -1, 1)
        kit = getattr(ak, name)(ak.tensor(x)).numpy()
        ref = getattr(real_torch, name)(real_torch.tensor(x)).numpy()
        if mkl.is_available():  # VML: PyTorch's own routines
            assert _ulps(kit, ref).max() == 0
        else:  # the float64 fallback: correctly rounded float32, within a few ulps in float64
            assert _ulps(kit, ref).max() <= (1 if dtype == np.float32 else 256)


@pytest.mark.parametrize("name", ["lgamma", "digamma", "polygamma1", "polygamma3", "atanh", "asinh", "acosh"])
def test_gamma_family_values_match_pytorch(name):
    """float64 over a wide grid (poles and the inverse-hyperbolics' domain edges left out) to PyTorch's accuracy
    (its trigamma is good to ~1e-9 only), and float32 to one ulp."""
    x = np.linspace(-12.3, 60, 4001)
    x = x[np.abs(x - np.round(x)) > 1e-3]
    if name == "atanh":
        x = np.linspace(-0.999, 0.999, 4001)
    elif name == "acosh":
        x = x[x > 1.001]
    def call(m, v):
        if name.startswith("polygamma"):
            return m.polygamma(int(name[-1]), v)
        return getattr(m, name)(v)
    rtol = 1e-8 if name.startswith("polygamma1") else 1e-12
    k, t = call(ak, ak.tensor(x)).numpy(), call(real_torch, real_torch.tensor(x)).numpy()
    np.testing.assert_allclose(k, t, rtol=rtol, atol=1e-12)
    x32 = x.astype(np.float32)
    x32 = x32[np.abs(x32 - np.round(x32)) > 1e-3] if name not in ("atanh", "asinh", "acosh") else x32
    if name.startswith("polygamma"):  # PyTorch's float32 trigamma loses digits left of 0
        x32 = x32[x32 > 0]
    k, t = call(ak, ak.tensor(x32)).numpy(), call(real_torch, real_torch.tensor(x32)).numpy()
    close = np.isclose(k, t, rtol=2 * np.finfo(np.float32).eps, atol=1e-6)
    assert close.all(), x32[~close][:5]


def test_erf_fallback_is_correctly_rounded():
    """The NumPy fallback (no MKL) against math.erf/erfc, over the whole float32 range that matters."""
    import math
    from autograd_kit.ops import special as SP
    x = np.linspace(-10, 10, 40001).astype(np.float32).astype(np.float64)
    for fn, ref in ((SP._erf64, math.erf), (SP._erfc64, math.erfc)):
        want = np.array([ref(v) for v in x])
        assert np.array_equal(fn(x).astype(np.float32), want.astype(np.float32))
        assert _ulps(fn(x), want).max() <= 200
    y = np.linspace(-0.9999, 0.9999, 20001)
    assert np.max(np.abs(SP._erf64(SP._erfinv64(y)) - y)) < 1e-15


def test_quantile_and_lerp_match_pytorch_bits():
    checked = 0
    for seed in range(12):
        rng = np.random.default_rng(seed)
        shape = [(7,), (5, 33), (3, 17, 4), (100,)][seed % 4]
        x = rng.standard_normal(shape).astype(np.float32)
        if seed % 5 == 0:
            x[..., 0] = np.nan
        for dtype in (np.float32, np.float64):
            q = rng.uniform(0, 1, 5).astype(dtype)
            for interp in ("linear", "lower", "higher", "midpoint", "nearest"):
                for dim in (None, 0, -1):
                    for fname in ("quantile", "nanquantile"):
                        out = [getattr(m, fname)(m.tensor(x.astype(dtype)), m.tensor(q), dim=dim, keepdim=seed % 2 == 0,
                                                 interpolation=interp).numpy() for m in (real_torch, ak)]
                        assert out[0].shape == out[1].shape
                        assert _ulps(out[1], out[0]).max() == 0
                        checked += 1
            a, b, w = (rng.standard_normal(shape[-1]).astype(dtype) for _ in range(3))
            for weight in (w, 0.3, 0.9):
                out = [m.lerp(m.tensor(a), m.tensor(b), m.tensor(weight) if isinstance(weight, np.ndarray) else weight)
                       .numpy() for m in (real_torch, ak)]
                assert _ulps(out[1], out[0]).max() == 0
    assert checked == 12 * 2 * 5 * 3 * 2


@pytest.mark.parametrize("lapack", ["mkl", "numpy"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_linalg_values_and_gradients_match_pytorch(dtype, lapack, monkeypatch):
    """inv/det/slogdet/solve and their gradients (batched, broadcast B) against PyTorch: float64 to 1e-10,
    float32 to LAPACK's rounding; through MKL and through the NumPy fallback (NumPy's LU, other last bits)."""
    if lapack == "numpy":
        monkeypatch.setattr(mkl, "_get", lambda: None, raising=False)
    tol = dict(rtol=1e-10, atol=1e-12) if dtype == np.float64 else dict(rtol=2e-4, atol=1e-5)
    rng = np.random.default_rng(3)
    for n in (1, 2, 3, 5):
        a = (rng.standard_normal((2, n, n)) + n * np.eye(n)).astype(dtype)
        b = rng.standard_normal((n, 2)).astype(dtype)
        v = rng.standard_normal(n).astype(dtype)
        res = []
        for m in (real_torch, ak):
            A = m.tensor(a, requires_grad=True)
            B = m.tensor(b, requires_grad=True)
            V = m.tensor(v, requires_grad=True)
            outs = [m.linalg.inv(A), m.det(A), m.linalg.slogdet(A).logabsdet, m.linalg.solve(A, B),
                    m.linalg.solve(A, V), m.linalg.solve(A, B.T.unsqueeze(0), left=False), m.logdet(A @ A.transpose(-2, -1))]
            total = sum((o * (i + 1.5)).sum() for i, o in enumerate(outs))
            grads = m.autograd.grad(total, (A, B, V), create_graph=True)
            gg = m.autograd.grad(sum(g.pow(2).sum() for g in grads), (A, B, V))
            res.append([o.detach().numpy() for o in (*outs, *grads, *gg)])
        for t, k in zip(*res):
            np.testing.assert_allclose(k, t, **tol)


@pytest.fixture(autouse=True)
def mkl_lapack(monkeypatch):
    """MKL's LAPACK for the kit: the MKL back end's library when it has loaded one, else libmkl_rt from the
    ``mkl`` wheel in this environment (the package PyTorch's numbers come from)."""
    get = getattr(mkl, "_get", None)
    if get is None or get() is None:
        lib = ctypes.CDLL(os.path.join(sys.prefix, "lib", "libmkl_rt.so.2"))
        monkeypatch.setattr(mkl, "_get", lambda: lib, raising=False)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_linalg_with_mkl_is_pytorchs_bit_for_bit(dtype, mkl_lapack):
    """inv, solve (matrix and vector B, broadcast batches), det, cholesky, solve_triangular, cholesky_solve through MKL's
    LAPACK as PyTorch calls it: identical bits (slogdet's log|det| to a few ulps of its terms: its sum is
    ``_reduction.torch_sum`` and its log VML's, PyTorch's own once those are in)."""
    rng = np.random.default_rng(7)
    for n in (1, 2, 3, 5, 8, 17, 40):
        a = rng.standard_normal((3, n, n)).astype(dtype)
        b = rng.standard_normal((2, 1, n, 4)).astype(dtype)
        v = rng.standard_normal(n).astype(dtype)
        spd = (a @ a.transpose(0, 2, 1) + n * np.eye(n)).astype(dtype)
        res = []
        for m in (real_torch, ak):
            A, B, V, S = m.tensor(a), m.tensor(b), m.tensor(v), m.tensor(spd)
            L = m.linalg.cholesky(S)
            res.append([m.linalg.inv(A), m.linalg.solve(A, B), m.linalg.solve(A, V), m.det(A), L,
                        m.linalg.solve_triangular(L, B, upper=False),
                        m.linalg.solve_triangular(L.transpose(-2, -1), B, upper=True, unitriangular=True),
                        m.cholesky_solve(B, L), m.cholesky_solve(B, L.transpose(-2, -1), upper=True),
                        m.linalg.slogdet(A).sign, m.linalg.slogdet(A).logabsdet])
        for i, (t, k) in enumerate(zip(*res)):
            t, k = t.numpy(), k.numpy()
            if i == len(res[0]) - 1:  # Σ log|uᵢᵢ|: PyTorch's sum order and VML's log (the MKL and reduce work)
                scale = float(np.max(np.abs(np.log(np.abs(np.linalg.det(a.astype(np.float64))))))) + n
                np.testing.assert_allclose(k, t, rtol=0, atol=8 * np.finfo(dtype).eps * scale)
            else:
                assert _ulps(k, t).max() == 0, (n, i)
