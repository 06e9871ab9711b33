"""optim.Adam: adaptive moment estimation, with PyTorch's exact update order (and AMSGrad)."""
import autograd_kit as ak

from .optimizer import Optimizer


class Adam(Optimizer):
    """PyTorch's Adam. With t the step count and g the gradient (+ weight_decay * p)::

        m = beta1 * m + (1 - beta1) * g          v = beta2 * v + (1 - beta2) * g * g
        v_max = max(v_max, v)  (amsgrad; then v_max replaces v below)
        p = p - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not (isinstance(betas[0], float) and isinstance(betas[1], float)):
            raise ValueError("betas must be either both floats or both Tensors")
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach,
                    "capturable": capturable, "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    def _state_for(self, p, amsgrad):
        state = self.state[p]
        if len(state) == 0:  # lazy initialisation, as in PyTorch
            state["step"] = ak.tensor(0.0)
            state["exp_avg"] = ak.zeros_like(p)
            state["exp_avg_sq"] = ak.zeros_like(p)
            if amsgrad:
                state["max_exp_avg_sq"] = ak.zeros_like(p)
        return state

    def _update(self, p, group):
        # torch/optim/adam.py, _single_tensor_adam (PyTorch's CPU path: foreach=None means single-tensor on
        # the CPU), op for op: each kernel rounds as PyTorch's does (ops/pointwise.py)
        beta1, beta2 = group["betas"]
        lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
        state = self._state_for(p, group["amsgrad"])
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        grad = -p.grad if group["maximize"] else p.grad

        state["step"].add_(1)
        if weight_decay != 0:
            if group["decoupled_weight_decay"]:
                p.mul_(1 - lr * weight_decay)
            else:
                grad = grad.add(p, alpha=weight_decay)

        exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)

        step = state["step"].item()
        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        step_size = lr / bias_correction1
        bias_correction2_sqrt = bias_correction2**0.5

        if group["amsgrad"]:
            max_exp_avg_sq = state["max_exp_avg_sq"]
            ak.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
            denom = (max_exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
        else:
            denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
        p.addcdiv_(exp_avg, denom, value=-step_size)
