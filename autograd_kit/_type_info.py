"""``torch.finfo`` and ``torch.iinfo``: the limits of a dtype (``torch.finfo(torch.float32).eps``), with
PyTorch's attributes, printing and errors."""
import numpy as np

from . import _dtype


class finfo:
    """Machine limits of a floating-point dtype (default: the default dtype)."""

    def __init__(self, type=None):
        d = _dtype.get_default_dtype() if type is None else type
        npd = np.dtype(_dtype.to_numpy_dtype(d))
        if npd.kind != "f":
            raise TypeError("torch.finfo() requires a floating point input type. Use torch.iinfo to handle "
                            "'torch.finfo'")
        info = np.finfo(npd)
        self.bits = int(info.bits)
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -int(info.precision)
        self.dtype = npd.name

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """Limits of an integer dtype."""

    def __init__(self, type):
        npd = np.dtype(_dtype.to_numpy_dtype(type))
        if npd.kind not in "iub":
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to handle 'torch.iinfo'")
        info = np.iinfo(npd) if npd.kind != "b" else np.iinfo(np.uint8)
        self.bits, self.min, self.max = int(info.bits), int(info.min), int(info.max)
        self.dtype = npd.name

    def __repr__(self):
        return f"iinfo(min={float(self.min):g}, max={float(self.max):g}, dtype={self.dtype})"
