"""The backward graph and the one walk over it.

Every op that records history creates a ``Node`` (its ``grad_fn``), named as in PyTorch
(``MulBackward0``), with its ordered ``next_functions`` edges, the values it saved for backward,
and a creation counter ``seq``. Leaves get an ``AccumulateGrad`` node.

``backward_steps`` is the single backward walk: an iterative topological traversal with dependency
counts and a priority queue (later-created nodes first, ``AccumulateGrad`` as soon as it is ready),
so it is deterministic and needs no recursion. ``Tensor.backward``, ``autograd.grad``, the graph
views and the step-through widget all use it.
"""
import heapq
import re
import sys
import itertools
import types
import weakref

import numpy as np

from .. import _dtype, _grad_mode

_inference_used = _grad_mode._inference_used
KEEP_BYTES = 1 << 16  # a node keeps its op's output (for the views) up to this size; a larger one weakly

_seq = itertools.count()
_new = object.__new__
Tensor = None  # set by autograd_kit._tensor (avoids an import cycle)

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they "
    "have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward."
)
OUTPUT = object()  # placeholder an op saves in place of its own output (saved without a reference cycle)
FREED = object()  # what a saved tensor becomes once backward has run without retain_graph
_FREED_ENTRY = (FREED, None)
_NONE_ENTRY = (None, None)
_OUTPUT_ENTRY = (OUTPUT, None)
NUMBER = object()  # version marker of a Python number an op saves as PyTorch does, as a 0-d tensor (freed after
# backward like any saved tensor; ``_saved_other`` shows tensor(2.)); kept as the number, made a tensor on demand


def _own_code(fn):
    """A copy of ``fn`` with a code object of its own. CPython (3.11+) specializes each attribute read and
    write of a code object for one type; a function every node class shares (``save``, the ops' entry
    points) would see a different class at each call and stay on the slow generic path."""
    return types.FunctionType(fn.__code__.replace(), fn.__globals__, fn.__name__, fn.__defaults__, fn.__closure__)


class RemovableHandle:
    """Returned by ``register_hook``; ``remove()`` unregisters the hook."""

    _ids = itertools.count()

    def __init__(self, hooks_dict):
        self.id = next(RemovableHandle._ids)
        self._hooks = weakref.ref(hooks_dict) if hooks_dict is not None else None

    def remove(self):
        hooks = self._hooks() if self._hooks is not None else None
        if hooks is not None:
            hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class HookDict(dict):
    """A dict that can be weakly referenced (handles hold it weakly)."""

    __slots__ = ("__weakref__",)


def _type_string(t):
    from .._tensor import tensor_type_name
    return f"[{tensor_type_name(t.dtype)} [{', '.join(str(s) for s in t.shape)}]]"


