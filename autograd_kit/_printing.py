"""Tensor printing identical to PyTorch 2.13's ``repr``/``str`` (a NumPy port of torch/_tensor_str.py).

Only what the kit's dtypes need is ported: no complex, quantized, sparse, nested, named or meta
tensors and no devices.  The functions follow PyTorch's own names so the two can be read side by
side; every quirk of the reference (e.g. ``set_printoptions`` always resetting ``sci_mode``) is kept
on purpose, because course notebooks compare printed output with PyTorch's.
"""
import contextlib
import dataclasses
import math

import numpy as np

from . import _dtype


@dataclasses.dataclass
class _PrinterOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: "bool | None" = None


PRINT_OPTS = _PrinterOptions()

_PROFILES = {
    "default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None):
    """Set options for printing, as ``torch.set_printoptions``.

    profile is one of 'default', 'short', 'full'; explicit options override it.  As in PyTorch,
    ``sci_mode`` is always set (to None, i.e. automatic, when not given).
    """
    if profile is not None and profile in _PROFILES:
        for name, value in _PROFILES[profile].items():
            setattr(PRINT_OPTS, name, value)
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions():
    """The current print options as a dict that can be passed to ``set_printoptions(**d)``."""
    return dataclasses.asdict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs):
    """Temporarily change the print options (same arguments as ``set_printoptions``)."""
    old_kwargs = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old_kwargs)


class _Formatter:
    """Chooses one width and notation for all the (summarised) values of a tensor."""

    def __init__(self, values, floating):
        self.floating_dtype = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = values.reshape(-1)
        if flat.size == 0:
            return

        if not floating:
            # str() of an integer is longest at the most negative or the largest value.
            candidates = [flat.min().item(), flat.max().item()]
            self.max_width = max([1] + [len(f"{v}") for v in candidates])
            return

        nonzero_finite = flat[np.isfinite(flat) & (flat != 0)].astype(np.float64)
        if nonzero_finite.size == 0:
            return
        nonzero_abs = np.abs(nonzero_finite)
        abs_min = nonzero_abs.min()
        abs_max = nonzero_abs.max()
        self.int_mode = bool(np.all(nonzero_finite == np.ceil(nonzero_finite)))
        if PRINT_OPTS.sci_mode is None:
            with np.errstate(over="ignore"):  # e.g. 1e300 / 1e-300 is inf, as in PyTorch
                ratio = abs_max / abs_min
            self.sci_mode = bool(ratio > 1000.0 or abs_max > 1.0e8 or abs_min < 1.0e-4)
        else:
            self.sci_mode = PRINT_OPTS.sci_mode

        # PyTorch formats every value to find the widest; the widest is always one of these:
        # for each sign, the smallest and the largest magnitude (string length grows with the
        # rounded magnitude, and in 'e' notation with the exponent's magnitude).
        candidates = []
        for part in (nonzero_finite[nonzero_finite > 0], nonzero_finite[nonzero_finite < 0]):
            if part.size:
                candidates += [part.min().item(), part.max().item()]
        precision = PRINT_OPTS.precision
        if self.sci_mode:
            widths = [len(f"{{:.{precision}e}}".format(v)) for v in candidates]
        elif self.int_mode:
            # a trailing '.' marks integer-valued floats as floating: hence the + 1
            widths = [len(f"{v:.0f}") + 1 for v in candidates]
        else:
            widths = [len(f"{{:.{precision}f}}".format(v)) for v in candidates]
        self.max_width = max([self.max_width] + widths)

    def width(self):
        return self.max_width

    def format(self, value):
        if self.floating_dtype:
            if self.sci_mode:
                ret = f"{{:{self.max_width}.{PRINT_OPTS.precision}e}}".format(value)
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{{:.{PRINT_OPTS.precision}f}}".format(value)
        else:
            ret = f"{value}"
        return (self.max_width - len(ret)) * " " + ret


