"""optim.AdamW: Adam with decoupled weight decay (``p *= 1 - lr * weight_decay`` before the step)."""
from .adam import Adam


class AdamW(Adam):
    """PyTorch's AdamW: Adam with ``decoupled_weight_decay=True`` and a default weight_decay of 1e-2."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False, foreach=None, capturable=False,
                 differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable, differentiable=differentiable,
                         fused=fused, decoupled_weight_decay=True)
