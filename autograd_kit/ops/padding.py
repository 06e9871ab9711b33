"""F.pad: constant (ConstantPadNdBackward0), reflect, replicate and circular padding.

Constant padding's backward is constant padding by the negated amounts (a crop), as in PyTorch.
The other modes read every output element from some input element: ``x[..., rows[:, None], cols]``
with index arrays per padded dim. Their backward adds each gradient back onto the element it was read
from (an index scatter, whose own backward is the same read again).
"""
import numpy as np

from ..autograd.function import Function


class ConstantPadNd(Function):
    formula = "pad(a, value)"
    derivatives = ("crop(g)",)

    @staticmethod
    def forward(ctx, a, pad, value=0.0):
        x = a._data
        ctx.pad = pad
        widths = [(0, 0)] * x.ndim
        key = [slice(None)] * x.ndim
        for i in range(len(pad) // 2):
            dim = x.ndim - 1 - i
            lo, hi = pad[2 * i], pad[2 * i + 1]
            widths[dim] = (max(lo, 0), max(hi, 0))
            key[dim] = slice(-lo if lo < 0 else None, hi if hi < 0 else None)
        x = x[tuple(key)]
        if any(w != (0, 0) for w in widths):
            x = np.pad(x, widths, constant_values=value)
        return np.array(x, copy=True)

    @staticmethod
    def backward(ctx, grad):
        return ConstantPadNd.apply(grad, pad=tuple(-p for p in ctx.pad), value=0.0)


def pad_indices(size, lo, hi, mode):
    """For each position of the padded dim, the input position it reads."""
    i = np.arange(-lo, size + hi)
    if mode == "reflect":
        period = 2 * (size - 1)
        i = np.abs(i) % period if period else np.zeros_like(i)
        return np.where(i >= size, period - i, i)
    if mode == "replicate":
        return np.clip(i, 0, size - 1)
    return i % size  # circular


class _IndexPad(Function):
    """Padding that copies input elements (reflect / replicate / circular)."""
    registered = False
    formula = "a[..., rows, cols]"
    derivatives = ("g added back where each element was read",)
    mode = None

    @classmethod
    def forward(cls, ctx, a, pad):
        x = a._data
        k = len(pad) // 2
        idx = [pad_indices(x.shape[x.ndim - 1 - i], pad[2 * i], pad[2 * i + 1], cls.mode) for i in range(k)][::-1]
        ctx.key = (Ellipsis,) + np.ix_(*idx)
        ctx.shape = x.shape
        return x[ctx.key]

    @staticmethod
    def backward(ctx, grad):
        return IndexPadBackward.apply(grad, key=ctx.key, shape=ctx.shape)


class IndexPadBackward(Function):
    """zeros(shape) with each gradient added onto the element its output was read from."""
    formula = "Σ g at the elements read"
    derivatives = ("read again",)

    @staticmethod
    def forward(ctx, grad, key, shape):
        ctx.key = key
        out = np.zeros(shape, dtype=grad._data.dtype)
        np.add.at(out, key, grad._data)
        return out

    @staticmethod
    def backward(ctx, gg):
        return IndexPadRead.apply(gg, key=ctx.key)


class IndexPadRead(Function):
    """``a[key]`` with the key of a padding: the double backward of reflect/replicate/circular."""
    formula = "a[..., rows, cols]"
    derivatives = ("g added back where each element was read",)

    @staticmethod
    def forward(ctx, a, key):
        ctx.key, ctx.shape = key, a._data.shape
        return a._data[key]

    @staticmethod
    def backward(ctx, grad):
        return IndexPadBackward.apply(grad, key=ctx.key, shape=ctx.shape)


class ReflectionPad1D(_IndexPad):
    mode = "reflect"


class ReflectionPad2D(_IndexPad):
    mode = "reflect"


class ReflectionPad3D(_IndexPad):
    mode = "reflect"


class ReplicationPad1D(_IndexPad):
    mode = "replicate"


class ReplicationPad2D(_IndexPad):
    mode = "replicate"


class ReplicationPad3D(_IndexPad):
    mode = "replicate"


class CircularPad(_IndexPad):
    """PyTorch builds circular padding from slice copies, so its node is CopySlices."""
    backward_name = "CopySlices"
    mode = "circular"
