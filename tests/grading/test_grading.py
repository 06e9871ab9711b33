"""The course exercises through `autograd-kit grade` (sandboxed): every solution full marks, every released
version 0, no hidden test text in any output, the gradebook and per-student files, `check`, and the
submission reader and planner on their own (no sandbox needed)."""
import csv
import hashlib
import json
import pathlib
import subprocess
import sys

import nbformat
import pytest

from autograd_kit.grading import markers, submission
from autograd_kit.grading.batch import grade_class

from grading_fixtures import sandbox_ok

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCE = ROOT / "exercises" / "source"
RELEASE = ROOT / "exercises" / "release"
EXERCISES = sorted(p.stem for p in SOURCE.glob("*.ipynb"))
HIDDEN_SNIPPETS = []  # every hidden test line of the course, to prove none reaches a student
for p in SOURCE.glob("*.ipynb"):
    for c in nbformat.read(p, as_version=4).cells:
        if markers.BEGIN_HIDDEN in c.source:
            body = c.source.split(markers.BEGIN_HIDDEN)[1].split(markers.END_HIDDEN)[0]
            HIDDEN_SNIPPETS += [line.strip() for line in body.splitlines() if len(line.strip()) > 12]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    assert sandbox_ok(), "the sandbox is not available: run tools/setup-system.sh (as root)"
    folder = tmp_path_factory.mktemp("course-class")
    subs = {}
    for name in EXERCISES:
        for kind, src in (("solution", SOURCE), ("released", RELEASE)):
            d = folder / f"{kind}-{name}"
            d.mkdir()
            (d / f"{name}.ipynb").write_bytes((src / f"{name}.ipynb").read_bytes())
            subs[f"{kind}-{name}"] = d / f"{name}.ipynb"
    hashes = {k: hashlib.sha256(p.read_bytes()).hexdigest() for k, p in subs.items()}
    out = tmp_path_factory.mktemp("course-graded")
    results = grade_class([folder], SOURCE, out, workers=2, progress=False)
    return subs, hashes, out, {r["student"]: r for r in results}


@pytest.mark.parametrize("name", EXERCISES)
def test_every_solution_scores_full_marks(course, name):
    r = course[3][f"solution-{name}"]
    assert r["max_score"] >= 6 and r["score"] == r["max_score"], r["tests"]


@pytest.mark.parametrize("name", EXERCISES)
def test_every_released_version_scores_zero(course, name):
    r = course[3][f"released-{name}"]
    assert r["score"] == 0 and len(r["tests"]) >= 6
    assert all(t["output"] == "not answered yet" for t in r["tests"]), r["tests"]


def test_submissions_are_byte_identical_after_grading(course):
    subs, hashes = course[0], course[1]
    for key, path in subs.items():
        assert hashlib.sha256(path.read_bytes()).hexdigest() == hashes[key], key


def test_no_hidden_test_text_reaches_students(course):
    out = course[2]
    texts = [p.read_text() for p in out.rglob("*") if p.is_file()]
    assert texts and HIDDEN_SNIPPETS
    for text in texts:
        for snippet in HIDDEN_SNIPPETS:
            assert snippet not in text


def test_gradebook_feedback_and_results_json(course):
    out, results = course[2], course[3]
    rows = list(csv.DictReader((out / "gradebook.csv").open()))
    assert len(rows) == len(results) == 2 * len(EXERCISES)
    row = next(r for r in rows if r["student"] == "solution-02_gradients")
    assert row["exercise"] == "02_gradients" and row["score"] == row["max_score"]
    gs = json.loads((out / "gradescope" / "released-02_gradients" / "02_gradients" / "results.json").read_text())
    assert gs["score"] == 0 and gs["max_score"] == results["released-02_gradients"]["max_score"]
    assert all(set(t) == {"name", "score", "max_score", "output", "visibility"} for t in gs["tests"])
    fb = (out / "feedback" / "released-02_gradients" / "02_gradients.md").read_text()
    assert f"Score: 0 / {gs['max_score']:g}" in fb and "q1_tests: FAILED (0/1) — not answered yet" in fb


def test_cli_check_scores_the_public_checks(tmp_path):
    exe = pathlib.Path(sys.executable).parent / "autograd-kit"
    nb = tmp_path / "me" / "05_inside_backward.ipynb"
    nb.parent.mkdir()
    nb.write_bytes((SOURCE / "05_inside_backward.ipynb").read_bytes())
    done = subprocess.run([str(exe), "check", str(nb)], capture_output=True, text=True, timeout=300)
    total = sum(markers.points(c) for c in nbformat.read(nb, as_version=4).cells if markers.is_test(c))
    assert done.returncode == 0 and f"Score on the public checks: {total:g} / {total:g}" in done.stdout, done.stdout