class Node:
    """A backward function in the graph (the ``grad_fn`` of a tensor)."""

    op = None  # the Function subclass (carries forward/backward, formula, derivatives)
    _saved = None
    _saves_output = False  # the op saved its own output (OUTPUT): Function.apply keeps it in _out
    _hooked = False  # a hook or retain_grad was registered: only then does the walk look for them
    # What the walk reads of an op's node, in one list (one attribute read per node; see _walk_record):
    # [backward function, next_functions, _in_meta, output shape, output dtype, _saved, hooked]. None: built
    # on demand.
    _w = None
    _out = None
    _freed = False
    _pre_hooks = None
    _hooks = None
    _retain = None
    _metadata = None
    _val = None  # the op's output values for the graph views (see _value)
    _out_ref = None  # weak reference to the output tensor, once it is labelled (see output)
    _consts = None  # ((input position, value), ...) for inputs that are constants
    _in_meta = None  # per input (shape, dtype) or None; None for all: each input has the output's

    @property
    def _value(self):
        """The op's output values, for the graph views: kept with the node up to ``KEEP_BYTES``; a larger
        output is kept only while something else holds it (its tensor, a saved value), so a big network's
        intermediate results are freed as in PyTorch. None once freed."""
        v = self._val
        return v() if type(v) is weakref.ref else v

    def _out_meta(self):
        """(shape, dtype) of the op's output."""
        w = self._w
        if w is not None:
            return w[3], w[4]
        v = self._value
        return v.shape, v.dtype

    def _input_meta(self):
        """(shape, dtype) of each input that needs a gradient (None for the others)."""
        if self._in_meta is not None:
            return self._in_meta
        meta = self._out_meta()
        return tuple(None if c is None else meta for c, _ in self.next_functions)

    @property
    def output(self):
        """The output tensor, if it is alive and labelled (``y.label = "y"``) or retains its grad; else None.
        A node does not keep its output otherwise (as in PyTorch, and a weak reference per recorded op cost 6%
        of a small-op step): the views also find the outputs among the tensors they are given by name."""
        for ref in (self._out_ref, self._retain):
            t = ref() if ref is not None else None
            if t is not None:
                return t
        return None

    def name(self):
        return type(self).__name__

    def __repr__(self):
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    @property
    def metadata(self):
        if self._metadata is None:
            self._metadata = {}
        return self._metadata

    # ---- saved values -------------------------------------------------------------------
    # ``_saved_<name>`` is a property of the node's class, added the first time a node of that class saves
    # ``name`` (no ``__getattr__`` on nodes: attribute reads on them stay on CPython's fast path)
    _saved_names = frozenset()

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        cls._saved_names = set()
        # each node class saves and unpacks with code of its own (see _own_code)
        cls.save = _own_code(Node.save)
        cls.saved_tensors = property(_own_code(Node.saved_tensors.fget))

    def save(this, /, **named):
        """Save values for backward by name (PyTorch's ``_saved_<name>``); records tensor versions."""
        names = this._saved_names
        for k, v in named.items():  # (value, version) in place of each value: the call's own dict is kept
            if isinstance(v, Tensor):
                if _inference_used[0] and v._inference:
                    raise RuntimeError(
                        "Inference tensors cannot be saved for backward. Please do not use Tensors created in "
                        "inference mode in computation tracked by autograd. To work around this, you can make a "
                        "clone to get a normal tensor and use it in autograd, or use `torch.no_grad()` instead of "
                        "`torch.inference_mode()`.")
                named[k] = (v, v._vc[0])
            elif v is None:
                named[k] = _NONE_ENTRY
            elif v is OUTPUT:
                named[k] = _OUTPUT_ENTRY
                this._saves_output = True
            elif type(v) is tuple and v and v[0] is NUMBER:  # (NUMBER, number): a wrapped number (see NUMBER)
                named[k] = (v[1], NUMBER)
            else:
                named[k] = (v, None)
            if k not in names:
                _add_saved_property(type(this), k)
        this._saved = named

    def _unpack(self, name, value, version):
        if version is NUMBER:
            return Tensor._make(np.asarray(value))
        if version is not None:
            if value._vc[0] == version:  # a saved tensor, unmodified: the common case
                return value
        elif value is FREED:
            raise RuntimeError(FREED_MESSAGE)
        elif value is OUTPUT:
            data, vc, version = self._out
            value = Tensor._make(data, True, self, vc)
            if vc[0] == version:
                return value
        else:
            return value  # a number or other value saved as it is
        out_of = ""
        if value.grad_fn is not None:
            out_of = f", which is output 0 of {re.sub(r'Backward[0-9]+$', '', value.grad_fn.name())},"
        raise RuntimeError(
            "one of the variables needed for gradient computation has been modified by an inplace "
            f"operation: {_type_string(value)}{out_of} is at version {value._vc[0]}; expected version "
            f"{version} instead. Hint: enable anomaly detection to find the operation that failed to "
            "compute its gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False)."
        )

    def save_for_backward(self, *tensors):
        """PyTorch's custom-Function spelling: save tensors by position."""
        self.save(**{f"tensor_{i}": t for i, t in enumerate(tensors)})

    def mark_non_differentiable(self, *tensors):
        pass

    def set_materialize_grads(self, value):
        pass

    @property
    def saved_tensors(self):
        saved = self._saved
        if saved is None:
            return ()
        out = []
        for v, ver in saved.values():
            if ver is None:
                out.append(v if v is not FREED and v is not OUTPUT else self._unpack(None, v, ver))
            elif ver is NUMBER or v._vc[0] == ver:  # a wrapped number comes back as the number; an unmodified tensor
                out.append(v)
            else:
                out.append(self._unpack(None, v, ver))
        return tuple(out)

    @property
    def saved(self):
        """Saved values by name, for display (raises PyTorch's error once freed)."""
        if self._saved is None:
            return {}
        return {k: self._unpack(k, v, ver) for k, (v, ver) in self._saved.items()}

    def _free(self):
        """Release saved tensors (numbers and other attributes stay, as in PyTorch)."""
        saved = self._saved
        if saved is not None:
            for k, (v, ver) in saved.items():
                if ver is not None or v is OUTPUT:
                    saved[k] = _FREED_ENTRY
            self._out = None
            self._freed = True

    # ---- hooks ----------------------------------------------------------------------------
    def register_hook(self, fn):
        """``fn(grad_inputs, grad_outputs)`` runs after this node; may return new grad_inputs."""
        if self._hooks is None:
            self._hooks = HookDict()
        h = RemovableHandle(self._hooks)
        self._hooks[h.id] = fn
        self._mark_hooked()
        return h

    def register_prehook(self, fn):
        """``fn(grad_outputs)`` runs before this node; may return new grad_outputs."""
        if self._pre_hooks is None:
            self._pre_hooks = HookDict()
        h = RemovableHandle(self._pre_hooks)
        self._pre_hooks[h.id] = lambda g, _fn=fn: (lambda r: None if r is None else r[0])(_fn((g,)))
        self._mark_hooked()
        return h

    def _tensor_prehook(self, fn):
        if self._pre_hooks is None:
            self._pre_hooks = HookDict()
        h = RemovableHandle(self._pre_hooks)
        self._pre_hooks[h.id] = fn
        self._mark_hooked()
        return h

    def _mark_hooked(self):
        self._hooked = True
        if self._w is not None:
            self._w[6] = True

    def _backward(self, grad):
        """The op's backward formula (each op's node class binds it directly: see Function)."""
        return self.op.backward(self, grad)

    def apply_backward(self, grad):
        """Run this node's backward formula; returns one gradient (or None) per input edge."""
        grads = self._backward(grad)
        if not isinstance(grads, tuple):
            grads = (grads,)
        return grads


