"""dtypes: thin named wrappers over NumPy dtypes, printed the way PyTorch prints them."""
import numpy as np


class dtype:
    """A tensor element type. ``repr(float32) == 'torch.float32'`` as in PyTorch."""

    __slots__ = ("name", "np", "is_floating_point", "is_signed", "itemsize", "_kind")

    def __init__(self, name, np_dtype, kind):
        self.name = name
        self.np = np.dtype(np_dtype)
        self._kind = kind  # 0 bool, 1 integer, 2 floating: the order of PyTorch's type categories
        self.is_floating_point = kind == 2
        self.is_signed = kind != 0 and self.np.kind != "u"
        self.itemsize = self.np.itemsize

    def __repr__(self):
        return "torch." + self.name

    def __reduce__(self):
        return (_by_name, (self.name,))

    def to_real(self):
        return self


float16 = half = dtype("float16", np.float16, 2)
float32 = float = dtype("float32", np.float32, 2)
float64 = double = dtype("float64", np.float64, 2)
uint8 = dtype("uint8", np.uint8, 1)
int8 = dtype("int8", np.int8, 1)
int16 = short = dtype("int16", np.int16, 1)
int32 = int = dtype("int32", np.int32, 1)
int64 = long = dtype("int64", np.int64, 1)
bool = dtype("bool", np.bool_, 0)

ALL = (float16, float32, float64, uint8, int8, int16, int32, int64, bool)
_FROM_NP = {d.np: d for d in ALL}
_NAMES = {d.name: d for d in ALL}


def _by_name(name):
    return _NAMES[name]


_default = [float32]


def get_default_dtype():
    return _default[0]


def set_default_dtype(d):
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _default[0] = d


def from_numpy_dtype(np_dtype):
    """The kit dtype of a NumPy dtype; raises TypeError for unsupported ones."""
    try:
        return _FROM_NP[np.dtype(np_dtype)]
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype).name}. The only supported types are: "
            "float64, float32, float16, int64, int32, int16, int8, uint8, and bool."
        ) from None


def to_numpy_dtype(d):
    """Accepts a kit dtype, a NumPy dtype, a Python type or a string; returns a NumPy dtype."""
    if isinstance(d, dtype):
        return d.np
    if d is builtins_float:
        return float64.np  # dtype=float means float64 in PyTorch, whatever the default dtype
    if d is builtins_int:
        return np.dtype(np.int64)
    if d is builtins_bool:
        return np.dtype(np.bool_)
    return from_numpy_dtype(d).np


import builtins as _b  # noqa: E402

builtins_float, builtins_int, builtins_bool = _b.float, _b.int, _b.bool


def as_dtype(d):
    """Normalise a user-given dtype (kit dtype, NumPy dtype, Python type) to a kit dtype."""
    if d is None or isinstance(d, dtype):
        return d
    return from_numpy_dtype(to_numpy_dtype(d))


def check_dtype(d, fname):
    """A user's ``dtype=`` argument as PyTorch takes it: a torch dtype, or Python's float (float64), int
    (int64) or bool; anything else (``np.float64``, ``"float64"``) is PyTorch's TypeError."""
    if d is None or isinstance(d, dtype):
        return d
    py = {builtins_float: float64, builtins_int: int64, builtins_bool: bool}
    if isinstance(d, type) and d in py:
        return py[d]
    raise TypeError(f"{fname}(): argument 'dtype' must be torch.dtype, not {py_typename(d)}")


def py_typename(x):
    """The type name PyTorch's argument errors print (``int``, ``Tensor``, ``numpy.float64``)."""
    t = type(x)
    if t.__name__ in ("Tensor", "Parameter"):
        return t.__name__
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


def bad_args(fname, args, kwargs):
    """PyTorch's TypeError for arguments matching none of an overloaded function's signatures."""
    names = [py_typename(a) for a in args]
    kws = [f"{k}={py_typename(v)}" for k, v in reversed(list(kwargs.items()))]
    got = ", ".join(names + kws) if names else "".join(k + ", " for k in kws)
    return TypeError(f"{fname}() received an invalid combination of arguments - got ({got}), but expected one of:\n"
                     f"Hint: see help(torch.{fname}) for the accepted arguments (dtype must be a torch dtype).")
