"""The functional API (``torch.exp(x)``, ``torch.sum(x, dim)``...) and the Tensor methods built on it.

Its functions live by kind in ``_functions_math`` (pointwise, comparisons, linear algebra), ``_functions_reduce``
and ``_functions_shape``; this module gathers them into ``__all__`` and installs the Tensor methods."""
import builtins

import numpy as np

from ._tensor import Tensor, _as_array
from . import _dtype, _grad_mode
from .ops import elementwise as E, linalg as L, reduce as R, shape as S
from ._functions_math import (  # noqa: F401
    _t, neg, exp, log, sqrt, abs, sin, cos, tanh, sigmoid, relu, sign, round, floor, ceil, trunc,
    negative, absolute, add, sub, subtract, mul, multiply, div, floor_divide, remainder, divide, true_divide, pow,
    rsqrt, square, reciprocal, log1p, clamp, clamp_min, clamp_max, clip, where, maximum, minimum,
    allclose, isclose, equal, isnan, isinf, isfinite, nonzero, einsum, matmul, mm, mv, dot, bmm, addmm, outer,
    log10, log2, expm1, exp2, tan, asin, acos, atan, arcsin, arccos, arctan, sinh, cosh, tril, triu, diag, diagonal)
from ._functions_reduce import (  # noqa: F401
    sum, mean, max, min, amax, amin, argmax, argmin, var, std, var_mean, std_mean, softmax,
    log_softmax, logsumexp, norm, prod, all, any, sort, argsort, topk, unique, cumsum, cumprod)
from ._functions_composed import (  # noqa: F401
    lerp, addcmul, addcdiv, nan_to_num, roll, trace, dist, cdist, median, index_add, fliplr, flipud, atleast_1d,
    atleast_2d, atleast_3d, logical_and, logical_or, logical_xor, logical_not, count_nonzero, bincount)
from ._functions_shape import (  # noqa: F401
    meshgrid, hstack, vstack, column_stack, flip, select, index_select, reshape, flatten, transpose, swapaxes,
    swapdims, t, permute, squeeze, unsqueeze, cat, concat, concatenate, stack, gather, split, chunk,
    unbind, narrow, masked_fill, broadcast_to, broadcast_shapes, scatter, scatter_add)

from ._functions_special import (  # noqa: F401
    erf, erfc, erfinv, inverse, det, logdet, slogdet, quantile, nanquantile, broadcast_tensors, cholesky_solve,
    cholesky_inverse, lgamma, digamma, polygamma, atanh, asinh, acosh, arctanh, arcsinh, arccosh, xlogy, logit, poisson,
    _standard_gamma)

Tensor_ = Tensor

__all__ = ["add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "neg", "negative", "pow",
           "exp", "log", "sqrt", "rsqrt", "abs", "absolute", "sin", "cos", "tanh", "sigmoid", "relu", "sign",
           "square", "reciprocal", "log1p", "clamp", "clip", "where", "maximum", "minimum", "sum", "mean", "max",
           "min", "amax", "argmax", "argmin", "var", "std", "softmax", "log_softmax", "logsumexp", "norm", "prod",
           "all", "any", "allclose", "isclose", "equal", "isnan", "isinf", "isfinite", "nonzero", "sort", "topk",
           "cumsum", "matmul", "amin", "argsort", "flip", "var_mean", "std_mean", "clamp_min", "clamp_max", "select",
           "index_select", "remainder", "floor_divide", "mm", "mv", "dot", "bmm", "addmm", "outer", "reshape", "flatten", "transpose",
           "swapaxes", "swapdims", "t", "permute", "squeeze", "unsqueeze", "cat", "concat", "concatenate", "stack",
           "gather", "split", "chunk", "unbind", "narrow", "masked_fill", "broadcast_to", "broadcast_shapes",
           "numel", "is_tensor", "is_floating_point", "clone", "detach", "round", "floor", "ceil", "trunc",
           "meshgrid", "hstack", "vstack", "column_stack", "unique", "einsum", "pi", "e", "inf", "nan",
           "log10", "log2", "expm1", "exp2", "tan", "asin", "acos", "atan", "arcsin", "arccos", "arctan", "sinh",
           "cosh", "tril", "triu", "diag", "diagonal", "scatter", "scatter_add", "lerp", "addcmul", "addcdiv",
           "nan_to_num", "roll", "trace", "dist", "cdist", "median", "index_add", "fliplr", "flipud", "atleast_1d",
           "atleast_2d", "atleast_3d", "logical_and", "logical_or", "logical_xor", "logical_not", "count_nonzero",
           "bincount", "cumprod"]

