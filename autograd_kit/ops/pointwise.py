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
import threading

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


_BLOCK = 65536  # float32 elements per block of the fused kernel: its float64 scratch stays in the cache
_local = threading.local()


def _scratch():
    bufs = getattr(_local, "bufs", None)
    if bufs is None:
        bufs = _local.bufs = (np.empty(_BLOCK), np.empty(_BLOCK))
    return bufs


def _blockable(out, shape, arrays):
    """Whether the blocked float32 kernel applies: contiguous float32 arrays of the output's shape, none of
    them overlapping the output unless it is the output itself."""
    if out.shape != shape or not out.flags.c_contiguous:
        return False
    for v in arrays:
        if v.shape != shape or v.dtype != np.float32 or not v.flags.c_contiguous:
            return False
        if v is not out and np.may_share_memory(v, out) and \
                not (v.__array_interface__["data"][0] == out.__array_interface__["data"][0]):
            return False
    return True


def fused(x, y, z, dt, out=None):
    """``x * y + z`` rounded once in ``dt`` (``_fma.fma``), written into ``out`` when it can be (``out`` may be one
    of the inputs); returns the result array. float32 runs block by block (float64 scratch reused, no temporaries
    the size of the tensor): the optimizers' steps call it on every parameter."""
    if dt.kind == "f" and np.ndim(y) == 0 and np.ndim(x):
        x, y = y, x  # the scalar first
    if np.ndim(x) == 0 and np.ndim(y):
        done = _axpy_into(x, y, z, dt, out)
        if done is not None:
            return done
    if dt == np.float32:
        arrays = [v for v in (x, y, z) if np.ndim(v)]
        if arrays and (np.ndim(x) or np.ndim(y)):  # (a product of two numbers: the generic path)
            shape = np.broadcast_shapes(*[v.shape for v in arrays])
            if out is None or out.dtype != dt:
                out = np.empty(shape, dt)
            if _blockable(out, shape, arrays):
                _fma32_blocks(x, y, z, out)
                return out
    r = np.asarray(fma(x, y, z, dtype=dt))
    if out is not None and out.dtype == dt and out.shape == r.shape:
        np.copyto(out, r)
        return out
    return r


_AXPY = []  # [backends.mkl.axpy or None], looked up on first use


def _axpy_lookup():
    from ..backends import mkl
    _AXPY.append(getattr(mkl, "axpy", None) if mkl.is_available() else None)


def _axpy_into(x, y, z, dt, out):
    """``x * y + z`` (x a number) by BLAS's axpy when ``backends.mkl`` offers it (``axpy(alpha, x, y)``: y += alpha
    * x in place on 1-d contiguous arrays, True when done): MKL's saxpy/daxpy is one fused multiply-add per element,
    bit for bit torch's ``add_(other, alpha=)``, and about 4x faster than the blocks below. The result array
    (``out`` or a new one), or None when axpy does not apply."""
    if not _AXPY:
        _axpy_lookup()
    axpy = _AXPY[0]
    if axpy is None or dt not in (np.float32, np.float64) or y.dtype != dt or not y.flags.c_contiguous:
        return None
    z_arr = np.ndim(z) > 0
    if z_arr and (z.shape != y.shape or z.dtype != dt):
        return None
    if out is None:  # a new array: it overlaps nothing
        out = np.empty(y.shape, dt)
        np.copyto(out, z)
    else:
        if out.dtype != dt or out.shape != y.shape or not out.flags.c_contiguous:
            return None
        same = z is out or z_arr and z.__array_interface__["data"][0] == out.__array_interface__["data"][0]
        if not same:
            if np.may_share_memory(y, out) or z_arr and np.may_share_memory(z, out):
                return None
            np.copyto(out, z)
    return out if axpy(x, y, out) else None


