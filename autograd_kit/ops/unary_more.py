"""More one-input elementwise ops that tutorials use: log10/log2, expm1/exp2, tan and the inverse and
hyperbolic trig functions. Same pattern as ``unary.py``: NumPy forward, tensor-op backward beside it."""
import math

import numpy as np

from .unary import _unary


def _via_float64(np_fn):
    """float32 inputs computed in float64 and rounded once: correctly rounded, as PyTorch's kernels are
    on the values tutorials print (log10(100.) is exactly 2)."""
    def fn(d):
        if d.dtype == np.float32:
            return np_fn(d.astype(np.float64)).astype(np.float32)
        return np_fn(d)
    return fn


def _log10_b(ctx, g):
    (a,) = ctx.saved_tensors
    return g / (a * 2.3025850929940456)  # derivatives.yaml's constant (1 ulp below math.log(10))


def _log2_b(ctx, g):
    (a,) = ctx.saved_tensors
    return g / (a * math.log(2.0))


def _expm1_b(ctx, g):
    (out,) = ctx.saved_tensors
    return g * (out + 1)


def _exp2_b(ctx, g):
    (out,) = ctx.saved_tensors
    return g * out * math.log(2.0)


def _tan_b(ctx, g):
    (out,) = ctx.saved_tensors
    return g * (1 + out * out)


def _asin_b(ctx, g):
    (a,) = ctx.saved_tensors
    return g * (1 - a * a).rsqrt()


def _acos_b(ctx, g):
    (a,) = ctx.saved_tensors
    return g * -(1 - a * a).rsqrt()  # PyTorch's order: the sign of a nan follows it


def _atan_b(ctx, g):
    (a,) = ctx.saved_tensors
    return g / (a * a + 1)


def _sinh_b(ctx, g):
    (a,) = ctx.saved_tensors
    return g * a.cosh()


def _cosh_b(ctx, g):
    (a,) = ctx.saved_tensors
    return g * a.sinh()


Log10 = _unary("Log10", _via_float64(np.log10), "log₁₀ a", "1/(a·ln 10)", _log10_b, vml="log10")
Log2 = _unary("Log2", _via_float64(np.log2), "log₂ a", "1/(a·ln 2)", _log2_b, vml="log2")
Expm1 = _unary("Expm1", np.expm1, "eᵃ - 1", "eᵃ", _expm1_b, save_output=True)
Exp2 = _unary("Exp2", np.exp2, "2ᵃ", "2ᵃ·ln 2", _exp2_b, save_output=True)
Tan = _unary("Tan", np.tan, "tan a", "1 + tan²a", _tan_b, save_output=True, vml="tan")
Asin = _unary("Asin", np.arcsin, "asin a", "1/√(1 - a²)", _asin_b, vml="asin")
Acos = _unary("Acos", np.arccos, "acos a", "-1/√(1 - a²)", _acos_b, vml="acos")
Atan = _unary("Atan", np.arctan, "atan a", "1/(1 + a²)", _atan_b, vml="atan")
Sinh = _unary("Sinh", np.sinh, "sinh a", "cosh a", _sinh_b)
Cosh = _unary("Cosh", np.cosh, "cosh a", "sinh a", _cosh_b)
