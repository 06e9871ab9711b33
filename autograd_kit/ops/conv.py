"""Convolution as im2col + one matmul, and its two building blocks ``Im2Col`` (F.unfold) and ``Col2Im``
(F.fold), which are each other's adjoint.

im2col copies every receptive field of the input into a column: a (N, C, H, W) input becomes
(N, C·kh·kw, Ho·Wo) through one NumPy strided view (no Python loop over pixels). The convolution is then
``weight (O, C·kh·kw) @ columns``, one (batched) matmul. Its backward is written with tensor ops:

    grad_weight = grad @ columnsᵀ            (summed over the batch)
    grad_input  = col2im(weightᵀ @ grad)     (col2im adds the columns back where they came from)

so ``create_graph=True`` gives second derivatives. 1-D convolutions run as 2-D ones of height 1.
Padding is given per spatial dim as (before, after) pairs, so "same" with an even kernel works too.
"""
import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..autograd import graph
from ..autograd.function import Function
from .. import _grad_mode


def out_size(size, k, s, pad, d):
    return (size + pad[0] + pad[1] - d * (k - 1) - 1) // s + 1


def im2col_np(x, ksize, stride, pads, dilation):
    """(N, C, H, W) -> (N, C·kh·kw, Ho·Wo): every window, copied once from a strided view."""
    if any(p for pair in pads for p in pair):
        x = np.pad(x, ((0, 0), (0, 0)) + tuple(pads))
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (dh, dw) = ksize, stride, dilation
    ho, wo = (h - dh * (kh - 1) - 1) // sh + 1, (w - dw * (kw - 1) - 1) // sw + 1
    s0, s1, s2, s3 = x.strides
    view = as_strided(x, (n, c, kh, kw, ho, wo), (s0, s1, s2 * dh, s3 * dw, s2 * sh, s3 * sw), writeable=False)
    return view.reshape(n, c * kh * kw, ho * wo), (ho, wo)


def col2im_np(cols, size, ksize, stride, pads, dilation):
    """The adjoint of im2col: each column added back onto the window it came from (a loop over the
    kh·kw kernel offsets only; each offset is one strided slice-add, done with the batch as the innermost
    axis so that every add runs over long contiguous rows)."""
    (h, w), (kh, kw), (sh, sw), (dh, dw) = size, ksize, stride, dilation
    (pt, pb), (pl, pr) = pads
    hp, wp = h + pt + pb, w + pl + pr
    ho, wo = (hp - dh * (kh - 1) - 1) // sh + 1, (wp - dw * (kw - 1) - 1) // sw + 1
    n = cols.shape[0]
    c = cols.shape[1] // (kh * kw)
    blocks = np.ascontiguousarray(cols.reshape(n, c, kh, kw, ho, wo).transpose(2, 3, 1, 4, 5, 0))
    out = np.zeros((c, hp, wp, n), dtype=cols.dtype)
    for i in range(kh):
        for j in range(kw):
            out[:, i * dh:i * dh + sh * (ho - 1) + 1:sh, j * dw:j * dw + sw * (wo - 1) + 1:sw] += blocks[i, j]
    return np.ascontiguousarray(out[:, pt:hp - pb, pl:wp - pr].transpose(3, 0, 1, 2))


class Im2Col(Function):
    """F.unfold: (N, C, H, W) -> (N, C·kh·kw, L), every sliding window as a column."""
    formula = "unfold(a)"
    derivatives = ("fold(g)",)

    @staticmethod
    def forward(ctx, a, kernel_size, dilation, padding, stride):
        ctx.args = (kernel_size, dilation, padding, stride)
        ctx.size = a._data.shape[2:]
        return im2col_np(a._data, kernel_size, stride, padding, dilation)[0]

    @staticmethod
    def backward(ctx, grad):
        k, d, p, s = ctx.args
        return Col2Im.apply(grad, output_size=ctx.size, kernel_size=k, dilation=d, padding=p, stride=s)


class Col2Im(Function):
    """F.fold: (N, C·kh·kw, L) -> (N, C, H, W), overlapping columns added up."""
    formula = "fold(a)"
    derivatives = ("unfold(g)",)

    @staticmethod
    def forward(ctx, a, output_size, kernel_size, dilation, padding, stride):
        ctx.args = (kernel_size, dilation, padding, stride)
        return col2im_np(a._data, output_size, kernel_size, stride, padding, dilation)

    @staticmethod
    def backward(ctx, grad):
        k, d, p, s = ctx.args
        return Im2Col.apply(grad, kernel_size=k, dilation=d, padding=p, stride=s)


def _as_2d(stride, pads, dilation, k):
    """A 1-D geometry as the 2-D one of height 1."""
    if len(stride) == 1:
        return (1, stride[0]), ((0, 0), pads[0]), (1, dilation[0]), (1, k[0])
    return tuple(stride), tuple(pads), tuple(dilation), tuple(k)


class Convolution(Function):
    """conv1d / conv2d (ConvolutionBackward0): im2col, then weight @ columns in one matmul."""
    formula = "input ⋆ weight + bias"
    derivatives = ("col2im(weightᵀ @ g)", "g @ unfold(input)ᵀ", "Σ g")

    @staticmethod
    def forward(ctx, input, weight, bias, stride, padding, dilation, groups):
        x, w = input._data, weight._data
        one_d = x.ndim == 3
        stride2, pads2, dil2, k2 = _as_2d(stride, padding, dilation, w.shape[2:])
        x4 = x[:, :, None, :] if one_d else x
        n, c = x4.shape[:2]
        o = w.shape[0]
        cols, (ho, wo) = im2col_np(x4, k2, stride2, pads2, dil2)
        kg = cols.shape[1] // groups
        out = np.matmul(w.reshape(groups, o // groups, kg), cols.reshape(n, groups, kg, ho * wo))
        out = out.reshape(n, o, ho, wo)
        if bias is not None:
            out += bias._data.reshape(1, o, 1, 1)
        need = ctx.needs_input_grad
        ctx.save(input=input if need[1] else None, weight=weight if need[0] else None)
        ctx.cols = cols if need[1] else None
        ctx.geom = (stride2, pads2, dil2, k2, groups, x4.shape, (ho, wo))
        ctx.shapes = (x.shape, w.shape)
        return out[:, :, 0] if one_d else out

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        stride, pads, dil, k, groups, (n, c, h, wd), (ho, wo) = ctx.geom
        o = grad.shape[1]
        og, kg = o // groups, c // groups * k[0] * k[1]
        g4 = grad.reshape(n, groups, og, ho * wo)
        gi = gw = gb = None
        if need[1]:
            if _grad_mode._enabled[0] and x.requires_grad:  # create_graph: columns as a function of x
                cols = Im2Col.apply(x.reshape(n, c, h, wd), kernel_size=k, dilation=dil, padding=pads, stride=stride)
            else:
                cols = graph.Tensor._make(ctx.cols)
            gw = g4.matmul(cols.reshape(n, groups, kg, ho * wo).transpose(-1, -2)).sum(0).reshape(ctx.shapes[1])
        if need[0]:
            gcols = w.reshape(groups, og, kg).transpose(-1, -2).matmul(g4)
            gi = Col2Im.apply(gcols.reshape(n, c * k[0] * k[1], ho * wo), output_size=(h, wd), kernel_size=k,
                              dilation=dil, padding=pads, stride=stride).reshape(ctx.shapes[0])
        if need[2]:
            gb = grad.sum((0, 2)) if grad.dim() == 3 else grad.sum((0, 2, 3))
        return gi, gw, gb
