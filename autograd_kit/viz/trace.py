"""From tensors to a drawable graph: backward nodes in the walk's order, with stable counter ids."""
import inspect
import re

import numpy as np

from ..autograd.graph import AccumulateGrad, Node, topological_nodes
from .._tensor import Tensor

SYMBOLS = {"Add": "+", "Sub": "-", "Rsub": "-", "Mul": "*", "Div": "/", "Neg": "neg", "Pow": "**",
           "PowTensor": "**", "Mm": "@", "Mv": "@", "Dot": "@", "Bmm": "@", "Matmul": "@", "Addmm": "addmm"}


# input names where the op's forward parameter names are not the formula's letters
INPUT_NAMES = {"Mv": ("A", "v"), "Pow": ("a", "p"), "Rsub": ("a", "c"), "CopySlices": ("a", "b", "index")}
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def input_names(op, n):
    """Names of an op's ``n`` inputs, as its ``formula`` uses them: ``op.inputs`` if the op declares it,
    else viz's table, else the parameter names of ``op.forward`` (``Addmm.forward(ctx, c, a, b)`` gives
    c, a, b; ``Where`` gives cond, a, b); variadic ops (cat, stack) and extras get a, b, c, ..."""
    names = getattr(op, "inputs", None) or INPUT_NAMES.get(getattr(op, "__name__", ""))
    if names is None:
        names = _signature_names(op)
    names = list(names)[:n]
    taken = set(names)
    spare = (c for c in LETTERS if c not in taken)
    return names + [next(spare) for _ in range(n - len(names))]


def _signature_names(op):
    try:
        params = list(inspect.signature(op.forward).parameters.values())[1:]  # skip ctx
    except (TypeError, ValueError):
        return ()
    names = []
    for p in params:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD, p.KEYWORD_ONLY):
            break
        names.append(p.name)
    return names


def input_defaults(op):
    """{position: default} of the op's forward parameters (so unchanged options need not be shown)."""
    try:
        params = list(inspect.signature(op.forward).parameters.values())[1:]
    except (TypeError, ValueError):
        return {}
    return {i: p.default for i, p in enumerate(params) if p.default is not p.empty}


def op_label(node):
    """Short op name for a node: '*' for MulBackward0, 'tanh' for TanhBackward0, ..."""
    op = getattr(node, "op", None)
    if op is not None and op.__name__ in SYMBOLS:
        return SYMBOLS[op.__name__]
    return re.sub(r"Backward\d*$", "", node.name().split("::")[-1]).lower()


def summarize(value, max_items=4):
    """A short, fixed-format text for a value: '2.0000', '[1.0000, 2.0000]', '(64, 10) -0.1234…0.5678' (shape
    and range: a card's label, never a number to compute with)."""
    if value is None:
        return "—"
    arr = np.asarray(value._data if isinstance(value, Tensor) else value)
    if arr.size == 1:
        return f"{float(arr.reshape(())):.4f}" if arr.dtype.kind == "f" else str(arr.reshape(()).item())
    if arr.ndim == 1 and arr.size <= max_items:
        if arr.dtype.kind == "f":
            return "[" + ", ".join(f"{v:.4f}" for v in arr.tolist()) + "]"
        return str(arr.tolist())
    shape = "(" + ", ".join(str(s) for s in arr.shape) + ")"
    if arr.size == 0:
        return shape + " empty"
    a = arr.astype(np.float64)
    return f"{shape} {float(a.min()):.4f}…{float(a.max()):.4f}"


def shape_str(shape):
    return "(" + ", ".join("%d" % s for s in shape) + ")"


def roots_of(output):
    outs = list(output) if isinstance(output, (list, tuple)) else [output]
    for t in outs:
        if not isinstance(t, Tensor):
            raise TypeError(f"expected a tensor (or a list of tensors), got {type(t).__name__}")
    return outs


class Ids:
    """Counter-based ids ('n0', 'n1', ...) in first-seen order: the same graph gives the same DOT."""

    def __init__(self, prefix="n"):
        self._ids = {}
        self.prefix = prefix

    def __call__(self, obj):
        key = id(obj)
        if key not in self._ids:
            self._ids[key] = (f"{self.prefix}{len(self._ids)}", obj)  # keep obj alive: ids stay unique
        return self._ids[key][0]


def graph_nodes(outputs):
    """Backward nodes reachable from the outputs, in the order backward runs them."""
    roots = []
    for t in outputs:
        if t.grad_fn is not None:
            roots.append(t.grad_fn)
        elif t.requires_grad:
            roots.append(t._accumulator())
    return topological_nodes(roots) if roots else []


def consumers(nodes):
    count = {}
    for n in nodes:
        for c, _ in n.next_functions:
            if c is not None:
                count[id(c)] = count.get(id(c), 0) + 1
    return count


def chain_groups(nodes, outputs_fns, skip=()):
    """Collapse straight chains (one input, used once) into groups: {id(node): group leader}.
    Nodes whose id is in ``skip`` (already in a module box) are left out."""
    used = consumers(nodes)
    leader = {}
    for n in nodes:  # walk order: consumers come before the nodes they use
        if id(n) in skip:
            continue
        lead = leader.setdefault(id(n), n)
        # leaves hang off the group; what matters is a single op input used only here
        kids = [c for c, _ in n.next_functions if c is not None and not isinstance(c, AccumulateGrad)]
        if isinstance(n, AccumulateGrad) or len(kids) != 1:
            continue
        c = kids[0]
        if used.get(id(c)) == 1 and id(c) not in outputs_fns and id(c) not in skip:
            leader[id(c)] = lead
    return leader


def is_node(x):
    return isinstance(x, Node)


def const_inputs(node):
    """[(position, name, value)] for the inputs of ``node``'s op that are constants: numbers or tensors
    that do not require grad, passed by position, and options the op saved under its parameter's
    name (``x ** 3`` saves ``exponent``, shown as p). Options left at their default are left out."""
    op = node.op
    sig = _signature_names(op)
    k = max(len(node.next_functions), len(sig))
    names, defaults = input_names(op, k), input_defaults(op)
    found = {i: v for i, v in node._consts or ()}
    for i in range(len(node.next_functions), len(sig)):  # passed by keyword: saved, or set on ctx
        value = (node._saved or {}).get(sig[i], (node.__dict__.get(sig[i]),))[0]
        if value is not None and not isinstance(value, Tensor) and i not in found:
            found[i] = value
    out = []
    for i, v in sorted(found.items()):
        if v is None or (not isinstance(v, Tensor) and _is_default(defaults, i, v)):
            continue
        out.append((i, names[i], v))
    return out


def _is_default(defaults, i, value):
    try:
        return i in defaults and type(defaults[i]) is type(value) and bool(defaults[i] == value)
    except (TypeError, ValueError):
        return False
