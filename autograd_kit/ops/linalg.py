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


def _dtype_name(t):
    from .sums import _torch_name
    return _torch_name(t._data.dtype)


def matmul(a, b):
    """torch.matmul: dispatches on ranks like PyTorch (dot, mv, mm, folded mm, broadcast bmm), with its
    checks in its order (batch broadcast, then sizes, then dtypes)."""
    da, db = a._data.ndim, b._data.ndim
    if da == 0 or db == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {da}D and {db}D")
    if da == 1 and db == 1:
        return dot(a, b)
    if da == 2 and db == 1:
        return mv(a, b)
    if da == 1 and db == 2:
        _check_dtypes(a, b)
        from .views import SqueezeMatmul
        return SqueezeMatmul.apply(mm(a.unsqueeze(0), b), dim=0)
    if da == 2 and db == 2:
        return mm(a, b)
    sa, sb = a._data.shape, b._data.shape
    if db <= 2:  # a (≥3-D) folded into one matrix, as PyTorch does: its errors name the folded sizes
        rows = int(np.prod(sa[:-1]))
        if db == 1:
            if sa[-1] != sb[0]:
                raise RuntimeError(f"size mismatch, got input ({rows}), mat ({rows}x{sa[-1]}), vec ({sb[0]})")
            _check_mv_dtypes(a, b)
            return matmul(a, b.unsqueeze(-1)).squeeze(-1)
        if sa[-1] != sb[0]:
            _check_mm(Tensor._make(np.empty((rows, sa[-1]))), b)
        _check_dtypes(a, b)
        return Matmul.apply(a, b)
    batch_a, batch_b = (sa[:-2] if da > 1 else ()), sb[:-2]
    try:
        batch = np.broadcast_shapes(batch_a, batch_b)
    except ValueError:
        raise broadcast_error(batch_a, batch_b) from None
    k_a, k_b = sa[-1], sb[-2]
    if k_a != k_b:
        n = int(np.prod(batch))
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{n}, {k_a}] "
                           f"but got: [{n}, {k_b}].")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"expected scalar type {_dtype_name(a)} but found {_dtype_name(b)}")
    if da == 1:
        return matmul(a.unsqueeze(0), b).squeeze(-2)
    return Matmul.apply(a, b)


def _check_mv_dtypes(m, v):
    if m._data.dtype != v._data.dtype:
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {_dtype_name(v)}, "
                           f"{_dtype_name(m)}, and {_dtype_name(v)}")


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
    _check_mv_dtypes(a, v)
    return Mv.apply(a, v)


def dot(a, b):
    if a._data.ndim != 1 or b._data.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a._data.ndim}D and {b._data.ndim}D tensors")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found {_dtype_name(a)} and {_dtype_name(b)}")
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


class Einsum(Function):
    """einsum; each operand's gradient is the einsum of the output gradient with the other operands."""
    formula = "einsum(equation, a, b, …)"
    derivatives = ("einsum(g, others)",)

    @staticmethod
    def forward(ctx, *operands, equation):
        eq = equation.replace(" ", "")
        lhs, _, rhs = eq.partition("->")
        if "->" not in eq:  # implicit output: the letters used once, in order
            rhs = "".join(sorted(c for c in set(lhs) if c.isalpha() and lhs.count(c) == 1))
        ctx.subs, ctx.out = lhs.split(","), rhs
        ctx.save(**{f"operand{i}": o for i, o in enumerate(operands)})
        return np.asarray(np.einsum(eq, *[o._data for o in operands]))

    @staticmethod
    def backward(ctx, grad):
        ops = ctx.saved_tensors
        grads = []
        for i, (sub, need) in enumerate(zip(ctx.subs, ctx.needs_input_grad)):
            if not need:
                grads.append(None)
                continue
            if "." in sub or len(set(sub)) != len(sub):
                raise NotImplementedError("the gradient of einsum with '...' or a repeated index in one operand "
                                          "is not supported by autograd_kit")
            others = [s for j, s in enumerate(ctx.subs) if j != i]
            seen = set(ctx.out).union(*others)
            keep = "".join(c for c in sub if c in seen)
            g = Einsum.apply(grad, *[o for j, o in enumerate(ops) if j != i],
                             equation=",".join([ctx.out] + others) + "->" + keep)
            if keep != sub:  # letters only this operand has were summed away: broadcast back
                g = g.reshape(tuple(n if c in keep else 1 for c, n in zip(sub, ops[i].shape))).expand(ops[i].shape)
            grads.append(g)
        return tuple(grads)
