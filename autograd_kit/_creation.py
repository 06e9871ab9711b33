"""Creating tensors: tensor, as_tensor, from_numpy, zeros/ones/full/empty (+ _like), arange, linspace, eye."""
import functools
import numbers

import numpy as np

from . import _dtype
from ._tensor import Tensor, _as_array, Size
from ._tensor_types import _CPU, check_device


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


def _is_int(s):
    if isinstance(s, Tensor):
        return s._data.ndim == 0 and s._data.dtype.kind in "iu"
    return isinstance(s, numbers.Integral)


def _size(size, fname=None):
    """The ``*size`` of a factory (``zeros(2, 3)`` or ``zeros((2, 3))``), with PyTorch's errors for non-ints."""
    if fname and not size:
        raise TypeError(f'{fname}() missing 1 required positional arguments: "size"')
    name = fname or "size"
    if len(size) == 1 and isinstance(size[0], (tuple, list, Size)):
        size = size[0]
    elif size and not _is_int(size[0]):
        if len(size) > 1:
            raise TypeError(f"{name}() takes 1 positional argument but {len(size)} were given")
        raise TypeError(f"{name}(): argument 'size' (position 1) must be tuple of ints, not "
                        f"{_dtype.py_typename(size[0])}")
    for i, s in enumerate(size):
        if not _is_int(s):
            raise TypeError(f"{name}(): argument 'size' failed to unpack the object at pos {i + 1} with error "
                            f'"type must be tuple of ints,but got {_dtype.py_typename(s)}"')
    return tuple(int(s) for s in size)


def accept_size_keyword(fn):
    """``torch.randn(size=(3,))``: the size given by keyword instead of positionally, as PyTorch allows."""
    @functools.wraps(fn)
    def factory(*size, **kw):
        if "size" in kw:
            if size:
                raise TypeError(f"{fn.__name__}() got multiple values for argument 'size'")
            size = (tuple(kw.pop("size")),)
        check_device(kw.get("device"))
        return fn(*size, **kw)
    return factory


def get_default_device():
    return _CPU


def set_default_device(device):
    check_device(device)


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """Copy ``data`` (numbers, nested lists, arrays) into a new leaf tensor."""
    dtype = _dtype.check_dtype(dtype, "tensor")
    check_device(device)
    if isinstance(data, Tensor):
        import warnings
        warnings.warn("To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
                      "sourceTensor.detach().clone().requires_grad_(True), rather than torch.tensor(sourceTensor).",
                      UserWarning, stacklevel=2)
    # with a dtype, Python floats go to it from float64 (one rounding, as PyTorch: tensor([0.2], dtype=float64) is 0.2)
    arr = _as_array(data, _dtype.get_default_dtype() if dtype is None else _dtype.float64)
    if dtype is not None:
        arr = arr.astype(_dt(dtype), copy=False)
    return _finish(arr, requires_grad)


def as_tensor(data, dtype=None, device=None):
    check_device(device)
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


@accept_size_keyword
def zeros(*size, dtype=None, device=None, requires_grad=False, out=None):
    dtype = _dtype.check_dtype(dtype, "zeros")
    return _finish(np.zeros(_size(size, "zeros"), dtype=_dt(dtype)), requires_grad)


@accept_size_keyword
def ones(*size, dtype=None, device=None, requires_grad=False, out=None):
    dtype = _dtype.check_dtype(dtype, "ones")
    return _finish(np.ones(_size(size, "ones"), dtype=_dt(dtype)), requires_grad)


@accept_size_keyword
def empty(*size, dtype=None, device=None, requires_grad=False, out=None, memory_format=None):
    dtype = _dtype.check_dtype(dtype, "empty")
    return _finish(np.zeros(_size(size, "empty"), dtype=_dt(dtype)), requires_grad)


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False):
    dtype = _dtype.check_dtype(dtype, "full")
    check_device(device)
    if dtype is None:
        dtype = (_dtype.bool if isinstance(fill_value, bool) else _dtype.int64 if isinstance(fill_value, int)
                 else _dtype.get_default_dtype())
    return _finish(np.full(_size((size,)), fill_value, dtype=_dt(dtype)), requires_grad)


def _like(fn):
    def like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
        dt = _dtype.check_dtype(dtype, like.__name__) or input.dtype
        check_device(device)
        return fn(tuple(input.shape), dtype=dt, requires_grad=requires_grad)  # a 0-d input too
    like.__name__ = fn.__name__ + "_like"
    return like


zeros_like, ones_like, empty_like = _like(zeros), _like(ones), _like(empty)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False):
    dtype = _dtype.check_dtype(dtype, "full_like")
    return full(tuple(input.shape), fill_value, dtype=dtype or input.dtype, requires_grad=requires_grad)


def arange(start=None, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    given = tuple(a for a in (start, end) if a is not None) + ((step,) if step != 1 else ())
    dtype = _combo_dtype("arange", given, dtype)
    check_device(device)
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
    check_device(device)
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
    check_device(device)
    if n is None:
        raise _dtype.bad_args("eye", given, {})
    return _finish(np.eye(n, m, dtype=_dt(dtype)), requires_grad)
