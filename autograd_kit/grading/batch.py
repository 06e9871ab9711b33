"""Grade a class: one row per (student, exercise), in parallel, and the batch always finishes.

The sources are read once, here, before any student code runs. Each submission is graded in a forked
worker that owns a sandbox slot (its own uid, so two submissions never share a uid, a process count or a
writable folder); the worker only *returns* its result: only this process writes results, feedback and the
gradebook. A worker that dies, hangs past its deadline or is stopped is killed (its sandbox dies with
it) and that submission scores 0 with a note; the rest go on. A re-run keeps a result whose key (hashes of
the submission, the source and the grader) is unchanged.
"""
import hashlib
import json
import multiprocessing
import os
import pathlib
import time
import traceback
from multiprocessing.connection import wait

from . import submission
from .grade import CELL_TIMEOUT, NOTEBOOK_TIMEOUT, empty_result, grade_one, load_sources
from .report import write_atomic, write_feedback, write_gradebook

EXTRA_SECONDS = 60  # a worker's deadline beyond the notebook timeout (startup, tests)
WORKER_MEMORY = 6 << 30  # address space of one grading worker: a flood of data costs that worker, not the machine


def grader_version():
    """A hash of this grader's code and the kit's version: a change re-grades everything."""
    import autograd_kit
    h = hashlib.sha256(str(getattr(autograd_kit, "__version__", "")).encode())
    here = pathlib.Path(__file__).parent
    for name in ("agent", "batch", "checks", "grade", "keys", "markers", "remote", "sandbox", "submission", "tests",
                 "wire"):
        if (here / f"{name}.py").exists():
            h.update((here / f"{name}.py").read_bytes())
    return h.hexdigest()[:16]


def find_notebooks(paths):
    """(notebook file, class folder or None) under ``paths`` (files or folders), never following a symlink, skipping
    ``.ipynb_checkpoints`` and symlinked folders. Symlinked files and folders named *.ipynb are kept (they get a
    note, not a grade)."""
    found = []
    for p in map(pathlib.Path, paths):
        if p.is_symlink() or not p.is_dir():
            found.append((p, None))
            continue
        for root, dirs, files in os.walk(p, followlinks=False):
            dirs[:] = sorted(d for d in dirs if d != ".ipynb_checkpoints" and not d.endswith(".ipynb")
                             and not os.path.islink(os.path.join(root, d)))
            found += [(pathlib.Path(root, f), p) for f in sorted(files) if f.endswith(".ipynb")]
            found += [(pathlib.Path(root, d), p) for d in sorted(os.listdir(root)) if d.endswith(".ipynb")
                      and os.path.isdir(os.path.join(root, d)) and not os.path.islink(os.path.join(root, d))]
    return found


def result_path(out_dir, student, exercise):
    return pathlib.Path(out_dir) / "results" / f"{submission.safe_name(student)}__{submission.safe_name(exercise)}.json"


def _assign(paths, sources):
    """{(student, exercise): (path, notes)}: one row per pair; a second file claiming a row is noted."""
    rows = {}
    for path, root in paths:
        _, _, meta, _ = submission.read(path) if not path.is_symlink() and path.is_file() else (None, None, {}, [])
        student, exercise, why = submission.identify(path, meta, sources, root)
        key = (student, exercise or "unknown")
        canonical = path.stem == exercise and path.parent.name == student
        if key in rows:
            old, notes, was_canonical = rows[key]
            if canonical and not was_canonical:
                rows[key] = (path, why + [n for n in notes if n.startswith("another file")]
                             + [f"another file also claimed this row and was not graded: {_short(old)}"], True)
            else:
                notes.append(f"another file also claimed this row and was not graded: {_short(path)}")
            continue
        rows[key] = (path, list(why), canonical)
    return {k: (p, n) for k, (p, n, _) in rows.items()}


def _short(path):
    return "/".join(pathlib.Path(path).parts[-2:])


def _job(conn, path, sources, identity, cell_timeout, notebook_timeout, sandboxed, slot):
    try:
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY, WORKER_MEMORY))
    except (ImportError, ValueError, OSError):
        pass
    try:
        result = grade_one(path, sources, cell_timeout, notebook_timeout, sandboxed, slot, identity)
    except BaseException as e:  # noqa: BLE001 - reported to the parent as a note
        result = {"crash": f"{type(e).__name__}: {e}"[:300], "trace": traceback.format_exc()[-2000:]}
    conn.send_bytes(json.dumps(result).encode())
    conn.close()


