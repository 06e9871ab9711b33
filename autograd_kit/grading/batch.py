"""Grade a class: many submissions in parallel worker processes, a progress bar, resumable.

The instructor sources are read once, here, before any student code runs, and handed to the workers:
a submission that rewrites the source folder cannot change how anyone is graded. Each result is written
atomically as soon as it is done; a re-run keeps the results of submissions whose bytes are unchanged.
"""
import json
import os
import pathlib
from concurrent.futures import ProcessPoolExecutor, as_completed

from .grade import CELL_TIMEOUT, NOTEBOOK_TIMEOUT, Result, grade_one, identify, load_sources, read_submission, sha256
from .report import write_atomic, write_feedback, write_gradebook


def result_path(out_dir, student, exercise):
    return pathlib.Path(out_dir) / "results" / f"{student}__{exercise}.json"


def _job(path, sources, out_dir, cell_timeout, notebook_timeout, watch, exclude):
    try:
        result = grade_one(path, sources, cell_timeout, notebook_timeout, watch, exclude)
    except Exception as e:  # noqa: BLE001 - one submission never stops the class
        nb, _ = read_submission(path)
        student, exercise = identify(path, nb, sources)
        result = Result(student=student, exercise=exercise, file=str(path), score=0.0, max_score=0.0, tests=[],
                        notes=[f"the grader could not grade this file: {type(e).__name__}: {e}"], sha256=sha256(path))
    write_atomic(result_path(out_dir, result["student"], result["exercise"] or "unknown"),
                 json.dumps(result, indent=1))
    write_feedback(result, out_dir)
    return result


def _class_folder(paths):
    """The folder holding every submission (the one they must not write to)."""
    parents = [str(pathlib.Path(p).resolve().parent) for p in paths]
    return pathlib.Path(os.path.commonpath(parents)) if parents else None


def grade_class(submissions, source_dir, out_dir, workers=None, cell_timeout=CELL_TIMEOUT,
                notebook_timeout=NOTEBOOK_TIMEOUT, progress=True):
    """Grade ``submissions`` (notebook paths) against the sources in ``source_dir``; write per-student
    feedback, ``results/``, ``gradebook.csv`` and ``results.json`` under ``out_dir``. Returns the results."""
    out_dir = pathlib.Path(out_dir)
    sources = load_sources(source_dir)
    if not sources:
        raise SystemExit(f"no source notebooks (*.ipynb) in {source_dir}")
    submissions = [pathlib.Path(p) for p in submissions]
    watch = [w for w in (_class_folder(submissions), pathlib.Path(source_dir)) if w is not None]
    exclude = [out_dir]
    todo, done = [], []
    for path in submissions:
        nb, _ = read_submission(path)
        student, exercise = identify(path, nb, sources)
        previous = result_path(out_dir, student, exercise or "unknown")
        if previous.exists():
            try:
                old = json.loads(previous.read_text())
            except (OSError, ValueError):
                old = {}
            if old.get("sha256") == sha256(path):
                done.append(Result(old))
                continue
        todo.append(path)
    workers = max(1, min(workers or os.cpu_count() or 1, len(todo) or 1))
    bar = None
    if progress:
        from tqdm import tqdm
        bar = tqdm(total=len(submissions), initial=len(done), desc="grading", unit="submission")
    if todo:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(_job, str(p), sources, str(out_dir), cell_timeout, notebook_timeout, watch, exclude)
                       for p in todo]
            for fut in as_completed(futures):
                done.append(fut.result())
                if bar:
                    bar.update(1)
    if bar:
        bar.close()
    write_gradebook(done, out_dir)
    return done
