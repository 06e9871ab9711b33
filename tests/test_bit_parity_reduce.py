"""Sums, means, var/std, norms and elementwise arithmetic give PyTorch 2.13's bits (issue #11): the same
code runs on autograd_kit and on the installed PyTorch, and every float32/float64 result and gradient
is compared bit for bit (0 differing bits).

Known exceptions, not asserted here: float64 x ** p for a p outside {0, ±1, 2, 3, -2, ±0.5} and float64
tensor ** tensor (Sleef's double pow is not ported; float32 is), x ** 0.5 and the exponent's gradient of
a ** b until the MKL back end is present (PyTorch's MKL sqrt and log), float16/bfloat16 sums (accumulated in
float32 without the SIMD order)."""
import numpy as np
import pytest
import torch as real_torch

import autograd_kit as ak
from autograd_kit._pow import torch_powf
from autograd_kit._reduction import THREADS, torch_sum
from autograd_kit._reduction_stats import torch_norm, torch_var

DTYPES = [np.float32, np.float64]


@pytest.fixture(autouse=True)
def torch_on_the_emulated_threads():
    """Sums of GRAIN elements or more depend on the thread count: run torch on the count emulated."""
    old = real_torch.get_num_threads()
    real_torch.set_num_threads(THREADS)
    yield
    real_torch.set_num_threads(old)


def bits_differ(want, got):
    want, got = np.atleast_1d(np.asarray(want)), np.atleast_1d(np.asarray(got))
    assert want.shape == got.shape and want.dtype == got.dtype, (want.shape, got.shape, want.dtype, got.dtype)
    return int(np.sum(want.view(np.uint8).reshape(want.size, -1) != got.view(np.uint8).reshape(got.size, -1)))


def data(rng, shape, dtype):
    """Values of mixed magnitudes, so that the order of additions shows in the last bits."""
    x = rng.standard_normal(shape) * np.exp(rng.standard_normal(shape) * 2)
    return x.astype(dtype)


def layouts(x):
    """The array itself, transposed and (for 2-D and more) with its first two dims swapped, each a view."""
    out = [("c", x)]
    if x.ndim > 1:
        out += [("T", x.T), ("swap", np.swapaxes(x, 0, 1))]
    return out


def dims_of(ndim):
    dims = [None] + list(range(ndim)) + [-1]
    if ndim == 3:
        dims += [(0, 1), (0, 2), (1, 2), (2, 0)]
    return dims


SIZES_1D = list(range(1, 200)) + [255, 256, 257, 511, 1000, 2000, 4097, 6400, 32767, 32768, 32769, 65536,
                                  100000]


@pytest.mark.parametrize("dtype", DTYPES)
def test_sum_1d_every_size(dtype):
    rng = np.random.default_rng(0)
    bad = []
    for n in SIZES_1D:
        for seed in range(3 if n < 5000 else 1):
            x = data(rng, n, dtype)
            if bits_differ(real_torch.from_numpy(x).sum().numpy(), torch_sum(x)):
                bad.append(n)
    assert bad == []


