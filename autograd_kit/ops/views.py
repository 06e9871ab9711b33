"""Shape ops: view, reshape, transpose/t, permute, squeeze/unsqueeze, expand (views where NumPy gives
views), and the copying ones: clone, flip, repeat."""
import math

import numpy as np

from ..autograd.function import Function
from ._util import norm_dim, shape_str


_INT = {int}
_RANGE = [list(range(n)) for n in range(65)]  # permute's dims, sorted, when they are each dim once


def _infer_shape(shape, numel):
    if type(shape) is tuple and math.prod(shape) == numel and set(map(type, shape)) <= _INT and min(shape, default=0) >= 0:
        return shape  # non-negative ints that fit: the common case
    shape = tuple(int(s) for s in shape)
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s}")
            known *= s
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{shape_str(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '{shape_str(shape)}' is invalid for input of size {numel}")
    return shape


def _numpy_agrees(shape):
    """NumPy reshaped to ``shape`` (which is not the result's shape): is its answer PyTorch's too? (NumPy infers
    any one negative size; PyTorch only -1, and rejects the others in ``_infer_shape``.)"""
    return shape.count(-1) == 1 and min(shape) == -1


class View(Function):
    formula = "view(a)"
    derivatives = ("1 (reshaped)",)
    is_view = True

    @staticmethod
    def forward(ctx, a, shape):
        d = a._data
        ctx.shape = d.shape
        out = d.view()
        try:  # the common case: NumPy checks the sizes and strides (and infers a -1) itself
            out.shape = shape
            if out.shape == shape or _numpy_agrees(shape):
                return out
        except Exception:
            pass
        new = _infer_shape(shape, d.size)  # PyTorch's errors for a bad shape
        out = d.view()
        try:
            out.shape = new
        except AttributeError:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one dimension spans "
                "across two contiguous subspaces). Use .reshape(...) instead.") from None
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape)


class Reshape(View):
    backward_name = "ViewBackward0"

    @staticmethod
    def forward(ctx, a, shape):
        d = a._data
        ctx.shape = d.shape
        try:  # the common case: NumPy checks the size (and infers a -1) itself
            out = d.reshape(shape)
            if out.shape == shape or _numpy_agrees(shape):
                return out
        except Exception:
            pass
        return d.reshape(_infer_shape(shape, d.size))


class Transpose(Function):
    formula = "aᵀ"
    derivatives = ("1 (transposed back)",)
    is_view = True

    @staticmethod
    def forward(ctx, a, dim0, dim1):
        n = a._data.ndim
        if type(dim0) is int and type(dim1) is int and -n <= dim0 < n and -n <= dim1 < n:  # ints in range
            d0, d1 = dim0 % n, dim1 % n
        else:
            d0, d1 = norm_dim(dim0, n), norm_dim(dim1, n)
        ctx.dims = (d0, d1)
        return a._data.swapaxes(d0, d1) if n else a._data.view()

    @staticmethod
    def backward(ctx, grad):
        return grad.transpose(*ctx.dims) if grad.dim() else grad


class T(Transpose):
    backward_name = "TBackward0"

    @staticmethod
    def forward(ctx, a, dim0=0, dim1=1):
        d = a._data
        if d.ndim == 2 and dim0 == 0 and dim1 == 1:  # t() of a matrix: no dims to check
            ctx.dims = (0, 1)
            return d.T
        return Transpose.forward(ctx, a, dim0, dim1)


class Alias(Function):
    """``a[...]``: the same values, a new view."""
    formula = "a"
    derivatives = ("1",)
    is_view = True

    @staticmethod
    def forward(ctx, a):
        return a._data.view()

    @staticmethod
    def backward(ctx, grad):
        return grad


class T1(Alias):
    """t() of a 0-d or 1-d tensor: the same values, recorded as TBackward0."""
    backward_name = "TBackward0"
    formula = "aᵀ"


