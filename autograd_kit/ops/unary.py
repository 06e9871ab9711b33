"""One-input elementwise ops: exp/log, sqrt, trig, sigmoid/tanh/relu, abs, sign, and rounding.

Each op's forward (NumPy, or MKL's VML where PyTorch computes the op with it) and backward (tensor ops,
so create_graph works) sit side by side.
"""
import numpy as np

from .. import _sleef, _vec
from .._fma import fma
from ..autograd.function import Function
from ..autograd.graph import OUTPUT
from ..backends import mkl
from ._util import result_dtype

_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)
_ONE64 = np.ones((), _F64)  # 1.0 as a 0-d array: a ufunc converts it faster than a Python float


def _unary(name, np_fn, formula, derivative, backward, save_output=False, backward_name=None, vml=None):
    """Declare a one-input op whose forward is a NumPy ufunc, or VML's ``vml`` function when MKL is
    loaded (the ops ATen's vml.h sends to MKL: PyTorch's exact float32/float64 results)."""

    def forward(ctx, a):
        if save_output:
            ctx.save(result=OUTPUT)
        else:
            ctx.save(self=a)
        d = a._data
        if d.dtype.kind != "f":
            d = d.astype(result_dtype(a, 1.0))
        if vml is not None:
            out = mkl.unary(vml, d)
            if out is not None:
                return out
        return np_fn(d)

    attrs = {"formula": formula, "derivatives": (derivative,), "forward": staticmethod(forward),
             "backward": staticmethod(backward)}
    if backward_name:
        attrs["backward_name"] = backward_name
    return type(name, (Function,), attrs)


def _exp_b(ctx, g):
    (out,) = ctx.saved_tensors
    return g * out


def _log_b(ctx, g):
    (a,) = ctx.saved_tensors
    return g / a


def _sqrt_b(ctx, g):
    (out,) = ctx.saved_tensors
    return g / (2 * out)


def _sin_b(ctx, g):
    (a,) = ctx.saved_tensors
    return g * a.cos()


def _cos_b(ctx, g):
    (a,) = ctx.saved_tensors
    return g * -a.sin()


def _tanh_b(ctx, g):
    (out,) = ctx.saved_tensors
    return TanhBackward.op2(g, out)


class TanhBackward(Function):
    """g·(1 - y²) for y = tanh(a): PyTorch's tanh_backward, one node (TanhBackwardBackward0) that keeps a
    create_graph gradient differentiable, in place of three tensor ops per tanh. Its kernel computes
    1 - y·y as one fused multiply-add (the compiler contracts ``one - b * b``), then the product."""
    formula = "g·(1 - y²)"
    derivatives = ("1 - y²", "-2·g·y")

    @staticmethod
    def forward(ctx, grad, out):
        need = ctx.needs_input_grad
        if need[0] or need[1]:  # recorded (create_graph): what TanhBackwardBackward0 needs
            ctx.save(grad_output=grad if need[1] else None, output=out)
        y, g = out._data, grad._data
        dt = y.dtype
        if g.dtype is dt or g.dtype == dt:
            if dt is _F32 or dt == _F32:
                # y·y is exact in float64: 1 - y·y rounded once (in place, with a 0-d one: no temporaries)
                w = y.astype(_F64)
                np.multiply(w, w, out=w)
                np.subtract(_ONE64, w, out=w)
                w = w.astype(_F32)
                return np.multiply(g, w, out=w)
            if dt == _F64:
                return np.multiply(g, fma(-y, y, 1.0, dtype=dt))
        return np.multiply(g, 1 - y * y)

    @staticmethod
    def backward(ctx, gg):
        g, out = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (TanhBackward.apply(gg, out) if need[0] else None), (gg * (out * -2 * g) if need[1] else None)


def _sigmoid_b(ctx, g):
    (out,) = ctx.saved_tensors
    return g * (1 - out) * out  # sigmoid_backward: grad * (1 - y) * y, left to right


def _sigmoid_vec(x):
    one = x.dtype.type(1)
    return one / (_sleef.vexp(x.dtype.type(0) - x) + one)


def _sigmoid_scalar(x):
    one = x.dtype.type(1)
    return one / (one + _sleef.libm_exp(-x))


def _sigmoid(x):
    # PyTorch's sigmoid kernel: 1 / (e^-x + 1) with Sleef's exp on whole vectors, 1 / (1 + std::exp(-x))
    # on each thread's last n % 32 (float64: n % 16) elements; e^-x overflowing to inf gives 0, not nan
    if x.dtype == np.float16:  # a reduced float type: PyTorch computes in float32
        return _sigmoid(x.astype(np.float32)).astype(np.float16)
    if x.dtype.kind != "f" or x.dtype.itemsize < 4:
        with np.errstate(over="ignore"):
            return x.dtype.type(1) / (x.dtype.type(1) + np.exp(-x))
    with np.errstate(over="ignore", invalid="ignore"):
        return _vec.elementwise(x, _sigmoid_vec, _sigmoid_scalar)


