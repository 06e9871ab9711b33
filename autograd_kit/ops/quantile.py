"""Lerp with a tensor weight, the op quantile interpolates with (``torch.lerp(start, end, weight)``).

Forward as PyTorch's CPU kernel: ``start + w·(end - start)`` for |w| < 0.5, else ``end + (w - 1)·(end - start)``,
each one fused multiply-add (``vec::fmadd``), so the float32 results round as PyTorch's do and w = 1 gives
``end`` exactly. Backward (LerpBackward1): g·(1 - w) to start, g·w to end, g·(end - start) to the weight.
"""
import numpy as np

from .._fma import fma
from ..autograd.function import Function


def lerp_array(start, end, weight):
    diff = end - start
    small = np.abs(weight) < 0.5
    dtype = np.result_type(start, end, weight)
    out = np.where(small, fma(weight, diff, start, dtype), fma(weight - 1, diff, end, dtype))
    return np.asarray(out, dtype=dtype)


class Lerp(Function):
    backward_name = "LerpBackward1"
    formula = "start + w·(end - start)"
    derivatives = ("1 - w", "w", "end - start")

    @staticmethod
    def forward(ctx, start, end, weight):
        ctx.save(start=start, end=end, weight=weight)
        return lerp_array(start._data, end._data, weight._data)

    @staticmethod
    def backward(ctx, g):
        start, end, weight = ctx.saved_tensors
        need = ctx.needs_input_grad
        return ((g * (1 - weight)) if need[0] else None, (g * weight) if need[1] else None,
                (g * (end - start)) if need[2] else None)


class LerpScalar(Function):
    """``torch.lerp(start, end, 0.3)``: a Python-number weight (PyTorch's LerpBackward0)."""
    backward_name = "LerpBackward0"
    formula = "start + w·(end - start)"
    derivatives = ("1 - w", "w")

    @staticmethod
    def forward(ctx, start, end, weight=0.5):
        ctx.weight = weight
        s, e = start._data, end._data
        dtype = np.result_type(s, e)
        return lerp_array(s, e, np.asarray(weight, dtype=dtype))

    @staticmethod
    def backward(ctx, g):
        w = ctx.weight
        need = ctx.needs_input_grad
        return (g * (1 - w)) if need[0] else None, (g * w) if need[1] else None
