"""gradcheck (float64, PyTorch's tolerances) for every differentiable op in the registry.

The cases are keyed by the op's registry name; a new op without a case fails
``test_every_registered_op_has_a_case``, so no op can be added without its gradient check.
"""
import numpy as np
import pytest

import autograd_kit as torch
from autograd_kit.autograd import REGISTRY, gradcheck, gradgradcheck


def rnd(*shape, low=-1.0, high=1.0, seed=0):
    rng = np.random.default_rng(seed + sum(shape))
    return torch.tensor(rng.uniform(low, high, shape), dtype=torch.float64, requires_grad=True)


def away(*shape, seed=0):
    """Values at least 0.2 from zero (for kinks of abs/relu/sign)."""
    rng = np.random.default_rng(seed)
    v = rng.uniform(0.2, 1.0, shape) * rng.choice([-1, 1], shape)
    return torch.tensor(v, dtype=torch.float64, requires_grad=True)


def distinct(*shape):
    v = np.random.default_rng(1).permutation(int(np.prod(shape))).reshape(shape).astype(np.float64) / 3
    return torch.tensor(v, dtype=torch.float64, requires_grad=True)


IDX = torch.tensor([[0, 2], [1, 1]])
LOSS_A = torch.tensor([-0.9, -0.3, 0.05, 0.2, 0.7], dtype=torch.float64, requires_grad=True)
LOSS_B = torch.tensor([0.1, 0.0, -0.05, 0.1, 0.0], dtype=torch.float64, requires_grad=True)
CASES = {
    "Add": (lambda a, b: a + b, [rnd(2, 3), rnd(3)]),
    "Sub": (lambda a, b: torch.sub(a, b, alpha=2), [rnd(2, 3), rnd(2, 1)]),
    "Rsub": (lambda a: 1 - a, [rnd(3)]),
    "Mul": (lambda a, b: a * b, [rnd(2, 3), rnd(1, 3)]),
    "Div": (lambda a, b: a / b, [rnd(2, 3), rnd(3, low=0.5, high=2)]),
    "Neg": (lambda a: -a, [rnd(4)]),
    "Pow": (lambda a: a ** 3 + a ** 0.5 * 0 + a ** 2, [rnd(3, low=0.5, high=2)]),
    "PowTensor": (lambda a, b: a ** b, [rnd(3, low=0.5, high=2), rnd(3)]),
    "Exp": (lambda a: a.exp(), [rnd(2, 2)]),
    "Log": (lambda a: a.log(), [rnd(3, low=0.5, high=3)]),
    "Sqrt": (lambda a: a.sqrt(), [rnd(3, low=0.5, high=3)]),
    "Sin": (lambda a: a.sin(), [rnd(3)]),
    "Cos": (lambda a: a.cos(), [rnd(3)]),
    "Tanh": (lambda a: a.tanh(), [rnd(3)]),
    "TanhBackward": (lambda a, g: torch.autograd.grad(a.tanh(), a, g, create_graph=True)[0], [rnd(3), rnd(3)]),
    "Sigmoid": (lambda a: a.sigmoid(), [rnd(3)]),
    "Abs": (lambda a: a.abs(), [away(5)]),
    "Relu": (lambda a: a.relu(), [away(5)]),
    "ThresholdBackward": (lambda a, g: torch.autograd.grad(a.relu(), a, g, create_graph=True)[0], [away(5), rnd(5)]),
    "Clamp": (lambda a: a.clamp(-0.5, 0.5), [torch.tensor([-0.9, -0.3, 0.1, 0.4, 0.8], dtype=torch.float64, requires_grad=True)]),
    "Where": (lambda a, b: torch.where(a > 0, a, b), [away(4), rnd(4)]),
    "Round": (lambda a: a.round() * a, [torch.tensor([0.2, 1.3, -2.2], dtype=torch.float64, requires_grad=True)]),
    "Floor": (lambda a: a.floor() * a, [torch.tensor([0.2, 1.3, -2.2], dtype=torch.float64, requires_grad=True)]),
    "Ceil": (lambda a: a.ceil() * a, [torch.tensor([0.2, 1.3, -2.2], dtype=torch.float64, requires_grad=True)]),
    "Trunc": (lambda a: a.trunc() * a, [torch.tensor([0.2, 1.3, -2.2], dtype=torch.float64, requires_grad=True)]),
    "Sign": (lambda a: a.sign() * a, [away(4)]),
    "Sum": (lambda a: a.sum(), [rnd(2, 3)]),
    "SumDim": (lambda a: a.sum(dim=1, keepdim=True), [rnd(2, 3)]),
    "Mean": (lambda a: a.mean(), [rnd(2, 3)]),
    "MeanDim": (lambda a: a.mean((0, 2)), [rnd(2, 3, 2)]),
    "SumToSize": (lambda a: a.sum_to_size(1, 3), [rnd(2, 3)]),
    "MaxAll": (lambda a: a.max(), [distinct(2, 3)]),
    "MinAll": (lambda a: a.min(), [distinct(2, 3)]),
    "MaxDim": (lambda a: a.max(dim=1)[0], [distinct(3, 4)]),
    "MinDim": (lambda a: a.min(dim=0, keepdim=True)[0], [distinct(3, 4)]),
    "Gather": (lambda a: a.gather(1, IDX), [rnd(2, 3)]),
    "ScatterAddZeros": (lambda a: a.gather(1, IDX).sum(), [rnd(2, 3)]),
    "Softmax": (lambda a: a.softmax(dim=1), [rnd(2, 4)]),
    "LogSoftmax": (lambda a: a.log_softmax(dim=-1), [rnd(2, 4)]),
    "SoftmaxBackwardData": (lambda a, g: torch.autograd.grad(a.softmax(dim=0), a, g, create_graph=True)[0],
                            [rnd(3, 4), rnd(3, 4, seed=1)]),
    "LogSoftmaxBackwardData": (lambda a, g: torch.autograd.grad(a.log_softmax(dim=1), a, g,
                                                                create_graph=True)[0],
                               [rnd(3, 4), rnd(3, 4, seed=1)]),
    "Var": (lambda a: a.var(dim=1), [rnd(3, 4)]),
    "Std": (lambda a: a.std(), [rnd(3, 4)]),
    "Mm": (lambda a, b: a.mm(b), [rnd(2, 3), rnd(3, 4)]),
    "Addmm": (lambda c, a, b: torch.addmm(c, a, b), [rnd(4), rnd(2, 3), rnd(3, 4)]),
    "Mv": (lambda a, v: a @ v, [rnd(2, 3), rnd(3)]),
    "Dot": (lambda a, b: a @ b, [rnd(3), rnd(3)]),
    "Bmm": (lambda a, b: torch.bmm(a, b), [rnd(2, 2, 3), rnd(2, 3, 2)]),
    "Matmul": (lambda a, b: a @ b, [rnd(2, 2, 3), rnd(3, 2)]),
    "View": (lambda a: a.view(3, 2), [rnd(2, 3)]),
    "Reshape": (lambda a: a.reshape(-1), [rnd(2, 3)]),
    "Transpose": (lambda a: a.transpose(0, 2), [rnd(2, 3, 2)]),
    "T": (lambda a: a.t(), [rnd(2, 3)]),
    "Permute": (lambda a: a.permute(2, 0, 1), [rnd(2, 3, 2)]),
    "Squeeze": (lambda a: a.squeeze(1), [rnd(2, 1, 3)]),
    "SqueezeMatmul": (lambda a, b: a @ b, [rnd(3), rnd(3, 2)]),
    "SqueezeAll": (lambda a: a.squeeze(), [rnd(2, 1, 3)]),
    "Unsqueeze": (lambda a: a.unsqueeze(-1), [rnd(2, 3)]),
    "Expand": (lambda a: a.expand(2, 3, 3), [rnd(3, 1)]),
    "Clone": (lambda a: a.clone(), [rnd(3)]),
    "Cat": (lambda a, b: torch.cat([a, b, a], dim=1), [rnd(2, 3), rnd(2, 1)]),
    "Stack": (lambda a, b: torch.stack([a, b], dim=1), [rnd(2, 3), rnd(2, 3)]),
    "Index": (lambda a: a[torch.tensor([0, 2, 2]), 1:], [rnd(3, 3)]),
    "Select": (lambda a: a[1, ..., 0], [rnd(3, 2, 2)]),
    "Slice": (lambda a: a[:, 1:, None], [rnd(3, 3)]),
    "IndexAddZeros": (lambda a: a[torch.tensor([1, 1])].sum() * a[0], [rnd(3)]),
    "CopySlices": (lambda a, b: _setitem(a, b), [rnd(3, 3), rnd(3)]),
    "_ToCopy": (lambda a: a.float().double(), [rnd(3)], {"eps": 1e-2}),  # float32 hop: coarser steps
    # ops of tests/test_parity_ops.py (elementwise, reduce, shape, linalg)
    "PowScalarBase": (lambda a: 2 ** a + 0.5 ** a, [rnd(3)]),
    "Reciprocal": (lambda a: a.reciprocal(), [rnd(3, low=0.5, high=2)]),
    "Rsqrt": (lambda a: a.rsqrt(), [rnd(3, low=0.5, high=2)]),
    "Log1p": (lambda a: a.log1p(), [rnd(3, low=-0.5, high=2)]),
    "Log10": (lambda a: a.log10(), [rnd(3, low=0.5, high=2)]),
    "Log2": (lambda a: torch.log2(a), [rnd(3, low=0.5, high=2)]),
    "Expm1": (lambda a: a.expm1(), [rnd(3)]),
    "Exp2": (lambda a: torch.exp2(a), [rnd(3)]),
    "Tan": (lambda a: a.tan(), [rnd(3)]),
    "Asin": (lambda a: a.asin(), [rnd(3, low=-0.8, high=0.8)]),
    "Acos": (lambda a: torch.acos(a), [rnd(3, low=-0.8, high=0.8)]),
    "Atan": (lambda a: torch.arctan(a), [rnd(3)]),
    "Sinh": (lambda a: a.sinh(), [rnd(3)]),
    "Cosh": (lambda a: a.cosh(), [rnd(3)]),
    "Tril": (lambda a: a.tril(-1) + torch.tril(a, 1), [rnd(3, 4)]),
    "Triu": (lambda a: a.triu() + torch.triu(a, -1), [rnd(4, 3)]),
    "DiagEmbed": (lambda a: torch.diag(a) + torch.diag(a[:2], 1)[:3, :3] * 2, [rnd(3)]),
    "Diagonal": (lambda a: torch.diag(a) * 2 + torch.diagonal(a, -1).sum(), [rnd(3, 4)]),
    "Scatter": (lambda a, s: a.scatter(1, torch.tensor([[2, 0], [1, 0]]), s), [rnd(2, 3), rnd(2, 2)]),
    "ScatterValue": (lambda a: torch.scatter(a, 0, torch.tensor([[1, 0, 1]]), value=2.0), [rnd(2, 3)]),
    "ScatterAdd": (lambda a, s: a.scatter_add(0, torch.tensor([[1, 0, 1], [1, 1, 0]]), s), [rnd(2, 3), rnd(2, 3)]),
    "IndexAdd": (lambda a, s: a.index_add(0, torch.tensor([1, 1, 0]), s, alpha=2), [rnd(2, 3), rnd(3, 3)]),
    "Cumprod": (lambda a: a.cumprod(1) + torch.cumprod(a * torch.tensor([1., 0., 1., 1.], dtype=torch.float64), 1),
                [rnd(2, 4, low=0.5, high=1.5)]),
    "Maximum": (lambda a, b: torch.maximum(a, b), [distinct(2, 3), distinct(3) + 0.1]),
    "Addcmul": (lambda a, b, c: torch.addcmul(a, b, c, value=-0.7), [rnd(2, 3), rnd(3), rnd(2, 1)]),
    "Addcdiv": (lambda a, b, c: torch.addcdiv(a, b, c, value=1.3), [rnd(2, 3), rnd(3), rnd(2, 1, low=0.5, high=2)]),
    "Lerp": (lambda a, b: torch.lerp(a, b, 0.3) + torch.lerp(a, b, 0.8), [rnd(2, 3), rnd(3)]),
    "LerpTensor": (lambda a, b, w: torch.lerp(a, b, w) + torch.quantile(a, 0.3, dim=1, keepdim=True),
                   [rnd(2, 3), rnd(3), rnd(2, 3, low=-0.5, high=1.5)]),
    "Minimum": (lambda a, b: torch.minimum(a, b), [distinct(2, 3), distinct(3) + 0.1]),
    "MaskedFill": (lambda a: a.masked_fill(torch.tensor([True, False, True]), 2.0), [rnd(2, 3)]),
    "MaskedFillTensor": (lambda a, v: a.masked_fill(torch.tensor([True, False, True]), v), [rnd(2, 3), rnd()]),
    "Remainder": (lambda a: a % 0.3, [torch.tensor([0.1, 0.5, -0.4], dtype=torch.float64, requires_grad=True)]),
    "RemainderTensor": (lambda a, b: a % b, [torch.tensor([0.1, 0.5, -0.4], dtype=torch.float64, requires_grad=True),
                                             torch.tensor([0.3, 0.35, 0.7], dtype=torch.float64, requires_grad=True)]),
    "DivMode": (lambda a, b: torch.div(a, b, rounding_mode="floor") + a, [rnd(3), rnd(3, low=0.5, high=2)]),
    "ClampMin": (lambda a: a.clamp_min(0.1), [away(5)]),
    "ClampMax": (lambda a: a.clamp_max(-0.1), [away(5)]),
    "ClampTensor": (lambda a, lo, hi: torch.clamp(a, lo, hi), [torch.tensor([-0.9, 0.1, 0.8], dtype=torch.float64, requires_grad=True),
                    torch.tensor([-0.5, -0.5, -0.5], dtype=torch.float64, requires_grad=True),
                    torch.tensor([0.5, 0.5, 0.5], dtype=torch.float64, requires_grad=True)]),
    "Prod": (lambda a: a.prod(), [rnd(2, 3, low=0.5, high=2)]),
    "ProdDim": (lambda a: a.prod(1) + torch.tensor([[0.0, 2.0], [1.0, 3.0]], dtype=torch.float64).prod(0) * a.prod(0, keepdim=True)[0, :2],
                [rnd(2, 3)]),
    "Cumsum": (lambda a: a.cumsum(1), [rnd(2, 3)]),
    "Amax": (lambda a: a.amax(1), [distinct(2, 3)]),
    "Amin": (lambda a: a.amin((0, 1), keepdim=True), [distinct(2, 3)]),
    "Logsumexp": (lambda a: a.logsumexp(1), [rnd(2, 3)]),
    "Norm": (lambda a: a.norm() + a.norm(p=1, dim=0) .sum() + a.norm(p=3, dim=1).sum() + a.norm(p=float("inf")), [distinct(2, 3) + 0.1]),
    "Sort": (lambda a: a.sort(1, descending=True).values, [distinct(2, 3)]),
    "SortStable": (lambda a: a.sort(0, stable=True).values, [distinct(2, 3)]),
    "Topk": (lambda a: a.topk(2).values, [distinct(2, 3)]),
    "VarMeanVar": (lambda a: torch.var_mean(a, 1)[0], [rnd(2, 3)]),
    "VarMeanMean": (lambda a: torch.var_mean(a, 1)[1], [rnd(2, 3)]),
    "StdMeanStd": (lambda a: torch.std_mean(a)[0], [rnd(2, 3)]),
    "StdMeanMean": (lambda a: torch.std_mean(a, 0, keepdim=True)[1], [rnd(2, 3)]),
    "T1": (lambda a: a.t(), [rnd(3)]),
    "Alias": (lambda a: a[...], [rnd(2, 3)]),
    "Split": (lambda a: a.split(2, dim=1)[1] * a.chunk(2, dim=1)[0][:, :1], [rnd(2, 3)]),
    "SplitWithSizes": (lambda a: a.split([1, 2])[1], [rnd(3, 2)]),
    "Unbind": (lambda a: a.unbind(1)[2], [rnd(2, 3)]),
    "Flip": (lambda a: a.flip(0, 1), [rnd(2, 3)]),
    "Repeat": (lambda a: a.repeat(2, 1, 3), [rnd(2, 3)]),
    "IndexSelect": (lambda a: a.index_select(1, torch.tensor([2, 0, 2])), [rnd(2, 3)]),
    "ReshapeAlias": (lambda a: a.T.reshape(3, 1, 2), [rnd(2, 3)]),
    "UnsafeView": (lambda a: a.t().reshape(6), [rnd(2, 3)]),
    "Einsum": (lambda a, b: torch.einsum("ij,jk->ik", a, b) + torch.einsum("ij->j", a).sum(), [rnd(2, 3), rnd(3, 2)]),
    # in-place fills on a tensor in a graph (ZeroBackward0, FillBackward2/3, CopyBackwards, NormalBackward0, ...)
    "_Zero": (lambda a: (a * 1).zero_() + a, [rnd(3)]),
    "_Fill": (lambda a: (a * 1).fill_(2.0) * a, [rnd(3)]),
    "_FillTensor": (lambda a, b: (a * 1).fill_(b) * a, [rnd(3), rnd()]),
    "_Copy": (lambda a, b: (a * 1).copy_(b) * a, [rnd(2, 3), rnd(3)]),
    "_Normal": (lambda a: (a * 1).normal_() * 0 + a, [rnd(3)]),
    "_Uniform": (lambda a: (a * 1).uniform_() * 0 + a, [rnd(3)]),
    # nn.functional activations and losses (autograd_kit/ops/activation.py, autograd_kit/ops/loss.py);
    # LOSS_A - LOSS_B is [-1, -0.3, 0.1, 0.1, 0.7]: both sides of beta/delta = 0.5, away from the kinks
    "LeakyRelu": (lambda a: torch.nn.functional.leaky_relu(a, 0.2), [away(5)]),
    "LeakyReluInplace": (lambda a: torch.nn.functional.leaky_relu(a * 1, 0.2, inplace=True), [away(5)]),
    "LeakyReluBackward": (lambda a, g: torch.autograd.grad(torch.nn.functional.leaky_relu(a, 0.2), a, g,
                                                            create_graph=True)[0], [away(5), rnd(5)]),
    "Elu": (lambda a: torch.nn.functional.elu(a, 0.7), [away(5)]),
    "EluInplace": (lambda a: torch.nn.functional.elu(a * 1, 0.7, inplace=True), [away(5)]),
    "Silu": (lambda a: torch.nn.functional.silu(a), [rnd(5, low=-3, high=3)]),
    "Softplus": (lambda a: torch.nn.functional.softplus(a, beta=2.0, threshold=3.0), [away(6)]),
    "LogSigmoid": (lambda a: torch.nn.functional.logsigmoid(a), [rnd(5, low=-4, high=4)]),
    "Gelu": (lambda a: torch.nn.functional.gelu(a) + torch.nn.functional.gelu(a, approximate="tanh"),
             [rnd(5, low=-3, high=3)]),
    "GeluBackward": (lambda a, g: torch.autograd.grad(torch.nn.functional.gelu(a, approximate="tanh"), a, g,
                                                      create_graph=True)[0], [rnd(5, low=-3, high=3), rnd(5)]),
    "MseLoss": (lambda a, b: torch.nn.functional.mse_loss(a, b, reduction="none"), [rnd(2, 3), rnd(2, 3, seed=1)]),
    "SmoothL1Loss": (lambda a, b: torch.nn.functional.smooth_l1_loss(a, b, beta=0.5), [LOSS_A, LOSS_B]),
    "HuberLoss": (lambda a, b: torch.nn.functional.huber_loss(a, b, reduction="sum", delta=0.5), [LOSS_A, LOSS_B]),
    "BinaryCrossEntropy": (lambda a, b: torch.nn.functional.binary_cross_entropy(a, b, reduction="none"),
                           [rnd(2, 3, low=0.1, high=0.9), rnd(2, 3, low=0.1, high=0.9, seed=1)]),
    "BinaryCrossEntropyWithLogits": (lambda a, b: torch.nn.functional.binary_cross_entropy_with_logits(
        a, b, pos_weight=torch.tensor([1.0, 2.0, 0.5], dtype=torch.float64)), [rnd(2, 3), rnd(2, 3, low=0, seed=1)]),
    "NllLoss": (lambda a: torch.nn.functional.nll_loss(a, torch.tensor([0, 2, 2]), ignore_index=0,
                                                       weight=torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)),
                [rnd(3, 3)]),
    "NllLoss2d": (lambda a: torch.nn.functional.nll_loss(a, torch.tensor([[0, 2], [1, 1]]), reduction="none"),
                  [rnd(2, 3, 2)]),
    "MulScalar": (lambda a: torch.nn.functional.cross_entropy(a, torch.tensor([0, 2]), label_smoothing=0.2),
                  [rnd(2, 3)]),
    "DivScalar": (lambda a: torch.nn.functional.cross_entropy(a, torch.tensor([[0.2, 0.8], [0.5, 0.5]],
                                                                              dtype=torch.float64)), [rnd(2, 2)]),
    # layers (autograd_kit/ops/conv.py, pooling.py, normalization.py, embedding.py, padding.py)
    "Convolution": (lambda x, w, b: torch.nn.functional.conv2d(x, w, b, stride=2, padding=1, dilation=(1, 2), groups=2)
                    + torch.nn.functional.conv1d(x[:, :, 0], w[:, :, 0], padding="same", groups=2).sum(),
                    [rnd(1, 2, 4, 5), rnd(4, 1, 2, 2, seed=1), rnd(4, seed=2)]),
    "Im2Col": (lambda x: torch.nn.functional.unfold(x, 2, padding=1, stride=2, dilation=(1, 2)), [rnd(1, 2, 3, 4)]),
    "Col2Im": (lambda x: torch.nn.functional.fold(x, (3, 3), 2, padding=1), [rnd(1, 8, 16)]),
    "MaxPool2DWithIndices": (lambda x: torch.nn.functional.max_pool2d(x, 2, stride=1)
                             + torch.nn.functional.max_pool2d(x, 3, 2, 1, ceil_mode=True).sum(), [distinct(1, 2, 4, 4)]),
    "MaxPool2DWithIndicesBackward": (lambda x, g: torch.autograd.grad(torch.nn.functional.max_pool2d(x, 2, stride=1), x, g,
                                                                      create_graph=True)[0], [distinct(1, 1, 3, 4), rnd(1, 1, 2, 3)]),
    "AvgPool2D": (lambda x: torch.nn.functional.avg_pool2d(x, 2, 1, 1, ceil_mode=True, count_include_pad=False)
                  + torch.nn.functional.avg_pool2d(x, 3, 2, 1, ceil_mode=True).sum(), [rnd(1, 2, 4, 4)]),
    "AdaptiveAvgPool2D": (lambda x: torch.nn.functional.adaptive_avg_pool2d(x, (2, 3)), [rnd(1, 2, 5, 4)]),
    "NativeBatchNorm": (lambda x, w, b: torch.nn.functional.batch_norm(x, None, None, w, b, training=True)
                        + torch.nn.functional.batch_norm(x, torch.zeros(3, dtype=torch.float64) + 0.2,
                                                         torch.ones(3, dtype=torch.float64) * 1.5, w, b),
                        [rnd(4, 3, 2), rnd(3, seed=1), rnd(3, seed=2)]),
    "NativeLayerNorm": (lambda x, w, b: torch.nn.functional.layer_norm(x, (3,), w, b), [rnd(2, 2, 3), rnd(3, seed=1),
                                                                                         rnd(3, seed=2)]),
    "Embedding": (lambda w: torch.nn.functional.embedding(IDX, w), [rnd(4, 3)]),  # padding_idx rows: no grad by design
    "EmbeddingDenseBackward": (lambda w, g: torch.autograd.grad(
        torch.nn.functional.embedding(IDX, w, padding_idx=1, scale_grad_by_freq=True), w, g, create_graph=True)[0],
        [rnd(4, 3), rnd(2, 2, 3, seed=1)]),
    "ConstantPadNd": (lambda x: torch.nn.functional.pad(x, (1, -1, 2, 0), value=0.5), [rnd(2, 3, 3)]),
    "ReflectionPad1D": (lambda x: torch.nn.functional.pad(x, (2, 1), mode="reflect"), [rnd(2, 4)]),
    "ReflectionPad2D": (lambda x: torch.nn.functional.pad(x, (1, 1, 2, 1), mode="reflect"), [rnd(1, 3, 4)]),
    "ReflectionPad3D": (lambda x: torch.nn.functional.pad(x, (1, 1, 1, 0, 0, 1), mode="reflect"), [rnd(1, 2, 2, 3)]),
    "ReplicationPad1D": (lambda x: torch.nn.functional.pad(x, (3, 1), mode="replicate"), [rnd(2, 3)]),
    "ReplicationPad2D": (lambda x: torch.nn.functional.pad(x, (1, 2, 2, 1), mode="replicate"), [rnd(1, 2, 3)]),
    "ReplicationPad3D": (lambda x: torch.nn.functional.pad(x, (1, 1, 1, 0, 0, 1), mode="replicate"), [rnd(1, 2, 2, 2)]),
    "CircularPad": (lambda x: torch.nn.functional.pad(x, (1, 2, 2, 1), mode="circular"), [rnd(1, 2, 3, 3)]),
    "IndexPadBackward": (lambda x, g: torch.autograd.grad(torch.nn.functional.pad(x, (2, 1), mode="reflect"), x, g,
                                                          create_graph=True)[0], [rnd(2, 4), rnd(2, 7, seed=1)]),
    "IndexPadRead": (lambda x, g, v: torch.autograd.grad(torch.autograd.grad(
        torch.nn.functional.pad(x, (2, 1), mode="reflect"), x, g, create_graph=True)[0], g, v, create_graph=True)[0],
        [rnd(2, 4), rnd(2, 7, seed=1), rnd(2, 4, seed=2)]),
    # error functions (autograd_kit/ops/special.py), square systems (ops/linalg_solve.py)
    "Erf": (lambda a: torch.erf(a) + torch.special.erf(a * 2), [rnd(5, low=-2, high=2)]),
    "Erfc": (lambda a: a.erfc(), [rnd(5, low=-2, high=2)]),
    "Erfinv": (lambda a: torch.erfinv(a), [rnd(5, low=-0.9, high=0.9)]),
    "LinalgInvEx": (lambda a: torch.linalg.inv(a + 3 * torch.eye(3, dtype=torch.float64)), [rnd(2, 3, 3)]),
    "LinalgDet": (lambda a: torch.det(a + 2 * torch.eye(3, dtype=torch.float64)), [rnd(2, 3, 3)]),
    "LinalgSlogdetLogabsdet": (lambda a: torch.linalg.slogdet(a - 2 * torch.eye(3, dtype=torch.float64)).logabsdet,
                               [rnd(3, 3)]),
    "LinalgSlogdetSign": (lambda a: torch.slogdet(a - 2 * torch.eye(3, dtype=torch.float64)).sign * a, [rnd(3, 3)]),
    "LinalgSolveEx": (lambda a, b, v: torch.linalg.solve(a + 3 * torch.eye(3, dtype=torch.float64), b)
                      + torch.linalg.solve(a + 3 * torch.eye(3, dtype=torch.float64), v).unsqueeze(-1),
                      [rnd(2, 3, 3), rnd(3, 2), rnd(3)]),
    "LinalgCholeskyEx": (lambda a: torch.linalg.cholesky(a @ a.mT + torch.eye(3, dtype=torch.float64))
                         + torch.linalg.cholesky(a @ a.mT + torch.eye(3, dtype=torch.float64), upper=True), [rnd(2, 3, 3)]),
    "LinalgSolveTriangular": (lambda a, b: torch.linalg.solve_triangular(a + 3 * torch.eye(3, dtype=torch.float64), b,
                                                                         upper=False)
                              + torch.linalg.solve_triangular(a + 3 * torch.eye(3, dtype=torch.float64), b.mT, upper=True,
                                                              left=False, unitriangular=True).mT,
                              [rnd(2, 3, 3), rnd(3, 2)]),
    "CholeskySolve": (lambda b, l: torch.cholesky_solve(b, l.tril() + 2 * torch.eye(3, dtype=torch.float64))
                      + torch.cholesky_solve(b, (l.tril() + 2 * torch.eye(3, dtype=torch.float64)).mT, upper=True),
                      [rnd(3, 2), rnd(2, 3, 3)]),
    "Lgamma": (lambda a: torch.lgamma(a) + torch.special.gammaln(-a), [rnd(4, low=0.2, high=0.8)]),
    "Digamma": (lambda a: a.digamma() + torch.special.psi(a + 3), [rnd(4, low=0.2, high=3)]),
    "Polygamma": (lambda a: torch.polygamma(1, a) + torch.special.polygamma(2, a), [rnd(4, low=0.5, high=3)]),
    "Atanh": (lambda a: a.atanh() + torch.arctanh(a * 0.5), [rnd(4, low=-0.8, high=0.8)]),
    "Asinh": (lambda a: a.asinh(), [rnd(4, low=-2, high=2)]),
    "Acosh": (lambda a: torch.acosh(a), [rnd(4, low=1.2, high=3)]),
    "Xlogy": (lambda a, b: torch.xlogy(a, b) + torch.special.xlogy(a, 2.0), [rnd(4), rnd(4, low=0.5, high=2)]),
    "Logit": (lambda a: a.logit() + torch.logit(a, eps=0.3), [torch.tensor([0.1, 0.45, 0.6, 0.85], dtype=torch.float64,
                                                                            requires_grad=True)]),
    "Poisson": (lambda a: torch.poisson(a) * 0 + a, [rnd(3, low=0.5, high=2)]),
    # a draw's implicit-reparameterization gradient is not a finite difference at a fixed seed (the rejection
    # sampler's path moves with alpha): checked against PyTorch's in tests/test_distributions.py instead
    "StandardGamma": (lambda a: _seeded_gamma(a) * 0 + a, [rnd(3, low=0.5, high=3)]),
}


