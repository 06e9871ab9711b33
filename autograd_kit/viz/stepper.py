"""step_backward(loss): a widget that steps through the real backward pass, node by node.

The frames come from ``autograd_kit.autograd.graph.backward_steps`` — the very walk ``backward()`` runs —
recorded once, in Python. The graph is laid out once (one SVG); in the browser a step only moves a
highlight and swaps the text panel, so nodes never jump and no kernel round trip is needed.
"""
import hashlib
import html
import itertools
import pathlib

import numpy as np

from ..autograd.graph import AccumulateGrad
from .._tensor import Tensor
from .dot import make_dot
from .render import RenderError
from .trace import Ids, const_inputs, graph_nodes, input_names, roots_of, shape_str, summarize
from .walk import hooks_in, quiet_steps

_uids = itertools.count()


def _uid(dot):
    """Ties the static copy to its live widget on a page: a counter and the graph's hash, deterministic
    so that stored notebooks (and nbval) see the same id on every run."""
    return f"ak{next(_uids)}-{hashlib.sha1(dot.encode()).hexdigest()[:12]}"


def _input_values(node, names):
    """{name: value} of what went into ``node``'s op (tensors' values, constants, Pow's p)."""
    values = {}
    for i, (c, _) in enumerate(node.next_functions):
        if isinstance(c, AccumulateGrad):
            values[i] = (names[i], c.variable._data)
        elif c is not None:
            values[i] = (names[i], c._value)
    for i, name, v in const_inputs(node):
        values[i] = (name, v._data if isinstance(v, Tensor) else v)
    return dict(values[i] for i in sorted(values))


def names_in(namespace, leaves):
    """{id(leaf): name} for leaves bound to a name in ``namespace`` (a notebook's variables), also
    ``net.0.weight`` for the parameters of modules found there."""
    from ..nn.module import Module
    wanted, found = {id(v) for v in leaves}, {}
    for name, obj in sorted(namespace.items()):
        if name.startswith("_"):
            continue
        if isinstance(obj, Tensor) and id(obj) in wanted:
            found.setdefault(id(obj), name)
        elif isinstance(obj, Module):
            for pname, p in obj.named_parameters():
                if id(p) in wanted:
                    found.setdefault(id(p), f"{name}.{pname}")
    return found


def _leaf_names(leaves, names):
    """A readable, unique name per leaf: params=/namespace name, its label, else 'leaf(2, 3)'."""
    out, seen = [], {}
    for v in leaves:
        name = names.get(id(v)) or v.label or f"leaf{shape_str(v.shape)}"
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}#{seen[name]}")
    return out


def _local(up, g, rule):
    """'upstream × local = contribution' with numbers: the local factor when it is elementwise
    (same shape, no zero upstream), else the rule (matmuls, reductions, broadcasting)."""
    u, d = up._data, g._data
    if u.shape == d.shape and u.size and np.all(u != 0):
        local = d / u
        if local.size > 1 and np.allclose(local, local.flat[0]):
            local = local.flat[0]
        return f"{summarize(up)} × {summarize(local)} = {summarize(g)}"
    return f"{summarize(up)} × [{rule}] = {summarize(g)}"


