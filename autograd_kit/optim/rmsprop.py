"""optim.RMSprop: gradients scaled by a running root mean square, with PyTorch's update order
(centered variant, momentum, weight decay, maximize)."""
import autograd_kit as ak

from .optimizer import Optimizer


class RMSprop(Optimizer):
    """PyTorch's RMSprop. For each parameter with gradient g (+ weight_decay * p)::

        v = alpha * v + (1 - alpha) * g * g
        avg = sqrt(v - mean(g)²) (centered)  or  sqrt(v);  avg = avg + eps
        buf = momentum * buf + g / avg;  p = p - lr * buf   (momentum > 0)
        p = p - lr * g / avg                                (otherwise)
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps, "centered": centered,
                    "weight_decay": weight_decay, "capturable": capturable, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable}
        super().__init__(params, defaults)

    def _update(self, p, group):
        state = self.state[p]
        if len(state) == 0:  # lazy initialisation, as in PyTorch
            state["step"] = ak.tensor(0.0)
            state["square_avg"] = ak.zeros_like(p)
            if group["momentum"] > 0:
                state["momentum_buffer"] = ak.zeros_like(p)
            if group["centered"]:
                state["grad_avg"] = ak.zeros_like(p)
        # torch/optim/rmsprop.py, _single_tensor_rmsprop, op for op (PyTorch's CPU path)
        grad = -p.grad if group["maximize"] else p.grad
        alpha, eps, lr = group["alpha"], group["eps"], group["lr"]
        state["step"].add_(1)
        if group["weight_decay"] != 0:
            grad = grad.add(p, alpha=group["weight_decay"])
        square_avg = state["square_avg"]
        square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
        if group["centered"]:
            grad_avg = state["grad_avg"]
            grad_avg.lerp_(grad, 1 - alpha)
            avg = square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
        else:
            avg = square_avg.sqrt()
        avg = avg.add_(eps)
        if group["momentum"] > 0:
            buf = state["momentum_buffer"]
            buf.mul_(group["momentum"]).addcdiv_(grad, avg)
            p.add_(buf, alpha=-lr)
        else:
            p.addcdiv_(grad, avg, value=-lr)
