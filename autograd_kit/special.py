"""``torch.special``: the error functions (erf, erfc, erfinv, ndtr) and the special-function names PyTorch
gives to ops the kit already has (expit = sigmoid, expm1, exp2, log1p, logsumexp, softmax, log_softmax,
round, xlogy, logit, gammaln, digamma/psi, polygamma). Each is the same op as the top-level function, so
records the same node."""
import math

from . import _functions as _F
from ._functions_math import _t

erf, erfc, erfinv = _F.erf, _F.erfc, _F.erfinv
expm1, exp2, log1p, logsumexp, round = _F.expm1, _F.exp2, _F.log1p, _F.logsumexp, _F.round

__all__ = ["erf", "erfc", "erfinv", "ndtr", "expit", "expm1", "exp2", "log1p", "logsumexp", "softmax",
           "log_softmax", "round", "xlogy", "logit", "gammaln", "digamma", "psi", "polygamma"]


def expit(input):
    return _F.sigmoid(input)


def ndtr(input):
    """The standard normal CDF, Φ(x) = (1 + erf(x/√2))/2."""
    return (1 + _F.erf(_t(input) * (1 / math.sqrt(2)))) * 0.5


def softmax(input, dim, *, dtype=None):
    return _F.softmax(input, dim, dtype=dtype)


def log_softmax(input, dim, *, dtype=None):
    return _F.log_softmax(input, dim, dtype=dtype)


def gammaln(input):
    return _F.lgamma(input)


def psi(input):
    return _F.digamma(input)


digamma, polygamma, xlogy, logit = _F.digamma, _F.polygamma, _F.xlogy, _F.logit
