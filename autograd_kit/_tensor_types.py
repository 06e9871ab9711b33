"""The small types around a Tensor: ``torch.Size``, ``torch.device``, and the type names ('torch.FloatTensor')."""
import numpy as np

_TYPE_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
               "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor", "int8": "CharTensor",
               "uint8": "ByteTensor", "bool": "BoolTensor"}
_WORDS = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
          "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char", "bool": "bool"}


def tensor_type_name(dt):
    """'torch.FloatTensor' for float32, as ``Tensor.type()`` and PyTorch's errors spell it."""
    return "torch." + _TYPE_NAMES[dt.name]


def dtype_word(np_dtype):
    return _WORDS[np.dtype(np_dtype).name]


class Size(tuple):
    """``torch.Size``: a tuple that prints as ``torch.Size([2, 3])``."""

    def __repr__(self):
        return f"torch.Size([{', '.join(str(s) for s in self)}])"

    # slicing, concatenating and repeating a Size gives a Size, as in PyTorch
    def __getitem__(self, key):
        r = tuple.__getitem__(self, key)
        return Size(r) if isinstance(key, slice) else r

    def __add__(self, other):
        return Size(tuple(self) + tuple(other)) if isinstance(other, tuple) else NotImplemented

    def __radd__(self, other):
        return Size(tuple(other) + tuple(self)) if isinstance(other, tuple) else NotImplemented

    def __mul__(self, n):
        return Size(tuple(self) * n)

    __rmul__ = __mul__

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n


class device:
    """``torch.device``: repr ``device(type='cpu')``, str ``cpu``; the kit computes on the CPU only."""

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        elif ":" in type:
            type, i = type.split(":")
            index = int(i)
        if type not in _DEVICE_TYPES:
            raise RuntimeError(f"Expected one of {', '.join(_DEVICE_TYPES)} device type at start of device string: "
                               f"{type}")
        self.type, self.index = type, index

    def __repr__(self):
        return f"device(type='{self.type}')" if self.index is None else f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))


_DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga", "maia",
                 "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")
_CPU = device("cpu")


# ---- devices: the kit computes on the CPU; other devices fail as a CPU-only PyTorch build does ----------
NO_CUDA = "Torch not compiled with CUDA enabled"
NO_ATEN_CUDA = (
    "Cannot initialize CUDA without ATen_cuda library. PyTorch splits its backend into two shared libraries: a CPU "
    "library and a CUDA library; this error has occurred because you are trying to use some CUDA functionality, but "
    "the CUDA library has not been loaded by the dynamic linker for some reason.  The CUDA library MUST be loaded, "
    "EVEN IF you don't directly use any symbols from the CUDA library! One common culprit is a lack of "
    "-Wl,--no-as-needed in your link arguments; many dynamic linkers will delete dynamic library dependencies if you "
    "don't depend on any of their symbols.  You can check if this has occurred by using ldd on your binary to see if "
    "there is a dependency on *_cuda.so library.")
CPU_HINT = "\nHint: autograd_kit computes on the CPU with NumPy; use device='cpu' (or leave device out)."


def device_error(kind, where="to"):
    """The error a CPU-only PyTorch raises when asked for device ``kind`` (by ``.to`` or a factory)."""
    if kind == "cuda":
        return AssertionError(NO_CUDA + CPU_HINT)
    if kind == "xpu":
        return AssertionError("Torch not compiled with XPU enabled" + CPU_HINT)
    if kind == "mps" and where == "factory":
        return NotImplementedError("Could not run 'aten::empty.memory_format' with arguments from the 'MPS' backend."
                                   + CPU_HINT)
    return RuntimeError(f"PyTorch is not linked with support for {kind} devices" + CPU_HINT)


def check_device(dev, where="factory"):
    """Accept ``device=None``, ``'cpu'``, ``'cpu:0'``, ``torch.device('cpu')``; raise for any other device."""
    if dev is None:
        return
    if isinstance(dev, int) and not isinstance(dev, bool):  # device=0: the accelerator's device 0
        raise RuntimeError("Cannot access accelerator device when none is available." + CPU_HINT)
    d = dev if isinstance(dev, device) else device(dev)
    if d.type != "cpu":
        raise device_error(d.type, where)


# ---- legacy tensor types: torch.FloatTensor([...]), isinstance(t, torch.FloatTensor), t.type(torch.LongTensor) ----
class _LegacyTensorType(type):
    """The metaclass of ``FloatTensor`` & co.: calling one builds a tensor of its dtype (PyTorch's legacy
    constructor); ``isinstance`` checks the dtype, as in PyTorch."""

    def __instancecheck__(cls, obj):
        from ._tensor import Tensor
        return isinstance(obj, Tensor) and obj._data.dtype == cls.dtype.np and not cls.is_cuda

    def __call__(cls, *args, device=None, **kw):
        import numbers
        from ._tensor import Tensor
        from ._tensor_convert import _as_array
        if cls.is_cuda:
            raise TypeError(f"type torch.cuda.{cls.__name__} not available. Torch not compiled with CUDA enabled."
                            + CPU_HINT)
        check_device(device)
        if kw:
            raise TypeError(f"new() received an invalid combination of arguments - got ({', '.join(type(a).__name__ for a in args)}"
                            f"{', ' if args else ''}{', '.join(k + '=' + type(v).__name__ for k, v in kw.items())}), "
                            "but expected one of:\n * (*, torch.device device = None)\n * (Tensor other)\n"
                            " * (tuple of ints size, *, torch.device device = None)\n"
                            " * (object data, *, torch.device device = None)\n")
        np_dt = cls.dtype.np
        if not args:
            return Tensor._make(np.zeros((0,), np_dt))
        first = args[0]
        if len(args) > 1 or isinstance(first, (numbers.Integral, Size)) and not isinstance(first, bool):
            shape = tuple(first) if isinstance(first, Size) else args
            return Tensor._make(np.zeros(tuple(int(s) for s in shape), np_dt))
        if isinstance(first, Tensor):
            if first._data.dtype != np_dt:
                raise TypeError(f"expected {cls.dtype.name} tensor (got {first.dtype.name} tensor)")
            return first.detach()
        if isinstance(first, numbers.Number):
            raise TypeError(f"new(): data must be a sequence (got {type(first).__name__})")
        return Tensor._make(_as_array(first, cls.dtype).astype(np_dt, copy=False))

    def __repr__(cls):
        return f"<class '{cls.__module__}.{cls.__name__}'>"


def _legacy_types(module, is_cuda):
    from . import _dtype
    out = {}
    for np_name, type_name in _TYPE_NAMES.items():
        cls = _LegacyTensorType(type_name, (), {"dtype": _dtype._NAMES[np_name], "is_cuda": is_cuda,
                                                "__module__": module})
        out[type_name] = cls
    return out
