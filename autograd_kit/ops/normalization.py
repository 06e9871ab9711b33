"""batch_norm and layer_norm: one node each (NativeBatchNormBackward0, NativeLayerNormBackward0).

Both normalize ``x̂ = (x - mean) / sqrt(var + eps)`` over some dims and scale and shift it
(``y = x̂·weight + bias``). batch_norm takes the statistics over the batch (and spatial) dims, one per
channel, and in training mode updates the running statistics in place; layer_norm takes them over the
last dims, one per sample. The statistics are computed in float64, as PyTorch's CPU kernels accumulate.

Backward, with tensor ops (so create_graph works), where ĝ = g·weight and ⟨·⟩ is the mean over the
normalized dims:  grad_x = (ĝ - ⟨ĝ⟩ - x̂·⟨ĝ·x̂⟩) / sqrt(var + eps),  grad_weight = Σ g·x̂,
grad_bias = Σ g. In eval mode the statistics are constants: grad_x = ĝ / sqrt(running_var + eps).
"""
import numpy as np

from ..autograd import graph
from ..autograd.function import Function


def _stats(x, dims):
    x64 = x.astype(np.float64)
    mean = x64.mean(dims, keepdims=True)
    var = ((x64 - mean) ** 2).mean(dims, keepdims=True)
    return mean, var


def _affine(xhat, weight, bias, shape):
    y = xhat
    if weight is not None:
        y = y * weight._data.reshape(shape)
    if bias is not None:
        y = y + bias._data.reshape(shape)
    return y


def _normalized_grads(ctx, grad, x, weight, dims, shape, eps, param_dims):
    """The batch statistics' gradient (shared by batch_norm in training mode and layer_norm); weight and
    bias gradients are summed over ``param_dims``."""
    need = ctx.needs_input_grad
    mean = x.mean(dims, keepdim=True)
    xc = x - mean
    invstd = ((xc * xc).mean(dims, keepdim=True) + eps).rsqrt()
    xhat = xc * invstd
    gi = gw = gb = None
    if need[0]:
        gh = grad * weight.reshape(shape) if weight is not None else grad
        gi = (gh - gh.mean(dims, keepdim=True) - xhat * (gh * xhat).mean(dims, keepdim=True)) * invstd
    if len(need) > 1 and need[1]:
        gw = (grad * xhat).sum(param_dims).reshape(weight.shape)
    if len(need) > 2 and need[2]:
        gb = grad.sum(param_dims).reshape(ctx._in_meta[2][0])
    return gi, gw, gb


class NativeBatchNorm(Function):
    """batch_norm: per-channel statistics over (N, *spatial); updates running_mean/var when training."""
    formula = "x̂·weight + bias, x̂ = (input - mean)/√(var + eps)"
    derivatives = ("(ĝ - ⟨ĝ⟩ - x̂⟨ĝx̂⟩)/√(var + eps), ĝ = g·weight", "Σ g·x̂", "Σ g")

    @staticmethod
    def forward(ctx, input, weight, bias, running_mean, running_var, training, momentum, eps):
        x = input._data
        dims = (0,) + tuple(range(2, x.ndim))
        shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
        if training:
            mean, var = _stats(x, dims)
            n = x.size // x.shape[1]
            with np.errstate(divide="ignore", invalid="ignore"):
                for buf, value in ((running_mean, mean), (running_var, var * n / (n - 1) if n > 1 else var * np.nan)):
                    if buf is not None:
                        buf._data[...] = (1 - momentum) * buf._data + momentum * value.reshape(-1)
                        buf._vc[0] += 1
        else:
            mean = running_mean._data.astype(np.float64).reshape(shape)
            var = running_var._data.astype(np.float64).reshape(shape)
        invstd = 1.0 / np.sqrt(var + eps)
        ctx.save(input=input, weight=weight, running_mean=running_mean, running_var=running_var)
        ctx.dims, ctx.shape, ctx.eps, ctx.training = dims, shape, eps, training
        return _affine(((x - mean) * invstd).astype(x.dtype), weight, bias, shape)

    @staticmethod
    def backward(ctx, grad):
        x, weight, rm, rv = ctx.saved_tensors
        if ctx.training:
            return _normalized_grads(ctx, grad, x, weight, ctx.dims, ctx.shape, ctx.eps, ctx.dims)
        need = ctx.needs_input_grad
        invstd = graph.Tensor._make((1.0 / np.sqrt(rv._data.astype(np.float64) + ctx.eps))
                                    .astype(x._data.dtype).reshape(ctx.shape))
        outer = ctx.dims
        gi = gw = gb = None
        if need[0]:
            gi = grad * (invstd * weight.reshape(ctx.shape) if weight is not None else invstd)
        if need[1]:
            xhat = (x - graph.Tensor._make(rm._data.reshape(ctx.shape))) * invstd
            gw = (grad * xhat).sum(outer)
        if need[2]:
            gb = grad.sum(outer)
        return gi, gw, gb


class NativeLayerNorm(Function):
    """layer_norm: per-sample statistics over the last len(normalized_shape) dims."""
    formula = "x̂·weight + bias, x̂ = (input - mean)/√(var + eps)"
    derivatives = ("(ĝ - ⟨ĝ⟩ - x̂⟨ĝx̂⟩)/√(var + eps), ĝ = g·weight", "Σ g·x̂", "Σ g")

    @staticmethod
    def forward(ctx, input, weight, bias, normalized_shape, eps):
        x = input._data
        k = len(normalized_shape)
        dims = tuple(range(x.ndim - k, x.ndim))
        mean, var = _stats(x, dims)
        ctx.save(input=input, weight=weight)
        ctx.dims, ctx.eps, ctx.shape = dims, eps, tuple(normalized_shape)
        xhat = ((x - mean) / np.sqrt(var + eps)).astype(x.dtype)
        return _affine(xhat, weight, bias, ctx.shape)

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        return _normalized_grads(ctx, grad, x, weight, ctx.dims, ctx.shape, ctx.eps,
                                 tuple(range(x.dim() - len(ctx.dims))))
