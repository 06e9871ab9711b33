"""`make lab` (and the README's command without make) serves the repository root with the course index
open, so `notebooks/` and `exercises/release/` are both reachable. Started here exactly as the Makefile
does it (plus a port and a token), then asked over Jupyter's REST API."""
import json
import os
import pathlib
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
JUPYTER = pathlib.Path(sys.executable).parent / "jupyter"


def lab_args():
    """The arguments the Makefile's `lab` target gives `jupyter lab` ($(ROOT_FLAG) dropped)."""
    recipe = ROOT.joinpath("Makefile").read_text().split("\nlab:")[1].split("\n\n")[0]
    line = next(l for l in recipe.splitlines() if "jupyter lab" in l)
    return [a for a in shlex.split(line.split("jupyter lab", 1)[1]) if not a.startswith("$(")]


def test_make_lab_and_the_readme_serve_the_repository_root():
    args = lab_args()
    assert "--ServerApp.root_dir=." in args and args[-1] == "notebooks/00_start_here.ipynb"
    readme = ROOT.joinpath("README.md").read_text()
    commands = re.findall(r"`(\.venv/bin/jupyter lab[^`]*)`", readme)
    assert commands and all("--ServerApp.root_dir=." in c and "notebooks/00_start_here.ipynb" in c for c in commands)


@pytest.mark.skipif(not JUPYTER.exists(), reason="JupyterLab is in the course extra")
def test_the_lab_serves_notebooks_and_exercises(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path), JUPYTER_CONFIG_DIR=str(tmp_path / "config"))
    cmd = [str(JUPYTER), "lab", *lab_args(), "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
           "--IdentityProvider.token=t0ken"] + (["--allow-root"] if os.geteuid() == 0 else [])
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        def get(path):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}?token=t0ken", timeout=10) as r:
                return r.status, r.read()
        for _ in range(120):
            try:
                get("/api/status")
                break
            except OSError:
                time.sleep(0.5)
        status, body = get("/api/contents/exercises/release")
        names = {item["name"] for item in json.loads(body)["content"]}
        assert status == 200 and {"01_tensor_basics.ipynb", "05_inside_backward.ipynb"} <= names
        assert get("/api/contents/notebooks/00_start_here.ipynb")[0] == 200
        assert get("/lab/tree/exercises/release/02_gradients.ipynb")[0] == 200
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_course_notebooks_link_to_the_exercises_that_exist():
    import nbformat
    for title in ("00_start_here", "05_inside_backward"):
        nb = nbformat.read(ROOT / "notebooks" / f"{title}.ipynb", as_version=4)
        links = [l for c in nb.cells if c.cell_type == "markdown"
                 for l in re.findall(r"\]\((\.\./exercises/[^)]*)\)", c.source)]
        assert links, title
        for link in links:
            assert (ROOT / "notebooks" / link).resolve().exists(), (title, link)