class Permute(Function):
    formula = "permute(a)"
    derivatives = ("1 (permuted back)",)
    is_view = True

    @staticmethod
    def forward(ctx, a, dims):
        d = a._data
        n = d.ndim
        try:  # the common case: each of 0..n-1 once, nothing to wrap or check (else checked below)
            if type(dims) is tuple and sorted(dims) == _RANGE[n]:
                out = d.transpose(dims)  # (a bool among the dims raises here)
                ctx.inverse = tuple(sorted(range(n), key=dims.__getitem__))
                return out
        except Exception:
            pass
        if len(dims) != n:
            raise RuntimeError(
                f"permute(sparse_coo): number of dimensions in the tensor input does not match the length of the "
                f"desired ordering of dimensions i.e. input.dim() = {n} is not equal to len(dims) = {len(dims)}")
        dims = tuple(norm_dim(d, n) for d in dims)
        if len(set(dims)) != n:
            raise RuntimeError("permute(): duplicate dims are not allowed.")
        ctx.inverse = tuple(sorted(range(n), key=dims.__getitem__))
        return d.transpose(dims)

    @staticmethod
    def backward(ctx, grad):
        return grad.permute(*ctx.inverse)


class Squeeze(Function):
    backward_name = "SqueezeBackward1"
    formula = "squeeze(a)"
    derivatives = ("1 (reshaped)",)
    is_view = True

    @staticmethod
    def forward(ctx, a, dim=None):
        d = a._data
        shape = ctx.shape = d.shape
        if dim is None:
            return d.reshape(tuple([s for s in shape if s != 1]) if 1 in shape else shape)
        if type(dim) is int and 0 <= dim < d.ndim:  # one dim, already non-negative
            return d.reshape(shape[:dim] + shape[dim + 1:] if shape[dim] == 1 else shape)
        dims = dim if isinstance(dim, (tuple, list)) else (dim,)
        dims = {norm_dim(x, d.ndim) for x in dims}
        return d.reshape(tuple(s for i, s in enumerate(d.shape) if not (i in dims and s == 1)))

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape)


class SqueezeMatmul(Squeeze):
    """The squeeze matmul does after a vector @ matrix product (PyTorch's name for it)."""
    backward_name = "SqueezeBackward4"


class SqueezeAll(Squeeze):
    backward_name = "SqueezeBackward0"


class Unsqueeze(Function):
    formula = "unsqueeze(a)"
    derivatives = ("1 (reshaped)",)
    is_view = True

    @staticmethod
    def forward(ctx, a, dim):
        d = a._data
        dim = norm_dim(dim, d.ndim + 1)
        ctx.dim = dim
        shape = d.shape
        return d.reshape(shape[:dim] + (1,) + shape[dim:])  # np.expand_dims without its Python overhead

    @staticmethod
    def backward(ctx, grad):
        return grad.squeeze(ctx.dim)


class Expand(Function):
    formula = "expand(a)"
    derivatives = ("1 (summed over the copies)",)
    is_view = True

    @staticmethod
    def forward(ctx, a, sizes):
        d = a._data
        shape = ctx.shape = d.shape
        if type(sizes) is tuple:  # the common case: sizes that broadcast as they are (no -1)
            try:  # negative, non-int or mismatched sizes make NumPy raise: checked below
                out = broadcast_view(d, sizes)
            except (TypeError, ValueError):
                pass
            else:
                if out.shape == sizes:
                    return out
        sizes = tuple(int(s) for s in sizes)
        if len(sizes) < d.ndim:
            raise RuntimeError(
                f"expand({_tname(d)}{{{shape_str(d.shape)}}}, size={shape_str(sizes)}): the number of sizes provided "
                f"({len(sizes)}) must be greater or equal to the number of dimensions in the tensor ({d.ndim})")
        lead = len(sizes) - d.ndim
        target = []
        for i in range(len(sizes) - 1, -1, -1):  # checked from the last dimension, as PyTorch
            s = sizes[i]
            if i < lead:
                if s < 0:
                    raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a leading, non-existing dimension {i}")
                target.append(s)
                continue
            cur = d.shape[i - lead]
            if s == -1:
                s = cur
            if cur != s and cur != 1:
                raise RuntimeError(
                    f"The expanded size of the tensor ({s}) must match the existing size ({cur}) at non-singleton "
                    f"dimension {i}.  Target sizes: {shape_str(sizes)}.  Tensor sizes: {shape_str(d.shape)}")
            target.append(s)
        target.reverse()
        return broadcast_view(d, tuple(target))

    @staticmethod
    def backward(ctx, grad):
        return grad.sum_to_size(ctx.shape)


