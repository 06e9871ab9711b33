"""``torch.backends``: which accelerator back ends this build has (none: the kit computes on the CPU)."""
from . import cudnn, mps  # noqa: F401
