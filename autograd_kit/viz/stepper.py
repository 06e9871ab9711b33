"""step_backward(loss) and step_forward(fn, *inputs): widgets that step through a pass, node by node.

The frames come from the engine itself (``frames.py``): the backward frames from
``autograd_kit.autograd.graph.backward_steps`` — the very walk ``backward()`` runs — and the forward frames
from the graph's creation order. The graph is laid out once (one SVG, the same layout for both passes);
in the browser a step only moves highlights and swaps the text panel, so nodes never jump and no kernel
round trip is needed. Without a kernel (an untrusted or exported notebook) the cell still shows the graph
as a PNG image and every step as a list.
"""
import base64
import hashlib
import html
import itertools
import pathlib

from ..autograd.graph import AccumulateGrad
from .dot import FIT_WIDTH_PX, draw_dot, make_dot
from .frames import BackwardRecorder, ForwardRecorder, Layout, leaf_names
from .render import RenderError
from .trace import Ids, graph_nodes, roots_of

_uids = itertools.count()


def _uid(dot):
    """Ties the static copy to its live widget on a page: a counter and the graph's hash, deterministic
    so that stored notebooks (and nbval) see the same id on every run."""
    return f"ak{next(_uids)}-{hashlib.sha1(dot.encode()).hexdigest()[:12]}"


def names_in(namespace, leaves):
    """{id(leaf): name} for leaves bound to a name in ``namespace`` (a notebook's variables), also
    ``net.0.weight`` for the parameters of modules found there."""
    from ..nn.module import Module
    wanted, found = {id(v) for v in leaves}, {}
    for name, obj in sorted(namespace.items()):
        if name.startswith("_"):
            continue
        if getattr(obj, "_data", None) is not None and id(obj) in wanted:
            found.setdefault(id(obj), name)
        elif isinstance(obj, Module):
            for pname, p in obj.named_parameters():
                if id(p) in wanted:
                    found.setdefault(id(p), f"{name}.{pname}")
    return found


def _widget_base():
    try:
        import anywidget
        import traitlets
        return anywidget.AnyWidget, traitlets
    except ImportError:  # pragma: no cover - the viz extra installs anywidget
        return None, None


_Base, _traitlets = _widget_base()
if _Base is None:  # pragma: no cover
    raise ImportError("the steppers need anywidget: pip install 'autograd_kit[viz]'")


def _prepare(output, params, namespace, rankdir, values, max_nodes):
    """The graph's leaves named, laid out once; returns (view, layout, names by id)."""
    nodes = graph_nodes([output])
    if len(nodes) > max_nodes:
        raise ValueError(f"this graph has {len(nodes)} nodes (max_nodes={max_nodes}); step through a smaller "
                         "graph, or pass max_nodes to go on anyway")
    leaves = [n.variable for n in nodes if isinstance(n, AccumulateGrad)]
    names = names_in(namespace or {}, leaves)
    names.update({id(v): k for k, v in (params or {}).items()})
    named = {k: v for v, k in zip(leaves, leaf_names(leaves, names))}
    out_name = next((k for k, v in sorted((namespace or {}).items()) if v is output and not k.startswith("_")),
                    None) or output.label or ("" if values else "output")
    if out_name and output.grad_fn is not None:
        named.setdefault(out_name, output)

    def draw(direction):
        ids = Ids()
        if values:
            return draw_dot(output, rankdir=direction, names=named, _ids=ids, _blank_grads=True), ids
        # natural size (no Graphviz size= shrinking the labels): the browser fits it, never below 11 px
        return make_dot(output, params=named, rankdir=direction, max_nodes=10**9, _ids=ids, _fit=False), ids
    if rankdir == "auto":  # top to bottom, unless that is too wide for a notebook and left to right is narrower
        view, ids = draw("TB")
        if view.width_px() > FIT_WIDTH_PX:
            wide, wide_ids = draw("LR")
            if 0 < wide.width_px() < view.width_px():
                view, ids = wide, wide_ids
    else:
        view, ids = draw(rankdir)
    return view, Layout(ids, values, view.aliases, view.moved), names


