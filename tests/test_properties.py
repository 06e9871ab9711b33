"""Property tests (hypothesis): values and gradients agree with PyTorch 2.13 over broadcastable shapes,
0-d tensors, and reductions over any dim with and without keepdim."""
import numpy as np
import torch as real
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import autograd_kit as ak

SETTINGS = settings(max_examples=60, deadline=None)
BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (b * b + 1),
    "pow": lambda a, b: (a * a + 0.5) ** b,
    "where": lambda a, b: (a + b).where(a > b, a * b) if hasattr(a, "where") else None,
    "max-mix": lambda a, b: (a * b).exp().sum() + (a - b).tanh().mean(),
}


def pair(mod, arrs):
    return [mod.tensor(a, requires_grad=True) for a in arrs]


def grads(mod, fn, arrs):
    ts = pair(mod, arrs)
    out = fn(*ts)
    out.backward(mod.ones_like(out) * 0.5 if out.dim() else None) if out.numel() != 1 else out.sum().backward()
    return out.detach().numpy(), [t.grad.numpy() for t in ts]


@st.composite
def broadcast_pair(draw):
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=3))
    arrs = [draw(hnp.arrays(np.float64, s, elements=st.floats(-2, 2, allow_nan=False, width=64)))
            for s in shapes.input_shapes]
    return arrs


@SETTINGS
@given(broadcast_pair(), st.sampled_from(sorted(BINARY)))
def test_binary_ops_broadcast_like_pytorch(arrs, op):
    fn = BINARY[op]
    out_k, g_k = grads(ak, fn, arrs)
    out_t, g_t = grads(real, fn, arrs)
    assert out_k.shape == out_t.shape
    np.testing.assert_allclose(out_k, out_t, rtol=1e-10, atol=1e-12)
    for gk, gt, a in zip(g_k, g_t, arrs):
        assert gk.shape == a.shape
        np.testing.assert_allclose(gk, gt, rtol=1e-9, atol=1e-12)


@st.composite
def reduction_case(draw):
    arr = draw(hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=4),
                          elements=st.floats(-3, 3, allow_nan=False, width=64), unique=True))
    nd = arr.ndim
    dim = draw(st.none() | st.integers(-nd, nd - 1)) if nd else None
    return arr, dim, draw(st.booleans())


REDUCTIONS = {
    "sum": lambda t, d, k: t.sum() if d is None else t.sum(d, keepdim=k),
    "mean": lambda t, d, k: t.mean() if d is None else t.mean(d, keepdim=k),
    "max": lambda t, d, k: t.max() if d is None else t.max(d, keepdim=k)[0],
    "min": lambda t, d, k: t.min() if d is None else t.min(d, keepdim=k)[0],
    "var": lambda t, d, k: t.var() if d is None else t.var(d, keepdim=k),
    "softmax": lambda t, d, k: t.softmax(0 if d is None else d) * t,
    "log_softmax": lambda t, d, k: t.log_softmax(-1 if d is None else d) * t,
    "logsumexp": lambda t, d, k: t.logsumexp(0 if d is None else d, keepdim=k),
}


@SETTINGS
@given(reduction_case(), st.sampled_from(sorted(REDUCTIONS)))
def test_reductions_with_dim_and_keepdim_like_pytorch(case, name):
    arr, dim, keepdim = case
    if name == "var" and (arr.size if dim is None else (arr.shape[dim] if arr.ndim else 1)) < 2:
        return  # a single sample: both return nan; covered by the parity tests
    fn = REDUCTIONS[name]
    if name in ("softmax", "log_softmax", "logsumexp") and arr.ndim == 0 and dim is None:
        dim = None
    ka = ak.tensor(arr, requires_grad=True)
    ta = real.tensor(arr, requires_grad=True)
    ko, to = fn(ka, dim, keepdim), fn(ta, dim, keepdim)
    assert tuple(ko.shape) == tuple(to.shape)
    np.testing.assert_allclose(ko.detach().numpy(), to.detach().numpy(), rtol=1e-9, atol=1e-12)
    ko.sum().backward()
    to.sum().backward()
    np.testing.assert_allclose(ka.grad.numpy(), ta.grad.numpy(), rtol=1e-8, atol=1e-11)


@SETTINGS
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=5),
                  elements=st.floats(-2, 2, allow_nan=False, width=64)), st.data())
def test_indexing_gradients_add_up_like_pytorch(arr, data):
    n = arr.shape[0]
    idx = data.draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=6))
    mask = data.draw(hnp.arrays(np.bool_, arr.shape))
    results = []
    for mod in (ak, real):
        t = mod.tensor(arr, requires_grad=True)
        out = (t[mod.tensor(idx)] * 2).sum() + (t[mod.tensor(mask)] ** 2).sum() + t[..., :1].sum()
        out.backward()
        results.append((out.item(), t.grad.numpy().copy()))
    assert np.isclose(results[0][0], results[1][0], rtol=1e-10)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-10)


@SETTINGS
@given(st.integers(1, 3), st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.integers(0, 4))
def test_matmul_ranks_like_pytorch(b, n, k, m, mode):
    rng = np.random.default_rng(b * 1000 + n * 100 + k * 10 + m)
    shapes = [((n, k), (k, m)), ((k,), (k,)), ((n, k), (k,)), ((k,), (k, m)), ((b, n, k), (k, m))][mode]
    arrs = [rng.standard_normal(s) for s in shapes]
    out_k, g_k = grads(ak, lambda x, y: x @ y, arrs)
    out_t, g_t = grads(real, lambda x, y: x @ y, arrs)
    np.testing.assert_allclose(out_k, out_t, rtol=1e-10)
    for gk, gt in zip(g_k, g_t):
        np.testing.assert_allclose(gk, gt, rtol=1e-10, atol=1e-12)
