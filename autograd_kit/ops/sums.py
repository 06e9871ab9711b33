"""Sum-like reductions: sum, mean, var/std (and var_mean/std_mean), prod, cumsum, the vector norm,
and the engine's sum_to_size."""
import math

import numpy as np

from .._reduction import sum_fn, torch_sum
from .._reduction_stats import torch_norm, torch_var, welford_mean
from ..autograd.function import Function
from ..autograd.graph import OUTPUT
from ._util import norm_dim, norm_dims

Tensor = None  # bound by autograd_kit._tensor


def _kept_shape(shape, dims):
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


# A repeated sum or mean of a C-contiguous float32/float64 input: (op, shape, dtype char, dim, keepdim) ->
# (dims, n, torch_sum's callable for them, n in the input's dtype), kept once a first call has checked the
# arguments (norm_dims raises before anything is kept).
_FAST = {}


def _cached(op, d, dim, keepdim):
    """_FAST's entry for op (0: sum, 1: mean) of the C-contiguous ``d`` (made on a first call), or None where
    the general path applies."""
    try:
        hit = _FAST.get(key := (op, d.shape, d.dtype.char, dim, keepdim))
    except TypeError:  # a list of dims
        return None
    if hit is None:
        if len(_FAST) > 4096:
            _FAST.clear()
        dims = norm_dims(dim, d.ndim)
        n = math.prod([d.shape[i] for i in dims])
        hit = _FAST[key] = (dims, n, sum_fn(d.shape, d.dtype.char, dims, keepdim), d.dtype.type(n))
    return hit if hit[2] is not None else None


class Sum(Function):
    formula = "Σ a"
    derivatives = ("1",)

    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False, dtype=None):
        d = a._data
        if dtype is None and d.flags.c_contiguous and (hit := _cached(0, d, dim, keepdim)) is not None:
            ctx.shape, ctx.dims = d.shape, hit[0]
            return hit[2](d)
        dims = norm_dims(dim, d.ndim)
        ctx.shape, ctx.dims = d.shape, dims
        if dtype is None and d.dtype.kind in "biu":
            dtype = np.int64
        return torch_sum(d, dims, keepdim, dtype)  # PyTorch's summation order (cascade sum)

    @staticmethod
    def backward(ctx, grad):
        if grad.dim() == 0 or len(ctx.dims) == 0:
            return grad.expand(ctx.shape)
        return grad.reshape(_kept_shape(ctx.shape, ctx.dims)).expand(ctx.shape)


class SumDim(Sum):
    backward_name = "SumBackward1"


class Mean(Function):
    formula = "mean(a)"
    derivatives = ("1/n",)

    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False, dtype=None):
        d = a._data
        if dtype is None and d.dtype.kind not in "fc":
            raise RuntimeError(
                "mean(): could not infer output dtype. Input dtype must be either a floating point or "
                f"complex dtype. Got: {_torch_name(d.dtype)}")
        if dtype is None and d.flags.c_contiguous and (hit := _cached(1, d, dim, keepdim)) is not None:
            ctx.shape, ctx.dims, ctx.n = d.shape, hit[0], hit[1]  # the same sum and division as below
            return hit[2](d) / hit[3]
        dims = norm_dims(dim, d.ndim)
        ctx.shape, ctx.dims = d.shape, dims
        ctx.n = math.prod([d.shape[i] for i in dims]) if dims else 1
        if ctx.n == 0:  # PyTorch: nan, silently (NumPy's mean would warn "Mean of empty slice")
            return np.sum(d, axis=dims, keepdims=keepdim, dtype=dtype) / 0
        # PyTorch's CPU mean: sum (cascade order) then div_(n), in the result dtype (float16: in float32)
        out = torch_sum(d, dims, keepdim, dtype)
        if out.dtype.itemsize < 4:
            return (out.astype(np.float32) / np.float32(ctx.n)).astype(out.dtype)
        return out / out.dtype.type(ctx.n) if type(out) is np.ndarray else out.dtype.type(out / ctx.n)

    @staticmethod
    def backward(ctx, grad):
        if grad.dim() == 0 or len(ctx.dims) == 0:
            return grad.expand(ctx.shape) / ctx.n
        return grad.reshape(_kept_shape(ctx.shape, ctx.dims)).expand(ctx.shape) / ctx.n


