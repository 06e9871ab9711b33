"""``%load_ext autograd_kit``: tensors display with data, grad and grad_fn at a glance, and the
``%step_backward EXPR`` line magic opens the stepper on an expression."""
import html

from .._tensor import Tensor
from .trace import summarize


def tensor_html(t):
    """A small card: the tensor as PyTorch prints it, then shape, dtype, requires_grad, grad_fn, grad."""
    fn = t.grad_fn.name() if t.grad_fn is not None else ("leaf" if t.requires_grad else "—")
    grad = summarize(t._grad) if t._grad is not None else "—"
    rows = [("shape", str(tuple(t.shape))), ("dtype", repr(t.dtype)), ("requires_grad", str(t.requires_grad)),
            ("grad_fn", fn), ("grad", grad)]
    if t.label:
        rows.insert(0, ("label", t.label))
    cells = "".join(f"<tr><td style='text-align:left'><b>{html.escape(k)}</b></td>"
                    f"<td style='text-align:left'>{html.escape(v)}</td></tr>" for k, v in rows)
    return f"<pre style='margin:0'>{html.escape(repr(t))}</pre><table style='font-size:11px'>{cells}</table>"


def load_ipython_extension(ip):
    ip.display_formatter.formatters["text/html"].for_type(Tensor, tensor_html)

    def step_backward_magic(line):
        from . import step_backward
        value = ip.ev(line)
        return step_backward(value, namespace=ip.user_ns)

    ip.register_magic_function(step_backward_magic, magic_kind="line", magic_name="step_backward")


def unload_ipython_extension(ip):
    ip.display_formatter.formatters["text/html"].pop(Tensor, None)
