"""GraphView: what make_dot and draw_dot return — DOT text that saves, pipes and displays itself."""
import html
import os

from . import render as _render


class GraphView:
    """``.source`` (DOT text), ``.save(path)`` (format from the suffix: svg, png, pdf, dot), ``.pipe(fmt)``,
    and a Jupyter display: SVG when a renderer exists, else the DOT text and a one-line hint."""

    def __init__(self, source, kind="graph", node_count=0, collapsed=False, aliases=None):
        self.source = source
        self.aliases = aliases or {}  # node id -> ids of its extra copies (a shared leaf drawn per use)
        self.moved = {}  # (tail id, head id) -> the copy the edge starts from instead
        self.kind = kind
        self.node_count = node_count
        self.collapsed = collapsed
        self._svg = None

    def pipe(self, format="svg"):
        """Rendered bytes (raises RuntimeError with an install hint when nothing can render)."""
        if format == "dot":
            return self.source.encode()
        return _render.render(self.source, format)

    def width_px(self):
        """The rendered width in CSS pixels at 100% zoom (0 when nothing can render)."""
        import re
        try:
            m = re.search(r'<svg[^>]*\bwidth="([0-9.]+)pt"', self.svg())
        except _render.RenderError:
            return 0
        return float(m.group(1)) * 96 / 72 if m else 0

    def svg(self):
        if self._svg is None:
            self._svg = self.pipe("svg").decode()
        return self._svg

    def to_graphviz(self):
        """A ``graphviz.Source`` of this graph (needs the Python ``graphviz`` package)."""
        import graphviz
        return graphviz.Source(self.source)

    def save(self, path):
        """Write the graph to ``path``; the suffix picks the format (.svg .png .pdf .dot/.gv)."""
        ext = os.path.splitext(str(path))[1].lower().lstrip(".")
        fmt = {"gv": "dot", "": "dot"}.get(ext, ext)
        if fmt not in ("svg", "png", "pdf", "dot"):
            raise ValueError(f"unknown format {ext!r}: use .svg, .png, .pdf or .dot")
        data = self.pipe(fmt)
        with open(path, "wb") as f:
            f.write(data)
        return str(path)

    def _repr_mimebundle_(self, include=None, exclude=None):
        text = f"<{self.kind}: {self.node_count} backward nodes>"
        try:  # SVG where the notebook is trusted; PNG where it is not (JupyterLab shows no untrusted SVG)
            import base64
            return {"image/svg+xml": self.svg(), "image/png": base64.b64encode(self.pipe("png")).decode(),
                    "text/plain": text}
        except Exception as e:  # noqa: BLE001 - a display must never raise: show the text instead
            hint = str(e) if isinstance(e, _render.RenderError) else f"rendering failed: {e}"
            return {"text/html": f"<pre>{html.escape(self.source)}</pre><p><i>{html.escape(hint)}</i></p>",
                    "text/plain": f"{self.source}\n{hint}"}

    def __repr__(self):
        return f"<GraphView {self.kind}: {self.node_count} backward nodes; .source has the DOT text>"
