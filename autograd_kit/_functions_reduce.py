"""The functional API, reductions: sum, mean, max/min, var/std, softmax, norm, prod, all/any, sort, topk,
unique, cumsum."""
import collections
import types

import numpy as np

from ._tensor import Tensor
from . import _dtype, _grad_mode
from ._functions_math import maximum, minimum
from .ops import reduce as R
from .ops._util import norm_dim


# ---- reductions -----------------------------------------------------------------------------
def sum(input, dim=None, keepdim=False, *, dtype=None, axis=None):
    dim = axis if dim is None else dim
    op = R.Sum if dim is None else R.SumDim
    return op.apply(input, dim=dim, keepdim=keepdim, dtype=None if dtype is None else _np_dt(dtype))


def mean(input, dim=None, keepdim=False, *, dtype=None, axis=None):
    dim = axis if dim is None else dim
    op = R.Mean if dim is None else R.MeanDim
    return op.apply(input, dim=dim, keepdim=keepdim, dtype=None if dtype is None else _np_dt(dtype))


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


def unique(input, sorted=True, return_counts=False):
    ctx = types.SimpleNamespace()
    out = R.Unique.apply(input) if input.requires_grad and _grad_mode._enabled[0] else None
    if out is None:
        out = Tensor._make(R.Unique.forward(ctx, input))
    counts = (out.grad_fn or ctx).counts
    return (out, Tensor._make(counts)) if return_counts else out


def cumsum(input, dim, *, dtype=None):
    return R.Cumsum.apply(input, dim=dim, dtype=_np_dt(dtype))


def cumprod(input, dim, *, dtype=None):
    from .ops.products import Cumprod
    return Cumprod.apply(input, dim=dim, dtype=_np_dt(dtype))
