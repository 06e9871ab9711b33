"""Creating tensors: tensor, as_tensor, from_numpy, zeros/ones/full/empty (+ _like), arange, linspace, eye."""
import numpy as np

from . import _dtype
from ._tensor import Tensor, _as_array, Size


def _dt(dtype, default=None):
    d = _dtype.as_dtype(dtype)
    return (d or default or _dtype.get_default_dtype()).np


def _finish(arr, requires_grad):
    t = Tensor._make(arr)
    if requires_grad:
        if arr.dtype.kind not in "fc":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        t._requires_grad = True
    return t


def _combo_dtype(fname, args, dtype):
    """dtype check for functions whose wrong arguments PyTorch reports as 'an invalid combination'."""
    try:
        return _dtype.check_dtype(dtype, fname)
    except TypeError:
        raise _dtype.bad_args(fname, args, {"dtype": dtype}) from None


def _size(size, fname=None):
    if fname and not size:
        raise TypeError(f'{fname}() missing 1 required positional arguments: "size"')
    if len(size) == 1 and isinstance(size[0], (tuple, list, Size)):
        size = size[0]
    return tuple(int(s) for s in size)


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """Copy ``data`` (numbers, nested lists, arrays) into a new leaf tensor."""
    dtype = _dtype.check_dtype(dtype, "tensor")
    if isinstance(data, Tensor):
        import warnings
        warnings.warn("To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
                      "sourceTensor.detach().clone().requires_grad_(True), rather than torch.tensor(sourceTensor).",
                      UserWarning, stacklevel=2)
    arr = _as_array(data, _dtype.get_default_dtype())
    if dtype is not None:
        arr = arr.astype(_dt(dtype), copy=False)
    return _finish(arr, requires_grad)


def as_tensor(data, dtype=None, device=None):
    dtype = _dtype.check_dtype(dtype, "as_tensor")
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    if isinstance(data, np.ndarray):
        t = Tensor._make(data if dtype is None else data.astype(_dt(dtype), copy=False))
        _dtype.from_numpy_dtype(t._data.dtype)
        return t
    return tensor(data, dtype=dtype)


def from_numpy(ndarray):
    """Share memory with a NumPy array (changes show up on both sides), as PyTorch does."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _dtype.from_numpy_dtype(ndarray.dtype)
    return Tensor._make(ndarray)


def zeros(*size, dtype=None, device=None, requires_grad=False, out=None):
    dtype = _dtype.check_dtype(dtype, "zeros")
    return _finish(np.zeros(_size(size, "zeros"), dtype=_dt(dtype)), requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False, out=None):
    dtype = _dtype.check_dtype(dtype, "ones")
    return _finish(np.ones(_size(size, "ones"), dtype=_dt(dtype)), requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False, out=None, memory_format=None):
    dtype = _dtype.check_dtype(dtype, "empty")
    return _finish(np.zeros(_size(size, "empty"), dtype=_dt(dtype)), requires_grad)


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False):
    dtype = _dtype.check_dtype(dtype, "full")
    if dtype is None:
        dtype = (_dtype.bool if isinstance(fill_value, bool) else _dtype.int64 if isinstance(fill_value, int)
                 else _dtype.get_default_dtype())
    return _finish(np.full(_size((size,)), fill_value, dtype=_dt(dtype)), requires_grad)


def _like(fn):
    def like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
        dt = _dtype.check_dtype(dtype, like.__name__) or input.dtype
        return fn(*input.shape, dtype=dt, requires_grad=requires_grad)
    like.__name__ = fn.__name__ + "_like"
    return like


zeros_like, ones_like, empty_like = _like(zeros), _like(ones), _like(empty)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False):
    dtype = _dtype.check_dtype(dtype, "full_like")
    return full(tuple(input.shape), fill_value, dtype=dtype or input.dtype, requires_grad=requires_grad)


def arange(start=None, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    given = tuple(a for a in (start, end) if a is not None) + ((step,) if step != 1 else ())
    dtype = _combo_dtype("arange", given, dtype)
    if start is None:
        raise _dtype.bad_args("arange", given, {})
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    if dtype is None:
        dtype = _dtype.int64 if all(isinstance(v, int) for v in vals) else _dtype.get_default_dtype()
    if step == 0:
        raise RuntimeError("step must be nonzero")
    arr = np.arange(*vals, dtype=np.float64 if _dtype.as_dtype(dtype).is_floating_point else np.int64)
    if arr.dtype.kind == "f":  # PyTorch's kernel, to the last bit
        from .ops._util import arange_values
        arr = arange_values(float(vals[0]), float(vals[2]), arr.size, _dt(dtype))
    return _finish(arr.astype(_dt(dtype)), requires_grad)


def linspace(start, end, steps=None, *, dtype=None, device=None, requires_grad=False):
    given = (start, end) + ((steps,) if steps is not None else ())
    dtype = _combo_dtype("linspace", given, dtype)
    if steps is None:
        raise _dtype.bad_args("linspace", given, {})
    if np.dtype(_dt(dtype)).kind == "f" and int(steps) > 0:  # PyTorch's kernel, to the last bit
        from .ops._util import linspace_values
        return _finish(linspace_values(start, end, int(steps), np.dtype(_dt(dtype))), requires_grad)
    return _finish(np.linspace(start, end, int(steps), dtype=np.float64).astype(_dt(dtype)), requires_grad)


def logspace(start, end, steps, base=10.0, *, dtype=None, requires_grad=False):
    dtype = _combo_dtype("logspace", (start, end, steps), dtype)
    return _finish(np.logspace(start, end, int(steps), base=base).astype(_dt(dtype)), requires_grad)


def eye(n=None, m=None, *, dtype=None, device=None, requires_grad=False):
    given = tuple(a for a in (n, m) if a is not None)
    dtype = _combo_dtype("eye", given, dtype)
    if n is None:
        raise _dtype.bad_args("eye", given, {})
    return _finish(np.eye(n, m, dtype=_dt(dtype)), requires_grad)