# ---- the reader and the planner, without a sandbox -------------------------------------------------
def test_reader_notes_each_oddity():
    nb = json.dumps({"cells": [{"cell_type": "code", "metadata": [], "source": ["a = ", "1"]},
                               {"cell_type": "code"}, 7], "metadata": "x", "nbformat": 4, "nbformat_minor": 0})
    cells, meta, notes = submission.parse(b"\xef\xbb\xbf" + nb.replace("\n", "\r\n").encode())
    assert [c["source"] for c in cells] == ["a = 1", ""] and meta == {}
    text = " | ".join(notes)
    for words in ("byte-order mark", "metadata is not a dictionary", "cell 1's metadata", "cell 2 has no source",
                  "cell 3 is not a cell"):
        assert words in text
    with pytest.raises(ValueError, match="nested too deeply"):
        submission.parse(b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(ValueError, match="not valid JSON"):
        submission.parse(b'{"cells": [')
    with pytest.raises(ValueError, match="empty"):
        submission.parse(b"  ")
    cells, _, notes = submission.parse(json.dumps({"cells": [{"cell_type": "markdown", "source": "é"}]}).encode("latin-1")
                                       .replace(b"\\u00e9", "é".encode("latin-1")))
    assert cells[0]["source"] == "é" and "Latin-1" in notes[0]


@pytest.mark.parametrize("path,meta,expected", [
    ("class/alice/02_gradients.ipynb", {}, ("alice", "02_gradients")),
    ("class/02_gradients/bob.ipynb", {}, ("bob", "02_gradients")),
    ("class/carol__02_gradients.ipynb", {}, ("carol", "02_gradients")),
    ("class/dave/work.ipynb", {"autograd_kit": {"exercise": "02_gradients"}}, ("dave", "02_gradients")),
    ("class/eve/02_gradients.ipynb", {"autograd_kit": {"exercise": "01_tensor_basics"}}, ("eve", "02_gradients")),
    ("class/..ipynb", {"autograd_kit": {"exercise": "02_gradients"}}, ("unknown", "02_gradients")),
    ("class/a b;rm -rf/02_gradients.ipynb", {}, ("a_b_rm_-rf", "02_gradients")),
    ("class/x/y.ipynb", {"autograd_kit": "not a dict"}, ("x", None)),
    ("class/mallory/alice.ipynb", {"autograd_kit": {"exercise": "02_gradients"}}, ("mallory", "02_gradients")),
    ("class/frank.ipynb", {"autograd_kit": {"exercise": "02_gradients"}}, ("frank", "02_gradients")),
])
def test_identity_comes_from_the_path_made_safe(path, meta, expected):
    student, exercise, _ = submission.identify(pathlib.Path(path), meta, {"01_tensor_basics": 1, "02_gradients": 1},
                                               pathlib.Path("class"))
    assert (student, exercise) == expected


def test_plan_runs_the_students_order_and_restores_locked_cells():
    def cell(src, gid=None, **nbg):
        meta = {"nbgrader": {"grade_id": gid, **nbg}} if gid else {}
        return {"cell_type": "code", "source": src, "metadata": meta}
    source = [cell("import x", "setup", locked=True), cell("SOL1", "q1", solution=True), cell("T1", "t1", grade=True),
              cell("SOL2", "q2", solution=True), cell("T2", "t2", grade=True)]
    student = [cell("a2", "q2", solution=True), cell("helper"), cell("a1", "q1", solution=True),
               cell("edited test", "t1", grade=True), cell("a1 again", "q1", solution=True)]
    run, notes = submission.plan(source, student)
    assert run == [("locked", "setup", "import x"), ("answer", "q2", "a2"), ("extra", None, "helper"),
                   ("answer", "q1", "a1"), ("answer", "q1", "a1 again")]
    assert notes == ["q1: the answer cell appears 2 times; all ran in order, so the last one counts"]


@pytest.mark.parametrize("case", ["solution", "wrong", "blank"])
def test_check_and_grade_give_the_same_public_verdict(tmp_path, adv_source, case):
    """``check`` runs the student's own notebook with its own (public) test cells, ``grade`` runs the source's
    test cells: on every public part they agree, because both run the same test code the same way."""
    from autograd_kit.grading.grade import grade_one, load_sources
    from grading_fixtures import student_notebook, write_nb
    answers = {"q1": "answer = 20.0", "q3": "def h(x):\n    return (x**3).sum()", "q5": "arr = [1.0]"}
    nb = student_notebook(blank=True) if case == "blank" else student_notebook(answers if case == "wrong" else {})
    path = write_nb(tmp_path / "me" / "adv.ipynb", nb)
    raw, cells, _, _ = submission.read(path)
    checked = grade_one(path, {"adv": {"cells": cells, "sha256": ""}}, identity=("me", "adv"))
    graded = grade_one(path, load_sources(adv_source), identity=("me", "adv"))
    public_check = {t["name"]: t["score"] > 0 for t in checked["tests"]}
    public_grade = {t["name"]: t["public_passed"] for t in graded["tests"]}
    assert public_check == public_grade
    expected = {"solution": 6, "wrong": 5, "blank": 0}[case]  # only q5's public check sees [1.0]; q1, q3 pass it
    assert sum(public_check.values()) == expected
