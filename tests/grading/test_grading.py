"""Release and grading: full marks for every solution, zero for every released version, and the
robustness fixtures — each graded in one batch run (2 workers), checked one by one below."""
import csv
import hashlib
import json
import pathlib
import subprocess
import sys

import nbformat
import pytest

from autograd_kit.grading import markers
from autograd_kit.grading.batch import grade_class
from autograd_kit.grading.release import release

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCE = ROOT / "exercises" / "source"
EXERCISES = sorted(p.stem for p in SOURCE.glob("*.ipynb"))
HIDDEN_SNIPPETS = []  # every hidden test line, to prove none reaches a student
for p in SOURCE.glob("*.ipynb"):
    for c in nbformat.read(p, as_version=4).cells:
        if markers.BEGIN_HIDDEN in c.source:
            body = c.source.split(markers.BEGIN_HIDDEN)[1].split(markers.END_HIDDEN)[0]
            HIDDEN_SNIPPETS += [line.strip() for line in body.splitlines() if len(line.strip()) > 12]


def source_nb(name):
    return nbformat.read(SOURCE / f"{name}.ipynb", as_version=4)


def with_answer(nb, qid, code):
    for c in nb.cells:
        if markers.grade_id(c) == qid:
            c.source = code
    return nb


def write(folder, student, name, content):
    d = folder / student
    d.mkdir(parents=True, exist_ok=True)
    path = d / f"{name}.ipynb"
    if isinstance(content, (str, bytes)):
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    else:
        nbformat.write(content, path)
    return path


