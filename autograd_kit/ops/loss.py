"""Loss ops, each one node as in PyTorch: MseLossBackward0, NllLossBackward0 (NllLoss2DBackward0),
BinaryCrossEntropyBackward0, BinaryCrossEntropyWithLogitsBackward0, SmoothL1LossBackward0,
HuberLossBackward0.

Forward (NumPy) and backward (tensor ops, so create_graph works) side by side. Only the input and
the target are graph edges (``next_functions``); weights and options are keyword arguments.
``reduction`` is 'mean', 'sum' or 'none'; 'mean' divides by the number of elements.
"""
import numpy as np

from .activation import LogSigmoid, _softplus_np, const, float_data
from ..autograd.function import Function
from ._util import broadcast_error, result_dtype, shape_of


def _reduce(loss, reduction, dtype):
    if reduction == "none":
        return loss.astype(dtype, copy=False)
    total = loss.sum(dtype=dtype)
    if reduction == "mean":
        total = total / dtype.type(loss.size)  # 0/0 is nan for an empty batch, as in PyTorch
    return np.asarray(total, dtype=dtype)


def _scaled(ctx, g):
    """The incoming gradient, divided by the element count for 'mean'."""
    return g / ctx.numel if ctx.reduction == "mean" else g


def _difference(input, target, kernel):
    dtype = result_dtype(input, target)
    if dtype.kind not in "fc":
        float_data(input if input._data.dtype == dtype else target, kernel)
    try:
        d = np.subtract(input._data, target._data, dtype=dtype)
    except ValueError:
        raise broadcast_error(shape_of(input), shape_of(target)) from None
    return d, dtype


class _Pointwise:
    """Mixin: a regression loss on d = input - target; subclasses give the value and dloss/dd."""
    kernel = ""

    @classmethod
    def forward(cls, ctx, input, target, reduction="mean", **param):
        d, dtype = _difference(input, target, cls.kernel)
        ctx.save(self=input, target=target)
        ctx.reduction, ctx.numel, ctx.param = reduction, d.size, param
        return _reduce(cls.value(d, **param), reduction, dtype)

    @classmethod
    def backward(cls, ctx, grad):
        a, t = ctx.saved_tensors
        g = _scaled(ctx, grad * cls.slope(a - t, **ctx.param))
        need = ctx.needs_input_grad
        return (g if need[0] else None), (-g if need[1] else None)


class MseLoss(_Pointwise, Function):
    formula = "(a - b)²"
    derivatives = ("2(a - b)", "-2(a - b)")
    kernel = "mse_cpu"

    @staticmethod
    def value(d):
        return d * d

    @staticmethod
    def slope(d):
        return 2 * d


class SmoothL1Loss(_Pointwise, Function):
    formula = "½(a - b)²/β if |a - b| < β else |a - b| - ½β"
    derivatives = ("(a - b)/β or ±1", "-(a - b)/β or ∓1")
    kernel = "smooth_l1_cpu"

    @staticmethod
    def value(d, beta):
        ad = np.abs(d)
        return np.where(ad < beta, 0.5 * d * d / beta, ad - 0.5 * beta)

    @staticmethod
    def slope(d, beta):
        inside = np.abs(d._data) <= beta
        return d * const(inside / beta, d) + d.sign() * const(~inside, d)


class HuberLoss(_Pointwise, Function):
    formula = "½(a - b)² if |a - b| < δ else δ(|a - b| - ½δ)"
    derivatives = ("(a - b) or ±δ", "-(a - b) or ∓δ")
    kernel = "huber_cpu"

    @staticmethod
    def value(d, delta):
        ad = np.abs(d)
        return np.where(ad < delta, 0.5 * d * d, delta * (ad - 0.5 * delta))

    @staticmethod
    def slope(d, delta):
        inside = np.abs(d._data) <= delta
        return d * const(inside, d) + d.sign() * const(~inside * delta, d)


class BinaryCrossEntropy(Function):
    formula = "-w(b·log a + (1 - b)·log(1 - a))"
    derivatives = ("w(a - b)/(a(1 - a))", "w·log((1 - a)/a)")

    @staticmethod
    def forward(ctx, input, target, weight=None, reduction="mean"):
        x, t = float_data(input, "binary_cross_entropy"), target._data
        if ((x < 0) | (x > 1)).any():
            raise RuntimeError("all elements of input should be between 0 and 1")
        if ((t < 0) | (t > 1)).any():
            raise RuntimeError("all elements of target should be between 0 and 1")
        ctx.save(self=input, target=target, weight=weight)
        loss = -(t * np.maximum(np.log(x), -100) + (1 - t) * np.maximum(np.log(1 - x), -100))
        if weight is not None:
            loss = loss * weight._data
        ctx.reduction, ctx.numel = reduction, loss.size
        return _reduce(loss, reduction, x.dtype)

    @staticmethod
    def backward(ctx, grad):
        x, t, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        g = _scaled(ctx, grad if w is None else grad * w)
        gx = g * (x - t) / ((1 - x) * x).clamp(min=1e-12) if need[0] else None
        gt = g * ((1 - x).log() - x.log()) if need[1] else None
        return gx, gt


