"""Which nn.Module call created each backward node, so a big graph can be drawn one box per module call.

Importing ``autograd_kit.viz`` wraps ``nn.Module.__call__`` once (the nn code is not changed): a call
made with grad mode on notes the node counter before ``forward`` and, after it, tags the nodes created
since then that its outputs reach with ``(call number, module)``; inner modules tag first, so a node's
tags go from the innermost call to the outermost. Forward calls made before the import are not tagged.
"""
import weakref

from .. import _grad_mode
from ..autograd import graph
from .._tensor import Tensor

ATTR = "_ak_module_calls"  # on a node: [(call number, weakref to module), ...], innermost first


def _outputs(out):
    if isinstance(out, Tensor):
        return [out]
    if isinstance(out, (list, tuple)):
        return [t for t in out if isinstance(t, Tensor)]
    if isinstance(out, dict):
        return [t for t in out.values() if isinstance(t, Tensor)]
    return []


def _tag(outputs, start, module):
    ref = weakref.ref(module)
    stack = [t.grad_fn for t in outputs if t.grad_fn is not None and t.grad_fn.seq > start]
    seen = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        node.__dict__.setdefault(ATTR, []).append((start, ref))
        stack.extend(c for c, _ in node.next_functions
                     if c is not None and not isinstance(c, graph.AccumulateGrad) and c.seq > start)


def install():
    """Wrap ``nn.Module.__call__`` (idempotent)."""
    from ..nn.module import Module
    original = Module.__call__
    if getattr(original, "_ak_wrapped", False):
        return

    def __call__(self, *args, **kwargs):
        if not _grad_mode._enabled[0]:
            return original(self, *args, **kwargs)
        start = next(graph._seq)  # nodes made by this call get larger numbers
        out = original(self, *args, **kwargs)
        _tag(_outputs(out), start, self)
        return out

    __call__._ak_wrapped = True
    __call__.__wrapped__ = original
    __call__.__doc__ = original.__doc__
    Module.__call__ = __call__


def calls_of(node):
    """The module calls around ``node``, outermost first: [(call number, module or None), ...]."""
    return [(c, ref()) for c, ref in reversed(node.__dict__.get(ATTR, ()))]


def module_label(module, names):
    """'fc1: Linear(784→256)': the name comes from the parameter names (``params=``), if any."""
    kind = type(module).__name__
    if hasattr(module, "in_features") and hasattr(module, "out_features"):
        text = f"{kind}({module.in_features}→{module.out_features})"
    else:
        extra = module.extra_repr() if hasattr(module, "extra_repr") else ""
        text = f"{kind}({extra[:30] + '…' if len(extra) > 30 else extra})"
    prefixes = {names[id(p)].rsplit(".", 1)[0] for p in module.parameters() if id(p) in names
                and "." in names[id(p)]}
    if len(prefixes) == 1:
        return f"{prefixes.pop()}: {text}"
    return text


def module_groups(nodes, max_boxes):
    """{id(node): call number} for the finest nesting level whose box count fits in ``max_boxes``
    (outermost level if none does), and {call number: module}. Leaves are never grouped here."""
    chains = {id(n): calls_of(n) for n in nodes if not isinstance(n, graph.AccumulateGrad)}
    depth = max((len(c) for c in chains.values()), default=0)
    best = {}
    for level in range(depth, 0, -1):
        key = {i: c[min(level, len(c)) - 1] for i, c in chains.items() if c}
        free = sum(1 for c in chains.values() if not c)
        best = key
        if len({k[0] for k in key.values()}) + free <= max_boxes:
            break
    modules = {k[0]: k[1] for k in best.values()}
    return {i: k[0] for i, k in best.items()}, modules
