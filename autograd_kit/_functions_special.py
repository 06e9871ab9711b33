"""The functional API for the error functions (``torch.erf/erfc/erfinv``), square-matrix algebra
(``torch.inverse/det/logdet/slogdet``; the rest is in ``torch.linalg``) and quantiles
(``torch.quantile/nanquantile``), and their Tensor methods (``x.erf()``, ``x.erf_()``, ``A.inverse()``...).

quantile is composed as PyTorch composes it (sort, gather, lerp, squeeze), so its gradient, and its node
(SqueezeBackward4), are PyTorch's."""

import numpy as np

from ._tensor import Tensor
from ._functions_math import _t, where
from ._functions_reduce import sort
from .ops import pointwise as PW
from .ops import cholesky as CH, gamma as G, linalg_solve as LS, poisson as P, special as SP, views as V

__all__ = ["erf", "erfc", "erfinv", "inverse", "det", "logdet", "slogdet", "quantile", "nanquantile",
           "broadcast_tensors", "cholesky_solve", "cholesky_inverse", "lgamma", "digamma", "polygamma", "atanh",
           "asinh", "acosh", "arctanh", "arcsinh", "arccosh", "xlogy", "logit",
           "poisson"]


def erf(input):
    return SP.Erf.apply(_t(input))


def erfc(input):
    return SP.Erfc.apply(_t(input))


def erfinv(input):
    return SP.Erfinv.apply(_t(input))


def lgamma(input):
    return G.Lgamma.apply(_t(input))


def digamma(input):
    return G.Digamma.apply(_t(input))


def polygamma(n, input):
    return G.Polygamma.apply(_t(input), n=n)


def atanh(input):
    return G.Atanh.apply(_t(input))


def asinh(input):
    return G.Asinh.apply(_t(input))


def acosh(input):
    return G.Acosh.apply(_t(input))


arctanh, arcsinh, arccosh = atanh, asinh, acosh


def xlogy(input, other):
    """input·log(other), 0 where input is 0; either may be a Python number (made a tensor of the other's dtype)."""
    if not isinstance(input, Tensor):
        input = Tensor._make(np.asarray(input, dtype=other._data.dtype))
    if not isinstance(other, Tensor):
        dt = input._data.dtype if input._data.dtype.kind == "f" else np.float32
        other = Tensor._make(np.asarray(other, dtype=dt))
    return G.Xlogy.apply(input, other)


def logit(input, eps=None):
    return G.Logit.apply(_t(input), eps=eps)


def _standard_gamma(input, generator=None):
    """Gamma(input, 1) draws: PyTorch's numbers after manual_seed, differentiable in the concentration."""
    from .ops.standard_gamma import StandardGamma
    return StandardGamma.apply(input, generator=generator)


def poisson(input, generator=None):
    """Poisson draws with the given rates: PyTorch's numbers after manual_seed (PoissonBackward0, zero gradient)."""
    return P.Poisson.apply(input, generator=generator)


# ---- square matrices ------------------------------------------------------------------------------------
_slogdet_type = LS.return_type("slogdet", ["sign", "logabsdet"])


def inverse(input):
    return LS.LinalgInvEx.apply(input, name="linalg.inv")


def det(input):
    return LS.LinalgDet.apply(input)


def slogdet(input, _type=_slogdet_type):
    return _type(LS.LinalgSlogdetSign.apply(input), LS.LinalgSlogdetLogabsdet.apply(input))


def cholesky_solve(B, L, upper=False):
    """X with A X = B, given A's Cholesky factor L (A = L Lᵀ; ``upper=True``: A = Uᵀ U)."""
    return CH.CholeskySolve.apply(B, L, upper=upper)


def cholesky_inverse(L, upper=False):
    """A⁻¹ from A's Cholesky factor (composed: cholesky_solve of the identity)."""
    from ._creation import eye
    return CH.CholeskySolve.apply(eye(L.shape[-1], dtype=L.dtype).expand(*L.shape), L, upper=upper)


def logdet(input):
    """log det A: nan for a negative determinant, -inf for a singular matrix (a where over slogdet, as PyTorch)."""
    sign, logabsdet = slogdet(input)
    return where(sign == -1, float("nan"), logabsdet)


