"""Grading speed: 50 submissions of one exercise graded end to end on this machine's cores, each in its own
sandbox (student cells) with the tests in the grader, as ``autograd-kit grade`` does.

    python bench/bench_grading.py [--n 50] [--workers N] [--exercise 02_gradients]

The class mixes full solutions, untouched student versions and wrong answers (each a fresh sandbox). Target:
at least 1 submission per second on 2 cores. The load average is printed: on a shared machine the figure
moves with it. ``--unsafe-no-sandbox`` measures the same without the sandbox (its cost).
"""
import argparse
import os
import pathlib
import shutil
import sys
import tempfile
import time

import nbformat

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograd_kit.grading import markers  # noqa: E402
from autograd_kit.grading.batch import grade_class  # noqa: E402
from autograd_kit.grading.release import student_version  # noqa: E402


def make_class(folder, exercise, n):
    source = nbformat.read(ROOT / "exercises" / "source" / f"{exercise}.ipynb", as_version=4)
    released = student_version(source)
    wrong = nbformat.from_dict(source)
    for c in wrong.cells:
        if markers.is_solution(c):
            c.source = markers.solution_only(c.source).replace("2", "3")  # plausible slips
    kinds = [source, released, wrong]
    paths = []
    for i in range(n):
        d = folder / f"student{i:03d}"
        d.mkdir(parents=True)
        nbformat.write(kinds[i % 3], d / f"{exercise}.ipynb")
        paths.append(d / f"{exercise}.ipynb")
    return paths


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=50)
    ap.add_argument("--workers", type=int, default=os.cpu_count())
    ap.add_argument("--exercise", default="02_gradients")
    ap.add_argument("--unsafe-no-sandbox", action="store_true")
    args = ap.parse_args()
    sandboxed = not args.unsafe_no_sandbox
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="ak-bench-grading-"))
    try:
        paths = make_class(tmp / "class", args.exercise, args.n)
        source = tmp / "source"  # a copy: the figures do not depend on edits made meanwhile
        shutil.copytree(ROOT / "exercises" / "source", source)
        load = os.getloadavg()[0]
        t0 = time.perf_counter()
        results = grade_class(paths, source, tmp / "out", workers=args.workers, progress=False, sandboxed=sandboxed)
        elapsed = time.perf_counter() - t0
        full = sum(r["score"] == r["max_score"] for r in results)
        zero = sum(r["score"] == 0 for r in results)
        rate = len(results) / elapsed
        print(f"graded {len(results)} submissions of {args.exercise} with {args.workers} workers "
              f"({'sandboxed' if sandboxed else 'NO sandbox'}; load average {load:.1f} -> {os.getloadavg()[0]:.1f}) "
              f"in {elapsed:.1f} s: {rate:.2f} submissions/s ({elapsed / len(results):.2f} s each; "
              f"{full} full marks, {zero} zero)  target >= 1/s: {'ok' if rate >= 1 else 'UNDER target'}")
        t0 = time.perf_counter()
        again = grade_class(paths, source, tmp / "out", workers=args.workers, progress=False, sandboxed=sandboxed)
        assert sorted((r["student"], r["score"]) for r in again) == sorted((r["student"], r["score"]) for r in results)
        print(f"re-run (every grade kept): {time.perf_counter() - t0:.2f} s")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
