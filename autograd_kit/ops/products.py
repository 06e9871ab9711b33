"""Running products: cumprod. Its gradient is PyTorch's: reversed cumulative sum of g·out divided by the
input where no input is zero, and the product of the other factors where one is."""
import numpy as np

from ..autograd.function import Function
from ._util import norm_dim


class Cumprod(Function):
    formula = "Π_{j≤i} a_j"
    derivatives = ("Σ_{j≥i} g_j · Π_{k≤j, k≠i} a_k",)

    @staticmethod
    def forward(ctx, a, dim, dtype=None):
        d = a._data
        if dtype is None and d.dtype.kind in "biu":
            dtype = np.int64
        ctx.dim = norm_dim(dim, d.ndim)
        ctx.save(self=a)
        return np.cumprod(d, axis=ctx.dim, dtype=dtype) if d.ndim else d.astype(dtype or d.dtype)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        if a.dim() == 0:
            return grad
        dim = ctx.dim
        if not (a._data == 0).any():
            out = a.cumprod(dim)
            return (grad * out).flip(dim).cumsum(dim).flip(dim) / a
        n = a.shape[dim]
        shape = [1] * a.dim()
        shape[dim] = n
        pos = np.arange(n).reshape(shape)
        parts = []
        for i in range(n):  # d out_j / d a_i = product of the other factors up to j, for j >= i
            hole = (pos == i).astype(a._data.dtype)
            others = (a * (1 - hole) + hole).cumprod(dim)
            parts.append((grad * others * (pos >= i).astype(a._data.dtype)).sum(dim, keepdim=True))
        from .. import cat
        return cat(parts, dim)
