"""The gamma-function family and the inverse hyperbolic functions: lgamma, digamma, polygamma, atanh, asinh,
acosh (``torch.lgamma``, ``torch.special.gammaln/digamma/psi/polygamma``...), with PyTorch's backward formulas
(tensor ops, so create_graph works; PyTorch's node names):

    lgamma: ψ(a)·g     digamma: ψ⁽¹⁾(a)·g     polygamma(n): ψ⁽ⁿ⁺¹⁾(a)·g
    atanh: g/(1 - a²)  asinh: g/√(a² + 1)     acosh: g/√(a² - 1)

Forward in float64 NumPy (Lanczos for lgamma, recurrence + asymptotic series for ψ⁽ⁿ⁾), rounded once to the
input's dtype: ~1e-14 relative. PyTorch computes these with the C library and its own float kernels, so float32
results can differ from PyTorch's in the last bit.
"""
import math

import numpy as np

from ..autograd.function import Function
from ._util import result_dtype
from .unary import _unary

_LANCZOS = (0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
            1.5056327351493116e-7)
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510, 43867 / 798, -174611 / 330)


def _lgamma64(x):
    out = np.empty_like(x)
    small = x < 0.5
    xs = x[small]
    with np.errstate(divide="ignore", invalid="ignore"):  # reflection: lgamma(x) = log(π/|sin πx|) - lgamma(1-x)
        out[small] = np.log(math.pi / np.abs(np.sin(math.pi * xs))) - _lgamma64(1.0 - xs) if xs.size else xs
        out[small & (x == np.floor(x))] = np.inf  # poles at 0, -1, -2, ...
    xb = x[~small] - 1.0
    a = np.full_like(xb, _LANCZOS[0])
    for i, c in enumerate(_LANCZOS[1:], 1):
        a += c / (xb + i)
    t = xb + 7.5
    with np.errstate(invalid="ignore", over="ignore"):
        out[~small] = 0.5 * math.log(2 * math.pi) + (xb + 0.5) * np.log(t) - t + np.log(a)
    out[np.isinf(x)] = np.inf
    out[(x == 1.0) | (x == 2.0)] = 0.0  # exact, as the C library's
    return out


def _polygamma64(n, x):
    """ψ⁽ⁿ⁾(x): shift x up to ≥ 20 by the recurrence, then the asymptotic series (Bernoulli numbers)."""
    x = np.array(x, dtype=np.float64)
    out = np.zeros_like(x)
    pole = (x <= 0) & (x == np.floor(x))
    neg = x < 0
    if n == 0 and np.any(neg & ~pole):  # reflection keeps the shift short: ψ(x) = ψ(1-x) - π/tan(πx)
        m = neg & ~pole
        out[m] = _polygamma64(0, 1.0 - x[m]) - math.pi / np.tan(math.pi * x[m])
    work = ~(neg & ~pole) if n == 0 else np.ones(x.shape, bool)
    work &= np.isfinite(x) & ~pole
    xw = x[work].copy()
    acc = np.zeros_like(xw)
    sign = -1.0 if n % 2 == 0 else 1.0  # (-1)^(n+1)
    fact = math.factorial(n)
    for _ in range(int(max(0.0, 20.0 - xw.min())) + 1 if xw.size else 0):
        low = xw < 20
        if not low.any():
            break
        if n == 0:
            acc[low] -= 1.0 / xw[low]
        else:
            acc[low] += sign * fact / xw[low] ** (n + 1)
        xw[low] += 1.0
    if n == 0:
        inv2 = 1.0 / (xw * xw)
        series = np.zeros_like(xw)
        p = inv2.copy()
        for k, b in enumerate(_BERNOULLI, 1):
            series += b / (2 * k) * p
            p = p * inv2
        val = np.log(xw) - 0.5 / xw - series
    else:
        val = math.factorial(n - 1) / xw ** n + fact / (2 * xw ** (n + 1))
        for k, b in enumerate(_BERNOULLI, 1):
            val = val + b * math.factorial(2 * k + n - 1) / math.factorial(2 * k) / xw ** (2 * k + n)
        val = sign * val
    out[work] = acc + val
    if n == 0:
        out[pole & (x == 0)] = -np.inf
        out[pole & (x != 0)] = np.nan
        out[x == np.inf] = np.inf
        out[x == -np.inf] = np.nan
    else:
        out[pole] = np.inf
        out[np.isinf(x)] = 0.0 if n % 2 else np.nan
        out[x == -np.inf] = np.nan
    out[np.isnan(x)] = np.nan
    return out


