"""The Tensor: a NumPy array plus what autograd needs (requires_grad, grad, grad_fn, version)."""
import numbers
import warnings
import weakref

import numpy as np

from . import _dtype, _grad_mode
from .autograd import graph
from .ops import elementwise as E, linalg as L, reduce as R, shape as S
from .ops._util import data as _d, norm_dim

_enabled = _grad_mode._enabled
_inference = _grad_mode._inference

_TYPE_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
               "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor", "int8": "CharTensor",
               "uint8": "ByteTensor", "bool": "BoolTensor"}
_WORDS = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
          "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char", "bool": "bool"}


def tensor_type_name(dt):
    """'torch.FloatTensor' for float32, as ``Tensor.type()`` and PyTorch's errors spell it."""
    return "torch." + _TYPE_NAMES[dt.name]


def dtype_word(np_dtype):
    return _WORDS[np.dtype(np_dtype).name]


class Size(tuple):
    """``torch.Size``: a tuple that prints as ``torch.Size([2, 3])``."""

    def __repr__(self):
        return f"torch.Size([{', '.join(str(s) for s in self)}])"

    # slicing, concatenating and repeating a Size gives a Size, as in PyTorch
    def __getitem__(self, key):
        r = tuple.__getitem__(self, key)
        return Size(r) if isinstance(key, slice) else r

    def __add__(self, other):
        return Size(tuple(self) + tuple(other)) if isinstance(other, tuple) else NotImplemented

    def __radd__(self, other):
        return Size(tuple(other) + tuple(self)) if isinstance(other, tuple) else NotImplemented

    def __mul__(self, n):
        return Size(tuple(self) * n)

    __rmul__ = __mul__

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n


class device:
    """``torch.device``: repr ``device(type='cpu')``, str ``cpu``; the kit computes on the CPU only."""

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        elif ":" in type:
            type, i = type.split(":")
            index = int(i)
        if type not in _DEVICE_TYPES:
            raise RuntimeError(f"Expected one of {', '.join(_DEVICE_TYPES)} device type at start of device string: "
                               f"{type}")
        self.type, self.index = type, index

    def __repr__(self):
        return f"device(type='{self.type}')" if self.index is None else f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))


_DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga", "maia",
                 "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")
_CPU = device("cpu")


