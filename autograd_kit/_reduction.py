"""PyTorch's summation order on the CPU, so float32 sums round as PyTorch's do.

``torch_sum(array, axis=None, keepdims=False, dtype=None)`` is the one place the kit's sums, means and
broadcast-undoing reductions are computed. It follows ATen's ``cascade_sum`` (native/cpu/SumKernel.cpp):

* TensorIterator's loop order: reduced dims first (sorted by the input's strides), the rest after (sorted
  by the contiguous output's strides), then adjacent dims coalesced;
* the 2-D loop: a contiguous reduced row is summed in SIMD vectors (``VEC_BYTES`` = 32: 8 floats, probed)
  with 4 interleaved accumulators (``row_sum``), each a 4-level cascade (``multi_row_sum``); a contiguous
  kept dim is summed a vector of columns at a time; otherwise scalar rows or groups of 4 columns;
* large inputs (``GRAIN`` elements or more) split over ``THREADS`` threads as at::parallel_reduce does.

C-contiguous (and transposed) inputs whose dims coalesce into the layouts training uses (full sums, rows,
columns, (N, C, H, W) over 0, 2, 3) take ``_reduction_fast``'s paths, a handful of whole-array NumPy calls
each; every other layout builds and walks the iteration here (``_general``).

Every step is a NumPy operation over all rows and lanes at once (a running sum is NumPy's axis-0 reduce of a
contiguous (n, lanes) array, or np.add.accumulate); the Python loops run over cascade levels, vectors of a
tiny input or the loop calls, never over elements. Integer and bool sums are exact, so they use NumPy's own.
"""
import math

import numpy as np
from numpy.lib.stride_tricks import as_strided

from . import _reduction_fast as _fast
from ._reduction_fast import GRAIN, THREADS, VEC_BYTES


def _seq(x, axis=0):
    """x summed along axis one element after another, starting from +0.0 (as ``acc += x[i]``).
    NumPy's reduce over the first axis of a C-contiguous (n, lanes >= 2) array adds row after row
    (its pairwise summation applies only along a contiguous innermost axis): checked by the tests."""
    n = x.shape[axis]
    zero = x.dtype.type(0)
    if axis:
        x = x.transpose((axis,) + tuple(i for i in range(x.ndim) if i != axis))
    lanes = x.shape[1:]
    m = math.prod(lanes)
    if n == 0 or m == 0:
        return np.zeros(lanes, x.dtype)
    if m == 1:
        flat = x.reshape(n)
        return ((np.add.accumulate(flat)[-1] if n > 1 else flat[0]) + zero).reshape(lanes)
    return (np.add.reduce(np.ascontiguousarray(x.reshape(n, m)), axis=0) + zero).reshape(lanes)


def _ceil_log2(n):
    return 1 if n <= 2 else (n - 1).bit_length()


