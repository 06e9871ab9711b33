"""Helpers of the DataLoader, at PyTorch's paths (``torch.utils.data._utils.collate.default_collate``)."""
from . import collate  # noqa: F401
