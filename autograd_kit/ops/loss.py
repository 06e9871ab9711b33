"""Loss ops, each one node as in PyTorch: MseLossBackward0, NllLossBackward0 (NllLoss2DBackward0),
BinaryCrossEntropyBackward0, BinaryCrossEntropyWithLogitsBackward0, SmoothL1LossBackward0,
HuberLossBackward0.

Forward (NumPy) and backward (tensor ops, so create_graph works) side by side. Only the input and
the target are graph edges (``next_functions``); weights and options are keyword arguments.
``reduction`` is 'mean', 'sum' or 'none'; 'mean' divides by the number of elements.
"""
import numpy as np

from .activation import LogSigmoid, _log_sigmoid_np, _softplus_np, const, float_data
from .. import _sleef, _vec
from .._grad_mode import is_grad_enabled
from .._reduction import torch_sum
from ..autograd.function import Function
from ._util import broadcast_error, result_dtype, shape_of
from .selection import Where


def _reduce(loss, reduction, dtype):
    """ATen's reduction of an elementwise loss: ``sum`` (torch_sum's order), ``mean`` = sum / numel."""
    if reduction == "none":
        return loss.astype(dtype, copy=False)
    total = np.asarray(torch_sum(loss.astype(dtype, copy=False)), dtype=dtype)
    if reduction == "mean":
        with np.errstate(invalid="ignore"):  # 0/0 is nan for an empty batch, as in PyTorch
            total = total / dtype.type(loss.size)
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
        need = ctx.needs_input_grad
        dtype = np.result_type(a._data, t._data)
        if not is_grad_enabled() and dtype in (np.float32, np.float64):  # ATen's *_backward kernel
            norm = dtype.type(1.0 / ctx.numel if ctx.reduction == "mean" else 1.0)
            (p,) = ctx.param.values()
            shape = np.broadcast_shapes(a._data.shape, t._data.shape)

            def run(x, y):  # 16 floats / 8 doubles per step (probed), then the scalar code (parameter a double)
                args = [np.ascontiguousarray(np.broadcast_to(v, shape), dtype) for v in (x, y, grad._data)]
                with np.errstate(divide="ignore", invalid="ignore"):
                    out = _vec.elementwise(args[0], cls.kernel_vec(norm, dtype.type(p)),
                                           cls.kernel_scalar(norm, np.float64(p)), *args[1:], unroll=1)
                return const(out, a)
            return (run(a._data, t._data) if need[0] else None), (run(t._data, a._data) if need[1] else None)
        g = _scaled(ctx, grad * cls.slope(a - t, **ctx.param))
        return (g if need[0] else None), (-g if need[1] else None)


class MseLoss(Function):
    """(a - b)²; its backward is ATen's mse_loss_backward: norm·(a - b)·g with norm = 2/numel ('mean')
    or 2, rounded to the tensor's dtype (and norm·(b - a)·g for the target)."""
    formula = "(a - b)²"
    derivatives = ("2(a - b)", "-2(a - b)")

    @staticmethod
    def forward(ctx, input, target, reduction="mean"):
        d, dtype = _difference(input, target, "mse_cpu")
        ctx.save(self=input, target=target)
        ctx.reduction, ctx.numel = reduction, d.size
        return _reduce(d * d, reduction, dtype)

    @staticmethod
    def backward(ctx, grad):
        a, t = ctx.saved_tensors
        dtype = np.result_type(a._data, t._data)
        norm = float(dtype.type(2.0 / ctx.numel if ctx.reduction == "mean" else 2.0))
        need = ctx.needs_input_grad
        return (((a - t) * norm) * grad if need[0] else None), (((t - a) * norm) * grad if need[1] else None)


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

    @staticmethod
    def kernel_vec(norm, beta):  # smooth_l1_backward_cpu_kernel's vector code (beta in the tensor's type)
        def f(x, y, g):
            d = x - y
            one = d.dtype.type(1)
            return norm * np.where(np.abs(d) >= beta, np.where(d > 0, one, -one), d / beta) * g
        return f

    @staticmethod
    def kernel_scalar(norm, beta):  # its scalar code: beta is a double there
        def f(x, y, g):
            d = x - y
            inside = ((norm * d * g) / beta).astype(d.dtype)
            return np.where(d <= -beta, -norm * g, np.where(d >= beta, norm * g, inside))
        return f


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

    @staticmethod
    def kernel_vec(norm, delta):  # huber_backward_cpu_kernel's vector code (delta in the tensor's type)
        def f(x, y, g):
            d = x - y
            one = d.dtype.type(1)
            return norm * np.where(np.abs(d) >= delta, np.where(d > 0, one, -one) * delta, d) * g
        return f

    @staticmethod
    def kernel_scalar(norm, delta):  # its scalar code: delta is a double there
        def f(x, y, g):
            d = x - y
            low = ((-norm * g) * delta).astype(d.dtype)
            high = ((norm * g) * delta).astype(d.dtype)
            return np.where(d <= -delta, low, np.where(d >= delta, high, norm * d * g))
        return f