def _add_saved_property(cls, key):
    """``node._saved_<key>``: the saved value (PyTorch's error once freed), for every node of ``cls``."""
    def get(node):
        saved = node._saved
        if saved is None or key not in saved:
            raise AttributeError(f"'{type(node).__name__}' object has no attribute '_saved_{key}'")
        v, ver = saved[key]
        return node._unpack(key, v, ver)
    cls._saved_names.add(key)
    if "_saved_" + key not in cls.__dict__:
        setattr(cls, "_saved_" + key, property(get))


class AccumulateGrad(Node):
    """The node at a leaf: adds the incoming gradient into ``variable.grad``."""

    next_functions = ()

    def name(self):
        return "torch::autograd::AccumulateGrad"  # PyTorch's spelling

    def __init__(self, variable):
        self.variable = variable
        self.seq = next(_seq)

    def __repr__(self):
        return f"<AccumulateGrad object at {hex(id(self))}>"


class Step:
    """One executed node of the backward walk."""

    __slots__ = ("index", "node", "grad_output", "grad_inputs")

    def __init__(self, index, node, grad_output, grad_inputs):
        self.index = index
        self.node = node
        self.grad_output = grad_output
        self.grad_inputs = grad_inputs

    def __repr__(self):
        return f"Step({self.index}, {self.node.name()})"


def _key(node):
    """Heap key (smallest pops first): AccumulateGrad as soon as it is ready, then the most recently
    created node; seq numbers are unique, so keys never tie and the order is fully deterministic."""
    return -node.seq - (1 << 62) if type(node) is AccumulateGrad else -node.seq


def _discover(roots):
    """Iterative DFS from root nodes: dependency counts and nodes in post-order (inputs first)."""
    deps = {}
    order = []
    seen = set()
    stack = []
    for r in roots:
        if r is not None and id(r) not in seen:
            seen.add(id(r))
            stack.append((r, iter(r.next_functions)))
            while stack:
                node, it = stack[-1]
                for child, _ in it:
                    if child is None:
                        continue
                    deps[child] = deps.get(child, 0) + 1
                    if id(child) not in seen:
                        seen.add(id(child))
                        stack.append((child, iter(child.next_functions)))
                        break
                else:
                    stack.pop()
                    order.append(node)
    return deps, order


