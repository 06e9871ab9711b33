"""Matrix products: mm, mv, dot, bmm, general matmul, and the fused addmm used by nn.Linear."""
import numpy as np

from ..autograd.function import Function
from ._util import broadcast_error

Tensor = None  # bound by autograd_kit._tensor


def _dims(shape):
    return "x".join(str(s) for s in shape)


def _check_dtypes(a, b):
    if a._data.dtype != b._data.dtype:
        from .._tensor import dtype_word
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: {dtype_word(a._data.dtype)} != {dtype_word(b._data.dtype)}")


def _check_mm(a, b):
    sa, sb = a._data.shape, b._data.shape
    if sa[-1] != sb[-2]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({_dims(sa)} and {_dims(sb)})\n"
            f"Hint: for A @ B the columns of A ({sa[-1]}) must equal the rows of B ({sb[-2]}).")


class Mm(Function):
    formula = "a @ b"
    derivatives = ("g @ bᵀ", "aᵀ @ g")

    @staticmethod
    def forward(ctx, a, b):
        need = ctx.needs_input_grad
        ctx.save(self=a if need[1] else None, mat2=b if need[0] else None)
        return np.matmul(a._data, b._data)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (grad.mm(b.t()) if need[0] else None), (a.t().mm(grad) if need[1] else None)


class Addmm(Function):
    """bias + a @ b in one node (AddmmBackward0), as PyTorch's nn.Linear records it."""
    formula = "c + a @ b"
    derivatives = ("1", "g @ bᵀ", "aᵀ @ g")

    @staticmethod
    def forward(ctx, c, a, b):
        need = ctx.needs_input_grad
        ctx.save(mat1=a if need[2] else None, mat2=b if need[1] else None)
        out = np.matmul(a._data, b._data)
        try:
            out += c._data
        except ValueError:
            raise broadcast_error(c._data.shape, out.shape) from None
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (grad if need[0] else None,
                grad.mm(b.t()) if need[1] else None,
                grad.t().mm(a).t() if need[2] else None)  # = aᵀ·g, laid out as W (mat2 is usually Wᵀ)


class Mv(Function):
    formula = "A @ v"
    derivatives = ("g ⊗ v", "Aᵀ @ g")

    @staticmethod
    def forward(ctx, a, v):
        need = ctx.needs_input_grad
        ctx.save(self=a if need[1] else None, vec=v if need[0] else None)
        return np.matmul(a._data, v._data)

    @staticmethod
    def backward(ctx, grad):
        a, v = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (grad.unsqueeze(1) * v.unsqueeze(0) if need[0] else None), (a.t().mv(grad) if need[1] else None)


class Dot(Function):
    formula = "a · b"
    derivatives = ("b", "a")

    @staticmethod
    def forward(ctx, a, b):
        need = ctx.needs_input_grad
        ctx.save(self=a if need[1] else None, tensor=b if need[0] else None)
        return np.dot(a._data, b._data)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (grad * b if need[0] else None), (grad * a if need[1] else None)


class Bmm(Function):
    formula = "a @ b (batched)"
    derivatives = ("g @ bᵀ", "aᵀ @ g")

    @staticmethod
    def forward(ctx, a, b):
        need = ctx.needs_input_grad
        ctx.save(self=a if need[1] else None, mat2=b if need[0] else None)
        return np.matmul(a._data, b._data)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (grad.matmul(b.transpose(-1, -2)) if need[0] else None), \
               (a.transpose(-1, -2).matmul(grad) if need[1] else None)


class Matmul(Bmm):
    """Batched matmul (≥3-D or mixed ranks); the engine sums batch broadcasting away."""
    backward_name = "UnsafeViewBackward0"
    formula = "a @ b"


def matmul(a, b):
    """torch.matmul: dispatches on ranks like PyTorch (dot, mv, mm, bmm, broadcast)."""
    da, db = a._data.ndim, b._data.ndim
    if da == 0 or db == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {da}D and {db}D")
    _check_dtypes(a, b)
    if da == 1 and db == 1:
        return dot(a, b)
    if da == 2 and db == 1:
        return mv(a, b)
    if da == 1 and db == 2:
        from .shape import SqueezeMatmul
        return SqueezeMatmul.apply(mm(a.unsqueeze(0), b), dim=0)
    if da == 2 and db == 2:
        return mm(a, b)
    if da == 1:
        return matmul(a.unsqueeze(0), b).squeeze(-2)
    if db == 1:
        if a._data.shape[-1] != b._data.shape[0]:
            _check_mm(a, b.unsqueeze(1))
        return matmul(a, b.unsqueeze(-1)).squeeze(-1)
    _check_mm(a, b)
    try:
        np.broadcast_shapes(a._data.shape[:-2], b._data.shape[:-2])
    except ValueError:
        raise broadcast_error(a._data.shape[:-2], b._data.shape[:-2]) from None
    return Matmul.apply(a, b)


def mm(a, b):
    if a._data.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    _check_dtypes(a, b)
    _check_mm(a, b)
    return Mm.apply(a, b)


def mv(a, v):
    if a._data.ndim != 2 or v._data.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {a._data.ndim}, {v._data.ndim}")
    if a._data.shape[1] != v._data.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({a._data.shape[0]}), mat ({_dims(a._data.shape)}), vec ({v._data.shape[0]})")
    return Mv.apply(a, v)


def dot(a, b):
    if a._data.ndim != 1 or b._data.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a._data.ndim}D and {b._data.ndim}D tensors")
    _check_dtypes(a, b)
    na, nb = a._data.shape[0], b._data.shape[0]
    if na != nb:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{na}] and src [{nb}] to have the same number of "
            f"elements, but got {na} and {nb} elements respectively")
    return Dot.apply(a, b)


def bmm(a, b):
    if a._data.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b._data.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    sa, sb = a._data.shape, b._data.shape
    if sb[0] != sa[0] or sb[1] != sa[2]:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{sa[0]}, {sa[2]}] but got: [{sb[0]}, {sb[1]}].")
    return Bmm.apply(a, b)


def addmm(c, a, b, *, beta=1, alpha=1):
    if a._data.ndim != 2:
        raise RuntimeError("mat1 must be a matrix, got {}-D tensor".format(a._data.ndim))
    if b._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix, got {}-D tensor".format(b._data.ndim))
    _check_mm(a, b)
    if beta != 1 or alpha != 1:
        return c * beta + mm(a, b) * alpha
    return Addmm.apply(c, a, b)
