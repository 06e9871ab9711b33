"""Elementwise ops, re-exported from where they live: ``arithmetic.py`` (add, sub, mul, div, pow,
remainder), ``unary.py`` (exp/log, trig, activations, rounding) and ``selection.py`` (clamp, where,
maximum/minimum, masked_fill)."""
from .arithmetic import (  # noqa: F401
    Add, Sub, Rsub, Mul, Div, Neg, Pow, PowTensor, PowScalarBase, Remainder, RemainderTensor, DivMode,
    FloorDivide
)
from .unary import (  # noqa: F401
    Exp, Log, Sqrt, Sin, Cos, Tanh, Sigmoid, Reciprocal, Rsqrt, Log1p, Abs, Relu, Round, Floor, Ceil,
    Trunc, Sign
)
from .selection import (  # noqa: F401
    Clamp, Where, Maximum, Minimum, MaskedFill, MaskedFillTensor, ClampMin, ClampMax, ClampTensor
)
