"""nn.functional: layers, activations and losses as functions, as ``torch.nn.functional``.

Each function records the nodes PyTorch records (AddmmBackward0, LeakyReluBackward0,
NllLossBackward0, ...), so the backward pass a student sees in the graph views is PyTorch's.
Activations with their own node are ops in ``autograd_kit.ops.activation``; the losses (which take
PyTorch's ``reduction``: 'mean', 'sum', 'none') are in ``nn/_losses.py`` and exported here.
"""
import warnings

import numpy as np

import autograd_kit as ak
from ..ops import activation as A
from ..ops.activation import scalar_type
from ..ops.linalg import Addmm as _Addmm
from ._losses import *  # noqa: F401,F403
from ._losses import __all__ as _loss_names
from ._losses import _reduction_string, _size  # noqa: F401  (used by the loss modules)
from ._functional_layers import *  # noqa: F401,F403  (conv, pooling, normalization, embedding, pad)
from ._functional_layers import __all__ as _layer_names


# ----- layers ------------------------------------------------------------------------------------
def linear(input, weight, bias=None):
    """``input @ weight.T + bias``. With a bias, PyTorch's fused addmm (AddmmBackward0) on a 2-D view
    of the input, viewed back (ViewBackward0) when the input is 1-D or has more than 2 dims."""
    x, w = input._data, weight._data
    if x.ndim == 0 or w.ndim == 0:
        raise RuntimeError("both arguments to linear need to be at least 1D, but they are "
                           f"{input.dim()}D and {weight.dim()}D")
    if bias is None:
        return input.matmul(weight.t())
    if bias._data.dtype != w.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got {scalar_type(bias)} and "
                           f"{scalar_type(weight)}")
    if x.dtype != w.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {scalar_type(input)} and "
                           f"{scalar_type(weight)}")
    if x.ndim == 2:
        if w.ndim == 2 and x.shape[1] == w.shape[1]:  # addmm's checks (ranks, sizes) pass: its node directly
            return _Addmm.apply(bias, input, weight.t())
        return ak.addmm(bias, input, weight.t())
    out = ak.addmm(bias, input.reshape(-1, input.shape[-1]), weight.t())
    return out.reshape(*input.shape[:-1], weight.shape[0])


def relu(input, inplace=False):
    return input.relu_() if inplace else ak.relu(input)


def sigmoid(input):
    return ak.sigmoid(input)


def tanh(input):
    return ak.tanh(input)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    if inplace:
        return input._inplace(lambda s: A.LeakyReluInplace.apply(s, negative_slope=negative_slope))
    return A.LeakyRelu.apply(input, negative_slope=negative_slope)


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, inplace=True)


def gelu(input, approximate="none"):
    return A.Gelu.apply(input, approximate=approximate)


def silu(input, inplace=False):
    return input._inplace(A.Silu.apply) if inplace else A.Silu.apply(input)


def elu(input, alpha=1.0, inplace=False):
    if inplace:
        return input._inplace(lambda s: A.EluInplace.apply(s, alpha=alpha))
    return A.Elu.apply(input, alpha=alpha)


def softplus(input, beta=1.0, threshold=20.0):
    return A.Softplus.apply(input, beta=beta, threshold=threshold)


def logsigmoid(input):
    return A.LogSigmoid.apply(input)


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


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """``input / max(||input||_p, eps)`` along ``dim``; the gradient at a zero vector is 0, not nan."""
    norm = input.norm(p, dim, keepdim=True).clamp_min(eps)  # PyTorch's composition (its rounding too)
    result = input / norm.expand_as(input)
    return result if out is None else out.copy_(result)


def one_hot(tensor, num_classes=-1):
    """Class indices (int64) -> an int64 tensor with one more dim of size ``num_classes``."""
    if tensor.dtype != ak.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    t = tensor.numpy()
    if t.size == 0:
        if num_classes <= 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        return ak.zeros(*t.shape, num_classes, dtype=ak.int64)
    if t.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        num_classes = int(t.max()) + 1
    elif t.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    return ak.tensor((t[..., None] == np.arange(num_classes)).astype(np.int64))


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability ``p`` and scale the rest by ``1/(1-p)`` (training only)."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    if p == 1.0:
        mask = ak.zeros_like(input)
    else:
        from .._random import _dropout_mask  # PyTorch's mask: bernoulli_(1 - p) / (1 - p)
        mask = ak.Tensor._make(_dropout_mask(input.shape, input._data.dtype, p))
    return input.mul_(mask) if inplace else input * mask


__all__ = ["linear", "relu", "sigmoid", "tanh", "leaky_relu", "leaky_relu_", "gelu", "silu", "elu",
           "softplus", "logsigmoid", "softmax", "log_softmax", "normalize", "one_hot", "dropout",
           *_loss_names, *_layer_names]
