"""Functions the kit builds from other ops (their gradients follow from those ops):
nan_to_num, roll, trace, dist/cdist, median, index_add (the one new op here), fliplr/flipud, atleast_Nd; and the logical and
counting functions, which have no gradient (logical_and..., count_nonzero, bincount)."""
import builtins
import collections

import numpy as np

from ._tensor import Tensor
from ._functions_math import _t, diagonal, where
from ._functions_reduce import sort
from ._functions_shape import cat, flip, narrow


from .ops.pointwise import addcdiv, addcmul, lerp  # noqa: F401  (ops with their own nodes, PyTorch's rounding)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    info = np.finfo(input._data.dtype) if input._data.dtype.kind == "f" else None
    if info is None:
        return input.clone()
    posinf = float(info.max) if posinf is None else posinf
    neginf = float(info.min) if neginf is None else neginf
    d = input._data
    out = where(_t(np.isnan(d)), nan, input)
    out = where(_t(np.isposinf(d)), posinf, out)
    return where(_t(np.isneginf(d)), neginf, out)


def roll(input, shifts, dims=None):
    """Elements shifted along ``dims`` (wrapping round); without dims, over the flattened tensor."""
    if dims is None:
        return roll(input.flatten(), shifts, 0).view(input.shape)
    shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    out = input
    for s, d in zip(shifts, dims):
        n = out.shape[d]
        s %= n if n else 1
        if s:
            out = cat([narrow(out, d, n - s, s), narrow(out, d, 0, n - s)], dim=d)
    return out


def trace(input):
    if input.dim() != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.dim()}")
    return diagonal(input).sum()


def dist(input, other, p=2):
    return (input - other).norm(p)


def cdist(x1, x2, p=2.0):
    """Pairwise p-norm distances between the rows of x1 (…, P, M) and of x2 (…, R, M)."""
    diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)
    if p == 2:
        return diff.pow(2).sum(-1).sqrt()
    return diff.norm(p, dim=-1)


_median_type = collections.namedtuple("median", ["values", "indices"])
_median_type.__module__ = "torch.return_types"
_median_type.__repr__ = lambda self: f"torch.return_types.median(\nvalues={self.values!r},\nindices={self.indices!r})"


def median(input, dim=None, keepdim=False):
    """The lower median (PyTorch's: of an even count, the smaller middle value)."""
    if dim is None:
        flat = input.flatten()
        return sort(flat).values[(flat.numel() - 1) // 2]
    s = sort(input, dim)
    k = (input.shape[dim] - 1) // 2
    values, indices = s.values.select(dim, k), s.indices.select(dim, k)
    if keepdim:
        values, indices = values.unsqueeze(dim), indices.unsqueeze(dim)
    return _median_type(values, indices)


def index_add(input, dim, index, source, *, alpha=1):
    """``input`` with ``alpha * source[i]`` added at position ``index[i]`` along ``dim`` (repeats add up)."""
    d = dim % builtins.max(input.dim(), 1)
    idx = index._data.reshape([-1 if i == d else 1 for i in range(source.dim())])
    idx = np.broadcast_to(idx, source.shape)
    from .ops.scatter import IndexAdd
    return IndexAdd.apply(input, source * alpha if alpha != 1 else source, dim=d,
                          index=Tensor._make(np.ascontiguousarray(idx)))


def fliplr(input):
    return flip(input, (1,))


def flipud(input):
    return flip(input, (0,))


def atleast_1d(input):
    return input.reshape(1) if input.dim() == 0 else input


def atleast_2d(input):
    return input.reshape(1, -1) if input.dim() < 2 else input


def atleast_3d(input):
    if input.dim() == 0:
        return input.reshape(1, 1, 1)
    if input.dim() == 1:
        return input.reshape(1, -1, 1)
    return input.unsqueeze(-1) if input.dim() == 2 else input


# ---- no gradient: logic and counting ---------------------------------------------------------------
def _logical(np_fn, name):
    def fn(input, other):
        return Tensor._make(np_fn(input._data, _t(other)._data))
    fn.__name__ = fn.__qualname__ = name
    return fn


logical_and = _logical(np.logical_and, "logical_and")
logical_or = _logical(np.logical_or, "logical_or")
logical_xor = _logical(np.logical_xor, "logical_xor")


def logical_not(input):
    return Tensor._make(np.logical_not(input._data))


def count_nonzero(input, dim=None):
    return Tensor._make(np.asarray(np.count_nonzero(input._data, axis=dim), dtype=np.int64))


def bincount(input, weights=None, minlength=0):
    if input._data.ndim != 1 or input._data.dtype.kind not in "iu":
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    w = None if weights is None else weights._data
    out = np.bincount(input._data, weights=w, minlength=minlength)
    return Tensor._make(out.astype(np.int64) if w is None else out.astype(w.dtype if w.dtype.kind == "f" else np.float64))
