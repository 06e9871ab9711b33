"""Random tensors from one seeded generator (reproducible with manual_seed; not PyTorch's stream)."""
import numpy as np

from . import _dtype
from ._creation import _dt, _finish, _size
from ._tensor import Tensor

_state = {"rng": np.random.default_rng(0), "seed": 0}


def _rng():
    return _state["rng"]


def manual_seed(seed):
    """Reseed the kit's generator: the same seed gives the same numbers on every machine."""
    seed = int(seed)
    _state["rng"] = np.random.default_rng(seed & 0xFFFFFFFFFFFFFFFF)
    _state["seed"] = seed
    return _Generator(seed)


seed = manual_seed


def initial_seed():
    return _state["seed"]


class _Generator:
    def __init__(self, seed):
        self._seed = seed

    def initial_seed(self):
        return self._seed

    def manual_seed(self, seed):
        manual_seed(seed)
        return self


Generator = _Generator


def get_rng_state():
    return Tensor._make(np.frombuffer(repr(_state["rng"].bit_generator.state).encode(), dtype=np.uint8).copy())


def set_rng_state(state):
    import ast
    _state["rng"].bit_generator.state = ast.literal_eval(bytes(state._data).decode())


def rand(*size, dtype=None, device=None, requires_grad=False, generator=None):
    return _finish(_rng().random(_size(size)).astype(_dt(dtype)), requires_grad)


def randn(*size, dtype=None, device=None, requires_grad=False, generator=None):
    return _finish(_rng().standard_normal(_size(size)).astype(_dt(dtype)), requires_grad)


def randint(low=0, high=None, size=None, *, dtype=None, device=None, requires_grad=False, generator=None):
    if size is None:
        low, high, size = 0, low, high
    return _finish(_rng().integers(low, high, _size((size,))).astype(_dt(dtype, _dtype.int64)), requires_grad)


def randperm(n, *, dtype=None, device=None, requires_grad=False, generator=None):
    return _finish(_rng().permutation(n).astype(_dt(dtype, _dtype.int64)), requires_grad)


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
        return Tensor._make(_rng().normal(m, s).astype(like._data.dtype))
    return _finish(_rng().normal(mean, std, _size((size,))).astype(_dt(dtype)), requires_grad)


def bernoulli(input, p=None, *, generator=None):
    probs = input._data if p is None else p
    return Tensor._make((_rng().random(input._data.shape) < probs).astype(input._data.dtype))


def multinomial(input, num_samples, replacement=False, *, generator=None):
    p = input._data / input._data.sum(-1, keepdims=True)
    if p.ndim == 1:
        return Tensor._make(_rng().choice(p.shape[0], num_samples, replace=replacement, p=p).astype(np.int64))
    return Tensor._make(np.stack([_rng().choice(p.shape[1], num_samples, replace=replacement, p=r) for r in p]).astype(np.int64))
