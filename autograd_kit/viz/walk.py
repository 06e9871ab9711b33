"""The engine's real backward walk, run for the views without touching the user's tensors.

``quiet_steps(loss)`` yields the ``Step``s of ``backward_steps(loss, retain_graph=True)`` with every hook
switched off (tensor hooks, node pre/post hooks, post-accumulate hooks) and ``retain_grad()`` paused;
the leaves accumulate into private copies of their ``.grad`` (so the numbers are what ``backward()``
would give) and everything is put back afterwards. So after a view has run it, ``loss.backward()``
behaves exactly as if the view had never existed. What this walk cannot show: the effect of a hook that
changes a gradient (``hooks_in`` counts them so the views can say so).
"""
from contextlib import contextmanager

from ..autograd.graph import AccumulateGrad, backward_steps
from .._tensor import Tensor
from .trace import graph_nodes

_NODE_HOOKS = ("_pre_hooks", "_hooks", "_retain")
_LEAF_HOOKS = ("_hooks", "_post_acc_hooks")


def hooks_in(nodes):
    """How many user hooks (and retain_grad calls) the graph holds."""
    count = 0
    for n in nodes:
        count += sum(len(getattr(n, a) or ()) if a != "_retain" else (n._retain is not None) for a in _NODE_HOOKS)
        if isinstance(n, AccumulateGrad):
            count += sum(len(getattr(n.variable, a) or ()) for a in _LEAF_HOOKS)
    return count


@contextmanager
def _quiet(nodes):
    saved = []
    for n in nodes:
        for a in _NODE_HOOKS:
            if a in n.__dict__:
                saved.append((n, a, n.__dict__[a]))
                setattr(n, a, None)
        if isinstance(n, AccumulateGrad):
            v = n.variable
            saved.append((v, "_grad", v._grad))
            v._grad = None if v._grad is None else Tensor._make(v._grad._data.copy())
            for a in _LEAF_HOOKS:
                saved.append((v, a, getattr(v, a)))
                setattr(v, a, None)
    try:
        yield
    finally:
        for obj, a, value in reversed(saved):
            setattr(obj, a, value)


def quiet_steps(loss, gradient=None):
    """Yield the walk's steps (see the module docstring); leaves' ``.grad`` during a step hold the
    values ``backward()`` would have put there at that point."""
    nodes = graph_nodes([loss])
    with _quiet(nodes):
        yield from backward_steps(loss, gradient, retain_graph=True)


def all_grads(loss, gradient=None):
    """{id(node): gradient Tensor flowing into it} for every node, with no side effects."""
    return {id(s.node): s.grad_output for s in quiet_steps(loss, gradient)}
