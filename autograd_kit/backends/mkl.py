"""``torch.backends.mkl``, and the kit's use of Intel MKL (the ``mkl`` wheel from PyPI, optional: the
``exact`` extra), the library PyTorch's CPU build computes with. With it, matrix products and the
transcendental functions round exactly as PyTorch's do; without it (or with ``AUTOGRAD_KIT_MKL=0``) the
kit computes with NumPy and the last bits of some results may differ.

PyTorch's MKL is called the way ATen calls it:
- BLAS: ``at::native::cpublas::gemm`` is column-major (Fortran) BLAS; ``addmm`` picks which operand is
  passed transposed from the tensors' strides (``addmm_impl_cpu_``), and the product depends on that
  choice, so ``addmm`` below replays it; ``bmm`` replays ``bmm_out_or_baddbmm_`` (a plain loop for tiny
  products, MKL's batched gemm otherwise); ``gemv``/``dot`` are ``addmv``'s and ``dot``'s calls;
- threads: MKL's GNU OpenMP layer, with ``torch.get_num_threads()`` threads (MKL splits large products
  by thread, so the count changes the bits);
- VML: ``vms<Op>``/``vmd<Op>`` in high-accuracy mode for the ops ATen's ``vml.h`` sends to MKL.

The library is found where ``pip install mkl`` puts it (``sys.prefix/lib``, or the ``mkl``
distribution's file list), or at ``AUTOGRAD_KIT_MKL=/path/to/libmkl_rt.so.2``; it is loaded on first
use, never at ``import autograd_kit``.
"""
import ctypes
import ctypes.util
import os
import sys

import numpy as np

from .. import _threads

VERBOSE_OFF = 0
VERBOSE_ON = 1

_lib = None
_tried = False
_P = ctypes.c_void_p
_I = ctypes.c_int
_ROW, _COL, _N, _T = 101, 102, 111, 112
_MODE = ctypes.c_int64(0x2 | 0x100)  # VML_HA | VML_FTZDAZ_OFF (0) | VML_ERRMODE_IGNORE
_byref = ctypes.byref
_from_buffer = ctypes.c_char.from_buffer
_threads_set = None

# the ops ATen's vml.h computes with MKL (IMPLEMENT_VML_MKL), torch name -> MKL name
VML_OPS = {"exp": "Exp", "log": "Ln", "log10": "Log10", "log2": "Log2", "sin": "Sin", "cos": "Cos",
           "tan": "Tan", "tanh": "Tanh", "sqrt": "Sqrt", "asin": "Asin", "acos": "Acos", "atan": "Atan",
           "erf": "Erf", "erfc": "Erfc", "erfinv": "ErfInv"}
_vml = {}
_fns = {}  # dtype -> (gemm, gemm_batch, gemv, dot, axpy, ctypes scalar type)


def _candidates():
    env = os.environ.get("AUTOGRAD_KIT_MKL", "")
    if env:
        return [env]
    names = ("libmkl_rt.so.2", "libmkl_rt.2.dylib", "mkl_rt.2.dll")
    dirs = [os.path.join(sys.prefix, "lib"), os.path.join(sys.prefix, "Library", "bin")]
    if sys.base_prefix != sys.prefix:
        dirs.append(os.path.join(sys.base_prefix, "lib"))
    out = [os.path.join(d, n) for d in dirs for n in names]
    try:
        from importlib import metadata
        for f in metadata.distribution("mkl").files or ():
            if os.path.basename(str(f)) in names:
                out.append(str(f.locate()))
    except Exception:  # noqa: BLE001  (mkl not installed: NumPy it is)
        pass
    return [p for p in out if os.path.exists(p)]


