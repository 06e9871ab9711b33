"""optim.Adagrad: per-coordinate learning rates from the running sum of squared gradients, as PyTorch's."""
import autograd_kit as ak

from .optimizer import Optimizer


class Adagrad(Optimizer):
    """PyTorch's Adagrad. With t the step count and g the gradient (+ weight_decay * p)::

        clr = lr / (1 + (t - 1) * lr_decay)
        sum = sum + g * g
        p = p - clr * g / (sqrt(sum) + eps)

    The state (``step``, ``sum`` starting at ``initial_accumulator_value``) is made in the constructor,
    as PyTorch makes it.
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        if isinstance(lr, ak.Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        if fused:  # accepted, and computed as the single-tensor step (the kit has one implementation)
            if differentiable:
                raise RuntimeError("`fused` does not support `differentiable`")
            if foreach:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = ak.tensor(0.0, dtype=_scalar_dtype())
                state["sum"] = ak.full_like(p, group["initial_accumulator_value"])

    def share_memory(self):
        """A no-op in the kit (one process): kept so PyTorch code runs unchanged."""

    def _update(self, p, group):
        # torch/optim/adagrad.py, _single_tensor_adagrad (dense gradients), op for op
        state = self.state[p]
        state_sum, step_t = state["sum"], state["step"]
        step_t.add_(1)
        step = step_t.item()
        grad = -p.grad if group["maximize"] else p.grad
        if group["weight_decay"] != 0:
            grad = grad.add(p, alpha=group["weight_decay"])
        clr = group["lr"] / (1 + (step - 1) * group["lr_decay"])
        state_sum.addcmul_(grad, grad, value=1)
        std = state_sum.sqrt().add_(group["eps"])
        p.addcdiv_(grad, std, value=-clr)


def _scalar_dtype():
    """PyTorch's dtype for the step counter: float64 under a float64 default dtype, else float32."""
    return ak.float64 if ak.get_default_dtype() == ak.float64 else ak.float32
