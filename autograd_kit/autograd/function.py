"""``Function``: one op, its forward and its backward side by side.

A subclass defines::

    class Mul(Function):
        formula = "a * b"
        derivatives = ("b", "a")          # ∂out/∂(each input), for the views

        @staticmethod
        def forward(ctx, a, b):           # Tensors (or Python numbers) in, a NumPy array out
            ctx.save(self=a if ctx.needs_input_grad[1] else None, other=...)
            return a._data * b._data

        @staticmethod
        def backward(ctx, grad):          # Tensor in; one Tensor (or None) per input, written
            a, b = ctx.saved_tensors      # with tensor ops so create_graph gives higher order
            return grad * b, grad * a

``apply`` records the node only when grad mode is on and an input requires grad. The engine sums
each returned gradient back to its input's shape (broadcasting is undone once, there).

A two-input op whose forward is a NumPy ufunc on float operands of one dtype (``Add``, ``Mul``, ...) may
declare it as ``ufunc``, with ``setup(ctx, a, b)``, the saves its forward makes: for such operands the
entry point ``op2`` calls the ufunc itself, then ``setup`` if it records, in place of ``forward``.
Every subclass is registered in ``REGISTRY`` (name -> class); the gradcheck suite walks it.
"""
import collections
import types
import weakref

import numpy as np

from .. import _grad_mode
from . import graph
from .graph import _own_code

REGISTRY = {}
_enabled = _grad_mode._enabled
_inference = _grad_mode._inference
_seq = graph._seq
_new = object.__new__
_weakref = weakref.ref
ndarray = np.ndarray
_NO_EDGE = (None, 0)
_NO_PARAM = object()  # op1's parameter, when the op has none
_KEEP_BYTES = graph.KEEP_BYTES
# needs_input_grad, shared: keyed by the number of inputs when all of them need a gradient (the common
# case: no tuple built per node), else by the tuple itself
_NEEDS = {}


_T, _TT, _TF, _FT = (True,), (True, True), (True, False), (False, True)
_NEEDS.update({1: _T, 2: _TT, _T: _T, _TT: _TT, _TF: _TF, _FT: _FT})


def _needs(edges):
    needs = tuple([e is not _NO_EDGE for e in edges])
    if all(needs):
        _NEEDS[len(needs)] = needs
    return _NEEDS.setdefault(needs, needs)


class _Tensor:  # placeholder, bound to autograd_kit.Tensor by autograd_kit._tensor (avoids an import cycle)
    pass


class _NoCtx:
    """Context handed to ``forward`` when no graph is recorded: saving is a no-op."""

    save = dict  # takes the names and values and keeps nothing (a C call: no Python frame per op)

    def __init__(self):
        # False for every input (a C-level lookup); an instance attribute, read on CPython's fast path
        self.needs_input_grad = collections.defaultdict(bool)

    def save_for_backward(self, *tensors):
        pass

    def mark_non_differentiable(self, *tensors):
        pass


_NO_CTX = _NoCtx()


def _leaf_edge(t):
    """The edge to a leaf ``t`` that requires grad: its AccumulateGrad node (kept weakly by the tensor)."""
    acc = t._acc
    fn = acc() if acc is not None else None
    return (fn if fn is not None else t._accumulator(), 0)


