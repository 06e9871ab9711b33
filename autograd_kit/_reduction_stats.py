"""PyTorch's CPU var/std, var_mean/std_mean and vector norms, in its kernels' order (float32/float64 to the
last bit): the sums they share with ``torch.sum`` come from ``_reduction``."""
import math

import numpy as np

from ._fma import fma
from ._reduction import GRAIN, THREADS, _iteration, _seq, torch_sum


# ---- var / std ----------------------------------------------------------------------------------

def _axes(nd, axis):
    if axis is None:
        return tuple(range(nd))
    return tuple(sorted({(x + nd if x < 0 else x) for x in ((axis,) if np.ndim(axis) == 0 else axis)}))


def torch_var(a, axis=None, correction=1, keepdims=False, take_sqrt=False, welford=False):
    """``torch.var`` / ``torch.std`` on the CPU: a whole-tensor result is the two-pass float64 sum of
    squared deviations from the (cascade) mean (std_var_all_cpu); a result per row runs Welford's update
    in float64 over each row's elements in TensorIterator's order (WelfordOps), as does var_mean always."""
    a = np.asarray(a)
    nd = a.ndim
    axes = _axes(nd, axis)
    kept = tuple(1 if d in axes else s for d, s in enumerate(a.shape))
    n = math.prod(a.shape[d] for d in axes)
    if math.prod(kept) == 1 and not welford:  # var_mean has no such special case (welford=True)
        mean = float(torch_sum(a) / a.dtype.type(a.size)) if a.size else 0.0
        dev = np.ravel(a, order="K").astype(np.float64) - mean
        sq = dev * dev
        size = sq.shape[0]
        if size > GRAIN and THREADS > 1:
            chunk = -(-size // min(THREADS, -(-size // GRAIN)))
            total = 0.0
            for b in range(0, size, chunk):
                total = total + float(np.add.accumulate(sq[b:b + chunk])[-1])
        else:
            total = float(np.add.accumulate(sq)[-1]) if size else 0.0
        with np.errstate(divide="ignore", invalid="ignore"):
            var = np.float64(total) / np.float64(max(0.0, size - correction))
            out = np.sqrt(var) if take_sqrt else var
        out = np.full(kept, out, dtype=a.dtype)
    else:
        _, m2, n = _welford(a, axes)
        divisor = n - correction if n > correction else 0
        with np.errstate(divide="ignore", invalid="ignore"):
            var = m2 / np.float64(divisor)
            out = np.sqrt(var) if take_sqrt else var
        out = out.astype(a.dtype).reshape(kept)
    if not keepdims:
        out = out.reshape(tuple(s for d, s in enumerate(a.shape) if d not in axes))
    return out if out.ndim else out[()]


# ---- vector norm ----------------------------------------------------------------------------------

def _reduced_rows(a, axes):
    """(n, outputs): each output's reduced elements in TensorIterator's order (innermost stride first)."""
    red = sorted(axes, key=lambda d: (abs(a.strides[d]), -d))
    keep = [d for d in range(a.ndim) if d not in axes]
    return a.transpose(red[::-1] + keep).reshape((math.prod(a.shape[d] for d in axes), -1))


def torch_norm(a, p, axis=None, keepdims=False):
    """``torch.linalg.vector_norm(a, p, axis)`` for finite p > 0 on the CPU: p=2 over one contiguous
    innermost dim runs the vectorized kernel (8-float lanes of squares, the lanes added in turn, a scalar
    tail whose last len % 4 squares are fused multiply-adds); otherwise Σ|a|^p one element at a time."""
    a = np.asarray(a)
    axes = _axes(a.ndim, axis)
    kept = tuple(1 if d in axes else s for d, s in enumerate(a.shape))
    if all(a.shape[d] == 1 for d in axes):  # nothing to reduce: PyTorch returns |a|
        out = np.abs(a).reshape(kept)
        return out if keepdims else out.reshape(tuple(s for d, s in enumerate(a.shape) if d not in axes))
    x = _reduced_rows(a, axes)
    item = a.itemsize
    lanes = 32 // item
    sh, ist, ost = _iteration(a, [d in axes for d in range(a.ndim)]) if a.size else ([], [], [])
    lastdim = (p == 2 and len(sh) > 0 and ost[0] == 0 and ist[0] == item
               and sum(s == 0 for s in ost) == 1)
    with np.errstate(over="ignore", invalid="ignore"):
        if lastdim:
            n = x.shape[0]
            nv = n // lanes * lanes
            if nv:
                sq = x[:nv].reshape((nv // lanes, lanes, x.shape[1]))
                acc = _seq(sq * sq)
            else:
                acc = np.zeros((lanes, x.shape[1]), a.dtype)
            b = np.add.accumulate(acc, 0)[-1]
            t = n - nv
            for i in range(nv, nv + t // 4 * 4):
                b = b + x[i] * x[i]
            for i in range(nv + t // 4 * 4, n):
                b = fma(x[i], x[i], b, dtype=a.dtype)
            out = np.sqrt(b)
        else:
            ab = np.abs(x)
            s = _seq(ab * ab if p == 2 else ab if p == 1 else ab ** a.dtype.type(p))
            out = np.sqrt(s) if p == 2 else s if p == 1 else s ** a.dtype.type(1.0 / p)
    out = np.asarray(out, a.dtype).reshape(kept)
    if not keepdims:
        out = out.reshape(tuple(s for d, s in enumerate(a.shape) if d not in axes))
    return out if out.ndim else out[()]


def _welford_rows(rows):
    """WelfordOps.reduce over axis 0 (float64): (mean, m2) per column."""
    if rows.shape[1] == 1:  # one output: Python floats are quicker than 1-element arrays
        mean = m2 = 0.0
        for i, v in enumerate(rows[:, 0].tolist()):
            delta = v - mean
            mean = mean + delta / float(i + 1)
            m2 = m2 + delta * (v - mean)
        return np.array([mean]), np.array([m2])
    mean = np.zeros(rows.shape[1])
    m2 = np.zeros(rows.shape[1])
    for i in range(rows.shape[0]):
        xi = rows[i]
        delta = xi - mean
        mean = mean + delta / float(i + 1)
        m2 = m2 + delta * (xi - mean)
    return mean, m2


def _welford(a, axes):
    """binary_kernel_reduce with WelfordOps: (mean, m2, n); a single output of more than GRAIN elements is
    split between threads and the partial results combined (WelfordOps.combine)."""
    x = _reduced_rows(a, axes).astype(np.float64)
    n = x.shape[0]
    if x.shape[1] == 1 and n > GRAIN and THREADS > 1:
        chunk = -(-n // min(THREADS, -(-n // GRAIN)))
        mean = m2 = None
        count = 0.0
        for b in range(0, n, chunk):
            bm, bm2 = _welford_rows(x[b:b + chunk])
            c = float(min(n, b + chunk) - b)
            if mean is None:
                mean, m2, count = bm, bm2, c
            else:
                delta = bm - mean
                new = count + c
                nb_over_n = c / new
                mean, m2, count = mean + delta * nb_over_n, m2 + bm2 + delta * delta * count * nb_over_n, new
        return mean, m2, n
    mean, m2 = _welford_rows(x)
    return mean, m2, n


def welford_mean(a, axis=None, keepdims=False):
    """The mean output of ``torch.var_mean`` / ``std_mean``: Welford's running mean in float64."""
    a = np.asarray(a)
    axes = _axes(a.ndim, axis)
    mean = _welford(a, axes)[0]
    out = mean.astype(a.dtype).reshape(tuple(1 if d in axes else s for d, s in enumerate(a.shape)))
    if not keepdims:
        out = out.reshape(tuple(s for d, s in enumerate(a.shape) if d not in axes))
    return out if out.ndim else out[()]
