"""Shape ops (views where NumPy gives views), cat/stack, and indexing (get and set)."""
import numpy as np

from ..autograd.function import Function
from ._util import norm_dim, result_dtype, shape_str

Tensor = None  # bound by autograd_kit._tensor


def _infer_shape(shape, numel):
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


class View(Function):
    formula = "view(a)"
    derivatives = ("1 (reshaped)",)
    is_view = True

    @staticmethod
    def forward(ctx, a, shape):
        d = a._data
        ctx.shape = d.shape
        new = _infer_shape(shape, d.size)
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
        return d.reshape(_infer_shape(shape, d.size))


class Transpose(Function):
    formula = "aᵀ"
    derivatives = ("1 (transposed back)",)
    is_view = True

    @staticmethod
    def forward(ctx, a, dim0, dim1):
        n = a._data.ndim
        d0, d1 = norm_dim(dim0, n), norm_dim(dim1, n)
        ctx.dims = (d0, d1)
        return np.swapaxes(a._data, d0, d1) if n else a._data.view()

    @staticmethod
    def backward(ctx, grad):
        return grad.transpose(*ctx.dims) if grad.dim() else grad


class T(Transpose):
    backward_name = "TBackward0"


class T1(Function):
    """t() of a 0-d or 1-d tensor: the same values, recorded as TBackward0."""
    backward_name = "TBackward0"
    formula = "aᵀ"
    derivatives = ("1",)
    is_view = True

    @staticmethod
    def forward(ctx, a):
        return a._data.view()

    @staticmethod
    def backward(ctx, grad):
        return grad


class Permute(Function):
    formula = "permute(a)"
    derivatives = ("1 (permuted back)",)
    is_view = True

    @staticmethod
    def forward(ctx, a, dims):
        n = a._data.ndim
        if len(dims) != n:
            raise RuntimeError(
                f"permute(sparse_coo): number of dimensions in the tensor input does not match the length of the "
                f"desired ordering of dimensions i.e. input.dim() = {n} is not equal to len(dims) = {len(dims)}")
        dims = tuple(norm_dim(d, n) for d in dims)
        if len(set(dims)) != n:
            raise RuntimeError("permute(): duplicate dims are not allowed.")
        ctx.inverse = tuple(np.argsort(dims))
        return np.transpose(a._data, dims)

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
        ctx.shape = d.shape
        if dim is None:
            return d.reshape(tuple(s for s in d.shape if s != 1))
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
        return np.expand_dims(d, dim)

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
        ctx.shape = d.shape
        return broadcast_view(d, tuple(target))

    @staticmethod
    def backward(ctx, grad):
        return grad.sum_to_size(ctx.shape)


def broadcast_view(d, target):
    """A read-only view of ``d`` broadcast to ``target`` (zero strides), like np.broadcast_to but
    without its Python overhead on the common contiguous case."""
    if target == d.shape:
        return d.view()
    if not d.flags.c_contiguous:
        return np.broadcast_to(d, target)
    lead = len(target) - d.ndim
    strides = [0] * lead + [0 if (s == 1 and t != 1) else st
                            for s, t, st in zip(d.shape, target[lead:], d.strides)]
    out = np.ndarray(target, d.dtype, buffer=d, strides=strides)
    out.flags.writeable = False
    return out


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


class Cat(Function):
    formula = "cat(a, b, …)"
    derivatives = ("1 (its slice)",)

    @staticmethod
    def forward(ctx, *tensors, dim=0):
        arrays = [t._data for t in tensors]
        nd = max(a.ndim for a in arrays)
        if nd == 0:
            raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
        keep = [a for a in arrays if not (a.ndim == 1 and a.shape[0] == 0)] or arrays
        dim = norm_dim(dim, keep[0].ndim)
        ref = keep[0].shape
        for i, a in enumerate(keep):
            if a.ndim != len(ref):
                raise RuntimeError(
                    f"Tensors must have same number of dimensions: got {len(ref)} and {a.ndim}")
            for j, (x, y) in enumerate(zip(ref, a.shape)):
                if j != dim and x != y:
                    raise RuntimeError(
                        f"Sizes of tensors must match except in dimension {dim}. Expected size {x} but got size {y} "
                        f"for tensor number {arrays.index(a) if False else i} in the list.")
        ctx.dim = dim
        ctx.sizes = [a.shape[dim] if a.ndim == len(ref) else 0 for a in arrays]
        ctx.ndims = [a.ndim for a in arrays]
        dt = result_dtype(*tensors)
        return np.concatenate([a.astype(dt, copy=False) for a in keep], axis=dim)

    @staticmethod
    def backward(ctx, grad):
        out, start = [], 0
        for size in ctx.sizes:
            key = (slice(None),) * ctx.dim + (slice(start, start + size),)
            out.append(grad[key])
            start += size
        return tuple(out)


