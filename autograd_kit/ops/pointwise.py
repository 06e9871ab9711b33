"""PyTorch's fused pointwise kernels, rounded as PyTorch 2.13 rounds them on the CPU: ``add``/``sub`` with
``alpha``, ``addcmul``, ``addcdiv`` and ``lerp`` (the kernels every optimizer step is made of).

What PyTorch's vectorized kernels compute (each checked bit for bit against torch 2.13, float32 and
float64, vector bodies and scalar tails alike, see tests/test_bit_parity_optim.py); scalars (``alpha``,
``value``, a number ``weight``) are first converted to the tensors' dtype::

    add(a, b, alpha)          fma(b, alpha, a)                       one rounding (vec::fmadd)
    sub(a, b, alpha)          fma(b, -alpha, a)
    addcmul(s, t1, t2, value) fma(value * t1, t2, s)                 value * t1 rounded first
    addcdiv(s, t1, t2, value) s + (value * t1) / t2                  three roundings, no fma
    lerp(s, e, w)             |w| < 0.5:  fma(w, e - s, s)
                              otherwise:  fma(w - 1, e - s, e)       (= e - (e - s) * (1 - w))

The backward formulas are PyTorch's (tools/autograd/derivatives.yaml), in its order of operations.
"""
import numpy as np

from .._fma import fma
from ..autograd import graph
from ..autograd.function import Function
from ._util import broadcast_error, result_dtype

_TYPE = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int"}


def _values(x, dt):
    """An operand's values in the computation dtype ``dt`` (no copy when already of that dtype)."""
    return np.asarray(x._data if isinstance(x, graph.Tensor) else x, dtype=dt)


def _scalar(x, dt, name="alpha"):
    """A Python number (or 0-d tensor) as PyTorch's kernels see it: converted to ``dt``."""
    if isinstance(x, graph.Tensor):
        x = x._data.item()
    if dt.kind in "iub" and isinstance(x, float):
        raise RuntimeError(f"For integral input tensors, argument {name} must not be a floating point number.")
    return dt.type(x)


def _shapes(*xs):
    return [np.shape(x._data if isinstance(x, graph.Tensor) else x) for x in xs]


def add_alpha(a, b, alpha):
    """``a + alpha * b`` as PyTorch's add kernel: one fused multiply-add. (``sub`` passes ``-alpha``.)"""
    dt = result_dtype(a, b)
    try:
        return np.asarray(fma(_values(b, dt), _scalar(alpha, dt), _values(a, dt), dtype=dt))
    except ValueError:
        raise broadcast_error(*_shapes(a, b)) from None


def addcmul_values(s, t1, t2, value):
    dt = result_dtype(s, t1, t2)
    v = _scalar(value, dt, "value")
    try:
        p = np.multiply(v, _values(t1, dt), dtype=dt) if v != 1 else _values(t1, dt)
        return np.asarray(fma(p, _values(t2, dt), _values(s, dt), dtype=dt))
    except ValueError:
        sa, sb, sc = _shapes(s, t1, t2)
        raise broadcast_error(sa, np.broadcast_shapes(sb, sc) if _ok(sb, sc) else sb) from None


def addcdiv_values(s, t1, t2, value):
    dt = result_dtype(s, t1, t2)
    if dt.kind in "iub":
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future  release addcdiv will perform "
            "a true division of tensor1 and tensor2. The historic addcdiv behavior can be implemented as (input + "
            "value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as (input + value * "
            "tensor1 / tensor2) for float inputs. The future addcdiv behavior is just the latter implementation: "
            "(input + value * tensor1 / tensor2), for all dtypes.")
    v = _scalar(value, dt, "value")
    try:
        q = _values(t1, dt)
        if v != 1:
            q = np.multiply(v, q, dtype=dt)
        q = np.true_divide(q, _values(t2, dt), dtype=dt)
        return np.asarray(np.add(_values(s, dt), q, dtype=dt))
    except ValueError:
        sa, sb, sc = _shapes(s, t1, t2)
        raise broadcast_error(sa, np.broadcast_shapes(sb, sc) if _ok(sb, sc) else sb) from None


def _full_like(t, value):
    return graph.Tensor._make(np.full_like(t._data, value))


def _ok(*shapes):
    try:
        np.broadcast_shapes(*shapes)
        return True
    except ValueError:
        return False