def _load():
    global _lib, _tried
    _tried = True
    if os.environ.get("AUTOGRAD_KIT_MKL", "").lower() in ("0", "off", "false", "no"):
        return None
    paths = _candidates()
    if not paths:
        return None
    try:  # MKL's GNU threading layer runs on GCC's OpenMP runtime, as PyTorch's build does
        ctypes.CDLL(ctypes.util.find_library("gomp") or "libgomp.so.1", mode=ctypes.RTLD_GLOBAL)
        lib = ctypes.CDLL(paths[0], mode=ctypes.RTLD_GLOBAL)
        lib.MKL_Set_Threading_Layer.argtypes = [_I]
        if lib.MKL_Set_Threading_Layer(3) != 3:  # MKL_THREADING_GNU
            return None
    except OSError:
        return None
    lib.MKL_Set_Num_Threads.argtypes = [_I]
    lib.MKL_Verbose.argtypes = [_I]
    for dt, t, c in ((np.dtype(np.float32), "s", ctypes.c_float), (np.dtype(np.float64), "d", ctypes.c_double)):
        # lib[name]: a function object of its own, without argtypes (see _ptr): the calls pass ctypes values
        fns = tuple(lib[f"cblas_{t}{op}"] for op in ("gemm", "gemm_batch", "gemv", "dot", "axpy"))
        fns[3].restype = c
        _fns[dt] = fns + (c,)
    _lib = lib
    _sync_threads()
    return lib


def _get():
    if _lib is None and not _tried:
        _load()
    return _lib


def _sync_threads():
    """MKL's thread count follows torch.set_num_threads (checked before each BLAS call: one compare)."""
    global _threads_set
    n = _threads._num_threads or _threads.get_num_threads()
    if _lib is not None and n != _threads_set:
        _lib.MKL_Set_Num_Threads(n)
        _threads_set = n


def is_available():
    """Whether the MKL library was found and loaded (PyTorch: whether it was built with MKL)."""
    return _get() is not None


class verbose:
    """On-demand MKL verbose messages, as ``torch.backends.mkl.verbose(level)``."""

    def __init__(self, enable):
        self.enable = enable

    def __enter__(self):
        if self.enable == VERBOSE_OFF:
            return None
        if _get() is None:
            raise AssertionError("Failed to set MKL into verbose mode. Please consider to disable this "
                                 "verbose scope.")
        _lib.MKL_Verbose(self.enable)
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        if _lib is not None:
            _lib.MKL_Verbose(VERBOSE_OFF)
        return False


# ---- calling MKL through ctypes ------------------------------------------------------------------
# The function objects have no argtypes: the calls pass Python ints (C ints), ctypes float scalars and
# pointers built by _ptr, which skips ctypes' per-argument conversion (~1.5 µs a gemm call) and NumPy's
# ``a.ctypes`` object (~1.4 µs an array).
def _ptr(a):
    """The pointer argument for ``a``'s data: a writable C-contiguous array lends its buffer
    (``c_char.from_buffer``, ~0.3 µs), any other array gives its address (``a.ctypes.data``)."""
    try:
        return _byref(_from_buffer(a))
    except (TypeError, ValueError):  # read-only, not C-contiguous, or empty
        return _P(a.ctypes.data)


def _ptr_t(a):
    """``_ptr`` for a 2-D array likely to be a transposed view (its transpose C-contiguous): the same address."""
    try:
        return _byref(_from_buffer(a.T))
    except (TypeError, ValueError):
        return _P(a.ctypes.data)


# ---- VML ------------------------------------------------------------------------------------------
def unary(name, x):
    """VML's high-accuracy ``vm[s|d]<Op>`` of a float32/float64 array (a new array), or None when MKL is
    absent, the dtype is another or ATen does not compute ``name`` with VML."""
    dt = x.dtype
    fn = _vml.get((name, dt))
    if fn is None:
        if (dt != np.float32 and dt != np.float64) or name not in VML_OPS or _get() is None:
            return None
        fn = _lib[("vms" if dt == np.float32 else "vmd") + VML_OPS[name]]  # no argtypes: see _ptr
        _vml[(name, dt)] = fn
    if not x.flags.c_contiguous:
        x = np.ascontiguousarray(x)
    out = np.empty(x.shape, dt)
    n = x.size
    if n < 2 ** 31:
        if n:
            fn(n, _ptr(x), _byref(_from_buffer(out)), _MODE)
        return out
    step, isz = 2 ** 31 - 1, dt.itemsize  # MKL_INT is 32-bit: ATen calls VML in chunks this long
    xp, op = x.ctypes.data, out.ctypes.data
    for i in range(0, n, step):
        fn(min(step, n - i), _P(xp + i * isz), _P(op + i * isz), _MODE)
    return out


