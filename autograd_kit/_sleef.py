"""The vectorized math PyTorch's own CPU kernels call (softmax, log_softmax, sigmoid, ...), emulated in NumPy
so they round exactly as PyTorch's do.

On an AVX512 machine ``Vectorized<float>::exp()`` is Sleef's ``Sleef_expf16_u10``, ``log()`` is
``Sleef_logf16_u10`` (and ``Vectorized<double>``'s are ``Sleef_expd8_u10``/``Sleef_logd8_u10``). This module
follows Sleef's source (``src/libm/sleefsimdsp.c``/``sleefsimddp.c``, the AVX512F build: every ``vmla`` is
a fused multiply-add, ``vgetexp``/``vgetmant`` replace the integer exponent tricks) operation by operation,
each rounded as the hardware rounds it: float32 arithmetic in float32, fused multiply-adds through
``autograd_kit._fma.fma``.

``expf``/``logf`` take float32 arrays, ``exp``/``log`` float64 arrays; ``vexp``/``vlog`` pick by dtype.
Scalar loop tails of PyTorch's elementwise kernels call the C library (``std::exp``): ``libm_exp``.
"""
import ctypes
import math

import numpy as np

from ._fma import fma

_f32 = np.float32
_f64 = np.float64

_R_LN2 = 1.442695040888963407359924681001892137426645954152985934135449406931
_L2Uf, _L2Lf = _f32(0.693145751953125), _f32(1.428606765330187045e-06)
_L2U, _L2L = .69314718055966295651160180568695068359375, .28235290563031577122588448175013436025525412068e-12
_EXPF_POLY = tuple(_f32(c) for c in (0.000198527617612853646278381, 0.00139304355252534151077271,
                                     0.00833336077630519866943359, 0.0416664853692054748535156,
                                     0.166666671633720397949219, 0.5))


def _fmaf(a, b, c):
    # the float32 product is exact in float64: one float64 add, one rounding to float32 (fma's float32 path)
    return np.add(np.multiply(a, b, dtype=_f64), c, dtype=_f64).astype(_f32)


def _fmad(a, b, c):
    return fma(a, b, c, _f64)


def _pow2if(q):
    return ((q + 0x7f) << 23).astype(np.int32).view(_f32)


def _pow2i(q):
    return ((q.astype(np.int64) + 0x3ff) << 52).view(_f64)


def expf(d):
    """Sleef_expf16_u10 (xexpf) of a float32 array."""
    d = np.asarray(d, _f32)
    with np.errstate(all="ignore"):
        q = np.rint(d * _f32(_R_LN2))
        q = np.where(np.isfinite(q), q, 0).astype(np.int32)  # cvtps_epi32 of nan/inf: masked below anyway
        qf = q.astype(_f32)
        s = _fmaf(qf, -_L2Uf, d)
        s = _fmaf(qf, -_L2Lf, s)
        u = _EXPF_POLY[0]
        for c in _EXPF_POLY[1:]:
            u = _fmaf(u, s, c)
        u = _f32(1) + _fmaf(s * s, u, s)
        h = q >> 1
        u = (u * _pow2if(h)) * _pow2if(q - h)
        u = np.where(d < -104, _f32(0), u)
        u = np.where(_f32(100) < d, _f32(np.inf), u)
        u = np.where(np.isnan(d), d, u)
    return u.astype(_f32, copy=False)


_EXP_POLY = (+0.2081276378237164457e-8, +0.2511210703042288022e-7, +0.2755762628169491192e-6,
             +0.2755723402025388239e-5, +0.2480158687479686264e-4, +0.1984126989855865850e-3,
             +0.1388888888914497797e-2, +0.8333333333314938210e-2, +0.4166666666666602598e-1,
             +0.1666666666666669072e+0)


def _poly2(x, c1, c0):
    return _fmad(x, c1, c0)


def _poly4(x, x2, c3, c2, c1, c0):
    return _fmad(x2, _fmad(x, c3, c2), _fmad(x, c1, c0))


def exp(d):
    """Sleef_expd8_u10 (xexp) of a float64 array."""
    d = np.asarray(d, _f64)
    with np.errstate(all="ignore"):
        u = np.rint(d * _R_LN2)
        q = np.where(np.isfinite(u), u, 0).astype(np.int64)
        s = _fmad(u, -_L2U, d)
        s = _fmad(u, -_L2L, s)
        s2 = s * s
        s4 = s2 * s2
        s8 = s4 * s4
        c = _EXP_POLY
        p8 = _fmad(s4, _poly4(s, s2, *c[2:6]), _poly4(s, s2, *c[6:10]))
        u = _fmad(s8, _poly2(s, c[0], c[1]), p8)
        u = _fmad(u, s, 0.5)
        u = _fmad(u, s, 1.0)
        u = _fmad(u, s, 1.0)
        h = q >> 1
        u = (u * _pow2i(h)) * _pow2i(q - h)
        u = np.where(d > 709.782712893384, np.inf, u)
        u = np.where(d < -1000, 0.0, u)
        u = np.where(np.isnan(d), d, u)
    return u


