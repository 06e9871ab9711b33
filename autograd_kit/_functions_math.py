"""The functional API, pointwise: arithmetic, one-input math (``torch.exp``...), clamp, where, comparisons
and tests (``isclose``, ``isnan``, ``nonzero``), and linear algebra (``matmul``, ``einsum``)."""
import builtins

import numpy as np

from ._tensor import Tensor, _as_array
from . import _dtype
from .ops import elementwise as E, linalg as L, triangular as Tri, unary_more as U


def _t(x):
    """Python numbers and arrays -> Tensor (for functions whose first argument must be a tensor)."""
    return x if isinstance(x, Tensor) else Tensor._make(_as_array(x, _dtype.get_default_dtype()))


# ---- one-input ops: each name calls its op ------------------------------------------------------
def _one_input(op, name):
    def fn(input):
        return op.apply(input)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"torch.{name}(input): recorded as {op._Node.__name__}."
    return fn


(neg, exp, log, sqrt, abs, sin, cos, tanh, sigmoid, relu, sign, _round, floor, ceil, trunc) = (
    _one_input(op, name) for op, name in (
        (E.Neg, "neg"), (E.Exp, "exp"), (E.Log, "log"), (E.Sqrt, "sqrt"), (E.Abs, "abs"), (E.Sin, "sin"),
        (E.Cos, "cos"), (E.Tanh, "tanh"), (E.Sigmoid, "sigmoid"), (E.Relu, "relu"), (E.Sign, "sign"),
        (E.Round, "round"), (E.Floor, "floor"), (E.Ceil, "ceil"), (E.Trunc, "trunc")))
negative, absolute = neg, abs
(log10, log2, expm1, exp2, tan, asin, acos, atan, sinh, cosh) = (
    _one_input(op, name) for op, name in (
        (U.Log10, "log10"), (U.Log2, "log2"), (U.Expm1, "expm1"), (U.Exp2, "exp2"), (U.Tan, "tan"),
        (U.Asin, "asin"), (U.Acos, "acos"), (U.Atan, "atan"), (U.Sinh, "sinh"), (U.Cosh, "cosh")))
arcsin, arccos, arctan = asin, acos, atan


def round(input, *, decimals=0):
    """Round half to even; with ``decimals``, PyTorch's round(x·10ᵈ)/10ᵈ in the input's dtype."""
    if decimals == 0:
        return _round(input)
    scale = 10.0 ** decimals
    return _round(input * scale) / scale if decimals > 0 else _round(input / (10.0 ** -decimals)) * (10.0 ** -decimals)


# ---- arithmetic ---------------------------------------------------------------------------
def add(input, other, *, alpha=1):
    return E.Add.apply(_t(input), other, alpha=alpha)


def sub(input, other, *, alpha=1):
    return E.Sub.apply(_t(input), other, alpha=alpha)


subtract = sub


def mul(input, other):
    return E.Mul.apply(_t(input), other)


multiply = mul


def div(input, other, *, rounding_mode=None):
    if rounding_mode is None:
        return E.Div.apply(_t(input), other)
    if rounding_mode not in ("floor", "trunc"):
        raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{rounding_mode}'")
    return E.DivMode.apply(_t(input), other, rounding_mode=rounding_mode)


def floor_divide(input, other):
    """``a // b``: recorded without a derivative (its backward raises), as in PyTorch."""
    if isinstance(other, Tensor):
        return E.FloorDivide.apply(_t(input), other)
    return E.FloorDivide.apply(_t(input), other=other)


def remainder(input, other):
    if isinstance(other, Tensor):
        return E.RemainderTensor.apply(_t(input), other)
    return E.Remainder.apply(input, other=other)


divide = true_divide = div


def pow(input, exponent):
    if isinstance(input, Tensor):
        if isinstance(exponent, Tensor):
            return E.PowTensor.apply(input, exponent)
        return E.Pow.apply(input, exponent=exponent)
    return E.PowScalarBase.apply(exponent, base=input)


def rsqrt(input):
    return E.Rsqrt.apply(input)


def square(input):
    return E.Pow.apply(input, exponent=2)


def reciprocal(input):
    return E.Reciprocal.apply(input)


def log1p(input):
    return E.Log1p.apply(input)