__all__ += ["erf", "erfc", "erfinv", "inverse", "det", "logdet", "slogdet", "quantile", "nanquantile",
            "broadcast_tensors", "cholesky_solve", "cholesky_inverse", "lgamma", "digamma", "polygamma", "atanh",
            "asinh", "acosh", "arctanh", "arcsinh", "arccosh", "xlogy", "logit", "poisson",
            "_standard_gamma"]

pi, e, inf, nan = float(np.pi), float(np.e), float("inf"), float("nan")


def numel(input):
    return input.numel()


def is_tensor(obj):
    return isinstance(obj, Tensor)


def is_floating_point(input):
    return input.is_floating_point()


def clone(input):
    return input.clone()


def detach(input):
    return input.detach()


# ---- NumPy-style keyword aliases and out= ------------------------------------------------------------
# PyTorch's argument parser accepts NumPy's names for some keywords (``sum(axis=0, keepdims=True)``,
# ``matmul(x1=a, x2=b)``) and an ``out=`` tensor on most math functions; so do the kit's functions.
_ALIASES = {"axis": "dim", "keepdims": "keepdim", "x": "input", "a": "input", "x1": "input", "x2": "other"}
_NO_OUT = {"numel", "is_tensor", "is_floating_point", "clone", "detach", "reshape", "flatten", "transpose",
           "swapaxes", "swapdims", "t", "permute", "squeeze", "unsqueeze", "split", "chunk", "unbind", "narrow",
           "broadcast_to", "broadcast_shapes", "meshgrid", "select", "allclose", "equal", "diagonal", "unique",
           "masked_fill"}
_NO_OUT |= {"inverse", "det", "logdet", "slogdet", "quantile", "nanquantile", "broadcast_tensors",
            "cholesky_solve", "cholesky_inverse", "poisson", "_standard_gamma"}


def _with_aliases(fn, name):
    import functools
    import inspect
    params = set(inspect.signature(fn).parameters)
    aliases = {k: v for k, v in _ALIASES.items() if v in params and k not in params}
    takes_out = name not in _NO_OUT and "out" not in params

    @functools.wraps(fn)
    def api(*args, **kw):
        if kw:
            for alias in aliases.keys() & kw.keys():
                canon = aliases[alias]
                if canon in kw:
                    raise TypeError(f"{name}() got an unexpected keyword argument '{alias}'")
                kw[canon] = kw.pop(alias)
            if takes_out and "out" in kw:
                out = kw.pop("out")
                if out is not None:
                    return _write_out(name, fn, args, kw, out)
        return fn(*args, **kw)
    return api


def _write_out(name, fn, args, kw, out):
    """``torch.add(a, b, out=r)``: the result written into ``r`` (resized if needed), returned as ``r``."""
    import warnings
    if _grad_mode.is_grad_enabled() and builtins.any(isinstance(a, Tensor) and a.requires_grad
                                            for a in (*args, *kw.values(), out)):
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic differentiation, "
                           "but one of the arguments requires grad.")
    result = fn(*args, **kw)
    pairs = zip(out, result) if isinstance(out, (tuple, list)) else ((out, result),)
    for o, r in pairs:
        arr = r._data
        if o._data.dtype != arr.dtype:
            if np.dtype(o._data.dtype).kind in "iub" and arr.dtype.kind == "f":
                from ._tensor_types import _TYPE_NAMES
                raise RuntimeError(f"result type {_TYPE_NAMES[arr.dtype.name][:-6]} can't be cast to the desired "
                                   f"output type {_TYPE_NAMES[o._data.dtype.name][:-6]}")
            arr = arr.astype(o._data.dtype)
        if o._data.shape != arr.shape:
            if o._data.size:
                warnings.warn(
                    f"An output with one or more elements was resized since it had shape {list(o._data.shape)}, "
                    f"which does not match the required output shape {list(arr.shape)}. This behavior is deprecated, "
                    "and in a future PyTorch release outputs will not be resized unless they have zero elements. You "
                    "can explicitly reuse an out tensor t by resizing it, inplace, to zero elements with "
                    "t.resize_(0).", UserWarning, stacklevel=3)
            o._data = arr.copy()
        else:
            o._data[...] = arr
        o._vc[0] += 1
    return out


