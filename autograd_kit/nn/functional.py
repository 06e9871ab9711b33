"""nn.functional: layers and losses as functions, as ``torch.nn.functional``.

Everything is composed from the engine's differentiable Tensor ops, so the backward pass a
student sees in the graph views is made of the same nodes (AddmmBackward0, LogSoftmaxBackward0,
IndexBackward0, ...). Losses take PyTorch's ``reduction`` ('mean', 'sum', 'none').
"""
import warnings

import numpy as np

import autograd_kit as ak


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


# ----- layers ------------------------------------------------------------------------------------
def linear(input, weight, bias=None):
    """``input @ weight.T + bias``; a 2-D input with a bias goes through fused addmm (AddmmBackward0)."""
    if input.dim() == 2 and bias is not None:
        return ak.addmm(bias, input, weight.t())
    output = input.matmul(weight.t())
    return output if bias is None else output + bias


def relu(input, inplace=False):
    return input.relu_() if inplace else ak.relu(input)


def sigmoid(input):
    return ak.sigmoid(input)


def tanh(input):
    return ak.tanh(input)


def _softmax_dim(name, ndim):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. "
                  "Change the call to include dim=X as an argument.", stacklevel=4)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim("softmax", input.dim())
    if dtype is not None:
        input = input.to(dtype)
    return input.softmax(dim)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim("log_softmax", input.dim())
    if dtype is not None:
        input = input.to(dtype)
    return input.log_softmax(dim)


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability ``p`` and scale the rest by ``1/(1-p)`` (training only)."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    if p == 1.0:
        mask = ak.zeros_like(input)
    else:
        keep = ak.rand(input.shape, dtype=input.dtype) < (1.0 - p)
        mask = keep.to(input.dtype) * (1.0 / (1.0 - p))
    return input.mul_(mask) if inplace else input * mask


