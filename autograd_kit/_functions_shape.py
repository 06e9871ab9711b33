"""The functional API, shape and indexing: reshape, transpose, squeeze, cat/stack, split, select, gather,
flip, meshgrid..."""
import builtins
import math

import numpy as np

from ._tensor import Tensor
from .ops import elementwise as E, reduce as R, scatter as Sc, shape as S
from .ops._util import norm_dim


def meshgrid(*tensors, indexing=None):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        import warnings
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument.",
                      UserWarning, stacklevel=2)
        indexing = "ij"
    shape = [t.numel() for t in tensors]
    if indexing == "xy" and len(shape) >= 2:
        shape[0], shape[1] = shape[1], shape[0]
    out = []
    for i, t in enumerate(tensors):
        view = [1] * len(tensors)
        pos = i if indexing == "ij" or len(tensors) < 2 else (1 - i if i < 2 else i)
        view[pos] = -1
        out.append(t.reshape(view).expand(*shape))
    return tuple(out)


def hstack(tensors):
    tensors = list(tensors)
    return cat(tensors, dim=0 if tensors[0].dim() == 1 else 1)


def vstack(tensors):
    return cat([t if t.dim() > 1 else t.unsqueeze(0) for t in tensors], dim=0)


def column_stack(tensors):
    return cat([t.reshape(-1, 1) if t.dim() <= 1 else t for t in tensors], dim=1)


def flip(input, dims):
    return S.Flip.apply(input, dims=(dims,) if isinstance(dims, int) else tuple(dims))


def select(input, dim, index):
    d = norm_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(input._data.shape)} at dimension {d}")
    return S.Select.apply(input, dim=d, index=index)


def index_select(input, dim, index):
    return S.IndexSelect.apply(input, dim=dim, index=index)


# ---- shape -------------------------------------------------------------------------------------
def reshape(input, shape):
    return S.reshape(input, tuple(shape))


def flatten(input, start_dim=0, end_dim=-1):
    d = input._data
    shape = d.shape
    if not shape:
        return input.reshape((1,))
    if start_dim == 0 and end_dim == -1 and type(start_dim) is int and type(end_dim) is int:  # the default: all
        return S.reshape(input, (d.size,)) if len(shape) > 1 else input
    s, e = norm_dim(start_dim, len(shape)), norm_dim(end_dim, len(shape))
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    new = shape[:s] + (math.prod(shape[s:e + 1]),) + shape[e + 1:]
    return S.reshape(input, new)


def transpose(input, dim0, dim1):
    return S.Transpose.apply(input, dim0=dim0, dim1=dim1)


swapaxes = swapdims = transpose


def t(input):
    n = input._data.ndim
    if n == 2:
        return S.T.opv(input)  # dim0=0, dim1=1: T.forward's defaults
    if n > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {n}D")
    return S.T1.opv(input)  # a vector's t() is itself, recorded as TBackward0


def permute(input, dims):
    return S.Permute.apply(input, dims=tuple(dims))


def squeeze(input, dim=None):
    return S.SqueezeAll.opv(input) if dim is None else S.Squeeze.opv(input, dim)


def unsqueeze(input, dim):
    return S.Unsqueeze.opv(input, dim)


def _tensor_list(name, tensors):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, not {type(tensors).__name__}")
    return list(tensors)


def cat(tensors, dim=0):
    tensors = _tensor_list("cat", tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    return S.Cat.apply(*tensors, dim=dim)


concat = concatenate = cat


def stack(tensors, dim=0):
    tensors = _tensor_list("stack", tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    return S.Stack.apply(*tensors, dim=dim)


def gather(input, dim, index):
    return R.Gather.apply(input, dim=dim, index=index)


def split(tensor, split_size_or_sections, dim=0):
    """Views (SplitBackward0; SplitWithSizesBackward0 for a list of sizes), one node per piece."""
    d = norm_dim(dim, tensor._data.ndim)
    n = tensor._data.shape[d]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        sizes = [builtins.min(step, n - i) for i in range(0, n, step)] if step else [0]
        op = S.Split
    else:
        sizes = list(split_size_or_sections)
        if builtins.sum(sizes) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size at "
                               f"dimension {d}), but got split_sizes={sizes}")
        op = S.SplitWithSizes
    out, start = [], 0
    for size in sizes:
        out.append(op.apply(tensor, dim=d, start=start, length=size))
        start += size
    return tuple(out)


def chunk(input, chunks, dim=0):
    n = input.size(dim)
    size = -(-n // chunks)
    return split(input, size, dim)


def unbind(input, dim=0):
    d = norm_dim(dim, input._data.ndim)
    return tuple(S.Unbind.apply(input, dim=d, index=i) for i in range(input._data.shape[d]))


def narrow(input, dim, start, length):
    d = norm_dim(dim, input._data.ndim)
    return input[(slice(None),) * d + (slice(start, start + length),)]


def masked_fill(input, mask, value):
    if isinstance(value, Tensor):
        return E.MaskedFillTensor.apply(input, value, mask=mask)
    return E.MaskedFill.apply(input, mask=mask, value=value)


def broadcast_to(input, size):
    return input.expand(*size)


def broadcast_shapes(*shapes):
    from ._tensor import Size
    return Size(np.broadcast_shapes(*shapes))


def scatter(input, dim, index, src=None, value=None, *, reduce=None):
    """``input`` with ``src`` (a tensor) or ``value`` (a number) written at ``index`` along ``dim``."""
    if reduce is not None:
        raise NotImplementedError("scatter(reduce=...): use scatter_add or scatter_reduce")
    if src is None and value is None:
        raise TypeError("scatter() missing 1 required positional argument: 'src' or 'value'")
    if src is not None and not isinstance(src, Tensor):
        value, src = src, None
    if src is None:
        return Sc.ScatterValue.apply(input, dim=dim, index=index, value=value)
    return Sc.Scatter.apply(input, src, dim=dim, index=index)


def scatter_add(input, dim, index, src):
    return Sc.ScatterAdd.apply(input, src, dim=dim, index=index)
