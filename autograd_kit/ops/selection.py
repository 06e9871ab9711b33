"""Elementwise selection: clamp (number and tensor bounds), where, maximum/minimum, masked_fill.

Each op's forward (NumPy) and backward (tensor ops, so create_graph works) sit side by side.
Broadcasting is undone by the engine, not here.
"""
import numpy as np

from ..autograd.function import Function
from ._util import broadcast_error, data, result_dtype, shape_of
from .arithmetic import _binary, _fix_dtype

Tensor = None  # bound by autograd_kit._tensor


class Clamp(Function):
    backward_name = "ClampBackward1"
    formula = "clamp(a, min, max)"
    derivatives = ("1 if min ≤ a ≤ max else 0",)

    @staticmethod
    def forward(ctx, a, min=None, max=None):
        if min is None and max is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        ctx.save(self=a)
        ctx.min, ctx.max = min, max
        out = np.clip(a._data, min, max)
        if out.dtype != a._data.dtype:
            out = out.astype(result_dtype(a, *(v for v in (min, max) if v is not None)))
        return out

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        mask = np.ones(a._data.shape, dtype=bool)
        if ctx.min is not None:
            mask &= a._data >= ctx.min
        if ctx.max is not None:
            mask &= a._data <= ctx.max
        return grad * mask


class Where(Function):
    formula = "where(cond, a, b)"
    derivatives = ("0", "1 where cond", "1 where not cond")

    @staticmethod
    def forward(ctx, cond, a, b):
        c = cond._data if isinstance(cond, Tensor) else np.asarray(cond)
        if c.dtype != np.bool_:
            raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype {_dtname(c)}")
        ctx.save(condition=cond if isinstance(cond, Tensor) else Tensor._make(c))
        try:
            out = np.where(c, data(a), data(b))
        except ValueError:
            raise _broadcast_error3(c.shape, shape_of(a), shape_of(b)) from None
        return _fix_dtype(np.asarray(out), a, b)

    @staticmethod
    def backward(ctx, grad):
        (cond,) = ctx.saved_tensors
        c = cond._data
        need = ctx.needs_input_grad
        return (None,
                grad * c if need[1] else None,
                grad * ~c if need[2] else None)


def _broadcast_error3(*shapes):
    """PyTorch broadcasts operands left to right: the first pair that fails is named."""
    cur = shapes[0]
    for sh in shapes[1:]:
        try:
            cur = np.broadcast_shapes(cur, sh)
        except ValueError:
            return broadcast_error(cur, sh)
    return broadcast_error(shapes[0], shapes[-1])


class Maximum(Function):
    """maximum(a, b); at ties each side gets half the gradient, as in PyTorch."""
    formula = "max(a, b)"
    derivatives = ("1 where a > b, ½ at ties", "1 where b > a, ½ at ties")
    _np = staticmethod(np.maximum)
    _sign = 1

    @classmethod
    def forward(cls, ctx, a, b):
        ctx.save(self=a, other=b)
        return _binary(cls._np, a, b)

    @classmethod
    def backward(cls, ctx, grad):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        da, db = a._data, b._data
        dt = grad._data.dtype
        tie = np.where(da == db, 0.5, 1.0)
        wins = (da < db) if cls._sign > 0 else (da > db)
        loses = (da > db) if cls._sign > 0 else (da < db)
        return (grad * np.where(wins, 0, tie).astype(dt) if need[0] else None,
                grad * np.where(loses, 0, tie).astype(dt) if need[1] else None)


class Minimum(Maximum):
    formula = "min(a, b)"
    derivatives = ("1 where a < b, ½ at ties", "1 where b < a, ½ at ties")
    _np = staticmethod(np.minimum)
    _sign = -1


class MaskedFill(Function):
    """a with value where mask is True (value a number: MaskedFillBackward0)."""
    formula = "a, value where mask"
    derivatives = ("1 where not mask",)

    @staticmethod
    def forward(ctx, a, mask, value):
        m = mask._data
        if m.dtype != np.bool_:
            from .._tensor import dtype_word
            raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype {dtype_word(m.dtype)}")
        ctx.save(mask=mask)
        v = np.asarray(data(value)).astype(a._data.dtype)
        try:
            return np.where(m, v, a._data)
        except ValueError:
            raise broadcast_error(a._data.shape, m.shape) from None

    @staticmethod
    def backward(ctx, grad):
        (mask,) = ctx.saved_tensors
        return MaskedFill.apply(grad, mask=mask, value=0)


class MaskedFillTensor(MaskedFill):
    """a with a 0-d tensor value where mask is True: the value gets the masked gradient, summed."""
    backward_name = "MaskedFillBackward1"
    formula = "a, v where mask"
    derivatives = ("1 where not mask", "Σ over mask")

    @staticmethod
    def forward(ctx, a, value, mask):
        if value._data.ndim:
            raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value._data.ndim} dimension(s).")
        return MaskedFill.forward(ctx, a, mask, value)

    @staticmethod
    def backward(ctx, grad):
        (mask,) = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (MaskedFill.apply(grad, mask=mask, value=0) if need[0] else None,
                Where.apply(mask, grad, 0.0).sum() if need[1] else None)


class ClampMin(Function):
    formula = "max(a, min)"
    derivatives = ("1 if a ≥ min else 0",)
    _np, _passes = staticmethod(np.maximum), staticmethod(np.greater_equal)

    @classmethod
    def forward(cls, ctx, a, bound):
        ctx.save(self=a)
        ctx.bound = bound
        return _fix_dtype(cls._np(a._data, bound), a, bound)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * ctx.op._passes(a._data, ctx.bound)


class ClampMax(ClampMin):
    formula = "min(a, max)"
    derivatives = ("1 if a ≤ max else 0",)
    _np, _passes = staticmethod(np.minimum), staticmethod(np.less_equal)


class ClampTensor(Function):
    """clamp(a, min, max) with tensor bounds (ClampBackward0): the bounds get gradient where they bind."""
    backward_name = "ClampBackward0"
    formula = "clamp(a, lo, hi)"
    derivatives = ("1 if lo ≤ a ≤ hi else 0", "1 where a < lo", "1 where a > hi")

    @staticmethod
    def forward(ctx, a, min, max):
        ctx.save(self=a, min=min, max=max)
        out = a._data
        try:
            if min is not None:
                out = np.maximum(out, min._data)
            if max is not None:
                out = np.minimum(out, max._data)
        except ValueError:
            raise _broadcast_error3(*(shape_of(t) for t in (a, min, max) if t is not None)) from None
        return _fix_dtype(out, a, min if min is not None else max)

    @staticmethod
    def backward(ctx, grad):
        a, lo, hi = ctx.saved_tensors
        need = ctx.needs_input_grad
        d = a._data
        keep = np.ones(d.shape, bool)
        if lo is not None:
            keep = keep & (d >= lo._data)
        if hi is not None:
            keep = keep & (d <= hi._data)
        g_lo = g_hi = None
        if need[1]:
            g_lo = grad * ((d < lo._data) & (lo._data < hi._data) if hi is not None else d < lo._data)
        if need[2]:
            g_hi = grad * ((d > hi._data) | (hi._data < lo._data) if lo is not None else d > hi._data)
        return grad * keep, g_lo, g_hi


def _dtname(arr):
    from .._dtype import from_numpy_dtype
    return {"float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int"}.get(
        from_numpy_dtype(arr.dtype).name, from_numpy_dtype(arr.dtype).name)