def _op1(cls):
    """``cls.apply(a)`` for a Tensor ``a`` (one-input methods, ``-x``), or ``cls.apply(a, p)`` with one parameter
    ``p`` that is not an input (``x ** 2``): the operators' entry point, without argument packing or keyword
    parsing; records as ``_record`` does, unrolled for one input."""
    if cls._user or cls.is_view or not cls.differentiable:
        return lambda a, *p: cls.apply(a, *p)
    Node, forward, backward = cls._Node, cls.forward, cls._Node._backward

    def op1(a, p=_NO_PARAM):
        if not (a._requires_grad and _enabled[0]):
            out = forward(_NO_CTX, a) if p is _NO_PARAM else forward(_NO_CTX, a, p)
            if type(out) is not ndarray:
                out = np.asarray(out)
            t = _new(_Tensor)  # Tensor._make(out), inlined
            t._data = out
            t._requires_grad = False
            t.grad_fn = None
            t._vc = [0]
            if _inference[0]:
                t._inference = True
            return t
        node = _new(Node)
        node.seq = next(_seq)
        fn = a.grad_fn
        node.next_functions = ((fn, 0) if fn is not None else _leaf_edge(a),)
        node.needs_input_grad = _T
        node._saved = None  # the node's own defaults (reads of class attributes are slow on CPython 3.11)
        node._saves_output = False
        out = forward(node, a) if p is _NO_PARAM else forward(node, a, p)
        if type(out) is not ndarray:
            out = np.asarray(out)
        dt = out.dtype
        if dt.kind not in "fc":  # integer and bool results are never differentiable
            return _Tensor._make(out)
        d = a._data
        node._in_meta = None if d.shape == out.shape and d.dtype is dt else ((d.shape, d.dtype),)
        t = _new(_Tensor)
        t._data = out
        t._requires_grad = True
        t.grad_fn = node
        t._vc = [0]
        if _inference[0]:
            t._inference = True
        if node._saves_output:
            node._out = (out, t._vc, 0)
        node._val = out if out.nbytes <= _KEEP_BYTES else _weakref(out)
        node._w = [backward, node.next_functions, node._in_meta, out.shape, dt, node._saved, False]
        return t
    return _own_code(op1)


def _opv(cls):
    """``cls.apply(a, *params)`` for a view op of one Tensor ``a`` (``x.t()``, ``x.view(2, 3)``): ``params`` go
    to ``forward`` by position; records as ``_record`` does, with the output sharing ``a``'s version counter
    and base."""
    if cls._user or not cls.is_view or not cls.differentiable:
        return None
    Node, forward, backward = cls._Node, cls.forward, cls._Node._backward

    def opv(a, *params):
        if not (a._requires_grad and _enabled[0]):
            out = forward(_NO_CTX, a, *params)
            t = _new(_Tensor)  # Tensor._make(out, False, None, a._vc), inlined
            t._data = out
            t._requires_grad = False
            t.grad_fn = None
            t._vc = a._vc
            if _inference[0]:
                t._inference = True
            return t
        node = _new(Node)
        node.seq = next(_seq)
        fn = a.grad_fn
        node.next_functions = ((fn, 0) if fn is not None else _leaf_edge(a),)
        node.needs_input_grad = _T
        node._saved = None  # the node's own defaults (reads of class attributes are slow on CPython 3.11)
        node._saves_output = False
        out = forward(node, a, *params)
        dt = out.dtype
        d = a._data
        node._in_meta = None if d.shape == out.shape and d.dtype is dt else ((d.shape, d.dtype),)
        t = _new(_Tensor)
        t._data = out
        t._requires_grad = True
        t.grad_fn = node
        t._vc = a._vc
        base = a._base
        t._base = base if base is not None else a
        if _inference[0]:
            t._inference = True
        if node._saves_output:
            node._out = (out, t._vc, t._vc[0])
        node._val = out if out.nbytes <= _KEEP_BYTES else _weakref(out)
        node._w = [backward, node.next_functions, node._in_meta, out.shape, dt, node._saved, False]
        return t
    return _own_code(opv)


