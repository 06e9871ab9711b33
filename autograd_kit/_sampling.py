"""PyTorch 2.13's CPU sampling algorithms on NumPy arrays, drawing from a ``Generator``.

Each function follows ATen's kernel (``aten/src/ATen/core/DistributionsHelper.h``,
``TransformationHelper.h``, ``native/cpu/DistributionTemplates.h``, ``TensorFactories.cpp`` randperm,
``Distributions.cpp``/``cpu/MultinomialKernel.cpp`` multinomial) and consumes the generator exactly as it
does, so calls can be interleaved with any other random call and stay in step with PyTorch.
Values come back flat, in the order the kernel writes them (memory order of the output).
"""
import math

import numpy as np

from ._rng_math import fma32, fma64, glibc, normal_fill_16_float, normal_fill_16_double

f32, f64 = np.float32, np.float64
_U64 = np.uint64
_M24, _M53 = _U64((1 << 24) - 1), _U64((1 << 53) - 1)
_PIECE = 1 << 16  # values per piece of a large uniform fill


def _is_double(dtype):
    return np.dtype(dtype) == np.float64


def unit_uniform(gen, n, dtype):
    """``uniform_real_distribution<T>(0, 1)``: 24 bits of random() for float32, 53 of random64() for double."""
    if _is_double(dtype):
        return (gen._random64(n) & _M53).astype(f64) * f64(2.0 ** -53)
    return (gen._random(n) & _M24).astype(f32) * f32(2.0 ** -24)


def uniform(gen, n, dtype, low=0.0, high=1.0):
    """``uniform_(low, high)``: ``fma(x, high - low, low)`` in the tensor's float type; a value that rounds
    up to ``high`` becomes ``low`` (PyTorch 2.13 keeps the interval half-open that way).
    Large fills go in pieces of ``_PIECE`` values (the same draws in the same order, so the same values): the
    intermediates (64-bit draws, the float64 fma) would otherwise take ~30 bytes per value at once."""
    if n > _PIECE:
        out = np.empty(n, dtype)
        for i in range(0, n, _PIECE):
            out[i:i + _PIECE] = uniform(gen, min(_PIECE, n - i), dtype, low, high)
        return out
    x = unit_uniform(gen, n, dtype)
    if _is_double(dtype):
        low, high = f64(low), f64(high)
        out = x if (low, high) == (0, 1) else fma64(x, high - low, low)
    else:
        low, high = f32(low), f32(high)
        out = x if (low, high) == (0, 1) else fma32(x, high - low, low)
    if (low, high) != (0, 1):
        out = np.where(out >= high, low, out)
    return out.astype(dtype, copy=False)


def _normal_scalar(gen, n, mean, std):
    """``normal_distribution<double>``: Box-Muller pairs, the second value cached in the generator."""
    vals = []
    if n and gen._next_double is not None:
        vals.append(gen._next_double)
        gen._next_double = None
    pairs = (n - len(vals) + 1) // 2
    if pairs:
        u = unit_uniform(gen, 2 * pairs, f64).reshape(pairs, 2).tolist()
        for u1, u2 in u:
            r = math.sqrt(-2.0 * math.log1p(-u2))
            theta = 2.0 * math.pi * u1
            vals += (r * math.cos(theta), r * math.sin(theta))
        if len(vals) > n:
            gen._next_double = vals.pop()
    out = np.array(vals, f64)
    return out + 0.0 if (mean, std) == (0.0, 1.0) else fma64(out, std, mean)


def normal(gen, n, dtype, mean=0.0, std=1.0, contiguous=True):
    """``normal_(mean, std)``: the 16-at-a-time Box-Muller fill for 16+ contiguous elements (float32 via
    PyTorch's AVX2 kernel, double via glibc), otherwise the scalar sampler with its cache."""
    mean, std = float(mean), float(std)
    if n < 16 or not contiguous:
        return _normal_scalar(gen, n, mean, std).astype(dtype)
    fill = normal_fill_16_double if _is_double(dtype) else normal_fill_16_float
    u = unit_uniform(gen, n, f64 if _is_double(dtype) else f32)
    m = n - n % 16
    out = np.empty(n, u.dtype)
    out[:m] = fill(u[:m], mean, std)
    if n % 16:  # PyTorch redraws the last 16 uniforms and recomputes the last 16 values
        out[n - 16:] = fill(unit_uniform(gen, 16, u.dtype), mean, std)
    return out.astype(dtype, copy=False)


_DIGITS = {"float64": 53, "float32": 24, "float16": 11}


def _float_bounds(low, high, digits):
    """ATen's update_from/update_to: move the bounds inward to integers the float type can hold."""
    def cast(v):  # static_cast<int64_t>(static_cast<scalar_t>(v))
        return int(np.array(v, np.int64).astype({53: f64, 24: f32, 11: np.float16}[digits]))
    if cast(low + 1) < low:
        low = cast(low + 1) + (1 << (abs(low + 1).bit_length() - 1 - digits + 1))
    if cast(high - 1) >= high:
        high = cast(high - 1) - (1 << (abs(high - 1).bit_length() - 1 - digits + 1))
    return low, high


