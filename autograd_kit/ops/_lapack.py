"""LAPACK through Intel MKL, called as PyTorch's CPU build calls it (column-major matrices, one call per batch
element), so inv/solve/det/slogdet/cholesky/solve_triangular round exactly as PyTorch's. Used when the MKL back
end (``backends.mkl``) has loaded the library; every function returns None without it, and the callers fall
back to NumPy's LAPACK (the same factorizations, other last bits).

Verified against torch 2.13 bit for bit: getrf+getrs (linalg.solve, linalg.inv with B = I), getrf of Aᵀ (det and
slogdet: PyTorch factors the row-major buffer as it lies), potrf ('L'), trsm (left side)."""
import ctypes

import numpy as np

from ..backends import mkl

_P = ctypes.c_void_p
_fns = {}


def _lib():
    get = getattr(mkl, "_get", None)
    lib = get() if get is not None else None
    if lib is not None:
        sync = getattr(mkl, "_sync_threads", None)
        if sync is not None:
            sync()
    return lib


def _fn(lib, dtype, name):
    key = (dtype.char, name)
    fn = _fns.get(key)
    if fn is None:
        fn = _fns[key] = getattr(lib, ("s" if dtype == np.float32 else "d") + name + "_")
    return fn


def _ok(*arrays):
    return all(a.dtype in (np.float32, np.float64) for a in arrays)


def _r(v):
    return ctypes.byref(v)


def _lu_inplace(lib, m, n):
    """getrf on a Fortran-ordered (n, n) array m: (pivots, info)."""
    piv = np.zeros(n, np.int32)
    info = ctypes.c_int(0)
    N = ctypes.c_int(n)
    _fn(lib, m.dtype, "getrf")(_r(N), _r(N), m.ctypes.data_as(_P), _r(N), piv.ctypes.data_as(_P), _r(info))
    return piv, info.value


def solve(a, b):
    """X with A X = B for batches a (..., n, n), b (..., n, k) of one broadcast batch shape:
    (X, info per batch element) or None without MKL."""
    lib = _lib()
    if lib is None or not _ok(a, b):
        return None
    n, k = a.shape[-1], b.shape[-1]
    batch = a.shape[:-2]
    fa = a.reshape((-1, n, n))
    fb = b.reshape((-1, n, k))
    out = np.empty((fa.shape[0], n, k), a.dtype)
    infos = np.zeros(fa.shape[0], np.int64)
    N, K, info = ctypes.c_int(n), ctypes.c_int(k), ctypes.c_int(0)
    trans = ctypes.c_char(b"N")
    for i in range(fa.shape[0]):
        m = np.array(fa[i], order="F")
        piv, infos[i] = _lu_inplace(lib, m, n)
        x = np.array(fb[i], order="F")
        if infos[i] == 0:
            _fn(lib, a.dtype, "getrs")(_r(trans), _r(N), _r(K), m.ctypes.data_as(_P), _r(N), piv.ctypes.data_as(_P),
                                        x.ctypes.data_as(_P), _r(N), _r(info))
        out[i] = x
    return out.reshape(batch + (n, k)), infos.reshape(batch)


def lu_of_transpose(a):
    """getrf of each matrix's row-major buffer read column-major (the LU of Aᵀ, as PyTorch's det and slogdet
    factor): (diagonal of U (..., n), permutation sign (...), info (...)) or None without MKL."""
    lib = _lib()
    if lib is None or not _ok(a):
        return None
    n = a.shape[-1]
    flat = a.reshape((-1, n, n))
    diag = np.empty((flat.shape[0], n), a.dtype)
    sign = np.empty(flat.shape[0], a.dtype)
    infos = np.zeros(flat.shape[0], np.int64)
    for i in range(flat.shape[0]):
        m = np.array(flat[i].T, order="F")  # its Fortran buffer is A's row-major buffer
        piv, infos[i] = _lu_inplace(lib, m, n)
        diag[i] = np.diagonal(m)
        sign[i] = -1 if np.count_nonzero(piv != np.arange(1, n + 1)) % 2 else 1
    return diag.reshape(a.shape[:-1]), sign.reshape(a.shape[:-2]), infos.reshape(a.shape[:-2])


def cholesky(a):
    """potrf('L') per matrix: (L, info per batch element) or None without MKL."""
    lib = _lib()
    if lib is None or not _ok(a):
        return None
    n = a.shape[-1]
    flat = a.reshape((-1, n, n))
    out = np.empty_like(flat)
    infos = np.zeros(flat.shape[0], np.int64)
    N, info, uplo = ctypes.c_int(n), ctypes.c_int(0), ctypes.c_char(b"L")
    for i in range(flat.shape[0]):
        m = np.array(flat[i], order="F")
        _fn(lib, a.dtype, "potrf")(_r(uplo), _r(N), m.ctypes.data_as(_P), _r(N), _r(info))
        infos[i] = info.value
        out[i] = np.tril(m)
    return out.reshape(a.shape), infos.reshape(a.shape[:-2])


def solve_triangular(a, b, upper, unitriangular):
    """trsm (left side, no transpose) per batch element of broadcast a (..., n, n), b (..., n, k), or None."""
    lib = _lib()
    if lib is None or not _ok(a, b):
        return None
    n, k = a.shape[-1], b.shape[-1]
    fa = a.reshape((-1, n, n))
    fb = b.reshape((-1, n, k))
    out = np.empty((fa.shape[0], n, k), a.dtype)
    side, uplo = ctypes.c_char(b"L"), ctypes.c_char(b"U" if upper else b"L")
    trans, diag = ctypes.c_char(b"N"), ctypes.c_char(b"U" if unitriangular else b"N")
    M, K = ctypes.c_int(n), ctypes.c_int(k)
    one = (ctypes.c_float if a.dtype == np.float32 else ctypes.c_double)(1.0)
    for i in range(fa.shape[0]):
        m = np.array(fa[i], order="F")
        x = np.array(fb[i], order="F")
        _fn(lib, a.dtype, "trsm")(_r(side), _r(uplo), _r(trans), _r(diag), _r(M), _r(K), _r(one), m.ctypes.data_as(_P),
                                   _r(M), x.ctypes.data_as(_P), _r(M))
        out[i] = x
    return out.reshape(a.shape[:-2] + (n, k))


def cholesky_solve(b, L, upper):
    """potrs per batch element of broadcast b (..., n, k), L (..., n, n): X with (L Lᵀ) X = b, or None."""
    lib = _lib()
    if lib is None or not _ok(b, L):
        return None
    n, k = L.shape[-1], b.shape[-1]
    fl = L.reshape((-1, n, n))
    fb = b.reshape((-1, n, k))
    out = np.empty((fl.shape[0], n, k), L.dtype)
    uplo, N, K, info = ctypes.c_char(b"U" if upper else b"L"), ctypes.c_int(n), ctypes.c_int(k), ctypes.c_int(0)
    for i in range(fl.shape[0]):
        m = np.array(fl[i], order="F")
        x = np.array(fb[i], order="F")
        _fn(lib, L.dtype, "potrs")(_r(uplo), _r(N), _r(K), m.ctypes.data_as(_P), _r(N), x.ctypes.data_as(_P), _r(N),
                                    _r(info))
        out[i] = x
    return out.reshape(L.shape[:-2] + (n, k))