_BCE_EPS = float(np.float32(1e-12))  # ATen's EPSILON is a float constant, also for float64 tensors


class BinaryCrossEntropy(Function):
    """ATen's binary_cross_entropy (native/Loss.cpp, scalar C code): (t - 1)·max(log1p(-x), -100) -
    t·max(log(x), -100) per element, times the weight, then mean/sum; backward g·(x - t) / max((1 - x)·x,
    1e-12), times the weight, divided by numel for 'mean'."""
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
        dtype = x.dtype
        floor = dtype.type(-100)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_1mx = np.maximum(_sleef.libm("log1p", -x), floor)
            log_x = np.maximum(_sleef.libm("log", x), floor)
            loss = ((t - dtype.type(1)) * log_1mx - t * log_x).astype(dtype, copy=False)
        if weight is not None:
            loss = (loss * weight._data).astype(dtype, copy=False)
        ctx.reduction, ctx.numel = reduction, loss.size
        return _reduce(loss, reduction, dtype)

    @staticmethod
    def backward(ctx, grad):
        x, t, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = gt = None
        if need[0]:
            gx = grad * (x - t) / ((1 - x) * x).clamp(min=_BCE_EPS)
            if w is not None:
                gx = gx * w
            if ctx.reduction == "mean":
                gx = gx / ctx.numel
        if need[1]:  # binary_cross_entropy_target_backward: -logit(x)·g (·w) (/ numel)
            gt = ((1 - x).log() - x.log()) * grad
            if w is not None:
                gt = gt * w
            if ctx.reduction == "mean":
                gt = gt / ctx.numel
        return gx, gt


class BinaryCrossEntropyWithLogits(Function):
    formula = "(1 - b)·a + (1 + (p - 1)b)·log(1 + e⁻ᵃ)"
    derivatives = ("σ(a)(1 + (p - 1)b) - p·b", "log σ(-a) - p·log σ(a)")

    @staticmethod
    def forward(ctx, input, target, weight=None, pos_weight=None, reduction="mean"):
        x, t = float_data(input, "log_sigmoid_cpu"), target._data
        ctx.save(self=input, target=target, weight=weight, pos_weight=pos_weight)
        dtype = result_dtype(input, target)
        one = dtype.type(1)
        if x.dtype in (np.float32, np.float64):  # ATen: log_sigmoid's kernel, then tensor ops in this order
            log_sig = _log_sigmoid_np(x)[0]
        else:
            log_sig = -_softplus_np(-x)
        if pos_weight is not None:
            log_sig = log_sig * ((pos_weight._data - one) * t + one)
        loss = (one - t) * x - log_sig
        if weight is not None:
            loss = loss * weight._data
        ctx.reduction, ctx.numel = reduction, loss.size
        return _reduce(loss, reduction, dtype)

    @staticmethod
    def backward(ctx, grad):
        # binary_cross_entropy_with_logits_backward / _target_backward, in ATen's order
        x, t, w, pw = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = gt = None
        if need[0]:
            if pw is None:
                gx = (x.sigmoid() - t) * grad
            else:
                pt = pw * t
                gx = ((pt + 1 - t) * x.sigmoid() - pt) * grad
        if need[1]:
            if pw is None:
                gt = -x * grad
            else:
                gt = (LogSigmoid.apply(-x) - LogSigmoid.apply(x) * pw) * grad
        out = []
        for g in (gx, gt):
            if g is not None and w is not None:
                g = g * w
            if g is not None and ctx.reduction == "mean":
                g = g / ctx.numel
            out.append(g)
        return tuple(out)


def _ceil_log2(n):
    return 0 if n <= 1 else int(n - 1).bit_length()


def _sequential_groups(values, group, n_groups, step, dtype):
    """Left-to-right sums of ``values`` within each group (groups are runs, in order), each from 0:
    ``step(acc, value)`` is one accumulation; returns one sum per group."""
    sums = np.zeros(n_groups, dtype)
    if values[0].size == 0:
        return sums
    if values[0].size <= 64:  # a few items: NumPy scalars (IEEE float32/float64 arithmetic) in a loop
        acc = [dtype.type(0)] * n_groups
        for i, k in enumerate(group.tolist()):
            acc[k] = step(acc[k], *(v[i] for v in values))
        return np.array(acc, dtype)
    starts = np.searchsorted(group, np.arange(n_groups))
    rank = np.arange(group.size) - starts[group]
    width = int(rank.max()) + 1
    cols = [np.zeros((n_groups, width), dtype) for _ in values]
    present = np.zeros((n_groups, width), bool)
    present[group, rank] = True
    for c, v in zip(cols, values):
        c[group, rank] = v
    for k in range(width):
        sums = np.where(present[:, k], step(sums, *(c[:, k] for c in cols)), sums)
    return sums


