"""Tensor conversions: to Python numbers and NumPy, to other dtypes and devices (``to``, ``float``...),
and Python data (numbers, nested lists, arrays) to the NumPy array a Tensor holds (``_as_array``)."""
import numbers
import warnings

import numpy as np

from . import _dtype
from ._tensor_types import (_DEVICE_TYPES, _TYPE_NAMES, CPU_HINT, NO_ATEN_CUDA, _LegacyTensorType, check_device, device,
                            tensor_type_name)
from .autograd.function import Function as _Function
from .ops import shape as S
from .ops._util import norm_dim

Tensor = None  # bound by autograd_kit._tensor


class ConversionMethods:
    """The Tensor methods that convert: mixed into ``Tensor``."""
    __slots__ = ()

    # ---- conversion -------------------------------------------------------------------
    def item(self):
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.reshape(()).item()

    def tolist(self):
        return self._data.tolist()

    def numpy(self, *, force=False):
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        if self._requires_grad:  # np.asarray(t), plotting, NumPy functions: as PyTorch, detach first
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        if dtype is not None:
            return self._data.astype(dtype)
        return self._data

    def detach(self):
        t = Tensor._make(self._data, False, None, self._vc)
        return t

    def detach_(self):
        if self._base is not None and self.grad_fn is not None:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self.grad_fn = None
        self._requires_grad = False
        return self

    def clone(self, memory_format=None):
        return S.Clone.apply(self)

    def contiguous(self, memory_format=None):
        return self if self._data.flags.c_contiguous else self.clone()

    def is_contiguous(self, memory_format=None):
        return bool(self._data.flags.c_contiguous)

    def to(self, *args, dtype=None, copy=False, **kw):
        given = {"dtype": dtype} if dtype is not None else {}
        if kw.get("device") is not None:
            args = (kw.pop("device"),) + args
        kw.pop("non_blocking", None), kw.pop("memory_format", None)
        for a in args:
            if isinstance(a, Tensor):
                dtype = a.dtype
            elif isinstance(a, (str, device)):
                kind = (a.split(":")[0] if isinstance(a, str) else a.type)
                if kind not in _DEVICE_TYPES:
                    raise RuntimeError(f"Invalid device string: '{a}'")
                check_device(a, where="to")
            elif isinstance(a, int) and not isinstance(a, bool):
                check_device(a, where="to")
            elif a is not None and not isinstance(a, (str, bool)) and not _is_device(a):
                dtype = a
        try:
            dtype = _dtype.check_dtype(dtype, "to")
        except TypeError:
            raise _dtype.bad_args("to", args, {**given, **({"copy": copy} if copy else {}), **kw}) from None
        if dtype is None:
            return self.clone() if copy else self
        np_dt = _dtype.to_numpy_dtype(dtype)
        if np_dt == self._data.dtype:
            return self.clone() if copy else self
        return _ToCopy.apply(self, dtype=np_dt)

    def type(self, dtype=None):
        if dtype is None:
            return tensor_type_name(self.dtype)
        if isinstance(dtype, _LegacyTensorType) or dtype is Tensor:
            if dtype is not Tensor and dtype.is_cuda:
                raise RuntimeError(NO_ATEN_CUDA + CPU_HINT)
            dtype = _dtype.get_default_dtype() if dtype is Tensor else dtype.dtype
        elif isinstance(dtype, str):
            if dtype.startswith("torch.cuda."):
                raise RuntimeError(NO_ATEN_CUDA + CPU_HINT)
            name = dtype.split(".")[-1]
            dtype = {v: k for k, v in _TYPE_NAMES.items()}[name]
        elif not isinstance(dtype, _dtype.dtype):
            t = dtype if isinstance(dtype, type) else type(dtype)
            name = t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"
            raise ValueError(f"invalid type: '{name}'")
        return self.to(_dtype.as_dtype(dtype) if not isinstance(dtype, str) else _dtype._NAMES[dtype])

    def float(self):
        return self.to(_dtype.float32)

    def double(self):
        return self.to(_dtype.float64)

    def half(self):
        return self.to(_dtype.float16)

    def long(self):
        return self.to(_dtype.int64)

    def int(self):
        return self.to(_dtype.int32)

    def bool(self):
        return self.to(_dtype.bool)

    def cpu(self):
        return self

    def cuda(self, device=None, non_blocking=False, memory_format=None):
        check_device("cuda" if device is None or isinstance(device, (str, type(self.device))) else device, where="to")

    @property
    def is_cpu(self):
        return True

    def get_device(self):
        return -1

    def is_floating_point(self):
        return self._data.dtype.kind == "f"

    def element_size(self):
        return self._data.itemsize

    def stride(self, dim=None):
        st = tuple(s // self._data.itemsize for s in self._data.strides)
        return st if dim is None else st[norm_dim(dim, self._data.ndim)]

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(()))

    def _scalar(self):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self._data.reshape(()).item()

    def __float__(self):
        return float(self._scalar())

    def __int__(self):
        return int(self._scalar())

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __complex__(self):
        return complex(self._scalar())


