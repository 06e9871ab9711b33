"""``x ** y`` for float32 as PyTorch's CPU pow kernel computes it: Sleef's ``powf_u10`` (the SIMD version,
fused multiply-adds included) on whole vectors, the C library's double ``pow`` on the elements left over at the
end of a contiguous run (cpu_kernel_vec's scalar tail).

The port follows Sleef's ``xpowf`` (src/libm/sleefsimdsp.c: logkf, expkf) and its double-float helpers
(src/common/df.h, the FMA variants), lane-wise in NumPy. The float32 fused multiply-add is emulated through
float64 (_fma.fma), which can differ from a true fma in about one case in 2**29.
"""
import math

import numpy as np

from ._fma import fma

F = np.float32
R_LN2F = F(1.442695040888963407359924681001892137426645954152985934135449406931)
L2UF = F(0.693145751953125)
L2LF = F(1.428606765330187045e-06)
VEC = 16  # float lanes of the pow kernel's Vectorized<float> (AVX512; probed: 2·16 elements a step)


def _fma(a, b, c):
    return fma(a, b, c, dtype=np.float32)


# double-float helpers (df.h, ENABLE_FMA_SP): a value is a pair (hi, lo)
def _add2_ff(x, y):
    s = x + y
    v = s - x
    return s, (x - (s - v)) + (y - v)


def _add_dd(x, y):  # dfadd_vf2_vf2_vf2, |x| >= |y|
    s = x[0] + y[0]
    return s, (((x[0] - s) + y[0]) + x[1]) + y[1]


def _add2_dd(x, y):
    s = x[0] + y[0]
    v = s - x[0]
    t = (x[0] - (s - v)) + (y[0] - v)
    return s, t + (x[1] + y[1])


def _add2_df(x, y):  # dfadd2_vf2_vf2_vf
    s = x[0] + y
    v = s - x[0]
    t = (x[0] - (s - v)) + (y - v)
    return s, t + x[1]


def _add_fd(x, y):  # dfadd_vf2_vf_vf2
    s = x + y[0]
    return s, ((x - s) + y[0]) + y[1]


def _mul_df(x, y):  # dfmul_vf2_vf2_vf
    s = x[0] * y
    return s, _fma(x[1], y, _fma(x[0], y, -s))


def _mul_dd(x, y):
    s = x[0] * y[0]
    return s, _fma(x[0], y[1], _fma(x[1], y[0], _fma(x[0], y[0], -s)))


def _squ(x):
    s = x[0] * x[0]
    return s, _fma(x[0] + x[0], x[1], _fma(x[0], x[0], -s))


def _div_dd(n, d):
    t = F(1) / d[0]
    s = n[0] * t
    u = _fma(t, n[0], -s)
    v = _fma(-d[1], t, _fma(-d[0], t, F(1)))
    return s, _fma(s, v, _fma(n[1], t, u))


def _normalize(t):
    s = t[0] + t[1]
    return s, (t[0] - s) + t[1]


def _logkf(d):
    ei = np.frexp(d * F(1.0 / 0.75))[1] - 1  # vilogb2k / vgetexp: floor(log2(d / 0.75))
    m = np.ldexp(d, -ei).astype(F)
    e = ei.astype(F)
    x = _div_dd(_add2_ff(F(-1), m), _add2_ff(F(1), m))
    x2 = _squ(x)
    t = F(0.240320354700088500976562)
    t = _fma(t, x2[0], F(0.285112679004669189453125))
    t = _fma(t, x2[0], F(0.400007992982864379882812))
    c = (F(0.66666662693023681640625), F(3.69183861259614332084311e-09))
    s = _mul_df((F(0.69314718246459960938), F(-1.904654323148236017e-09)), e)
    s = _add_dd(s, (x[0] * F(2), x[1] * F(2)))
    return _add_dd(s, _mul_dd(_mul_dd(x2, x), _add2_dd(_mul_df(x2, t), c)))


