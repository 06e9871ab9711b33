"""``torch.backends``: which back ends this build has. ``mkl`` is Intel MKL when the ``mkl`` wheel is
installed (loaded on first use; the kit computes with NumPy without it); no accelerators (CPU only)."""
from . import cudnn, mkl, mps  # noqa: F401
