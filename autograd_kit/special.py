"""``torch.special``: the error functions (erf, erfc, erfinv, ndtr) and the special-function names PyTorch
gives to ops the kit already has (expit = sigmoid, expm1, exp2, log1p, logsumexp, softmax, log_softmax,
round, xlogy). Each is the same op as the top-level function, so records the same node."""
import math

from . import _functions as _F
from ._functions_math import _t

erf, erfc, erfinv = _F.erf, _F.erfc, _F.erfinv
expm1, exp2, log1p, logsumexp, round = _F.expm1, _F.exp2, _F.log1p, _F.logsumexp, _F.round

__all__ = ["erf", "erfc", "erfinv", "ndtr", "expit", "expm1", "exp2", "log1p", "logsumexp", "softmax",
           "log_softmax", "round", "xlogy", "logit"]


def expit(input):
    return _F.sigmoid(input)


def ndtr(input):
    """The standard normal CDF, Φ(x) = (1 + erf(x/√2))/2."""
    return (1 + _F.erf(_t(input) * (1 / math.sqrt(2)))) * 0.5


def softmax(input, dim, *, dtype=None):
    return _F.softmax(input, dim, dtype=dtype)


def log_softmax(input, dim, *, dtype=None):
    return _F.log_softmax(input, dim, dtype=dtype)


def xlogy(input, other):
    """input · log(other), 0 where input is 0."""
    input = _t(input)
    return _F.where(input == 0, 0.0, input * _F.log(other if hasattr(other, "_data") else _t(other)))


def logit(input, eps=None):
    input = _t(input)
    if eps is not None:
        input = input.clamp(eps, 1 - eps)
    return (input / (1 - input)).log()
