"""Activation ops of nn.functional: leaky_relu, gelu, silu, elu, softplus, logsigmoid.

Each op's forward (NumPy) and backward (tensor ops, so create_graph works) sit side by side, and
each records the node PyTorch records (LeakyReluBackward0, GeluBackward0, ...).
"""
import math

import numpy as np

from .. import _sleef, _vec
from .._fma import fma
from .._grad_mode import is_grad_enabled
from ..autograd import graph
from ..autograd.function import Function
from ..autograd.graph import OUTPUT
from .._dtype import from_numpy_dtype

_erf = np.frompyfunc(math.erf, 1, 1)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_WORDS = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
          "float16": "Half", "float32": "Float", "float64": "Double", "complex64": "ComplexFloat",
          "complex128": "ComplexDouble"}


def scalar_type(t):
    """PyTorch's ScalarType name of a tensor's dtype, as its error messages spell it ('Float', 'Long')."""
    name = np.dtype(t._data.dtype).name
    return _WORDS.get(name, from_numpy_dtype(t._data.dtype).name)


def float_data(a, kernel):
    """The input's array; PyTorch's NotImplementedError for integer and bool tensors."""
    d = a._data
    if d.dtype.kind not in "fc":
        raise NotImplementedError(f'"{kernel}" not implemented for \'{scalar_type(a)}\'')
    return d


def const(array, like):
    """A constant tensor (no grad) with ``like``'s dtype."""
    return graph.Tensor._make(np.asarray(array, dtype=like._data.dtype))


def _float_kernel(d):
    return d.dtype in (np.float32, np.float64)


def _one(x):
    return x.dtype.type(1)


# SiLU (cpu/Activation.cpp silu_kernel, silu_backward_kernel)
def _silu_vec(x):
    return x / (_one(x) + _sleef.vexp(-x))


def _silu_scalar(x):
    return x / (_one(x) + _sleef.libm_exp(-x))


def _silu_backward_vec(x, dy):
    one = _one(x)
    s = one / (one + _sleef.vexp(-x))
    return (dy * s) * fma(x, one - s, one, x.dtype)  # 1 + x·(1 - s): fused


def _silu_backward_scalar(x, dy):
    one = _one(x)
    s = one / (one + _sleef.libm_exp(-x))
    return (dy * s) * fma(x, one - s, one, x.dtype)


# log_sigmoid (log_sigmoid_cpu_kernel: every element through the vector code, partial vectors included)
def _log_sigmoid_np(x):
    """(min(x, 0) - log1p(e), e) with e = exp(-|x|), Sleef's exp and log1p."""
    with np.errstate(over="ignore", invalid="ignore"):
        e = _sleef.vexp(-np.abs(x))
        return np.minimum(x, x.dtype.type(0)) - _sleef.log1p(e), e


def _log_sigmoid_backward_np(x, e, g):
    one = _one(x)
    negative = x < 0
    max_deriv = np.where(negative, one, x.dtype.type(0))
    sign = np.where(negative, one, -one)
    return (max_deriv - sign * (e / (one + e))) * g


# softplus (softplus_kernel, softplus_backward_kernel)
def _softplus_kernel(x, beta, threshold):
    b, t = x.dtype.type(beta), x.dtype.type(threshold)

    def vec(a):
        z = a * b
        with np.errstate(over="ignore"):
            return np.where(z > t, a, _sleef.log1p(_sleef.vexp(z)) / b)

    def scalar(a):
        z = a * b
        with np.errstate(over="ignore"):
            return np.where(z > t, a, _sleef.libm("log1p", _sleef.libm_exp(z)) / b)

    return _vec.elementwise(x, vec, scalar)


