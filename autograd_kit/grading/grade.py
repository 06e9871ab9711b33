"""Grade one submission: the student's cells run in a sandbox, the tests run here, in the grader.

1. ``submission.plan``: the student's code cells in the student's order (answers, helpers, locked cells
   restored from the source); test cells are taken from the *source*, never from the submission.
2. ``sandbox.Kernel``: one agent process per submission (sandboxed; unsandboxed only for a student's own
   ``check`` or with ``--unsafe-no-sandbox``) runs them, each under a timeout; a cell that hangs or kills
   the process is dropped and the rest are run again in a fresh sandbox.
3. ``tests.run_test``: each test cell (public part, then hidden part) executes in this trusted process
   over the student's values fetched as data (``remote.Session``). Hidden tests never enter the sandbox.
"""
import pathlib
import time

from . import markers, sandbox, submission
from .remote import SandboxGone, Session
from .tests import run_test, feedback_for

CELL_TIMEOUT = 30
NOTEBOOK_TIMEOUT = 300
MAX_RESTARTS = 3


class Result(dict):
    """student, exercise, file, sha256, score, max_score, tests: [{name, score, max_score, output,
    visibility}], notes"""


def load_sources(source_dir):
    """{exercise name: (cells, raw bytes)} of a folder of instructor source notebooks (path names them)."""
    sources = {}
    for path in sorted(pathlib.Path(source_dir).glob("*.ipynb")):
        if path.is_symlink() or not path.is_file():
            continue
        raw = path.read_bytes()
        cells, _, _ = submission.parse(raw)
        sources[path.stem] = {"cells": cells, "sha256": submission.sha256_bytes(raw)}
    return sources


def empty_result(path, student, exercise, notes, sha=None):
    return Result(student=student, exercise=exercise, file=str(path), sha256=sha, score=0.0, max_score=0.0,
                  tests=[], notes=list(notes))


def grade_one(path, sources, cell_timeout=CELL_TIMEOUT, notebook_timeout=NOTEBOOK_TIMEOUT, sandboxed=True,
              slot=0, identity=None):
    """Grade one submission file against ``sources`` (``load_sources``). Never raises for a bad
    submission: problems become notes. ``identity``: (student, exercise) when the caller decided it."""
    path = pathlib.Path(path)
    raw, cells, meta, notes = submission.read(path)
    if identity is None:
        student, exercise, more = submission.identify(path, meta, sources)
        notes += more
    else:
        student, exercise = identity
    result = empty_result(path, student, exercise, notes, raw and submission.sha256_bytes(raw))
    if exercise is None or exercise not in sources:
        result["notes"].append("could not tell which exercise this is (name the file after the exercise)")
        return result
    source = sources[exercise]["cells"]
    tests = [c for c in source if c["cell_type"] == "code" and markers.is_test(c)]
    result["max_score"] = sum(markers.points(c) for c in tests)
    if cells is None:
        result["tests"] = [entry(c, 0, "not graded: " + (notes[-1] if notes else "unreadable")) for c in tests]
        return result
    run, more = submission.plan(source, cells)
    result["notes"] += more
    deadline = time.monotonic() + notebook_timeout
    state = Runner(run, cell_timeout, deadline, sandboxed, slot, result["notes"],
                   limits={"cpu": int(notebook_timeout) + 30})  # CPU seconds: never less than the wall-clock budget
    try:
        outcomes = state.start()
        answer_of = _answer_before(source)
        for cell in tests:
            gid = markers.grade_id(cell)
            ok, why, public_ok = _one_test(state, cell, outcomes.get(answer_of.get(gid)))
            result["tests"].append(dict(entry(cell, markers.points(cell) if ok else 0, "passed" if ok else why),
                                        public_passed=public_ok))
    finally:
        state.close()
    failed = [(i, o[1]) for i, o in sorted(state.outcomes.items()) if o[0] == "error" and run[i][0] != "answer"]
    for i, why in failed[:5]:  # the student's own cells that raised (answers show in their test's feedback)
        result["notes"].append(f"{_describe(run[i][0], run[i][1])} (code cell {i + 1} as run) raised {why}")
    result["score"] = sum(t["score"] for t in result["tests"])
    return result


