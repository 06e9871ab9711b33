"""``torch.save`` / ``torch.load`` in PyTorch's own file format: a zip holding ``data.pkl`` (the object,
pickled with each tensor's data replaced by a reference to a storage record) and ``data/<key>`` (the raw
little-endian bytes of each storage).

Loading is safe by default (``weights_only=True``, PyTorch's default since 2.6): ``data.pkl`` is read by a
restricted unpickler that builds only containers, numbers, strings and tensors and refuses every other global,
so a file from a stranger cannot run code. Files written by the kit load in PyTorch and files written by
PyTorch 2.x (tensors, state_dicts, optimizer state) load in the kit.
"""
import collections
import io
import os
import pickle

import numpy as np

from . import _dtype
from ._tensor import Tensor
from ._tensor_types import CPU_HINT, Size, device

_STORAGE_NAMES = {"float32": "FloatStorage", "float64": "DoubleStorage", "float16": "HalfStorage",
                  "int64": "LongStorage", "int32": "IntStorage", "int16": "ShortStorage", "int8": "CharStorage",
                  "uint8": "ByteStorage", "bool": "BoolStorage"}
_STORAGE_DTYPES = {v: np.dtype(k) for k, v in _STORAGE_NAMES.items()}


# ---- saving -------------------------------------------------------------------------------------------
class _Global:
    """A stand-in for a PyTorch global (``torch._utils._rebuild_tensor_v2``...) written by name into the pickle."""

    def __init__(self, module, name):
        self.module, self.name = module, name

    def __call__(self, *args):  # never called: the pickler only writes its name
        raise TypeError(f"{self.module}.{self.name} is a name written into a file, not a function")


class _Storage:
    def __init__(self, key, arr):
        self.key, self.arr = key, arr


class _PlainTensor:
    """A Parameter's data, pickled as a plain tensor inside ``_rebuild_parameter``."""

    def __init__(self, t):
        self.t = t


_REBUILD_TENSOR = _Global("torch._utils", "_rebuild_tensor_v2")
_REBUILD_PARAMETER = _Global("torch._utils", "_rebuild_parameter")
_ORDERED_DICT = _Global("collections", "OrderedDict")


class _Pickler(pickle._Pickler):
    """Protocol-2 pickler writing tensors the way PyTorch does (so PyTorch can read the file)."""

    def __init__(self, file):
        super().__init__(file, protocol=2)
        self.storages = []

    def save(self, obj, save_persistent_id=True):
        if type(obj) is _Global:
            self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode())
            return
        if isinstance(obj, _dtype.dtype):
            self.write(pickle.GLOBAL + f"torch\n{obj.name}\n".encode())
            return
        super().save(obj, save_persistent_id)

    def persistent_id(self, obj):
        if type(obj) is _Storage:
            name = _STORAGE_NAMES[obj.arr.dtype.name]
            return ("storage", _Global("torch", name), obj.key, "cpu", int(obj.arr.size))
        return None

    def reducer_override(self, obj):
        if type(obj) is _PlainTensor:
            return self._tensor_reduce(obj.t, False)
        if isinstance(obj, Tensor):
            if type(obj) is not Tensor and type(obj).__name__ == "Parameter":
                return (_REBUILD_PARAMETER, (_PlainTensor(obj), obj.requires_grad, _ORDERED_DICT_EMPTY))
            return self._tensor_reduce(obj, obj.requires_grad)
        if type(obj) is Size:
            return (_Global("torch", "Size"), (tuple(obj),))
        if type(obj) is device:
            return (_Global("torch", "device"), (str(obj),))
        return NotImplemented

    def _tensor_reduce(self, t, requires_grad):
        arr = t._data if t._data.flags.c_contiguous else t._data.copy(order="C")  # (ascontiguousarray makes 0-d 1-d)
        if arr.dtype.byteorder == ">":
            arr = arr.astype(arr.dtype.newbyteorder("<"))
        storage = _Storage(str(len(self.storages)), arr)
        self.storages.append(storage)
        stride = tuple(s // arr.itemsize for s in arr.strides) if arr.size else _contiguous_stride(arr.shape)
        return (_REBUILD_TENSOR, (storage, 0, tuple(arr.shape), stride, bool(requires_grad), _ORDERED_DICT_EMPTY))


class _EmptyOrderedDict:
    """``collections.OrderedDict()`` (the empty backward_hooks argument), written as PyTorch writes it."""

    def __reduce__(self):
        return (_ORDERED_DICT, ())


_ORDERED_DICT_EMPTY = _EmptyOrderedDict()


def _contiguous_stride(shape):
    stride, acc = [], 1
    for s in reversed(shape):
        stride.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(stride))


