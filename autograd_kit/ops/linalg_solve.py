"""Square systems: inverse, determinant, log-determinant and solve (``torch.linalg.inv/det/slogdet/solve``),
batched over leading dimensions, with PyTorch's node names and backward formulas (tensor ops, so
create_graph works):

    inv:      A⁻¹                 dA = -A⁻ᵀ · g · A⁻ᵀ
    det:      det A               dA = g · det A · A⁻ᵀ           (invertible A)
    slogdet:  (sign, log|det A|)  dA = g · A⁻ᵀ                   (the sign has no gradient)
    solve:    X = A⁻¹B            dB = A⁻ᵀ g,  dA = -dB · Xᵀ

The forward is LAPACK's LU: MKL's, called as PyTorch calls it (``_lapack``), so the results are PyTorch's bit for
bit; without MKL, NumPy's (other last bits). A matrix whose LU has an exactly zero pivot raises
``torch.linalg.LinAlgError`` (a RuntimeError) with PyTorch's wording, naming the diagonal element and,
for a batch, the batch element.
"""
import numpy as np

from .. import _reduction
from ..autograd.function import Function
from ..autograd.graph import OUTPUT
from ..backends import mkl
from . import _lapack


class _LinAlgError(RuntimeError):
    """``torch.linalg.LinAlgError``: a singular matrix where an invertible one is needed (named as
    PyTorch's class, ``_LinAlgError``, so tracebacks read the same)."""


_LinAlgError.__module__ = "autograd_kit.linalg"
LinAlgError = _LinAlgError

_TYPE = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
         "float32": "Float", "float64": "Double", "float16": "Half"}


def return_type(name, fields):
    """A named tuple that prints as PyTorch's ``torch.return_types.<name>(...)``."""
    import collections
    cls = collections.namedtuple(name, fields)
    cls.__module__ = "torch.return_types"
    cls.__repr__ = lambda self: f"torch.return_types.{name}(\n" + ",\n".join(
        f"{f}={v!r}" for f, v in zip(fields, self)) + ")"
    return cls


def check_square(name, A):
    d = A._data
    if d.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if d.dtype.kind not in "fc":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got {_TYPE[d.dtype.name]}")
    if d.shape[-1] != d.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are "
                           f"{d.shape[-2]} by {d.shape[-1]} matrices")


def _first_zero_pivot(a):
    """(batch index, 1-based diagonal index) of the first matrix whose partial-pivoting LU has an exactly zero
    pivot, as LAPACK's getrf reports it (``info``); None if every matrix is invertible."""
    lu = np.array(a, dtype=np.float64).reshape((-1,) + a.shape[-2:])
    n = lu.shape[-1]
    rows = np.arange(lu.shape[0])
    info = np.zeros(lu.shape[0], dtype=np.int64)
    for k in range(n):
        p = k + np.argmax(np.abs(lu[:, k:, k]), axis=1)
        lu[rows, k], lu[rows, p] = lu[rows, p].copy(), lu[rows, k].copy()
        piv = lu[:, k, k]
        zero = piv == 0
        info[zero & (info == 0)] = k + 1
        safe = np.where(zero, 1.0, piv)
        factors = np.where(zero[:, None], 0.0, lu[:, k + 1:, k] / safe[:, None])
        lu[:, k + 1:, k:] -= factors[:, :, None] * lu[:, k:k + 1, k:]
    bad = np.nonzero(info)[0]
    return None if bad.size == 0 else (int(bad[0]), int(info[bad[0]]))


def _singular(a, message, name):
    found = _first_zero_pivot(a)
    batch, info = found if found is not None else (0, a.shape[-1])
    where = f"(Batch element {batch}): " if a.ndim > 2 else ""
    raise LinAlgError(f"{name}: {where}" + message.format(info=info))


_INV_MSG = ("The diagonal element {info} is zero, the inversion could not be completed because the input matrix "
            "is singular.")
_SOLVE_MSG = "The solver failed because the input matrix is singular."