def _seeded_gamma(a):
    """A Gamma draw differentiated in its concentration (the same draws at every perturbed alpha: one seed)."""
    torch.manual_seed(0)
    return torch._standard_gamma(a)


def _setitem(a, b):
    y = a * 1
    y[1] = b * 2
    return y


def test_every_registered_op_has_a_case():
    missing = sorted(n for n, op in REGISTRY.items() if op.differentiable and n not in CASES
                     and not n.startswith("Test"))
    assert missing == [], f"ops without a gradcheck case: {missing}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradcheck(name):
    fn, inputs, *opts = CASES[name]
    assert gradcheck(fn, inputs, **{"eps": 1e-6, "atol": 1e-5, "rtol": 1e-3, **(opts[0] if opts else {})})


@pytest.mark.parametrize("name", ["Mul", "Div", "Pow", "Exp", "Log", "Tanh", "Sigmoid", "Softmax", "LogSoftmax",
                                  "Mm", "Sum", "Mean", "Var", "Index", "Gather", "PowTensor", "Sqrt", "Sin",
                                  "Convolution", "Im2Col", "Col2Im", "MaxPool2DWithIndices", "AvgPool2D",
                                  "AdaptiveAvgPool2D", "NativeBatchNorm", "NativeLayerNorm", "Embedding",
                                  "EmbeddingDenseBackward", "MaxPool2DWithIndicesBackward", "IndexPadBackward",
                                  "ConstantPadNd", "ReflectionPad2D", "ReplicationPad1D", "Erf", "Erfc", "Erfinv",
                                  "LinalgInvEx", "LinalgDet", "LinalgSlogdetLogabsdet", "LinalgSolveEx", "Lerp",
                                  "LinalgCholeskyEx", "LinalgSolveTriangular", "CholeskySolve", "Lgamma", "Digamma",
                                  "Atanh", "Xlogy", "Logit"])
def test_second_order(name):
    fn, inputs, *_ = CASES[name]
    assert gradgradcheck(fn, inputs)


def test_gradcheck_detects_a_wrong_backward():
    from autograd_kit.autograd import Function

    class BadSquare(Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save(self=a)
            return a._data ** 2

        @staticmethod
        def backward(ctx, grad):
            (a,) = ctx.saved_tensors
            return grad * a  # wrong: should be 2a

    try:
        x = rnd(3)
        with pytest.raises(RuntimeError, match="Jacobian mismatch"):
            gradcheck(lambda a: BadSquare.apply(a), [x])
        assert gradcheck(lambda a: BadSquare.apply(a), [x], raise_exception=False) is False
    finally:
        REGISTRY.pop("BadSquare", None)
