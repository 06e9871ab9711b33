"""The check helpers over plain values (what both the student's kernel and the trusted grader run), the
sealed answer keys, and `release`: sealing a source from its solution, stable keys, clear refusals."""
import ast
import base64
import json
import pathlib
import shutil

import nbformat
import numpy as np
import pytest

import autograd_kit as torch
from autograd_kit.grading import keys, markers
from autograd_kit.grading.checks import CheckFailed, expect_answer, expect_close, expect_tensor, expect_true
from autograd_kit.grading.release import ReleaseError, release

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCE, RELEASE = ROOT / "exercises" / "source", ROOT / "exercises" / "release"


def verdict(fn, *args, **kw):
    try:
        fn(*args, **kw)
    except CheckFailed as e:
        return str(e)
    return "pass"


# ---- expect_answer and its keys -----------------------------------------------------------------------------
def test_a_key_reveals_no_answer():
    key = keys.make(26.125, [56])
    body = json.loads(base64.urlsafe_b64decode(key[4:]))
    numbers = [body["step"]] + [n for c in body["c"] for n in c[2]]  # the only numbers: the grid step, shapes
    assert set(body) == {"salt", "step", "kind", "c"}
    assert numbers == [0.004] and all(isinstance(x, str) for c in body["c"] for x in c[3:])
    assert all(len(c[4]) == 24 and int(c[4], 16) >= 0 for c in body["c"])  # the values only as hashes
    assert keys.make(26.125) != keys.make(26.125)  # salted: equal answers give unrelated keys


def test_right_answers_in_every_legitimate_form_pass():
    key = keys.make(26)
    for v in (26, 26.0, np.float32(26), np.int64(26), np.array(26.0), torch.tensor(26.0), torch.tensor([26.0]), 26.0004):
        assert verdict(expect_answer, "g", v, key) == "pass", v


@pytest.mark.parametrize("value,hint", [
    (52, "twice the expected value"), (-26, "wrong sign"), (13, "half the expected value"),
    (56, "that is f(4)"), (20, "not right yet (got 20.)"), (26.02, "not right yet"), ("26", "should be a number"),
    (None, "is None: did you call backward()"), ([26, 26], "has shape (2,) but it should have shape ()"),
])
def test_wrong_answers_get_their_hint(value, hint):
    key = keys.make(26, [56])
    assert hint in verdict(expect_answer, "g", value, key, mistakes={56: "that is f(4)"})


def test_within_tol_passes_and_ten_tol_off_fails_wherever_the_answer_sits_on_the_grid():
    rng = np.random.default_rng(1)
    for _ in range(500):
        answer = rng.normal(size=4) * 10.0 ** rng.integers(-2, 3)
        key = keys.make(answer, tol=1e-3)
        assert keys.match(answer + rng.uniform(-1e-3, 1e-3, size=4), key).tag == "ok"
        off = answer.copy()
        off[rng.integers(4)] += rng.choice([-1, 1]) * 1e-2
        assert keys.match(off, key).tag is None


def test_arrays_shapes_and_mistakes_with_their_own_shape():
    key = keys.make([[1.5], [5.5], [9.5]], [(4.0, 5.0, 6.0, 7.0)])
    hint = {(4.0, 5.0, 6.0, 7.0): "column means"}
    assert verdict(expect_answer, "m", torch.tensor([[1.5], [5.5], [9.5]]), key, mistakes=hint) == "pass"
    assert "column means" in verdict(expect_answer, "m", [4.0, 5.0, 6.0, 7.0], key, mistakes=hint)
    assert "shape (3,) but it should have shape (3, 1): the numbers may be there" in verdict(
        expect_answer, "m", [1.5, 5.5, 9.5], key, mistakes=hint)


def test_strings_and_lists_of_strings():
    answer = ["ExpBackward0", "AddBackward0", "MulBackward0"]
    strip = lambda a: [s.replace("Backward0", "") for s in a]  # noqa: E731
    key = keys.make(answer, [strip])
    hints = {strip: "use grad_fn.name()"}
    assert verdict(expect_answer, "p", tuple(answer), key, mistakes=hints) == "pass"
    assert "wrong order" in verdict(expect_answer, "p", answer[::-1], key, mistakes=hints)
    assert "upper and lower case" in verdict(expect_answer, "p", [s.lower() for s in answer], key, mistakes=hints)
    assert "use grad_fn.name()" in verdict(expect_answer, "p", ["Exp", "Add", "Mul"], key, mistakes=hints)
    assert "should be a string" in verdict(expect_answer, "s", 3, keys.make("MulBackward0"))


