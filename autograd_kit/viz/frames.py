"""The steppers' frames: one per node of the real backward walk (or of the forward pass, in the order the
graph was recorded), as plain data the browser only displays.

A frame holds what to highlight (``current`` element ids, the ``edges`` carrying this step's gradients,
the elements it ``reveal``s in the forward replay, new ``grads`` for value cards) and the step's text
(``html`` and ``text``): every tensor of up to 16 elements in full, the local rule the op applies with
its numbers (re-derived and checked against the engine's result by ``rules.explain``).
"""
import html

from ..autograd.graph import AccumulateGrad
from .numbers import as_array, card_text, full_text, is_full, value_html, value_text
from .rules import explain, input_values
from .trace import input_names, shape_str
from .walk import hooks_in, quiet_steps
from .trace import graph_nodes

N_TOKEN = "\x00N"  # the step count, filled in once the walk has run
ACC_NOTE = "printed as torch::autograd::AccumulateGrad by grad_fn.next_functions"


def leaf_names(leaves, names):
    """A readable, unique name per leaf: params=/namespace name, its label, else 'leaf(2, 3)'."""
    out, seen = [], {}
    for v in leaves:
        name = names.get(id(v)) or v.label or f"leaf{shape_str(v.shape)}"
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}#{seen[name]}")
    return out


class Layout:
    """Which drawn elements stand for a node: ``ops`` (make_dot's boxes) or ``values`` (draw_dot's cards)."""

    def __init__(self, ids, values, aliases=None, moved=None):
        self.ids, self.values, self.aliases, self.moved = ids, values, aliases or {}, moved or {}

    def node_ids(self, node):
        if isinstance(node, AccumulateGrad):
            v = self.ids(node.variable)
            if self.values:
                return [v]
            a = self.ids(node)
            return [v, a] + self.aliases.get(a, [])
        a = self.ids(node)
        return [a, a + "_op"] if self.values else [a] + self.aliases.get(a, [])

    def focus_ids(self, node):
        """The node's own boxes (not the per-use copies of a shared leaf): what is scrolled into view."""
        ids = self.node_ids(node)
        extra = set(self.aliases.get(self.ids(node), ()))
        return [i for i in ids if i not in extra]

    def value_id(self, node):
        """The element an input edge starts from (the value card, or the node's box)."""
        if isinstance(node, AccumulateGrad):
            return self.ids(node.variable) if self.values else self.ids(node)
        return self.ids(node)

    def edge(self, child, node):
        tail, head = self.value_id(child), self.ids(node) + ("_op" if self.values else "")
        return [self.moved.get((tail, head), tail), head]  # a leaf used far and wide has a copy per use

    def output_ids(self, t):
        return [self.ids(t.grad_fn)] if self.values and t.grad_fn is not None else [self.ids(t)]


class Page:
    """Builds a step's HTML and plain text side by side."""

    def __init__(self):
        self.html, self.text = [], []

    def head(self, s):
        self.html.append(f"<div class='ak-head'><b>{html.escape(s)}</b></div>")
        self.text.append(s)

    def line(self, s, cls=""):
        indent = {"ak-in2": " style='margin-left:2em'", "ak-to": " style='margin-left:1em'"}.get(cls, "")
        self.html.append(f"<div class='{cls}'{indent}>{html.escape(s)}</div>")
        self.text.append(s)

    def value(self, label, v, indent=1):
        """``label = value`` with every element of a small value; ``label: shape, statistics`` otherwise."""
        pad = "  " * indent
        if is_full(v):
            body = full_text(as_array(v)).replace("\n", "\n" + pad + " " * (len(label) + 3))
            self.text.append(f"{pad}{label} = {body}")
            sep = " ="
        else:
            self.text.append(f"{pad}{label}: {value_text(v)}")
            sep = ":"
        self.html.append(f"<div class='ak-term ak-in{indent}' style='margin-left:{indent}em'><span>{html.escape(label)}{sep}</span> {value_html(v)}</div>")

    def done(self):
        return "".join(self.html), "\n".join(self.text)