def fixtures(folder, sources):
    subs = {}
    for name in EXERCISES:
        subs[f"solution-{name}"] = write(folder, f"solution-{name}", name, source_nb(name))
    for path in release(sorted(SOURCE.glob("*.ipynb")), folder / "_released"):
        subs[f"released-{path.stem}"] = write(folder, f"released-{path.stem}", path.stem, path.read_bytes())
    ex = "02_gradients"
    # monkeypatching the checks and helpers, with wrong answers
    nb = with_answer(source_nb(ex), "q1", "grad_by_hand = 99.0\nimport autograd_kit.grading.checks as c\n"
                     "c.expect_close = lambda *a, **k: None\nc.CHECKS['02_gradients'] = lambda q, ns: None\ncheck = lambda q: True")
    nb.cells.append(nbformat.v4.new_code_cell("import builtins\ncheck = lambda q: True\nassert_close = lambda *a: None"))
    subs["monkeypatch"] = write(folder, "monkeypatch", ex, nb)
    # test cells edited to pass, locked setup cell deleted, wrong answer for q2
    nb = with_answer(source_nb(ex), "q2", "x = torch.tensor(4.0, requires_grad=True)\ngrad_autograd = torch.tensor(1.0)")
    for c in nb.cells:
        if markers.is_test(c):
            c.source = "pass"
    nb.cells = [c for c in nb.cells if markers.grade_id(c) != "setup"]
    subs["edited-tests"] = write(folder, "edited-tests", ex, nb)
    subs["infinite-loop"] = write(folder, "infinite-loop", ex, with_answer(source_nb(ex), "q3", "while True:\n    pass"))
    subs["sys-exit"] = write(folder, "sys-exit", ex, with_answer(source_nb(ex), "q3", "import sys\nsys.exit(0)"))
    subs["os-exit"] = write(folder, "os-exit", ex, with_answer(source_nb(ex), "q3", "import os\nos._exit(1)"))
    subs["kill-kernel"] = write(folder, "kill-kernel", ex, with_answer(
        source_nb(ex), "q1", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"))
    subs["huge-memory"] = write(folder, "huge-memory", ex, with_answer(
        source_nb(ex), "q1", "block = bytearray(8 << 30)\ngrad_by_hand = 26"))
    subs["output-flood"] = write(folder, "output-flood", ex, with_answer(
        source_nb(ex), "q3", "while True:\n    print('spam ' * 50)"))
    outside = folder / "outside-target.txt"
    subs["writes-outside"] = write(folder, "writes-outside", ex, with_answer(
        source_nb(ex), "q3", f"open({str(outside)!r}, 'w').write('x')\npredicted = 12.0"))
    nb = source_nb(ex)
    body = [c for c in nb.cells if markers.grade_id(c) in ("q1", "q2", "q3", "q4")]
    rest = [c for c in nb.cells if c not in body]
    nb.cells = rest + body[::-1]
    subs["reordered"] = write(folder, "reordered", ex, nb)
    subs["malformed-json"] = write(folder, "malformed-json", ex, '{"cells": [')
    subs["not-a-notebook"] = write(folder, "not-a-notebook", ex, "[1, 2, 3]")
    subs["empty"] = write(folder, "empty", ex, b"")
    subs["nbformat3"] = write(folder, "nbformat3", ex, json.dumps(nbformat.convert(source_nb(ex), 3)))
    subs["self-modifying"] = write(folder, "self-modifying", ex, with_answer(
        source_nb(ex), "q3", "import glob\nfor f in glob.glob('/nonexistent/*'): pass\npredicted = 12.0"))
    # a wrong answer whose failing tests hide their traceback (nbgrader's old hole)
    subs["hides-errors"] = write(folder, "hides-errors", ex, with_answer(
        source_nb(ex), "q2", "x = torch.tensor(4.0, requires_grad=True)\ngrad_autograd = torch.tensor(1.0)\n"
        "ip = get_ipython()\nip.showtraceback = lambda *a, **k: None\nip._showtraceback = lambda *a, **k: None"))
    # an endless loop that ignores the interrupt: the kernel is killed
    subs["ignores-interrupt"] = write(folder, "ignores-interrupt", ex, with_answer(
        source_nb(ex), "q3", "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"))
    # rewrites the instructor's source notebook (hidden tests and all) for everyone graded after it
    subs["rewrites-sources"] = write(folder, "rewrites-sources", ex, with_answer(
        source_nb(ex), "q1", f"import pathlib\nfor _p in pathlib.Path({str(sources)!r}).glob('*.ipynb'):\n"
        "    _p.write_text('{}')\ngrad_by_hand = 26"))
    return subs


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    sources = tmp_path_factory.mktemp("sources")
    for p in SOURCE.glob("*.ipynb"):
        (sources / p.name).write_bytes(p.read_bytes())
    folder = tmp_path_factory.mktemp("submissions")
    subs = fixtures(folder, sources)
    hashes = {k: hashlib.sha256(p.read_bytes()).hexdigest() for k, p in subs.items()}
    out = tmp_path_factory.mktemp("graded")
    order = ["rewrites-sources"] + [k for k in subs if k != "rewrites-sources"]  # the vandal goes first
    results = grade_class([subs[k] for k in order], sources, out, workers=2, cell_timeout=5,
                          notebook_timeout=60, progress=False)
    by_student = {r["student"]: r for r in results}
    return subs, hashes, out, by_student


def score(batch, student):
    return batch[3][student]["score"]


def answers_of(batch, student):
    return {t["name"]: t for t in batch[3][student]["tests"]}


def notes(batch, student):
    return " | ".join(batch[3][student]["notes"])


@pytest.mark.parametrize("name", EXERCISES)
def test_every_solution_scores_full_marks(batch, name):
    r = batch[3][f"solution-{name}"]
    assert r["max_score"] >= 4 and r["score"] == r["max_score"], r["tests"]


@pytest.mark.parametrize("name", EXERCISES)
def test_every_released_version_scores_zero(batch, name):
    r = batch[3][f"released-{name}"]
    assert r["score"] == 0 and len(r["tests"]) >= 4
    assert all(t["output"] == "not answered yet" for t in r["tests"])


def test_monkeypatching_checks_gains_nothing(batch):
    t = answers_of(batch, "monkeypatch")
    assert t["q1_tests"]["score"] == 0 and t["q2_tests"]["score"] == 2


def test_edited_tests_and_deleted_locked_cells_are_restored(batch):
    t = answers_of(batch, "edited-tests")
    assert t["q2_tests"]["score"] == 0 and "grad_autograd is not right yet" in t["q2_tests"]["output"]
    assert t["q1_tests"]["score"] == 1 and t["q4_tests"]["score"] == 2


def test_endless_loop_times_out_and_the_rest_is_graded(batch):
    t = answers_of(batch, "infinite-loop")
    assert t["q3_tests"]["score"] == 0 and "stopped after 5" in t["q3_tests"]["output"]
    assert score(batch, "infinite-loop") == 5


@pytest.mark.parametrize("student", ["sys-exit", "os-exit", "kill-kernel"])
def test_exiting_or_killing_the_kernel(batch, student):
    r = batch[3][student]
    assert r["score"] == r["max_score"] - 1  # the answer that stopped the kernel scores 0
    if student != "sys-exit":
        assert "the kernel died" in notes(batch, student)


def test_huge_allocation_hits_the_memory_limit(batch):
    t = answers_of(batch, "huge-memory")
    assert t["q1_tests"]["score"] == 0 and "MemoryError" in t["q1_tests"]["output"]
    assert score(batch, "huge-memory") == 5


def test_output_flood_is_stopped_and_capped(batch):
    r = batch[3]["output-flood"]
    assert r["score"] == 5
    assert len(json.dumps(r)) < 20_000


def test_writing_outside_its_folder_is_reported(batch):
    assert "wrote files outside its folder" in notes(batch, "writes-outside")
    assert score(batch, "writes-outside") == 6


def test_hiding_the_traceback_does_not_pass_a_failing_test(batch):
    t = answers_of(batch, "hides-errors")
    assert t["q2_tests"]["score"] == 0 and "grad_autograd is not right yet" in t["q2_tests"]["output"]
    assert score(batch, "hides-errors") == 4


def test_a_loop_that_ignores_the_interrupt_is_killed(batch):
    t = answers_of(batch, "ignores-interrupt")
    assert t["q3_tests"]["score"] == 0 and score(batch, "ignores-interrupt") == 5
    assert "ignored the interrupt" in notes(batch, "ignores-interrupt")


def test_rewriting_the_sources_changes_no_grade(batch):
    assert "wrote files outside its folder" in notes(batch, "rewrites-sources")
    assert score(batch, "rewrites-sources") == 6
    for name in EXERCISES:  # graded after the vandal, from the sources read before any student code ran
        r = batch[3][f"solution-{name}"]
        assert r["score"] == r["max_score"] >= 4


def test_reordered_cells_still_grade(batch):
    assert score(batch, "reordered") == 6


@pytest.mark.parametrize("student,words", [("malformed-json", "not valid JSON"), ("not-a-notebook", "not a notebook"),
                                           ("empty", "empty")])
def test_unreadable_files_score_zero_with_a_reason(batch, student, words):
    r = batch[3][student]
    assert r["score"] == 0 and r["max_score"] == 6 and words in notes(batch, student)


def test_nbformat3_is_converted_and_graded(batch):
    assert score(batch, "nbformat3") == 6 and "format 3" in notes(batch, "nbformat3")


def test_submissions_are_byte_identical_after_grading(batch):
    subs, hashes = batch[0], batch[1]
    for key, path in subs.items():
        assert hashlib.sha256(path.read_bytes()).hexdigest() == hashes[key], key


def test_no_hidden_test_text_reaches_students(batch):
    out = batch[2]
    texts = [p.read_text() for p in (out / "feedback").rglob("*.md")]
    texts += [p.read_text() for p in (out / "gradescope").rglob("results.json")]
    assert texts and HIDDEN_SNIPPETS
    for text in texts:
        for snippet in HIDDEN_SNIPPETS:
            assert snippet not in text


def test_gradebook_and_results_json(batch):
    out, results = batch[2], batch[3]
    rows = list(csv.DictReader((out / "gradebook.csv").open()))
    assert len(rows) == len(results)
    row = next(r for r in rows if r["student"] == "solution-02_gradients")
    assert row["exercise"] == "02_gradients" and row["score"] == "6" and row["max_score"] == "6"
    gs = json.loads((out / "gradescope" / "infinite-loop" / "02_gradients" / "results.json").read_text())
    assert gs["score"] == 5 and gs["max_score"] == 6
    assert {t["name"] for t in gs["tests"]} == {"q1_tests", "q2_tests", "q3_tests", "q4_tests"}
    assert all({"name", "score", "max_score", "output", "visibility"} <= set(t) for t in gs["tests"])
    fb = (out / "feedback" / "released-02_gradients" / "02_gradients.md").read_text()
    assert "Score: 0 / 6" in fb and "q1_tests: FAILED (0/1) — not answered yet" in fb


def test_rerun_resumes_and_keeps_finished_grades(batch, tmp_path):
    subs, _, out, _ = batch
    stamp = (out / "results" / "solution-02_gradients__02_gradients.json").stat().st_mtime_ns
    results = grade_class([subs["solution-02_gradients"]], SOURCE, out, workers=1, progress=False)
    assert results[0]["score"] == 6
    assert (out / "results" / "solution-02_gradients__02_gradients.json").stat().st_mtime_ns == stamp


def test_committed_student_versions_are_up_to_date(tmp_path):
    fresh = release(sorted(SOURCE.glob("*.ipynb")), tmp_path)
    for path in fresh:
        committed = ROOT / "exercises" / "release" / path.name
        assert committed.read_text() == path.read_text(), f"{committed} is stale: run tools/build_exercises.py"


def test_release_strips_solutions_and_hidden_tests():
    for p in (ROOT / "exercises" / "release").glob("*.ipynb"):
        text = p.read_text()
        assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text and "raise NotImplementedError()" in text
        nb = nbformat.read(p, as_version=4)
        assert any(markers.is_test(c) and markers.points(c) > 0 for c in nb.cells)


def test_cli_release_and_check(tmp_path):
    exe = pathlib.Path(sys.executable).parent / "autograd-kit"
    done = subprocess.run([str(exe), "release", str(SOURCE / "05_inside_backward.ipynb"), "--out", str(tmp_path)],
                          capture_output=True, text=True)
    assert done.returncode == 0 and (tmp_path / "05_inside_backward.ipynb").exists()
    done = subprocess.run([str(exe), "check", str(SOURCE / "05_inside_backward.ipynb")], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and "Score on the public checks: 5 / 5" in done.stdout


def _run_check(exercise, code, question):
    ns = {}
    exec(f"import autograd_kit as torch\nfrom autograd_kit.grading import checker\ncheck = checker({exercise!r})\n{code}", ns)
    exec(f"check({question!r})", ns)


def test_check_hints_a_doubled_gradient_in_one_line():
    from autograd_kit.grading.checks import CheckFailed
    code = "x = torch.tensor(4.0, requires_grad=True)\nfor _ in range(2):\n    (3 * x**2 + 2 * x).backward()\ngrad_autograd = x.grad"
    with pytest.raises(CheckFailed, match="twice the expected value: did you forget to zero the gradient") as e:
        _run_check("02_gradients", code, "q2")
    lines = e.value._render_traceback_()  # what Jupyter shows instead of a traceback
    assert len(lines) == 1 and "q2: grad_autograd is twice" in lines[0]


def test_check_hints_a_wrong_shape():
    from autograd_kit.grading.checks import CheckFailed
    code = "M = torch.arange(12).reshape(3, 4).float()\nrow_means = M.mean(dim=1)"
    with pytest.raises(CheckFailed, match=r"has shape \(3,\) but it should have shape \(3, 1\)"):
        _run_check("01_tensor_basics", code, "q4")


def test_check_passes_a_right_answer(capsys):
    _run_check("02_gradients", "x = torch.tensor(4.0, requires_grad=True)\n(3 * x**2 + 2 * x).backward()\n"
               "grad_autograd = x.grad", "q2")
    assert "✔ q2 passed the public checks" in capsys.readouterr().out
