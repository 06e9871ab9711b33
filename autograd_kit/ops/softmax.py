"""softmax, log_softmax and logsumexp, rounded as PyTorch's CPU kernels round them.

PyTorch has two kernels per op (aten/src/ATen/native/cpu/SoftMaxKernel.cpp, LogSoftmaxKernelImpl.h):
- along the last dim, row by row: the max and the sum of exp(x - max) with ``vec::reduce_all`` (lane
  accumulators, ``autograd_kit._vec.lane_sum``) and Sleef's vectorized exp/log everywhere (partial vectors
  for a row's tail); softmax = e · (1 / sum), log_softmax = (x - max) - log(sum);
- along another dim, for each inner position: the max and the sum running down the dim one row at a time,
  Sleef's exp on the inner positions that fill whole vectors and ``std::exp`` on the last ``inner % 16``;
  softmax = e / sum.
Their backward kernels (``_softmax_backward_data``, ``_log_softmax_backward_data``) have the same two
shapes; the compiler fuses their multiply-adds. Each backward is its own node, differentiable again.
"""
import numpy as np

from .. import _sleef
from .._fma import fma
from .._vec import lane_sum, lanes, num_threads
from ..autograd.function import Function
from ..autograd.graph import OUTPUT
from ._util import norm_dim, norm_dims, result_dtype
from .sums import _unsqueeze_to


def _split(shape, dim):
    """(outer, dim_size, inner) of a contiguous array reduced along ``dim``."""
    outer = int(np.prod(shape[:dim], dtype=np.int64))
    inner = int(np.prod(shape[dim + 1:], dtype=np.int64))
    return outer, shape[dim], inner


def _exp_split(x, inner, dtype):
    """exp of (outer, dim, inner) values: Sleef on the vector positions, std::exp on the tail ones."""
    cut = inner - inner % lanes(dtype)
    out = np.empty_like(x)
    if cut:
        out[..., :cut] = _sleef.vexp(x[..., :cut])
    if cut < inner:
        out[..., cut:] = _sleef.libm_exp(x[..., cut:])
    return out


