"""``autograd-kit export gradescope``: a Gradescope autograder zip that runs this grader.

The zip (Gradescope's layout, https://gradescope-autograders.readthedocs.io/en/latest/specs/):

- ``setup.sh``: run once when Gradescope builds the image: installs bubblewrap and Python, a venv with the
  grading requirements and the bundled kit, and the sandbox interpreter (``autograd-kit sandbox-setup``);
- ``run_autograder``: run for each submission, from ``/autograder``: grades the notebook in
  ``/autograder/submission`` against the instructor source in ``/autograder/source/exercise`` with the same
  ``grade_one`` as ``autograd-kit grade`` (student cells in the sandbox, tests in the grader) and writes
  ``/autograder/results/results.json``;
- ``requirements.txt``, ``kit/`` (this autograd_kit package, so the image grades with exactly the code
  that made the zip) and ``exercise/`` (the sealed source notebooks).

``run`` always writes one valid results.json, atomically: a crash, a missing notebook or a missing sandbox
gives score 0 and a message (never a fallback to unsandboxed student code, unless the zip was built with
``--unsafe-no-sandbox``).
"""
import argparse
import json
import pathlib
import shutil
import sys
import tempfile
import time
import zipfile

GRADING_REQUIREMENTS = ["numpy>=1.24", "nbformat>=5", "nbclient>=0.7", "ipykernel"]
VENV = "/opt/autograd_kit_venv"

SETUP_SH = f"""#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends bubblewrap util-linux python3 python3-venv python3-pip
python3 -m venv {VENV}
{VENV}/bin/pip install -q --upgrade pip
{VENV}/bin/pip install -q -r /autograder/source/requirements.txt
{VENV}/bin/pip install -q /autograder/source/kit
# the interpreter student code runs in, readable by the sandbox's unprivileged uid
AUTOGRAD_KIT_SANDBOX_BASE_PYTHON="$(command -v python3)" {VENV}/bin/autograd-kit sandbox-setup || \\
  echo "autograd_kit: no sandbox in this image; run_autograder will say so in each result"
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission, from /autograder; it writes /autograder/results/results.json.
cd /autograder
export PYTHONPATH=/autograder/source/kit${PYTHONPATH:+:$PYTHONPATH}
export AUTOGRAD_KIT_SANDBOX_BASE_PYTHON="${AUTOGRAD_KIT_SANDBOX_BASE_PYTHON:-$(command -v python3)}"
exec "${AUTOGRAD_KIT_PYTHON:-/opt/autograd_kit_venv/bin/python}" -m autograd_kit.grading.gradescope run \\
  --source /autograder/source/exercise --submission /autograder/submission \\
  --results /autograder/results/results.json __FLAGS__
"""


def _kit_root():
    return pathlib.Path(__file__).resolve().parents[1]


