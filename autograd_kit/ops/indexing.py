"""Indexing (get and set), select/slice/split/unbind views, index_select, and gather/scatter_add."""
import numpy as np

from ..autograd.function import Function
from ._util import norm_dim, shape_str
from .views import Alias, Unsqueeze

Tensor = None  # bound by autograd_kit._tensor


# ---- indexing ----------------------------------------------------------------------------

def normalize_key(key):
    """Turn a user index into a NumPy index (tensors -> arrays); tell whether it is advanced."""
    if not isinstance(key, tuple):
        key = (key,)
    out = []
    advanced = False
    for k in key:
        if isinstance(k, Tensor):
            k = k._data
            if k.ndim == 0 and k.dtype.kind in "iu":
                k = int(k)
            else:
                advanced = True
        elif isinstance(k, (list,)):
            k = np.asarray(k)
            if k.dtype.kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            advanced = True
        elif isinstance(k, np.ndarray):
            advanced = True
        elif isinstance(k, float):
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices (got float)")
        if isinstance(k, np.ndarray) and k.dtype.kind == "f":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        out.append(k)
    return tuple(out), advanced


def _index_error(e, shape=None, key=()):
    """NumPy's IndexError in PyTorch's words (a boolean mask of the wrong shape is named as PyTorch does)."""
    dim = 0
    for k in key:
        if isinstance(k, np.ndarray) and k.dtype == np.bool_:
            for j, n in enumerate(k.shape):
                if dim + j >= len(shape) or shape[dim + j] != n:
                    return IndexError(f"The shape of the mask {shape_str(k.shape)} at index {j} does not match the "
                                      f"shape of the indexed tensor {shape_str(shape)} at index {dim + j}")
            dim += k.ndim
        elif k is not None and k is not Ellipsis:
            dim += 1
    return IndexError(str(e).replace("axis", "dimension"))


class Index(Function):
    """Advanced indexing (integer index tensors, boolean masks): a copy; repeated indices add up."""
    formula = "a[index]"
    derivatives = ("1 at the picked places (added up if picked twice)",)

    @staticmethod
    def forward(ctx, a, key):
        ctx.key, ctx.shape = key, a._data.shape
        try:
            return a._data[key]
        except IndexError as e:
            raise _index_error(e, a._data.shape, key) from None

    @staticmethod
    def backward(ctx, grad):
        return IndexAddZeros.apply(grad, key=ctx.key, shape=ctx.shape, accumulate=True)


class Select(Function):
    """a.select(dim, i) and ``a[i]`` on one dimension: a view."""
    formula = "a[i]"
    derivatives = ("1 at i",)
    is_view = True

    @staticmethod
    def forward(ctx, a, dim, index):
        d = a._data
        ctx.key, ctx.shape = (slice(None),) * dim + (index,), d.shape
        try:
            return d[ctx.key + (Ellipsis,)]  # Ellipsis keeps a 0-d result a view, not a NumPy scalar
        except IndexError:
            raise IndexError(f"index {index} is out of bounds for dimension {dim} with size {d.shape[dim]}") from None

    @staticmethod
    def backward(ctx, grad):
        return IndexAddZeros.apply(grad, key=ctx.key, shape=ctx.shape, accumulate=False)


class Slice(Select):
    """``a[start:stop:step]`` on one dimension: a view."""
    formula = "a[start:stop]"
    derivatives = ("1 in the slice",)

    @staticmethod
    def forward(ctx, a, dim, index):
        if index.step is not None and index.step <= 0:
            raise ValueError("step must be greater than zero")
        ctx.key, ctx.shape = (slice(None),) * dim + (index,), a._data.shape
        return a._data[ctx.key]


class Split(Select):
    """One piece of split/chunk (SplitBackward0): a view of a slice of dim."""
    formula = "split(a)[i]"
    derivatives = ("1 in the piece",)

    @staticmethod
    def forward(ctx, a, dim, start, length):
        return Slice.forward(ctx, a, dim, slice(start, start + length))


class SplitWithSizes(Split):
    pass


class Unbind(Select):
    formula = "unbind(a)[i]"


class IndexAddZeros(Function):
    """zeros(shape) with grad put (or added, for repeated indices) at key: the backward of indexing."""
    backward_name = "IndexPutBackward0"
    formula = "zeros[index] += a"
    derivatives = ("a[index]",)

    @staticmethod
    def forward(ctx, a, key, shape, accumulate):
        ctx.key = key
        out = np.zeros(shape, dtype=a._data.dtype)
        if accumulate:
            np.add.at(out, key, a._data)
        else:
            out[key] = a._data
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad[ctx.key]


class CopySlices(Function):
    backward_name = "CopySlices"
    """base[key] = value, recorded as PyTorch does for an in-place write into part of a tensor."""
    formula = "a with a[index] = b"
    derivatives = ("1 outside index, 0 inside", "1 (summed to b's shape)")

    @staticmethod
    def forward(ctx, base, value, key):
        ctx.key = key
        out = base._data.copy()
        v = value._data if isinstance(value, Tensor) else value
        try:
            out[key] = v
        except IndexError as e:
            raise _index_error(e) from None
        except ValueError:
            raise setitem_shape_error(np.empty(base._data.shape)[key].shape, np.shape(v)) from None
        return out

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        gb = CopySlices.apply(grad, 0.0, key=ctx.key) if need[0] else None
        gv = grad[ctx.key] if need[1] else None
        return gb, gv


