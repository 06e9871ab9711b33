"""Elementwise arithmetic: add, sub, mul, div, neg, pow, remainder, floor/trunc division.

Each op's forward (NumPy) and backward (tensor ops, so create_graph works) sit side by side.
Broadcasting is undone by the engine, not here.
"""
import numpy as np

from ..autograd.function import Function
from ..autograd.graph import NUMBER, OUTPUT
from .._dtype import get_default_dtype
from .._pow import torch_powf
from ._util import broadcast_error, data, result_dtype, shape_of
from .pointwise import add_alpha

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


def _check_int(x):
    """A Python int operand must fit int64 or uint64, as PyTorch converts it (its errors and words)."""
    if type(x) is int and not -(1 << 63) <= x < (1 << 64):
        raise OverflowError("can't convert negative int to unsigned" if x < 0 else "int too big to convert")


_IN_COMMON_DTYPE = (np.add, np.subtract, np.multiply)


def _binary(fn, a, b):
    ta, tb = isinstance(a, Tensor), isinstance(b, Tensor)
    _check_int(a)
    _check_int(b)
    try:
        out = fn(a._data if ta else a, b._data if tb else b)
    except ValueError:
        raise broadcast_error(shape_of(a), shape_of(b)) from None
    if type(out) is not np.ndarray:
        out = np.asarray(out)
    dt = out.dtype  # the common case first: NumPy's dtype is already PyTorch's
    if (ta or tb) and (a._data.dtype == dt if ta else type(a) is not np.ndarray) and \
            (b._data.dtype == dt if tb else type(b) is not np.ndarray):
        return out
    if fn in _IN_COMMON_DTYPE and not (isinstance(a, np.ndarray) or isinstance(b, np.ndarray)):
        want = result_dtype(a, b)
        if out.dtype != want and want.kind in "fc" and dt.kind in "fc":
            # PyTorch adds and multiplies in the promoted dtype (a 0-d float64 tensor times a float32 one is a
            # float32 product, not a float64 product rounded again): the operands are cast to it first
            out = np.asarray(fn(a._data.astype(want) if ta else a, b._data.astype(want) if tb else b))
    return _fix_dtype(out, a, b)


def _keep_alpha(ctx, a, b, alpha=1):
    """Add's and Sub's setup: what their backward needs."""
    ctx.alpha = alpha


class Add(Function):
    formula = "a + b"
    derivatives = ("1", "1")
    ufunc = np.add  # forward on float tensors of one dtype (or with a Python number): the engine calls it,
    setup = staticmethod(_keep_alpha)  # then this (what backward needs), in place of forward

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        _keep_alpha(ctx, a, b, alpha)
        if alpha != 1:
            return add_alpha(a, b, alpha)  # PyTorch's fused multiply-add (ops/pointwise.py)
        return _binary(np.add, a, b)

    @staticmethod
    def backward(ctx, grad):
        return grad, (grad if ctx.alpha == 1 else grad * ctx.alpha)


def _check_bool_sub(a, b):
    bools = [type(x) is bool or isinstance(x, Tensor) and x._data.dtype == np.bool_ for x in (a, b)]
    if all(bools):
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                           "Use the `^` or `logical_xor()` operator instead.")
    if any(bools):
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.")


class Sub(Function):
    formula = "a - b"
    derivatives = ("1", "-1")
    ufunc = np.subtract  # forward on float tensors of one dtype (or with a Python number): the engine calls it,
    setup = staticmethod(_keep_alpha)  # then this (what backward needs), in place of forward

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        _check_bool_sub(a, b)
        _keep_alpha(ctx, a, b, alpha)
        if alpha != 1:
            return add_alpha(a, b, -alpha)  # PyTorch's fused multiply-add (ops/pointwise.py)
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


def _saved_number(x):
    """What Mul and Div save for their operand ``x``: a Python float or int is kept as the number (the engine
    makes PyTorch's 0-d tensor of it on demand, see graph.NUMBER); anything else as a tensor."""
    t = type(x)
    return (NUMBER, x) if t is float or t is int else _wrap(x)


def _is_number(x):
    return not isinstance(x, (Tensor, np.ndarray))