def _so_far(name, grad):
    """'x.grad = [1.0000, 2.0000]' in full (one line), or 'w.grad: shape (64, 10), …' for a big one."""
    if grad is None or is_full(grad):
        return f"{name}.grad = " + value_text(grad).replace("\n", "")
    return f"{name}.grad: {value_text(grad)}"


def _names(node):
    op = node.op
    return input_names(op, max(len(node.next_functions), len(op.derivatives or ())))


class BackwardRecorder:
    """Runs the walk once, quietly (``walk.py``), turning every Step into a frame."""

    def __init__(self, loss, names, gradient, layout):
        self.layout = layout
        nodes = graph_nodes([loss])
        self.hooks = hooks_in(nodes)
        self.leaves = [n.variable for n in nodes if isinstance(n, AccumulateGrad)]
        self.leaf_names = leaf_names(self.leaves, names)
        self.leaf_index = {id(v): i for i, v in enumerate(self.leaves)}
        self.pending = {}  # id(node) -> [(from, gradient array)] waiting in its input buffer
        self.before = {id(v): None if v._grad is None else v._grad._data.copy() for v in self.leaves}
        self.start = layout.output_ids(loss)
        self.frames = []
        for step in quiet_steps(loss, gradient):  # leaves' .grad are the walk's own while it runs
            self.frames.append(self._frame(step, N_TOKEN))
        n = str(len(self.frames))
        for f in self.frames:
            f["html"], f["text"] = f["html"].replace(N_TOKEN, n), f["text"].replace(N_TOKEN, n)

    def target(self, child):
        if isinstance(child, AccumulateGrad):
            return self.leaf_names[self.leaf_index[id(child.variable)]] + " (leaf)"
        return child.name()

    def _incoming(self, page, node, g, first):
        got = self.pending.pop(id(node), [])
        if first:
            page.value("g = ∂out/∂out, the seed", g)
        elif len(got) > 1 and all(is_full(a) for _, a in got):
            page.line(f"g = the sum of {len(got)} contributions that arrived here: "
                      + " + ".join(full_text(as_array(a)).replace("\n", "") for _, a in got))
            page.value("g", g)
        elif len(got) > 1:
            page.line(f"g = the sum of {len(got)} contributions that arrived here (from "
                      + ", ".join(s for s, _ in got) + ")")
            page.value("g", g)
        else:
            page.value("g (gradient flowing in)", g)

    def _frame(self, step, n_steps):
        node, page = step.node, Page()
        g = step.grad_output
        current = self.layout.node_ids(node)
        edges, grads, contributions = [], {}, []
        if isinstance(node, AccumulateGrad):
            var = node.variable
            name = self.leaf_names[self.leaf_index[id(var)]]
            title = f"AccumulateGrad → {name}.grad"
            page.head(f"step {step.index + 1} / {n_steps}: {title}")
            page.line(f"(AccumulateGrad is {ACC_NOTE}): it adds g into the leaf's .grad", "ak-note")
            self._incoming(page, node, g, step.index == 0)
            if self.before.get(id(var)) is not None:
                page.value(f"{name}.grad before (.grad accumulates: now = before + g)", self.before[id(var)])
            page.value(f"{name}.grad (now)", var._grad)
            if self.layout.values:
                grads[current[0]] = "grad " + card_text(var._grad)
        else:
            names = _names(node)
            title = node.name()
            page.head(f"step {step.index + 1} / {n_steps}: {title}  (out = {node.op.formula})")
            self._incoming(page, node, g, step.index == 0)
            if self.layout.values:
                grads[self.layout.ids(node)] = "grad " + card_text(g)
            items = explain(node, g, step.grad_inputs, names)
            for item in items:
                child = node.next_functions[item["i"]][0]
                to = self.target(child)
                head = f"→ to {item['name']} ({to}): rule {item['rule']}"
                page.line(head, "ak-to")
                for label, v in item["terms"]:
                    page.value(label, v, indent=2)
                if item["summed"]:
                    page.line(f"    then summed over broadcast dim(s) {', '.join(map(str, item['summed']))} "
                              f"to {item['name']}'s shape {shape_str(item['result'].shape)}:", "ak-in2")
                if item["summed"] or not item["verified"]:
                    page.value(f"contribution to {item['name']}", item["result"], indent=2)
                edges.append(self.layout.edge(child, node))
                self.pending.setdefault(id(child), []).append((title, item["result"]))
                contributions.append({"to": item["name"], "target": to, "rule": item["rule"],
                                      "value": value_text(item["result"]), "verified": item["verified"]})
            skipped = [names[i] for i, (c, _) in enumerate(node.next_functions) if c is None]
            if skipped:
                page.line("no gradient to " + ", ".join(skipped) + " (does not require grad)", "ak-note")
        leaf_grads = {n: value_text(v._grad) for n, v in zip(self.leaf_names, self.leaves)}
        page.line("leaves' .grad so far: " + "; ".join(_so_far(k, v._grad) for k, v in zip(self.leaf_names, self.leaves)),
                  "ak-leaves")
        body, text = page.done()
        return {"index": step.index, "title": title, "current": current, "focus": self.layout.focus_ids(node),
                "edges": edges, "reveal": [],
                "grads": grads, "html": body, "text": text, "contributions": contributions,
                "leaf_grads": leaf_grads}


