"""Elementwise ops: arithmetic, powers, exp/log, trig, activations, clamp, where.

Each op's forward (NumPy) and backward (tensor ops, so create_graph works) sit side by side.
Broadcasting is undone by the engine, not here.
"""
import numpy as np

from ..autograd.function import Function
from ..autograd.graph import OUTPUT
from .._dtype import get_default_dtype
from ._util import broadcast_error, data, result_dtype, shape_of

Tensor = None  # bound by autograd_kit._tensor


def _fix_dtype(out, a, b):
    """Cast NumPy's result to PyTorch's promoted dtype where the two rules differ."""
    ad = a._data.dtype if isinstance(a, Tensor) else None
    bd = b._data.dtype if isinstance(b, Tensor) else None
    if out.dtype == (ad or bd) and (ad is None or bd is None or ad == bd):
        return out
    dt = result_dtype(a, b)
    return out if out.dtype == dt else out.astype(dt)


def _binary(fn, a, b):
    try:
        out = fn(data(a), data(b))
    except ValueError:
        raise broadcast_error(shape_of(a), shape_of(b)) from None
    return _fix_dtype(np.asarray(out), a, b)


class Add(Function):
    formula = "a + b"
    derivatives = ("1", "1")

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        ctx.alpha = alpha
        if alpha != 1:
            b = b * alpha
        return _binary(np.add, a, b)

    @staticmethod
    def backward(ctx, grad):
        return grad, (grad if ctx.alpha == 1 else grad * ctx.alpha)


class Sub(Function):
    formula = "a - b"
    derivatives = ("1", "-1")

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        ctx.alpha = alpha
        if alpha != 1:
            b = b * alpha
        return _binary(np.subtract, a, b)

    @staticmethod
    def backward(ctx, grad):
        return grad, (-grad if ctx.alpha == 1 else grad * -ctx.alpha)


class Rsub(Function):
    """other - a, for a Python number on the left (``1 - x``), as PyTorch records it."""
    backward_name = "RsubBackward1"
    formula = "c - a"
    derivatives = ("-1",)

    @staticmethod
    def forward(ctx, a, other):
        return _binary(np.subtract, other, a)

    @staticmethod
    def backward(ctx, grad):
        return -grad


class Mul(Function):
    formula = "a · b"
    derivatives = ("b", "a")

    @staticmethod
    def forward(ctx, a, b):
        need = ctx.needs_input_grad
        ctx.save(self=a if need[1] else None, other=b if need[0] else None)
        return _binary(np.multiply, a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (grad * b if need[0] else None), (grad * a if need[1] else None)


class Div(Function):
    formula = "a / b"
    derivatives = ("1/b", "-a/b²")

    @staticmethod
    def forward(ctx, a, b):
        need = ctx.needs_input_grad
        ctx.save(self=a if need[1] else None, other=b)
        try:
            out = np.true_divide(data(a), data(b))
        except ValueError:
            raise broadcast_error(shape_of(a), shape_of(b)) from None
        dt = result_dtype(a, b)
        if dt.kind != "f":
            dt = get_default_dtype().np
        out = np.asarray(out)
        return out if out.dtype == dt else out.astype(dt)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        ga = grad / b if need[0] else None
        gb = -grad * a / (b * b) if need[1] else None
        return ga, gb


class Neg(Function):
    formula = "-a"
    derivatives = ("-1",)

    @staticmethod
    def forward(ctx, a):
        if a._data.dtype == np.bool_:
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are "
                               "trying to invert a mask, use the `~` or `logical_not()` operator instead.")
        return np.negative(a._data)

    @staticmethod
    def backward(ctx, grad):
        return -grad


class Pow(Function):
    """a ** p with a Python-number exponent."""
    formula = "aᵖ"
    derivatives = ("p·aᵖ⁻¹",)

    @staticmethod
    def forward(ctx, a, exponent):
        ctx.save(self=a, exponent=exponent)
        out = np.power(a._data, exponent)
        if out.dtype != a._data.dtype:
            out = out.astype(result_dtype(a, exponent))
        return out

    @staticmethod
    def backward(ctx, grad):
        a, p = ctx.saved_tensors
        if p == 0:
            return grad * 0
        return grad * (p * a ** (p - 1))