def save(obj, f, pickle_module=None, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Save ``obj`` (tensors, state_dicts, optimizer state, containers, or any picklable object) to ``f``
    (a path or a binary file) in PyTorch's zip format."""
    buf = io.BytesIO()
    pickler = _Pickler(buf)
    pickler.dump(obj)
    if isinstance(f, (str, os.PathLike)):
        prefix = os.path.splitext(os.path.basename(os.fspath(f)))[0] or "archive"
        with open(f, "wb") as fh:
            _write_zip(fh, prefix, buf.getvalue(), pickler.storages)
    else:
        _write_zip(f, "archive", buf.getvalue(), pickler.storages)


def _write_zip(fh, prefix, data_pkl, storages):
    import zipfile  # imported on first use: ``import autograd_kit`` stays quick
    with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr(f"{prefix}/data.pkl", data_pkl)
        z.writestr(f"{prefix}/.format_version", "1")
        z.writestr(f"{prefix}/.storage_alignment", "64")
        z.writestr(f"{prefix}/byteorder", "little")
        for s in storages:
            z.writestr(f"{prefix}/data/{s.key}", s.arr.tobytes())
        z.writestr(f"{prefix}/version", "3\n")


# ---- loading ------------------------------------------------------------------------------------------
class _StorageType:
    def __init__(self, name):
        self.name, self.dtype = name, _STORAGE_DTYPES[name]


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks, metadata=None):
    arr = storage
    size, stride = tuple(size), tuple(stride)
    if size and storage_offset + sum((n - 1) * s for n, s in zip(size, stride)) >= arr.size and 0 not in size:
        raise RuntimeError(f"storage of size {arr.size} is too small for a tensor of size {list(size)}")
    if not size:
        out = arr[storage_offset:storage_offset + 1].reshape(()).copy()
    elif 0 in size:
        out = np.zeros(size, arr.dtype)
    else:
        out = np.lib.stride_tricks.as_strided(arr[storage_offset:], size, tuple(s * arr.itemsize for s in stride)).copy()
    t = Tensor._make(out)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _rebuild_parameter(data, requires_grad, backward_hooks, state=None):
    from .nn.parameter import Parameter
    return Parameter(data, requires_grad=requires_grad)


def _torch_global(module, name):
    """The kit object a PyTorch global of a weights-only file stands for (None if not allowed)."""
    if (module, name) == ("collections", "OrderedDict"):
        return collections.OrderedDict
    if (module, name) == ("collections", "Counter"):
        return collections.Counter
    if module == "torch._utils" and name == "_rebuild_tensor_v2":
        return _rebuild_tensor_v2
    if module == "torch._utils" and name in ("_rebuild_parameter", "_rebuild_parameter_with_state"):
        return _rebuild_parameter
    if module == "torch":
        if name in _STORAGE_DTYPES:
            return _StorageType(name)
        if name == "Size":
            return Size
        if name == "device":
            return device
        if name in _dtype._NAMES or name in ("float", "double", "half", "long", "int", "short"):
            return getattr(_dtype, name)
    if module == "torch.nn.parameter" and name == "Parameter":
        from .nn.parameter import Parameter
        return Parameter
    if module == "builtins" and name in ("set", "frozenset", "bytearray", "complex", "slice"):
        return getattr(__import__("builtins"), name)
    if (module, name) == ("_codecs", "encode"):
        import codecs
        return codecs.encode
    return _SAFE_GLOBALS.get((module, name))


_SAFE_GLOBALS = {}


def add_safe_globals(safe_globals):
    """Allow these classes/functions in weights-only loads (PyTorch's ``torch.serialization.add_safe_globals``)."""
    for g in safe_globals:
        obj = g[0] if isinstance(g, tuple) else g
        _SAFE_GLOBALS[(obj.__module__, obj.__qualname__)] = obj


def get_safe_globals():
    return list(_SAFE_GLOBALS.values())


def clear_safe_globals():
    _SAFE_GLOBALS.clear()