def broadcast_tensors(*tensors):
    """The tensors expanded to one broadcast shape (views, ExpandBackward0), PyTorch's error naming both sizes."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    shapes = [tuple(t.shape) for t in tensors]
    try:
        shape = np.broadcast_shapes(*shapes)
    except ValueError:
        shape = shapes[0]
        for s in shapes[1:]:
            k = max(len(shape), len(s))
            a, b = (1,) * (k - len(shape)) + shape, (1,) * (k - len(s)) + s
            for i in range(k):
                if a[i] != b[i] and 1 not in (a[i], b[i]):
                    raise RuntimeError(f"The size of tensor a ({a[i]}) must match the size of tensor b ({b[i]}) at "
                                       f"non-singleton dimension {i}") from None
            shape = tuple(max(x, y) for x, y in zip(a, b))
    return tuple(t if tuple(t.shape) == shape else t.expand(*shape) for t in tensors)


# ---- quantiles ------------------------------------------------------------------------------------------
_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(name, input, q, dim, keepdim, interpolation, ignore_nan):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    d = input._data
    if d.size == 0:
        raise RuntimeError(f"quantile() input tensor must be non-empty")
    if isinstance(q, Tensor) and q.dim() > 1:
        raise RuntimeError("quantile() q must be a scalar or 1D tensor")
    if d.dtype not in (np.float32, np.float64):
        raise RuntimeError("quantile() input tensor must be either float or double dtype")
    if isinstance(q, Tensor):
        if q._data.dtype != d.dtype:
            raise RuntimeError("quantile() q tensor must be same dtype as the input tensor")
        if not np.all((q._data >= 0) & (q._data <= 1)):
            raise RuntimeError("quantile() q values must be in the range [0, 1]")
        qt = q.detach()
    else:
        if not 0 <= q <= 1:
            raise RuntimeError(f"quantile() q must be in the range [0, 1] but got {q}")
        qt = Tensor._make(np.asarray(q, dtype=d.dtype))
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError("quantile() interpolation must be one of linear, lower, higher, midpoint or nearest, "
                           f"but got {interpolation}")
    ndim = max(input.dim(), 1)
    if dim is not None and not -ndim <= dim < ndim:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-ndim}, {ndim - 1}], but got {dim})")
    # the reduced dim last; out_shape is the result's shape without q's
    if dim is None:
        reduced = input.reshape(-1)
        out_shape = (1,) * input.dim() if keepdim else ()
    else:
        dim = dim % ndim
        x = input if input.dim() > 0 else input.reshape(1)
        out_shape = list(x.shape)
        if keepdim:
            out_shape[dim] = 1
        else:
            del out_shape[dim]
        if input.dim() == 0:
            out_shape = []  # a 0-d input stays 0-d, keepdim or not
        reduced = x if dim == x.dim() - 1 else x.unsqueeze(-1).transpose(dim, -1)
    out_shape = tuple(out_shape)
    reduced = reduced.reshape(*out_shape, reduced.shape[-1])
    qv = qt.reshape(-1)  # q as 1-D; the result's q dimension is last until the end
    r = reduced._data
    srt = sort(reduced, -1).values
    if ignore_nan:
        count = (~np.isnan(r)).sum(-1, keepdims=True)
        ranks = qv._data * (count - 1).astype(d.dtype)
        ranks = np.where(ranks < 0, 0, ranks).astype(d.dtype)
    else:
        last = r.shape[-1] - 1
        has_nan = np.isnan(r).any(-1, keepdims=True)
        ranks = np.where(has_nan, d.dtype.type(last), qv._data * d.dtype.type(last)).astype(d.dtype)
        ranks = np.broadcast_to(ranks, has_nan.shape[:-1] + qv._data.shape)
    ranks = np.broadcast_to(ranks, r.shape[:-1] + qv._data.shape)
    if interpolation == "lower":
        ranks = np.floor(ranks)
    elif interpolation == "higher":
        ranks = np.ceil(ranks)
    elif interpolation == "nearest":
        ranks = np.round(ranks)
    below = ranks.astype(np.int64)
    values = srt.gather(-1, Tensor._make(np.ascontiguousarray(below)))
    if interpolation in ("linear", "midpoint"):
        above = np.ceil(ranks).astype(np.int64)
        weights = np.full_like(ranks, 0.5) if interpolation == "midpoint" else (ranks - below).astype(d.dtype)
        values = PW.LerpTensor.apply(values, srt.gather(-1, Tensor._make(above)), Tensor._make(weights.astype(d.dtype)))
    if qt.dim() == 0:  # PyTorch squeezes in place: SqueezeBackward4
        return V.SqueezeMatmul.apply(values, dim=-1)
    return V.SqueezeMatmul.apply(values.unsqueeze(0).transpose(0, -1), dim=-1)


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    return _quantile("quantile", input, q, dim, keepdim, interpolation, ignore_nan=False)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, ignore_nan=True)


def _install_methods():
    T = Tensor
    T.erf, T.erfc, T.erfinv = erf, erfc, erfinv
    T.erf_ = lambda self: self._inplace(erf)
    T.erfc_ = lambda self: self._inplace(erfc)
    T.erfinv_ = lambda self: self._inplace(erfinv)
    T.inverse, T.det, T.logdet, T.slogdet = inverse, det, logdet, slogdet
    T.cholesky_solve, T.cholesky_inverse = cholesky_solve, cholesky_inverse
    T.lgamma, T.digamma, T.xlogy, T.logit = lgamma, digamma, xlogy, logit
    T.atanh, T.asinh, T.acosh = atanh, asinh, acosh
    T.arctanh, T.arcsinh, T.arccosh = atanh, asinh, acosh
    T.polygamma = lambda self, n: polygamma(n, self)
    for name, fn in (("lgamma", lgamma), ("digamma", digamma), ("atanh", atanh), ("asinh", asinh), ("acosh", acosh),
                     ("arctanh", atanh), ("arcsinh", asinh), ("arccosh", acosh)):
        setattr(T, name + "_", lambda self, _fn=fn: self._inplace(_fn))
    T.polygamma_ = lambda self, n: self._inplace(lambda s: polygamma(n, s))
    T.xlogy_ = lambda self, other: self._inplace(lambda s: xlogy(s, other))
    T.logit_ = lambda self, eps=None: self._inplace(lambda s: logit(s, eps))
    T.quantile, T.nanquantile = quantile, nanquantile


_install_methods()