def _in_float64(fn):
    def forward(d):
        flat = d.reshape(-1).astype(np.float64)
        return fn(flat).astype(d.dtype).reshape(d.shape)
    return forward


def _lgamma_b(ctx, g):
    (a,) = ctx.saved_tensors
    return g * Digamma.apply(a)


def _digamma_b(ctx, g):
    (a,) = ctx.saved_tensors
    return g * Polygamma.apply(a, n=1)


def _atanh_b(ctx, g):
    (a,) = ctx.saved_tensors
    return g * (1 / (1 - a * a))


def _asinh_b(ctx, g):
    (a,) = ctx.saved_tensors
    return g * (a * a + 1).rsqrt()


def _acosh_b(ctx, g):
    (a,) = ctx.saved_tensors
    return g * (a * a - 1).rsqrt()


Lgamma = _unary("Lgamma", _in_float64(_lgamma64), "log|Γ(a)|", "ψ(a)", _lgamma_b)
Digamma = _unary("Digamma", _in_float64(lambda x: _polygamma64(0, x)), "ψ(a)", "ψ⁽¹⁾(a)", _digamma_b)
Atanh = _unary("Atanh", np.arctanh, "atanh a", "1/(1 - a²)", _atanh_b)
Asinh = _unary("Asinh", np.arcsinh, "asinh a", "1/√(a² + 1)", _asinh_b)
Acosh = _unary("Acosh", np.arccosh, "acosh a", "1/√(a² - 1)", _acosh_b)


class Polygamma(Function):
    formula = "ψ⁽ⁿ⁾(a)"
    derivatives = ("ψ⁽ⁿ⁺¹⁾(a)",)

    @staticmethod
    def forward(ctx, a, n=1):
        if n < 0:
            raise RuntimeError("polygamma(n, x) does not support negative n.")
        ctx.save(self=a)
        ctx.n = n
        d = a._data
        if d.dtype.kind != "f":
            d = d.astype(result_dtype(a, 1.0))
        return _in_float64(lambda x: _polygamma64(n, x))(d)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * Polygamma.apply(a, n=ctx.n + 1)


class Xlogy(Function):
    """input·log(other), 0 where input is 0 (unless other is nan). Backward as PyTorch's:
    d input = xlogy(input != 0, other)·g, d other = input/other·g."""
    formula = "a·log b"
    derivatives = ("log b (0 where a = 0)", "a/b")

    @staticmethod
    def forward(ctx, a, b):
        ctx.save(self=a, other=b)
        x, y = a._data, b._data
        dt = np.result_type(x, y) if x.dtype.kind == "f" or y.dtype.kind == "f" else np.float32
        x, y = x.astype(dt, copy=False), y.astype(dt, copy=False)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = x * np.log(y)
        return np.where((x == 0) & ~np.isnan(y), dt.type(0) if hasattr(dt, "type") else 0, out).astype(dt)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        ga = g * Xlogy.apply((a != 0).to(b.dtype), b) if need[0] else None
        gb = g * a / b if need[1] else None
        return ga, gb


class Logit(Function):
    """log(p/(1-p)), p clamped to [eps, 1-eps] when eps is given; its gradient 1/(p(1-p)) (0 outside [eps, 1-eps];
    without eps, nan outside [0, 1])."""
    formula = "log(a/(1 - a))"
    derivatives = ("1/(a·(1 - a))",)

    @staticmethod
    def forward(ctx, a, eps=None):
        ctx.save(self=a)
        ctx.eps = eps
        d = a._data
        if d.dtype.kind != "f":
            d = d.astype(result_dtype(a, 1.0))
        if eps is not None:
            d = np.clip(d, eps, 1 - eps)
        with np.errstate(divide="ignore"):
            return np.log(d / (1 - d))

    @staticmethod
    def backward(ctx, g):
        from .selection import Where
        (a,) = ctx.saved_tensors
        grad = g / (a * (1 - a))
        if ctx.eps is None:  # nan outside [0, 1], as PyTorch's logit_backward
            return Where.apply((a < 0) | (a > 1), float("nan"), grad)
        return Where.apply((a < ctx.eps) | (a > 1 - ctx.eps), 0.0, grad)
