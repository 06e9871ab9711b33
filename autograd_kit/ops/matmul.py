"""torch.matmul for ranks above 2: PyTorch's ``_matmul_impl`` decomposition, replayed in one node.

PyTorch folds a ≥3-D operand into one matrix when the other is ≤2-D (``should_fold``: one mm or mv,
the batch dims flattened), else broadcasts the batch dims and calls bmm; which of the two runs changes
the BLAS call, hence the bits. The kit records one node (UnsafeViewBackward0, PyTorch's last op) whose
forward and backward compute exactly what PyTorch's chain of ops does (reshape, mm/mv/bmm, mT, ...).
"""
import numpy as np

from ..autograd.function import Function
from . import linalg as L
from ._util import broadcast_error


def _estrides(d):
    return tuple(s // d.itemsize for s in d.strides)


def _should_fold(a, b):
    """ATen's should_fold (no out=): fold when the larger operand's batch dims flatten into rows."""
    da, db = a._data.ndim, b._data.ndim
    larger = da >= db
    t1 = a._data if larger else np.swapaxes(b._data, -1, -2)
    if not (t1.ndim >= 3 and (db if larger else da) <= 2):
        return False
    if (b if larger else a).requires_grad:
        return True
    if da == 2:
        return False
    if t1.size == 0:
        return True
    st, sh = _estrides(t1), t1.shape
    return all(st[i] == st[i + 1] * sh[i + 1] for i in range(t1.ndim - 2))


class Matmul(Function):
    """a @ b for ranks above 2 (``mode``: 'fold', 'fold_t' or 'bmm', as ATen decides)."""
    backward_name = "UnsafeViewBackward0"
    formula = "a @ b"
    derivatives = ("g @ bᵀ", "aᵀ @ g")

    @staticmethod
    def forward(ctx, a, b, mode):
        A, B = a._data, b._data
        ctx.mode = mode
        ctx.save(self=a, other=b)
        if mode == "fold":  # a (≥3-D) as one (rows, k) matrix
            A2 = A.reshape(-1, A.shape[-1])
            ctx.cols = (L._colmajor(A2), L._colmajor(B))
            if B.ndim == 2:
                return L._mm(A2, B).reshape(A.shape[:-1] + (B.shape[1],))
            return L._mv(A2, B).reshape(A.shape[:-1])
        if mode == "fold_t":  # b (≥3-D): (bᵀ folded) @ aᵀ, transposed back
            T1f = np.swapaxes(B, -1, -2).reshape(-1, B.shape[-2])
            lead = B.shape[:-2] + (B.shape[-1],)
            if A.ndim == 1:
                return L._mv(T1f, A).reshape(lead)
            T2 = A.T
            ctx.cols = (L._colmajor(T1f), L._colmajor(T2))
            return np.ascontiguousarray(np.swapaxes(L._mm(T1f, T2).reshape(lead + (A.shape[0],)), -1, -2))
        batch, n, m1, m2, p = _bmm_dims(A, B)
        nb = int(np.prod(batch))
        A3 = np.broadcast_to(A, batch + (n, m1)).reshape(nb, n, m1)
        if B.ndim == 1:
            B3 = np.broadcast_to(B, batch + (m2,)).reshape(nb, m2)[:, :, None]
        else:
            B3 = np.broadcast_to(B, batch + (m2, p)).reshape(nb, m2, p)
        return L._bmm(A3, B3).reshape(batch + ((n,) if A.ndim > 1 else ()) + ((p,) if B.ndim > 1 else ()))

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        sa, sb = a.shape, b.shape
        ga = gb = None
        if ctx.mode == "fold":
            rows = int(np.prod(sa[:-1]))
            a2 = a.reshape(rows, sa[-1])
            if b.dim() == 2:
                g2 = grad.reshape(rows, sb[1])
                ga = L.mm_mat1_backward(g2, b, ctx.cols[0]).reshape(sa) if need[0] else None
                gb = L.mm_mat2_backward(g2, a2, ctx.cols[1]) if need[1] else None
            else:
                g2 = grad.reshape(rows)
                ga = (g2.unsqueeze(1) * b.unsqueeze(0)).reshape(sa) if need[0] else None
                gb = a2.t().mv(g2) if need[1] else None
            return ga, gb
        if ctx.mode == "fold_t":
            rows = int(np.prod(sb[:-2])) * sb[-1]
            t1f = b.transpose(-1, -2).reshape(rows, sb[-2])
            lead = tuple(sb[:-2]) + (sb[-1], sb[-2])
            if a.dim() == 1:
                g = grad.reshape(rows)
                gt1 = g.unsqueeze(1) * a.unsqueeze(0) if need[1] else None
                ga = t1f.t().mv(g) if need[0] else None
            else:
                g = grad.transpose(-1, -2).reshape(rows, sa[0])
                t2 = a.t()
                gt1 = L.mm_mat1_backward(g, t2, ctx.cols[0]) if need[1] else None
                ga = L.mm_mat2_backward(g, t1f, ctx.cols[1]).t() if need[0] else None
            gb = gt1.reshape(lead).transpose(-1, -2) if need[1] else None
            return ga, gb
        batch, n, m1, m2, p = _bmm_dims(a._data, b._data)
        nb = int(np.prod(batch))
        a3 = a.expand(batch + (n, m1)).reshape(nb, n, m1)
        if b.dim() == 1:
            b3 = b.expand(batch + (m2,)).reshape(nb, m2).unsqueeze(2)
        else:
            b3 = b.expand(batch + (m2, p)).reshape(nb, m2, p)
        g3 = grad.reshape(nb, n, p)
        if need[0]:
            ga = g3.bmm(b3.transpose(1, 2)).reshape(batch + ((n, m1) if a.dim() > 1 else (m1,)))
        if need[1]:
            gb = a3.transpose(1, 2).bmm(g3).reshape(batch + ((m2, p) if b.dim() > 1 else (m2,)))
        return ga, gb


def _bmm_dims(A, B):
    n = A.shape[-2] if A.ndim > 1 else 1
    m1 = A.shape[-1]
    m2 = B.shape[-2] if B.ndim > 1 else B.shape[0]
    p = B.shape[-1] if B.ndim > 1 else 1
    batch = tuple(np.broadcast_shapes(A.shape[:-2], B.shape[:-2]))
    return batch, n, m1, m2, p


def matmul(a, b):
    """torch.matmul: dispatches on ranks like PyTorch (dot, mv, mm, folded mm/mv, broadcast bmm), with its
    checks in its order (batch broadcast, then sizes, then dtypes)."""
    da, db = a._data.ndim, b._data.ndim
    if da == 0 or db == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {da}D and {db}D")
    if da == 1 and db == 1:
        return L.dot(a, b)
    if da == 2 and db == 1:
        return L.mv(a, b)
    if da == 1 and db == 2:
        L._check_dtypes(a, b)
        from .views import SqueezeMatmul
        return SqueezeMatmul.apply(L.mm(a.unsqueeze(0), b), dim=0)
    if da == 2 and db == 2:
        return L.mm(a, b)
    sa, sb = a._data.shape, b._data.shape
    fold = _should_fold(a, b)
    if fold and da >= db:  # a (≥3-D) folded into one matrix: its errors name the folded sizes
        rows = int(np.prod(sa[:-1]))
        if db == 1:
            if sa[-1] != sb[0]:
                raise RuntimeError(f"size mismatch, got input ({rows}), mat ({rows}x{sa[-1]}), vec ({sb[0]})")
            L._check_mv_dtypes(a, b)
        else:
            if sa[-1] != sb[0]:
                L._check_mm(L.Tensor._make(np.empty((rows, sa[-1]))), b)
            L._check_dtypes(a, b)
        return Matmul.apply(a, b, mode="fold")
    if fold:  # b (≥3-D) transposed and folded, a ≤2-D
        rows = int(np.prod(sb[:-2])) * sb[-1]
        if da == 1:
            if sb[-2] != sa[0]:
                raise RuntimeError(f"size mismatch, got input ({rows}), mat ({rows}x{sb[-2]}), vec ({sa[0]})")
            L._check_mv_dtypes(b, a)
        else:
            if sb[-2] != sa[1]:
                L._check_mm(L.Tensor._make(np.empty((rows, sb[-2]))), L.Tensor._make(np.empty(sa[::-1])))
            L._check_dtypes(b, a)
        return Matmul.apply(a, b, mode="fold_t")
    if da == 3 and db == 3 and sa[0] != sb[0]:
        if sa[0] == 1 and a.requires_grad:
            return matmul(a.squeeze(0), b)
        if sb[0] == 1 and b.requires_grad:
            return matmul(a, b.squeeze(0))
    batch_a, batch_b = (sa[:-2] if da > 1 else ()), (sb[:-2] if db > 1 else ())
    try:
        batch = np.broadcast_shapes(batch_a, batch_b)
    except ValueError:
        raise broadcast_error(batch_a, batch_b) from None
    k_a, k_b = sa[-1], (sb[-2] if db > 1 else sb[0])
    if k_a != k_b:
        n = int(np.prod(batch))
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{n}, {k_a}] "
                           f"but got: [{n}, {k_b}].")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"expected scalar type {L._dtype_name(a)} but found {L._dtype_name(b)}")
    return Matmul.apply(a, b, mode="bmm")
