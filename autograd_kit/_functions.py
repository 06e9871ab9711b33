"""The functional API (``torch.exp(x)``, ``torch.sum(x, dim)``...) and the Tensor methods built on it."""
import builtins
import collections
import types

import numpy as np

from ._tensor import Tensor, _as_array
from . import _dtype, _grad_mode
from .ops import elementwise as E, linalg as L, reduce as R, shape as S
from .ops._util import norm_dim, norm_dims

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
           "meshgrid", "hstack", "vstack", "column_stack", "unique", "einsum", "pi", "e", "inf", "nan"]

pi, e, inf, nan = float(np.pi), float(np.e), float("inf"), float("nan")


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


(neg, exp, log, sqrt, abs, sin, cos, tanh, sigmoid, relu, sign, round, floor, ceil, trunc) = (
    _one_input(op, name) for op, name in (
        (E.Neg, "neg"), (E.Exp, "exp"), (E.Log, "log"), (E.Sqrt, "sqrt"), (E.Abs, "abs"), (E.Sin, "sin"),
        (E.Cos, "cos"), (E.Tanh, "tanh"), (E.Sigmoid, "sigmoid"), (E.Relu, "relu"), (E.Sign, "sign"),
        (E.Round, "round"), (E.Floor, "floor"), (E.Ceil, "ceil"), (E.Trunc, "trunc")))
negative, absolute = neg, abs


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
    return E.ClampMin.apply(input, min=min)


def clamp_max(input, max):
    return E.ClampMax.apply(input, max=max)


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


# ---- reductions -----------------------------------------------------------------------------
def sum(input, dim=None, keepdim=False, *, dtype=None, axis=None):
    dim = axis if dim is None else dim
    op = R.Sum if dim is None else R.SumDim
    return op.apply(input, dim=dim, keepdim=keepdim, dtype=_np_dt(dtype))


def mean(input, dim=None, keepdim=False, *, dtype=None, axis=None):
    dim = axis if dim is None else dim
    op = R.Mean if dim is None else R.MeanDim
    return op.apply(input, dim=dim, keepdim=keepdim, dtype=_np_dt(dtype))


def _np_dt(dtype):
    return None if dtype is None else _dtype.to_numpy_dtype(dtype)


_values_indices = {}


def _return_type(name):
    if name not in _values_indices:
        cls = collections.namedtuple(name, ["values", "indices"])
        cls.__module__ = "torch.return_types"
        cls.__repr__ = lambda self: f"torch.return_types.{name}(\nvalues={self.values!r},\nindices={self.indices!r})"
        _values_indices[name] = cls
    return _values_indices[name]


def _max_min(input, dim, keepdim, other, all_op, dim_op, name):
    if isinstance(dim, Tensor) and other is None:
        other, dim = dim, None
    if other is not None:
        return maximum(input, other) if name == "max" else minimum(input, other)
    if dim is None:
        return all_op.apply(input)
    node_out = dim_op.apply(input, dim=dim, keepdim=keepdim)
    ctx = node_out.grad_fn
    if ctx is None:  # no graph recorded: recompute the indices cheaply
        d = input._data
        dd = norm_dim(dim, d.ndim)
        idx = (np.argmax if name == "max" else np.argmin)(d, axis=dd, keepdims=keepdim) if d.ndim else np.zeros((), np.int64)
    else:
        idx = ctx.indices
    return _return_type(name)(node_out, Tensor._make(np.asarray(idx, dtype=np.int64)))


def max(input, dim=None, keepdim=False, *, other=None, axis=None):
    dim = axis if dim is None else dim
    return _max_min(input, dim, keepdim, other, R.MaxAll, R.MaxDim, "max")


def min(input, dim=None, keepdim=False, *, other=None, axis=None):
    dim = axis if dim is None else dim
    return _max_min(input, dim, keepdim, other, R.MinAll, R.MinDim, "min")


def amax(input, dim=(), keepdim=False):
    return R.Amax.apply(input, dim=dim, keepdim=keepdim)


def amin(input, dim=(), keepdim=False):
    return R.Amin.apply(input, dim=dim, keepdim=keepdim)


def _arg(np_fn, input, dim, keepdim):
    d = input._data
    if dim is None:
        r = np_fn(d)
        return Tensor._make(np.asarray(r, dtype=np.int64).reshape((1,) * d.ndim if keepdim else ()))
    return Tensor._make(np.asarray(np_fn(d, axis=norm_dim(dim, d.ndim), keepdims=keepdim), dtype=np.int64))