# ---- BLAS -----------------------------------------------------------------------------------------
def _es(a):
    """Element strides, or None when a stride is not a whole number of elements."""
    isz = a.itemsize
    s = a.strides
    if len(s) == 2:
        s0, s1 = s
        return None if s0 % isz or s1 % isz else (s0 // isz, s1 // isz)
    if any(x % isz for x in s):
        return None
    return tuple(x // isz for x in s)


def _blas_type(*arrays):
    dt = arrays[0].dtype
    if dt != np.float32 and dt != np.float64:
        return None
    for a in arrays[1:]:
        if a.dtype != dt:
            return None
    return "s" if dt == np.float32 else "d"


def _normalize(ta, tb, m, n, k, lda, ldb, ldc):
    """cpublas' normalize_last_dims: leading dimensions of vectors that BLAS would otherwise reject."""
    if n == 1:
        ldc = m
    if ta:
        if m == 1:
            lda = k
    elif k == 1:
        lda = m
    if tb:
        if k == 1:
            ldb = n
    elif n == 1:
        ldb = k
    return lda, ldb, ldc


def _copied(mat, tc):
    """addmm_impl_cpu_'s operand with no unit stride (or one BLAS cannot take): a C-contiguous copy, which
    BLAS reads transposed unless the product is: (array, transposed, leading dimension)."""
    mat = np.ascontiguousarray(mat)
    s = _es(mat)
    if s is None:  # a one-row or one-column array whose stride is not a whole number of elements
        mat = mat.copy()
        s = _es(mat)
    return mat, not tc, s[0]


def addmm(out, m1, m2, beta=0.0, alpha=1.0):
    """``out = beta*out + alpha*(m1 @ m2)`` as PyTorch's ``addmm_impl_cpu_`` computes it, in place on the
    C-contiguous ``out`` (which holds ``self`` broadcast when beta != 0). Returns out, or None without MKL
    or for a dtype BLAS does not take (the caller computes with NumPy)."""
    dt = out.dtype
    fns = _fns.get(dt)
    if fns is None or m1.dtype != dt or m2.dtype != dt:
        if _lib is None and not _tried and _get() is not None:
            return addmm(out, m1, m2, beta, alpha)
        return None
    M, N = out.shape
    K = m1.shape[1]
    if not (M and N and K):
        if M and N:
            if beta == 0:
                out[...] = 0
            else:
                out *= beta
        return out
    isz = dt.itemsize
    r0, r1 = out.strides
    a0, a1 = m1.strides
    b0, b1 = m2.strides
    r0, r1 = r0 // isz, r1 // isz
    if (a0 | a1 | b0 | b1) % isz:  # a stride that is not a whole number of elements: (0, 0), copied below
        a0, a1 = (0, 0) if a0 % isz or a1 % isz else (a0 // isz, a1 // isz)
        b0, b1 = (0, 0) if b0 % isz or b1 % isz else (b0 // isz, b1 // isz)
    else:
        a0, a1, b0, b1 = a0 // isz, a1 // isz, b0 // isz, b1 // isz
    # addmm_impl_cpu_'s choices (M, N, K >= 1 here): an operand with a unit stride along BLAS's columns is
    # passed as it is, one with a unit stride along BLAS's rows transposed, any other one copied
    tc = not (r0 == 1 and (N == 1 or r1 >= M))
    if tc:  # out is C-contiguous: PyTorch computes outᵀ = m2ᵀ·m1ᵀ
        m, n, ldc = N, M, r0
        if b1 == 1 and b0 >= N:
            a, ta, lda = m2, False, b0
        elif b0 == 1 and b1 >= K:
            a, ta, lda = m2, True, b1
        else:
            a, ta, lda = _copied(m2, True)
        if a1 == 1 and a0 >= K:
            b, tb, ldb = m1, False, a0
        elif a0 == 1 and a1 >= M:
            b, tb, ldb = m1, True, a1
        else:
            b, tb, ldb = _copied(m1, True)
    else:  # out is column-major: BLAS computes out = m1·m2
        m, n, ldc = M, N, r1
        if a0 == 1 and a1 >= M:
            a, ta, lda = m1, False, a1
        elif a1 == 1 and a0 >= K:
            a, ta, lda = m1, True, a0
        else:
            a, ta, lda = _copied(m1, False)
        if b0 == 1 and b1 >= K:
            b, tb, ldb = m2, False, b1
        elif b1 == 1 and b0 >= N:
            b, tb, ldb = m2, True, b0
        else:
            b, tb, ldb = _copied(m2, False)
    if m == 1 or n == 1 or K == 1:
        lda, ldb, ldc = _normalize(ta, tb, m, n, K, lda, ldb, ldc)
    if _threads._num_threads != _threads_set:
        _sync_threads()
    ct = fns[5]
    # an operand BLAS reads transposed iff it is row-major when the product is not (ta != tc): then it is
    # likely C-contiguous (_ptr), else likely the transpose of a C-contiguous array (_ptr_t)
    fns[0](_COL, _T if ta else _N, _T if tb else _N, m, n, K, ct(alpha),
           _ptr(a) if ta != tc else _ptr_t(a), lda, _ptr(b) if tb != tc else _ptr_t(b), ldb, ct(beta),
           _ptr(out), ldc)
    return out


def gemm(a, b):
    """``a @ b`` (2-D) as PyTorch's ``mm`` computes it, or None without MKL."""
    if a.dtype != b.dtype or (a.dtype not in _fns and (_tried or _get() is None or a.dtype not in _fns)):
        return None
    return addmm(np.empty((a.shape[0], b.shape[1]), a.dtype), a, b)


def _bmm_naive(out, b1, b2, beta, alpha, is_bmm):
    """baddbmm_cpu_kernel: for tiny products (K·rows·cols < 400), a sum over k in the dtype, in k order."""
    acc = np.zeros(out.shape, out.dtype)
    for k in range(b1.shape[2]):
        acc += b1[:, :, k, None] * b2[:, k, None, :]
    if is_bmm:
        out[...] = acc
    elif beta == 0:
        out[...] = out.dtype.type(alpha) * acc
    else:
        out[...] = out * out.dtype.type(beta) + out.dtype.type(alpha) * acc
    return out


def bmm(out, b1, b2, beta=0.0, alpha=1.0, is_bmm=True):
    """``out = beta*out + alpha*(b1 @ b2)`` for 3-D arrays as ``bmm_out_or_baddbmm_`` computes it
    (``out`` C-contiguous), or None without MKL / for other dtypes."""
    t = _blas_type(out, b1, b2)
    if t is None or _get() is None:
        return None
    bs, rows, cols = out.shape
    K = b1.shape[2]
    if out.size == 0:
        return out
    if K == 0:
        if is_bmm or beta == 0:
            out[...] = 0
        else:
            out *= beta
        return out
    if K * rows * cols < 400:
        return _bmm_naive(out, b1, b2, beta, alpha, is_bmm)
    s1, s2 = _es(b1), _es(b2)

    def ok(s, sz):
        return s is not None and ((s[2] == 1 and (sz[1] == 1 or s[1] >= sz[2])) or
                                  (s[1] == 1 and (sz[2] == 1 or s[2] >= sz[1])))

    if not (ok(s1, b1.shape) and ok(s2, b2.shape)):
        for i in range(bs):
            addmm(out[i], b1[i], b2[i], beta if not is_bmm else 0.0, alpha)
        return out
    rs = _es(out)
    ta = s2[1] == 1 and s2[2] >= b2.shape[1]
    tb = s1[1] == 1 and s1[2] >= b1.shape[1]
    m, n, k = cols, rows, b2.shape[1]
    lda, ldb, ldc = s2[2 if ta else 1], s1[2 if tb else 1], rs[1]
    lda, ldb, ldc = _normalize(ta, tb, m, n, k, lda, ldb, ldc)
    _sync_threads()
    beta = 0.0 if is_bmm else beta
    fns = _fns[out.dtype]
    ct = fns[5]
    if bs == 1:
        fns[0](_COL, _T if ta else _N, _T if tb else _N, m, n, k, ct(alpha),
               _P(b2.ctypes.data), lda, _P(b1.ctypes.data), ldb, ct(beta), _P(out.ctypes.data), ldc)
        return out
    isz = out.itemsize
    idx = np.arange(bs, dtype=np.uint64)
    pa = b2.ctypes.data + idx * np.uint64(s2[0] * isz)
    pb = b1.ctypes.data + idx * np.uint64(s1[0] * isz)
    pc = out.ctypes.data + idx * np.uint64(rs[0] * isz)
    ints = [_byref(_I(v)) for v in (_T if ta else _N, _T if tb else _N, m, n, k)]
    fns[1](_COL, ints[0], ints[1], ints[2], ints[3], ints[4], _byref(ct(alpha)), _P(pa.ctypes.data),
           _byref(_I(lda)), _P(pb.ctypes.data), _byref(_I(ldb)), _byref(ct(beta)), _P(pc.ctypes.data),
           _byref(_I(ldc)), 1, _byref(_I(bs)))
    return out


def _loaded_fns(dt, *others):
    """The dtype's BLAS functions when every array has that dtype and MKL is there (loading it on first
    use), else None."""
    fns = _fns.get(dt)
    if fns is None and _lib is None and not _tried and _get() is not None:
        fns = _fns.get(dt)
    if fns is not None:
        for a in others:
            if a.dtype != dt:
                return None
    return fns


def gemv(out, mat, vec, beta=0.0, alpha=1.0):
    """``out = beta*out + alpha*(mat @ vec)`` as ``addmv_out_cpu`` computes it, or None."""
    fns = _loaded_fns(out.dtype, mat, vec)
    if fns is None:
        return None
    if out.size == 0:
        return out
    M, N = mat.shape
    if N == 0:
        return None
    s, sv, so = _es(mat), _es(vec), _es(out)
    if s is None or sv is None or sv[0] <= 0 or so[0] <= 0:
        return None
    if s[0] == 1 and (N == 1 or s[1] >= max(1, M)):
        trans, m, n, lda = _N, M, N, s[1]
    elif s[1] == 1 and (M == 1 or s[0] >= max(1, N)):
        trans, m, n, lda = _T, N, M, s[0]
    else:
        mat = np.ascontiguousarray(mat)
        trans, m, n, lda = _T, N, M, _es(mat)[0]
    if n == 1:
        lda = m
    if _threads._num_threads != _threads_set:
        _sync_threads()
    ct = fns[5]
    fns[2](_COL, trans, m, n, ct(alpha), _ptr(mat) if trans == _T else _ptr_t(mat), lda, _ptr(vec),
           1 if vec.size == 1 else sv[0], ct(beta), _ptr(out), so[0])
    return out


def dot(a, b):
    """``a · b`` (1-D) as ATen's ``dot`` computes it (BLAS ``?dot``), a 0-d array, or None."""
    fns = _loaded_fns(a.dtype, b)
    if fns is None:
        return None
    sa, sb = _es(a), _es(b)
    if sa is None or sb is None or sa[0] < 0 or sb[0] < 0:
        return None
    n = a.shape[0]
    ia, ib = (1, 1) if n == 1 else (sa[0], sb[0])
    if _threads._num_threads != _threads_set:
        _sync_threads()
    return np.array(fns[3](n, _ptr(a), ia, _ptr(b), ib), a.dtype)


def axpy(alpha, x, y):
    """``y += alpha * x`` in place (C-contiguous arrays of one float dtype and size, ``y`` writable), BLAS
    ``?axpy``: one fused multiply-add per element, bit for bit ``torch.add_(other, alpha=)``. True when done,
    else False."""
    fns = _fns.get(x.dtype)
    if fns is None:
        if _lib is None and not _tried and _get() is not None:
            return axpy(alpha, x, y)
        return False
    n = x.size
    if y.dtype != x.dtype or y.size != n or n > 2**31 - 1 or not x.flags.c_contiguous:
        return False
    if not n:
        return y.flags.c_contiguous and y.flags.writeable
    try:
        py = _byref(_from_buffer(y))  # y writable and C-contiguous, else TypeError
    except TypeError:
        return False
    if _threads._num_threads != _threads_set:
        _sync_threads()
    fns[4](n, fns[5](alpha), _ptr(x), 1, py, 1)
    return True