class MeanDim(Mean):
    backward_name = "MeanBackward1"


class Var(Function):
    formula = "Σ(a - mean)² / (n - c)"
    derivatives = ("2(a - mean)/(n - c)",)

    @staticmethod
    def forward(ctx, a, dim=None, correction=1, keepdim=False, take_sqrt=False, welford=False):
        d = a._data
        dims = norm_dims(dim, d.ndim)
        n = int(np.prod([d.shape[i] for i in dims])) if dims else 1
        ctx.dims, ctx.shape, ctx.keepdim, ctx.denom = dims, d.shape, keepdim, max(n - correction, 0)
        ctx.save(self=a)
        return torch_var(d, dims, correction, keepdim, take_sqrt=take_sqrt, welford=welford)

    @staticmethod
    def backward(ctx, grad, a=None):
        # PyTorch's var_backward: (2 / (n - correction)) · grad · (a - a.mean(dims, keepdim=True))
        if a is None:
            (a,) = ctx.saved_tensors
        g = grad if ctx.keepdim else grad.reshape(_kept_shape(ctx.shape, ctx.dims))
        return g * (2.0 / ctx.denom) * (a - a.mean(dim=ctx.dims, keepdim=True))


class Std(Var):
    formula = "√var(a)"
    derivatives = ("(a - mean)/((n - c)·std)",)

    @staticmethod
    def forward(ctx, a, dim=None, correction=1, keepdim=False, welford=False):
        out = Var.forward(ctx, a, dim, correction, keepdim, take_sqrt=True, welford=welford)
        ctx.save(self=a, result=OUTPUT)
        return out

    @staticmethod
    def backward(ctx, grad):
        # PyTorch's std_backward: var_backward(grad / (2·result), zero where result is 0)
        a, out = ctx.saved_tensors
        gv = (grad / (out * 2)).masked_fill(out == 0, 0)
        return Var.backward(ctx, gv, a)


def _torch_name(np_dtype):
    return {"float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int",
            "bool": "Bool", "int16": "Short", "int8": "Char", "uint8": "Byte", "float16": "Half"}[np_dtype.name]


class SumToSize(Function):
    """Sum a broadcast gradient back to an input's shape (used once, by the engine)."""
    formula = "sum_to_size(a)"
    derivatives = ("1",)

    @staticmethod
    def forward(ctx, a, shape):
        d = a._data
        ctx.shape = d.shape
        if d.flags.c_contiguous:  # a repeated call: one lookup, then torch_sum's callable shaped to `shape`
            try:
                fn = _FAST.get(key := (2, d.shape, d.dtype.char, shape))
            except TypeError:
                fn = key = None
            if fn is not None:
                out = fn(d)
                return out if type(out) is np.ndarray else np.asarray(out)  # shape (): a NumPy scalar comes back
        lead = d.ndim - len(shape)
        axes = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape) if s == 1 and d.shape[i + lead] != 1)
        out = torch_sum(d, axes, True) if axes else d
        out = out.reshape(shape) if lead or out.shape != tuple(shape) else out
        if axes and d.flags.c_contiguous and key is not None:  # checked by the call above: kept
            fn = sum_fn(d.shape, d.dtype.char, axes, True, out.shape)
            if fn is not None:
                if len(_FAST) > 4096:
                    _FAST.clear()
                _FAST[key] = fn
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad.expand(ctx.shape)


# ---- products, cumulative sums, norm --------------------------------------------------------------

