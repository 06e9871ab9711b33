"""Grade one submission against its instructor source notebook.

Read the submission (never write it); rebuild the notebook to run from the *source*: locked cells and
test cells (public checks and hidden tests) come from the source by grade_id, only the answer cells (and
cells the student added) come from the submission. Run it in a fresh kernel in a temporary folder
(``run.run_cells``: per-cell timeout, memory limit, output cap), then score each test cell. Before each
test cell the grading helpers and the names the tests use (``torch``, ``nn``, ``optim``, ``check``) are
bound afresh, so a submission that replaced or monkeypatched them gains nothing.
"""
import hashlib
import json
import os
import pathlib
import tempfile
import time

import nbformat

from . import markers
from .run import run_cells

CELL_TIMEOUT = 30
NOTEBOOK_TIMEOUT = 300
MEMORY_LIMIT = 4 << 30  # bytes of address space for the kernel
MAX_WATCHED_FILES = 20_000  # files looked at to notice writes outside the submission's folder

PRELUDE = f"""import resource as _r
_r.setrlimit(_r.RLIMIT_AS, ({MEMORY_LIMIT}, {MEMORY_LIMIT}))
import random as _random, numpy as _np, autograd_kit as _ak
_random.seed(0); _np.random.seed(0); _ak.manual_seed(0)  # the same grade on every run
del _r, _random, _np, _ak"""
FRESH_HELPERS = """import sys as _sys
for _m in [m for m in list(_sys.modules) if m.startswith("autograd_kit.grading")]:
    del _sys.modules[_m]
import math
import autograd_kit as torch
from autograd_kit import nn, optim
from autograd_kit.grading import checker as _checker
from autograd_kit.grading.checks import *  # noqa
check = _checker({exercise!r})
"""


class Result(dict):
    """student, exercise, file, sha256, score, max_score, tests: [{name, score, max_score, output,
    visibility}], notes"""


def sha256(path):
    return hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()