def _vector_str(array, indent, summarize, formatter):
    # length includes spaces and comma between elements
    element_length = formatter.width() + 2
    elements_per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_length))
    edge = PRINT_OPTS.edgeitems
    if summarize and not edge:
        data = ["..."]
    elif summarize and array.shape[0] > 2 * edge:
        data = (
            [formatter.format(v) for v in array[:edge].tolist()]
            + [" ..."]
            + [formatter.format(v) for v in array[-edge:].tolist()]
        )
    else:
        data = [formatter.format(v) for v in array.tolist()]
    lines = [", ".join(data[i : i + elements_per_line]) for i in range(0, len(data), elements_per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _tensor_str_with_formatter(array, indent, summarize, formatter):
    dim = array.ndim
    if dim == 0:
        return formatter.format(array.item())
    if dim == 1:
        return _vector_str(array, indent, summarize, formatter)
    edge = PRINT_OPTS.edgeitems
    if summarize and array.shape[0] > 2 * edge:
        rows = list(range(edge)) + [None] + list(range(array.shape[0] - edge, array.shape[0]))
    else:
        rows = range(array.shape[0])
    slices = [
        "..." if i is None else _tensor_str_with_formatter(array[i], indent + 1, summarize, formatter) for i in rows
    ]
    return "[" + ("," + "\n" * (dim - 1) + " " * (indent + 1)).join(slices) + "]"


def _get_summarized_data(array):
    """The values that summarised printing shows (what the formatter measures)."""
    dim = array.ndim
    edge = PRINT_OPTS.edgeitems
    if dim == 0:
        return array
    if dim == 1:
        if array.shape[0] > 2 * edge:
            # with edgeitems == 0, array[-0:] is the whole array, exactly as in PyTorch
            return np.concatenate((array[:edge], array[-edge:]))
        return array
    if not edge:
        return np.empty([0] * dim, dtype=array.dtype)
    if array.shape[0] > 2 * edge:
        rows = list(range(edge)) + list(range(array.shape[0] - edge, array.shape[0]))
    else:
        rows = range(array.shape[0])
    return np.stack([_get_summarized_data(array[i]) for i in rows])


def _tensor_str(array, indent, floating):
    if array.size == 0:
        return "[]"
    summarize = array.size > PRINT_OPTS.threshold
    formatter = _Formatter(_get_summarized_data(array) if summarize else array, floating)
    return _tensor_str_with_formatter(array, indent, summarize, formatter)


def _add_suffixes(tensor_str, suffixes, indent):
    tensor_strs = [tensor_str]
    last_line_len = len(tensor_str) - tensor_str.rfind("\n") + 1
    for suffix in suffixes:
        suffix_len = len(suffix)
        if last_line_len + suffix_len + 2 > PRINT_OPTS.linewidth:
            tensor_strs.append(",\n" + " " * indent + suffix)
            last_line_len = indent + suffix_len
        else:
            tensor_strs.append(", " + suffix)
            last_line_len += suffix_len + 2
    tensor_strs.append(")")
    return "".join(tensor_strs)


def tensor_repr(array, dtype, *, requires_grad=False, grad_fn_name=None, prefix="tensor("):
    """``repr(tensor)`` as PyTorch 2.13 prints it, for the values ``array`` of kit dtype ``dtype``.

    ``grad_fn_name`` (e.g. ``"MulBackward0"``) adds ``grad_fn=<...>``; otherwise ``requires_grad``
    adds ``requires_grad=True``.  ``prefix`` is ``"tensor("`` for plain tensors.
    """
    array = np.asarray(array)
    indent = len(prefix)
    suffixes = []
    default_dtype = _dtype.get_default_dtype()
    if array.size == 0:
        # Explicitly print the shape if it is not (0,), to match NumPy behavior
        if array.ndim != 1:
            suffixes.append("size=" + str(tuple(array.shape)))
        # In an empty tensor there are no elements to tell the dtype, so it is always shown.
        if dtype is not default_dtype:
            suffixes.append("dtype=" + repr(dtype))
        tensor_str = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append("size=" + str(tuple(array.shape)))
        if dtype not in (default_dtype, _dtype.int64, _dtype.bool):
            suffixes.append("dtype=" + repr(dtype))
        tensor_str = _tensor_str(array, indent, dtype.is_floating_point)

    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + tensor_str, suffixes, indent)


def parameter_repr(array, dtype, *, requires_grad=True):
    """``repr(nn.Parameter)``: ``'Parameter containing:\\n'`` then the tensor's repr."""
    return "Parameter containing:\n" + tensor_repr(array, dtype, requires_grad=requires_grad)
