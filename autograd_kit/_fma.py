"""Fused multiply-add, ``a * b + c`` rounded once, the way PyTorch's vectorized CPU kernels compute it
(``vec::fmadd``: ``add(alpha=)``, ``addcmul``, ``lerp``, Sleef's polynomials, ...).

float32: the product of two float32 numbers is exact in float64, so one float64 add and a rounding to float32
give the fused result (the double rounding differs from a true fma in about one case in 2**29).
float64: Dekker's exact product and Knuth's TwoSum, then the error terms added once.
"""
import numpy as np

_SPLIT = 134217729.0  # 2**27 + 1: splits a float64 into two halves whose products are exact


def _two_prod(a, b):
    p = a * b
    t = _SPLIT * a
    ah = t - (t - a)
    al = a - ah
    t = _SPLIT * b
    bh = t - (t - b)
    bl = b - bh
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def _two_sum(a, b):
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def fma(a, b, c, dtype=None):
    """``a * b + c`` with one rounding, in ``dtype`` (default: NumPy's result type of the three)."""
    if dtype is None:
        dtype = np.result_type(a, b, c)
    dtype = np.dtype(dtype)
    if dtype.itemsize < 8 and dtype.kind == "f":
        wide = np.multiply(a, b, dtype=np.float64)
        return np.add(wide, c, dtype=np.float64).astype(dtype)
    if dtype != np.float64:
        return np.add(np.multiply(a, b, dtype=dtype), c, dtype=dtype)
    a, b, c = (np.asarray(x, dtype=np.float64) for x in (a, b, c))
    with np.errstate(all="ignore"):
        p, e = _two_prod(a, b)
        s, t = _two_sum(p, c)
        out = s + (t + e)
    bad = ~np.isfinite(out)
    if bad.any():  # overflow, inf or nan operands: the plain formula gives IEEE's answer
        out = np.where(bad, a * b + c, out)
    return out