def _softplus_backward_kernel(x, g, beta, threshold):
    b, t = x.dtype.type(beta), x.dtype.type(threshold)

    def make(exp):
        def f(a, dy):
            with np.errstate(over="ignore", invalid="ignore"):
                z = exp(a * b)
                return np.where(a * b > t, dy, dy * z / (z + _one(a)))
        return f

    return _vec.elementwise(x, make(_sleef.vexp), make(_sleef.libm_exp), g)


def _elu_backward_np(x, g, alpha):
    """elu_backward(grad, alpha, 1, 1, is_result=False, self): x <= 0 ? g·1·alpha·exp(x·1) : g·1."""
    one, neg = x.dtype.type(1), x.dtype.type(alpha)

    def make(exp):
        return lambda b, a: np.where(b <= 0, a * one * neg * exp(b * one), a * one)

    with np.errstate(over="ignore", invalid="ignore"):
        return _vec.elementwise(x, make(_sleef.vexp), make(_sleef.libm_exp), g)


# GELU, approximate='none', float32: ATen's GeluKernelImpl / GeluBackwardKernelImpl (PyTorch's vector erf with
# Sleef's exp, glibc's erff/expf on the scalar tail; the forward splits more than 16384 elements between the
# threads). Note: PyTorch's default build sends float32 gelu through oneDNN (eltwise_gelu_erf) instead; these
# kernels are what it computes with torch.backends.mkldnn disabled.
_GELU_ALPHA = np.float32(1 / math.sqrt(2))
_GELU_BETA = np.float32(2 / math.sqrt(math.pi) / math.sqrt(2) * 0.5)
_HALF, _ONE32, _MINUS_HALF = np.float32(0.5), np.float32(1), np.float32(-0.5)


def _gelu_grain(n):
    return n // _vec.num_threads() if n > 16384 else _vec.GRAIN_SIZE


def _gelu_f32(x):
    def vec(a):
        return a * _HALF * (_ONE32 + _sleef.erf_avx512f(a * _GELU_ALPHA))

    def scalar(a):
        return a * _HALF * (_ONE32 + _sleef.libm("erf", a * _GELU_ALPHA))

    return _vec.elementwise(x, vec, scalar, grain=_gelu_grain(x.size))


def _gelu_backward_f32(x, dy):
    def make(erf, exp, fused):
        def f(a, g):
            cdf = _HALF * (_ONE32 + erf(a * _GELU_ALPHA))
            pdf = _GELU_BETA * exp(a * a * _MINUS_HALF)
            return g * (fma(a, pdf, cdf, np.float32) if fused else cdf + a * pdf)  # the vector code fuses
        return f

    return _vec.elementwise(x, make(_sleef.erf_avx512f, _sleef.expf, True),
                            make(lambda v: _sleef.libm("erf", v), _sleef.libm_exp, False), dy)


def _sigmoid_np(x):
    e = np.exp(-np.abs(x))  # exp of a non-positive number only: no overflow at ±1000
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


def _softplus_np(x):
    """log(1 + e^x) without overflow."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


class LeakyRelu(Function):
    formula = "a if a > 0 else slope·a"
    derivatives = ("1 if a > 0 else slope",)

    @staticmethod
    def forward(ctx, a, negative_slope=0.01):
        d = float_data(a, "leaky_relu_cpu")
        ctx.save(self=a, negative_slope=negative_slope)
        ctx.slope = negative_slope
        return np.where(d > 0, d, d * negative_slope).astype(d.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (a, _) = ctx.saved_tensors
        return LeakyReluBackward.apply(grad, a, negative_slope=ctx.slope)


class LeakyReluInplace(LeakyRelu):
    """``leaky_relu_`` / ``inplace=True``: the same op under PyTorch's in-place node name."""
    backward_name = "LeakyReluBackward1"


