"""Bit parity with PyTorch 2.13's own vectorized CPU kernels (issue #11): Sleef's exp/log as emulated in
``autograd_kit._sleef``, and the kernels built on them, forward and backward, float32 and float64, sizes
below and above one vector (16 floats / 8 doubles), two vectors, and not multiples of either.

Every comparison counts differing bits (``!=`` on the arrays: 0 means bit-identical, nan in the same
places). Sums that ATen leaves to ``torch.sum`` (mse_loss's and binary_cross_entropy's 'mean'/'sum') are
``autograd_kit._reduction.torch_sum``'s business and are checked elementwise ('none') here.
"""
import numpy as np
import pytest
import torch

import autograd_kit as ak
from autograd_kit import _sleef

TF, AF = torch.nn.functional, ak.nn.functional
DTYPES = [np.float32, np.float64]
ROW_SIZES = [1, 2, 5, 8, 9, 15, 16, 17, 27, 31, 32, 33, 40, 47, 64, 100, 257]


def differing(a, b):
    """Number of elements whose bits differ (nan equal to nan)."""
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape and a.dtype == b.dtype, (a.shape, b.shape, a.dtype, b.dtype)
    both_nan = np.isnan(a) & np.isnan(b) if a.dtype.kind == "f" else False
    signed_zero = (np.signbit(a) != np.signbit(b)) & (a == 0) & (b == 0)
    return int(np.sum((a != b) & ~both_nan) + np.sum(signed_zero))


def both(x, requires_grad=True):
    return (torch.from_numpy(x.copy()).requires_grad_(requires_grad),
            ak.tensor(x.copy(), requires_grad=requires_grad))


def data(rng, shape, dtype, scale=3.0):
    return np.asarray(rng.standard_normal(shape) * scale, dtype=dtype)


# ----- Sleef itself ------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
def test_sleef_exp_and_log_special_values(dtype):
    x = np.array([0.0, -0.0, 1.0, -1.0, 88.0, 89.0, -104.0, -110.0, 709.0, 710.0, np.inf, -np.inf, np.nan],
                 dtype)
    with np.errstate(over="ignore"):
        expected = np.exp(x.astype(np.float64)).astype(dtype)
    got = _sleef.vexp(x)
    finite = np.isfinite(expected) & (expected > np.finfo(dtype).tiny)
    assert np.allclose(got[finite], expected[finite], rtol=4 * np.finfo(dtype).eps)
    assert np.array_equal(np.isnan(got), np.isnan(x))
    assert (got[np.isposinf(x)] == np.inf).all() and (got[np.isneginf(x)] == 0).all()
    y = np.array([0.0, -1.0, 1.0, 2.0, 1e-30, np.inf, np.nan, np.finfo(dtype).max, np.finfo(dtype).tiny / 4],
                 dtype)
    with np.errstate(divide="ignore", invalid="ignore"):
        ref = np.log(y.astype(np.float64)).astype(dtype)
    got = _sleef.vlog(y)
    assert got[0] == -np.inf and np.isnan(got[1]) and got[2] == 0 and got[5] == np.inf and np.isnan(got[6])
    assert np.allclose(got[[3, 4, 7, 8]], ref[[3, 4, 7, 8]], rtol=4 * np.finfo(dtype).eps)


@pytest.mark.parametrize("dtype", DTYPES)
def test_sleef_exp_log_match_torch_through_log_softmax(dtype):
    """A 1-row log_softmax is (x - max) - Sleef_log(Σ Sleef_exp(x - max)): both functions, many values."""
    rng = np.random.default_rng(0)
    for seed in range(20):
        x = data(rng, (50, 37), dtype, scale=10.0 ** (seed % 4 - 1))
        xt, xa = both(x, False)
        assert differing(torch.log_softmax(xt, 1).numpy(), ak.log_softmax(xa, 1).numpy()) == 0


# ----- softmax / log_softmax -----------------------------------------------------------------------
def _softmax_case(fn, x, dim, g):
    xt, xa = both(x)
    yt, ya = getattr(torch, fn)(xt, dim), getattr(ak, fn)(xa, dim)
    yt.backward(torch.from_numpy(g))
    ya.backward(ak.tensor(g))
    return (differing(yt.detach().numpy(), ya.detach().numpy()), differing(xt.grad.numpy(), xa.grad.numpy()))