class BinaryCrossEntropyWithLogits(Function):
    formula = "(1 - b)·a + (1 + (p - 1)b)·log(1 + e⁻ᵃ)"
    derivatives = ("σ(a)(1 + (p - 1)b) - p·b", "log σ(-a) - p·log σ(a)")

    @staticmethod
    def forward(ctx, input, target, weight=None, pos_weight=None, reduction="mean"):
        x, t = float_data(input, "log_sigmoid_cpu"), target._data
        ctx.save(self=input, target=target, weight=weight, pos_weight=pos_weight)
        softplus_neg = _softplus_np(-x)  # -log σ(x), never overflowing
        if pos_weight is not None:
            softplus_neg = ((pos_weight._data - 1) * t + 1) * softplus_neg
        loss = (1 - t) * x + softplus_neg
        if weight is not None:
            loss = loss * weight._data
        ctx.reduction, ctx.numel = reduction, loss.size
        return _reduce(loss, reduction, result_dtype(input, target))

    @staticmethod
    def backward(ctx, grad):
        x, t, w, pw = ctx.saved_tensors
        need = ctx.needs_input_grad
        g = _scaled(ctx, grad if w is None else grad * w)
        gx = gt = None
        if need[0]:
            if pw is None:
                gx = g * (x.sigmoid() - t)
            else:
                pt = pw * t
                gx = g * ((pt + 1 - t) * x.sigmoid() - pt)
        if need[1]:
            gt = -g * x if pw is None else g * (LogSigmoid.apply(-x) - LogSigmoid.apply(x) * pw)
        return gx, gt


class NllLoss(Function):
    """-w[t]·input[t] per sample, class dim 1 (0 for a 1-D input); 'mean' divides by Σ w[t]."""
    formula = "-w[b]·a[b]"
    derivatives = ("-w[b] at b, 0 elsewhere",)

    @staticmethod
    def forward(ctx, input, target=None, weight=None, reduction="mean", ignore_index=-100):
        x = input._data
        t = target._data
        if x.ndim == 1:  # one sample: a (1, C) batch
            x, t = x[None], t.reshape(1)
        ignored = t == ignore_index
        safe = np.where(ignored, 0, t)
        bad = ~ignored & ((t < 0) | (t >= x.shape[1]))
        if bad.any():
            raise IndexError(f"Target {int(t[bad].flat[0])} is out of bounds.")
        w = np.ones(x.shape[1], x.dtype) if weight is None else weight._data
        w_t = np.where(ignored, 0, w[safe]).astype(x.dtype)
        picked = np.take_along_axis(x, safe[:, None], axis=1)[:, 0]
        losses = -picked * w_t
        total = w_t.sum(dtype=x.dtype)
        coef = np.zeros_like(x)
        np.put_along_axis(coef, safe[:, None], (-w_t)[:, None], axis=1)
        ctx.save(self=input, target=target, weight=weight, total_weight=total)
        ctx.reduction = reduction
        ctx.coef = coef.reshape(input._data.shape) if input._data.ndim == 1 else coef
        if reduction == "none":  # a 1-D input (one sample) gives a 0-d loss
            return losses.reshape(target._data.shape if input._data.ndim > 1 else ())
        loss = losses.sum(dtype=x.dtype)
        return np.asarray(loss / total if reduction == "mean" else loss, dtype=x.dtype)

    @staticmethod
    def backward(ctx, grad):
        x = ctx.saved_tensors[0]
        coef = ctx.coef
        if ctx.reduction == "mean":
            coef = coef / ctx.saved_tensors[3]
        if ctx.reduction == "none" and x.dim() > 1:
            grad = grad.unsqueeze(1)
        return grad * const(coef, x)


class NllLoss2d(NllLoss):
    """nll_loss on an (N, C, H, W) input: the same formula, PyTorch's own node name."""
    backward_name = "NllLoss2DBackward0"


class MulScalar(Function):
    """tensor * Python number recorded as ATen's C++ code records it inside a loss (MulBackward1)."""
    backward_name = "MulBackward1"
    formula = "a · c"
    derivatives = ("c",)

    @staticmethod
    def forward(ctx, a, other=1.0):
        ctx.other = other
        return np.asarray(a._data * other, dtype=a._data.dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.other


class DivScalar(Function):
    """tensor / Python number as ATen records it inside a loss (DivBackward1), e.g. a mean."""
    backward_name = "DivBackward1"
    formula = "a / c"
    derivatives = ("1/c",)

    @staticmethod
    def forward(ctx, a, other=1.0):
        ctx.other = other
        return np.asarray(a._data / other, dtype=a._data.dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad / ctx.other