def _getexp_getmant(d, dtype):
    """AVX512's vgetexp (floor(log2|d|) as a float) and vgetmant(_MM_MANT_NORM_p75_1p5) of finite d > 0."""
    m, e = np.frexp(d)  # d = m·2^e, m in [0.5, 1)
    small = m < 0.75
    return (e - 1).astype(dtype), np.where(small, m * 2, m).astype(dtype)


def _getexp(d, dtype):
    _, e = np.frexp(d)
    return np.where(np.isinf(d), 128 if dtype == _f32 else 1024, e - 1).astype(dtype)


def _log_special(r, d):
    """vfixup: log(0) = -inf, log(x<0) = nan, log(+inf) = +inf, log(nan) = nan."""
    r = np.where(d == 0, -np.inf, r)
    r = np.where((d < 0) | np.isnan(d), np.nan, r)
    return np.where(np.isposinf(d), np.inf, r)


def logf(d):
    """Sleef_logf16_u10 (xlogf_u1) of a float32 array."""
    d = np.asarray(d, _f32)
    one = _f32(1)
    with np.errstate(all="ignore"):
        ok = np.isfinite(d) & (d > 0)
        dd = np.where(ok, d, one)
        e = _getexp((dd * _f32(1.0 / 0.75)).astype(_f32), _f32)
        m = _getexp_getmant(dd, _f32)[1]
        # s = dfmul((ln2 hi, lo), e)
        sx = _f32(0.69314718246459960938) * e
        sy = _fmaf(_f32(-1.904654323148236017e-09), e, _fmaf(_f32(0.69314718246459960938), e, -sx))
        # x = dfdiv(dfadd2(-1, m), dfadd2(1, m))
        nx, ny = _dfadd2(_f32(-1), m)
        dx, dy = _dfadd2(one, m)
        xx, xy = _dfdiv(nx, ny, dx, dy, _fmaf, _f32)
        x2 = xx * xx
        t = _fmaf(_f32(+0.3027294874e+0), x2, _f32(+0.3996108174e+0))
        t = _fmaf(t, x2, _f32(+0.6666694880e+0))
        sx, sy = _dfadd_22(sx, sy, xx * _f32(2), xy * _f32(2))
        sx, sy = _dfadd_21(sx, sy, (x2 * xx) * t)
        r = sx + sy
    return _log_special(r, d).astype(_f32, copy=False)


_LOG_POLY = (0.1532076988502701353e+0, 0.1525629051003428716e+0, 0.1818605932937785996e+0,
             0.2222214519839380009e+0, 0.2857142932794299317e+0, 0.3999999999635251990e+0,
             0.6666666666667333541e+0)


def log(d):
    """Sleef_logd8_u10 (xlog_u1) of a float64 array."""
    d = np.asarray(d, _f64)
    with np.errstate(all="ignore"):
        ok = np.isfinite(d) & (d > 0)
        dd = np.where(ok, d, 1.0)
        e = _getexp(dd * (1.0 / 0.75), _f64)
        m = _getexp_getmant(dd, _f64)[1]
        nx, ny = _dfadd2(-1.0, m)
        dx, dy = _dfadd2(1.0, m)
        xx, xy = _dfdiv(nx, ny, dx, dy, _fmad, _f64)
        x2 = xx * xx
        x4 = x2 * x2
        x8 = x4 * x4
        c = _LOG_POLY
        t = _fmad(x8, _fmad(x4, c[0], _fmad(x2, c[1], c[2])), _poly4(x2, x4, *c[3:7]))
        sx = 0.693147180559945286226764 * e
        sy = _fmad(2.319046813846299558417771e-17, e, _fmad(0.693147180559945286226764, e, -sx))
        sx, sy = _dfadd_22(sx, sy, xx * 2.0, xy * 2.0)
        sx, sy = _dfadd_21(sx, sy, (x2 * xx) * t)
        r = sx + sy
    return _log_special(r, d)