def cascade_sum(position, values, step, n, dtype):
    """ATen's ``cascade_sum`` in nll_loss/nll_loss2d: accumulators at 8 levels; the element at linear
    position b goes into level 0 (``step``), and level j is added into level j+1 and cleared whenever b is
    a multiple of 16^(j+1); at the end the levels are added up from level 0. ``position`` holds the kept
    elements' positions (ignored targets neither add nor carry)."""
    power = max(4, _ceil_log2(n) // 8)
    end = position
    items = values
    partials = []
    for level in range(8):
        if end.size == 0:  # nothing reaches this level: it and the ones above stay 0
            partials.extend([dtype.type(0)] * (8 - level))
            break
        last = level == 7
        flush = np.zeros(end.size, bool) if last else (end % (1 << (power * (level + 1)))) == 0
        group = np.cumsum(flush) - flush
        n_groups = int(flush.sum()) + 1
        sums = _sequential_groups(items, group, n_groups, step if level == 0 else np.add, dtype)
        partials.append(sums[-1])
        items = (sums[:-1],)
        end = end[flush]
        step = None
    total = dtype.type(0)
    for p in partials:
        total = dtype.type(total + p)
    return total


def _loss_step(weighted):
    if weighted:  # loss -= data * w (LossNLL.cpp is built without FMA: two roundings)
        return lambda acc, data, w: acc - data * w
    return lambda acc, data: acc - data


class NllLoss(Function):
    """-w[t]·input[t] per sample, class dim 1 (0 for a 1-D input); 'mean' divides by Σ w[t], each sum in
    ATen's cascade order (nll_loss_out_frame / nll_loss2d_forward_out_frame)."""
    formula = "-w[b]·a[b]"
    derivatives = ("-w[b] at b, 0 elsewhere",)

    @staticmethod
    def forward(ctx, input, target=None, weight=None, reduction="mean", ignore_index=-100):
        x = input._data
        t = target._data
        dtype = x.dtype
        n_batch = 1 if x.ndim == 1 else x.shape[0]
        n_classes = x.shape[0 if x.ndim == 1 else 1]
        spatial = int(np.prod(x.shape[2:], dtype=np.int64))
        x3 = x.reshape(n_batch, n_classes, spatial)
        t2 = t.reshape(n_batch, spatial).astype(np.int64)
        ignored = t2 == ignore_index
        bad = ~ignored & ((t2 < 0) | (t2 >= n_classes))
        if bad.any():
            raise IndexError(f"Target {int(t2[bad].flat[0])} is out of bounds.")
        safe = np.where(ignored, 0, t2)
        w = None if weight is None else weight._data
        w_t = np.where(ignored, 0, 1 if w is None else w[safe]).astype(dtype)
        picked = np.take_along_axis(x3, safe[:, None, :], axis=1)[:, 0, :]
        mask = np.zeros_like(x3)
        np.put_along_axis(mask, safe[:, None, :], w_t[:, None, :], axis=1)
        ctx.save(self=input, target=target, weight=weight)
        ctx.reduction = reduction
        ctx.mask = mask.reshape(x.shape)
        targets = np.zeros(x3.shape, bool)
        np.put_along_axis(targets, safe[:, None, :], ~ignored[:, None, :], axis=1)
        ctx.targets = targets.reshape(x.shape)
        if reduction == "none":
            losses = np.where(ignored, dtype.type(0), -picked * w_t).astype(dtype)
            return losses.reshape(target._data.shape if x.ndim > 1 else ())
        kept = ~ignored.ravel()
        position = np.flatnonzero(kept)
        data = picked.ravel()[kept]
        count = t2.size
        if w is None:
            loss = cascade_sum(position, (data,), _loss_step(False), count, dtype)
            total = dtype.type(position.size)
        else:
            wk = w_t.ravel()[kept]
            loss = cascade_sum(position, (data, wk), _loss_step(True), count, dtype)
            total = cascade_sum(position, (wk,), np.add, count, dtype)
        ctx.total = total
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(loss / total if reduction == "mean" else loss, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        x = ctx.saved_tensors[0]
        mask = const(ctx.mask, x)
        if ctx.reduction == "none":
            g = -mask * (grad.unsqueeze(1) if x.dim() > 1 and grad.dim() else grad)
        elif ctx.reduction == "mean":  # nll_loss_backward: w · -(g / total_weight)
            g = mask * -(grad / const(ctx.total, x))
        else:
            g = mask * -grad
        # the other classes' gradient is a written 0 (+0), not 0·(-g)
        return Where.apply(const(ctx.targets, x).bool(), g, const(0.0, x))


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