def _one_test(state, cell, answer):
    """(passed, feedback, public part passed)."""
    if answer and answer[0] == "error" and answer[1].startswith("NotImplementedError"):
        return False, "not answered yet", False
    session = state.session()
    if session is None:
        return False, "not run: " + (state.gone or "the sandbox could not start"), False
    try:
        failure = run_test(session, cell["source"], markers.grade_id(cell) or "test")
    except SandboxGone:
        state.close()
        state.restarts += 1
        return False, "your code did not finish during this test (an endless loop, or it stopped the sandbox)", False
    if failure is None:
        return True, "passed", True
    why = feedback_for(failure)
    if answer and answer[0] != "ok":
        why = f"your answer cell failed ({answer[1]}); then: {why}"
    return False, why, failure["part"] == "hidden"


def _answer_before(source):
    """{test grade_id: grade_id of the last answer cell before it in the source}."""
    out, last = {}, None
    for c in source:
        if c["cell_type"] != "code":
            continue
        if markers.is_solution(c):
            last = markers.grade_id(c)
        elif markers.is_test(c):
            out[markers.grade_id(c)] = last
    return out


class Runner:
    """The student's process and what its cells did; restarts it (without the cell at fault) on loss."""

    def __init__(self, run, cell_timeout, deadline, sandboxed, slot, notes, limits=None):
        self.run, self.cell_timeout, self.deadline, self.limits = run, cell_timeout, deadline, limits
        self.sandboxed, self.slot, self.notes = sandboxed, slot, notes
        self.kernel, self._session, self.skip, self.outcomes, self.restarts, self.gone = None, None, set(), {}, 0, ""

    def start(self):
        """Run the student's cells; returns {answer grade_id: (kind, message)} of the last run of each."""
        while True:
            self.close()
            try:
                self.kernel = sandbox.Kernel(self.slot, self.sandboxed, self.limits)
            except sandbox.Unavailable as e:
                self.gone = str(e)
                self.notes.append(f"your notebook could not be graded: {e}")
                return {}
            self._session = Session(self.kernel.sock, self.cell_timeout, self.kernel.kill)
            died = self._run_cells()
            if died is None:
                return self.answers()
            self.skip.add(died)
            self.restarts += 1
            if self.restarts > MAX_RESTARTS or time.monotonic() > self.deadline:
                self.lost("your notebook stopped the sandbox too many times")
                return self.answers()

    def _run_cells(self):
        for i, (kind, gid, code) in enumerate(self.run):
            if i in self.skip:
                continue
            left = self.deadline - time.monotonic()
            if left <= 0:
                self.outcomes[i] = ("timeout", "not run: the notebook ran out of time")
                continue
            t0 = time.monotonic()
            try:
                reply = self._session.run(code, timeout=min(self.cell_timeout, left))
            except SandboxGone:
                slow = time.monotonic() - t0 >= min(self.cell_timeout, left) - 0.05
                why = (f"stopped after {min(self.cell_timeout, left):g} s (an endless loop?)" if slow else
                       "the process died (sys.exit/os._exit, a crash, a signal, or too much memory)")
                self.outcomes[i] = ("timeout" if slow else "died", why)
                self.notes.append(f"{_describe(kind, gid)}: {why}; graded again without it")
                return i
            if reply["status"] == "ok":
                self.outcomes[i] = ("ok", "")
            else:
                self.outcomes[i] = ("error", f"{reply.get('type', 'Error')}: {reply.get('msg', '')}"[:500])
        return None

    def answers(self):
        out = {}
        for i, (kind, gid, _) in enumerate(self.run):
            if kind == "answer" and i in self.outcomes:
                out[gid] = self.outcomes[i]
        return out

    def session(self):
        if self._session is None and not self.gone:
            if self.restarts > MAX_RESTARTS:
                self.gone = "your notebook stopped the sandbox too many times"
            else:
                self.start()
        return self._session

    def lost(self, why):
        self.gone = why
        self.restarts = MAX_RESTARTS + 1
        self.close()

    def close(self):
        if self.kernel is not None:
            self.kernel.kill()
        self.kernel, self._session = None, None


def _describe(kind, gid):
    if kind == "answer":
        return f"the answer to {gid}"
    return "one of your own cells" if kind == "extra" else f"the locked cell {gid}"


def entry(cell, score, output):
    return {"name": markers.grade_id(cell), "score": score, "max_score": markers.points(cell), "output": output,
            "visibility": "visible"}
