"""Every question of every exercise, answered right, wrong (typical mistakes, two variants where there are
two) and blank, in the released notebooks students get. Each test cell's verdict must be the expected one,
with the expected hint, and the same in the three places it runs:

- the student's own kernel (running the check cell in Jupyter: the instant feedback),
- ``autograd-kit check`` (the student's notebook, its public checks run by the trusted side),
- ``autograd-kit grade`` (the class, graded against the instructor sources, hidden tests included).

``right2`` answers in other legitimate forms (NumPy scalars, ints for floats, tensors for lists, another
correct loop), which must pass everywhere too.
"""
import concurrent.futures
import json
import os
import pathlib
import re
import subprocess
import sys

import nbformat
import pytest

from autograd_kit.grading import markers

from wrong_answers import RIGHT2, WRONG

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCE, RELEASE = ROOT / "exercises" / "source", ROOT / "exercises" / "release"
EXERCISES = sorted(p.stem for p in SOURCE.glob("*.ipynb"))
VARIANTS = ("right", "right2", "wrong", "wrong2", "blank")
ENV = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))


def questions(name):
    nb = nbformat.read(SOURCE / f"{name}.ipynb", as_version=4)
    return {markers.grade_id(c): markers.solution_only(c.source).strip() for c in nb.cells if markers.is_solution(c)}


def plan(variant, name):
    """({question: answer code or None}, {question: (passes, hint fragment or None)})."""
    answers, expected = {}, {}
    for q, solution in questions(name).items():
        wrong = WRONG[name][q]
        if variant == "right" or (variant == "wrong2" and len(wrong) < 2):
            answers[q], expected[q] = solution, (True, None)
        elif variant == "right2":
            answers[q], expected[q] = RIGHT2[name].get(q, solution), (True, None)
        elif variant == "blank":
            answers[q], expected[q] = None, (False, None)
        else:
            code, hint = wrong[0 if variant == "wrong" else 1]
            answers[q], expected[q] = code, (False, hint)
    return answers, expected


def student_notebook(variant, name):
    nb = nbformat.read(RELEASE / f"{name}.ipynb", as_version=4)
    answers, _ = plan(variant, name)
    for cell in nb.cells:
        code = answers.get(markers.grade_id(cell)) if markers.is_solution(cell) else None
        if code is not None:
            cell.source = code
    return nb


def _run_check(path):
    done = subprocess.run([sys.executable, "-m", "autograd_kit.grading.cli", "check", str(path)], env=ENV,
                          capture_output=True, text=True, timeout=600)
    verdicts = {}
    for line in done.stdout.splitlines():
        m = re.match(r"- (q\d+)_tests: (passed|FAILED) \([^)]*\)(?: — (.*))?$", line)
        if m:
            verdicts[m.group(1)] = (m.group(2) == "passed", m.group(3) or "")
    return verdicts, done.stdout + done.stderr


def _run_kernel(path):
    """The student's Jupyter: run every cell in order in one kernel, read each test cell's outcome."""
    from nbclient import NotebookClient
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute(env=ENV)
    verdicts = {}
    for cell in nb.cells:
        if markers.is_test(cell):
            errors = [o for o in cell.outputs if o.output_type == "error"]
            message = f"{errors[0].ename}: {errors[0].evalue}" if errors else ""
            verdicts[markers.grade_id(cell)[: -len("_tests")]] = (not errors, message)
    return verdicts


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("class")
    paths = {}
    for variant in VARIANTS:
        (folder / variant).mkdir()
        for name in EXERCISES:
            paths[variant, name] = folder / variant / f"{name}.ipynb"
            nbformat.write(student_notebook(variant, name), paths[variant, name])
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        checks = dict(zip(paths, pool.map(_run_check, paths.values())))
        kernels = dict(zip(paths, pool.map(_run_kernel, paths.values())))
    out = folder.parent / (folder.name + "-graded")
    done = subprocess.run([sys.executable, "-m", "autograd_kit.grading.cli", "grade", *(str(folder / v) for v in VARIANTS),
                           "--source", str(SOURCE), "--out", str(out), "--workers", "2"],
                          env=ENV, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stdout + done.stderr
    graded = {}
    for r in json.loads((out / "results.json").read_text()):
        graded[r["student"], r["exercise"]] = {t["name"][: -len("_tests")]: (t["score"] == t["max_score"], t["output"])
                                               for t in r["tests"]}
    return checks, kernels, graded


CASES = [pytest.param(name, q, variant, id=f"{name[:2]}-{q}-{variant}")
         for name in EXERCISES for q in questions(name) for variant in VARIANTS]


@pytest.mark.parametrize("name,q,variant", CASES)
def test_verdict_and_hint_agree_in_kernel_check_and_grade(runs, name, q, variant):
    checks, kernels, graded = runs
    passes, hint = plan(variant, name)[1][q]
    (check_verdicts, check_log) = checks[variant, name]
    where = {"kernel": kernels[variant, name].get(q), "check": check_verdicts.get(q),
             "grade": graded.get((variant, name), {}).get(q)}
    for place, verdict in where.items():
        assert verdict is not None, f"{place}: no verdict for {q}\n{check_log if place == 'check' else ''}"
        assert verdict[0] is passes, f"{place}: {q} {'failed' if passes else 'passed'} ({verdict[1]})"
        if hint:
            assert hint in verdict[1], f"{place}: the hint for {q} should mention {hint!r}, got {verdict[1]!r}"
    if variant == "blank":
        assert "not answered yet" in where["grade"][1] or "not defined" in where["grade"][1], where["grade"]


def test_every_question_has_typical_mistakes():
    for name in EXERCISES:
        qs = questions(name)
        assert len(qs) >= 6, f"{name} has {len(qs)} questions"
        assert set(WRONG[name]) == set(qs), name
