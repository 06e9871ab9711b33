"""`autograd-kit export gradescope`: the zip, and its `run_autograder` run in a simulated Gradescope
container: a private mount namespace whose root is an overlay of this machine's root (writes go to a
tmpfs), with the unpacked autograder bound at /autograder (docs: /work/shared/research/sandbox-recipe.md
§8). Nothing is written to this machine's /autograder."""
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import zipfile

import nbformat
import pytest

from autograd_kit.grading import markers

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCE, RELEASE = ROOT / "exercises" / "source", ROOT / "exercises" / "release"
EXERCISE = "02_gradients"
ENV = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))

SIMULATE = r"""
G=$1
CLEAN="PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8"
mount -t tmpfs -o size=512m tmpfs "$G/ovl"
mkdir "$G/ovl/up" "$G/ovl/work"
mount -t overlay overlay -o "lowerdir=/,upperdir=$G/ovl/up,workdir=$G/ovl/work" "$G/merged"
for d in proc dev sys; do mount --rbind "/$d" "$G/merged/$d"; done
if [ "$2" = setup ]; then mount -t tmpfs tmpfs "$G/merged/var/cache/autograd_kit"; fi  # an image without the sandbox yet
mkdir -p "$G/merged/autograder"
mount --bind "$G/ag" "$G/merged/autograder"
cd "$G/merged"
mkdir -p .oldroot
pivot_root . .oldroot
umount -l /.oldroot
cd /autograder
if [ "$2" = setup ]; then
  env -i $CLEAN bash source/setup.sh > /autograder/results/setup.log 2>&1
  env -i $CLEAN ./run_autograder > /autograder/results/stdout 2>&1
else
  ./run_autograder > /autograder/results/stdout 2>&1
fi
"""


def export(tmp_path, *extra):
    out = tmp_path / "autograder.zip"
    done = subprocess.run([sys.executable, "-m", "autograd_kit.grading.cli", "export", "gradescope",
                           str(SOURCE / f"{EXERCISE}.ipynb"), "--out", str(out), *extra],
                          capture_output=True, text=True, env=ENV, timeout=120)
    assert done.returncode == 0, done.stderr
    return out


def answered(wrong_q1=False):
    nb = nbformat.read(RELEASE / f"{EXERCISE}.ipynb", as_version=4)
    solutions = {markers.grade_id(c): markers.solution_only(c.source)
                 for c in nbformat.read(SOURCE / f"{EXERCISE}.ipynb", as_version=4).cells if markers.is_solution(c)}
    for cell in nb.cells:
        if markers.is_solution(cell):
            cell.source = solutions[markers.grade_id(cell)]
            if wrong_q1 and markers.grade_id(cell) == "q1":
                cell.source = "grad_by_hand = 56"
    return nb


def simulate(tmp_path, zip_path, submission_files, python=sys.executable, setup=False):
    """Unpack like Gradescope, run run_autograder at /autograder in a private mount namespace; return
    results.json as parsed JSON (and the run's stdout). ``setup``: first run setup.sh as Gradescope does
    when it builds the image (apt-get, a venv, pip, the sandbox interpreter), then run_autograder with
    that image's python, both in a clean environment."""
    g = tmp_path / "gs"
    ag = g / "ag"
    for d in (g / "ovl", g / "merged", ag / "source", ag / "submission", ag / "results"):
        d.mkdir(parents=True)
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(ag / "source")
        for info in z.infolist():  # zipfile drops the mode bits
            mode = info.external_attr >> 16
            if mode:
                os.chmod(ag / "source" / info.filename, mode)
    shutil.copy2(ag / "source" / "run_autograder", ag / "run_autograder")
    for name, content in submission_files.items():
        path = ag / "submission" / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            nbformat.write(content, path)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["AUTOGRAD_KIT_PYTHON"] = python  # without setup: this venv stands for the image's (same packages)
    done = subprocess.run(["unshare", "--mount", "--propagation", "private", "--", "sh", "-ec", SIMULATE, "sh", str(g),
                           "setup" if setup else "quick"],
                          capture_output=True, text=True, env=env, timeout=900)
    stdout = (ag / "results" / "stdout").read_text() if (ag / "results" / "stdout").exists() else ""
    setup_log = (ag / "results" / "setup.log").read_text() if setup else ""
    assert done.returncode == 0, done.stderr + stdout + setup_log[-3000:]
    if setup:
        assert "sandbox ready" in setup_log, setup_log[-3000:]
    assert not pathlib.Path("/autograder").exists()
    return json.loads((ag / "results" / "results.json").read_text()), stdout