class Tensor:
    __slots__ = ("_data", "_requires_grad", "_grad", "grad_fn", "_vc", "_base", "_hooks", "_acc",
                 "_post_acc_hooks", "label", "_inference", "__weakref__")
    __array_priority__ = 1000  # ndarray (op) Tensor defers to Tensor's reflected operators

    def __init__(self, *args, dtype=None):
        if len(args) == 1 and not isinstance(args[0], numbers.Integral):
            arr = _as_array(args[0], _dtype.as_dtype(dtype) or _dtype.get_default_dtype())
        else:
            shape = args[0] if len(args) == 1 and isinstance(args[0], (tuple, list)) else args
            arr = np.zeros(tuple(int(s) for s in shape), dtype=(_dtype.as_dtype(dtype) or _dtype.get_default_dtype()).np)
        Tensor._init(self, arr, False, None, None)

    @staticmethod
    def _init(self, arr, requires_grad, grad_fn, vc):
        self._data = arr
        self._requires_grad = requires_grad
        self._grad = None
        self.grad_fn = grad_fn
        self._vc = vc if vc is not None else [0]
        self._base = None
        self._hooks = None
        self._acc = None
        self._post_acc_hooks = None
        self.label = None
        self._inference = _inference[0]

    @classmethod
    def _make(cls, arr, requires_grad=False, grad_fn=None, vc=None):
        """A Tensor around ``arr`` (no copy): what every op returns."""
        t = object.__new__(Tensor)
        Tensor._init(t, arr, requires_grad, grad_fn, vc)
        return t

    # ---- attributes -------------------------------------------------------------------
    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[norm_dim(dim, self._data.ndim)]

    def dim(self):
        return self._data.ndim

    ndimension = dim

    @property
    def ndim(self):
        return self._data.ndim

    def numel(self):
        return int(self._data.size)

    nelement = numel

    @property
    def dtype(self):
        return _dtype.from_numpy_dtype(self._data.dtype)

    @property
    def device(self):
        return _CPU

    @property
    def is_cuda(self):
        return False

    @property
    def _version(self):
        return self._vc[0]

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        if value and self._data.dtype.kind not in "fc":
            raise RuntimeError("only Tensors of floating point and complex dtype can require gradients")
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad=True):
        if requires_grad and self._inference and not _inference[0]:
            raise RuntimeError("Setting requires_grad=True on inference tensor outside InferenceMode is not allowed.")
        if self.grad_fn is not None:
            if not requires_grad:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want to use a computed "
                    "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().")
            return self
        if requires_grad and self._data.dtype.kind not in "fc":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def grad(self):
        if self.grad_fn is not None and not self.retains_grad and self._grad is None:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute "
                "won't be populated during autograd.backward(). If you indeed want the .grad field to be populated "
                "for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor "
                "by mistake, make sure you access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 "
                "for more information.", UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type {type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value._data.shape)}' to a tensor of size "
                    f"'{list(self._data.shape)}'. Please ensure that the gradient and the tensor are the same size")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{dtype_word(value._data.dtype)}' to a tensor with "
                    f"grad_dtype '{_TYPE_NAMES[self._data.dtype.name][:-6]}'. The gradient must match the tensor's "
                    "grad_dtype (defaults to the tensor's dtype). You can set the tensor's grad_dtype attribute with a "
                    "specific dtype, or None to allow any dtype. Set grad_dtype with caution. Diverging the dtypes of a "
                    "tensor and its gradient may break downstream systems that assume they match.")
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def retains_grad(self):
        return self.grad_fn is not None and self.grad_fn._retain is not None and self.grad_fn._retain() is self

    def retain_grad(self):
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None:
            self.grad_fn._retain = weakref.ref(self)

    @property
    def data(self):
        t = Tensor._make(self._data)
        return t

    @data.setter
    def data(self, value):
        self._data = value._data if isinstance(value, Tensor) else np.asarray(value)

    @property
    def T(self):
        n = self._data.ndim
        if n == 0:
            warnings.warn("Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases.",
                          UserWarning, stacklevel=2)
        elif n > 2:
            warnings.warn(
                "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated and it "
                "will throw an error in a future release. Consider `x.mT` to transpose batches of matrices or "
                "`x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a tensor.",
                UserWarning, stacklevel=2)
        return S.Permute.apply(self, dims=tuple(range(n - 1, -1, -1))) if n > 1 else self._alias()

    @property
    def mT(self):
        return self.transpose(-2, -1)

    def _alias(self):
        t = S.View.apply(self, shape=self._data.shape)
        return t

    def is_inference(self):
        return self._inference

    def _accumulator(self):
        acc = self._acc() if self._acc is not None else None
        if acc is None:
            acc = graph.AccumulateGrad(self)
            self._acc = weakref.ref(acc)
        return acc

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
        for a in args:
            if isinstance(a, Tensor):
                dtype = a.dtype
            elif isinstance(a, (str, device)):
                kind = (a.split(":")[0] if isinstance(a, str) else a.type)
                if kind not in _DEVICE_TYPES:
                    raise RuntimeError(f"Invalid device string: '{a}'")
                if kind != "cpu":
                    self.cuda()
            elif a is not None and not isinstance(a, str) and not _is_device(a):
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
        if isinstance(dtype, str):
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

    def cuda(self, *a, **k):
        raise AssertionError("Torch not compiled with CUDA enabled\nHint: autograd_kit runs on the CPU, with NumPy.")

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

    __hash__ = object.__hash__

    def __format__(self, spec):
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec) if spec else repr(self)

    def __repr__(self, *, tensor_contents=None):
        from ._printing import tensor_repr
        fn = self.grad_fn
        return tensor_repr(self._data, self.dtype, requires_grad=self._requires_grad,
                           grad_fn_name=type(fn).__name__ if fn is not None else None)


    def __reduce_ex__(self, proto):
        return (_rebuild, (self._data, self._requires_grad))

    def __deepcopy__(self, memo):
        if self.grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol at the moment.  If you were attempting to deepcopy a module, this may be because of a torch.nn.utils.weight_norm usage, see https://github.com/pytorch/pytorch/pull/103001")
        t = type(self).__new__(type(self))
        Tensor._init(t, self._data.copy(), self._requires_grad, None, None)
        if self._grad is not None:
            t._grad = Tensor._make(self._grad._data.copy())
        memo[id(self)] = t
        return t

    # ---- autograd ---------------------------------------------------------------------
    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        from .autograd import backward
        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def register_hook(self, hook):
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            return self.grad_fn._tensor_prehook(hook)
        if self._hooks is None:
            self._hooks = graph.HookDict()
        h = graph.RemovableHandle(self._hooks)
        self._hooks[h.id] = hook
        return h

    def register_post_accumulate_grad_hook(self, hook):
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        if self._post_acc_hooks is None:
            self._post_acc_hooks = graph.HookDict()
        h = graph.RemovableHandle(self._post_acc_hooks)
        self._post_acc_hooks[h.id] = hook
        return h

    # ---- in place ---------------------------------------------------------------------
    def _check_inplace(self, view=False):
        """``view``: the write goes through a view of self (``x[0] = 1``), as PyTorch words it."""
        if self._requires_grad and _enabled[0]:
            if self.grad_fn is None:
                raise RuntimeError(f"a {'view of a ' if view else ''}leaf Variable that requires grad is being used "
                                   "in an in-place operation.")
            b = self._base
            if b is not None and b.grad_fn is None and b._requires_grad:
                raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
        if self._inference and _enabled[0] and not _grad_mode._inference[0]:
            raise RuntimeError("Inplace update to inference tensor outside InferenceMode is not allowed.You can make a clone to get a normal tensor before doing inplace update.See https://github.com/pytorch/rfcs/pull/17 for more details.")

    def _recording(self, others):
        return _enabled[0] and (self._requires_grad or any(getattr(o, "_requires_grad", False) for o in others))

    def _write(self, arr):
        if arr.shape != self._data.shape:
            raise RuntimeError(
                f"output with shape [{', '.join(map(str, self._data.shape))}] doesn't match the broadcast shape "
                f"[{', '.join(map(str, arr.shape))}]")
        try:
            np.copyto(self._data, arr, casting="same_kind")
        except TypeError:
            raise RuntimeError(
                f"result type {_TYPE_NAMES[arr.dtype.name][:-6]} can't be cast to the desired output type "
                f"{_TYPE_NAMES[self._data.dtype.name][:-6]}") from None
        except ValueError:
            raise RuntimeError(
                "unsupported operation: more than one element of the written-to tensor refers to a single memory "
                "location. Please clone() the tensor before performing the operation.") from None
        self._vc[0] += 1

    def _inplace(self, fn, *others, **kw):
        """Run the out-of-place ``fn(self, *others)`` and write the result into self (rebasing grad_fn)."""
        self._check_inplace()
        if self._recording(others):
            shadow = Tensor._make(self._data.copy(), self._requires_grad, self.grad_fn)
            result = fn(shadow, *others, **kw)
            self._write(result._data)
            node = result.grad_fn
            if node is not None and node._out is not None:
                node._out = (self._data, self._vc, self._vc[0])
            self.grad_fn = node
            self._requires_grad = True
            return self
        with _grad_mode.no_grad():
            result = fn(self, *others, **kw)
        self._write(result._data)
        return self

    def _inplace_ufunc(self, ufunc, other):
        """NumPy's in-place ufunc when nothing is recorded (optimizer updates); None means: record."""
        self._check_inplace()
        scaled = type(other) is _Scaled
        if self._recording((other.value if scaled else other,)):
            return None
        if scaled:
            other = _d(other.value) * other.alpha
        try:
            ufunc(self._data, _d(other), out=self._data, casting="same_kind")
        except TypeError:
            from .ops._util import result_dtype
            raise RuntimeError(
                f"result type {_TYPE_NAMES[result_dtype(self, other).name][:-6]} can't be cast to the desired output "
                f"type {_TYPE_NAMES[self._data.dtype.name][:-6]}") from None
        except ValueError:
            from .ops._util import broadcast_error, inplace_shape_error
            raise inplace_shape_error(self._data.shape, np.shape(_d(other))) or \
                broadcast_error(self._data.shape, np.shape(_d(other))) from None
        self._vc[0] += 1
        return self

    def add_(self, other, *, alpha=1):
        if self._inplace_ufunc(np.add, other if alpha == 1 else _Scaled(other, alpha)) is not None:
            return self
        return self._inplace(lambda s, o: s.add(o, alpha=alpha), other)

    def sub_(self, other, *, alpha=1):
        if self._inplace_ufunc(np.subtract, other if alpha == 1 else _Scaled(other, alpha)) is not None:
            return self
        return self._inplace(lambda s, o: s.sub(o, alpha=alpha), other)

    def mul_(self, other):
        if self._inplace_ufunc(np.multiply, other) is not None:
            return self
        return self._inplace(lambda s, o: s * o, other)

    def div_(self, other):
        if self._data.dtype.kind == "f" and self._inplace_ufunc(np.true_divide, other) is not None:
            return self
        return self._inplace(lambda s, o: s / o, other)

    def pow_(self, exponent):
        return self._inplace(lambda s, e: s ** e, exponent)

    def neg_(self):
        return self._inplace(lambda s: -s)

    def exp_(self):
        return self._inplace(lambda s: s.exp())

    def sigmoid_(self):
        return self._inplace(lambda s: s.sigmoid())

    def relu_(self):
        return self._inplace(lambda s: s.relu())

    def tanh_(self):
        return self._inplace(lambda s: s.tanh())

    def clamp_(self, min=None, max=None):
        return self._inplace(lambda s: s.clamp(min, max))

    clip_ = clamp_

    def addcmul_(self, t1, t2, *, value=1):
        return self._inplace(lambda s, a, b: s + value * a * b, t1, t2)

    def addcdiv_(self, t1, t2, *, value=1):
        return self._inplace(lambda s, a, b: s + value * a / b, t1, t2)

    def lerp_(self, end, weight):
        return self._inplace(lambda s, e: s + weight * (e - s), end)

    def zero_(self):
        self._check_inplace()
        if self._recording(()):
            return self._inplace(lambda s: _Zero.apply(s))
        self._data[...] = 0
        self._vc[0] += 1
        return self

    def fill_(self, value):
        self._check_inplace()
        if self._recording((value,)):
            if isinstance(value, Tensor):
                return self._inplace(lambda s, v: _FillTensor.apply(s, v), value)
            return self._inplace(lambda s: _Fill.apply(s, value=value))
        self._data[...] = _d(value)
        self._vc[0] += 1
        return self

    def copy_(self, src, non_blocking=False):
        self._check_inplace()
        if self._recording((src,)):
            return self._inplace(lambda s, v: _Copy.apply(s, v), src if isinstance(src, Tensor) else Tensor(src))
        try:
            np.copyto(self._data, np.broadcast_to(_d(src), self._data.shape), casting="unsafe")
        except ValueError:
            from .ops._util import broadcast_error
            raise broadcast_error(self._data.shape, np.shape(_d(src))) from None
        self._vc[0] += 1
        return self

    def masked_fill_(self, mask, value):
        return self._inplace(lambda s: s.masked_fill(mask, value))

    def __setitem__(self, key, value):
        self._check_inplace(view=True)
        nkey, _ = S.normalize_key(key)
        if isinstance(value, (list, tuple)):
            value = np.asarray(value)
        if self._recording((value,)):
            self._inplace(lambda s, v: S.CopySlices.apply(s, v, key=nkey), value)
            return
        try:
            self._data[nkey] = _d(value)
        except IndexError as e:
            raise S._index_error(e) from None
        except ValueError:
            raise S.setitem_shape_error(self._data[nkey].shape, np.shape(_d(value))) from None
        self._vc[0] += 1

    def __iadd__(self, other):
        return self.add_(other)

    def __isub__(self, other):
        return self.sub_(other)

    def __imul__(self, other):
        return self.mul_(other)

    def __itruediv__(self, other):
        return self.div_(other)

    # ---- random fills (in place, under the kit's generator) ---------------------------------
    def _fill_random(self, op, values):
        """Write random ``values``; in a graph ``op`` names the node (NormalBackward0), else it is a copy_."""
        self._check_inplace()
        if op is not None and self._recording(()):
            return self._inplace(lambda s: op.apply(s, values=values))
        return self.copy_(values)

    def uniform_(self, a=0.0, b=1.0, *, generator=None):
        from ._random import _rng
        return self._fill_random(_Uniform, _rng(generator).uniform(a, b, self._data.shape))

    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        from ._random import _rng
        return self._fill_random(_Normal, _rng(generator).normal(mean, std, self._data.shape))

    def bernoulli_(self, p=0.5, *, generator=None):
        from ._random import _rng
        return self._fill_random(None, _rng(generator).random(self._data.shape) < p)

    def random_(self, low=0, high=None, *, generator=None):
        from ._random import _rng
        if high is None:
            low, high = 0, low
        return self._fill_random(None, _rng(generator).integers(low, high, self._data.shape))


