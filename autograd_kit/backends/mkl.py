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
use, never at ``import autograd_kit``. Where the layers the ``libmkl_rt`` dispatcher would pick sit beside it
(core, GNU threading, LP64 interface: the Linux wheel), those are loaded instead, with less resident memory.
"""
import ctypes
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
_MODE = 0x2 | 0x100  # VML_HA | VML_FTZDAZ_OFF (0) | VML_ERRMODE_IGNORE
_threads_set = None

# the ops ATen's vml.h computes with MKL (IMPLEMENT_VML_MKL), torch name -> MKL name
VML_OPS = {"exp": "Exp", "log": "Ln", "log10": "Log10", "log2": "Log2", "sin": "Sin", "cos": "Cos",
           "tan": "Tan", "tanh": "Tanh", "sqrt": "Sqrt", "asin": "Asin", "acos": "Acos", "atan": "Atan",
           "erf": "Erf", "erfc": "Erfc", "erfinv": "ErfInv"}
_vml = {}
_fns = {}  # dtype -> (gemm, gemm_batch, gemv, dot)


def _candidates():
    env = os.environ.get("AUTOGRAD_KIT_MKL", "")
    if env:
        return [env]
    names = ("libmkl_rt.so.2", "libmkl_rt.2.dylib", "mkl_rt.2.dll")
    dirs = [os.path.join(sys.prefix, "lib"), os.path.join(sys.prefix, "Library", "bin")]
    if sys.base_prefix != sys.prefix:
        dirs.append(os.path.join(sys.base_prefix, "lib"))
    out = [p for p in (os.path.join(d, n) for d in dirs for n in names) if os.path.exists(p)]
    if out:  # found where pip puts it: importlib.metadata (~1.7 MB of modules and file lists) is not needed
        return out
    try:
        from importlib import metadata
        for f in metadata.distribution("mkl").files or ():
            if os.path.basename(str(f)) in names:
                out.append(str(f.locate()))
    except Exception:  # noqa: BLE001  (mkl not installed: NumPy it is)
        pass
    return [p for p in out if os.path.exists(p)]


# The layers libmkl_rt's dispatcher picks here (core, GNU OpenMP threading, LP64 interface), next to it in the wheel
_LAYERS = ("libmkl_core.so.2", "libmkl_gnu_thread.so.2", "libmkl_intel_lp64.so.2")


def _load_layers(rt_path):
    """MKL's layers loaded directly rather than through ``libmkl_rt`` (the same libraries and kernels, ~3 MB less
    resident: the dispatcher's symbol tables), or None where they are not beside it (then the dispatcher it is).
    They call one another, so they are bound lazily (``ctypes.CDLL`` binds every symbol at once, RTLD_NOW)."""
    folder = os.path.dirname(rt_path)
    layers = [os.path.join(folder, name) for name in _LAYERS]
    if not all(os.path.exists(p) for p in layers):
        return None
    try:
        dlopen = ctypes.CDLL(None).dlopen
    except AttributeError:  # glibc before 2.34: dlopen lives in libdl
        try:
            dlopen = ctypes.CDLL("libdl.so.2").dlopen
        except (OSError, AttributeError):
            return None
    dlopen.restype, dlopen.argtypes = ctypes.c_void_p, [ctypes.c_char_p, _I]
    handle = None
    for p in layers:
        handle = dlopen(os.fsencode(p), os.RTLD_LAZY | os.RTLD_GLOBAL)
        if not handle:
            return None
    return ctypes.CDLL(layers[-1], handle=handle)


def _load():
    global _lib, _tried
    _tried = True
    if os.environ.get("AUTOGRAD_KIT_MKL", "").lower() in ("0", "off", "false", "no"):
        return None
    paths = _candidates()
    if not paths:
        return None
    from ctypes.util import find_library  # here, not at import: it imports shutil, tempfile, bz2, lzma...
    try:  # MKL's GNU threading layer runs on GCC's OpenMP runtime, as PyTorch's build does
        ctypes.CDLL(find_library("gomp") or "libgomp.so.1", mode=ctypes.RTLD_GLOBAL)
        lib = _load_layers(paths[0])
        if lib is None:
            lib = ctypes.CDLL(paths[0], mode=ctypes.RTLD_GLOBAL)
            lib.MKL_Set_Threading_Layer.argtypes = [_I]
            if lib.MKL_Set_Threading_Layer(3) != 3:  # MKL_THREADING_GNU
                return None
    except OSError:
        return None
    # MKL's work buffers from malloc, given back after each call (MKL's own allocator keeps them: ~5 MB more
    # resident in a training loop); called before any MKL routine allocates, as MKL requires
    getattr(lib, "MKL_Disable_Fast_MM", int)()
    lib.MKL_Set_Num_Threads.argtypes = [_I]
    lib.MKL_Verbose.argtypes = [_I]
    for t, c in (("s", ctypes.c_float), ("d", ctypes.c_double)):
        getattr(lib, f"cblas_{t}gemm").argtypes = [_I, _I, _I, _I, _I, _I, c, _P, _I, _P, _I, c, _P, _I]
        getattr(lib, f"cblas_{t}gemm_batch").argtypes = [_I] + [_P] * 13 + [_I, _P]
        getattr(lib, f"cblas_{t}gemv").argtypes = [_I, _I, _I, _I, c, _P, _I, _P, _I, c, _P, _I]
        getattr(lib, f"cblas_{t}dot").argtypes = [_I, _P, _I, _P, _I]
        getattr(lib, f"cblas_{t}dot").restype = c
        getattr(lib, f"cblas_{t}axpy").argtypes = [_I, c, _P, _I, _P, _I]
    for dt, t in ((np.dtype(np.float32), "s"), (np.dtype(np.float64), "d")):
        _fns[dt] = tuple(getattr(lib, f"cblas_{t}{op}") for op in ("gemm", "gemm_batch", "gemv", "dot", "axpy"))
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


# ---- VML ------------------------------------------------------------------------------------------
def unary(name, x):
    """VML's high-accuracy ``vm[s|d]<Op>`` of a float32/float64 array (a new array), or None when MKL is
    absent, the dtype is another or ATen does not compute ``name`` with VML."""
    dt = x.dtype
    fn = _vml.get((name, dt))
    if fn is None:
        if (dt != np.float32 and dt != np.float64) or name not in VML_OPS or _get() is None:
            return None
        fn = getattr(_lib, ("vms" if dt == np.float32 else "vmd") + VML_OPS[name])
        fn.argtypes = [_I, _P, _P, ctypes.c_int64]
        _vml[(name, dt)] = fn
    if not x.flags.c_contiguous:
        x = np.ascontiguousarray(x)
    out = np.empty(x.shape, dt)
    n = x.size
    if n < 2 ** 31:
        if n:
            fn(n, x.ctypes.data, out.ctypes.data, _MODE)
        return out
    step, isz = 2 ** 31 - 1, dt.itemsize  # MKL_INT is 32-bit: ATen calls VML in chunks this long
    xp, op = x.ctypes.data, out.ctypes.data
    for i in range(0, n, step):
        fn(min(step, n - i), xp + i * isz, op + i * isz, _MODE)
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


def _operand(mat, s, first, second, tc):
    """addmm_impl_cpu_'s choice for one operand: (array, transposed, leading dimension)."""
    if s is not None and s[1 if tc else 0] == 1 and s[0 if tc else 1] >= max(1, first):
        t = False
    elif s is not None and s[0 if tc else 1] == 1 and s[1 if tc else 0] >= max(1, second):
        t = True
    else:
        t = not tc
        mat = np.ascontiguousarray(mat)
        s = _es(mat)
    return mat, t, s[1 if t == tc else 0]


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
    if M == 0 or N == 0:
        return out
    if K == 0:
        if beta == 0:
            out[...] = 0
        else:
            out *= beta
        return out
    isz = dt.itemsize
    r0, r1 = out.strides
    r0, r1 = r0 // isz, r1 // isz
    s1, s2 = _es(m1), _es(m2)
    if r0 == 1 and (N == 1 or r1 >= max(1, M)):
        tc = False
    else:  # out is C-contiguous: PyTorch computes outᵀ = m2ᵀ·m1ᵀ
        tc = True
        m1, m2, s1, s2 = m2, m1, s2, s1
    m, n = (N, M) if tc else (M, N)
    k = m1.shape[0] if tc else m1.shape[1]
    a, ta, lda = _operand(m1, s1, m, k, tc)
    b, tb, ldb = _operand(m2, s2, k, n, tc)
    ldc = r0 if tc else r1
    lda, ldb, ldc = _normalize(ta, tb, m, n, k, lda, ldb, ldc)
    if _threads._num_threads != _threads_set:
        _sync_threads()
    fns[0](_COL, _T if ta else _N, _T if tb else _N, m, n, k, alpha,
           a.ctypes.data, lda, b.ctypes.data, ldb, beta, out.ctypes.data, ldc)
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
    if bs == 1:
        _fns[out.dtype][0](_COL, _T if ta else _N, _T if tb else _N, m, n, k, alpha,
                            b2.ctypes.data, lda, b1.ctypes.data, ldb, beta, out.ctypes.data, ldc)
        return out
    isz = out.itemsize
    idx = np.arange(bs, dtype=np.uint64)
    pa = b2.ctypes.data + idx * np.uint64(s2[0] * isz)
    pb = b1.ctypes.data + idx * np.uint64(s1[0] * isz)
    pc = out.ctypes.data + idx * np.uint64(rs[0] * isz)
    ct = ctypes.c_float if t == "s" else ctypes.c_double
    ints = [ctypes.byref(_I(v)) for v in (_T if ta else _N, _T if tb else _N, m, n, k)]
    _fns[out.dtype][1](
        _COL, ints[0], ints[1], ints[2], ints[3], ints[4], ctypes.byref(ct(alpha)), pa.ctypes.data,
        ctypes.byref(_I(lda)), pb.ctypes.data, ctypes.byref(_I(ldb)), ctypes.byref(ct(beta)), pc.ctypes.data,
        ctypes.byref(_I(ldc)), 1, ctypes.byref(_I(bs)))
    return out


