"""Reductions by order: max/min (all and along a dim), amax/amin, sort/topk, and unique."""
import numpy as np

from ..autograd.function import Function
from ..autograd.graph import OUTPUT
from ._util import norm_dim, norm_dims
from .indexing import ScatterAddZeros
from .sums import _unsqueeze_to


class MaxAll(Function):
    """max() over all elements; ties share the gradient evenly, as in PyTorch."""
    backward_name = "MaxBackward1"
    formula = "max(a)"
    derivatives = ("1 at the max, else 0",)
    _np = staticmethod(np.max)

    @classmethod
    def forward(cls, ctx, a):
        if a._data.size == 0:
            raise RuntimeError(f"{cls._np.__name__}(): Expected reduction dim to be specified for input.numel() == 0. "
                               "Specify the reduction dim with the 'dim' argument.")
        ctx.save(self=a, result=OUTPUT)
        return cls._np(a._data)

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        mask = a._data == out._data
        return grad * (mask / mask.sum()).astype(a._data.dtype)


class MinAll(MaxAll):
    backward_name = "MinBackward1"
    formula = "min(a)"
    derivatives = ("1 at the min, else 0",)
    _np = staticmethod(np.min)


class MaxDim(Function):
    """max(dim) -> values (the indices are attached to the context)."""
    backward_name = "MaxBackward0"
    formula = "max(a, dim)"
    derivatives = ("1 at the argmax, else 0",)
    _arg = staticmethod(np.argmax)

    @classmethod
    def forward(cls, ctx, a, dim, keepdim=False):
        d = a._data
        dim = norm_dim(dim, d.ndim)
        idx = np.expand_dims(cls._arg(d, axis=dim), dim) if d.ndim else np.zeros((), dtype=np.int64)
        values = np.take_along_axis(d, idx, axis=dim) if d.ndim else d.copy()
        ctx.dim, ctx.keepdim, ctx.shape, ctx.idx = dim, keepdim, d.shape, idx
        ctx.indices = idx if keepdim or not d.ndim else np.squeeze(idx, dim)
        return values if keepdim or not d.ndim else np.squeeze(values, dim)

    @staticmethod
    def backward(ctx, grad):
        if not ctx.keepdim and len(ctx.shape):
            grad = grad.unsqueeze(ctx.dim)
        if not len(ctx.shape):
            return grad
        return ScatterAddZeros.apply(grad, index=ctx.idx, dim=ctx.dim, shape=ctx.shape)


class MinDim(MaxDim):
    backward_name = "MinBackward0"
    formula = "min(a, dim)"
    derivatives = ("1 at the argmin, else 0",)
    _arg = staticmethod(np.argmin)


class Amax(Function):
    """amax(dim): ties share the gradient evenly (AmaxBackward0)."""
    formula = "max(a, dims)"
    derivatives = ("1/count at the max, else 0",)
    _np = staticmethod(np.max)

    @classmethod
    def forward(cls, ctx, a, dim=(), keepdim=False):
        d = a._data
        dims = norm_dims(dim, d.ndim)
        ctx.dims, ctx.keepdim = dims, keepdim
        ctx.save(self=a, result=OUTPUT)
        return cls._np(d, axis=dims, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        shape = a._data.shape
        mask = a._data == _unsqueeze_to(out, shape, ctx.dims, ctx.keepdim)._data
        scale = mask / np.sum(mask, axis=ctx.dims, keepdims=True)
        return _unsqueeze_to(grad, shape, ctx.dims, ctx.keepdim) * scale.astype(a._data.dtype)


class Amin(Amax):
    formula = "min(a, dims)"
    _np = staticmethod(np.min)


class Sort(Function):
    """sort(): the values (SortBackward0); the indices are kept on the context."""
    formula = "sort(a)"
    derivatives = ("1 at its place in the order",)

    @staticmethod
    def forward(ctx, a, dim=-1, descending=False):
        d = a._data
        dim = norm_dim(dim, d.ndim)
        if not d.ndim:
            ctx.indices, ctx.dim = np.zeros((), np.int64), 0
            return d.copy()
        key = d.astype(np.int8) if d.dtype == np.bool_ else d
        idx = np.argsort(-key if descending else key, axis=dim, kind="stable")
        ctx.dim, ctx.shape, ctx.indices = dim, d.shape, idx.astype(np.int64)
        return np.take_along_axis(d, idx, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        if not grad.dim():
            return grad
        return ScatterAddZeros.apply(grad, index=ctx.indices, dim=ctx.dim, shape=ctx.shape)


class SortStable(Sort):
    backward_name = "SortBackward1"


class Topk(Sort):
    formula = "topk(a, k)"

    @staticmethod
    def forward(ctx, a, k, dim=-1, largest=True):
        d = a._data
        n = d.shape[norm_dim(dim, d.ndim)] if d.ndim else 1
        if not 0 <= k <= n:
            raise RuntimeError("selected index k out of range")
        vals = Sort.forward(ctx, a, dim, descending=largest)
        if not d.ndim:
            return vals
        sl = (slice(None),) * ctx.dim + (slice(0, k),)
        ctx.indices = ctx.indices[sl]
        return vals[sl]


class Unique(Function):
    """torch.unique: recorded (Unique2Backward0), but PyTorch has no derivative for it."""
    backward_name = "Unique2Backward0"
    registered = False  # no derivative, so no gradcheck case
    formula = "unique(a)"
    derivatives = ("not implemented",)

    @staticmethod
    def forward(ctx, a):
        vals, counts = np.unique(a._data, return_counts=True)
        ctx.counts = counts.astype(np.int64)
        return vals

    @staticmethod
    def backward(ctx, grad):
        raise NotImplementedError("the derivative for '_unique2' is not implemented.")
