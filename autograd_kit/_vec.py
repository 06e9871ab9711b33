"""The loop structure of PyTorch's vectorized CPU kernels, so results round as PyTorch's do.

- ``elementwise(x, vec_fn, scalar_fn)``: ``cpu_kernel_vec`` (ATen/native/cpu/Loops.h). Each thread's chunk
  of a contiguous tensor goes through the vector function 2·16 float32 (2·8 float64) elements at a time;
  the last ``n % 32`` (``n % 16``) elements go through the scalar function (``std::exp``, ...).
- ``lane_sum(x)`` / ``lane_max(x)``: ``vec::reduce_all`` over the last axis: 16 (float32) or 8 (float64)
  lane accumulators, the last partial vector added to the first lanes, then the lanes combined (a
  tree on AVX512 float32, left to right for float64); rows shorter than a vector add left to right.
- ``num_threads()``: PyTorch's intra-op thread count (OMP_NUM_THREADS, else the usable cores).
"""
import os

import numpy as np

GRAIN_SIZE = 32768


def lanes(dtype):
    """Elements in one ``Vectorized<T>`` (AVX512: 512 bits)."""
    return 64 // np.dtype(dtype).itemsize


def num_threads():
    try:  # torch.get_num_threads(), where the kit has it
        from ._threads import get_num_threads
        return get_num_threads()
    except ImportError:
        pass
    env = os.environ.get("OMP_NUM_THREADS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def chunks(n, grain=GRAIN_SIZE):
    """``at::parallel_for(0, n, grain)``'s ranges with OpenMP: one per thread, ceil(n / threads) each."""
    threads = num_threads()
    if n < grain or threads == 1:
        return [(0, n)]
    threads = min(threads, -(-n // grain))
    size = -(-n // threads)
    return [(b, min(n, b + size)) for b in range(0, n, size)]


def elementwise(x, vec_fn, scalar_fn, *others, grain=GRAIN_SIZE, unroll=2):
    """``cpu_kernel_vec(iter, scalar_fn, vec_fn)``: same shape and dtype out. ``others`` (arrays of x's
    shape, e.g. the incoming gradient) are passed to both functions after x's elements."""
    if others:
        return _elementwise_n(x, vec_fn, scalar_fn, others, grain, unroll)
    if x.ndim == 0 or x.size == 0:
        return scalar_fn(np.asarray(x).reshape(-1)).reshape(x.shape)
    if x.flags.c_contiguous:
        flat, order = x.reshape(-1), "C"
    elif x.flags.f_contiguous:
        flat, order = x.ravel(order="F"), "F"
    else:
        return _strided(x, vec_fn, scalar_fn)
    step = 2 * lanes(x.dtype)
    out = np.empty_like(flat)
    for begin, end in chunks(flat.size, grain):
        split = begin + (end - begin) // step * step
        if split > begin:
            out[begin:split] = vec_fn(flat[begin:split])
        if end > split:
            out[split:end] = scalar_fn(flat[split:end])
    return out.reshape(x.shape, order=order)


def _elementwise_n(x, vec_fn, scalar_fn, others, grain, unroll=2):
    """Several same-shape inputs: contiguous ones loop as one flat run, as TensorIterator does."""
    arrays = [np.ascontiguousarray(a, dtype=x.dtype) for a in np.broadcast_arrays(x, *others)]
    flat = [a.reshape(-1) for a in arrays]
    n = flat[0].size
    step = unroll * lanes(x.dtype)
    out = np.empty(n, x.dtype)
    for begin, end in chunks(n, grain):
        split = begin + (end - begin) // step * step
        if split > begin:
            out[begin:split] = vec_fn(*(a[begin:split] for a in flat))
        if end > split:
            out[split:end] = scalar_fn(*(a[split:end] for a in flat))
    return out.reshape(arrays[0].shape)


def _strided(x, vec_fn, scalar_fn):
    """A strided view: with contiguous rows, TensorIterator runs the vectorized loop on each row; with
    no contiguous dim, every element goes through the scalar function."""
    if x.strides[-1] != x.itemsize or x.ndim < 2:
        return scalar_fn(np.ascontiguousarray(x).reshape(-1)).reshape(x.shape)
    rows = np.ascontiguousarray(x).reshape(-1, x.shape[-1])
    cut = x.shape[-1] // (2 * lanes(x.dtype)) * (2 * lanes(x.dtype))
    out = np.empty_like(rows)
    if cut:
        out[:, :cut] = vec_fn(rows[:, :cut])
    if cut < rows.shape[1]:
        out[:, cut:] = scalar_fn(rows[:, cut:])
    return out.reshape(x.shape)


def _combine(acc, op):
    """VecReduceAllSIMD: the lanes of ``acc`` (last axis) into one value."""
    if acc.shape[-1] == 16:  # AVX512 float32: lane i with i+8, i+4, i+2, i+1
        a = op(acc[..., :8], acc[..., 8:])
        a = op(a[..., :4], a[..., 4:])
        a = op(a[..., :2], a[..., 2:])
        return op(a[..., 0], a[..., 1])
    r = acc[..., 0]
    for i in range(1, acc.shape[-1]):
        r = op(r, acc[..., i])
    return r


def _reduce_all(x, op):
    n = x.shape[-1]
    width = lanes(x.dtype)
    if n < width:
        r = x[..., 0]
        for i in range(1, n):
            r = op(r, x[..., i])
        return r
    full = n // width
    if full > 1:  # NumPy reduces a non-last axis left to right, as the lane accumulators do
        acc = op.reduce(x[..., :full * width].reshape(*x.shape[:-1], full, width), axis=-2)
    else:
        acc = x[..., :width]
    rest = n - full * width
    if rest:
        acc = acc.copy()
        acc[..., :rest] = op(acc[..., :rest], x[..., full * width:])
    return _combine(acc, op)


def lane_sum(x):
    """``vec::reduce_all(x + y)`` over the last axis of ``x``."""
    return _reduce_all(x, np.add)


def lane_max(x):
    """``vec::reduce_all(vec::maximum)`` over the last axis (nan propagates)."""
    return _reduce_all(x, np.maximum)
