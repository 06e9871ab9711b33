"""Matrix products: mm, mv, dot, bmm, general matmul (``matmul.py``), and the fused addmm used by nn.Linear.

The products are MKL's, called as PyTorch calls it (``backends/mkl.py``), so they round as PyTorch's do;
the backward formulas are PyTorch's (``mm_mat1_backward``: a column-major input gets a column-major
gradient), since which operand BLAS gets transposed changes the bits. Without MKL: NumPy's products."""
import numpy as np

from .._grad_mode import _enabled
from ..autograd.function import Function
from ..backends import mkl
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


def _mm(a, b):
    """a @ b (2-D arrays) as PyTorch's mm computes it (MKL), or NumPy's product without MKL."""
    out = mkl.gemm(a, b)
    return np.matmul(a, b) if out is None else out


def _mv(a, v):
    out = mkl.gemv(np.empty(a.shape[0], a.dtype), a, v) if a.dtype == v.dtype else None
    return np.matmul(a, v) if out is None else out


def _bmm(a, b):
    out = mkl.bmm(np.empty((a.shape[0], a.shape[1], b.shape[2]), a.dtype), a, b) if a.dtype == b.dtype else None
    return np.matmul(a, b) if out is None else out


def _colmajor(d):
    """mm's backward lays a column-major input's gradient out column-major (FunctionsManual.cpp)."""
    s = d.strides
    return len(s) == 2 and s[0] == d.itemsize and s[1] == d.itemsize * d.shape[0]


# A product's gradient is computed on the arrays when no graph is being recorded (backward without
# create_graph runs with grad mode off, where each tensor op below would run plainly anyway) and the dtypes
# agree (else mm's own error is raised by the tensor ops): the same products, without a node or view per op.
def mm_mat1_backward(grad, mat2, mat1_colmajor, alpha=1):
    g, b = grad._data, mat2._data
    if alpha == 1 and not _enabled[0] and g.dtype == b.dtype and g.ndim == 2:
        return Tensor._make(_mm(b, g.T).T if mat1_colmajor else _mm(g, b.T))
    g = mat2.mm(grad.t()).t() if mat1_colmajor else grad.mm(mat2.t())
    return g if alpha == 1 else g * alpha


def mm_mat2_backward(grad, mat1, mat2_colmajor, alpha=1):
    g, a = grad._data, mat1._data
    if alpha == 1 and not _enabled[0] and g.dtype == a.dtype and g.ndim == 2:
        return Tensor._make(_mm(g.T, a).T if mat2_colmajor else _mm(a.T, g))
    g = grad.t().mm(mat1).t() if mat2_colmajor else mat1.t().mm(grad)
    return g if alpha == 1 else g * alpha


class Mm(Function):
    formula = "a @ b"
    derivatives = ("g @ bᵀ", "aᵀ @ g")

    @staticmethod
    def forward(ctx, a, b):
        need = ctx.needs_input_grad
        ad, bd = a._data, b._data
        if need[0] or need[1]:  # a node is recorded (else nothing is kept)
            ctx.save(self=a if need[1] else None, mat2=b if need[0] else None)
            ctx.cols = (_colmajor(ad), _colmajor(bd))
        out = mkl.gemm(ad, bd)  # _mm, inlined
        return np.matmul(ad, bd) if out is None else out

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (mm_mat1_backward(grad, b, ctx.cols[0]) if need[0] else None,
                mm_mat2_backward(grad, a, ctx.cols[1]) if need[1] else None)


class Addmm(Function):
    """beta·c + alpha·(a @ b) in one node (AddmmBackward0), as PyTorch's nn.Linear records it: c is
    broadcast into the output first and the gemm adds the product to it (beta=1)."""
    formula = "c + a @ b"
    derivatives = ("1", "g @ bᵀ", "aᵀ @ g")

    @staticmethod
    def forward(ctx, c, a, b, beta=1, alpha=1):
        need = ctx.needs_input_grad
        ad, bd, cd = a._data, b._data, c._data
        if need[0] or need[1] or need[2]:  # a node is recorded (else nothing is kept)
            ctx.save(mat1=a if need[2] else None, mat2=b if need[1] else None)
            ctx.cols, ctx.beta, ctx.alpha = (_colmajor(ad), _colmajor(bd)), beta, alpha
        shape = (ad.shape[0], bd.shape[1])
        cs = cd.shape
        if cs != shape and cs != shape[1:]:  # (F.linear's bias has the shape of a row)
            try:
                np.broadcast_shapes(cs, shape)
            except ValueError:
                raise broadcast_error(cs, shape) from None
        dt = cd.dtype
        if ad.dtype != dt or bd.dtype != dt:
            dt = np.result_type(cd, ad, bd)
        out = np.empty(shape, dt)
        if beta != 0:
            out[...] = cd
        if mkl.addmm(out, ad, bd, beta, alpha) is not None:
            return out
        prod = np.matmul(ad, bd)
        if alpha != 1:
            prod = prod * alpha
        if beta == 0:
            return prod.astype(out.dtype, copy=False)
        return np.add(out * beta if beta != 1 else out, prod, out=out)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return ((grad if ctx.beta == 1 else grad * ctx.beta) if need[0] else None,
                mm_mat1_backward(grad, b, ctx.cols[0], ctx.alpha) if need[1] else None,
                mm_mat2_backward(grad, a, ctx.cols[1], ctx.alpha) if need[2] else None)


class Mv(Function):
    formula = "A @ v"
    derivatives = ("g ⊗ v", "Aᵀ @ g")

    @staticmethod
    def forward(ctx, a, v):
        need = ctx.needs_input_grad
        ctx.save(self=a if need[1] else None, vec=v if need[0] else None)
        return _mv(a._data, v._data)

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
        out = mkl.dot(a._data, b._data)
        return np.dot(a._data, b._data) if out is None else out

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
        return _bmm(a._data, b._data)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (grad.bmm(b.transpose(1, 2)) if need[0] else None), \
               (a.transpose(1, 2).bmm(grad) if need[1] else None)


def _dtype_name(t):
    from .sums import _torch_name
    return _torch_name(t._data.dtype)


def _check_mv_dtypes(m, v):
    if m._data.dtype != v._data.dtype:
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {_dtype_name(v)}, "
                           f"{_dtype_name(m)}, and {_dtype_name(v)}")


def mm(a, b):
    ad, bd = a._data, b._data
    if ad.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if bd.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    if ad.dtype != bd.dtype:
        _check_dtypes(a, b)
    if ad.shape[1] != bd.shape[0]:
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
    """PyTorch's checks in its order (dtypes, ranks, sizes), then one AddmmBackward0 node."""
    if c._data.dtype != b._data.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got {_dtype_name(c)} and {_dtype_name(b)}")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {_dtype_name(a)} and {_dtype_name(b)}")
    if a._data.ndim != 2:
        raise RuntimeError("mat1 must be a matrix, got {}-D tensor".format(a._data.ndim))
    if b._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix, got {}-D tensor".format(b._data.ndim))
    _check_mm(a, b)
    if beta != 1 or alpha != 1:
        return Addmm.apply(c, a, b, beta=beta, alpha=alpha)
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


from .matmul import Matmul, matmul  # noqa: E402,F401  (matmul's rank dispatch, after the ops it uses)
