"""embedding: rows of a weight matrix picked by integer indices (EmbeddingBackward0).

Backward adds each output row's gradient into the weight row it was read from (rows read twice get
both); the padding row gets none. That scatter is its own op, whose backward picks the rows again.
"""
import numpy as np

from ..autograd import graph
from ..autograd.function import Function


class Embedding(Function):
    formula = "weight[indices]"
    derivatives = ("g added into the rows that were read",)

    @staticmethod
    def forward(ctx, weight, indices, padding_idx, scale_grad_by_freq):
        idx = indices._data
        ctx.idx, ctx.num = idx, weight._data.shape[0]
        ctx.padding_idx, ctx.scale = padding_idx, scale_grad_by_freq
        ctx.save(indices=indices)
        return weight._data[idx]

    @staticmethod
    def backward(ctx, grad):
        return EmbeddingDenseBackward.apply(grad, indices=ctx.idx, num_weights=ctx.num,
                                            padding_idx=ctx.padding_idx, scale_grad_by_freq=ctx.scale), None


class EmbeddingDenseBackward(Function):
    """zeros(num_weights, dim) with each gradient row added at its index (none at padding_idx)."""
    formula = "Σ g rows at their indices"
    derivatives = ("the rows at the indices",)

    @staticmethod
    def forward(ctx, grad, indices, num_weights, padding_idx, scale_grad_by_freq):
        g = grad._data
        dim = g.shape[-1]
        flat = indices.reshape(-1)
        rows = g.reshape(-1, dim)
        keep = np.ones(flat.shape, bool) if padding_idx is None else flat != padding_idx
        weight = keep.astype(g.dtype)
        if scale_grad_by_freq:
            counts = np.bincount(flat, minlength=num_weights)
            weight = weight / counts[flat]
        ctx.indices, ctx.weight = indices, weight
        out = np.zeros((num_weights, dim), dtype=g.dtype)
        np.add.at(out, flat, rows * weight[:, None].astype(g.dtype))
        return out

    @staticmethod
    def backward(ctx, gg):
        flat = ctx.indices.reshape(-1)
        picked = gg[graph.Tensor._make(flat)] * graph.Tensor._make(ctx.weight[:, None].astype(gg._data.dtype))
        return picked.reshape(*ctx.indices.shape, gg.shape[-1])