def topological_nodes(roots):
    """All nodes reachable from ``roots`` (tensors or nodes), in the order backward runs them."""
    nodes = []
    for r in roots if isinstance(roots, (list, tuple)) else [roots]:
        n = r if isinstance(r, Node) else (r.grad_fn or (r._accumulator() if r.requires_grad else None))
        if n is not None:
            nodes.append(n)
    deps, _ = _discover(nodes)
    heap = []
    pushed = set()
    for n in nodes:
        if deps.get(n, 0) == 0 and id(n) not in pushed:
            pushed.add(id(n))
            heapq.heappush(heap, (_key(n), n))
    out = []
    while heap:
        node = heapq.heappop(heap)[1]
        out.append(node)
        for child, _ in node.next_functions:
            if child is None:
                continue
            deps[child] -= 1
            if deps[child] == 0:
                heapq.heappush(heap, (_key(child), child))
    return out


def _to_execute(order, targets):
    """Nodes whose backward must run to reach a target: those with a child on a path to a target
    (order is post-order, inputs first). A target itself runs only if it leads to another target."""
    leads, run_ = set(), set()
    for node in order:
        if any(c is not None and id(c) in leads for c, _ in node.next_functions):
            run_.add(id(node))
            leads.add(id(node))
        elif id(node) in targets:
            leads.add(id(node))
    return run_


def _dependencies(roots):
    """How many edges lead into each node reachable from ``roots`` (iterative; no order needed)."""
    stack = [r for r in (dict.fromkeys(roots) if len(roots) > 1 else roots) if r is not None]
    deps = dict.fromkeys(stack, 0)  # the roots: expanded already (an edge into a root counts, as any other)
    pop, push = stack.pop, stack.append
    while stack:
        for child, _ in pop().next_functions:
            if child is not None:
                n = deps.get(child)
                if n is None:
                    deps[child] = 1
                    push(child)
                else:
                    deps[child] = n + 1
    return deps


def run(root_nodes, root_grads, *, retain_graph, create_graph, capture=None, accumulate=True, steps=True):
    """The backward walk, as a generator of ``Step``s.

    ``capture``: optional dict {id(node): node} of nodes whose total incoming gradient is recorded
    (in ``captured``, returned via StopIteration value) instead of, or as well as, being propagated:
    used by ``autograd.grad`` and ``backward(inputs=...)``. With ``accumulate=False`` leaves' ``.grad``
    are left alone. With ``steps=False`` the whole walk runs on the first ``next()`` and yields no ``Step``
    (what ``backward()`` consumes: the same walk without a Step object and a resume per node).
    """
    if capture is not None:
        deps, order = _discover(root_nodes)
        need = _to_execute(order, capture)
    else:
        deps, need = _dependencies(root_nodes), None
    buffers = {}
    for n, g in zip(root_nodes, root_grads):
        if n is None:
            continue
        buffers[n] = buffers[n] + g if n in buffers else g
    heap = []
    for n in dict.fromkeys(root_nodes):
        if n is not None and deps.get(n, 0) == 0:
            heapq.heappush(heap, (_key(n), n))
    captured = {}
    owned = set()  # nodes whose buffer holds a sum made by this walk (not create_graph): added into in place
    index = 0
    mode = _grad_mode._enabled
    push, pop, pushpop = heapq.heappush, heapq.heappop, heapq.heappushpop
    prev_mode = mode[0]
    mode[0] = create_graph  # the walk runs in create_graph's grad mode; between Steps the caller's mode is back
    try:
        ready = None  # the one node the last node made ready while no other waited: it runs next, past the heap
        node = pop(heap)[1] if heap else None
        while node is not None:
            grad = buffers.pop(node)
            if type(node) is AccumulateGrad:
                if node._hooked or capture is not None:
                    grad = _before(node, grad, create_graph, capture, captured)
                grad_inputs = ()
                if accumulate and (capture is None or id(node) in capture):
                    _accumulate(node.variable, grad, create_graph)
            else:
                w = node._w  # the node's fields in one read (node classes differ at every step of the walk)
                backward, edges, meta, shape, dt, saved, hooked = w if w is not None else _walk_record(node)
                if hooked or capture is not None:
                    grad = _before(node, grad, create_graph, capture, captured)
                if need is not None and id(node) not in need:
                    grad_inputs = ()
                else:
                    grads = backward(node, grad)
                    if type(grads) is not tuple:
                        grads = (grads,)
                    # the common case: inputs have the output's shape and dtype, and each gradient is checked
                    # as it is passed on (one that does not fit is summed back or cast there, as _fit_to_inputs)
                    fit = meta is None and not hooked and not steps and len(grads) == len(edges)
                    if not fit:
                        grads = _fit_to_inputs(node, grads)
                        if hooked and node._hooks:
                            grads = _post_hooks(node, grads, grad)
                    for (child, _), g in zip(edges, grads):
                        if child is None:
                            continue
                        if g is not None:
                            if fit and (type(g) is not Tensor or g._data.shape != shape or g._data.dtype is not dt):
                                g = _fit_grad(g, shape, dt)
                            b = buffers.get(child)
                            if b is None:
                                buffers[child] = g
                            elif create_graph:
                                buffers[child] = b + g
                            elif child in owned:  # a sum this walk made: nobody else holds it, add in place
                                np.add(b._data, g._data, out=b._data)
                            else:  # the first sum: a new array, the walk's own from now on
                                buffers[child] = Tensor._make(np.asarray(np.add(b._data, g._data)))
                                owned.add(child)
                        left = deps[child] - 1
                        deps[child] = left
                        if not left:
                            if child not in buffers:
                                _skip(child, deps, buffers, heap)
                            elif heap or ready is not None:  # AccumulateGrad first, then the latest-made node
                                if ready is not None:
                                    push(heap, (_key(ready), ready))
                                    ready = None
                                push(heap, (-child.seq - (1 << 62) if type(child) is AccumulateGrad else -child.seq,
                                            child))
                            else:
                                ready = child
                    grad_inputs = grads
                    g = b = grads = None  # drop the loop's references (lets AccumulateGrad keep the array uncopied)
                    if saved is not None and not retain_graph:  # free saved tensors (Node._free, inline)
                        for k, (val, ver) in saved.items():
                            if ver is not None or val is OUTPUT:
                                saved[k] = _FREED_ENTRY
                        val = None
            if steps:
                step = _new(Step)  # Step(index, node, grad, grad_inputs), without a Python frame per node
                step.index, step.node, step.grad_output, step.grad_inputs = index, node, grad, grad_inputs
                mode[0] = prev_mode
                yield step
                prev_mode = mode[0]
                mode[0] = create_graph
                step = None
                index += 1
            else:
                grad = grad_inputs = None  # as the consumer drops each step: nothing of this node kept alive
            if ready is not None:  # the heap's order: the ready node goes first only if nothing else waits
                node = ready if not heap else pushpop(heap, (_key(ready), ready))[1]
                ready = None
            else:
                node = pop(heap)[1] if heap else None
    finally:
        mode[0] = prev_mode
    return captured