def setitem_shape_error(target, vshape):
    """PyTorch's message when a value cannot be broadcast into an indexed region."""
    n = len(target)
    if len(vshape) > n:
        return RuntimeError(f"expand(torch.FloatTensor{{{shape_str(vshape)}}}, size={shape_str(target)}): the number "
                            f"of sizes provided ({n}) must be greater or equal to the number of dimensions in the tensor ({len(vshape)})")
    pv = (1,) * (n - len(vshape)) + tuple(vshape)
    for i in range(n):
        if pv[i] != target[i] and pv[i] != 1:
            return RuntimeError(
                f"The expanded size of the tensor ({target[i]}) must match the existing size ({pv[i]}) at non-singleton "
                f"dimension {i}.  Target sizes: {shape_str(target)}.  Tensor sizes: {shape_str(vshape)}")
    return RuntimeError(f"cannot broadcast {shape_str(vshape)} to {shape_str(target)}")


def getitem(a, key):
    """Basic indexing is recorded as PyTorch records it: one select/slice/unsqueeze per index, left to
    right (``x[0, :2]`` is SliceBackward0 after SelectBackward0); advanced indexing is one Index op."""
    if type(key) is int and a._data.ndim:  # x[i]: the common case, one select on dim 0
        size = a._data.shape[0]
        if not -size <= key < size:
            raise IndexError(f"index {key} is out of bounds for dimension 0 with size {size}")
        return Select.apply(a, dim=0, index=key)
    single = not isinstance(key, tuple)
    key, advanced = normalize_key(key)
    nd = a._data.ndim
    consumed = sum(1 for k in key if k is not None and k is not Ellipsis)
    if consumed > nd:
        if nd == 0 and single and isinstance(key[0], slice):
            raise IndexError("slice() cannot be applied to a 0-dim tensor.")
        if nd == 0 and single and not advanced:
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` "
                             "in C++ to convert a 0-dim tensor to a number")
        raise IndexError(f"too many indices for tensor of dimension {nd}")
    if advanced:
        return Index.apply(a, key=key)
    out, dim = a, 0
    for k in key:
        if k is None:
            out = Unsqueeze.apply(out, dim=dim)
            dim += 1
        elif k is Ellipsis:
            dim += nd - consumed
        elif isinstance(k, slice):
            size = out._data.shape[dim]
            if single or k.indices(size) != (0, size, 1) or (k.step is not None and k.step <= 0):
                out = Slice.apply(out, dim=dim, index=k)
            dim += 1
        else:
            size = out._data.shape[dim]
            if not -size <= k < size:
                raise IndexError(f"index {k} is out of bounds for dimension {dim} with size {size}")
            out = Select.apply(out, dim=dim, index=k)
    return Alias.apply(a) if out is a else out


class IndexSelect(Function):
    formula = "a[..., index, ...]"
    derivatives = ("1 at index (added up if picked twice)",)

    @staticmethod
    def forward(ctx, a, dim, index):
        idx = index._data
        if idx.ndim > 1:
            raise IndexError("index_select(): Index is supposed to be a vector")
        if idx.dtype.kind not in "iu":
            raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
        d = a._data
        dim = norm_dim(dim, d.ndim)
        ctx.key, ctx.shape = (slice(None),) * dim + (idx.reshape(-1),), d.shape
        return np.take(d, idx.reshape(-1), axis=dim) if d.ndim else d[idx.reshape(())]

    @staticmethod
    def backward(ctx, grad):
        return IndexAddZeros.apply(grad, key=ctx.key, shape=ctx.shape, accumulate=True)


class Gather(Function):
    formula = "gather(a, dim, index)"
    derivatives = ("1 at index, else 0",)

    @staticmethod
    def forward(ctx, a, dim, index):
        dim = norm_dim(dim, a._data.ndim)
        idx = index._data if isinstance(index, Tensor) else np.asarray(index)
        ctx.dim, ctx.idx, ctx.shape = dim, idx, a._data.shape
        return np.take_along_axis(a._data, idx, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return ScatterAddZeros.apply(grad, index=ctx.idx, dim=ctx.dim, shape=ctx.shape)


class ScatterAddZeros(Function):
    """zeros(shape).scatter_add(dim, index, a): the backward of gather and of max(dim)."""
    backward_name = "ScatterAddBackward0"
    formula = "scatter_add(0, dim, index, a)"
    derivatives = ("gather at index",)

    @staticmethod
    def forward(ctx, a, index, dim, shape):
        ctx.dim, ctx.idx = dim, index
        out = np.zeros(shape, dtype=a._data.dtype)
        grids = list(np.indices(index.shape, sparse=True))
        grids[dim] = index
        np.add.at(out, tuple(grids), a._data)
        return out

    @staticmethod
    def backward(ctx, grad):
        return Gather.apply(grad, dim=ctx.dim, index=ctx.idx)