def _wrap_api():
    g = globals()
    for name in __all__:
        fn = g[name]
        if callable(fn) and not isinstance(fn, type):
            g[name] = _with_aliases(fn, name)


_wrap_api()


def _install_methods():
    """Tensor methods and operators, each one line over the functional API."""
    T = Tensor

    # the operators and one-input methods call their op's entry point (Function.op1/op2: no argument packing)
    T.__add__ = T.__radd__ = E.Add.op2
    T.add = lambda self, other, *, alpha=1: E.Add.apply(self, other, alpha=alpha)
    T.__sub__ = E.Sub.op2
    T.sub = lambda self, other, *, alpha=1: E.Sub.apply(self, other, alpha=alpha)
    T.__rsub__ = lambda self, other: (E.Rsub.apply(self, other=other) if isinstance(other, (int, float))
                                      else E.Sub.apply(_scalar_tensor(other, self), self))
    T.__mul__ = T.mul = T.__rmul__ = E.Mul.op2
    T.__truediv__ = E.Div.op2
    T.div = lambda self, other, *, rounding_mode=None: div(self, other, rounding_mode=rounding_mode)
    T.__rtruediv__ = lambda self, other: (E.Mul.apply(E.Reciprocal.apply(self), other) if _is_number(other)
                                          else E.Div.apply(_scalar_tensor(other, self), self))  # 2/x: reciprocal(x)*2
    T.__floordiv__ = T.floor_divide = floor_divide
    T.__mod__ = T.remainder = remainder
    T.true_divide = E.Div.op2
    T.__neg__ = T.neg = E.Neg.op1
    T.__pos__ = lambda self: self
    T.__pow__ = T.pow = lambda self, exponent: (pow(self, exponent) if isinstance(exponent, Tensor)
                                                else E.Pow.op1(self, exponent))
    T.__rpow__ = lambda self, other: (E.PowScalarBase.apply(self, base=other) if _is_number(other)
                                      else E.PowTensor.apply(_scalar_tensor(other, self), self))
    T.__matmul__ = T.matmul = lambda self, other: L.matmul(self, other)
    T.__rmatmul__ = lambda self, other: L.matmul(_t(other), self)
    T.__abs__ = T.abs = E.Abs.op1
    for name, op in (("__eq__", np.equal), ("__ne__", np.not_equal), ("__lt__", np.less),
                     ("__le__", np.less_equal), ("__gt__", np.greater), ("__ge__", np.greater_equal)):
        setattr(T, name, _compare(op))
    T.eq, T.ne, T.lt, T.le, T.gt, T.ge = T.__eq__, T.__ne__, T.__lt__, T.__le__, T.__gt__, T.__ge__
    T.__and__ = lambda self, other: Tensor._make(np.asarray(self._data & (other._data if isinstance(other, T) else other)))
    T.__or__ = lambda self, other: Tensor._make(np.asarray(self._data | (other._data if isinstance(other, T) else other)))
    T.__xor__ = lambda self, other: Tensor._make(np.asarray(self._data ^ (other._data if isinstance(other, T) else other)))
    T.__invert__ = T.logical_not = lambda self: Tensor._make(np.asarray(~self._data if self._data.dtype == np.bool_ else np.invert(self._data)))
    T.__getitem__ = S.getitem
    for name in ("exp", "log", "sqrt", "rsqrt", "sin", "cos", "tanh", "sigmoid", "relu", "sign", "square",
                 "reciprocal", "log1p", "clamp", "clip", "sum", "mean", "max", "min", "amax", "argmax", "argmin",
                 "var", "std", "softmax", "log_softmax", "logsumexp", "norm", "prod", "all", "any", "mm", "mv", "dot",
                 "bmm", "flatten", "t", "squeeze", "unsqueeze", "gather", "split", "chunk", "unbind", "narrow",
                 "masked_fill", "allclose", "isclose", "equal", "isnan", "isinf", "nonzero", "sort", "topk",
                 "cumsum", "maximum", "minimum", "outer", "addmm", "round", "floor", "ceil", "trunc", "unique",
                 "amin", "argsort", "flip", "clamp_min", "clamp_max", "select", "index_select", "log10", "log2",
                 "expm1", "exp2", "tan", "asin", "acos", "atan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tril",
                 "triu", "diag", "diagonal", "scatter", "scatter_add", "addcmul", "addcdiv", "nan_to_num", "roll",
                 "trace", "dist", "median", "index_add", "fliplr", "flipud", "logical_and", "logical_or",
                 "logical_xor", "logical_not", "count_nonzero", "bincount", "cumprod"):
        setattr(T, name, globals()[name])
    for op in (E.Exp, E.Log, E.Sqrt, E.Sin, E.Cos, E.Tanh, E.Sigmoid, E.Relu):
        setattr(T, op.__name__.lower(), op.op1)
    T.transpose = T.swapaxes = lambda self, dim0, dim1: S.Transpose.opv(self, dim0, dim1)
    T.reshape = lambda self, *shape: S.reshape(self, _shape_args(shape))
    T.view = _view
    T.view_as = lambda self, other: S.View.apply(self, shape=other._data.shape)
    T.reshape_as = lambda self, other: S.reshape(self, other._data.shape)
    T.permute = lambda self, *dims: S.Permute.opv(self, _shape_args(dims))
    T.expand = lambda self, *sizes: S.Expand.opv(self, _shape_args(sizes))
    T.expand_as = lambda self, other: S.Expand.opv(self, other._data.shape)
    T.sum_to_size = lambda self, *size: R.SumToSize.apply(  # the engine's call: one tuple
        self, shape=size[0] if len(size) == 1 and type(size[0]) is tuple else tuple(_shape_args(size)))
    T.where = lambda self, condition, y: where(condition, self, y)
    T.new_zeros = lambda self, *size, dtype=None, requires_grad=False: _new(self, np.zeros, size, dtype, requires_grad)
    T.new_ones = lambda self, *size, dtype=None, requires_grad=False: _new(self, np.ones, size, dtype, requires_grad)
    T.new_tensor = lambda self, data, dtype=None, requires_grad=False: _new_tensor(self, data, dtype, requires_grad)
    T.new_full = lambda self, size, fill_value, dtype=None, requires_grad=False: _new(
        self, lambda s, dtype: np.full(s, fill_value, dtype=dtype), (size,), dtype, requires_grad)
    T.new_empty = T.new_zeros
    T.repeat = lambda self, *sizes: S.Repeat.apply(self, sizes=_shape_args(sizes))
    T.flip = lambda self, *dims: flip(self, _shape_args(dims))
    for name, fn in (("sqrt", sqrt), ("exp", exp), ("log", log), ("sin", sin), ("cos", cos), ("tanh", tanh),
                     ("sigmoid", sigmoid), ("relu", relu), ("abs", abs), ("neg", neg), ("reciprocal", reciprocal),
                     ("rsqrt", rsqrt), ("log1p", log1p), ("square", square), ("floor", floor), ("ceil", ceil),
                     ("round", round), ("trunc", trunc), ("sign", sign), ("log10", log10), ("log2", log2),
                     ("expm1", expm1), ("tan", tan), ("sinh", sinh), ("cosh", cosh)):
        if not hasattr(T, name + "_"):  # in-place unary ops: the op's result written back, as PyTorch
            setattr(T, name + "_", lambda self, _fn=fn: self._inplace(_fn))
    T.scatter_ = lambda self, dim, index, src=None, value=None, *, reduce=None: self._inplace(
        lambda s: scatter(s, dim, index, src, value, reduce=reduce))
    T.scatter_add_ = lambda self, dim, index, src: self._inplace(lambda s: scatter_add(s, dim, index, src))
    T.index_add_ = lambda self, dim, index, source, *, alpha=1: self._inplace(
        lambda s: index_add(s, dim, index, source, alpha=alpha))
    T.type_as = lambda self, other: self.to(other.dtype)
    T.tril_ = lambda self, diagonal=0: self._inplace(lambda s: tril(s, diagonal))
    T.triu_ = lambda self, diagonal=0: self._inplace(lambda s: triu(s, diagonal))
    T.clamp_min_ = lambda self, min: self._inplace(lambda s: clamp_min(s, min))
    T.clamp_max_ = lambda self, max: self._inplace(lambda s: clamp_max(s, max))
    T.t_ = lambda self: _view_inplace(self, t)
    T.unsqueeze_ = lambda self, dim: _view_inplace(self, lambda s: unsqueeze(s, dim))
    T.squeeze_ = lambda self, dim=None: _view_inplace(self, lambda s: squeeze(s, dim))


