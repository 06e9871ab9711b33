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
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return out  # PyTorch hands a NumPy operand to NumPy and wraps its result: NumPy's dtype
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


def _check_bool_sub(a, b):
    bools = [isinstance(x, Tensor) and x._data.dtype == np.bool_ for x in (a, b)]
    if all(bools):
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                           "Use the `^` or `logical_xor()` operator instead.")
    if any(bools):
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.")


class Sub(Function):
    formula = "a - b"
    derivatives = ("1", "-1")

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        _check_bool_sub(a, b)
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
        _check_bool_sub(a, other)
        return _binary(np.subtract, other, a)

    @staticmethod
    def backward(ctx, grad):
        return -grad


def _wrap(x):
    """PyTorch saves a Python number operand as a 0-d tensor (``_saved_other`` is ``tensor(2)``), which
    backward frees like any saved tensor: so ``y = 2 * x`` cannot backward twice, as in PyTorch."""
    return x if isinstance(x, Tensor) or x is None else Tensor._make(np.asarray(x))


def _is_number(x):
    return not isinstance(x, (Tensor, np.ndarray))


class Mul(Function):
    formula = "a · b"
    derivatives = ("b", "a")

    @staticmethod
    def forward(ctx, a, b):
        need = ctx.needs_input_grad
        ctx.number = _is_number(b)
        ctx.save(self=a if need[1] else None, other=_wrap(b) if need[0] else None)
        return _binary(np.multiply, a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        if ctx.number and b is not None:
            b = b._data.item()
        need = ctx.needs_input_grad
        return (grad * b if need[0] else None), (grad * a if need[1] else None)


class Div(Function):
    formula = "a / b"
    derivatives = ("1/b", "-a/b²")

    @staticmethod
    def forward(ctx, a, b):
        need = ctx.needs_input_grad
        ctx.number = _is_number(b)
        ctx.save(self=a if need[1] else None, other=_wrap(b) if need[0] or need[1] else None)
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
        if ctx.number:
            b = b._data.item()
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
        if a._data.dtype.kind in "iub" and isinstance(exponent, (int, np.integer)) and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
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
        if data(a).dtype.kind in "iu" and data(b).dtype.kind in "iu" and (data(b) < 0).any():
            # integers to negative integer powers: 2 ** -1 is 0 (NumPy refuses), as PyTorch
            return _fix_dtype(np.power(data(a).astype(np.float64), data(b)).astype(np.int64), a, b)
        return _binary(np.power, a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        need = ctx.needs_input_grad
        # PyTorch's rules: the exponent-0 terms are 0 (so x**x at 0 has gradient 0, not nan), and
        # the base-0 term of the exponent's gradient is 0 only for exponents >= 0
        ga = _ag_where(b._data == 0, 0.0, grad * b * a ** (b - 1)) if need[0] else None
        gb = _ag_where((a._data == 0) & (b._data >= 0), 0.0, grad * out * a.log()) if need[1] else None
        return ga, gb


class PowScalarBase(Function):
    """number ** b (``2 ** x``), PowBackward2."""
    backward_name = "PowBackward2"
    formula = "cᵃ"
    derivatives = ("cᵃ·ln c",)

    @staticmethod
    def forward(ctx, b, base):
        ctx.base = base
        ctx.save(exponent=b, result=OUTPUT)
        if isinstance(base, (int, np.integer)) and b._data.dtype.kind in "iu" and (b._data < 0).any():
            return np.power(float(base), b._data).astype(np.int64)
        return _binary(np.power, base, b)

    @staticmethod
    def backward(ctx, grad):
        b, out = ctx.saved_tensors
        if ctx.base == 0:
            return _ag_where(b._data >= 0, 0.0, grad * out * float("-inf"))
        return grad * out * float(np.log(ctx.base))


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


def _via_float64(np_fn):
    """float32 transcendental functions computed in float64 and rounded once: within PyTorch's own
    last-bit results far more often than NumPy's float32 kernels."""
    def fn(x):
        if x.dtype == np.float32:
            return np_fn(x.astype(np.float64)).astype(np.float32)
        return np_fn(x)
    fn.__name__ = np_fn.__name__
    return fn


def _sigmoid(x):
    # PyTorch's formula 1 / (1 + e^-x) in the input's dtype; e^-x overflowing to inf gives 0, not nan
    with np.errstate(over="ignore"):
        e = _via_float64(np.exp)(-x)
    one = x.dtype.type(1)
    return one / (one + e)


def _reciprocal_b(ctx, g):
    (out,) = ctx.saved_tensors
    return -g * (out * out)


def _rsqrt_b(ctx, g):
    (out,) = ctx.saved_tensors
    return -0.5 * g * out ** 3


def _log1p_b(ctx, g):
    (a,) = ctx.saved_tensors
    return g / (a + 1)


Exp = _unary("Exp", _via_float64(np.exp), "eᵃ", "eᵃ", _exp_b, save_output=True)
Log = _unary("Log", _via_float64(np.log), "ln a", "1/a", _log_b)
Sqrt = _unary("Sqrt", np.sqrt, "√a", "1/(2√a)", _sqrt_b, save_output=True)
Sin = _unary("Sin", _via_float64(np.sin), "sin a", "cos a", _sin_b)
Cos = _unary("Cos", _via_float64(np.cos), "cos a", "-sin a", _cos_b)
Tanh = _unary("Tanh", _via_float64(np.tanh), "tanh a", "1 - tanh²a", _tanh_b, save_output=True)
Sigmoid = _unary("Sigmoid", _sigmoid, "σ(a)", "σ(a)·(1 - σ(a))", _sigmoid_b, save_output=True)
Reciprocal = _unary("Reciprocal", np.reciprocal, "1/a", "-1/a²", _reciprocal_b, save_output=True)
Rsqrt = _unary("Rsqrt", lambda d: 1 / np.sqrt(d), "1/√a", "-1/(2·a^1.5)", _rsqrt_b, save_output=True)
Log1p = _unary("Log1p", _via_float64(np.log1p), "ln(1 + a)", "1/(1 + a)", _log1p_b, backward_name="Log1PBackward0")


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


class Remainder(Function):
    """a % number (Python's sign rule, as torch.remainder)."""
    formula = "a mod c"
    derivatives = ("1",)

    @staticmethod
    def forward(ctx, a, other):
        return _binary(np.remainder, a, other)

    @staticmethod
    def backward(ctx, grad):
        return grad


class RemainderTensor(Function):
    backward_name = "RemainderBackward1"
    formula = "a mod b"
    derivatives = ("1", "-floor(a / b)")

    @staticmethod
    def forward(ctx, a, b):
        ctx.save(self=a, other=b)
        return _binary(np.remainder, a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return grad if need[0] else None, (-grad * np.floor(a._data / b._data)) if need[1] else None


class DivMode(Function):
    """div(a, b, rounding_mode='floor' or 'trunc'): piecewise constant, gradient 0 (DivBackward2)."""
    backward_name = "DivBackward2"
    formula = "⌊a / b⌋"
    derivatives = ("0", "0")

    @staticmethod
    def forward(ctx, a, b, rounding_mode):
        out = _binary(np.floor_divide if rounding_mode == "floor" else _trunc_divide, a, b)
        if rounding_mode == "floor" and out.dtype.kind == "f":  # PyTorch's floor rounds the true quotient
            out = np.floor(np.true_divide(data(a), data(b))).astype(out.dtype)
        return out

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        return tuple(grad * 0 if n else None for n in need)


def _trunc_divide(a, b):
    q = np.true_divide(a, b)
    q = np.trunc(q)
    dt = np.result_type(a, b)
    return q.astype(dt) if dt.kind in "iu" else q


class FloorDivide(Function):
    """a // b: recorded, but PyTorch has no derivative for it (backward raises)."""
    backward_name = "torch::autograd::NotImplemented"
    registered = False  # no derivative, so no gradcheck case
    formula = "a // b"
    derivatives = ("not implemented", "not implemented")

    @staticmethod
    def forward(ctx, a, other):
        return DivMode.forward(ctx, a, other, "floor")

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("derivative for aten::floor_divide is not implemented")


class ClampMin(Function):
    formula = "max(a, min)"
    derivatives = ("1 if a ≥ min else 0",)

    @staticmethod
    def forward(ctx, a, min):
        ctx.save(self=a)
        ctx.min = min
        return _fix_dtype(np.maximum(a._data, min), a, min)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * (a._data >= ctx.min)


class ClampMax(Function):
    formula = "min(a, max)"
    derivatives = ("1 if a ≤ max else 0",)

    @staticmethod
    def forward(ctx, a, max):
        ctx.save(self=a)
        ctx.max = max
        return _fix_dtype(np.minimum(a._data, max), a, max)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * (a._data <= ctx.max)


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
