"""Cholesky factor and triangular solves (``torch.linalg.cholesky``, ``torch.linalg.solve_triangular``), what
MultivariateNormal and Gaussian-process code are built on. Backward formulas as PyTorch's (tensor ops, so
create_graph works):

    cholesky:          A = L Lᵀ         dA = ½(S + Sᵀ),  S = L⁻ᵀ Φ(Lᵀ g) L⁻¹   (Φ: lower triangle, half diagonal)
    solve_triangular:  X = A⁻¹ B        dB = A⁻ᵀ g,  dA = -(dB Xᵀ) on A's triangle
"""
import numpy as np

from ..autograd.function import Function
from ..autograd.graph import OUTPUT
from . import _lapack
from .linalg_solve import _LinAlgError, _TYPE, check_square


def _leading_minor(a):
    """(batch index, order) of the first matrix and leading minor that is not positive-definite."""
    flat = a.reshape((-1,) + a.shape[-2:])
    for b, m in enumerate(flat):
        for k in range(1, m.shape[-1] + 1):
            try:
                np.linalg.cholesky(m[:k, :k])
            except np.linalg.LinAlgError:
                return b, k
    return None


def cholesky_array(a, name="linalg.cholesky", check=True):
    """(L, info): info 0, or the order of the first leading minor that is not positive-definite."""
    done = _lapack.cholesky(a) if a.size else None
    if done is not None:
        L, infos = done
        flat = infos.reshape(-1)
        bad = np.nonzero(flat)[0]
        if not bad.size:
            return L, 0
        if check:
            where = f"(Batch element {int(bad[0])}): " if a.ndim > 2 else ""
            raise _LinAlgError(f"{name}: {where}The factorization could not be completed because the input is not "
                               f"positive-definite (the leading minor of order {int(flat[bad[0]])} is not "
                               "positive-definite).")
        return L, int(flat[bad[0]])
    try:
        return np.linalg.cholesky(a).astype(a.dtype, copy=False), 0
    except np.linalg.LinAlgError:
        batch, k = _leading_minor(a)
        if check:
            where = f"(Batch element {batch}): " if a.ndim > 2 else ""
            raise _LinAlgError(f"{name}: {where}The factorization could not be completed because the input is not "
                               f"positive-definite (the leading minor of order {k} is not "
                               "positive-definite).") from None
        return np.full(a.shape, np.nan, a.dtype), k


def _tri(t, upper):
    return t.triu() if upper else t.tril()


class LinalgCholeskyEx(Function):
    formula = "L with A = L·Lᵀ"
    derivatives = ("½(S + Sᵀ), S = L⁻ᵀ·Φ(Lᵀ·g)·L⁻¹",)

    @staticmethod
    def forward(ctx, A, upper=False):
        check_square("linalg.cholesky", A)
        ctx.save(L=OUTPUT)
        ctx.upper = upper
        L, _ = cholesky_array(A._data)
        return np.swapaxes(L, -1, -2).copy() if upper else L

    @staticmethod
    def backward(ctx, g):
        (L,) = ctx.saved_tensors
        if ctx.upper:  # U = Lᵀ: the same formula on the transposes
            L, g = L.transpose(-2, -1), g.transpose(-2, -1)
        n = L.shape[-1]
        half_diag = np.tril(np.ones((n, n)), -1) + 0.5 * np.eye(n)
        phi = (L.transpose(-2, -1) @ g) * L._make(half_diag.astype(L._data.dtype))
        Lt = L.transpose(-2, -1)
        X = LinalgSolveTriangular.apply(Lt, phi, upper=True)            # L⁻ᵀ Φ
        S = LinalgSolveTriangular.apply(Lt, X.transpose(-2, -1), upper=True).transpose(-2, -1)  # (L⁻ᵀ Xᵀ)ᵀ = X L⁻¹
        return (S + S.transpose(-2, -1)) * 0.5