def _walk_record(node):
    """``node._w`` for a node that has none (one not made by Function: e.g. the grader's remote nodes)."""
    v = node._value  # such a node has _in_meta (then the walk reads no output shape), or its output's values
    shape, dt = (None, None) if v is None else (v.shape, v.dtype)
    return [type(node)._backward, node.next_functions, node._in_meta, shape, dt, node._saved, node._hooked]


def _before(node, grad, create_graph, capture, captured):
    """What happens to a node's incoming gradient before its backward: its pre-hooks (tensor hooks of a
    non-leaf), retain_grad, and capture (``autograd.grad``'s inputs)."""
    if node._pre_hooks:
        for hook in list(node._pre_hooks.values()):
            r = hook(grad)
            if r is not None:
                grad = r
    if node._retain is not None:
        t = node._retain()
        if t is not None and t.grad_fn is node:
            t._grad = grad if t._grad is None else t._grad + grad
            if not create_graph:
                t._grad = t._grad.detach()
    if capture is not None and id(node) in capture:
        captured[id(node)] = grad
    return grad


def _post_hooks(node, grad_inputs, grad):
    """A node's hooks, ``hook(grad_inputs, grad_outputs)``, each may return new grad_inputs."""
    for hook in list(node._hooks.values()):
        r = hook(grad_inputs, (grad,))
        if r is not None:
            grad_inputs = tuple(r)
    return grad_inputs


def _skip(node, deps, buffers, heap):
    """A node that received no gradient at all: release its dependents (iteratively)."""
    stack = [node]
    while stack:
        n = stack.pop()
        for child, _ in n.next_functions:
            if child is None:
                continue
            deps[child] -= 1
            if deps[child] == 0:
                if child in buffers:
                    heapq.heappush(heap, (_key(child), child))
                else:
                    stack.append(child)