class LeakyReluBackward(Function):
    """grad · (1 if a > 0 else slope): its own node, so the gradient stays in the graph."""
    formula = "g·(1 if a > 0 else slope)"
    derivatives = ("1 if a > 0 else slope", "0")

    @staticmethod
    def forward(ctx, grad, a, negative_slope=0.01):
        ctx.save(self=a, negative_slope=negative_slope)
        ctx.slope = negative_slope
        return np.where(a._data > 0, grad._data, grad._data * negative_slope).astype(grad._data.dtype)

    @staticmethod
    def backward(ctx, gg):
        (a, _) = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (LeakyReluBackward.apply(gg, a, negative_slope=ctx.slope) if need[0] else None), None


class Elu(Function):
    formula = "a if a > 0 else α(eᵃ - 1)"
    derivatives = ("1 if a > 0 else α·eᵃ",)

    @staticmethod
    def forward(ctx, a, alpha=1.0):
        d = float_data(a, "elu_cpu")
        ctx.save(self=a, alpha=alpha)
        ctx.alpha = alpha
        if d.dtype == np.float32:  # Elu.h: a < 0 ? expm1(a)·alpha : a (Sleef's expm1 on vectors, glibc's on the tail)
            neg = d.dtype.type(alpha)

            def make(expm1):
                return lambda x: np.where(x < 0, expm1(x) * neg, x)

            with np.errstate(over="ignore", invalid="ignore"):
                return _vec.elementwise(d, make(_sleef.expm1f), make(lambda x: _sleef.libm("expm1", x)))
        return np.where(d > 0, d, alpha * np.expm1(np.minimum(d, 0))).astype(d.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (a, _) = ctx.saved_tensors
        if not is_grad_enabled() and _float_kernel(a._data):  # elu_backward's kernel (is_result=False)
            return const(_elu_backward_np(a._data, grad._data, ctx.alpha), a)
        return Elu._formula_backward(ctx, grad)

    @staticmethod
    def _formula_backward(ctx, grad):
        (a, _) = ctx.saved_tensors
        positive = a._data > 0
        return grad * (a.clamp(max=0).exp() * const(~positive, a) * ctx.alpha + const(positive, a))


class EluInplace(Elu):
    """``elu(..., inplace=True)``: the same op under PyTorch's in-place node name."""
    backward_name = "EluBackward1"

    @staticmethod
    def backward(ctx, grad):
        return Elu._formula_backward(ctx, grad)


class Silu(Function):
    formula = "a·σ(a)"
    derivatives = ("σ(a)·(1 + a·(1 - σ(a)))",)

    @staticmethod
    def forward(ctx, a):
        d = float_data(a, "silu_cpu")
        ctx.save(self=a)
        if not _float_kernel(d):
            return d * _sigmoid_np(d)
        with np.errstate(over="ignore", invalid="ignore"):
            return _vec.elementwise(d, _silu_vec, _silu_scalar)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        if is_grad_enabled() or not _float_kernel(a._data):  # infinitely_differentiable_silu_backward
            s = a.sigmoid()
            return grad * s * (1 + a * (1 - s))
        with np.errstate(over="ignore", invalid="ignore"):  # silu_backward's kernel
            out = _vec.elementwise(a._data, _silu_backward_vec, _silu_backward_scalar, grad._data)
        return const(out, a)


class Softplus(Function):
    formula = "log(1 + e^(βa)) / β"
    derivatives = ("σ(βa)",)

    @staticmethod
    def forward(ctx, a, beta=1.0, threshold=20.0):
        d = float_data(a, "softplus_cpu")
        ctx.save(self=a, beta=beta, threshold=threshold)
        ctx.beta, ctx.threshold = beta, threshold
        if _float_kernel(d):
            return _softplus_kernel(d, beta, threshold)
        scaled = d * beta
        return np.where(scaled > threshold, d, _softplus_np(scaled) / beta).astype(d.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (a, _, _) = ctx.saved_tensors
        if not is_grad_enabled() and _float_kernel(a._data):  # softplus_backward's kernel
            return const(_softplus_backward_kernel(a._data, grad._data, ctx.beta, ctx.threshold), a)
        linear = (a._data * ctx.beta) > ctx.threshold
        return grad * ((a * ctx.beta).sigmoid() * const(~linear, a) + const(linear, a))


class LogSigmoid(Function):
    formula = "log σ(a)"
    derivatives = ("1 - σ(a)",)

    @staticmethod
    def forward(ctx, a):
        d = float_data(a, "log_sigmoid_cpu")
        ctx.save(self=a)
        if not _float_kernel(d):
            return (-_softplus_np(-d)).astype(d.dtype, copy=False)
        out, ctx.buffer = _log_sigmoid_np(d)
        return out

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        if not is_grad_enabled() and _float_kernel(a._data):  # log_sigmoid_backward with the saved buffer
            return const(_log_sigmoid_backward_np(a._data, ctx.buffer, grad._data), a)
        return grad * (-a).sigmoid()


def _gelu_grad_np(x, approximate):
    """d gelu / dx, computed in float64."""
    x = x.astype(np.float64)
    if approximate == "tanh":
        inner = _SQRT_2_OVER_PI * (x + 0.044715 * x ** 3)
        t = np.tanh(inner)
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x)
    cdf = 0.5 * (1 + _erf(x / math.sqrt(2)).astype(np.float64))
    return cdf + x * _INV_SQRT_2PI * np.exp(-0.5 * x * x)


class Gelu(Function):
    formula = "a·Φ(a)"
    derivatives = ("Φ(a) + a·φ(a)",)

    @staticmethod
    def forward(ctx, a, approximate="none"):
        if approximate not in ("none", "tanh"):
            raise RuntimeError("approximate argument must be either none or tanh.")
        d = float_data(a, "GeluKernelImpl")
        ctx.save(self=a, approximate=approximate)
        ctx.approximate = approximate
        if approximate == "none" and d.dtype == np.float32:
            with np.errstate(over="ignore", invalid="ignore"):
                return _gelu_f32(d)
        x = d.astype(np.float64)
        if approximate == "tanh":
            out = 0.5 * x * (1 + np.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x ** 3)))
        else:
            out = 0.5 * x * (1 + _erf(x / math.sqrt(2)).astype(np.float64))
        return out.astype(d.dtype)

    @staticmethod
    def backward(ctx, grad):
        (a, _) = ctx.saved_tensors
        return GeluBackward.apply(grad, a, approximate=ctx.approximate)