def _op2(cls):
    """``cls.apply(a, b)`` for a Tensor ``a`` and a Tensor or number ``b`` (``x * y``, ``x + 1``); records as
    ``_record`` does, unrolled for two inputs."""
    if cls._user or cls.is_view or not cls.differentiable:
        return lambda a, b: cls.apply(a, b)
    Node, forward, backward = cls._Node, cls.forward, cls._Node._backward
    ufunc = cls.__dict__.get("ufunc")  # the op's forward on float operands of one dtype is this ufunc: see op2
    setup = cls.__dict__.get("setup")  # and these are its saves for backward

    def op2(a, b):
        ga = a._requires_grad
        tb = isinstance(b, _Tensor)
        gb = tb and b._requires_grad
        out = None
        if ufunc is not None:  # float operands of one dtype, or a Python number: the ufunc alone is forward's result
            d = a._data
            dta = d.dtype
            if dta.kind == "f" and (b._data.dtype is dta if tb else type(b) is float
                                    or type(b) is int and -(1 << 63) <= b < (1 << 64)):
                try:
                    out = ufunc(d, b._data if tb else b)
                except Exception:  # forward raises it, in its own words
                    pass
                else:
                    if type(out) is not ndarray:
                        out = np.asarray(out)
        if not ((ga or gb) and _enabled[0]):
            if out is None:
                out = forward(_NO_CTX, a, b)
                if type(out) is not ndarray:
                    out = np.asarray(out)
            t = _new(_Tensor)  # Tensor._make(out), inlined
            t._data = out
            t._requires_grad = False
            t.grad_fn = None
            t._vc = [0]
            if _inference[0]:
                t._inference = True
            return t
        node = _new(Node)
        node.seq = next(_seq)
        if ga:
            fn = a.grad_fn
            ea = (fn, 0) if fn is not None else _leaf_edge(a)
        else:
            ea = _NO_EDGE
            node._consts = ((0, a),)
        if gb:
            fn = b.grad_fn
            eb = (fn, 0) if fn is not None else _leaf_edge(b)
        else:
            eb = _NO_EDGE
            node._consts = ((1, b),)
        node.next_functions = edges = (ea, eb)
        node.needs_input_grad = _TT if ga and gb else _TF if ga else _FT
        node._saved = None  # the node's own defaults (reads of class attributes are slow on CPython 3.11)
        node._saves_output = False
        if out is None:
            out = forward(node, a, b)
            if type(out) is not ndarray:
                out = np.asarray(out)
            dt = out.dtype
            if dt.kind not in "fc":  # integer and bool results are never differentiable
                return _Tensor._make(out)
            dta = a._data.dtype
            dtb = b._data.dtype if gb else None
        else:  # the ufunc's result, a float; the operands' dtype is dta (b's too, when b is a tensor)
            setup(node, a, b)
            dt = out.dtype
            dtb = dta
        shape = out.shape
        if ((ga and (a._data.shape != shape or dta is not dt))
                or (gb and (b._data.shape != shape or dtb is not dt))):
            node._in_meta = meta = ((a._data.shape, a._data.dtype) if ga else None,
                                    (b._data.shape, b._data.dtype) if gb else None)
        else:
            node._in_meta = meta = None
        t = _new(_Tensor)
        t._data = out
        t._requires_grad = True
        t.grad_fn = node
        t._vc = [0]
        if _inference[0]:
            t._inference = True
        if node._saves_output:
            node._out = (out, t._vc, 0)
        node._val = out if out.nbytes <= _KEEP_BYTES else _weakref(out)
        node._w = [backward, edges, meta, shape, dt, node._saved, False]
        return t
    return _own_code(op2)


