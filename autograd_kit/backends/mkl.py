"""``torch.backends.mkl``, and the kit's use of Intel MKL (the ``mkl`` wheel from PyPI, optional), the
library PyTorch's CPU build computes with: with it, matrix products and the transcendental functions
round exactly as PyTorch's do.

Interface (placeholder until the MKL back end lands):
- ``is_available()``: whether the MKL library was found and loaded;
- ``unary(name, x)``: VML's high-accuracy ``vs<name>``/``vd<name>`` of a float32/float64 array, or None;
- ``gemm(a, b)``: the matrix product as PyTorch's ``mm`` computes it, or None.
"""


def is_available():
    return False


def unary(name, x):
    return None


def gemm(a, b):
    return None