def load_sources(source_dir):
    """{exercise name: source notebook} from a folder of instructor source notebooks."""
    sources = {}
    for path in sorted(pathlib.Path(source_dir).glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        name = nb.metadata.get("autograd_kit", {}).get("exercise", path.stem)
        sources[name] = nb
    return sources


def identify(path, nb, sources):
    """(student, exercise) of a submission: exercise from its metadata or file name; the student from
    the folder (``alice/02_gradients.ipynb``) or the file name (``alice.ipynb``)."""
    path = pathlib.Path(path)
    exercise = None
    if nb is not None:
        exercise = (nb.metadata.get("autograd_kit") or {}).get("exercise")
    if exercise not in sources:
        exercise = next((name for name in sources if name in path.name), None)
    if exercise is None and len(sources) == 1:
        exercise = next(iter(sources))
    student = path.parent.name if exercise and path.stem == exercise else path.stem
    return student, exercise


def read_submission(path):
    """(notebook or None, problem text or None). Never modifies the file."""
    try:
        raw = pathlib.Path(path).read_bytes()
    except OSError as e:
        return None, f"the file could not be read ({e.strerror})"
    if not raw.strip():
        return None, "the file is empty"
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        return None, f"the file is not valid JSON ({e.__class__.__name__}: {str(e)[:120]}); was it saved from Jupyter?"
    if not isinstance(data, dict) or "cells" not in data and "worksheets" not in data:
        return None, "the file is JSON but not a notebook"
    try:
        nb = nbformat.reads(json.dumps(data), as_version=4)
    except Exception as e:  # noqa: BLE001 - any reader failure is the submission's problem
        return None, f"the notebook could not be read ({e.__class__.__name__}: {str(e)[:120]})"
    note = None
    if isinstance(data.get("nbformat"), int) and data["nbformat"] < 4:
        note = f"notebook format {data['nbformat']} was converted to format 4 before grading"
    return nb, note


def assemble(source, submission, exercise):
    """The cells to run, as (kind, grade_id, code): the source's structure, the student's answers."""
    answers, extras, last_id = {}, {}, None
    for cell in submission.cells:
        gid = markers.grade_id(cell)
        if cell.cell_type != "code":
            continue
        if gid and markers.is_solution(cell) and gid not in answers:
            answers[gid] = cell.source
            last_id = gid
        elif not gid:
            extras.setdefault(last_id, []).append(cell.source)  # the student's own helper cells
    cells = [("prelude", None, PRELUDE)]
    cells += [("extra", None, s) for s in extras.get(None, [])]
    notes = []
    for cell in source.cells:
        if cell.cell_type != "code":
            continue
        gid = markers.grade_id(cell)
        if markers.is_solution(cell):
            if gid in answers:
                cells.append(("answer", gid, answers[gid]))
            else:
                notes.append(f"{gid}: the answer cell is missing from the submission")
            cells += [("extra", gid, s) for s in extras.get(gid, [])]
        elif markers.is_test(cell):
            cells.append(("test", gid, FRESH_HELPERS.format(exercise=exercise) + cell.source))
        else:
            cells.append(("locked", gid, cell.source))  # restored from the source, whatever the student did
    return cells, notes


def grade_one(path, sources, cell_timeout=CELL_TIMEOUT, notebook_timeout=NOTEBOOK_TIMEOUT, watch=None, exclude=()):
    """Grade one submission file. Never raises for a bad submission: problems become feedback lines.

    ``watch``: folders the submission must not write to (the class folder, the sources; by default the
    submission's own folder; ``()`` watches nothing), less the ``exclude`` folders (the grader's output);
    a write there is reported in the notes."""
    path = pathlib.Path(path)
    original = path.read_bytes()
    before = hashlib.sha256(original).hexdigest()
    nb, note = read_submission(path)
    student, exercise = identify(path, nb, sources)
    result = Result(student=student, exercise=exercise, file=str(path), sha256=before, score=0.0,
                    max_score=0.0, tests=[], notes=[])
    if note:
        result["notes"].append(note)
    if exercise is None:
        result["notes"].append("could not tell which exercise this is (file name or notebook metadata)")
        return result
    source = sources[exercise]
    tests = [c for c in source.cells if markers.is_test(c)]
    result["max_score"] = sum(markers.points(c) for c in tests)
    if nb is None:
        result["tests"] = [_test_entry(c, 0, "not graded: " + note) for c in tests]
        return result
    cells, notes = assemble(source, nb, exercise)
    result["notes"] += notes
    watch = [pathlib.Path(w) for w in ([path.parent] if watch is None else watch)]
    exclude = [str(pathlib.Path(e).resolve()) for e in exclude]
    snapshot = {w: _snapshot(w, exclude) for w in watch}
    with tempfile.TemporaryDirectory(prefix="ak-grade-") as tmp:
        skip, outcomes = set(), {}
        deadline = time.monotonic() + notebook_timeout
        for _ in range(3):
            outcomes, died_at = run_cells([c[2] for c in cells], tmp, cell_timeout, deadline, skip)
            if died_at is None:
                break
            why = outcomes.get(died_at, ("", "the kernel died (sys.exit/os._exit, a crash, or too much memory)"))[1]
            result["notes"].append(f"{_describe(cells[died_at])}: {why}; graded again without it")
            skip.add(died_at)
    if path.read_bytes() != original:  # the student's code wrote to its own file: put it back
        path.write_bytes(original)
        result["notes"].append("the submission's code modified the submitted file; the original was restored")
    changed = [p for w in watch for p in _changed(snapshot[w], _snapshot(w, exclude), path)]
    if changed:
        result["notes"].append(f"the submission wrote files outside its folder: {', '.join(changed[:5])}")
    _score(result, cells, tests, outcomes)
    if sha256(path) != before:
        raise RuntimeError(f"{path} changed during grading and could not be restored")
    return result


def _score(result, cells, tests, outcomes):
    by_id, answer_before, last_answer = {}, {}, None
    for i, (kind, gid, _) in enumerate(cells):
        if kind == "answer":
            last_answer = i
        elif kind == "test":
            by_id[gid], answer_before[gid] = i, last_answer
    for cell in tests:
        gid = markers.grade_id(cell)
        outcome = outcomes.get(by_id.get(gid), ("timeout", "not run", ""))
        if outcome[0] == "ok":
            result["tests"].append(_test_entry(cell, markers.points(cell), "passed"))
            continue
        answer = outcomes.get(answer_before.get(gid))
        why = _feedback(outcome)
        if answer and answer[0] != "ok":
            why = ("not answered yet" if answer[1].startswith("NotImplementedError")
                   else f"your answer cell failed ({_feedback(answer)}); then: {why}")
        result["tests"].append(_test_entry(cell, 0, why))
    for i, (kind, gid, _) in enumerate(cells):
        o = outcomes.get(i)
        if kind == "answer" and o and o[0] == "timeout" and not any(gid in n for n in result["notes"]):
            result["notes"].append(f"{gid}: {o[1]}")
    result["score"] = sum(t["score"] for t in result["tests"])


def _describe(cell):
    kind, gid, _ = cell
    return f"the answer to {gid}" if kind == "answer" else f"a {kind} cell" + (f" ({gid})" if gid else "")


def _feedback(outcome):
    """A failed test's feedback: the check's hint, or the error's one-line message — never test source."""
    kind, message = outcome[0], outcome[1]
    if kind != "error":
        return message
    name, _, text = message.partition(":")
    text = text.strip()
    if name.rsplit(".", 1)[-1] == "CheckFailed":
        return text
    if name == "NotImplementedError":
        return "not answered yet"
    if name == "AssertionError":
        return "a hidden test failed" + (f": {text}" if text else "")
    return f"your code raised {message}"


def _test_entry(cell, score, output):
    return {"name": markers.grade_id(cell), "score": score, "max_score": markers.points(cell), "output": output,
            "visibility": "visible"}


def _snapshot(folder, exclude=()):
    state = {}
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if str(pathlib.Path(root, d).resolve()) not in exclude)
        for f in files:
            p = os.path.join(root, f)
            try:
                st = os.stat(p)
                state[p] = (st.st_size, st.st_mtime_ns)
            except OSError:
                pass
            if len(state) >= MAX_WATCHED_FILES:
                return state
    return state


def _changed(before, after, own):
    return sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p) and p != str(own))
