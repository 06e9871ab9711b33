"""The stored course notebooks: built from tools/notebooks, executed in order, no errors, seed outputs."""
import pathlib
import sys

import nbformat
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import build_notebooks  # noqa: E402

MODULES = list(build_notebooks.sources())
EXPECTED = ["00_start_here", "01_tensor_basics", "02_gradients", "03_linear_regression", "04_neural_networks",
            "05_inside_backward", "06_convolutional_networks"]


def load(title):
    return nbformat.read(ROOT / "notebooks" / f"{title}.ipynb", as_version=4)


def test_every_section_has_a_notebook():
    assert [m.TITLE for m in MODULES] == EXPECTED
    assert sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb")) == EXPECTED


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.TITLE)
def test_stored_notebook_matches_its_source(module):
    nb = load(module.TITLE)
    built = build_notebooks.build(module)
    assert [(c.cell_type, c.source, c.metadata.get("tags", [])) for c in nb.cells] == \
           [(c.cell_type, c.source, c.metadata.get("tags", [])) for c in built.cells], \
        "notebook is stale: run `make notebooks`"
    nbformat.validate(nb)


@pytest.mark.parametrize("title", EXPECTED)
def test_outputs_stored_in_order_without_errors(title):
    nb = load(title)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    assert sum(len(c.outputs) for c in code) >= len(code) // 2
    for c in code:
        for out in c.outputs:
            assert out.output_type != "error", f"error output in {title}: {c.source[:60]}"
            assert out.get("name") != "stderr", f"stderr output in {title}: {out.get('text', '')[:200]}"


def _text(nb):
    return "\n".join(o.get("text", "") + o.get("data", {}).get("text/plain", "")
                     for c in nb.cells if c.cell_type == "code" for o in c.outputs)


def test_seed_outputs_of_the_gradients_notebook():
    text = _text(load("02_gradients"))
    for expected in ["tensor(2., requires_grad=True)", "Function output: 64.0", "Gradient of x: 72.0",
                     "tensor([6.])", "tensor([2., 4., 6.])"]:
        assert expected in text


def test_xor_notebook_shows_the_plateau_and_the_way_out():
    # torch.manual_seed(0) starts it from PyTorch's own weights (tests/course/test_real_pytorch.py compares the cell)
    text = _text(load("04_neural_networks"))
    assert "zero start, lr=1.0:   loss 0.2500" in text and "random start, lr=2.0: loss 0.00087" in text


def test_the_index_links_every_released_exercise_and_every_link_resolves():
    import re
    text = "\n".join(c.source for c in load("00_start_here").cells if c.cell_type == "markdown")
    links = set(re.findall(r"\]\((\.\./exercises/release/[^)]*\.ipynb)\)", text))
    released = {f"../exercises/release/{p.name}" for p in (ROOT / "exercises" / "release").glob("*.ipynb")}
    assert links == released and len(released) >= 6
    for link in links:
        assert (ROOT / "notebooks" / link).resolve().is_file(), link