def _check_lerp(start, end, weight):
    dt = start._data.dtype
    if dt.kind != "f":
        raise NotImplementedError(f'"lerp_kernel_{"tensor" if isinstance(weight, graph.Tensor) else "scalar"}" not '
                                  f"implemented for '{_TYPE.get(dt.name, dt.name).split()[-1].capitalize()}'")
    for name, x in (("end", end), ("weight", weight)):
        if isinstance(x, graph.Tensor) and x._data.dtype != dt:
            raise RuntimeError(f"expected dtype {_TYPE.get(dt.name, dt.name)} for `{name}` but got dtype "
                               f"{_TYPE.get(x._data.dtype.name, x._data.dtype.name)}")
    return dt


def lerp_values(start, end, weight):
    """``start + weight * (end - start)`` as PyTorch's lerp kernel (the formula switches at |weight| = 0.5)."""
    dt = _check_lerp(start, end, weight)
    s, e = start._data, _values(end, dt)
    try:
        d = np.subtract(e, s, dtype=dt)
        if isinstance(weight, graph.Tensor):
            w = weight._data
            small = np.abs(w) < 0.5
            coeff = np.where(small, w, np.subtract(w, dt.type(1), dtype=dt))
            return np.asarray(fma(coeff, d, np.where(small, s, e), dtype=dt))
        w = _scalar(weight, dt, "weight")
        if abs(w) < 0.5:
            return np.asarray(fma(w, d, s, dtype=dt))
        return np.asarray(fma(np.subtract(w, dt.type(1), dtype=dt), d, e, dtype=dt))
    except ValueError:
        raise broadcast_error(*_shapes(start, end)) from None


class Addcmul(Function):
    formula = "s + value · t1 · t2"
    derivatives = ("1", "value · t2", "value · t1")

    @staticmethod
    def forward(ctx, s, t1, t2, value=1):
        need = ctx.needs_input_grad
        ctx.save(tensor1=t1 if need[2] else None, tensor2=t2 if need[1] else None, value=value)
        return addcmul_values(s, t1, t2, value)

    @staticmethod
    def backward(ctx, grad):
        t1, t2, value = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (grad if need[0] else None,
                grad * (t2 * value) if need[1] else None,
                grad * (t1 * value) if need[2] else None)


class Addcdiv(Function):
    formula = "s + value · t1 / t2"
    derivatives = ("1", "value / t2", "-value · t1 / t2²")

    @staticmethod
    def forward(ctx, s, t1, t2, value=1):
        need = ctx.needs_input_grad
        ctx.save(tensor1=t1 if need[2] else None, tensor2=t2 if need[1] or need[2] else None, value=value)
        return addcdiv_values(s, t1, t2, value)

    @staticmethod
    def backward(ctx, grad):
        t1, t2, value = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (grad if need[0] else None,
                grad * (_full_like(t2, value) / t2) if need[1] else None,  # C++'s Scalar / Tensor: a true division
                -grad * (value * t1 / (t2 * t2)) if need[2] else None)


class Lerp(Function):
    """lerp with a number weight (LerpBackward0)."""
    formula = "s + w · (e - s)"
    derivatives = ("1 - w", "w")

    @staticmethod
    def forward(ctx, start, end, weight):
        ctx.save(weight=weight)
        return lerp_values(start, end, weight)

    @staticmethod
    def backward(ctx, grad):
        (weight,) = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (grad * (1 - float(weight)) if need[0] else None), (grad * weight if need[1] else None)


class LerpTensor(Function):
    """lerp with a tensor weight (LerpBackward1): the weight gets a gradient too."""
    backward_name = "LerpBackward1"
    formula = "s + w · (e - s)"
    derivatives = ("1 - w", "w", "e - s")

    @staticmethod
    def forward(ctx, start, end, weight):
        need = ctx.needs_input_grad
        ctx.save(self=start if need[2] else None, end=end if need[2] else None, weight=weight)
        return lerp_values(start, end, weight)

    @staticmethod
    def backward(ctx, grad):
        s, e, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (grad * (1 - w) if need[0] else None, grad * w if need[1] else None,
                grad * (e - s) if need[2] else None)


def addcmul(input, tensor1, tensor2, *, value=1):
    return Addcmul.apply(input, tensor1, tensor2, value=value)


def addcdiv(input, tensor1, tensor2, *, value=1):
    return Addcdiv.apply(input, tensor1, tensor2, value=value)


def lerp(input, end, weight):
    if isinstance(weight, graph.Tensor):
        return LerpTensor.apply(input, end, weight)
    return Lerp.apply(input, end, weight)
