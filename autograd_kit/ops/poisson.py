"""``torch.poisson(rates)``: Poisson draws as PyTorch's CPU sampler makes them (NumPy's algorithms: Knuth's
product of uniforms below rate 10, Hörmann's transformed rejection from 10 up), one element after another from
the same double uniforms of the generator, so the kit draws PyTorch's numbers after ``manual_seed``. Recorded as
PoissonBackward0, whose gradient is zero."""
import math

import numpy as np

from .._generator import _gen
from .._sampling import unit_uniform
from ..autograd.function import Function


def _draw(lam, gen):
    uniform = lambda: float(unit_uniform(gen, 1, np.float64)[0])  # noqa: E731
    if lam >= 10:
        slam, loglam = math.sqrt(lam), math.log(lam)
        b = 0.931 + 2.53 * slam
        a = -0.059 + 0.02483 * b
        invalpha = 1.1239 + 1.1328 / (b - 3.4)
        vr = 0.9277 - 3.6224 / (b - 2)
        while True:
            U = uniform() - 0.5
            V = uniform()
            us = 0.5 - abs(U)
            k = math.floor((2 * a / us + b) * U + lam + 0.43)
            if us >= 0.07 and V <= vr:
                return k
            if k < 0 or (us < 0.013 and V > us):
                continue
            if (math.log(V) + math.log(invalpha) - math.log(a / (us * us) + b)) <= (
                    -lam + k * loglam - math.lgamma(k + 1.0)):
                return k
    if lam == 0:
        return 0
    enlam = math.exp(-lam)
    x, prod = 0, 1.0
    while True:
        prod *= uniform()
        if prod > enlam:
            x += 1
        else:
            return x


def poisson_array(rates, generator=None):
    r = np.ascontiguousarray(rates)
    if r.size and not (r >= 0).all():
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    gen = _gen(generator)
    flat = r.reshape(-1).astype(np.float64)
    out = np.fromiter((_draw(v, gen) for v in flat), dtype=np.float64, count=flat.size)
    return out.astype(r.dtype).reshape(r.shape)


class Poisson(Function):
    formula = "a Poisson draw with rate a"
    derivatives = ("0",)

    @staticmethod
    def forward(ctx, rates, generator=None):
        ctx.save(self=rates)
        return poisson_array(rates._data, generator)

    @staticmethod
    def backward(ctx, g):
        return g * 0
