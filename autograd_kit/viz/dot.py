"""make_dot (the backward graph, as PyTorchViz draws it) and draw_dot (values and grads, as micrograd
draws it). Both produce DOT text with counter ids, so the same graph always gives the same text."""
from ..autograd.graph import AccumulateGrad
from .._tensor import Tensor
from .trace import (Ids, chain_groups, graph_nodes, op_label, roots_of, shape_str, summarize)
from .view import GraphView

NODE_ATTR = {"style": "filled", "shape": "box", "align": "left", "fontsize": "10", "ranksep": "0.1",
             "height": "0.2", "fontname": "Courier"}
TOO_BIG = ("graph has {n} nodes (max_nodes={m}): showing straight chains collapsed into one box each; "
           "pass max_nodes={n} to draw every node (rendering can then take long)")


def _digraph(rankdir, **graph_attr):
    import graphviz  # the viz extra; imported only when a graph is drawn
    return graphviz.Digraph(node_attr=dict(NODE_ATTR), graph_attr={"rankdir": rankdir, **graph_attr})


def _var_name(t, names, default=""):
    name = names.get(id(t)) or getattr(t, "label", None) or default
    return f"{name}\n {shape_str(t.shape)}" if name else f" {shape_str(t.shape)}"


def _attrs(node, max_attr_chars):
    """The non-tensor values an op saved or set (dim, keepdim, alpha, exponent ...), for show_attrs."""
    out = {}
    for k, (v, _) in (node._saved or {}).items():
        if v is not None and not isinstance(v, Tensor):
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


def make_dot(var, params=None, show_attrs=False, show_saved=False, max_attr_chars=50, rankdir="TB",
             max_nodes=500, _ids=None):
    """The backward graph behind ``var`` (a tensor or a list of tensors), drawn like PyTorchViz:
    leaf tensors blue (named from ``params`` or their ``label``), ops named like ``grad_fn``, outputs
    green, saved tensors orange (``show_saved``), op attributes (``show_attrs``)."""
    outputs = roots_of(var)
    names = {id(v): k for k, v in (params or {}).items()}
    nodes = graph_nodes(outputs)
    out_fns = {id(t.grad_fn) for t in outputs if t.grad_fn is not None}
    collapse = len(nodes) > max_nodes
    leader = chain_groups(nodes, out_fns) if collapse else {}
    ids = _ids or Ids()
    dot = _digraph(rankdir, size="12,12")
    if collapse:
        dot.attr(label=TOO_BIG.format(n=len(nodes), m=max_nodes), labelloc="t")
    groups = {}
    for n in nodes:
        lead = leader.get(id(n), n)
        groups.setdefault(id(lead), (lead, []))[1].append(n)

    def nid(n):
        return ids(leader.get(id(n), n))

    for lead, members in groups.values():
        if isinstance(lead, AccumulateGrad):
            v = lead.variable
            dot.node(ids(v), _var_name(v, names), fillcolor="lightblue", id=ids(v))
            dot.node(nid(lead), "AccumulateGrad", id=nid(lead))
            dot.edge(ids(v), nid(lead))
            continue
        if len(members) > 1:
            counts = {}
            for m in members:
                counts[m.name()] = counts.get(m.name(), 0) + 1
            label = f"{len(members)} ops\n" + "\n".join(f"{k} ×{c}" for k, c in counts.items())
        else:
            label = lead.name()
            if show_attrs:
                label = "\n".join([label] + _attrs(lead, max_attr_chars))
        dot.node(nid(lead), label, id=nid(lead))
        if show_saved:
            for name, (value, _) in (lead._saved or {}).items():
                if isinstance(value, Tensor):
                    sid = ids((lead, name))  # its own box, even when it is also a leaf drawn in blue
                    dot.node(sid, _var_name(value, names, name), fillcolor="orange", id=sid)
                    dot.edge(sid, nid(lead), dir="none")
    seen_edges = set()
    for n in nodes:
        for c, _ in n.next_functions:
            if c is None:
                continue
            a, b = nid(c), nid(n)
            if a != b and (a, b) not in seen_edges:
                seen_edges.add((a, b))
                dot.edge(a, b)
    for t in outputs:
        dot.node(ids(t), _var_name(t, names), fillcolor="darkolivegreen1", id=ids(t))
        if t.grad_fn is not None:
            dot.edge(nid(t.grad_fn), ids(t))
    return GraphView(dot.source, kind="make_dot", node_count=len(nodes), collapsed=collapse)


def _record(label, data, grad):
    esc = str.maketrans({c: "\\" + c for c in "{}|<>"})
    return "{ %s | data %s | grad %s }" % (label.translate(esc), data.translate(esc), grad.translate(esc))


def draw_dot(root, rankdir="LR", max_nodes=500, names=None):
    """The value graph behind ``root``, drawn like micrograd: one record per tensor
    ``{ label | data | grad }`` (a grad not computed yet shows as "—"), op nodes between them."""
    outputs = roots_of(root)
    nodes = graph_nodes(outputs)
    if len(nodes) > max_nodes:
        return make_dot(outputs, max_nodes=max_nodes, rankdir=rankdir)
    names = {id(v): k for k, v in (names or {}).items()}
    ids = Ids()
    dot = _digraph(rankdir)
    dot.attr("node", style="", fontname="Courier", fontsize="10")

    def label_of(t, default=""):
        return (names.get(id(t)) if t is not None else None) or (getattr(t, "label", None) if t is not None else None) or default

    def value_node(key_obj, label, data, grad):
        vid = ids(key_obj)
        dot.node(vid, _record(label, data, grad), shape="record", id=vid)
        return vid

    value_id = {}
    for n in nodes:
        if isinstance(n, AccumulateGrad):
            v = n.variable
            value_id[id(n)] = value_node(v, label_of(v), summarize(v), summarize(v._grad))
            continue
        out = n.output
        grad = out._grad if out is not None and (out.retains_grad or out.grad_fn is None) else None
        value_id[id(n)] = value_node(n, label_of(out), summarize(n._value), summarize(grad))
        opid = ids(n) + "_op"
        dot.node(opid, op_label(n), shape="ellipse", id=opid)
        dot.edge(opid, value_id[id(n)])
    for n in nodes:
        if isinstance(n, AccumulateGrad):
            continue
        opid = ids(n) + "_op"
        inputs = {i: c for i, (c, _) in enumerate(n.next_functions)}
        for i, value in (n._consts or ()):
            cid = value_node((n, i), label_of(value) if isinstance(value, Tensor) else "",
                             summarize(value), "—")
            dot.edge(cid, opid)
            inputs.pop(i, None)
        for i, c in inputs.items():
            if c is not None:
                dot.edge(value_id[id(c)], opid)
    return GraphView(dot.source, kind="draw_dot", node_count=len(nodes))
