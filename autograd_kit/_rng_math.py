"""The floating-point steps of PyTorch's CPU samplers, reproduced bit for bit in NumPy.

* ``fma32``/``fma64``: one rounding of ``a*b + c``. PyTorch's kernels are compiled with FMA contraction, so
  ``uniform_(a, b)`` is ``fma(x, b - a, a)`` and ``normal_(mean, std)`` ends in ``fma(z, std, mean)``.
  float32: the product is exact in float64; the one double-rounding case (a float64 sum landing exactly
  on a float32 midpoint) is fixed from the exact error. float64: Boldo-Melquiond's emulation (exact
  product and sum by error-free transformations, round-to-odd for the low part).
* ``log256``/``sincos256``: ``avx_mathfun.h`` (Cephes polynomials), which PyTorch's x86 builds use for
  float32 ``randn``/``normal_`` of 16 or more elements, with the FMA contractions GCC makes in them
  (found by matching PyTorch 2.13's output over millions of samples).
* glibc's double ``log``/``log1p`` via Python's ``math`` (the same libm PyTorch calls; NumPy's own SIMD log
  differs from it in ~0.3% of cases, its cos/sin agree).
"""
import math

import numpy as np

f32, f64 = np.float32, np.float64
_U64 = np.uint64


def fma32(a, b, c):
    a, b, c = np.asarray(a, f32), np.asarray(b, f32), np.asarray(c, f32)
    p = a.astype(f64) * b
    s = p + c
    mid = (s.view(_U64) & _U64((1 << 29) - 1)) == _U64(1 << 28) if s.ndim else None
    if mid is not None and mid.any():
        i = np.nonzero(mid)
        pi, ci, si = p[i], np.broadcast_to(c, s.shape)[i].astype(f64), s[i]
        bb = si - pi
        err = (pi - (si - bb)) + (ci - bb)
        s[i] = np.where(err != 0, np.nextafter(si, si + err), si)
    return s.astype(f32)


def _two_sum(a, b):
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _split(a):
    c = 134217729.0 * a  # 2**27 + 1 (Veltkamp)
    hi = c - (c - a)
    return hi, a - hi


def fma64(a, b, c):
    a, b, c = np.broadcast_arrays(np.asarray(a, f64), np.asarray(b, f64), np.asarray(c, f64))
    uh = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    ul = ((ah * bh - uh) + ah * bl + al * bh) + al * bl
    th, tl = _two_sum(c, uh)
    v, e = _two_sum(tl, ul)
    odd = (v.view(_U64) & _U64(1)).astype(bool)
    # round to odd: one step towards e's side (towards v + e would be no step when e is below v's last bit)
    v = np.where((e != 0) & ~odd, np.nextafter(v, np.where(e > 0, np.inf, -np.inf)), v)
    return th + v


def glibc(fn, x):
    """Apply a ``math`` function (glibc's libm, as PyTorch's scalar kernels) elementwise."""
    x = np.asarray(x, f64)
    return np.fromiter(map(fn, x.ravel().tolist()), f64, x.size).reshape(x.shape)


# ---- avx_mathfun.h (float32) ------------------------------------------------------------------
_LOG_P = [f32(v) for v in (-1.1514610310E-1, 1.1676998740E-1, -1.2420140846E-1, 1.4249322787E-1,
                           -1.6668057665E-1, 2.0000714765E-1, -2.4999993993E-1, 3.3333331174E-1)]
_ONE, _HALF = f32(1), f32(0.5)


def _fma(a, b, c):
    """fma32 without the midpoint fix: inside log256/sincos256 a float64 sum never lands on a float32
    midpoint inexactly (checked over all 2**24 inputs they get from the samplers: 1 - u and 2*pi*u)."""
    return (np.asarray(a, f32).astype(f64) * b + c).astype(f32)


def log256(x):
    """``log256_ps`` for positive float32 ``x``."""
    x = np.maximum(np.asarray(x, f32), np.array(0x00800000, np.int32).view(f32))
    bits = x.view(np.int32)
    e = ((bits >> 23) - 0x7F).astype(f32) + _ONE
    x = ((bits & ~0x7F800000) | np.array(0.5, f32).view(np.int32)).view(f32)
    mask = x < f32(0.707106781186547524)
    tmp = np.where(mask, x, f32(0))
    x = x - _ONE
    e = e - mask.astype(f32)
    x = x + tmp
    z = x * x
    y = _fma(f32(7.0376836292E-2), x, _LOG_P[0])
    for p in _LOG_P[1:]:
        y = _fma(y, x, p)
    y = y * x
    y = _fma(y, z, e * f32(-2.12194440e-4))   # y*z + e*q1
    y = y - z * _HALF                          # fma(z, -0.5, y): z*0.5 is exact
    return (x + y) + e * f32(0.693359375)      # fma(e, q2, x + y): e*q2 is exact (q2 has 9 bits)


