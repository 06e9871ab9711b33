"""In-place Tensor ops (``add_``, ``zero_``, ``copy_``, ``x[i] = v``, random fills) and the nodes they record."""
import numpy as np

from . import _grad_mode
from ._tensor_types import _TYPE_NAMES
from .autograd.function import Function as _Function
from .ops import pointwise as P
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
            self._link_output()
            return self
        with _grad_mode.no_grad():
            result = fn(self, *others, **kw)
        self._write(result._data)
        return self

    def _inplace_ufunc(self, ufunc, other):
        """NumPy's in-place ufunc when nothing is recorded (optimizer updates); None means: record."""
        self._check_inplace()
        if self._recording((other,)):
            return None
        o = _d(other)
        if type(o) is np.ndarray and o.ndim == 0 and o.dtype != self._data.dtype:
            from .ops._util import result_dtype  # a 0-d tensor takes the computation's dtype first, as in PyTorch
            o = o.astype(result_dtype(self, other))
        try:
            ufunc(self._data, o, out=self._data, casting="same_kind")
        except TypeError:
            from .ops._util import result_dtype
            raise RuntimeError(
                f"result type {_TYPE_NAMES[result_dtype(self, other).name][:-6]} can't be cast to the desired output "
                f"type {_TYPE_NAMES[self._data.dtype.name][:-6]}") from None
        except ValueError:
            from .ops._util import broadcast_error, inplace_shape_error
            raise inplace_shape_error(self._data.shape, np.shape(o)) or \
                broadcast_error(self._data.shape, np.shape(o)) from None
        self._vc[0] += 1
        return self

    def _inplace_kernel(self, values, op, others, *args):
        """Write ``values(self, *others, *args)`` (PyTorch's rounding, ops/pointwise.py) into self when nothing
        is recorded; in a graph, record the out-of-place ``op(self, *others, *args)`` and rebase."""
        self._check_inplace()
        if self._recording(others):
            return self._inplace(lambda s, *o: op(s, *o, *args), *others)
        d = self._data
        result = values(self, *others, *args, out=d)  # written straight into self when the shapes allow
        if result is d:
            self._vc[0] += 1
        else:
            self._write(result)
        return self

    def add_(self, other, *, alpha=1):
        if alpha != 1:  # a fused multiply-add, as PyTorch's kernel
            if type(other) is Tensor and type(alpha) is float and not self._recording((other,)):
                self._check_inplace()
                if P.add_scaled_(self._data, other._data, alpha):  # the optimizers' update p.add_(g, alpha=-lr)
                    self._vc[0] += 1
                    return self
            return self._inplace_kernel(P.add_alpha, lambda s, o, a: s.add(o, alpha=a), (other,), alpha)
        if self._inplace_ufunc(np.add, other) is not None:
            return self
        return self._inplace(lambda s, o: s.add(o), other)

    def sub_(self, other, *, alpha=1):
        if alpha != 1:
            return self._inplace_kernel(P.add_alpha, lambda s, o, a: s.sub(o, alpha=-a), (other,), -alpha)
        if self._inplace_ufunc(np.subtract, other) is not None:
            return self
        return self._inplace(lambda s, o: s.sub(o), other)

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

    def addcmul_(self, tensor1, tensor2, *, value=1):
        return self._inplace_kernel(P.addcmul_values, lambda s, a, b, v: P.addcmul(s, a, b, value=v),
                                    (tensor1, tensor2), value)

    def addcdiv_(self, tensor1, tensor2, *, value=1):
        return self._inplace_kernel(P.addcdiv_values, lambda s, a, b, v: P.addcdiv(s, a, b, value=v),
                                    (tensor1, tensor2), value)

    def lerp_(self, end, weight):
        others = (end, weight) if isinstance(weight, Tensor) else (end,)
        if len(others) == 2:
            return self._inplace_kernel(P.lerp_values, P.lerp, others)
        return self._inplace_kernel(P.lerp_values, P.lerp, others, weight)

    def lerp(self, end, weight):  # out of place, beside the in-place kernel it shares (ops/pointwise.py)
        return P.lerp(self, end, weight)

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
        from ._random import _uniform_values
        return self._fill_random(_Uniform, _uniform_values(self._data, a, b, generator))

    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        from ._random import _normal_values
        return self._fill_random(_Normal, _normal_values(self._data, mean, std, generator))

    def bernoulli_(self, p=0.5, *, generator=None):
        from ._random import _bernoulli_values
        return self._fill_random(None, _bernoulli_values(self._data, p, generator))

    def random_(self, *args, generator=None, **kw):
        from ._random import _random_values
        return self._fill_random(None, _random_values(self._data, args, kw, generator))

    def exponential_(self, lambd=1.0, *, generator=None):
        from ._random import _exponential_values
        return self._fill_random(None, _exponential_values(self._data, lambd, generator))

    def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
        from ._random import _dist_values
        return self._fill_random(None, _dist_values(self._data, "cauchy", median, sigma, generator=generator))

    def geometric_(self, p, *, generator=None):
        from ._random import _dist_values
        return self._fill_random(None, _dist_values(self._data, "geometric", p, generator=generator))

    def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
        from ._random import _dist_values
        return self._fill_random(None, _dist_values(self._data, "log_normal", mean, std, generator=generator))

    def bernoulli(self, p=None, *, generator=None):  # out of place, with the random methods it goes with
        from ._random import bernoulli
        return bernoulli(self, p, generator=generator)

    def multinomial(self, num_samples, replacement=False, *, generator=None):
        from ._random import multinomial
        return multinomial(self, num_samples, replacement, generator=generator)


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