SHAPES = [(64, 100), (100, 64), (3, 5), (17, 33), (7, 16), (16, 7), (2000, 3), (3, 2000), (400, 100),
          (50, 1000), (1, 40), (40, 1), (5, 6, 7), (4, 17, 33), (33, 4, 17), (20, 30, 70), (2, 3, 6000)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_sum_every_dim_and_layout(shape, dtype):
    rng = np.random.default_rng(len(shape) * 1000 + shape[0])
    x = data(rng, shape, dtype)
    for name, v in layouts(x):
        t = real_torch.from_numpy(v)
        for dim in dims_of(v.ndim):
            for keepdim in (False, True):
                want = t.sum(dim=dim, keepdim=keepdim)
                got = torch_sum(v, dim, keepdim)
                assert bits_differ(want.numpy(), got) == 0, (name, dim, keepdim)


@pytest.mark.parametrize("dtype", DTYPES)
def test_sum_of_expanded_and_sliced_inputs(dtype):
    rng = np.random.default_rng(5)
    cases = [data(rng, (1, 100), dtype), data(rng, (64, 1), dtype), data(rng, (3, 1, 50), dtype)]
    for x in cases:
        shape = tuple(64 if s == 1 else s for s in x.shape)
        t = real_torch.from_numpy(x).expand(shape)
        v = np.broadcast_to(x, shape)
        for dim in dims_of(v.ndim):
            want = t.sum() if dim is None else t.sum(dim)
            assert bits_differ(want.numpy(), torch_sum(v, dim)) == 0, (x.shape, dim)
    big = data(rng, (40, 300), dtype)
    tbig = real_torch.from_numpy(big)
    for sl in [(slice(None, None, 2), slice(None)), (slice(None), slice(None, None, 3)),
               (slice(5, 35), slice(7, 290))]:
        for dim in (None, 0, 1):
            want = tbig[sl].sum() if dim is None else tbig[sl].sum(dim)
            assert bits_differ(want.numpy(), torch_sum(big[sl], dim)) == 0, (sl, dim)


def test_sum_dtype_argument_and_integers():
    rng = np.random.default_rng(6)
    x = data(rng, (30, 50), np.float32)
    t = real_torch.from_numpy(x)
    assert bits_differ(t.sum(dtype=real_torch.float64).numpy(), torch_sum(x, dtype=np.float64)) == 0
    assert bits_differ(t.sum(1, dtype=real_torch.float64).numpy(), torch_sum(x, 1, dtype=np.float64)) == 0
    i = rng.integers(-1000, 1000, (30, 50))
    assert bits_differ(real_torch.from_numpy(i).sum(0).numpy(), torch_sum(i, 0)) == 0


@pytest.mark.parametrize("dtype", DTYPES)
def test_tensor_sum_mean_and_their_grads(dtype):
    rng = np.random.default_rng(7)
    for shape in [(8,), (100,), (2000,), (64, 100), (5, 6, 7)]:
        x = data(rng, shape, dtype)
        for dim in dims_of(len(shape)):
            for op in ("sum", "mean"):
                res = []
                for lib in (real_torch, ak):
                    a = lib.tensor(x, requires_grad=True)
                    y = getattr(a, op)() if dim is None else getattr(a, op)(dim)
                    (y * y).sum().backward()
                    res.append((y.detach().numpy(), a.grad.numpy()))
                assert bits_differ(res[0][0], res[1][0]) == 0, (shape, op, dim)
                assert bits_differ(res[0][1], res[1][1]) == 0, (shape, op, dim, "grad")


@pytest.mark.parametrize("dtype", DTYPES)
def test_var_std(dtype):
    rng = np.random.default_rng(8)
    for shape in [(7,), (100,), (50000,), (5, 37), (3, 100), (64, 10), (4, 5, 6)]:
        x = data(rng, shape, dtype) + dtype(1)
        for name, v in layouts(x):
            t = real_torch.from_numpy(v)
            for dim in dims_of(v.ndim):
                for correction in (0, 1):
                    for sq, fn in ((False, real_torch.var), (True, real_torch.std)):
                        want = fn(t, dim=dim, correction=correction).numpy()
                        got = torch_var(v, dim, correction, take_sqrt=sq)
                        assert bits_differ(want, got) == 0, (shape, name, dim, correction, sq)


@pytest.mark.parametrize("dtype", DTYPES)
def test_var_std_grads(dtype):
    rng = np.random.default_rng(9)
    x = data(rng, (6, 19), dtype)
    for op in ("var", "std"):
        for dim in (None, 0, 1):
            res = []
            for lib in (real_torch, ak):
                a = lib.tensor(x, requires_grad=True)
                y = getattr(a, op)() if dim is None else getattr(a, op)(dim)
                (y * 3).sum().backward()
                res.append((y.detach().numpy(), a.grad.numpy()))
            assert bits_differ(res[0][0], res[1][0]) == 0, (op, dim)
            assert bits_differ(res[0][1], res[1][1]) == 0, (op, dim, "grad")


@pytest.mark.parametrize("dtype", DTYPES)
def test_vector_norm(dtype):
    rng = np.random.default_rng(10)
    for shape in [(5,), (8,), (13,), (100,), (2000,), (5, 37), (37, 5), (20, 30), (4, 5, 6)]:
        x = data(rng, shape, dtype)
        for name, v in layouts(x):
            t = real_torch.from_numpy(v)
            for dim in dims_of(v.ndim):
                for p in (2, 1):
                    want = real_torch.linalg.vector_norm(t, ord=p, dim=dim).numpy()
                    assert bits_differ(want, torch_norm(v, p, dim)) == 0, (shape, name, dim, p)
    res = []
    for lib in (real_torch, ak):
        a = lib.tensor(data(rng, (6, 19), dtype) if lib is real_torch else res[0][2], requires_grad=True)
        y = a.norm() + lib.linalg.vector_norm(a, dim=1).sum()
        y.backward()
        res.append((y.detach().numpy(), a.grad.numpy(), a.detach().numpy()))
    assert bits_differ(res[0][0], res[1][0]) == 0 and bits_differ(res[0][1], res[1][1]) == 0


ARITH = {
    "mul": lambda L, a, b: a * b,
    "div": lambda L, a, b: a / b,
    "div scalar": lambda L, a, b: a / 3.0,
    "rdiv scalar": lambda L, a, b: 3.0 / b,
    "mul scalar": lambda L, a, b: a * 0.1,
    "add alpha": lambda L, a, b: L.add(a, b, alpha=0.3),
    "sub alpha": lambda L, a, b: L.sub(a, b, alpha=0.7),
    "rsub": lambda L, a, b: 1 - a,
    "neg": lambda L, a, b: -a,
    "reciprocal": lambda L, a, b: b.reciprocal(),
    "pow 2": lambda L, a, b: a ** 2,
    "pow 3": lambda L, a, b: a.pow(3),
    "pow -1": lambda L, a, b: b ** -1,
    "pow -0.5": lambda L, a, b: b ** -0.5,  # its gradient needs b ** -1.5: Sleef's pow (not asserted)
    "pow 0": lambda L, a, b: a ** 0,
    "pow 1": lambda L, a, b: a ** 1,
    "pow 2.5 (float32: Sleef)": lambda L, a, b: b ** 2.5,
    "pow 4 (float32: Sleef)": lambda L, a, b: a ** 4,
    "tensor ** tensor (base grad)": lambda L, a, b: b ** a.detach(),
    "2 ** tensor": lambda L, a, b: 2 ** a,
    "broadcast": lambda L, a, b: a * b[:1] + b[:, :1],
    "squared error": lambda L, a, b: (a - b).pow(2).sum(),
    "mean": lambda L, a, b: (a * b).mean(1),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(ARITH))
def test_arithmetic_values_and_grads(name, dtype):
    f = ARITH[name]
    # float64 pow by a general exponent: Sleef's double pow is not ported (NumPy's pow, within 2 ulp of torch's)
    max_ulp = 2 if dtype == np.float64 and ("Sleef" in name or "**" in name) else 0
    rng = np.random.default_rng(11)
    for shape in [(6, 19), (3, 40)]:
        x = data(rng, shape, dtype)
        y = (np.abs(data(rng, shape, dtype)) + dtype(0.2)).astype(dtype)
        g = data(rng, f(real_torch, real_torch.from_numpy(x), real_torch.from_numpy(y)).shape, dtype)
        res = []
        for lib in (real_torch, ak):
            a, b = lib.tensor(x, requires_grad=True), lib.tensor(y, requires_grad=True)
            out = f(lib, a, b)
            out.backward(lib.tensor(g) if out.dim() else None)
            grads = [t.grad.numpy() if t.grad is not None else None for t in (a, b)]
            res.append([out.detach().numpy()] + grads)
        for i, (w, k) in enumerate(zip(*res)):
            assert (w is None) == (k is None), (name, i)
            if w is not None and not (name == "pow -0.5" and i):
                if max_ulp:
                    np.testing.assert_array_max_ulp(w, k, maxulp=max_ulp)
                else:
                    assert bits_differ(w, k) == 0, (name, shape, ["value", "grad a", "grad b"][i])


def test_float32_pow_kernel_every_length():
    """Sleef's powf on whole 2x16-float steps, the C library's pow on the tail; negative and zero bases."""
    rng = np.random.default_rng(12)
    for n in list(range(1, 70)) + [100, 2000, 2001]:
        x = (np.abs(rng.standard_normal(n)) * 3 + 0.01).astype(np.float32)
        x[::5] *= -1
        x[::7] = 0
        y = rng.standard_normal(n).astype(np.float32)
        for p in (1.7, 4.0, 5.0, 0.3, -1.5, -3.0):
            assert bits_differ((real_torch.from_numpy(x) ** p).numpy(), torch_powf(x, p)) == 0, (n, p)
        want = (real_torch.from_numpy(np.abs(x)) ** real_torch.from_numpy(y)).numpy()
        assert bits_differ(want, torch_powf(np.abs(x), y)) == 0, n


def test_cumsum_and_its_grad():
    """PyTorch's CPU cumsum accumulates float32 in a double, rounding each partial sum."""
    rng = np.random.default_rng(13)
    x = data(rng, (50, 300), np.float32)
    for dim in (0, 1, -1):
        res = []
        for lib in (real_torch, ak):
            a = lib.tensor(x, requires_grad=True)
            y = a.cumsum(dim)
            (y * y).sum().backward()
            res.append((y.detach().numpy(), a.grad.numpy()))
        assert bits_differ(res[0][0], res[1][0]) == 0 and bits_differ(res[0][1], res[1][1]) == 0, dim


@pytest.mark.parametrize("dtype", DTYPES)
def test_var_mean_std_mean(dtype):
    """var_mean's mean is Welford's running mean (float64), not sum / n; calls in a row keep their kind."""
    rng = np.random.default_rng(14)
    for shape in [(7, 300), (50000,), (3, 4, 5)]:
        x = data(rng, shape, dtype)
        for dim in [None] + list(range(len(shape))):
            for name in ("var_mean", "std_mean", "var", "std"):
                want = getattr(real_torch, name)(real_torch.from_numpy(x), dim=dim)
                got = getattr(ak, name)(ak.tensor(x), dim=dim)
                if not isinstance(want, tuple):
                    want, got = (want,), (got,)
                for w, g in zip(want, got):
                    assert bits_differ(w.numpy(), g.numpy()) == 0, (shape, name, dim)


# ---- torch_sum's fast paths (C-contiguous inputs, issue #14) against torch, around every threshold -------
# Layouts: (R,) full, (K, R) inner, (R, K) / (K, R, K) outer, (R, K, R) inner-then-outer; lengths around
# SIMD vectors (8 floats / 4 doubles), 4-vector groups, cascade blocks of 16 rows, 256 rows, GRAIN and 2 GRAIN.

ROWS = list(range(1, 10)) + [15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129]
COLS = [1, 2, 7, 8, 9, 31, 32, 33, 100, 256, 1000]


def assert_sums_match(x, dims, keepdims=(False,), t=None):
    t = real_torch.from_numpy(x) if t is None else t
    bad = []
    for dim in dims:
        for keepdim in keepdims:
            want = t.sum() if dim is None and not keepdim else t.sum(
                dim=tuple(range(x.ndim)) if dim is None else dim, keepdim=keepdim)
            got = torch_sum(x, dim, keepdim)
            if bits_differ(want.numpy(), got):
                bad.append((x.shape, x.strides, dim, keepdim))
    return bad


@pytest.mark.parametrize("dtype", DTYPES)
def test_sum_2d_fast_paths_every_threshold(dtype):
    rng = np.random.default_rng(20)
    bad = []
    for r in ROWS:
        for c in COLS:
            x = data(rng, (r, c), dtype)
            bad += assert_sums_match(x, [None, 0, 1, -1])
            bad += assert_sums_match(x, [0, 1], keepdims=(True,))
    assert bad == []


@pytest.mark.parametrize("dtype", DTYPES)
def test_sum_rows_of_many_lengths(dtype):
    """Long reduced dims: the cascade's 2nd and 3rd levels (256 and 4096 rows / 4-vector groups)."""
    rng = np.random.default_rng(21)
    bad = []
    for r in [255, 256, 257, 511, 1000, 4095, 4096, 4097]:
        for c in [1, 3, 8, 10, 40]:
            x = data(rng, (r, c), dtype)
            bad += assert_sums_match(x, [None, 0])
            bad += assert_sums_match(np.ascontiguousarray(x.T), [None, 1])
    assert bad == []


GRAIN_SHAPES = [(32767,), (32768,), (32769,), (65535,), (65536,), (65537,), (131073,), (128, 256), (256, 128),
                (129, 256), (127, 258), (256, 256), (3277, 10), (3276, 10), (10, 3277), (65537, 1), (8191, 4),
                (8193, 4), (4, 8193), (2, 32768), (32768, 2), (993, 33), (33, 993), (16385, 2), (2, 16385),
                (3, 10923), (2, 16, 1024), (4, 8193, 2), (7, 4681)]
GRAIN_4D = [(32, 16, 8, 8), (2, 16, 32, 32), (64, 32, 4, 4), (8, 6, 28, 28), (32, 16, 14, 14), (4, 1, 97, 85),
            (2, 3, 75, 73)]


@pytest.mark.parametrize("dtype", DTYPES)
def test_sum_around_grain_size(dtype):
    """At and above GRAIN elements PyTorch splits the work between threads: one output in two passes (each
    thread's half, then the halves added), several outputs by columns (which keeps each output's order)."""
    rng = np.random.default_rng(22)
    bad = []
    for shape in GRAIN_SHAPES:
        x = data(rng, shape, dtype)
        bad += assert_sums_match(x, [None] + list(range(x.ndim)) + [-1])
        if x.ndim == 3:
            bad += assert_sums_match(x, [(0, 2), (0, 1), (1, 2)])
    for shape in GRAIN_4D:
        x = data(rng, shape, dtype)
        bad += assert_sums_match(x, [None, 0, 1, -1, (0, 2, 3), (2, 3), (1, 2, 3), (0, 1), (0, 3), (1, 3)])
    assert bad == []


@pytest.mark.parametrize("dtype", DTYPES)
def test_sum_nd_layouts_every_dim_set(dtype):
    """Conv bias gradients and batch-norm statistics ((N, C, H, W) over 0, 2, 3), (B, T, C) over 0, 1 and
    every other set of dims, with size-1 dims in between."""
    import itertools
    rng = np.random.default_rng(23)
    bad = []
    for shape in [(2, 3, 4, 5), (8, 6, 7, 7), (3, 16, 5, 5), (4, 3, 1, 9), (7, 1, 5, 1), (5, 4, 3, 9),
                  (2, 40, 17, 3), (16, 8, 2, 2), (3, 33, 2), (2, 100, 33), (5, 17, 40), (4, 50, 16), (1, 6, 1, 33)]:
        x = data(rng, shape, dtype)
        dims = [d for k in range(1, x.ndim + 1) for d in itertools.combinations(range(x.ndim), k)]
        bad += assert_sums_match(x, dims)
    assert bad == []


@pytest.mark.parametrize("dtype", DTYPES)
def test_sum_non_contiguous_inputs(dtype):
    """Transposed, sliced and expanded inputs take the general path (TensorIterator's order) and stay right,
    including sizes at and above GRAIN."""
    rng = np.random.default_rng(24)
    bad = []
    for shape in [(33, 100), (128, 256), (129, 300), (64, 1000), (17, 9)]:
        x = data(rng, shape, dtype)
        for v in (x.T, x[::2], x[:, ::3], x[1:-1, 1:-1], x[:, 1:]):
            bad += assert_sums_match(v, [None, 0, 1, -1])
    x4 = data(rng, (8, 6, 28, 28), dtype)
    for v in (x4.transpose(0, 2, 3, 1), x4[:, :, ::2], x4.transpose(1, 0, 2, 3)):
        bad += assert_sums_match(v, [None, (0, 2, 3), (0, 1, 2), 1, -1])
    for shape in [(9, 40), (300, 7), (128, 256), (257, 129), (5, 6, 7), (8, 6, 28, 28)]:  # F-contiguous
        v = data(rng, shape[::-1], dtype).T
        bad += assert_sums_match(v, [None, 0, 1, -1, tuple(range(v.ndim))], keepdims=(False, True))
    row = data(rng, (1, 300), dtype)
    bad += assert_sums_match(np.broadcast_to(row, (200, 300)), [None, 0, 1],
                             t=real_torch.from_numpy(row).expand(200, 300))
    assert bad == []


def test_sum_fast_path_results_are_fresh_and_typed():
    """The fast paths return new arrays (never a view of the input) and NumPy scalars for full sums, as
    the general path does; -0.0 inputs sum to +0.0 as in PyTorch."""
    x = np.full((16, 40), -0.0, np.float32)
    for dim in (None, 0, 1):
        got = torch_sum(x, dim)
        want = real_torch.from_numpy(x).sum() if dim is None else real_torch.from_numpy(x).sum(dim)
        assert bits_differ(want.numpy(), got) == 0
        assert np.all(np.signbit(got) == 0)
    assert isinstance(torch_sum(x), np.float32) and torch_sum(x[:1, :1]).dtype == np.float32
    y = np.ones((4, 8), np.float64)
    out = torch_sum(y, 0)
    out[0] = 5
    assert y[0, 0] == 1 and torch_sum(y, 1, True).shape == (4, 1)


@pytest.mark.parametrize("seed", [0, 1])
def test_sum_random_shapes_dims_and_layouts(seed):
    """Random shapes (size-1 dims anywhere, up to 4-D, up to 200k elements), dims, keepdim, C- or
    F-contiguous, float32 or float64."""
    rng = np.random.default_rng(100 + seed)
    sizes = [1, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 64, 65, 100, 129, 257]
    bad = []
    for _ in range(300):
        shape = tuple(int(rng.choice(sizes)) for _ in range(rng.integers(1, 5)))
        while np.prod(shape) > 200000:
            shape = shape[1:]
        x = data(rng, shape, np.float32 if rng.random() < 0.7 else np.float64)
        if rng.random() < 0.2 and x.ndim > 1:
            x = np.ascontiguousarray(x.T).T
        k = int(rng.integers(0, x.ndim + 1))
        dims = None if k == 0 else tuple(sorted(rng.choice(x.ndim, size=k, replace=False).tolist()))
        bad += assert_sums_match(x, [dims], keepdims=(bool(rng.random() < 0.3),))
    assert bad == []


# ---- the Tensor-level sums, means and sum_to_size (issue #14: cached per shape, dtype and dims) ----------
# Every call is made twice (the first builds the cached path, the second runs it) and compared with torch.

def _special(rng, shape, dtype, kind):
    """Values that test a sum's zero sign and its NaN / inf propagation."""
    x = data(rng, shape, dtype)
    if kind == "negzero":
        return np.full(shape, -0.0, dtype)
    if kind == "zeros":  # +0 and -0 mixed, and pairs that cancel to an exact zero
        x = np.where(rng.random(shape) < 0.5, -0.0, 0.0).astype(dtype)
        if x.size > 1:
            x.reshape(-1)[::2] = np.arange(x.size // 2 + x.size % 2, dtype=dtype)
            x.reshape(-1)[1::2] = -np.arange(x.size // 2, dtype=dtype)
        return x
    if kind == "nan":
        x.reshape(-1)[rng.integers(0, x.size, max(1, x.size // 7))] = np.nan
        return x
    if kind == "neg_nan":
        x.reshape(-1)[rng.integers(0, x.size, max(1, x.size // 5))] = -np.nan
        return x
    if kind == "inf":
        x.reshape(-1)[rng.integers(0, x.size, max(1, x.size // 7))] = np.inf
        x.reshape(-1)[rng.integers(0, x.size, max(1, x.size // 9))] = -np.inf
        return x
    return x


def _tensor_level_mismatches(x):
    a, t = ak.from_numpy(x), real_torch.from_numpy(x)
    calls = [("sum()", lambda m: m.sum()), ("mean()", lambda m: m.mean())]
    for d in range(-x.ndim, x.ndim):
        calls += [(f"sum({d})", lambda m, d=d: m.sum(d)), (f"sum({d}, keepdim)", lambda m, d=d: m.sum(d, keepdim=True)),
                  (f"mean({d})", lambda m, d=d: m.mean(d)), (f"mean({d}, keepdim)", lambda m, d=d: m.mean(d, True))]
    if x.ndim == 2:
        calls += [("sum((0, 1))", lambda m: m.sum((0, 1))), ("mean((1, 0), keepdim)", lambda m: m.mean((1, 0), True)),
                  ("sum(dim=[1, 0])", lambda m: m.sum(dim=[1, 0]))]
    targets = {x.shape[-1:], (1,) + x.shape[1:], x.shape[:1] + (1,) * (x.ndim - 1), (1,) * x.ndim, (1,)}
    for size in targets:
        calls.append((f"sum_to_size{size}", lambda m, size=size: m.sum_to_size(size)))
        calls.append((f"sum_to_size(*{size})", lambda m, size=size: m.sum_to_size(*size)))
    bad = []
    for name, call in calls:
        want = call(t).numpy()
        for _ in range(2):
            got = call(a).numpy()
            if bits_differ(want, got):
                bad.append((x.shape, x.dtype.name, name))
    return bad


@pytest.mark.parametrize("dtype", DTYPES)
def test_tensor_sums_and_means_small_shapes(dtype):
    """The cached small layouts (full sums up to 16 vectors, bias-style sums over fewer than 64 rows) and the
    shapes around them, with zeros of both signs, NaN, inf."""
    rng = np.random.default_rng(30)
    bad = []
    for kind in ["plain", "negzero", "zeros", "nan", "neg_nan", "inf"]:
        for n in list(range(1, 41)) + [63, 64, 65, 95, 96, 97, 128, 160, 255, 256, 257, 480, 512, 513]:
            bad += _tensor_level_mismatches(_special(rng, (n,), dtype, kind))
        for r in [1, 2, 3, 4, 5, 7, 8, 9, 11, 12, 13, 15, 16, 17, 20, 32, 33, 60, 63, 64, 65]:
            for c in [1, 2, 3, 4, 5, 8, 9, 12, 16, 17, 31, 32, 33, 40, 64]:
                if kind in ("plain", "zeros") or (r * c) % 3 == 0:
                    bad += _tensor_level_mismatches(_special(rng, (r, c), dtype, kind))
    assert bad == []


def _same(want, got):
    want, got = want.numpy(), got.numpy()
    return want.shape == got.shape and want.dtype == got.dtype and (want.size == 0 or bits_differ(want, got) == 0)


def test_tensor_sums_other_layouts_and_dtypes():
    """Paths outside the cache (non-contiguous, 3-D, float16, integers, bool, empty, 0-d, dtype=) give
    torch's values and dtypes, also on a second call."""
    rng = np.random.default_rng(31)
    bad = []
    for x in [data(rng, (6, 10), np.float32).T, data(rng, (8, 12), np.float64)[::2, 1::3],
              data(rng, (4, 5, 6), np.float32), data(rng, (2, 3, 4, 5), np.float64), data(rng, (16, 16), np.float32)[:, :8]]:
        bad += _tensor_level_mismatches(x)
    assert bad == []
    for x in [data(rng, (16, 16), np.float16), rng.integers(-9, 9, (16, 12)).astype(np.int32),
              rng.integers(0, 9, (5, 8)).astype(np.uint8), rng.random((12, 16)) < 0.5, np.zeros((0, 4), np.float32),
              np.array(2.5, np.float32), np.zeros((3, 0), np.float64)]:
        a, t = ak.from_numpy(x), real_torch.from_numpy(x)
        dims = [None] + list(range(x.ndim))
        for _ in range(2):
            for d in dims:
                for keepdim in (False, True):
                    want = t.sum() if d is None else t.sum(d, keepdim)
                    got = a.sum() if d is None else a.sum(d, keepdim)
                    assert _same(want, got), (x.dtype, x.shape, d)
                    if x.dtype.kind == "f":
                        want, got = (t.mean(), a.mean()) if d is None else (t.mean(d, keepdim), a.mean(d, keepdim))
                        assert _same(want, got), (x.dtype, x.shape, d)
    x = data(rng, (16, 16), np.float32)
    a, t = ak.from_numpy(x), real_torch.from_numpy(x)
    for _ in range(2):
        assert bits_differ(t.sum(0, dtype=real_torch.float64).numpy(), a.sum(0, dtype=ak.float64).numpy()) == 0
        assert bits_differ(t.mean(dtype=real_torch.float64).numpy(), a.mean(dtype=ak.float64).numpy()) == 0
        assert bits_differ(t.sum(1, dtype=real_torch.float16).numpy(), a.sum(1, dtype=ak.float16).numpy()) == 0


def test_tensor_sum_errors_unchanged_after_a_cached_call():
    """A cached call does not skip the argument checks of a later, different call."""
    a = ak.from_numpy(np.ones((4, 5), np.float32))
    a.sum(1), a.mean(1), a.sum_to_size(5)
    for call in [lambda: a.sum(2), lambda: a.mean(-3), lambda: a.sum((0, 2))]:
        with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of \[-2, 1\], but got"):
            call()
    with pytest.raises(RuntimeError, match="mean\\(\\): could not infer output dtype"):
        ak.from_numpy(np.ones((4, 5), np.int64)).mean(1)
    for _ in range(2):
        with pytest.raises(ValueError):
            a.sum_to_size(3)
    assert a.sum_to_size(5).shape == (5,) and a.sum_to_size(1, 5).shape == (1, 5)


def test_tensor_sums_record_the_same_graph():
    """With grad on the cached path records SumBackward0/1, MeanBackward0/1 and their gradients as before."""
    x = data(np.random.default_rng(32), (16, 8), np.float32)
    for _ in range(2):
        a = ak.tensor(x, requires_grad=True)
        t = real_torch.tensor(x, requires_grad=True)
        outs = [(a.sum(), t.sum()), (a.sum(0), t.sum(0)), (a.mean(), t.mean()), (a.mean(1, True), t.mean(1, True))]
        for o, w in outs:
            assert o.grad_fn.name() == w.grad_fn.name()
        sum(o.sum() * (i + 1) for i, (o, _) in enumerate(outs)).backward()
        sum(w.sum() * (i + 1) for i, (_, w) in enumerate(outs)).backward()
        assert bits_differ(t.grad.numpy(), a.grad.numpy()) == 0