def valid_results(data):
    """Gradescope's spec: a numeric score (or per-test scores), tests with name/score/max_score/status."""
    assert isinstance(data["score"], (int, float))
    assert data["visibility"] in ("visible", "hidden", "after_due_date", "after_published")
    assert isinstance(data["output"], str) and isinstance(data["execution_time"], (int, float))
    for t in data["tests"]:
        assert set(t) <= {"score", "max_score", "status", "name", "name_format", "number", "output",
                          "output_format", "tags", "visibility", "extra_data"}
        assert t["status"] in ("passed", "failed") and isinstance(t["max_score"], (int, float))
        assert (t["status"] == "passed") == (t["score"] == t["max_score"])
    assert data["score"] == sum(t["score"] for t in data["tests"])


def test_zip_layout(tmp_path):
    out = export(tmp_path)
    with zipfile.ZipFile(out) as z:
        names = set(z.namelist())
        assert {"setup.sh", "run_autograder", "requirements.txt", f"exercise/{EXERCISE}.ipynb",
                "kit/pyproject.toml", "kit/autograd_kit/grading/grade.py"} <= names
        assert z.getinfo("run_autograder").external_attr >> 16 & 0o111
        assert z.read("run_autograder").startswith(b"#!")
        assert b"autograd-kit sandbox-setup" in z.read("setup.sh") and b"apt-get install" in z.read("setup.sh")
        assert b"nbclient" in z.read("requirements.txt")


def test_cli_help_offers_the_export():
    done = subprocess.run([sys.executable, "-m", "autograd_kit.grading.cli", "--help"], capture_output=True, text=True, env=ENV)
    assert "export" in done.stdout and "gradescope" in done.stdout.lower()


def test_export_refuses_an_unsealed_source(tmp_path):
    nb = nbformat.read(SOURCE / f"{EXERCISE}.ipynb", as_version=4)
    for cell in nb.cells:
        cell.source = re.sub(r', "ak1:[^"]*"', "", cell.source)
    nbformat.write(nb, tmp_path / f"{EXERCISE}.ipynb")
    done = subprocess.run([sys.executable, "-m", "autograd_kit.grading.cli", "export", "gradescope",
                           str(tmp_path / f"{EXERCISE}.ipynb"), "--out", str(tmp_path / "z.zip")],
                          capture_output=True, text=True, env=ENV)
    assert done.returncode != 0 and "autograd-kit release" in done.stderr


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("unshare"), reason="needs root and unshare for the mount namespace")
def test_simulated_gradescope_run_grades_like_autograd_kit_grade(tmp_path):
    zip_path = export(tmp_path)
    data, stdout = simulate(tmp_path / "right", zip_path, {f"{EXERCISE}.ipynb": answered()})
    valid_results(data)
    assert data["score"] == 9, (data, stdout)
    assert [t["name"] for t in data["tests"]] == [f"q{i}_tests" for i in range(1, 7)]
    data, _ = simulate(tmp_path / "wrong", zip_path, {"my_work.ipynb": answered(wrong_q1=True)})
    valid_results(data)
    q1 = data["tests"][0]
    assert q1["status"] == "failed" and "f(4), the value" in q1["output"] and data["score"] == 8
    hidden = nbformat.read(SOURCE / f"{EXERCISE}.ipynb", as_version=4)
    assert "abs(float(grad_by_hand) - 26)" not in json.dumps(data)  # no hidden-test source in the feedback
    assert "abs(float(grad_by_hand) - 26)" in json.dumps(nbformat.writes(hidden))


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("unshare"), reason="needs root and unshare for the mount namespace")
def test_simulated_gradescope_run_always_writes_results(tmp_path):
    zip_path = export(tmp_path)
    data, _ = simulate(tmp_path / "none", zip_path, {"notes.txt": b"I forgot the notebook"})
    valid_results(data)
    assert data["score"] == 0 and "upload 02_gradients.ipynb" in data["output"]
    data, _ = simulate(tmp_path / "junk", zip_path, {f"{EXERCISE}.ipynb": b"{not json"})
    valid_results(data)
    assert data["score"] == 0


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("unshare"), reason="needs root and unshare for the mount namespace")
def test_setup_sh_builds_the_image_and_run_autograder_grades_in_its_sandbox(tmp_path):
    """The whole Gradescope life cycle: setup.sh (apt-get, pip from the package index) on an image without
    the sandbox interpreter, then run_autograder with the image's own python."""
    zip_path = export(tmp_path)
    data, stdout = simulate(tmp_path / "image", zip_path, {f"{EXERCISE}.ipynb": answered(wrong_q1=True)}, setup=True)
    valid_results(data)
    assert data["score"] == 8 and "f(4), the value" in data["tests"][0]["output"], (data, stdout)