def test_nested_ragged_lists_as_in_parameter_shapes():
    key = keys.make([[8, 2], [8], [1, 8], [1]])
    assert verdict(expect_answer, "s", [torch.Size([8, 2]), (8,), (1, 8), (1,)], key) == "pass"
    assert verdict(expect_answer, "s", [[2, 8], [8], [8, 1], [1]], key) != "pass"


def test_an_unsealed_check_fails_and_says_what_to_do():
    assert "autograd-kit release" in verdict(expect_answer, "g", 26)


# ---- expect_close, expect_tensor, expect_true -------------------------------------------------------------------
def test_expect_close_hints():
    want = np.array([1.0, -2.0, 3.0])
    assert verdict(expect_close, "v", torch.tensor([1.0, -2.0, 3.0]), want) == "pass"
    assert "twice" in verdict(expect_close, "v", 2 * want, want)
    assert "wrong sign" in verdict(expect_close, "v", -want, want)
    assert "elementwise!" in verdict(expect_close, "v", np.ones((3, 3)), want, mistakes=[(np.ones((3, 3)), "elementwise!")])
    assert "has shape (3, 3) but it should have shape (3,)" in verdict(expect_close, "v", np.zeros((3, 3)), want)
    assert "nan or inf" in verdict(expect_close, "v", [np.nan, 1, 1], want)
    assert "should be a number or a tensor, not str" in verdict(expect_close, "v", "abc", want)


def test_expect_tensor_and_expect_true():
    assert "should be a tensor" in verdict(expect_tensor, "t", [1.0])
    assert "dtype torch.int64 but should have torch.float32: write 7.0" in verdict(
        expect_tensor, "t", torch.full((2,), 7), dtype=torch.float32, hint="write 7.0")
    assert "needs requires_grad=True" in verdict(expect_tensor, "x", torch.tensor(1.0), requires_grad=True)
    assert verdict(expect_true, 1 + 1 == 2, "no") == "pass" and verdict(expect_true, False, "the hint") == "the hint"


def test_a_failed_check_shows_one_red_line_in_jupyter():
    assert CheckFailed("x is off")._render_traceback_() == ["\x1b[31m✘ x is off\x1b[0m"]


# ---- the package names no exercise ---------------------------------------------------------------------------------
def _code_words(tree):
    """Identifiers and string constants of a module's code (docstrings, which may give examples, left out)."""
    docs = {id(n.body[0].value) for n in ast.walk(tree) if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef))
            and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    for n in ast.walk(tree):
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs:
            yield n.value
        elif isinstance(n, (ast.Name, ast.Attribute)):
            yield n.id if isinstance(n, ast.Name) else n.attr


def test_the_package_names_no_individual_exercise():
    names = [p.stem for p in SOURCE.glob("*.ipynb")]
    words = set(names) | {n.split("_", 1)[1] for n in names if n.count("_") > 1}  # 02_gradients, tensor_basics...
    for path in (ROOT / "autograd_kit").rglob("*.py"):
        code = " ".join(_code_words(ast.parse(path.read_text())))
        assert not [w for w in words if w in code], path


# ---- release -------------------------------------------------------------------------------------------------------
def test_committed_sources_are_sealed_and_releases_up_to_date(tmp_path):
    shutil.copytree(SOURCE, tmp_path / "source")
    release(sorted((tmp_path / "source").glob("*.ipynb")), tmp_path / "release")
    for path in SOURCE.glob("*.ipynb"):
        assert (tmp_path / "source" / path.name).read_bytes() == path.read_bytes(), f"{path} has stale keys: release it"
        assert (tmp_path / "release" / path.name).read_text() == (RELEASE / path.name).read_text(), \
            f"exercises/release/{path.name} is stale: autograd-kit release exercises/source/*.ipynb --out exercises/release"


def mini_source(path, solution, tests):
    def meta(gid, **kw):
        return {"nbgrader": {"grade_id": gid, "schema_version": 3, "solution": False, "grade": False,
                             "locked": False, "points": 0, **kw}}
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                                            "autograd_kit": {"exercise": path.stem}})
    nb.cells = [nbformat.v4.new_code_cell("from autograd_kit.grading.checks import *", metadata=meta("setup", locked=True)),
                nbformat.v4.new_code_cell(f"### BEGIN SOLUTION\n{solution}\n### END SOLUTION", metadata=meta("q1", solution=True)),
                nbformat.v4.new_code_cell(tests, metadata=meta("q1_tests", grade=True, locked=True, points=1))]
    nbformat.write(nb, path)
    return path


