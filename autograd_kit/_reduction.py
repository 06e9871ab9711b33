"""PyTorch's summation order on the CPU, so float32 sums round as PyTorch's do.

``torch_sum(array, axis=None, keepdims=False, dtype=None)`` is the one place the kit's sums, means and
broadcast-undoing reductions are computed.
(Placeholder: NumPy's own order until the cascade-sum emulation lands.)
"""
import numpy as np


def torch_sum(a, axis=None, keepdims=False, dtype=None):
    return np.add.reduce(a, axis=axis, keepdims=keepdims, dtype=dtype)