def _scalar_tensor(x, like):
    """A Python number on the left of an op (``2 - x``): a 0-d tensor of the promoted kind."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray):
        return Tensor._make(x)
    from .ops._util import result_dtype
    return Tensor._make(np.asarray(x, dtype=result_dtype(like, x)))


def _compare(op):
    def cmp(self, other):
        if not isinstance(other, (Tensor, int, float, bool, np.ndarray, np.generic)):
            return NotImplemented
        try:
            return Tensor._make(np.asarray(op(self._data, other._data if isinstance(other, Tensor) else other)))
        except ValueError:
            from .ops._util import broadcast_error
            raise broadcast_error(self._data.shape, np.shape(other._data if isinstance(other, Tensor) else other)) from None
    return cmp


def _shape_args(args):
    """A method's ``*sizes``: ``x.view(2, 3)``, ``x.view((2, 3))`` or ``x.view([2, 3])`` -> a plain tuple."""
    if len(args) == 1:
        a = args[0]
        ta = type(a)
        if ta is tuple:
            return a
        if ta is not int and isinstance(a, (tuple, list)):  # a list, or a Size
            return tuple(a)
    return args


def _view(self, *shape):
    """``x.view(2, 3)``, ``x.view((2, 3))``, or ``x.view(dtype)``."""
    if len(shape) == 1:
        s = shape[0]
        ts = type(s)
        if ts is tuple:
            shape = s
        elif ts is not int:
            if isinstance(s, (tuple, list)):
                shape = tuple(s)
            elif not isinstance(s, int) and s is not None:
                try:
                    return self.to(s)
                except TypeError:
                    pass
    return S.View.opv(self, shape)