def _multi_row_sum(x):
    """multi_row_sum over axis 0 (every other axis is an independent lane): 4 levels of accumulators,
    each flushed into the next every 2**level_power additions."""
    size = x.shape[0]
    lanes = x.shape[1:]
    if size == 0:
        return np.zeros(lanes, x.dtype)
    step = 1 << max(4, _ceil_log2(size) // 4)
    nb = size // step
    acc0 = _seq(x[nb * step:])
    if nb == 0:
        return acc0
    b = _seq(x[:nb * step].reshape((nb, step) + lanes), 1)
    n1 = nb // step
    if n1 == 0:  # the upper levels stay 0
        return (acc0 + _seq(b)) + x.dtype.type(0)
    acc1 = _seq(b[n1 * step:])
    c = _seq(b[:n1 * step].reshape((n1, step) + lanes), 1)
    n2 = n1 // step
    acc2 = _seq(c[n2 * step:])
    acc3 = _seq(_seq(c[:n2 * step].reshape((n2, step) + lanes), 1))
    return ((acc0 + acc1) + acc2) + acc3


def _row_sum(x):
    """row_sum over axis 0: the row read as (-1, 4), four cascade sums, the tail, then the four added."""
    size = x.shape[0]
    k = size // 4
    lanes = x.shape[1:]
    if k < 16:  # multi_row_sum's first level only: a running sum
        p = _seq(x[:4 * k].reshape((k, 4) + lanes)) if k else np.zeros((4,) + lanes, x.dtype)
    else:
        p = _multi_row_sum(x[:4 * k].reshape((k, 4) + lanes))
    # p[0] += each tail element, then += p[1], p[2], p[3]: one running sum starting at p[0]
    return _seq(np.concatenate([p[:1], x[4 * k:], p[1:]]))


def _loop(iv):
    """One call of cascade_sum's 2-D loop for every outer index at once: iv is (size0, size1, outer...)
    with dim 0 reduced; returns the sums of each (size1, outer...) row."""
    s0, s1 = iv.shape[:2]
    st0, st1 = iv.strides[:2]
    item = iv.itemsize
    lanes = VEC_BYTES // item
    if st0 == item and s0 >= lanes:  # vectorized_inner_sum
        nv = s0 // lanes
        vec = iv[:nv * lanes].reshape((nv, lanes) + iv.shape[1:])
        # final_acc = 0, += each scalar tail element, += each lane of the vector sum
        return _seq(np.concatenate([iv[nv * lanes:], _row_sum(vec)]))
    if st1 == item and s1 >= lanes:  # vectorized_outer_sum: 4 vectors of columns, then row_sum's
        g = s1 // (4 * lanes) * 4 * lanes
    elif st0 < st1:  # scalar_inner_sum
        return _row_sum(iv)
    else:  # scalar_outer_sum: 4 columns at a time, then row_sum's
        g = s1 // 4 * 4
    if g == s1:
        return _multi_row_sum(iv)
    if g == 0:
        return _row_sum(iv)
    return np.concatenate([_multi_row_sum(iv[:, :g]), _row_sum(iv[:, g:])], axis=0)


def _iteration(a, red):
    """TensorIterator's reorder_dimensions and coalesce_dimensions for (output, input): the shape,
    input and output byte strides and reduced flags, innermost dim first."""
    shape = a.shape
    item = a.itemsize
    ostr, acc = [0] * a.ndim, item
    for d in range(a.ndim - 1, -1, -1):
        if not red[d]:
            ostr[d], acc = acc, acc * shape[d]
    dims = [d for d in range(a.ndim - 1, -1, -1) if shape[d] != 1]
    istr = a.strides

    def should_swap(d0, d1):
        if (ostr[d0] == 0) != (ostr[d1] == 0):
            return 1 if ostr[d1] == 0 else -1
        for st in (ostr, istr):
            s0, s1 = st[d0], st[d1]
            if s0 == 0 or s1 == 0:
                continue
            if s0 < s1:
                return -1
            if s0 > s1:
                return 1
            if shape[d0] > shape[d1]:
                return 1
        return 0

    for i in range(1, len(dims)):
        j = i
        for k in range(i - 1, -1, -1):
            c = should_swap(dims[k], dims[j])
            if c > 0:
                dims[k], dims[j] = dims[j], dims[k]
                j = k
            elif c < 0:
                break
    sh, ist, ost = [], [], []
    for d in dims:
        if sh and sh[-1] * ist[-1] == istr[d] and sh[-1] * ost[-1] == ostr[d]:
            sh[-1] *= shape[d]
        else:
            sh.append(shape[d])
            ist.append(istr[d])
            ost.append(ostr[d])
    return sh, ist, ost


def _run(iv, ov, red):
    """serial_for_each over the whole iteration: iv and ov are the input and output (its non-reduced dims
    only) viewed in iteration order; sums go into ov."""
    if len(red) < 2:
        iv = iv.reshape(iv.shape + (1,) * (2 - len(red)))
        red = list(red) + [True] * (2 - len(red))
    if not red[0] and red[1]:
        iv, red = iv.swapaxes(0, 1), [red[1], red[0]] + red[2:]
    if red[0]:
        r, rred = _loop(iv), red[1:]
    else:  # not a reduction in the 2-D loop: out += in
        r, rred = iv, red
    n = len(rred)
    keep = [i for i in range(n - 1, -1, -1) if not rred[i]]
    gone = [i for i in range(n - 1, -1, -1) if rred[i]]
    r = r.transpose(keep + gone)
    r = r.reshape(r.shape[:len(keep)] + (-1,))
    if len(keep) != ov.ndim:
        raise AssertionError("torch_sum: output view mismatch")
    ov[...] = _seq(r, r.ndim - 1)


def _pieces(shape, begin, end):
    """serial_for_each's 2-D steps over the linear range [begin, end): (start index, size0, size1)."""
    s0 = shape[0]
    s1 = shape[1] if len(shape) > 1 else 1
    pos = begin
    while pos < end:
        i0 = pos % s0
        if i0 or end - pos < s0:
            n0, n1 = min(s0 - i0, end - pos), 1
        else:
            n0, n1 = s0, min(s1 - (pos // s0) % s1, (end - pos) // s0)
        yield pos, n0, n1
        pos += n0 * n1


def _two_pass(iv, sh):
    """at::parallel_reduce into one output: each thread sums its share of the linear iteration into its
    own buffer, then the buffers are summed."""
    n = math.prod(sh)
    nthreads = min(THREADS, -(-n // GRAIN))
    chunk = -(-n // nthreads)
    bufs = []
    for t in range(nthreads):
        parts = []
        for pos, n0, n1 in _pieces(sh, t * chunk, min(n, (t + 1) * chunk)):
            idx = np.unravel_index(pos, sh, order="F")
            sub = iv[(slice(idx[0], idx[0] + n0),) + ((slice(idx[1], idx[1] + n1),) if len(sh) > 1 else ())
                     + tuple(idx[2:])]
            if sub.ndim == 1:
                sub = sub[:, None]
            parts.append(_loop(sub))
        bufs.append(_seq(np.concatenate(parts)))
    return _seq(np.stack(bufs))


def _axis_set(axis, nd):
    """The dims ``axis`` names (an int or a sequence of them, negative ones wrapped), as a set."""
    return {(x + nd if x < 0 else x) for x in ((axis,) if np.ndim(axis) == 0 else axis)}


_PLANS = {}  # (shape, dtype char, axis, keepdims) -> the fast path's callable, or False
_ZEROS = {"f": np.float32(0), "d": np.float64(0)}


def sum_fn(shape, char, axis, keepdims, out=None):
    """The fast path of a C-contiguous float32/float64 input of this shape summed over ``axis``: a callable
    ``a -> torch_sum(a, axis, keepdims)`` (reshaped to ``out`` if given), or None (the general path)."""
    nd = len(shape)
    if char not in _ZEROS:
        return None
    if axis is None:
        axes = set(range(nd))
    else:
        axes = _axis_set(axis, nd)
        if not all(0 <= d < nd for d in axes):
            return None
    if 0 in shape or all(shape[d] == 1 for d in axes):
        return None
    p = _fast.plan(shape, axes)
    if p is None:
        return None
    if out is None:
        out = tuple(1 if d in axes else s for d, s in enumerate(shape)) if keepdims else tuple(
            s for d, s in enumerate(shape) if d not in axes)
    return _fast.compile(p[0], p[1], out, _ZEROS[char])


def torch_sum(a, axis=None, keepdims=False, dtype=None):
    """``a.sum(axis)`` as ``torch.sum`` computes it on the CPU (float32/float64 to the last bit)."""
    if type(a) is not np.ndarray:
        a = np.asarray(a)
    if dtype is not None and np.dtype(dtype) != a.dtype:
        a = a.astype(dtype)
    if a.flags.c_contiguous:
        key = (a.shape, a.dtype.char, axis if type(axis) is not list else tuple(axis), keepdims)
        try:
            p = _PLANS.get(key)
        except TypeError:  # an unhashable axis (an array of dims)
            p = key = None
        if p is None:
            p = sum_fn(a.shape, a.dtype.char, axis, keepdims) or False
            if key is not None:
                if len(_PLANS) > 4096:
                    _PLANS.clear()
                _PLANS[key] = p
        if p:  # its result + 0: ATen's sums start from +0.0 (NumPy's may end in -0.0)
            return p(a)
    elif a.flags.f_contiguous and a.ndim > 1 and a.dtype.char in _ZEROS:
        # TensorIterator orders reduced dims by the input's strides and a lone kept dim needs no order:
        # a transposed array sums as its C-contiguous transpose does, over the mirrored dims
        nd = a.ndim
        if axis is None:
            out = torch_sum(a.T, None, keepdims)
            return out.T if keepdims else out
        axes = _axis_set(axis, nd)
        if all(0 <= d < nd for d in axes) and (nd == 2 or len(axes) == nd):
            out = torch_sum(a.T, tuple(nd - 1 - d for d in axes), keepdims)
            return out.T if type(out) is np.ndarray else out
    dt = a.dtype
    if dt.kind != "f" or dt.itemsize < 4:
        if dt.kind == "f":  # float16: accumulated in float32 (the SIMD order is not emulated)
            return torch_sum(a.astype(np.float32), axis, keepdims).astype(dt)
        return np.add.reduce(a, axis=axis, keepdims=keepdims, dtype=dtype)
    return _general(a, axis, keepdims)


def _general(a, axis, keepdims):
    """Any layout: TensorIterator's iteration built and walked as ATen does."""
    nd = a.ndim
    if axis is None:
        axes = range(nd)
    elif type(axis) is int:
        axes = (axis + nd if axis < 0 else axis,)
    else:
        axes = sorted(_axis_set(axis, nd))
    red = [d in axes for d in range(nd)]
    kept = tuple(1 if red[d] else a.shape[d] for d in range(nd))
    out = np.zeros(kept, a.dtype)
    if a.size and out.size:
        sh, ist, ost = _iteration(a, red)
        rflags = [s == 0 for s in ost]
        iv = as_strided(a, sh, ist, writeable=False)
        nk = [i for i in range(len(sh)) if not rflags[i]]
        ov = as_strided(out, [sh[i] for i in nk[::-1]], [ost[i] for i in nk[::-1]])
        _dispatch(iv, ov, sh, ist, rflags)
    if not keepdims:
        out = out.reshape(tuple(s for d, s in enumerate(a.shape) if not red[d]))
    return out if out.ndim else out[()]


def _dispatch(iv, ov, sh, ist, rflags):
    n = math.prod(sh)
    if n < GRAIN or THREADS == 1:
        return _run(iv, ov, rflags)
    if all(rflags):
        ov[...] = _two_pass(iv, sh)
        return
    # parallel_dim_reduction: split the outermost kept dim (with >= THREADS columns) between threads
    best = len(sh) - 1
    dim = None
    for d in range(len(sh) - 1, -1, -1):
        if rflags[d]:
            break
        if sh[d] >= THREADS:
            dim = d
            break
        if sh[d] > sh[best]:
            best = d
    dim = best if dim is None else dim
    cols = sh[dim]
    nthreads = min(THREADS, cols)
    chunk = -(-cols // nthreads)
    mult = 128 // iv.itemsize if ist[dim] == iv.itemsize else 1
    nk = [i for i in range(len(sh)) if not rflags[i]]
    odim = len(nk) - 1 - nk.index(dim)
    for t in range(nthreads):
        b, e = t * chunk, min(cols, (t + 1) * chunk)
        if b >= e:
            continue
        b -= b % mult
        if e != cols:
            e -= e % mult
        if b == e:
            continue
        isl = [slice(None)] * len(sh)
        isl[dim] = slice(b, e)
        osl = [slice(None)] * ov.ndim
        osl[odim] = slice(b, e)
        _run(iv[tuple(isl)], ov[tuple(osl)], rflags)