def random_from_to(gen, n, low, high, dtype=np.int64):
    """``random_(low, high)``/``randint``: ``random() % range`` (``random64()`` once range >= 2**28)."""
    low, high = int(low), int(high)
    digits = _DIGITS.get(np.dtype(dtype).name)
    if digits:
        low, high = _float_bounds(low, high, digits)
        for name, v in (("from", low), ("to - 1", high - 1)):
            if abs(v) > 1 << digits:
                import warnings
                warnings.warn(f"{name} is out of bounds [-(2^{digits}), 2^{digits}]. Due to precision limitations "
                              f"{np.dtype(dtype).name.replace('float32', 'float').replace('float64', 'double')} "
                              "can support discrete uniform distribution only within this range. This warning will "
                              "become an error in version 1.7 release, please fix the code in advance", stacklevel=4)
    rng = high - low
    v = gen._random64(n) if rng >= 1 << 28 else gen._random(n)
    out = ((v % _U64(rng)) + _U64(int(low) & 0xFFFFFFFFFFFFFFFF)).view(np.int64)
    return out.astype(dtype, copy=False)


_FULL_MOD = {"int64": 1 << 63, "int32": 1 << 31, "int16": 1 << 15, "int8": 1 << 7, "uint8": 1 << 8,
             "float64": (1 << 53) + 1, "float32": (1 << 24) + 1, "float16": (1 << 11) + 1}


def random_default(gen, n, dtype):
    """``random_()`` with no bounds: [0, 2**mantissa] for floats, [0, max] for ints, 0/1 for bool."""
    name = np.dtype(dtype).name
    if name == "bool":
        return (gen._random(n) & _U64(1)).astype(bool)
    v = gen._random64(n) if name in ("int64", "float64") else gen._random(n)
    return (v % _U64(_FULL_MOD[name])).astype(dtype)


def bernoulli_scalar(gen, n, p, dtype):
    """``bernoulli_(p)`` with a number p: one 53-bit double per element, ``u < p``."""
    return (unit_uniform(gen, n, f64) < float(p)).astype(dtype)


def bernoulli_tensor(gen, p, dtype):
    """``bernoulli(p)`` with a tensor p: float p draws 24-bit floats, double p 53-bit doubles."""
    p = np.ascontiguousarray(p)
    pd = f64 if p.dtype == f64 else f32
    return (unit_uniform(gen, p.size, pd) < p.astype(pd).ravel()).astype(dtype).reshape(p.shape)


def exponential(gen, n, lambd, dtype):
    """``exponential_(lambd)``: ``-1/lambd * log1p(-u)`` in double with glibc's log1p."""
    u = unit_uniform(gen, n, f64)
    return ((-1.0 / float(lambd)) * glibc(math.log1p, -u)).astype(dtype)


def cauchy(gen, n, median, sigma, dtype):
    """``cauchy_(median, sigma)``: ``median + sigma * tan(pi * (u - 0.5))`` in double (glibc's tan)."""
    u = unit_uniform(gen, n, f64)
    return (float(median) + float(sigma) * glibc(math.tan, math.pi * (u - 0.5))).astype(dtype)


def geometric(gen, n, p, dtype):
    """``geometric_(p)``: ``ceil(log(u) / log(1 - p))`` in double."""
    u = unit_uniform(gen, n, f64)
    return np.ceil(glibc(math.log, u) / math.log(1.0 - float(p))).astype(dtype)


def log_normal(gen, n, mean, std, dtype):
    """``log_normal_(mean, std)``: ``exp`` of the scalar Box-Muller sampler (any size, with its cache)."""
    return glibc(math.exp, _normal_scalar(gen, n, float(mean), float(std))).astype(dtype)


_RANDPERM_SMALL = 0xFFFFFFFF // 20


def randperm(gen, n):
    """``randperm(n)``: Fisher-Yates swapping i with i + random() % (n - i); random64 inside-out if huge."""
    n = int(n)
    if n < _RANDPERM_SMALL:
        perm = list(range(n))
        if n > 1:
            z = (gen._random(n - 1) % np.arange(n, 1, -1, dtype=_U64)).astype(np.int64)
            z += np.arange(n - 1)
            for i, j in enumerate(z.tolist()):
                perm[i], perm[j] = perm[j], perm[i]
        return np.array(perm, np.int64)
    z = (gen._random64(n) % np.arange(1, n + 1, dtype=_U64)).astype(np.int64).tolist()
    perm = [0] * n
    for i, j in enumerate(z):
        perm[i] = perm[j]
        perm[j] = i
    return np.array(perm, np.int64)


def multinomial(gen, probs, num_samples, replacement):
    """``multinomial``: without replacement (or for one sample) argmax/topk of p / Exp(1); with it, a binary
    search of the normalised cumulative sum (in the input's float type) for each 53-bit uniform."""
    p2 = np.atleast_2d(probs)
    if not replacement or num_samples == 1:  # PyTorch's fast path also serves one draw with replacement
        q = exponential(gen, p2.size, 1.0, p2.dtype).reshape(p2.shape)
        q = p2 / q
        idx = np.argsort(-q, axis=-1, kind="stable")[:, :num_samples]
    else:
        idx = np.empty((p2.shape[0], num_samples), np.int64)
        for r, row in enumerate(p2):
            cum = np.cumsum(row, dtype=row.dtype)
            cum = cum / cum[-1]
            cum[-1] = 1
            u = unit_uniform(gen, num_samples, f64)
            idx[r] = np.searchsorted(cum.astype(f64), u, side="left")
    return idx.astype(np.int64).reshape(probs.shape[:-1] + (num_samples,))