def _raise_info(infos, message, name, ndim):
    bad = np.nonzero(np.asarray(infos).reshape(-1))[0]
    if bad.size:
        where = f"(Batch element {int(bad[0])}): " if ndim > 2 else ""
        raise LinAlgError(f"{name}: {where}" + message.format(info=int(np.asarray(infos).reshape(-1)[bad[0]])))


def inv_array(a, name="linalg.inv"):
    if a.shape[-1] == 0:
        return a.copy()
    done = _lapack.solve(a, np.broadcast_to(np.eye(a.shape[-1], dtype=a.dtype), a.shape))  # PyTorch: solve(A, I)
    if done is not None:
        _raise_info(done[1], _INV_MSG, name, a.ndim)
        return done[0]
    try:
        out = np.linalg.inv(a)
    except np.linalg.LinAlgError:
        _singular(a, _INV_MSG, name)
    if _first_zero_pivot(a) is not None:  # LAPACK flags exact zero pivots only; NumPy's may have pivoted past
        _singular(a, _INV_MSG, name)
    return out.astype(a.dtype, copy=False)


def _mT(t):
    return t.transpose(-2, -1)


class LinalgInvEx(Function):
    formula = "A⁻¹"
    derivatives = ("-A⁻ᵀ·g·A⁻ᵀ",)

    @staticmethod
    def forward(ctx, A, name="linalg.inv"):
        check_square(name, A)
        ctx.save(inverse=OUTPUT)
        return inv_array(A._data, name)

    @staticmethod
    def backward(ctx, g):
        (inverse,) = ctx.saved_tensors
        inv_t = _mT(inverse)
        return -(inv_t @ (g @ inv_t))


class LinalgDet(Function):
    formula = "det A"
    derivatives = ("det A · A⁻ᵀ",)

    @staticmethod
    def forward(ctx, A):
        check_square("linalg.det", A)
        ctx.save(A=A, result=OUTPUT)
        lu = _lapack.lu_of_transpose(A._data) if A._data.shape[-1] else None
        if lu is None:
            return np.asarray(np.linalg.det(A._data)).astype(A._data.dtype, copy=False)
        diag, out, _ = lu
        for j in range(diag.shape[-1]):  # the diagonal's product, in order
            out = out * diag[..., j]
        return out

    @staticmethod
    def backward(ctx, g):
        A, det = ctx.saved_tensors
        return (g * det).unsqueeze(-1).unsqueeze(-1) * _mT(LinalgInvEx.apply(A, name="linalg.det"))


def slogdet_arrays(a):
    """(sign, log|det|): with MKL as PyTorch, Σ log|uᵢᵢ| over the LU of Aᵀ (PyTorch's sum order), else NumPy's."""
    lu = _lapack.lu_of_transpose(a) if a.shape[-1] else None
    if lu is None:
        sign, logabs = np.linalg.slogdet(a)
        return np.asarray(sign).astype(a.dtype, copy=False), np.asarray(logabs).astype(a.dtype, copy=False)
    diag, sign, _ = lu
    absd = np.abs(diag)
    logs = mkl.unary("log", absd)
    logs = np.log(absd) if logs is None else logs.reshape(absd.shape)
    sign = sign * np.prod(np.sign(diag), axis=-1)
    return np.asarray(sign, dtype=a.dtype), np.asarray(_reduction.torch_sum(logs, -1), dtype=a.dtype)


class LinalgSlogdetLogabsdet(Function):
    """log|det A|, the second output of slogdet (PyTorch records one LinalgSlogdetBackward0 for both)."""
    backward_name = "LinalgSlogdetBackward0"
    formula = "log|det A|"
    derivatives = ("A⁻ᵀ",)

    @staticmethod
    def forward(ctx, A):
        check_square("linalg.slogdet", A)
        ctx.save(A=A)
        return slogdet_arrays(A._data)[1]

    @staticmethod
    def backward(ctx, g):
        (A,) = ctx.saved_tensors
        return g.unsqueeze(-1).unsqueeze(-1) * _mT(LinalgInvEx.apply(A, name="linalg.slogdet"))