def gemv(out, mat, vec, beta=0.0, alpha=1.0):
    """``out = beta*out + alpha*(mat @ vec)`` as ``addmv_out_cpu`` computes it, or None."""
    t = _blas_type(out, mat, vec)
    if t is None or _get() is None or out.size == 0:
        return None if t is None or _lib is None else out
    M, N = mat.shape
    if N == 0:
        return None
    s, sv, so = _es(mat), _es(vec), _es(out)
    if s is None or sv is None or sv[0] <= 0 or so[0] <= 0:
        return None

    def lda_ok(m, n, lda):
        return n == 1 or lda >= max(1, m)

    if s[0] == 1 and lda_ok(M, N, s[1]):
        trans, m, n, lda = _N, M, N, s[1]
    elif s[1] == 1 and lda_ok(N, M, s[0]):
        trans, m, n, lda = _T, N, M, s[0]
    else:
        mat = np.ascontiguousarray(mat)
        trans, m, n, lda = _T, N, M, _es(mat)[0]
    if n == 1:
        lda = m
    _sync_threads()
    _fns[out.dtype][2](_COL, trans, m, n, alpha, mat.ctypes.data, lda, vec.ctypes.data,
                       1 if vec.size == 1 else sv[0], beta, out.ctypes.data, so[0])
    return out


def dot(a, b):
    """``a · b`` (1-D) as ATen's ``dot`` computes it (BLAS ``?dot``), a 0-d array, or None."""
    t = _blas_type(a, b)
    if t is None or _get() is None:
        return None
    sa, sb = _es(a), _es(b)
    if sa is None or sb is None or sa[0] < 0 or sb[0] < 0:
        return None
    n = a.shape[0]
    ia, ib = (1, 1) if n == 1 else (sa[0], sb[0])
    _sync_threads()
    return np.array(_fns[a.dtype][3](n, a.ctypes.data, ia, b.ctypes.data, ib), a.dtype)


def axpy(alpha, x, y):
    """``y += alpha * x`` in place (1-D contiguous arrays of one float dtype), BLAS ``?axpy``: one fused
    multiply-add per element, bit for bit ``torch.add_(other, alpha=)``. True when done, else False."""
    if _get() is None or x.dtype != y.dtype or x.dtype not in _fns or x.size != y.size:
        return False
    if not (x.flags.c_contiguous and y.flags.c_contiguous and y.flags.writeable) or x.size > 2**31 - 1:
        return False
    _sync_threads()
    _fns[x.dtype][4](x.size, alpha, x.ctypes.data, 1, y.ctypes.data, 1)
    return True