def clamp(input, min=None, max=None):
    """Tensor bounds: ClampBackward0 (the bounds get gradients); numbers: ClampBackward1. Mixed, a 0-d
    tensor counts as a number and any other tensor is PyTorch's TypeError."""
    bounds = [b for b in (min, max) if b is not None]
    if bounds and builtins.all(isinstance(b, Tensor) for b in bounds):
        return E.ClampTensor.apply(input, min, max)
    if builtins.any(isinstance(b, Tensor) for b in bounds):
        if builtins.any(isinstance(b, Tensor) and b.dim() for b in bounds):
            raise TypeError("clamp() received an invalid combination of arguments - got (Tensor, "
                            + ", ".join("Tensor" if isinstance(b, Tensor) else type(b).__name__ for b in (min, max))
                            + "), but expected one of:\n"
                            " * (Tensor input, Tensor min = None, Tensor max = None, *, Tensor out = None)\n"
                            " * (Tensor input, Number min = None, Number max = None, *, Tensor out = None)\n")
        min, max = (b.item() if isinstance(b, Tensor) else b for b in (min, max))
    return E.Clamp.apply(input, min=min, max=max)


def clamp_min(input, min):
    return E.ClampMin.apply(input, bound=min)


def clamp_max(input, max):
    return E.ClampMax.apply(input, bound=max)


clip = clamp


def where(condition, input=None, other=None):
    if input is None and other is None:
        return nonzero(condition, as_tuple=True)
    return E.Where.apply(_t(condition), input, other)


def maximum(input, other):
    _need_tensor("maximum", other)
    return E.Maximum.apply(input, other)


def minimum(input, other):
    _need_tensor("minimum", other)
    return E.Minimum.apply(input, other)


def _need_tensor(name, other):
    if not isinstance(other, Tensor):
        raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not {type(other).__name__}")


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(np.allclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return Tensor._make(np.isclose(input._data, _t(other)._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def equal(input, other):
    return input.shape == other.shape and bool(np.array_equal(input._data, other._data))


def isnan(input):
    return Tensor._make(np.isnan(input._data))


def isinf(input):
    return Tensor._make(np.isinf(input._data))


def isfinite(input):
    return Tensor._make(np.isfinite(input._data))


def nonzero(input, *, as_tuple=False):
    nz = np.nonzero(input._data)
    if as_tuple:
        return tuple(Tensor._make(a.astype(np.int64)) for a in nz)
    return Tensor._make(np.stack(nz, axis=-1).astype(np.int64) if nz else np.zeros((0, 0), np.int64))


def einsum(equation, *operands):
    """einsum; its gradient is an einsum of the output gradient with the other operands (PyTorch
    decomposes it into views and bmm, so its grad_fn names differ: the kit records EinsumBackward0)."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = operands[0]
    return L.Einsum.apply(*operands, equation=equation)


# ---- linear algebra (PyTorch's parameter names, so ``matmul(input=a, other=b)`` works) ----------------
def matmul(input, other):
    return L.matmul(input, other)


def mm(input, mat2):
    return L.mm(input, mat2)


def mv(input, vec):
    return L.mv(input, vec)


def dot(input, tensor):
    return L.dot(input, tensor)


def bmm(input, mat2):
    return L.bmm(input, mat2)


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    return L.addmm(input, mat1, mat2, beta=beta, alpha=alpha)


def tril(input, diagonal=0):
    _need_2d("tril", input)
    return Tri.Tril.apply(input, diagonal=diagonal)


def triu(input, diagonal=0):
    _need_2d("triu", input)
    return Tri.Triu.apply(input, diagonal=diagonal)


def _need_2d(name, input):
    if input._data.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")


def diag(input, diagonal=0):
    """A vector -> the square matrix with it on diagonal k; a matrix -> its diagonal k."""
    nd = input._data.ndim
    if nd == 1:
        return Tri.DiagEmbed.apply(input, diagonal=diagonal)
    if nd == 2:
        return Tri.Diagonal.apply(input, diagonal=diagonal)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {nd}D")


def diagonal(input, offset=0, dim1=0, dim2=1):
    if (dim1, dim2) != (0, 1) or input._data.ndim != 2:
        raise NotImplementedError("diagonal(): autograd_kit supports the main 2-D case (dim1=0, dim2=1)")
    return Tri.Diagonal.apply(input, diagonal=offset)


def outer(input, vec2):
    return input.reshape(-1, 1) * vec2  # as PyTorch records it