def argmax(input, dim=None, keepdim=False):
    return _arg(np.argmax, input, dim, keepdim)


def argmin(input, dim=None, keepdim=False):
    return _arg(np.argmin, input, dim, keepdim)


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    return R.Var.apply(input, dim=dim, correction=correction, keepdim=keepdim)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    return R.Std.apply(input, dim=dim, correction=correction, keepdim=keepdim)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(var, mean); PyTorch records one VarMeanBackward0 node for both, the kit one per output."""
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    return (R.VarMeanVar.apply(input, dim=dim, correction=correction, keepdim=keepdim),
            R.VarMeanMean.apply(input, dim=dim, keepdim=keepdim))


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    return (R.StdMeanStd.apply(input, dim=dim, correction=correction, keepdim=keepdim),
            R.StdMeanMean.apply(input, dim=dim, keepdim=keepdim))


def softmax(input, dim=None, dtype=None):
    _need_dim("softmax", dim)
    if dtype is not None:
        input = input.to(dtype)
    return R.Softmax.apply(input, dim=_implicit_dim(input, dim))


def log_softmax(input, dim=None, dtype=None):
    _need_dim("log_softmax", dim)
    if dtype is not None:
        input = input.to(dtype)
    return R.LogSoftmax.apply(input, dim=_implicit_dim(input, dim))


def _need_dim(name, dim):
    if dim is None:  # torch.softmax and Tensor.softmax need dim (nn.functional.softmax infers it)
        raise TypeError(f'{name}() missing 1 required positional arguments: "dim"')


def _implicit_dim(input, dim):
    if dim is None:
        nd = input._data.ndim
        return 0 if nd in (0, 1, 3) else 1
    return dim


def logsumexp(input, dim, keepdim=False):
    return R.Logsumexp.apply(input, dim=dim, keepdim=keepdim)


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """Vector norms (p a number, or 'fro' = 2), as linalg.vector_norm: LinalgVectorNormBackward0."""
    if p == "fro":
        p = 2
    elif isinstance(p, str):
        raise NotImplementedError(f"norm(p={p!r}): only vector norms are supported by autograd_kit")
    if dtype is not None:
        input = input.to(dtype)
    return R.Norm.apply(input, ord=p, dim=dim, keepdim=keepdim)


def prod(input, dim=None, keepdim=False, *, dtype=None):
    if dim is None:
        return R.Prod.apply(input, dtype=_np_dt(dtype))
    return R.ProdDim.apply(input, dim=dim, keepdim=keepdim, dtype=_np_dt(dtype))


def all(input, dim=None, keepdim=False):
    return Tensor._make(np.asarray(np.all(input._data, axis=dim, keepdims=keepdim)))


def any(input, dim=None, keepdim=False):
    return Tensor._make(np.asarray(np.any(input._data, axis=dim, keepdims=keepdim)))


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


def _with_indices(name, op, input, **kw):
    """Run a values op (sort, topk) and return (values, indices); the indices come from its context."""
    if input.requires_grad and _grad_mode._enabled[0]:
        vals = op.apply(input, **kw)
        idx = vals.grad_fn.indices
    else:
        ctx = types.SimpleNamespace()
        vals = Tensor._make(np.asarray(op.forward(ctx, input, **kw)))
        idx = ctx.indices
    return _return_type(name)(vals, Tensor._make(np.asarray(idx, dtype=np.int64)))


def sort(input, dim=-1, descending=False, stable=False):
    return _with_indices("sort", R.SortStable if stable else R.Sort, input, dim=dim, descending=descending)


def argsort(input, dim=-1, descending=False, stable=False):
    return sort(input, dim, descending, stable).indices


def topk(input, k, dim=-1, largest=True, sorted=True):
    return _with_indices("topk", R.Topk, input, k=k, dim=dim, largest=largest)






def meshgrid(*tensors, indexing=None):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        import warnings
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument.",
                      UserWarning, stacklevel=2)
        indexing = "ij"
    shape = [t.numel() for t in tensors]
    if indexing == "xy" and len(shape) >= 2:
        shape[0], shape[1] = shape[1], shape[0]
    out = []
    for i, t in enumerate(tensors):
        view = [1] * len(tensors)
        pos = i if indexing == "ij" or len(tensors) < 2 else (1 - i if i < 2 else i)
        view[pos] = -1
        out.append(t.reshape(view).expand(*shape))
    return tuple(out)


def hstack(tensors):
    tensors = list(tensors)
    return cat(tensors, dim=0 if tensors[0].dim() == 1 else 1)


def vstack(tensors):
    return cat([t if t.dim() > 1 else t.unsqueeze(0) for t in tensors], dim=0)


def column_stack(tensors):
    return cat([t.reshape(-1, 1) if t.dim() <= 1 else t for t in tensors], dim=1)


def unique(input, sorted=True, return_counts=False):
    ctx = types.SimpleNamespace()
    out = R.Unique.apply(input) if input.requires_grad and _grad_mode._enabled[0] else None
    if out is None:
        out = Tensor._make(R.Unique.forward(ctx, input))
    counts = (out.grad_fn or ctx).counts
    return (out, Tensor._make(counts)) if return_counts else out


def einsum(equation, *operands):
    """einsum; its gradient is an einsum of the output gradient with the other operands (PyTorch
    decomposes it into views and bmm, so its grad_fn names differ: the kit records EinsumBackward0)."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = operands[0]
    return L.Einsum.apply(*operands, equation=equation)


