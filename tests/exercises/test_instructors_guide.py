"""docs/instructors.md, followed end to end in a temporary folder: its cells make the source notebook, its
commands run in order (`pip install` lines excepted: this environment is the installed one), and what the
guide promises at each step is checked."""
import csv
import os
import pathlib
import re
import subprocess
import sys
import zipfile

import nbformat
import pytest

from autograd_kit.grading import markers

ROOT = pathlib.Path(__file__).resolve().parents[2]
GUIDE = (ROOT / "docs" / "instructors.md").read_text()
NAME = "06_chain_rule"


def guide_cells():
    """The notebook the guide describes, built from its `<!-- cell: ROLE GRADE_ID [POINTS] -->` blocks."""
    cells = []
    for role, gid, points, body in re.findall(r"<!-- cell: (\w+) (\w+)(?: (\d+))? -->\n```\w+\n(.*?)\n```", GUIDE, re.S):
        meta = {"nbgrader": {"grade_id": gid, "solution": role == "solution", "grade": role == "test",
                             "locked": role != "solution", "points": int(points or 0), "schema_version": 3}}
        new = nbformat.v4.new_markdown_cell if role == "markdown" else nbformat.v4.new_code_cell
        cells.append(new(body, metadata=meta))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def guide_commands():
    blocks = re.findall(r"```bash\n(.*?)\n```", GUIDE, re.S)
    return [[line.split("  #")[0].strip() for line in block.splitlines() if line.strip()] for block in blocks]


def answered(release, answers):
    nb = nbformat.read(release, as_version=4)
    for cell in nb.cells:
        if markers.is_solution(cell) and markers.grade_id(cell) in answers:
            cell.source = answers[markers.grade_id(cell)]
    return nb


def test_the_guide_describes_a_complete_exercise():
    nb = guide_cells()
    roles = [(c.cell_type, markers.grade_id(c)) for c in nb.cells]
    assert roles[0] == ("code", "setup") and ("code", "q2_tests") in roles
    assert [c for c in nb.cells if markers.is_test(c)] and all(markers.BEGIN_HIDDEN in c.source for c in nb.cells
                                                               if markers.is_test(c))


def test_following_the_guide_end_to_end(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "autograd-kit"  # the installed command, run from this checkout
    shim.write_text(f"#!/bin/sh\nexec {sys.executable} -m autograd_kit.grading.cli \"$@\"\n")
    shim.chmod(0o755)
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{pathlib.Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
               PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    work = tmp_path / "work"
    (work / "course" / "source").mkdir(parents=True)
    source = work / "course" / "source" / f"{NAME}.ipynb"
    nbformat.write(guide_cells(), source)  # step 1: the instructor writes the notebook
    solutions = {markers.grade_id(c): markers.solution_only(c.source) for c in guide_cells().cells if markers.is_solution(c)}
    release = work / "course" / "release" / f"{NAME}.ipynb"

    def run(command):
        if command.startswith("pip install"):
            return ""
        if command.startswith("sudo "):
            if os.geteuid() != 0:
                pytest.skip("the guide's sandbox setup needs root")
            command = command[len("sudo "):]
        done = subprocess.run(command, shell=True, cwd=work, env=env, capture_output=True, text=True, timeout=1200)
        assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
        return done.stdout

    for block in guide_commands():
        for command in block:
            if command.startswith("autograd-kit check"):  # step 3: a student answers, then checks
                path = work / command.split()[-1]
                path.parent.mkdir(parents=True, exist_ok=True)
                nbformat.write(answered(release, solutions), path)
                out = run(command)
                assert f"# {NAME} — alice" in out and "Score on the public checks: 3 / 3" in out
            elif command.startswith("autograd-kit grade"):  # step 4: the class hands in
                for student, answers in (("alice", solutions), ("bob", {**solutions, "q1": "dy_dx = 10"}), ("carol", {})):
                    path = work / "submissions" / student / f"{NAME}.ipynb"
                    path.parent.mkdir(parents=True)
                    nbformat.write(answered(release, answers), path)
                run(command)
                rows = {r["student"]: r for r in csv.DictReader((work / "graded" / "gradebook.csv").open())}
                assert {s: rows[s]["score"] for s in rows} == {"alice": "3", "bob": "2", "carol": "0"}
                assert all(rows[s]["max_score"] == "3" and rows[s]["exercise"] == NAME for s in rows)
                feedback = (work / "graded" / "feedback" / "bob" / f"{NAME}.md").read_text()
                assert "10 is the outer derivative" in feedback and "assert abs(float(dy_dx)" not in feedback
            else:
                run(command)
            if command.startswith("autograd-kit release"):  # step 2: keys in the source, a student version
                sealed = nbformat.read(source, as_version=4)
                assert '"ak1:' in "".join(c.source for c in sealed.cells)
                student = nbformat.read(release, as_version=4)
                text = "".join(c.source for c in student.cells)
                assert "raise NotImplementedError()" in text and "2 * (3 * 2 - 1) * 3" not in text
                assert markers.BEGIN_HIDDEN not in text and "dsigmoid(0) should be 0.25" not in text
                check_the_guides_feedback_in_a_kernel(release, solutions, env)
            if command.startswith("autograd-kit export gradescope"):  # step 5
                with zipfile.ZipFile(work / command.split("--out")[1].split()[0]) as z:
                    assert {"setup.sh", "run_autograder", f"exercise/{NAME}.ipynb"} <= set(z.namelist())
    assert (work / "graded" / "gradebook.csv").exists() and list(work.glob("*.zip"))


def check_the_guides_feedback_in_a_kernel(release, solutions, env):
    """Step 3 in Jupyter: a wrong q1 gives the guide's red line, a right one its tick."""
    from nbclient import NotebookClient
    for answer, expected in (("dy_dx = 10", "10 is the outer derivative 2(3x - 1): multiply by the inner derivative, 3"),
                             (solutions["q1"], "✔ dy_dx looks right")):
        nb = answered(release, {"q1": answer})
        NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True).execute(env=env)
        test = next(c for c in nb.cells if markers.grade_id(c) == "q1_tests")
        shown = "".join(o.get("text", "") + "".join(o.get("traceback", [])) for o in test.outputs)
        assert expected in shown and expected in GUIDE.replace("\n", " ").replace("  ", " "), shown