def broadcast_view(d, target):
    """A read-only view of ``d`` broadcast to ``target`` (zero strides), like np.broadcast_to but
    without its Python overhead on the common contiguous case."""
    if target == d.shape:
        return d.view()
    strides = _broadcast_strides(d, target)
    if strides is None:
        return np.broadcast_to(d, target)
    out = _ndarray(target, d.dtype, d, 0, strides)
    out.setflags(False)
    return out


_ndarray = np.ndarray


def _broadcast_strides(d, target):
    """The strides of ``d`` broadcast to ``target`` (0 along the new and the stretched dims) when ``d`` is
    contiguous and its sizes broadcast; else None."""
    n = d.ndim
    if not n:
        return (0,) * len(target)
    lead = len(target) - n
    if lead < 0 or not d.flags.c_contiguous:
        return None
    strides = [0] * lead
    for c, t, st in zip(d.shape, target[lead:], d.strides):
        if c == t:
            strides.append(st)
        elif c == 1:
            strides.append(0)
        else:
            return None
    return strides


def _tname(d):
    from .._tensor import tensor_type_name
    from .._dtype import from_numpy_dtype
    return tensor_type_name(from_numpy_dtype(d.dtype))


class Clone(Function):
    formula = "a"
    derivatives = ("1",)

    @staticmethod
    def forward(ctx, a):
        return a._data.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad


# ---- more shape ops: flip, repeat, reshape variants --------------------------------------------

class Flip(Function):
    formula = "flip(a)"
    derivatives = ("1 (flipped back)",)

    @staticmethod
    def forward(ctx, a, dims):
        nd = a._data.ndim
        ctx.dims = tuple(norm_dim(d, nd) for d in dims)
        return np.flip(a._data, ctx.dims).copy() if nd else a._data.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad.flip(ctx.dims)


class Repeat(Function):
    formula = "repeat(a)"
    derivatives = ("1 (summed over the copies)",)

    @staticmethod
    def forward(ctx, a, sizes):
        d = a._data
        if len(sizes) < d.ndim:
            raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor")
        ctx.shape = d.shape
        ctx.padded = (1,) * (len(sizes) - d.ndim) + d.shape
        ctx.sizes = tuple(int(s) for s in sizes)
        return np.tile(d.reshape(ctx.padded), ctx.sizes)

    @staticmethod
    def backward(ctx, grad):
        inter = tuple(v for r, s in zip(ctx.sizes, ctx.padded) for v in (r, s))
        g = grad.reshape(inter).sum(dim=tuple(range(0, len(inter), 2))) if inter else grad
        return g.reshape(ctx.shape)


class ReshapeAlias(View):
    """reshape of a non-contiguous tensor that can still be a view."""
    backward_name = "ReshapeAliasBackward0"


class UnsafeView(Function):
    """reshape of a tensor that cannot be viewed: PyTorch clones it, then views the copy."""
    formula = "reshape(a)"
    derivatives = ("1 (reshaped)",)

    @staticmethod
    def forward(ctx, a, shape):
        ctx.shape = a._data.shape
        return a._data.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape)


def reshape(a, shape):
    """PyTorch's reshape: a view when it can (ViewBackward0, or ReshapeAliasBackward0 when a is not
    contiguous), else clone then view (UnsafeViewBackward0 after CloneBackward0)."""
    d = a._data
    if d.flags.c_contiguous:
        return Reshape.opv(a, shape)  # its forward checks the shape
    new = _infer_shape(shape, d.size)
    try:
        d.view().shape = new
    except AttributeError:
        return UnsafeView.apply(Clone.apply(a), shape=new)
    return ReshapeAlias.opv(a, new)
