"""The loss functions of ``nn.functional``: argument checks with PyTorch's messages, then one op each.

Each loss records PyTorch's node (MseLossBackward0, NllLossBackward0, BinaryCrossEntropyBackward0, ...);
the ops themselves (forward and backward side by side) are in ``autograd_kit.ops.loss``.
"""
import warnings

import autograd_kit as ak
from ..ops import loss as L
from ..ops.activation import float_data, scalar_type


def _size(t):
    return f"torch.Size({list(t.shape)})"


def _reduction_string(size_average, reduce, reduction):
    """PyTorch's legacy ``size_average``/``reduce`` arguments mapped to ``reduction`` (with its warning)."""
    if size_average is None and reduce is None:
        if reduction not in ("none", "mean", "sum"):
            raise ValueError(f"{reduction} is not a valid value for reduction")
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    result = "mean" if size_average and reduce else "sum" if reduce else "none"
    warnings.warn("size_average and reduce args will be deprecated, please use "
                  f"reduction='{result}' instead.", stacklevel=3)
    return result


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _warn_size_mismatch(input, target):
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(
            f"Using a target size ({_size(target)}) that is different to the input size "
            f"({_size(input)}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.", stacklevel=3)


# ----- regression losses -------------------------------------------------------------------------
def _weighted_loss(errors, input, weight, reduction):
    if tuple(weight.shape) != tuple(input.shape):
        raise ValueError("Weights and input must have the same size.")
    weighted = errors * weight
    if reduction == "mean":
        return weighted.sum() / weight.sum()
    return _reduce(weighted, reduction)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    _warn_size_mismatch(input, target)
    reduction = _reduction_string(size_average, reduce, reduction)
    if weight is not None:  # PyTorch composes the weighted form from ordinary ops too
        return _weighted_loss((input - target) ** 2, input, weight, reduction)
    return L.MseLoss.apply(input, target, reduction=reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    _warn_size_mismatch(input, target)
    reduction = _reduction_string(size_average, reduce, reduction)
    errors = (input - target).abs()
    return _reduce(errors, reduction) if weight is None else _weighted_loss(errors, input, weight, reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    _warn_size_mismatch(input, target)
    reduction = _reduction_string(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0.0:  # PyTorch hands beta=0 to l1_loss
        return _reduce((input - target).abs(), reduction)
    return L.SmoothL1Loss.apply(input, target, reduction=reduction, beta=beta)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    _warn_size_mismatch(input, target)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    if weight is not None:
        errors = L.HuberLoss.apply(input, target, reduction="none", delta=delta)
        return _weighted_loss(errors, input, weight, reduction)
    return L.HuberLoss.apply(input, target, reduction=reduction, delta=delta)


# ----- binary classification --------------------------------------------------------------------
def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """``-w * (y log x + (1-y) log(1-x))`` with each log clamped at -100, as PyTorch does."""
    reduction = _reduction_string(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(
            f"Using a target size ({_size(target)}) that is different to the input size "
            f"({_size(input)}) is deprecated. Please ensure they have the same size.")
    if target.dtype != input.dtype:
        raise RuntimeError(f"Found dtype {scalar_type(target)} but expected {scalar_type(input)}")
    return L.BinaryCrossEntropy.apply(input, target, weight=weight, reduction=reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """``(1-y)x + (1 + (p-1)y) log(1 + e^-x)``, computed without overflow."""
    reduction = _reduction_string(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({_size(target)}) must be the same as input size "
                         f"({_size(input)})")
    float_data(input, "log_sigmoid_cpu")
    if target.dtype == ak.bool:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                           "Use the `^` or `logical_xor()` operator instead.")
    if not target.dtype.is_floating_point:
        raise RuntimeError(f"result type {scalar_type(input)} can't be cast to the desired output "
                           f"type {scalar_type(target)}")
    return L.BinaryCrossEntropyWithLogits.apply(input, target, weight=weight, pos_weight=pos_weight,
                                                reduction=reduction)


# ----- multi-class classification ----------------------------------------------------------------
def _check_nll(input, target, weight):
    """PyTorch's checks, in its order: batch sizes, target shape, target dtype, weight."""
    dim = input.dim()
    if dim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {dim})")
    if dim != 1 and input.shape[0] != (target.shape[0] if target.dim() else 0):
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target "
                         f"batch_size ({target.shape[0] if target.dim() else 0}).")
    if dim == 1 and target.dim() == 1 and target.shape[0] != 1:
        raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: {target.shape[0]}")
    if dim <= 2 and target.dim() > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if dim > 2 and list(target.shape) != [input.shape[0], *input.shape[2:]]:
        raise RuntimeError(f"Expected target size {[input.shape[0], *input.shape[2:]]}, "
                           f"got {list(target.shape)}")
    if target.dtype not in (ak.int64, ak.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {scalar_type(target)}")
    n_classes = input.shape[0 if dim == 1 else 1]
    if weight is not None and weight.numel() != n_classes:
        raise RuntimeError("weight tensor should be defined either for all or no classes" if dim > 2 else
                           f"weight tensor should be defined either for all {n_classes} classes or no "
                           f"classes but got weight tensor of shape: {list(weight.shape)}")
    if weight is not None and weight.dtype != input.dtype:
        raise RuntimeError(f"expected scalar type {scalar_type(input)} but found {scalar_type(weight)}")
    float_data(input, "nll_loss_out_frame" if dim <= 2 else "nll_loss2d_forward_out_frame")


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """``-w[t_i] * input[i, t_i]``; 'mean' divides by the sum of the weights of the kept targets."""
    reduction = _reduction_string(size_average, reduce, reduction)
    _check_nll(input, target, weight)
    options = {"weight": weight, "reduction": reduction, "ignore_index": ignore_index}
    if input.dim() <= 2:
        return L.NllLoss.apply(input, target=target, **options)
    if input.dim() == 4:
        return L.NllLoss2d.apply(input, target=target, **options)
    n, c = input.shape[0], input.shape[1]  # other ranks go through a (N, C, 1, rest) view
    out = L.NllLoss2d.apply(input.reshape(n, c, 1, -1), target=target.reshape(n, 1, -1), **options)
    return out.reshape(target.shape) if reduction == "none" else out


def _kept_weight_sum(target, weight, ignore_index, dtype):
    """PyTorch's divisor: ``weight.gather(0, target.masked_select(~ignore_mask)).sum()``, or the count
    of kept targets without weights (a constant)."""
    t = target.numpy().ravel()
    kept = t[t != ignore_index]
    if weight is None:
        return ak.tensor(float(kept.size), dtype=dtype)
    return ak.tensor(weight.detach().numpy()[kept]).sum()


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """``nll_loss(log_softmax(input, 1), target)``; also takes class probabilities as target."""
    reduction = _reduction_string(size_average, reduce, reduction)
    if label_smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    class_dim = 0 if input.dim() == 1 else 1
    n_classes = input.shape[class_dim]
    float_data(input, "log_softmax_lastdim_kernel_impl" if class_dim == input.dim() - 1 else
               "log_softmax_kernel_impl")
    if tuple(target.shape) == tuple(input.shape):
        if not target.dtype.is_floating_point:
            raise RuntimeError("Expected floating point type for target with class probabilities, "
                               f"got {scalar_type(target)}")
        return _cross_entropy_probs(input.log_softmax(class_dim), target, weight, reduction,
                                    label_smoothing, class_dim)
    logp = input.log_softmax(class_dim)
    nll = nll_loss(logp, target, weight, None, ignore_index, None, reduction)
    if label_smoothing <= 0.0:
        return nll
    # PyTorch's smoothing term: the (weighted) sum of -log p over classes, masked like nll_loss
    if weight is not None:
        shape = [1] * input.dim()
        shape[class_dim] = n_classes
        smooth = -(logp * weight.reshape(shape)).sum(class_dim)
    else:
        smooth = -logp.sum(class_dim)
    ignored = target == ignore_index
    smooth = smooth.masked_fill(ignored, 0.0)
    if reduction == "mean":  # divided by the sum of the kept targets' weights (or their count)
        smooth = smooth.sum() / _kept_weight_sum(target, weight, ignore_index, input.dtype)
    elif reduction == "sum":
        smooth = smooth.sum()
    return (L.MulScalar.apply(nll, other=1 - label_smoothing)
            + L.MulScalar.apply(smooth, other=label_smoothing / n_classes))


def _cross_entropy_probs(logp, target, weight, reduction, label_smoothing, class_dim):
    n_classes = logp.shape[class_dim]
    if label_smoothing > 0.0:
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
    terms = logp * target
    if weight is not None:
        shape = [1] * logp.dim()
        shape[class_dim] = n_classes
        terms = terms * weight.reshape(shape)
    if reduction == "none":
        return -terms.sum(class_dim)
    total = -terms.sum()
    if reduction == "sum":
        return total
    return L.DivScalar.apply(total, other=logp.numel() // n_classes if logp.dim() > 1 else 1)


__all__ = ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "nll_loss", "cross_entropy"]
