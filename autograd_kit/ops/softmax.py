"""softmax, log_softmax and logsumexp."""
import numpy as np

from ..autograd.function import Function
from ..autograd.graph import OUTPUT
from ._util import norm_dim, norm_dims, result_dtype
from .sums import _unsqueeze_to


def _softmax_np(x, dim):
    # PyTorch's kernel: e = exp(x - max), then e * (1 / sum)
    m = np.max(x, axis=dim, keepdims=True)
    e = np.exp(x - m)
    return e * (1 / np.sum(e, axis=dim, keepdims=True))


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


class Logsumexp(Function):
    formula = "ln Σ eᵃ"
    derivatives = ("softmax(a)",)

    @staticmethod
    def forward(ctx, a, dim, keepdim=False):
        d = a._data
        if d.dtype.kind != "f":
            d = d.astype(result_dtype(a, 1.0))
        dims = norm_dims(dim, d.ndim)
        ctx.dims, ctx.keepdim = dims, keepdim
        ctx.save(self=a, result=OUTPUT)
        if not d.ndim:
            return d.copy()
        m = np.max(d, axis=dims, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)
        out = np.log(np.sum(np.exp(d - m), axis=dims, keepdims=True)) + m
        return out if keepdim else np.squeeze(out, dims)

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        shape = a._data.shape
        out = _unsqueeze_to(out, shape, ctx.dims, ctx.keepdim)
        return _unsqueeze_to(grad, shape, ctx.dims, ctx.keepdim) * (a - out).exp()