class _Recorder:
    """Runs the walk once, quietly (see ``walk.py``), and turns every Step into plain-data frames."""

    def __init__(self, loss, names, gradient, ids, aliases):
        self.ids, self.aliases = ids, aliases
        nodes = graph_nodes([loss])
        self.hooks = hooks_in(nodes)
        self.leaves = [n.variable for n in nodes if isinstance(n, AccumulateGrad)]
        self.leaf_names = _leaf_names(self.leaves, names)
        self.leaf_index = {id(v): i for i, v in enumerate(self.leaves)}  # by identity: == on tensors is elementwise
        self.pending = {n: [] for n in self.leaf_names}  # contributions waiting in a leaf's input buffer
        self.frames, done = [], []
        for step in quiet_steps(loss, gradient):
            self.frames.append(self._frame(step, list(done)))
            done.append(self.frames[-1]["node_id"])

    def _target_name(self, child):
        if child is None:
            return "a constant"
        if isinstance(child, AccumulateGrad):
            return self.leaf_names[self.leaf_index[id(child.variable)]]
        return child.name()

    def _frame(self, step, done):
        node = step.node
        if isinstance(node, AccumulateGrad):
            var = node.variable
            name = self.leaf_names[self.leaf_index[id(var)]]
            node_id, extra = self.ids(var), [self.ids(node)] + self.aliases.get(self.ids(node), [])
            title = f"AccumulateGrad → {name}.grad"
            received = self.pending[name]
            summed = f" (= {' + '.join(received)}, added up)" if len(received) > 1 else ""
            lines = [f"gradient flowing in: {summarize(step.grad_output)}{summed}",
                     f"{name}.grad is now {summarize(var._grad)}"]
            self.pending[name] = []
            contributions, formulas = [], []
        else:
            node_id, extra = self.ids(node), self.aliases.get(self.ids(node), [])
            title = node.name()
            op = node.op
            names = input_names(op, max(len(node.next_functions), len(op.derivatives or ())))
            formulas = [f"∂({op.formula})/∂{names[i]} = {d}" for i, d in enumerate(op.derivatives or ())
                        if i < len(node.next_functions) and node.next_functions[i][0] is not None]
            values = _input_values(node, names)
            inputs = ", ".join(f"{k} = {summarize(v)}" for k, v in values.items() if v is not None)
            lines = [f"gradient flowing in (upstream): {summarize(step.grad_output)}"]
            if inputs:
                lines.append(f"inputs: {inputs}")
            contributions = []
            rules = dict(zip(names, op.derivatives or ()))
            for i, ((child, _), g) in enumerate(zip(node.next_functions, step.grad_inputs)):
                if child is None or g is None:
                    continue
                var = names[i]
                rule = _local(step.grad_output, g, f"∂/∂{var}: {rules.get(var, '?')}")
                contributions.append(f"to {var} ({self._target_name(child)}): {rule}")
                if isinstance(child, AccumulateGrad):
                    self.pending[self._target_name(child)].append(summarize(g))
        leaf_grads = {n: summarize(v._grad) for n, v in zip(self.leaf_names, self.leaves)}
        waiting = {n: " + ".join(p) for n, p in self.pending.items() if p}
        return {"index": step.index, "node_id": node_id, "extra_ids": extra, "done": done, "title": title,
                "lines": lines, "formulas": formulas, "contributions": contributions, "leaf_grads": leaf_grads,
                "waiting": waiting}


def frame_html(frame, n_steps):
    """One frame as HTML (the widget's panel, and the static fallback's table rows)."""
    esc = html.escape
    parts = [f"<b>step {frame['index'] + 1} / {n_steps}: {esc(frame['title'])}</b>"]
    parts += [f"<div>{esc(x)}</div>" for x in frame["lines"]]
    if frame["formulas"]:
        parts.append("<div>local derivative: " + "; ".join(esc(f) for f in frame["formulas"]) + "</div>")
    parts += [f"<div>→ {esc(c)}</div>" for c in frame["contributions"]]
    grads = ", ".join(f"{esc(k)}.grad = {esc(v)}" for k, v in frame["leaf_grads"].items())
    parts.append(f"<div class='ak-leaves'>{grads}</div>")
    if frame["waiting"]:
        waiting = ", ".join(f"{esc(k)}: {esc(v)}" for k, v in frame["waiting"].items())
        parts.append(f"<div class='ak-waiting'>waiting to be added into .grad: {waiting}</div>")
    return "".join(parts)


def _widget_base():
    try:
        import anywidget
        import traitlets
        return anywidget.AnyWidget, traitlets
    except ImportError:  # pragma: no cover - the viz extra installs anywidget
        return None, None


_Base, _traitlets = _widget_base()
if _Base is None:  # pragma: no cover
    raise ImportError("step_backward needs anywidget: pip install 'autograd_kit[viz]'")


