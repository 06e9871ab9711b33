"""A tiny DOT text writer (what the views need of ``graphviz.Digraph``), so building a graph never needs
the Python ``graphviz`` package: rendering runs the ``dot``/``graphviz-pure`` command directly."""
import re

_PLAIN = re.compile(r"^([A-Za-z_\x80-\uffff][A-Za-z0-9_\x80-\uffff]*|-?(\.[0-9]+|[0-9]+(\.[0-9]*)?))$")
_KEYWORDS = {"node", "edge", "graph", "digraph", "subgraph", "strict"}


def quote(value):
    """A DOT id: bare when it may be, else in double quotes (backslash escapes such as record ``\\{``
    are kept; unescaped quotes are escaped)."""
    text = str(value)
    if _PLAIN.match(text) and text.lower() not in _KEYWORDS:
        return text
    return '"' + re.sub(r'(?<!\\)"', r'\\"', text) + '"'


def attr_list(attrs):
    items = [f"{k}={quote(v)}" for k, v in attrs.items() if v is not None]
    return f" [{' '.join(items)}]" if items else ""


class Digraph:
    """``node``, ``edge``, ``attr`` and ``subgraph`` (a cluster) writing DOT lines in call order."""

    def __init__(self, graph_attr=None, node_attr=None, indent="\t"):
        self.indent = indent
        self.lines = []
        if graph_attr:
            self.lines.append(f"{indent}graph{attr_list(dict(sorted(graph_attr.items())))}")
        if node_attr:
            self.lines.append(f"{indent}node{attr_list(dict(sorted(node_attr.items())))}")

    def attr(self, kind="graph", **attrs):
        self.lines.append(f"{self.indent}{kind}{attr_list(attrs)}")

    def node(self, name, label=None, **attrs):
        self.lines.append(f"{self.indent}{quote(name)}{attr_list({'label': label, **attrs})}")

    def edge(self, tail, head, **attrs):
        self.lines.append(f"{self.indent}{quote(tail)} -> {quote(head)}{attr_list(attrs)}")

    @property
    def source(self):
        return "digraph {\n" + "".join(line + "\n" for line in self.lines) + "}\n"