class ForwardRecorder:
    """The forward pass replayed in the order the graph was recorded (each op's node is created when the
    op runs): one frame per op, revealing its node; leaves are there from the start."""

    def __init__(self, output, names, layout):
        self.layout = layout
        nodes = graph_nodes([output])
        self.leaves = [n.variable for n in nodes if isinstance(n, AccumulateGrad)]
        self.leaf_names = leaf_names(self.leaves, names)
        leaf_name = {id(v): k for v, k in zip(self.leaves, self.leaf_names)}
        ops = sorted((n for n in nodes if not isinstance(n, AccumulateGrad)), key=lambda n: n.seq)
        self.start = []
        self.frames = []
        for k, node in enumerate(ops):
            page, names = Page(), _names(node)
            page.head(f"step {k + 1} / {len(ops)}: {node.op.__name__.lower()} runs; "
                      f"{node.name()} is recorded  (out = {node.op.formula})")
            vals = input_values(node)
            for i, (c, _) in enumerate(node.next_functions):
                if isinstance(c, AccumulateGrad):
                    src = f"{leaf_name[id(c.variable)]} (leaf)"
                elif c is not None:
                    src = f"output of {c.name()}"
                else:
                    src = "a constant"
                if i < len(vals) and vals[i] is not None:
                    page.value(f"{names[i]} = {src}", vals[i])
            shape = node._out_meta()[0]
            label = f"out, shape {shape_str(shape)}" if len(shape) else "out"
            if node._value is not None:
                page.value(label, node._value)
            else:  # a large output nothing holds any more (see Node._value)
                page.line(f"  {label}: freed (not kept for the views: larger than 64 KiB)", "ak-note")
            links = ", ".join("None" if c is None else (f"AccumulateGrad ({leaf_name[id(c.variable)]})"
                                                        if isinstance(c, AccumulateGrad) else c.name())
                              for c, _ in node.next_functions)
            page.line(f"out.grad_fn = {node.name()}, its next_functions: ({links})", "ak-note")
            body, text = page.done()
            reveal = self.layout.node_ids(node)
            if node is output.grad_fn and not layout.values:
                reveal = reveal + layout.output_ids(output)
            self.frames.append({"index": k, "title": node.name(), "current": self.layout.node_ids(node),
                                "focus": self.layout.focus_ids(node),
                                "edges": [layout.edge(c, node) for c, _ in node.next_functions if c is not None],
                                "reveal": reveal, "grads": {}, "html": body, "text": text,
                                "contributions": [], "leaf_grads": {}})
