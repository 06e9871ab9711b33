"""``torch.linalg``, the norms tutorials use: vector_norm, matrix_norm ('fro'), and norm (a vector norm for
vectors and ``dim=int``, the Frobenius norm for matrices). All record LinalgVectorNormBackward0, as PyTorch."""
from .ops import reduce as R


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
