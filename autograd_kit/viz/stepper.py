"""step_backward(loss): a widget that steps through the real backward pass, node by node.

The frames come from ``autograd_kit.autograd.graph.backward_steps`` — the very walk ``backward()`` runs —
recorded once, in Python. The graph is laid out once (one SVG); in the browser a step only moves a
highlight and swaps the text panel, so nodes never jump and no kernel round trip is needed.
"""
import html
import pathlib

from ..autograd.graph import AccumulateGrad, backward_steps
from .._tensor import Tensor
from .dot import make_dot
from .render import RenderError
from .trace import Ids, graph_nodes, roots_of, summarize

LETTERS = "abcdefgh"


def _input_values(node):
    """The values that went into ``node``'s op, by input position (None when not known)."""
    values = {}
    for i, (c, _) in enumerate(node.next_functions):
        if isinstance(c, AccumulateGrad):
            values[i] = c.variable._data
        elif c is not None:
            values[i] = c._value
    for i, v in node._consts or ():
        values[i] = v._data if isinstance(v, Tensor) else v
    return values


def _leaf_name(var, names, i):
    return names.get(id(var)) or var.label or f"leaf {i}"


class _Recorder:
    """Runs the walk once and turns every Step into a plain-data frame (numbers as text)."""

    def __init__(self, loss, params, gradient, ids):
        self.names = {id(v): k for k, v in (params or {}).items()}
        self.ids = ids
        nodes = graph_nodes([loss])
        self.leaves = [n.variable for n in nodes if isinstance(n, AccumulateGrad)]
        self.leaf_names = [_leaf_name(v, self.names, i) for i, v in enumerate(self.leaves)]
        self.leaf_index = {id(v): i for i, v in enumerate(self.leaves)}  # by identity: == on tensors is elementwise
        self.frames = self._record(loss, gradient)

    def _target_name(self, child):
        if child is None:
            return "a constant"
        if isinstance(child, AccumulateGrad):
            return self.leaf_names[self.leaf_index[id(child.variable)]]
        return child.name()

    def _record(self, loss, gradient):
        saved = [v._grad for v in self.leaves]
        frames, done = [], []
        self.pending = {n: [] for n in self.leaf_names}  # contributions waiting in a leaf's input buffer
        try:
            for v in self.leaves:  # start from the grads the leaves hold, like backward() does
                v._grad = None if v._grad is None else Tensor._make(v._grad._data.copy())
            for step in backward_steps(loss, gradient, retain_graph=True):
                frames.append(self._frame(step, list(done)))
                done.append(frames[-1]["node_id"])
        finally:
            for v, g in zip(self.leaves, saved):  # leave the user's .grad as it was
                v._grad = g
        return frames

    def _frame(self, step, done):
        node = step.node
        if isinstance(node, AccumulateGrad):
            var = node.variable
            name = self.leaf_names[self.leaf_index[id(var)]]
            node_id, extra = self.ids(var), [self.ids(node)]
            title = f"AccumulateGrad → {name}.grad"
            received = self.pending[name]
            summed = f" (= {' + '.join(received)}, added up)" if len(received) > 1 else ""
            lines = [f"gradient flowing in: {summarize(step.grad_output)}{summed}",
                     f"{name}.grad is now {summarize(var._grad)}"]
            self.pending[name] = []
            contributions = []
            formulas = []
        else:
            node_id, extra = self.ids(node), []
            title = node.name()
            op = node.op
            values = _input_values(node)
            formulas = []
            for i, d in enumerate(getattr(op, "derivatives", ()) or ()):
                if i >= len(node.next_functions) or node.next_functions[i][0] is None:
                    continue
                formulas.append(f"∂({op.formula})/∂{LETTERS[i]} = {d}")
            inputs = ", ".join(f"{LETTERS[i]} = {summarize(v)}" for i, v in sorted(values.items())
                               if v is not None and i < len(LETTERS))
            lines = [f"gradient flowing in (upstream): {summarize(step.grad_output)}"]
            if inputs:
                lines.append(f"inputs: {inputs}")
            contributions = []
            up = step.grad_output
            for i, ((child, _), g) in enumerate(zip(node.next_functions, step.grad_inputs)):
                if child is None or g is None:
                    continue
                var = LETTERS[i] if i < len(LETTERS) else str(i)
                if up.numel() == 1 and g.numel() == 1 and up.item() != 0:
                    rule = f"{summarize(up)} × {g.item() / up.item():.4f}"
                else:
                    rule = f"upstream × ∂/∂{var}"
                contributions.append(f"to {var} ({self._target_name(child)}): {rule} = {summarize(g)}")
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
    shown. The leaves' ``.grad`` are left as they were: call ``loss.backward()`` yourself afterwards."""

    _esm = pathlib.Path(__file__).parent / "static" / "stepper.js"
    _css = pathlib.Path(__file__).parent / "static" / "stepper.css"
    svg = _traitlets.Unicode("").tag(sync=True)
    dot = _traitlets.Unicode("").tag(sync=True)
    frames = _traitlets.List([]).tag(sync=True)
    step = _traitlets.Int(0).tag(sync=True)
    hint = _traitlets.Unicode("").tag(sync=True)

    def __init__(self, loss, params=None, gradient=None, rankdir="TB", max_nodes=400):
        (loss,) = roots_of(loss)
        ids = Ids()
        view = make_dot(loss, params=params, rankdir=rankdir, max_nodes=10**9, _ids=ids)
        recorder = _Recorder(loss, params, gradient, ids)
        if len(recorder.frames) > max_nodes:
            raise ValueError(f"this backward pass has {len(recorder.frames)} steps (max_nodes={max_nodes}); "
                             "step through a smaller graph, or pass max_nodes to go on anyway")
        try:
            svg, hint = view.svg(), ""
        except RenderError as e:
            svg, hint = "", str(e)
        frames = [dict(f, html=frame_html(f, len(recorder.frames))) for f in recorder.frames]
        super().__init__(svg=svg, dot=view.source, frames=frames, hint=hint)
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
        data["text/html"] = self.static_html()
        data["text/plain"] = f"<step_backward: {self.n_steps} steps; run the cell in a live kernel to step>"
        return bundle

    def static_html(self):
        """Readable without a kernel (an HTML export): the graph and every step in a list."""
        graph = self.svg or f"<pre>{html.escape(self.dot)}</pre><p><i>{html.escape(self.hint)}</i></p>"
        rows = "".join(f"<li>{f['html']}</li>" for f in self.frames)
        return f"<div class='ak-static'>{graph}<ol>{rows}</ol></div>"
