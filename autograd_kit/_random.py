"""Random tensors from one seeded generator (reproducible with manual_seed; not PyTorch's stream)."""
import numpy as np

from . import _dtype
from ._creation import _dt, _finish, _size
from ._tensor import Tensor


class Generator:
    """A random number generator (PyTorch's ``torch.Generator``); ``generator=`` arguments draw from it."""

    def __init__(self, device="cpu"):
        self._seed = 67280421310721  # PyTorch's default seed
        self._rng = np.random.default_rng(self._seed)

    def manual_seed(self, seed):
        seed = int(seed)
        self._rng = np.random.default_rng(seed & 0xFFFFFFFFFFFFFFFF)
        self._seed = seed
        return self

    def seed(self):
        """Reseed from the operating system's entropy; returns the new seed."""
        s = int(np.random.SeedSequence().entropy) & 0xFFFFFFFFFFFFFFFF
        self.manual_seed(s)
        return s

    def initial_seed(self):
        return self._seed

    def get_state(self):
        return Tensor._make(np.frombuffer(repr(self._rng.bit_generator.state).encode(), dtype=np.uint8).copy())

    def set_state(self, state):
        import ast
        self._rng.bit_generator.state = ast.literal_eval(bytes(state._data).decode())
        return self

    def __repr__(self):
        return f"<torch._C.Generator object at {hex(id(self))}>"  # as PyTorch prints it


default_generator = Generator().manual_seed(0)


def _rng(generator=None):
    return (generator or default_generator)._rng


def manual_seed(seed):
    """Reseed the kit's generator: the same seed gives the same numbers on every machine."""
    return default_generator.manual_seed(seed)


def seed():
    """Seed the default generator non-deterministically; returns the seed (PyTorch's ``torch.seed()``)."""
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(state):
    default_generator.set_state(state)


def _size_or_error(fname, size, kw):
    if not size:
        raise _dtype.bad_args(fname, size, kw)
    return _size(size)


def _checked(fname, args, dtype):
    try:
        return _dtype.check_dtype(dtype, fname)
    except TypeError:
        raise _dtype.bad_args(fname, args, {"dtype": dtype}) from None


def rand(*size, dtype=None, device=None, requires_grad=False, generator=None):
    dtype = _checked("rand", size, dtype)
    return _finish(_rng(generator).random(_size_or_error("rand", size, {})).astype(_dt(dtype)), requires_grad)


def randn(*size, dtype=None, device=None, requires_grad=False, generator=None):
    dtype = _checked("randn", size, dtype)
    return _finish(_rng(generator).standard_normal(_size_or_error("randn", size, {})).astype(_dt(dtype)), requires_grad)


def randint(*args, low=None, high=None, size=None, dtype=None, device=None, requires_grad=False, generator=None):
    """``randint(high, size)`` or ``randint(low, high, size)``, with PyTorch's argument errors."""
    dtype = _checked("randint", args, dtype)
    pos = list(args)
    if size is None and len(pos) >= 2:
        size = pos.pop()
        where = f" (position {len(args)})"
    else:
        where = ""
    if size is None:
        raise _dtype.bad_args("randint", args, {})
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"randint(): argument 'size'{where} must be tuple of ints, not {_dtype.py_typename(size)}")
    if len(pos) == 2:
        low, high = pos
    elif len(pos) == 1:
        high = pos[0]
    low = 0 if low is None else low
    return _finish(_rng(generator).integers(low, high, _size((size,))).astype(_dt(dtype, _dtype.int64)), requires_grad)


def randperm(n=None, *, dtype=None, device=None, requires_grad=False, generator=None):
    dtype = _checked("randperm", (n,), dtype)
    if n is None:
        raise _dtype.bad_args("randperm", (), {})
    return _finish(_rng(generator).permutation(n).astype(_dt(dtype, _dtype.int64)), requires_grad)


def rand_like(input, *, dtype=None, requires_grad=False):
    return rand(*input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(input, *, dtype=None, requires_grad=False):
    return randn(*input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, requires_grad=False):
    if high is None:
        low, high = 0, low
    return randint(low, high, tuple(input.shape), dtype=dtype or input.dtype, requires_grad=requires_grad)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, requires_grad=False):
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        m = mean._data if isinstance(mean, Tensor) else mean
        s = std._data if isinstance(std, Tensor) else std
        like = mean if isinstance(mean, Tensor) else std
        return Tensor._make(_rng(generator).normal(m, s).astype(like._data.dtype))
    return _finish(_rng(generator).normal(mean, std, _size((size,))).astype(_dt(dtype)), requires_grad)


def bernoulli(input, p=None, *, generator=None):
    probs = input._data if p is None else p
    return Tensor._make((_rng(generator).random(input._data.shape) < probs).astype(input._data.dtype))


def multinomial(input, num_samples, replacement=False, *, generator=None):
    p = input._data / input._data.sum(-1, keepdims=True)
    if p.ndim == 1:
        return Tensor._make(_rng(generator).choice(p.shape[0], num_samples, replace=replacement, p=p).astype(np.int64))
    return Tensor._make(np.stack([_rng(generator).choice(p.shape[1], num_samples, replace=replacement, p=r) for r in p]).astype(np.int64))