def _fma32_blocks(x, y, z, out):
    w, w2 = _scratch()
    if not (type(y) is np.ndarray and y.ndim):
        x, y = y, x  # the array as y (out = y * x + z, x a number or an array)
    fy, fo = y.reshape(-1), out.reshape(-1)
    x_arr = type(x) is np.ndarray and x.ndim > 0
    z_arr = type(z) is np.ndarray and z.ndim > 0
    fx = x.reshape(-1) if x_arr else float(x)  # a float32 number is exact as a Python float (float64)
    fz = z.reshape(-1) if z_arr else float(z)
    n = fo.size
    if n <= _BLOCK:  # one block: the fewest NumPy calls (small tensors are all call overhead)
        a = fy.astype(np.float64)
        a *= fx
        a += fz
        fo[...] = a
        return
    for s in range(0, n, _BLOCK):
        e = min(s + _BLOCK, n)
        a, b = w[:e - s], w2[:e - s]
        np.copyto(a, fy[s:e])
        if x_arr:
            np.copyto(b, fx[s:e])
            np.multiply(a, b, out=a)
        else:
            np.multiply(a, fx, out=a)
        if z_arr:
            np.copyto(b, fz[s:e])
            np.add(a, b, out=a)
        else:
            np.add(a, fz, out=a)
        np.copyto(fo[s:e], a, casting="same_kind")


def add_scaled_(d, o, alpha):
    """``d += alpha * o`` in place, PyTorch's rounding (one fma), for the optimizers' hot path: ``d`` and ``o``
    contiguous arrays of one float dtype and shape, ``alpha`` a Python number. False when that is not the case."""
    dt = d.dtype
    if o.dtype != dt or o.shape != d.shape or dt.kind != "f" or not (
            d.flags.c_contiguous and o.flags.c_contiguous):
        return False
    # two arrays that own their memory cannot overlap (may_share_memory costs as much as the rest of the update)
    if o is not d and (o.base is not None or d.base is not None) and np.may_share_memory(o, d):
        return False
    if not _AXPY:
        _axpy_lookup()
    # d += alpha * o by MKL's axpy, straight into d (ctypes rounds a Python alpha to the dtype as NumPy does)
    if _AXPY[0] is not None and _AXPY[0](alpha if type(alpha) is float else dt.type(alpha), o, d):
        return True
    al = dt.type(alpha)
    if dt == np.float32:
        _fma32_blocks(al, o, d, d)
    else:
        np.copyto(d, fma(o, al, d, dtype=dt))
    return True


def add_alpha(a, b, alpha, out=None):
    """``a + alpha * b`` as PyTorch's add kernel: one fused multiply-add. (``sub`` passes ``-alpha``.)"""
    dt = result_dtype(a, b)
    try:
        return fused(_scalar(alpha, dt), _values(b, dt), _values(a, dt), dt, out)
    except ValueError:
        raise broadcast_error(*_shapes(a, b)) from None


def addcmul_values(s, t1, t2, value, out=None):
    dt = result_dtype(s, t1, t2)
    v = _scalar(value, dt, "value")
    try:
        p = np.multiply(v, _values(t1, dt), dtype=dt) if v != 1 else _values(t1, dt)
        return fused(p, _values(t2, dt), _values(s, dt), dt, out)
    except ValueError:
        sa, sb, sc = _shapes(s, t1, t2)
        raise broadcast_error(sa, np.broadcast_shapes(sb, sc) if _ok(sb, sc) else sb) from None


def addcdiv_values(s, t1, t2, value, out=None):
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
        q = np.multiply(v, _values(t1, dt), dtype=dt) if v != 1 else _values(t1, dt)
        q = np.true_divide(q, _values(t2, dt), dtype=dt)
        a = _values(s, dt)
        if out is not None and out.dtype == dt and out.shape == np.broadcast_shapes(a.shape, q.shape):
            return np.add(a, q, out=out, dtype=dt)
        return np.asarray(np.add(a, q, dtype=dt))
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


def lerp_values(start, end, weight, out=None):
    """``start + weight * (end - start)`` as PyTorch's lerp kernel (the formula switches at |weight| = 0.5)."""
    dt = _check_lerp(start, end, weight)
    s, e = start._data, _values(end, dt)
    try:
        d = np.subtract(e, s, dtype=dt)
        if isinstance(weight, graph.Tensor):
            w = weight._data
            small = np.abs(w) < 0.5
            coeff = np.where(small, w, np.subtract(w, dt.type(1), dtype=dt))
            return fused(coeff, d, np.where(small, s, e), dt, out)
        w = _scalar(weight, dt, "weight")
        if abs(w) < 0.5:
            return fused(w, d, s, dt, out)
        return fused(np.subtract(w, dt.type(1), dtype=dt), d, e, dt, out)
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