class _Scaled:
    """``alpha * value`` for add_/sub_ (computed only on the unrecorded fast path)."""
    __slots__ = ("value", "alpha")

    def __init__(self, value, alpha):
        self.value, self.alpha = value, alpha


def _is_device(a):
    return type(a).__name__ == "device"


def _rebuild(arr, requires_grad):
    t = Tensor._make(arr)
    t._requires_grad = requires_grad
    return t


from .autograd.function import Function as _Function  # noqa: E402


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


def _zeros(grad):
    return Tensor._make(np.zeros_like(grad._data))


class _Zero(_Function):
    """``x.zero_()`` on a tensor in a graph (ZeroBackward0): no gradient flows to the old values."""
    formula = "0"
    derivatives = ("0",)
    backward_name = "ZeroBackward0"

    @staticmethod
    def forward(ctx, a):
        return np.zeros_like(a._data)

    @staticmethod
    def backward(ctx, grad):
        return _zeros(grad)


class _Fill(_Function):
    """``x.fill_(number)`` (FillBackward2)."""
    formula = "value"
    derivatives = ("0",)
    backward_name = "FillBackward2"

    @staticmethod
    def forward(ctx, a, value):
        return np.full_like(a._data, value)

    @staticmethod
    def backward(ctx, grad):
        return _zeros(grad)


