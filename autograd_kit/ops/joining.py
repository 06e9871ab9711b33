"""Joining tensors: cat and stack."""
import numpy as np

from ..autograd.function import Function
from ._util import norm_dim, result_dtype, shape_str


class Cat(Function):
    formula = "cat(a, b, …)"
    derivatives = ("1 (its slice)",)

    @staticmethod
    def forward(ctx, *tensors, dim=0):
        arrays = [t._data for t in tensors]
        nd = max(a.ndim for a in arrays)
        if nd == 0:
            raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
        keep = [a for a in arrays if not (a.ndim == 1 and a.shape[0] == 0)] or arrays
        dim = norm_dim(dim, keep[0].ndim)
        ref = keep[0].shape
        for i, a in enumerate(keep):
            if a.ndim != len(ref):
                raise RuntimeError(
                    f"Tensors must have same number of dimensions: got {len(ref)} and {a.ndim}")
            for j, (x, y) in enumerate(zip(ref, a.shape)):
                if j != dim and x != y:
                    raise RuntimeError(
                        f"Sizes of tensors must match except in dimension {dim}. Expected size {x} but got size {y} "
                        f"for tensor number {arrays.index(a) if False else i} in the list.")
        ctx.dim = dim
        ctx.sizes = [a.shape[dim] if a.ndim == len(ref) else 0 for a in arrays]
        ctx.ndims = [a.ndim for a in arrays]
        dt = result_dtype(*tensors)
        return np.concatenate([a.astype(dt, copy=False) for a in keep], axis=dim)

    @staticmethod
    def backward(ctx, grad):
        out, start = [], 0
        for size in ctx.sizes:
            key = (slice(None),) * ctx.dim + (slice(start, start + size),)
            out.append(grad[key])
            start += size
        return tuple(out)


class Stack(Function):
    formula = "stack(a, b, …)"
    derivatives = ("1 (its slice)",)

    @staticmethod
    def forward(ctx, *tensors, dim=0):
        arrays = [t._data for t in tensors]
        for i, a in enumerate(arrays):
            if a.shape != arrays[0].shape:
                raise RuntimeError(
                    f"stack expects each tensor to be equal size, but got {shape_str(arrays[0].shape)} at entry 0 "
                    f"and {shape_str(a.shape)} at entry {i}")
        dim = norm_dim(dim, arrays[0].ndim + 1)
        ctx.dim, ctx.n = dim, len(arrays)
        dt = result_dtype(*tensors)
        return np.stack([a.astype(dt, copy=False) for a in arrays], axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return tuple(grad[(slice(None),) * ctx.dim + (i,)] for i in range(ctx.n))