def grade_class(submissions, source_dir, out_dir, workers=None, cell_timeout=CELL_TIMEOUT,
                notebook_timeout=NOTEBOOK_TIMEOUT, progress=True, sandboxed=True):
    """Grade ``submissions`` (files or folders) against the sources in ``source_dir``; write feedback,
    ``results/``, ``gradebook.csv`` and ``results.json`` under ``out_dir``. Returns the results."""
    out_dir = pathlib.Path(out_dir)
    sources = load_sources(source_dir)
    if not sources:
        raise SystemExit(f"no source notebooks (*.ipynb) in {source_dir}")
    if sandboxed:
        from . import sandbox
        sandbox.check_available()
    version = grader_version()
    rows = _assign(find_notebooks(submissions), sources)
    todo, done = [], []
    for (student, exercise), (path, notes) in sorted(rows.items(), key=lambda kv: str(kv[1][0])):
        try:
            raw = path.read_bytes() if not path.is_symlink() and path.is_file() else b""
        except OSError:
            raw = b""
        src = sources.get(exercise, {}).get("sha256", "")
        key = hashlib.sha256(b"|".join([hashlib.sha256(raw).digest(), src.encode(), version.encode(),
                                        str(sandboxed).encode()])).hexdigest()
        old = _cached(result_path(out_dir, student, exercise), key)
        if old is not None:
            done.append(old)
        else:
            todo.append((path, student, exercise, notes, key))
    workers = max(1, min(workers or os.cpu_count() or 1, len(todo) or 1))
    bar = None
    if progress:
        from tqdm import tqdm
        bar = tqdm(total=len(rows), initial=len(done), desc="grading", unit="submission")
    ctx = multiprocessing.get_context("fork")
    running, free = {}, list(range(workers))
    deadline_of = notebook_timeout + EXTRA_SECONDS
    while todo or running:
        while todo and free:
            path, student, exercise, notes, key = todo.pop(0)
            slot = free.pop(0)
            recv_end, send_end = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_job, args=(send_end, str(path), sources, (student, exercise if exercise != "unknown"
                               else None), cell_timeout, notebook_timeout, sandboxed, slot), daemon=True)
            proc.start()
            send_end.close()
            running[recv_end] = (proc, slot, time.monotonic() + deadline_of, (path, student, exercise, notes, key))
        ready = wait(list(running), timeout=1.0)
        now = time.monotonic()
        for conn in list(running):
            proc, slot, deadline, job = running[conn]
            result = None
            if conn in ready:
                try:
                    result = json.loads(conn.recv_bytes())
                except (EOFError, OSError, ValueError):
                    result = {"crash": "the grading worker died"}
            elif now > deadline:
                result = {"crash": f"grading took longer than {deadline_of:g} s and was stopped"}
            else:
                continue
            if proc.is_alive():
                proc.kill()
            proc.join(5)
            conn.close()
            del running[conn]
            free.append(slot)
            done.append(_finish(result, job, out_dir))
            if bar:
                bar.update(1)
    if bar:
        bar.close()
    write_gradebook(done, out_dir)
    return done


def _finish(result, job, out_dir):
    path, student, exercise, notes, key = job
    if "crash" in result or not isinstance(result.get("tests"), list):
        why = result.get("crash", "the grading worker returned no result")
        result = empty_result(path, student, exercise if exercise != "unknown" else None,
                              [f"this submission could not be graded ({why}); score 0"])
    result = dict(result, student=student, cache_key=key)
    result["notes"] = list(result.get("notes", [])) + notes
    write_atomic(result_path(out_dir, student, exercise), json.dumps(result, indent=1))
    write_feedback(result, out_dir)
    return result


def _cached(path, key):
    try:
        if path.is_symlink() or not path.is_file():
            return None
        old = json.loads(path.read_text())
    except (OSError, ValueError, RecursionError):
        return None
    return old if isinstance(old, dict) and old.get("cache_key") == key else None