def _softmax_vector_mask(outer, inner, dtype):
    """softmax along a dim that is not the last (``_vec_softmax``): the flat (outer, inner) positions are
    split evenly between the threads; within a thread's range, 16 (8) consecutive inner positions of one
    outer index form a vector, the rest (an inner row's end, the range's end) go one by one (std::exp)."""
    width = lanes(dtype)
    mask = np.zeros(outer * inner, bool)
    n = outer * inner
    threads = num_threads()
    size = -(-n // threads) if threads > 1 else n
    for begin in range(0, n, size):
        end = min(n, begin + size)
        idx = begin
        while idx < end:
            inner_idx = idx % inner
            steps = min((inner - inner_idx) // width, (end - idx) // width)
            if steps:
                mask[idx:idx + steps * width] = True
                idx += steps * width
                continue
            idx += (end - idx) if idx + width > end else (inner - idx % inner)
    return mask.reshape(outer, 1, inner)


def _exp_masked(x, vector):
    """exp of (outer, dim, inner) values: Sleef where ``vector`` (outer, 1, inner) holds, else std::exp."""
    full = np.broadcast_to(vector, x.shape)
    out = np.empty_like(x)
    if full.any():
        out[full] = _sleef.vexp(x[full])
    if not full.all():
        out[~full] = _sleef.libm_exp(x[~full])
    return out


def softmax_kernel(d, dim, log):
    """PyTorch's (log_)softmax of a float array along ``dim``."""
    d = np.ascontiguousarray(d)
    if d.size == 0:
        return np.empty_like(d)
    outer, size, inner = _split(d.shape, dim)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        if dim == d.ndim - 1:
            x = d.reshape(outer, size)
            m = np.max(x, axis=1, keepdims=True)
            shifted = x - m
            e = _sleef.vexp(shifted)
            total = lane_sum(e)[:, None]
            if log:
                out = shifted - _sleef.vlog(total)
            else:
                out = e * (d.dtype.type(1) / total)
        else:
            x = d.reshape(outer, size, inner)
            m = np.max(x, axis=1, keepdims=True)
            shifted = x - m
            if log:
                e = _exp_split(shifted, inner, d.dtype)
            else:
                e = _exp_masked(shifted, _softmax_vector_mask(outer, inner, d.dtype))
            total = np.add.reduce(e, axis=1, keepdims=True)  # down the dim, one row at a time
            out = shifted - _sleef.vlog(total) if log else e / total
    return out.reshape(d.shape)


def softmax_backward_kernel(g, y, dim):
    """``_softmax_backward_data``: y · (g - Σ g·y)."""
    g, y = np.ascontiguousarray(g, y.dtype), np.ascontiguousarray(y)
    if y.size == 0:
        return np.empty_like(y)
    outer, size, inner = _split(y.shape, dim)
    if dim == y.ndim - 1:
        g2, y2 = g.reshape(outer, size), y.reshape(outer, size)
        total = lane_sum(g2 * y2)[:, None]
        return ((g2 - total) * y2).reshape(y.shape)
    g3, y3 = g.reshape(outer, size, inner), y.reshape(outer, size, inner)
    total = np.zeros((outer, inner), y.dtype)
    for k in range(size):  # sum += g·y, fused, one row at a time
        total = fma(g3[:, k], y3[:, k], total, y.dtype)
    return (y3 * (g3 - total[:, None])).reshape(y.shape)


def log_softmax_backward_kernel(g, y, dim):
    """``_log_softmax_backward_data``: g - exp(y) · Σ g (a fused multiply-add)."""
    g, y = np.ascontiguousarray(g, y.dtype), np.ascontiguousarray(y)
    if y.size == 0:
        return np.empty_like(y)
    outer, size, inner = _split(y.shape, dim)
    with np.errstate(over="ignore", invalid="ignore"):
        if dim == y.ndim - 1:
            g2, y2 = g.reshape(outer, size), y.reshape(outer, size)
            total = lane_sum(g2)[:, None]
            return fma(-_sleef.vexp(y2), total, g2, y.dtype).reshape(y.shape)
        g3, y3 = g.reshape(outer, size, inner), y.reshape(outer, size, inner)
        total = np.add.reduce(g3, axis=1, keepdims=True)
        return fma(-_exp_split(y3, inner, y.dtype), total, g3, y.dtype).reshape(y.shape)


def _float_data(a):
    d = a._data
    return d if d.dtype.kind == "f" else d.astype(result_dtype(a, 1.0))


class Softmax(Function):
    formula = "softmax(a)"
    derivatives = ("s·(δ - s)",)

    @staticmethod
    def forward(ctx, a, dim):
        d = _float_data(a)
        ctx.dim = norm_dim(dim, d.ndim)
        ctx.save(result=OUTPUT)
        return softmax_kernel(d, ctx.dim, False) if d.ndim else np.ones_like(d)

    @staticmethod
    def backward(ctx, grad):
        (s,) = ctx.saved_tensors
        if s.dim() == 0:
            return grad * 0
        return SoftmaxBackwardData.apply(grad, s, dim=ctx.dim)


class LogSoftmax(Function):
    formula = "log_softmax(a)"
    derivatives = ("δ - softmax(a)",)

    @staticmethod
    def forward(ctx, a, dim):
        d = _float_data(a)
        ctx.dim = norm_dim(dim, d.ndim)
        ctx.save(result=OUTPUT)
        return softmax_kernel(d, ctx.dim, True) if d.ndim else np.zeros_like(d)

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        if out.dim() == 0:
            return grad * 0
        return LogSoftmaxBackwardData.apply(grad, out, dim=ctx.dim)


class SoftmaxBackwardData(Function):
    """g·s - s·Σ(g·s) for s = softmax(a): PyTorch's ``_softmax_backward_data``, one node that a
    create_graph gradient differentiates again (SoftmaxBackwardDataBackward0)."""
    formula = "s·(g - Σ g·s)"
    derivatives = ("s·(δ - s)", "g - Σ g·s - g·s")

    @staticmethod
    def forward(ctx, grad, out, dim):
        ctx.dim = dim
        ctx.save(grad_output=grad, output=out)
        return softmax_backward_kernel(grad._data, out._data, dim)

    @staticmethod
    def backward(ctx, gg):
        g, s = ctx.saved_tensors
        need = ctx.needs_input_grad
        dim = ctx.dim
        dg = SoftmaxBackwardData.apply(gg, s, dim=dim) if need[0] else None
        ds = None
        if need[1]:
            ds = gg * (g - (g * s).sum(dim, keepdim=True)) - g * (gg * s).sum(dim, keepdim=True)
        return dg, ds


class LogSoftmaxBackwardData(Function):
    """g - exp(y)·Σ g for y = log_softmax(a): PyTorch's ``_log_softmax_backward_data``, one node that a
    create_graph gradient differentiates again (LogSoftmaxBackwardDataBackward0)."""
    formula = "g - eʸ·Σ g"
    derivatives = ("δ - eʸ", "-eʸ·Σ g")

    @staticmethod
    def forward(ctx, grad, out, dim):
        ctx.dim = dim
        ctx.save(grad_output=grad, output=out)
        return log_softmax_backward_kernel(grad._data, out._data, dim)

    @staticmethod
    def backward(ctx, gg):
        g, y = ctx.saved_tensors
        need = ctx.needs_input_grad
        dim = ctx.dim
        e = y.exp()
        dg = gg - (gg * e).sum(dim, keepdim=True) if need[0] else None
        dy = -(gg * e) * g.sum(dim, keepdim=True) if need[1] else None
        return dg, dy


def _mkl(name, x, fallback):
    from ..backends import mkl
    out = mkl.unary(name, x)
    return fallback(x) if out is None else out


class Logsumexp(Function):
    """ATen's composite: m = amax (±inf → 0); log(Σ exp(a - m)) + m, with exp/log/sum as torch.exp, .sum."""
    formula = "ln Σ eᵃ"
    derivatives = ("softmax(a)",)

    @staticmethod
    def forward(ctx, a, dim, keepdim=False):
        from .._reduction import torch_sum
        d = _float_data(a)
        dims = norm_dims(dim, d.ndim)
        ctx.dims, ctx.keepdim = dims, keepdim
        ctx.save(self=a, result=OUTPUT)
        if not d.ndim:
            return d.copy()
        if d.size == 0:
            return np.log(np.sum(np.exp(d), axis=dims, keepdims=keepdim))
        m = np.max(d, axis=dims, keepdims=True)
        m = np.where(np.isinf(m), d.dtype.type(0), m)
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            e = _mkl("exp", np.ascontiguousarray(d - m), np.exp)
            s = np.asarray(torch_sum(e, axis=dims, keepdims=True), dtype=d.dtype)
            out = _mkl("log", s, np.log) + m
        return out if keepdim else np.squeeze(out, dims)

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        shape = a._data.shape
        out = _unsqueeze_to(out, shape, ctx.dims, ctx.keepdim)
        return _unsqueeze_to(grad, shape, ctx.dims, ctx.keepdim) * (a - out).exp()