@pytest.mark.parametrize("fn", ["softmax", "log_softmax"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_last_dim_bits(fn, dtype):
    rng = np.random.default_rng(1)
    for n in ROW_SIZES:
        for rows in (1, 3, 40):
            x, g = data(rng, (rows, n), dtype), data(rng, (rows, n), dtype, 1.0)
            assert _softmax_case(fn, x, -1, g) == (0, 0), (n, rows)


@pytest.mark.parametrize("fn", ["softmax", "log_softmax"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_other_dim_bits(fn, dtype):
    """dim != last: vertical max/sum, vector inner positions (split between 2 threads for softmax) and
    std::exp on the tail ones."""
    rng = np.random.default_rng(2)
    shapes = [((7, 5), 0), ((64, 10), 0), ((3, 64, 10), 1), ((5, 3, 32), 1), ((4, 6, 48), 1), ((2, 17, 5), 1),
              ((300, 7, 5), 1), ((6, 3, 20), 1), ((3, 5, 1), 1), ((2, 3, 4, 5), 1), ((2, 3, 4, 5), 2),
              ((33, 4), 0), ((1, 9, 33), 1), ((64, 24), 0)]
    for shape, dim in shapes:
        x, g = data(rng, shape, dtype), data(rng, shape, dtype, 1.0)
        assert _softmax_case(fn, x, dim, g) == (0, 0), (shape, dim)


@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_extremes(dtype):
    x = np.array([[0.0, 1000.0, -1000.0, 3.0], [-np.inf, 0.0, 1.0, 2.0], [5.0, 5.0, 5.0, 5.0]], dtype)
    for fn in ("softmax", "log_softmax"):
        for dim in (0, 1):
            xt, xa = both(x, False)
            assert differing(getattr(torch, fn)(xt, dim).numpy(), getattr(ak, fn)(xa, dim).numpy()) == 0


def test_softmax_double_backward_is_a_graph():
    rng = np.random.default_rng(3)
    x, g = data(rng, (4, 6), np.float64), data(rng, (4, 6), np.float64, 1.0)
    for fn, name in (("softmax", "SoftmaxBackwardDataBackward0"),
                     ("log_softmax", "LogSoftmaxBackwardDataBackward0")):
        grads = []
        for lib in (torch, ak):
            xt = lib.tensor(x, requires_grad=True)
            gt = lib.tensor(g, requires_grad=True)
            (gx,) = lib.autograd.grad(getattr(lib, fn)(xt, 1), xt, gt, create_graph=True)
            assert gx.grad_fn.name() == name
            (gx * gx).sum().backward()
            grads.append((xt.grad.numpy(), gt.grad.numpy()))
        np.testing.assert_allclose(grads[0][0], grads[1][0], rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(grads[0][1], grads[1][1], rtol=1e-10, atol=1e-12)


# ----- sigmoid -------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
def test_sigmoid_bits(dtype):
    """32 (16) elements per vectorized step, std::exp on each thread's tail, 2 threads from 32768."""
    rng = np.random.default_rng(4)
    for shape in [(1,), (5,), (16,), (31,), (32,), (33,), (63,), (100,), (3, 27), (7, 50), (40000,),
                  (70001,), (2, 3, 4)]:
        x, g = data(rng, shape, dtype, 4.0), data(rng, shape, dtype, 1.0)
        xt, xa = both(x)
        yt, ya = xt.sigmoid(), xa.sigmoid()
        yt.backward(torch.from_numpy(g))
        ya.backward(ak.tensor(g))
        assert differing(yt.detach().numpy(), ya.detach().numpy()) == 0, shape
        assert differing(xt.grad.numpy(), xa.grad.numpy()) == 0, shape


@pytest.mark.parametrize("dtype", DTYPES)
def test_sigmoid_views_and_extremes(dtype):
    rng = np.random.default_rng(5)
    x = data(rng, (40, 30), dtype, 4.0)
    t, a = torch.from_numpy(x), ak.tensor(x)
    assert differing(t.T.sigmoid().numpy(), a.T.sigmoid().numpy()) == 0
    assert differing(t[:, ::2].sigmoid().numpy(), a[:, ::2].sigmoid().numpy()) == 0
    assert differing(t[::2].sigmoid().numpy(), a[::2].sigmoid().numpy()) == 0
    e = np.array([-1000.0, -100.0, -88.0, 0.0, -0.0, 20.0, 100.0, np.inf, -np.inf, np.nan] * 4, dtype)
    assert differing(torch.from_numpy(e).sigmoid().numpy(), ak.tensor(e).sigmoid().numpy()) == 0


# ----- relu ----------------------------------------------------------------------------------------
def test_relu_backward_is_threshold_backward():
    x = np.array([-1.0, 2.0, 0.0, -3.0, np.nan, 4.0], np.float32)
    g = np.array([-1.0, 2.0, -3.0, -4.0, 5.0, np.nan], np.float32)
    xt, xa = both(x)
    xt.relu().backward(torch.from_numpy(g))
    xa.relu().backward(ak.tensor(g))
    assert differing(xt.grad.numpy(), xa.grad.numpy()) == 0
    assert not np.signbit(xa.grad.numpy()[[0, 2, 3]]).any()  # +0, not -0 = -1·0


# ----- nll_loss / cross_entropy --------------------------------------------------------------------
NLL_CASES = [(1, 5, ()), (7, 3, ()), (16, 4, ()), (17, 10, ()), (33, 27, ()), (300, 7, ()), (5000, 3, ()),
             (4, 3, (5, 6)), (2, 4, (40, 10)), (3, 5, (7,))]


@pytest.mark.parametrize("fn", ["cross_entropy", "nll_loss"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_nll_and_cross_entropy_bits(fn, dtype):
    """nll_loss's cascade sums (weights, ignored targets) and its backward; cross_entropy = log_softmax +
    nll_loss."""
    rng = np.random.default_rng(6)
    for n, c, extra in NLL_CASES:
        x = data(rng, (n, c) + extra, dtype)
        t = rng.integers(0, c, (n,) + extra)
        if n > 5:
            t.ravel()[rng.random(t.size) < 0.1] = 7 if c > 7 else -100
        ignore = 7 if c > 7 else -100
        w = (rng.random(c) + 0.5).astype(dtype)
        for reduction in ("mean", "sum", "none"):
            for weight in (None, w):
                xt, xa = both(x)
                kw = dict(reduction=reduction, ignore_index=ignore)
                lt = getattr(TF, fn)(xt, torch.from_numpy(t), None if weight is None else torch.from_numpy(w), **kw)
                la = getattr(AF, fn)(xa, ak.tensor(t), None if weight is None else ak.tensor(w), **kw)
                g = data(rng, tuple(lt.shape), dtype, 1.0)
                lt.backward(torch.from_numpy(g))
                la.backward(ak.tensor(g))
                where = (n, c, extra, reduction, weight is not None)
                assert differing(lt.detach().numpy(), la.detach().numpy()) == 0, where
                assert differing(xt.grad.numpy(), xa.grad.numpy()) == 0, where


def test_nll_loss_all_ignored_is_nan_for_mean():
    x = np.zeros((3, 4), np.float32)
    t = np.full(3, -100)
    assert np.isnan(TF.nll_loss(torch.from_numpy(x), torch.from_numpy(t)).item())
    assert np.isnan(AF.nll_loss(ak.tensor(x), ak.tensor(t)).item())
    assert AF.nll_loss(ak.tensor(x), ak.tensor(t), reduction="sum").item() == 0


# ----- mse_loss / binary_cross_entropy -------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
def test_mse_loss_bits(dtype):
    rng = np.random.default_rng(7)
    for shape in [(4, 1), (5,), (33,), (7, 9), (100, 3)]:
        x, y = data(rng, shape, dtype, 1.0), data(rng, shape, dtype, 1.0)
        for reduction in ("mean", "sum", "none"):
            (xt, xa), (yt, ya) = both(x), both(y)
            lt, la = TF.mse_loss(xt, yt, reduction=reduction), AF.mse_loss(xa, ya, reduction=reduction)
            g = data(rng, tuple(lt.shape), dtype, 1.0)
            lt.backward(torch.from_numpy(g))
            la.backward(ak.tensor(g))
            if reduction == "none":
                assert differing(lt.detach().numpy(), la.detach().numpy()) == 0
            assert differing(xt.grad.numpy(), xa.grad.numpy()) == 0, (shape, reduction)
            assert differing(yt.grad.numpy(), ya.grad.numpy()) == 0, (shape, reduction)


@pytest.mark.parametrize("dtype", DTYPES)
def test_binary_cross_entropy_bits(dtype):
    rng = np.random.default_rng(8)
    for shape in [(4, 1), (5,), (33,), (7, 9)]:
        x = rng.random(shape).astype(dtype)
        x.ravel()[0] = 0.0
        y = (rng.random(shape) > 0.5).astype(dtype)
        w = rng.random(shape).astype(dtype)
        for reduction in ("mean", "sum", "none"):
            for weight in (None, w):
                xt, xa = both(x)
                wt = None if weight is None else torch.from_numpy(w)
                wa = None if weight is None else ak.tensor(w)
                lt = TF.binary_cross_entropy(xt, torch.from_numpy(y), wt, reduction=reduction)
                la = AF.binary_cross_entropy(xa, ak.tensor(y), wa, reduction=reduction)
                g = data(rng, tuple(lt.shape), dtype, 1.0)
                lt.backward(torch.from_numpy(g))
                la.backward(ak.tensor(g))
                if reduction == "none":
                    assert differing(lt.detach().numpy(), la.detach().numpy()) == 0
                assert differing(xt.grad.numpy(), xa.grad.numpy()) == 0, (shape, reduction)


# ----- activations ---------------------------------------------------------------------------------
ACTIVATIONS = {
    "silu": lambda F, x: F.silu(x),
    "softplus": lambda F, x: F.softplus(x),
    "softplus_beta": lambda F, x: F.softplus(x, beta=2.0, threshold=5.0),
    "logsigmoid": lambda F, x: F.logsigmoid(x),
    "leaky_relu": lambda F, x: F.leaky_relu(x, 0.1),
}


FLOAT32_ONLY = {  # float64 forward not emulated (Sleef's double expm1): NumPy's expm1 there
    "elu": lambda F, x: F.elu(x),
    "elu_alpha": lambda F, x: F.elu(x, alpha=0.7),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS) + sorted(FLOAT32_ONLY))
@pytest.mark.parametrize("dtype", DTYPES)
def test_activation_bits(name, dtype):
    rng = np.random.default_rng(9)
    # float64 elu's forward uses NumPy's expm1, not Sleef's: within 2 ulp of torch's there
    max_ulp = 2 if name in FLOAT32_ONLY and dtype != np.float32 else 0
    f = ACTIVATIONS.get(name) or FLOAT32_ONLY[name]
    for shape in [(1,), (7,), (16,), (31,), (32,), (33,), (40,), (3, 27), (100,), (1000,)]:
        x, g = data(rng, shape, dtype, 4.0), data(rng, shape, dtype, 1.0)
        xt, xa = both(x)
        yt, ya = f(TF, xt), f(AF, xa)
        yt.backward(torch.from_numpy(g))
        ya.backward(ak.tensor(g))
        if max_ulp:
            np.testing.assert_array_max_ulp(yt.detach().numpy(), ya.detach().numpy(), maxulp=max_ulp)
            np.testing.assert_array_max_ulp(xt.grad.numpy(), xa.grad.numpy(), maxulp=max_ulp)
            continue
        assert differing(yt.detach().numpy(), ya.detach().numpy()) == 0, shape
        assert differing(xt.grad.numpy(), xa.grad.numpy()) == 0, shape


@pytest.mark.parametrize("dtype", DTYPES)
def test_binary_cross_entropy_with_logits_bits(dtype):
    rng = np.random.default_rng(10)
    for shape in [(4, 1), (5,), (33,), (7, 9)]:
        x, y = data(rng, shape, dtype), rng.random(shape).astype(dtype)
        w, pw = rng.random(shape).astype(dtype), (rng.random(shape[-1:]) * 3).astype(dtype)
        for reduction in ("none", "mean", "sum"):
            for weight in (None, w):
                for pos_weight in (None, pw):
                    (xt, xa), (yt, ya) = both(x), both(y)
                    opts_t = dict(weight=None if weight is None else torch.from_numpy(w), reduction=reduction,
                                  pos_weight=None if pos_weight is None else torch.from_numpy(pw))
                    opts_a = dict(weight=None if weight is None else ak.tensor(w), reduction=reduction,
                                  pos_weight=None if pos_weight is None else ak.tensor(pw))
                    lt = TF.binary_cross_entropy_with_logits(xt, yt, **opts_t)
                    la = AF.binary_cross_entropy_with_logits(xa, ya, **opts_a)
                    g = data(rng, tuple(lt.shape), dtype, 1.0)
                    lt.backward(torch.from_numpy(g))
                    la.backward(ak.tensor(g))
                    where = (shape, reduction, weight is not None, pos_weight is not None)
                    if reduction == "none":
                        assert differing(lt.detach().numpy(), la.detach().numpy()) == 0, where
                    assert differing(xt.grad.numpy(), xa.grad.numpy()) == 0, where
                    if pos_weight is None:
                        assert differing(yt.grad.numpy(), ya.grad.numpy()) == 0, where


def test_activation_double_backward_still_works():
    rng = np.random.default_rng(11)
    x = data(rng, (6,), np.float64)
    for name in ("silu", "softplus", "logsigmoid"):
        results = []
        for lib, F in ((torch, TF), (ak, AF)):
            xt = lib.tensor(x, requires_grad=True)
            (g,) = lib.autograd.grad(ACTIVATIONS[name](F, xt).sum(), xt, create_graph=True)
            g.sum().backward()
            results.append(xt.grad.numpy())
        np.testing.assert_allclose(results[0], results[1], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("n", [7, 33, 1000, 20001, 40000])
def test_gelu_float32_matches_aten_kernel(n):
    """ATen's own GELU kernel (PyTorch's vector erf + Sleef exp, glibc tail). PyTorch's default build
    computes float32 gelu with oneDNN instead, so the reference runs with oneDNN switched off."""
    rng = np.random.default_rng(n)
    x, g = data(rng, (n,), np.float32), data(rng, (n,), np.float32, 1.0)
    with torch.backends.mkldnn.flags(enabled=False):
        xt, xa = both(x)
        yt = TF.gelu(xt)
        yt.backward(torch.from_numpy(g))
    ya = AF.gelu(xa)
    ya.backward(ak.tensor(g))
    assert differing(yt.detach().numpy(), ya.detach().numpy()) == 0
    assert differing(xt.grad.numpy(), xa.grad.numpy()) == 0


@pytest.mark.parametrize("name", ["smooth_l1_loss", "huber_loss"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_smooth_l1_and_huber_backward_bits(name, dtype):
    """Their backward kernels: 16 floats / 8 doubles per vector step, a scalar tail computing with the
    beta/delta as a double. (Their forward's mean/sum is torch_sum's; 'none' is checked here.)"""
    rng = np.random.default_rng(12)
    for param in (0.7, 1.0, 1.3):
        kw = {"beta": param} if name == "smooth_l1_loss" else {"delta": param}
        for n in (7, 33, 40, 1000):
            for reduction in ("none", "mean", "sum"):
                x, y = data(rng, (n,), dtype, 1.0), data(rng, (n,), dtype, 1.0)
                (xt, xa), (yt, ya) = both(x), both(y)
                lt = getattr(TF, name)(xt, yt, reduction=reduction, **kw)
                la = getattr(AF, name)(xa, ya, reduction=reduction, **kw)
                g = data(rng, tuple(lt.shape), dtype, 1.0)
                lt.backward(torch.from_numpy(g))
                la.backward(ak.tensor(g))
                where = (param, n, reduction)
                if reduction == "none":
                    assert differing(lt.detach().numpy(), la.detach().numpy()) == 0, where
                assert differing(xt.grad.numpy(), xa.grad.numpy()) == 0, where
                assert differing(yt.grad.numpy(), ya.grad.numpy()) == 0, where