class StepBackward(_Base):
    """Play/Pause, Previous/Next, a step slider and Reset over the recorded backward pass.

    ``step`` is 0 before the first node runs and ``n_steps`` after the last; ``state()`` is the frame
    shown. Recording runs the engine's real walk with hooks and ``retain_grad`` switched off, on private
    copies of the leaves' ``.grad`` (``walk.py``): the last step shows what ``loss.backward()`` gives, and
    afterwards every tensor, ``.grad`` and hook is as before — call ``loss.backward()`` yourself.

    Leaves are named from ``params``, else their ``label``, else the caller's variable names (``x``,
    ``net.0.weight``), else their shape."""

    _esm = pathlib.Path(__file__).parent / "static" / "stepper.js"
    _css = pathlib.Path(__file__).parent / "static" / "stepper.css"
    svg = _traitlets.Unicode("").tag(sync=True)
    dot = _traitlets.Unicode("").tag(sync=True)
    frames = _traitlets.List([]).tag(sync=True)
    step = _traitlets.Int(0).tag(sync=True)
    hint = _traitlets.Unicode("").tag(sync=True)
    note = _traitlets.Unicode("").tag(sync=True)
    uid = _traitlets.Unicode("").tag(sync=True)

    def __init__(self, loss, params=None, gradient=None, rankdir="TB", max_nodes=400, namespace=None):
        (loss,) = roots_of(loss)
        nodes = graph_nodes([loss])
        if len(nodes) > max_nodes:
            raise ValueError(f"this backward pass has {len(nodes)} steps (max_nodes={max_nodes}); "
                             "step through a smaller graph, or pass max_nodes to go on anyway")
        leaves = [n.variable for n in nodes if isinstance(n, AccumulateGrad)]
        names = names_in(namespace or {}, leaves)
        names.update({id(v): k for k, v in (params or {}).items()})
        ids = Ids()
        named = {k: v for v, k in zip(leaves, _leaf_names(leaves, names))}
        view = make_dot(loss, params=named, rankdir=rankdir, max_nodes=10**9, _ids=ids)
        recorder = _Recorder(loss, names, gradient, ids, view.aliases)
        try:
            svg, hint = view.svg(), ""
        except RenderError as e:
            svg, hint = "", str(e)
        note = ""
        if recorder.hooks:
            note = (f"This graph has {recorder.hooks} hook(s) or retain_grad() call(s); the stepper does not "
                    "run them (loss.backward() does, so a hook that changes a gradient changes its numbers).")
        frames = [dict(f, html=frame_html(f, len(recorder.frames))) for f in recorder.frames]
        super().__init__(svg=svg, dot=view.source, frames=frames, hint=hint, note=note,
                         uid=_uid(view.source))
        self.leaves = recorder.leaves
        self.leaf_names = recorder.leaf_names

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
        data["text/plain"] = f"<step_backward: {self.n_steps} steps; run the cell in a live kernel to step>"
        return bundle

    def _ipython_display_(self):
        """Two outputs: a readable static page (every step listed), then the live widget, which hides
        that page when it renders. An HTML export with saved widget state shows only the widget view
        for the widget's output (nbconvert prefers it to text/html), so without a kernel or widget
        JavaScript the first output is what remains readable."""
        from IPython.display import display
        display({"text/html": self.static_html(), "text/plain": f"<step_backward: {self.n_steps} steps>"},
                raw=True)
        bundle = self._repr_mimebundle_()
        data, meta = bundle if isinstance(bundle, tuple) else (bundle, None)
        display(data, metadata=meta, raw=True)

    def static_html(self):
        """Readable without a kernel (an HTML export): the graph and every step in a list."""
        graph = self.svg or f"<pre>{html.escape(self.dot)}</pre><p><i>{html.escape(self.hint)}</i></p>"
        rows = "".join(f"<li>{f['html']}</li>" for f in self.frames)
        note = f"<p><i>{html.escape(self.note)}</i></p>" if self.note else ""
        return (f"<div class='ak-static' data-ak-static='{self.uid}'><p><b>Backward pass, step by step</b> "
                f"({self.n_steps} steps; in a live kernel this is an interactive stepper)</p>{note}{graph}"
                f"<ol>{rows}</ol></div>")