def log1p(d):
    """Sleef_log1pf16_u10 / Sleef_log1pd8_u10 (xlog1pf / xlog1p) of a float32 or float64 array."""
    d = np.asarray(d)
    single = d.dtype == _f32
    dt = _f32 if single else _f64
    fm = _fmaf if single else _fmad
    one, two = dt(1), dt(2)
    with np.errstate(all="ignore"):
        dp1 = d + one
        ok = np.isfinite(dp1) & (dp1 > 0)
        e = _getexp(np.where(ok, dp1, one) * dt(1.0 / 0.75), dt)
        t = np.ldexp(one, -e.astype(np.int32)).astype(dt)
        m = fm(np.where(ok, d, 0), t, t - one)
        if single:
            sx = _f32(0.69314718246459960938) * e
            sy = _fmaf(_f32(-1.904654323148236017e-09), e, _fmaf(_f32(0.69314718246459960938), e, -sx))
        else:
            sx = 0.693147180559945286226764 * e
            sy = _fmad(2.319046813846299558417771e-17, e, _fmad(0.693147180559945286226764, e, -sx))
        den_x = two + m
        den_y = (two - den_x) + m
        xx, xy = _dfdiv(m, dt(0), den_x, den_y, fm, dt)
        x2 = xx * xx
        if single:
            poly = _fmaf(_f32(+0.3027294874e+0), x2, _f32(+0.3996108174e+0))
            poly = _fmaf(poly, x2, _f32(+0.6666694880e+0))
        else:
            x4 = x2 * x2
            x8 = x4 * x4
            c = _LOG_POLY
            poly = _fmad(x8, _fmad(x4, c[0], _fmad(x2, c[1], c[2])), _poly4(x2, x4, *c[3:7]))
        sx, sy = _dfadd_22(sx, sy, xx * two, xy * two)
        sx, sy = _dfadd_21(sx, sy, (x2 * xx) * poly)
        r = sx + sy
        big = d > dt(1.0e38 if single else 1.0e307)
        if big.any():
            r = np.where(big, logf(d) if single else log(d), r)
        r = np.where((d < -one) | np.isnan(d), dt(np.nan), r)
        r = np.where(d == -one, dt(-np.inf), r)
        r = np.where((d == 0) & np.signbit(d), dt(-0.0), r)
    return r.astype(dt, copy=False)


def erf_avx512f(x):
    """``Vectorized<float>::erf()`` on AVX512: PyTorch's own Abramowitz-Stegun polynomial with Sleef's expf
    (vec512_float.h), float32 only."""
    x = np.asarray(x, _f32)
    one = _f32(1)
    with np.errstate(all="ignore"):
        t = one / _fmaf(_f32(0.3275911), np.abs(x), one)
        r = _fmaf(_f32(1.061405429), t, _f32(-1.453152027))
        r = _fmaf(r, t, _f32(1.421413741))
        r = _fmaf(r, t, _f32(-0.284496736))
        r = _fmaf(r, t, _f32(0.254829592))
        e = expf(-(x * x))
        y = _fmaf(-e * t, r, one)
    return np.where(np.signbit(x), -y, y).astype(_f32, copy=False)


def expm1f(a):
    """Sleef_expm1f16_u10 (xexpm1f, through expk2f's double-float arithmetic) of a float32 array."""
    a = np.asarray(a, _f32)
    fm = _fmaf
    one = _f32(1)
    with np.errstate(all="ignore"):
        d = np.where(np.isfinite(a), a, _f32(0))
        q = np.rint(d * _f32(_R_LN2)).astype(np.int32)
        qf = q.astype(_f32)
        sx, sy = _dfadd2_21(d, _f32(0), qf * -_L2Uf)
        sx, sy = _dfadd2_21(sx, sy, qf * -_L2Lf)
        u = _f32(+0.1980960224e-3)
        for c in (+0.1394256484e-2, +0.8333456703e-2, +0.4166637361e-1):
            u = fm(u, sx, _f32(c))
        tx, ty = _dfmul_21(sx, sy, u, fm)
        tx, ty = _dfadd2_21(tx, ty, _f32(+0.166666659414234244790680580464e+0))
        tx, ty = _dfmul_22(sx, sy, tx, ty, fm)
        tx, ty = _dfadd2_21(tx, ty, _f32(0.5))
        qx = sx * sx  # dfsqu(s)
        qy = fm(sx + sx, sy, fm(sx, sx, -qx))
        tx, ty = _dfmul_22(qx, qy, tx, ty, fm)
        tx, ty = _dfadd2_22(sx, sy, tx, ty)
        s1 = one + tx  # dfadd_vf2_vf_vf2(1, t)
        tx, ty = s1, ((one - s1) + tx) + ty
        h = q >> 1
        tx = (tx * _pow2if(h)) * _pow2if(q - h)
        ty = (ty * _pow2if(h)) * _pow2if(q - h)
        tiny = d < -104
        tx = np.where(tiny, _f32(0), tx)
        ty = np.where(tiny, _f32(0), ty)
        rx, ry = _dfadd2_21(tx, ty, _f32(-1))
        x = rx + ry
        x = np.where(a > _f32(88.72283172607421875), _f32(np.inf), x)
        x = np.where(a < _f32(-16.635532333438687426013570), _f32(-1), x)
        x = np.where((a == 0) & np.signbit(a), _f32(-0.0), x)
        x = np.where(np.isnan(a), a, x)
    return x.astype(_f32, copy=False)