class _FillTensor(_Function):
    """``x.fill_(0-d tensor)`` (FillBackward3): the gradient of every element goes to the value."""
    formula = "b"
    derivatives = ("0", "1")
    backward_name = "FillBackward3"

    @staticmethod
    def forward(ctx, a, b):
        return np.full_like(a._data, b._data)

    @staticmethod
    def backward(ctx, grad):
        return _zeros(grad), grad


class _Copy(_Function):
    """``x.copy_(src)`` (CopyBackwards); also what a leaf's ``.grad`` records under create_graph=True."""
    formula = "b"
    derivatives = ("0", "1")
    backward_name = "CopyBackwards"

    @staticmethod
    def forward(ctx, a, b):
        return np.broadcast_to(b._data, a._data.shape).astype(a._data.dtype)

    @staticmethod
    def backward(ctx, grad):
        return _zeros(grad), grad


_Copy._Node.name = lambda self: "torch::autograd::CopyBackwards"  # a C++ node in PyTorch, named so


class _Normal(_Function):
    """``x.normal_()`` on a tensor in a graph: new values, zero gradient (NormalBackward0)."""
    formula = "random"
    derivatives = ("0",)
    backward_name = "NormalBackward0"

    @staticmethod
    def forward(ctx, a, values):
        return np.asarray(values).astype(a._data.dtype)

    @staticmethod
    def backward(ctx, grad):
        return _zeros(grad)


class _Uniform(_Normal):
    """``x.uniform_()`` on a tensor in a graph (UniformBackward0)."""
    backward_name = "UniformBackward0"


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


graph.Tensor = Tensor
E.Tensor = L.Tensor = R.Tensor = S.Tensor = Tensor
