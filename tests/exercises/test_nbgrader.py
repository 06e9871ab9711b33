"""The exercise sources work with real nbgrader (0.9.6): `nbgrader generate_assignment` makes the same
student version as `autograd-kit release` (public checks with their keys, hidden tests stripped), and
`nbgrader autograde` gives the solutions full marks and the blank student versions 0."""
import os
import pathlib
import shutil
import subprocess
import sys

import nbformat
import pytest

from autograd_kit.grading import markers

nbgrader = pytest.importorskip("nbgrader", reason="nbgrader is in the test extra: pip install -e '.[test]'")

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCE, RELEASE = ROOT / "exercises" / "source", ROOT / "exercises" / "release"
EXERCISES = sorted(p.stem for p in SOURCE.glob("*.ipynb"))
ENV = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
           PATH=str(pathlib.Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))  # nbgrader runs `alembic`


def nbgrader_cli(course, *args):
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args, "--force", f"--CourseDirectory.root={course}"],
                          cwd=course, capture_output=True, text=True, env=ENV, timeout=1200)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\nc.CourseDirectory.course_id = 'autograd_kit'\n"
        "c.ExecutePreprocessor.timeout = 300\n")
    (course / "source" / "ex").mkdir(parents=True)
    for name in EXERCISES:
        shutil.copy(SOURCE / f"{name}.ipynb", course / "source" / "ex")
    nbgrader_cli(course, "generate_assignment", "ex")
    for student, folder in (("solution", course / "source" / "ex"), ("blank", course / "release" / "ex")):
        (course / "submitted" / student / "ex").mkdir(parents=True)
        for name in EXERCISES:
            shutil.copy(folder / f"{name}.ipynb", course / "submitted" / student / "ex")
    nbgrader_cli(course, "autograde", "ex")
    return course


def scores(course, student):
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        sub = gb.find_submission("ex", student)
        return {nb.name: (nb.score, nb.max_score) for nb in sub.notebooks}


def test_nbgrader_gives_solutions_full_marks(course):
    got = scores(course, "solution")
    assert sorted(got) == EXERCISES
    for name, (score, max_score) in got.items():
        assert max_score >= 6 and score == max_score, (name, score, max_score)


def test_nbgrader_gives_blank_student_versions_zero(course):
    got = scores(course, "blank")
    for name, (score, max_score) in got.items():
        assert max_score >= 6 and score == 0, (name, score, max_score)


@pytest.mark.parametrize("name", EXERCISES)
def test_nbgrader_student_version_matches_autograd_kit_release(course, name):
    ours = nbformat.read(RELEASE / f"{name}.ipynb", as_version=4)
    theirs = nbformat.read(course / "release" / "ex" / f"{name}.ipynb", as_version=4)
    assert [c.source.strip() for c in theirs.cells] == [c.source.strip() for c in ours.cells]
    for cell in theirs.cells:
        assert markers.BEGIN_HIDDEN not in cell.source and markers.BEGIN_SOLUTION not in cell.source
