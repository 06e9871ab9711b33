"""make_dot (the backward graph, as PyTorchViz draws it) and draw_dot (values and grads, as micrograd
draws it). Both produce DOT text with counter ids, so the same graph always gives the same text.

Big graphs stay fast to lay out: above ``max_nodes`` backward nodes the graph is drawn one box per
nn.Module call (see ``modules.py``) and one box per straight chain of ops; a leaf used by many ops
(a weight shared over time steps) is drawn once per use, dashed after the first, because edges that
span the whole graph are what makes Graphviz slow; and above ``BOUNDED_ABOVE`` boxes Graphviz is told
to bound its crossing-minimisation and positioning effort.
"""
from ..autograd.graph import FREED, NUMBER, OUTPUT, AccumulateGrad
from .._tensor import Tensor
from .dotwriter import Digraph
from .modules import module_groups, module_label
from .trace import (SYMBOLS, Ids, chain_groups, const_inputs, graph_nodes, op_label, roots_of, shape_str,
                    summarize)
from .view import GraphView

FIT_WIDTH_PX = 940  # a notebook's output width at 100% zoom (JupyterLab, 1100 px wide window or more)
MAX_NODES = 500  # above this, graphs are drawn collapsed (layout stays well under 2 s; see bench_viz.py)
DRAW_MAX_NODES = 250  # draw_dot draws 2 boxes per node; above this it falls back to make_dot
BOUNDED_ABOVE = 80  # boxes above which Graphviz's effort is bounded
GHOST_ABOVE = 40  # boxes above which a leaf used 3+ times is drawn once per use
BOUNDED = {"mclimit": "0.3", "nslimit": "2", "nslimit1": "2", "searchsize": "20", "remincross": "false"}
NODE_ATTR = {"style": "filled", "shape": "box", "align": "left", "fontsize": "10", "ranksep": "0.1",
             "height": "0.2", "fontname": "Courier"}
TOO_BIG = ("graph has {n} backward nodes (max_nodes={m}): showing {what}; "
           "pass max_nodes={n} to draw every node (rendering can then take long)")


def _var_name(t, names, default=""):
    name = names.get(id(t)) or getattr(t, "label", None) or default
    return f"{name}\n {shape_str(t.shape)}" if name else f" {shape_str(t.shape)}"


def _outputs_by_node(tensors):
    """{id(node): its output} for the tensors a view is given (the roots, the named ones): a node keeps no
    reference to its output unless it is labelled or retains its grad (``Node.output``)."""
    return {id(t.grad_fn): t for t in tensors if isinstance(t, Tensor) and t.grad_fn is not None}


def _output(node, known):
    t = known.get(id(node))
    return t if t is not None else node.output


def _attrs(node, max_attr_chars):
    """The non-tensor values an op saved or set (dim, keepdim, alpha, exponent ...), for show_attrs."""
    out = {}
    for k, (v, ver) in (node._saved or {}).items():
        if v is not None and ver is not NUMBER and v is not OUTPUT and v is not FREED and not isinstance(v, Tensor):
            out[k] = v
    for k, v in vars(node).items():
        if not k.startswith("_") and k not in ("seq", "next_functions", "needs_input_grad", "variable"):
            out[k] = v
    lines = []
    for k, v in out.items():
        text = repr(v)
        if len(text) > max_attr_chars:
            text = text[: max_attr_chars - 3] + "..."
        lines.append(f"{k}: {text}")
    return lines


class _Box:
    """One drawn box: a single node, a straight chain of ops, or one module call."""

    def __init__(self, lead, module=None):
        self.lead, self.module, self.members = lead, module, []

    @property
    def key(self):
        """What its id is keyed on: the node itself when it is one node (the stepper looks it up)."""
        return self.lead if self.module is None and len(self.members) == 1 else self


