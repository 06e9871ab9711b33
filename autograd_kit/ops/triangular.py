"""Matrix parts: tril/triu (masked attention, makemore) and diag. Their gradient keeps the same part."""
import numpy as np

from ..autograd.function import Function


class Tril(Function):
    formula = "a below diagonal k"
    derivatives = ("tril(g, k)",)

    @staticmethod
    def forward(ctx, a, diagonal=0):
        ctx.k = diagonal
        return np.tril(a._data, diagonal)

    @staticmethod
    def backward(ctx, grad):
        return grad.tril(ctx.k)


class Triu(Function):
    formula = "a above diagonal k"
    derivatives = ("triu(g, k)",)

    @staticmethod
    def forward(ctx, a, diagonal=0):
        ctx.k = diagonal
        return np.triu(a._data, diagonal)

    @staticmethod
    def backward(ctx, grad):
        return grad.triu(ctx.k)


class DiagEmbed(Function):
    """torch.diag(vector): a square matrix with the vector on diagonal k."""
    formula = "diag(v, k)"
    derivatives = ("diagonal(g, k)",)

    @staticmethod
    def forward(ctx, v, diagonal=0):
        ctx.k = diagonal
        return np.diag(v._data, diagonal)

    @staticmethod
    def backward(ctx, grad):
        return Diagonal.apply(grad, diagonal=ctx.k)


class Diagonal(Function):
    """torch.diag(matrix) / torch.diagonal: the entries on diagonal k (a copy here, a view in PyTorch)."""
    backward_name = "DiagonalBackward0"
    formula = "diagonal(A, k)"
    derivatives = ("diag(g, k)",)

    @staticmethod
    def forward(ctx, a, diagonal=0):
        ctx.k, ctx.shape = diagonal, a._data.shape
        return np.diagonal(a._data, diagonal).copy()

    @staticmethod
    def backward(ctx, grad):
        out = grad.new_zeros(ctx.shape)
        n = grad.shape[0]
        k = ctx.k
        rows = np.arange(n) + (0 if k >= 0 else -k)
        cols = np.arange(n) + (k if k >= 0 else 0)
        out[rows, cols] = grad
        return out