def _new(self, fn, size, dtype, requires_grad):
    dtype = _dtype.check_dtype(dtype, {np.zeros: "new_zeros", np.ones: "new_ones"}.get(fn, "new_full"))
    dt = dtype.np if dtype is not None else self._data.dtype
    t = Tensor._make(fn(_shape_args(size), dtype=dt))
    return t.requires_grad_(requires_grad)


def _new_tensor(self, data, dtype, requires_grad):
    """PyTorch's ``new_tensor``: the dtype is self's unless given (``tensor([1.]).new_tensor([1, 2])`` is float)."""
    if isinstance(data, Tensor):
        import warnings
        warnings.warn("To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
                      "sourceTensor.detach().clone().requires_grad_(True), rather than tensor.new_tensor(sourceTensor).",
                      UserWarning, stacklevel=3)
    dt = _dtype.check_dtype(dtype, "new_tensor") or self.dtype
    arr = _as_array(data, dt).astype(dt.np, copy=False)
    return Tensor._make(arr).requires_grad_(requires_grad)


def _is_number(x):
    return isinstance(x, (int, float, bool, np.number, np.bool_))


def _view_inplace(self, fn):
    """t_/unsqueeze_/squeeze_: self takes the view's shape (and, in a graph, its grad_fn)."""
    self._check_inplace()
    if self._recording(()):
        out = fn(Tensor._make(self._data, True, self.grad_fn, self._vc))
        self.grad_fn = out.grad_fn
        self._link_output()
    else:
        with _grad_mode.no_grad():
            out = fn(self)
    self._data = out._data
    return self


_install_methods()