class _Stepper(_Base):
    """Play/Pause, Previous/Next, a step slider and Reset over recorded frames (see ``frames.py``).

    ``step`` is 0 before the first node and ``n_steps`` after the last; ``state()`` is the frame shown."""

    _esm = pathlib.Path(__file__).parent / "static" / "stepper.js"
    _css = pathlib.Path(__file__).parent / "static" / "stepper.css"
    svg = _traitlets.Unicode("").tag(sync=True)
    dot = _traitlets.Unicode("").tag(sync=True)
    frames = _traitlets.List([]).tag(sync=True)
    step = _traitlets.Int(0).tag(sync=True)
    hint = _traitlets.Unicode("").tag(sync=True)
    note = _traitlets.Unicode("").tag(sync=True)
    uid = _traitlets.Unicode("").tag(sync=True)
    mode = _traitlets.Unicode("backward").tag(sync=True)
    start = _traitlets.List([]).tag(sync=True)
    intro = _traitlets.Unicode("").tag(sync=True)
    kind = "stepper"

    def _setup(self, view, frames, start, note, mode, intro):
        try:
            svg, hint = view.svg(), ""
        except RenderError as e:
            svg, hint = "", str(e)
        self._view = view
        super().__init__(svg=svg, dot=view.source, frames=frames, hint=hint, note=note, uid=_uid(view.source),
                         mode=mode, start=start, intro=intro)

    @property
    def n_steps(self):
        return len(self.frames)

    def state(self):
        """The frame currently shown (None before the first step)."""
        return self.frames[self.step - 1] if self.step else None

    def next(self):
        self.step = min(self.step + 1, self.n_steps)
        return self.state()

    def prev(self):
        self.step = max(self.step - 1, 0)
        return self.state()

    def reset(self):
        self.step = 0

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data["text/plain"] = f"<{self.kind}: {self.n_steps} steps; run the cell in a live kernel to step>"
        return bundle

    def png(self):
        """The graph as PNG bytes (None when nothing can render)."""
        try:
            return self._view.pipe("png")
        except RenderError:
            return None

    def _ipython_display_(self):
        """Three outputs: the graph as a PNG image and every step as a list (both readable with no kernel:
        an untrusted notebook, an HTML export), then the live widget, which hides them when it renders."""
        from IPython.display import display
        png = self.png()
        if png is not None:
            display({"image/png": base64.b64encode(png).decode(), "text/plain": f"<{self.kind} graph>"}, raw=True)
        display({"text/html": self.static_html(with_graph=False), "text/plain": self.static_text()}, raw=True)
        bundle = self._repr_mimebundle_()
        data, meta = bundle if isinstance(bundle, tuple) else (bundle, None)
        display(data, metadata=meta, raw=True)

    def static_text(self):
        return "\n\n".join([self.intro] + [f["text"] for f in self.frames])

    def static_html(self, with_graph=True):
        """Readable without a kernel: (the graph and) every step in a list."""
        graph = ""
        if with_graph:
            graph = self.svg or f"<pre>{html.escape(self.dot)}</pre><p><i>{html.escape(self.hint)}</i></p>"
        rows = "".join(f"<li>{f['html']}</li>" for f in self.frames)
        note = f"<p><i>{html.escape(self.note)}</i></p>" if self.note else ""
        return (f"<div class='ak-static' data-ak-static='{self.uid}'><p><b>{html.escape(self.intro)}</b> "
                f"({self.n_steps} steps; in a live kernel this is an interactive stepper)</p>{note}{graph}"
                f"<ol>{rows}</ol></div>")


class StepBackward(_Stepper):
    """The backward pass of ``loss``, node by node, from the engine's real walk run with hooks and
    ``retain_grad`` switched off, on private copies of the leaves' ``.grad`` (``walk.py``): the last step
    shows what ``loss.backward()`` gives, and afterwards every tensor, ``.grad`` and hook is as before.

    ``values=True`` draws micrograd's data | grad cards, the grads filling in as the walk proceeds.
    ``rankdir="auto"`` lays out top to bottom unless that is wider than a notebook and left to right is
    narrower (the browser then scales it down, never below 11 px labels, and scrolls to the current node).
    Leaves are named from ``params``, else their ``label``, else the caller's variable names (``x``,
    ``net.0.weight``), else their shape."""

    kind = "step_backward"

    def __init__(self, loss, params=None, gradient=None, rankdir="auto", max_nodes=400, namespace=None,
                 values=False):
        (loss,) = roots_of(loss)
        view, layout, names = _prepare(loss, params, namespace, rankdir, values, max_nodes)
        rec = BackwardRecorder(loss, names, gradient, layout)
        note = ""
        if rec.hooks:
            note = (f"This graph has {rec.hooks} hook(s) or retain_grad() call(s); the stepper does not "
                    "run them (loss.backward() does, so a hook that changes a gradient changes its numbers).")
        self._setup(view, rec.frames, rec.start, note, "backward", "Backward pass, step by step")
        self.leaves, self.leaf_names, self._loss = rec.leaves, rec.leaf_names, loss


class StepForward(_Stepper):
    """The forward pass of ``fn(*inputs)`` replayed op by op, in the order the graph was recorded while
    it ran (PyTorch's graph is dynamic: each op adds its node as it runs). The layout is
    ``step_backward``'s for the same output, so ``step_backward(stepper.output)`` continues backwards."""

    kind = "step_forward"

    def __init__(self, fn, *inputs, params=None, rankdir="auto", max_nodes=400, namespace=None, values=False):
        if not callable(fn):
            raise TypeError(f"step_forward(fn, *inputs): fn must be callable, got {type(fn).__name__}")
        out = fn(*inputs)
        (out,) = roots_of(out[0] if isinstance(out, (tuple, list)) and len(out) else out)
        if out.grad_fn is None:
            raise ValueError("step_forward: the output has no grad_fn, so nothing was recorded; give an input "
                             "requires_grad=True (and don't run fn under torch.no_grad())")
        view, layout, names = _prepare(out, params, namespace, rankdir, values, max_nodes)
        rec = ForwardRecorder(out, names, layout)
        self._setup(view, rec.frames, rec.start, "", "forward", "Forward pass: the graph is recorded as the "
                    "code runs")
        self.output, self.leaves, self.leaf_names = out, rec.leaves, rec.leaf_names
