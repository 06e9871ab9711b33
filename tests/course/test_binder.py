"""Binder without Docker: a fresh virtual environment built only from binder/ (plus the package itself)
runs every course notebook to the end."""
import glob
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]

EXECUTE = r'''
import glob, sys, nbformat
from nbclient import NotebookClient
for path in sorted(glob.glob("notebooks/*.ipynb")):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": "notebooks"}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, (path, errors)
    print("ok", path)
'''


@pytest.mark.slow
def test_fresh_binder_environment_runs_every_notebook(tmp_path):
    venv = tmp_path / "binder-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    pip = subprocess.run([str(py), "-m", "pip", "install", "-q", "-r", "binder/requirements.txt"], cwd=ROOT,
                         capture_output=True, text=True, timeout=1200)
    assert pip.returncode == 0, pip.stderr[-3000:]
    torch_there = subprocess.run([str(py), "-c", "import torch"], capture_output=True)
    assert torch_there.returncode != 0, "the Binder image must not contain PyTorch"
    run = subprocess.run([str(py), "-c", EXECUTE], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    assert run.stdout.count("ok notebooks/") == len(glob.glob(str(ROOT / "notebooks" / "*.ipynb")))
