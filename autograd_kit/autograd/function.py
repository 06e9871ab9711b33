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
Every subclass is registered in ``REGISTRY`` (name -> class); the gradcheck suite walks it.
"""
import weakref

import numpy as np

from .. import _grad_mode
from . import graph

REGISTRY = {}
_enabled = _grad_mode._enabled


class _NoGrads:
    def __getitem__(self, i):
        return False


class _NoCtx:
    """Context handed to ``forward`` when no graph is recorded: saving is a no-op."""

    needs_input_grad = _NoGrads()

    def save(this, /, **named):
        pass

    def save_for_backward(self, *tensors):
        pass

    def mark_non_differentiable(self, *tensors):
        pass


_NO_CTX = _NoCtx()


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
        name = cls.backward_name or f"{cls.__name__}Backward{'' if cls._user else '0'}"
        attrs = {"op": cls, "__module__": "autograd_kit.autograd.graph"}
        if "::" in name:  # "torch::autograd::NotImplemented": the class is "NotImplemented", as in PyTorch
            attrs["name"] = lambda self, _full=name: _full
        cls._Node = type(name.rsplit("::", 1)[-1], (graph.Node,), attrs)
        if not cls._user and cls.__dict__.get("registered", True):
            REGISTRY[cls.__name__] = cls

    @staticmethod
    def forward(ctx, *args, **kw):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad):
        raise NotImplementedError

    @classmethod
    def apply(cls, *args, **kw):
        Tensor = graph.Tensor
        if _enabled[0] and cls.differentiable:
            for a in args:
                if getattr(a, "_requires_grad", False):
                    break
            else:
                return cls._plain(args, kw)
        else:
            return cls._plain(args, kw)
        node = cls._Node()
        node.seq = next(graph._seq)
        edges = []
        needs = []
        meta = []
        consts = None
        for i, a in enumerate(args):
            if getattr(a, "_requires_grad", False):
                fn = a.grad_fn
                edges.append((fn if fn is not None else a._accumulator(), 0))
                needs.append(True)
                meta.append((a._data.shape, a._data.dtype))
            else:
                edges.append((None, 0))
                needs.append(False)
                meta.append(None)
                consts = (consts or ()) + ((i, a),)
        node.next_functions = tuple(edges)
        node.needs_input_grad = tuple(needs)
        node._in_meta = meta
        if cls._user:
            out = cls._user_forward(node, args, kw)
        else:
            out = cls.forward(node, *args, **kw)
        if type(out) is not np.ndarray:
            out = np.asarray(out)
        if out.dtype.kind not in "fc":  # integer and bool results are never differentiable
            return Tensor._make(out)
        if cls.is_view:
            t = Tensor._make(out, True, node, args[0]._vc)
            t._base = args[0]._base if args[0]._base is not None else args[0]
        else:
            t = Tensor._make(out, True, node)
        if node._saved is not None and any(v is graph.OUTPUT for v, _ in node._saved.values()):
            node._out = (out, t._vc, t._vc[0])
        # for the views (teaching first): the output's value and tensor, and inputs that are constants
        node._value = out
        node._out_ref = weakref.ref(t)
        node._consts = consts
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

    @classmethod
    def _plain(cls, args, kw):
        if cls._user:
            return graph.Tensor._make(np.asarray(cls._user_forward(_NoCtx(), args, kw)))
        out = cls.forward(_NO_CTX, *args, **kw)
        if type(out) is not np.ndarray:
            out = np.asarray(out)
        Tensor = graph.Tensor
        if cls.is_view:  # shares memory, so shares the version counter (no _base: nothing to guard)
            return Tensor._make(out, False, None, args[0]._vc)
        return Tensor._make(out)