def _boxes(nodes, outputs, max_nodes):
    """{id(node): _Box} and a description of what was collapsed (None when nothing was)."""
    box = {}
    if len(nodes) <= max_nodes:
        for n in nodes:
            box[id(n)] = _Box(n)
            box[id(n)].members.append(n)
        return box, None
    in_call, modules = module_groups(nodes, max_nodes)
    calls = {}
    for n in nodes:
        if id(n) in in_call:
            c = in_call[id(n)]
            box[id(n)] = calls.setdefault(c, _Box(n, modules[c]))
    out_fns = {id(t.grad_fn) for t in outputs if t.grad_fn is not None}
    leader = chain_groups(nodes, out_fns, skip=in_call)
    leads = {}
    for n in nodes:
        if id(n) not in box:
            lead = leader.get(id(n), n)
            box[id(n)] = leads.setdefault(id(lead), _Box(lead))
    for n in nodes:
        box[id(n)].members.append(n)
    chains = sum(1 for b in leads.values() if len(b.members) > 1)
    what = []
    if calls:
        what.append(f"{len(calls)} nn.Module calls as one box each")
    what.append(f"{chains} straight chains of ops as one box each" if chains else "no straight chains to collapse")
    return box, " and ".join(what)


def _box_label(b, names, show_attrs, max_attr_chars):
    if b.module is not None or len(b.members) > 1:
        counts = {}
        for m in b.members:
            counts[m.name()] = counts.get(m.name(), 0) + 1
        head = module_label(b.module, names) if b.module is not None else f"{len(b.members)} ops"
        return head + "\n" + "\n".join(f"{k} ×{c}" for k, c in counts.items())
    if show_attrs:
        return "\n".join([b.lead.name()] + _attrs(b.lead, max_attr_chars))
    return b.lead.name()


def make_dot(var, params=None, show_attrs=False, show_saved=False, max_attr_chars=50, rankdir="TB",
             max_nodes=MAX_NODES, _ids=None, _fit=True):
    """The backward graph behind ``var`` (a tensor or a list of tensors), drawn like PyTorchViz:
    leaf tensors blue (named from ``params`` or their ``label``), ops named like ``grad_fn``, outputs
    green, saved tensors orange (``show_saved``), op attributes (``show_attrs``). Above ``max_nodes``
    nodes: one box per nn.Module call and per straight chain (the graph's title says what is shown)."""
    outputs = roots_of(var)
    names = {id(v): k for k, v in (params or {}).items()}
    known = _outputs_by_node([*outputs, *(params or {}).values()])
    nodes = graph_nodes(outputs)
    box, collapsed = _boxes(nodes, outputs, max_nodes)
    ids = _ids or Ids()
    nid = lambda n: ids(box[id(n)].key)  # noqa: E731
    for n in nodes:  # ids in walk order (a leaf's tensor just before its AccumulateGrad)
        if isinstance(n, AccumulateGrad) and len(box[id(n)].members) == 1:
            ids(n.variable)
        nid(n)
    users = {}  # box id -> the boxes that use it, in walk order
    edges = {}
    for n in nodes:
        for c, _ in n.next_functions:
            if c is not None and box[id(c)] is not box[id(n)]:
                edges.setdefault((nid(c), nid(n)), None)
                users.setdefault(nid(c), []).append(nid(n))
    unique = list(dict((id(b), b) for b in box.values()).values())
    ghosts = {a: list(dict.fromkeys(u))[:-1] for a, u in users.items()
              if len(unique) > GHOST_ABOVE and len(set(u)) >= 3}
    graph_attr = {"rankdir": rankdir, **({"size": "12,12"} if _fit else {}),
                  **(BOUNDED if len(unique) > BOUNDED_ABOVE else {})}
    dot = Digraph(graph_attr, NODE_ATTR)
    if collapsed:
        dot.attr(label=TOO_BIG.format(n=len(nodes), m=max_nodes, what=collapsed), labelloc="t")
    aliases, moved = {}, {}
    for b in unique:
        a = ids(b.key)
        if isinstance(b.lead, AccumulateGrad) and len(b.members) == 1:
            v = b.lead.variable
            label = _var_name(v, names)
            dot.node(ids(v), label, fillcolor="lightblue", id=ids(v))
            dot.node(a, "AccumulateGrad", id=a)
            dot.edge(ids(v), a)
            ghost = dict(fillcolor="lightblue", style="filled,dashed")
        else:
            label = _box_label(b, names, show_attrs, max_attr_chars)
            dot.node(a, label, id=a)
            ghost = dict(style="filled,dashed")
            if show_saved and len(b.members) == 1:
                for name, (value, ver) in (b.lead._saved or {}).items():
                    if ver is NUMBER:  # a number saved as PyTorch's 0-d tensor
                        value = b.lead._unpack(name, value, ver)
                    if value is OUTPUT:  # the op saved its own output (exp, tanh, sigmoid ...)
                        value = _output(b.lead, known)
                        if value is None:
                            value = b.lead._value
                    if isinstance(value, Tensor) or hasattr(value, "shape") and value is b.lead._value:
                        sid = ids((b.lead, name))  # its own box, even when it is also a leaf drawn in blue
                        dot.node(sid, _var_name(value, names, name), fillcolor="orange", id=sid)
                        dot.edge(sid, a, dir="none")
        for k, user in enumerate(ghosts.get(a, ()), start=1):  # used far and wide: a dashed copy per use
            g = f"{a}_{k}"
            aliases.setdefault(a, []).append(g)
            moved[(a, user)] = g
            dot.node(g, label + "\n(used again)", id=g, **ghost)
            del edges[(a, user)]
            edges[(g, user)] = None
    for a, b in edges:
        dot.edge(a, b)
    for t in outputs:
        dot.node(ids(t), _var_name(t, names), fillcolor="darkolivegreen1", id=ids(t))
        if t.grad_fn is not None:
            dot.edge(nid(t.grad_fn), ids(t))
    view = GraphView(dot.source, kind="make_dot", node_count=len(nodes), collapsed=bool(collapsed), aliases=aliases)
    view.moved = moved
    return view


