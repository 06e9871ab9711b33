"""Seeing the graph: ``make_dot`` (backward graph), ``draw_dot`` (values and grads) and
``step_backward`` (a widget that steps through the real backward pass)."""
from .dot import draw_dot, make_dot
from .view import GraphView


def step_backward(loss, **kw):
    """A widget stepping through ``loss``'s backward pass, node by node (see ``stepper.StepBackward``)."""
    from .stepper import StepBackward
    return StepBackward(loss, **kw)


__all__ = ["make_dot", "draw_dot", "step_backward", "GraphView"]