def _is_device(a):
    return type(a).__name__ == "device"


class _ToCopy(_Function):
    formula = "a (as another dtype)"
    derivatives = ("1",)

    @staticmethod
    def forward(ctx, a, dtype):
        ctx.dtype = a.dtype
        return a._data.astype(dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad.to(ctx.dtype)


def _as_array(data, default_float):
    """Python data (numbers, nested lists, arrays, tensors) -> a NumPy array with PyTorch's dtypes."""
    if isinstance(data, Tensor):
        return data._data.copy()
    if isinstance(data, np.ndarray):
        arr = data
        _dtype.from_numpy_dtype(arr.dtype)
        return arr.copy()
    if isinstance(data, (list, tuple)) and _has_tensor(data):
        data = _untensor(data, [False])
    try:
        arr = np.array(data)
    except (ValueError, TypeError):
        raise _data_error(data) from None
    if arr.dtype.kind in "OUS" or arr.dtype == np.uint64:
        raise _data_error(data)
    if arr.dtype == np.float64 and not isinstance(data, np.floating):
        arr = arr.astype(default_float.np)
    elif arr.dtype.kind in "iu":
        arr = arr.astype(np.int64)
    return arr


def _has_tensor(x):
    return any(isinstance(e, Tensor) or (isinstance(e, (list, tuple)) and _has_tensor(e)) for e in x)


def _untensor(x, warned):
    """Nested lists holding one-element tensors -> their Python numbers (PyTorch reads each with item())."""
    out = []
    for e in x:
        if isinstance(e, Tensor):
            if e._data.size != 1:
                raise ValueError("only one element tensors can be converted to Python scalars")
            if e._requires_grad and not warned[0]:
                warned[0] = True
                warnings.warn("Converting a tensor with requires_grad=True to a scalar may lead to unexpected "
                              "behavior.\nConsider using tensor.detach() first.", UserWarning, stacklevel=4)
            e = e._data.reshape(()).item()
        elif isinstance(e, (list, tuple)):
            e = _untensor(e, warned)
        out.append(e)
    return out


def _data_error(data):
    """PyTorch's error for data that is not a (rectangular, numeric) nested sequence: it reads the shape
    along the first elements, then infers the dtype from every element, then checks each sequence."""
    if isinstance(data, str):
        return TypeError("new(): invalid data type 'str'")
    sizes, seq = [], data
    while isinstance(seq, (list, tuple, str)):
        if isinstance(seq, str):
            return ValueError("too many dimensions 'str'")
        sizes.append(len(seq))
        if not seq:
            break
        seq = seq[0]
    is_float, stack = False, [data]
    while stack:
        x = stack.pop()
        if isinstance(x, (list, tuple)):
            stack.extend(x)
        elif isinstance(x, str):
            return TypeError("new(): invalid data type 'str'")
        elif isinstance(x, (float, np.floating)):
            is_float = True
        elif not isinstance(x, (numbers.Number, np.generic)):
            return RuntimeError(f"Could not infer dtype of {type(x).__name__}")

    def check(x, dim):
        if dim == len(sizes):
            if isinstance(x, (list, tuple)):
                name = type(x).__name__
                return TypeError(f"must be real number, not {name}" if is_float else
                                 f"'{name}' object cannot be interpreted as an integer")
            if not is_float and isinstance(x, numbers.Integral) and not -2 ** 63 <= x < 2 ** 63:
                return ValueError("Overflow when unpacking long long")
            return None
        if not isinstance(x, (list, tuple)):
            return TypeError("not a sequence")
        if len(x) != sizes[dim]:
            return ValueError(f"expected sequence of length {sizes[dim]} at dim {dim} (got {len(x)})")
        for e in x:
            err = check(e, dim + 1)
            if err is not None:
                return err
        return None

    return check(data, 0) or TypeError(f"new(): invalid data type '{type(data).__name__}'")
