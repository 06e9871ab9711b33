"""Small helpers shared by the ops: type promotion as PyTorch does it, and argument checks."""
import numpy as np

from .._dtype import get_default_dtype
from ..autograd import graph

_BOOL, _INT, _FLOAT = 0, 1, 2


def _category(np_dtype):
    k = np_dtype.kind
    return _FLOAT if k in "fc" else (_BOOL if k == "b" else _INT)


def result_dtype(*operands):
    """PyTorch's promotion: dimensioned tensors > 0-d tensors > Python numbers, by category."""
    Tensor = graph.Tensor
    if len(operands) == 2:  # fast path: a float tensor with a Python number or a tensor of its own dtype
        a, b = operands
        if type(b) is Tensor and type(a) is not Tensor:
            a, b = b, a
        if type(a) is Tensor and a._data.dtype.kind == "f":
            tb = type(b)
            if tb is float or tb is int or tb is bool or (tb is Tensor and b._data.dtype == a._data.dtype):
                return a._data.dtype
    best_cat = -1
    groups = ([], [], [])  # python numbers, 0-d tensors, dimensioned tensors
    for x in operands:
        if isinstance(x, Tensor):
            d = x._data.dtype
            prio = 2 if x._data.ndim else 1
            cat = _category(d)
        elif isinstance(x, (bool, np.bool_)):
            d, prio, cat = None, 0, _BOOL
        elif isinstance(x, (int, np.integer)):
            d, prio, cat = None, 0, _INT
        elif isinstance(x, (float, np.floating)):
            d, prio, cat = None, 0, _FLOAT
        else:
            continue
        best_cat = max(best_cat, cat)
        groups[prio].append((cat, d))
    for prio in (2, 1):
        dts = [d for c, d in groups[prio] if c == best_cat]
        if dts:
            return dts[0] if len(dts) == 1 else np.result_type(*dts)
    if best_cat == _FLOAT:
        return get_default_dtype().np
    return np.dtype(np.int64) if best_cat == _INT else np.dtype(np.bool_)


def data(x):
    """The NumPy value of an operand (Tensor or Python number)."""
    return x._data if isinstance(x, graph.Tensor) else x


def shape_str(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


def broadcast_error(a_shape, b_shape):
    """PyTorch's broadcast error, plus a hint that names both shapes."""
    n = max(len(a_shape), len(b_shape))
    pa = (1,) * (n - len(a_shape)) + tuple(a_shape)
    pb = (1,) * (n - len(b_shape)) + tuple(b_shape)
    for i in range(n - 1, -1, -1):
        if pa[i] != pb[i] and pa[i] != 1 and pb[i] != 1:
            return RuntimeError(
                f"The size of tensor a ({pa[i]}) must match the size of tensor b ({pb[i]}) at "
                f"non-singleton dimension {i}\nHint: shapes {shape_str(a_shape)} and {shape_str(b_shape)} "
                "cannot be broadcast: line them up from the right; each pair of sizes must be equal or one of them 1."
            )
    return RuntimeError(f"shapes {shape_str(a_shape)} and {shape_str(b_shape)} cannot be broadcast")


def inplace_shape_error(out_shape, other_shape):
    """In-place ops cannot grow self: PyTorch's error when the broadcast shape is not self's (else None)."""
    try:
        full = np.broadcast_shapes(out_shape, other_shape)
    except ValueError:
        return None
    return RuntimeError(f"output with shape {shape_str(out_shape)} doesn't match the broadcast shape {shape_str(full)}")


def shape_of(x):
    return x._data.shape if isinstance(x, graph.Tensor) else ()


def norm_dim(dim, ndim):
    """Wrap a possibly negative dim, with PyTorch's IndexError when out of range."""
    if type(dim) is int and 0 <= dim < ndim:  # already a valid non-negative dim: the common case
        return dim
    lo, hi = (-ndim, ndim - 1) if ndim else (-1, 0)
    if not lo <= dim <= hi:
        raise IndexError(f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {dim})")
    return dim % ndim if ndim else 0


def norm_dims(dim, ndim):
    """dim=None -> all axes; int or tuple -> sorted tuple of non-negative axes."""
    if dim is None:
        return tuple(range(ndim))
    if ndim == 0:  # a 0-d tensor accepts dim 0 or -1 and has nothing to reduce
        for d in dim if isinstance(dim, (list, tuple)) else (dim,):
            norm_dim(d, 0)
        return ()
    if isinstance(dim, (list, tuple)):
        if len(dim) == 0:
            return tuple(range(ndim))
        return tuple(sorted(norm_dim(d, ndim) for d in dim))
    return (norm_dim(dim, ndim),)


# ---- arange / linspace values as PyTorch's CPU kernels compute them (AVX2 lanes, 2 vectors a step) ----

def _lanes(dt):
    return 32 // dt.itemsize


def arange_values(start, step, n, dt):
    """start + i*step in double, but each 8-lane (float32) block starts from a value rounded to dt, and
    the tail after the last 2-vector block is computed element by element: PyTorch's exact results."""
    i = np.arange(n)
    lanes = _lanes(dt)
    base = (i // lanes) * lanes
    block = (start + step * base).astype(dt).astype(np.float64) + step * (i - base)
    single = start + step * i
    return np.where(i < (n // (2 * lanes)) * 2 * lanes, block, single).astype(dt)


def linspace_values(start, end, steps, dt):
    """PyTorch's float linspace: step in dt, start + step*i up to halfway and end - step*(steps-1-i)
    after it, each a fused multiply-add (emulated in a wider type) rounded once to dt."""
    T = dt.type
    start, end = T(start), T(end)
    if steps == 1:
        return np.array([start], dt)
    step = (end - start) / T(steps - 1)
    wide = np.float64 if dt.itemsize < 8 else np.longdouble
    i = np.arange(steps)
    up = wide(step) * i + wide(start)
    down = wide(end) - wide(step) * (steps - 1 - i)
    return np.where(i < steps // 2, up, down).astype(dt)