class LinalgSlogdetSign(Function):
    """The sign of det A, the first output of slogdet: piecewise constant, its gradient is zero."""
    backward_name = "LinalgSlogdetBackward0"
    formula = "sign det A"
    derivatives = ("0",)

    @staticmethod
    def forward(ctx, A):
        check_square("linalg.slogdet", A)
        ctx.save(A=A)
        return slogdet_arrays(A._data)[0]

    @staticmethod
    def backward(ctx, g):
        (A,) = ctx.saved_tensors
        return A * 0


def solve_shapes(A, B, left=True):
    """PyTorch's rules: B is a batch of vectors when it is 1-D or has A's batch shape; else of matrices.
    Returns (B as matrices, whether B was vectors); a shape mismatch names both shapes."""
    a, b = A._data, B._data
    check_square("linalg.solve", A)
    if a.dtype != b.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found A of type "
                           f"{_TYPE[a.dtype.name]} and B of type {_TYPE[b.dtype.name]} instead")
    vector = left and (b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1]))
    n = a.shape[-1]
    bm = b.reshape(b.shape + (1,)) if vector or b.ndim == 1 else b
    if (bm.shape[-2] if left else bm.shape[-1]) != n:
        shown = f"{bm.shape[-2]}x{bm.shape[-1]}"
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({n}x{n} and {shown})")
    try:
        np.broadcast_shapes(a.shape[:-2], bm.shape[:-2])
    except ValueError:
        sa, sb = bm.shape[:-2], a.shape[:-2]  # PyTorch names B's batch "tensor a", A's "tensor b"
        k = max(len(sa), len(sb))
        sa, sb = (1,) * (k - len(sa)) + sa, (1,) * (k - len(sb)) + sb
        i = next(i for i in range(k - 1, -1, -1) if sa[i] != sb[i] and 1 not in (sa[i], sb[i]))
        raise RuntimeError(f"The size of tensor a ({sa[i]}) must match the size of tensor b ({sb[i]}) "
                           f"at non-singleton dimension {i}") from None
    return vector


class LinalgSolveEx(Function):
    formula = "A⁻¹·B"
    derivatives = ("-A⁻ᵀ·g·Xᵀ", "A⁻ᵀ·g")

    @staticmethod
    def forward(ctx, A, B, vector=False):
        ctx.save(A=A, result=OUTPUT)
        ctx.vector = vector
        a, b = A._data, B._data
        bm = b[..., None] if vector else b
        batch = np.broadcast_shapes(a.shape[:-2], bm.shape[:-2])
        a_b = np.broadcast_to(a, batch + a.shape[-2:])
        b_b = np.broadcast_to(bm, batch + bm.shape[-2:])
        done = _lapack.solve(np.ascontiguousarray(a_b), np.ascontiguousarray(b_b)) if b_b.size else None
        if done is not None:
            _raise_info(done[1], _SOLVE_MSG, "torch.linalg.solve", a_b.ndim)
            x = done[0]
        elif a.shape[-1] == 0 or b_b.size == 0:
            x = np.zeros(b_b.shape, a.dtype)
        else:
            try:
                x = np.linalg.solve(a_b, b_b)
            except np.linalg.LinAlgError:
                _singular(a_b, _SOLVE_MSG, "torch.linalg.solve")
            if _first_zero_pivot(a_b) is not None:
                _singular(a_b, _SOLVE_MSG, "torch.linalg.solve")
        return (x[..., 0] if vector else x).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        A, X = ctx.saved_tensors
        vector = ctx.vector
        gB = LinalgSolveEx.apply(_mT(A), g, vector=vector)
        if vector:
            gA = -(gB.unsqueeze(-1) @ X.unsqueeze(-2))
        else:
            gA = -(gB @ _mT(X))
        need = ctx.needs_input_grad
        return (gA if need[0] else None), (gB if need[1] else None)