def _check_user_grads(node, grads):
    """A custom Function's backward must return one gradient per forward input, each of a shape the
    input's shape broadcasts to (PyTorch's checks and words)."""
    n = len(node.next_functions)
    if len(grads) > n and all(g is None for g in grads[n:]):
        grads = grads[:n]
    if len(grads) != n:
        raise RuntimeError(f"function {node.name()} returned an incorrect number of gradients (expected {n}, "
                           f"got {len(grads)})")
    for i, (g, meta) in enumerate(zip(grads, node._input_meta())):
        if g is None or meta is None:
            continue
        gshape = tuple(getattr(g, "shape", ()))
        try:
            ok = tuple(np.broadcast_shapes(meta[0], gshape)) == gshape
        except ValueError:
            ok = False
        if not ok:
            raise RuntimeError(f"Function {node.name()} returned an invalid gradient at index {i} - got "
                               f"{list(gshape)} but expected shape compatible with {list(meta[0])}")
    return grads


def _fit_to_inputs(node, grads):
    """Sum broadcast gradients back to each input's shape and cast to its dtype (done once, here)."""
    if node.op._user:
        grads = _check_user_grads(node, grads)
    metas = node._in_meta
    if metas is None:  # every input has the output's shape and dtype
        shape, dt = node._out_meta()
        for g, (child, _) in zip(grads, node.next_functions):
            if g is not None and (child is None or type(g) is not Tensor or g._data.shape != shape
                                  or g._data.dtype != dt):
                break
        else:
            if len(grads) == len(node.next_functions):
                return grads  # the common case: every gradient already fits
    out = []
    for i, (g, (child, _)) in enumerate(zip(grads, node.next_functions)):
        if g is None or child is None:
            out.append(None)
            continue
        if metas is not None:
            shape, dt = metas[i]
        out.append(_fit_grad(g, shape, dt))
    return tuple(out)


def _fit_grad(g, shape, dt):
    """One gradient summed back to its input's shape and cast to its dtype."""
    if not isinstance(g, Tensor):
        g = Tensor._make(g)
    if g._data.shape != shape:
        g = g.sum_to_size(shape) if _grad_mode._enabled[0] else _sum_to_size(g, shape)
    if g._data.dtype != dt:
        g = g.to(_dtype.from_numpy_dtype(dt))
    return g


def _sum_to_size(g, shape):
    """``g.sum_to_size(shape)`` when the walk records no graph: SumToSize's own forward on the array, without
    the method's argument parsing and ``apply`` (the same sum; with create_graph the op is recorded instead)."""
    if not _sum_op:
        from ..ops.sums import SumToSize
        from .function import _NO_CTX
        _sum_op.extend((SumToSize.forward, _NO_CTX))
    forward, ctx = _sum_op
    return Tensor._make(forward(ctx, g, shape))


_sum_op = []  # SumToSize.forward and the no-graph context, bound on first use (ops import this module)


def _exclusively_owned(grad):
    """True when ``grad``'s memory is referenced by nothing but this gradient (PyTorch 'steals' such a
    gradient instead of copying it). Counts: the walk's local, our caller's and our own names for it, and
    getrefcount's argument (``_GRAD_REFS``); any other holder (a kept Step, a hook, a second input) means copy."""
    arr = grad._data
    if sys.getrefcount(grad) > _GRAD_REFS or sys.getrefcount(arr) > 3 or not arr.flags.writeable:
        return False
    owner = arr.base
    if owner is None:
        return True
    # a transposed-back view (weight gradients come out of mm this way): fine if it spans the whole
    # owner, is C-contiguous, and the owner has no other view alive
    return (owner.base is None and arr.flags.c_contiguous and arr.nbytes == owner.nbytes
            and sys.getrefcount(owner) <= 3)


def _refs_probe():
    """getrefcount of a gradient inside _exclusively_owned when nothing else holds it: the walk's local,
    _accumulate's and _exclusively_owned's parameters, getrefcount's argument (measured: it differs
    between Python versions)."""
    held = object()
    return (lambda acc_param: (lambda own_param: sys.getrefcount(own_param))(acc_param))(held)


_GRAD_REFS = _refs_probe()