class Mul(Function):
    formula = "a · b"
    derivatives = ("b", "a")
    ufunc = np.multiply  # forward on float tensors of one dtype (or with a Python number): the engine calls it,

    @staticmethod
    def setup(ctx, a, b):  # then this (what backward needs), in place of forward
        need = ctx.needs_input_grad
        tensor = type(b) is Tensor  # the common case: no _saved_number call
        ctx.number = not tensor and not isinstance(b, (Tensor, np.ndarray))  # a Python or NumPy number
        ctx.save(self=a if need[1] else None, other=(b if tensor else _saved_number(b)) if need[0] else None)

    @staticmethod
    def forward(ctx, a, b):
        Mul.setup(ctx, a, b)
        return _binary(np.multiply, a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        if ctx.number and b is not None and type(b) is Tensor:
            b = b._data.item()
        need = ctx.needs_input_grad
        return (grad * b if need[0] else None), (grad * a if need[1] else None)


class Div(Function):
    formula = "a / b"
    derivatives = ("1/b", "-a/b²")
    ufunc = np.true_divide  # forward on float tensors of one dtype (or with a Python number): the engine calls it,

    @staticmethod
    def setup(ctx, a, b):  # then this (what backward needs), in place of forward
        need = ctx.needs_input_grad
        ctx.number = not isinstance(b, (Tensor, np.ndarray))  # a Python or NumPy number
        ctx.save(self=a if need[1] else None, other=_saved_number(b) if need[0] or need[1] else None)

    @staticmethod
    def forward(ctx, a, b):
        Div.setup(ctx, a, b)
        _check_int(b)
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
        if ctx.number and type(b) is Tensor:
            b = b._data.item()
        need = ctx.needs_input_grad
        ga = grad / b if need[0] else None
        gb = -grad * ((a / b) / b) if need[1] else None  # PyTorch's div_tensor_other_backward
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
        d = a._data
        if d.dtype.kind == "f" and exponent in (2, 3, -2, -0.5, 0.5):  # PyTorch's special cases, to the bit
            one = d.dtype.type(1)
            out = d * d if exponent == 2 else d * d * d if exponent == 3 else one / (d * d) if exponent == -2 \
                else _sqrt(d) if exponent == 0.5 else one / np.sqrt(d)
        elif d.dtype == np.float32 and exponent not in (0, 1, -1) and isinstance(exponent, (int, float)):
            out = torch_powf(d, exponent)  # Sleef's powf, as PyTorch's vectorized kernel
        else:
            out = np.power(d, exponent)
        if out.dtype != a._data.dtype:
            out = out.astype(result_dtype(a, exponent))
        return out

    @staticmethod
    def backward(ctx, grad):
        a, p = ctx.saved_tensors
        if p == 0:  # PyTorch: zeros_like(self)
            return Tensor._make(np.zeros_like(a._data, dtype=grad._data.dtype))
        return grad * (p * a ** (p - 1))  # pow_backward


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
        return _binary(_power, a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        need = ctx.needs_input_grad
        # PyTorch's rules: the exponent-0 terms are 0 (so x**x at 0 has gradient 0, not nan), and
        # the base-0 term of the exponent's gradient is 0 only for exponents >= 0
        ga = _ag_where(b._data == 0, 0.0, grad * (b * a ** (b - 1))) if need[0] else None  # pow_backward_self
        gb = grad * _ag_where((a._data == 0) & (b._data >= 0), 0.0, out * a.log()) if need[1] else None
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
        return _binary(_power, base, b)

    @staticmethod
    def backward(ctx, grad):
        b, out = ctx.saved_tensors
        if ctx.base == 0:  # PyTorch's pow_backward_exponent: grad * where(exponent >= 0, 0, result * log(0))
            return grad * _ag_where(b._data >= 0, 0.0, out * float("-inf"))
        return grad * (out * float(np.log(ctx.base)))


def _power(a, b):
    """np.power, or PyTorch's float32 pow kernel (Sleef) when the result is float32."""
    out = np.power(a, b)
    if type(out) is np.ndarray and out.dtype == np.float32 and out.size:
        a32, b32 = np.broadcast_arrays(np.asarray(a, np.float32), np.asarray(b, np.float32))
        return torch_powf(np.ascontiguousarray(a32), np.ascontiguousarray(b32))
    return out


def _sqrt(d):
    """x ** 0.5 is PyTorch's sqrt kernel (MKL's vsSqrt/vdSqrt when the MKL back end is there)."""
    from ..backends import mkl
    out = mkl.unary("sqrt", d) if d.size else None
    return np.sqrt(d) if out is None else out


def _ag_where(cond, x, y):
    from .selection import Where
    return Where.apply(Tensor._make(np.asarray(cond)), x, y)


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


# PyTorch's AddBackward0/SubBackward0 show their alpha as a saved value (kept on the node, not saved and freed)
Add._Node._saved_alpha = Sub._Node._saved_alpha = property(lambda node: node.alpha)
