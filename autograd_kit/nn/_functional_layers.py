"""nn.functional's layer functions: convolution, pooling, normalization, embedding, padding.

Each checks its arguments with PyTorch's errors, then applies one op from ``autograd_kit/ops/``
(conv.py, pooling.py, normalization.py, embedding.py, padding.py), which records PyTorch's node:
ConvolutionBackward0, MaxPool2DWithIndicesBackward0, AvgPool2DBackward0, NativeBatchNormBackward0, ...
Unbatched inputs (no batch dim) are run as a batch of one.
"""
import numpy as np

import autograd_kit as ak
from ..ops import conv as C
from ..ops import embedding as E
from ..ops import normalization as N
from ..ops import padding as P
from ..ops import pooling as PL
from ..ops.activation import scalar_type

__all__ = ["conv1d", "conv2d", "unfold", "fold", "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d",
           "adaptive_avg_pool1d", "adaptive_avg_pool2d",
           "batch_norm", "layer_norm", "embedding", "pad"]


def _tuple(value, n):
    if isinstance(value, (tuple, list)):
        return tuple(value) * n if len(value) == 1 else tuple(value)
    return (value,) * n


def _sizes(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _conv(input, weight, bias, stride, padding, dilation, groups, nd):
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to conv{nd}d, but got "
                           f"input of size: {_sizes(input.shape)}")
    if input.dim() == nd + 1:
        return _conv(input.unsqueeze(0), weight, bias, stride, padding, dilation, groups, nd).squeeze(0)
    w = weight.shape
    stride, dilation = _tuple(stride, nd), _tuple(dilation, nd)
    if w[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
                           f"but got weight of size [{_sizes(w)}] instead")
    if input.shape[1] != w[1] * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {_sizes(w)}, expected input{_sizes(input.shape)} "
                           f"to have {w[1] * groups} channels, but got {input.shape[1]} channels instead")
    if bias is not None and tuple(bias.shape) != (w[0],):
        raise RuntimeError(f"Given weight of size {_sizes(w)}, expected bias to be 1-dimensional with {w[0]} "
                           f"elements, but got bias of size {_sizes(bias.shape)} instead")
    if input.dtype != weight.dtype or (bias is not None and bias.dtype != weight.dtype):
        other = weight if input.dtype != weight.dtype else bias
        raise RuntimeError(f"expected scalar type {scalar_type(input)} but found {scalar_type(other)}")
    if isinstance(padding, str):
        if padding == "valid":
            pads = ((0, 0),) * nd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            total = [d * (k - 1) for d, k in zip(dilation, w[2:])]
            pads = tuple((t // 2, t - t // 2) for t in total)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        pads = tuple((p, p) for p in _tuple(padding, nd))
    padded = [input.shape[2 + i] + sum(pads[i]) for i in range(nd)]
    eff = [dilation[i] * (w[2 + i] - 1) + 1 for i in range(nd)]
    if any(p < k for p, k in zip(padded, eff)):
        raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). Kernel size: "
                           f"({' x '.join(map(str, eff))}). Kernel size can't be greater than actual input size")
    return C.Convolution.apply(input, weight, bias, stride=stride, padding=pads, dilation=dilation, groups=groups)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution of (N, C, L) by weight (O, C/groups, k): im2col and one matmul."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution of (N, C, H, W) by weight (O, C/groups, kh, kw): im2col and one matmul."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2)


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Every sliding window as a column: (N, C, H, W) -> (N, C·kh·kw, L) (Im2ColBackward0)."""
    if input.dim() == 3:
        return unfold(input.unsqueeze(0), kernel_size, dilation, padding, stride).squeeze(0)
    if input.dim() != 4:
        raise NotImplementedError("Input Error: Only 3D or 4D input Tensors are supported (got "
                                  f"{input.dim()}D)")
    pads = tuple((p, p) for p in _tuple(padding, 2))
    return C.Im2Col.apply(input, kernel_size=_tuple(kernel_size, 2), dilation=_tuple(dilation, 2),
                          padding=pads, stride=_tuple(stride, 2))


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """The adjoint of unfold: columns summed back into (N, C, H, W) (Col2ImBackward0)."""
    if input.dim() == 2:
        return fold(input.unsqueeze(0), output_size, kernel_size, dilation, padding, stride).squeeze(0)
    pads = tuple((p, p) for p in _tuple(padding, 2))
    return C.Col2Im.apply(input, output_size=_tuple(output_size, 2), kernel_size=_tuple(kernel_size, 2),
                          dilation=_tuple(dilation, 2), padding=pads, stride=_tuple(stride, 2))


def _pool_args(input, kernel_size, stride, padding, dilation, ceil_mode):
    if input.dim() not in (3, 4):
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    k = _tuple(kernel_size, 2)
    s = k if stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0) else _tuple(stride, 2)
    p, d = _tuple(padding, 2), _tuple(dilation, 2)
    for i in range(2):
        if p[i] > (d[i] * (k[i] - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p[i]}, "
                               f"kernel_size={k[i]} and dilation={d[i]}")
    h, w = input.shape[-2:]
    out = [PL.pool_geometry(input.shape[-2 + i], k[i], s[i], p[i], d[i], ceil_mode)[0] for i in range(2)]
    if min(out) < 1:
        c = input.shape[-3]
        raise RuntimeError(f"Given input size: ({c}x{h}x{w}). Calculated output size: ({c}x{out[0]}x{out[1]}). "
                           "Output size is too small")
    return k, s, p, d


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """The largest value of each window (MaxPool2DWithIndicesBackward0)."""
    k, s, p, d = _pool_args(input, kernel_size, stride, padding, dilation, ceil_mode)
    out = PL.MaxPool2DWithIndices.apply(input, kernel_size=k, stride=s, padding=p, dilation=d, ceil_mode=ceil_mode)
    if return_indices:
        node = out.grad_fn
        # not recorded: run the op once more with a context that keeps the indices
        idx = node.indices if node is not None else _max_indices(input, k, s, p, d, ceil_mode)
        return out, ak.tensor(idx)
    return out


def _max_indices(x, k, s, p, d, ceil_mode):
    class _Ctx:
        needs_input_grad = (False,)

        def save(this, /, **kw):
            pass
    ctx = _Ctx()
    PL.MaxPool2DWithIndices.forward(ctx, x, k, s, p, d, ceil_mode)
    return ctx.indices


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """The mean of each window (AvgPool2DBackward0)."""
    k, s, p, _ = _pool_args(input, kernel_size, stride, padding, 1, ceil_mode)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    return PL.AvgPool2D.apply(input, kernel_size=k, stride=s, padding=p, ceil_mode=ceil_mode,
                              count_include_pad=count_include_pad, divisor_override=divisor_override)


def adaptive_avg_pool2d(input, output_size):
    """Average pooling to a given output size (AdaptiveAvgPool2DBackward0; a mean for output size 1)."""
    if input.dim() not in (3, 4):
        raise ValueError("Input dimension should be at least 3")
    size = _tuple(output_size, 2)
    size = tuple(input.shape[-2 + i] if v is None else v for i, v in enumerate(size))
    if size == (1, 1):
        return input.mean((-1, -2), keepdim=True)
    return PL.AdaptiveAvgPool2D.apply(input, output_size=size)


def _one_d(input, name):
    if input.dim() not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.dim()}-dimensional tensor for argument #1 "
                           f"'self' (while checking arguments for {name})")
    return input.unsqueeze(-2)


def _single(value):
    return value[0] if isinstance(value, (tuple, list)) else value


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """1-D max pooling: max_pool2d over (…, 1, L), as PyTorch runs it (SqueezeBackward1 over
    MaxPool2DWithIndicesBackward0)."""
    if input.dim() not in (2, 3):
        raise RuntimeError("max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for "
                           f"input, but got:{list(input.shape)}")
    k = _single(kernel_size)
    s = k if stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0) else _single(stride)
    p, d = _single(padding), _single(dilation)
    if PL.pool_geometry(input.shape[-1], k, s, p, d, ceil_mode)[0] < 1:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: "
                           f"{PL.pool_geometry(input.shape[-1], k, s, p, d, ceil_mode)[0]}")
    out = max_pool2d(input.unsqueeze(-2), (1, k), (1, s), (0, p), (1, d), ceil_mode, return_indices)
    if return_indices:
        return out[0].squeeze(-2), out[1].squeeze(-2)
    return out.squeeze(-2)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """1-D average pooling: avg_pool2d over (…, 1, L)."""
    x = _one_d(input, "avg_pool1d")
    k = _single(kernel_size)
    s = k if stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0) else _single(stride)
    return avg_pool2d(x, (1, k), (1, s), (0, _single(padding)), ceil_mode, count_include_pad).squeeze(-2)


def adaptive_avg_pool1d(input, output_size):
    """1-D adaptive average pooling: adaptive_avg_pool2d over (…, 1, L) to (…, 1, output_size)."""
    return adaptive_avg_pool2d(_one_d(input, "adaptive_avg_pool1d"), (1, _single(output_size))).squeeze(-2)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
               eps=1e-05):
    """Normalize each channel by the batch's statistics (training) or the running ones (eval)."""
    c = input.shape[1] if input.dim() > 1 else 0
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                    ("bias", bias)):
        if t is not None and t.numel() != c:
            raise RuntimeError(f"{name} should contain {c} elements not {t.numel()}")
    if training:
        size = input.numel() // max(c, 1)
        if size == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                             f"torch.Size({list(input.shape)})")
    elif running_mean is None or running_var is None:
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    return N.NativeBatchNorm.apply(input, weight, bias, running_mean, running_var, training=training,
                                   momentum=0.1 if momentum is None else momentum, eps=eps)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05):
    """Normalize each sample over its last ``len(normalized_shape)`` dims."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if tuple(input.shape[input.dim() - len(shape):]) != shape or input.dim() < len(shape):
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*, {', '.join(map(str, shape))}], but got input of size{list(input.shape)}")
    return N.NativeLayerNorm.apply(input, weight, bias, normalized_shape=shape, eps=eps)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """The rows of ``weight`` at the indices in ``input`` (EmbeddingBackward0)."""
    if input.dtype not in (ak.int64, ak.int32):
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got torch.{scalar_type(input)}Tensor instead (while checking "
                           "arguments for embedding)")
    n = weight.shape[0]
    if padding_idx is not None:
        if padding_idx > 0:
            assert padding_idx < n, "Padding_idx must be within num_embeddings"
        elif padding_idx < 0:
            assert padding_idx >= -n, "Padding_idx must be within num_embeddings"
            padding_idx = n + padding_idx
    idx = input._data
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        _renorm_rows(weight, idx, max_norm, norm_type)
    return E.Embedding.apply(weight, input, padding_idx=padding_idx, scale_grad_by_freq=scale_grad_by_freq)


def _renorm_rows(weight, idx, max_norm, norm_type):
    """max_norm: the rows about to be read are scaled in place to norm at most max_norm (no grad)."""
    rows = np.unique(idx)
    w = weight._data
    norms = (np.abs(w[rows].astype(np.float64)) ** norm_type).sum(1) ** (1.0 / norm_type)
    over = norms > max_norm
    if over.any():
        w[rows[over]] *= (max_norm / (norms[over] + 1e-7))[:, None].astype(w.dtype)
        weight._vc[0] += 1


_PAD_OPS = {"reflect": ("Reflection", P.ReflectionPad1D, P.ReflectionPad2D, P.ReflectionPad3D),
            "replicate": ("Replication", P.ReplicationPad1D, P.ReplicationPad2D, P.ReplicationPad3D),
            "circular": ("Circular", P.CircularPad, P.CircularPad, P.CircularPad)}


def pad(input, pad, mode="constant", value=None):
    """Pad the last len(pad)//2 dims: ``pad = (left, right, top, bottom, ...)``, last dim first."""
    pad = tuple(pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.dim():
        raise RuntimeError("Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pad)} and input of dimension {input.dim()}")
    if mode == "constant":
        return P.ConstantPadNd.apply(input, pad=pad, value=0.0 if value is None else value)
    if mode not in _PAD_OPS:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    k = len(pad) // 2
    if not 1 <= k <= 3 or input.dim() not in (k + 1, k + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {input.dim()}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    for i in range(k):
        dim = input.dim() - 1 - i
        size, lo, hi = input.shape[dim], pad[2 * i], pad[2 * i + 1]
        if (mode == "reflect" and (lo >= size or hi >= size)) or (mode == "circular" and (lo > size or hi > size)):
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding input dimension, "
                               f"but got: padding ({lo}, {hi}) at dimension {dim} of input {_sizes(input.shape)}")
    return _PAD_OPS[mode][k].apply(input, pad=pad)

