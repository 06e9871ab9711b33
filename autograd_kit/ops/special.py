"""The error function and its relatives: erf, erfc, erfinv (``torch.erf``, ``torch.special.erf``...).

PyTorch's CPU build computes all three with Intel MKL's VML (high-accuracy mode); with MKL present
(``backends.mkl``) the kit calls the same routines and rounds exactly as PyTorch does. Without it, a NumPy
fallback computes them in float64 (a series, a continued fraction, Halley steps for erfinv), accurate to
~1e-14 relative in float64 (erfc's worst, near |x| = 1.5), so float32 results are correctly rounded; VML's
float32 erfinv is not always, so there the fallback may differ from PyTorch in the last bit.

Backward formulas (tensor ops, so create_graph works), as PyTorch's derivatives.yaml:
    erf:    2/√π · exp(-a²) · g        erfc:  -2/√π · exp(-a²) · g        erfinv:  √π/2 · exp(erfinv(a)²) · g
"""
import math

import numpy as np

from ..backends import mkl
from .unary import _unary

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_SQRT_PI = math.sqrt(math.pi)
_SPLIT = 2.0 ** 27 + 1.0  # Veltkamp split: x = hi + lo, hi with 26 bits, so hi² is exact


def _exp_minus_square(x):
    """exp(-x²) with x² carried in two parts (x² itself rounds, and exp magnifies that error by x²)."""
    t = x * _SPLIT
    hi = t - (t - x)
    lo = x - hi
    return np.exp(-hi * hi) * np.exp(-(2.0 * hi * lo + lo * lo))


def _erf_series(x):
    """erf(x) = 2/√π · exp(-x²) · Σ 2ⁿ x²ⁿ⁺¹ / (1·3···(2n+1)): all terms positive, no cancellation; for |x| < 1.5."""
    x2 = 2.0 * x * x
    term = x.copy()
    total = x.copy()
    for n in range(1, 90):
        term = term * x2 / (2 * n + 1)
        total += term
    return _TWO_OVER_SQRT_PI * _exp_minus_square(x) * total


def _erfc_fraction(x):
    """erfc(x) = exp(-x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), for x ≥ 1.5 (evaluated bottom-up)."""
    f = x.copy()
    for k in range(120, 0, -1):
        f = x + (k / 2.0) / f
    return _exp_minus_square(x) / (_SQRT_PI * f)


def _erf64(x):
    a = np.abs(x)
    small = a < 1.5
    out = np.empty_like(a)
    out[small] = _erf_series(a[small])
    out[~small] = 1.0 - _erfc_fraction(a[~small])
    out[np.isinf(a)] = 1.0
    out = np.copysign(out, x)
    out[np.isnan(x)] = np.nan
    return out


def _erfc64(x):
    a = np.abs(x)
    small = a < 1.5
    pos = np.empty_like(a)  # erfc(|x|)
    pos[small] = 1.0 - _erf_series(a[small])
    pos[~small] = _erfc_fraction(a[~small])
    pos[np.isinf(a)] = 0.0
    out = np.where(x < 0, 2.0 - pos, pos)
    out[np.isnan(x)] = np.nan
    return out


def _erfinv64(y):
    """Winitzki's closed form as a start (about 3 correct digits), then Halley steps on erf(x) - y (the
    residual taken through erfc near ±1, where 1 - |y| is exact and erf(x) - |y| would cancel)."""
    a = np.abs(y)
    with np.errstate(divide="ignore", invalid="ignore"):
        ln = np.log1p(-a * a)
        k = 2.0 / (math.pi * 0.147) + ln / 2.0
        x = np.sqrt(np.sqrt(k * k - ln / 0.147) - k)
        for _ in range(4):
            inner = a <= 0.5
            r = np.where(inner, _erf64(x) - a, (1.0 - a) - _erfc64(x)) if x.size else x
            d = _TWO_OVER_SQRT_PI * _exp_minus_square(x)
            step = r / (d + x * r)
            x = np.where(np.isfinite(step) & (d > 0), x - step, x)
    x = np.where(a == 1.0, np.inf, x)
    x = np.where(a > 1.0, np.nan, x)
    return np.copysign(x, y)


def _vml(name, fallback):
    def fn(d):
        out = mkl.unary(name, d)
        if out is not None:
            return out.reshape(d.shape)  # (a 0-d input may come back 1-d)
        flat = d.reshape(-1).astype(np.float64)  # 1-D (0-d arrays would turn into NumPy scalars)
        return fallback(flat).astype(d.dtype).reshape(d.shape)
    fn.__name__ = name
    return fn


erf_array, erfc_array, erfinv_array = (_vml("erf", _erf64), _vml("erfc", _erfc64), _vml("erfinv", _erfinv64))


def _erf_b(ctx, g):
    (a,) = ctx.saved_tensors
    return _TWO_OVER_SQRT_PI * (-(a * a)).exp() * g


def _erfc_b(ctx, g):
    (a,) = ctx.saved_tensors
    return -_TWO_OVER_SQRT_PI * (-(a * a)).exp() * g


def _erfinv_b(ctx, g):
    (out,) = ctx.saved_tensors
    return 0.5 * _SQRT_PI * (out * out).exp() * g


Erf = _unary("Erf", erf_array, "erf a", "2/√π·exp(-a²)", _erf_b)
Erfc = _unary("Erfc", erfc_array, "erfc a", "-2/√π·exp(-a²)", _erfc_b)
Erfinv = _unary("Erfinv", erfinv_array, "erfinv a", "√π/2·exp(erfinv(a)²)", _erfinv_b, save_output=True)