def cumsum(input, dim, *, dtype=None):
    return R.Cumsum.apply(input, dim=dim, dtype=_np_dt(dtype))


def flip(input, dims):
    return S.Flip.apply(input, dims=(dims,) if isinstance(dims, int) else tuple(dims))


def select(input, dim, index):
    d = norm_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(input._data.shape)} at dimension {d}")
    return S.Select.apply(input, dim=d, index=index)


def index_select(input, dim, index):
    return S.IndexSelect.apply(input, dim=dim, index=index)


# ---- linear algebra ---------------------------------------------------------------------------
matmul, mm, mv, dot, bmm, addmm = L.matmul, L.mm, L.mv, L.dot, L.bmm, L.addmm


def outer(input, vec2):
    return input.reshape(-1, 1) * vec2  # as PyTorch records it


# ---- shape -------------------------------------------------------------------------------------
def reshape(input, shape):
    return S.reshape(input, tuple(shape))


def flatten(input, start_dim=0, end_dim=-1):
    shape = input._data.shape
    if not shape:
        return input.reshape((1,))
    s, e = norm_dim(start_dim, len(shape)), norm_dim(end_dim, len(shape))
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    new = shape[:s] + (int(np.prod(shape[s:e + 1])),) + shape[e + 1:]
    return S.reshape(input, new)


def transpose(input, dim0, dim1):
    return S.Transpose.apply(input, dim0=dim0, dim1=dim1)


swapaxes = swapdims = transpose


def t(input):
    if input._data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input._data.ndim}D")
    if input._data.ndim < 2:
        return S.T1.apply(input)  # a vector's t() is itself, recorded as TBackward0
    return S.T.apply(input, dim0=0, dim1=1)


def permute(input, dims):
    return S.Permute.apply(input, dims=tuple(dims))


def squeeze(input, dim=None):
    return (S.SqueezeAll if dim is None else S.Squeeze).apply(input, dim=dim)


def unsqueeze(input, dim):
    return S.Unsqueeze.apply(input, dim=dim)


def _tensor_list(name, tensors):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, not {type(tensors).__name__}")
    return list(tensors)