class Function:
    formula = ""
    derivatives = ()
    is_view = False  # output shares memory and version counter with input 0
    differentiable = True
    backward_name = None  # default: f"{cls.__name__}Backward0"
    registered = True  # False only for an op PyTorch records without a derivative (its backward raises)

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        # a user's own Function (PyTorch style: forward on tensors returns a tensor) is named as
        # PyTorch names custom functions, and is not part of the kit's op registry
        cls._user = not cls.__module__.startswith("autograd_kit.")
        if "ufunc" in cls.__dict__ and "setup" not in cls.__dict__:
            raise TypeError(f"{cls.__name__} declares a ufunc without the setup that saves what its backward needs")
        name = cls.backward_name or f"{cls.__name__}Backward{'' if cls._user else '0'}"
        attrs = {"op": cls, "__module__": "autograd_kit.autograd.graph"}
        backward = cls.backward
        if isinstance(backward, types.FunctionType):  # node._backward(grad) calls it as backward(node, grad)
            attrs["_backward"] = backward
        if "::" in name:  # "torch::autograd::NotImplemented": the class is "NotImplemented", as in PyTorch
            attrs["name"] = lambda self, _full=name: _full
        cls._Node = type(name.rsplit("::", 1)[-1], (graph.Node,), attrs)
        if not cls._user and cls.__dict__.get("registered", True):
            REGISTRY[cls.__name__] = cls
        cls.op1, cls.op2, cls.opv = _op1(cls), _op2(cls), _opv(cls)

    @staticmethod
    def forward(ctx, *args, **kw):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad):
        raise NotImplementedError

    @classmethod
    def apply(cls, *args, **kw):
        # the hot path of every op: plain (no graph) unless grad mode is on and an input requires grad
        if _enabled[0] and cls.differentiable:
            for a in args:
                if isinstance(a, _Tensor) and a._requires_grad:
                    return cls._record(args, kw)
        if cls._user:
            return graph.Tensor._make(np.asarray(cls._user_forward(_NoCtx(), args, kw)))
        out = cls.forward(_NO_CTX, *args, **kw)
        if type(out) is not ndarray:
            out = np.asarray(out)
        if cls.is_view:  # shares memory, so shares the version counter (no _base: nothing to guard)
            return graph.Tensor._make(out, False, None, args[0]._vc)
        t = _new(_Tensor)  # Tensor._make, inlined
        t._data = out
        t._requires_grad = False
        t.grad_fn = None
        t._vc = [0]
        if _inference[0]:
            t._inference = True
        return t

    @classmethod
    def _record(cls, args, kw):
        """Run the op and record its node: ordered edges to the inputs' nodes, which inputs need a
        gradient, their shapes and dtypes (the engine sums gradients back to them), constants."""
        node = _new(cls._Node)  # Node has no __init__: cls._Node() without the call's overhead
        node.seq = next(_seq)
        edges = []
        consts = None
        i = 0
        for a in args:
            if isinstance(a, _Tensor) and a._requires_grad:
                fn = a.grad_fn
                if fn is None:  # a leaf: its AccumulateGrad node (kept weakly by the tensor)
                    fn = a._acc
                    if fn is not None:
                        fn = fn()
                    if fn is None:
                        fn = a._accumulator()
                edges.append((fn, 0))
            else:
                edges.append(_NO_EDGE)
                consts = (consts or ()) + ((i, a),)
            i += 1
        node.next_functions = edges = tuple(edges)
        needs = _NEEDS.get(edges.__len__() if consts is None else tuple([e is not _NO_EDGE for e in edges]))
        if needs is None:
            needs = _needs(edges)
        node.needs_input_grad = needs
        node._saved = None  # the node's own defaults (reads of class attributes are slow on CPython 3.11)
        node._saves_output = False
        node._in_meta = None
        if cls._user:
            out = cls._user_forward(node, args, kw)
        elif kw:
            out = cls.forward(node, *args, **kw)
        else:
            out = cls.forward(node, *args)
        if type(out) is not ndarray:
            out = np.asarray(out)
        dt = out.dtype
        if dt.kind not in "fc":  # integer and bool results are never differentiable
            return graph.Tensor._make(out)
        # inputs' shapes and dtypes, for the engine to sum gradients back to: None when every input that
        # needs a gradient has the output's (the common case: no tuple kept per node)
        shape = out.shape
        for a, n in zip(args, needs):
            if n and (a._data.shape != shape or a._data.dtype is not dt or cls._user):
                node._in_meta = tuple([(a._data.shape, a._data.dtype) if n else None for a, n in zip(args, needs)])
                break
        t = _new(_Tensor)
        t._data = out
        t._requires_grad = True
        t.grad_fn = node
        if cls.is_view:
            t._vc = args[0]._vc
            t._base = args[0]._base if args[0]._base is not None else args[0]
        else:
            t._vc = [0]
        if _inference[0]:
            t._inference = True
        if node._saves_output:
            node._out = (out, t._vc, t._vc[0])
        # for the views (teaching first): the output's value and tensor, and inputs that are constants
        node._val = out if out.nbytes <= _KEEP_BYTES else _weakref(out)
        if consts is not None:
            node._consts = consts
        node._w = [cls._Node._backward, edges, node._in_meta, shape, dt, node._saved, False]
        return t

    @classmethod
    def _user_forward(cls, ctx, args, kw):
        """A user's forward runs on tensors without recording, like PyTorch's custom Functions."""
        prev = _enabled[0]
        _enabled[0] = False
        try:
            out = cls.forward(ctx, *args, **kw)
        finally:
            _enabled[0] = prev
        return out._data if isinstance(out, graph.Tensor) else out
