"""``torch.backends.mkl``, and the kit's use of Intel MKL (the ``mkl`` wheel from PyPI, optional: the
``exact`` extra), the library PyTorch's CPU build computes with. With it, matrix products and the
transcendental functions round exactly as PyTorch's do; without it (or with ``AUTOGRAD_KIT_MKL=0``) the
kit computes with NumPy and the last bits of some results may differ.

PyTorch's MKL is called the way ATen calls it:
- BLAS: ``at::native::cpublas::gemm`` is column-major (Fortran) BLAS; ``addmm`` picks which operand is
  passed transposed from the tensors' strides (``addmm_impl_cpu_``), and the product depends on that
  choice, so ``addmm`` replays it; ``bmm`` replays ``bmm_out_or_baddbmm_`` (a plain loop for tiny
  products, MKL's batched gemm otherwise); ``gemv``/``dot`` are ``addmv``'s and ``dot``'s calls (these
  are in ``_mkl_blas.py``, re-exported here);
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
    out = x.copy()  # C-contiguous: VML computes in place on it (one buffer to lend, bit-identical)
    n = out.size
    if 0 < n < 2 ** 31:  # the common case
        p = _byref(_from_buffer(out))
        fn(n, p, p, _MODE)
    elif n:
        step, isz = 2 ** 31 - 1, dt.itemsize  # MKL_INT is 32-bit: ATen calls VML in chunks this long
        op = out.ctypes.data
        for i in range(0, n, step):
            fn(min(step, n - i), _P(op + i * isz), _P(op + i * isz), _MODE)
    return out


from ._mkl_blas import addmm, axpy, bmm, dot, gemm, gemv  # noqa: E402,F401  (the BLAS calls, after what they use)