def _expkf(d):
    u = (d[0] + d[1]) * R_LN2F
    q = np.rint(u)
    s = _add2_df(d, q * -L2UF)
    s = _add2_df(s, q * -L2LF)
    s = _normalize(s)
    u = F(0.00136324646882712841033936)
    for c in (0.00836596917361021041870117, 0.0416710823774337768554688, 0.166665524244308471679688,
              0.499999850988388061523438):
        u = _fma(u, s[0], F(c))
    t = _add_dd(s, _mul_df(_squ(s), u))
    t = _add_fd(F(1), t)
    u = np.ldexp(t[0] + t[1], q.astype(np.int32)).astype(F)
    return np.where(d[0] < F(-104), F(0), u)


def sleef_powf(x, y):
    """Sleef_powf_u10 lane-wise (x, y: float32 arrays of one shape)."""
    with np.errstate(all="ignore"):
        ay = np.abs(y)
        yisint = (np.trunc(y) == y) | (ay > F(1 << 24))
        yisodd = ((np.trunc(np.where(ay < F(1 << 24), y, 0)).astype(np.int64) & 1) == 1) & yisint & (ay < F(1 << 24))
        ax = np.abs(x)
        result = _expkf(_mul_df(_logkf(np.where(ax > 0, ax, F(1))), y))
        result = np.where(np.isnan(result), F(np.inf), result)
        result = result * np.where(x > 0, F(1), np.where(yisint, np.where(yisodd, F(-1), F(1)), F(np.nan)))
        efx = np.copysign(ax - F(1), y)
        result = np.where(np.isinf(y), np.where(efx < 0, F(0), np.where(efx == 0, F(1), F(np.inf))), result)
        zero_or_inf = np.where(np.signbit(y) ^ (x == 0), F(0), F(np.inf))
        result = np.where(np.isinf(x) | (x == 0), np.copysign(zero_or_inf, np.where(yisodd, x, F(1))), result)
        result = np.where(np.isnan(x) | np.isnan(y), F(np.nan), result)
        result = np.where((y == 0) | (x == 1), F(1), result)
    return result.astype(F)


def torch_powf(x, y):
    """PyTorch's float32 pow of a contiguous array x by y (an array broadcastable to x, or a Python number):
    Sleef (exponent rounded to float) on the first len - len % (2·VEC) elements, the C library's double
    pow on the rest (std::pow(float, double) for a number exponent, (float, float) for a tensor)."""
    x = np.asarray(x, F)
    shape = x.shape
    flat = x.reshape(-1)
    number = np.ndim(y) == 0 and not isinstance(y, np.ndarray)
    yf = np.broadcast_to(np.asarray(y, F), shape).reshape(-1)
    n = flat.shape[0]
    nv = n - n % (2 * VEC)
    out = np.empty(n, F)
    out[:nv] = sleef_powf(flat[:nv], yf[:nv])
    if nv < n:
        if number:
            out[nv:] = [_cpow(a, float(y)) for a in flat[nv:].tolist()]
        else:
            powf = _powf()
            out[nv:] = [powf(a, b) for a, b in zip(flat[nv:].tolist(), yf[nv:].tolist())]
    return out.reshape(shape)


_POWF = []


def _powf():
    """The C library's powf (std::pow(float, float)), through ctypes; double pow where there is no libm."""
    if not _POWF:
        try:
            import ctypes
            import ctypes.util
            libm = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
            libm.powf.restype = ctypes.c_float
            libm.powf.argtypes = [ctypes.c_float, ctypes.c_float]
            _POWF.append(libm.powf)
        except (OSError, AttributeError):
            _POWF.append(_cpow)
    return _POWF[0]


def _cpow(a, b):
    try:
        return math.pow(a, b)
    except OverflowError:
        return math.inf if a > 0 or b % 2 == 0 else -math.inf
    except ValueError:  # negative base, fractional exponent; 0 to a negative power
        return -math.nan if a else (math.copysign(math.inf, a) if b % 2 == 1 else math.inf)