class GeluBackward(Function):
    """grad · gelu'(a): its own node (GeluBackwardBackward0) so that gelu has higher-order grads."""
    formula = "g·gelu'(a)"
    derivatives = ("gelu'(a)", "g·gelu''(a)")

    @staticmethod
    def forward(ctx, grad, a, approximate="none"):
        ctx.save(grad_output=grad, self=a)
        ctx.approximate = approximate
        if approximate == "none" and a._data.dtype == np.float32:
            with np.errstate(over="ignore", invalid="ignore"):
                return _gelu_backward_f32(a._data, np.asarray(grad._data, np.float32))
        return (grad._data * _gelu_grad_np(a._data, approximate)).astype(a._data.dtype)

    @staticmethod
    def backward(ctx, gg):
        g, a = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (GeluBackward.apply(gg, a, approximate=ctx.approximate) if need[0] else None,
                gg * g * _gelu_second(a, ctx.approximate) if need[1] else None)


def _gelu_second(a, approximate):
    """gelu''(a) written with tensor ops."""
    if approximate == "tanh":
        k = _SQRT_2_OVER_PI
        t = (k * (a + 0.044715 * a * a * a)).tanh()
        dinner = k * (1 + 3 * 0.044715 * a * a)
        sech2 = 1 - t * t
        return sech2 * dinner - a * t * sech2 * dinner * dinner + 0.5 * a * sech2 * (k * 6 * 0.044715 * a)
    return (a * a * -0.5).exp() * _INV_SQRT_2PI * (2 - a * a)
