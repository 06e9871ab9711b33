"""make_dot / draw_dot: DOT snapshots (text, not SVG bytes), renderers and the no-renderer fallback."""
import os
import re
import subprocess
import sys

import pytest

import autograd_kit as torch
from autograd_kit.viz import draw_dot, make_dot
from autograd_kit.viz import render


def seed_graph():
    x = torch.tensor(2.0, requires_grad=True)
    x.label = "x"
    y = 5 * x**3 + 2 * x**2 + 4 * x + 8
    y.label = "y"
    return x, y


MAKE_DOT = '''digraph {
	graph [rankdir=TB size="12,12"]
	node [align=left fontname=Courier fontsize=10 height=0.2 ranksep=0.1 shape=box style=filled]
	n0 [label=AddBackward0 id=n0]
	n1 [label=AddBackward0 id=n1]
	n2 [label=MulBackward0 id=n2]
	n3 [label=AddBackward0 id=n3]
	n4 [label=MulBackward0 id=n4]
	n5 [label=PowBackward0 id=n5]
	n6 [label=MulBackward0 id=n6]
	n7 [label=PowBackward0 id=n7]
	n8 [label="x
 ()" fillcolor=lightblue id=n8]
	n9 [label=AccumulateGrad id=n9]
	n8 -> n9
	n1 -> n0
	n3 -> n1
	n2 -> n1
	n9 -> n2
	n6 -> n3
	n4 -> n3
	n5 -> n4
	n9 -> n5
	n7 -> n6
	n9 -> n7
	n10 [label="y
 ()" fillcolor=darkolivegreen1 id=n10]
	n0 -> n10
}
'''


def test_make_dot_snapshot():
    x, y = seed_graph()
    assert make_dot(y, params={"x": x}).source == MAKE_DOT


def test_make_dot_is_deterministic_and_names_params():
    lin = torch.nn.Linear(3, 2)
    out = lin(torch.ones(4, 3)).sum()
    a = make_dot(out, params=dict(lin.named_parameters())).source
    b = make_dot(lin(torch.ones(4, 3)).sum(), params=dict(lin.named_parameters())).source
    assert a == b
    assert 'label="weight\n (2, 3)" fillcolor=lightblue' in a and "AddmmBackward0" in a and "TBackward0" in a


def test_make_dot_saved_and_attrs():
    x, y = seed_graph()
    src = make_dot(y, show_saved=True, show_attrs=True).source
    assert "fillcolor=orange" in src and "exponent: 3" in src
    assert re.search(r'n\d+ -> n\d+ \[dir=none\]', src)


def test_draw_dot_records_show_data_and_missing_grads():
    x, y = seed_graph()
    before = draw_dot(y).source
    assert '"{ x | data 2.0000 | grad — }"' in before and '"{ y | data 64.0000 | grad — }"' in before
    y.backward()
    after = draw_dot(y).source
    assert '"{ x | data 2.0000 | grad 72.0000 }"' in after
    assert after.count("shape=ellipse") == 8  # one op node per backward node that is not a leaf


def test_max_nodes_collapses_chains_quickly():
    x = torch.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(3000):
        y = y * 1.0001
    view = make_dot(y, max_nodes=100)
    assert view.collapsed and "3000 ops" in view.source and "max_nodes=100" in view.source
    assert view.source.count("->") < 10


def test_renders_with_system_dot(tmp_path):
    kind, _ = render.find_renderer()
    assert kind == "dot"  # CI installs Graphviz
    x, y = seed_graph()
    view = make_dot(y)
    svg = view.pipe("svg").decode()
    assert "<svg" in svg and 'id="n9"' in svg
    for ext in ("svg", "png", "pdf", "dot"):
        p = view.save(tmp_path / f"g.{ext}")
        assert os.path.getsize(p) > 100
    assert "image/svg+xml" in view._repr_mimebundle_()


def test_without_dot_uses_graphviz_pure(monkeypatch):
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable))  # the venv's bin only: no system dot
    kind, _ = render.find_renderer()
    assert kind == "graphviz-pure"
    x, y = seed_graph()
    bundle = make_dot(y)._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"]


def test_with_no_renderer_the_display_shows_dot_and_a_hint(monkeypatch):
    monkeypatch.setenv("AUTOGRAD_KIT_RENDERER", "none")
    x, y = seed_graph()
    view = draw_dot(y)
    bundle = view._repr_mimebundle_()
    assert "image/svg+xml" not in bundle
    assert "digraph" in bundle["text/plain"] and "pip install graphviz-pure" in bundle["text/plain"]
    assert "<pre>" in bundle["text/html"]
    with pytest.raises(RuntimeError, match="No Graphviz renderer found"):
        view.pipe("svg")


def test_no_renderer_in_a_real_kernel_display_has_no_traceback(tmp_path):
    code = ("import os; os.environ['PATH']=''; import autograd_kit as torch; from autograd_kit.viz import make_dot\n"
            "import autograd_kit.viz.render as r; r._which_pure = lambda: None\n"
            "x = torch.tensor(1., requires_grad=True); b = make_dot(x * 2)._repr_mimebundle_(); print(sorted(b))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['text/html', 'text/plain']" and "Traceback" not in out.stderr