def _weights_only_error(module, name):
    g = f"{module}.{name}"
    return pickle.UnpicklingError(
        "Weights only load failed. This file can still be loaded, to do so you have two options, \x1b[1mdo those "
        "steps only if you trust the source of the checkpoint\x1b[0m. \n\t(1) In PyTorch 2.6, we changed the default "
        "value of the `weights_only` argument in `torch.load` from `False` to `True`. Re-running `torch.load` with "
        "`weights_only` set to `False` will likely succeed, but it can result in arbitrary code execution. Do it only "
        "if you got the file from a trusted source.\n\t(2) Alternatively, to load with `weights_only=True` please "
        "check the recommended steps in the following error message.\n\tWeightsUnpickler error: Unsupported global: "
        f"GLOBAL {g} was not an allowed global by default. Please use `torch.serialization.add_safe_globals([{g}])` "
        f"or the `torch.serialization.safe_globals([{g}])` context manager to allowlist this global if you trust "
        "this class/function.\n\nCheck the documentation of torch.load to learn more about types accepted by default "
        "with weights_only https://pytorch.org/docs/stable/generated/torch.load.html."
        "\nHint: saving model.state_dict() instead of the whole model gives a file that loads safely.")


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, storage_reader, weights_only):
        super().__init__(file)
        self._read_storage = storage_reader
        self._weights_only = weights_only

    def find_class(self, module, name):
        import _compat_pickle  # protocol 2 spells some modules the Python 2 way (__builtin__.set)
        if (module, name) in _compat_pickle.NAME_MAPPING:
            module, name = _compat_pickle.NAME_MAPPING[(module, name)]
        elif module in _compat_pickle.IMPORT_MAPPING:
            module = _compat_pickle.IMPORT_MAPPING[module]
        obj = _torch_global(module, name)
        if obj is not None:
            return obj
        if self._weights_only or module == "torch" or module.startswith("torch."):
            raise _weights_only_error(module, name)
        return super().find_class(module, name)  # weights_only=False: the caller trusts the file

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and pid and pid[0] == "storage"):
            raise pickle.UnpicklingError(f"unsupported persistent id {pid!r}")
        _, storage_type, key, location, numel = pid
        return self._read_storage(storage_type, str(key), str(location))


def _cuda_location(location, map_location):
    if map_location is None:
        return location.startswith("cuda")
    if isinstance(map_location, dict):
        return str(map_location.get(location, location)).startswith("cuda")
    if callable(map_location):
        return False
    return str(map_location).startswith("cuda")


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args):
    """Load what ``save`` wrote (or PyTorch wrote). ``weights_only`` (default True) reads tensors, numbers,
    strings and containers only; ``weights_only=False`` unpickles anything and so can run code: use it only
    for files you trust."""
    weights_only = True if weights_only is None else bool(weights_only)
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as fh:
            return _load_zip(io.BytesIO(fh.read()), map_location, weights_only)
    return _load_zip(f, map_location, weights_only)


def _load_zip(fh, map_location, weights_only):
    import zipfile
    if not zipfile.is_zipfile(fh):
        raise RuntimeError("Invalid magic number; corrupt file?\nHint: autograd_kit reads PyTorch's zip format "
                           "(what torch.save writes since PyTorch 1.6), not the older format.")
    fh.seek(0)
    with zipfile.ZipFile(fh) as z:
        names = z.namelist()
        pkl = next((n for n in names if n.endswith("/data.pkl") or n == "data.pkl"), None)
        if pkl is None:
            raise RuntimeError("PytorchStreamReader failed locating file data.pkl: file not found")
        prefix = pkl[: -len("data.pkl")]
        order = z.read(prefix + "byteorder").decode() if prefix + "byteorder" in names else "little"
        cache = {}

        def read_storage(storage_type, key, location):
            if _cuda_location(location, map_location):
                raise RuntimeError(
                    "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is False. If you "
                    "are running on a CPU-only machine, please use torch.load with map_location=torch.device('cpu') "
                    "to map your storages to the CPU." + CPU_HINT)
            if key not in cache:
                if not isinstance(storage_type, _StorageType):
                    raise pickle.UnpicklingError(f"unsupported storage type {storage_type!r}")
                dt = storage_type.dtype.newbyteorder("<" if order == "little" else ">")
                cache[key] = np.frombuffer(z.read(f"{prefix}data/{key}"), dtype=dt).astype(storage_type.dtype)
            return cache[key]

        return _Unpickler(io.BytesIO(z.read(pkl)), read_storage, weights_only).load()

