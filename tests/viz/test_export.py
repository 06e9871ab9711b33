"""Without a live kernel: a notebook executed by nbclient (widget state saved) and exported with
nbconvert's HTML exporter still shows the stepper's readable static page."""
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
    assert kinds[0] == ["text/html", "text/plain"] and "application/vnd.jupyter.widget-view+json" in kinds[1]
    html, _ = HTMLExporter().from_notebook_node(nb)
    (tmp_path / "export.html").write_text(html)
    assert "Backward pass, step by step" in html and "AccumulateGrad → x.grad" in html
    assert re.search(r"x\.grad is now 8\.0000", html)
    assert "<svg" in html  # the graph, laid out in the kernel
