"""scatter / scatter_add: write (or add) values into a tensor at indices along a dimension (one-hot targets,
histograms). The gradient flows to the kept entries of the input and, gathered, to the source."""
import numpy as np

from ..autograd.function import Function
from ._util import norm_dim


def _positions(index, dim):
    grids = list(np.indices(index.shape, sparse=True))
    grids[dim] = index
    return tuple(grids)


def _index_array(index):
    arr = index._data if hasattr(index, "_data") else np.asarray(index)
    if arr.dtype not in (np.int64, np.int32):
        raise RuntimeError("scatter(): Expected dtype int32/int64 for index")
    return arr.reshape((1,)) if arr.ndim == 0 else arr  # a 0-d index is one position (the one-hot idiom)


def _source(src, index, dtype):
    s = src._data if hasattr(src, "_data") else np.asarray(src)
    return s[tuple(slice(0, n) for n in index.shape)].astype(dtype, copy=False) if s.ndim else \
        np.broadcast_to(np.asarray(s, dtype), index.shape)


class Scatter(Function):
    """out = a with out[index[i][j]][j] = src[i][j] (dim 0), src a tensor."""
    formula = "a with src written at index"
    derivatives = ("g with 0 at index", "g gathered at index")

    @staticmethod
    def forward(ctx, a, src, dim, index):
        d = norm_dim(dim, a._data.ndim)
        idx = _index_array(index)
        ctx.dim, ctx.idx = d, idx
        out = a._data.copy()
        out[_positions(idx, d)] = _source(src, idx, out.dtype)
        return out

    @staticmethod
    def backward(ctx, grad):
        return (ScatterValue.apply(grad, dim=ctx.dim, index=ctx.idx, value=0),
                grad.gather(ctx.dim, _as_tensor(ctx.idx)))


class ScatterValue(Function):
    """out = a with out[index] = value (a number)."""
    backward_name = "ScatterBackward1"
    formula = "a with value written at index"
    derivatives = ("g with 0 at index",)

    @staticmethod
    def forward(ctx, a, dim, index, value):
        d = norm_dim(dim, a._data.ndim)
        idx = _index_array(index)
        ctx.dim, ctx.idx = d, idx
        out = a._data.copy()
        out[_positions(idx, d)] = value
        return out

    @staticmethod
    def backward(ctx, grad):
        return ScatterValue.apply(grad, dim=ctx.dim, index=ctx.idx, value=0)


class ScatterAdd(Function):
    """out = a with src added at index (repeated indices add up)."""
    formula = "a + src added at index"
    derivatives = ("g", "g gathered at index")

    @staticmethod
    def forward(ctx, a, src, dim, index):
        d = norm_dim(dim, a._data.ndim)
        idx = _index_array(index)
        ctx.dim, ctx.idx = d, idx
        out = a._data.copy()
        np.add.at(out, _positions(idx, d), _source(src, idx, out.dtype))
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad, grad.gather(ctx.dim, _as_tensor(ctx.idx))


def _as_tensor(idx):
    from .. import _tensor
    return _tensor.Tensor._make(idx)


class IndexAdd(ScatterAdd):
    """index_add: ScatterAdd with the index spread over the source's other dimensions (IndexAddBackward0)."""
    backward_name = "IndexAddBackward0"
    formula = "a + src rows added at index"
