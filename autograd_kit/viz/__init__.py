"""Seeing the graph: ``make_dot`` (backward graph), ``draw_dot`` (values and grads) and
``step_backward`` / ``step_forward`` (widgets that step through the real backward pass, and through
the forward pass as the graph is recorded)."""
from . import modules as _modules
from .dot import draw_dot, make_dot
from .view import GraphView

_modules.install()  # note which nn.Module call made each node (for the collapsed view of big graphs)


def step_backward(loss, **kw):
    """A widget stepping through ``loss``'s backward pass, node by node (see ``stepper.StepBackward``).
    Unnamed leaves are named after the caller's variables (``x``, ``net.0.weight``)."""
    import sys
    from .stepper import StepBackward
    if "namespace" not in kw:
        frame = sys._getframe(1)
        kw["namespace"] = {**frame.f_globals, **frame.f_locals}
    return StepBackward(loss, **kw)


def step_forward(fn, *inputs, **kw):
    """A widget replaying ``fn(*inputs)``'s forward pass op by op, as the graph is recorded (see
    ``stepper.StepForward``); same layout as ``step_backward`` of its output (``.output``)."""
    import sys
    from .stepper import StepForward
    if "namespace" not in kw:
        frame = sys._getframe(1)
        kw["namespace"] = {**frame.f_globals, **frame.f_locals}
    return StepForward(fn, *inputs, **kw)


__all__ = ["make_dot", "draw_dot", "step_backward", "step_forward", "GraphView"]