class Stack(Function):
    formula = "stack(a, b, …)"
    derivatives = ("1 (its slice)",)

    @staticmethod
    def forward(ctx, *tensors, dim=0):
        arrays = [t._data for t in tensors]
        for i, a in enumerate(arrays):
            if a.shape != arrays[0].shape:
                raise RuntimeError(
                    f"stack expects each tensor to be equal size, but got {shape_str(arrays[0].shape)} at entry 0 "
                    f"and {shape_str(a.shape)} at entry {i}")
        dim = norm_dim(dim, arrays[0].ndim + 1)
        ctx.dim, ctx.n = dim, len(arrays)
        dt = result_dtype(*tensors)
        return np.stack([a.astype(dt, copy=False) for a in arrays], axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return tuple(grad[(slice(None),) * ctx.dim + (i,)] for i in range(ctx.n))


# ---- indexing ----------------------------------------------------------------------------

def normalize_key(key):
    """Turn a user index into a NumPy index (tensors -> arrays); tell whether it is advanced."""
    if not isinstance(key, tuple):
        key = (key,)
    out = []
    advanced = False
    for k in key:
        if isinstance(k, Tensor):
            k = k._data
            if k.ndim == 0 and k.dtype.kind in "iu":
                k = int(k)
            else:
                advanced = True
        elif isinstance(k, (list,)):
            k = np.asarray(k)
            if k.dtype.kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            advanced = True
        elif isinstance(k, np.ndarray):
            advanced = True
        elif isinstance(k, float):
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices (got float)")
        if isinstance(k, np.ndarray) and k.dtype.kind == "f":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        out.append(k)
    return tuple(out), advanced


def _index_error(e, shape=None, key=()):
    """NumPy's IndexError in PyTorch's words (a boolean mask of the wrong shape is named as PyTorch does)."""
    dim = 0
    for k in key:
        if isinstance(k, np.ndarray) and k.dtype == np.bool_:
            for j, n in enumerate(k.shape):
                if dim + j >= len(shape) or shape[dim + j] != n:
                    return IndexError(f"The shape of the mask {shape_str(k.shape)} at index {j} does not match the "
                                      f"shape of the indexed tensor {shape_str(shape)} at index {dim + j}")
            dim += k.ndim
        elif k is not None and k is not Ellipsis:
            dim += 1
    return IndexError(str(e).replace("axis", "dimension"))


class Index(Function):
    """Advanced indexing (integer index tensors, boolean masks): a copy; repeated indices add up."""
    formula = "a[index]"
    derivatives = ("1 at the picked places (added up if picked twice)",)

    @staticmethod
    def forward(ctx, a, key):
        ctx.key, ctx.shape = key, a._data.shape
        try:
            return a._data[key]
        except IndexError as e:
            raise _index_error(e, a._data.shape, key) from None

    @staticmethod
    def backward(ctx, grad):
        return IndexAddZeros.apply(grad, key=ctx.key, shape=ctx.shape, accumulate=True)


class Select(Function):
    """a.select(dim, i) and ``a[i]`` on one dimension: a view."""
    formula = "a[i]"
    derivatives = ("1 at i",)
    is_view = True

    @staticmethod
    def forward(ctx, a, dim, index):
        d = a._data
        ctx.key, ctx.shape = (slice(None),) * dim + (index,), d.shape
        try:
            return d[ctx.key + (Ellipsis,)]  # Ellipsis keeps a 0-d result a view, not a NumPy scalar
        except IndexError:
            raise IndexError(f"index {index} is out of bounds for dimension {dim} with size {d.shape[dim]}") from None

    @staticmethod
    def backward(ctx, grad):
        return IndexAddZeros.apply(grad, key=ctx.key, shape=ctx.shape, accumulate=False)


class Slice(Select):
    """``a[start:stop:step]`` on one dimension: a view."""
    formula = "a[start:stop]"
    derivatives = ("1 in the slice",)

    @staticmethod
    def forward(ctx, a, dim, index):
        if index.step is not None and index.step <= 0:
            raise ValueError("step must be greater than zero")
        ctx.key, ctx.shape = (slice(None),) * dim + (index,), a._data.shape
        return a._data[ctx.key]


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


class Split(Select):
    """One piece of split/chunk (SplitBackward0): a view of a slice of dim."""
    formula = "split(a)[i]"
    derivatives = ("1 in the piece",)

    @staticmethod
    def forward(ctx, a, dim, start, length):
        return Slice.forward(ctx, a, dim, slice(start, start + length))


class SplitWithSizes(Split):
    pass


class Unbind(Select):
    formula = "unbind(a)[i]"


class IndexAddZeros(Function):
    """zeros(shape) with grad put (or added, for repeated indices) at key: the backward of indexing."""
    backward_name = "IndexPutBackward0"
    formula = "zeros[index] += a"
    derivatives = ("a[index]",)

    @staticmethod
    def forward(ctx, a, key, shape, accumulate):
        ctx.key = key
        out = np.zeros(shape, dtype=a._data.dtype)
        if accumulate:
            np.add.at(out, key, a._data)
        else:
            out[key] = a._data
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad[ctx.key]


class CopySlices(Function):
    backward_name = "CopySlices"
    """base[key] = value, recorded as PyTorch does for an in-place write into part of a tensor."""
    formula = "a with a[index] = b"
    derivatives = ("1 outside index, 0 inside", "1 (summed to b's shape)")

    @staticmethod
    def forward(ctx, base, value, key):
        ctx.key = key
        out = base._data.copy()
        v = value._data if isinstance(value, Tensor) else value
        try:
            out[key] = v
        except IndexError as e:
            raise _index_error(e) from None
        except ValueError:
            raise setitem_shape_error(np.empty(base._data.shape)[key].shape, np.shape(v)) from None
        return out

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        gb = CopySlices.apply(grad, 0.0, key=ctx.key) if need[0] else None
        gv = grad[ctx.key] if need[1] else None
        return gb, gv


def setitem_shape_error(target, vshape):
    """PyTorch's message when a value cannot be broadcast into an indexed region."""
    n = len(target)
    if len(vshape) > n:
        return RuntimeError(f"expand(torch.FloatTensor{{{shape_str(vshape)}}}, size={shape_str(target)}): the number "
                            f"of sizes provided ({n}) must be greater or equal to the number of dimensions in the tensor ({len(vshape)})")
    pv = (1,) * (n - len(vshape)) + tuple(vshape)
    for i in range(n):
        if pv[i] != target[i] and pv[i] != 1:
            return RuntimeError(
                f"The expanded size of the tensor ({target[i]}) must match the existing size ({pv[i]}) at non-singleton "
                f"dimension {i}.  Target sizes: {shape_str(target)}.  Tensor sizes: {shape_str(vshape)}")
    return RuntimeError(f"cannot broadcast {shape_str(vshape)} to {shape_str(target)}")


def getitem(a, key):
    """Basic indexing is recorded as PyTorch records it: one select/slice/unsqueeze per index, left to
    right (``x[0, :2]`` is SliceBackward0 after SelectBackward0); advanced indexing is one Index op."""
    single = not isinstance(key, tuple)
    key, advanced = normalize_key(key)
    nd = a._data.ndim
    consumed = sum(1 for k in key if k is not None and k is not Ellipsis)
    if consumed > nd:
        if nd == 0 and single and isinstance(key[0], slice):
            raise IndexError("slice() cannot be applied to a 0-dim tensor.")
        if nd == 0 and single and not advanced:
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` "
                             "in C++ to convert a 0-dim tensor to a number")
        raise IndexError(f"too many indices for tensor of dimension {nd}")
    if advanced:
        return Index.apply(a, key=key)
    out, dim = a, 0
    for k in key:
        if k is None:
            out = Unsqueeze.apply(out, dim=dim)
            dim += 1
        elif k is Ellipsis:
            dim += nd - consumed
        elif isinstance(k, slice):
            size = out._data.shape[dim]
            if single or k.indices(size) != (0, size, 1) or (k.step is not None and k.step <= 0):
                out = Slice.apply(out, dim=dim, index=k)
            dim += 1
        else:
            size = out._data.shape[dim]
            if not -size <= k < size:
                raise IndexError(f"index {k} is out of bounds for dimension {dim} with size {size}")
            out = Select.apply(out, dim=dim, index=k)
    return Alias.apply(a) if out is a else out


# ---- more shape ops: flip, repeat, index_select, reshape variants -------------------------------

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


class IndexSelect(Function):
    formula = "a[..., index, ...]"
    derivatives = ("1 at index (added up if picked twice)",)

    @staticmethod
    def forward(ctx, a, dim, index):
        idx = index._data
        if idx.ndim > 1:
            raise IndexError("index_select(): Index is supposed to be a vector")
        if idx.dtype.kind not in "iu":
            raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
        d = a._data
        dim = norm_dim(dim, d.ndim)
        ctx.key, ctx.shape = (slice(None),) * dim + (idx.reshape(-1),), d.shape
        return np.take(d, idx.reshape(-1), axis=dim) if d.ndim else d[idx.reshape(())]

    @staticmethod
    def backward(ctx, grad):
        return IndexAddZeros.apply(grad, key=ctx.key, shape=ctx.shape, accumulate=True)


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
    new = _infer_shape(shape, d.size)
    if d.flags.c_contiguous:
        return Reshape.apply(a, shape=new)
    try:
        d.view().shape = new
    except AttributeError:
        return UnsafeView.apply(Clone.apply(a), shape=new)
    return ReshapeAlias.apply(a, shape=new)
