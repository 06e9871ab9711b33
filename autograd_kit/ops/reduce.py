"""Reductions (sum, mean, max, min), softmax and log_softmax, and the engine's sum_to_size."""
import numpy as np

from ..autograd.function import Function
from ..autograd.graph import OUTPUT
from ._util import norm_dim, norm_dims, result_dtype

Tensor = None  # bound by autograd_kit._tensor


def _kept_shape(shape, dims):
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


class Sum(Function):
    formula = "Σ a"
    derivatives = ("1",)

    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False, dtype=None):
        d = a._data
        dims = norm_dims(dim, d.ndim)
        ctx.shape, ctx.dims = d.shape, dims
        if dtype is None and d.dtype.kind in "biu":
            dtype = np.int64
        return np.sum(d, axis=dims, keepdims=keepdim, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        if grad.dim() == 0 or len(ctx.dims) == 0:
            return grad.expand(ctx.shape)
        return grad.reshape(_kept_shape(ctx.shape, ctx.dims)).expand(ctx.shape)


class SumDim(Sum):
    backward_name = "SumBackward1"


class Mean(Function):
    formula = "mean(a)"
    derivatives = ("1/n",)

    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False, dtype=None):
        d = a._data
        if dtype is None and d.dtype.kind not in "fc":
            raise RuntimeError(
                "mean(): could not infer output dtype. Input dtype must be either a floating point or "
                f"complex dtype. Got: {_torch_name(d.dtype)}")
        dims = norm_dims(dim, d.ndim)
        ctx.shape, ctx.dims = d.shape, dims
        ctx.n = int(np.prod([d.shape[i] for i in dims])) if dims else 1
        return np.mean(d, axis=dims, keepdims=keepdim, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(_kept_shape(ctx.shape, ctx.dims)).expand(ctx.shape) / ctx.n


class MeanDim(Mean):
    backward_name = "MeanBackward1"


class Var(Function):
    formula = "Σ(a - mean)² / (n - c)"
    derivatives = ("2(a - mean)/(n - c)",)

    @staticmethod
    def forward(ctx, a, dim=None, correction=1, keepdim=False):
        d = a._data
        dims = norm_dims(dim, d.ndim)
        n = int(np.prod([d.shape[i] for i in dims])) if dims else 1
        ctx.dims, ctx.shape, ctx.keepdim, ctx.denom = dims, d.shape, keepdim, max(n - correction, 0)
        ctx.save(self=a)
        return np.var(d, axis=dims, ddof=correction, keepdims=keepdim) if ctx.denom else \
            np.full(np.sum(d, axis=dims, keepdims=keepdim).shape, np.nan, dtype=d.dtype)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        g = grad if ctx.keepdim else grad.reshape(_kept_shape(ctx.shape, ctx.dims))
        return g * (2.0 / ctx.denom) * (a - a.mean(dim=ctx.dims, keepdim=True))


class Std(Var):
    formula = "√var(a)"
    derivatives = ("(a - mean)/((n - c)·std)",)

    @staticmethod
    def forward(ctx, a, dim=None, correction=1, keepdim=False):
        out = np.sqrt(Var.forward(ctx, a, dim, correction, keepdim))
        ctx.save(self=a, result=OUTPUT)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        if not ctx.keepdim:
            grad = grad.reshape(_kept_shape(ctx.shape, ctx.dims))
            out = out.reshape(_kept_shape(ctx.shape, ctx.dims))
        out = out.masked_fill(out == 0, float("inf"))  # zero spread: gradient 0, as PyTorch
        return grad * (a - a.mean(dim=ctx.dims, keepdim=True)) / (out * ctx.denom)


def _torch_name(np_dtype):
    return {"float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int",
            "bool": "Bool", "int16": "Short", "int8": "Char", "uint8": "Byte", "float16": "Half"}[np_dtype.name]


class SumToSize(Function):
    """Sum a broadcast gradient back to an input's shape (used once, by the engine)."""
    formula = "sum_to_size(a)"
    derivatives = ("1",)

    @staticmethod
    def forward(ctx, a, shape):
        d = a._data
        ctx.shape = d.shape
        lead = d.ndim - len(shape)
        axes = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape) if s == 1 and d.shape[i + lead] != 1)
        out = np.sum(d, axis=axes, keepdims=True) if axes else d
        return out.reshape(shape) if lead or out.shape != tuple(shape) else out

    @staticmethod
    def backward(ctx, grad):
        return grad.expand(ctx.shape)


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


def _softmax_np(x, dim):
    m = np.max(x, axis=dim, keepdims=True)
    e = np.exp(x - m)
    e /= np.sum(e, axis=dim, keepdims=True)
    return e


class Softmax(Function):
    formula = "softmax(a)"
    derivatives = ("s·(δ - s)",)

    @staticmethod
    def forward(ctx, a, dim):
        d = a._data
        if d.dtype.kind != "f":
            d = d.astype(result_dtype(a, 1.0))
        ctx.dim = norm_dim(dim, d.ndim)
        ctx.save(result=OUTPUT)
        return _softmax_np(d, ctx.dim) if d.ndim else np.ones_like(d)

    @staticmethod
    def backward(ctx, grad):
        (s,) = ctx.saved_tensors
        if s.dim() == 0:
            return grad * 0
        return s * (grad - (grad * s).sum(ctx.dim, keepdim=True))


class LogSoftmax(Function):
    formula = "log_softmax(a)"
    derivatives = ("δ - softmax(a)",)

    @staticmethod
    def forward(ctx, a, dim):
        d = a._data
        if d.dtype.kind != "f":
            d = d.astype(result_dtype(a, 1.0))
        ctx.dim = norm_dim(dim, d.ndim)
        ctx.save(result=OUTPUT)
        if d.ndim == 0:
            return np.zeros_like(d)
        m = np.max(d, axis=ctx.dim, keepdims=True)
        shifted = d - m
        return shifted - np.log(np.sum(np.exp(shifted), axis=ctx.dim, keepdims=True))

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        if out.dim() == 0:
            return grad * 0
        return grad - out.exp() * grad.sum(ctx.dim, keepdim=True)