class LinalgSolveTriangular(Function):
    formula = "A⁻¹·B (A triangular)"
    derivatives = ("-(A⁻ᵀ g)·Xᵀ on A's triangle", "A⁻ᵀ·g")

    @staticmethod
    def forward(ctx, A, B, upper, unitriangular=False):
        a, b = A._data, B._data
        check_square("linalg.solve_triangular", A)
        if b.ndim < 2:
            raise RuntimeError(f"linalg.solve_triangular: The input tensor B must have at least 2 dimensions.")
        if a.dtype != b.dtype:
            raise RuntimeError(f"linalg.solve_triangular: Expected A and B to have the same dtype, but found A of "
                               f"type {_TYPE[a.dtype.name]} and B of type {_TYPE[b.dtype.name]} instead")
        n = a.shape[-1]
        if b.shape[-2] != n:
            raise RuntimeError(f"linalg.solve_triangular: Incompatible shapes of A and B for the equation AX = B "
                               f"({n}x{n} and {b.shape[-2]}x{b.shape[-1]})")
        ctx.save(A=A, result=OUTPUT)
        ctx.upper, ctx.unit = upper, unitriangular
        tri = np.triu(a) if upper else np.tril(a)
        if unitriangular:
            eye = np.eye(n, dtype=a.dtype)
            tri = tri - np.diagonal(tri, axis1=-2, axis2=-1)[..., None] * eye + eye
        batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        tri = np.broadcast_to(tri, batch + a.shape[-2:])
        bb = np.broadcast_to(b, batch + b.shape[-2:])
        if n == 0 or bb.size == 0:
            return np.zeros(bb.shape, a.dtype)
        done = _lapack.solve_triangular(np.ascontiguousarray(np.broadcast_to(a, batch + a.shape[-2:])),
                                        np.ascontiguousarray(bb), upper, unitriangular)
        if done is not None:
            return done
        with np.errstate(all="ignore"):
            try:
                x = np.linalg.solve(tri, bb)
            except np.linalg.LinAlgError:  # a zero on the diagonal: PyTorch returns inf/nan, no error
                x = np.full(bb.shape, np.nan)
        return x.astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        A, X = ctx.saved_tensors
        need = ctx.needs_input_grad
        gB = LinalgSolveTriangular.apply(A.transpose(-2, -1), g, upper=not ctx.upper, unitriangular=ctx.unit)
        gA = None
        if need[0]:
            gA = _tri(-(gB @ X.transpose(-2, -1)), ctx.upper)
            if ctx.unit:
                gA = gA.triu(1) if ctx.upper else gA.tril(-1)
        return gA, (gB if need[1] else None)


class CholeskySolve(Function):
    """``torch.cholesky_solve(B, L)``: X with (L Lᵀ) X = B (``upper=True``: A = Uᵀ U). Backward as PyTorch's:
    dB = cholesky_solve(g, L); dL = -(C + Cᵀ) L (lower) or -U (C + Cᵀ) (upper), C = dB Xᵀ."""
    formula = "(L·Lᵀ)⁻¹·B"
    derivatives = ("cholesky_solve(g, L)", "-(C + Cᵀ)·L, C = dB·Xᵀ")

    @staticmethod
    def forward(ctx, B, L, upper=False):
        b, l = B._data, L._data
        if b.ndim < 2:
            raise RuntimeError(f"b should have at least 2 dimensions, but has {b.ndim} dimensions instead")
        if l.ndim < 2:
            raise RuntimeError(f"u should have at least 2 dimensions, but has {l.ndim} dimensions instead")
        n = l.shape[-1]
        if l.shape[-2] != n or b.shape[-2] != n:
            raise RuntimeError(f"Incompatible matrix sizes for cholesky_solve: each A matrix is {l.shape[-2]} by {n} "
                               f"but each b matrix is {b.shape[-2]} by {b.shape[-1]}")
        ctx.save(L=L, result=OUTPUT)
        ctx.upper = upper
        batch = np.broadcast_shapes(b.shape[:-2], l.shape[:-2])
        bb = np.ascontiguousarray(np.broadcast_to(b, batch + b.shape[-2:]))
        lb = np.ascontiguousarray(np.broadcast_to(l, batch + l.shape[-2:]))
        done = _lapack.cholesky_solve(bb, lb, upper) if bb.size and n else None
        if done is not None:
            return done
        tri = np.triu(lb) if upper else np.tril(lb)
        a = np.swapaxes(tri, -1, -2) @ tri if upper else tri @ np.swapaxes(tri, -1, -2)
        return np.linalg.solve(a, bb).astype(l.dtype, copy=False) if bb.size and n else np.zeros(bb.shape, l.dtype)

    @staticmethod
    def backward(ctx, g):
        L, X = ctx.saved_tensors
        need = ctx.needs_input_grad
        gB = CholeskySolve.apply(g, L, upper=ctx.upper)
        gL = None
        if need[1]:
            c = gB @ X.transpose(-2, -1)
            c = c + c.transpose(-2, -1)
            gL = -(L @ c) if ctx.upper else -(c @ L)
        return (gB if need[0] else None), gL
