"""autograd_kit: a NumPy autograd engine with PyTorch's API, for learning how gradients work.

    import autograd_kit as torch
    x = torch.tensor(2.0, requires_grad=True)
    y = 5 * x**3 + 2 * x**2 + 4 * x + 8
    y.backward()
    x.grad      # tensor(72.)
"""
import numpy as _np

# PyTorch computes 1/0 = inf and 0/0 = nan silently; so does the kit (no NumPy RuntimeWarnings in class).
_np.seterr(divide="ignore", invalid="ignore", over="ignore", under="ignore")

from ._dtype import (dtype, float16, half, float32, float, float64, double, uint8, int8, int16, short, int32,
                     int, int64, long, bool, get_default_dtype, set_default_dtype)
from ._grad_mode import (no_grad, enable_grad, set_grad_enabled, inference_mode, is_grad_enabled,
                         is_inference_mode_enabled)
from ._tensor import Tensor, Size, device
from . import _functions
from ._functions import *  # noqa: F401,F403
from ._functions import (abs, all, any, max, min, pow, sum)  # noqa: F811  (shadow builtins on purpose)
from ._creation import (tensor, as_tensor, from_numpy, zeros, ones, empty, full, zeros_like, ones_like, empty_like,
                        full_like, arange, linspace, logspace, eye)
from ._random import (manual_seed, seed, initial_seed, rand, randn, randint, randperm, rand_like, randn_like,
                      randint_like, normal, bernoulli, multinomial, Generator, get_rng_state, set_rng_state)
from . import autograd
from . import random
from ._generator import default_generator
from ._printing import set_printoptions, get_printoptions
from ._threads import get_num_threads, set_num_threads  # noqa: E402,F401

from ._tensor_types import _legacy_types
globals().update(_legacy_types(__name__, is_cuda=False))  # FloatTensor([...]), isinstance(t, LongTensor)
Tensor.__module__ = "autograd_kit"  # type(t) prints <class 'autograd_kit.Tensor'>, as torch's <class 'torch.Tensor'>
from . import cuda, backends, accelerator  # noqa: E402  (CPU only: is_available() is False)
from . import linalg  # noqa: E402,F401
from . import special  # noqa: E402,F401
from ._type_info import finfo, iinfo  # noqa: E402,F401
from .autograd.variable import Variable  # noqa: E402,F401
from .serialization import save, load  # noqa: E402,F401
from ._creation import get_default_device, set_default_device  # noqa: E402,F401
rand, randn = _creation.accept_size_keyword(rand), _creation.accept_size_keyword(randn)
__version__ = "0.1.0"


def is_grad_enabled_():
    return is_grad_enabled()


def load_ipython_extension(ipython):
    """``%load_ext autograd_kit``: rich tensor display and the ``%step_backward`` magic."""
    from .viz.ipython import load_ipython_extension as _load
    _load(ipython)


def __getattr__(name):
    # nn, optim, distributions and the views load on first use, so ``import autograd_kit`` stays NumPy-only and fast.
    import importlib
    if name in ("nn", "optim", "viz", "utils", "distributions"):
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'autograd_kit' has no attribute '{name}'")