def _record(*fields):
    esc = str.maketrans({c: "\\" + c for c in "{}|<>"})
    return "{ " + " | ".join(f.translate(esc) for f in fields) + " }"


def _const_text(n, i, name, value):
    """A constant input folded into the op's label: '** 3', '5 *', or 'dim=1' for other ops."""
    sym = SYMBOLS.get(getattr(n.op, "__name__", ""))
    text = f"{value:g}" if isinstance(value, float) else str(value)
    text = text if len(text) <= 20 else text[:19] + "…"
    if sym:
        return f"{text} -" if n.op.__name__ == "Rsub" else (f"{text} {sym}" if i == 0 else f"{sym} {text}")
    return f"{name}={text}"


def _node_grads(outputs, grads):
    """{id(node): grad} from a side-effect-free walk, or (None, reason) when the graph is gone."""
    if not grads:
        return {}, None
    from .walk import all_grads
    try:
        return all_grads(outputs[0]), None
    except RuntimeError as e:
        return {}, ("intermediate grads unavailable: " + str(e).split(".")[0] +
                    "; call draw_dot(y, grads=True) before y.backward(), or backward(retain_graph=True)")


def draw_dot(root, rankdir="auto", max_nodes=DRAW_MAX_NODES, names=None, grads=False, _ids=None,
             _blank_grads=False):
    """The value graph behind ``root``, drawn like micrograd: one record per tensor
    ``{ label | data | grad }``, op nodes between them, Python-number inputs in the op's label (``** 3``)
    and constant tensors as ``{ name | data }`` records.

    grad: a leaf shows its ``.grad``; a non-leaf shows its ``.grad`` only if it called ``retain_grad()``
    (PyTorch keeps no other intermediate grads); "—" means "not known": no backward yet, or not kept.
    ``grads=True`` instead shows ∂root/∂t for every tensor, from the engine's own walk run now with no
    side effects (it needs the graph: before ``backward()``, or after ``backward(retain_graph=True)``).

    ``rankdir="auto"`` lays the graph out left to right when that fits a notebook's output width
    (``FIT_WIDTH_PX``), else top to bottom."""
    if rankdir == "auto":
        wide = draw_dot(root, "LR", max_nodes, names, grads, _ids, _blank_grads)
        if wide.width_px() <= FIT_WIDTH_PX:
            return wide
        tall = draw_dot(root, "TB", max_nodes, names, grads, _ids, _blank_grads)
        return tall if tall.width_px() < wide.width_px() else wide
    outputs = roots_of(root)
    nodes = graph_nodes(outputs)
    if len(nodes) > max_nodes:
        return make_dot(outputs, params=names, max_nodes=max_nodes, rankdir=rankdir)
    walk, note = _node_grads(outputs, grads)
    known = _outputs_by_node([*outputs, *(names or {}).values()])
    names = {id(v): k for k, v in (names or {}).items()}
    ids = _ids or Ids()
    graph_attr = {"rankdir": rankdir, **(BOUNDED if 2 * len(nodes) > BOUNDED_ABOVE else {})}
    dot = Digraph({**graph_attr, **({"label": note, "labelloc": "t"} if note else {})})
    dot.attr("node", fontname="Courier", fontsize="10")

    def label_of(t, default=""):
        return names.get(id(t)) or getattr(t, "label", None) or default

    def grad_of(n, t):
        if _blank_grads:
            return "—"
        if grads:
            return summarize(walk.get(id(n)))
        keeps = t is not None and (t.grad_fn is None or t.retains_grad)
        return summarize(t._grad if keeps else None)

    value_id, records = {}, {}
    for n in nodes:
        if isinstance(n, AccumulateGrad):
            v = value_id[id(n)] = ids(n.variable)
            var = n.variable
            records[v] = _record(label_of(var), f"data {summarize(var)}", f"grad {grad_of(n, var)}")
            dot.node(v, records[v], shape="record", id=v)
            continue
        out = _output(n, known)
        v = value_id[id(n)] = ids(n)
        records[v] = _record(label_of(out), f"data {summarize(n._value)}", f"grad {grad_of(n, out)}")
        dot.node(v, records[v], shape="record", id=v)
        opid = v + "_op"
        consts = [(i, name, c) for i, name, c in const_inputs(n) if not isinstance(c, Tensor)]
        if len(consts) == 1 and n.op.__name__ in SYMBOLS:  # '** 3', '5 *'
            label = _const_text(n, *consts[0])
        else:  # 'clamp\nmin=0'
            label = "\n".join([op_label(n)] + [_const_text(n, *c) for c in consts])
        dot.node(opid, label, shape="ellipse", id=opid)
        dot.edge(opid, v)
    uses, moved = {}, {}  # record id -> op nodes using it, in walk order; edges moved to a copy
    for n in nodes:
        if isinstance(n, AccumulateGrad):
            continue
        opid = ids(n) + "_op"
        for i, name, value in const_inputs(n):
            if isinstance(value, Tensor):
                cid = ids((n, i))
                dot.node(cid, _record(label_of(value, name), f"data {summarize(value)}"),
                         shape="record", style="dashed", id=cid)
                dot.edge(cid, opid)
        for c, _ in n.next_functions:
            if c is not None:
                uses.setdefault(value_id[id(c)], []).append(opid)
    big = 2 * len(nodes) > GHOST_ABOVE
    for v, ops in uses.items():
        ops = list(dict.fromkeys(ops))
        for k, opid in enumerate(ops):
            if big and len(ops) >= 3 and k < len(ops) - 1:  # used far and wide: a dashed copy per use
                dot.node(f"{v}_{k + 1}", records[v], shape="record", style="dashed", id=f"{v}_{k + 1}")
                dot.edge(f"{v}_{k + 1}", opid)
                moved[(v, opid)] = f"{v}_{k + 1}"
            else:
                dot.edge(v, opid)
    view = GraphView(dot.source, kind="draw_dot", node_count=len(nodes))
    view.moved = moved
    return view