def build_zip(sources, out, unsafe_no_sandbox=False):
    """Write the autograder zip for the source notebook(s) ``sources`` to ``out``; returns its path."""
    import nbformat

    from . import markers
    sources = [pathlib.Path(s) for s in sources]
    for src in sources:  # an unsealed source would fail every student: say so now
        nb = nbformat.read(src, as_version=4)
        for cell in nb.cells:
            if markers.is_test(cell) and "expect_answer(" in cell.source and '"ak1:' not in cell.source:
                raise SystemExit(f"{src}: run `autograd-kit release` on it first (its expect_answer checks have no key)")
    out = pathlib.Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    kit = _kit_root()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        def add_text(name, text, executable=False):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = (0o755 if executable else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, text)

        add_text("setup.sh", SETUP_SH, executable=True)
        add_text("run_autograder", RUN_AUTOGRADER.replace("__FLAGS__", "--unsafe-no-sandbox" if unsafe_no_sandbox else ""),
                 executable=True)
        add_text("requirements.txt", "\n".join(GRADING_REQUIREMENTS) + "\n")
        add_text("kit/pyproject.toml", _pyproject())
        add_text("kit/README.md", "autograd_kit, bundled by `autograd-kit export gradescope`.\n")
        for path in sorted(kit.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                add_text(f"kit/autograd_kit/{path.relative_to(kit).as_posix()}", path.read_bytes())
        for src in sources:
            add_text(f"exercise/{src.name}", src.read_bytes())
    return out


def _pyproject():
    return """[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "autograd_kit"
version = "0.1.0"
readme = "README.md"
requires-python = ">=3.10"
dependencies = ["numpy>=1.24", "nbformat>=5", "nbclient>=0.7", "ipykernel"]

[project.scripts]
autograd-kit = "autograd_kit.grading.cli:main"

[tool.setuptools.packages.find]
include = ["autograd_kit*"]

[tool.setuptools.package-data]
autograd_kit = ["viz/static/*", "grading/*.json", "py.typed"]
"""


# ---- inside Gradescope's container -----------------------------------------------------------------------
def results_json(result, elapsed):
    """Gradescope's results.json for one graded submission (``grade.Result``)."""
    tests = []
    for i, t in enumerate(result["tests"], 1):
        passed = t["score"] == t["max_score"] and t["max_score"] > 0
        tests.append({"name": t["name"], "number": str(i), "score": t["score"], "max_score": t["max_score"],
                      "status": "passed" if passed else "failed", "output": t["output"], "visibility": "visible"})
    lines = [f"{result['exercise']}: {result['score']:g} / {result['max_score']:g}"] + [f"Note: {n}" for n in result["notes"]]
    return {"score": result["score"], "execution_time": round(elapsed, 2), "output": "\n".join(lines),
            "visibility": "visible", "stdout_visibility": "hidden", "tests": tests}


def failure_json(message, elapsed=0.0):
    return {"score": 0, "execution_time": round(elapsed, 2), "output": f"Your notebook could not be graded: {message}",
            "visibility": "visible", "stdout_visibility": "hidden", "tests": []}


def _write(path, data):
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".results-")
    with open(fd, "w") as f:
        json.dump(data, f, indent=1)
    pathlib.Path(tmp).replace(path)


def _find_notebook(submission, exercises):
    found = sorted(p for p in pathlib.Path(submission).rglob("*.ipynb")
                   if ".ipynb_checkpoints" not in p.parts and p.is_file() and not p.is_symlink())
    for name in exercises:
        for p in found:
            if p.stem == name:
                return p, name
    if len(found) == 1 and len(exercises) == 1:
        return found[0], exercises[0]
    return None, None


def run(source, submission, results, sandboxed=True):
    start = time.monotonic()
    try:
        from . import sandbox
        from .grade import grade_one, load_sources
        sources = load_sources(source)
        path, exercise = _find_notebook(submission, sorted(sources))
        if path is None:
            names = " or ".join(f"{n}.ipynb" for n in sorted(sources))
            _write(results, failure_json(f"no notebook found in your submission: upload {names}"))
            return 0
        if sandboxed:
            try:
                sandbox.check_available()
            except sandbox.Unavailable as e:
                _write(results, failure_json(f"the grading sandbox is not available here ({e}); please tell your instructor"))
                return 0
        with tempfile.TemporaryDirectory(prefix="ak-gs-") as tmp:  # grade a copy the grader owns
            copy = pathlib.Path(tmp) / "student" / f"{exercise}.ipynb"
            copy.parent.mkdir()
            shutil.copyfile(path, copy)
            result = grade_one(copy, sources, sandboxed=sandboxed, identity=("student", exercise))
        _write(results, results_json(result, time.monotonic() - start))
    except BaseException as e:  # noqa: BLE001 - always leave a valid results.json
        _write(results, failure_json(f"the grader failed ({type(e).__name__}); please tell your instructor",
                                     time.monotonic() - start))
        print(f"autograd_kit: grader failure: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m autograd_kit.grading.gradescope")
    sub = ap.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="grade /autograder/submission (inside Gradescope)")
    r.add_argument("--source", required=True)
    r.add_argument("--submission", required=True)
    r.add_argument("--results", required=True)
    r.add_argument("--unsafe-no-sandbox", action="store_true")
    args = ap.parse_args(argv)
    return run(args.source, args.submission, args.results, sandboxed=not args.unsafe_no_sandbox)


if __name__ == "__main__":
    sys.exit(main())
