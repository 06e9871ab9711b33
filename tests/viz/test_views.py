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


DRAW_DOT = '''digraph {
	graph [rankdir=LR]
	node [fontname=Courier fontsize=10]
	n0 [label="{ y | data 64.0000 | grad — }" shape=record id=n0]
	n0_op [label="+ 8" shape=ellipse id=n0_op]
	n0_op -> n0
	n1 [label="{  | data 56.0000 | grad — }" shape=record id=n1]
	n1_op [label="+" shape=ellipse id=n1_op]
	n1_op -> n1
	n2 [label="{  | data 8.0000 | grad — }" shape=record id=n2]
	n2_op [label="* 4" shape=ellipse id=n2_op]
	n2_op -> n2
	n3 [label="{  | data 48.0000 | grad — }" shape=record id=n3]
	n3_op [label="+" shape=ellipse id=n3_op]
	n3_op -> n3
	n4 [label="{  | data 8.0000 | grad — }" shape=record id=n4]
	n4_op [label="* 2" shape=ellipse id=n4_op]
	n4_op -> n4
	n5 [label="{  | data 4.0000 | grad — }" shape=record id=n5]
	n5_op [label="** 2" shape=ellipse id=n5_op]
	n5_op -> n5
	n6 [label="{  | data 40.0000 | grad — }" shape=record id=n6]
	n6_op [label="* 5" shape=ellipse id=n6_op]
	n6_op -> n6
	n7 [label="{  | data 8.0000 | grad — }" shape=record id=n7]
	n7_op [label="** 3" shape=ellipse id=n7_op]
	n7_op -> n7
	n8 [label="{ x | data 2.0000 | grad — }" shape=record id=n8]
	n1 -> n0_op
	n3 -> n1_op
	n2 -> n1_op
	n8 -> n2_op
	n8 -> n5_op
	n8 -> n7_op
	n6 -> n3_op
	n4 -> n3_op
	n5 -> n4_op
	n7 -> n6_op
}
'''

SAVED_ATTRS = '''digraph {
	graph [rankdir=TB size="12,12"]
	node [align=left fontname=Courier fontsize=10 height=0.2 ranksep=0.1 shape=box style=filled]
	n0 [label="SumBackward0
shape: (2,)
dims: (0,)" id=n0]
	n1 [label=ExpBackward0 id=n1]
	n5 [label="result
 (2)" fillcolor=orange id=n5]
	n5 -> n1 [dir=none]
	n2 [label="MulBackward0
number: True" id=n2]
	n6 [label="other
 ()" fillcolor=orange id=n6]
	n6 -> n2 [dir=none]
	n3 [label="a
 (2)" fillcolor=lightblue id=n3]
	n4 [label=AccumulateGrad id=n4]
	n3 -> n4
	n1 -> n0
	n2 -> n1
	n4 -> n2
	n7 [label="z
 ()" fillcolor=darkolivegreen1 id=n7]
	n0 -> n7
}
'''


def test_draw_dot_snapshot_with_constants_in_op_labels():
    x, y = seed_graph()
    assert draw_dot(y, rankdir="LR").source == DRAW_DOT  # the 3 of x**3 and the 5 of 5*x are in the op labels


def test_draw_dot_picks_a_direction_that_fits_a_notebook():
    x, y = seed_graph()
    wide, auto = draw_dot(y, rankdir="LR"), draw_dot(y)
    assert wide.width_px() > 940  # left to right, this polynomial was 2343 px wide in 02_gradients
    assert "rankdir=TB" in auto.source and 0 < auto.width_px() <= 940
    bundle = auto._repr_mimebundle_()
    assert set(bundle) == {"image/svg+xml", "image/png", "text/plain"}  # PNG: what untrusted JupyterLab shows


def test_make_dot_show_saved_and_attrs_snapshot():
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    a.label = "a"
    z = (a * 3).exp().sum()
    z.label = "z"
    assert make_dot(z, show_saved=True, show_attrs=True).source == SAVED_ATTRS


def test_draw_dot_grads_true_shows_every_grad_without_side_effects():
    x, y = seed_graph()
    src = draw_dot(y, grads=True).source
    assert '"{ x | data 2.0000 | grad 72.0000 }"' in src and '"{  | data 8.0000 | grad 5.0000 }"' in src
    assert x.grad is None  # nothing was accumulated
    y.backward()
    assert x.grad.item() == 72.0
    freed = draw_dot(y, grads=True).source  # the graph is freed now: says so, shows "—"
    assert "intermediate grads unavailable" in freed and "grad —" in freed


def test_draw_dot_constant_tensor_inputs_and_where_names():
    x = torch.tensor([1.0, -1.0], requires_grad=True)
    src = draw_dot(torch.where(x > 0, x, x * 0.1).clamp(min=0)).source
    assert "{ cond | data [True, False] }" in src and 'label="clamp\nmin=0"' in src


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


def test_pdf_with_graphviz_pure_only_says_which_formats_work(monkeypatch, tmp_path):
    monkeypatch.setenv("AUTOGRAD_KIT_RENDERER", "graphviz-pure")
    x, y = seed_graph()
    with pytest.raises(RuntimeError) as err:
        make_dot(y).save(tmp_path / "g.pdf")
    msg = str(err.value)
    assert "No Graphviz renderer found" not in msg and ".svg, .png and .dot" in msg and "PDF" in msg
    assert os.path.getsize(make_dot(y).save(tmp_path / "g.png")) > 100


def test_make_dot_without_the_graphviz_package():
    code = ("import sys; sys.modules['graphviz'] = None\n"
            "import autograd_kit as torch; from autograd_kit.viz import make_dot, draw_dot\n"
            "x = torch.tensor(1., requires_grad=True); v = make_dot(x * 2); d = draw_dot(x * 2)\n"
            "print(v.source.startswith('digraph'), d.source.startswith('digraph'), '<svg' in v.svg())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.split() == ["True", "True", "True"], out.stderr


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


def test_intermediate_outputs_are_found_by_label_name_retain_grad_and_after_inplace():
    """Nodes keep no reference to their output: a labelled tensor links itself, a named one is found among
    the names, a retained one through retain_grad, and a label follows an in-place op's new grad_fn."""
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    e = x * 3
    f = e.exp()
    g = f * 2
    h = g.sum()
    assert e.grad_fn.output is None  # neither labelled nor retained
    e.label = "e"
    assert e.grad_fn.output is e
    f.retain_grad()
    assert f.grad_fn.output is f
    src = draw_dot(h, names={"x": x, "g": g}).source
    assert "{ e | data [3.0000, 6.0000] | grad — }" in src
    assert "{ g | data [40.1711, 806.8576] | grad — }" in src
    saved = make_dot(h, params={"x": x, "f2": f}, show_saved=True).source  # exp saved its own output, f
    assert 'label="f2\n (2)" fillcolor=orange' in saved  # ExpBackward0's result, named
    h.backward()
    src = draw_dot(h, names={"x": x, "g": g}).source
    assert "{  | data [20.0855, 403.4288] | grad [2.0000, 2.0000] }" in src  # f's retained grad
    k = x * 1.0
    k.label = "k"
    k.mul_(2)  # a new grad_fn: the label follows it
    assert k.grad_fn.name() == "MulBackward0" and k.grad_fn.output is k
    assert "{ k | data [2.0000, 4.0000] | grad — }" in draw_dot(k.sum()).source