def test_release_seals_a_new_source_from_its_solution_and_keeps_the_key(tmp_path):
    src = mini_source(tmp_path / "mine.ipynb", "answer = 6 * 7",
                      'expect_answer("answer", answer,\n              mistakes={41: "off by one"})\n'
                      "### BEGIN HIDDEN TESTS\nassert answer == 42\n### END HIDDEN TESTS")
    release([src], tmp_path / "out")
    sealed = nbformat.read(src, as_version=4).cells[2].source
    assert sealed.startswith('expect_answer("answer", answer, "ak1:') and "off by one" in sealed
    student = nbformat.read(tmp_path / "out" / "mine.ipynb", as_version=4)
    text = "\n".join(c.source for c in student.cells)
    assert "42" not in text and "6 * 7" not in text and "ak1:" in text
    before = src.read_bytes()
    release([src], tmp_path / "out")
    assert src.read_bytes() == before  # an unchanged answer keeps its key


@pytest.mark.parametrize("solution,tests,message", [
    ("answer = 41", 'expect_answer("answer", answer)\n### BEGIN HIDDEN TESTS\nassert answer == 42, "not 42"\n### END HIDDEN TESTS',
     "q1_tests) fails with the solution in place: AssertionError: not 42"),
    ("answer = [1, 2]", 'for a in answer:\n    expect_answer("a", a)', "each must run exactly once"),
])
def test_release_refuses_a_broken_source_and_names_the_cell(tmp_path, solution, tests, message):
    src = mini_source(tmp_path / "mine.ipynb", solution, tests)
    before = src.read_bytes()
    with pytest.raises(ReleaseError, match=message.replace("(", r"\(").replace(")", r"\)")):
        release([src], tmp_path / "out")
    assert src.read_bytes() == before and not (tmp_path / "out" / "mine.ipynb").exists()


def test_every_test_cell_of_every_exercise_is_plain_python_over_values():
    """No test cell relies on the old per-notebook `check(...)` table: the public checks are in the cell."""
    for path in SOURCE.glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            if markers.is_test(cell):
                public = markers.strip_hidden_tests(cell.source)
                assert "check(" not in public.replace("expect_", "") and "expect_" in public, (path.name, cell.source)


def test_cli_release_says_why_it_refuses_without_a_traceback(tmp_path):
    import os
    import subprocess
    import sys
    src = mini_source(tmp_path / "mine.ipynb", "answer = 41",
                      'expect_answer("answer", answer)\n### BEGIN HIDDEN TESTS\nassert answer == 42, "not 42"\n### END HIDDEN TESTS')
    done = subprocess.run([sys.executable, "-m", "autograd_kit.grading.cli", "release", str(src), "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "mine.ipynb, cell 2 (q1_tests) fails with the solution in place: AssertionError: not 42" in done.stderr


def _fixed_answer_calls():
    """(exercise, test cell id, name, value expression, key, mistakes expression) of every expect_answer."""
    for path in sorted(SOURCE.glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if not markers.is_test(cell):
                continue
            for node in ast.walk(ast.parse(markers.strip_hidden_tests(cell.source))):
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "expect_answer":
                    mistakes = next((k.value for k in node.keywords if k.arg == "mistakes"), None)
                    yield (path.stem, markers.grade_id(cell), node.args[0].value, ast.unparse(node.args[1]),
                           node.args[2].value, None if mistakes is None else ast.unparse(mistakes))


def _solution_namespace(name):
    ns = {}
    for cell in nbformat.read(SOURCE / f"{name}.ipynb", as_version=4).cells:
        if cell.cell_type == "code" and not markers.is_test(cell):
            exec(markers.solution_only(cell.source), ns)  # noqa: S102 - the instructor's own solution
    return ns


def _wrong_values(value):
    if isinstance(value, str):
        return [value + "x", value[:-1], ""]
    try:
        a = keys.numeric(value)
        return [a + 1, a - 0.5, a * 1.01 + 0.01, np.zeros_like(a) + 1234.5]
    except (TypeError, ValueError):
        c = keys.canonical(value)
        return [c[:-1], c + c[:1], [str(v) + "x" for v in c]]


def test_every_fixed_answer_passes_right_and_fails_wrong_values():
    calls = list(_fixed_answer_calls())
    assert len(calls) >= 20
    namespaces = {}
    for name, gid, label, expr, key, mistakes in calls:
        ns = namespaces.setdefault(name, _solution_namespace(name))
        value = eval(expr, ns)  # noqa: S307
        hints = eval(mistakes, ns) if mistakes else None  # noqa: S307
        assert verdict(expect_answer, label, value, key, mistakes=hints) == "pass", (name, gid, label)
        for wrong in _wrong_values(value):
            assert verdict(expect_answer, label, wrong, key, mistakes=hints) != "pass", (name, gid, label, wrong)
