"""Same code on real PyTorch: every notebook cell not tagged kit-only runs with ``torch`` = PyTorch 2.13,
and what it prints matches the output stored by the kit (numbers at float32 tolerance)."""
import json
import pathlib
import re
import subprocess
import sys

import nbformat
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
TITLES = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
NUMBER = re.compile(r"-?\d+\.?\d*(?:e[-+]?\d+)?%?")

RUNNER = r'''
import ast, contextlib, io, json, sys, os
import matplotlib
matplotlib.use("Agg")
import torch
sys.modules["autograd_kit"] = torch   # `import autograd_kit as torch` now gives real PyTorch
os.chdir(sys.argv[2])
cells = json.load(open(sys.argv[1]))
ns = {"__name__": "__main__"}
results = []
for src in cells:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        tree = ast.parse(src)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, "<cell>", "exec"), ns)
        value = eval(compile(ast.Expression(last.value), "<cell>", "eval"), ns) if last else None
    results.append([buf.getvalue(), None if value is None else repr(value)])
print(json.dumps(results))
'''


def stored_text(cell):
    """What the kit printed for a cell: its stdout, and the text/plain of its result."""
    stdout = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream" and o.get("name") == "stdout")
    result = next((o.data.get("text/plain") for o in cell.outputs if o.output_type == "execute_result"), None)
    return stdout, result


def same(kit, torch_, rtol=1e-3, atol=1e-4):
    """Equal text around the numbers, and numbers equal at float32-training tolerance."""
    if kit is None or torch_ is None:
        return kit == torch_
    kit = "".join(line for line in kit.splitlines(True) if not line.startswith("Hint: "))  # the kit's teaching hints
    if NUMBER.sub("#", kit) != NUMBER.sub("#", torch_):
        return False
    for a, b in zip(NUMBER.findall(kit), NUMBER.findall(torch_)):
        x, y = float(a.rstrip("%")), float(b.rstrip("%"))
        if abs(x - y) > atol + rtol * abs(y):
            return False
    return True


@pytest.mark.parametrize("title", TITLES)
def test_notebook_code_runs_unchanged_on_pytorch(title, tmp_path):
    nb = nbformat.read(ROOT / "notebooks" / f"{title}.ipynb", as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "code" and "kit-only" not in c.metadata.get("tags", [])]
    src = tmp_path / "cells.json"
    src.write_text(json.dumps([c.source for c in cells]))
    done = subprocess.run([sys.executable, "-c", RUNNER, str(src), str(ROOT / "notebooks")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout.strip().splitlines()[-1])
    compared = 0
    for cell, (stdout, value) in zip(cells, results):
        if "no-compare" in cell.metadata.get("tags", []):
            continue
        kit_stdout, kit_value = stored_text(cell)
        assert same(kit_stdout, stdout), f"{title}: printed output differs for\n{cell.source}\n--- kit:\n{kit_stdout}\n--- torch:\n{stdout}"
        if kit_value is not None and not kit_value.startswith("<"):
            assert same(kit_value, value), f"{title}: value differs for\n{cell.source}\nkit: {kit_value}\ntorch: {value}"
        compared += 1
    assert compared >= 1
