"""Pooling: max_pool2d (with the indices of each maximum), avg_pool2d, adaptive_avg_pool2d.

Windows are read through one strided view of the (padded) input, as in ``conv.py``. Backward:
- max pooling sends each gradient to the input element that won its window (a scatter, whose own
  backward is the gather at the same indices, so it has second derivatives);
- average pooling spreads each gradient evenly over its window: col2im of the gradient / window size;
- adaptive average pooling is ``A_h @ x @ A_wᵀ`` with two constant averaging matrices (separable windows),
  so its backward is ``A_hᵀ @ g @ A_w``.
"""
import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..autograd import graph
from ..autograd.function import Function
from .conv import Col2Im


def pool_geometry(size, k, s, p, d, ceil_mode):
    """Output length and the extra padding after the input that ceil_mode needs (PyTorch's rule: the
    last window must start inside the input or its left padding)."""
    span = size + 2 * p - d * (k - 1) - 1
    out = (-(-span // s) if ceil_mode else span // s) + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    extra = max(0, (out - 1) * s + d * (k - 1) + 1 - (size + 2 * p))
    return out, extra


def windows(x, k, s, d, out):
    """(N, C, Hp, Wp) -> read-only view (N, C, Ho, Wo, kh, kw) of every window."""
    s0, s1, s2, s3 = x.strides
    n, c = x.shape[:2]
    return as_strided(x, (n, c, out[0], out[1], k[0], k[1]),
                      (s0, s1, s2 * s[0], s3 * s[1], s2 * d[0], s3 * d[1]), writeable=False)


def _padded(x, p, extra, value):
    return np.pad(x, ((0, 0), (0, 0), (p[0], p[0] + extra[0]), (p[1], p[1] + extra[1])), constant_values=value)


class MaxPool2DWithIndices(Function):
    """max_pool2d: the largest value of each window, and (for backward) where it was. (C, H, W) inputs
    are pooled as a batch of one. A loop over the kh·kw kernel offsets, each a strided view of all windows;
    a NaN wins its window, as in PyTorch."""
    formula = "max over each window"
    derivatives = ("1 at each window's maximum",)

    @staticmethod
    def forward(ctx, a, kernel_size, stride, padding, dilation, ceil_mode):
        x = a._data
        x = x[None] if x.ndim == 3 else x
        n, c, h, w = x.shape
        geo = [pool_geometry(x.shape[2 + i], kernel_size[i], stride[i], padding[i], dilation[i], ceil_mode)
               for i in range(2)]
        out, extra = (geo[0][0], geo[1][0]), (geo[0][1], geo[1][1])
        fill = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
        xp = _padded(x, padding, extra, fill) if any(padding) or any(extra) else x
        win = windows(xp, kernel_size, stride, dilation, out)
        kh, kw = kernel_size
        best = win[..., 0, 0].copy()
        small = np.int8 if kh * kw <= 127 else np.int32  # the winner's offset in its window
        arg = np.zeros(best.shape, small)
        for r in range(1, kh * kw):
            v = win[..., r // kw, r % kw]
            won = ((v > best) | (v != v)).view(np.int8)  # PyTorch's `val > maxval || isnan(val)`
            arg += (small(r) - arg) * won  # arg = r where won (np.where with a mask is ~15x slower)
            best = np.maximum(best, v)  # NaN-propagating, as the comparison above
        # flat index into each (H, W) plane, as return_indices gives it: window start + the winner's offset
        start = (np.arange(out[0])[:, None] * stride[0] - padding[0]) * w + np.arange(out[1]) * stride[1] - padding[1]
        offset = (np.arange(kh * kw) // kw) * dilation[0] * w + (np.arange(kh * kw) % kw) * dilation[1]
        indices = offset.take(arg) + start
        ctx.indices = indices.reshape(best.shape[1:]) if a._data.ndim == 3 else indices
        ctx.pool = (arg, kernel_size, stride, padding, dilation, extra)
        ctx.in_shape = a._data.shape
        ctx.save(self=a, result=graph.OUTPUT)
        return best.reshape(ctx.indices.shape)

    @staticmethod
    def backward(ctx, grad):
        return MaxPool2DWithIndicesBackward.apply(grad, indices=ctx.indices, pool=ctx.pool, shape=ctx.in_shape)


class MaxPool2DWithIndicesBackward(Function):
    """The gradient of each window put back at its maximum (added up where windows overlap): one
    strided slice-add per kernel offset, masked to the windows whose maximum sat at that offset."""
    formula = "scatter g to the argmax of each window"
    derivatives = ("gather at the argmax",)

    @staticmethod
    def forward(ctx, grad, indices, pool, shape):
        arg, (kh, kw), (sh, sw), (ph, pw), (dh, dw), (eh, ew) = pool
        h, w = shape[-2:]
        ho, wo = arg.shape[-2:]
        ctx.indices = indices
        g = grad._data.reshape(arg.shape)
        if sh >= dh * (kh - 1) + 1 and sw >= dw * (kw - 1) + 1:  # windows don't overlap: one put
            out = np.zeros((arg.shape[0] * arg.shape[1], h * w), dtype=g.dtype)
            np.put_along_axis(out, indices.reshape(out.shape[0], -1), g.reshape(out.shape[0], -1), axis=1)
            return out.reshape(shape)
        out = np.zeros(arg.shape[:2] + (h + 2 * ph + eh, w + 2 * pw + ew), dtype=g.dtype)
        for r in range(kh * kw):
            i, j = divmod(r, kw)
            block = out[:, :, i * dh:i * dh + sh * (ho - 1) + 1:sh, j * dw:j * dw + sw * (wo - 1) + 1:sw]
            block += np.where(arg == r, g, 0)
        return np.ascontiguousarray(out[:, :, ph:ph + h, pw:pw + w]).reshape(shape)

    @staticmethod
    def backward(ctx, gg):
        planes = int(np.prod(gg.shape[:-2]))
        idx = ctx.indices.reshape(planes, -1)
        return gg.reshape(planes, -1).gather(1, graph.Tensor._make(idx)).reshape(ctx.indices.shape)


def avg_divisor(h, w, k, s, p, d, out, extra, count_include_pad, divisor_override, dtype):
    """1 / (elements counted in each window): the padded ones too with count_include_pad, never the
    ones ceil_mode reads past the padding."""
    if divisor_override:
        return np.asarray(1.0 / divisor_override, dtype)
    inside = np.zeros((1, 1, h + 2 * p[0] + extra[0], w + 2 * p[1] + extra[1]))
    if count_include_pad:
        inside[..., :h + 2 * p[0], :w + 2 * p[1]] = 1
    else:
        inside[..., p[0]:p[0] + h, p[1]:p[1] + w] = 1
    counts = windows(inside, k, s, d, out).sum((4, 5))[0, 0]
    return (1.0 / counts).astype(dtype)


class AvgPool2D(Function):
    """avg_pool2d: the mean of each window."""
    formula = "mean over each window"
    derivatives = ("1/size spread over each window",)

    @staticmethod
    def forward(ctx, a, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override):
        x = a._data
        x = x[None] if x.ndim == 3 else x
        n, c, h, w = x.shape
        geo = [pool_geometry(x.shape[2 + i], kernel_size[i], stride[i], padding[i], 1, ceil_mode) for i in range(2)]
        out, extra = (geo[0][0], geo[1][0]), (geo[0][1], geo[1][1])
        xp = _padded(x, padding, extra, 0)
        sums = windows(xp, kernel_size, stride, (1, 1), out).sum((4, 5))
        ctx.inv = avg_divisor(h, w, kernel_size, stride, padding, (1, 1), out, extra, count_include_pad,
                              divisor_override, x.dtype)
        pads = ((padding[0], padding[0] + extra[0]), (padding[1], padding[1] + extra[1]))
        ctx.geom = ((h, w), kernel_size, stride, pads)
        ctx.in_shape = a._data.shape
        out = (sums * ctx.inv).astype(x.dtype, copy=False)
        return out[0] if a._data.ndim == 3 else out

    @staticmethod
    def backward(ctx, grad):
        (h, w), k, s, pads = ctx.geom
        ho, wo = grad.shape[-2:]
        planes = int(np.prod(grad.shape[:-2]))
        cols = (grad * graph.Tensor._make(ctx.inv)).reshape(planes, 1, ho * wo).expand(planes, k[0] * k[1], ho * wo)
        return Col2Im.apply(cols, output_size=(h, w), kernel_size=k, dilation=(1, 1), padding=pads,
                            stride=s).reshape(ctx.in_shape)


def averaging_matrix(size, out, dtype):
    """(out, size): row i averages PyTorch's adaptive window [floor(i·size/out), ceil((i+1)·size/out))."""
    m = np.zeros((out, size), dtype)
    for i in range(out):
        lo, hi = (i * size) // out, -(-((i + 1) * size) // out)
        m[i, lo:hi] = 1.0 / (hi - lo)
    return m


class AdaptiveAvgPool2D(Function):
    """adaptive_avg_pool2d: each output cell averages its window, windows chosen to tile the input."""
    formula = "A_h @ a @ A_wᵀ"
    derivatives = ("A_hᵀ @ g @ A_w",)

    @staticmethod
    def forward(ctx, a, output_size):
        x = a._data
        ah = averaging_matrix(x.shape[-2], output_size[0], x.dtype)
        aw = averaging_matrix(x.shape[-1], output_size[1], x.dtype)
        ctx.mats = (ah, aw)
        return np.matmul(np.matmul(ah, x), aw.T)

    @staticmethod
    def backward(ctx, grad):
        ah, aw = (graph.Tensor._make(m) for m in ctx.mats)
        return ah.t().matmul(grad).matmul(aw)