def _dfadd2_21(xx, xy, y):
    """dfadd2_vf2_vf2_vf."""
    s = xx + y
    v = s - xx
    return s, ((xx - (s - v)) + (y - v)) + xy


def _dfadd2_22(xx, xy, yx, yy):
    """dfadd2_vf2_vf2_vf2."""
    s = xx + yx
    v = s - xx
    return s, ((xx - (s - v)) + (yx - v)) + (xy + yy)


def _dfmul_21(xx, xy, y, fm):
    """dfmul_vf2_vf2_vf (FMA)."""
    s = xx * y
    return s, fm(xy, y, fm(xx, y, -s))


def _dfmul_22(xx, xy, yx, yy, fm):
    """dfmul_vf2_vf2_vf2 (FMA)."""
    s = xx * yx
    return s, fm(xx, yy, fm(xy, yx, fm(xx, yx, -s)))


def _dfadd2(x, y):
    s = x + y
    v = s - x
    return s, (x - (s - v)) + (y - v)


def _dfadd_22(xx, xy, yx, yy):
    """dfadd_vf2_vf2_vf2 (|x| >= |y|)."""
    s = xx + yx
    return s, (((xx - s) + yx) + xy) + yy


def _dfadd_21(xx, xy, y):
    s = xx + y
    return s, ((xx - s) + y) + xy


def _dfdiv(nx, ny, dx, dy, fmaop, dtype):
    """dfdiv_vf2_vf2_vf2 (the FMA version)."""
    one = dtype(1)
    t = one / dx
    s = nx * t
    u = fmaop(t, nx, -s)
    v = fmaop(-dy, t, fmaop(-dx, t, one))
    return s, fmaop(s, v, fmaop(ny, t, u))


_BLOCK = 8192  # elements per pass: the ~40 temporaries of one block stay in the CPU's cache


def _blocked(fn, x):
    """``fn`` over ``x`` a block at a time (elementwise, so the result is the same)."""
    x = np.asarray(x)
    if x.size <= 2 * _BLOCK:
        return fn(x)
    flat = np.ascontiguousarray(x).reshape(-1)
    out = np.empty_like(flat)
    for i in range(0, flat.size, _BLOCK):
        out[i:i + _BLOCK] = fn(flat[i:i + _BLOCK])
    return out.reshape(x.shape)


def vexp(x):
    """``Vectorized<T>::exp()`` for a float32 or float64 array."""
    return _blocked(expf if x.dtype == _f32 else exp, x)


def vlog(x):
    """``Vectorized<T>::log()`` for a float32 or float64 array."""
    return _blocked(logf if x.dtype == _f32 else log, x)


# ----- the C library's scalar functions (loop tails of PyTorch's elementwise kernels) -----------------
_libm = None
_LIBM = {}


def _c_math():
    """The C math library, opened on first use (``find_library`` runs ldconfig and imports subprocess)."""
    global _libm
    if _libm is None:
        from ctypes.util import find_library
        _libm = ctypes.CDLL(find_library("m") or "libm.so.6")
    return _libm


def _libm_fn(name, dtype):
    key = (name, dtype)
    fn = _LIBM.get(key)
    if fn is None:
        if dtype == _f64:  # Python's math module calls the same C library, without ctypes' overhead
            fn = np.frompyfunc(getattr(math, name), 1, 1)
        else:
            c = getattr(_c_math(), name + "f")
            c.restype, c.argtypes = ctypes.c_float, (ctypes.c_float,)
            fn = np.frompyfunc(c, 1, 1)
        _LIBM[key] = fn
    return fn


def libm(name, x):
    """The C library's ``name`` (exp, log, log1p, expm1, tanh, erf) of each element, as PyTorch's scalar
    code computes it (``std::exp`` of a float is glibc's expf)."""
    x = np.asarray(x)
    if x.size == 0:
        return x.copy()
    dtype = _f32 if x.dtype == _f32 else _f64
    with np.errstate(all="ignore"):
        try:
            out = _libm_fn(name, dtype)(x.astype(dtype, copy=False))
        except (OverflowError, ValueError):  # math.exp(1000), math.log(0): fall back to the C call
            c = getattr(_c_math(), name)
            c.restype, c.argtypes = ctypes.c_double, (ctypes.c_double,)
            out = np.frompyfunc(c, 1, 1)(x)
    return np.asarray(out, dtype=dtype).reshape(x.shape)


def libm_exp(x):
    """``std::exp`` of each element (glibc's expf/exp), for the scalar tail elements of a kernel."""
    return libm("exp", x)
