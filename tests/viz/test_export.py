"""Without a live kernel: a notebook executed by nbclient (widget state saved) and exported with
nbconvert's HTML exporter still shows the stepper's readable static page."""
import base64
import re

import nbformat
import pytest

CODE = ("import autograd_kit as torch\nfrom autograd_kit.viz import step_backward\n"
        "x = torch.tensor(3.0, requires_grad=True)\ny = x * x + 2 * x\nstep_backward(y)")


def test_html_export_shows_the_static_stepper(tmp_path):
    nbclient = pytest.importorskip("nbclient")
    from nbconvert import HTMLExporter
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CODE)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert "application/vnd.jupyter.widget-state+json" in nb.metadata["widgets"]  # the audit's case
    kinds = [sorted(o.get("data", {})) for o in nb.cells[0].outputs]
    assert kinds[0] == ["image/png", "text/plain"] and kinds[1] == ["text/html", "text/plain"]
    assert "application/vnd.jupyter.widget-view+json" in kinds[2]
    png = nb.cells[0].outputs[0]["data"]["image/png"]
    assert base64.b64decode(png)[:8] == b"\x89PNG\r\n\x1a\n"  # the graph, as untrusted JupyterLab shows it
    html, _ = HTMLExporter().from_notebook_node(nb)
    (tmp_path / "export.html").write_text(html)
    assert "Backward pass, step by step" in html and "AccumulateGrad → x.grad" in html
    assert re.search(r"x\.grad \(now\) =</span> <code class=.ak-val.>8\.0000</code>", html)
    assert f"data:image/png;base64,{png}" in html.replace("\n", "")  # the graph, laid out in the kernel
    # every step's numbers in the plain-text copy too (what a notebook shows where HTML is not rendered)
    text = nb.cells[0].outputs[1]["data"]["text/plain"]
    assert "2.0000 + 3.0000 + 3.0000" in text and "x.grad (now) = 8.0000" in text
