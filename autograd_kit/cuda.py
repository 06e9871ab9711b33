"""``torch.cuda`` on a machine without CUDA: what a CPU-only PyTorch build answers.

``torch.cuda.is_available()`` is False, so tutorials' ``device = "cuda" if torch.cuda.is_available() else "cpu"``
picks the CPU; asking for a CUDA device anyway raises PyTorch's own error plus a hint."""
from ._tensor_types import _legacy_types, device_error


def is_available():
    return False


def device_count():
    return 0


def is_initialized():
    return False


def _no_cuda(*args, **kwargs):
    raise device_error("cuda")


current_device = get_device_name = get_device_properties = get_device_capability = set_device = synchronize = \
    _no_cuda
memory_allocated = max_memory_allocated = memory_reserved = init = _no_cuda


def manual_seed(seed):
    """Seeding CUDA without CUDA is silently a no-op in PyTorch (seed code runs on any machine)."""


def manual_seed_all(seed):
    pass


def seed():
    pass


def seed_all():
    pass


def empty_cache():
    pass


globals().update(_legacy_types(__name__, is_cuda=True))  # torch.cuda.FloatTensor & co.
