"""The Tensor: a NumPy array plus what autograd needs (requires_grad, grad, grad_fn, version).

Its conversions live in ``_tensor_convert``, its in-place ops in ``_tensor_inplace`` (mixed in below),
``Size`` and ``device`` in ``_tensor_types``; the ops and the functional API are installed by ``_functions``."""
import numbers
import warnings
import weakref

import numpy as np

from . import _dtype, _grad_mode, _tensor_convert, _tensor_inplace
from .autograd import function as _function, graph
from . import autograd as _autograd  # Tensor.backward calls autograd.backward (looked up at call time)
from .ops import linalg as L, shape as S
from .ops._util import norm_dim
from ._tensor_convert import ConversionMethods, _ToCopy, _as_array, _data_error, _has_tensor, _is_device, _untensor  # noqa: F401
from ._tensor_inplace import (InPlaceMethods, _Copy, _Fill, _FillTensor, _Normal, _Uniform,  # noqa: F401
                              _Zero, _zeros)
from ._tensor_types import (_CPU, _DEVICE_TYPES, _TYPE_NAMES, _WORDS, Size, device, dtype_word,  # noqa: F401
                            tensor_type_name)

_enabled = _grad_mode._enabled
_inference = _grad_mode._inference
_new = object.__new__
_FROM_NP = _dtype._FROM_NP


class Tensor(ConversionMethods, InPlaceMethods):
    # The four attributes every tensor sets live in slots; the rarely set ones (a leaf's grad, hooks, a
    # label, a view's base) default to the class's values and only then take a slot of the instance dict,
    # so building a tensor (what every op does) is four stores.
    __slots__ = ("_data", "_requires_grad", "grad_fn", "_vc", "__dict__", "__weakref__")
    _grad = _base = _hooks = _acc = _post_acc_hooks = _label = None
    _inference = False
    __array_priority__ = 1000  # ndarray (op) Tensor defers to Tensor's reflected operators

    def __init__(self, *args, dtype=None):
        if len(args) == 1 and not isinstance(args[0], numbers.Integral):
            dt = _dtype.as_dtype(dtype) or _dtype.get_default_dtype()
            arr = _as_array(args[0], dt).astype(dt.np, copy=False)  # torch.Tensor([1, 2]) is float32
        else:
            shape = args[0] if len(args) == 1 and isinstance(args[0], (tuple, list)) else args
            arr = np.zeros(tuple(int(s) for s in shape), dtype=(_dtype.as_dtype(dtype) or _dtype.get_default_dtype()).np)
        Tensor._init(self, arr, False, None, None)

    @staticmethod
    def _init(self, arr, requires_grad, grad_fn, vc):
        self._data = arr
        self._requires_grad = requires_grad
        self.grad_fn = grad_fn
        self._vc = vc if vc is not None else [0]
        if _inference[0]:
            self._inference = True

    @classmethod
    def _make(cls, arr, requires_grad=False, grad_fn=None, vc=None):
        """A Tensor around ``arr`` (no copy): what every op returns."""
        t = _new(Tensor)
        t._data = arr
        t._requires_grad = requires_grad
        t.grad_fn = grad_fn
        t._vc = vc if vc is not None else [0]
        if _inference[0]:
            t._inference = True
        return t

    # ---- attributes -------------------------------------------------------------------
    @property
    def label(self):
        """A name for the graph views (micrograd's ``label``): ``y.label = "y"`` names ``y``'s box."""
        return self._label

    @label.setter
    def label(self, value):
        self._label = value
        self._link_output()

    def _link_output(self):
        """Let a labelled tensor's ``grad_fn`` find it (``Node.output``): nodes keep no reference to their output."""
        if self._label is not None and self.grad_fn is not None:
            self.grad_fn._out_ref = weakref.ref(self)

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
        d = _FROM_NP.get(self._data.dtype)
        return d if d is not None else _dtype.from_numpy_dtype(self._data.dtype)

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
            self.grad_fn._mark_hooked()

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
        _autograd.backward(self, gradient, retain_graph, create_graph, inputs=inputs)

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


def _rebuild(arr, requires_grad):
    t = Tensor._make(arr)
    t._requires_grad = requires_grad
    return t


graph.Tensor = _tensor_convert.Tensor = _tensor_inplace.Tensor = _function._Tensor = Tensor
from .ops import arithmetic as _arithmetic, indexing as _indexing, selection as _selection, sums as _sums  # noqa: E402
L.Tensor = _arithmetic.Tensor = _indexing.Tensor = _selection.Tensor = _sums.Tensor = Tensor
