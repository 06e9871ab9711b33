"""``torch._standard_gamma(alpha)``: Gamma(alpha, 1) draws as PyTorch's CPU sampler makes them (Marsaglia and
Tsang's rejection, alpha < 1 boosted by U^(1/alpha)), one element after another from the generator's double
uniforms and cached Box-Muller normals, so the kit draws PyTorch's numbers after ``manual_seed``.

Backward (StandardGammaBackward0, what makes ``Gamma.rsample`` differentiable): the implicit reparameterization
dx/dα = -(∂P(α, x)/∂α) / p(x; α), P the regularized lower incomplete gamma function, its α-derivative summed
from P's series in float64. PyTorch evaluates the same derivative with a fitted approximation, so gradients
agree to its accuracy (~1e-3 relative at worst), not bit for bit."""
import math

import numpy as np

from .._generator import _gen
from .._sampling import _normal_scalar, unit_uniform
from ..autograd.function import Function
from .gamma import _lgamma64, _polygamma64

_F32 = np.float32


def _draw(alpha, gen, single):
    """One sample_gamma<scalar_t, double>: float32 inputs keep PyTorch's float arithmetic where it has it."""
    uniform = lambda: float(unit_uniform(gen, 1, np.float64)[0])  # noqa: E731
    normal = lambda: float(_normal_scalar(gen, 1, 0.0, 1.0)[0])  # noqa: E731
    scale = 1.0
    a = _F32(alpha) if single else float(alpha)
    if a < 1.0:
        if a == 0:
            return 0.0
        inv = (_F32(1.0) / a) if single else 1.0 / a
        scale *= math.pow(1 - uniform(), float(inv))
        a = (a + _F32(1.0)) if single else a + 1.0
    third = _F32(1.0) / _F32(3.0)  # 1.0f / 3.0f
    d = float(a - third) if single else a - float(third)
    c = 1.0 / math.sqrt(9.0 * d)
    c0331 = float(_F32(0.0331))
    while True:
        while True:
            x = normal()
            y = 1.0 + c * x
            if y > 0:
                break
        v = y * y * y
        u = 1 - uniform()
        xx = x * x
        if u < 1.0 - c0331 * xx * xx:
            return scale * d * v
        if math.log(u) < 0.5 * xx + d * (1.0 - v + math.log(v)):
            return scale * d * v


def standard_gamma_array(alpha, generator=None):
    a = np.ascontiguousarray(alpha)
    gen = _gen(generator)
    single = a.dtype == np.float32
    flat = a.reshape(-1)
    out = np.array([_draw(v, gen, single) for v in flat.tolist()], dtype=np.float64).astype(a.dtype)
    return np.maximum(np.finfo(a.dtype).tiny, out).reshape(a.shape)  # max(numeric_limits::min(), sample)


def standard_gamma_grad_array(alpha, x):
    """dx/dα at the sample x for X ~ Gamma(α, 1), float64."""
    a = np.asarray(alpha, np.float64).reshape(-1)
    v = np.asarray(x, np.float64).reshape(-1)
    logx = np.log(v)
    n_terms = int(min(4000, np.max(v + 12 * np.sqrt(v) + 60))) if v.size else 0
    dP = np.zeros_like(v)
    for n in range(n_terms):
        an1 = a + n + 1
        logt = -v + (a + n) * logx - _lgamma64(an1)
        dP += np.exp(logt) * (logx - _polygamma64(0, an1))
    density = np.exp((a - 1) * logx - v - _lgamma64(a))
    return (-dP / density).reshape(np.shape(alpha))


class StandardGamma(Function):
    formula = "x ~ Gamma(α, 1)"
    derivatives = ("dx/dα = -(∂P(α, x)/∂α)/p(x; α)",)

    @staticmethod
    def forward(ctx, alpha, generator=None):
        out = standard_gamma_array(alpha._data, generator)
        if ctx.needs_input_grad[0]:  # (only a recording context keeps it)
            ctx.grad = standard_gamma_grad_array(alpha._data, out).astype(out.dtype)
        return out

    @staticmethod
    def backward(ctx, g):
        return g * g._make(ctx.grad)