def _accumulate(var, grad, create_graph):
    """AccumulateGrad: run the leaf's tensor hooks, then add ``grad`` into ``var.grad``."""
    hooks = var._hooks
    if hooks:
        for hook in list(hooks.values()):
            r = hook(grad)
            if r is not None:
                grad = r
    old = var._grad
    if old is None:
        if create_graph:
            var._grad = _copy_for_grad(grad) if grad._requires_grad else grad
        elif _exclusively_owned(grad):
            var._grad = Tensor._make(grad._data)  # nobody else holds this memory: keep it, no copy
        else:
            var._grad = Tensor._make(grad._data.copy())
    elif create_graph or old.requires_grad:
        var._grad = old + grad
    else:
        old._data += grad._data
    for hook in (var._post_acc_hooks or {}).values():
        hook(var)


def _copy_for_grad(grad):
    """Under create_graph=True a leaf's new ``.grad`` is a copy recorded in the graph (CopyBackwards)."""
    from .._tensor import _Copy
    return _Copy.apply(Tensor._make(np.empty_like(grad._data)), grad)


# ---- entry points: backward() and autograd.grad() both start here ---------------------------
def _as_tuple(x):
    if x is None:
        return None
    return (x,) if isinstance(x, Tensor) else tuple(x)


_SEEDS = {}  # (shape, dtype) -> ones of it: implicit seeds are copies of these (one C call, no np.ones frame)


def _seed(d):
    key = (d.shape, d.dtype)
    one = _SEEDS.get(key)
    if one is None:
        one = _SEEDS[key] = np.ones(d.shape, d.dtype)
    return Tensor._make(one.copy())


def _roots(tensors, grad_tensors):
    """Validate outputs and their seed gradients the way PyTorch does; returns (nodes, grads)."""
    if grad_tensors is None and type(tensors) is Tensor:  # loss.backward(): checked inline, as below
        d = tensors._data
        if tensors._requires_grad and d.size == 1 and d.dtype.kind == "f":
            fn = tensors.grad_fn
            return [fn if fn is not None else tensors._accumulator()], [_seed(d)]
    tensors = _as_tuple(tensors)
    grads = _as_tuple(grad_tensors) or (None,) * len(tensors)
    for g in grads:
        if g is not None and not isinstance(g, Tensor):
            raise TypeError(f"gradients can be either Tensors or None, but got {type(g).__name__}")
    if len(grads) != len(tensors):
        raise RuntimeError(f"got {len(grads)} tensors and {len(tensors)} gradients")
    nodes, seeds = [], []
    for i, (t, g) in enumerate(zip(tensors, grads)):
        if not t._requires_grad:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn\n"
                "Hint: only tensors computed from a tensor created with requires_grad=True are part of a graph; "
                "set requires_grad=True on the input (and check the computation did not run under no_grad).")
        if g is None:
            if t._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs\n"
                                   f"Hint: this output has shape {list(t._data.shape)}; call .sum() (or .mean()) first, "
                                   "or pass gradient= a tensor of that shape.")
            if t._data.dtype.kind != "f":
                raise RuntimeError(f"grad can be implicitly created only for real scalar outputs but got {t.dtype}")
            g = _seed(t._data)
        elif g._data.shape != t._data.shape:
            from .._tensor import Size
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of {Size(g._data.shape)} and output[{i}] has a "
                f"shape of {Size(t._data.shape)}.")
        nodes.append(t.grad_fn if t.grad_fn is not None else t._accumulator())
        seeds.append(g)
    return nodes, seeds


def backward_steps(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None, steps=True):
    """The backward pass, one ``Step`` per executed node; ``Tensor.backward`` consumes exactly this
    (with ``steps=False``: the same walk, run to its end on the first ``next()``, no ``Step`` objects)."""
    nodes, seeds = _roots(tensors, grad_tensors)
    if retain_graph is None:
        retain_graph = create_graph
    capture = None
    inputs = _as_tuple(inputs)
    if inputs is not None:
        if len(inputs) == 0:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
        capture = {}
        for t in inputs:
            if not t._requires_grad:
                raise RuntimeError("One of the differentiated Tensors does not require grad")
            n = t.grad_fn if t.grad_fn is not None else t._accumulator()
            capture[id(n)] = n
    captured = yield from run(nodes, seeds, retain_graph=retain_graph, create_graph=create_graph, capture=capture,
                              steps=steps)
    if inputs is not None:
        for t in inputs:
            if t.grad_fn is not None and id(t.grad_fn) in captured:
                g = captured[id(t.grad_fn)]
                t._grad = g if t._grad is None else t._grad + g