def _unsqueeze_to(t, shape, dims, keepdim):
    """A reduced result (or its gradient) reshaped so it broadcasts against the input again."""
    return t if keepdim or not len(shape) else t.reshape(_kept_shape(shape, dims))


class Prod(Function):
    """prod() over all elements (ProdBackward0); zeros handled as PyTorch does (product of the others)."""
    backward_name = "ProdBackward0"
    formula = "Π a"
    derivatives = ("Π of the others",)

    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False, dtype=None):
        d = a._data
        if dtype is None and d.dtype.kind in "biu":
            dtype = np.int64
        dims = norm_dims(dim, d.ndim)
        ctx.dims, ctx.keepdim, ctx.whole = dims, keepdim, dim is None
        ctx.save(self=a, result=OUTPUT)
        return np.prod(d, axis=dims, keepdims=keepdim, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        if a.dim() == 0:
            return grad
        shape = a._data.shape
        if not ctx.whole:
            grad = _unsqueeze_to(grad, shape, ctx.dims, ctx.keepdim)
            out = _unsqueeze_to(out, shape, ctx.dims, ctx.keepdim)
        if not (a._data == 0).any():
            return grad * (out / a)
        if ctx.whole:  # all elements: one flat dimension, viewed back (as PyTorch)
            return (grad * _prod_others(a.reshape(-1), 0)).reshape(shape)
        return grad * _prod_others(a, ctx.dims[0])


class ProdDim(Prod):
    backward_name = "ProdBackward1"


def _prod_others(a, dim):
    """For each element, the product of the other elements along dim (exclusive products from both
    ends); with tensor ops when a graph is being recorded (create_graph), else in NumPy."""
    from .._grad_mode import _enabled
    n = a._data.shape[dim]
    if not _enabled[0]:
        d = a._data
        one = np.ones_like(np.take(d, [0], axis=dim))
        left = np.cumprod(np.concatenate([one, np.take(d, range(n - 1), axis=dim)], axis=dim), axis=dim)
        rev = np.flip(np.take(d, range(1, n), axis=dim), dim)
        right = np.flip(np.cumprod(np.concatenate([one, rev], axis=dim), axis=dim), dim)
        return Tensor._make(left * right)
    parts = [a.narrow(dim, i, 1) for i in range(n)]
    left, right = [None] * n, [None] * n
    for i in range(1, n):
        left[i] = parts[i - 1] if left[i - 1] is None else left[i - 1] * parts[i - 1]
    for i in range(n - 2, -1, -1):
        right[i] = parts[i + 1] if right[i + 1] is None else right[i + 1] * parts[i + 1]
    cols = [l if r is None else (r if l is None else l * r) for l, r in zip(left, right)]
    cols = [c if c is not None else parts[0] * 0 + 1 for c in cols]
    from .joining import Cat
    return Cat.apply(*cols, dim=dim)


class Cumsum(Function):
    formula = "Σ_{j≤i} a_j"
    derivatives = ("Σ_{j≥i} g_j",)

    @staticmethod
    def forward(ctx, a, dim, dtype=None):
        d = a._data
        if dtype is None and d.dtype.kind in "biu":
            dtype = np.int64
        ctx.dim = norm_dim(dim, d.ndim)
        if not d.ndim:
            return d.astype(dtype or d.dtype)
        out_dtype = np.dtype(dtype or d.dtype)
        if out_dtype.kind == "f" and out_dtype.itemsize < 8:  # PyTorch's CPU cumsum runs a double accumulator
            return np.cumsum(d, axis=ctx.dim, dtype=np.float64).astype(out_dtype)
        return np.cumsum(d, axis=ctx.dim, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        if grad.dim() == 0 or grad.shape[ctx.dim] == 1:
            return grad
        return grad.flip(ctx.dim).cumsum(ctx.dim).flip(ctx.dim)


class Norm(Function):
    """Vector p-norm (torch.norm, linalg.vector_norm): LinalgVectorNormBackward0, PyTorch's formulas."""
    backward_name = "LinalgVectorNormBackward0"
    formula = "‖a‖ₚ"
    derivatives = ("a·|a|^(p-2) / ‖a‖^(p-1)",)

    @staticmethod
    def forward(ctx, a, ord=2, dim=None, keepdim=False):
        d = a._data
        if d.dtype.kind != "f":
            raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as input. "
                               f"Got {_torch_name(d.dtype)}")
        dims = norm_dims(dim, d.ndim)
        ctx.dims, ctx.keepdim, ctx.ord = dims, keepdim, float(ord)
        ctx.save(self=a, result=OUTPUT)
        ab = np.abs(d)
        p = float(ord)
        if p == np.inf:
            out = np.max(ab, axis=dims, keepdims=keepdim)
        elif p == -np.inf:
            out = np.min(ab, axis=dims, keepdims=keepdim)
        elif p == 0:
            out = np.sum(ab != 0, axis=dims, keepdims=keepdim).astype(d.dtype)
        elif p > 0 and d.size:  # PyTorch's kernels' order (vectorized for p=2 over the innermost dim)
            out = torch_norm(d, p, dims, keepdim)
        else:
            out = np.sum(ab ** p, axis=dims, keepdims=keepdim) ** (1 / p)
        return np.asarray(out, dtype=d.dtype)

    @staticmethod
    def backward(ctx, grad):
        a, norm = ctx.saved_tensors
        p, shape = ctx.ord, a._data.shape
        grad = _unsqueeze_to(grad, shape, ctx.dims, ctx.keepdim)
        norm = _unsqueeze_to(norm, shape, ctx.dims, ctx.keepdim)
        zero = norm._data == 0
        if p == 0:
            return grad * 0
        if p == 1:
            return a.sign() * grad
        if p == 2:
            return grad * (a / norm).masked_fill(Tensor._make(np.broadcast_to(zero, shape)), 0)
        if np.isinf(p):
            ab = a._data.__abs__()
            mask = (ab == norm._data) | np.isnan(ab)
            return a.sign() * ((grad / Tensor._make(np.sum(mask, axis=ctx.dims, keepdims=True).astype(ab.dtype))) * mask)
        if p < 1:
            scaled = a.sign() * (a.abs() ** (p - 1)).masked_fill(Tensor._make(a._data == 0), 0)
            return scaled * grad * norm ** (1 - p)
        scaled = a.sign() * a.abs() ** (p - 1) if p < 2 else a * a.abs() ** (p - 2)
        scale = (grad / norm ** (p - 1)).masked_fill(Tensor._make(zero), 0)
        return scaled * scale


class VarMeanVar(Var):
    """The var of torch.var_mean (PyTorch records one VarMeanBackward0 node for both outputs): always
    Welford's algorithm (no whole-tensor two-pass special case)."""
    backward_name = "VarMeanBackward0"

    @staticmethod
    def forward(ctx, a, dim=None, correction=1, keepdim=False):
        return Var.forward(ctx, a, dim, correction, keepdim, welford=True)


class VarMeanMean(Mean):
    """The mean of torch.var_mean: Welford's running mean (float64), as PyTorch's var_mean kernel."""
    backward_name = "VarMeanBackward0"

    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False, dtype=None):
        out = Mean.forward(ctx, a, dim, keepdim, dtype)
        d = a._data
        if dtype is None and d.dtype.kind == "f" and d.dtype.itemsize >= 4 and ctx.n:
            return welford_mean(d, ctx.dims, keepdim)
        return out


class StdMeanStd(Std):
    backward_name = "StdMeanBackward0"

    @staticmethod
    def forward(ctx, a, dim=None, correction=1, keepdim=False):
        return Std.forward(ctx, a, dim, correction, keepdim, welford=True)


class StdMeanMean(VarMeanMean):
    backward_name = "StdMeanBackward0"