_SIGN = np.array([1, 1, -1, -1, 1], f32)           # sine's sign for j = 0, 2, 4, 6, 8 (j & 4)
_COS_SIGN = np.array([1, -1, -1, 1, 1], f32)       # cosine's (~(j - 2) & 4)
_POLY = np.array([True, False, True, False, True])  # (j & 2) == 0: which polynomial is the sine


def sincos256(x):
    """``sincos256_ps`` for float32 ``x`` >= 0 (PyTorch calls it with theta = 2*pi*u)."""
    x = np.asarray(x, f32)
    j = (x * f32(1.27323954473516)).astype(np.int32)
    h = (j + 1) >> 1                        # j = (j + 1) & ~1, as j // 2
    y = (h + h).astype(f32)
    x = x + y * f32(-0.78515625)            # fma: y*DP1 and y*DP2 are exact (few bits, y <= 8)
    x = x + y * f32(-2.4187564849853515625e-4)
    x = _fma(y, f32(-3.77489497744594108e-8), x)
    z = x * x
    c = _fma(f32(2.443315711809948E-005), z, f32(-1.388731625493765E-003))
    c = _fma(c, z, f32(4.166664568298827E-002))
    c = c * z
    c = _fma(c, z, -(z * _HALF))
    c = c + _ONE
    s = _fma(f32(-1.9515295891E-4), z, f32(8.3321608736E-3))
    s = _fma(s, z, f32(-1.6666654611E-1))
    s = s * z
    s = _fma(s, x, x)
    poly = _POLY[h]
    return np.where(poly, s, c) * _SIGN[h], np.where(poly, c, s) * _COS_SIGN[h]


_TWO_PI_F = f32(2.0 * math.pi)


def normal_fill_16_avx2(u, mean, std, chunk=1 << 15):
    """PyTorch's ``normal_fill_16_AVX2`` over rows of 16 float32 uniforms: Box-Muller on (1 - u[:8], u[8:])."""
    if u.size > chunk:  # in cache-sized pieces (about 2x faster for a million values)
        return np.concatenate([normal_fill_16_avx2(u[i:i + chunk], mean, std) for i in range(0, u.size, chunk)])
    u = u.reshape(-1, 16)
    radius = np.sqrt(f32(-2) * log256(_ONE - u[:, :8]))
    sin, cos = sincos256(_TWO_PI_F * u[:, 8:])
    out = np.concatenate([radius * cos, radius * sin], axis=1)
    if mean == 0 and std == 1:
        return (out + f32(0)).ravel()   # fma(n, 1, 0): -0.0 becomes +0.0 as in the kernel
    return fma32(out, f32(std), f32(mean)).ravel()


def normal_fill_16_scalar(u, mean, std):
    """PyTorch's scalar ``normal_fill_16<float>``, used where its AVX2 kernel is not (ARM, or
    ``ATEN_CPU_CAPABILITY=default``): float ``log``/``cos``/``sin`` from the C library, taken here as the
    correctly rounded values (exact where the C library rounds correctly, as Apple's does; glibc's float
    functions differ in the last bit for about 1% of values)."""
    u = u.reshape(-1, 16)
    radius = np.sqrt(f32(-2) * np.log((_ONE - u[:, :8]).astype(f64)).astype(f32))
    theta = (2.0 * math.pi * u[:, 8:].astype(f64)).astype(f32).astype(f64)
    out = np.concatenate([radius * np.cos(theta).astype(f32), radius * np.sin(theta).astype(f32)], axis=1)
    if mean == 0 and std == 1:
        return (out + f32(0)).ravel()
    return fma32(out, f32(std), f32(mean)).ravel()


def _uses_avx2_kernel():
    """Whether PyTorch on this machine takes its AVX2 normal kernel (x86-64 with AVX2; also on AVX-512)."""
    import os
    import platform
    cap = os.environ.get("ATEN_CPU_CAPABILITY", "").lower()
    if cap == "default":
        return False
    return platform.machine().lower() in ("x86_64", "amd64")


AVX2 = _uses_avx2_kernel()


def normal_fill_16_float(u, mean, std):
    return (normal_fill_16_avx2 if AVX2 else normal_fill_16_scalar)(u, mean, std)


def normal_fill_16_double(u, mean, std):
    """PyTorch's scalar ``normal_fill_16<double>`` (glibc log/cos/sin; fma for std and mean)."""
    u = u.reshape(-1, 16)
    radius = np.sqrt(-2 * glibc(math.log, 1 - u[:, :8]))
    theta = 2.0 * math.pi * u[:, 8:]
    # NumPy's float64 cos/sin equal glibc's (0 differences in 10M samples of 2*pi*u); its log does not
    out = np.concatenate([radius * np.cos(theta), radius * np.sin(theta)], axis=1)
    if mean == 0 and std == 1:
        return (out + 0.0).ravel()
    return fma64(out, std, mean).ravel()