class PowTensor(Function):
    """a ** b with a tensor exponent (PowBackward1)."""
    backward_name = "PowBackward1"
    formula = "aᵇ"
    derivatives = ("b·aᵇ⁻¹", "aᵇ·ln a")

    @staticmethod
    def forward(ctx, a, b):
        ctx.save(self=a, exponent=b, result=OUTPUT)
        return _binary(np.power, a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        need = ctx.needs_input_grad
        ga = grad * b * a ** (b - 1) if need[0] else None
        gb = None
        if need[1]:
            if isinstance(a, Tensor):
                gb = _ag_where(a._data == 0, 0.0, grad * out * a.log())
            else:
                gb = grad * out * float(np.log(a))
        return ga, gb


def _ag_where(cond, x, y):
    return Where.apply(Tensor._make(np.asarray(cond)), x, y)


def _unary(name, np_fn, formula, derivative, backward, save_output=False, backward_name=None):
    """Declare a one-input op whose forward is a NumPy ufunc."""

    def forward(ctx, a):
        if save_output:
            ctx.save(result=OUTPUT)
        else:
            ctx.save(self=a)
        d = a._data
        if d.dtype.kind != "f":
            d = d.astype(result_dtype(a, 1.0))
        return np_fn(d)

    attrs = {"formula": formula, "derivatives": (derivative,), "forward": staticmethod(forward),
             "backward": staticmethod(backward)}
    if backward_name:
        attrs["backward_name"] = backward_name
    return type(name, (Function,), attrs)


def _exp_b(ctx, g):
    (out,) = ctx.saved_tensors
    return g * out


def _log_b(ctx, g):
    (a,) = ctx.saved_tensors
    return g / a


def _sqrt_b(ctx, g):
    (out,) = ctx.saved_tensors
    return g / (2 * out)


def _sin_b(ctx, g):
    (a,) = ctx.saved_tensors
    return g * a.cos()


def _cos_b(ctx, g):
    (a,) = ctx.saved_tensors
    return g * -a.sin()


def _tanh_b(ctx, g):
    (out,) = ctx.saved_tensors
    return g * (1 - out * out)


def _sigmoid_b(ctx, g):
    (out,) = ctx.saved_tensors
    return g * (out * (1 - out))


def _stable_sigmoid(x):
    # exp of a non-positive number only: no overflow at ±1000
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


Exp = _unary("Exp", np.exp, "eᵃ", "eᵃ", _exp_b, save_output=True)
Log = _unary("Log", np.log, "ln a", "1/a", _log_b)
Sqrt = _unary("Sqrt", np.sqrt, "√a", "1/(2√a)", _sqrt_b, save_output=True)
Sin = _unary("Sin", np.sin, "sin a", "cos a", _sin_b)
Cos = _unary("Cos", np.cos, "cos a", "-sin a", _cos_b)
Tanh = _unary("Tanh", np.tanh, "tanh a", "1 - tanh²a", _tanh_b, save_output=True)
Sigmoid = _unary("Sigmoid", _stable_sigmoid, "σ(a)", "σ(a)·(1 - σ(a))", _sigmoid_b, save_output=True)


class Abs(Function):
    formula = "|a|"
    derivatives = ("sign(a)",)

    @staticmethod
    def forward(ctx, a):
        ctx.save(self=a)
        return np.abs(a._data)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * a.sign()


class Relu(Function):
    formula = "max(a, 0)"
    derivatives = ("1 if a > 0 else 0",)

    @staticmethod
    def forward(ctx, a):
        ctx.save(result=OUTPUT)
        return np.maximum(a._data, 0).astype(a._data.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (out._data > 0)


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
        ctx.cond = c
        try:
            out = np.where(c, data(a), data(b))
        except ValueError:
            raise broadcast_error(shape_of(a), shape_of(b)) from None
        return _fix_dtype(np.asarray(out), a, b)

    @staticmethod
    def backward(ctx, grad):
        c = ctx.cond
        need = ctx.needs_input_grad
        return (None,
                grad * c if need[1] else None,
                grad * ~c if need[2] else None)


def _dtname(arr):
    from .._dtype import from_numpy_dtype
    return {"float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int"}.get(
        from_numpy_dtype(arr.dtype).name, from_numpy_dtype(arr.dtype).name)


def _stepwise(name, np_fn):
    """Piecewise-constant ops (round, floor, ...): their gradient is 0 everywhere, as in PyTorch."""
    def forward(ctx, a):
        return np_fn(a._data)

    def backward(ctx, grad):
        return grad * 0

    return type(name, (Function,), {"formula": f"{name.lower()}(a)", "derivatives": ("0",),
                                    "forward": staticmethod(forward), "backward": staticmethod(backward)})


Round, Floor, Ceil, Trunc = (_stepwise(n, f) for n, f in
                             (("Round", np.round), ("Floor", np.floor), ("Ceil", np.ceil), ("Trunc", np.trunc)))


class Sign(Function):
    formula = "sign(a)"
    derivatives = ("0",)

    @staticmethod
    def forward(ctx, a):
        ctx.shape = a._data.shape
        return np.sign(a._data)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0
