"""In-place Tensor ops (``add_``, ``zero_``, ``copy_``, ``x[i] = v``, random fills) and the nodes they record."""
import numpy as np

from . import _grad_mode
from ._tensor_types import _TYPE_NAMES
from .autograd.function import Function as _Function
from .ops import shape as S
from .ops._util import data as _d

_enabled = _grad_mode._enabled

Tensor = None  # bound by autograd_kit._tensor


class InPlaceMethods:
    """The Tensor methods that write into the tensor: mixed into ``Tensor``."""
    __slots__ = ()

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

    def random_(self, low=None, high=None, *, generator=None):
        from ._random import _rng
        if low is None and high is None:  # random_(): PyTorch's range, [0, 2^mantissa] or [0, max of the dtype]
            dt = self._data.dtype
            low, high = 0, (2 ** (np.finfo(dt).nmant + 1) + 1 if dt.kind == "f" else
                            2 if dt.kind == "b" else int(np.iinfo(dt).max) + 1)
        elif high is None:
            low, high = 0, low
        return self._fill_random(None, _rng(generator).integers(low, high, self._data.shape, dtype=np.int64))


class _Scaled:
    """``alpha * value`` for add_/sub_ (computed only on the unrecorded fast path)."""
    __slots__ = ("value", "alpha")

    def __init__(self, value, alpha):
        self.value, self.alpha = value, alpha


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
