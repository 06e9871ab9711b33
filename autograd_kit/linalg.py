"""``torch.linalg``: the norms tutorials use (vector_norm, matrix_norm ('fro'), and norm: a vector norm for
vectors and ``dim=int``, the Frobenius norm for matrices; all record LinalgVectorNormBackward0, as PyTorch),
and square systems (inv, inv_ex, det, slogdet, solve, solve_ex; ops in ``ops/linalg_solve.py``)."""
import numpy as np

from .ops import cholesky as C, linalg_solve as LS, reduce as R
from .ops.linalg_solve import LinAlgError  # noqa: F401

_slogdet_type = LS.return_type("linalg_slogdet", ["sign", "logabsdet"])
_inv_ex_type = LS.return_type("linalg_inv_ex", ["inverse", "info"])
_solve_ex_type = LS.return_type("linalg_solve_ex", ["result", "info"])
_cholesky_ex_type = LS.return_type("linalg_cholesky_ex", ["L", "info"])


def inv(A, *, out=None):
    return LS.LinalgInvEx.apply(A, name="linalg.inv")


def inv_ex(A, *, check_errors=False, out=None):
    from ._tensor import Tensor
    return _inv_ex_type(inv(A), Tensor._make(np.zeros(A.shape[:-2], dtype=np.int32)))


def det(A, *, out=None):
    return LS.LinalgDet.apply(A)


def slogdet(A, *, out=None):
    return _slogdet_type(LS.LinalgSlogdetSign.apply(A), LS.LinalgSlogdetLogabsdet.apply(A))


def solve(A, B, *, left=True, out=None):
    """X with A X = B (``left=False``: X A = B). B is a (batch of) vector(s) when 1-D or of A's batch shape."""
    if not left:
        if B.dim() == 1:
            n = A.shape[-1]
            raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation XA = B "
                               f"({n}x{n} and {B.shape[0]}x1)")
        return solve(A.transpose(-2, -1), B.transpose(-2, -1)).transpose(-2, -1)
    vector = LS.solve_shapes(A, B)
    return LS.LinalgSolveEx.apply(A, B, vector=vector)


def solve_ex(A, B, *, left=True, check_errors=False, out=None):
    from ._tensor import Tensor
    X = solve(A, B, left=left)
    return _solve_ex_type(X, Tensor._make(np.zeros(A.shape[:-2], dtype=np.int32)))


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    if dtype is not None:
        x = x.to(dtype)
    return R.Norm.apply(x, ord=ord, dim=dim, keepdim=keepdim)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    if ord != "fro":
        raise NotImplementedError(f"linalg.matrix_norm(ord={ord!r}): autograd_kit supports the Frobenius norm")
    if A.dim() < 2:
        raise RuntimeError(f"linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    return vector_norm(A, 2, dim=dim, keepdim=keepdim, dtype=dtype)


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    if isinstance(dim, int):
        dim = (dim,)
    if ord is None:
        return vector_norm(A, 2, dim=dim, keepdim=keepdim, dtype=dtype)
    if isinstance(ord, str) or (dim is not None and len(dim) == 2) or (dim is None and A.dim() == 2):
        return matrix_norm(A, ord, dim=dim if dim is not None else (-2, -1), keepdim=keepdim, dtype=dtype)
    return vector_norm(A, ord, dim=dim, keepdim=keepdim, dtype=dtype)


def cholesky(A, *, upper=False, out=None):
    """L (lower triangular) with A = L Lᵀ; ``upper=True``: U = Lᵀ. A non-positive-definite A raises
    LinAlgError naming the leading minor, as PyTorch."""
    return C.LinalgCholeskyEx.apply(A, upper=upper)


def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    from ._tensor import Tensor
    LS.check_square("linalg.cholesky", A)
    L, info = C.cholesky_array(A._data, check=check_errors)
    if info:
        return _cholesky_ex_type(Tensor._make(np.swapaxes(L, -1, -2).copy() if upper else L),
                                 Tensor._make(np.asarray(info, dtype=np.int32)))
    return _cholesky_ex_type(cholesky(A, upper=upper), Tensor._make(np.zeros(A.shape[:-2], dtype=np.int32)))


def solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    """X with A X = B for a triangular A (only its ``upper`` or lower triangle is read); ``left=False``: X A = B."""
    if not left:
        return C.LinalgSolveTriangular.apply(A.transpose(-2, -1), B.transpose(-2, -1), upper=not upper,
                                             unitriangular=unitriangular).transpose(-2, -1)
    return C.LinalgSolveTriangular.apply(A, B, upper=upper, unitriangular=unitriangular)
