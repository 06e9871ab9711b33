"""``autograd_kit.autograd``: backward, grad, gradcheck, and the graph the walk runs on."""
import collections
import contextlib
import gc
import warnings

import numpy as np

from . import graph
from .function import Function, REGISTRY
from .graph import backward_steps, topological_nodes, Step, Node
from .._grad_mode import no_grad, enable_grad, set_grad_enabled, inference_mode
from .gradcheck import gradcheck, gradgradcheck, GradcheckError
from .variable import Variable  # noqa: F401  (legacy: Variable(t) is a tensor)


CYCLE_WARNING = (
    "Using backward() with create_graph=True will create a reference cycle between the parameter and its gradient "
    "which can cause a memory leak. We recommend using autograd.grad when creating the graph to avoid this. If you "
    "have to use this function, make sure to reset the .grad fields of your parameters to None after use to break "
    "the cycle and avoid the leak.")
_cycle_warned = [False]


@contextlib.contextmanager
def _gc_paused():
    """No cyclic-GC passes during a walk: the walk makes no cycles of its own, and on a 100,000-node graph
    the collector's repeated scans of the (alive) graph cost more than the walk itself."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None, inputs=None):
    """Accumulate d(tensors)/d(leaf) into each leaf's ``.grad`` (the walk of ``backward_steps``)."""
    if create_graph and not _cycle_warned[0]:  # once per process, as PyTorch
        _cycle_warned[0] = True
        warnings.warn(CYCLE_WARNING, UserWarning, stacklevel=3)
    # consume the walk without keeping any step alive (so gradients nobody else holds can be kept, not copied);
    # no cyclic-GC passes meanwhile (as _gc_paused, without a context manager's cost on every backward)
    was = gc.isenabled()
    gc.disable()
    try:
        if inputs is None:  # the walk itself (backward_steps adds only the capture of ``inputs``)
            nodes, seeds = graph._roots(tensors, grad_tensors)
            for _ in graph.run(nodes, seeds, retain_graph=create_graph if retain_graph is None else retain_graph,
                               create_graph=create_graph, steps=False):
                pass
        else:
            collections.deque(backward_steps(tensors, grad_tensors, retain_graph, create_graph, inputs, steps=False),
                              maxlen=0)
    finally:
        if was:
            gc.enable()


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Return d(outputs)/d(inputs) without touching any ``.grad``."""
    single = not isinstance(inputs, (tuple, list))
    inputs = (inputs,) if single else tuple(inputs)
    if not inputs:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    if allow_unused is None:
        allow_unused = materialize_grads
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, but got: allow_unused=False.")
    nodes, seeds = graph._roots(outputs, grad_outputs)
    if retain_graph is None:
        retain_graph = create_graph
    capture = {}
    for i, t in enumerate(inputs):
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
        n = t.grad_fn if t.grad_fn is not None else t._accumulator()
        capture[id(n)] = n
    walk = graph.run(nodes, seeds, retain_graph=retain_graph, create_graph=create_graph, capture=capture,
                     accumulate=False, steps=False)
    with _gc_paused():
        try:
            while True:
                next(walk)
        except StopIteration as stop:
            captured = stop.value
    result = []
    for i, t in enumerate(inputs):
        n = t.grad_fn if t.grad_fn is not None else t._accumulator()
        g = captured.get(id(n))
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    f"The differentiated Tensor at index {i} appears to not have been used in the graph. Set "
                    f"allow_unused=True if this is the desired behavior.\nHint: input {i} (shape "
                    f"{list(t.shape)}) is not on any path from the outputs.")
            if materialize_grads:
                g = graph.Tensor._make(np.zeros(t._data.shape, dtype=t._data.dtype))
        elif not create_graph:
            g = g.detach()
        result.append(g)
    return tuple(result)


def set_detect_anomaly(mode):
    return _Anomaly()


class _Anomaly:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


detect_anomaly = _Anomaly