# ----- regression losses -------------------------------------------------------------------------
def _pointwise_loss(errors, input, weight, reduction):
    if weight is None:
        return _reduce(errors, reduction)
    if tuple(weight.shape) != tuple(input.shape):
        raise ValueError("Weights and input must have the same size.")
    weighted = errors * weight
    if reduction == "mean":
        return weighted.sum() / weight.sum()
    return _reduce(weighted, reduction)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    _warn_size_mismatch(input, target)
    reduction = _reduction_string(size_average, reduce, reduction)
    return _pointwise_loss((input - target) ** 2, input, weight, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    _warn_size_mismatch(input, target)
    reduction = _reduction_string(size_average, reduce, reduction)
    return _pointwise_loss((input - target).abs(), input, weight, reduction)


# ----- binary classification --------------------------------------------------------------------
def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """``-w * (y log x + (1-y) log(1-x))`` with each log clamped at -100, as PyTorch does."""
    reduction = _reduction_string(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(
            f"Using a target size ({_size(target)}) that is different to the input size "
            f"({_size(input)}) is deprecated. Please ensure they have the same size.")
    values = input.detach().numpy()
    if ((values < 0) | (values > 1)).any():
        raise RuntimeError("all elements of input should be between 0 and 1")
    log_x = input.log().clamp(min=-100)
    log_1mx = (1 - input).log().clamp(min=-100)
    loss = -(target * log_x + (1 - target) * log_1mx)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """BCE on logits in PyTorch's overflow-free form: ``(1-y)x + log(1 + e^-x)`` via log-sum-exp."""
    reduction = _reduction_string(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({_size(target)}) must be the same as input size "
                         f"({_size(input)})")
    max_val = (-input).clamp(min=0)
    # log(1 + exp(-x)) == max_val + log(exp(-max_val) + exp(-x - max_val)), never overflowing
    softplus_neg = ((-max_val).exp() + (-input - max_val).exp()).log() + max_val
    if pos_weight is not None:
        log_weight = (pos_weight - 1) * target + 1
        loss = (1 - target) * input + log_weight * softplus_neg
    else:
        loss = (1 - target) * input + softplus_neg
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


# ----- multi-class classification ----------------------------------------------------------------
def _class_last(input):
    """(N, C, d1, ...) -> (N*d1*..., C); (N, C) and (C,) are returned as 2-D / 1-D unchanged."""
    if input.dim() <= 2:
        return input
    order = (0,) + tuple(range(2, input.dim())) + (1,)
    return input.permute(*order).reshape(-1, input.shape[1])


def _check_targets(input, target):
    if target.dtype.is_floating_point:
        scalar_type = {"float32": "Float", "float64": "Double", "float16": "Half"}[target.dtype.name]
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {scalar_type}")
    if input.dim() >= 2 and input.shape[0] != target.shape[0]:
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target "
                         f"batch_size ({target.shape[0]}).")


def _target_weights(target, weight, ignore_index, n_classes, dtype):
    """Class indices made safe (ignored -> 0), the 0/1 keep mask, and per-sample ``w[target]``."""
    t = target.numpy()  # integer labels carry no gradient
    ignored = t == ignore_index
    bad = (~ignored) & ((t < 0) | (t >= n_classes))
    if bad.any():
        raise IndexError(f"Target {int(t[bad].flat[0])} is out of bounds.")
    safe = ak.tensor(np.where(ignored, 0, t)) if ignored.any() else target
    kept = ak.tensor(~ignored).to(dtype)
    sample_weight = kept if weight is None else weight[safe] * kept
    return safe, kept, sample_weight


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """``-w[t_i] * input[i, t_i]``; 'mean' divides by the sum of the weights of the kept targets."""
    reduction = _reduction_string(size_average, reduce, reduction)
    _check_targets(input, target)
    n_classes = input.shape[0] if input.dim() == 1 else input.shape[1]
    flat_input = _class_last(input)
    flat_target = target.reshape(-1) if input.dim() > 2 else target
    safe, _, sample_weight = _target_weights(flat_target, weight, ignore_index, n_classes, input.dtype)
    if flat_input.dim() == 1:
        picked = flat_input[safe]
    else:
        picked = flat_input[ak.arange(flat_input.shape[0]), safe]
    losses = -picked * sample_weight
    if reduction == "mean":
        return losses.sum() / sample_weight.sum()
    if reduction == "sum":
        return losses.sum()
    return losses.reshape(target.shape) if input.dim() > 2 else losses


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """``nll_loss(log_softmax(input, 1), target)``; also takes class probabilities as target."""
    reduction = _reduction_string(size_average, reduce, reduction)
    class_dim = 0 if input.dim() == 1 else 1
    n_classes = input.shape[class_dim]
    logp = log_softmax(input, class_dim)
    if target.dtype.is_floating_point and tuple(target.shape) == tuple(input.shape):
        return _cross_entropy_probs(logp, target, weight, reduction, label_smoothing, class_dim)
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
    _, kept, sample_weight = _target_weights(target, weight, ignore_index, n_classes, input.dtype)
    smooth = smooth * kept
    if reduction == "mean":
        smooth = smooth.sum() / sample_weight.sum()
    elif reduction == "sum":
        smooth = smooth.sum()
    return (1 - label_smoothing) * nll + smooth * (label_smoothing / n_classes)


def _cross_entropy_probs(logp, target, weight, reduction, label_smoothing, class_dim):
    n_classes = logp.shape[class_dim]
    if label_smoothing > 0.0:
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
    terms = logp * target
    if weight is not None:
        shape = [1] * logp.dim()
        shape[class_dim] = n_classes
        terms = terms * weight.reshape(shape)
    losses = -terms.sum(class_dim)
    if reduction == "mean":
        batch = logp.numel() // n_classes
        return losses.sum() / batch if logp.dim() > 1 else losses.sum()
    return _reduce(losses, reduction)


__all__ = ["linear", "relu", "sigmoid", "tanh", "softmax", "log_softmax", "dropout",
           "mse_loss", "l1_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
           "nll_loss", "cross_entropy"]