def _reciprocal_b(ctx, g):
    (out,) = ctx.saved_tensors
    return -g * (out * out)


def _rsqrt_b(ctx, g):
    (out,) = ctx.saved_tensors
    return -0.5 * g * out ** 3


def _log1p_b(ctx, g):
    (a,) = ctx.saved_tensors
    return g / (a + 1)


Exp = _unary("Exp", np.exp, "eᵃ", "eᵃ", _exp_b, save_output=True, vml="exp")
Log = _unary("Log", np.log, "ln a", "1/a", _log_b, vml="log")
Sqrt = _unary("Sqrt", np.sqrt, "√a", "1/(2√a)", _sqrt_b, save_output=True, vml="sqrt")
Sin = _unary("Sin", np.sin, "sin a", "cos a", _sin_b, vml="sin")
Cos = _unary("Cos", np.cos, "cos a", "-sin a", _cos_b, vml="cos")
Tanh = _unary("Tanh", np.tanh, "tanh a", "1 - tanh²a", _tanh_b, save_output=True, vml="tanh")
Sigmoid = _unary("Sigmoid", _sigmoid, "σ(a)", "σ(a)·(1 - σ(a))", _sigmoid_b, save_output=True)
Reciprocal = _unary("Reciprocal", np.reciprocal, "1/a", "-1/a²", _reciprocal_b, save_output=True)
Rsqrt = _unary("Rsqrt", lambda d: 1 / np.sqrt(d), "1/√a", "-1/(2·a^1.5)", _rsqrt_b, save_output=True)
Log1p = _unary("Log1p", np.log1p, "ln(1 + a)", "1/(1 + a)", _log1p_b, backward_name="Log1PBackward0")


class Abs(Function):
    formula = "|a|"
    derivatives = ("sign(a)",)

    @staticmethod
    def forward(ctx, a):
        ctx.save(self=a)
        return np.abs(a._data)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * a.sign()


class Relu(Function):
    formula = "max(a, 0)"
    derivatives = ("1 if a > 0 else 0",)

    @staticmethod
    def forward(ctx, a):
        ctx.save(result=OUTPUT)
        return np.maximum(a._data, 0).astype(a._data.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return ThresholdBackward.apply(grad, out)


_BITS = {np.dtype(np.float32): np.int32, np.dtype(np.float64): np.int64, np.dtype(np.float16): np.int16}


class ThresholdBackward(Function):
    """ReLU's backward, ATen's threshold_backward(grad, result, 0): 0 where result <= 0, else grad (a +0,
    never -0 or nan from grad·0); its own node (ThresholdBackwardBackward0) for create_graph."""
    formula = "g if y > 0 else 0"
    derivatives = ("1 if y > 0 else 0", "0")

    @staticmethod
    def forward(ctx, grad, out):
        ctx.save(self=out)
        g = grad._data
        bits = _BITS.get(g.dtype)
        if bits is None or g.shape != out._data.shape:
            return np.where(out._data <= 0, g.dtype.type(0), g).astype(g.dtype, copy=False)
        # g's bit pattern times (y > 0, nan included): g itself or +0 (np.where with a mask is ~10x slower)
        return np.multiply(g.view(bits), ~(out._data <= 0), dtype=bits).view(g.dtype)

    @staticmethod
    def backward(ctx, gg):
        (out,) = ctx.saved_tensors
        return (ThresholdBackward.apply(gg, out) if ctx.needs_input_grad[0] else None), None


def _stepwise(name, np_fn):
    """Piecewise-constant ops (round, floor, ...): their gradient is 0 everywhere, as in PyTorch."""
    def forward(ctx, a):
        return np_fn(a._data)

    def backward(ctx, grad):
        return grad * 0

    return type(name, (Function,), {"formula": f"{name.lower()}(a)", "derivatives": ("0",),
                                    "forward": staticmethod(forward), "backward": staticmethod(backward)})


Round, Floor, Ceil, Trunc = (_stepwise(n, f) for n, f in
                             (("Round", np.round), ("Floor", np.floor), ("Ceil", np.ceil), ("Trunc", np.trunc)))


class Sign(Function):
    formula = "sign(a)"
    derivatives = ("0",)

    @staticmethod
    def forward(ctx, a):
        ctx.shape = a._data.shape
        return np.sign(a._data)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0