def cat(tensors, dim=0):
    tensors = _tensor_list("cat", tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    return S.Cat.apply(*tensors, dim=dim)


concat = concatenate = cat


def stack(tensors, dim=0):
    tensors = _tensor_list("stack", tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    return S.Stack.apply(*tensors, dim=dim)


def gather(input, dim, index):
    return R.Gather.apply(input, dim=dim, index=index)


def split(tensor, split_size_or_sections, dim=0):
    """Views (SplitBackward0; SplitWithSizesBackward0 for a list of sizes), one node per piece."""
    d = norm_dim(dim, tensor._data.ndim)
    n = tensor._data.shape[d]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        sizes = [builtins.min(step, n - i) for i in range(0, n, step)] if step else [0]
        op = S.Split
    else:
        sizes = list(split_size_or_sections)
        if builtins.sum(sizes) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size at "
                               f"dimension {d}), but got split_sizes={sizes}")
        op = S.SplitWithSizes
    out, start = [], 0
    for size in sizes:
        out.append(op.apply(tensor, dim=d, start=start, length=size))
        start += size
    return tuple(out)


def chunk(input, chunks, dim=0):
    n = input.size(dim)
    size = -(-n // chunks)
    return split(input, size, dim)


def unbind(input, dim=0):
    d = norm_dim(dim, input._data.ndim)
    return tuple(S.Unbind.apply(input, dim=d, index=i) for i in range(input._data.shape[d]))


def narrow(input, dim, start, length):
    d = norm_dim(dim, input._data.ndim)
    return input[(slice(None),) * d + (slice(start, start + length),)]


def masked_fill(input, mask, value):
    if isinstance(value, Tensor):
        return E.MaskedFillTensor.apply(input, value, mask=mask)
    return E.MaskedFill.apply(input, mask=mask, value=value)


def broadcast_to(input, size):
    return input.expand(*size)


def broadcast_shapes(*shapes):
    from ._tensor import Size
    return Size(np.broadcast_shapes(*shapes))


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


def _install_methods():
    """Tensor methods and operators, each one line over the functional API."""
    T = Tensor

    T.__add__ = T.add = lambda self, other, *, alpha=1: E.Add.apply(self, other, alpha=alpha)
    T.__radd__ = lambda self, other: E.Add.apply(self, other)
    T.__sub__ = T.sub = lambda self, other, *, alpha=1: E.Sub.apply(self, other, alpha=alpha)
    T.__rsub__ = lambda self, other: (E.Rsub.apply(self, other=other) if isinstance(other, (int, float))
                                      else E.Sub.apply(_scalar_tensor(other, self), self))
    T.__mul__ = T.mul = lambda self, other: E.Mul.apply(self, other)
    T.__rmul__ = lambda self, other: E.Mul.apply(self, other)
    T.__truediv__ = T.div = lambda self, other: E.Div.apply(self, other)
    T.__rtruediv__ = lambda self, other: (E.Mul.apply(E.Reciprocal.apply(self), other) if _is_number(other)
                                          else E.Div.apply(_scalar_tensor(other, self), self))  # 2/x: reciprocal(x)*2
    T.__floordiv__ = T.floor_divide = floor_divide
    T.__mod__ = T.remainder = remainder
    T.true_divide = lambda self, other: E.Div.apply(self, other)
    T.__neg__ = T.neg = lambda self: E.Neg.apply(self)
    T.__pos__ = lambda self: self
    T.__pow__ = T.pow = lambda self, exponent: pow(self, exponent)
    T.__rpow__ = lambda self, other: (E.PowScalarBase.apply(self, base=other) if _is_number(other)
                                      else E.PowTensor.apply(_scalar_tensor(other, self), self))
    T.__matmul__ = T.matmul = lambda self, other: L.matmul(self, other)
    T.__rmatmul__ = lambda self, other: L.matmul(_t(other), self)
    T.__abs__ = T.abs = lambda self: E.Abs.apply(self)
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
                 "amin", "argsort", "flip", "clamp_min", "clamp_max", "select", "index_select"):
        setattr(T, name, globals()[name])
    T.transpose = T.swapaxes = lambda self, dim0, dim1: transpose(self, dim0, dim1)
    T.reshape = lambda self, *shape: reshape(self, _shape_args(shape))
    T.view = lambda self, *shape: _view(self, shape)
    T.view_as = lambda self, other: S.View.apply(self, shape=other._data.shape)
    T.reshape_as = lambda self, other: reshape(self, other._data.shape)
    T.permute = lambda self, *dims: permute(self, _shape_args(dims))
    T.expand = lambda self, *sizes: S.Expand.apply(self, sizes=_shape_args(sizes))
    T.expand_as = lambda self, other: S.Expand.apply(self, sizes=other._data.shape)
    T.sum_to_size = lambda self, *size: R.SumToSize.apply(self, shape=tuple(_shape_args(size)))
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
                     ("round", round), ("trunc", trunc), ("sign", sign)):
        if not hasattr(T, name + "_"):  # in-place unary ops: the op's result written back, as PyTorch
            setattr(T, name + "_", lambda self, _fn=fn: self._inplace(_fn))
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
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return tuple(args)


def _view(self, shape):
    if len(shape) == 1 and not isinstance(shape[0], (tuple, list, int)) and shape[0] is not None:
        try:
            return self.to(shape[0])
        except TypeError:
            pass
    return S.View.apply(self, shape=_shape_args(shape))


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
    else:
        with _grad_mode.no_grad():
            out = fn(self)
    self._data = out._data
    return self


_install_methods()
