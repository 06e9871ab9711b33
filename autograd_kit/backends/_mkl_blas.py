"""The BLAS half of ``backends/mkl.py``: matrix products, ``dot`` and ``axpy`` called the way ATen calls MKL
(re-exported by ``backends.mkl``; the library, its threads and the ctypes calling convention are there).

- ``addmm`` replays ``addmm_impl_cpu_``: ``at::native::cpublas::gemm`` is column-major (Fortran) BLAS, and which
  operand is passed transposed is chosen from the tensors' strides; the product depends on that choice (made once
  per layout: ``_plans``);
- ``bmm`` replays ``bmm_out_or_baddbmm_`` (a plain loop for tiny products, MKL's batched gemm otherwise);
- ``gemv``/``dot`` are ``addmv``'s and ``dot``'s calls; ``axpy`` is ``add_(other, alpha=)``'s fused multiply-add.
"""
import numpy as np

from .. import _threads
from . import mkl as _m
from .mkl import _COL, _I, _N, _P, _T, _byref, _fns, _from_buffer, _get, _ptr, _ptr_t, _sync_threads


def _es(a):
    """Element strides, or None when a stride is not a whole number of elements."""
    isz = a.itemsize
    s = a.strides
    if len(s) == 2:
        s0, s1 = s
        return None if s0 % isz or s1 % isz else (s0 // isz, s1 // isz)
    if len(s) == 1:  # (gemv's and dot's vectors: no generator per call)
        return None if s[0] % isz else (s[0] // isz,)
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


# addmm's BLAS arguments for a layout, by (operands' shapes and strides, out's strides, dtypes, beta, alpha):
# a training loop multiplies the same layouts again and again, and this skips the decisions in _addmm (~2 µs a call).
# Only layouts passed without copies are kept; the pointers are taken anew each call.
_plans = {}


def addmm(out, m1, m2, beta=0.0, alpha=1.0):
    """``out = beta*out + alpha*(m1 @ m2)`` as PyTorch's ``addmm_impl_cpu_`` computes it, in place on the
    C-contiguous ``out`` (which holds ``self`` broadcast when beta != 0). Returns out, or None without MKL
    or for a dtype BLAS does not take (the caller computes with NumPy)."""
    plan = _plans.get((m1.shape, m1.strides, m2.shape, m2.strides, out.strides, out.dtype, m1.dtype, m2.dtype,
                       beta, alpha))
    if plan is None:
        return _addmm(out, m1, m2, beta, alpha)
    f, ta, tb, m, n, k, ca, lda, ldb, cb, ldc, tc, pa, pb = plan
    if _threads._num_threads != _m._threads_set:
        _sync_threads()
    try:  # _ptr(out), inlined
        po = _byref(_from_buffer(out))
    except (TypeError, ValueError):
        po = _P(out.ctypes.data)
    if tc:
        f(_COL, ta, tb, m, n, k, ca, pa(m2), lda, pb(m1), ldb, cb, po, ldc)
    else:
        f(_COL, ta, tb, m, n, k, ca, pa(m1), lda, pb(m2), ldb, cb, po, ldc)
    return out


def _addmm(out, m1, m2, beta, alpha):
    """``addmm`` deciding the BLAS call from the layouts (and remembering the decision when no operand is
    copied)."""
    dt = out.dtype
    fns = _fns.get(dt)
    if fns is None or m1.dtype != dt or m2.dtype != dt:
        if _m._lib is None and not _m._tried and _get() is not None:
            return _addmm(out, m1, m2, beta, alpha)
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
    key = (m1.shape, m1.strides, m2.shape, m2.strides, out.strides, dt, dt, dt, beta, alpha)
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
            key = None
        if a1 == 1 and a0 >= K:
            b, tb, ldb = m1, False, a0
        elif a0 == 1 and a1 >= M:
            b, tb, ldb = m1, True, a1
        else:
            b, tb, ldb = _copied(m1, True)
            key = None
    else:  # out is column-major: BLAS computes out = m1·m2
        m, n, ldc = M, N, r1
        if a0 == 1 and a1 >= M:
            a, ta, lda = m1, False, a1
        elif a1 == 1 and a0 >= K:
            a, ta, lda = m1, True, a0
        else:
            a, ta, lda = _copied(m1, False)
            key = None
        if b0 == 1 and b1 >= K:
            b, tb, ldb = m2, False, b1
        elif b1 == 1 and b0 >= N:
            b, tb, ldb = m2, True, b0
        else:
            b, tb, ldb = _copied(m2, False)
            key = None
    if m == 1 or n == 1 or K == 1:
        lda, ldb, ldc = _normalize(ta, tb, m, n, K, lda, ldb, ldc)
    if _threads._num_threads != _m._threads_set:
        _sync_threads()
    ct = fns[5]
    # an operand BLAS reads transposed iff it is row-major when the product is not (ta != tc): then it is
    # likely C-contiguous (_ptr), else likely the transpose of a C-contiguous array (_ptr_t)
    plan = (fns[0], _T if ta else _N, _T if tb else _N, m, n, K, ct(alpha), lda, ldb, ct(beta), ldc, tc,
            _ptr if ta != tc else _ptr_t, _ptr if tb != tc else _ptr_t)
    plan[0](_COL, plan[1], plan[2], m, n, K, plan[6], plan[12](a), lda, plan[13](b), ldb, plan[9], _ptr(out), ldc)
    if key is not None:
        if len(_plans) >= 512:  # layouts seen once (a sweep over sizes) do not pile up
            _plans.clear()
        _plans[key] = plan
    return out


def gemm(a, b):
    """``a @ b`` (2-D) as PyTorch's ``mm`` computes it, or None without MKL or for dtypes BLAS does not take
    (``addmm``'s checks)."""
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
    if _threads._num_threads != _m._threads_set:
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
    if fns is None and _m._lib is None and not _m._tried and _get() is not None:
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
    if _threads._num_threads != _m._threads_set:
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
    if _threads._num_threads != _m._threads_set:
        _sync_threads()
    return np.array(fns[3](n, _ptr(a), ia, _ptr(b), ib), a.dtype)


def axpy(alpha, x, y):
    """``y += alpha * x`` in place (C-contiguous arrays of one float dtype and size, ``y`` writable), BLAS
    ``?axpy``: one fused multiply-add per element, bit for bit ``torch.add_(other, alpha=)``. ``alpha`` (a Python
    float or a NumPy scalar) is rounded to the arrays' dtype. True when done, else False."""
    fns = _fns.get(x.dtype)
    if fns is None:
        if _m._lib is None and not _m._tried and _get() is not None:
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
    if _threads._num_threads != _m._threads_set:
        _sync_threads()
    fns[4](n, fns[5](alpha), _ptr(x), 1, py, 1)
    return True
